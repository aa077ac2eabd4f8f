"""Tests of the calibrated grain transform: contract, calibration against stock data, statistics."""

from __future__ import annotations

import numpy as np
import pytest

from filmdegrade import FilmPipeline, Medium
from filmdegrade.colour import linear_to_srgb, srgb_to_linear
from filmdegrade.effects.grain import (
    Grain,
    correlated_noise,
    pixel_sigma,
    sigma_at_density,
)
from filmdegrade.measure.granularity import (
    aperture_sigma_d,
    autocorrelation,
    correlation_length,
    rms_granularity,
    sigma_vs_density,
    srgb_to_density,
)
from filmdegrade.media import get_gauge, get_stock
from tests.filmdegrade.contract import check_transform_contract


def _srgb_at_density(d: float) -> float:
    return float(linear_to_srgb(np.full(3, 10.0 ** (-d), np.float32))[0])


def _grainy_patch(medium: Medium, shape=(4, 384, 384, 3), density=1.0, seed=5, **kw):
    img = np.full(shape, _srgb_at_density(density), np.float32)
    s = FilmPipeline([Grain(**kw)], seed=seed, medium=medium).sample(img)
    return s.image, s.record.entries[0]["params"]


# --- contract ------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "transform, medium",
    [
        (Grain(), Medium(gauge="super8")),
        (Grain(strength=(0.5, 2.0), layer_correlation=(0.0, 0.6)), Medium(gauge="16mm", scan_width_px=2048)),
        (Grain(stock="eastman_double_x"), Medium(gauge="35mm_full", scan_width_px=4096)),
    ],
)
def test_contract(transform: Grain, medium: Medium) -> None:
    check_transform_contract(transform, medium)


def test_validation() -> None:
    with pytest.raises(ValueError, match="strength"):
        Grain(strength=-1.0)
    with pytest.raises(ValueError, match="model"):
        Grain(model="no_such_model")
    with pytest.raises(ValueError, match="unknown stock"):
        Grain(stock="no_such_stock")
    with pytest.raises(ValueError, match="layer_correlation"):
        Grain(layer_correlation=1.5)


def test_estimated_flag_is_recorded() -> None:
    _, p = _grainy_patch(Medium(gauge="super8", stock="kodachrome_40"), shape=(1, 32, 32, 3))
    assert p["granularity_estimated"] is True
    _, p = _grainy_patch(Medium(gauge="super8", stock="ektachrome_e100"), shape=(1, 32, 32, 3))
    assert p["granularity_estimated"] is False


# --- calibration: RMS granularity at 48 µm, D = 1.0 ----------------------------------------------------
MEDIA = [("super8", 1440), ("super8", 2880), ("16mm", 2048)]
STOCKS = ["kodachrome_40", "ektachrome_e100", "eastman_double_x", "vision3_50d"]


@pytest.mark.parametrize("gauge, width", MEDIA)
@pytest.mark.parametrize("stock", STOCKS)
def test_rms_granularity_matches_stock(gauge: str, width: int, stock: str) -> None:
    medium = Medium(gauge=gauge, stock=stock, scan_width_px=width)
    out, _ = _grainy_patch(medium)
    measured = rms_granularity(srgb_to_density(out, visual=True), medium.um_per_px(out.shape[2]))
    assert measured == pytest.approx(get_stock(stock).rms_granularity, rel=0.10)


def test_strength_scales_granularity_and_uint8_keeps_grain() -> None:
    medium = Medium(gauge="super8", stock="ektachrome_e100", scan_width_px=1440)
    um = medium.um_per_px(384)
    img_f = np.full((4, 384, 384, 3), _srgb_at_density(1.0), np.float32)
    img_u = np.rint(img_f * 255).astype(np.uint8)
    pipe = FilmPipeline([Grain(strength=2.0)], seed=1, medium=medium)
    g_f = rms_granularity(srgb_to_density(pipe(img_f), visual=True), um)
    g_u = rms_granularity(srgb_to_density(pipe(img_u), visual=True), um)
    assert g_f == pytest.approx(16.0, rel=0.1)
    assert g_u == pytest.approx(g_f, rel=0.05)


def test_uint8_keeps_fine_grain_at_low_resolution() -> None:
    # 35 mm at 640 px: 34 µm pixels, σ of a pixel ≈ 0.5-1 LSB at mid grey — the grain dithers itself
    medium = Medium(gauge="35mm_academy", stock="provia_100f", scan_width_px=640)
    img_f = np.full((2, 256, 256, 3), _srgb_at_density(0.5), np.float32)
    img_u = np.rint(img_f * 255).astype(np.uint8)
    pipe = FilmPipeline([Grain()], seed=2, medium=medium)
    out_f, out_u = pipe(img_f), pipe(img_u).astype(np.float32) / 255
    sd_f, sd_u = float(out_f.std()), float(out_u.std())
    assert 0.3 / 255 < sd_f < 2.0 / 255  # the case is really sub-/near-LSB
    assert sd_u == pytest.approx(sd_f, rel=0.2)


# --- Selwyn's law ----------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "gauge, stock, width", [("16mm", "vision3_50d", 4096), ("35mm_academy", "provia_100f", 8192)]
)
def test_selwyn_law(gauge: str, stock: str, width: int) -> None:
    medium = Medium(gauge=gauge, stock=stock, scan_width_px=width)
    out, _ = _grainy_patch(medium, shape=(4, 320, 320, 3))
    d = srgb_to_density(out, visual=True)
    um = medium.um_per_px(out.shape[2])
    vals = np.array([aperture_sigma_d(d, um, ap) * np.sqrt(np.pi * ap**2 / 4) for ap in (24.0, 48.0, 96.0)])
    np.testing.assert_allclose(vals, vals.mean(), rtol=0.10)


def test_pixel_sigma_selwyn_and_saturation() -> None:
    # pixels much larger than the grain: σ_pix · pixel size is constant (Selwyn)
    a = pixel_sigma(0.01, 0.1, um_per_px=30.0)
    b = pixel_sigma(0.01, 0.1, um_per_px=60.0)
    assert a * 30 == pytest.approx(b * 60, rel=1e-6)
    # pixels much smaller than the grain: σ_pix saturates (halving the pixel changes it little)
    fine = [pixel_sigma(0.01, 5.0 / um, um_per_px=um) for um in (0.5, 0.25)]
    assert fine[1] / fine[0] < 1.05


# --- density dependence ----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "stock, override, beta",
    [("ektachrome_e100", None, 0.5), ("vision3_50d", None, 0.0), ("ektachrome_e100", 1.0, 1.0)],
)
def test_sigma_versus_density_on_step_wedge(stock: str, override: float | None, beta: float) -> None:
    medium = Medium(gauge="super8", stock=stock, scan_width_px=1440)
    steps = np.array([0.3, 0.6, 1.0, 1.5, 2.0])
    w = 112
    labels = np.repeat(np.arange(len(steps)), w)[None, :].repeat(256, axis=0)
    row = np.array([_srgb_at_density(d) for d in steps], np.float32)[labels]
    img = np.repeat(row[None, :, :, None], 3, axis=-1).repeat(6, axis=0)
    s = FilmPipeline([Grain(density_exponent=override)], seed=9, medium=medium).sample(img)
    assert s.record.entries[0]["params"]["density_exponent"] == beta
    d = srgb_to_density(s.image, visual=True)
    md, sd = sigma_vs_density(d, labels, medium.um_per_px(img.shape[2]))
    np.testing.assert_allclose(md, steps, atol=0.01)
    expected = sigma_at_density(steps, 1.0, beta) / sigma_at_density(1.0, 1.0, beta)
    np.testing.assert_allclose(sd / sd[2], expected, rtol=0.10)
    assert sd[2] * 1000 == pytest.approx(get_stock(stock).rms_granularity, rel=0.10)


def test_mean_transmittance_is_preserved() -> None:
    medium = Medium(gauge="super8", stock="tri_x_reversal", scan_width_px=2880)
    out, _ = _grainy_patch(medium, shape=(2, 256, 256, 3), density=0.7, strength=3.0)
    lin = srgb_to_linear(out).mean()
    assert lin == pytest.approx(10**-0.7, rel=0.01)


# --- temporal and spatial structure ---------------------------------------------------------------------
def _noise_density(out: np.ndarray) -> np.ndarray:
    d = srgb_to_density(out)  # per layer
    return d - d.mean(axis=(1, 2), keepdims=True)


def test_consecutive_frames_uncorrelated_and_no_periodicity() -> None:
    medium = Medium(gauge="super8", stock="kodachrome_40", scan_width_px=2880)
    out, p = _grainy_patch(medium, shape=(4, 256, 256, 3))
    n = _noise_density(out)
    for t in range(3):
        r = np.corrcoef(n[t].ravel(), n[t + 1].ravel())[0, 1]
        assert abs(r) < 0.05
    ell = p["corr_length_px"]
    acf = autocorrelation(np.moveaxis(n, -1, 1).reshape(-1, 256, 256))
    lag = np.hypot(*np.meshgrid(np.fft.fftfreq(256) * 256, np.fft.fftfreq(256) * 256, indexing="ij"))
    assert np.abs(acf[lag > 3 * ell]).max() < 0.05
    assert acf[lag <= 0.5 * ell].min() > 0.5  # the field is correlated as configured


@pytest.mark.parametrize("rho", [0.0, 0.5])
def test_layer_correlation(rho: float) -> None:
    medium = Medium(gauge="super8", stock="kodachrome_40", scan_width_px=1440)
    out, _ = _grainy_patch(medium, shape=(2, 256, 256, 3), layer_correlation=rho)
    n = _noise_density(out)
    c = np.corrcoef(np.moveaxis(n, -1, 0).reshape(3, -1))
    assert np.allclose(c[np.triu_indices(3, 1)], rho, atol=0.05)


def test_bw_stock_has_one_silver_layer() -> None:
    medium = Medium(gauge="16mm", stock="tri_x_reversal", scan_width_px=2048)
    out, p = _grainy_patch(medium, shape=(1, 64, 64, 3))
    assert p["layers"] == 1
    assert np.allclose(out[..., 0], out[..., 1]) and np.allclose(out[..., 1], out[..., 2])


def test_grain_is_not_tied_to_scene() -> None:
    medium = Medium(gauge="super8", scan_width_px=1440)
    a = np.full((1, 64, 128, 3), 0.4, np.float32)
    b = a.copy()
    b[:, :, 64:] = 0.9
    pipe = FilmPipeline([Grain()], seed=4, medium=medium)
    assert np.array_equal(pipe(a)[:, :, :64], pipe(b)[:, :, :64])


def test_super8_grain_is_coarser_than_35mm_at_same_scan_width() -> None:
    width = 8192
    ells = {}
    for gauge in ("super8", "35mm_academy"):
        medium = Medium(gauge=gauge, stock="ektachrome_e100", scan_width_px=width)
        out, _ = _grainy_patch(medium, shape=(2, 256, 256, 3))
        ells[gauge] = correlation_length(np.moveaxis(_noise_density(out), -1, 1).reshape(-1, 256, 256))
    expected = get_gauge("35mm_academy").frame_width_mm / get_gauge("super8").frame_width_mm
    assert ells["super8"] / ells["35mm_academy"] == pytest.approx(expected, rel=0.05)


def test_correlated_noise_is_unit_variance() -> None:
    for ell in (0.3, 1.5, 4.0):
        n = correlated_noise(7, 256, 256, 3, ell)
        assert float(n.std()) == pytest.approx(1.0, rel=0.03)
        assert abs(float(n.mean())) < 0.03


@pytest.mark.parametrize("layers,rho,ell", [(3, 0.0, 1.5), (3, 0.4, 2.5), (1, 1.0, 0.9), (3, 0.0, 0.2)])
def test_block_rendering_equals_whole_frame(layers: int, rho: float, ell: float) -> None:
    # The renderer works in row blocks (speed); each block is filtered with its halo of rows, so the field
    # and the grainy frame must be those of one whole-frame pass.
    import cv2

    from filmdegrade.effects import grain as gm

    h, w, ch = 203, 151, 3
    whole = gm._noise_coords(7, h, w, layers, ell, rho)
    for rows in (1, 16, 64):
        blocks = list(gm._noise_coord_blocks(7, h, w, layers, ell, rho, rows))
        assert [b[0] for b in blocks] == list(range(0, h, rows))
        np.testing.assert_allclose(np.concatenate([b[2] for b in blocks]), whole, atol=1e-4)
    frame = np.random.default_rng(1).random((h, w, ch), dtype=np.float32)
    table = gm.grain_table(0.05, 0.5)
    coords = cv2.merge([whole] * 3) if layers == 1 else whole
    ref = cv2.remap(table, np.ascontiguousarray(coords).reshape(h, w * ch), frame.reshape(h, -1) * 255.0,
                    cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE).reshape(h, w, ch)
    np.testing.assert_allclose(gm.render_grain(frame, 7, 0.05, 0.5, ell, layers, rho), ref, atol=1e-5)
