"""A simple test transform with clip-level and per-frame randomness and a mask (for pipeline tests)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from filmdegrade.effects.base import ClipContext, Transform, check_range
from filmdegrade.random import frame_rngs


@dataclass(frozen=True)
class ToyParams:
    gain: float
    offsets: np.ndarray
    speck_seeds: np.ndarray


class ToyNoise(Transform):
    """Clip-level gain, per-frame offset and per-frame random specks (mask ``toy``)."""

    name = "toy_noise"
    mask_names = ("toy",)
    params_cls = ToyParams

    def __init__(self, strength: float = 0.05, *, p: float = 1.0) -> None:
        super().__init__(p=p)
        self.strength = check_range("strength", strength, 0.0, 1.0)

    def sample_params(self, rng: np.random.Generator, ctx: ClipContext) -> ToyParams:
        frs = frame_rngs(rng, ctx.n_frames)
        gain = float(rng.uniform(0.8, 1.0))
        offsets = np.array([r.normal(0.0, self.strength) for r in frs], dtype=np.float32)
        seeds = np.array([r.integers(0, 2**62) for r in frs], dtype=np.int64)
        return ToyParams(gain=gain, offsets=offsets, speck_seeds=seeds)

    def apply(self, frames: np.ndarray, params: ToyParams) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        _t, h, w, _ = frames.shape
        out = frames * np.float32(params.gain) + params.offsets[:, None, None, None]
        mask = np.stack(
            [
                (np.random.default_rng(int(s)).random((h, w)) > 0.97).astype(np.float32)
                for s in params.speck_seeds
            ]
        )
        out = np.where(mask[..., None] > 0, np.float32(1.0), out).astype(np.float32)
        return out, {"toy": mask}
