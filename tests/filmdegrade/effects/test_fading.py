"""Tests for filmdegrade.effects.fading: contract, measured acceptance criteria of issue 5."""

from __future__ import annotations

import math

import colour
import numpy as np
import pytest

from filmdegrade import FilmPipeline, Medium
from filmdegrade import colour as fc
from filmdegrade.effects.base import ClipContext, decode_params
from filmdegrade.effects.fading import (
    GAS_CONSTANT,
    Fading,
    FadingParams,
    arrhenius_factor,
    colorchecker_srgb,
    fit_fading,
    get_stability_class,
    list_stability_classes,
    unfade,
)
from filmdegrade.measure.colour import colour_cast, dye_density_balance
from filmdegrade.media import get_stock, list_stocks
from tests.filmdegrade.contract import check_transform_contract

PRE82 = "eastmancolor_print_pre1982"
D65 = colour.CCS_ILLUMINANTS["CIE 1931 2 Degree Standard Observer"]["D65"]


def _params(t: Fading, shape: tuple[int, ...] = (1, 32, 32, 3), medium: Medium | None = None) -> FadingParams:
    n, h, w, c = shape
    return t.sample_params(np.random.default_rng(5), ClipContext(n, h, w, c, medium or Medium()))


def _run(t: Fading, x: np.ndarray, medium: Medium | None = None) -> tuple[np.ndarray, FadingParams]:
    """Apply through a pipeline and return the output and the decoded recorded params."""
    pipe = FilmPipeline([t], seed=3, medium=medium or Medium())
    s = pipe.sample(x, index=0)
    return s.image, decode_params(FadingParams, s.record.params_of("fading")[0])


def _grey(level: float = 0.466, size: int = 16) -> np.ndarray:
    return np.full((size, size, 3), level, np.float32)


def _cs_lab(srgb: np.ndarray) -> np.ndarray:
    xyz = colour.sRGB_to_XYZ(srgb.astype(np.float64), illuminant=D65, chromatic_adaptation_transform=None)
    return colour.XYZ_to_Lab(xyz, D65)


# --- contract ---------------------------------------------------------------------------------------------
def test_contract_physical_default() -> None:
    check_transform_contract(Fading(), Medium())


def test_contract_lab_mode_colour_only() -> None:
    check_transform_contract(Fading(mode="lab", cast_ab=((-5.0, 5.0), (5.0, 15.0))), Medium(), grey=False)


def test_contract_field_drift_and_silver() -> None:
    check_transform_contract(
        Fading(field_amount=0.6, field_drift=0.1, edge_fade=1.0, years=(20.0, 60.0)), Medium(gauge="16mm")
    )
    bw = Medium(gauge="16mm", stock="tri_x_reversal")
    check_transform_contract(Fading(years=(50.0, 150.0), rh=70.0), bw)


def test_every_stock_names_a_class() -> None:
    classes = set(list_stability_classes())
    for s in list_stocks():
        assert get_stock(s).dye_stability in classes, s


def test_bad_arguments_raise() -> None:
    with pytest.raises(ValueError, match="mode"):
        Fading(mode="sepia")
    with pytest.raises(ValueError, match="stock"):
        Fading(stock="no_such_film")
    with pytest.raises(ValueError, match="dye_fractions"):
        Fading(dye_fractions=(0.5, 0.5))
    with pytest.raises(ValueError, match="rh"):
        Fading(rh=150.0)


# --- dark and light fading -------------------------------------------------------------------------------
def test_dark_fading_pre1982_red_magenta_cast_grows() -> None:
    casts, losses = [], []
    for years in (5.0, 15.0, 30.0, 60.0):
        out, p = _run(Fading(stock=PRE82, years=years, storage_c=24.0, rh=40.0, stain=0.0), _grey())
        casts.append(colour_cast(out))
        c, m, y = p.fractions
        losses.append((1 - c, 1 - m, 1 - y))
    a = [ab[0] for ab in casts]
    assert all(x > 0 for x in a), casts
    assert all(np.diff(a) > 0), a  # monotone in years
    for lc, lm, ly in losses:
        assert lc > ly > lm > 0


def test_light_fading_green_blue_cast_magenta_fastest() -> None:
    t = Fading(stock=PRE82, years=0.0, projection_hours=10.0, lux=1.0e6, stain=0.0)
    out, p = _run(t, _grey())
    a, b = colour_cast(out)
    assert a < -1.0 and b < 0.0, (a, b)
    c, m, y = p.fractions
    assert (1 - m) > (1 - y) and (1 - m) > (1 - c)


def test_anchor_pre1982_cyan_10pct_in_5_years_measured() -> None:
    rng = np.random.default_rng(0)
    x = rng.uniform(0.15, 0.85, (64, 64, 3)).astype(np.float32)
    out, _ = _run(Fading(stock=PRE82, years=5.0, storage_c=24.0, rh=40.0, stain=0.0), x)
    cls = get_stability_class(PRE82)
    kw = {"crosstalk": np.asarray(cls["crosstalk"]), "d_max": cls["dmax_net"]}
    kept = dye_density_balance(out, **kw) / dye_density_balance(x, **kw)
    assert abs((1 - kept[0]) - 0.10) <= 0.02, kept


def test_anchor_kodachrome_yellow_20pct_in_185_years() -> None:
    rng = np.random.default_rng(1)
    x = rng.uniform(0.15, 0.85, (64, 64, 3)).astype(np.float32)
    out, _ = _run(Fading(stock="kodachrome_40", years=185.0, storage_c=24.0, rh=40.0, stain=0.0), x)
    cls = get_stability_class("kodachrome")
    kw = {"crosstalk": np.asarray(cls["crosstalk"]), "d_max": cls["dmax_net"]}
    kept = dye_density_balance(out, **kw) / dye_density_balance(x, **kw)
    assert abs((1 - kept[2]) - 0.20) <= 0.03, kept
    assert kept[2] == min(kept)  # yellow least stable in the dark


@pytest.mark.parametrize("ea", [80.0, 110.0])
def test_arrhenius_8k_shortens_time_to_loss(ea: float) -> None:
    def years_to_loss(storage_c: float) -> float:
        lo, hi = 0.0, 500.0  # bisection on the transform's own cyan fraction
        for _ in range(60):
            mid = 0.5 * (lo + hi)
            p = _params(Fading(stock=PRE82, years=mid, storage_c=storage_c, rh=40.0, activation_energy_kj=ea))
            lo, hi = (mid, hi) if p.fractions[0] > 0.8 else (lo, mid)
        return 0.5 * (lo + hi)

    t1, t2 = years_to_loss(20.0), years_to_loss(28.0)
    expected = math.exp((ea * 1000.0 / GAS_CONSTANT) * (1 / 293.15 - 1 / 301.15))
    assert t1 / t2 == pytest.approx(expected, rel=1e-3)
    assert arrhenius_factor(28.0, 20.0, ea) == pytest.approx(expected, rel=1e-12)


def test_rh_factor_documented_power_law() -> None:
    cls = get_stability_class(PRE82)
    f40 = _params(Fading(stock=PRE82, years=10.0, rh=40.0, storage_c=24.0)).fractions[0]
    f80 = _params(Fading(stock=PRE82, years=10.0, rh=80.0, storage_c=24.0)).fractions[0]
    assert math.log(f80) / math.log(f40) == pytest.approx(2.0 ** cls["rh_exponent"], rel=1e-9)


# --- inverse, records, LAB mode --------------------------------------------------------------------------
def _test_colours() -> np.ndarray:
    rng = np.random.default_rng(2)
    cc = colorchecker_srgb()
    inner = cc[(cc.min(axis=1) > 0.03) & (cc.max(axis=1) < 0.97)]
    rand = rng.uniform(0.1, 0.9, (600, 3)).astype(np.float32)
    return np.repeat(np.concatenate([inner, rand])[None], 2, axis=0)  # 2 rows: the array contract's minimum


@pytest.mark.parametrize(
    ("kw", "medium"),
    [
        ({"stock": PRE82, "years": 40.0, "stain": 0.1, "contrast": 0.9}, Medium()),
        ({"years": 60.0, "field_amount": 0.8, "edge_fade": 1.5, "field_drift": 0.2}, Medium()),
        ({"years": 40.0}, Medium(gauge="16mm", stock="vision3_500t")),
        ({"years": 150.0, "rh": 70.0}, Medium(gauge="16mm", stock="tri_x_reversal")),
        ({"mode": "lab", "cast_ab": (4.0, 10.0), "chroma": 0.8, "l_black": 5.0, "l_white": 97.0}, Medium()),
        ({"mode": "lab", "cast_ab": (2.0, 6.0), "chroma": 0.9, "field_amount": 0.5}, Medium()),
    ],
)
def test_unfade_inverts_within_delta_e_1(kw: dict, medium: Medium) -> None:
    x = np.repeat(_test_colours()[None], 2, axis=0)  # a 2-frame clip
    out, p = _run(Fading(**kw), x, medium)
    back = unfade(out, p)
    de = fc.delta_e_2000(fc.srgb_to_lab(x), fc.srgb_to_lab(back))
    assert float(de.max()) < 1.0, float(de.max())
    assert float(fc.delta_e_2000(fc.srgb_to_lab(x), fc.srgb_to_lab(out)).mean()) > 1.0  # it did fade


@pytest.mark.parametrize(
    "kw", [{"stock": PRE82, "years": 30.0}, {"mode": "lab", "cast_ab": (5.0, 9.0)}, {"projection_hours": 5.0}]
)
def test_recorded_cielab_matches_colour_science(kw: dict) -> None:
    grey = fc.lab_to_srgb(np.array([50.0, 0.0, 0.0], np.float32))
    patches = np.repeat(np.vstack([grey[None], colorchecker_srgb()])[None], 2, axis=0).astype(np.float32)
    out, p = _run(Fading(**kw), patches)
    lab_out = _cs_lab(out[0])
    recorded = np.vstack([np.asarray(p.grey_lab)[None], p.checker_lab])
    de = colour.delta_E(lab_out, recorded, method="CIE 2000")
    assert float(de.max()) < 0.5, float(de.max())
    # the recorded shift is the difference to colour-science's Lab of the input
    shift = np.asarray(p.grey_shift[:3])
    assert np.allclose(shift, lab_out[0] - _cs_lab(patches[0])[0], atol=0.3)
    assert p.checker_mean_delta_e > 0.5


@pytest.mark.parametrize("cast", [(6.0, 12.0), (-8.0, 3.0), (0.0, -10.0)])
def test_lab_mode_hits_cast_on_grey(cast: tuple[float, float]) -> None:
    out, _ = _run(Fading(mode="lab", cast_ab=cast, chroma=0.6, l_black=6.0, l_white=94.0), _grey())
    lab = _cs_lab(out.reshape(-1, 3)).mean(axis=0)
    assert abs(lab[1] - cast[0]) <= 1.0 and abs(lab[2] - cast[1]) <= 1.0, lab


def test_lab_mode_rejects_grey() -> None:
    with pytest.raises(ValueError, match="3-channel"):
        FilmPipeline([Fading(mode="lab")], seed=0)(np.full((16, 16), 100, np.uint8))


# --- B&W -------------------------------------------------------------------------------------------------
def test_silver_grey_loses_highlight_density_only() -> None:
    ramp = np.linspace(0.05, 0.95, 64, dtype=np.float32)[None, :].repeat(8, 0)
    medium = Medium(gauge="16mm", stock="tri_x_reversal")
    out, _ = _run(Fading(years=200.0, rh=60.0, stain=0.0), ramp, medium)
    assert out.shape == ramp.shape
    d_in = -np.log10(fc.srgb_to_linear(np.repeat(ramp[..., None], 3, -1))[..., 0])
    d_out = -np.log10(fc.srgb_to_linear(np.repeat(out[..., None], 3, -1))[..., 0])
    rel_loss = 1 - d_out[0] / d_in[0]
    assert (rel_loss > 0.01).all()
    # highlights (low density) lose a larger fraction than the shadows
    assert rel_loss[-1] > 2 * rel_loss[0], (rel_loss[0], rel_loss[-1])


def test_silver_colour_input_gets_warm_cast() -> None:
    out, p = _run(Fading(years=150.0, rh=60.0), _grey(0.6), Medium(gauge="16mm", stock="tri_x_reversal"))
    a, b = colour_cast(out)
    assert b > 2.0 and b > abs(a), (a, b)
    assert p.process == "silver"


def test_colour_stock_on_grey_input_fades_density() -> None:
    x = np.full((16, 16), 0.3, np.float32)
    out, p = _run(Fading(stock=PRE82, years=40.0, stain=0.0), x)
    assert p.process == "dye_grey"
    assert out.mean() > x.mean() + 0.01  # density loss brightens


# --- spatial non-uniformity ------------------------------------------------------------------------------
def test_edges_fade_more() -> None:
    x = _grey(0.4, 96)
    out, _ = _run(Fading(stock=PRE82, years=20.0, edge_fade=2.0, edge_width=0.05, stain=0.0), x)
    edge, centre = np.zeros((96, 96), bool), np.zeros((96, 96), bool)
    edge[:, :4] = edge[:, -4:] = True
    centre[:, 44:52] = True
    assert colour_cast(out, edge)[0] > colour_cast(out, centre)[0] + 1.0


def test_field_constant_over_clip_or_drifting() -> None:
    x = np.repeat(_grey(0.4, 64)[None], 3, axis=0)
    still, _ = _run(Fading(stock=PRE82, years=40.0, field_amount=1.0), x)
    assert np.array_equal(still[0], still[2])
    assert still[0].std(axis=(0, 1)).max() > 1e-3  # not uniform
    drift, _ = _run(Fading(stock=PRE82, years=40.0, field_amount=1.0, field_drift=0.3), x)
    assert not np.array_equal(drift[0], drift[2])
    assert np.abs(drift[0] - drift[1]).mean() < np.abs(drift[0] - drift[2]).mean()  # slow, continuous


# --- fit -------------------------------------------------------------------------------------------------
def test_fit_fading_recovers_fractions() -> None:
    rng = np.random.default_rng(3)
    x = rng.uniform(0.1, 0.9, (64, 64, 3)).astype(np.float32)
    x[:8, :8] = 0.0  # true blacks at D-max
    f = (0.7, 0.95, 0.85)
    out, _ = _run(Fading(stock=PRE82, dye_fractions=f, stain=0.0), x)
    fit = fit_fading(out, stock=PRE82, quantile=0.99)
    assert np.allclose(fit.dye_fractions, f, atol=0.03), fit
    assert fit.cast_ab[0] > 0  # cyan loss reads as a red cast


# --- fast path against the plain float reference (speed work must not change the model) ------------------
def _reference_fade(x: np.ndarray, p: FadingParams, t: int) -> np.ndarray:
    """Whole-frame float maths with the field built by cv2.resize: the definition the fast path follows."""
    import cv2

    from filmdegrade.effects import fading_kernels as fk

    h, w = x.shape[:2]
    g = None
    if p.field.size or p.edge_fade:
        g = np.ones((h, w), np.float32)
        if p.field.size:
            g += cv2.resize(p.field[min(t, p.field.shape[0] - 1)], (w, h), interpolation=cv2.INTER_CUBIC)
        xs = (np.arange(w) + 0.5) / w
        g += (p.edge_fade * np.exp(-np.minimum(xs, 1 - xs) / p.edge_width)).astype(np.float32)[None]
        g = np.maximum(g, 0.0)
    lam = fk.srgb_to_log_transmittance(x, p.d_max)
    if p.process == "silver":
        c = x.shape[-1]
        a, stain = fk._silver_channels(p, c)
        amp = a[None, None, :] if g is None else g[..., None] * a[None, None, :]
        d = lam * np.float32(-1 / math.log(10))
        d_new = p.contrast * (d - amp * d * np.exp(-d / p.highlight_density)) + stain
        lam2 = (d_new * np.float32(-math.log(10))).astype(np.float32)
        return fk.log_transmittance_to_srgb(lam2, p.black_level)
    return fk.log_transmittance_to_srgb(fk._dye_frame(lam, p, g, False), p.black_level)


@pytest.mark.parametrize("channels", [3, 1])
@pytest.mark.parametrize(
    "kw",
    [
        {"years": 30.0},
        {"years": 30.0, "stock": "vision3_500t", "black_level": 0.01},
        {"years": 30.0, "field_amount": 0.6, "edge_fade": 1.0},
        {"years": 30.0, "field_amount": 0.6, "field_drift": 0.2},
        {"years": 100.0, "stock": "tri_x_reversal"},
        {"years": 100.0, "stock": "tri_x_reversal", "field_amount": 0.6, "edge_fade": 0.5},
    ],
)
def test_fast_path_matches_float_reference(kw: dict, channels: int) -> None:
    # 600×1200 frames also take the large-frame route of uniform silver fading (float passes, not the table)
    for h, w in ((37, 53), (600, 1200)):
        x = np.random.default_rng(0).random((2, h, w, channels), dtype=np.float32)
        x[:, :3] = 0.0  # black (D-max clamp) and white rows
        x[:, 3:6] = 1.0
        t = Fading(**kw)
        p = t.sample_params(np.random.default_rng(2), ClipContext(2, h, w, channels, Medium()))
        out, _ = t.apply(x, p)
        for i in range(2):
            ref = _reference_fade(x[i], p, i)
            # 1e-4: the uniform-silver table reads sRGB at the nearest of 65536 levels
            assert np.abs(out[i] - ref).max() < 1e-4, (kw, channels, h, float(np.abs(out[i] - ref).max()))


def test_public_names_stay_importable_from_fading() -> None:
    # the kernels moved to fading_rates / log_transmittance / fading_kernels; fading re-exports them
    from filmdegrade.effects import fading, fading_kernels, fading_rates, log_transmittance

    for name in fading.__all__:
        assert getattr(fading, name) is not None, name
    for mod in (fading_kernels, fading_rates, log_transmittance):
        for name in mod.__all__:
            assert getattr(fading, name) is getattr(mod, name), (mod.__name__, name)
    assert fading.Range is not None
