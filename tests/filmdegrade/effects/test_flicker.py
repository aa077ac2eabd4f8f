"""Tests of the flicker effect: contract, kernel accuracy, and the measured AR(1) statistics."""

from __future__ import annotations

import numpy as np
import pytest

from filmdegrade import FilmPipeline, Medium
from filmdegrade.colour import linear_to_srgb, srgb_to_linear
from filmdegrade.effects.base import ClipContext
from filmdegrade.effects.flicker import (
    Flicker,
    FlickerParams,
    apply_density_offset,
    ar1_series,
    density_gains,
)
from filmdegrade.measure.temporal import flicker_stats, mean_density_series
from tests.filmdegrade.contract import check_transform_contract

GREY = np.full((200, 16, 16, 3), 0.5, np.float32)  # flat mid-grey clip, 200 frames


def test_contract_uniform() -> None:
    check_transform_contract(Flicker(), Medium(gauge="super8"))


def test_contract_uneven_drifting() -> None:
    medium = Medium(gauge="16mm", stock="plus_x_reversal")
    check_transform_contract(Flicker(uneven=True, uneven_drift=0.05), medium)


@pytest.mark.parametrize("uneven", [False, True])
def test_in_place_over_many_bands_equals_apply(uneven: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    # In place, a band of rows is written while later bands are still to be read: with bands of four rows
    # (30 per frame), the result must still equal apply's exactly.
    from filmdegrade.effects import flicker as mod

    monkeypatch.setattr(mod, "_BAND_FLOATS", 2000)
    flicker = Flicker(uneven=uneven, uneven_drift=0.1)
    ctx = ClipContext(n_frames=3, height=121, width=160, channels=3, medium=Medium(gauge="16mm"))
    params = flicker.sample_params(np.random.default_rng(4), ctx)
    x = np.random.default_rng(5).random((3, 121, 160, 3), dtype=np.float32)
    ref, _ = flicker.apply(x, params)
    got, _ = flicker.apply_in_place(x.copy(), params)
    np.testing.assert_array_equal(got, ref)


@pytest.mark.parametrize("delta", [-0.3, -0.1, 0.03, 0.1, 0.3])
def test_kernel_matches_exact_density_offset(delta: float) -> None:
    x = np.random.default_rng(0).random((32, 32, 3), dtype=np.float32)
    exact = np.clip(linear_to_srgb(srgb_to_linear(x) * np.float32(10.0**-delta)), 0, 1)
    bound = 2e-4 if abs(delta) <= 0.1 else 1.6e-3  # documented in the module docstring
    assert np.abs(apply_density_offset(x, delta) - exact).max() <= bound
    # per-pixel field path, with darkening and brightening pixels in one frame
    d = np.full(x.shape, delta, np.float32)
    d[:16] *= -1
    g, s = density_gains(d)
    exact_f = np.clip(linear_to_srgb(srgb_to_linear(x) * g), 0, 1)
    assert np.abs(apply_density_offset(x, gain=g, gain_s=s) - exact_f).max() <= bound


def test_flat_frame_density_shift_is_exact() -> None:
    # On a flat mid-grey frame the measured mean-density change equals the sampled offset.
    pipe = FilmPipeline([Flicker(0.05, 0.5)], seed=3)
    s = pipe.sample(GREY[:20])
    offsets = np.asarray(s.record.params_of("flicker")[0]["delta_density"]["__ndarray__"])
    measured = mean_density_series(s.image) - mean_density_series(GREY[:1])[0]
    np.testing.assert_allclose(measured, offsets, atol=2e-4)


def test_ar1_series_is_stationary_from_frame_zero() -> None:
    z = np.random.default_rng(1).standard_normal((4000, 3))
    first = np.array([ar1_series(z[i : i + 1, 0], 0.05, 0.8)[0] for i in range(4000)])
    assert abs(first.std() / 0.05 - 1) < 0.05  # frame 0 already has the stationary spread


def test_acceptance_one_clip() -> None:
    # Issue criterion on one 200-frame clip (seed 0, the first one tried): lag-1 autocorrelation
    # within ±0.1 and std within ±15 % of the configuration.
    st = flicker_stats(FilmPipeline([Flicker(0.03, 0.5)], seed=0)(GREY))
    assert abs(st.std / 0.03 - 1) <= 0.15, st.std
    assert abs(st.autocorrelation - 0.5) <= 0.1, st.autocorrelation


@pytest.mark.parametrize(("sigma", "phi"), [(0.03, 0.5), (0.08, 0.9), (0.02, 0.0)])
def test_acceptance_pooled_over_seeds(sigma: float, phi: float) -> None:
    # One 200-frame clip's estimates scatter (std ±7 %, lag-1 ±0.06 at phi = 0.5), so also check the
    # average over 20 clips, whose scatter is √20 smaller: a wrong process would shift it.
    stats = [flicker_stats(FilmPipeline([Flicker(sigma, phi)], seed=s)(GREY)) for s in range(20)]
    n = GREY.shape[0]
    # Expected sample variance of a correlated series: (n σ² - n Var(mean)) / (n - 1) (< σ² for phi > 0).
    lags = np.abs(np.subtract.outer(np.arange(n), np.arange(n)))
    expected_var = sigma**2 * (n - (phi**lags).sum() / n) / (n - 1)
    std_ratio = np.sqrt(np.mean([st.std**2 for st in stats]) / expected_var)
    ac = np.mean([st.autocorrelation for st in stats])
    bias = -(1 + 4 * phi) / n  # small-sample bias of the lag-1 estimator
    assert abs(std_ratio - 1) <= 0.06, std_ratio
    assert abs(ac - (phi + bias)) <= 0.05, ac


def test_uneven_field_varies_across_frame_but_not_mean() -> None:
    x = GREY[:8]
    out = FilmPipeline([Flicker(0.0, 0.5, uneven=True, uneven_strength=0.05)], seed=2)(x)
    dens = -np.log10(srgb_to_linear(out)[..., 0])
    d0 = -np.log10(srgb_to_linear(x[:1])[..., 0]).mean()
    spatial_rms = dens[0].std()
    assert 0.02 < spatial_rms < 0.08  # configured 0.05 on the grid nodes; interpolation smooths it
    assert abs(dens[0].mean() - d0) < 0.01  # zero-mean field
    np.testing.assert_allclose(dens[0], dens[-1], atol=1e-6)  # static without drift


def test_uneven_drift_changes_pattern() -> None:
    x = GREY[:40]
    out = FilmPipeline([Flicker(0.0, 0.5, uneven=True, uneven_strength=0.05, uneven_drift=0.1)], seed=2)(x)
    assert np.abs(out[0] - out[-1]).max() > 0.01
    assert np.abs(out[0] - out[1]).max() < np.abs(out[0] - out[-1]).max()  # slow: neighbours agree more


def test_no_masks_and_validation() -> None:
    _, masks = Flicker().apply(GREY[:2], Flicker().sample_params(np.random.default_rng(0), _ctx()))
    assert masks == {}
    with pytest.raises(ValueError, match="correlation"):
        Flicker(correlation=1.5)
    with pytest.raises(TypeError, match="uneven"):
        Flicker(uneven="yes")  # type: ignore[arg-type]


def _ctx():
    from filmdegrade.effects.base import ClipContext

    return ClipContext(n_frames=2, height=16, width=16, channels=3, medium=Medium())


@pytest.mark.parametrize(("channels", "band_rows"), [(3, 10), (1, 10), (3, 1000)])
def test_banded_uneven_matches_whole_frame_maps(
    channels: int, band_rows: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Flicker.apply upsamples the gain maps a band of rows at a time (and skips the median where a band
    # only darkens or only brightens): it must equal full-size maps fed to the public kernel.
    from filmdegrade.effects import flicker as mod

    monkeypatch.setattr(mod, "_BAND_FLOATS", band_rows * 160 * channels)  # 10 rows: 24 bands; 1000: one
    t, h, w = 3, 237, 160
    x = np.random.default_rng(4).random((t, h, w, channels), dtype=np.float32)
    ctx = ClipContext(n_frames=t, height=h, width=w, channels=channels, medium=Medium())
    tr = Flicker(0.05, 0.5, uneven=True, uneven_strength=0.05, uneven_drift=0.2)
    p = tr.sample_params(np.random.default_rng(8), ctx)
    # Frame offsets that make every band darken (+0.2), brighten (-0.2), or mix both (0).
    p = FlickerParams(delta_density=np.array([0.2, -0.2, 0.0]), uneven_grid=p.uneven_grid)
    out, _ = tr.apply(x, p)
    kinds = set()  # band kinds met: 1 darkening only, -1 brightening only, 0 mixed
    for i in range(t):
        g, s = density_gains(p.uneven_grid[i] + np.float32(p.delta_density[i]))
        g_full, s_full = (mod._upsample_grid(a, h, w)[..., None].repeat(channels, -1) for a in (g, s))
        kinds |= {1 if b.max() <= 1 else (-1 if b.min() >= 1 else 0) for b in np.array_split(g_full, 24)}
        ref = apply_density_offset(x[i], gain=g_full, gain_s=s_full)
        np.testing.assert_allclose(out[i], ref, atol=3e-6)
    assert kinds == {1, -1, 0}  # every branch of the kernel was exercised
