"""Tests of the Boolean-model (Newson et al.) reference grain renderer and its ``Grain`` route."""

from __future__ import annotations

import math

import numpy as np
import pytest

from filmdegrade import FilmPipeline, Medium
from filmdegrade.effects import grain_boolean as gb
from filmdegrade.effects.grain import Grain
from filmdegrade.validation import boolean_nps_check
from tests.filmdegrade.contract import check_transform_contract


# --- closed forms computed here, independently of the module ------------------------------------------
def _lens(d: np.ndarray, r: float) -> np.ndarray:
    x = np.clip(d / (2 * r), 0, 1)
    return 2 * r * r * (np.arccos(x) - x * np.sqrt(1 - x * x))


def _cov(d: np.ndarray, u: float, r: float) -> np.ndarray:
    lam = -math.log(1 - u) / (math.pi * r * r)
    return math.exp(-2 * lam * math.pi * r * r) * (np.exp(lam * _lens(d, r)) - 1)


def _filtered_variance_grid(u: float, r: float, sigma: float, h: float = 0.02) -> float:
    """∫ C(x) (G_σ ∗ G_σ)(x) d²x on a 2-D grid (the variance of the exactly filtered field)."""
    half = 2 * r + 0.5 * h
    x = np.arange(-half, half + h / 2, h)
    d = np.hypot(x[:, None], x[None, :])
    s2 = 2 * sigma * sigma  # PSF autocorrelation: Gaussian of variance 2σ² per axis
    g2 = np.exp(-(d**2) / (2 * s2)) / (2 * math.pi * s2)
    return float(np.sum(_cov(d, u, r) * g2) * h * h)


def test_filtered_covariance_matches_grid_integral() -> None:
    for u, r, s in [(0.9, 2.0, 0.8), (0.5, 1.0, 1.5), (0.3, 3.0, 0.5)]:
        assert float(gb.filtered_covariance(0.0, u, r, s)) == pytest.approx(_filtered_variance_grid(u, r, s),
                                                                            rel=2e-3)
    assert float(gb.boolean_covariance(0.0, 0.7, 1.0)) == pytest.approx(0.7 * 0.3)


# --- the renderer -------------------------------------------------------------------------------------
@pytest.mark.parametrize("u, radius, sigma", [(0.9, 2.0, 1.0), (0.5, 1.5, 0.8)])
def test_variance_follows_closed_form(u: float, radius: float, sigma: float) -> None:
    n = 128
    v_inf = _filtered_variance_grid(u, radius, sigma)
    # shared Monte Carlo offsets add (C(0) - V)/N to the variance on average over the offset draws
    expected = v_inf + (u * (1 - u) - v_inf) / n
    var = np.mean([
        gb.render_boolean_grain(np.full((128, 128), u), radius_px=radius, filter_sigma_px=sigma, n_samples=n,
                                rng=s).astype(np.float64).var()
        for s in range(6)
    ])
    assert var == pytest.approx(expected, rel=0.10)


def test_point_sampled_field_is_binary_with_coverage_u() -> None:
    f = gb.render_boolean_grain(np.full((256, 256), 0.6), radius_px=1.5, filter_sigma_px=0.0, n_samples=1,
                                rng=4)
    assert set(np.unique(f)) <= {0.0, 1.0}
    assert f.var() == pytest.approx(0.6 * 0.4, rel=0.05)


@pytest.mark.parametrize("radius_sigma", [0.0, 0.6])
def test_mean_coverage_matches_input(radius_sigma: float) -> None:
    h, w, r = 192, 256, 1.0
    cov = np.full((h, w), 0.3)
    cov[:, w // 2 :] = 0.8
    f = gb.render_boolean_grain(cov, radius_px=r, radius_sigma=radius_sigma, filter_sigma_px=0.8,
                                n_samples=16, rng=9).astype(np.float64)
    for u, region in [(0.3, f[:, 8 : w // 2 - 8]), (0.8, f[:, w // 2 + 8 : -8])]:
        # standard error of a region mean: Var ≈ ∫C d²x / area (the PSF keeps ∫C), ×1.5 for the radius spread
        x = np.linspace(0, 2 * r * 3, 4001)
        int_c = float(np.trapezoid(_cov(x, u, r) * 2 * np.pi * x, x)) * 1.5
        se = math.sqrt(int_c / region.size)
        assert abs(region.mean() - u) < 4 * se, (u, region.mean(), se)


def test_determinism_and_seed() -> None:
    cov = np.tile(np.linspace(0.0, 0.95, 64), (48, 1))
    cov[:, :16] = 0.0
    kw = dict(radius_px=0.7, filter_sigma_px=0.8, n_samples=8)
    a = gb.render_boolean_grain(cov, rng=5, **kw)
    assert a.dtype == np.float32 and a.shape == cov.shape
    assert np.array_equal(a, gb.render_boolean_grain(cov, rng=np.random.default_rng(5), **kw))
    assert not np.array_equal(a, gb.render_boolean_grain(cov, rng=6, **kw))
    assert a[:, :8].max() == 0.0 and a[:, 32:].min() < a[:, 32:].max()  # no discs where coverage is 0


def test_common_ceiling_nests_the_discs() -> None:
    lo = gb.render_boolean_grain(np.full((64, 64), 0.3), radius_px=1.0, filter_sigma_px=0.0, n_samples=1,
                                 rng=2, max_coverage=0.9)
    hi = gb.render_boolean_grain(np.full((64, 64), 0.7), radius_px=1.0, filter_sigma_px=0.0, n_samples=1,
                                 rng=2, max_coverage=0.9)
    assert np.all(lo <= hi) and lo.sum() < hi.sum()


def test_validation() -> None:
    with pytest.raises(ValueError, match="coverage"):
        gb.render_boolean_grain(np.ones((8, 8)), radius_px=1.0, filter_sigma_px=0.5, n_samples=2, rng=0)
    with pytest.raises(ValueError, match="radius_px"):
        gb.render_boolean_grain(np.zeros((8, 8)), radius_px=0.0, filter_sigma_px=0.5, n_samples=2, rng=0)
    with pytest.raises(ValueError, match="n_samples"):
        gb.render_boolean_grain(np.zeros((8, 8)), radius_px=1.0, filter_sigma_px=0.5, n_samples=0, rng=0)


# --- issue criterion: fast-model NPS vs Boolean NPS --------------------------------------------------
def _one_over_e(u: float, r: float, s: float) -> float:
    d = np.linspace(0, 2 * r + 6 * s, 4001)
    c = gb.filtered_covariance(d, u, r, s)
    return float(np.interp(-math.exp(-1.0), -c / c[0], d))  # c decreases monotonically: one 1/e crossing


def test_fast_model_nps_matches_boolean_in_90_percent_band() -> None:
    # the shared statistic the docs gallery plots (u = 0.9, R = 2 px, PSF 0.8 px, 64 samples, 6 patches)
    checks = boolean_nps_check(coverage=0.9, radius_px=2.0, filter_sigma_px=0.8, n_samples=64, patches=6)
    assert len(checks) >= 4
    assert all(c.passed for c in checks), [str(c) for c in checks]


# --- Grain(model="boolean") -----------------------------------------------------------------------------
FINE = Medium(gauge="super8", scan_width_px=8192)  # 0.71 µm/px: calibrated grains of 0.4–0.5 px


def test_contract(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(gb, "DEFAULT_MAX_SAMPLES", 4)  # the contract, not the statistics: keep it quick
    check_transform_contract(Grain(model="boolean"), FINE, size=(24, 32), clip_len=3)


def test_settings_match_stock_correlation_length_and_granularity() -> None:
    sigma, um = 0.016, 0.71
    ell = 4.0 / um
    r, s, n = gb.boolean_grain_settings(sigma, ell, um)
    u = 0.9
    assert _one_over_e(u, r, s) == pytest.approx(ell, rel=0.01)
    # σ_D at 48 µm, D = 1, from the closed form: Var T = ∫C / A, σ_D = σ_T / (T ln 10)
    x = np.linspace(0, 2 * r, 4001)
    var_t = float(np.trapezoid(_cov(x, u, r) * 2 * np.pi * x, x)) / (math.pi * (24.0 / um) ** 2)
    assert math.sqrt(var_t) / (0.1 * math.log(10)) == pytest.approx(sigma, rel=0.01)
    assert 16 <= n <= gb.DEFAULT_MAX_SAMPLES


def test_grain_boolean_preserves_mean_and_refuses_coarse_scans(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(gb, "DEFAULT_MAX_SAMPLES", 16)
    img = np.full((1, 64, 64, 1), 0.5, np.float32)
    out = FilmPipeline([Grain(model="boolean")], seed=1, medium=FINE)(img)
    from filmdegrade.colour import srgb_to_linear

    lin = lambda a: srgb_to_linear(np.repeat(a, 3, axis=-1))[..., 0]  # noqa: E731
    assert float(lin(out).mean()) == pytest.approx(float(lin(img).mean()), rel=0.05)
    assert out.std() > 0.0
    with pytest.raises(ValueError, match="scan finer"):
        FilmPipeline([Grain(model="boolean")], seed=1, medium=Medium(gauge="35mm_full"))(
            np.full((1, 512, 512, 1), 0.5, np.float32))
