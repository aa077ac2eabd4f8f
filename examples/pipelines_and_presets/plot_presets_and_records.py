"""
Presets, clips, defect masks and exact replay
=============================================

A preset is a YAML file of transforms in physical units plus the medium (gauge, stock, tape). Here the
``super8`` preset degrades an 8-frame clip made by panning over the bundled astronaut photo; the sample
carries the degraded clip, one mask per defect kind and a record that replays it bit for bit.
"""

import matplotlib.pyplot as plt
import numpy as np

from filmdegrade import FilmPipeline, list_presets
from filmdegrade.demo import bundled_image, pan_clip

print("bundled presets:", ", ".join(list_presets()))
pipe = FilmPipeline.from_preset("super8", seed=7)
clip = pan_clip(bundled_image("astronaut"), n_frames=8, size=(192, 256))
s = pipe.sample(clip, index=0)
again = pipe.replay(clip, s.record)
print("replay identical:", np.array_equal(again.image, s.image))
print("masks:", {k: v.shape for k, v in s.masks.items()})
print("transforms:", [e["name"] for e in s.record.entries])

fig, axes = plt.subplots(2, 4, figsize=(10, 4.2))
for t, ax in enumerate(axes[0]):
    ax.imshow(s.image[2 * t])
    ax.set_title(f"frame {2 * t}", fontsize=8)
for ax, (name, m) in zip(axes[1], list(s.masks.items())[:4], strict=False):
    ax.imshow(m.max(axis=0), cmap="gray", vmin=0, vmax=1)
    ax.set_title(f"mask '{name}' (max over clip)", fontsize=8)
for ax in axes.ravel():
    ax.axis("off")
fig.tight_layout()

# %%
# The same preset with overrides, at the resolution of a 4K scan of 16 mm film, and written as YAML.
pipe16 = FilmPipeline.from_preset("16mm", scan_width_px=4096)
print(pipe16.to_yaml()[:600])
plt.show()
