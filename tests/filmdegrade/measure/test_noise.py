"""Noise level, noise versus intensity and (with granularity.correlation_length) noise correlation."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
import skimage.data

from filmdegrade.measure.granularity import correlation_length
from filmdegrade.measure.noise import flat_residuals, noise_sigma, noise_vs_intensity

CAMERA = skimage.data.camera().astype(np.float32) / 255.0


@pytest.mark.parametrize("sigma", [0.01, 0.03])
def test_noise_sigma_on_a_photo(sigma):
    rng = np.random.default_rng(0)
    x = np.clip(CAMERA + rng.normal(0, sigma, CAMERA.shape).astype(np.float32), 0, 1)
    assert noise_sigma(x) == pytest.approx(sigma, rel=0.12)


def test_correlation_length_grows_with_blur():
    rng = np.random.default_rng(1)
    ells = []
    for s in (1.0, 2.0):
        n = cv2.GaussianBlur(rng.normal(0, 1, CAMERA.shape).astype(np.float32), (0, 0), s)
        res, _ = flat_residuals(np.clip(CAMERA + 0.03 * n / n.std(), 0, 1))
        ells.append(correlation_length(res))
    assert 1.0 < ells[0] < ells[1]


def test_noise_vs_intensity_sees_signal_dependence():
    # Noise proportional to the level (like grain seen in transmittance) versus constant noise.
    levels = np.repeat(np.linspace(0.15, 0.85, 8, dtype=np.float32), 32)[None].repeat(256, 0)
    rng = np.random.default_rng(2)
    prop = np.clip(levels + rng.normal(0, 1, levels.shape).astype(np.float32) * 0.04 * levels, 0, 1)
    curve = noise_vs_intensity(prop, bins=4, fraction=1.0)
    ok = curve.count > 0
    assert ok.sum() >= 3
    s = curve.sigma[ok]
    assert (np.diff(s) > 0).all()
    assert set(curve.to_dict()) == {"intensity", "sigma", "count"}
    with pytest.raises(ValueError, match="bins"):
        noise_vs_intensity(prop, bins=[0.5, 0.2])
