"""Integrations with training frameworks; each submodule imports its framework only when imported itself.

- :mod:`filmdegrade.integrations.sources`: image folders, videos, frame sequences, arrays (no torch needed).
- :mod:`filmdegrade.integrations.torch`: ``PairDataset``, ``ClipPairDataset`` (``filmdegrade[torch]``);
  also importable as :mod:`filmdegrade.torch`.
- :mod:`filmdegrade.integrations.albumentations`: ``FilmDegrade`` and one transform per effect
  (``filmdegrade[albumentations]``); also importable as :mod:`filmdegrade.albumentations`.
"""

from __future__ import annotations

import importlib
from types import ModuleType

__all__ = ["albumentations", "sources", "torch"]


def __getattr__(name: str) -> ModuleType:
    # Lazy: `import filmdegrade.integrations` must not import torch or albumentations.
    if name in __all__:
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
