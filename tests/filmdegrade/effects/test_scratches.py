"""Tests of filmdegrade.effects.scratches: contract and measured acceptance criteria (issue 3)."""

from __future__ import annotations

import numpy as np
import pytest

from filmdegrade import FilmPipeline, Medium
from filmdegrade.effects.base import ClipContext, decode_params
from filmdegrade.effects.scratches import (
    DEPTHS,
    Scratches,
    ScratchParams,
    apply_density_change,
    render_scratch_band,
)
from filmdegrade.measure.lines import (
    lateral_drift_px,
    line_angle_deg,
    line_contrast,
    line_width_px,
)
from tests.filmdegrade.contract import check_transform_contract

GAUGES = ("regular8", "super8", "16mm", "35mm_academy")


def _grey_clip(t: int, h: int = 256, w: int = 256, value: float = 0.5) -> np.ndarray:
    return np.full((t, h, w, 3), value, np.float32)


def _params(sample) -> ScratchParams:
    return decode_params(ScratchParams, sample.record.params_of("scratches")[0])


@pytest.mark.parametrize(
    "medium", [Medium(gauge="super8"), Medium(gauge="35mm_full")], ids=["colour", "bw_negative"]
)
def test_contract(medium: Medium) -> None:
    check_transform_contract(Scratches(rate_per_frame=0.5), medium)


@pytest.mark.parametrize("gauge", GAUGES)
def test_angle_follows_gauge(gauge: str) -> None:
    medium = Medium(gauge=gauge)
    want = medium.gauge_info.scratch_angle_deg
    s = FilmPipeline([Scratches(rate_per_frame=0.2)], seed=5, medium=medium).sample(_grey_clip(6))
    angles = [line_angle_deg(m) for m in s.masks["scratch"] if m.any()]
    assert len(angles) >= 3
    assert np.all(np.abs(np.array(angles) - want) <= 1.0), (gauge, want, angles)


def test_angle_override() -> None:
    s = FilmPipeline(
        [Scratches(rate_per_frame=0.2, angle_deg=-4.0)], seed=2, medium=Medium(gauge="super8")
    ).sample(_grey_clip(3))
    angles = [line_angle_deg(m) for m in s.masks["scratch"] if m.any()]
    assert angles and np.all(np.abs(np.array(angles) + 4.0) <= 1.0), angles


@pytest.mark.parametrize("gauge", GAUGES)
def test_persistence_iou(gauge: str) -> None:
    """Default settings: pooled soft IoU of consecutive scratch masks > 0.6."""
    pipe = FilmPipeline([Scratches()], seed=0, medium=Medium(gauge=gauge))
    inter = union = 0.0
    x = _grey_clip(30, 128, 256)
    for index in range(6):
        m = pipe.sample(x, index=index).masks["scratch"]
        inter += np.minimum(m[:-1], m[1:]).sum(dtype=np.float64)
        union += np.maximum(m[:-1], m[1:]).sum(dtype=np.float64)
    assert union > 0
    assert inter / union > 0.6, (gauge, inter / union)


def test_drift_within_bound() -> None:
    """A single scratch drifts by at most the configured bound per frame (measured on the mask)."""
    medium = Medium(gauge="super8")
    bound_um = 12.0
    tr = Scratches(rate_per_frame=1e-4, mean_lifetime_frames=1e4, wobble_um=0.0, drift_um_per_frame=bound_um)
    pipe = FilmPipeline([tr], seed=0, medium=medium)
    x = _grey_clip(25, 192, 512)
    for index in range(50):  # find a clip with exactly one scratch
        s = pipe.sample(x, index=index)
        p = _params(s)
        if p.angle_rad.size == 1 and p.occ_frame.size == 25:
            break
    else:
        pytest.fail("no single-scratch clip found")
    bound_px = bound_um / medium.um_per_px(512)
    rec = np.abs(np.diff(p.occ_x))
    assert rec.max() <= bound_px + 1e-9 and rec.max() > 0.3 * bound_px
    meas = lateral_drift_px(s.masks["scratch"], np.rad2deg(p.angle_rad[0]))
    assert meas.size >= 15
    assert meas.max() <= bound_px + 0.1, (meas.max(), bound_px)  # 0.1 px: position accuracy (test_lines)
    assert meas.max() > 0.3 * bound_px  # it does move


def test_initial_scratches_stationary() -> None:
    """At frame 0 the number of scratches has the stationary mean rate · lifetime."""
    tr = Scratches(rate_per_frame=0.05, mean_lifetime_frames=30.0)
    ctx = ClipContext(n_frames=1, height=32, width=32, channels=3, medium=Medium(gauge="16mm"))
    counts = [tr.sample_params(np.random.default_rng(i), ctx).occ_frame.size for i in range(400)]
    assert abs(np.mean(counts) - 1.5) < 0.25, np.mean(counts)


def _one_depth(depth: str, medium: Medium, value: float = 0.5):
    um = medium.um_per_px(128)
    tr = Scratches(
        rate_per_frame=0.1, depth_weights={depth: 1.0}, width_um=(3 * um, 4 * um), strength=(0.7, 0.9)
    )
    x = _grey_clip(2, 128, 128, value)
    s = FilmPipeline([tr], seed=3, medium=medium).sample(x)
    assert s.masks["scratch"].max() > 0.5
    return line_contrast(x[0], s.image[0], s.masks["scratch"][0])


def test_polarity_positive() -> None:
    medium = Medium(gauge="super8")  # Kodachrome 40: colour reversal (positive)
    assert _one_depth("emulsion", medium)["dL"] > 5
    assert _one_depth("base", medium)["dL"] < -3
    assert _one_depth("negative", medium)["dL"] < -5


def test_polarity_negative_stock_flips() -> None:
    medium = Medium(gauge="35mm_academy", stock="vision3_500t")  # colour negative
    assert _one_depth("emulsion", medium)["dL"] < -5
    assert _one_depth("base", medium)["dL"] > 3


def test_top_layer_colour() -> None:
    """Removing the top (yellow) layer of reversal film: a hue change, more chroma than lightness."""
    c = _one_depth("top_layer", Medium(gauge="super8"))
    assert c["dE00"] > 5
    assert abs(c["dL"]) < abs(c["dC"]), c


def test_bw_stock_has_no_top_layer() -> None:
    medium = Medium(gauge="35mm_full")  # B&W
    with pytest.raises(ValueError, match="depth_weights"):
        FilmPipeline([Scratches(depth_weights={"top_layer": 1.0})], medium=medium)(_grey_clip(1, 32, 32))
    s = FilmPipeline([Scratches(rate_per_frame=1.0)], seed=1, medium=medium).sample(_grey_clip(3, 64, 64))
    assert DEPTHS.index("top_layer") not in set(_params(s).depth.tolist())


@pytest.mark.parametrize("channels", [3, 1])
def test_mask_alignment(channels: int) -> None:
    x = _grey_clip(8, 96, 128, 0.45)[..., :channels].copy()
    s = FilmPipeline([Scratches(rate_per_frame=0.5)], seed=9, medium=Medium(gauge="16mm")).sample(x)
    m = s.masks["scratch"]
    changed = np.abs(s.image - x).max(axis=-1) > 0
    assert (m > 0.5).sum() > 50
    assert changed[m > 0.5].all()
    assert not changed[m == 0].any()


def test_band_width_and_subpixel_area() -> None:
    """The rendered cross-section integrates to the FWHM (also for lines thinner than a pixel)."""
    for width_px, angle in ((4.0, 0.0), (2.5, 6.0), (0.4, 3.0)):
        rows, cols, vals = render_scratch_band(100, 80, 40.3, np.deg2rad(angle), width_px)
        m = np.zeros((100, 80), np.float32)
        m[rows, cols] = vals
        assert abs(line_width_px(m, angle) - width_px) < 0.03 * width_px + 0.01, (
            width_px,
            line_width_px(m, angle),
        )


def test_config_validation() -> None:
    with pytest.raises(ValueError, match="depth_weights"):
        Scratches(depth_weights={"deep": 1.0})
    with pytest.raises(ValueError, match="continuity"):
        Scratches(continuity=0.0)
    with pytest.raises(ValueError, match="angle_deg"):
        Scratches(angle_deg=80.0)


@pytest.mark.parametrize("channels", [3, 1])
def test_density_change_matches_colour_conversions(channels: int) -> None:
    # apply_density_change goes straight from sRGB to ln T and back; check it against the textbook chain
    # sRGB → linear → density (floor 1e-4) → D' = max(D + m (offset - gain D), 0) → 10^-D' → sRGB.
    from filmdegrade.colour import linear_to_srgb, srgb_to_linear

    rng = np.random.default_rng(3)
    x = rng.random((5000, channels), dtype=np.float32)
    x[:200] *= 0.03  # the linear toe of the sRGB curve
    x[200:210] = 0.0
    m = rng.random(5000, dtype=np.float32)
    cases = (
        ((1.0, 0.2, 0.0), (0.0, 0.0, 0.0)),  # emulsion, top layer (dye removed)
        ((0.0,) * 3, (0.3,) * 3),  # base (scatter)
        ((0.7, 0.7, 0.7), (1.75,) * 3),  # negative (toward print D-max)
        ((0.0,) * 3, (-0.3,) * 3),  # base on a negative stock
    )
    for gain, offset in cases:
        g = np.asarray(gain, np.float32)[:channels] if channels == 3 else np.float32([np.mean(gain)])
        o = np.asarray(offset, np.float32)[:channels] if channels == 3 else np.float32([np.mean(offset)])
        lin = srgb_to_linear(np.repeat(x, 3, axis=1) if channels == 1 else x).astype(np.float64)[:, :channels]
        d = -np.log10(np.maximum(lin, 1e-4))
        d2 = np.maximum(d + m[:, None] * (o - g * d), 0.0)
        t2 = 10.0**-d2
        ref = np.clip(linear_to_srgb(np.repeat(t2, 3, axis=1) if channels == 1 else t2)[:, :channels], 0, 1)
        got = apply_density_change(x, m, g, o)
        assert got.shape == x.shape and got.dtype == np.float32
        np.testing.assert_allclose(got, ref, atol=2e-6)
