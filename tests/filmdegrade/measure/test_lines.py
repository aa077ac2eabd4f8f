"""Tests of filmdegrade.measure.lines on synthetic lines with known geometry."""

from __future__ import annotations

import numpy as np
import pytest

from filmdegrade.effects.scratches import render_scratch_band
from filmdegrade.measure.lines import (
    detect_vertical_lines,
    hough_angles_deg,
    lateral_drift_px,
    line_angle_deg,
    line_contrast,
    line_positions_px,
    line_width_px,
    mask_iou,
    temporal_iou,
)


def _line(h: int, w: int, x: float, angle: float, width: float) -> np.ndarray:
    rows, cols, vals = render_scratch_band(h, w, x, np.deg2rad(angle), width)
    m = np.zeros((h, w), np.float32)
    m[rows, cols] = vals
    return m


@pytest.mark.parametrize("angle", [-7.0, -2.5, 0.0, 3.0, 6.0, 11.0])
@pytest.mark.parametrize("width", [1.0, 5.0])
def test_angle_of_mask(angle: float, width: float) -> None:
    m = _line(300, 200, 97.3, angle, width)
    assert abs(line_angle_deg(m) - angle) <= 0.15
    if width > 3 and angle != 0:
        # the ridge matters for wide tilted lines: the raw band is biased toward its diagonal
        assert abs(line_angle_deg(m, thin=False) - angle) > abs(line_angle_deg(m) - angle)


def test_hough_sign_and_position() -> None:
    b = np.zeros((200, 200), bool)
    y = np.arange(200)
    b[y, np.rint(80 + np.tan(np.deg2rad(5.0)) * (y - 100)).astype(int)] = True
    ((ang, xc),) = hough_angles_deg(b)
    assert abs(ang - 5.0) < 0.1 and abs(xc - 80) < 1.0
    assert np.isnan(line_angle_deg(np.zeros((10, 10))))


def test_positions_and_drift() -> None:
    xs = [50.0, 50.4, 50.1, 49.5, 49.9]
    masks = np.stack([_line(120, 160, x, 4.0, 3.0) + _line(120, 160, x + 60, 4.0, 2.0) for x in xs])
    pos = line_positions_px(masks[0], 4.0)
    assert np.allclose(pos, [50.0, 110.0], atol=0.05)
    drift = lateral_drift_px(np.minimum(masks, 1.0), 4.0)
    assert drift.size == 8
    want = np.abs(np.diff(xs))
    assert np.allclose(np.sort(drift), np.sort(np.concatenate([want, want])), atol=0.08)


@pytest.mark.parametrize("width", [0.5, 2.0, 7.0])
def test_width(width: float) -> None:
    assert abs(line_width_px(_line(100, 100, 40.0, 6.0, width), 6.0) - width) < 0.03 * width + 0.01


def test_iou() -> None:
    a = np.zeros((4, 4), np.float32)
    b = np.zeros((4, 4), np.float32)
    a[0, :2] = 1
    b[0, 1:3] = 1
    assert mask_iou(a, b, threshold=0.5) == pytest.approx(1 / 3)
    b[0, 1] = 0.5
    assert mask_iou(a, b) == pytest.approx(0.5 / 3.0)  # Σmin / Σmax
    assert np.isnan(mask_iou(np.zeros(3), np.zeros(3)))
    clip = np.stack([a, a, np.zeros_like(a)])
    assert temporal_iou(clip) == pytest.approx(2 / 4)


def test_contrast_sign() -> None:
    before = np.full((20, 20, 3), 0.5, np.float32)
    after = before.copy()
    after[:, 10] = 0.8
    mask = np.zeros((20, 20), np.float32)
    mask[:, 10] = 1
    c = line_contrast(before, after, mask)
    assert c["dL"] > 20 and c["n"] == 20 and abs(c["dC"]) < 0.5


def test_detect_lines_in_noisy_image() -> None:
    rng = np.random.default_rng(0)
    img = np.clip(0.5 + rng.normal(0, 0.02, (200, 240)), 0, 1).astype(np.float32)
    img -= 0.25 * _line(200, 240, 60.0, 2.0, 2.0)
    img += 0.25 * _line(200, 240, 170.0, -1.0, 2.0)
    found = detect_vertical_lines(np.clip(img, 0, 1))
    assert len(found) == 2
    by_x = sorted(found, key=lambda d: d["x_centre_px"])
    assert (
        abs(by_x[0]["x_centre_px"] - 60) < 1.5
        and by_x[0]["polarity"] == -1
        and abs(by_x[0]["angle_deg"] - 2) < 0.3
    )
    assert abs(by_x[1]["x_centre_px"] - 170) < 1.5 and by_x[1]["polarity"] == 1


def test_ridge_profile_rejects_steps() -> None:
    from filmdegrade.measure.lines import ridge_profile

    offs = np.arange(-12, 13, dtype=np.float64)
    line = 0.4 + 0.2 * (np.abs(offs) <= 1)
    r = ridge_profile(offs, line)
    assert r is not None and r["polarity"] == 1 and r["width_px"] == 3 and r["contrast"] == pytest.approx(0.2)
    assert ridge_profile(offs, 0.8 - line)["polarity"] == -1
    step = np.where(offs >= 0, 0.6, 0.4)
    assert ridge_profile(offs, step) is None
    # a highlight on a step edge (one side level with the centre) is not a scratch
    assert ridge_profile(offs, np.where(offs >= -1, 0.6, 0.2) + 0.02 * (np.abs(offs) <= 1)) is None


def test_detect_lines_ignores_edges_and_border() -> None:
    rng = np.random.default_rng(1)
    img = np.clip(0.5 + rng.normal(0, 0.02, (200, 240)), 0, 1).astype(np.float32)
    img[:, 120:] += 0.25  # a scene edge
    img[:, 2] += 0.3  # on the border
    img += 0.25 * _line(200, 240, 60.0, 1.0, 2.0)
    found = detect_vertical_lines(np.clip(img, 0, 1))
    assert [round(d["x_centre_px"]) for d in found] == [60]


def _grain(rng: np.random.Generator, shape: tuple[int, ...], level: float = 0.5) -> np.ndarray:
    return (level + rng.normal(0, 0.02, shape)).astype(np.float32)


def test_highlight_along_an_object_edge_is_scene() -> None:
    """A thin highlight beside a dark object's edge, ending where the object ends, is not a scratch."""
    from filmdegrade.measure.lines import follows_scene

    rng = np.random.default_rng(2)
    img = _grain(rng, (200, 240))
    img[40:150, 60:100] -= 0.2  # a dark door, its right edge at x = 100
    img[40:150, 102:104] += 0.25  # the bevel highlight 2-3 px beside the edge, as tall as the door
    img = np.clip(img, 0, 1)
    # it is a balanced ridge (brighter than both sides), so only the scene rule can reject it
    assert follows_scene(img, 0.0, 102.5, 1)
    assert all(abs(d["x_centre_px"] - 102.5) > 3 for d in detect_vertical_lines(img))


def test_line_crossing_an_edge_is_kept() -> None:
    """A thin line crossing a step edge at right angles (and a uniform scene) is a scratch."""
    from filmdegrade.measure.lines import follows_scene

    rng = np.random.default_rng(3)
    img = _grain(rng, (200, 240), 0.4)
    img[100:] += 0.3  # a horizontal scene edge
    img -= 0.15 * _line(200, 240, 80.0, 0.0, 2.0)
    img = np.clip(img, 0, 1)
    assert not follows_scene(img, 0.0, 80.0, -1)
    found = detect_vertical_lines(img)
    assert [round(d["x_centre_px"]) for d in found] == [80] and found[0]["polarity"] == -1


def test_persistent_faint_line_found_over_frames() -> None:
    """A scratch too faint for one frame adds up over a window of frames; one-frame dirt does not."""
    from filmdegrade.measure.lines import detect_persistent_lines

    rng = np.random.default_rng(4)
    t, h, w = 12, 200, 240
    clip = _grain(rng, (t, h, w))
    clip[:, :, 150:] += 0.2  # a vertical scene edge, static
    clip[:, 100:] -= 0.1  # and a horizontal one
    faint = 0.012 * _line(h, w, 90.0, 0.0, 1.5)  # 0.6 noise σ: invisible in one frame
    clip[2:10] -= faint
    clip[5, 20:90, 200:202] += 0.3  # a bright hair on one frame only
    clip = np.clip(clip, 0, 1)
    assert all(abs(d["x_centre_px"] - 90) > 3 for d in detect_vertical_lines(clip[5]))
    found = detect_persistent_lines(clip, window=7)
    assert len(found) == t
    for ti in range(4, 8):  # windows fully inside the scratch's life
        assert [round(d["x_centre_px"]) for d in found[ti]] == [90], ti
        assert found[ti][0]["polarity"] == -1 and abs(found[ti][0]["angle_deg"]) <= 0.25
    assert not any(abs(d["x_centre_px"] - 201) < 4 for f in found for d in f)
    assert not any(abs(d["x_centre_px"] - 150) < 4 for f in found for d in f)
