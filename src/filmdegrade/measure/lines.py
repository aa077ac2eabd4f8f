"""Line-scratch and speck statistics: angle, position, width, polarity, persistence and drift.

Conventions: angles are measured from the vertical in degrees, positive when x grows downwards (image rows
grow downwards), the convention of :class:`filmdegrade.effects.scratches.Scratches`. A line's position is
its x at the middle row ``H / 2``, pixels, pixel centres at integer coordinates. Masks are ``H×W`` (or
``T×H×W`` clips) float arrays in [0, 1].

Used by the tests, the documentation gallery and calibration against real scans
(:func:`detect_vertical_lines` works on an image, the other functions on masks).
"""

from __future__ import annotations

from itertools import pairwise

import numpy as np
from scipy.ndimage import map_coordinates, median_filter, uniform_filter1d
from scipy.signal import find_peaks
from skimage.transform import hough_line, hough_line_peaks

__all__ = [
    "detect_persistent_lines",
    "detect_vertical_lines",
    "follows_scene",
    "hough_angles_deg",
    "lateral_drift_px",
    "line_angle_deg",
    "line_contrast",
    "line_cross_section",
    "line_positions_px",
    "line_width_px",
    "mask_iou",
    "ridge",
    "ridge_profile",
    "ridge_response",
    "sheared_projection",
    "temporal_iou",
]


def hough_angles_deg(
    binary: np.ndarray,
    *,
    max_angle_deg: float = 20.0,
    resolution_deg: float = 0.05,
    num_peaks: int = 1,
) -> list[tuple[float, float]]:
    """Near-vertical straight lines of a binary image with :func:`skimage.transform.hough_line`.

    Parameters
    ----------
    binary : numpy.ndarray, bool, shape (H, W)
        Pixels that vote (non-zero).
    max_angle_deg : float
        Search angles in ``[-max_angle_deg, max_angle_deg]`` from the vertical, degrees.
    resolution_deg : float
        Angle step, degrees.
    num_peaks : int
        Most lines returned.

    Returns
    -------
    list of (float, float)
        ``(angle_deg, x_centre_px)`` per line, strongest first; empty when nothing votes.
    """
    b = np.asarray(binary) != 0
    if not b.any():
        return []
    theta = np.deg2rad(np.arange(-max_angle_deg, max_angle_deg + resolution_deg / 2, resolution_deg))
    acc, angles, dists = hough_line(b, theta=theta)
    _, a, r = hough_line_peaks(acc, angles, dists, num_peaks=num_peaks)
    h = b.shape[0]
    out = []
    for ai, ri in zip(a, r, strict=True):
        # skimage: x cos(th) + y sin(th) = r, with th = -angle for a line x = x_c + tan(angle) (y - H/2).
        x_c = (ri - (h / 2.0) * np.sin(ai)) / np.cos(ai)
        out.append((float(-np.rad2deg(ai)), float(x_c)))
    return out


def ridge(mask: np.ndarray, threshold: float = 0.0) -> np.ndarray:
    """Row-wise ridge of a line mask: pixels above ``threshold`` that are a horizontal local maximum.

    A line several pixels wide becomes one pixel wide, so that a Hough transform of it is not biased
    toward the diagonal of the band (about ``atan(width / height)``).
    """
    m = np.asarray(mask, np.float32)
    left = np.pad(m, ((0, 0), (1, 0)), constant_values=-1.0)[:, :-1]
    right = np.pad(m, ((0, 0), (0, 1)), constant_values=-1.0)[:, 1:]
    return (m > threshold) & (m >= left) & (m > right)


def line_angle_deg(
    mask: np.ndarray,
    *,
    threshold: float = 0.0,
    max_angle_deg: float = 20.0,
    resolution_deg: float = 0.05,
    thin: bool = True,
) -> float:
    """Angle of the strongest line in a mask (Hough transform of ``mask > threshold``), degrees.

    With ``thin`` (default) the Hough transform sees only the :func:`ridge` of the mask. Returns ``nan``
    for an empty mask.
    """
    binary = ridge(mask, threshold) if thin else np.asarray(mask) > threshold
    peaks = hough_angles_deg(binary, max_angle_deg=max_angle_deg, resolution_deg=resolution_deg)
    return peaks[0][0] if peaks else float("nan")


def sheared_projection(mask: np.ndarray, angle_deg: float) -> tuple[np.ndarray, int]:
    """Sum a mask along lines of the given angle: a 1-D profile over the x at the middle row.

    Parameters
    ----------
    mask : numpy.ndarray, shape (H, W)
        Weights (coverage) in [0, 1].
    angle_deg : float
        Line angle from the vertical, degrees.

    Returns
    -------
    profile : numpy.ndarray, float64
        ``profile[i]`` is the mass whose line passes the middle row at ``x = i - pad`` (linear binning).
    pad : int
        Offset of x = 0 in ``profile``, pixels.
    """
    h, w = mask.shape
    slope = np.tan(np.deg2rad(angle_deg))
    pad = int(np.ceil(abs(slope) * h / 2.0)) + 2
    ys, xs = np.nonzero(mask)
    wts = mask[ys, xs].astype(np.float64)
    pos = xs - slope * (ys - h / 2.0) + pad
    i0 = np.floor(pos).astype(np.intp)
    f = pos - i0
    n = w + 2 * pad + 2
    prof = np.bincount(i0, wts * (1 - f), minlength=n) + np.bincount(i0 + 1, wts * f, minlength=n)
    return prof[:n], pad


def line_positions_px(
    mask: np.ndarray, angle_deg: float, *, min_rel_height: float = 0.2, min_separation_px: float = 3.0
) -> np.ndarray:
    """X at the middle row of every line of a mask, sub-pixel, from :func:`sheared_projection` peaks.

    Parameters
    ----------
    mask : numpy.ndarray, shape (H, W)
        Line coverage.
    angle_deg : float
        Angle of the lines from the vertical, degrees.
    min_rel_height : float
        Peaks below this fraction of the highest are ignored.
    min_separation_px : float
        Smallest distance between two lines, pixels.

    Returns
    -------
    numpy.ndarray, float64
        Positions, pixels, ascending.
    """
    prof, pad = sheared_projection(mask, angle_deg)
    if prof.max() <= 0:
        return np.zeros(0)
    peaks, _ = find_peaks(prof, height=min_rel_height * prof.max(), distance=max(1.0, min_separation_px))
    h = mask.shape[0]
    slope = np.tan(np.deg2rad(angle_deg))
    ys, xs = np.nonzero(mask)
    wts = mask[ys, xs].astype(np.float64)
    dy = ys - h / 2.0
    xr = xs - slope * dy  # x at the middle row if the pixel lay on a line of the nominal angle
    half = max(min_separation_px / 2.0, 1.0)
    out = []
    for pk in peaks:
        # Refine by a weighted straight-line fit of the pixels near this peak: a line's own angle and
        # partial (intermittent) segments would otherwise bias the position.
        sel = np.abs(xr - (pk - pad)) <= half + 1.0
        wt, yy, xx = wts[sel], dy[sel], xs[sel].astype(np.float64)
        if np.ptp(yy) >= 2:
            a = np.stack([np.ones_like(yy), yy], axis=1) * np.sqrt(wt)[:, None]
            coef = np.linalg.lstsq(a, xx * np.sqrt(wt), rcond=None)[0]
            out.append(float(coef[0]))
        else:
            out.append(float((xr[sel] * wt).sum() / wt.sum()))
    return np.sort(np.array(out))


def lateral_drift_px(masks: np.ndarray, angle_deg: float, *, max_jump_px: float = 5.0) -> np.ndarray:
    """Frame-to-frame lateral movement of the lines of a ``T×H×W`` mask, pixels.

    Each line of frame ``t + 1`` is matched with the nearest line of frame ``t`` within ``max_jump_px``
    (lines born or dying are left unmatched).

    Returns
    -------
    numpy.ndarray, float64
        ``|Δx|`` of every matched pair, pixels.
    """
    pos = [line_positions_px(m, angle_deg) for m in masks]
    jumps: list[float] = []
    for a, b in pairwise(pos):
        if a.size == 0 or b.size == 0:
            continue
        d = np.abs(b[:, None] - a[None, :])
        nearest = d.min(axis=1)
        jumps.extend(float(v) for v in nearest[nearest <= max_jump_px])
    return np.array(jumps)


def line_width_px(mask: np.ndarray, angle_deg: float) -> float:
    """Width of the line(s) in a mask: mass per unit length along the line, pixels.

    For a raised-cosine (or any symmetric) cross-section this is the full width at half maximum; for
    several lines it is their summed width. Rows without mask are not counted. ``nan`` if empty.
    """
    rows = mask.sum(axis=1, dtype=np.float64)
    on = rows > 0
    if not on.any():
        return float("nan")
    return float(rows[on].mean() * np.cos(np.deg2rad(angle_deg)))


def line_contrast(before: np.ndarray, after: np.ndarray, mask: np.ndarray, *, threshold: float = 0.5) -> dict:
    """Change of colour under a mask: mean ΔL*, ΔC*ab and CIEDE2000, sRGB images in [0, 1].

    Parameters
    ----------
    before, after : numpy.ndarray, shape (H, W, 3) or (H, W)
        The image without and with the defect.
    mask : numpy.ndarray, shape (H, W)
        Defect coverage; pixels with ``mask > threshold`` are measured.

    Returns
    -------
    dict
        ``{"dL": mean ΔL*, "dC": mean ΔC*ab, "dE00": mean ΔE2000, "n": pixel count}`` (nan when empty).
        ``dL > 0``: the defect is bright.
    """
    from filmdegrade.colour import delta_e_2000, srgb_to_lab

    sel = mask > threshold
    if not sel.any():
        return {"dL": float("nan"), "dC": float("nan"), "dE00": float("nan"), "n": 0}

    def lab(img: np.ndarray) -> np.ndarray:
        v = np.asarray(img, np.float32)[sel]
        return srgb_to_lab(np.repeat(v.reshape(-1, 1), 3, 1) if v.ndim == 1 or v.shape[-1] == 1 else v)

    a, b = lab(before), lab(after)
    return {
        "dL": float((b[:, 0] - a[:, 0]).mean()),
        "dC": float((np.hypot(b[:, 1], b[:, 2]) - np.hypot(a[:, 1], a[:, 2])).mean()),
        "dE00": float(delta_e_2000(a, b).mean()),
        "n": int(sel.sum()),
    }


def mask_iou(a: np.ndarray, b: np.ndarray, *, threshold: float | None = None) -> float:
    """Intersection over union of two masks: soft (``Σ min / Σ max``) or of ``mask > threshold``.

    Returns ``nan`` when both are empty.
    """
    if threshold is not None:
        a, b = a > threshold, b > threshold
        union = np.logical_or(a, b).sum()
        return float(np.logical_and(a, b).sum() / union) if union else float("nan")
    union = np.maximum(a, b).sum(dtype=np.float64)
    return float(np.minimum(a, b).sum(dtype=np.float64) / union) if union > 0 else float("nan")


def temporal_iou(masks: np.ndarray, *, threshold: float | None = None) -> float:
    """Pooled IoU of consecutive frames of a ``T×H×W`` mask: ``Σ_t |M_t ∩ M_t+1| / Σ_t |M_t ∪ M_t+1|``.

    Soft (min/max) when ``threshold`` is ``None``. ``nan`` when every union is empty.
    """
    a, b = masks[:-1], masks[1:]
    if threshold is not None:
        a, b = a > threshold, b > threshold
        inter = np.logical_and(a, b).sum(dtype=np.float64)
        union = np.logical_or(a, b).sum(dtype=np.float64)
    else:
        inter = np.minimum(a, b).sum(dtype=np.float64)
        union = np.maximum(a, b).sum(dtype=np.float64)
    return float(inter / union) if union > 0 else float("nan")


def line_cross_section(
    lum: np.ndarray, angle_deg: float, x_centre_px: float, *, half: int = 12, rows: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Median cross-section of an image across a straight near-vertical line, grey levels.

    ``rows`` (default all) are the rows used. Returns ``(offsets_px, profile)``, offsets ``-half … half``
    px from the line.
    """
    offs, prof = _cross_sections(lum, angle_deg, x_centre_px, half, rows)
    return offs, np.median(prof, axis=0)


def _cross_sections(
    lum: np.ndarray, angle_deg: float, x_centre_px: float, half: int, rows: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Row-by-row cross-sections across a line: offsets ``(2 half + 1,)`` and samples ``(rows, offsets)``."""
    g = np.asarray(lum, np.float32)
    h = g.shape[0]
    ys = np.arange(h, dtype=np.float64) if rows is None else np.asarray(rows, np.float64)
    xs = x_centre_px + np.tan(np.deg2rad(angle_deg)) * (ys - h / 2.0)
    offs = np.arange(-half, half + 1, dtype=np.float64)
    coords = np.stack([np.repeat(ys, offs.size), (xs[:, None] + offs[None]).ravel()])
    return offs, map_coordinates(g, coords, order=1, mode="nearest").reshape(len(ys), offs.size)


def ridge_profile(
    offs: np.ndarray, prof: np.ndarray, *, max_width_px: float = 15.0, balance: float = 0.4
) -> dict | None:
    """Is a cross-section a thin line (ridge) rather than a step? Its polarity, width and contrast.

    A ridge: the centre (within ±2 px) differs from BOTH sides (medians of the outer thirds) in the same
    direction, by amounts within a factor ``1 / balance`` of each other, and the part beyond half the
    contrast is 1 … ``max_width_px`` px wide. A scene edge (one side level with the centre) fails.

    Returns
    -------
    dict or None
        ``{"polarity", "width_px", "contrast", "balance"}``, or ``None`` for a non-ridge.
    """
    n = len(offs)
    third = max(2, n // 3)
    left, right = float(np.median(prof[:third])), float(np.median(prof[-third:]))
    core = np.abs(offs) <= 2
    hi, lo = float(prof[core].max()), float(prof[core].min())
    # polarity from the larger central excursion from the side levels
    up = min(hi - left, hi - right)
    down = min(left - lo, right - lo)
    pol = 1 if up >= down else -1
    centre = hi if pol > 0 else lo
    dl, dr = pol * (centre - left), pol * (centre - right)
    if min(dl, dr) <= 0 or min(dl, dr) < balance * max(dl, dr):
        return None
    base = 0.5 * (left + right)
    contrast = pol * (centre - base)
    above = pol * (prof - base) >= 0.5 * contrast
    # width: the connected run of ``above`` through the centre sample
    c = int(np.flatnonzero(core)[np.argmax(pol * prof[core])])
    a = b = c
    while a > 0 and above[a - 1]:
        a -= 1
    while b < n - 1 and above[b + 1]:
        b += 1
    width = float(b - a + 1)
    if not 1.0 <= width <= max_width_px or a == 0 or b == n - 1:
        return None
    bal = min(dl, dr) / max(dl, dr)
    return {"polarity": pol, "width_px": width, "contrast": float(contrast), "balance": bal}


def detect_vertical_lines(
    image: np.ndarray,
    *,
    max_angle_deg: float = 10.0,
    filter_px: int = 15,
    k_sigma: float = 4.0,
    num_peaks: int = 5,
    min_votes_frac: float = 0.3,
    border_px: int = 8,
    max_width_px: float = 15.0,
) -> list[dict]:
    """Find near-vertical line scratches in a (real) image.

    The luminance is high-passed across rows (minus a horizontal median of ``filter_px`` pixels); pixels
    more than ``k_sigma`` robust standard deviations from zero vote in a Hough transform. A candidate is
    kept only when its mean cross-section is a thin ridge (:func:`ridge_profile`: brighter or darker
    than *both* sides, 1–``max_width_px`` px wide; scene edges are steps and are rejected), when it is
    not scene structure (:func:`follows_scene`: a highlight along an object's edge) and when it stays
    ``border_px`` away from the frame border (gate edges, letterbox). Faint scratches that persist over
    several frames are found by :func:`detect_persistent_lines`.

    Parameters
    ----------
    image : numpy.ndarray, shape (H, W) or (H, W, 3)
        sRGB image, float in [0, 1] or uint8.
    max_angle_deg : float
        Largest angle from the vertical searched, degrees.
    filter_px : int
        Width of the horizontal median filter, pixels (wider than the scratches).
    k_sigma : float
        Detection threshold in robust standard deviations (1.4826 MAD).
    num_peaks : int
        Most lines returned.
    min_votes_frac : float
        A line needs votes from at least this fraction of the image height.
    border_px : int
        Lines passing closer than this to the left or right border are ignored, px.
    max_width_px : float
        Widest ridge accepted, px.

    Returns
    -------
    list of dict
        ``{"angle_deg", "x_centre_px", "polarity", "width_px", "contrast", "votes_frac"}`` per line
        (polarity +1 bright, −1 dark; width in px; contrast in grey levels), strongest first.
    """
    img = np.asarray(image)
    scale = 255.0 if img.dtype == np.uint8 or img.max() > 1.0 else 1.0
    img = img.astype(np.float32) / np.float32(scale)
    lum = img.mean(axis=-1) if img.ndim == 3 else img
    hp = lum - median_filter(lum, size=(1, filter_px), mode="reflect")
    sigma = 1.4826 * float(np.median(np.abs(hp))) + 1e-6
    binary = np.abs(hp) > k_sigma * sigma
    h, w = lum.shape
    peaks = hough_angles_deg(binary, max_angle_deg=max_angle_deg, resolution_deg=0.1, num_peaks=num_peaks)
    out: list[dict] = []
    ys = np.arange(h)
    half = int(max(12, np.ceil(max_width_px)))
    for ang, xc in peaks:
        xs_f = xc + np.tan(np.deg2rad(ang)) * (ys - h / 2.0)
        if xs_f.min() < border_px or xs_f.max() > w - 1 - border_px:
            continue
        if any(abs(d["x_centre_px"] - xc) < 3 and abs(d["angle_deg"] - ang) < 2 for d in out):
            continue  # the same line found twice
        xs = np.rint(xs_f).astype(np.intp)
        votes = binary[ys, xs]
        if votes.sum() < min_votes_frac * h:
            continue
        offs, prof = line_cross_section(lum, ang, xc, half=half, rows=ys[votes])
        rp = ridge_profile(offs, prof, max_width_px=max_width_px)
        if rp is None or follows_scene(lum, ang, xc, rp["polarity"], noise=sigma):
            continue
        out.append({"angle_deg": ang, "x_centre_px": xc, **rp, "votes_frac": float(votes.mean())})
        if len(out) == num_peaks:
            break
    return out


def ridge_response(lum: np.ndarray, *, gap_px: int = 2, side_px: int = 3) -> np.ndarray:
    """Signed thin-ridge strength of every pixel: how much it stands out from *both* horizontal sides.

    With ``l`` and ``r`` the means of ``side_px`` pixels centred ``gap_px + side_px // 2`` px to the left
    and right, the response is ``min(c − l, c − r)`` where that is positive (a bright line),
    ``−min(l − c, r − c)`` where that is positive (a dark line) and 0 otherwise. A step edge has one side
    level with the centre and scores about 0, unlike a second derivative.

    Parameters
    ----------
    lum : numpy.ndarray, shape (..., H, W)
        Luminance, one image or a stack.
    gap_px, side_px : int
        Half-width of the line searched and width of the side windows, pixels (lines up to about
        ``2 gap_px − 1`` px wide respond fully).

    Returns
    -------
    numpy.ndarray, float32, same shape
        Grey levels; > 0 bright ridge, < 0 dark ridge.
    """
    g = np.asarray(lum, np.float32)
    sides = uniform_filter1d(g, side_px, axis=-1, mode="reflect")
    o = gap_px + side_px // 2
    pad = [(0, 0)] * (g.ndim - 1)
    ext = np.pad(sides, [*pad, (o, o)], mode="edge")
    left, right = ext[..., : -2 * o], ext[..., 2 * o :]
    up = np.minimum(g - left, g - right)
    down = np.minimum(left - g, right - g)
    return np.maximum(up, 0.0) - np.maximum(down, 0.0)


def follows_scene(
    lum: np.ndarray,
    angle_deg: float,
    x_centre_px: float,
    polarity: int,
    *,
    noise: float | None = None,
    k_noise: float = 5.0,
    min_rows_frac: float = 0.1,
    step_ratio: float = 2.0,
) -> bool:
    """Tell whether a thin line is scene structure (a highlight or groove along an edge), not a scratch.

    Row by row along the line, the ridge contrast ``c(y)`` (the centre against the nearer of the two
    sides, 3–5 px away, signed by ``polarity``) is compared with the step ``s(y)`` of the scene across the
    line (mean of 4–10 px right minus mean of 4–10 px left). Rows where ``|s|`` exceeds ``k_noise`` noise
    levels are *edge rows*. The line follows the scene when

    * its median contrast on edge rows exceeds that on the other rows (each set holding at least
      ``min_rows_frac`` of the rows): the ridge is where an object's edge is and fades where the object
      ends. A scratch has a roughly constant density change, which texture next to it only masks; or
    * nearly every row is an edge row, and the step keeps one sign (≥ 80 % of the rows) and is larger
      than ``step_ratio`` times the ridge contrast: a highlight along one long parallel edge.

    A scratch crossing a step edge at right angles has no edge rows (the step runs along the line) and
    is kept.

    Parameters
    ----------
    lum : numpy.ndarray, shape (H, W)
        Luminance (one frame, or the mean of the frames the line persists over), grey levels.
    angle_deg, x_centre_px : float
        The line, :mod:`conventions <filmdegrade.measure.lines>` of this module.
    polarity : int
        +1 bright line, −1 dark line.
    noise : float, optional
        Standard deviation of the noise of ``lum`` at one pixel, grey levels (default: 1.4826 MAD of
        ``lum`` minus its 15 px horizontal median).
    k_noise : float
        Edge rows have a step above ``k_noise × noise``.
    min_rows_frac : float
        Least share of the rows in each of the two sets for the first test.
    step_ratio : float
        Step-to-contrast ratio of the second test.

    Returns
    -------
    bool
        ``True`` for scene structure.
    """
    g = np.asarray(lum, np.float32)
    if noise is None:
        noise = 1.4826 * float(np.median(np.abs(g - median_filter(g, size=(1, 15), mode="reflect"))))
    offs, p = _cross_sections(g, angle_deg, x_centre_px, 10)
    at = {int(o): i for i, o in enumerate(offs)}
    centre = p[:, at[0]]
    near_l = p[:, at[-5] : at[-2]].mean(axis=1)
    near_r = p[:, at[3] : at[6]].mean(axis=1)
    contrast = np.minimum(polarity * (centre - near_l), polarity * (centre - near_r))
    step = p[:, at[4] :].mean(axis=1) - p[:, : at[-3]].mean(axis=1)
    edge = np.abs(step) > k_noise * max(noise, 1e-6)
    frac = float(edge.mean())
    if min_rows_frac <= frac <= 1.0 - min_rows_frac:
        return bool(np.median(contrast[edge]) > np.median(contrast[~edge]))
    if frac > 1.0 - min_rows_frac:
        one_sign = abs(float(np.mean(np.sign(step)))) >= 0.6  # ≥ 80 % of the rows share the sign
        return bool(one_sign and abs(float(np.median(step))) > step_ratio * float(np.median(contrast)))
    return False


def detect_persistent_lines(
    frames: np.ndarray,
    *,
    window: int = 7,
    k_sigma: float = 8.0,
    max_angle_deg: float = 2.0,
    angle_step_deg: float = 0.25,
    clip_sigma: float = 3.0,
    min_separation_px: int = 4,
    border_px: int = 12,
    max_width_px: float = 15.0,
) -> list[list[dict]]:
    """Find faint near-vertical scratches that persist over several frames of a clip.

    Each frame's :func:`ridge_response` is divided by the frame's noise (1.4826 MAD of the luminance
    minus its 15 px horizontal median) and clipped to ``±clip_sigma`` (a bright one-frame hair or
    dirt cannot dominate). The clipped response is averaged over a centred sliding window of
    ``window`` frames and then along straight lines of ``|angle| ≤ max_angle_deg`` over the whole
    height: a scratch staying at nearly the same x adds up, grain and moving scene average out, and a
    line must be consistent along y to score. Scores are in robust standard deviations (1.4826 MAD) of
    all line sums of the clip; peaks above ``k_sigma`` are candidates. A candidate is kept when the
    median cross-section of the window's mean image, high-passed across rows (minus a horizontal median
    wider than the cross-section), is a thin ridge (:func:`ridge_profile`) of the same polarity, and
    when it does not follow the scene (:func:`follows_scene`, on the unfiltered mean image).

    Parameters
    ----------
    frames : numpy.ndarray, shape (T, H, W) or (T, H, W, 3)
        sRGB clip, float in [0, 1] or uint8.
    window : int
        Frames averaged around each frame (odd; truncated at the clip's ends).
    k_sigma : float
        Detection threshold, robust standard deviations of the line sums.
    max_angle_deg, angle_step_deg : float
        Angles searched from the vertical and their step, degrees.
    clip_sigma : float
        Per-pixel response clipped to this many noise levels.
    min_separation_px : int
        Closest two lines of one frame, pixels.
    border_px : int
        Lines passing closer than this to the left or right border are ignored (gate edges), px.
    max_width_px : float
        Widest ridge accepted, px.

    Returns
    -------
    list of list of dict
        Per frame, ``{"angle_deg", "x_centre_px", "polarity", "width_px", "contrast", "score"}`` per
        line (as :func:`detect_vertical_lines`; contrast in grey levels of [0, 1] of the window's
        high-passed mean image; ``score`` in robust standard deviations), strongest first.
    """
    img = np.asarray(frames)
    scale = 255.0 if img.dtype == np.uint8 or img.max() > 1.0 else 1.0
    img = img.astype(np.float32) / np.float32(scale)
    lum = img.mean(axis=-1) if img.ndim == 4 else img
    t, h, w = lum.shape
    noise = 1.4826 * np.median(np.abs(lum - median_filter(lum, size=(1, 1, 15), mode="reflect")), axis=(1, 2))
    z = np.clip(ridge_response(lum) / (noise[:, None, None] + 1e-6), -clip_sigma, clip_sigma)
    zt = uniform_filter1d(z, max(1, int(window)), axis=0, mode="nearest")
    angles = np.arange(-max_angle_deg, max_angle_deg + angle_step_deg / 2, angle_step_deg)
    ys = np.arange(h)
    cols = np.arange(w)
    sums = np.empty((angles.size, t, w), np.float32)
    for k, ang in enumerate(angles):
        shift = np.rint(np.tan(np.deg2rad(ang)) * (ys - h / 2.0)).astype(np.intp)
        idx = np.clip(cols[None, :] + shift[:, None], 0, w - 1)
        sums[k] = zt[:, ys[:, None], idx].mean(axis=1)
    sigma = 1.4826 * float(np.median(np.abs(sums - np.median(sums)))) + 1e-12
    score = sums / sigma
    best = np.abs(score).max(axis=0)
    which = np.abs(score).argmax(axis=0)
    best[:, : border_px + 1] = 0.0
    best[:, w - border_px - 1 :] = 0.0
    half_w = window // 2
    half = int(max(12, np.ceil(max_width_px)))
    out: list[list[dict]] = []
    for ti in range(t):
        peaks, _ = find_peaks(best[ti], height=k_sigma, distance=min_separation_px)
        if peaks.size == 0:
            out.append([])
            continue
        mean_img = lum[max(0, ti - half_w) : ti + half_w + 1].mean(axis=0)
        m_noise = 1.4826 * float(
            np.median(np.abs(mean_img - median_filter(mean_img, size=(1, 15), mode="reflect")))
        )
        # a faint scratch is a few grey levels against scene gradients of tens: test the ridge shape on
        # the high-passed mean image (minus a horizontal median wider than the cross-section)
        flat = mean_img - median_filter(mean_img, size=(1, 2 * half + 1), mode="reflect")
        found: list[dict] = []
        for x in peaks[np.argsort(-best[ti, peaks])]:
            ang = float(angles[which[ti, x]])
            xs_f = x + np.tan(np.deg2rad(ang)) * (ys - h / 2.0)
            if xs_f.min() < border_px or xs_f.max() > w - 1 - border_px:
                continue
            pol = 1 if score[which[ti, x], ti, x] > 0 else -1
            offs, prof = line_cross_section(flat, ang, float(x), half=half)
            rp = ridge_profile(offs, prof, max_width_px=max_width_px)
            if rp is None or rp["polarity"] != pol:
                continue
            if follows_scene(mean_img, ang, float(x), pol, noise=m_noise):
                continue
            found.append({"angle_deg": ang, "x_centre_px": float(x), **rp, "score": float(best[ti, x])})
        out.append(found)
    return out
