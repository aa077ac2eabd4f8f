"""The array contract: validation, conversion to the internal clip form and back.

Accepted inputs
---------------
- an image ``H×W`` (greyscale) or ``H×W×C`` with ``C`` in {1, 3};
- a clip ``T×H×W×C`` with ``C`` in {1, 3};
- dtype ``uint8`` (0–255) or ``float16/32/64`` in [0, 1].

Internally every transform sees a C-contiguous float32 clip ``T×H×W×C`` in [0, 1]. The output has the
input's shape and dtype; the input is never modified. ``uint8`` output is rounded to nearest.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["ArrayInfo", "as_float_clip", "check_array", "restore_array"]

FLOAT_DTYPES = (np.float16, np.float32, np.float64)


@dataclass(frozen=True)
class ArrayInfo:
    """What :func:`as_float_clip` needs to give the result back in the caller's form."""

    dtype: np.dtype
    shape: tuple[int, ...]
    is_clip: bool

    @property
    def n_frames(self) -> int:
        """Number of frames (1 for an image)."""
        return self.shape[0] if self.is_clip else 1


def check_array(x: object, *, name: str = "image", min_size: int = 2) -> ArrayInfo:
    """Validate ``x`` against the array contract and describe it.

    Parameters
    ----------
    x : numpy.ndarray
        Image ``H×W``, ``H×W×C`` or clip ``T×H×W×C``; ``C`` in {1, 3}; uint8 or float in [0, 1].
    name : str
        Argument name used in error messages.
    min_size : int
        Smallest allowed height and width, pixels (effects that need a neighbourhood ask for more).

    Raises
    ------
    TypeError
        Not an ndarray, or an unsupported dtype.
    ValueError
        Wrong rank or channel count, empty or too small, NaN/inf, or float values outside [0, 1].
    """
    if not isinstance(x, np.ndarray):
        raise TypeError(f"{name} must be a numpy.ndarray, got {type(x).__name__}")
    if x.dtype != np.uint8 and x.dtype.type not in FLOAT_DTYPES:
        raise TypeError(f"{name} must have dtype uint8 or float16/32/64 in [0, 1], got {x.dtype}")
    if x.ndim not in (2, 3, 4):
        raise ValueError(
            f"{name} must be H×W, H×W×C or a clip T×H×W×C, got an array of rank {x.ndim} {x.shape}"
        )
    if x.size == 0:
        raise ValueError(f"{name} is empty (shape {x.shape})")
    is_clip = x.ndim == 4
    if x.ndim >= 3 and x.shape[-1] not in (1, 3):
        raise ValueError(f"{name} must have 1 or 3 channels in the last axis, got shape {x.shape}")
    h, w = (x.shape[0], x.shape[1]) if x.ndim <= 3 else (x.shape[1], x.shape[2])
    if h < min_size or w < min_size:
        raise ValueError(f"{name} is too small: {h}×{w} pixels, at least {min_size}×{min_size} needed")
    if x.dtype != np.uint8:
        # Two reductions and no temporary: min/max propagate NaN, and an inf shows up in one of them.
        lo, hi = float(x.min()), float(x.max())
        if not (np.isfinite(lo) and np.isfinite(hi)):
            raise ValueError(f"{name} contains NaN or inf")
        if lo < 0.0 or hi > 1.0:
            raise ValueError(f"{name} float values must lie in [0, 1], got range [{lo:.4g}, {hi:.4g}]")
    return ArrayInfo(dtype=x.dtype, shape=tuple(x.shape), is_clip=is_clip)


def as_float_clip(x: np.ndarray, *, name: str = "image", min_size: int = 2) -> tuple[np.ndarray, ArrayInfo]:
    """Validate ``x`` and return a float32 clip ``T×H×W×C`` in [0, 1] plus its :class:`ArrayInfo`.

    Conversions (uint8, float16/64) return a new array. A C-contiguous float32 input is returned as a
    **read-only view** without copying: transforms never write into their input (the protocol), and the
    read-only flag turns a transform that tried into an error instead of a silent change of the caller's
    array. Use ``np.may_share_memory(result, x)`` to know which case applies.
    """
    info = check_array(x, name=name, min_size=min_size)
    if x.dtype == np.uint8:
        frames = np.empty(x.shape, np.float32)
        np.multiply(x, np.float32(1.0 / 255.0), out=frames)  # one pass: cast and scale together
    elif x.dtype == np.float32 and x.flags.c_contiguous:
        frames = x.view()
        frames.flags.writeable = False
    else:
        frames = np.ascontiguousarray(x, dtype=np.float32)
        if np.may_share_memory(frames, x):
            frames = frames.copy()
    if x.ndim == 2:
        frames = frames[None, :, :, None]
    elif x.ndim == 3:
        frames = frames[None]
    return frames, info


def restore_array(frames: np.ndarray, info: ArrayInfo, *, owned: bool = False) -> np.ndarray:
    """Turn an internal float32 clip back into the caller's shape and dtype (clipped to [0, 1]).

    Parameters
    ----------
    frames : numpy.ndarray
        float32 clip ``T×H×W×C``.
    info : ArrayInfo
        From :func:`as_float_clip`.
    owned : bool
        True when ``frames`` is a private array that may be overwritten (saves a full-frame temporary).
        The result never shares memory with a non-owned ``frames``.
    """
    writable = owned and frames.flags.writeable and frames.flags.c_contiguous
    if info.dtype == np.uint8:
        import cv2

        pos = np.maximum(frames, 0.0, out=frames if writable else None)
        t, h, w, c = pos.shape
        # One saturating, rounding (half to even, like np.rint) pass in OpenCV: x·255 → uint8.
        out = cv2.convertScaleAbs(np.ascontiguousarray(pos).reshape(t * h, w * c), alpha=255.0)
        return out.reshape(info.shape)
    out = np.clip(frames, 0.0, 1.0, out=frames if writable else None)
    if out.dtype != info.dtype:
        out = out.astype(info.dtype)
    return np.ascontiguousarray(out.reshape(info.shape))


def restore_mask(mask: np.ndarray, info: ArrayInfo) -> np.ndarray:
    """A ``T×H×W`` mask in the caller's layout: ``H×W`` for an image, ``T×H×W`` for a clip."""
    return mask if info.is_clip else mask[0]
