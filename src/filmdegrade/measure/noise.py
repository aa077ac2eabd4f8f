"""Noise level, noise versus intensity, and the noise's spatial correlation, measured on flat regions.

All values are in grey levels of the frame as stored (scale 1: [0, 1]), not in density: the density-domain
statistics (σ_D, RMS granularity at an aperture) are in :mod:`filmdegrade.measure.granularity`. Flat
regions come from :func:`filmdegrade.measure.regions.find_flat_regions`; each block's least-squares plane
is removed first so that shading does not count as noise. The noise's correlation length and power
spectrum come from :mod:`filmdegrade.measure.granularity` applied to :func:`flat_residuals`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from filmdegrade.io import to_grey_float
from filmdegrade.measure.regions import FlatRegions, block_patches, detrend_patches, find_flat_regions

__all__ = ["NoiseCurve", "flat_residuals", "noise_sigma", "noise_vs_intensity"]


def _frames_of(x: np.ndarray) -> np.ndarray:
    g = to_grey_float(x)
    return g[None] if g.ndim == 2 else g


def flat_residuals(
    x: np.ndarray, *, block: int = 32, fraction: float = 0.25, max_frames: int | None = 16
) -> tuple[np.ndarray, np.ndarray]:
    """Detrended flat patches of an image or clip, and their mean grey levels.

    Parameters
    ----------
    x : numpy.ndarray
        Image ``H×W[×C]`` or clip ``T×H×W×C`` (uint8 or float in [0, 1]).
    block, fraction : int, float
        Passed to :func:`find_flat_regions`.
    max_frames : int, optional
        Use at most this many frames, evenly spaced (grain statistics converge quickly).

    Returns
    -------
    residuals : numpy.ndarray, float32, shape (N, block, block)
        Plane-detrended patches (grey levels, scale 1).
    means : numpy.ndarray, float64, shape (N,)
        Mean grey level of each patch.
    """
    frames = _frames_of(x)
    idx = np.arange(len(frames))
    if max_frames is not None and len(idx) > max_frames:
        idx = np.unique(np.linspace(0, len(frames) - 1, max_frames).round().astype(int))
    res, means = [], []
    for t in idx:
        reg: FlatRegions = find_flat_regions(frames[t], block=block, fraction=fraction)
        if len(reg):
            res.append(detrend_patches(block_patches(frames[t], reg)))
            means.append(reg.means)
    if not res:
        return np.zeros((0, block, block), np.float32), np.zeros(0)
    return np.concatenate(res), np.concatenate(means)


def noise_sigma(x: np.ndarray, *, block: int = 32, fraction: float = 0.25) -> float:
    """Noise standard deviation on the flat regions of an image or clip, grey levels (scale 1).

    The median of the per-block standard deviations: robust to the odd block with real texture.
    Returns ``nan`` when no flat region is found.
    """
    res, _ = flat_residuals(x, block=block, fraction=fraction)
    if not len(res):
        return float("nan")
    return float(np.median(res.reshape(len(res), -1).std(axis=1)))


@dataclass(frozen=True)
class NoiseCurve:
    """Noise level as a function of grey level.

    Attributes
    ----------
    intensity : numpy.ndarray, shape (B,)
        Bin centres, grey level in [0, 1].
    sigma : numpy.ndarray, shape (B,)
        Median noise standard deviation of the flat blocks in each bin, grey levels (``nan`` if empty).
    count : numpy.ndarray, int, shape (B,)
        Number of flat blocks in each bin.
    """

    intensity: np.ndarray
    sigma: np.ndarray
    count: np.ndarray

    def to_dict(self) -> dict[str, list[float]]:
        """JSON-friendly form (empty bins dropped)."""
        ok = self.count > 0
        return {
            "intensity": [round(float(v), 4) for v in self.intensity[ok]],
            "sigma": [round(float(v), 5) for v in self.sigma[ok]],
            "count": [int(v) for v in self.count[ok]],
        }


def noise_vs_intensity(
    x: np.ndarray, *, bins: int | Sequence[float] = 8, block: int = 32, fraction: float = 0.5
) -> NoiseCurve:
    """Noise standard deviation versus mean grey level, from the flat blocks of an image or clip.

    Film grain is signal dependent (σ_D varies with density; in transmittance the noise shrinks in the
    shadows), tape noise is roughly constant: the curve's shape tells them apart.

    Parameters
    ----------
    x : numpy.ndarray
        Image or clip.
    bins : int or sequence of float
        Number of equal bins over [0, 1], or the bin edges (grey levels).
    block, fraction : int, float
        Passed to :func:`find_flat_regions` (a larger fraction than for :func:`noise_sigma`, to cover more
        grey levels).

    Returns
    -------
    NoiseCurve
    """
    edges = np.linspace(0.0, 1.0, bins + 1) if isinstance(bins, int) else np.asarray(bins, float)
    if edges.ndim != 1 or edges.size < 2 or np.any(np.diff(edges) <= 0):
        raise ValueError(f"bins must be a count >= 1 or increasing edges, got {bins!r}")
    res, means = flat_residuals(x, block=block, fraction=fraction)
    sig = res.reshape(len(res), -1).std(axis=1) if len(res) else np.zeros(0)
    which = np.clip(np.searchsorted(edges, means, side="right") - 1, 0, edges.size - 2)
    nb = edges.size - 1
    count = np.bincount(which, minlength=nb)[:nb] if len(res) else np.zeros(nb, int)
    sigma = np.array([np.median(sig[which == b]) if count[b] else np.nan for b in range(nb)])
    return NoiseCurve(intensity=(edges[:-1] + edges[1:]) / 2, sigma=sigma, count=count)
