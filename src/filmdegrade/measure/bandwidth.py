"""Horizontal bandwidth, noise and timing of video lines: MTF from a frequency sweep, flat-field SNR,
chroma delay and head-switching bands.

Frequencies are in cycles per picture width (cpw); :func:`cpw_to_mhz` converts them with the active line
duration (52.6 µs NTSC, 52 µs PAL): ``f_MHz = f_cpw / active_line_us``.
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "bottom_band_lines",
    "changed_rows",
    "chroma_delay",
    "cpw_to_mhz",
    "cutoff_frequency",
    "flat_field_snr",
    "mhz_to_cpw",
    "sweep_pattern",
    "sweep_response",
]


def mhz_to_cpw(f_mhz: float | np.ndarray, active_line_us: float) -> float | np.ndarray:
    """Video frequency, MHz → cycles per picture width (``f × active line, µs``)."""
    return f_mhz * active_line_us


def cpw_to_mhz(f_cpw: float | np.ndarray, active_line_us: float) -> float | np.ndarray:
    """Cycles per picture width → MHz."""
    return f_cpw / active_line_us


def sweep_pattern(
    width: int, height: int, freqs_cpw: np.ndarray, *, amplitude: float = 0.25, mean: float = 0.5
) -> tuple[np.ndarray, np.ndarray]:
    """A stepped horizontal frequency sweep: horizontal bands, each a cosine of one frequency.

    Parameters
    ----------
    width, height : int
        Image size, px; ``height`` is split into ``len(freqs_cpw)`` equal bands.
    freqs_cpw : array_like
        Frequencies, cycles per picture width (below ``width / 2``).
    amplitude, mean : float
        Cosine amplitude and mean level.

    Returns
    -------
    image : numpy.ndarray, float32, (height, width)
    band : numpy.ndarray of int, (height,)
        Index of the frequency of each row.
    """
    freqs = np.asarray(freqs_cpw, np.float64)
    band = np.minimum(np.arange(height) * len(freqs) // height, len(freqs) - 1)
    x = (np.arange(width) + 0.5) / width
    img = mean + amplitude * np.cos(2 * np.pi * freqs[band][:, None] * x[None, :])
    return img.astype(np.float32), band


def _row_amplitude(lines: np.ndarray, f_cpw: np.ndarray) -> np.ndarray:
    # Lock-in amplitude of each line at its own frequency (Hann window against edge leakage).
    w = lines.shape[-1]
    x = (np.arange(w) + 0.5) / w
    win = np.hanning(w)
    ph = np.exp(-2j * np.pi * f_cpw[:, None] * x[None, :])
    z = ((lines - lines.mean(axis=-1, keepdims=True)) * win * ph).sum(axis=-1)
    return 2.0 * np.abs(z) / win.sum()


def sweep_response(
    before: np.ndarray, after: np.ndarray, band: np.ndarray, freqs_cpw: np.ndarray, *, margin: int = 3
) -> np.ndarray:
    """Amplitude response of each sweep band: mean output amplitude / mean input amplitude.

    Parameters
    ----------
    before, after : numpy.ndarray, (H, W)
        One channel of the sweep before and after the system under test.
    band, freqs_cpw : numpy.ndarray
        From :func:`sweep_pattern`.
    margin : int
        Rows skipped at the top and bottom of each band (vertical filters mix neighbouring bands).

    Returns
    -------
    numpy.ndarray, float64, (len(freqs_cpw),)
        Response (1 = passed unchanged). Averaging amplitudes (not phases) makes it insensitive to
        line shifts.
    """
    freqs = np.asarray(freqs_cpw, np.float64)
    resp = np.empty(len(freqs))
    for i, f in enumerate(freqs):
        rows = np.flatnonzero(band == i)
        rows = rows[margin : len(rows) - margin] if len(rows) > 2 * margin + 1 else rows
        fr = np.full(len(rows), f)
        a_in = _row_amplitude(np.asarray(before, np.float64)[rows], fr).mean()
        a_out = _row_amplitude(np.asarray(after, np.float64)[rows], fr).mean()
        resp[i] = a_out / a_in
    return resp


def cutoff_frequency(freqs: np.ndarray, response: np.ndarray, level: float = 1.0 / np.sqrt(2.0)) -> float:
    """Highest frequency before the response first falls below ``level`` (linear interpolation).

    ``level`` = 1/√2 gives the −3 dB frequency, 0.5 the 50 % MTF frequency. Frequencies ascending; the
    response is taken relative to its first (lowest-frequency) value. Returns ``nan`` when it never
    falls below ``level``.
    """
    f = np.asarray(freqs, np.float64)
    r = np.asarray(response, np.float64) / float(response[0])
    below = np.flatnonzero(r < level)
    if below.size == 0 or below[0] == 0:
        return float("nan")
    i = below[0]
    return float(f[i - 1] + (level - r[i - 1]) * (f[i] - f[i - 1]) / (r[i] - r[i - 1]))


def flat_field_snr(field: np.ndarray, full_scale: float = 1.0) -> float:
    """Video SNR of a flat field, dB: ``20·log10(full_scale / σ)`` (unweighted; white − black = 1).

    The mean of each line is removed first, so slow shading does not count as noise.
    """
    a = np.asarray(field, np.float64)
    a = a - a.mean(axis=-1, keepdims=True)
    return float(20.0 * np.log10(full_scale / a.std()))


def chroma_delay(y: np.ndarray, c: np.ndarray) -> float:
    """Delay of chroma against luma along the lines, px (positive: chroma lags, lies to the right).

    Cross-correlates the horizontal derivatives of ``y`` and ``c`` (both (H, W), an image with vertical
    edges in both), summed over the lines, and refines the peak with a parabola.
    """
    dy = np.diff(np.asarray(y, np.float64), axis=-1)
    dc = np.diff(np.asarray(c, np.float64), axis=-1)
    n = dy.shape[-1]
    m = 2 * n
    xc = np.fft.irfft(np.conj(np.fft.rfft(dy, m, axis=-1)) * np.fft.rfft(dc, m, axis=-1), m, axis=-1)
    xc = xc.sum(axis=tuple(range(xc.ndim - 1))) if xc.ndim > 1 else xc
    k = int(np.argmax(np.abs(xc)))
    s = np.sign(xc[k])
    a, b, cc = s * xc[(k - 1) % m], s * xc[k], s * xc[(k + 1) % m]
    den = a - 2 * b + cc
    frac = 0.5 * (a - cc) / den if den != 0 else 0.0
    lag = k if k < m // 2 else k - m
    return float(lag + frac)


def changed_rows(a: np.ndarray, b: np.ndarray, tol: float = 1e-6) -> np.ndarray:
    """Rows (lines) where two frames (H, W[, C]) differ by more than ``tol`` anywhere."""
    d = np.abs(np.asarray(a, np.float64) - np.asarray(b, np.float64))
    return d.reshape(d.shape[0], -1).max(axis=1) > tol


def bottom_band_lines(a: np.ndarray, b: np.ndarray, tol: float = 1e-6) -> tuple[int, int]:
    """Head-switching band detection: ``(height of the changed band at the bottom, rows changed above it)``.

    A clean head-switching disturbance gives ``(N, 0)``.
    """
    ch = changed_rows(a, b, tol)
    n = 0
    while n < len(ch) and ch[len(ch) - 1 - n]:
        n += 1
    return n, int(ch[: len(ch) - n].sum())
