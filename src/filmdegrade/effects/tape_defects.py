"""Line-level playback defects of the tape model (see :mod:`filmdegrade.effects.tape`).

:func:`row_shifts` gives the time-base displacement of every scanline of a frame (per-line jitter, slow
edge waving, head switching at the bottom of each field, a mistracking band); :func:`render_dropouts`
draws dropouts (bright streaks, or the line above when a drop-out compensator conceals them) and returns
their mask. Parameters are explicit, in pixels and rows; the only randomness is the per-frame
``numpy.random.Generator`` passed in (seeded by the transform).
"""

from __future__ import annotations

import numpy as np

__all__ = ["render_dropouts", "row_shifts"]


def row_shifts(
    height: int,
    t: int,
    rng: np.random.Generator,
    *,
    jitter_px: float,
    wave_px: float,
    wave: np.ndarray,
    head_switch_rows: int,
    head_switch_shift_px: tuple[float, float],
    tracking_top: float,
    tracking_rows: float,
    tracking_shift_px: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Horizontal displacement of every line of frame ``t``, pixels (positive: to the right).

    Parameters
    ----------
    height : int
        Number of lines (rows).
    t : int
        Frame index (the edge wave advances with it).
    rng : numpy.random.Generator
        Source of the per-line jitter and head-switch phase noise.
    jitter_px : float
        RMS of the independent per-line time-base jitter, px.
    wave_px : float
        Amplitude of the slow edge waving, px; ``wave`` rows are (cycles per picture height, cycles per
        frame, phase in rad) of its sinusoids.
    head_switch_rows : int
        Lines at the bottom touched by head switching; ``head_switch_shift_px`` is the largest shift of
        field 1 (even rows) and field 2 (odd rows), px. The shift grows as ``(depth into band)^1.5``.
    tracking_top, tracking_rows : float
        First row and height of the tracking band, rows; ``tracking_shift_px`` its RMS displacement.

    Returns
    -------
    shift : numpy.ndarray, float32, (height,)
    head_band, tracking_band : numpy.ndarray of bool, (height,)
    """
    r = np.arange(height, dtype=np.float64)
    shift = np.zeros(height)
    if jitter_px > 0:
        shift += jitter_px * rng.standard_normal(height)
    else:
        rng.standard_normal(height)  # keep later draws aligned whatever the settings
    if wave_px > 0:
        cyc = wave[:, 0][:, None] * r[None] / height + wave[:, 1][:, None] * t
        ph = 2 * np.pi * cyc + wave[:, 2][:, None]
        shift += wave_px * np.sin(ph).sum(axis=0) / np.sqrt(len(wave))
    head = np.zeros(height, bool)
    noise = rng.standard_normal(height)
    if head_switch_rows > 0:
        n = min(head_switch_rows, height)
        start = height - n
        head[start:] = True
        depth = (r[start:] - start + 1) / n
        amp = np.where(r[start:] % 2 == 0, head_switch_shift_px[0], head_switch_shift_px[1])
        # ntscQT: phase noise of about 1/500 of a line at the switch; here 2 % of the shift.
        shift[start:] += amp * depth**1.5 * (1.0 + 0.02 * noise[start:])
    track = np.zeros(height, bool)
    if tracking_rows > 0 and tracking_shift_px > 0:
        track = (r >= tracking_top) & (r < tracking_top + tracking_rows)
        shift[track] += tracking_shift_px * rng.standard_normal(int(track.sum()))
    return shift.astype(np.float32), head, track


def render_dropouts(
    y: np.ndarray,
    c: np.ndarray | None,
    dropouts: np.ndarray,
    rng: np.random.Generator,
    *,
    px_us: float,
    line_period_us: float,
    active_us: float,
    rows_per_line: float,
    doc: bool,
) -> np.ndarray:
    """Draw dropouts on luma ``y`` (H×W) and chroma ``c`` (2×H×W) in place; return their H×W mask.

    Each dropout is ``(row, start_us, length_us)``: it starts ``start_us`` after the start of line
    ``row`` (line period including blanking, ``line_period_us``) and runs on in time through the active
    parts of the following lines of the same field (rows ``row + 2``, ``row + 4`` ...). A dropout is a
    bright noisy streak without colour; with ``doc`` a drop-out compensator repeats the line above of
    the same field instead (the mask still marks the lost signal).
    """
    h, w = y.shape
    mask = np.zeros((h, w), np.float32)
    if len(dropouts) == 0:
        return mask
    blank = line_period_us - active_us
    thick = max(1, round(rows_per_line))
    segs: list[tuple[int, int, int]] = []
    for row, start, length in dropouts[np.argsort(dropouts[:, 0], kind="stable")]:
        cur_row, u, left = int(row), float(start), float(length)
        while left > 0 and cur_row < h:
            a, b = max(u, blank), min(u + left, line_period_us)
            if b > a:
                x0 = int(np.floor((a - blank) / px_us))
                x1 = max(x0 + 1, int(np.ceil((b - blank) / px_us)))
                for k in range(thick):
                    if cur_row + k < h:
                        segs.append((cur_row + k, min(x0, w - 1), min(x1, w)))
            left -= line_period_us - u
            u = 0.0
            cur_row += 2 * thick
    for row, x0, x1 in sorted(segs):
        mask[row, x0:x1] = 1.0
        if doc and row >= 2:
            y[row, x0:x1] = y[row - 2, x0:x1]
            if c is not None:
                c[:, row, x0:x1] = c[:, row - 2, x0:x1]
        else:
            y[row, x0:x1] = 0.85 + 0.15 * rng.random(x1 - x0, dtype=np.float32)
            if c is not None:
                c[:, row, x0:x1] = 0.0
    return mask

