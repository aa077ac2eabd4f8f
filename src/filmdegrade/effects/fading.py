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

This module holds the transform (parameter sampling and the CIELAB record). The physics lives in
:mod:`~filmdegrade.effects.fading_rates` (dye-stability classes, kinetics,
:func:`~filmdegrade.effects.fading_rates.fit_fading`), :mod:`~filmdegrade.effects.log_transmittance`
(sRGB ↔ λ) and :mod:`~filmdegrade.effects.fading_kernels` (the per-frame maths,
:func:`~filmdegrade.effects.fading_kernels.apply_fading` and its inverse
:func:`~filmdegrade.effects.fading_kernels.unfade`); their public names are importable from here as well.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import numpy as np
import opensimplex

from filmdegrade import colour as fc
from filmdegrade.effects.base import (
    ClipContext,
    InPlaceTransform,
    check_choice,
    check_range,
    sample_range,
)
from filmdegrade.effects.fading_kernels import _fade, apply_fading, unfade
from filmdegrade.effects.fading_rates import GAS_CONSTANT as GAS_CONSTANT
from filmdegrade.effects.fading_rates import (
    FadingFit,
    arrhenius_factor,
    dye_fractions,
    fit_fading,
    get_stability_class,
    list_stability_classes,
)
from filmdegrade.effects.log_transmittance import LN10 as LN10
from filmdegrade.effects.log_transmittance import log_transmittance_to_srgb, srgb_to_log_transmittance
from filmdegrade.media import get_stock, list_stocks

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

#: Mid grey used in the record: L* = 50, a* = b* = 0.
_GREY_LAB = np.array([50.0, 0.0, 0.0])
_EMPTY = np.zeros((0, 0, 0), np.float32)


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


# --- transform --------------------------------------------------------------------------------------------
Range = float | tuple[float, float]


def _triple(name: str, v: Any, lo: float, hi: float) -> tuple[Range, Range, Range]:
    if not isinstance(v, list | tuple) or len(v) != 3:
        raise ValueError(f"{name} must be three values (cyan, magenta, yellow), each a number or (low, high)")
    return tuple(check_range(name, x, lo, hi) for x in v)  # type: ignore[return-value]


class Fading(InPlaceTransform):
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

    def apply_into(
        self, frames: np.ndarray, out: np.ndarray, params: FadingParams
    ) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        """Fade every frame (see :func:`~filmdegrade.effects.fading_kernels.apply_fading`; in place too)."""
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
