"""Tests of filmdegrade.measure.granularity on synthetic fields with known statistics."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from scipy.ndimage import gaussian_filter

from filmdegrade.colour import linear_to_srgb
from filmdegrade.measure.granularity import (
    aperture_kernel,
    aperture_sigma_d,
    autocorrelation,
    correlation_length,
    noise_power_spectrum,
    power_band,
    rms_granularity,
    sigma_vs_density,
    srgb_to_density,
)


def _white(shape: tuple[int, ...], sigma: float, mean: float = 1.0, seed: int = 0) -> np.ndarray:
    return (mean + sigma * np.random.default_rng(seed).standard_normal(shape)).astype(np.float32)


@pytest.mark.parametrize("d", [1.0, 2.5, 4.5, 12.0, 24.0])
def test_aperture_kernel_area(d: float) -> None:
    k = aperture_kernel(d)
    assert k.shape[0] % 2 == 1 and abs(float(k.sum()) - 1) < 1e-5
    # effective area (Σw)²/Σw² approaches the disc area for large apertures
    area = 1.0 / float(np.sum(k.astype(np.float64) ** 2))
    if d >= 12.0:  # partial edge weights make small discs look larger
        assert area == pytest.approx(np.pi * d * d / 4, rel=0.08)


def test_aperture_too_small_or_too_large() -> None:
    with pytest.raises(ValueError):
        aperture_kernel(0.5)
    with pytest.raises(ValueError, match="does not fit"):
        aperture_sigma_d(np.ones((10, 10), np.float32), um_per_px=1.0, aperture_um=48.0)


def test_white_noise_sigma_follows_aperture_weights() -> None:
    sigma = 0.05
    d = _white((4, 256, 256), sigma)
    um = 4.0
    for ap in (24.0, 48.0, 96.0):
        expected = sigma * np.sqrt(np.sum(aperture_kernel(ap / um).astype(np.float64) ** 2))
        assert aperture_sigma_d(d, um, ap) == pytest.approx(expected, rel=0.06), ap
    assert rms_granularity(d, um) == pytest.approx(1000 * aperture_sigma_d(d, um), rel=1e-9)


def test_selwyn_on_white_noise() -> None:
    d = _white((4, 384, 384), 0.05, seed=1)
    um = 2.0
    vals = [aperture_sigma_d(d, um, ap) * np.sqrt(np.pi * ap**2 / 4) for ap in (24.0, 48.0, 96.0)]
    assert max(vals) / min(vals) < 1.1


def test_sigma_vs_density_recovers_steps() -> None:
    rng = np.random.default_rng(2)
    dens = np.array([0.5, 1.0, 2.0])
    sig = np.array([0.02, 0.04, 0.08])
    labels = np.repeat(np.arange(3), 100)[None, :].repeat(200, axis=0)
    img = (dens[labels] + sig[labels] * rng.standard_normal((3, 200, 300))).astype(np.float32)
    md, sd = sigma_vs_density(img, labels, um_per_px=4.0, aperture_um=16.0)
    ap = np.sqrt(np.sum(aperture_kernel(4.0).astype(np.float64) ** 2))
    np.testing.assert_allclose(sd, sig * ap, rtol=0.08)
    # mean density of the mean transmittance: slightly below the mean density for noisy steps
    np.testing.assert_allclose(md, dens, atol=0.01)


def test_correlation_length_of_filtered_noise() -> None:
    ell = 4.0  # rho = exp(-(r/ell)^2) <=> Gaussian kernel of std ell/2
    n = np.random.default_rng(3).standard_normal((4, 256, 256)).astype(np.float32)
    f = np.stack([gaussian_filter(x, ell / 2, mode="wrap") for x in n])
    assert correlation_length(f) == pytest.approx(ell, rel=0.05)
    acf = autocorrelation(f)
    assert acf[0, 0] == pytest.approx(1.0)
    assert acf[0, 4] == pytest.approx(np.exp(-1), abs=0.05)


def test_nps_flat_for_white_and_integrates_to_variance() -> None:
    sigma, um = 0.03, 5.0
    d = _white((4, 256, 256), sigma, seed=4)
    f, nps = noise_power_spectrum(d, um_per_px=um)
    assert f[-1] == pytest.approx(0.5 / um * 1000, rel=0.01)
    # periodogram bins are noisy (few rings at low frequency): check the level and the spread
    assert float(np.mean(nps[10:])) == pytest.approx(sigma**2 * um**2, rel=0.03)
    np.testing.assert_allclose(nps[10:], sigma**2 * um**2, rtol=0.2)
    # Parseval: the 2-D integral of the NPS is the variance
    df = (f[1] - f[0]) / 1000.0  # cycles/µm
    ring = 2 * np.pi * (f / 1000.0) * df
    # the rings cover the disc of radius Nyquist: π/4 of the square frequency plane
    assert float(np.sum(nps * ring)) == pytest.approx(sigma**2 * np.pi / 4, rel=0.05)
    lo, hi = power_band(f, nps, 0.9)
    assert lo == 0 and 0.8 * f[-1] < hi <= f[-1]
    # a blurred field concentrates its power at low frequencies
    b = np.stack([cv2.GaussianBlur(x, (0, 0), 3.0) for x in d])
    fb, nb = noise_power_spectrum(b, um_per_px=um)
    assert power_band(fb, nb, 0.9)[1] < 0.3 * hi


def test_srgb_to_density() -> None:
    x = float(linear_to_srgb(np.full(3, 0.1, np.float32))[0])
    img = np.full((2, 4, 4, 3), x, np.float32)
    np.testing.assert_allclose(srgb_to_density(img), 1.0, atol=1e-4)
    np.testing.assert_allclose(srgb_to_density(img, visual=True), 1.0, atol=1e-4)
    assert srgb_to_density(img, visual=True).shape == (2, 4, 4)
    np.testing.assert_allclose(srgb_to_density(img[..., 0]), 1.0, atol=1e-4)
    u8 = np.full((4, 4, 3), 255, np.uint8)
    np.testing.assert_allclose(srgb_to_density(u8), 0.0, atol=1e-5)
