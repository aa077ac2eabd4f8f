"""PyTorch datasets of degraded/clean pairs (needs ``pip install "filmdegrade[torch]"``).

Re-exports :mod:`filmdegrade.integrations.torch` and :mod:`filmdegrade.integrations.sources`; importing
:mod:`filmdegrade` alone never imports torch.

>>> from filmdegrade.torch import PairDataset, ClipPairDataset   # doctest: +SKIP
"""

from __future__ import annotations

try:
    from filmdegrade.integrations.torch import ClipPairDataset, PairDataset, collate_clips
except ModuleNotFoundError as e:  # pragma: no cover - depends on the environment
    if e.name == "torch":
        raise ModuleNotFoundError(
            "filmdegrade.torch needs PyTorch: pip install 'filmdegrade[torch]'", name="torch"
        ) from e
    raise
from filmdegrade.integrations.sources import (
    ArrayClips,
    ArrayImages,
    ClipSource,
    FrameFolders,
    ImageFolder,
    ImageSource,
    VideoFolder,
)

__all__ = [
    "ArrayClips",
    "ArrayImages",
    "ClipPairDataset",
    "ClipSource",
    "FrameFolders",
    "ImageFolder",
    "ImageSource",
    "PairDataset",
    "VideoFolder",
    "collate_clips",
]
