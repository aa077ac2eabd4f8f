"""Tests for filmdegrade.colour against colour-science (the reference) and closed-form properties."""

from __future__ import annotations

import colour
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from filmdegrade import colour as fc

D65 = colour.CCS_ILLUMINANTS["CIE 1931 2 Degree Standard Observer"]["D65"]
N = 20_000


@pytest.fixture(scope="module")
def srgb() -> np.ndarray:
    rng = np.random.default_rng(20240607)
    x = rng.random((N, 3))
    # Corners, greys and the sRGB/Lab branch thresholds, where piecewise bugs hide.
    edges = np.array([0.0, 1.0, 0.04045, 0.04045 - 1e-7, 0.04045 + 1e-7, 1e-4, 0.5, 0.999])
    corners = np.stack(np.meshgrid(edges, edges, edges), -1).reshape(-1, 3)
    return np.concatenate([x, corners])


def _cs_srgb_to_xyz(rgb: np.ndarray, derived: bool = False) -> np.ndarray:
    # No chromatic adaptation: sRGB's own white is D65, and the Lab white below is the same D65.
    if not derived:
        return colour.sRGB_to_XYZ(rgb, illuminant=D65, chromatic_adaptation_transform=None)
    # colour-science's sRGB uses the IEC 4-decimal matrix; this copy derives it from the primaries,
    # which is what filmdegrade does, so XYZ can be compared tightly.
    cs = colour.RGB_COLOURSPACES["sRGB"].copy()
    cs.use_derived_matrix_RGB_to_XYZ = True
    cs.use_derived_matrix_XYZ_to_RGB = True
    return colour.RGB_to_XYZ(rgb, cs, D65, None, apply_cctf_decoding=True)


# --------------------------------------------------------------------------------------------------
# Against colour-science
# --------------------------------------------------------------------------------------------------


def test_srgb_to_lab_matches_colour_science(srgb: np.ndarray) -> None:
    lab_ref = colour.XYZ_to_Lab(_cs_srgb_to_xyz(srgb), illuminant=D65)
    lab = fc.srgb_to_lab(srgb)
    de = colour.delta_E(lab, lab_ref, method="CIE 2000")
    assert de.max() < 0.5
    # The only known difference is the IEC-rounded vs derived RGB->XYZ matrix (~0.012 ΔE00).
    assert de.max() < 0.03
    lab_ref_derived = colour.XYZ_to_Lab(_cs_srgb_to_xyz(srgb, derived=True), illuminant=D65)
    np.testing.assert_allclose(lab, lab_ref_derived, rtol=0, atol=5e-4)  # float32 limit at L≈100


def test_linear_and_xyz_match_colour_science(srgb: np.ndarray) -> None:
    lin = fc.srgb_to_linear(srgb)
    np.testing.assert_allclose(lin, colour.models.eotf_sRGB(srgb), rtol=0, atol=1e-6)
    np.testing.assert_allclose(
        fc.linear_to_srgb(srgb), colour.models.eotf_inverse_sRGB(srgb), rtol=0, atol=1e-6
    )
    xyz = fc.linear_to_xyz(lin)
    np.testing.assert_allclose(xyz, _cs_srgb_to_xyz(srgb, derived=True), rtol=0, atol=2e-6)
    np.testing.assert_allclose(xyz, _cs_srgb_to_xyz(srgb), rtol=0, atol=2e-4)  # IEC-rounded matrix
    np.testing.assert_allclose(fc.MATRIX_LINEAR_TO_XYZ @ np.ones(3), colour.xy_to_XYZ(D65), atol=1e-12)


def test_xyz_lab_match_colour_science(srgb: np.ndarray) -> None:
    rng = np.random.default_rng(1)
    # Include very dark values so the linear branch of f (t <= 216/24389) is exercised.
    xyz = np.concatenate([_cs_srgb_to_xyz(srgb), rng.random((2000, 3)) * 0.01])
    np.testing.assert_allclose(fc.xyz_to_lab(xyz), colour.XYZ_to_Lab(xyz, illuminant=D65), rtol=0, atol=5e-4)
    lab = colour.XYZ_to_Lab(xyz, illuminant=D65)
    np.testing.assert_allclose(fc.lab_to_xyz(lab), colour.Lab_to_XYZ(lab, illuminant=D65), rtol=0, atol=2e-6)


def test_white_and_black() -> None:
    np.testing.assert_allclose(fc.srgb_to_lab([1.0, 1.0, 1.0]), [100.0, 0.0, 0.0], atol=1e-4)
    np.testing.assert_allclose(fc.srgb_to_lab([0.0, 0.0, 0.0]), [0.0, 0.0, 0.0], atol=1e-4)
    greys = np.repeat(np.linspace(0.0, 1.0, 257)[:, None], 3, axis=1)
    assert np.abs(fc.srgb_to_lab(greys)[:, 1:]).max() < 1e-3  # derived matrix: greys are neutral
    np.testing.assert_allclose(fc.rgb_to_luminance(np.eye(3)), [0.2126, 0.7152, 0.0722], atol=1e-4)
    assert fc.rgb_to_luminance([1.0, 1.0, 1.0]) == pytest.approx(1.0, abs=1e-6)


# --------------------------------------------------------------------------------------------------
# Round trips (max abs error < 1e-4)
# --------------------------------------------------------------------------------------------------


def _max_err(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.abs(np.asarray(a, np.float64) - np.asarray(b, np.float64)).max())


def test_round_trips(srgb: np.ndarray) -> None:
    lin = fc.srgb_to_linear(srgb)
    xyz = fc.linear_to_xyz(lin)
    assert _max_err(fc.linear_to_srgb(lin), srgb) < 1e-4
    assert _max_err(fc.srgb_to_linear(fc.linear_to_srgb(srgb)), srgb) < 1e-4
    assert _max_err(fc.xyz_to_linear(xyz), lin) < 1e-4
    assert _max_err(fc.lab_to_xyz(fc.xyz_to_lab(xyz)), xyz) < 1e-4
    assert _max_err(fc.lab_to_srgb(fc.srgb_to_lab(srgb)), srgb) < 1e-4
    assert _max_err(fc.yiq_to_rgb(fc.rgb_to_yiq(srgb)), srgb) < 1e-4
    assert _max_err(fc.yuv_to_rgb(fc.rgb_to_yuv(srgb)), srgb) < 1e-4
    # Lab -> XYZ -> Lab is in Lab units (scale 100): float32 at L ≈ 100 has ulp 7.6e-6 and a* = 500 Δf
    # amplifies f's rounding, so the same relative precision is ~1e-4 absolute here.
    lab = fc.srgb_to_lab(srgb)
    assert _max_err(fc.xyz_to_lab(fc.lab_to_xyz(lab)), lab) < 5e-4


def test_density_round_trip() -> None:
    t = np.geomspace(1e-3, 1.0, 10_001)
    d = fc.transmittance_to_density(t)
    np.testing.assert_allclose(d, -np.log10(t), rtol=0, atol=1e-5)
    assert _max_err(fc.density_to_transmittance(d), t) < 1e-4
    np.testing.assert_allclose(fc.density_to_transmittance(d), t, rtol=1e-5)


def test_density_floor() -> None:
    d = fc.transmittance_to_density([0.0, -1.0, 1e-6, 1e-4, 1.0])
    np.testing.assert_allclose(d, [4.0, 4.0, 4.0, 4.0, 0.0], atol=1e-6)
    assert fc.transmittance_to_density(0.0, floor=1e-3) == pytest.approx(3.0)
    with pytest.raises(ValueError):
        fc.transmittance_to_density(0.5, floor=0.0)


# --------------------------------------------------------------------------------------------------
# YIQ / YUV
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("fwd", "system"), [(fc.rgb_to_yiq, "ntsc"), (fc.rgb_to_yuv, "pal")])
def test_luma_and_chroma_of_greys(fwd, system) -> None:
    greys = np.repeat(np.linspace(0.0, 1.0, 11)[:, None], 3, axis=1)
    out = fwd(greys)
    np.testing.assert_allclose(out[0], [0.0, 0.0, 0.0], atol=1e-7)
    np.testing.assert_allclose(out[-1], [1.0, 0.0, 0.0], atol=1e-6)
    np.testing.assert_allclose(out[:, 0], greys[:, 0], atol=1e-6)
    assert np.abs(out[:, 1:]).max() < 1e-6
    np.testing.assert_allclose(fc.luma(greys, system=system), greys[:, 0], atol=1e-6)
    rng = np.random.default_rng(3)
    x = rng.random((100, 3))
    np.testing.assert_allclose(fc.luma(x, system=system), fwd(x)[:, 0], atol=1e-6)


def test_yiq_yuv_coefficients() -> None:
    # FCC 1953: I = 0.74 (R'-Y') - 0.27 (B'-Y'), Q = 0.48 (R'-Y') + 0.41 (B'-Y');
    # PAL: U = 0.492 (B'-Y'), V = 0.877 (R'-Y'). Primaries pick out the matrix columns.
    y = np.array([0.299, 0.587, 0.114])
    r_y, b_y = np.eye(3)[:, 0] - y, np.eye(3)[:, 2] - y
    yiq = fc.rgb_to_yiq(np.eye(3))
    np.testing.assert_allclose(
        yiq, np.stack([y, 0.74 * r_y - 0.27 * b_y, 0.48 * r_y + 0.41 * b_y], 1), atol=1e-6
    )
    np.testing.assert_allclose(yiq[:, 1], [0.5995, -0.2759, -0.3236], atol=1e-4)
    yuv = fc.rgb_to_yuv(np.eye(3))
    np.testing.assert_allclose(yuv, np.stack([y, 0.492 * b_y, 0.877 * r_y], 1), atol=1e-6)
    with pytest.raises(ValueError):
        fc.luma(np.eye(3), system="secam")  # type: ignore[arg-type]


# --------------------------------------------------------------------------------------------------
# CIEDE2000
# --------------------------------------------------------------------------------------------------


def test_delta_e_2000_matches_colour_science() -> None:
    rng = np.random.default_rng(7)
    n = 20_000
    lab1 = np.column_stack([rng.uniform(0, 100, n), rng.uniform(-128, 127, (n, 2))])
    # Mix of far pairs and near pairs (small differences stress the hue-angle wrap-around).
    lab2 = np.where(rng.random((n, 1)) < 0.5, lab1 + rng.normal(0, 2, (n, 3)), rng.permutation(lab1))
    lab2[:100, 1:] = 0.0  # achromatic partners: C' = 0 branch
    lab1[100:200, 1:] = lab2[100:200, 1:] = 0.0
    ref = colour.delta_E(lab1, lab2, method="CIE 2000")
    np.testing.assert_allclose(fc.delta_e_2000(lab1, lab2), ref, rtol=0, atol=1e-3)
    np.testing.assert_allclose(fc.delta_e_2000(lab2, lab1), ref, rtol=0, atol=1e-3)  # symmetric


# Sharma, Wu & Dalal (2005), "The CIEDE2000 color-difference formula", Table 1:
# (pair number, Lab1, Lab2, ΔE00).
SHARMA = [
    (1, (50.0, 2.6772, -79.7751), (50.0, 0.0, -82.7485), 2.0425),
    (2, (50.0, 3.1571, -77.2803), (50.0, 0.0, -82.7485), 2.8615),
    (3, (50.0, 2.8361, -74.0200), (50.0, 0.0, -82.7485), 3.4412),
    (4, (50.0, -1.3802, -84.2814), (50.0, 0.0, -82.7485), 1.0000),
    (7, (50.0, 0.0, 0.0), (50.0, -1.0, 2.0), 2.3669),
    (8, (50.0, -1.0, 2.0), (50.0, 0.0, 0.0), 2.3669),
    (13, (50.0, 2.4900, -0.0010), (50.0, -2.4900, 0.0009), 7.1792),
    (17, (50.0, 2.5, 0.0), (73.0, 25.0, -18.0), 27.1492),
    (18, (50.0, 2.5, 0.0), (61.0, -5.0, 29.0), 22.8977),
    (19, (50.0, 2.5, 0.0), (56.0, -27.0, -3.0), 31.9030),
    (20, (50.0, 2.5, 0.0), (58.0, 24.0, 15.0), 19.4535),
    (21, (50.0, 2.5, 0.0), (50.0, 3.1736, 0.5854), 1.0000),
    (25, (60.2574, -34.0099, 36.2677), (60.4626, -34.1751, 39.4387), 1.2644),
]


@pytest.mark.parametrize(("pair", "lab1", "lab2", "expected"), SHARMA, ids=[f"pair{p[0]}" for p in SHARMA])
def test_delta_e_2000_sharma(pair: int, lab1: tuple, lab2: tuple, expected: float) -> None:
    assert float(fc.delta_e_2000(lab1, lab2)) == pytest.approx(expected, abs=1e-4)


# --------------------------------------------------------------------------------------------------
# API contract: no input mutation, dtypes, shapes
# --------------------------------------------------------------------------------------------------

THREE_CHANNEL = [
    fc.srgb_to_linear,
    fc.linear_to_srgb,
    fc.linear_to_xyz,
    fc.xyz_to_linear,
    fc.xyz_to_lab,
    fc.lab_to_xyz,
    fc.srgb_to_lab,
    fc.lab_to_srgb,
    fc.rgb_to_yiq,
    fc.yiq_to_rgb,
    fc.rgb_to_yuv,
    fc.yuv_to_rgb,
]
REDUCING = [fc.luma, fc.rgb_to_luminance]
ELEMENTWISE = [fc.transmittance_to_density, fc.density_to_transmittance]


def _sample(shape: tuple[int, ...], dtype: type, seed: int = 0) -> np.ndarray:
    a = np.random.default_rng(seed).random(shape).astype(dtype)
    a.setflags(write=False)
    return a


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("shape", [(3,), (7, 3), (2, 3, 4, 3), (70_001, 3)])  # last spans blocks
@pytest.mark.parametrize("fn", THREE_CHANNEL + REDUCING + ELEMENTWISE, ids=lambda f: f.__name__)
def test_contract(fn, shape: tuple[int, ...], dtype: type) -> None:
    a = _sample(shape, dtype)
    before = a.copy()
    out = fn(a)
    np.testing.assert_array_equal(a, before)
    assert out.dtype == np.float32
    assert not np.shares_memory(out, a)
    expected = shape[:-1] if fn in REDUCING else shape
    assert out.shape == expected
    assert np.isfinite(out).all()
    # float32 and float64 inputs agree, and so does the same data at other offsets / block splits.
    # Not bit-exact: SIMD and scalar-tail code paths differ by an ulp or two (relative ~3e-6 for Lab).
    tol = 1e-5 * max(1.0, float(np.abs(out).max()))
    np.testing.assert_allclose(out, fn(a.astype(np.float32 if dtype is np.float64 else np.float64)), atol=tol)
    flat = a.reshape(-1, 3) if fn not in ELEMENTWISE else a.reshape(-1)
    np.testing.assert_allclose(out.reshape(-1), fn(flat[::-1])[::-1].reshape(-1), atol=tol)


@pytest.mark.parametrize("fn", THREE_CHANNEL, ids=lambda f: f.__name__)
def test_non_contiguous_and_empty(fn) -> None:
    a = _sample((5, 8, 3), np.float64)
    view = a[:, ::2]  # non-contiguous, read-only
    np.testing.assert_allclose(fn(view), fn(np.ascontiguousarray(view)), atol=0)
    assert fn(np.zeros((0, 3))).shape == (0, 3)
    assert fn(np.zeros((2, 0, 3))).shape == (2, 0, 3)
    with pytest.raises(ValueError):
        fn(np.zeros((4, 4)))


def test_lab_to_srgb_clip() -> None:
    out_of_gamut = np.array([[50.0, 120.0, -120.0], [100.0, 0.0, 0.0], [5.0, -60.0, 60.0]])
    raw = fc.lab_to_srgb(out_of_gamut)
    assert raw.min() < 0.0 or raw.max() > 1.0
    clipped = fc.lab_to_srgb(out_of_gamut, clip=True)
    np.testing.assert_array_equal(clipped, np.clip(raw, 0.0, 1.0))


def test_delta_e_2000_contract() -> None:
    a = _sample((2, 3, 3), np.float64) * 100
    b = _sample((3,), np.float32, seed=1) * 50
    out = fc.delta_e_2000(a, b)
    assert out.shape == (2, 3) and out.dtype == np.float32
    assert np.all(fc.delta_e_2000(a, a) == 0.0)


# --------------------------------------------------------------------------------------------------
# Property test
# --------------------------------------------------------------------------------------------------


@settings(max_examples=200, deadline=None)
@given(
    hnp.arrays(
        dtype=st.sampled_from([np.float32, np.float64]),
        shape=hnp.array_shapes(min_dims=1, max_dims=3, max_side=6).map(lambda s: (*s, 3)),
        elements=st.floats(0.0, 1.0, width=32),
    )
)
def test_srgb_lab_round_trip_property(x: np.ndarray) -> None:
    x.setflags(write=False)
    back = fc.lab_to_srgb(fc.srgb_to_lab(x))
    assert back.shape == x.shape
    assert _max_err(back, x) < 1e-4
