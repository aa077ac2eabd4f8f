"""Colour statistics of a frame: CIELAB cast, Lab shifts between two frames, per-dye density balance.

Shared by the fading tests and calibration. Inputs are sRGB images ``H×W×3`` or clips ``T×H×W×3``,
uint8 or float in [0, 1]; CIELAB is D65 (see :mod:`filmdegrade.colour`).
"""

from __future__ import annotations

import cv2
import numpy as np

from filmdegrade import colour as fc
from filmdegrade.arrays import as_float_clip

__all__ = ["colour_cast", "dye_densities", "dye_density_balance", "lab_shift", "mean_lab", "neutral_mask"]


def _rgb(image: np.ndarray) -> np.ndarray:
    frames, _ = as_float_clip(image)
    if frames.shape[-1] != 3:
        raise ValueError(f"a colour measurement needs 3-channel input, got shape {image.shape}")
    return frames


def _select(values: np.ndarray, mask: np.ndarray | None) -> np.ndarray:
    """Rows of ``values`` (T×H×W×k) under ``mask`` (H×W or T×H×W, bool or weights > 0.5)."""
    flat = values.reshape(-1, values.shape[-1])
    if mask is None:
        return flat
    m = np.asarray(mask)
    m = np.broadcast_to(m if m.ndim == values.ndim - 1 else m[None], values.shape[:-1]).reshape(-1)
    sel = flat[m > 0.5] if m.dtype != bool else flat[m]
    if sel.size == 0:
        raise ValueError("mask selects no pixels")
    return sel


def mean_lab(image: np.ndarray, mask: np.ndarray | None = None) -> np.ndarray:
    """Mean CIELAB (L*, a*, b*) of a frame or of the pixels under ``mask``.

    Returns
    -------
    numpy.ndarray, float64 (3,)
        L* in [0, 100], a*, b* (CIELAB units).
    """
    return _select(fc.srgb_to_lab(_rgb(image)), mask).astype(np.float64).mean(axis=0)


def colour_cast(image: np.ndarray, mask: np.ndarray | None = None) -> tuple[float, float]:
    """Colour cast as the median (a*, b*) of the frame, or of the pixels under ``mask``.

    On a frame of neutral content (or with ``mask`` on neutral regions) this is the cast a fading or a
    grade put on neutrals; on general content it is the grey-world estimate of it.

    Returns
    -------
    tuple of float
        (a*, b*), CIELAB units.
    """
    ab = _select(fc.srgb_to_lab(_rgb(image)), mask)[:, 1:]
    med = np.median(ab, axis=0)
    return float(med[0]), float(med[1])


def neutral_mask(image: np.ndarray, chroma_max: float = 6.0) -> np.ndarray:
    """Pixels whose CIELAB chroma is below ``chroma_max`` (near-neutral), ``T×H×W`` bool."""
    lab = fc.srgb_to_lab(_rgb(image))
    return np.hypot(lab[..., 1], lab[..., 2]) < chroma_max


def lab_shift(before: np.ndarray, after: np.ndarray, mask: np.ndarray | None = None) -> dict[str, float]:
    """Mean CIELAB shift from ``before`` to ``after`` (same shape).

    Returns
    -------
    dict
        ``dL``, ``da``, ``db`` (mean differences, CIELAB units) and ``dE00`` (mean CIEDE2000, per pixel).
    """
    b, a = _rgb(before), _rgb(after)
    if b.shape != a.shape:
        raise ValueError(f"before and after must have the same shape, got {b.shape} and {a.shape}")
    l0 = _select(fc.srgb_to_lab(b), mask).astype(np.float64)
    l1 = _select(fc.srgb_to_lab(a), mask).astype(np.float64)
    if l0.shape[0] > 200_000:  # ΔE2000 is float64-heavy: a fixed subsample is enough for a mean
        idx = np.linspace(0, l0.shape[0] - 1, 200_000).astype(np.int64)
        de = fc.delta_e_2000(l0[idx], l1[idx])
    else:
        de = fc.delta_e_2000(l0, l1)
    d = (l1 - l0).mean(axis=0)
    return {"dL": float(d[0]), "da": float(d[1]), "db": float(d[2]), "dE00": float(np.mean(de))}


def dye_densities(image: np.ndarray, crosstalk: np.ndarray | None = None, d_max: float = 4.0) -> np.ndarray:
    """Analytical (per-dye) densities of a colour positive: cyan, magenta, yellow.

    sRGB is decoded to linear transmittance, turned into integral density per channel (clamped at
    ``d_max``) and unmixed with the inverse of ``crosstalk`` (rows red, green, blue channel; columns
    cyan, magenta, yellow dye; identity if ``None``).

    Returns
    -------
    numpy.ndarray, float32, shape (T, H, W, 3)
        Analytical density per dye (density units).
    """
    lin = fc.srgb_to_linear(_rgb(image))
    d = fc.transmittance_to_density(lin, floor=10.0**-d_max)
    m = np.eye(3) if crosstalk is None else np.asarray(crosstalk, np.float64)
    m_inv = np.linalg.inv(m).astype(np.float32)
    return cv2.transform(d.reshape(-1, 1, 3), m_inv).reshape(d.shape)


def dye_density_balance(
    image: np.ndarray,
    crosstalk: np.ndarray | None = None,
    d_max: float = 4.0,
    mask: np.ndarray | None = None,
) -> np.ndarray:
    """Mean analytical density per dye (cyan, magenta, yellow) over the frame or ``mask``.

    The ratio of this balance after and before a fading is the density fraction each dye kept (exact
    for the linear model used by :mod:`filmdegrade.effects.fading` when nothing clips).

    Returns
    -------
    numpy.ndarray, float64 (3,)
        Mean density per dye (density units).
    """
    a = dye_densities(image, crosstalk, d_max)
    return _select(a, mask).astype(np.float64).mean(axis=0)

