"""Tests of filmdegrade.validation: the calibrated-vs-measured checks the documentation gallery plots.

Each test makes the same call as the gallery and asserts ``check.passed``, so a figure and the suite can
not disagree. The Check helpers themselves are tested so a check that always passes would be caught.
"""

from __future__ import annotations

import math
import os

import numpy as np
import pytest

from filmdegrade import validation as v
from filmdegrade.media import get_stock

PUBLISHED = ["kodachrome_25", "kodachrome_64", "kodachrome_200", "ektachrome_100", "ektachrome_400hc",
             "ektachrome_e100", "velvia_50", "provia_100f", "eastman_double_x"]


# --- the Check helper ---------------------------------------------------------------------------------------
def test_check_band_and_verdict() -> None:
    c = v._check("x", 10.5, 10.0, rel=0.1, unit="u")
    assert (c.lower, c.upper, c.tolerance, c.passed) == (9.0, 11.0, 1.0, True)
    assert not v._check("x", 11.2, 10.0, rel=0.1).passed
    assert not v._check("x", float("nan"), 10.0, rel=0.1).passed
    low = v._check("x", 0.5, 0.6, abs_tol=0.0, one_sided="min")
    assert not low.passed and low.upper == math.inf
    assert v._check("x", 0.05, 0.1, abs_tol=0.0, one_sided="max").passed
    assert "FAIL" in str(v._check("x", 2.0, 1.0, abs_tol=0.5))


def test_plot_checks_draws_every_check() -> None:
    plt = pytest.importorskip("matplotlib.pyplot")
    checks = [v._check("a", 1.0, 1.0, rel=0.1),
              v._check("b", float("nan"), 2.0, abs_tol=0.1, one_sided="min")]
    ax = v.plot_checks(checks)
    assert len(ax.get_xticklabels()) == 2
    plt.close("all")


# --- grain ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("stock", PUBLISHED)
def test_granularity_published_stocks(stock: str) -> None:
    c = v.granularity_check(stock, "super8", 1440)
    assert c.target == get_stock(stock).rms_granularity
    assert c.passed, c


@pytest.mark.parametrize(
    "gauge, width", [("super8", 2880), ("16mm", 2048), ("16mm", 4096), ("35mm_academy", 4096)]
)
def test_granularity_other_scans(gauge: str, width: int) -> None:
    c = v.granularity_check("kodachrome_25", gauge, width)
    assert c.passed, c


def test_granularity_check_can_fail() -> None:
    # A wrong aperture (the value is quoted at 48 µm) must fall outside the band.
    assert not v.granularity_check("kodachrome_25", aperture_um=96.0).passed


def test_selwyn() -> None:
    checks = v.selwyn_check()
    assert len(checks) == 5
    assert all(c.passed for c in checks), [str(c) for c in checks]


def test_sigma_versus_density() -> None:
    checks = v.sigma_density_check()
    assert all(c.passed for c in checks), [str(c) for c in checks]
    # the targets really vary with density (β = 0.5 for this stock)
    assert checks[-1].target > 1.4 * checks[2].target


def test_grain_spectra_models() -> None:
    spectra = v.grain_spectra()
    assert list(spectra) == ["fast"]
    f, nps = spectra["fast"]
    assert f.shape == nps.shape and nps[1] > nps[-1]  # correlated grain: power falls with frequency


# --- scratches and dust -----------------------------------------------------------------------------------
@pytest.mark.parametrize("gauge", ["regular8", "super8", "16mm", "35mm_academy"])
def test_scratch_angle(gauge: str) -> None:
    c = v.scratch_angle_check(gauge)
    assert c.details["angles"].size >= 3
    assert np.all(np.abs(c.details["angles"] - c.target) <= c.tolerance), c.details["angles"]
    assert c.passed, c


def test_scratch_persistence() -> None:
    c = v.scratch_persistence_check("super8")
    assert c.passed, c


def test_scratch_drift() -> None:
    c = v.scratch_drift_check("super8", 12.0)
    assert c.passed, c
    assert c.measured > 0.3 * c.target  # it does move


def test_dust_is_impulsive() -> None:
    c = v.dust_check("super8")
    assert c.details["counts"].mean() > 2
    assert c.passed, c


# --- flicker, weave, fading, tape -------------------------------------------------------------------------
def test_flicker() -> None:
    checks = v.flicker_check(0.03, 0.5)
    assert all(c.passed for c in checks), [str(c) for c in checks]


def test_weave_independent_and_correlated() -> None:
    for corr in (0.0, 0.7):
        checks = v.weave_check("super8", correlation=corr)
        assert all(c.passed for c in checks), [str(c) for c in checks]


def test_fading_anchors() -> None:
    checks = v.fading_anchor_checks()
    assert len(checks) == len(v.FADING_ANCHORS)
    assert all(c.passed for c in checks), [str(c) for c in checks]
    kodachrome = checks[1].details["losses"]
    assert kodachrome[2] == max(kodachrome)  # yellow least stable in the dark


def test_fading_trajectory_pre1982_turns_red() -> None:
    ab = v.fading_trajectory("eastmancolor_print_pre1982", [0, 10, 40])
    assert abs(ab[0, 0]) < 0.5 and np.all(np.diff(ab[:, 0]) > 0)
    hot = v.fading_trajectory("eastmancolor_print_pre1982", [10], storage_c=30.0)
    assert hot[0, 0] > ab[1, 0]  # warmer storage fades faster (Arrhenius)


@pytest.mark.parametrize("fmt", ["vhs_sp", "vhs_ep", "svhs", "betamax"])
def test_tape_bandwidth(fmt: str) -> None:
    checks = v.tape_bandwidth_check(fmt)
    assert all(c.passed for c in checks), [str(c) for c in checks]


def test_tape_snr() -> None:
    checks = v.tape_snr_check("vhs_sp")
    assert all(c.passed for c in checks), [str(c) for c in checks]


# --- real footage -----------------------------------------------------------------------------------------
# Statistics the calibration reproduces within ±15 % on the Market Street clip. Grain correlation length
# and the scratch statistics are not reproduced yet (see the gallery page): they are reported, not asserted.
REPRODUCED = ["grain: noise sigma", "flicker: mean density std", "flicker: lag-1 autocorrelation",
              "weave: frame jitter rms dx", "dust: blotches per frame"]


@pytest.mark.slow
@pytest.mark.realdata
def test_real_footage_comparison() -> None:
    if v.real_footage_dir() is None:
        if os.environ.get("CI"):
            pytest.fail("real footage missing under CI")
        pytest.skip("real footage not available")
    pytest.importorskip("filmdegrade.calibrate")
    checks = {c.name: c for c in v.real_footage_comparison()}
    for name in REPRODUCED:
        assert checks[name].passed, checks[name]


def test_boolean_nps_check_is_what_the_gallery_shows():
    from filmdegrade.validation import boolean_nps_check

    checks = boolean_nps_check()
    assert len(checks) >= 4
    assert all(c.passed for c in checks), [str(c) for c in checks if not c.passed]
