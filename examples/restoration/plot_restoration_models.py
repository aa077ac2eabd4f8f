"""
Restoration models: flow warping and the temporal Real-ESRGAN
=============================================================

Builds the ``tiny`` single-frame generator, wraps it into a :class:`TemporalRealESRGAN`
(identity at initialisation), and shows flow warping with OpenCV DIS flow on a shifted clip.
Needs the ``torch`` extra.
"""

import matplotlib.pyplot as plt
import numpy as np
import torch
from skimage import data

from filmrestore_models.archs.flow_ops import flow_warp
from filmrestore_models.archs.temporal_realesrgan import TemporalRealESRGAN
from filmrestore_models.dis_flow import dis_flows_torch
from filmrestore_models.factory import build_model, count_parameters

gen = torch.Generator().manual_seed(0)
image = data.astronaut()[64:192, 160:288].astype(np.float32) / 255.0
frames = [np.roll(image, shift=2 * t, axis=1) for t in range(3)]  # a camera pan of 2 px per frame
clip = torch.from_numpy(np.stack(frames)).permute(0, 3, 1, 2)[None]  # (1, T, C, H, W)

# %%
# Warp frame 0 onto frame 1 with DIS flow (``flow_to_prev``: frame 1 -> frame 0).
to_prev, to_next = dis_flows_torch(clip, preset="medium")
warped = flow_warp(clip[:, 0], to_prev[:, 0])
err_before = (clip[:, 1] - clip[:, 0]).abs().mean().item()
err_after = (clip[:, 1] - warped).abs()[..., 8:-8, 8:-8].mean().item()

# %%
# A temporal model initialised from the single-frame weights reproduces them exactly.
single = build_model("tiny", generator=gen).eval()
temporal = TemporalRealESRGAN.from_single_frame(single, num_shallow_blocks=1).eval()
small = torch.nn.functional.interpolate(clip[0], scale_factor=0.25, mode="area")[None]
with torch.no_grad():
    out_t = temporal(small)
    out_s = single(small[0])
print(f"params: single {count_parameters(single):,}, temporal {count_parameters(temporal):,}")
print(f"max |temporal - single| at init: {(out_t[0] - out_s).abs().max().item():.2e}")

fig, axes = plt.subplots(1, 3, figsize=(9, 3))
axes[0].imshow(frames[1])
axes[0].set_title("frame 1")
axes[1].imshow(np.abs(frames[1] - frames[0]).mean(-1), vmin=0, vmax=0.3)
axes[1].set_title(f"|f1 - f0| = {err_before:.3f}")
axes[2].imshow((clip[0, 1] - warped[0]).abs().mean(0).numpy(), vmin=0, vmax=0.3)
axes[2].set_title(f"|f1 - warp(f0)| = {err_after:.3f}")
for ax in axes:
    ax.axis("off")
fig.tight_layout()
plt.show()
