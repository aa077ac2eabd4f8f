"""Tests of filmdegrade.effects.dust: contract and measured acceptance criteria (issue 3)."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from filmdegrade import FilmPipeline, Medium
from filmdegrade.effects.base import ClipContext, decode_params
from filmdegrade.effects.dust import (
    BLOB_COLUMNS,
    Dust,
    DustParams,
    blob_polygon,
    render_coverage,
    sample_pareto_diameter,
)
from filmdegrade.measure.lines import line_contrast, temporal_iou
from tests.filmdegrade.contract import check_transform_contract


def _grey_clip(t: int, h: int = 128, w: int = 128, value: float = 0.5) -> np.ndarray:
    return np.full((t, h, w, 3), value, np.float32)


@pytest.mark.parametrize(
    "medium", [Medium(gauge="super8"), Medium(gauge="35mm_full")], ids=["positive", "negative"]
)
def test_contract(medium: Medium) -> None:
    check_transform_contract(Dust(rate_per_frame=10.0, diameter_um=(100.0, 800.0)), medium)


def test_dust_is_impulsive() -> None:
    """Default settings: pooled IoU of consecutive dust masks < 0.05 (specks live one frame, rarely two)."""
    pipe = FilmPipeline([Dust()], seed=0, medium=Medium(gauge="super8"))
    x = _grey_clip(40, 192, 256)
    ious = [temporal_iou(pipe.sample(x, index=i).masks["dust"]) for i in range(4)]
    assert np.all(np.array(ious) < 0.05), ious
    # and the two-frame specks do exist: with two_frame_prob = 1 every speck persists once
    m = (
        FilmPipeline([Dust(two_frame_prob=1.0)], seed=0, medium=Medium(gauge="super8"))
        .sample(x)
        .masks["dust"]
    )
    assert temporal_iou(m) > 0.3


@pytest.mark.parametrize(
    ("stock", "polarity", "sign"),
    [
        ("kodachrome_40", "auto", -1),
        ("vision3_500t", "auto", 1),
        ("eastman_double_x", "auto", 1),
        ("kodachrome_40", "bright", 1),
        ("vision3_500t", "dark", -1),
    ],
)
def test_polarity(stock: str, polarity: str, sign: int) -> None:
    medium = Medium(gauge="16mm", stock=stock)
    x = _grey_clip(2)
    s = FilmPipeline([Dust(rate_per_frame=15.0, polarity=polarity)], seed=1, medium=medium).sample(x)
    c = line_contrast(x[0], s.image[0], s.masks["dust"][0])
    assert c["n"] > 10
    assert np.sign(c["dL"]) == sign and abs(c["dL"]) > 10, c


@pytest.mark.parametrize("channels", [3, 1])
def test_mask_alignment(channels: int) -> None:
    x = _grey_clip(6, 96, 128, 0.45)[..., :channels].copy()
    s = FilmPipeline(
        [Dust(rate_per_frame=20.0, hair_fraction=0.3)], seed=4, medium=Medium(gauge="super8")
    ).sample(x)
    m = s.masks["dust"]
    changed = np.abs(s.image - x).max(axis=-1) > 0
    assert (m > 0.5).sum() > 50
    assert changed[m > 0.5].all()
    assert not changed[m == 0].any()


def test_rate_and_heavy_tail() -> None:
    """Specks per frame follow the rate; diameters follow the configured Pareto tail (Hill estimator)."""
    tr = Dust(
        rate_per_frame=8.0, two_frame_prob=0.0, hair_fraction=0.0, diameter_um=(20.0, 1e5), size_exponent=1.8
    )
    ctx = ClipContext(n_frames=400, height=256, width=256, channels=3, medium=Medium(gauge="super8"))
    p = tr.sample_params(np.random.default_rng(0), ctx)
    per_frame = np.bincount(p.blobs[:, 0].astype(int), minlength=400)
    assert abs(per_frame.mean() - 8.0) < 0.4
    assert abs(per_frame.var() / per_frame.mean() - 1.0) < 0.2  # Poisson
    d = 2 * p.blobs[:, BLOB_COLUMNS.index("radius")] * ctx.um_per_px
    assert d.min() >= 20.0 - 1e-6
    alpha_hat = d.size / np.log(d / 20.0).sum()
    assert abs(alpha_hat - 1.8) < 0.15, alpha_hat
    u = np.linspace(0, 0.999, 50)
    assert np.all(sample_pareto_diameter(u, 10.0, 50.0, 2.0) <= 50.0 + 1e-9)


@pytest.mark.parametrize("radius", [1.5, 6.0, 40.0])
def test_rendered_area_matches_polygon(radius: float) -> None:
    """Anti-aliased coverage integrates to the polygon's area (box filter of a supersampled fill)."""
    rng = np.random.default_rng(1)
    pts = blob_polygon(
        60.3, 55.7, radius, 0.3 * rng.normal(size=4) / np.arange(2, 6), rng.uniform(0, 6.28, 4)
    )
    _box, cov = render_coverage(pts, 128, 128, closed=True)
    area = cv2.contourArea(pts.astype(np.float32))
    assert abs(cov.sum() - area) < 0.06 * area + 0.3, (cov.sum(), area)
    assert 0 <= cov.min() and cov.max() <= 1


def test_params_record_frames() -> None:
    s = FilmPipeline([Dust(rate_per_frame=5.0)], seed=3, medium=Medium(gauge="super8")).sample(
        _grey_clip(5, 64, 64)
    )
    p = decode_params(DustParams, s.record.params_of("dust")[0])
    assert p.blobs.shape[1] == len(BLOB_COLUMNS) and set(p.blobs[:, 0].astype(int)) <= set(range(5))
    assert p.bright is False


def test_config_validation() -> None:
    with pytest.raises(ValueError, match="polarity"):
        Dust(polarity="white")
    with pytest.raises(ValueError, match="diameter_um"):
        Dust(diameter_um=(50.0, 10.0))


@pytest.mark.parametrize(("bright", "channels"), [(False, 3), (True, 3), (False, 1)])
def test_overlapping_specks_compose_like_sequential_specks(bright: bool, channels: int) -> None:
    # Dust.apply applies all specks of a frame in one go, multiplying their (1 - o m) factors; that must
    # equal drawing them one after another with apply_speck (which works in linear light).
    from filmdegrade.effects.dust import apply_speck

    h = w = 96
    x = np.random.default_rng(1).random((1, h, w, channels), dtype=np.float32)
    blobs = np.array(
        [
            [0, 40.0, 40.0, 14.0, 0.8, 0.2, 0.1, 0.0, 0.05, 0.0, 1.0, 2.0, 3.0],
            [0, 50.0, 45.0, 12.0, 0.6, 0.1, 0.0, 0.1, 0.0, 0.5, 0.0, 1.0, 0.0],  # overlaps the first
            [0, 80.0, 10.0, 3.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0],
        ]
    )
    params = DustParams(bright=bright, blobs=blobs, hairs=np.zeros((0, 11)))
    out, masks = Dust().apply(x, params)
    ref = x[0].copy()
    mask = np.zeros((h, w), np.float32)
    for row in blobs:
        pts = blob_polygon(row[1], row[2], row[3], row[5:9], row[9:])
        (y0, y1, x0, x1), cov = render_coverage(pts, h, w, closed=True)
        roi = ref[y0:y1, x0:x1]
        on = cov > 0
        roi[on] = apply_speck(roi, cov, float(row[4]), bright)[on]
        mask[y0:y1, x0:x1] = np.maximum(mask[y0:y1, x0:x1], cov)
    np.testing.assert_allclose(out[0], ref, atol=2e-6)
    np.testing.assert_array_equal(masks["dust"][0], mask)
    np.testing.assert_array_equal(out[0][mask == 0], x[0][mask == 0])
    assert np.abs(out[0] - x[0]).max() > 0.3
