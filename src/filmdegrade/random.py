"""Seed derivation: every random draw comes from ``(seed, epoch, index)`` and the transform's place.

A sample's stream is ``np.random.SeedSequence(seed, spawn_key=(epoch, index, key))`` where ``key`` is a
stable hash (CRC-32) of the transform's position *and* name in the pipeline. The position is counted
among same-named siblings under the same parent (``"one_of#0/grain#1"``), so inserting or removing a
transform leaves every other transform's draws unchanged, and nothing depends on the process, the
DataLoader worker or the order samples are drawn in.

Per-frame processes draw from :func:`frame_rngs`: one seed is taken from the transform's stream and
frame ``t`` gets its own generator from ``SeedSequence((base, t))``. A longer clip with the same seed
therefore starts with exactly the same frames.
"""

from __future__ import annotations

import zlib

import numpy as np

__all__ = ["as_generator", "check_seed", "frame_rngs", "stream_key", "transform_rng"]

_MAX_SEED = 2**63 - 1


def check_seed(seed: object, name: str = "seed") -> int:
    """Validate a seed-like integer (≥ 0) and return it as ``int``."""
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer):
        raise TypeError(f"{name} must be a non-negative int, got {type(seed).__name__}")
    seed = int(seed)
    if seed < 0:
        raise ValueError(f"{name} must be >= 0, got {seed}")
    return seed


def stream_key(path: str, name: str) -> int:
    """Stable 32-bit key of a transform's position ``path`` (e.g. ``"2.0"``) and ``name``."""
    return zlib.crc32(f"{path}:{name}".encode())


def transform_rng(seed: int, epoch: int, index: int, path: str, name: str) -> np.random.Generator:
    """The generator of the transform at ``path`` called ``name`` for sample ``(seed, epoch, index)``."""
    ss = np.random.SeedSequence(
        check_seed(seed),
        spawn_key=(check_seed(epoch, "epoch"), check_seed(index, "index"), stream_key(path, name)),
    )
    return np.random.Generator(np.random.PCG64(ss))


def frame_rngs(rng: np.random.Generator, n_frames: int) -> list[np.random.Generator]:
    """Independent per-frame generators; frame ``t``'s stream does not depend on ``n_frames``.

    Consumes exactly one draw from ``rng`` whatever ``n_frames`` is, so clip-level draws made after it
    are also independent of the clip length.
    """
    base = int(rng.integers(0, _MAX_SEED))
    return [np.random.Generator(np.random.PCG64(np.random.SeedSequence((base, t)))) for t in range(n_frames)]


def as_generator(rng: np.random.Generator | int | None) -> np.random.Generator:
    """SPEC 7 convention: accept a Generator (returned as is), an int seed or ``None`` (fresh entropy)."""
    if isinstance(rng, np.random.Generator):
        return rng
    if rng is None or isinstance(rng, int | np.integer):
        return np.random.default_rng(rng)
    raise TypeError(f"rng must be a numpy.random.Generator, an int or None, got {type(rng).__name__}")
