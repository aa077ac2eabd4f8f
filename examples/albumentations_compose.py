"""
Film degradations inside an albumentations pipeline
===================================================

:class:`filmdegrade.albumentations.FilmDegrade` runs a whole :class:`~filmdegrade.FilmPipeline` as one
albumentations transform, and every film effect also has its own class (``FilmGrain`` for ``grain``...).
They serialise with ``A.save``/``A.load``, report ``film_seed`` to ``ReplayCompose``, degrade an
``images`` clip with clip-level and per-frame parameters, and write a defect mask to the
``defect_mask`` target (declared as a mask so flips keep it aligned).
"""

import tempfile
from pathlib import Path

import albumentations as A
import numpy as np
import skimage.data

import filmdegrade
import filmdegrade.albumentations as fa
from filmdegrade import FilmPipeline
from filmdegrade.albumentations import FilmDegrade


def film_transform() -> FilmDegrade:
    """The ``super8`` preset when it is bundled, else the registered scratch/dust/grain effects."""
    if "super8" in filmdegrade.list_presets():
        return FilmDegrade(preset="super8")
    wanted = ("fading", "grain", "dust", "scratches")
    return FilmDegrade(
        pipeline=FilmPipeline([filmdegrade.TRANSFORMS[n]() for n in wanted if n in filmdegrade.TRANSFORMS])
    )


image = skimage.data.astronaut()[:256, :256]

# %%
# Geometry first (as a camera and a crop would), then the film, then a per-effect transform.
extra = [fa.FilmFlicker(p=1.0)] if hasattr(fa, "FilmFlicker") else []
aug = A.Compose(
    [A.RandomCrop(192, 192), A.HorizontalFlip(p=0.5), film_transform(), *extra],
    additional_targets={"defect_mask": "mask"},
    seed=137,
    save_applied_params=True,
)
out = aug(image=image, defect_mask=np.zeros(image.shape[:2], np.float32))
print("image", out["image"].shape, out["image"].dtype, "defect pixels:", int((out["defect_mask"] > 0).sum()))
for name, params in out["applied_transforms"]:
    print(f"  {name}: {params}")

# %%
# Save and load as YAML (the module must be imported before ``A.load``, which it is here).
with tempfile.TemporaryDirectory() as tmp:
    path = Path(tmp) / "aug.yaml"
    A.save(aug, str(path), data_format="yaml")
    again = A.load(str(path), data_format="yaml")
print("round trip equal:", A.to_dict(again) == A.to_dict(aug))

# %%
# Replay exactly what was applied.
replay = A.ReplayCompose([A.HorizontalFlip(p=0.5), film_transform()])
first = replay(image=image)
same = A.ReplayCompose.replay(first["replay"], image=image)
print("replay identical:", np.array_equal(first["image"], same["image"]))

# %%
# A clip: the frames share clip-level parameters, per-frame ones (flicker, grain, dust) change.
clip = np.stack([image] * 4)
frames = A.Compose([film_transform()], seed=1)(images=clip)["images"]
print(
    "clip",
    frames.shape,
    "frame-to-frame mean change:",
    [round(float(np.abs(frames[k].astype(int) - frames[k - 1]).mean()), 2) for k in range(1, 4)],
)
