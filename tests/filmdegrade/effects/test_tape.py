"""Tests of the analog tape model: contract, and measured bandwidth, SNR, chroma delay, head switching,
tracking and dropouts against the configured values."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from filmdegrade import FilmPipeline, Medium
from filmdegrade.colour import rgb_to_yiq, rgb_to_yuv, yiq_to_rgb
from filmdegrade.effects.tape import Tape
from filmdegrade.effects.tape_signal import luma_response
from filmdegrade.measure.bandwidth import (
    bottom_band_lines,
    chroma_delay,
    cutoff_frequency,
    flat_field_snr,
    sweep_pattern,
    sweep_response,
)
from filmdegrade.media import get_tape
from tests.filmdegrade.contract import check_transform_contract

H, W = 480, 720
# Only the filters (no noise, no time-base errors, no events): what the bandwidth is defined on.
FILTERS_ONLY = dict(
    snr_db=150, chroma_snr_db=150, jitter_us=0, edge_wave_us=0, dropouts_per_s=0, head_switch_lines=0
)


def _run(tr: Tape, x: np.ndarray, seed: int = 0, medium: Medium | None = None):
    return FilmPipeline([tr], seed=seed, medium=medium).sample(x)


def test_contract_default():
    check_transform_contract(Tape())


def test_contract_all_events():
    check_transform_contract(
        Tape("vhs_ep", tracking=(0.3, 1.0), dropouts_per_s=300, doc=True, generations=(1, 2)), clip_len=3
    )


def test_contract_pal():
    check_transform_contract(Tape("vhs_pal"))


def _luma_sweep():
    freqs = np.linspace(20, 340, 81)
    img, band = sweep_pattern(W, H, freqs)
    return np.repeat(img[..., None], 3, -1), img, band, freqs


def _chroma_sweep():
    freqs = np.linspace(3, 80, 45)
    ci, band = sweep_pattern(W, H, freqs, amplitude=0.12, mean=0.0)
    yiq = np.stack([np.full((H, W), 0.5, np.float32), ci, np.zeros_like(ci)], -1)
    x = np.clip(yiq_to_rgb(yiq), 0, 1)
    return x, rgb_to_yiq(x)[..., 1], band, freqs


@pytest.mark.parametrize("fmt", ["vhs_sp", "vhs_ep", "svhs", "betamax"])
def test_bandwidth_within_15_percent(fmt):
    info = get_tape(fmt).info
    a = info["active_line_us"]
    x, y_in, band, freqs = _luma_sweep()
    out = _run(Tape(fmt, **FILTERS_ONLY), x).image
    f_luma = cutoff_frequency(freqs, sweep_response(y_in, rgb_to_yiq(out)[..., 0], band, freqs))
    want_luma = info["luma_bandwidth_mhz"] * a
    assert abs(f_luma / want_luma - 1) < 0.15, (f_luma, want_luma)
    xc, i_in, cband, cfreqs = _chroma_sweep()
    out = _run(Tape(fmt, **FILTERS_ONLY), xc).image
    f_chroma = cutoff_frequency(cfreqs, sweep_response(i_in, rgb_to_yiq(out)[..., 1], cband, cfreqs))
    want_chroma = info["chroma_bandwidth_mhz"] * a
    assert abs(f_chroma / want_chroma - 1) < 0.15, (f_chroma, want_chroma)
    if fmt.startswith("vhs"):
        assert f_chroma < f_luma / 4


def test_bandwidth_default_chain_vhs_sp():
    # The whole default chain (noise, jitter, peaking, emphasis, events) keeps the luma −3 dB point.
    x, y_in, band, freqs = _luma_sweep()
    out = _run(Tape("vhs_sp", dropouts_per_s=0, head_switch_lines=0), x).image
    f = cutoff_frequency(freqs, sweep_response(y_in, rgb_to_yiq(out)[..., 0], band, freqs))
    assert abs(f / (3.0 * 52.6) - 1) < 0.15, f


def test_bandwidth_follows_configuration_and_crop_scale():
    freqs = _luma_sweep()[3]
    # A 360-px crop of a 720-px line: the same MHz is half the cycles per crop width.
    fr = freqs[freqs < 170] / 2
    img, b2 = sweep_pattern(360, H, fr)
    out = _run(Tape("vhs_sp", line_width_px=720, luma_bandwidth_mhz=2.0, **FILTERS_ONLY),
               np.repeat(img[..., None], 3, -1)).image
    f = cutoff_frequency(fr, sweep_response(img, rgb_to_yiq(out)[..., 0], b2, fr))
    assert abs(f / (2.0 * 52.6 / 2) - 1) < 0.15, f


def test_generation_loss_narrows_and_adds_noise():
    x, y_in, band, freqs = _luma_sweep()
    f, pr = [], None
    for g in (1, 3):
        s = _run(Tape(generations=g, **FILTERS_ONLY), x)
        f.append(cutoff_frequency(freqs, sweep_response(y_in, rgb_to_yiq(s.image)[..., 0], band, freqs)))
        pr = s.record.entries[0]["params"]
    # three passes: the −3 dB point of |H|³, predicted from the recorded single-pass response
    fine = np.linspace(0.01, 0.5, 5000)
    h3 = luma_response(fine, pr["luma_corner"], pr["filter_order"], pr["peak_gain"], pr["peak_freq"]) ** 3
    predicted = cutoff_frequency(fine, h3) * W
    assert f[1] < 0.92 * f[0]
    assert abs(f[1] / predicted - 1) < 0.05, (f, predicted)
    flat = np.full((2, H, W, 3), 0.5, np.float32)
    snr = [flat_field_snr(rgb_to_yiq(_run(Tape(generations=g, dropouts_per_s=0, head_switch_lines=0),
                                         flat).image)[..., 0]) for g in (1, 3)]
    assert snr[0] - snr[1] > 2.0


@pytest.mark.parametrize("fmt,snr", [("vhs_sp", None), ("vhs_ep", None), ("vhs_sp", 38.0), ("vhs_pal", None)])
def test_flat_field_snr(fmt, snr):
    flat = np.full((3, H, W, 3), 0.5, np.float32)
    out = _run(Tape(fmt, snr_db=snr, dropouts_per_s=0, head_switch_lines=0), flat).image
    to = rgb_to_yuv if get_tape(fmt).system == "pal" else rgb_to_yiq
    measured = flat_field_snr(to(out)[..., 0])
    want = get_tape(fmt).snr_db if snr is None else snr
    assert abs(measured - want) < 1.5, (measured, want)
    # chroma noise too (configured per component)
    measured_c = flat_field_snr(to(out)[..., 1])
    assert abs(measured_c - get_tape(fmt).chroma_snr_db) < 1.5


@pytest.mark.parametrize("fmt,delay_us", [("vhs_sp", None), ("vhs_ep", None), ("vhs_sp", 0.8)])
def test_chroma_delay(fmt, delay_us):
    e = np.zeros((H, W), np.float32)
    e[:, 250:] = 1.0
    e[:, 500:] = 0.0
    x = np.clip(yiq_to_rgb(np.stack([0.3 + 0.4 * e, 0.2 * e - 0.1, np.zeros_like(e)], -1)), 0, 1)
    out = _run(Tape(fmt, chroma_delay_us=delay_us, **FILTERS_ONLY), x).image
    q = rgb_to_yiq(out)
    want_us = get_tape(fmt).chroma_delay_us if delay_us is None else delay_us
    want = want_us / get_tape(fmt).active_line_us * W
    assert abs(chroma_delay(q[..., 0], q[..., 1]) - want) < 0.5


def test_head_switch_only_bottom_lines_and_varies_per_field():
    x = np.repeat(np.linspace(0.1, 0.9, W, dtype=np.float32)[None, None, :, None], H, 1)
    x = np.repeat(np.repeat(x, 3, -1), 3, 0)
    x[:, :, ::37] = 1.0  # vertical lines so a shift shows
    base = dict(dropouts_per_s=0, snr_db=45.0, jitter_us=0.05)
    ref = _run(Tape(head_switch_lines=0, **base), x).image
    for n in (8, 20):
        s = _run(Tape(head_switch_lines=n, **base), x)
        for t in range(3):
            assert bottom_band_lines(s.image[t], ref[t]) == (n, 0)
            assert np.array_equal(np.flatnonzero(s.masks["head_switch"][t].any(1)), np.arange(H - n, H))
    shifts = s.record.entries[0]["params"]["head_switch_shift_px"]["__ndarray__"]
    shifts = np.asarray(shifts).reshape(3, 2)
    assert len(np.unique(shifts)) == 6  # per field, per frame
    # default number of lines comes from the format table
    s = _run(Tape(**base), x)
    assert bottom_band_lines(s.image[0], ref[0])[0] == get_tape("vhs_sp").head_switch_lines


def test_tracking_band_rolls():
    x = np.full((5, H, W, 3), 0.4, np.float32)
    quiet = dict(dropouts_per_s=0, head_switch_lines=0, snr_db=150, chroma_snr_db=150)
    s = _run(Tape(tracking=0.8, **quiet), x, seed=5)
    m = s.masks["tracking"]
    centres = [np.flatnonzero(m[t].any(1)).mean() for t in range(5) if m[t].any()]
    assert len(centres) >= 3
    assert len(set(np.round(centres))) == len(centres)  # moves every frame
    # the band is where the picture is disturbed
    ref = _run(Tape(tracking=0.0, **quiet), x, seed=5).image
    t = next(t for t in range(5) if m[t].any())
    d = np.abs(s.image[t] - ref[t]).mean(axis=(1, 2))
    inside = m[t].any(1)
    assert d[inside].mean() > 10 * d[~inside].mean()


def test_dropouts_fresh_per_frame_and_length_distribution():
    median, sigma = 12.0, 0.5
    x = np.full((6, H, W, 3), 0.3, np.float32)
    tr = Tape(dropouts_per_s=3000, dropout_median_us=median, dropout_sigma_ln=sigma, head_switch_lines=0)
    s = _run(tr, x, seed=2)
    m = s.masks["dropout"]
    assert all(m[t].sum() > 0 for t in range(6))
    assert not any(np.array_equal(m[t], m[t + 1]) for t in range(5))
    rec = np.asarray(s.record.entries[0]["params"]["dropouts"]["__ndarray__"]).reshape(-1, 4)
    # recorded lengths follow the configured log-normal
    ks = stats.kstest(np.log(rec[:, 3]), "norm", args=(np.log(median), sigma))
    assert ks.pvalue > 0.01
    # the mask shows them: dropouts inside one active line give a run of their length (µs → px)
    info = get_tape("vhs_sp").info
    blank = info["line_period_us"] - info["active_line_us"]
    px_us = info["active_line_us"] / W
    inside = rec[(rec[:, 2] > blank) & (rec[:, 2] + rec[:, 3] < info["line_period_us"])]
    got, want = [], []
    for t, row, start, length in inside[:200]:
        x0 = int(np.floor((start - blank) / px_us))
        run = m[int(t), int(row), x0:]
        n = int(np.argmin(run > 0)) if (run == 0).any() else len(run)
        got.append(n)
        want.append(length / px_us)
    assert np.median(np.abs(np.array(got) - np.array(want))) < 2.0
    # white streaks where not concealed
    y = rgb_to_yiq(s.image)[..., 0]
    assert y[m > 0].mean() > 0.8


def test_drop_out_compensator_repeats_line_above():
    x = np.repeat(np.linspace(0.1, 0.9, H, dtype=np.float32)[None, :, None, None], W, 2)
    x = np.repeat(np.repeat(x, 3, -1), 2, 0)
    quiet = dict(head_switch_lines=0, snr_db=150, chroma_snr_db=150)
    s = _run(Tape(dropouts_per_s=600, doc=True, **quiet), x, seed=3)
    y = rgb_to_yiq(s.image)[..., 0]
    m = s.masks["dropout"]
    assert m.sum() > 0
    t, r, c = np.nonzero(m)
    keep = r >= 2
    assert np.mean(np.abs(y[t[keep], r[keep], c[keep]] - y[t[keep], r[keep] - 2, c[keep]]) < 2e-3) > 0.95
    assert y[m > 0].mean() < 0.8  # no bright streaks


def test_interlace_takes_field_one_from_previous_frame():
    x = np.zeros((2, 64, 64, 1), np.float32)
    x[1] = 1.0
    clean = dict(FILTERS_ONLY, emphasis_gain_db=0.0)
    out = _run(Tape(**clean), x).image
    assert out[1, 0::2].mean() < 0.05 and out[1, 1::2].mean() > 0.95
    out = _run(Tape(interlace=False, **clean), x).image
    assert out[1].mean() > 0.95


def test_emphasis_clipping_smears_after_bright_edges():
    x = np.zeros((1, 16, W, 1), np.float32)
    x[..., 300:400, :] = 1.0
    on = _run(Tape(**FILTERS_ONLY, peaking_gain=0), x).image[0, 8, :, 0]
    off = _run(Tape(**FILTERS_ONLY, peaking_gain=0, emphasis_gain_db=0.0), x).image[0, 8, :, 0]
    # the trailing (right) edge of the bright bar is slowed down, the leading edge much less so
    assert np.abs(on[400:430] - off[400:430]).sum() > 3 * np.abs(on[270:300] - off[270:300]).sum()


def test_format_from_medium_and_errors():
    t = Tape()
    p = t.sample_params(np.random.default_rng(0), _ctx(Medium(tape="vhs_ep")))
    assert p.format == "vhs_ep"
    with pytest.raises(ValueError, match="analog"):
        t.sample_params(np.random.default_rng(0), _ctx(Medium(tape="dv")))
    with pytest.raises(ValueError, match="format"):
        Tape("betacam")
    with pytest.raises(ValueError, match="snr_db"):
        Tape(snr_db=-3)


def _ctx(medium):
    from filmdegrade.effects.base import ClipContext

    return ClipContext(n_frames=1, height=H, width=W, channels=3, medium=medium)


def test_interlace_colour_fields_come_from_their_frames():
    # colour planes are converted field by field straight into their rows (no frame copy)
    x = np.zeros((2, 64, 96, 3), np.float32)
    x[0] = (0.1, 0.5, 0.2)
    x[1] = (0.8, 0.3, 0.6)
    clean = dict(FILTERS_ONLY, emphasis_gain_db=0.0, chroma_vertical_blend=False, chroma_delay_us=0.0)
    out = _run(Tape(**clean), x).image
    np.testing.assert_allclose(out[1, 0::2].mean((0, 1)), x[0, 0, 0], atol=0.01)
    np.testing.assert_allclose(out[1, 1::2].mean((0, 1)), x[1, 0, 0], atol=0.01)
    np.testing.assert_allclose(out[0].mean((0, 1)), x[0, 0, 0], atol=0.01)


def test_public_names_stay_importable_from_tape():
    # the kernels moved to tape_defects / tape_signal; tape re-exports them, so user imports keep working
    from filmdegrade.effects import tape, tape_defects

    for name in tape.__all__:
        assert getattr(tape, name) is not None, name
    for name in tape_defects.__all__:
        assert getattr(tape, name) is getattr(tape_defects, name), name
    for name in ("DEFAULT_FORMAT", "TRACKING_LINES", "TRACKING_SHIFT_US", "DROPOUT_MIN_US", "DROPOUT_MAX_US"):
        assert hasattr(tape, name), name
