"""Tests of the temporal measurements (mean-density series, autocorrelation, frame shifts)."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from filmdegrade.colour import linear_to_srgb
from filmdegrade.measure.temporal import autocorrelation, flicker_stats, frame_shifts, mean_density_series


def test_mean_density_of_known_transmittance() -> None:
    t = np.array([0.5, 0.1, 0.01], np.float32)
    srgb = linear_to_srgb(np.repeat(t[:, None], 3, axis=1))  # (3, 3)
    clip = np.broadcast_to(srgb[:, None, None, :], (3, 4, 5, 3))
    np.testing.assert_allclose(mean_density_series(clip), -np.log10(t), atol=1e-4)
    grey = np.ascontiguousarray(clip[..., :1])
    np.testing.assert_allclose(mean_density_series(grey), -np.log10(t), atol=1e-4)
    u8 = np.rint(clip * 255).astype(np.uint8)
    np.testing.assert_allclose(mean_density_series(u8), -np.log10(t), atol=0.02)


def test_autocorrelation_of_known_series() -> None:
    rng = np.random.default_rng(0)
    x = np.empty(20000)
    x[0] = rng.standard_normal()
    for i in range(1, x.size):
        x[i] = 0.6 * x[i - 1] + np.sqrt(1 - 0.36) * rng.standard_normal()
    assert autocorrelation(x, 1) == pytest.approx(0.6, abs=0.02)
    assert autocorrelation(x, 2) == pytest.approx(0.36, abs=0.03)
    assert autocorrelation(x, 0) == pytest.approx(1.0)
    alt = np.tile([1.0, -1.0], 50)
    assert autocorrelation(alt, 1) == pytest.approx(-0.99)
    assert np.isnan(autocorrelation(np.ones(5)))
    with pytest.raises(ValueError, match="lag"):
        autocorrelation(x[:3], 3)


def test_flicker_stats_fields() -> None:
    clip = np.full((10, 4, 4, 3), 0.5, np.float32)
    clip[::2] = 0.6
    st = flicker_stats(clip)
    assert st.series.shape == (10,) and st.lag == 1
    assert st.autocorrelation < -0.8 and st.std > 0


def test_frame_shifts_recovers_known_translations() -> None:
    rng = np.random.default_rng(3)
    img = cv2.GaussianBlur(rng.random((64, 96)).astype(np.float32), (0, 0), 1.5)
    truth = rng.normal(0, 3, size=(30, 2))
    clip = np.stack([
        cv2.warpAffine(img, np.float32([[1, 0, dx], [0, 1, dy]]), (96, 64), flags=cv2.INTER_LINEAR,
                       borderMode=cv2.BORDER_REFLECT_101) for dx, dy in truth
    ])
    sh = frame_shifts(clip, img)
    assert np.abs(sh - truth).max() < 0.3
    assert np.sqrt(np.mean((sh - truth) ** 2)) < 0.1
    # deterministic (repeated calls agree) and frame-to-frame mode
    np.testing.assert_array_equal(frame_shifts(clip, img), sh)
    cons = frame_shifts(clip, consecutive=True)
    assert np.all(cons[0] == 0)
    assert np.abs(cons[1:] - np.diff(truth, axis=0)).max() < 0.4


def test_frame_shifts_rejects_bad_reference() -> None:
    with pytest.raises(ValueError, match="reference"):
        frame_shifts(np.zeros((2, 8, 8)), np.zeros((4, 4)))
