"""sRGB read as film transmittance: ``λ = ln T = −ln(10)·D`` and back, in cache-sized OpenCV passes.

Gamma-encoded sRGB is decoded to linear light and read as transmittance relative to D-min, clamped at a
net D-max; the inverse encodes ``exp(λ)`` back to sRGB. The block helpers split a frame into row blocks
that stay in the L2 cache while a chain of OpenCV passes runs over them. Used by the fading kernels
(:mod:`filmdegrade.effects.fading_kernels`).
"""

from __future__ import annotations

import math
from collections.abc import Iterator

import cv2
import numpy as np

__all__ = ["LN10", "log_transmittance_to_srgb", "srgb_to_log_transmittance"]

LN10 = math.log(10.0)
_T_SRGB = 0.04045  # sRGB decode threshold (IEC 61966-2-1)
_LAM_T = math.log(_T_SRGB / 12.92)  # ln of the linear value at that threshold


def _flat(a: np.ndarray) -> np.ndarray:
    """Return a 2-D single-channel view for OpenCV ops with scalar operands.

    Scalars apply to channel 0 only on multi-channel Mats.
    """
    return a.reshape(a.shape[0], -1) if a.ndim >= 2 else a.reshape(1, -1)


def srgb_to_log_transmittance(srgb: np.ndarray, d_max: float) -> np.ndarray:
    """``λ = ln T`` of gamma-encoded sRGB read as transmittance, clamped at density ``d_max``.

    Parameters
    ----------
    srgb : numpy.ndarray, float32, shape (H, W, C)
        sRGB values in [0, 1].
    d_max : float
        Largest net density (D above D-min) the film records; darker values are clamped to it.

    Returns
    -------
    numpy.ndarray, float32, shape (H, W, C)
        λ in [−ln(10)·d_max, 0] (density = −λ / ln 10).
    """
    s = np.ascontiguousarray(srgb, dtype=np.float32)
    lam_min = -LN10 * d_max
    lin = math.exp(lam_min)
    s_floor = 12.92 * lin if lin <= 0.0031308 else 1.055 * lin ** (1.0 / 2.4) - 0.055
    f = _flat(s)
    out = np.empty_like(f)
    for r0, r1, (hi, lo) in _blocks(f.shape, 2):
        out[r0:r1] = _lam_block(f[r0:r1], s_floor, hi, lo)
    return out.reshape(s.shape)


def log_transmittance_to_srgb(lam: np.ndarray, black_level: float = 0.0) -> np.ndarray:
    """Gamma-encoded sRGB of transmittance ``exp(λ)``, clipped to [0, 1].

    Parameters
    ----------
    lam : numpy.ndarray, float32, shape (H, W, C)
        Natural log of transmittance (λ = −ln(10)·D).
    black_level : float
        Smallest linear transmittance of the result (a black-level lift); 0 for none.

    Returns
    -------
    numpy.ndarray, float32, shape (H, W, C)
        sRGB in [0, 1].
    """
    return _to_srgb(lam, black_level)


def _to_srgb(lam: np.ndarray, black_level: float = 0.0) -> np.ndarray:
    """:func:`log_transmittance_to_srgb` (block-wise OpenCV passes)."""
    x = np.ascontiguousarray(lam, dtype=np.float32)
    f = _flat(x)
    out = np.empty_like(f)
    for r0, r1, (tmp, hi) in _blocks(f.shape, 2):
        tmp[...] = f[r0:r1]
        _srgb_block(tmp, black_level, hi, out[r0:r1])
    return out.reshape(x.shape)


#: float32 values per block buffer (256 KB): a chain of OpenCV passes over one block of rows runs in the
#: L2 cache instead of streaming the whole frame through memory once per pass (3× faster at 1080p).
_BLOCK = 1 << 16


def _blocks(shape: tuple[int, int], n_buffers: int) -> Iterator[tuple[int, int, tuple[np.ndarray, ...]]]:
    """Yield row blocks ``(r0, r1, buffers)`` of a 2-D ``shape``.

    ``buffers`` are scratch arrays of the block's shape (reused from block to block).
    """
    h, w = shape
    rows = max(1, min(h, _BLOCK // max(w, 1)))
    buf = np.empty((n_buffers, rows, w), np.float32)
    for r0 in range(0, h, rows):
        r1 = min(h, r0 + rows)
        yield r0, r1, tuple(buf[i, : r1 - r0] for i in range(n_buffers))


def _lam_block(f: np.ndarray, s_floor: float, hi: np.ndarray, lo: np.ndarray) -> np.ndarray:
    """λ of the 2-D sRGB block ``f`` into ``hi`` (``lo`` is scratch): :func:`srgb_to_log_transmittance`."""
    # Branch-free IEC 61966-2-1 decode in log form: ln L = 2.4 ln((max(s,t)+0.055)/1.055) + ln(min(s,t)/t).
    # The D-max clamp is a floor on s (ln L is monotone): it only touches the branch it falls in.
    if s_floor > _T_SRGB:
        cv2.max(f, s_floor, dst=hi)
        cv2.addWeighted(hi, 1.0 / 1.055, hi, 0.0, 0.055 / 1.055, dst=hi)
        cv2.log(hi, dst=hi)
        cv2.multiply(hi, 2.4, dst=hi)
        return hi
    cv2.max(f, _T_SRGB, dst=hi)
    cv2.addWeighted(hi, 1.0 / 1.055, hi, 0.0, 0.055 / 1.055, dst=hi)
    cv2.log(hi, dst=hi)
    cv2.max(f, s_floor, dst=lo)
    cv2.min(lo, _T_SRGB, dst=lo)
    cv2.log(lo, dst=lo)
    cv2.addWeighted(hi, 2.4, lo, 1.0, -math.log(_T_SRGB), dst=hi)
    return hi


def _srgb_block(lam: np.ndarray, black_level: float, hi: np.ndarray, dst: np.ndarray) -> None:
    """SRGB of the 2-D λ block into ``dst``, clipped to [0, 1] (``lam`` is overwritten, ``hi`` scratch)."""
    if black_level > 0.0:
        cv2.max(lam, math.log(black_level), dst=lam)
    # s = 1.055 exp(max(λ,λt)/2.4) − 0.055 + 12.92 (exp(min(λ,λt)) − Lt)
    cv2.max(lam, _LAM_T, dst=hi)
    cv2.multiply(hi, 1.0 / 2.4, dst=hi)
    cv2.exp(hi, dst=hi)
    cv2.min(lam, _LAM_T, dst=lam)
    cv2.exp(lam, dst=lam)
    cv2.addWeighted(hi, 1.055, lam, 12.92, -0.055 - _T_SRGB, dst=dst)
    np.clip(dst, 0.0, 1.0, out=dst)

