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


def _rectangles(seed: int = 0, size: int = 512) -> np.ndarray:
    rng = np.random.default_rng(seed)
    img = np.full((size, size), 0.5, np.float32)
    for _ in range(60):
        x0, y0 = rng.integers(0, size - 32, 2)
        ww, hh = rng.integers(30, 120, 2)
        img[y0 : y0 + hh, x0 : x0 + ww] = rng.uniform(0.1, 0.9)
    return img


@pytest.mark.parametrize("sigma", [0.7, 1.0, 1.5])
def test_edge_mtf_of_a_gaussian_blur(sigma):
    from filmdegrade.measure.bandwidth import edge_cutoff

    rng = np.random.default_rng(1)
    img = gaussian_filter1d(_rectangles(), sigma, axis=1) + rng.normal(0, 0.005, (512, 512))
    f3 = np.sqrt(np.log(2)) / (2 * np.pi * sigma)  # −3 dB of a Gaussian, cycles/px
    assert edge_cutoff(img) == pytest.approx(f3, rel=0.1)


def test_edge_mtf_without_edges_is_nan():
    from filmdegrade.measure.bandwidth import edge_mtf

    _f, m, n = edge_mtf(np.full((64, 64), 0.5))
    assert n == 0 and np.isnan(m).all()


@pytest.mark.parametrize("sigma", [0.6, 0.8])
def test_noise_response_of_line_filtered_noise(sigma):
    # (cut-offs 0.22 and 0.17 cycles/px: the range where 32-px patches resolve the reference band)
    from filmdegrade.measure.bandwidth import noise_cutoff

    # Noise made along the lines and then low-passed along them only (the tape model), in flat patches.
    rng = np.random.default_rng(2)
    res = gaussian_filter1d(rng.standard_normal((200, 32, 96)), sigma, axis=2)[:, :, 32:64]
    f3 = np.sqrt(np.log(2)) / (2 * np.pi * sigma)
    assert noise_cutoff(res) == pytest.approx(f3, rel=0.12)
    # isotropic noise has no horizontal cut-off
    assert noise_cutoff(rng.standard_normal((200, 32, 32))) == 0.5


def _tape_frame(name: str, lines: int) -> np.ndarray:
    import cv2
    import skimage.data

    from filmdegrade import FilmPipeline

    img = cv2.resize(getattr(skimage.data, name)(), (640, 480), interpolation=cv2.INTER_AREA)
    img = np.dstack([img] * 3) if img.ndim == 2 else img
    node = {"name": "tape", "format": "vhs_sp", "head_switch_lines": lines, "tracking": 0.0}
    node["dropouts_per_s"] = 0.0
    return FilmPipeline.from_dict({"medium": {"tape": "vhs_sp"}, "transforms": [node]})(img, index=0)


@pytest.mark.parametrize("name", ["astronaut", "camera"])
def test_head_switch_band_from_the_frame_alone(name):
    import cv2
    import skimage.data

    from filmdegrade.measure.bandwidth import head_switch_band

    for lines in (8, 20):
        assert head_switch_band(_tape_frame(name, lines)) == lines
    assert head_switch_band(_tape_frame(name, 0)) == 0  # tape noise but no switching
    clean = cv2.resize(getattr(skimage.data, name)(), (640, 480), interpolation=cv2.INTER_AREA)
    assert head_switch_band(clean) == 0
