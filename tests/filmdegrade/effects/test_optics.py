"""Tests of optics (softness, halation, vignetting): contract and measured behaviour."""

from __future__ import annotations

import numpy as np
import pytest

from filmdegrade import FilmPipeline, Medium
from filmdegrade.colour import srgb_to_linear
from filmdegrade.effects.base import ClipContext
from filmdegrade.effects.optics import Optics, OpticsParams, apply_optics, disc_kernel, vignette_log2_gain
from tests.filmdegrade.contract import check_transform_contract


def _params(**kw: object) -> OpticsParams:
    base = dict(blur_sigma_px=0.0, psf="gaussian", halation=0.0, halation_sigma_px=0.0,
                halation_threshold=0.6, halation_tint=(1.0, 0.3, 0.0), vignette_stops=0.0)
    base.update(kw)
    return OpticsParams(**base)  # type: ignore[arg-type]


def test_contract_default() -> None:
    check_transform_contract(Optics(), Medium(gauge="super8"))


def test_contract_fixed_disc_bw() -> None:
    # Fixed numbers: deterministic whatever the seed, so the seed check is off.
    check_transform_contract(
        Optics(blur_um=30.0, psf="disc", halation=0.2, vignette_stops=0.5),
        Medium(gauge="16mm", stock="plus_x_reversal"),
        must_change=False,
    )


def test_identity_when_everything_off() -> None:
    x = np.random.default_rng(0).random((1, 32, 48, 3), dtype=np.float32)
    out, masks = Optics().apply(x, _params())
    assert masks == {}
    assert np.abs(out - x).max() < 2e-6  # the linear-light round trip is exact


def test_gaussian_blur_width_in_linear_light() -> None:
    # A vertical edge blurred with sigma s in linear light: the 16-84 % rise in linear light spans 2 s.
    x = np.zeros((1, 16, 128, 3), np.float32)
    x[..., 64:, :] = 1.0
    out, _ = Optics().apply(x, _params(blur_sigma_px=4.0))
    prof = srgb_to_linear(out[0, 8])[:, 1]
    xs = np.arange(128)
    width = np.interp(0.84, prof, xs) - np.interp(0.16, prof, xs)
    assert abs(width - 8.0) < 0.3
    assert abs(np.interp(0.5, prof, xs) - 63.5) < 0.2  # blur is centred


@pytest.mark.parametrize("sigma", [1.0, 1.35, 2.0, 3.3, 6.0])
def test_truncated_gaussian_psf_keeps_its_mtf(sigma: float) -> None:
    # The PSF is truncated at ±2.5 sigma (rounded) for speed: measured through cv2.GaussianBlur on an
    # impulse, its MTF stays within 0.02 of the Gaussian's wherever that is above 0.02.
    import cv2

    from filmdegrade.effects.optics import gaussian_psf_ksize

    k = gaussian_psf_ksize(sigma)
    assert k < 2 * round(3 * sigma) + 1 or sigma < 1.2  # shorter than the 3-sigma kernel
    n = 256
    impulse = np.zeros((1, n), np.float32)
    impulse[0, n // 2] = 1.0
    row = cv2.GaussianBlur(impulse, (k, 1), sigma, borderType=cv2.BORDER_CONSTANT)[0]
    mtf = np.abs(np.fft.rfft(row.astype(np.float64)))
    f = np.fft.rfftfreq(n)
    gauss = np.exp(-2.0 * np.pi**2 * sigma**2 * f**2)
    band = gauss > 0.02
    assert np.abs(mtf - gauss)[band].max() < 0.02


def test_um_to_px_conversion() -> None:
    ctx = ClipContext(n_frames=1, height=100, width=1920, channels=3, medium=Medium(gauge="super8"))
    p = Optics(blur_um=4.0, halation_um=120.0).sample_params(np.random.default_rng(0), ctx)
    assert p.blur_sigma_px == pytest.approx(4.0 / (5790 / 1920))
    assert p.halation_sigma_px == pytest.approx(120.0 / (5790 / 1920))


def test_vignette_corner_stops() -> None:
    lv = vignette_log2_gain(101, 151, 0.7)
    assert lv[50, 75] == pytest.approx(0.0, abs=1e-6)
    for c in (lv[0, 0], lv[0, -1], lv[-1, 0], lv[-1, -1]):
        assert c == pytest.approx(-0.7, abs=1e-5)
    x = np.full((1, 101, 151, 3), 0.5, np.float32)
    out, _ = Optics().apply(x, _params(vignette_stops=0.7))
    lin = srgb_to_linear(out[0])
    ratio = lin[0, 0] / lin[50, 75]
    np.testing.assert_allclose(np.log2(ratio), -0.7, atol=0.01)  # measured in linear light


def test_halation_is_red_glow_around_highlights_on_colour() -> None:
    x = np.full((1, 64, 64, 3), 0.2, np.float32)
    x[:, 28:36, 28:36] = 1.0
    out, _ = Optics().apply(x, _params(halation=0.5, halation_sigma_px=6.0, halation_threshold=0.5))
    ring = out[0, 28:36, 40:46]  # just outside the highlight
    d = ring - 0.2
    assert d[..., 0].mean() > 0.02  # red rises
    assert d[..., 0].mean() > 2 * d[..., 1].mean() > 0 and abs(d[..., 2]).max() < 1e-5  # some green, no blue
    far = out[0, 0:6, 0:6] - 0.2
    assert np.abs(far).max() < 0.005  # local


def test_halation_neutral_on_bw_stock() -> None:
    ctx = ClipContext(n_frames=1, height=64, width=64, channels=3,
                      medium=Medium(gauge="16mm", stock="plus_x_reversal"))
    p = Optics(halation=0.3).sample_params(np.random.default_rng(0), ctx)
    assert p.halation_tint == (1.0, 1.0, 1.0)


def test_no_highlights_no_halation() -> None:
    x = np.full((1, 32, 32, 3), 0.4, np.float32)  # linear 0.13 < threshold 0.6
    out, _ = Optics().apply(x, _params(halation=1.0, halation_sigma_px=5.0))
    assert np.abs(out - x).max() < 2e-6


def test_constant_over_clip() -> None:
    x = np.random.default_rng(1).random((1, 48, 64, 3), dtype=np.float32)
    clip = np.repeat(x, 5, axis=0)
    out = FilmPipeline([Optics(halation=0.2)], seed=3, medium=Medium(gauge="super8", scan_width_px=640))(clip)
    for t in range(1, 5):
        np.testing.assert_array_equal(out[t], out[0])
    assert np.abs(out[0] - x[0]).mean() > 1e-3


def test_disc_kernel_normalised_and_round() -> None:
    k = disc_kernel(3.2)
    assert k.sum() == pytest.approx(1.0, abs=1e-6)
    np.testing.assert_allclose(k, k.T, atol=1e-7)
    assert k[k.shape[0] // 2, 0] > 0 and k[0, 0] == 0


def test_apply_optics_grey() -> None:
    x = np.random.default_rng(2).random((32, 32, 1), dtype=np.float32)
    lv = vignette_log2_gain(32, 32, 0.5)[..., None]
    out = apply_optics(x, blur_sigma_px=1.0, halation=0.2, halation_sigma_px=4.0, halation_threshold=0.3,
                       log2_vignette=lv)
    assert out.shape == x.shape and 0 <= out.min() and out.max() <= 1


def _reference_optics(x: np.ndarray, p: OpticsParams) -> np.ndarray:
    """Whole-frame, textbook implementation of the model: decode (power segment), vignette, blur,
    halation glow (the module's glow routine on the vignetted frame), encode."""
    import cv2

    from filmdegrade.effects import optics as mod

    h, w, c = x.shape
    a = (x.astype(np.float64) + 0.055) ** 2.4
    gain = None
    if p.vignette_stops > 0:
        gain = 2.0 ** vignette_log2_gain(h, w, p.vignette_stops).astype(np.float64)
        a *= gain[..., None]
    a = a.astype(np.float32)
    if p.blur_sigma_px > 0:
        if p.psf == "gaussian":
            k = mod.gaussian_psf_ksize(p.blur_sigma_px)
            a = cv2.GaussianBlur(a, (k, k), p.blur_sigma_px, borderType=cv2.BORDER_REFLECT_101)
        else:
            a = cv2.filter2D(a, -1, disc_kernel(p.blur_sigma_px), borderType=cv2.BORDER_REFLECT_101)
        a = a.reshape(h, w, c)
    if p.halation > 0:
        if gain is not None:  # the vignette's gain on the grid where the glow's source is decoded
            step = 2 ** mod._levels(h, w, p.halation_sigma_px)[0]
            gain = gain[::step, ::step].astype(np.float32)
        g = mod.halation_glow(x, p.halation_sigma_px, p.halation_threshold * mod._LIN_SCALE, gain=gain)
        a = a + g[..., None] * (p.halation * np.asarray(p.halation_tint[:c], np.float32))
    return np.clip(a.astype(np.float64) ** (1 / 2.4) - 0.055, 0, 1).astype(np.float32)


@pytest.mark.parametrize(
    ("channels", "psf", "blur", "halation"),
    [
        (3, "gaussian", 1.3, 0.2), (3, "disc", 4.5, 0.0), (1, "gaussian", 2.0, 0.3),
        (3, "gaussian", 0.0, 0.2),
        (3, "disc", 9.0, 0.2),  # a 19-px kernel: bands as tall as two margins, blurred in place
    ],
)
def test_band_processing_matches_whole_frame(
    channels: int, psf: str, blur: float, halation: float, monkeypatch: pytest.MonkeyPatch
) -> None:
    # apply_optics works on bands of rows (with margins for the PSF, shared between bands): with bands of
    # a few rows, a frame must still give the whole-frame result, seams included.
    from filmdegrade.effects import optics as mod

    monkeypatch.setattr(mod, "_BAND_FLOATS", 12 * 200 * channels)  # 12-row bands: 26 of them
    rng = np.random.default_rng(5)
    x = rng.random((301, 200, channels), dtype=np.float32) ** 2
    x[100:140, 50:90] = 1.0  # a highlight across band boundaries
    p = _params(blur_sigma_px=blur, psf=psf, halation=halation, halation_sigma_px=12.0,
                halation_threshold=0.5, vignette_stops=0.4)
    out, _ = Optics().apply(x[None], p)
    np.testing.assert_allclose(out[0], _reference_optics(x, p), atol=2e-5)
    # in place, each band is written over rows later bands have already read (or carried): same values
    in_place, _ = Optics().apply_in_place(x[None].copy(), p)
    np.testing.assert_array_equal(in_place, out)


@pytest.mark.parametrize(("h", "w", "sigma"), [(1080, 1920, 40.0), (301, 203, 12.0)])
def test_halation_glow_centred_on_source(h: int, w: int, sigma: float) -> None:
    # The glow of a single bright dot (halation only) peaks on the dot, in x and y, within 0.5 px: the
    # downsampling of the glow and its upsampling must use the same pixel-centre convention.
    y0, x0 = 2 * h // 5 + 1, 3 * w // 5 + 2
    x = np.zeros((1, h, w, 3), np.float32)
    x[0, y0, x0] = 1.0
    p = _params(halation=50.0, halation_sigma_px=sigma, halation_threshold=0.0, halation_tint=(1.0, 1.0, 1.0))
    out, _ = Optics().apply(x, p)
    glow = srgb_to_linear(out[0])[..., 1].astype(np.float64)
    glow[y0, x0] = (glow[y0, x0 - 1] + glow[y0, x0 + 1]) / 2  # ignore the dot's own pixel
    win = 3 * int(sigma)
    for axis, c0 in ((0, y0), (1, x0)):
        prof = glow[:, x0] if axis == 0 else glow[y0, :]
        seg = prof[c0 - win : c0 + win + 1] - prof.min()
        pos = np.arange(c0 - win, c0 + win + 1)
        peak = float((seg * pos).sum() / seg.sum())  # centroid of the (symmetric) glow
        i = int(np.argmax(seg))
        assert abs(pos[i] - c0) <= 1
        assert abs(peak - c0) < 0.5


def test_glow_brought_to_full_size_per_band_equals_whole_map(monkeypatch: pytest.MonkeyPatch) -> None:
    # The glow is upsampled band by band from crops of its small map: on odd sizes, bands of any height
    # and crops touching or not touching the frame's edges, the values equal those of the whole map's
    # cv2.pyrUp chain exactly (the crops' own reflected edges must not reach the kept part).
    from filmdegrade.effects import optics as mod

    rng = np.random.default_rng(11)
    checked = 0
    for _ in range(40):
        h, w, c = int(rng.integers(17, 200)), int(rng.integers(17, 200)), int(rng.choice([1, 3]))
        monkeypatch.setattr(mod, "_BAND_FLOATS", int(rng.integers(8, 40)) * w * c)
        x = rng.random((h, w, c), dtype=np.float32) ** 4
        y0, x0 = int(rng.integers(0, h)), int(rng.integers(0, w))
        x[y0 : y0 + 9, x0 : x0 + 7] = 1.0
        kernel = mod._OpticsKernel(
            h, w, c, blur_sigma_px=0.0, psf="gaussian", halation=0.3,
            halation_sigma_px=float(rng.uniform(1.0, 30.0)), halation_threshold=0.3,
            halation_tint=(1.0, 0.4, 0.1), log2_vignette=None, vignette_stops=0.0,
        )
        small, spans = kernel._glow(x)
        whole = mod._upsample_glow(small, h, w)
        for band, span in enumerate(spans):
            if span is not None:
                r0, r1 = band * kernel.rows, min((band + 1) * kernel.rows, h)
                part = kernel._glow_band(small, band, r0, r1, *span)
                np.testing.assert_array_equal(part, whole[r0:r1, span[0] : span[1]])
                checked += 1
    assert checked > 100


def test_glow_skipped_only_where_negligible(monkeypatch: pytest.MonkeyPatch) -> None:
    # A highlight near the top of a tall frame: bands far below it, and columns far beside it, are skipped
    # (their glow is below 1e-7), and the result still equals the whole-frame reference.
    from filmdegrade.effects import optics as mod

    monkeypatch.setattr(mod, "_BAND_FLOATS", 16 * 160 * 3)  # 16-row bands
    x = np.full((480, 160, 3), 0.3, np.float32)
    x[20:40, 30:60] = 1.0
    p = _params(halation=0.3, halation_sigma_px=6.0, halation_threshold=0.5, vignette_stops=0.2)
    kernel = mod._OpticsKernel(
        480, 160, 3, blur_sigma_px=0.0, psf="gaussian", halation=p.halation,
        halation_sigma_px=p.halation_sigma_px,
        halation_threshold=p.halation_threshold, halation_tint=p.halation_tint, log2_vignette=None,
        vignette_stops=p.vignette_stops,
    )
    _, spans = kernel._glow(x)
    assert spans[0] is not None and spans[-1] is None
    assert spans[0][1] < 160  # and only the columns it reaches
    out, _ = Optics().apply(x[None], p)
    np.testing.assert_allclose(out[0], _reference_optics(x, p), atol=2e-5)


@pytest.mark.parametrize(("name", "sigma", "low"), [("astronaut", 6.0, 0.8), ("astronaut", 24.0, 0.6),
                                                      ("coffee", 12.0, 0.6)])
def test_glow_energy_close_to_per_pixel_model(name: str, sigma: float, low: float) -> None:
    # The glow's source is averaged in sRGB (up to 4×4 px) before it is decoded and thresholded. Against the
    # textbook model (per-pixel linear luminance excess, full-size Gaussian) on sharp natural images, the
    # glow keeps its place and most of its light: measured 0.84-0.85 at sigma 6 px and 0.64-0.69 at 12-24 px
    # (the whole-frame pyramid used before kept 0.45-0.87).
    import cv2
    from skimage import data

    from filmdegrade.effects import optics as mod

    x = (getattr(data, name)() / 255.0).astype(np.float32)
    thr = 0.6 * mod._LIN_SCALE
    ours = mod.halation_glow(x, sigma, thr).astype(np.float64)
    y = ((x.astype(np.float64) + 0.055) ** 2.4 @ np.array([0.2126, 0.7152, 0.0722])).astype(np.float32)
    k = 2 * int(4 * sigma) + 1
    ref = cv2.GaussianBlur(np.maximum(y - thr, 0), (k, k), sigma, borderType=cv2.BORDER_REFLECT_101)
    ratio = ours.sum() / ref.sum()
    assert low <= ratio <= 1.02
    # where the glow is, not only how much: the two maps correlate closely
    assert np.corrcoef(ours.ravel(), ref.ravel())[0, 1] > 0.95  # measured 0.965-0.99


def test_interleaved_kernels_share_scratch_safely() -> None:
    # Work buffers are kept per thread between calls; two kernels of one size with different vignetting
    # and tint, run alternately, must give what each gives alone.
    from filmdegrade.effects import optics as mod

    x = np.random.default_rng(3).random((2, 64, 80, 3), dtype=np.float32)
    x[:, 10:30, 10:30] = 1.0
    kw = dict(blur_sigma_px=1.0, psf="gaussian", halation_sigma_px=6.0, halation_threshold=0.3,
              log2_vignette=None)
    a = dict(kw, halation=0.5, halation_tint=(1.0, 0.3, 0.0), vignette_stops=0.8)
    b = dict(kw, halation=0.3, halation_tint=(0.0, 0.5, 1.0), vignette_stops=0.2)
    alone_a = [mod._OpticsKernel(64, 80, 3, **a).run(f, np.empty_like(f)) for f in x]
    alone_b = [mod._OpticsKernel(64, 80, 3, **b).run(f, np.empty_like(f)) for f in x]
    ka, kb = mod._OpticsKernel(64, 80, 3, **a), mod._OpticsKernel(64, 80, 3, **b)
    for i, f in enumerate(x):
        np.testing.assert_array_equal(ka.run(f, np.empty_like(f)), alone_a[i])
        np.testing.assert_array_equal(kb.run(f, np.empty_like(f)), alone_b[i])


def test_negative_tint_glow_is_not_skipped_and_buffers_can_be_freed() -> None:
    # The skip test uses |weights|: a (physically odd, but allowed by apply_optics) negative tint still acts.
    from filmdegrade.effects import optics as mod

    x = np.full((48, 64, 3), 0.3, np.float32)
    x[16:32, 20:40] = 1.0
    kw = dict(blur_sigma_px=0.0, halation=1.0, halation_sigma_px=4.0, halation_threshold=0.3)
    neg = apply_optics(x, halation_tint=(-0.2, -0.2, -0.2), **kw)
    zero = apply_optics(x, halation_tint=(0.0, 0.0, 0.0), **kw)
    assert np.abs(neg - zero).max() > 1e-3
    mod.free_work_buffers()
    assert not getattr(mod._SCRATCH, "bufs", {})
    np.testing.assert_array_equal(apply_optics(x, halation_tint=(-0.2, -0.2, -0.2), **kw), neg)
