"""Horizontal bandwidth, noise and timing of video lines, with and without a test pattern.

MTF from a frequency sweep, flat-field SNR, chroma delay and head-switching bands; and their *blind*
forms, from footage without a test pattern.

Frequencies are in cycles per picture width (cpw) or cycles per pixel (cpp); :func:`cpw_to_mhz` converts
cpw with the active line duration (52.6 µs NTSC, 52 µs PAL): ``f_MHz = f_cpw / active_line_us``.

Blind estimators (no clean reference):

* :func:`noise_horizontal_response`: tape noise is added before the playback low-pass, so along the
  lines its power spectrum is ``|H(f)|²`` while across them (independent lines) it is flat; the ratio of
  the horizontal to the vertical noise spectrum of flat patches, normalised at low frequencies, is
  ``|H(f)|²`` whatever the scene (scene structure, the trouble of a whole-image spectrum ratio, is
  removed with the flat-patch detrending). Isotropic grain recorded through the tape gives the same ratio.
* :func:`edge_mtf`: slanted-edge style MTF from strong, isolated, near-vertical step edges (structure
  tensor coherence), their line-spread functions sub-pixel aligned and averaged robustly. Scene edges
  are rarely sharper than ~0.15 cycles/px, so it suits narrow bands (colour-under chroma, ~0.05 cpp).
* :func:`head_switch_band`: the bottom band of lines displaced against the lines above.
"""

from __future__ import annotations

import cv2
import numpy as np

__all__ = [
    "bottom_band_lines",
    "changed_rows",
    "chroma_delay",
    "cpw_to_mhz",
    "cutoff_frequency",
    "edge_cutoff",
    "edge_mtf",
    "flat_field_snr",
    "head_switch_band",
    "mhz_to_cpw",
    "noise_cutoff",
    "noise_horizontal_response",
    "row_noise",
    "row_shift_profile",
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



# --- blind estimators -------------------------------------------------------------------------------------
def noise_horizontal_response(
    residuals: np.ndarray, *, ref_band: tuple[float, float] = (0.05, 0.1)
) -> tuple[np.ndarray, np.ndarray]:
    """Horizontal amplitude response from the noise of flat patches: ``sqrt(P_h / P_v)``.

    Parameters
    ----------
    residuals : numpy.ndarray, shape (N, B, B)
        Detrended flat patches (e.g. :func:`filmdegrade.measure.noise.flat_residuals`), grey levels.
    ref_band : (float, float)
        Frequencies, cycles per pixel, where the response is taken as 1 (the first bins are dented by
        the plane detrending).

    Returns
    -------
    freq : numpy.ndarray
        Frequencies, cycles per pixel, ``k / B`` for ``k = 0 … B/2``.
    response : numpy.ndarray
        Amplitude response (1 in ``ref_band``); ``nan`` everywhere when no patch is given.
    """
    r = np.asarray(residuals, np.float64)
    if r.ndim != 3 or len(r) == 0:
        b = r.shape[-1] if r.ndim == 3 else 32
        return np.fft.rfftfreq(b), np.full(b // 2 + 1, np.nan)
    b = r.shape[-1]
    win = np.hanning(b)
    ph = (np.abs(np.fft.rfft(r * win, axis=2)) ** 2).mean(axis=(0, 1))
    pv = (np.abs(np.fft.rfft(r * win[:, None], axis=1)) ** 2).mean(axis=(0, 2))
    f = np.fft.rfftfreq(b)
    ratio = ph / np.maximum(pv, 1e-30)
    ref = (f >= ref_band[0]) & (f <= ref_band[1])
    return f, np.sqrt(ratio / max(float(ratio[ref].mean()), 1e-30))


def noise_cutoff(residuals: np.ndarray, level: float = 1.0 / np.sqrt(2.0)) -> float:
    """−3 dB (by default) point of :func:`noise_horizontal_response`, cycles per pixel.

    Accurate (±12 %) for cut-offs above ~0.15 cycles/px with 32-px patches (luma of SD-width video);
    lower cut-offs are overestimated because the response already falls in the reference band (the
    calibration cancels this by measuring its probe the same way). Searched above the reference band;
    0.5 (Nyquist) when the response never falls below ``level``,
    ``nan`` without patches.
    """
    f, r = noise_horizontal_response(residuals)
    if not np.isfinite(r).all():
        return float("nan")
    k = int(np.searchsorted(f, 0.05))
    c = cutoff_frequency(f[k:], r[k:], level)
    return 0.5 if not np.isfinite(c) else c


def _edge_samples(
    plane: np.ndarray, half: int, rows: int, max_angle_deg: float, min_coherence: float, tol: float
) -> np.ndarray:
    """Normalised line-spread functions (M, 2·half) across the isolated near-vertical step edges."""
    p = np.asarray(plane, np.float32)
    if rows > 1:  # average lines first: cuts noise, barely blurs a near-vertical edge across x
        p = cv2.blur(p, (1, rows), borderType=cv2.BORDER_REFLECT)
    h, w = p.shape
    if w <= 2 * half + 2 or h < 3:
        return np.zeros((0, 2 * half))
    gx = cv2.Sobel(p, cv2.CV_32F, 1, 0, ksize=3) / 8
    gy = cv2.Sobel(p, cv2.CV_32F, 0, 1, ksize=3) / 8
    jxx = cv2.GaussianBlur(gx * gx, (0, 0), 2.0)
    jyy = cv2.GaussianBlur(gy * gy, (0, 0), 2.0)
    jxy = cv2.GaussianBlur(gx * gy, (0, 0), 2.0)
    coherence = np.sqrt((jxx - jyy) ** 2 + 4 * jxy**2) / (jxx + jyy + 1e-12)
    angle = 0.5 * np.degrees(np.arctan2(2 * jxy, jxx - jyy))  # of the gradient; 0 = vertical edge
    sigma = 1.4826 * float(np.median(np.abs(np.diff(p, axis=1)))) / np.sqrt(2.0) + 1e-6
    a = np.abs(gx)
    peak = np.zeros_like(a, bool)
    peak[:, 1:-1] = (a[:, 1:-1] >= a[:, :-2]) & (a[:, 1:-1] > a[:, 2:])
    cand = peak & (coherence > min_coherence) & (np.abs(angle) < max_angle_deg) & (a > 4 * sigma)
    cand[:, : half + 1] = False  # the frame border is not an edge of the scene
    cand[:, w - half - 1 :] = False
    ys, xs = np.nonzero(cand)
    prof = p[ys[:, None], xs[:, None] + np.arange(-half, half + 1)[None]].astype(np.float64)
    q = max(2, half // 4)
    lo, hi = prof[:, :q], prof[:, -q:]
    step = hi.mean(axis=1) - lo.mean(axis=1)
    # A step: flat on both sides and well above the noise.
    ok = (lo.std(axis=1) < tol * np.abs(step)) & (hi.std(axis=1) < tol * np.abs(step))
    ok &= np.abs(step) > 10 * sigma
    lsf = np.diff(prof, axis=1) / np.where(step == 0, 1.0, step)[:, None]
    k = np.argmax(lsf, axis=1)
    top = lsf[np.arange(len(lsf)), k]
    # Isolated: no second same-sign lobe (a nearby edge) and no large opposite lobe (a bump or line);
    # the ringing of the video filters stays well below these bounds.
    other = np.zeros_like(lsf, bool)
    other[:, 1:-1] = (lsf[:, 1:-1] > lsf[:, :-2]) & (lsf[:, 1:-1] >= lsf[:, 2:])
    other[np.arange(len(lsf)), k] = False
    ok &= ~(other & (lsf > 0.2 * top[:, None])).any(axis=1) & (lsf.min(axis=1) > -0.35 * top)
    ok &= np.abs(k - (half - 0.5)) <= 2
    return lsf[ok]


def edge_mtf(
    planes: np.ndarray,
    *,
    half_width: int = 16,
    rows: int = 1,
    sharpest: float = 0.25,
    max_angle_deg: float = 15.0,
    min_coherence: float = 0.6,
    flat_tol: float = 0.1,
    n_fft: int = 256,
) -> tuple[np.ndarray, np.ndarray, int]:
    """Horizontal MTF from the near-vertical step edges of one signal (blind, slanted-edge style).

    Every line crossing a strong, isolated, near-vertical edge (coherent structure tensor, flat on both
    sides within ``half_width`` px) gives a horizontal edge-spread function; its derivative, the
    line-spread function (LSF), normalised by the step, is Hann-windowed, Fourier transformed and
    shifted by its sub-pixel centroid (so time-base jitter does not blur the average). The MTF is the
    per-frequency median over the sharpest LSFs (``sharpest`` fraction, by peak height: scene edges
    blurred by defocus or shading would lower it).

    Parameters
    ----------
    planes : numpy.ndarray, shape (H, W) or (N, H, W)
        One signal (luma or a colour difference) of one or more frames, grey levels.
    half_width : int
        Half length of the edge profiles, px: wider than the LSF (use ~2/f_c for a cut-off f_c).
    rows : int
        Lines averaged before the profiles are taken (noise reduction for noisy, narrow chroma).
    sharpest : float
        Fraction of the accepted edges kept, the sharpest.
    max_angle_deg, min_coherence : float
        Edge tilt from the vertical, degrees, and least structure-tensor coherence.
    flat_tol : float
        Plateau standard deviation allowed, as a fraction of the step.
    n_fft : int
        FFT length (zero padding gives a fine frequency grid).

    Returns
    -------
    freq : numpy.ndarray
        Cycles per pixel, 0 … 0.5.
    mtf : numpy.ndarray
        Modulation transfer (1 at 0); all ``nan`` when no edge qualifies.
    n_edges : int
        Number of edge profiles used.
    """
    pl = np.asarray(planes, np.float32)
    pl = pl[None] if pl.ndim == 2 else pl
    lsf = np.concatenate(
        [_edge_samples(p, half_width, rows, max_angle_deg, min_coherence, flat_tol) for p in pl]
    )
    f = np.fft.rfftfreq(n_fft)
    if len(lsf) == 0:
        return f, np.full(f.shape, np.nan), 0
    top = lsf.max(axis=1)
    lsf = lsf[top >= np.quantile(top, 1.0 - sharpest)]
    x = np.arange(2 * half_width) - (half_width - 0.5)
    lw = lsf * np.hanning(2 * half_width + 2)[1:-1]
    centre = (lw * x).sum(axis=1) / lw.sum(axis=1)
    spec = np.fft.rfft(lw, n_fft, axis=1)
    spec *= np.exp(2j * np.pi * f[None] * (centre[:, None] + half_width - 0.5))
    spec /= spec[:, :1]
    # Median of the aligned real and imaginary parts: robust to the odd double edge; keeps the phase of
    # asymmetric LSFs (emphasis smear) rather than assuming a symmetric one.
    mtf = np.hypot(np.median(spec.real, axis=0), np.median(spec.imag, axis=0))
    return f, mtf / mtf[0], len(lsf)


def edge_cutoff(planes: np.ndarray, level: float = 1.0 / np.sqrt(2.0), **kw) -> float:
    """−3 dB (by default) point of :func:`edge_mtf`, cycles per pixel; ``nan`` without usable edges."""
    f, m, n = edge_mtf(planes, **kw)
    return cutoff_frequency(f, m, level) if n else float("nan")


def row_shift_profile(frame: np.ndarray, *, max_shift: int = 24) -> tuple[np.ndarray, np.ndarray]:
    """Horizontal shift of every line against the line two above (same field), and the match error.

    Parameters
    ----------
    frame : numpy.ndarray, shape (H, W)
        Luma, grey levels.
    max_shift : int
        Largest shift searched, px.

    Returns
    -------
    shift : numpy.ndarray, float64, (H,)
        Shift (px, sub-pixel) of line ``r`` against line ``r − 2``, by cross-correlation of the
        mean-removed lines; 0 for the first two lines.
    error : numpy.ndarray, float64, (H,)
        RMS difference of line ``r`` and line ``r − 2`` after that shift (grey levels).
    """
    y = np.asarray(frame, np.float64)
    w = y.shape[1]
    d = y - y.mean(axis=1, keepdims=True)
    win = np.hanning(w)
    a, b = d[:-2] * win, d[2:] * win
    m = 2 * w
    xc = np.fft.irfft(np.conj(np.fft.rfft(a, m, axis=1)) * np.fft.rfft(b, m, axis=1), m, axis=1)
    lags = np.r_[0 : max_shift + 1, -max_shift:0]
    xc = xc[:, lags]
    k = np.argmax(xc, axis=1)
    i = np.arange(len(k))
    l, c, r = xc[i, (k - 1) % len(lags)], xc[i, k], xc[i, (k + 1) % len(lags)]
    den = l - 2 * c + r
    frac = np.where(den < 0, 0.5 * (l - r) / np.where(den == 0, 1, den), 0.0)
    s = lags[k] + np.clip(frac, -0.5, 0.5)
    n = np.round(s).astype(int)
    err = np.array([np.sqrt(np.mean((np.roll(d[j + 2], -n[j]) - d[j])[max_shift : w - max_shift] ** 2))
                    for j in range(len(n))])
    return np.r_[0.0, 0.0, s], np.r_[0.0, 0.0, err]


def row_noise(frame: np.ndarray) -> np.ndarray:
    """Per-line noise, grey levels: robust σ of the second difference along each line (``/√6``).

    The median of absolute values ignores the few edges of a line, so this follows the noise, not the
    scene.
    """
    y = np.asarray(frame, np.float64)
    d2 = y[:, 2:] - 2 * y[:, 1:-1] + y[:, :-2]
    return 1.4826 * np.median(np.abs(d2), axis=1) / np.sqrt(6.0)


def head_switch_band(
    frame: np.ndarray, *, max_lines: int | None = None, k: float = 6.0, min_ratio: float = 1.5,
    min_shift_px: float = 1.5,
) -> int:
    """Height of the head-switching band at the bottom of one frame, lines, from the frame alone.

    A line belongs to the band when, against the lines above it, it is noisier (:func:`row_noise` above
    ``median + k·MAD`` and ``min_ratio ×`` the median of the reference lines) or displaced sideways
    against the line two above (same field; :func:`row_shift_profile`) by more than ``min_shift_px``
    and ``k`` robust deviations of the reference shifts. The band is the run of such lines ending at
    the bottom line (the head switch sits just before vertical sync).

    Parameters
    ----------
    frame : numpy.ndarray, shape (H, W) or (H, W, 3)
        One frame; colour is reduced to BT.601 luma. uint8 or float in [0, 1].
    max_lines : int, optional
        Longest band searched (default ``H // 6``); the lines above it down to ``H / 4`` are the
        reference.
    k, min_ratio, min_shift_px : float
        Thresholds (see above).

    Returns
    -------
    int
        Number of lines (0 for an undisturbed frame).
    """
    y = np.asarray(frame, np.float64)
    if y.ndim == 3:
        y = y @ np.array([0.299, 0.587, 0.114])
    if np.asarray(frame).dtype == np.uint8:
        y = y / 255.0
    h = y.shape[0]
    n_max = max_lines if max_lines is not None else max(2, h // 6)
    ref = slice(h // 4, h - n_max)
    noise = row_noise(y)
    shift, _ = row_shift_profile(y)

    def outlier(v: np.ndarray, floor: float, ratio: float | None) -> np.ndarray:
        med = float(np.median(v[ref]))
        mad = 1.4826 * float(np.median(np.abs(v[ref] - med)))
        thr = max(med + k * mad, floor, (ratio * med) if ratio else 0.0)
        return v > thr

    bad = outlier(noise, 0.0, min_ratio) | outlier(np.abs(shift), min_shift_px, None)
    n = 0
    while n < n_max and bad[h - 1 - n]:
        n += 1
    return n
