"""
Training on degraded/clean pairs with a PyTorch DataLoader
==========================================================

:class:`filmdegrade.torch.PairDataset` crops and flips a clean image (the GT), degrades the crop with a
:class:`~filmdegrade.FilmPipeline` at scan resolution, and downscales it by ``scale`` with ``cv2.INTER_AREA``
to make the LQ input. Every random draw comes from ``(seed, epoch, index)``, so the batches are the same
with any ``num_workers`` and on any DDP rank; call ``set_epoch`` before each epoch.

Here a tiny ×2 super-resolution network trains for a few steps on scikit-image's sample pictures.
"""

import time

import numpy as np
import skimage.data
import torch
from torch import nn
from torch.utils.data import DataLoader

import filmdegrade
from filmdegrade import FilmPipeline
from filmdegrade.torch import PairDataset


def make_pipeline() -> FilmPipeline:
    """The ``super8`` preset when it is bundled, else the film effects registered in this install."""
    if "super8" in filmdegrade.list_presets():
        return FilmPipeline.from_preset("super8", seed=0)
    wanted = ("flicker", "fading", "grain", "dust", "scratches")
    return FilmPipeline(
        [filmdegrade.TRANSFORMS[n]() for n in wanted if n in filmdegrade.TRANSFORMS],
        medium={"gauge": "super8"} if "super8" in filmdegrade.list_gauges() else None,
    )


# %%
# The clean images: any folder of PNG/JPEG/TIFF (8 or 16 bit), videos, frame folders or arrays work.
images = [skimage.data.astronaut(), skimage.data.coffee(), skimage.data.chelsea(), skimage.data.rocket()]
dataset = PairDataset(images, make_pipeline(), gt_size=64, scale=2, use_flip=True, use_rot=True, seed=0)
loader = DataLoader(
    dataset, batch_size=4, shuffle=True, num_workers=0, generator=torch.Generator().manual_seed(0)
)
print(f"{len(dataset)} images, masks: {dataset.mask_names}")


# %%
# A tiny ×2 network: a few convolutions and a pixel shuffle.
class TinySR(nn.Module):
    def __init__(self, scale: int = 2, width: int = 16) -> None:
        super().__init__()
        self.body = nn.Sequential(
            nn.Conv2d(3, width, 3, padding=1),
            nn.ReLU(),
            nn.Conv2d(width, width, 3, padding=1),
            nn.ReLU(),
            nn.Conv2d(width, 3 * scale * scale, 3, padding=1),
            nn.PixelShuffle(scale),
        )
        self.up = nn.Upsample(scale_factor=scale, mode="bilinear", align_corners=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.up(x) + self.body(x)


torch.manual_seed(0)
model = TinySR()
losses = []
start = time.perf_counter()
for epoch in range(5):
    dataset.set_epoch(epoch)  # new crops and degradations each epoch, the same on every worker
    for batch in loader:
        loss = nn.functional.l1_loss(model(batch["lq"]), batch["gt"])
        model.zero_grad()
        loss.backward()
        with torch.no_grad():  # plain SGD by hand: torch.optim's first use imports torch._dynamo (~3 s)
            for p in model.parameters():
                p -= 0.05 * p.grad
        losses.append(loss.item())
    print(f"epoch {epoch}: L1 {np.mean(losses[-len(loader) :]):.4f}")
print(f"{len(losses)} steps in {time.perf_counter() - start:.1f} s")
