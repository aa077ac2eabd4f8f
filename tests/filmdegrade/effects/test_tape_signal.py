"""Tests of the tape model's scanline signal kernels (filmdegrade.effects.tape_signal)."""

from __future__ import annotations

import numpy as np
from scipy.signal import lfilter, lfilter_zi

from filmdegrade.effects.tape_signal import _emphasis_coeffs, _first_order, _uniform_noise


def test_emphasis_filters_start_in_steady_state():
    b, a = _emphasis_coeffs(10 ** (8 / 20), 13.7)
    x = np.random.default_rng(0).random((4, 300)).astype(np.float32)
    for bb, aa in ((b, a), (a, b)):  # pre-emphasis and its inverse
        ref, _ = lfilter(bb, aa, x.astype(np.float64), axis=1, zi=lfilter_zi(bb, aa)[None, :] * x[:, :1])
        np.testing.assert_allclose(_first_order(bb, aa, x), ref, atol=2e-6)
    # a constant line passes unchanged (no start-up transient)
    flat = np.full((1, 50), 0.7, np.float32)
    np.testing.assert_allclose(_first_order(b, a, flat), flat, atol=1e-6)


def test_uniform_noise_has_the_requested_rms():
    n = _uniform_noise(np.random.default_rng(3), (2, 400, 333), 0.05)
    assert n.shape == (2, 400, 333) and n.dtype == np.float32
    assert abs(float(n.mean())) < 5e-4
    assert abs(float(n.std()) / 0.05 - 1) < 0.01
    assert n.min() >= -0.05 * np.sqrt(3) and n.max() <= 0.05 * np.sqrt(3)
