"""Scanline signal kernels of the tape model (see :mod:`filmdegrade.effects.tape`).

Every row of a frame is one scanline. Its time axis is the active line (52.6 µs NTSC, 52 µs PAL) spread
over ``line_width_px`` pixels, so a bandwidth ``f`` in MHz is ``f × active_line_us`` cycles per picture
width (cpw), and one pixel lasts ``active_line_us / line_width_px`` µs. All kernels are pure, float32,
vectorised across lines, and take their parameters in pixels or cycles per pixel (converted by the
transform). The record/playback noise is added in the DCT domain (:func:`filter_rows`); its helpers
size it per bin for a target SNR and draw it from the per-frame ``numpy.random.Generator`` passed in.
"""

from __future__ import annotations

import math

import cv2
import numpy as np

__all__ = [
    "apply_emphasis_clip",
    "butterworth_response",
    "chroma_response",
    "cpw_to_mhz",
    "dct_freqs",
    "filter_rows",
    "luma_response",
    "mhz_to_cpw",
    "peaking_response",
    "solve_lowpass_corner",
]

_HALF_POWER = 1.0 / np.sqrt(2.0)


def mhz_to_cpw(f_mhz: float, active_line_us: float) -> float:
    """Convert a video frequency, MHz, to cycles per picture width (``f × active line in µs``)."""
    return float(f_mhz) * float(active_line_us)


def cpw_to_mhz(f_cpw: float, active_line_us: float) -> float:
    """Convert cycles per picture width to MHz (inverse of :func:`mhz_to_cpw`)."""
    return float(f_cpw) / float(active_line_us)


def dct_freqs(width: int) -> np.ndarray:
    """Frequency of each type-II DCT coefficient of a row of ``width`` px, cycles per pixel (0 … 0.5)."""
    return (np.arange(width, dtype=np.float64) / (2.0 * width)).astype(np.float64)


def butterworth_response(f: np.ndarray, corner: float, order: int) -> np.ndarray:
    """Zero-phase Butterworth magnitude ``1 / sqrt(1 + (f/corner)^(2·order))`` (−3 dB at ``corner``).

    ``f`` and ``corner`` in the same unit (cycles per pixel). The sharp knee of orders ≥ 2 gives the
    ringing halos of the analog filters.
    """
    return 1.0 / np.sqrt(1.0 + (np.asarray(f, np.float64) / corner) ** (2 * order))


def peaking_response(f: np.ndarray, gain: float, half_freq: float) -> np.ndarray:
    """Playback peaking (unsharp mask) ``1 + gain·(1 − exp(−ln2·(f/half_freq)²))``.

    The boost reaches half of ``gain`` at ``half_freq`` (cycles per pixel) and ``gain`` well above it.
    """
    f = np.asarray(f, np.float64)
    if gain == 0.0 or half_freq <= 0.0:
        return np.ones_like(f)
    return 1.0 + gain * (1.0 - np.exp(-np.log(2.0) * (f / half_freq) ** 2))


def luma_response(f: np.ndarray, corner: float, order: int, peak_gain: float, peak_freq: float) -> np.ndarray:
    """Luma record/playback magnitude response: Butterworth low-pass times playback peaking."""
    return butterworth_response(f, corner, order) * peaking_response(f, peak_gain, peak_freq)


def chroma_response(f: np.ndarray, corner: float, order: int) -> np.ndarray:
    """Colour-under chroma magnitude response (Butterworth low-pass, no peaking)."""
    return butterworth_response(f, corner, order)


def solve_lowpass_corner(bandwidth: float, order: int, peak_gain: float, peak_freq: float) -> float:
    """Find the low-pass corner that puts the chain's −3 dB point at ``bandwidth`` (cycles per pixel).

    The chain is the *whole* luma path, low-pass × peaking.

    The peaking raises the response, so the low-pass corner is lowered until
    ``luma_response(bandwidth) = 1/√2``; without peaking it equals ``bandwidth``.
    """
    if peak_gain == 0.0:
        return float(bandwidth)

    def err(corner: float) -> float:
        resp = luma_response(np.array([bandwidth]), corner, order, peak_gain, peak_freq)
        return float(resp[0]) - _HALF_POWER

    lo, hi = bandwidth * 1e-3, bandwidth * 10.0
    if err(lo) > 0:  # peaking so strong that even a tiny corner keeps 1/√2: no solution
        return lo
    from scipy.optimize import brentq  # lazy: scipy.optimize is slow to import

    return float(brentq(err, lo, hi, xtol=bandwidth * 1e-7))


def filter_rows(x: np.ndarray, response: np.ndarray, noise: np.ndarray | None = None) -> np.ndarray:
    """Zero-phase filtering of every row with a real response, via the orthonormal type-II DCT.

    The DCT extends each line symmetrically at its ends, so there is no wrap-around from the other
    edge (a real line starts and ends in blanking; mirroring is the closest cheap stand-in).

    Parameters
    ----------
    x : numpy.ndarray, float32, shape (..., W)
        Lines to filter (last axis = time along the line).
    response : numpy.ndarray, shape (W,)
        Magnitude at :func:`dct_freqs` ``(W)``.
    noise : numpy.ndarray, float32, shape (..., K), optional
        Noise added to the first ``K`` DCT coefficients before filtering (white noise in the DCT
        domain is white noise on the line); ``K`` ≤ W.

    Returns
    -------
    numpy.ndarray, float32, same shape as ``x``
    """
    import scipy.fft as sfft  # lazy: keeps `import filmdegrade` fast

    c = sfft.dct(np.asarray(x, np.float32), type=2, axis=-1, norm="ortho", workers=1, overwrite_x=False)
    if noise is not None:
        c[..., : noise.shape[-1]] += noise
    c *= np.asarray(response, np.float32)
    out = sfft.idct(c, type=2, axis=-1, norm="ortho", workers=1, overwrite_x=True)
    return out.astype(np.float32, copy=False)


def _emphasis_coeffs(gain: float, tau_px: float) -> tuple[np.ndarray, np.ndarray]:
    # y = (1+k) x − k·lp(x), lp a one-pole low-pass of time constant tau: high frequencies × (1+k).
    k = gain - 1.0
    a1 = float(np.exp(-1.0 / max(tau_px, 1e-6)))
    alpha = 1.0 - a1
    b = np.array([1.0 + k - k * alpha, -(1.0 + k) * a1])
    a = np.array([1.0, -a1])
    return b, a


def _first_order(b: np.ndarray, a: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Run ``lfilter(b, a, x, axis=1)`` for a first-order filter in float32.

    Each row starts in the steady state of its first sample (what ``lfilter_zi(b, a) * x[:, :1]`` gives,
    in closed form).
    """
    from scipy.signal import lfilter  # lazy: scipy.signal is slow to import

    b0, b1, a1 = float(b[0]) / float(a[0]), float(b[1]) / float(a[0]), float(a[1]) / float(a[0])
    # Transposed direct form II: y = b0 x + z, z = b1 x − a1 y; for x ≡ 1, y = (b0 + b1)/(1 + a1).
    zi = np.float32(b1 - a1 * (b0 + b1) / (1.0 + a1)) * x[:, :1]
    out, _ = lfilter(np.array([b0, b1], np.float32), np.array([1.0, a1], np.float32), x, axis=1, zi=zi)
    return out.astype(np.float32, copy=False)


def apply_emphasis_clip(
    y: np.ndarray, gain: float, tau_px: float, white_clip: float, dark_clip: float
) -> tuple[np.ndarray, np.ndarray]:
    """FM pre-emphasis, clipping of the overshoots, de-emphasis (causal, along rows).

    Pre-emphasis multiplies frequencies above ``1/(2π·tau)`` by ``gain``; the FM modulator clips the
    emphasised signal to ``[dark_clip, white_clip]`` (luma units, white = 1); de-emphasis (the exact
    inverse filter) then turns every clipped overshoot into a slow transition, a smear to the right of
    bright (and dark) edges. Lines that cannot clip are returned unchanged (the two filters cancel).
    Both filters run in float32 (the round trip of an unclipped line is exact to ~1e-6).

    Parameters
    ----------
    y : numpy.ndarray, float32, shape (H, W)
        Luma lines.
    gain : float
        High-frequency boost of the pre-emphasis, linear (≥ 1).
    tau_px : float
        Time constant of the emphasis, pixels.
    white_clip, dark_clip : float
        Clip levels of the emphasised signal, luma units.

    Returns
    -------
    out : numpy.ndarray, float32, shape (H, W)
        ``y`` itself when no line clips, else a new array.
    clipped_rows : numpy.ndarray of int
        Indices of the lines where clipping happened.
    """
    if gain <= 1.0:
        return y, np.zeros(0, np.int64)
    k = gain - 1.0
    hi, lo = y.max(axis=1), y.min(axis=1)
    # The emphasised line stays within [(1+k)·min − k·max, (1+k)·max − k·min]: skip lines that cannot clip.
    rows = np.flatnonzero(((1 + k) * hi - k * lo > white_clip) | ((1 + k) * lo - k * hi < dark_clip))
    if rows.size == 0:
        return y, rows
    b, a = _emphasis_coeffs(gain, tau_px)
    pre = _first_order(b, a, np.asarray(y[rows], np.float32))
    changed = (pre.max(axis=1) > white_clip) | (pre.min(axis=1) < dark_clip)
    rows, pre = rows[changed], pre[changed]
    if rows.size == 0:
        return y, rows
    np.clip(pre, dark_clip, white_clip, out=pre)
    out = y.copy()
    out[rows] = _first_order(a, b, pre)  # the exact inverse filter
    return out, rows


#: Response below which a DCT bin gets no noise (its share of the noise power is negligible).
_NOISE_FLOOR = 1e-5


def _noise_bins(response: np.ndarray, sigma_out: float) -> tuple[int, float]:
    """Number of DCT bins that get noise and the per-bin noise RMS giving ``sigma_out`` after filtering."""
    power = response**2
    k = int(np.flatnonzero(power > _NOISE_FLOOR).max(initial=0)) + 1
    # Parseval (orthonormal DCT): output variance = Σ_k σ² H_k² / W.
    sigma_in = sigma_out * np.sqrt(len(response) / max(float(power[:k].sum()), 1e-30))
    return k, float(sigma_in)


def _uniform_noise(rng: np.random.Generator, shape: tuple[int, ...], sigma: float) -> np.ndarray:
    # Uniform noise on the DCT coefficients: every line sample is the inverse DCT, a weighted sum of
    # hundreds of them, so the noise on the line is Gaussian in practice. Four 16-bit levels per raw
    # 64-bit draw, centred ((i + 0.5)/65536 − 0.5) and scaled in one OpenCV pass: ~4× cheaper than
    # float32 draws; the 16-bit quantisation changes the variance by a relative 2e-10.
    n = math.prod(shape)
    u = rng.bit_generator.random_raw((n + 3) // 4).view(np.uint16)[:n].reshape(-1, shape[-1])
    amp = sigma * math.sqrt(12.0)
    out = cv2.addWeighted(u, amp / 65536.0, u, 0.0, amp * (0.5 / 65536.0 - 0.5), dtype=cv2.CV_32F)
    return out.reshape(shape)
