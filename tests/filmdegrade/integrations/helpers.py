"""A test transform with clip-level and per-frame randomness and a mask, independent of the real effects."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from filmdegrade.effects.base import ClipContext, Transform, check_range
from filmdegrade.random import frame_rngs


@dataclass(frozen=True)
class FlickerSpeckParams:
    gain: float  # clip-level: one value for every frame of a clip
    offsets: np.ndarray  # per-frame, an AR(1) process
    speck_seeds: np.ndarray  # per-frame noise seeds


class FlickerSpeck(Transform):
    """Clip-level gain, AR(1) per-frame brightness offset and per-frame white specks (mask ``speck``).

    ``apply`` multiplies by ``gain`` *before* adding the offset, so ``out = gain * x + offset`` on pixels
    without a speck: with two different inputs the per-frame ``gain`` can be solved for and checked to be
    shared by all frames.
    """

    name = "itest_flicker_speck"
    mask_names = ("speck",)
    params_cls = FlickerSpeckParams

    def __init__(self, strength: float = 0.05, density: float = 0.01, *, p: float = 1.0) -> None:
        super().__init__(p=p)
        self.strength = check_range("strength", strength, 0.0, 0.5)
        self.density = check_range("density", density, 0.0, 1.0)

    def sample_params(self, rng: np.random.Generator, ctx: ClipContext) -> FlickerSpeckParams:
        frs = frame_rngs(rng, ctx.n_frames)
        gain = float(rng.uniform(0.6, 0.9))
        offsets = np.zeros(ctx.n_frames, np.float32)
        prev = 0.0
        for t, r in enumerate(frs):
            prev = 0.7 * prev + float(r.normal(0.0, self.strength))
            offsets[t] = prev
        seeds = np.array([r.integers(0, 2**62) for r in frs], dtype=np.int64)
        return FlickerSpeckParams(gain=gain, offsets=offsets, speck_seeds=seeds)

    def apply(
        self, frames: np.ndarray, params: FlickerSpeckParams
    ) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        _t, h, w, _ = frames.shape
        out = frames * np.float32(params.gain) + params.offsets[:, None, None, None] + np.float32(0.05)
        mask = np.stack(
            [
                (np.random.default_rng(int(s)).random((h, w)) < self.density).astype(np.float32)
                for s in params.speck_seeds
            ]
        )
        out = np.where(mask[..., None] > 0, np.float32(1.0), out).astype(np.float32)
        return out, {"speck": mask}
