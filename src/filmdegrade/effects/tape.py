"""Analog tape formats (VHS SP/LP/EP, S-VHS, Betamax, Video8/Hi8): a Y/C scanline signal model.

Geometry
--------
Each image row is one scanline and its time axis is the active line of the format (52.6 µs NTSC,
52 µs PAL, ``active_line_us`` in ``data/tapes.toml``). By default the image width is the whole active
line and the image height is the format's active lines of one frame (480 NTSC, 576 PAL); line counts in
the configuration (head switching, tracking band) are scaled by ``image height / lines``. For a crop
give ``line_width_px`` (the width the *full* active line would have) and ``frame_height_px`` (the
height the full frame would have), so that MHz and lines keep their scale. A bandwidth ``f`` in MHz is
``f × active_line_us`` cycles per picture width (cpw).

Signal chain (per frame; ``generations`` repeats the record/playback part, a dub of a dub)
----------------------------------------------------------------------------------------
1. Interlacing: field 1 (even rows) shows the previous moment ``t − 1`` and field 2 (odd rows) the
   current frame ``t``; frame 0 uses itself for both. Using ``t − 1`` rather than ``t + 1`` keeps the
   frames of a clip causal, so a longer clip with the same seed starts with the same frames.
2. RGB → Y/C (YIQ for NTSC, Y'UV for PAL; grey input is luma only).
3. Time base: a per-line horizontal shift (cubic interpolation) = random jitter + slow edge waving +
   head switching (bottom lines of each field) + tracking band; chroma is also delayed against luma.
   Shifting before the (shift-invariant) filters leaves the noise statistics exact.
4. Record/playback, ``generations`` times: FM pre-emphasis with clipping of the overshoots and
   de-emphasis (smear after bright edges); luma low-pass × playback peaking (ringing halos) with luma
   noise; colour-under chroma low-pass (chroma bleed) with chroma noise; vertical chroma blending with
   the previous line of the same field (the playback comb / 1H delay line).
5. Tracking-band snow, head-switching noise, dropouts (bright streaks, optionally concealed by a
   drop-out compensator repeating the line above of the same field).

Calibration (what the measurements in the tests check)
------------------------------------------------------
* Bandwidth: the format's luma bandwidth is the −3 dB (70.7 %) point of the *whole* luma chain, low-pass
  × peaking (the low-pass corner is solved so that peaking does not move it); chroma bandwidth is the
  −3 dB point of the chroma low-pass. Both for one generation, without time-base interpolation.
* SNR: ``20·log10(1 / σ_Y)`` with white − black = 1 (unweighted), on the output luma of one generation;
  chroma SNR likewise per chroma component (I, Q or U, V).
* Chroma delay: a shift of C against Y, µs (positive: chroma lags, moves right).

Modules
-------
This module holds the transform: it samples the format's settings, converts them to pixels and runs the
chain. The kernels live in :mod:`~filmdegrade.effects.tape_signal` (filters, emphasis, DCT-domain noise)
and :mod:`~filmdegrade.effects.tape_defects` (:func:`~filmdegrade.effects.tape_defects.row_shifts`,
:func:`~filmdegrade.effects.tape_defects.render_dropouts`, importable from here as well).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import cv2
import numpy as np

from filmdegrade.colour import rgb_to_yiq, rgb_to_yuv, yiq_to_rgb, yuv_to_rgb
from filmdegrade.effects.base import ClipContext, Transform, check_choice, check_range, sample_range
from filmdegrade.effects.tape_defects import render_dropouts, row_shifts
from filmdegrade.effects.tape_signal import (
    _noise_bins,
    _uniform_noise,
    apply_emphasis_clip,
    chroma_response,
    dct_freqs,
    filter_rows,
    luma_response,
    solve_lowpass_corner,
)
from filmdegrade.media import get_tape, list_tapes
from filmdegrade.random import frame_rngs

__all__ = ["Tape", "TapeParams", "render_dropouts", "row_shifts"]

DEFAULT_FORMAT = "vhs_sp"
#: Tracking band height, lines: ntsc-rs default tracking-noise height 12 rows (film-physics.md 5.3, S).
TRACKING_LINES = 12.0
#: Largest random line displacement inside a tracking band at full strength, µs (estimated, E).
TRACKING_SHIFT_US = 2.0
#: Dropout lengths are clipped to this range, µs: < 0.5 µs cannot occur (film-physics.md 5.2, S).
DROPOUT_MIN_US, DROPOUT_MAX_US = 0.5, 1000.0


def _analog_formats() -> tuple[str, ...]:
    return tuple(n for n in list_tapes() if get_tape(n).kind == "analog")


def _opt(name: str, value: Any, lo: float | None = None, hi: float | None = None) -> Any:
    return None if value is None else check_range(name, value, lo, hi)


@dataclass(frozen=True)
class TapeParams:
    """Sampled parameters of :class:`Tape` (frequencies in cycles per pixel, lengths in pixels)."""

    format: str
    system: str
    px_us: float
    line_period_us: float
    rows_per_line: float
    luma_bandwidth: float
    luma_corner: float
    chroma_corner: float
    filter_order: int
    peak_gain: float
    peak_freq: float
    luma_sigma: float
    chroma_sigma: float
    chroma_delay_px: float
    emph_gain: float
    emph_tau_px: float
    white_clip: float
    dark_clip: float
    chroma_vertical_blend: bool
    interlace: bool
    generations: int
    jitter_px: float
    wave_px: float
    wave: np.ndarray
    head_switch_rows: int
    head_switch_shift_px: np.ndarray
    tracking_strength: float
    tracking_rows: float
    tracking_top: np.ndarray
    dropouts: np.ndarray
    doc: bool
    seeds: np.ndarray


# --- transform ----------------------------------------------------------------------------------------
class Tape(Transform):
    """Record and play back through an analog tape format (VHS, S-VHS, Betamax, Video8, Hi8).

    Every ``None`` argument takes the format's value from ``data/tapes.toml``; a ``(low, high)`` pair is
    sampled uniformly per clip. See the module docstring for the geometry and the signal chain.

    Parameters
    ----------
    format : str, optional
        Tape format (an analog row of ``tapes.toml``: ``vhs_sp``, ``vhs_lp``, ``vhs_ep``, ``svhs``,
        ``betamax``, ``video8``, ``hi8``, ``vhs_pal``). Default: the medium's ``tape``, else ``vhs_sp``.
    line_width_px : int, optional
        Width, px, of the full active line (default: the image width). Set it for crops.
    frame_height_px : int, optional
        Height, px, of the full frame (default: the image height). Set it for crops.
    luma_bandwidth_mhz, chroma_bandwidth_mhz : float or (float, float), optional
        −3 dB bandwidths, MHz.
    snr_db, chroma_snr_db : float or (float, float), optional
        Luma / chroma signal-to-noise ratio per generation, dB (white − black over RMS noise).
    chroma_delay_us : float or (float, float), optional
        Chroma delay against luma, µs.
    filter_order : int
        Order of the Butterworth-magnitude low-passes (2–8; higher rings more). Default 3 (estimated).
    peaking_gain : float, optional
        Playback sharpening gain (0 = off); ``peaking_mhz`` is where the boost reaches half of it.
    emphasis_gain_db, emphasis_tau_us : float, optional
        FM pre-emphasis high-frequency boost, dB, and its time constant, µs.
    white_clip, dark_clip : float, optional
        Clip levels of the pre-emphasised luma (white = 1, black = 0).
    chroma_vertical_blend : bool
        Average chroma with the previous line of the same field (playback comb / delay line).
    interlace : bool
        Field 1 from the previous frame of a clip (see module docstring).
    jitter_us, edge_wave_us : float or (float, float), optional
        RMS per-line time-base jitter and edge-waving amplitude, µs.
    head_switch_lines : int, optional
        Frame lines at the bottom disturbed by head switching (0 = off); ``head_switch_shift_us`` is the
        largest displacement, µs (drawn per field between half of it and all of it).
    tracking : float or (float, float)
        Strength of a mistracking band, 0 (off) … 1. ``tracking_lines`` is its height, lines, and it
        rolls by ``tracking_speed_lines`` lines per frame (random direction).
    dropouts_per_s : float or (float, float), optional
        Mean number of dropouts per second of tape (Poisson per frame).
    dropout_median_us, dropout_sigma_ln : float, optional
        Log-normal dropout length: median, µs, and standard deviation of ``ln(length)``.
    doc : bool
        Conceal dropouts with a drop-out compensator (repeat the line above).
    generations : int or (int, int)
        Number of record/playback passes (1 = first generation).
    p : float
        Probability of applying the transform.
    """

    name = "tape"
    output_in_range = False  # peaking, emphasis overshoot and noise leave [0, 1]; the pipeline clips
    mask_names = ("dropout", "head_switch", "tracking")
    params_cls = TapeParams
    min_size = 4

    def __init__(
        self,
        format: str | None = None,
        *,
        line_width_px: int | None = None,
        frame_height_px: int | None = None,
        luma_bandwidth_mhz: float | tuple[float, float] | None = None,
        chroma_bandwidth_mhz: float | tuple[float, float] | None = None,
        snr_db: float | tuple[float, float] | None = None,
        chroma_snr_db: float | tuple[float, float] | None = None,
        chroma_delay_us: float | tuple[float, float] | None = None,
        filter_order: int = 3,
        peaking_gain: float | tuple[float, float] | None = None,
        peaking_mhz: float | None = None,
        emphasis_gain_db: float | None = None,
        emphasis_tau_us: float | None = None,
        white_clip: float | None = None,
        dark_clip: float | None = None,
        chroma_vertical_blend: bool = True,
        interlace: bool = True,
        jitter_us: float | tuple[float, float] | None = None,
        edge_wave_us: float | tuple[float, float] | None = None,
        head_switch_lines: int | None = None,
        head_switch_shift_us: float | tuple[float, float] | None = None,
        tracking: float | tuple[float, float] = 0.0,
        tracking_lines: float = TRACKING_LINES,
        tracking_speed_lines: float | tuple[float, float] = (2.0, 15.0),
        dropouts_per_s: float | tuple[float, float] | None = None,
        dropout_median_us: float | None = None,
        dropout_sigma_ln: float | None = None,
        doc: bool = False,
        generations: int | tuple[int, int] = 1,
        p: float = 1.0,
    ) -> None:
        super().__init__(p=p)
        self.format = None if format is None else check_choice("format", format, _analog_formats())
        self.line_width_px = None if line_width_px is None else check_range("line_width_px", line_width_px, 1,
                                                                            integer=True)
        self.frame_height_px = (None if frame_height_px is None
                                else check_range("frame_height_px", frame_height_px, 1, integer=True))
        self.luma_bandwidth_mhz = _opt("luma_bandwidth_mhz", luma_bandwidth_mhz, 0.05, 20.0)
        self.chroma_bandwidth_mhz = _opt("chroma_bandwidth_mhz", chroma_bandwidth_mhz, 0.01, 10.0)
        self.snr_db = _opt("snr_db", snr_db, 0.0, 150.0)
        self.chroma_snr_db = _opt("chroma_snr_db", chroma_snr_db, 0.0, 150.0)
        self.chroma_delay_us = _opt("chroma_delay_us", chroma_delay_us, -5.0, 5.0)
        self.filter_order = check_range("filter_order", filter_order, 1, 8, integer=True)
        self.peaking_gain = _opt("peaking_gain", peaking_gain, 0.0, 5.0)
        self.peaking_mhz = _opt("peaking_mhz", peaking_mhz, 0.05, 20.0)
        self.emphasis_gain_db = _opt("emphasis_gain_db", emphasis_gain_db, 0.0, 30.0)
        self.emphasis_tau_us = _opt("emphasis_tau_us", emphasis_tau_us, 0.01, 20.0)
        self.white_clip = _opt("white_clip", white_clip, 1.0, 10.0)
        self.dark_clip = _opt("dark_clip", dark_clip, -10.0, 0.0)
        self.chroma_vertical_blend = bool(chroma_vertical_blend)
        self.interlace = bool(interlace)
        self.jitter_us = _opt("jitter_us", jitter_us, 0.0, 5.0)
        self.edge_wave_us = _opt("edge_wave_us", edge_wave_us, 0.0, 5.0)
        self.head_switch_lines = (
            None if head_switch_lines is None
            else check_range("head_switch_lines", head_switch_lines, 0, 100, integer=True)
        )
        self.head_switch_shift_us = _opt("head_switch_shift_us", head_switch_shift_us, 0.0, 30.0)
        self.tracking = check_range("tracking", tracking, 0.0, 1.0)
        self.tracking_lines = check_range("tracking_lines", tracking_lines, 0.0, 480.0)
        self.tracking_speed_lines = check_range("tracking_speed_lines", tracking_speed_lines, 0.0, 500.0)
        self.dropouts_per_s = _opt("dropouts_per_s", dropouts_per_s, 0.0, 10000.0)
        self.dropout_median_us = _opt("dropout_median_us", dropout_median_us, DROPOUT_MIN_US, DROPOUT_MAX_US)
        self.dropout_sigma_ln = _opt("dropout_sigma_ln", dropout_sigma_ln, 0.0, 3.0)
        self.doc = bool(doc)
        self.generations = check_range("generations", generations, 1, 10, integer=True)

    def _format(self, ctx: ClipContext) -> str:
        if self.format is not None:
            return self.format
        tape = ctx.medium.tape
        if tape is None:
            return DEFAULT_FORMAT
        if get_tape(tape).kind != "analog":
            raise ValueError(f"tape: medium tape {tape!r} is not an analog format; pass format=...")
        return tape

    def sample_params(self, rng: np.random.Generator, ctx: ClipContext) -> TapeParams:
        """Draw clip-level settings and per-frame events (see :class:`Tape`)."""
        fmt = self._format(ctx)
        tf = get_tape(fmt)
        info = tf.info
        frs = frame_rngs(rng, ctx.n_frames)

        def val(arg: Any, key: str) -> float:
            return sample_range(rng, info[key] if arg is None else arg)

        active_us = float(info["active_line_us"])
        width = self.line_width_px or ctx.width
        px_us = active_us / width  # µs per pixel
        rows_per_line = (self.frame_height_px or ctx.height) / tf.lines
        cpp = px_us  # cycles per pixel of 1 MHz (cycles per µs × µs per px)
        luma_bw = val(self.luma_bandwidth_mhz, "luma_bandwidth_mhz") * cpp
        chroma_bw = val(self.chroma_bandwidth_mhz, "chroma_bandwidth_mhz") * cpp
        snr = val(self.snr_db, "snr_db")
        csnr = val(self.chroma_snr_db, "chroma_snr_db")
        delay = val(self.chroma_delay_us, "chroma_delay_us") / px_us
        peak = val(self.peaking_gain, "peaking_gain")
        peak_f = val(self.peaking_mhz, "peaking_mhz") * cpp
        emph_db = val(self.emphasis_gain_db, "emphasis_gain_db")
        emph_tau = val(self.emphasis_tau_us, "emphasis_tau_us") / px_us
        white = val(self.white_clip, "white_clip")
        dark = val(self.dark_clip, "dark_clip")
        jitter = val(self.jitter_us, "jitter_us") / px_us
        wave_amp = val(self.edge_wave_us, "edge_wave_us") / px_us
        hs_lines = info["head_switch_lines"] if self.head_switch_lines is None else self.head_switch_lines
        hs_shift = val(self.head_switch_shift_us, "head_switch_shift_us") / px_us
        tracking = sample_range(rng, self.tracking)
        direction = 1 if rng.random() < 0.5 else -1
        speed = sample_range(rng, self.tracking_speed_lines) * rows_per_line * direction
        band = self.tracking_lines * rows_per_line if tracking > 0 else 0.0
        top0 = rng.random() * (ctx.height + band)
        rate = val(self.dropouts_per_s, "dropouts_per_s") / (float(info["field_rate_hz"]) / 2.0)
        d_med = val(self.dropout_median_us, "dropout_median_us")
        d_sig = val(self.dropout_sigma_ln, "dropout_sigma_ln")
        gens = round(sample_range(rng, self.generations))
        # Edge wave: 3 sinusoids, 0.5–4 cycles per picture height, 0.01–0.1 cycles per frame.
        u = rng.random((3, 3))
        wave = np.stack([0.5 + 3.5 * u[:, 0], 0.01 + 0.09 * u[:, 1], 2 * np.pi * u[:, 2]], axis=1)

        t_n = ctx.n_frames
        seeds = np.zeros(t_n, np.int64)
        hs = np.zeros((t_n, 2))
        drops: list[list[float]] = []
        for t, fr in enumerate(frs):
            seeds[t] = fr.integers(2**63 - 1)
            hs[t] = hs_shift * (0.5 + 0.5 * fr.random(2))
            n = int(fr.poisson(rate))
            rows = fr.integers(0, ctx.height, n)
            starts = fr.random(n) * float(info["line_period_us"])
            lengths = np.clip(fr.lognormal(np.log(d_med), d_sig, n), DROPOUT_MIN_US, DROPOUT_MAX_US)
            drops += [[t, r, s, ln] for r, s, ln in zip(rows, starts, lengths, strict=True)]
        span = ctx.height + band
        tops = (top0 + speed * np.arange(t_n)) % span - band

        order = self.filter_order
        return TapeParams(
            format=fmt,
            system=tf.system,
            px_us=px_us,
            line_period_us=float(info["line_period_us"]),
            rows_per_line=rows_per_line,
            luma_bandwidth=luma_bw,
            luma_corner=solve_lowpass_corner(luma_bw, order, peak, peak_f),
            chroma_corner=chroma_bw,
            filter_order=order,
            peak_gain=peak,
            peak_freq=peak_f,
            luma_sigma=10.0 ** (-snr / 20.0),
            chroma_sigma=10.0 ** (-csnr / 20.0),
            chroma_delay_px=delay,
            emph_gain=10.0 ** (emph_db / 20.0),
            emph_tau_px=emph_tau,
            white_clip=white,
            dark_clip=dark,
            chroma_vertical_blend=self.chroma_vertical_blend,
            interlace=self.interlace,
            generations=gens,
            jitter_px=jitter,
            wave_px=wave_amp,
            wave=wave,
            head_switch_rows=round(hs_lines * rows_per_line),
            head_switch_shift_px=hs,
            tracking_strength=tracking,
            tracking_rows=band,
            tracking_top=tops,
            dropouts=np.asarray(drops, np.float64).reshape(-1, 4),
            doc=self.doc,
            seeds=seeds,
        )

    def apply(self, frames: np.ndarray, params: TapeParams) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        """Run the tape chain on a float32 clip ``T×H×W×C`` (see module docstring).

        The result is not clipped to [0, 1]: the pipeline clips after every transform (filter ringing and
        noise overshoot a little).
        """
        pr = params
        t_n, h, w, ch = frames.shape
        colour = ch == 3
        to_yc, from_yc = (rgb_to_yiq, yiq_to_rgb) if pr.system == "ntsc" else (rgb_to_yuv, yuv_to_rgb)
        f = dct_freqs(w)
        hy = luma_response(f, pr.luma_corner, pr.filter_order, pr.peak_gain, pr.peak_freq)
        hc = chroma_response(f, pr.chroma_corner, pr.filter_order)
        ky, sy = _noise_bins(hy, pr.luma_sigma)
        # Vertical blending averages two lines of independent noise: pre-compensate its variance halving.
        kc, sc = _noise_bins(hc, pr.chroma_sigma * (np.sqrt(2.0) if pr.chroma_vertical_blend else 1.0))
        hy, hc = hy.astype(np.float32), hc.astype(np.float32)
        active_us = pr.px_us * w
        out = np.empty_like(frames)
        masks = {k: np.zeros((t_n, h, w), np.float32) for k in self.mask_names}
        xs = np.arange(w, dtype=np.float32)
        map_y = np.repeat(np.arange(h, dtype=np.float32)[:, None], w, axis=1)
        delay = np.float32(pr.chroma_delay_px)
        if colour:
            # The Y/C matrices as rows over (R, G, B): each plane is one single-output cv2.transform pass,
            # which is several times faster than a 2- or 3-channel output plus a planar split.
            eye = np.eye(3, dtype=np.float32)
            fwd = np.ascontiguousarray(to_yc(eye).T, np.float32)
            inv = np.ascontiguousarray(from_yc(eye).T, np.float32)
            c_buf = np.empty((2, h, w), np.float32)
            tmp = np.empty((h, w), np.float32)
        for t in range(t_n):
            x = frames[t]
            prev = frames[t - 1] if pr.interlace and t > 0 else None
            rng = np.random.default_rng(int(pr.seeds[t]))
            shift, head, track = row_shifts(
                h, t, rng, jitter_px=pr.jitter_px, wave_px=pr.wave_px, wave=pr.wave,
                head_switch_rows=pr.head_switch_rows, head_switch_shift_px=tuple(pr.head_switch_shift_px[t]),
                tracking_top=float(pr.tracking_top[t]), tracking_rows=pr.tracking_rows,
                tracking_shift_px=pr.tracking_strength * TRACKING_SHIFT_US / pr.px_us,
            )
            moved = bool(np.any(shift))
            map_x = xs[None, :] - shift[:, None] if moved else None
            y = np.empty((h, w), np.float32)
            if colour:
                _field_plane(x, prev, fwd[:1], y)
            elif prev is None:
                y[:] = x[..., 0]
            else:
                y[0::2], y[1::2] = prev[0::2, :, 0], x[1::2, :, 0]
            if moved:
                y = cv2.remap(y, map_x, map_y, cv2.INTER_CUBIC, borderMode=cv2.BORDER_REPLICATE)
                if head.any():  # the picture shifted in by head switching comes from blanking: black
                    xh = map_x[head]
                    y[head] = np.where((xh < 0) | (xh > w - 1), 0.0, y[head])
            c = None
            if colour:
                c = c_buf
                c_map = None
                if moved:
                    c_map = map_x - delay
                elif delay != 0:
                    c_map = np.repeat((xs - delay)[None, :], h, axis=0)
                for k in (0, 1):
                    if c_map is None:
                        _field_plane(x, prev, fwd[k + 1 : k + 2], c[k])
                    else:
                        _field_plane(x, prev, fwd[k + 1 : k + 2], tmp)
                        _into(c[k], cv2.remap(tmp, c_map, map_y, cv2.INTER_LINEAR, dst=c[k],
                                              borderMode=cv2.BORDER_REPLICATE))
            for _ in range(pr.generations):
                y, _rows = apply_emphasis_clip(y, pr.emph_gain, pr.emph_tau_px, pr.white_clip, pr.dark_clip)
                y = filter_rows(y, hy, _uniform_noise(rng, (h, ky), sy))
                if c is not None:
                    c = filter_rows(c, hc, _uniform_noise(rng, (2, h, kc), sc))
                    if pr.chroma_vertical_blend and h > 2:
                        for k in (0, 1):  # every line averaged with the (unblended) line above of its field
                            c[k, 2:] = cv2.addWeighted(c[k, 2:], 0.5, c[k, :-2], 0.5, 0.0)
            # Head-switch and tracking disturbances: extra noise and snow on the touched lines.
            if head.any():
                y[head] += rng.standard_normal((int(head.sum()), w), dtype=np.float32) * np.float32(0.03)
                masks["head_switch"][t, head] = 1.0
            if track.any():
                s = pr.tracking_strength
                n_tr = int(track.sum())
                snow = (rng.random((n_tr, w), dtype=np.float32) < 0.05 * s).astype(np.uint8)
                snow = cv2.dilate(snow, np.ones((1, 5), np.uint8), anchor=(0, 0))
                y[track] += s * (0.5 * snow + 0.1 * rng.standard_normal((n_tr, w), dtype=np.float32))
                masks["tracking"][t, track] = 1.0
            drops = pr.dropouts[pr.dropouts[:, 0] == t][:, 1:]
            if len(drops):
                masks["dropout"][t] = render_dropouts(
                    y, c, drops, rng, px_us=pr.px_us, line_period_us=pr.line_period_us, active_us=active_us,
                    rows_per_line=pr.rows_per_line, doc=pr.doc,
                )
            if c is not None:
                _into(out[t], cv2.transform(cv2.merge([y, c[0], c[1]]), inv, dst=out[t]))
            else:
                out[t, ..., 0] = y
        return out, masks


def _field_plane(x: np.ndarray, prev: np.ndarray | None, m: np.ndarray, dst: np.ndarray) -> None:
    """``dst`` = the plane ``m · RGB`` (m 1×3) of frame ``x``, even rows (field 1) from ``prev`` if given.

    Interlacing is done by converting each field straight into its rows of ``dst`` (no frame copy).
    """
    if prev is None:
        _into(dst, cv2.transform(x, m, dst=dst))
    else:
        _into(dst[0::2], cv2.transform(prev[0::2], m, dst=dst[0::2]))
        _into(dst[1::2], cv2.transform(x[1::2], m, dst=dst[1::2]))


def _into(dst: np.ndarray, result: np.ndarray) -> None:
    """Make sure an OpenCV result given ``dst=`` landed in ``dst`` (copy if OpenCV reallocated)."""
    if not np.may_share_memory(result, dst):
        dst[...] = result
