"""Tests of gate weave: contract, measured shift statistics, and mask alignment."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import cv2
import numpy as np
import pytest

from filmdegrade import FilmPipeline, Medium
from filmdegrade.effects.base import ClipContext, Transform
from filmdegrade.effects.weave import GateWeave, WeaveParams
from filmdegrade.measure.temporal import frame_shifts
from tests.filmdegrade.contract import check_transform_contract

H, W = 64, 96
# A 96-px-wide crop of a Super 8 scan 1920 px across: 3.0 µm per pixel, 10 µm weave ≈ 3.3 px.
MEDIUM = Medium(gauge="super8", scan_width_px=1920)


def _texture() -> np.ndarray:
    rng = np.random.default_rng(123)
    tex = cv2.GaussianBlur(rng.random((H, W, 3), dtype=np.float32), (0, 0), 1.5)
    return ((tex - tex.min()) / (tex.max() - tex.min())).astype(np.float32)


TEX = _texture()


def _clip(n: int) -> np.ndarray:
    return np.ascontiguousarray(np.broadcast_to(TEX, (n, H, W, 3)))


def test_contract_default() -> None:
    check_transform_contract(GateWeave(), Medium(gauge="super8"))


def test_contract_black_cubic() -> None:
    check_transform_contract(GateWeave(12.0, border="black", interpolation="cubic"), Medium(gauge="16mm"))


def test_default_rms_comes_from_gauge() -> None:
    ctx8 = ClipContext(n_frames=400, height=H, width=W, channels=3, medium=Medium(gauge="super8"))
    ctx16 = ClipContext(n_frames=400, height=H, width=W, channels=3, medium=Medium(gauge="16mm"))
    p8 = GateWeave(rotation_deg=0.0).sample_params(np.random.default_rng(0), ctx8)
    p16 = GateWeave(rotation_deg=0.0).sample_params(np.random.default_rng(0), ctx16)
    # Same draws; Super 8 (10 µm over 5.79 mm) moves more pixels than 16 mm (8 µm over 10.26 mm).
    expected = (10.0 / (5790 / W)) / (8.0 / (10260 / W))
    np.testing.assert_allclose(np.std(p8.dx) / np.std(p16.dx), expected, rtol=1e-9)


def test_measured_shifts_follow_sampled_shifts() -> None:
    s = FilmPipeline([GateWeave(rotation_deg=0.0)], seed=5, medium=MEDIUM).sample(_clip(40))
    rec = s.record.params_of("weave")[0]
    dx, dy = (np.asarray(rec[k]["__ndarray__"]) for k in ("dx", "dy"))
    sh = frame_shifts(s.image, TEX)
    assert np.abs(sh[:, 0] - dx).max() < 0.3 and np.abs(sh[:, 1] - dy).max() < 0.3


def test_acceptance_std_one_clip() -> None:
    # Issue criterion: std of phase-correlation shifts within ±15 % of rms_um converted to pixels, on one
    # 200-frame clip. With independent frames (correlation 0) the estimator scatters by ±5 %.
    s = FilmPipeline([GateWeave(rotation_deg=0.0, correlation=0.0)], seed=0, medium=MEDIUM)(_clip(200))
    sh = frame_shifts(s, TEX)
    expected = MEDIUM.um_to_px(10.0, W)
    for k in (0, 1):
        assert abs(sh[:, k].std(ddof=1) / expected - 1) <= 0.15, (k, sh[:, k].std(ddof=1), expected)


def test_acceptance_std_pooled_default_correlation() -> None:
    # With the default lag-1 correlation 0.7 one clip holds only ~70 independent values (±10 %), so pool
    # 8 clips (±4 %). Clipping at 3 sigma lowers the RMS by ~1 %.
    weave = GateWeave(rms_um=6.0, vertical_ratio=0.5, rotation_deg=0.0)
    shifts = np.concatenate(
        [frame_shifts(FilmPipeline([weave], seed=s, medium=MEDIUM)(_clip(200)), TEX) for s in range(8)]
    )
    ex, ey = MEDIUM.um_to_px(6.0, W), MEDIUM.um_to_px(3.0, W)
    assert abs(np.sqrt(np.mean(shifts[:, 0] ** 2)) / ex - 1) <= 0.10
    assert abs(np.sqrt(np.mean(shifts[:, 1] ** 2)) / ey - 1) <= 0.10


def test_lag1_correlation_of_shifts() -> None:
    s = FilmPipeline([GateWeave(rotation_deg=0.0, correlation=0.8)], seed=1, medium=MEDIUM)(_clip(200))
    sh = frame_shifts(s, TEX)[:, 0]
    d = sh - sh.mean()
    assert abs(float(d[:-1] @ d[1:]) / float(d @ d) - 0.8) < 0.15


def test_bounded() -> None:
    ctx = ClipContext(n_frames=2000, height=H, width=W, channels=3, medium=MEDIUM)
    p = GateWeave(bound_sigma=2.0).sample_params(np.random.default_rng(0), ctx)
    assert np.abs(p.dx).max() <= 2.0 * MEDIUM.um_to_px(10.0, W) + 1e-9


def test_reflect_border_invents_no_black_bars() -> None:
    x = np.full((3, H, W, 3), 0.6, np.float32)
    p = WeaveParams(dx=np.array([4.3, -4.3, 0.0]), dy=np.array([3.1, 0.0, -3.1]), angle_deg=np.zeros(3))
    out, masks = GateWeave().apply(x, p)
    assert masks == {} and np.abs(out - 0.6).max() < 1e-6
    black, _ = GateWeave(border="black").apply(x, WeaveParams(p.dx, p.dy, p.angle_deg, border="black"))
    assert black[0, :, :3].max() < 0.01  # the gate edge shows when asked


class _SquareMask(Transform):
    """Test-only transform: paints a bright square and reports it as a mask."""

    name = "test_weave_square_mask"
    mask_names: ClassVar[tuple[str, ...]] = ("square",)

    @dataclass(frozen=True)
    class Params:
        y0: int

    params_cls = Params

    def sample_params(self, rng: np.random.Generator, ctx: ClipContext) -> _SquareMask.Params:
        return self.Params(y0=ctx.height // 3)

    def apply(
        self, frames: np.ndarray, params: _SquareMask.Params
    ) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        out = frames.copy()
        t, h, w, _ = frames.shape
        m = np.zeros((t, h, w), np.float32)
        m[:, params.y0 : params.y0 + 12, w // 3 : w // 3 + 12] = 1.0
        out[m > 0] = 1.0
        return out, {"square": m}


def _centroid(a: np.ndarray) -> np.ndarray:
    yy, xx = np.mgrid[0 : a.shape[0], 0 : a.shape[1]]
    return np.array([(a * xx).sum() / a.sum(), (a * yy).sum() / a.sum()])


@pytest.mark.parametrize("border", ["reflect", "black"])
def test_mask_moves_with_image(border: str) -> None:
    x = np.zeros((12, H, W, 3), np.float32)
    pipe = FilmPipeline([_SquareMask(), GateWeave(15.0, border=border)], seed=4, medium=MEDIUM)
    s = pipe.sample(x)
    m = s.masks["square"]
    unmoved = np.array([W // 3 + 5.5, H // 3 + 5.5])
    moved = 0.0
    for t in range(x.shape[0]):
        img_c, mask_c = _centroid(s.image[t, ..., 0]), _centroid(m[t])
        assert np.abs(img_c - mask_c).max() < 1e-3  # mask and bright square coincide
        moved = max(moved, float(np.abs(mask_c - unmoved).max()))
    assert moved > 1.0  # and they did move (15 µm RMS ≈ 5 px here)
    # apply_to_mask on a synthetic mask equals warping it as an image
    p = pipe.transforms[1].sample_params(np.random.default_rng(1), pipe._context(x))
    mask = np.zeros((12, H, W), np.float32)
    mask[:, 20:30, 40:50] = 1.0
    as_img, _ = pipe.transforms[1].apply(np.repeat(mask[..., None], 3, axis=-1), p)
    moved_mask = pipe.transforms[1].apply_to_mask(mask, p)
    np.testing.assert_allclose(moved_mask, np.clip(as_img[..., 0], 0, 1), atol=1e-6)


@pytest.mark.parametrize("interpolation", ["linear", "cubic"])
def test_output_stays_in_unit_range(interpolation: str) -> None:
    # Bicubic resampling overshoots at sharp edges (by ~0.3 on a black/white pattern); GateWeave declares
    # output_in_range, so the pipeline does not clip after it: apply must keep [0, 1] itself.
    x = (np.random.default_rng(0).random((3, H, W, 3)) > 0.5).astype(np.float32)
    p = WeaveParams(dx=np.array([0.4, 1.3, -2.6]), dy=np.array([0.2, -0.7, 0.5]), angle_deg=np.zeros(3),
                    interpolation=interpolation)
    out, _ = GateWeave(interpolation=interpolation).apply(x, p)
    assert out.min() >= 0.0 and out.max() <= 1.0
    assert GateWeave.output_in_range
    assert 0.05 < out.mean() and ((out > 0.01) & (out < 0.99)).mean() > 0.3  # resampled, not just clipped
