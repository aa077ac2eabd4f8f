"""Calibration round trips: degrade clean images with known parameters, calibrate, compare."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
import skimage.data

from filmdegrade import FilmPipeline
from filmdegrade.calibrate import calibrate, format_fit, medium_from_hint, preset_for_hint
from filmdegrade.demo import pan_clip


def _degrade(medium: dict, nodes: list[dict], x: np.ndarray, index: int = 1) -> np.ndarray:
    return FilmPipeline.from_dict({"medium": medium, "transforms": nodes})(x, index=index)


def _camera_rgb(size: int | None = None) -> np.ndarray:
    img = skimage.data.camera()
    if size:
        img = cv2.resize(img, (size, size), interpolation=cv2.INTER_AREA)
    return np.repeat(img[..., None], 3, axis=-1)


def test_hints():
    assert preset_for_hint("vhs") == "vhs_sp" and preset_for_hint("Super8") == "super8"
    assert medium_from_hint("super16").gauge == "super16"
    with pytest.raises(ValueError, match="unknown medium"):
        preset_for_hint("floppy")


@pytest.mark.parametrize("strength, size_um", [(1.5, 40.0), (2.0, 30.0)])
def test_grain_round_trip(strength, size_um):
    out = _degrade(
        {"gauge": "16mm"}, [{"name": "grain", "strength": strength, "grain_size_um": size_um}], _camera_rgb()
    )
    res = calibrate(out, "16mm")
    g = res.params["grain"]
    assert g["strength"] == pytest.approx(strength, rel=0.15)
    assert g["grain_size_um"] == pytest.approx(size_um, rel=0.25)
    row = {r["statistic"]: r for r in res.fit if r["effect"] == "grain"}
    assert row["noise sigma"]["simulated"] == pytest.approx(row["noise sigma"]["measured"], rel=0.15)
    assert row["correlation length"]["simulated"] == pytest.approx(
        row["correlation length"]["measured"], rel=0.25
    )
    # the written preset loads and keeps the fitted values
    pipe = FilmPipeline.from_yaml(res.pipeline.to_yaml())
    node = next(t for t in pipe.transforms if t.name == "grain")
    assert node.strength == pytest.approx(g["strength"], rel=1e-3)


def test_scratch_angle_round_trip():
    clip = pan_clip(skimage.data.astronaut(), n_frames=16)
    out = _degrade(
        {"gauge": "16mm"},
        [
            {
                "name": "scratches",
                "angle_deg": 2.0,
                "angle_spread_deg": 0.0,
                "rate_per_frame": 0.1,
                "width_um": [60.0, 80.0],
                "strength": 1.0,
            }
        ],
        clip,
    )
    res = calibrate(out, "16mm")
    assert res.params["scratches"]["angle_deg"] == pytest.approx(2.0, abs=1.0)
    assert "measured" in format_fit(res)


def test_flicker_round_trip():
    # 256 frames: the std of a shorter AR(1) series is itself uncertain by more than the ±20 % asked.
    static = np.repeat(_camera_rgb(64)[None], 256, axis=0)
    out = _degrade(
        {"gauge": "16mm"}, [{"name": "flicker", "strength_density": 0.04, "correlation": 0.5}], static
    )
    res = calibrate(out, "16mm")
    assert res.params["flicker"]["strength_density"] == pytest.approx(0.04, rel=0.2)
    # the report states the sampling uncertainty of a 256-frame clip
    row = next(r for r in res.fit if r["statistic"] == "mean density std")
    assert 0.03 < row["std_error"] / row["measured"] < 0.09
    assert "std err" in format_fit(res) and any("256 frames" in n for n in res.notes)


def test_flicker_standard_errors_match_monte_carlo():
    from filmdegrade.calibrate import flicker_standard_errors

    rng = np.random.default_rng(3)
    n, rho, reps = 24, 0.5, 4000
    e = rng.standard_normal((reps, n))
    x = np.empty_like(e)
    x[:, 0] = e[:, 0]
    for t in range(1, n):  # stationary AR(1) of unit variance
        x[:, t] = rho * x[:, t - 1] + np.sqrt(1 - rho**2) * e[:, t]
    sd = x.std(axis=1)
    xc = x - x.mean(axis=1, keepdims=True)
    r1 = (xc[:, 1:] * xc[:, :-1]).sum(axis=1) / (xc**2).sum(axis=1)
    se_s, se_r = flicker_standard_errors(1.0, rho, n)
    assert se_s == pytest.approx(sd.std(), rel=0.2)
    assert se_r == pytest.approx(r1.std(), rel=0.25)
    assert np.isnan(flicker_standard_errors(1.0, 0.5, 2)[0])


def test_fading_cast_round_trip():
    out = _degrade(
        {"gauge": "16mm"}, [{"name": "fading", "mode": "lab", "cast_ab": [8.0, -6.0]}], _camera_rgb(256)
    )
    res = calibrate(out, "16mm")
    a, b = res.params["fading"]["cast_ab"]
    assert abs(a - 8.0) <= 3 and abs(b + 6.0) <= 3
    # the written pipeline's fading, applied to a neutral grey, gives that cast
    from filmdegrade.measure.colour import colour_cast

    fading = next(t for t in res.pipeline.to_dict()["transforms"] if t["name"] == "fading")
    ca, cb = colour_cast(_degrade({"gauge": "16mm"}, [fading], np.full((64, 64, 3), 128, np.uint8)))
    assert abs(ca - 8.0) <= 3 and abs(cb + 6.0) <= 3


def test_tape_luma_bandwidth_round_trip():
    ast = skimage.data.astronaut()
    tape = {
        "name": "tape",
        "format": "vhs_sp",
        "luma_bandwidth_mhz": 2.5,
        "chroma_bandwidth_mhz": 0.5,
        "tracking": 0.0,
        "dropouts_per_s": 0.0,
    }
    out = _degrade({"gauge": "35mm_academy", "tape": "vhs_sp"}, [tape], ast)
    res = calibrate(out, "vhs")
    assert res.params["tape"]["luma_bandwidth_mhz"] == pytest.approx(2.5, rel=0.2)


def test_tape_chroma_bandwidth_round_trip():
    ast = skimage.data.astronaut()
    tape = {
        "name": "tape",
        "format": "vhs_sp",
        "luma_bandwidth_mhz": 2.5,
        "chroma_bandwidth_mhz": 0.5,
        "tracking": 0.0,
        "dropouts_per_s": 0.0,
    }
    out = _degrade({"gauge": "35mm_academy", "tape": "vhs_sp"}, [tape], ast)
    res = calibrate(out, "vhs")
    assert res.params["tape"]["chroma_bandwidth_mhz"] == pytest.approx(0.5, rel=0.2)
