"""Reference film grain: the Boolean (random-disc) model of Newson, Delon and Galerne, by Monte Carlo.

Model (film-physics.md 1.3–1.4)
-------------------------------
Silver grains are opaque discs whose centres form a Poisson process of intensity
``λ(u) = -ln(1 - u) / (π E[R²])`` per px², so that a fraction ``u`` of the film area is covered
(``P(point uncovered) = exp(-λ π E[R²])``). Radii are constant or log-normal (clipped at the 0.999
quantile as in Newson's code; ``E[R²]`` here is that of the *clipped* law, so the coverage is exactly ``u``).
The continuous indicator field "covered by at least one disc" is seen through a Gaussian PSF of standard
deviation ``filter_sigma_px`` and estimated by Monte Carlo: ``n_samples`` offsets ``ξ_k`` are drawn from the
PSF once (shared by every pixel, as in Newson's code) and the output pixel is the fraction of the points
``pixel centre + ξ_k`` that are covered. Where the input coverage varies, a homogeneous process of the
largest intensity is thinned: a disc is kept with probability ``λ(u(c)) / λ_max`` (``u`` read at the pixel
holding its centre ``c``).

For film, a point covered by silver transmits nothing: transmittance ``T = 1 - coverage``, so a pixel of
mean density ``D`` gets coverage ``u = 1 - 10^(-D)`` and the large-area mean transmittance is preserved.

Closed forms used by the tests and by :class:`~filmdegrade.effects.grain.Grain` (constant radius ``R``,
``λa = -ln(1 - u)``): the covariance of the indicator at distance ``r`` is
``C(r) = exp(-2λa) (exp(λ A∩(r)) - 1)`` (``A∩`` the lens area of two discs ``r`` apart), zero beyond ``2R``;
through the PSF it becomes ``C ∗ G_{σ√2}``, and the Monte Carlo with shared offsets adds on average
``(C(0) - V_∞) / N`` to the variance ``V_∞`` of the exactly filtered field.

Algorithm
---------
Discs are generated in fixed 32×32 px cells of the plane, each cell from its own seed (the seed of the
call plus the cell's coordinates), so a cell's discs do not depend on the image size, the number of samples
or the order of evaluation. Output rows are processed in bands of one cell; for every disc and every sample
offset the few pixel centres inside the shifted disc's bounding box are tested at once (grain-wise, as
Newson's algorithm 1, vectorised over discs × samples × candidates in chunks of ~4 M elements).
Cost grows as (number of discs) × ``n_samples`` × ``(⌊2 R_max⌋ + 1)²``: cheap for grains of a pixel, slow
for grains much smaller than a pixel (the intensity grows as ``1/R²``).
"""

from __future__ import annotations

import math
from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import ArrayLike, NDArray

from filmdegrade.colour import linear_to_srgb, srgb_to_linear
from filmdegrade.measure.granularity import STANDARD_APERTURE_UM

if TYPE_CHECKING:
    from filmdegrade.effects.grain import GrainParams

__all__ = [
    "DEFAULT_MAX_SAMPLES",
    "MAX_DISCS_PER_FRAME",
    "MC_EXCESS_TARGET",
    "boolean_covariance",
    "boolean_grain_settings",
    "calibrated_radius",
    "coverage_from_density",
    "expected_discs_per_frame",
    "filtered_covariance",
    "lens_area",
    "psf_sigma_for_correlation_length",
    "render_boolean_grain",
    "render_boolean_grain_params",
]

_CELL = 32  # side of a disc-generation cell, px
_CHUNK = 1 << 22  # elements per vectorised disc × sample × candidate block
_MASK_BUDGET = 1 << 24  # booleans in the coverage buffer of one band (samples × rows × width)
_Q999 = 3.0902  # standard normal 0.999 quantile: log-normal radii are clipped there (Newson's code)
_T_MIN = 1e-4  # transmittance floor (D ≤ 4) so that λ(u) stays finite

#: Monte Carlo excess variance aimed at by :func:`boolean_grain_settings`, as a fraction of the variance of
#: the exactly filtered field (the number of samples is raised until ``(C(0) - V) / (N V)`` reaches it).
MC_EXCESS_TARGET = 0.1
#: Largest number of Monte Carlo samples :class:`~filmdegrade.effects.grain.Grain` uses (Newson's default
#: is 800). Calibrated silver grains far below a pixel need several thousand samples to reach
#: :data:`MC_EXCESS_TARGET`; the cap bounds the cost instead (the excess then stays above it). Tests may
#: lower it.
DEFAULT_MAX_SAMPLES = 1024
#: :class:`~filmdegrade.effects.grain.Grain` refuses clips whose expected disc count per frame exceeds this
#: (the grains are far below the pixel size: scan finer or use ``model="fast"``).
MAX_DISCS_PER_FRAME = 20_000_000


# --- closed forms -------------------------------------------------------------------------------------
def lens_area(distance: ArrayLike, radius: float) -> NDArray[np.float64]:
    """Area of the intersection of two discs of equal radius.

    Parameters
    ----------
    distance : array_like
        Distance between the centres (same length unit as ``radius``, ≥ 0).
    radius : float
        Disc radius (> 0).

    Returns
    -------
    numpy.ndarray, float64
        ``2R² (acos(x) - x √(1 - x²))`` with ``x = d / 2R``, 0 for ``d ≥ 2R`` (length unit squared).
    """
    x = np.clip(np.asarray(distance, dtype=np.float64) / (2.0 * radius), 0.0, 1.0)
    return 2.0 * radius * radius * (np.arccos(x) - x * np.sqrt(1.0 - x * x))


def boolean_covariance(distance: ArrayLike, coverage: float, radius: float) -> NDArray[np.float64]:
    """Covariance of the coverage indicator of a Boolean model with constant disc radius.

    Parameters
    ----------
    distance : array_like
        Lag, same unit as ``radius``.
    coverage : float
        Coverage fraction ``u`` in [0, 1).
    radius : float
        Disc radius (> 0).

    Returns
    -------
    numpy.ndarray, float64
        ``C(r) = exp(-2λa) (exp(λ A∩(r)) - 1)`` with ``λa = -ln(1 - u)``, dimensionless;
        ``C(0) = u (1 - u)``.
    """
    lam_a = -math.log1p(-float(coverage))
    a = math.pi * radius * radius
    return math.exp(-2.0 * lam_a) * np.expm1(lam_a * lens_area(distance, radius) / a)


def filtered_covariance(
    distance: ArrayLike, coverage: float, radius: float, filter_sigma: float, n_quad: int = 2001
) -> NDArray[np.float64]:
    """Covariance of the Boolean indicator seen through a Gaussian PSF (constant radius).

    Parameters
    ----------
    distance : array_like
        Lag, same unit as ``radius``.
    coverage : float
        Coverage fraction ``u`` in [0, 1).
    radius : float
        Disc radius (> 0).
    filter_sigma : float
        Standard deviation of the PSF (≥ 0), same unit.
    n_quad : int
        Quadrature nodes on ``[0, 2R]``.

    Returns
    -------
    numpy.ndarray, float64
        ``(C ∗ G_{σ√2})(r)``: the radial convolution of :func:`boolean_covariance` with the autocorrelation
        of the PSF (a Gaussian of standard deviation ``σ√2``), by quadrature of the Hankel form.
    """
    from scipy.special import i0e

    d = np.atleast_1d(np.asarray(distance, dtype=np.float64))
    if filter_sigma <= 0.0:
        return boolean_covariance(d, coverage, radius).reshape(np.shape(distance))
    s2 = 2.0 * float(filter_sigma) ** 2  # variance of the PSF autocorrelation
    r = np.linspace(0.0, 2.0 * radius, n_quad)
    c = boolean_covariance(r, coverage, radius)
    # ∫ C(r) G(ρ - r) d²r in polar form: (1/(2π s2)) ∫ C(r) exp(-(ρ² + r²)/(2 s2)) I0(ρ r / s2) 2π r dr;
    # i0e(z) = exp(-z) I0(z) keeps the exponentials bounded.
    rho = d[:, None]
    k = np.exp(-((rho - r[None, :]) ** 2) / (2.0 * s2)) * i0e(rho * r[None, :] / s2) * r[None, :] / s2
    out = np.trapezoid(c[None, :] * k, r, axis=1)
    return out.reshape(np.shape(distance))


def _one_over_e_radius(coverage: float, radius: float, filter_sigma: float) -> float:
    from scipy.optimize import brentq

    c0 = float(filtered_covariance(0.0, coverage, radius, filter_sigma))
    hi = 2.0 * radius + 6.0 * filter_sigma
    def excess(x: float) -> float:
        return float(filtered_covariance(x, coverage, radius, filter_sigma)) / c0 - math.exp(-1.0)

    return float(brentq(excess, 0.0, hi, xtol=1e-6 * hi))


def psf_sigma_for_correlation_length(corr_length: float, coverage: float, radius: float) -> float:
    """PSF standard deviation that gives the filtered Boolean covariance a 1/e radius of ``corr_length``.

    Parameters
    ----------
    corr_length : float
        Target correlation length ℓ (the fast model's 1/e radius), same unit as ``radius``.
    coverage : float
        Coverage fraction ``u`` in [0, 1).
    radius : float
        Disc radius (> 0).

    Returns
    -------
    float
        σ of the Gaussian PSF (same unit); 0 when the unfiltered disc covariance is already as wide as ℓ.
    """
    from scipy.optimize import brentq

    if _one_over_e_radius(coverage, radius, 0.0) >= corr_length:
        return 0.0
    return float(brentq(lambda s: _one_over_e_radius(coverage, radius, s) - corr_length,
                        0.0, float(corr_length), xtol=1e-5 * corr_length))


@lru_cache(maxsize=8)
def _covariance_integral(coverage: float) -> float:
    """``∫ C d²r / (π R²)`` of the constant-radius model (dimensionless; independent of R)."""
    r = np.linspace(0.0, 2.0, 20001)
    return float(np.trapezoid(boolean_covariance(r, coverage, 1.0) * 2.0 * np.pi * r, r) / np.pi)


def coverage_from_density(density: ArrayLike) -> NDArray[np.float64]:
    """Silver coverage fraction of a layer of optical density ``D``: ``u = 1 - 10^(-D)``.

    Parameters
    ----------
    density : array_like
        Optical density (≥ 0, log10 units).

    Returns
    -------
    numpy.ndarray, float64
        Coverage fraction in [0, 1).
    """
    return -np.expm1(-math.log(10.0) * np.maximum(np.asarray(density, dtype=np.float64), 0.0))


def calibrated_radius(sigma_aperture: float, aperture_um: float = STANDARD_APERTURE_UM,
                      density: float = 1.0) -> float:
    """Disc radius whose Boolean model has the RMS granularity ``sigma_aperture`` at density ``density``.

    Parameters
    ----------
    sigma_aperture : float
        Target σ_D through the circular aperture (density units; RMS granularity / 1000 for 48 µm).
    aperture_um : float
        Aperture diameter, µm (default 48).
    density : float
        Mean density of the patch (default 1.0, the standard).

    Returns
    -------
    float
        Constant disc radius, µm. The aperture averages the transmittance ``T = 1 - coverage``; for an
        aperture much wider than the grain ``Var T = ∫C d²r / A = π R² F(u) / A`` (a Gaussian PSF does not
        change ``∫C``), and ``σ_D = σ_T / (T ln 10)`` to first order. About 0.26 µm for granularity 10,
        the scale of developed silver particles (0.2–2 µm, film-physics.md 1.3).
    """
    if sigma_aperture <= 0.0:
        return 0.0
    t = 10.0 ** (-float(density))
    u = 1.0 - t
    area = math.pi * (aperture_um / 2.0) ** 2
    a = (float(sigma_aperture) * t * math.log(10.0)) ** 2 * area / _covariance_integral(round(u, 12))
    return math.sqrt(a / math.pi)


# --- renderer -----------------------------------------------------------------------------------------
def _radius_law(radius_px: float, radius_sigma: float) -> tuple[float, float, float, float]:
    """(log-mean, log-std, max radius, E[R²] of the clipped law); log-std 0 for constant radii."""
    if radius_sigma <= 0.0:
        return math.log(radius_px), 0.0, radius_px, radius_px**2
    from scipy.special import ndtr

    s = math.sqrt(math.log((radius_sigma / radius_px) ** 2 + 1.0))
    m = math.log(radius_px) - s * s / 2.0
    r_max = math.exp(m + s * _Q999)
    # E[min(R, q)²] = E[R² 1{R<q}] + q² P(R ≥ q) for log-normal R
    er2 = math.exp(2.0 * m + 2.0 * s * s) * float(ndtr(_Q999 - 2.0 * s))
    er2 += r_max**2 * (1.0 - float(ndtr(_Q999)))
    return m, s, r_max, er2


def _cell_discs(
    base_seed: int, cy: int, cx: int, lam_max: float, law: tuple[float, float, float, float],
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """Discs of one generation cell before thinning: x, y (px), radius (px), keep-uniform."""
    g = np.random.default_rng([base_seed, cy + (1 << 31), cx + (1 << 31)])
    n = int(g.poisson(lam_max * _CELL * _CELL))
    xy = g.random((n, 2))
    m, s, r_max, _ = law
    r = np.full(n, r_max) if s == 0.0 else np.minimum(np.exp(m + s * g.standard_normal(n)), r_max)
    v = g.random(n)
    return cx * _CELL + _CELL * xy[:, 0], cy * _CELL + _CELL * xy[:, 1], r, v


def render_boolean_grain(
    coverage: ArrayLike,
    *,
    radius_px: float,
    radius_sigma: float = 0.0,
    filter_sigma_px: float,
    n_samples: int,
    rng: np.random.Generator | int,
    max_coverage: float | None = None,
) -> NDArray[np.float32]:
    """Expected Boolean-model coverage seen through a Gaussian PSF, by Monte Carlo (Newson et al.).

    Parameters
    ----------
    coverage : array_like, shape (H, W)
        Local coverage fraction ``u`` in [0, 1) (for film, ``1 - transmittance``).
    radius_px : float
        Mean disc radius μ_r, pixels (> 0).
    radius_sigma : float
        Standard deviation σ_r of the radius, pixels (≥ 0): 0 for constant radii, else log-normal radii
        clipped at their 0.999 quantile.
    filter_sigma_px : float
        Standard deviation of the Gaussian PSF, pixels (≥ 0; 0 = point sampling at pixel centres).
    n_samples : int
        Monte Carlo samples per pixel (≥ 1), shared offsets for all pixels.
    rng : numpy.random.Generator or int
        Source of randomness (SPEC 7): one integer and the ``n_samples`` offsets are drawn from it.
    max_coverage : float, optional
        Coverage that sets the intensity of the process that is thinned (default ``coverage.max()``). Pass a
        common value (≥ every channel's maximum) with the same ``rng`` seed to render several channels from
        one nested set of discs.

    Returns
    -------
    numpy.ndarray, float32, shape (H, W)
        Fraction of the ``n_samples`` PSF-distributed points around each pixel centre that are covered, in
        [0, 1]; its expectation is the PSF-filtered coverage, whose mean is ``u``.
    """
    u = np.asarray(coverage, dtype=np.float64)
    if u.ndim != 2:
        raise ValueError(f"coverage must be H×W, got shape {u.shape}")
    if not np.isfinite(u).all() or u.min(initial=0.0) < 0.0 or u.max(initial=0.0) >= 1.0:
        raise ValueError("coverage must lie in [0, 1)")
    if not (radius_px > 0.0 and np.isfinite(radius_px)):
        raise ValueError(f"radius_px must be > 0, got {radius_px!r}")
    if radius_sigma < 0.0 or filter_sigma_px < 0.0:
        raise ValueError("radius_sigma and filter_sigma_px must be >= 0")
    if int(n_samples) < 1:
        raise ValueError(f"n_samples must be >= 1, got {n_samples!r}")
    n_samples = int(n_samples)
    rng = np.random.default_rng(rng)
    h, w = u.shape
    base_seed = int(rng.integers(2**63 - 1))  # first, so the discs do not depend on n_samples
    offsets = filter_sigma_px * rng.standard_normal((n_samples, 2))
    law = _radius_law(float(radius_px), float(radius_sigma))
    r_max, er2 = law[2], law[3]
    u_top = float(u.max(initial=0.0)) if max_coverage is None else float(max_coverage)
    if u_top < u.max(initial=0.0) or u_top >= 1.0:
        raise ValueError("max_coverage must lie in [coverage.max(), 1)")
    counts = np.zeros((h, w), np.float64)
    if u_top <= 0.0:
        return counts.astype(np.float32)
    lam_max = -math.log1p(-u_top) / (math.pi * er2)
    lam_u = -np.log1p(-u) / (math.pi * er2)  # λ of each pixel, discs / px²
    reach = r_max + float(np.abs(offsets).max(initial=0.0))  # a disc centre this far out can still matter
    m = math.floor(2.0 * r_max) + 1  # candidate pixel centres per axis inside a disc's bounding box
    cx_lo, cx_hi = math.floor(-reach / _CELL), math.floor((w + reach) / _CELL)
    k_chunk = max(1, min(n_samples, _MASK_BUDGET // (_CELL * w)))
    rows: dict[int, tuple[NDArray, NDArray, NDArray]] = {}

    def cell_row(cy: int) -> tuple[NDArray, NDArray, NDArray]:
        if cy not in rows:
            parts = [_cell_discs(base_seed, cy, cx, lam_max, law) for cx in range(cx_lo, cx_hi + 1)]
            x, y, r, v = (np.concatenate(p) for p in zip(*parts, strict=True))
            iy = np.clip(np.floor(y).astype(np.int64), 0, h - 1)
            ix = np.clip(np.floor(x).astype(np.int64), 0, w - 1)
            keep = v * lam_max < lam_u[iy, ix]  # thinning to the local intensity λ(u)
            rows[cy] = (x[keep], y[keep], r[keep])
        return rows[cy]

    t = np.arange(m)
    for band in range(0, (h + _CELL - 1) // _CELL):
        y0, y1 = band * _CELL, min(h, (band + 1) * _CELL)
        needed = range(math.floor((y0 - reach) / _CELL), math.floor((y1 + reach) / _CELL) + 1)
        for cy in [c for c in rows if c < needed.start]:
            del rows[cy]
        parts = [cell_row(cy) for cy in needed]
        x, y, r = (np.concatenate(p) for p in zip(*parts, strict=True))
        sel = (y > y0 - reach) & (y < y1 + reach)
        x, y, r = x[sel], y[sel], r[sel]
        bh = y1 - y0
        for k0 in range(0, n_samples, k_chunk):
            off = offsets[k0 : k0 + k_chunk]
            nk = len(off)
            covered = np.zeros(nk * bh * w, bool)
            d_chunk = max(1, _CHUNK // (nk * m * m))
            for d0 in range(0, len(x), d_chunk):
                # disc centres shifted by -ξ_k, tested against pixel centres (i + 0.5, j + 0.5); the x and
                # y candidate offsets are separable, so only their squared distances are broadcast
                rr = r[d0 : d0 + d_chunk, None]
                sx = x[d0 : d0 + d_chunk, None] - off[None, :, 0]
                sy = y[d0 : d0 + d_chunk, None] - off[None, :, 1]
                jj = np.ceil(sx - rr - 0.5).astype(np.int64)[..., None] + t
                ii = np.ceil(sy - rr - 0.5).astype(np.int64)[..., None] + t
                dx2 = (jj + 0.5 - sx[..., None]) ** 2
                dy2 = (ii + 0.5 - sy[..., None]) ** 2
                dx2[(jj < 0) | (jj >= w)] = np.inf
                dy2[(ii < y0) | (ii >= y1)] = np.inf
                hit = dy2[..., :, None] + dx2[..., None, :] < (rr * rr)[..., None, None]
                di, ki, a, b = np.nonzero(hit)
                covered[(ki * bh + ii[di, ki, a] - y0) * w + jj[di, ki, b]] = True
            counts[y0:y1] += covered.reshape(nk, bh, w).sum(axis=0)
    return (counts / n_samples).astype(np.float32)


# --- the Grain transform's Boolean route ----------------------------------------------------------------
def boolean_grain_settings(
    sigma_aperture: float, corr_length_px: float, um_per_px: float, max_samples: int | None = None
) -> tuple[float, float, int]:
    """Disc radius, PSF and sample count of the Boolean model that stands for a calibrated stock.

    Parameters
    ----------
    sigma_aperture : float
        Target σ_D per layer through the 48 µm aperture at D = 1 (density units).
    corr_length_px : float
        The fast model's correlation length ℓ (the stock's ``grain_size_um`` in pixels).
    um_per_px : float
        Film-plane pixel size, µm.
    max_samples : int, optional
        Cap on the sample count (default :data:`DEFAULT_MAX_SAMPLES`).

    Returns
    -------
    radius_px : float
        Constant disc radius from :func:`calibrated_radius` (the silver grains), pixels; 0 when
        ``sigma_aperture`` is 0.
    filter_sigma_px : float
        PSF σ, pixels, from :func:`psf_sigma_for_correlation_length` at D = 1: the clump / dye-cloud blur
        that gives the filtered covariance the 1/e radius ℓ of the fast model.
    n_samples : int
        Smallest count (≥ 16, ≤ the cap) whose expected Monte Carlo excess variance ``(C(0) - V)/(N V)``
        is at most :data:`MC_EXCESS_TARGET` at D = 1.

    Notes
    -----
    The two lengths of the model are fixed by the two published/estimated numbers of the stock: the RMS
    granularity at 48 µm depends on the disc radius only (the PSF keeps ``∫C``), and the correlation length
    then fixes the PSF. Mapping ``grain_size_um`` to the disc radius instead (opaque discs as large as the
    clumps) would make the granularity at D = 1 about ``F · R / 0.26 µm`` times too high (≈ 15–25× for
    4–7 µm clumps) — see :func:`calibrated_radius`.
    """
    if sigma_aperture <= 0.0:
        return 0.0, 0.0, 1
    cap = DEFAULT_MAX_SAMPLES if max_samples is None else int(max_samples)
    u1 = 1.0 - 10.0 ** (-1.0)
    radius_px = calibrated_radius(sigma_aperture) / float(um_per_px)
    sigma_f = _psf_cached(round(float(corr_length_px) / radius_px, 6), round(u1, 12)) * radius_px
    v = float(filtered_covariance(0.0, u1, radius_px, sigma_f))
    c0 = u1 * (1.0 - u1)
    n = math.ceil((c0 - v) / (MC_EXCESS_TARGET * v)) if v > 0 else cap
    return radius_px, sigma_f, int(min(cap, max(16, n)))


@lru_cache(maxsize=256)
def _psf_cached(ell_over_r: float, coverage: float) -> float:
    return psf_sigma_for_correlation_length(ell_over_r, coverage, 1.0)


def expected_discs_per_frame(radius_px: float, height: int, width: int) -> float:
    """Expected disc count of one frame at the largest density (D = 4), for cost checks."""
    if radius_px <= 0.0:
        return 0.0
    return -math.log(_T_MIN) / (math.pi * radius_px**2) * height * width


def render_boolean_grain_params(frames: NDArray[np.float32], params: GrainParams) -> NDArray[np.float32]:
    """Apply :class:`~filmdegrade.effects.grain.Grain` params with the Boolean renderer (``model="boolean"``).

    Parameters
    ----------
    frames : numpy.ndarray, float32, shape (T, H, W, C), C in {1, 3}
        sRGB clip in [0, 1] (each channel the transmittance of one layer, gamma-encoded).
    params : GrainParams
        Recorded params; uses ``sigma_aperture``, ``corr_length_px``, ``grain_size_um`` (for the pixel
        size), ``layers`` and ``frame_seeds``. ``density_exponent`` and ``layer_correlation`` are not used:
        the Boolean model has its own density law and the layers are independent (Newson's colour mode).

    Returns
    -------
    numpy.ndarray, float32, shape (T, H, W, C)
        Grainy clip, sRGB in [0, 1]. Transmittance ``T' = 1 - coverage`` with the input's ``1 - T`` as the
        local coverage (floored at T = 1e-4), so the mean transmittance is preserved.
    """
    um_per_px = params.grain_size_um / params.corr_length_px
    radius, sigma_f, n = boolean_grain_settings(params.sigma_aperture, params.corr_length_px, um_per_px)
    out = np.empty(frames.shape, np.float32)
    if radius <= 0.0:
        out[...] = frames
        return out
    ch = frames.shape[-1]
    # per-channel sRGB decoding through a 3-channel view (grey clips included)
    lin = srgb_to_linear(frames.reshape(-1, 1).repeat(3, axis=1))[:, 0].reshape(frames.shape)
    cov = 1.0 - np.clip(lin.astype(np.float64), _T_MIN, 1.0)
    # expected disc count of the densest frame and layer: Σ λ(u) over its pixels
    n_discs = float(np.max(-np.log1p(-cov).sum(axis=(1, 2)))) / (math.pi * radius**2)
    if n_discs > MAX_DISCS_PER_FRAME:
        raise ValueError(
            f"Grain(model='boolean'): the calibrated silver grains are {radius:.3f} px in radius, about "
            f"{n_discs:.2e} discs per frame (limit {MAX_DISCS_PER_FRAME:.0e}); scan finer "
            "(Medium.scan_width_px), use a smaller image, or model='fast'"
        )
    res = np.empty(frames.shape[1:], np.float32)
    for t in range(frames.shape[0]):
        seed = int(params.frame_seeds[t])
        top = float(cov[t].max())
        for c in range(ch):
            # one silver layer: the same discs for every channel (common seed and intensity ceiling)
            s = [seed] if params.layers == 1 else [seed, c]
            res[..., c] = 1.0 - render_boolean_grain(
                cov[t, ..., c], radius_px=radius, filter_sigma_px=sigma_f, n_samples=n,
                rng=np.random.default_rng(s), max_coverage=top if params.layers == 1 else None,
            )
        enc = linear_to_srgb(res.reshape(-1, 1).repeat(3, axis=1))[:, 0].reshape(res.shape)
        out[t] = np.clip(enc, 0.0, 1.0)
    return out
    _, _, _, ch = frames.shape
    for t in range(frames.shape[0]):
        lin = srgb_to_linear(frames[t] if ch == 3 else np.repeat(frames[t], 3, axis=-1))[..., :ch]
        cov = 1.0 - np.clip(lin.astype(np.float64), _T_MIN, 1.0)
        seed = int(params.frame_seeds[t])
        top = float(cov.max())
        res = np.empty_like(lin)
        for c in range(ch):
            # one silver layer: the same discs for every channel (common seed and intensity ceiling)
            s = [seed] if params.layers == 1 else [seed, c]
            res[..., c] = 1.0 - render_boolean_grain(
                cov[..., c], radius_px=radius, filter_sigma_px=sigma_f, n_samples=n,
                rng=np.random.default_rng(s), max_coverage=top if params.layers == 1 else None,
            )
        enc = linear_to_srgb(res if ch == 3 else np.repeat(res, 3, axis=-1))[..., :ch]
        out[t] = np.clip(enc, 0.0, 1.0)
    return out
