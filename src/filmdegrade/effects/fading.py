"""Dye fading: per-dye density loss (Arrhenius dark fading, light fading), stain, and a CIELAB mode.

Physical mode (``mode="physical"``)
    sRGB is decoded to linear light, read as each scanner channel's transmittance relative to D-min, and
    turned into integral density ``D = -log10 T`` (clamped at the stock's net D-max). A crosstalk matrix
    ``M`` (unwanted absorptions; rows red/green/blue channel, columns cyan/magenta/yellow dye) gives the
    analytical dye densities ``A = M⁻¹ D``. Each dye keeps a fraction ``f_i = exp(-k_i t - s_i H)`` of its
    density (first-order kinetics), with the dark rate ``k_i`` at the storage temperature and RH from the
    stock's dye-stability class (Arrhenius, data in ``data/fading.toml``) and the light dose ``H`` in
    megalux-hours. Then ``D' = contrast · M F A + stain``, back to sRGB. For a colour *negative* the
    positive density is taken as ``d_max − D_negative`` (unit gamma, no printer-light regrade), so a
    faded negative's dye loss appears as the complementary cast and lower contrast in the positive.
    Black-and-white (``silver`` class): the silver density loses the fraction
    ``loss · exp(-D / highlight_density)`` (highlights and mid-tones first); on 3-channel input part of the
    lost density stays as yellow-brown colloidal silver (a warm cast). On 1-channel input only the density
    loss is possible. 1-channel input with a colour stock fades the neutral density by the
    luminance-weighted dye fraction (no cast can be shown).
LAB mode (``mode="lab"``)
    A statistical control in CIELAB: ``L* → l_black + L* (l_white − l_black)/100``, ``(a*, b*) → chroma ·
    (a*, b*) + cast_ab``. Colour input only.

Both modes record what a preset does: the CIELAB of a neutral grey (L* = 50) and of the 24 ColorChecker
patches after the transform and their shift (ΔL*, Δa*, Δb*, ΔE2000), in the params. An optional
low-frequency field (OpenSimplex on a small grid, upsampled) and an edge term make parts of the frame
fade more; the field is constant over a clip or drifts slowly.

All density maths is done on the natural log of transmittance ``λ = ln T = -ln(10) D`` with OpenCV
float32 passes: per-dye scaling and crosstalk are linear in density, so without a spatial field the whole
chain between sRGB decode and encode folds into one 3×4 affine transform.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache, lru_cache
from types import MappingProxyType
from typing import Any

import cv2
import numpy as np
import opensimplex

from filmdegrade import colour as fc
from filmdegrade.arrays import as_float_clip, restore_array
from filmdegrade.effects.base import ClipContext, Transform, check_choice, check_range, sample_range
from filmdegrade.media import get_stock, list_stocks, load_table

__all__ = [
    "Fading",
    "FadingFit",
    "FadingParams",
    "apply_fading",
    "arrhenius_factor",
    "colorchecker_srgb",
    "dye_fractions",
    "fit_fading",
    "get_stability_class",
    "list_stability_classes",
    "log_transmittance_to_srgb",
    "srgb_to_log_transmittance",
    "unfade",
]

GAS_CONSTANT = 8.314462618  # J/(mol K), CODATA 2018
LN10 = math.log(10.0)
#: Luminance weights of the red, green and blue channels (ITU-R BT.709 / sRGB), used to weight the dyes
#: controlling those channels when a colour stock fades a single-channel image.
_LUM_WEIGHTS = np.array([0.2126, 0.7152, 0.0722])
#: Mid grey used in the record: L* = 50, a* = b* = 0.
_GREY_LAB = np.array([50.0, 0.0, 0.0])
_T_SRGB = 0.04045  # sRGB decode threshold (IEC 61966-2-1)
_LAM_T = math.log(_T_SRGB / 12.92)  # ln of the linear value at that threshold
_EMPTY = np.zeros((0, 0, 0), np.float32)


# --- data ------------------------------------------------------------------------------------------------
def _fading_table() -> MappingProxyType:
    return load_table("fading")


def list_stability_classes() -> list[str]:
    """Names of the dye-stability classes in ``data/fading.toml``."""
    return sorted(_fading_table())


def get_stability_class(name: str) -> dict[str, Any]:
    """The ``fading.toml`` row of a dye-stability class, or of the class a stock names.

    Parameters
    ----------
    name : str
        A class (``"kodachrome"``, ``"eastmancolor_pre1982"``...) or a stock id from ``stocks.toml``.

    Returns
    -------
    dict
        The row (rates per year, reference °C and % RH, activation energy kJ/mol, ...), plus ``"id"``.
    """
    table = _fading_table()
    if not isinstance(name, str):
        raise TypeError(f"stock must be a stock or dye-stability class name (str), got {type(name).__name__}")
    if name not in table:
        if name not in list_stocks():
            raise ValueError(
                f"unknown stock or dye-stability class {name!r}; classes: {', '.join(sorted(table))}; "
                f"stocks: {', '.join(list_stocks())}"
            )
        name = get_stock(name).dye_stability
        if name not in table:  # pragma: no cover - guards the data files
            raise ValueError(f"stocks.toml names dye_stability {name!r}, which fading.toml lacks")
    return {"id": name, **table[name]}


@cache
def colorchecker_srgb() -> np.ndarray:
    """SRGB values of the 24 ColorChecker patches, float32 (24, 3), in [0, 1].

    From colour-science's ``CCS_COLOURCHECKERS["ColorChecker24 - After November 2014"]`` (xyY under
    D50), adapted to D65 with Bradford and encoded as sRGB, then clipped to [0, 1] (patch 18 "cyan" lies
    outside the sRGB gamut, its red is clipped). Computed once; colour-science is imported only here.
    """
    import colour  # slow import (~1 s): only when a record is first made

    cc = colour.CCS_COLOURCHECKERS["ColorChecker24 - After November 2014"]
    xyy = np.array(list(cc.data.values()), dtype=np.float64)
    rgb = colour.XYZ_to_sRGB(
        colour.xyY_to_XYZ(xyy), illuminant=cc.illuminant, chromatic_adaptation_transform="Bradford"
    )
    out = np.clip(rgb, 0.0, 1.0).astype(np.float32)
    out.setflags(write=False)
    return out


# --- rate model -----------------------------------------------------------------------------------------
def arrhenius_factor(storage_c: float, t_ref_c: float, activation_energy_kj: float) -> float:
    """Rate at ``storage_c`` relative to the rate at ``t_ref_c``: ``exp(-(Ea/R)(1/T − 1/T_ref))``.

    Parameters
    ----------
    storage_c, t_ref_c : float
        Storage and reference temperature, °C.
    activation_energy_kj : float
        Activation energy, kJ/mol.

    Returns
    -------
    float
        Dimensionless acceleration factor (> 1 when warmer than the reference).
    """
    t, t_ref = storage_c + 273.15, t_ref_c + 273.15
    return math.exp(-(activation_energy_kj * 1000.0 / GAS_CONSTANT) * (1.0 / t - 1.0 / t_ref))


def dye_fractions(
    cls: dict[str, Any],
    *,
    years: float,
    storage_c: float,
    rh: float,
    projection_hours: float = 0.0,
    lux: float = 1.0e6,
    activation_energy_kj: float | None = None,
) -> np.ndarray:
    """Fraction of each dye's density left after dark storage and light exposure.

    ``f_i = exp(-k_i(T, RH)·years − s_i·lux·hours/10⁶)`` with ``k_i(T, RH) = k_ref,i · arrhenius ·
    (RH/RH_ref)^n`` from the class row (see ``data/fading.toml``).

    Parameters
    ----------
    cls : dict
        A row from :func:`get_stability_class`.
    years : float
        Dark-storage time, years.
    storage_c : float
        Storage temperature, °C.
    rh : float
        Storage relative humidity, %.
    projection_hours : float
        Hours of exposure (projection or display), h.
    lux : float
        Illuminance on the film during that exposure, lx.
    activation_energy_kj : float, optional
        Overrides the class's activation energy, kJ/mol.

    Returns
    -------
    numpy.ndarray, float64
        ``(f_cyan, f_magenta, f_yellow)`` in (0, 1] for chromogenic classes, a 1-element array for silver
        (the fraction of highlight silver density kept).
    """
    ea = cls["activation_energy_kj_mol"] if activation_energy_kj is None else activation_energy_kj
    k_ref = np.atleast_1d(np.asarray(cls["k_ref_per_year"], dtype=np.float64))
    s = np.atleast_1d(np.asarray(cls["light_sensitivity_per_mlxh"], dtype=np.float64))
    accel = arrhenius_factor(storage_c, cls["t_ref_c"], ea)
    accel *= (rh / cls["rh_ref_percent"]) ** cls["rh_exponent"]
    return np.exp(-k_ref * accel * years - s * (lux * projection_hours / 1.0e6))


# --- sRGB <-> log transmittance kernels -----------------------------------------------------------------
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


def _affine_block(src: np.ndarray, m: np.ndarray, c: int, dst: np.ndarray) -> None:
    """``dst = m · (src, 1)`` per pixel of 2-D blocks holding ``c`` interleaved channels."""
    if c == 1:
        cv2.addWeighted(src, float(m[0, 0]), src, 0.0, float(m[0, 1]), dst=dst)
    else:
        cv2.transform(src.reshape(-1, 1, c), m.astype(np.float32), dst=dst.reshape(-1, 1, c))


_LUT_N = 65536


def _to_index(x: np.ndarray, scale: float = 1.0) -> np.ndarray:
    """Round and saturate ``x · scale`` to uint16 (one OpenCV pass)."""
    return cv2.multiply(_flat(x), scale, dtype=cv2.CV_16U).reshape(x.shape)


@lru_cache(maxsize=32)
def _silver_luts(
    d_max: float, amps: tuple[float, ...], stains: tuple[float, ...], dh: float, contrast: float,
    black_level: float,
) -> tuple[np.ndarray, ...]:
    """Tabulate uniform silver fading as one sRGB → sRGB table per channel.

    Loss amplitude and stain density per channel, over sRGB ``i / 65535`` (read at the nearest entry).
    """
    grid = (np.arange(_LUT_N, dtype=np.float32) / np.float32(_LUT_N - 1)).reshape(1, -1, 1)
    lam = srgb_to_log_transmittance(grid, d_max)
    luts = []
    for amp, st in zip(amps, stains, strict=True):
        out = log_transmittance_to_srgb(
            _silver_density(lam, np.float32(amp), dh, contrast, np.float32(st)), black_level
        ).ravel()
        out.setflags(write=False)
        luts.append(out)
    return tuple(luts)


# --- params -----------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class FadingParams:
    """Sampled fading parameters of one clip, and what they do to reference colours.

    Attributes
    ----------
    mode : str
        ``"physical"`` or ``"lab"``.
    process : str
        ``"dye"`` (chromogenic positive), ``"dye_negative"``, ``"dye_grey"`` (colour stock, 1-channel
        input), ``"silver"`` (B&W) or ``"lab"``.
    stability_class : str
        Dye-stability class used (``""`` in LAB mode).
    years, storage_c, rh, projection_hours, lux : float
        Sampled storage time (years), temperature (°C), RH (%), exposure time (h) and illuminance (lx).
    fractions : tuple of float
        Density fraction kept per dye (cyan, magenta, yellow); for silver ``(kept highlight fraction,)``.
    crosstalk : numpy.ndarray, float64 (3, 3)
        Channel × dye density matrix.
    d_max : float
        Net density of sRGB black.
    contrast : float
        Density gain after fading (1 = none).
    black_level : float
        Linear transmittance floor of the result (0 = none).
    stain : tuple of float
        Density added to the red, green, blue channels (yellow stain).
    highlight_density : float
        Silver: density scale of the highlight-first loss.
    warm : tuple of float
        Silver on colour input: fraction of the lost density kept per channel as yellow colloidal silver.
    lab_matrix : numpy.ndarray, float64 (3, 4)
        LAB mode: affine map of (L*, a*, b*, 1).
    field : numpy.ndarray, float32 (T or 1, gh, gw)
        Low-resolution control grid of the spatial fading-strength offset (empty: uniform).
    edge_fade, edge_width : float
        Extra relative fading strength at the left/right frame edges, and its e-folding width as a
        fraction of the frame width.
    grey_lab : tuple of float
        CIELAB of a neutral grey (L* = 50) after the transform, without the spatial field.
    grey_shift : tuple of float
        (ΔL*, Δa*, Δb*, ΔE2000) of that grey.
    checker_lab : numpy.ndarray, float32 (24, 3)
        CIELAB of the ColorChecker patches after the transform.
    checker_shift : numpy.ndarray, float32 (24, 4)
        (ΔL*, Δa*, Δb*, ΔE2000) per patch.
    checker_mean_delta_e : float
        Mean ΔE2000 over the 24 patches.
    """

    mode: str
    process: str
    stability_class: str
    years: float
    storage_c: float
    rh: float
    projection_hours: float
    lux: float
    fractions: tuple[float, ...]
    crosstalk: np.ndarray
    d_max: float
    contrast: float
    black_level: float
    stain: tuple[float, float, float]
    highlight_density: float
    warm: tuple[float, float, float]
    lab_matrix: np.ndarray
    field: np.ndarray
    edge_fade: float
    edge_width: float
    grey_lab: tuple[float, float, float] = (0.0, 0.0, 0.0)
    grey_shift: tuple[float, float, float, float] = (0.0, 0.0, 0.0, 0.0)
    checker_lab: np.ndarray = field(default_factory=lambda: _EMPTY.copy())
    checker_shift: np.ndarray = field(default_factory=lambda: _EMPTY.copy())
    checker_mean_delta_e: float = 0.0


# --- kernels ----------------------------------------------------------------------------------------------
@lru_cache(maxsize=32)
def _cubic_upsampler(n_in: int, n_out: int) -> np.ndarray:
    """Return the ``(n_out, n_in)`` matrix of ``cv2.resize(..., INTER_CUBIC)`` along one axis.

    The resize is linear and separable (resizing the identity gives its weights), so
    ``U_y @ grid @ U_xᵀ`` equals the 2-D resize.
    """
    u = cv2.resize(np.eye(n_in, dtype=np.float32), (n_in, n_out), interpolation=cv2.INTER_CUBIC)
    u.setflags(write=False)
    return u


def _field_rows(
    params: FadingParams, t: int, h: int, w: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """What the strength field of frame ``t`` is made of: ``g[r] = max(U_y[r] @ gx + row, 0)``.

    Returns ``(U_y (H, gh), gx (gh, W), row (W,))`` float32, or None when the fading is uniform. ``gx`` is
    the control grid upsampled along x; ``row`` is 1 plus the edge term.
    """
    has_field = params.field.size > 0
    if not has_field and params.edge_fade == 0.0:
        return None
    row = np.ones(w, np.float64)
    if params.edge_fade != 0.0:
        x = (np.arange(w, dtype=np.float64) + 0.5) / w
        dist = np.minimum(x, 1.0 - x) / max(params.edge_width, 1e-6)
        row += params.edge_fade * np.exp(-dist)
    if has_field:
        grid = params.field[min(t, params.field.shape[0] - 1)].astype(np.float32)
        uy = _cubic_upsampler(grid.shape[0], h)
        gx = grid @ _cubic_upsampler(grid.shape[1], w).T
    else:
        uy, gx = np.zeros((h, 1), np.float32), np.zeros((1, w), np.float32)
    return uy, np.ascontiguousarray(gx, np.float32), row.astype(np.float32)


def _field_block(rows: tuple[np.ndarray, np.ndarray, np.ndarray], r0: int, r1: int, dst: np.ndarray) -> None:
    """Rows ``r0:r1`` of the strength field into ``dst`` (``(r1 − r0, W)`` float32)."""
    uy, gx, row = rows
    np.matmul(uy[r0:r1], gx, out=dst)
    dst += row
    np.maximum(dst, 0.0, out=dst)


def _strength_field(params: FadingParams, t: int, h: int, w: int) -> np.ndarray | None:
    """Relative fading strength g(x, y) ≥ 0 of frame ``t`` (1 = nominal), or None when uniform.

    The low-frequency field is the control grid upsampled with ``cv2.INTER_CUBIC`` (as separable matrix
    products), plus the edge term.
    """
    rows = _field_rows(params, t, h, w)
    if rows is None:
        return None
    g = np.empty((h, w), np.float32)
    _field_block(rows, 0, h, g)
    return g


def _dye_affines(params: FadingParams, channels: int) -> tuple[np.ndarray, np.ndarray]:
    """``T1`` (λ → analytical density, 3×4 or 1×2) and ``T2`` (faded analytical density → λ')."""
    stain = np.asarray(params.stain, np.float64)
    if params.process == "dye_grey" or channels == 1:
        m, m_inv, stain = np.eye(1), np.eye(1), np.array([float(_LUM_WEIGHTS @ stain)])
    else:
        m = np.asarray(params.crosstalk, np.float64)
        m_inv = np.linalg.inv(m)
    n = m.shape[0]
    neg = params.process == "dye_negative"
    sign, off = (-1.0, params.d_max) if neg else (1.0, 0.0)
    # X = sign·D + off with D = −λ/ln10; A = M⁻¹ X
    t1 = np.concatenate([-(sign / LN10) * m_inv, (m_inv @ np.full(n, off))[:, None]], axis=1)
    # D' = sign·(M A' − off) ; D'' = contrast·D' + stain ; λ'' = −ln10·D''
    g = params.contrast
    t2 = np.concatenate([-LN10 * g * sign * m, (-LN10 * (g * sign * (-off) + stain))[:, None]], axis=1)
    return t1, t2


def _compose(t2: np.ndarray, scale: np.ndarray, t1: np.ndarray) -> np.ndarray:
    n = t1.shape[0]
    a1 = np.vstack([t1, np.eye(n + 1)[-1]])
    a2 = np.vstack([t2, np.eye(n + 1)[-1]])
    s = np.diag(np.append(scale, 1.0))
    return (a2 @ s @ a1)[:n]


def _affine(x: np.ndarray, m: np.ndarray) -> np.ndarray:
    """``x @ m[:, :-1].T + m[:, -1]`` on the last axis (OpenCV, one pass)."""
    c = x.shape[-1]
    if c == 1:
        out = cv2.addWeighted(_flat(x), float(m[0, 0]), _flat(x), 0.0, float(m[0, 1]))
        return out.reshape(x.shape)
    return cv2.transform(x.reshape(-1, 1, c), m.astype(np.float32)).reshape(x.shape)


def _channel_fractions(params: FadingParams, c: int) -> np.ndarray:
    """Density fractions kept per dye, or their luminance-weighted mean for one channel."""
    f = np.asarray(params.fractions, np.float64)
    if c == 1:
        f = np.array([float(_LUM_WEIGHTS @ f)]) if f.size == 3 else f[:1]
    return f


def _dye_multiplier(g: np.ndarray, f: np.ndarray, dst: np.ndarray | None = None) -> np.ndarray:
    """Per-pixel dye fractions ``F = f ** g = exp(g · ln f)``: (H, W) field → (H, W, C) float32."""
    c = len(f)
    lnf = np.log(f).astype(np.float32)[:, None]
    if dst is None:
        dst = np.empty((*g.shape, c), np.float32)
    out = dst.reshape((*g.shape, c))
    if c == 1:
        cv2.multiply(g, float(lnf[0, 0]), dst=out[..., 0])
    else:
        cv2.transform(g, lnf, dst=out)
    cv2.exp(_flat(out), dst=_flat(out))
    return out


def _dye_frame(
    lam: np.ndarray,
    params: FadingParams,
    g: np.ndarray | None,
    inverse: bool,
    out_scale: float = 1.0,
) -> np.ndarray:
    """λ → faded λ (times ``out_scale``, folded into the last affine map) or its inverse."""
    c = lam.shape[-1]
    t1, t2 = _dye_affines(params, c)
    t2 = t2 * out_scale
    f = _channel_fractions(params, c)
    if g is None:
        k = _compose(t2, f, t1)
        if inverse:
            k = np.linalg.inv(np.vstack([k, np.eye(c + 1)[-1]]))[:c]
        return _affine(lam, k)
    big = _dye_multiplier(g, f)
    if inverse:
        a1i = np.linalg.inv(np.vstack([t2, np.eye(c + 1)[-1]]))[:c]
        a = _affine(lam, a1i)
        a /= big
        return _affine(a, np.linalg.inv(np.vstack([t1, np.eye(c + 1)[-1]]))[:c])
    a = _affine(lam, t1)
    cv2.multiply(_flat(a), _flat(big), dst=_flat(a))
    return _affine(a, t2)


def _silver_density(
    lam: np.ndarray, amp: np.ndarray | np.float32, dh: float, contrast: float, stain: np.ndarray | np.float32
) -> np.ndarray:
    """λ'' of silver fading ``D' = contrast·(D − amp·D·exp(−D/dh)) + stain`` with λ = −ln10·D (float32).

    In λ: ``λ'' = contrast·λ·(1 − amp·exp(λ/(ln10·dh))) − ln10·stain``; ``amp`` and ``stain`` broadcast
    over the last (channel) axis, ``amp`` may also vary per pixel.
    """
    e = np.multiply(lam, np.float32(1.0 / (LN10 * dh)), dtype=np.float32)
    np.exp(e, out=e)  # exp(−D/dh)
    e *= amp
    np.subtract(np.float32(1.0), e, out=e)
    e *= lam
    e *= np.float32(contrast)
    e -= np.float32(LN10) * np.asarray(stain, np.float32)
    return e


def _silver_block(
    lam: np.ndarray, c: int, amp: np.ndarray, dh: float, contrast: float, stain: np.ndarray, dst: np.ndarray
) -> None:
    """:func:`_silver_density` of a 2-D λ block (``c`` interleaved channels) into ``dst``, in OpenCV passes.

    ``amp`` is the per-channel loss amplitude ``(C,)`` or a per-pixel block like ``lam``.
    """
    cv2.multiply(lam, 1.0 / (LN10 * dh), dst=dst)
    cv2.exp(dst, dst=dst)  # exp(−D/dh)
    if amp.ndim == 2:
        cv2.multiply(dst, amp, dst=dst)
        cv2.addWeighted(dst, -1.0, dst, 0.0, 1.0, dst=dst)  # 1 − amp·e
    else:
        _affine_block(dst, np.hstack([np.diag(-amp.astype(np.float64)), np.ones((c, 1))]), c, dst)
    cv2.multiply(dst, lam, dst=dst, scale=contrast)
    _affine_block(dst, np.hstack([np.eye(c), -LN10 * stain.astype(np.float64)[:, None]]), c, dst)


def _silver_channels(params: FadingParams, c: int) -> tuple[np.ndarray, np.ndarray]:
    """Per-channel loss amplitude and stain density of the silver process on ``c``-channel input."""
    loss = 1.0 - params.fractions[0]
    warm = np.asarray(params.warm, np.float64) if c == 3 else np.zeros(1)
    stain = np.asarray(params.stain, np.float64) if c == 3 else np.array([float(_LUM_WEIGHTS @ params.stain)])
    return (loss * (1.0 - warm)).astype(np.float32), stain.astype(np.float32)


def _silver_frame(
    lam: np.ndarray,
    params: FadingParams,
    g: np.ndarray | None,
    inverse: bool,
) -> np.ndarray:
    c = lam.shape[-1]
    a, stain = _silver_channels(params, c)
    dh = params.highlight_density
    amp = a[None, None, :] if g is None else g[..., None] * a[None, None, :]
    if not inverse:
        return _silver_density(lam, amp, dh, params.contrast, stain)
    # Invert D' = D − amp·D·exp(−D/dh) (monotone for amp < 1) with Newton steps.
    y = ((lam * np.float32(-1.0 / LN10)) - stain) / np.float32(params.contrast)
    d = y.copy()
    for _ in range(12):
        e = np.exp(-d / dh)
        fx = d - amp * d * e - y
        dfx = 1.0 - amp * e * (1.0 - d / dh)
        d = d - fx / dfx
    return (d * np.float32(-LN10)).astype(np.float32)


def _lab_frame(srgb: np.ndarray, params: FadingParams, g: np.ndarray | None, inverse: bool) -> np.ndarray:
    lab = fc.srgb_to_lab(srgb)
    m = np.asarray(params.lab_matrix, np.float64)
    if g is None:
        k = np.linalg.inv(np.vstack([m, [0, 0, 0, 1.0]]))[:3] if inverse else m
        out = _affine(lab, k)
    else:
        # Blend lab + g·(affine(lab) − lab): per pixel the affine map is I + g·(M − I).
        d = m - np.hstack([np.eye(3), np.zeros((3, 1))])
        if inverse:
            lin = np.eye(3)[None, None] + g[..., None, None] * d[None, None, :, :3]
            rhs = lab - g[..., None] * d[:, 3][None, None, :]
            out = np.linalg.solve(lin.astype(np.float64), rhs[..., None].astype(np.float64))[..., 0]
            out = out.astype(np.float32)
        else:
            out = lab + g[..., None] * _affine(lab, d)
    return np.clip(fc.lab_to_srgb(out), 0.0, 1.0)


def apply_fading(frame: np.ndarray, params: FadingParams, t: int = 0, *, inverse: bool = False) -> np.ndarray:
    """Fade (or, with ``inverse=True``, unfade) one frame with explicit parameters.

    Parameters
    ----------
    frame : numpy.ndarray, float32, shape (H, W, C), C in {1, 3}
        sRGB in [0, 1].
    params : FadingParams
        From :meth:`Fading.sample_params`.
    t : int
        Frame index (selects the drifting spatial field).
    inverse : bool
        Apply the exact inverse (see :func:`unfade`).

    Returns
    -------
    numpy.ndarray, float32, shape (H, W, C)
        sRGB in [0, 1].
    """
    return _fade(frame, params, t, inverse)


#: Frames with at most this many values use the per-channel table for uniform silver fading: its gathers
#: are cheaper than the float passes while the table and the frame stay in cache, dearer above (measured).
_SILVER_LUT_MAX_VALUES = 1 << 20


def _fade(
    frame: np.ndarray, params: FadingParams, t: int, inverse: bool, out: np.ndarray | None = None
) -> np.ndarray:
    """:func:`apply_fading`, written into ``out`` (C-contiguous, frame's shape) when given."""
    h, w = frame.shape[:2]
    c = frame.shape[-1]
    if params.mode == "lab" or inverse:  # inverse: exact float path, speed does not matter there
        g = _strength_field(params, t, h, w)
        if params.mode == "lab":
            res = _lab_frame(frame, params, g, inverse)
        else:
            lam = srgb_to_log_transmittance(frame, params.d_max)
            if params.process == "silver":
                res = log_transmittance_to_srgb(_silver_frame(lam, params, g, True))
            else:
                res = log_transmittance_to_srgb(_dye_frame(lam, params, g, True))
        if out is not None:
            out[...] = res
            return out
        return res
    field = _field_rows(params, t, h, w)
    silver = params.process == "silver"
    if silver:
        a, stain = _silver_channels(params, c)
        if field is None and frame.size <= _SILVER_LUT_MAX_VALUES:
            # Uniform silver fading is a function of each channel alone: one sRGB → sRGB table per channel.
            luts = _silver_luts(
                float(params.d_max), tuple(float(x) for x in a), tuple(float(x) for x in stain),
                float(params.highlight_density), float(params.contrast), float(params.black_level),
            )
            idx = _to_index(np.ascontiguousarray(frame, np.float32), _LUT_N - 1)
            planes = [luts[k][idx[..., k]] for k in range(c)]
            res = planes[0][..., None] if c == 1 else cv2.merge(planes)
            if out is None:
                return res
            out[...] = res
            return out
    else:
        t1, t2 = _dye_affines(params, c)
        fr = _channel_fractions(params, c)
        k = _compose(t2, fr, t1) if field is None else None
    # Exact float path: sRGB → λ, density maths (one affine map without a field), λ → sRGB, as OpenCV
    # passes over blocks of rows that stay in cache; the field is built block by block too.
    f2 = _flat(np.ascontiguousarray(frame, np.float32))
    o2 = np.empty_like(f2) if out is None else _flat(out)
    lin = math.exp(-LN10 * params.d_max)
    s_floor = 12.92 * lin if lin <= 0.0031308 else 1.055 * lin ** (1.0 / 2.4) - 0.055
    rows = max(1, min(h, _BLOCK // max(f2.shape[1], 1)))
    gbuf = np.empty((rows, w), np.float32)
    per_channel = None  # ln f_c (dye) or a_c (silver) repeated along a block's rows, for the field
    if field is not None and c > 1:
        v = a if silver else np.log(fr)
        per_channel = np.tile(np.asarray(v, np.float32), (rows, w))
    for r0, r1, (b0, b1, b2) in _blocks(f2.shape, 3):
        lam = _lam_block(f2[r0:r1], s_floor, b0, b1)
        if field is not None:
            g = gbuf[: r1 - r0]
            _field_block(field, r0, r1, g)
        if silver:
            amp = a
            if field is not None:  # per-pixel amplitude g · a_c
                amp = b2
                if c == 1:
                    cv2.multiply(g, float(a[0]), dst=amp)
                else:  # merge + multiply: a 1 → 3 channel cv2.transform is ~4× slower
                    cv2.merge([g, g, g], dst=amp.reshape(r1 - r0, w, c))
                    cv2.multiply(amp, per_channel[: r1 - r0], dst=amp)
            _silver_block(lam, c, amp, params.highlight_density, params.contrast, stain, b1)
            res = b1
        elif k is not None:
            _affine_block(lam, k, c, b1)
            res = b1
        else:
            _affine_block(lam, t1, c, b1)
            if c == 1:
                cv2.multiply(g, float(np.log(fr[0])), dst=b2)
            else:  # F = exp(g · ln f_c) per channel (merge + multiply beats a 1 → 3 channel transform)
                cv2.merge([g, g, g], dst=b2.reshape(r1 - r0, w, c))
                cv2.multiply(b2, per_channel[: r1 - r0], dst=b2)
            cv2.exp(b2, dst=b2)
            cv2.multiply(b1, b2, dst=b1)
            _affine_block(b1, t2, c, b0)
            res = b0
        _srgb_block(res, params.black_level, b2, o2[r0:r1])
    return o2.reshape(frame.shape)


def unfade(image: np.ndarray, params: FadingParams) -> np.ndarray:
    """Exact inverse of the fading described by ``params`` (for a restorer's post-processing).

    Exact up to float32 rounding for colours whose faded densities were not clipped: not driven past
    D-max or below zero density, not lifted by ``black_level``, and (LAB mode) inside the sRGB gamut.

    Parameters
    ----------
    image : numpy.ndarray
        The faded image ``H×W×C`` or clip ``T×H×W×C`` (uint8 or float in [0, 1]), same shape the
        params were sampled for.
    params : FadingParams
        The recorded parameters (``decode_params(FadingParams, record.params_of("fading")[0])``).

    Returns
    -------
    numpy.ndarray
        Same shape and dtype as ``image``.
    """
    frames, info = as_float_clip(image)
    out = np.empty_like(frames)
    for t in range(frames.shape[0]):
        out[t] = apply_fading(frames[t], params, t, inverse=True)
    return restore_array(out, info)


# --- fitting ----------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class FadingFit:
    """Fading parameters estimated from a frame's colour statistics.

    Attributes
    ----------
    dye_fractions : tuple of float
        Estimated density fraction kept per dye (cyan, magenta, yellow), in (0, 1].
    cast_ab : tuple of float
        Median (a*, b*) of the frame, CIELAB units (the grey-world cast).
    """

    dye_fractions: tuple[float, float, float]
    cast_ab: tuple[float, float]


def fit_fading(
    image: np.ndarray,
    *,
    stock: str = "eastmancolor_pre1982",
    quantile: float = 0.995,
    d_max: float | None = None,
) -> FadingFit:
    """Estimate per-dye fractions and the cast of a faded colour frame.

    Assumes the unfaded frame held a neutral black at the stock's D-max (true blacks) and no colour
    denser in one dye than that black: a dye's fraction is then its ``quantile`` analytical density over
    the analytical density of the unfaded black. Used by calibration.

    Parameters
    ----------
    image : numpy.ndarray
        ``H×W×3`` or ``T×H×W×3`` sRGB, uint8 or float in [0, 1].
    stock : str
        Stock or dye-stability class, for the crosstalk matrix and D-max.
    quantile : float
        Quantile of the analytical density taken as the faded D-max (robust to noise).
    d_max : float, optional
        Net D-max of the unfaded film; default the class's ``dmax_net``.

    Returns
    -------
    FadingFit
    """
    from filmdegrade.measure.colour import colour_cast, dye_densities

    cls = get_stability_class(stock)
    if cls["kind"] != "chromogenic":
        raise ValueError(f"fit_fading needs a colour (chromogenic) stock, got class {cls['id']!r}")
    frames, _ = as_float_clip(image)
    if frames.shape[-1] != 3:
        raise ValueError("fit_fading needs a 3-channel image")
    dm = float(cls["dmax_net"]) if d_max is None else float(d_max)
    m = np.asarray(cls["crosstalk"], np.float64)
    a = dye_densities(frames, crosstalk=m, d_max=dm).reshape(-1, 3)
    top = np.quantile(a, quantile, axis=0)
    black = np.linalg.solve(m, np.full(3, dm))  # analytical densities of an unfaded neutral black
    f = np.clip(top / black, 1e-3, 1.0)
    cast = colour_cast(frames)
    return FadingFit(dye_fractions=(float(f[0]), float(f[1]), float(f[2])), cast_ab=cast)


# --- transform --------------------------------------------------------------------------------------------
Range = float | tuple[float, float]


def _triple(name: str, v: Any, lo: float, hi: float) -> tuple[Range, Range, Range]:
    if not isinstance(v, list | tuple) or len(v) != 3:
        raise ValueError(f"{name} must be three values (cyan, magenta, yellow), each a number or (low, high)")
    return tuple(check_range(name, x, lo, hi) for x in v)  # type: ignore[return-value]


class Fading(Transform):
    """Dye (or silver) fading of a stored/projected film, or a CIELAB cast (``mode="lab"``).

    Every argument marked *range* takes a number or a ``(low, high)`` pair sampled uniformly per clip.

    Parameters
    ----------
    mode : {"physical", "lab"}
        Dye-density model (default) or CIELAB statistical control.
    stock : str, optional
        Stock id or dye-stability class (``data/fading.toml``); ``None``: the clip's ``Medium`` stock.
    years : float or range
        Dark-storage time, years. Default (5, 40).
    storage_c : float or range
        Storage temperature, °C. Default 24 (room temperature).
    rh : float or range
        Storage relative humidity, %. Default 50.
    projection_hours : float or range
        Cumulative exposure (projection or display), hours. Default 0.
    lux : float or range
        Illuminance on the film during exposure, lx. Default 1e6 (a projector gate; estimate).
    activation_energy_kj : float, optional
        Arrhenius activation energy, kJ/mol; ``None``: the class's value (95, status M).
    dye_fractions : tuple of 3 (float or range), optional
        Direct density fractions kept (cyan, magenta, yellow) in (0, 1]; overrides the kinetics.
        For silver, the mean of the three is the kept highlight fraction.
    stain : float or range, optional
        Yellow-stain density added in the blue channel (shape per class); ``None``: the class's rate ×
        years × the storage acceleration.
    contrast : float or range
        Density gain after fading (1 = none, < 1 = contrast loss). Default 1.
    black_level : float or range
        Linear transmittance floor of the result (black-level lift), 0 = none. Default 0.
    cast_ab : tuple of 2 (float or range)
        LAB mode: cast added to (a*, b*), CIELAB units. Default (6, 12) (warm).
    chroma : float or range
        LAB mode: chroma scale (< 1 compresses). Default 0.7.
    l_black, l_white : float or range
        LAB mode: L* of black and of white after the transform. Defaults 8 and 95.
    field_amount : float or range
        Amplitude of the low-frequency fading-strength field (relative; 0 = uniform). Default 0.
    field_scale : float
        Feature size of that field as a fraction of the frame width. Default 0.5.
    field_drift : float
        Drift of the field per frame, in feature sizes (0 = constant over the clip). Default 0.
    edge_fade : float or range
        Extra relative fading strength at the left/right film edges (0 = none). Default 0.
    edge_width : float
        e-folding width of the edge term, fraction of the frame width. Default 0.08.
    p : float
        Probability of applying the transform.
    """

    name = "fading"
    params_cls = FadingParams

    def __init__(
        self,
        *,
        mode: str = "physical",
        stock: str | None = None,
        years: Range = (5.0, 40.0),
        storage_c: Range = 24.0,
        rh: Range = 50.0,
        projection_hours: Range = 0.0,
        lux: Range = 1.0e6,
        activation_energy_kj: float | None = None,
        dye_fractions: tuple[Range, Range, Range] | None = None,
        stain: Range | None = None,
        contrast: Range = 1.0,
        black_level: Range = 0.0,
        cast_ab: tuple[Range, Range] = (6.0, 12.0),
        chroma: Range = 0.7,
        l_black: Range = 8.0,
        l_white: Range = 95.0,
        field_amount: Range = 0.0,
        field_scale: float = 0.5,
        field_drift: float = 0.0,
        edge_fade: Range = 0.0,
        edge_width: float = 0.08,
        p: float = 1.0,
    ) -> None:
        super().__init__(p=p)
        self.mode = check_choice("mode", mode, ("physical", "lab"))
        if stock is not None:
            get_stability_class(stock)
        self.stock = stock
        self.years = check_range("years", years, 0.0, 1.0e4)
        self.storage_c = check_range("storage_c", storage_c, -40.0, 80.0)
        self.rh = check_range("rh", rh, 1.0, 100.0)
        self.projection_hours = check_range("projection_hours", projection_hours, 0.0, 1.0e6)
        self.lux = check_range("lux", lux, 0.0, 1.0e8)
        if activation_energy_kj is not None:
            activation_energy_kj = check_range("activation_energy_kj", activation_energy_kj, 1.0, 500.0)
        self.activation_energy_kj = activation_energy_kj
        if dye_fractions is not None:
            dye_fractions = _triple("dye_fractions", dye_fractions, 1e-3, 1.0)
        self.dye_fractions = dye_fractions
        self.stain = None if stain is None else check_range("stain", stain, 0.0, 2.0)
        self.contrast = check_range("contrast", contrast, 0.1, 2.0)
        self.black_level = check_range("black_level", black_level, 0.0, 0.5)
        if not isinstance(cast_ab, list | tuple) or len(cast_ab) != 2:
            raise ValueError(f"cast_ab must be (a*, b*), each a number or (low, high), got {cast_ab!r}")
        self.cast_ab = tuple(check_range("cast_ab", v, -60.0, 60.0) for v in cast_ab)
        self.chroma = check_range("chroma", chroma, 0.0, 2.0)
        self.l_black = check_range("l_black", l_black, 0.0, 60.0)
        self.l_white = check_range("l_white", l_white, 40.0, 100.0)
        self.field_amount = check_range("field_amount", field_amount, 0.0, 5.0)
        self.field_scale = check_range("field_scale", field_scale, 0.05, 4.0)
        self.field_drift = check_range("field_drift", field_drift, 0.0, 1.0)
        self.edge_fade = check_range("edge_fade", edge_fade, 0.0, 5.0)
        self.edge_width = check_range("edge_width", edge_width, 0.005, 0.5)

    # --- sampling -----------------------------------------------------------------------------------
    def sample_params(self, rng: np.random.Generator, ctx: ClipContext) -> FadingParams:
        """Draw one clip's fading (a fixed number of clip-level draws) and record its CIELAB effect."""
        if self.mode == "lab" and ctx.is_grey:
            raise ValueError("fading mode='lab' needs 3-channel (colour) input; use mode='physical' for grey")
        stock = self.stock if self.stock is not None else ctx.medium.stock
        cls = get_stability_class(stock)
        stock_kind = get_stock(stock).kind if stock in list_stocks() else ""
        years = sample_range(rng, self.years)
        storage_c = sample_range(rng, self.storage_c)
        rh = sample_range(rng, self.rh)
        hours = sample_range(rng, self.projection_hours)
        lux = sample_range(rng, self.lux)
        direct = [sample_range(rng, v) for v in (self.dye_fractions or (1.0, 1.0, 1.0))]
        stain_draw = sample_range(rng, self.stain if self.stain is not None else 0.0)
        contrast = sample_range(rng, self.contrast)
        black = sample_range(rng, self.black_level)
        cast = [sample_range(rng, v) for v in self.cast_ab]
        chroma = sample_range(rng, self.chroma)
        l_black = sample_range(rng, self.l_black)
        l_white = sample_range(rng, self.l_white)
        field_amount = sample_range(rng, self.field_amount)
        edge_fade = sample_range(rng, self.edge_fade)
        field_seed = int(rng.integers(0, 2**62))

        ea = self.activation_energy_kj
        ea_used = cls["activation_energy_kj_mol"] if ea is None else ea
        accel = arrhenius_factor(storage_c, cls["t_ref_c"], ea_used)
        accel *= (rh / cls["rh_ref_percent"]) ** cls["rh_exponent"]
        if self.dye_fractions is not None:
            fr = np.asarray(direct, np.float64)
            if cls["kind"] == "silver":
                fr = np.array([fr.mean()])
        else:
            fr = dye_fractions(
                cls, years=years, storage_c=storage_c, rh=rh, projection_hours=hours, lux=lux,
                activation_energy_kj=ea,
            )
        stain_blue = stain_draw if self.stain is not None else cls["stain_rate_per_year"] * years * accel
        stain = tuple(float(stain_blue * s) for s in cls["stain_shape"])

        if self.mode == "lab":
            process = "lab"
        elif cls["kind"] == "silver":
            process = "silver"
        elif ctx.is_grey:
            process = "dye_grey"
        else:
            process = "dye_negative" if stock_kind == "colour_negative" else "dye"
        s_l = (l_white - l_black) / 100.0
        lab_matrix = np.array([[s_l, 0, 0, l_black], [0, chroma, 0, cast[0]], [0, 0, chroma, cast[1]]])
        strength = _EMPTY
        if field_amount > 0.0:
            grid = _control_grid(field_seed, ctx, self.field_scale, self.field_drift)
            strength = grid * np.float32(field_amount)
        params = FadingParams(
            mode=self.mode,
            process=process,
            stability_class=cls["id"] if self.mode == "physical" else "",
            years=years,
            storage_c=storage_c,
            rh=rh,
            projection_hours=hours,
            lux=lux,
            fractions=tuple(float(x) for x in fr),
            crosstalk=np.asarray(cls.get("crosstalk", np.eye(3)), np.float64),
            d_max=float(cls["dmax_net"]),
            contrast=contrast,
            black_level=black,
            stain=stain,  # type: ignore[arg-type]
            highlight_density=float(cls.get("highlight_density", 1.0)),
            warm=tuple(float(x) for x in cls.get("warm_absorption", (0.0, 0.0, 0.0))),  # type: ignore[arg-type]
            lab_matrix=lab_matrix,
            field=strength,
            edge_fade=edge_fade,
            edge_width=self.edge_width,
        )
        return _with_record(params, ctx.channels)

    def apply(self, frames: np.ndarray, params: FadingParams) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        """Fade every frame (pure; see :func:`apply_fading`)."""
        out = np.empty_like(frames)
        for t in range(frames.shape[0]):
            _fade(frames[t], params, t, False, out=out[t])
        return out, {}


def _control_grid(seed: int, ctx: ClipContext, scale: float, drift: float) -> np.ndarray:
    """OpenSimplex values on a small grid, ``(T or 1, gh, gw)`` float32 in about [−1, 1]."""
    gw = max(3, math.ceil(3.0 / scale) + 1)
    aspect = ctx.height / ctx.width
    gh = max(3, math.ceil(3.0 * aspect / scale) + 1)
    xs = np.linspace(0.0, 1.0, gw) / scale
    ys = np.linspace(0.0, aspect, gh) / scale
    n_t = ctx.n_frames if drift > 0.0 else 1
    zs = np.arange(n_t, dtype=np.float64) * drift
    noise = opensimplex.OpenSimplex(seed=seed % (2**31))
    return noise.noise3array(xs, ys, zs).astype(np.float32)


def _with_record(params: FadingParams, channels: int) -> FadingParams:
    """Add the CIELAB effect on a neutral grey and the ColorChecker (uniform field, nominal strength)."""
    grey = fc.lab_to_srgb(_GREY_LAB.astype(np.float32))
    patches = np.vstack([grey[None, :], colorchecker_srgb()]).astype(np.float32)  # (25, 3)
    nominal = _replace(params, field=_EMPTY, edge_fade=0.0)
    if channels == 1 or params.process in ("dye_grey",):
        # Single-channel processes act per channel: run each patch channel as its own grey pixel.
        out = apply_fading(patches.reshape(1, -1, 1), nominal).reshape(25, 3)
    else:
        out = apply_fading(patches[None], nominal)[0]
    lab0 = fc.srgb_to_lab(patches).astype(np.float64)
    lab1 = fc.srgb_to_lab(out).astype(np.float64)
    de = fc.delta_e_2000(lab0, lab1).astype(np.float64)
    shift = np.concatenate([lab1 - lab0, de[:, None]], axis=1)
    return _replace(
        params,
        grey_lab=tuple(float(v) for v in lab1[0]),
        grey_shift=tuple(float(v) for v in shift[0]),
        checker_lab=lab1[1:].astype(np.float32),
        checker_shift=shift[1:].astype(np.float32),
        checker_mean_delta_e=float(de[1:].mean()),
    )


def _replace(params: FadingParams, **kw: Any) -> FadingParams:
    import dataclasses

    return dataclasses.replace(params, **kw)
