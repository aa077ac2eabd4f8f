"""Optics: lens/printer softness, halation and vignetting, all in linear light, constant over a clip.

Physics
-------
* **Softness.** The camera lens, the printer and the scanner each spread a point into a small blur
  spot; their combination is close to a Gaussian point-spread function (PSF) of standard deviation
  ``blur_um`` on the film (or a uniform disc of radius ``blur_um`` for defocus). Light adds linearly,
  so the blur is done on linear light.
* **Halation.** Bright light crosses the emulsion, is reflected at the back of the base and re-exposes
  the emulsion around highlights. On colour camera films the red-sensitive (cyan) layer lies next to
  the base (film-physics.md 4.1, layer order), so the glow is red-orange; on B&W it is neutral.
  Modelled as: linear-light luminance excess over ``halation_threshold``, blurred with a Gaussian of
  ``halation_um`` (of the order of the base thickness, about 0.12–0.14 mm for acetate motion-picture
  base: textbook value, status M), added with weight ``halation`` and per-channel ``halation_tint``.
  Its source is the light the lens delivers (vignetted); the lens blur, a few µm against a spread of
  ~100 µm, is left out of it (see :func:`halation_glow` for how it is computed at low resolution).
* **Vignetting.** Natural (cos⁴) light falloff of the lens, ``v = (1 + a ρ²)^-2`` with ``ρ`` the
  distance from the centre over the half-diagonal; ``a`` makes the frame corner ``vignette_stops``
  stops darker. Applied as a gain on linear light.

Linear light
------------
For speed the kernels use the sRGB power segment ``((x + 0.055) / 1.055)^2.4`` over the whole range
(and its exact inverse to encode), instead of switching to the linear toe below sRGB 0.04045: it
differs from true linear sRGB by at most 8.3e-4 (at black) and round-trips exactly, and it costs four
cheap passes each way instead of eight. Constant factors are folded away (blur, vignette and halation
are linear in the light). The Gaussian PSF is truncated at ±2.5 sigma (:func:`gaussian_psf_ksize`).
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass

import cv2
import numpy as np

from filmdegrade.effects.base import (
    ClipContext,
    InPlaceTransform,
    check_choice,
    check_range,
    sample_range,
)

__all__ = [
    "Optics", "OpticsParams", "apply_optics", "disc_kernel", "free_work_buffers", "gaussian_psf_ksize",
    "halation_glow", "vignette_log2_gain",
]

_SRGB_A = 0.055
_SRGB_GAMMA = 2.4
# (x + 0.055)^2.4 is linear light times 1.055^2.4 ("scaled linear"): thresholds are scaled by it.
_LIN_SCALE = (1.0 + _SRGB_A) ** _SRGB_GAMMA
# Rec. 709 / sRGB luminance weights (ITU-R BT.709, a standard).
_LUMA_709 = np.array([0.2126, 0.7152, 0.0722], np.float32)
# The halation blur runs on a copy downsampled (by halving) until its sigma is at most twice this, pixels.
_HALATION_SMALL_SIGMA_PX = 2.0
# Pyramid levels of the glow source taken in sRGB before it is decoded (see halation_glow).
_GLOW_SRGB_LEVELS = 2
# Floats per band of rows (45 rows of a 1080p RGB frame): the ~10 elementwise passes and the blur then run
# on cache-resident data; measured ~20 % faster per 1080p frame than whole-frame passes, and bands of
# 22-182 rows all within noise of each other.
_BAND_FLOATS = 1 << 18
_LN2 = math.log(2.0)
# Halation weights and vignetting stops below this are skipped (their effect is below ~1e-3).
_NEGLIGIBLE = 1e-3
# A weighted glow below this (scaled linear light) is not added: it moves an sRGB value by less than
# 3e-6 (2.4e-4 after 10 stops of vignetting), the encode's slope at black being 24.
_GLOW_NEGLIGIBLE = 1e-7
# Small-grid pixels either side that a cv2.pyrUp chain spreads one pixel over (1 + 1/2 + 1/4 + ... < 2).
_PYRUP_REACH = 2


def vignette_log2_gain(height: int, width: int, stops: float) -> np.ndarray:
    """log2 of the cos⁴ vignetting gain over a frame.

    Parameters
    ----------
    height, width : int
        Frame size, pixels.
    stops : float
        Light loss at the frame corners, stops (photographic stops: factor 2 each), ≥ 0.

    Returns
    -------
    numpy.ndarray, float32, shape (height, width)
        ``log2 v`` with ``v = (1 + a ρ²)^-2``, ``ρ`` = distance from the frame centre / half-diagonal,
        ``a = 2^(stops / 2) - 1`` (so ``v = 2^-stops`` at the corners, 1 at the centre).
    """
    a = 2.0 ** (stops / 2.0) - 1.0
    cy, cx = (height - 1) / 2.0, (width - 1) / 2.0
    r2max = max(cx * cx + cy * cy, 1e-12)
    yy = ((np.arange(height, dtype=np.float32) - cy) ** 2)[:, None]
    xx = ((np.arange(width, dtype=np.float32) - cx) ** 2)[None, :]
    rho2 = (yy + xx) / np.float32(r2max)
    return (-2.0 * np.log2(1.0 + np.float32(a) * rho2)).astype(np.float32)


def disc_kernel(radius_px: float) -> np.ndarray:
    """Normalised uniform-disc PSF (defocus), anti-aliased by 4×4 supersampling.

    Parameters
    ----------
    radius_px : float
        Disc radius, pixels (> 0).

    Returns
    -------
    numpy.ndarray, float32, shape (2k+1, 2k+1), summing to 1.
    """
    k = max(1, math.ceil(radius_px - 0.5))
    sub = (np.arange(4, dtype=np.float64) + 0.5) / 4.0 - 0.5
    c = np.arange(-k, k + 1, dtype=np.float64)
    yy = (c[:, None, None, None] + sub[None, None, :, None]) ** 2
    xx = (c[None, :, None, None] + sub[None, None, None, :]) ** 2
    ker = ((yy + xx) <= radius_px * radius_px).mean(axis=(2, 3))
    if ker.sum() == 0:  # radius below half a sub-sample: a delta
        ker[k, k] = 1.0
    return (ker / ker.sum()).astype(np.float32)


def gaussian_psf_ksize(sigma_px: float) -> int:
    """Kernel size of the Gaussian lens PSF of standard deviation ``sigma_px``, pixels (odd).

    The sampled Gaussian is truncated at ±``round(2.5 sigma_px)`` pixels, not the usual 3 sigma: two
    taps fewer at the usual 1-2 px, ~1.7 ms of the optics' ~28 ms per 1080p frame. Its MTF stays
    within 0.02 of the untruncated Gaussian's wherever that is above 0.02, for sigma ≥ 1 px (below
    that, sampling a Gaussian on whole pixels costs more than truncating it).
    """
    return 2 * max(1, round(2.5 * sigma_px)) + 1


def _gauss_ksize(sigma: float) -> int:
    # Truncated at 3 sigma, rounded to the nearest pixel (sigma 1.33 px: 9 taps, not 11).
    return 2 * max(1, round(3.0 * sigma)) + 1


def _halation_factor(h: int, w: int, sigma_px: float) -> int:
    """Downsampling factor ``2^k`` of the halation blur: halving while its small-grid sigma stays ≥ 2 px.

    At least one level is taken (frames of 16 px and more), so the glow's source is never decoded at
    full size: a glow narrower than ``sqrt(2)`` px (the variance of one ``pyrDown``/``pyrUp`` pair)
    comes out that wide, e.g. halation on 35 mm scanned at a few hundred pixels.
    """
    k = 0
    while (k == 0 or sigma_px / 2 ** (k + 1) >= _HALATION_SMALL_SIGMA_PX) and min(h, w) // 2 ** (k + 1) >= 8:
        k += 1
    return 2**k


def _ceil_div(n: int, f: int) -> int:
    return -(-n // f)


def halation_glow(
    frame: np.ndarray,
    sigma_px: float,
    threshold: float,
    *,
    gain: np.ndarray | None = None,
    dst: np.ndarray | None = None,
) -> np.ndarray:
    """Halation glow of one sRGB frame: blurred linear-light luminance excess over ``threshold``.

    Parameters
    ----------
    frame : numpy.ndarray, float32, shape (H, W, C)
        sRGB frame in [0, 1], C in {1, 3}: the light the lens delivers to the film.
    sigma_px : float
        Gaussian standard deviation of the halation spread, pixels.
    threshold : float
        Threshold in scaled linear light (``(x + 0.055)^2.4`` units, see the module notes).
    gain : numpy.ndarray, optional
        Linear vignetting gain on the grid where the source is decoded (the frame's first one or two
        ``cv2.pyrDown`` levels, as above), shape (h1, w1) or (h1, w1, C).
    dst : numpy.ndarray, optional
        ``H×W`` float32 output buffer.

    Returns
    -------
    numpy.ndarray, float32, shape (H, W)
        The glow in scaled linear light, before its weight and tint.

    Notes
    -----
    The glow is wide (σ of tens of pixels at usual scan sizes), so it is computed on a ``cv2.pyrDown``
    pyramid level ``f = 2^k`` (σ/f ≥ 2 px) and brought back with the matching ``cv2.pyrUp`` chain
    (both put small pixel ``i`` at full-size ``f i``, so the glow stays centred on its source; their
    5-tap kernels add ``2 (f² - 1)/3`` full-size px² of variance, taken off the Gaussian). The first
    one or two levels (``f`` = 2 or ≥ 4) are taken on the sRGB frame and only that quarter- or
    sixteenth-size copy is decoded: one pass over the full frame instead of a second full decode. The
    threshold is applied on that grid, to light averaged over 2×2 or 4×4 pixels, and averaging in sRGB
    before decoding lowers it a little more: fine highlight texture near the threshold contributes less
    than per pixel. Measured against the per-pixel model on sharp natural images (tests): 0.84 of the glow's
    light at σ = 6 px, 0.64–0.69 at 12–24 px (about 5 points of which from averaging in sRGB), correlation
    ≥ 0.96; 0.88 on smooth images.
    """
    h, w, _ = frame.shape
    small = _glow_small(frame, sigma_px, threshold, gain)
    if small is None:
        if dst is None:
            return np.zeros((h, w), np.float32)
        dst[...] = 0.0
        return dst
    return _upsample_glow(small, h, w, dst)


def _levels(h: int, w: int, sigma_px: float) -> tuple[int, int]:
    """Pyramid levels of the glow: ``(in sRGB, in all)``."""
    k = _halation_factor(h, w, sigma_px).bit_length() - 1
    return min(k, _GLOW_SRGB_LEVELS), k


def _to_glow_source_grid(x: np.ndarray, sigma_px: float, bufs: list[np.ndarray] | None = None) -> np.ndarray:
    """Take a full-size map (frame or gain) to the grid where :func:`halation_glow` decodes its source.

    ``bufs``: preallocated outputs of the ``cv2.pyrDown`` levels (fresh pages cost as much as the filter).
    """
    h, w = x.shape[:2]
    for i in range(_levels(h, w, sigma_px)[0]):
        x = cv2.pyrDown(x, dst=None if bufs is None else bufs[i], borderType=cv2.BORDER_REFLECT_101)
    return x


def _glow_small(
    frame: np.ndarray,
    sigma_px: float,
    threshold: float,
    gain: np.ndarray | None,
    bufs: list[np.ndarray] | None = None,
) -> np.ndarray | None:
    """:func:`halation_glow` on its pyramid level (before upsampling); ``None`` if zero everywhere.

    Zero everywhere when no luminance on the source grid is above the threshold: the rest of the
    pyramid is then skipped.
    """
    h, w, c = frame.shape
    k1, k = _levels(h, w, sigma_px)
    lin = _to_glow_source_grid(frame.reshape(h, w) if c == 1 else frame, sigma_px, bufs)
    lin = np.add(lin, np.float32(_SRGB_A))
    cv2.log(lin, dst=lin)
    lin *= np.float32(_SRGB_GAMMA)
    cv2.exp(lin, dst=lin)
    if gain is not None:
        lin *= gain.reshape((*lin.shape[:2], -1)) if c == 3 else gain.reshape(lin.shape)
    y = cv2.transform(lin, _LUMA_709.reshape(1, 3)) if c == 3 else lin  # 1 pass; numpy @ is slow
    if float(y.max()) <= threshold:  # common (no highlight): the glow is exactly zero
        return None
    # Threshold before the remaining (linear) levels: averaging first would dilute highlights smaller
    # than the final grid below the threshold.
    glow = np.maximum(y.reshape(y.shape[:2]) - np.float32(threshold), np.float32(0.0))
    for _ in range(k - k1):
        glow = cv2.pyrDown(glow, borderType=cv2.BORDER_REFLECT_101)
    f = 2**k
    var = max(sigma_px**2 - 2.0 * (f * f - 1) / 3.0, 0.0) / (f * f)
    if var > 0.0:
        s = math.sqrt(var)
        k = _gauss_ksize(s)
        glow = cv2.GaussianBlur(glow, (k, k), s, borderType=cv2.BORDER_REFLECT_101)
    return glow


def _pyramid_sizes(h: int, w: int, small: tuple[int, int]) -> list[tuple[int, int]]:
    """Sizes of the ``cv2.pyrDown`` chain from ``h×w`` down to the size ``small``, full size first."""
    sizes = [(h, w)]
    while sizes[-1] != small:
        sizes.append((_ceil_div(sizes[-1][0], 2), _ceil_div(sizes[-1][1], 2)))
    return sizes


def _upsample_glow(glow: np.ndarray, h: int, w: int, dst: np.ndarray | None = None) -> np.ndarray:
    """Upsample a :func:`_glow_small` map to ``h×w`` (``cv2.pyrUp`` chain).

    ``cv2.pyrUp`` puts small pixel ``i`` at ``2 i``, as ``cv2.pyrDown`` took it (bilinear
    ``cv2.resize`` would put it at ``f i + (f - 1)/2``: the glow would shift right and down).
    """
    sizes = _pyramid_sizes(h, w, glow.shape[:2])
    if len(sizes) == 1:
        if dst is None:
            return glow
        dst[...] = glow
        return dst
    for i in range(len(sizes) - 2, -1, -1):
        sh, sw = sizes[i]
        d = dst if i == 0 else None
        glow = cv2.pyrUp(glow, dst=d, dstsize=(sw, sh), borderType=cv2.BORDER_REFLECT_101)
    return glow


def _small_rows_of_bands(h: int, f: int, hs: int, rows: int) -> list[tuple[int, int]]:
    """Rows ``[s0, s1)`` of the glow's pyramid level ``f`` (``hs`` rows) each band of ``rows`` depends on.

    Small row ``i`` sits at full-size row ``f i`` and each ``cv2.pyrUp`` reaches one parent pixel either
    side (``1 + 1/2 + 1/4 + ... < 2`` small rows for the chain), so a margin of 2 small rows is enough.
    """
    out = []
    for r0 in range(0, h, rows):
        r1 = min(r0 + rows, h)
        out.append((max(r0 // f - _PYRUP_REACH, 0), min(_ceil_div(r1 - 1, f) + _PYRUP_REACH + 1, hs)))
    return out


def apply_optics(
    frame: np.ndarray,
    *,
    blur_sigma_px: float,
    psf: str = "gaussian",
    halation: float = 0.0,
    halation_sigma_px: float = 0.0,
    halation_threshold: float = 1.0,
    halation_tint: tuple[float, ...] = (1.0, 1.0, 1.0),
    log2_vignette: np.ndarray | None = None,
    vignette_stops: float = 0.0,
    out: np.ndarray | None = None,
) -> np.ndarray:
    """Blur, halation and vignetting of one sRGB frame, computed in (scaled) linear light.

    Parameters
    ----------
    frame : numpy.ndarray, float32, shape (H, W, C)
        sRGB frame in [0, 1], C in {1, 3}.
    blur_sigma_px : float
        Gaussian PSF standard deviation (``psf="gaussian"``) or disc radius (``psf="disc"``), pixels.
        0 disables the blur.
    psf : {"gaussian", "disc"}
        PSF shape.
    halation : float
        Weight of the halation glow (0 disables it).
    halation_sigma_px : float
        Standard deviation of the halation spread, pixels.
    halation_threshold : float
        Linear-light luminance (white = 1) above which light halates.
    halation_tint : tuple of float
        Per-channel share of the glow (C values; e.g. red-orange ``(1, 0.3, 0)``).
    log2_vignette : numpy.ndarray, float32, shape (H, W, C) or (H, W, 1), optional
        ``log2`` of the vignetting gain (see :func:`vignette_log2_gain`); ``None`` for none.
    vignette_stops : float
        Alternatively, the cos⁴ vignetting of :func:`vignette_log2_gain` with this corner light loss,
        stops (≥ 0), made as a one-channel map (not a C-channel one). Ignored if ``log2_vignette`` is
        given.
    out : numpy.ndarray, optional
        Output buffer (float32, frame's shape); may be ``frame`` itself (computed in place), else must
        not overlap it.

    Returns
    -------
    numpy.ndarray, float32, shape (H, W, C), in [0, 1]

    Notes
    -----
    The frame is processed in bands of rows that stay in the CPU cache, each decoded with a margin of
    the PSF's radius so that the blur sees the same neighbours as on the whole frame (the result equals
    whole-frame processing). The glow (:func:`halation_glow`) is computed first, from a downsampled copy
    of the frame, so one sweep decodes, blurs, adds the glow and encodes each band; bands and columns the
    glow does not reach (below 1e-7) skip the addition, and the glow is brought to full size only where it
    is added. Work buffers as large as the frame: with ``vignette_stops`` the vignette's map, C channels
    (read by the clip's later frames), with halation a half-size C-channel pyramid level (and, with a
    ``log2_vignette`` map, its gain). They are kept per thread for the next call of the same size (fresh
    pages cost about as much as the work); :func:`free_work_buffers`
    releases them.
    """
    frame = np.ascontiguousarray(frame, dtype=np.float32)
    h, w, c = frame.shape
    lv = None
    if log2_vignette is not None:
        lv = log2_vignette if log2_vignette.shape[-1] == c else np.broadcast_to(log2_vignette, frame.shape)
        lv = np.ascontiguousarray(lv, dtype=np.float32).reshape(h, w * c)
    kernel = _OpticsKernel(
        h, w, c, blur_sigma_px=blur_sigma_px, psf=psf, halation=halation,
        halation_sigma_px=halation_sigma_px, halation_threshold=halation_threshold,
        halation_tint=halation_tint, log2_vignette=lv, vignette_stops=vignette_stops,
    )
    if out is None:
        out = np.empty_like(frame)
    if not out.flags.c_contiguous:  # bands are written through 2-D views of out
        out[...] = kernel.run(frame, np.empty_like(frame))
        return out
    return kernel.run(frame, out)


_SCRATCH = threading.local()


def _scratch(key: str, shape: tuple[int, ...]) -> np.ndarray:
    """A float32 work buffer kept per thread between calls (contents undefined).

    Fresh pages cost a page fault each on first touch (~0.1 ms per 256×256 RGB frame's worth, ~2 ms per
    1080p one): reusing the buffers of the previous call of the same size avoids that per clip. Buffers
    never leave the kernel (outputs are always fresh arrays).
    """
    bufs = getattr(_SCRATCH, "bufs", None)
    if bufs is None:
        bufs = _SCRATCH.bufs = {}
    buf = bufs.get(key)
    if buf is None or buf.shape != shape:
        buf = bufs[key] = np.empty(shape, np.float32)
    return buf


def free_work_buffers() -> None:
    """Release this thread's optics work buffers (~130 MiB after a 4K frame with vignetting and halation)."""
    _SCRATCH.__dict__.clear()


def _holds(key: str, owner: object) -> bool:
    """Whether ``owner`` holds the contents of scratch buffer ``key`` (see :func:`_claim`)."""
    return getattr(_SCRATCH, "owners", {}).get(key) is owner


def _claim(key: str, owner: object) -> bool:
    """Make ``owner`` the holder of the contents of scratch buffer ``key``; ``False`` if it was not."""
    owners = getattr(_SCRATCH, "owners", None)
    if owners is None:
        owners = _SCRATCH.owners = {}
    held = owners.get(key) is owner
    owners[key] = owner
    return held


class _OpticsKernel:
    """:func:`apply_optics` for frames of one size and one parameter set.

    Band buffers, PSF, vignette vectors, tint and the vignetting gain on the glow's source grid are set
    up once (per clip), then :meth:`run` processes one frame.
    """

    def __init__(
        self,
        h: int,
        w: int,
        c: int,
        *,
        blur_sigma_px: float,
        psf: str,
        halation: float,
        halation_sigma_px: float,
        halation_threshold: float,
        halation_tint: tuple[float, ...],
        log2_vignette: np.ndarray | None,
        vignette_stops: float,
    ) -> None:
        self.h, self.w, self.c = h, w, c
        self.lv = log2_vignette  # (h, w c) or None
        on = log2_vignette is None and vignette_stops >= _NEGLIGIBLE  # below: a gain within 1e-3 of 1
        self.vig = None
        self.blur_sigma_px = blur_sigma_px
        self.ker = None
        self.ksize = self.halo = 0
        if blur_sigma_px > 0.0:
            if psf == "gaussian":
                self.ksize = gaussian_psf_ksize(blur_sigma_px)
            else:
                self.ker = disc_kernel(blur_sigma_px)
                self.ksize = self.ker.shape[0]
            self.halo = self.ksize // 2
        self.rows = rows = min(h, max(_BAND_FLOATS // (w * c), 2 * self.halo, 8))
        self.buf = _scratch("buf", (min(h, rows + 2 * self.halo), w * c))
        if on:
            self.vig = _VignetteBands(h, w, c, vignette_stops)
        # Blurred in place (cv2 supports it, same values): one band buffer keeps the sweep's working set
        # in L2. The decoded context rows the next band shares are saved first (``carry``).
        self.carry = _scratch("carry", (min(h, 2 * self.halo), w * c))
        self.glow_on = halation >= _NEGLIGIBLE and halation_sigma_px > 0.0  # below: a glow under 1e-3
        if not self.glow_on:
            return
        self.halation_sigma_px = halation_sigma_px
        self.threshold = halation_threshold * _LIN_SCALE
        self.weights = np.float32(halation) * np.asarray(halation_tint, np.float32)[:c]
        self.glow_gain = self._glow_gain()
        self.factor = f = _halation_factor(h, w, halation_sigma_px)
        shape = (h, w) if c == 1 else (h, w, c)
        self.pyr_bufs = []
        for i in range(_levels(h, w, halation_sigma_px)[0]):
            shape = (_ceil_div(shape[0], 2), _ceil_div(shape[1], 2), *shape[2:])
            self.pyr_bufs.append(_scratch(f"pyr{i}", shape))
        small = (_ceil_div(h, f), _ceil_div(w, f))  # nested halvings rounding up: h / f rounded up
        self.band_small_rows = _small_rows_of_bands(h, f, small[0], rows)
        self.glow_sizes = _pyramid_sizes(h, w, small)[-2::-1]
        self.tint: np.ndarray | None = None  # (rows, w c) of the weights, filled when a band first needs it

    def _glow_gain(self) -> np.ndarray | None:
        """Vignetting gain (linear) on the grid where :func:`halation_glow` decodes its source."""
        if self.lv is not None:
            gain = np.exp2(self.lv.reshape(self.h, self.w, self.c))  # lv is float32: so is gain
            return _to_glow_source_grid(gain, self.halation_sigma_px)
        if self.vig is not None:
            return self.vig.gain_on_grid(2 ** _levels(self.h, self.w, self.halation_sigma_px)[0])
        return None

    def _glow(self, frame: np.ndarray) -> tuple[np.ndarray | None, list[tuple[int, int] | None]]:
        """The glow on its pyramid level and, per band, the columns ``[x0, x1)`` its glow reaches.

        Highlights are usually local: outside those columns, and in bands where the glow (times its
        largest weight) stays below :data:`_GLOW_NEGLIGIBLE` everywhere (``None``), nothing is added.
        The small map is brought to full size a band at a time (:meth:`_glow_band`), only there.
        """
        small = _glow_small(frame, self.halation_sigma_px, self.threshold, self.glow_gain, self.pyr_bufs)
        if small is None:
            return None, [None] * len(self.band_small_rows)
        on = small * float(np.abs(self.weights).max()) > _GLOW_NEGLIGIBLE
        f, ws = self.factor, small.shape[1]
        spans: list[tuple[int, int] | None] = []
        for s0, s1 in self.band_small_rows:
            cols = np.flatnonzero(on[s0:s1].any(axis=0))
            if cols.size == 0:
                spans.append(None)
                continue
            # small column i sits at f i; the pyrUp chain reaches < _PYRUP_REACH small columns either side
            lo, hi = max(int(cols[0]) - _PYRUP_REACH, 0), min(int(cols[-1]) + _PYRUP_REACH + 1, ws)
            spans.append((lo * f, min(hi * f, self.w)))
        if all(span is None for span in spans):
            return None, spans
        return small, spans

    def _glow_band(self, small: np.ndarray, band: int, r0: int, r1: int, x0: int, x1: int) -> np.ndarray:
        """Rows ``[r0, r1)``, columns ``[x0, x1)`` of the full-size glow (``cv2.pyrUp`` chain of a crop).

        The crop keeps ``_PYRUP_REACH`` small pixels beyond what the chain spreads onto those rows and
        columns, so its own reflected edges do not reach them: the values equal the whole map's.
        """
        f, ws = self.factor, small.shape[1]
        s0, s1 = self.band_small_rows[band]
        c0, c1 = max(x0 // f - _PYRUP_REACH, 0), min(_ceil_div(x1 - 1, f) + _PYRUP_REACH + 1, ws)
        g, o_r, o_c = small[s0:s1, c0:c1], s0, c0
        for sh, sw in self.glow_sizes:  # the finer levels' sizes, coarse to fine
            o_r, o_c = 2 * o_r, 2 * o_c
            # twice the crop, or up to the level's edge (then as in the whole chain: 2 n or 2 n - 1)
            size = (min(2 * g.shape[1], sw - o_c), min(2 * g.shape[0], sh - o_r))
            g = cv2.pyrUp(g, dstsize=size, borderType=cv2.BORDER_REFLECT_101)
        return g[r0 - o_r : r1 - o_r, x0 - o_c : x1 - o_c]

    def _decode(self, src2: np.ndarray, d0: int, d1: int, dst: np.ndarray) -> None:
        """Rows ``d0:d1`` of ``a = (x + 0.055)^2.4`` times the vignette gain (added in the log domain)."""
        # cv2.log/exp: ~20 % faster than numpy's log2/exp2 here, relative error < 1e-6.
        if d1 <= d0:
            return
        np.add(src2[d0:d1], np.float32(_SRGB_A), out=dst)
        cv2.log(dst, dst=dst)
        if self.lv is not None:  # ln gain = ln 2 · log2 gain, folded into the weights
            cv2.addWeighted(dst, _SRGB_GAMMA, self.lv[d0:d1], _LN2, 0.0, dst=dst)
        elif self.vig is not None:
            ln1 = self.vig.ln_one_plus(d0, d1)
            cv2.addWeighted(dst, _SRGB_GAMMA, ln1, -2.0, 0.0, dst=dst)
        else:
            dst *= np.float32(_SRGB_GAMMA)
        cv2.exp(dst, dst=dst)

    def _add_glow(self, glow: np.ndarray, band: np.ndarray) -> None:
        """``band += glow ⊗ weights``: ``glow`` the ``n×m`` part of the map, ``band`` its ``n×(m C)`` part."""
        n, m = glow.shape
        if self.c == 1:
            cv2.scaleAdd(glow, float(self.weights[0]), band, dst=band)
            return
        # grey → RGB copy and a multiply by the tint: cheaper than cv2.transform or accumulateProduct. The
        # scratch and the (constant) tint are taken as contiguous blocks of the right size.
        if self.tint is None or not _holds("tint", self):  # filled once per clip (and again if shared)
            self.tint = _scratch("tint", (self.rows, self.w * self.c))
            self.tint.reshape(self.rows, self.w, self.c)[:] = self.weights
            _claim("tint", self)  # only once filled
        size = n * m * self.c
        g3 = _scratch("glow3", (self.rows * self.w * self.c,))[:size].reshape(n, m * self.c)
        cv2.cvtColor(glow, cv2.COLOR_GRAY2RGB, dst=g3.reshape(n, m, self.c))
        cv2.multiply(g3, self.tint.reshape(-1)[:size].reshape(n, m * self.c), dst=g3)
        cv2.add(band, g3, dst=band)

    def run(self, frame: np.ndarray, out: np.ndarray) -> np.ndarray:
        """Process one C-contiguous float32 ``h×w×c`` frame into the C-contiguous ``out``.

        One sweep of bands of rows that stay in the CPU cache: decode (with the vignette), blur, add the
        glow (:func:`halation_glow`, computed beforehand from the frame on a downsampled grid), encode.
        """
        h, w, c, rows, halo = self.h, self.w, self.c, self.rows, self.halo
        glow, spans = self._glow(frame) if self.glow_on else (None, None)
        src2 = frame.reshape(h, w * c)
        out2 = out.reshape(h, w * c)
        buf, carry = self.buf, self.carry
        shape3 = (w, c) if c > 1 else (w,)
        # The context rows a band shares with the next one are carried over, not decoded twice.
        p0 = p1 = 0  # rows [p0, p1) held decoded in carry
        for r0 in range(0, h, rows):
            r1 = min(r0 + rows, h)
            a0, a1 = max(r0 - halo, 0), min(r1 + halo, h)
            a = buf[: a1 - a0]
            if p0 <= a0 < p1:
                a[: p1 - a0] = carry[a0 - p0 : p1 - p0]
                self._decode(src2, p1, a1, a[p1 - a0 :])
            else:
                self._decode(src2, a0, a1, a)
            band = a[r0 - a0 : r1 - a0]
            if halo:
                p0, p1 = max(r1 - halo, a0), a1
                carry[: p1 - p0] = a[p0 - a0 :]
                # Rows outside [r0, r1) are only context: cv2 reflects at the band's edge, which is the
                # frame's edge where the band touches it, as on the whole frame.
                a3 = a.reshape(a1 - a0, *shape3)
                if self.ker is None:
                    ks = (self.ksize, self.ksize)
                    cv2.GaussianBlur(a3, ks, self.blur_sigma_px, dst=a3, borderType=cv2.BORDER_REFLECT_101)
                else:
                    cv2.filter2D(a3, -1, self.ker, dst=a3, borderType=cv2.BORDER_REFLECT_101)
            span = spans[r0 // rows] if glow is not None else None
            if span is not None:
                x0, x1 = span
                self._add_glow(self._glow_band(glow, r0 // rows, r0, r1, x0, x1), band[:, x0 * c : x1 * c])
            _encode(band, out2[r0:r1])
        return out


class _VignetteBands:
    """Compute ``ln(1 + a ρ²)`` of :func:`vignette_log2_gain` (``ln v = -2 ln(1 + a ρ²)``).

    The C-channel map is filled from a row and a column vector (``1 + a ρ²`` is a sum of the two) as the
    first frame's sweep reaches each row, then read by the clip's other frames: reading it is cheaper
    than recomputing, or than copying a one-channel map to C channels per frame (~1 ms per 1080p frame
    each), and a one-frame call pays nothing up front. Filling costs ~2 ms per 1080p clip (one broadcast
    add of the channel-repeated column vector and one log, in place).
    """

    def __init__(self, h: int, w: int, c: int, stops: float) -> None:
        a = 2.0 ** (stops / 2.0) - 1.0
        cy, cx = (h - 1) / 2.0, (w - 1) / 2.0
        k = np.float32(a / max(cx * cx + cy * cy, 1e-12))
        self.rows = np.float32(1.0) + k * (np.arange(h, dtype=np.float32) - np.float32(cy)) ** 2
        self.cols = k * (np.arange(w, dtype=np.float32) - np.float32(cx)) ** 2
        # The column term repeated over the C channels of a row, so that a band of the map is written
        # directly (a one-channel band copied to C channels cost ~0.5-1 ms more per 1080p clip).
        self.cols_c = np.repeat(self.cols, c)
        self.map = _scratch("vignette", (h, w * c))
        self.filled = 0  # rows [0, filled) of the map are computed

    def ln_one_plus(self, r0: int, r1: int) -> np.ndarray:
        """``(r1 - r0)×(w C)`` band of ``ln(1 + a ρ²)`` (a view of the map)."""
        if not _claim("vignette", self):  # another kernel of this thread wrote the shared map
            self.filled = 0
        if r1 > self.filled:
            f0 = min(r0, self.filled)
            band = self.map[f0:r1]
            np.add(self.rows[f0:r1, None], self.cols_c[None, :], out=band)
            cv2.log(band, dst=band)
            self.filled = r1
        return self.map[r0:r1]

    def gain_on_grid(self, step: int) -> np.ndarray:
        """Linear gain ``(1 + a ρ²)^-2`` at every ``step``-th row and column, one channel.

        Sampled at the grid's points, not averaged like a ``cv2.pyrDown`` of the full-size gain (which a
        user's ``log2_vignette`` map goes through): the two differ by 6e-4 relative at 1080p and 0.5 stops
        (up to a few % on tiny frames or at 10 stops, mostly at the reflected borders), which moves the
        glow's source, not the vignetted image.
        """
        t = self.rows[::step, None] + self.cols[None, ::step]
        return (t**-2).astype(np.float32)


def _encode(a: np.ndarray, dst: np.ndarray) -> None:
    """Encode sRGB from scaled linear light, clipped to [0, 1].

    ``1.055 (a / 1.055^2.4)^(1/2.4) - 0.055 = a^(1/2.4) - 0.055``; ``a`` is clobbered (``dst`` may be
    ``a``). Everything but the last pass stays in ``a`` (in cache): ``dst``, the output frame, is
    written once and not read back.
    """
    cv2.log(a, dst=a)
    a *= np.float32(1.0 / _SRGB_GAMMA)
    cv2.exp(a, dst=a)
    a -= np.float32(_SRGB_A)
    np.clip(a, np.float32(0.0), np.float32(1.0), out=dst)


@dataclass(frozen=True)
class OpticsParams:
    """Sampled optics of one clip (pixels of that clip).

    Attributes
    ----------
    blur_sigma_px : float
        Gaussian PSF sigma or disc radius, pixels.
    psf : str
        ``"gaussian"`` or ``"disc"``.
    halation : float
        Glow weight (0: none).
    halation_sigma_px : float
        Halation spread, pixels.
    halation_threshold : float
        Linear luminance threshold.
    halation_tint : tuple of float
        Per-channel glow share (neutral on B&W stocks).
    vignette_stops : float
        Corner light loss, stops.
    """

    blur_sigma_px: float
    psf: str
    halation: float
    halation_sigma_px: float
    halation_threshold: float
    halation_tint: tuple[float, float, float]
    vignette_stops: float


class Optics(InPlaceTransform):
    """Lens/printer softness, halation and vignetting in linear light, sampled once per clip.

    Parameters
    ----------
    blur_um : float or (float, float)
        PSF size on the film, µm: Gaussian sigma (``psf="gaussian"``) or disc radius (``"disc"``).
        Default (2, 6) µm, sampled per clip (estimate: a Gaussian of 4 µm has 50 % MTF at about
        47 line pairs/mm, typical of small-gauge camera lenses plus printing).
    psf : {"gaussian", "disc"}
        PSF shape (the disc is a defocus; it costs more at large radii).
    halation : float or (float, float)
        Weight of the halation glow added to the highlights (0 = off). Default (0, 0.15) (estimate;
        most stocks have an anti-halation layer, so halation is usually weak).
    halation_um : float or (float, float)
        Gaussian sigma of the halation spread on the film, µm. Default 120 µm: of the order of the base
        thickness (about 0.12–0.14 mm for acetate base; textbook value, status M).
    halation_threshold : float or (float, float)
        Linear-light luminance (white = 1) above which light halates. Default 0.6.
    halation_tint : (float, float, float)
        Share of the glow in R, G, B on colour stocks. Default (1.0, 0.3, 0.0): mostly red, some green
        (the red-sensitive layer is next to the base); B&W stocks always glow neutral.
    vignette_stops : float or (float, float)
        Light loss at the frame corners, stops, cos⁴ falloff. Default (0, 0.5) (estimate).
    p : float
        Probability of applying the transform.
    """

    name = "optics"
    params_cls = OpticsParams

    def __init__(
        self,
        blur_um: float | tuple[float, float] = (2.0, 6.0),
        *,
        psf: str = "gaussian",
        halation: float | tuple[float, float] = (0.0, 0.15),
        halation_um: float | tuple[float, float] = 120.0,
        halation_threshold: float | tuple[float, float] = 0.6,
        halation_tint: tuple[float, float, float] = (1.0, 0.3, 0.0),
        vignette_stops: float | tuple[float, float] = (0.0, 0.5),
        p: float = 1.0,
    ) -> None:
        super().__init__(p=p)
        self.blur_um = check_range("blur_um", blur_um, 0.0, 1000.0)
        self.psf = check_choice("psf", psf, ("gaussian", "disc"))
        self.halation = check_range("halation", halation, 0.0, 10.0)
        self.halation_um = check_range("halation_um", halation_um, 0.0, 10000.0)
        self.halation_threshold = check_range("halation_threshold", halation_threshold, 0.0, 1.0)
        if not isinstance(halation_tint, list | tuple) or len(halation_tint) != 3:
            raise ValueError(f"halation_tint must be three numbers (R, G, B), got {halation_tint!r}")
        self.halation_tint = tuple(check_range("halation_tint", v, 0.0, 10.0) for v in halation_tint)
        self.vignette_stops = check_range("vignette_stops", vignette_stops, 0.0, 10.0)

    def sample_params(self, rng: np.random.Generator, ctx: ClipContext) -> OpticsParams:
        """Draw the clip's optics (one set for the whole clip) and convert µm to pixels."""
        blur = ctx.px(sample_range(rng, self.blur_um))
        hal = sample_range(rng, self.halation)
        hal_px = ctx.px(sample_range(rng, self.halation_um))
        thr = sample_range(rng, self.halation_threshold)
        stops = sample_range(rng, self.vignette_stops)
        tint = self.halation_tint if ctx.medium.stock_info.is_colour else (1.0, 1.0, 1.0)
        if ctx.is_grey:  # one channel: the glow's luminance
            tint = (float(np.dot(tint, _LUMA_709)),) * 3
        return OpticsParams(
            blur_sigma_px=blur,
            psf=self.psf,
            halation=hal,
            halation_sigma_px=hal_px,
            halation_threshold=thr,
            halation_tint=tuple(float(v) for v in tint),
            vignette_stops=stops,
        )

    def apply_into(
        self, frames: np.ndarray, out: np.ndarray, params: OpticsParams
    ) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        """The clip's optics on every frame (in place too: the sweep reads rows before writing them)."""
        t, h, w, c = frames.shape
        kernel = _OpticsKernel(
            h, w, c, blur_sigma_px=params.blur_sigma_px, psf=params.psf, halation=params.halation,
            halation_sigma_px=params.halation_sigma_px, halation_threshold=params.halation_threshold,
            halation_tint=params.halation_tint, log2_vignette=None, vignette_stops=params.vignette_stops,
        )
        for i in range(t):
            kernel.run(frames[i], out[i])
        return out, {}
