"""Granularity statistics of film density fields: RMS granularity, Wiener spectrum, σ_D versus density.

The standard measurement (film-physics.md 1.1) is the standard deviation σ_D of the density read through a
circular aperture of **48 µm** diameter on a uniform patch at net density 1.0; manufacturers quote it ×1000
("RMS granularity 10" means σ_D = 0.010). A microdensitometer averages *transmittance* over the aperture
and reports the density of that average; :func:`aperture_sigma_d` does the same on a density image.

All lengths are in µm on the film, converted to pixels with ``um_per_px``; densities are optical densities
(``D = -log10 T``, base 10).
"""

from __future__ import annotations

from functools import lru_cache

import cv2
import numpy as np
from numpy.typing import ArrayLike, NDArray

from filmdegrade.colour import rgb_to_luminance, srgb_to_linear, transmittance_to_density

__all__ = [
    "STANDARD_APERTURE_UM",
    "aperture_kernel",
    "aperture_sigma_d",
    "autocorrelation",
    "correlation_length",
    "noise_power_spectrum",
    "power_band",
    "rms_granularity",
    "sigma_vs_density",
    "srgb_to_density",
]

#: Diameter of the standard granularity aperture, µm (film-physics.md 1.1, status S).
STANDARD_APERTURE_UM = 48.0

_SUPERSAMPLE = 16  # sub-samples per pixel side when rasterising the aperture disc


@lru_cache(maxsize=128)
def _aperture_kernel_cached(diameter_px: float) -> NDArray[np.float32]:
    r = diameter_px / 2.0
    half = int(np.ceil(r - 0.5 + 1e-9))
    size = 2 * half + 1
    s = _SUPERSAMPLE
    # Sub-sample centres inside each pixel; a pixel's weight is the fraction of its area in the disc.
    sub = (np.arange(size * s, dtype=np.float64) + 0.5) / s - size / 2.0
    inside = (sub[:, None] ** 2 + sub[None, :] ** 2) <= r * r
    cover = inside.reshape(size, s, size, s).mean(axis=(1, 3))
    k = (cover / cover.sum()).astype(np.float32)
    k.setflags(write=False)
    return k


def aperture_kernel(diameter_px: float) -> NDArray[np.float32]:
    """Normalised circular aperture: each pixel weighted by the fraction of its area inside the disc.

    Parameters
    ----------
    diameter_px : float
        Aperture diameter, pixels (≥ 1).

    Returns
    -------
    numpy.ndarray, float32, shape (n, n)
        Odd-sized kernel summing to 1 (read-only, cached).
    """
    d = float(diameter_px)
    if not np.isfinite(d) or d < 1.0:
        raise ValueError(f"diameter_px must be >= 1 pixel, got {diameter_px!r}")
    return _aperture_kernel_cached(round(d, 6))


def srgb_to_density(image: ArrayLike, *, visual: bool = False) -> NDArray[np.float32]:
    """Optical density of an sRGB image viewed as transmittance.

    Parameters
    ----------
    image : array_like, shape (..., C), C in {1, 3}, or (..., H, W) grey
        sRGB values in [0, 1] (uint8 is divided by 255).
    visual : bool
        If True, return the visual (luminance-weighted) density ``-log10 Y`` of a 3-channel image, shape
        ``(...)``; otherwise the density of every channel (the dye layers), same shape as ``image``.

    Returns
    -------
    numpy.ndarray, float32
        Density (log10 units), floored at transmittance 1e-4 (D ≤ 4).
    """
    a = np.asarray(image)
    a = a.astype(np.float32) / 255.0 if a.dtype == np.uint8 else a.astype(np.float32, copy=False)
    if a.ndim >= 3 and a.shape[-1] == 3:
        lin = srgb_to_linear(a)
        if visual:
            return transmittance_to_density(rgb_to_luminance(lin))
        return transmittance_to_density(lin)
    # grey: apply the per-channel sRGB decoding through a 3-channel view
    lin = srgb_to_linear(np.repeat(a[..., None], 3, axis=-1))[..., 0]
    return transmittance_to_density(lin)


def _as_stack(density: ArrayLike) -> NDArray[np.float32]:
    d = np.asarray(density, dtype=np.float32)
    if d.ndim < 2:
        raise ValueError(f"density must be at least 2-D (H×W), got shape {d.shape}")
    return d.reshape(-1, d.shape[-2], d.shape[-1])


def _aperture_average(density: NDArray[np.float32], diameter_px: float) -> tuple[NDArray[np.float32], int]:
    """Density of the transmittance averaged over the aperture, for each image of a stack.

    Also returns the margin (pixels) near the border where the aperture leaves the image.
    """
    k = aperture_kernel(diameter_px)
    half = k.shape[0] // 2
    out = np.empty_like(density)
    for i, d in enumerate(density):
        t = np.power(np.float32(10.0), -d)
        avg = cv2.filter2D(t, cv2.CV_32F, k, borderType=cv2.BORDER_REFLECT)
        out[i] = -np.log10(np.maximum(avg, np.float32(1e-12)))
    return out, half


def aperture_sigma_d(
    density: ArrayLike, um_per_px: float, aperture_um: float = STANDARD_APERTURE_UM
) -> float:
    """σ_D of a uniform patch read through a circular aperture (a microdensitometer trace).

    Parameters
    ----------
    density : array_like, shape (..., H, W)
        Optical density of one or several uniform patches (leading axes: frames or layers; each image's
        own mean is removed and the variances are pooled).
    um_per_px : float
        Film-plane size of a pixel, µm.
    aperture_um : float
        Aperture diameter, µm (default 48, the standard).

    Returns
    -------
    float
        σ_D, density units (RMS granularity / 1000).

    Raises
    ------
    ValueError
        If the aperture is smaller than 1 pixel or does not fit in the patch.
    """
    d = _as_stack(density)
    diameter_px = float(aperture_um) / float(um_per_px)
    avg, m = _aperture_average(d, diameter_px)
    h, w = d.shape[-2:]
    if h <= 2 * m or w <= 2 * m:
        raise ValueError(f"a {diameter_px:.1f} px aperture does not fit in a {h}×{w} patch")
    valid = avg[:, m : h - m, m : w - m].astype(np.float64)
    valid = valid - valid.mean(axis=(1, 2), keepdims=True)
    return float(np.sqrt(np.mean(valid**2)))


def rms_granularity(density: ArrayLike, um_per_px: float, aperture_um: float = STANDARD_APERTURE_UM) -> float:
    """Diffuse RMS granularity ×1000 as manufacturers quote it (see :func:`aperture_sigma_d`).

    Parameters
    ----------
    density : array_like, shape (..., H, W)
        Optical density of a uniform patch (at net density 1.0 for the standard value).
    um_per_px : float
        Film-plane pixel size, µm.
    aperture_um : float
        Aperture diameter, µm (default 48).

    Returns
    -------
    float
        1000 σ_D (dimensionless).
    """
    return 1000.0 * aperture_sigma_d(density, um_per_px, aperture_um)


def sigma_vs_density(
    density: ArrayLike,
    labels: ArrayLike,
    um_per_px: float,
    aperture_um: float = STANDARD_APERTURE_UM,
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """σ_D at each step of a step wedge (the "Sigma-D" curve).

    Parameters
    ----------
    density : array_like, shape (..., H, W)
        Optical density images of the wedge (leading axes pooled, e.g. frames).
    labels : array_like of int, shape (H, W)
        Step index ``0 … n-1`` of every pixel, ``-1`` for pixels to ignore. Each step must be a region
        larger than the aperture; only pixels whose whole aperture lies inside the step are used.
    um_per_px : float
        Film-plane pixel size, µm.
    aperture_um : float
        Aperture diameter, µm (default 48).

    Returns
    -------
    mean_density, sigma_d : numpy.ndarray, shape (n,)
        Large-area density of each step (density of the mean transmittance) and its σ_D through the
        aperture, density units.
    """
    d = _as_stack(density)
    lab = np.asarray(labels)
    if lab.shape != d.shape[-2:]:
        raise ValueError(f"labels shape {lab.shape} does not match the density images {d.shape[-2:]}")
    diameter_px = float(aperture_um) / float(um_per_px)
    avg, m = _aperture_average(d, diameter_px)
    disc = (aperture_kernel(diameter_px) > 0).astype(np.uint8)
    n = int(lab.max()) + 1
    means, sigmas = np.zeros(n), np.zeros(n)
    h, w = lab.shape
    interior = np.zeros((h, w), np.uint8)
    interior[m : h - m, m : w - m] = 1  # where the aperture stays inside the image
    for i in range(n):
        mask = (lab == i).astype(np.uint8) & interior
        inner = cv2.erode(mask, disc, borderType=cv2.BORDER_CONSTANT, borderValue=0).astype(bool)
        if not inner.any():
            raise ValueError(f"step {i} is too small for a {diameter_px:.1f} px aperture")
        vals = avg[:, inner].astype(np.float64)
        vals = vals - vals.mean(axis=1, keepdims=True)
        sigmas[i] = np.sqrt(np.mean(vals**2))
        t = np.power(10.0, -d[:, inner].astype(np.float64))
        means[i] = -np.log10(t.mean())
    return means, sigmas


def autocorrelation(field: ArrayLike) -> NDArray[np.float64]:
    """Normalised circular autocorrelation of zero-mean fields, averaged over leading axes.

    Parameters
    ----------
    field : array_like, shape (..., H, W)
        Noise fields (each image's mean is removed).

    Returns
    -------
    numpy.ndarray, float64, shape (H, W)
        ρ(dy, dx) with lag (0, 0) at index ``[0, 0]`` (use ``numpy.fft.fftshift`` to centre); ρ(0, 0) = 1.
    """
    f = _as_stack(field).astype(np.float64)
    f = f - f.mean(axis=(1, 2), keepdims=True)
    spec = np.fft.rfft2(f)
    acf = np.fft.irfft2((spec * spec.conj()).real, s=f.shape[-2:]).mean(axis=0)
    return acf / acf[0, 0]


def correlation_length(field: ArrayLike, max_lag: int | None = None) -> float:
    """Correlation length ℓ, pixels, of a Gaussian-correlated field: the fit of ρ(r) = exp(-(r/ℓ)²).

    Parameters
    ----------
    field : array_like, shape (..., H, W)
        Noise fields.
    max_lag : int, optional
        Largest lag used in the fit, pixels (default: where the radial ACF first drops below 0.1).

    Returns
    -------
    float
        ℓ, pixels (the 1/e radius of the autocorrelation).
    """
    acf = np.fft.fftshift(autocorrelation(field))
    h, w = acf.shape
    yy, xx = np.mgrid[0:h, 0:w]
    r = np.hypot(yy - h // 2, xx - w // 2)
    rb = np.rint(r).astype(int)
    counts = np.bincount(rb.ravel())
    radial = np.bincount(rb.ravel(), acf.ravel()) / np.maximum(counts, 1)
    if max_lag is None:
        below = np.nonzero(radial < 0.1)[0]
        max_lag = int(below[0]) if below.size else len(radial) - 1
    sel = (r > 0) & (r <= max(max_lag, 1)) & (acf > 0.02)
    if not sel.any():
        return 0.0
    # least squares of ln ρ = -r²/ℓ² through the origin
    x, y = r[sel] ** 2, np.log(acf[sel])
    slope = float(np.sum(x * y) / np.sum(x * x))
    return float(np.sqrt(-1.0 / slope)) if slope < 0 else float("inf")


def noise_power_spectrum(
    field: ArrayLike, um_per_px: float = 1.0, n_bins: int | None = None
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Radially averaged noise power (Wiener) spectrum of uniform-patch density fluctuations.

    Parameters
    ----------
    field : array_like, shape (..., H, W)
        Density fields (each image's mean removed; periodograms averaged over leading axes).
    um_per_px : float
        Pixel size, µm; frequencies are returned in cycles/mm.
    n_bins : int, optional
        Number of radial frequency bins up to Nyquist (default ``min(H, W) // 2``).

    Returns
    -------
    freq : numpy.ndarray, shape (n_bins,)
        Bin centres, cycles/mm.
    nps : numpy.ndarray, shape (n_bins,)
        Wiener spectrum, density² · µm²; its integral over the 2-D frequency plane is the variance.
    """
    f = _as_stack(field).astype(np.float64)
    f = f - f.mean(axis=(1, 2), keepdims=True)
    _, h, w = f.shape
    p = np.abs(np.fft.fft2(f)) ** 2
    nps2d = p.mean(axis=0) * (um_per_px**2) / (h * w)
    fy = np.fft.fftfreq(h)[:, None]
    fx = np.fft.fftfreq(w)[None, :]
    fr = np.hypot(fy, fx)  # cycles/pixel
    n_bins = n_bins or min(h, w) // 2
    edges = np.linspace(0.0, 0.5, n_bins + 1)
    idx = np.clip(np.digitize(fr.ravel(), edges) - 1, 0, None)
    keep = idx < n_bins
    s = np.bincount(idx[keep], nps2d.ravel()[keep], minlength=n_bins)
    c = np.bincount(idx[keep], minlength=n_bins)
    centres = 0.5 * (edges[:-1] + edges[1:]) / um_per_px * 1000.0
    return centres, s / np.maximum(c, 1)


def power_band(freq: ArrayLike, nps: ArrayLike, fraction: float = 0.9) -> tuple[float, float]:
    """Smallest-from-zero frequency band ``[0, f_hi]`` holding ``fraction`` of the 2-D power.

    Parameters
    ----------
    freq, nps : array_like
        Output of :func:`noise_power_spectrum` (cycles/mm; density² · µm²).
    fraction : float
        Fraction of the total power, in (0, 1].

    Returns
    -------
    (float, float)
        ``(0, f_hi)``, cycles/mm: the radial band that carries ``fraction`` of the variance (the radial
        NPS is weighted by the ring circumference ``2πf``).
    """
    f = np.asarray(freq, dtype=np.float64)
    s = np.asarray(nps, dtype=np.float64) * f
    c = np.cumsum(s)
    i = int(np.searchsorted(c, fraction * c[-1]))
    return 0.0, float(f[min(i, len(f) - 1)])
