"""Tests of the bandwidth / SNR / delay measurements on signals with known answers."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.ndimage import gaussian_filter1d, shift

from filmdegrade.measure.bandwidth import (
    bottom_band_lines,
    chroma_delay,
    cpw_to_mhz,
    cutoff_frequency,
    flat_field_snr,
    mhz_to_cpw,
    sweep_pattern,
    sweep_response,
)


def test_mhz_cpw_round_trip():
    assert mhz_to_cpw(3.0, 52.6) == pytest.approx(157.8)
    assert cpw_to_mhz(157.8, 52.6) == pytest.approx(3.0)


@pytest.mark.parametrize("sigma", [1.0, 2.5])
def test_sweep_measures_a_gaussian_blur(sigma):
    w, h = 720, 400
    freqs = np.linspace(5, 300, 60)
    img, band = sweep_pattern(w, h, freqs)
    out = gaussian_filter1d(img, sigma, axis=1, mode="reflect")
    r = sweep_response(img, out, band, freqs)
    want = np.exp(-2 * (np.pi * sigma * freqs / w) ** 2)
    assert np.max(np.abs(r - want)) < 0.02
    # −3 dB of a Gaussian: f = sqrt(ln 2 / 4) / (π σ) cycles per pixel
    f3 = np.sqrt(np.log(2) / 4) / (np.pi * sigma) * w
    assert cutoff_frequency(freqs, r) == pytest.approx(f3, rel=0.02)
    f50 = np.sqrt(np.log(2) / 2) / (np.pi * sigma) * w
    assert cutoff_frequency(freqs, r, 0.5) == pytest.approx(f50, rel=0.02)


def test_cutoff_nan_when_never_below():
    assert np.isnan(cutoff_frequency(np.arange(5.0), np.ones(5)))


def test_flat_field_snr():
    rng = np.random.default_rng(0)
    field = 0.5 + 10 ** (-40 / 20) * rng.standard_normal((200, 300))
    assert flat_field_snr(field) == pytest.approx(40.0, abs=0.1)


@pytest.mark.parametrize("d", [0.0, 2.0, -3.3, 5.6])
def test_chroma_delay_of_shifted_edges(d):
    e = np.zeros((32, 400))
    e[:, 150:] = 1.0
    e[:, 260:] = 0.3
    y = gaussian_filter1d(e, 1.0, axis=1)
    c = shift(gaussian_filter1d(e, 6.0, axis=1), (0, d), order=3, mode="nearest")
    assert chroma_delay(y, c) == pytest.approx(d, abs=0.15)


def test_bottom_band_lines():
    a = np.zeros((50, 20))
    b = a.copy()
    b[-7:, 3] = 1
    assert bottom_band_lines(b, a) == (7, 0)
    b[10, 0] = 1
    assert bottom_band_lines(b, a) == (7, 1)
