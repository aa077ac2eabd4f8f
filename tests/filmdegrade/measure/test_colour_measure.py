"""Tests for filmdegrade.measure.colour against colour-science and known constructions."""

from __future__ import annotations

import colour
import numpy as np
import pytest

from filmdegrade import colour as fc
from filmdegrade.measure.colour import (
    colour_cast,
    dye_densities,
    dye_density_balance,
    lab_shift,
    mean_lab,
    neutral_mask,
)

D65 = colour.CCS_ILLUMINANTS["CIE 1931 2 Degree Standard Observer"]["D65"]


def _from_lab(lab: tuple[float, float, float], size: int = 8) -> np.ndarray:
    xyz = colour.Lab_to_XYZ(np.array(lab, np.float64), D65)
    rgb = colour.XYZ_to_sRGB(xyz, illuminant=D65, chromatic_adaptation_transform=None)
    return np.broadcast_to(rgb.astype(np.float32), (size, size, 3)).copy()


@pytest.mark.parametrize("lab", [(50.0, 7.0, -4.0), (70.0, -3.0, 12.0)])
def test_cast_and_mean_lab_of_uniform_patch(lab: tuple[float, float, float]) -> None:
    img = _from_lab(lab)
    a, b = colour_cast(img)
    assert a == pytest.approx(lab[1], abs=0.05) and b == pytest.approx(lab[2], abs=0.05)
    assert np.allclose(mean_lab(img), lab, atol=0.05)


def test_cast_under_mask_and_neutral_mask() -> None:
    img = _from_lab((60.0, 0.0, 0.0), 16)
    img[:, 8:] = _from_lab((60.0, 30.0, 20.0), 16)[:, 8:]
    m = neutral_mask(img)[0]
    assert m[:, :8].all() and not m[:, 8:].any()
    assert colour_cast(img, m) == pytest.approx((0.0, 0.0), abs=0.05)
    assert colour_cast(img, ~m)[0] == pytest.approx(30.0, abs=0.05)
    with pytest.raises(ValueError, match="no pixels"):
        colour_cast(img, np.zeros((16, 16), bool))


def test_lab_shift_matches_colour_science() -> None:
    rng = np.random.default_rng(0)
    a = rng.uniform(0.05, 0.95, (32, 32, 3)).astype(np.float32)
    b = np.clip(a * np.float32([1.05, 0.95, 0.9]), 0, 1)
    s = lab_shift(a, b)
    la = colour.XYZ_to_Lab(colour.sRGB_to_XYZ(a.astype(np.float64), D65, None), D65)
    lb = colour.XYZ_to_Lab(colour.sRGB_to_XYZ(b.astype(np.float64), D65, None), D65)
    d = (lb - la).reshape(-1, 3).mean(axis=0)
    assert [s["dL"], s["da"], s["db"]] == pytest.approx(list(d), abs=0.02)
    assert s["dE00"] == pytest.approx(float(colour.delta_E(la, lb, method="CIE 2000").mean()), abs=0.02)


def test_dye_balance_recovers_per_dye_scaling() -> None:
    rng = np.random.default_rng(1)
    x = rng.uniform(0.1, 0.9, (32, 32, 3)).astype(np.float32)
    m = np.array([[1.0, 0.1, 0.0], [0.1, 1.0, 0.1], [0.0, 0.3, 1.0]])
    a = dye_densities(x, m)
    f = np.array([0.6, 0.9, 0.8])
    d = (a.reshape(-1, 3) * f) @ m.T  # faded integral density
    y = fc.linear_to_srgb(10.0 ** -d).reshape(x.shape)
    ratio = dye_density_balance(y, m) / dye_density_balance(x, m)
    assert np.allclose(ratio, f, atol=2e-3), ratio
    # identity crosstalk gives the plain channel densities
    lin = fc.srgb_to_linear(x)
    assert np.allclose(dye_densities(x)[0], -np.log10(lin), atol=1e-4)


def test_grey_input_rejected() -> None:
    with pytest.raises(ValueError, match="3-channel"):
        colour_cast(np.zeros((8, 8), np.uint8))
