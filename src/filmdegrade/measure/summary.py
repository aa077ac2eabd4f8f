"""Every statistic of a piece of footage in one call: :func:`measure_footage`, and its table form.

It reuses the statistic modules: flat regions and noise (:mod:`.regions`, :mod:`.noise`), grain
(:mod:`.granularity`), line scratches (:mod:`.lines`), dust/blotches (:mod:`.blotches`), flicker and
weave (:mod:`filmdegrade.measure.temporal`), colour cast (:mod:`filmdegrade.measure.colour`) and tape
signal statistics (:mod:`filmdegrade.measure.bandwidth`).

Blind horizontal bandwidths (tape formats filter along the lines only): the luma cut-off comes from
the noise of flat patches (:func:`luma_cutoff`: horizontal/vertical noise spectrum ratio, ``|H(f)|²``),
the chroma cut-off from near-vertical colour edges (:func:`chroma_cutoff`); the whole-image
horizontal/vertical power-spectrum ratio (:func:`horizontal_response`) is the fallback for footage
without flat patches (natural content is only roughly isotropic, so it is biased by ±25 %).
"""

from __future__ import annotations

import itertools
import math
from typing import Any

import numpy as np

from filmdegrade.io import to_grey_float
from filmdegrade.media import Medium

__all__ = [
    "chroma_cutoff",
    "format_table",
    "horizontal_cutoff",
    "horizontal_response",
    "luma_cutoff",
    "measure_footage",
]


def _clip_float(frames: np.ndarray) -> np.ndarray:
    a = np.asarray(frames)
    f = a.astype(np.float32) / np.float32(255.0) if a.dtype == np.uint8 else a.astype(np.float32)
    if f.ndim == 2:
        f = f[None, ..., None]
    elif f.ndim == 3:
        f = f[None] if f.shape[-1] in (1, 3) else f[..., None]
    if f.ndim != 4 or f.shape[-1] not in (1, 3):
        raise ValueError(f"footage must be H×W[×C] or T×H×W×C with C in {{1, 3}}, got shape {a.shape}")
    return f


def _is_colour(clip: np.ndarray, tol: float = 2.0 / 255.0) -> bool:
    if clip.shape[-1] != 3:
        return False
    return (
        float(np.abs(clip[..., 0] - clip[..., 1]).mean() + np.abs(clip[..., 2] - clip[..., 1]).mean()) > tol
    )


def _chroma(clip: np.ndarray) -> np.ndarray:
    # BT.601 colour differences (the U and V of a composite signal), stacked as two planes per frame.
    y = clip @ np.array([0.299, 0.587, 0.114], np.float32)
    return np.concatenate([clip[..., 2] - y, clip[..., 0] - y], axis=0)


def horizontal_response(planes: np.ndarray, *, n_freq: int = 64) -> tuple[np.ndarray, np.ndarray]:
    """Blind horizontal amplitude response from the horizontal/vertical power spectrum ratio.

    Parameters
    ----------
    planes : numpy.ndarray, shape (N, H, W)
        One signal (luma or a chroma difference) of N frames.
    n_freq : int
        Number of frequencies returned.

    Returns
    -------
    freq : numpy.ndarray, shape (n_freq,)
        Frequencies, cycles per pixel, in (0, 0.5].
    response : numpy.ndarray, shape (n_freq,)
        ``sqrt(P_h / P_v)`` normalised to 1 at the lowest frequencies (the first 10 %).
    """
    p = np.asarray(planes, np.float32)
    _n, h, w = p.shape
    wx = np.hanning(w).astype(np.float32)
    wy = np.hanning(h).astype(np.float32)
    rows = p - p.mean(axis=2, keepdims=True)
    cols = p - p.mean(axis=1, keepdims=True)
    ph = (np.abs(np.fft.rfft(rows * wx, axis=2)) ** 2).mean(axis=(0, 1))
    pv = (np.abs(np.fft.rfft(cols * wy[:, None], axis=1)) ** 2).mean(axis=(0, 2))
    fh, fv = np.fft.rfftfreq(w), np.fft.rfftfreq(h)
    ph, pv = ph / (wx**2).sum(), pv / (wy**2).sum()
    freq = np.linspace(0.5 / n_freq, 0.5, n_freq)
    ratio = np.interp(freq, fh, ph) / np.maximum(np.interp(freq, fv, pv), 1e-20)
    # Content anisotropy makes the raw ratio ripple by ±25 %: smooth it in log over ±3 bins.
    logr = np.log(np.maximum(ratio, 1e-20))
    k = 3
    padded = np.pad(logr, k, mode="edge")
    logr = np.convolve(padded, np.ones(2 * k + 1) / (2 * k + 1), mode="valid")
    ref = float(np.median(logr[: max(2, n_freq // 8)]))
    return freq, np.exp(0.5 * (logr - ref))


def horizontal_cutoff(planes: np.ndarray, level: float = 1.0 / math.sqrt(2.0)) -> float:
    """−3 dB (by default) horizontal cut-off of :func:`horizontal_response`, cycles per pixel.

    Reuses :func:`filmdegrade.measure.bandwidth.cutoff_frequency`; returns 0.5 (Nyquist) when the
    response never falls below ``level``.
    """
    from filmdegrade.measure.bandwidth import cutoff_frequency

    f, r = horizontal_response(planes)
    c = cutoff_frequency(f, r, level)
    return 0.5 if not np.isfinite(c) else float(c)


#: Edge profiles for the chroma cut-off: ±32 px (colour-under chroma spreads over ~20 px at SD width),
#: 9 lines averaged (chroma noise is strong and the edges are near-vertical).
CHROMA_EDGE = {"half_width": 32, "rows": 9, "flat_tol": 0.15}


def luma_cutoff(luma: np.ndarray, residuals: np.ndarray | None = None) -> tuple[float, str]:
    """Blind −3 dB horizontal luma cut-off, cycles per pixel, and the method used.

    From the noise of flat patches (:func:`filmdegrade.measure.bandwidth.noise_cutoff`, ``"noise"``)
    when there are at least 8 of them, which does not depend on the scene; otherwise from the
    whole-image spectrum ratio (:func:`horizontal_cutoff`, ``"spectrum"``, biased by the scene's own
    anisotropy).

    Parameters
    ----------
    luma : numpy.ndarray, shape (N, H, W)
        Luma of N frames, grey levels in [0, 1].
    residuals : numpy.ndarray, shape (M, B, B), optional
        Detrended flat patches of those frames (computed when not given).
    """
    from filmdegrade.measure.bandwidth import noise_cutoff
    from filmdegrade.measure.noise import flat_residuals

    if residuals is None:
        residuals, _ = flat_residuals(luma, max_frames=None)
    if len(residuals) >= 8:
        return noise_cutoff(residuals), "noise"
    return horizontal_cutoff(luma), "spectrum"


def chroma_cutoff(clip: np.ndarray) -> tuple[float, int]:
    """Blind −3 dB horizontal chroma cut-off, cycles per pixel, and the number of edge profiles used.

    :func:`filmdegrade.measure.bandwidth.edge_cutoff` on the BT.601 colour differences (B − Y, R − Y)
    of a ``T×H×W×3`` clip; colour edges of scenes are far sharper than a colour-under chroma band, so
    the edges measure the tape. ``nan`` when no edge qualifies.
    """
    from filmdegrade.measure.bandwidth import cutoff_frequency, edge_mtf

    f, m, n = edge_mtf(_chroma(clip), **CHROMA_EDGE)
    return (cutoff_frequency(f, m) if n else float("nan")), n


def _frame_subset(n: int, k: int) -> np.ndarray:
    return np.unique(np.linspace(0, n - 1, min(n, k)).round().astype(int))


def _lines(clip: np.ndarray, max_frames: int = 24) -> dict[str, Any]:
    from filmdegrade.measure.lines import detect_persistent_lines, detect_vertical_lines

    if len(clip) >= 3:
        # Over a clip, faint scratches show only when their ridge response is accumulated over frames
        # (a single frame misses them, and mistakes static scene highlights for them).
        seg = clip[: max(3, 2 * max_frames)]
        per_frame = detect_persistent_lines(seg)
        idx = _frame_subset(len(seg), max_frames)
        candidates = [per_frame[t] for t in idx]
    else:
        idx = _frame_subset(len(clip), max_frames)
        candidates = [detect_vertical_lines(clip[t]) for t in idx]
    w = clip.shape[2]
    found = []
    for t, cand in zip(idx, candidates, strict=True):
        keep = []
        for d in cand:
            if not 3.0 <= d["x_centre_px"] <= w - 4.0:
                continue  # the frame border (gate edge, letterbox) is not a scratch
            width = _line_width(clip[t], d)
            if np.isfinite(width):
                keep.append({**d, "width_px": width})
        found.append(keep)
    allp = [d for f in found for d in f]
    out: dict[str, Any] = {
        "frames_checked": len(idx),
        "lines_per_frame": float(np.mean([len(f) for f in found])),
        "frames_with_lines": float(np.mean([bool(f) for f in found])),
    }
    if allp:
        out["angle_deg_median"] = float(np.median([d["angle_deg"] for d in allp]))
        out["bright_fraction"] = float(np.mean([d["polarity"] > 0 for d in allp]))
        out["x_px"] = sorted(
            round(d["x_centre_px"], 1) for d in found[int(np.argmax([len(f) for f in found]))]
        )
        out["width_px"] = float(np.median([d["width_px"] for d in allp]))
        # Persistence: share of lines with a line within 4 px in the next checked frame.
        hits = [
            any(abs(a["x_centre_px"] - b["x_centre_px"]) < 4.0 for b in nxt)
            for cur, nxt in itertools.pairwise(found)
            for a in cur
        ]
        out["persistence"] = float(np.mean(hits)) if hits else float("nan")
    return out


def _line_width(frame: np.ndarray, line: dict[str, Any], half: int = 12) -> float:
    """FWHM of the mean cross-section of a detected line, pixels; ``nan`` if it is not a thin ridge.

    A scratch is a ridge (flat on both sides); a scene edge, once high-passed, has a lobe of the opposite
    sign on one side: such candidates are rejected.
    """
    from scipy.ndimage import map_coordinates, median_filter

    g = to_grey_float(frame)
    hp = g - median_filter(g, size=(1, 2 * half + 1), mode="reflect")
    h = g.shape[0]
    ys = np.arange(h, dtype=np.float64)
    xs = line["x_centre_px"] + np.tan(np.deg2rad(line["angle_deg"])) * (ys - h / 2.0)
    offs = np.arange(-half, half + 1, dtype=np.float64)
    coords = np.stack([np.repeat(ys, offs.size), (xs[:, None] + offs[None]).ravel()])
    prof = map_coordinates(hp, coords, order=1, mode="nearest").reshape(h, offs.size).mean(axis=0)
    prof = prof * line["polarity"]
    centre = np.abs(offs) <= 2
    peak = float(prof[centre].max())
    if peak <= 0:
        return float("nan")
    above = prof >= peak / 2
    width = float(above.sum())
    side = np.abs(offs) > max(3.0, width)
    left, right = prof[side & (offs < 0)], prof[side & (offs > 0)]
    if not (left.size and right.size) or max(np.abs(left).max(), np.abs(right).max()) > 0.5 * peak:
        return float("nan")
    return width


def _weave(clip: np.ndarray) -> dict[str, float]:
    from scipy.ndimage import median_filter

    from filmdegrade.measure.temporal import frame_shifts

    d = frame_shifts(clip, consecutive=True)[1:]
    # Camera pans are slow: remove a running median of the frame-to-frame shifts, keep the jitter.
    if len(d) >= 5:
        d = d - median_filter(d, size=(5, 1), mode="nearest")
    return {
        "rms_dx_px": float(np.sqrt(np.mean(d[:, 0] ** 2))),
        "rms_dy_px": float(np.sqrt(np.mean(d[:, 1] ** 2))),
    }


def measure_footage(
    frames: np.ndarray,
    *,
    medium: Medium | dict[str, Any] | None = None,
    blotches: bool = True,
    max_frames: int = 32,
) -> dict[str, Any]:
    """Every degradation statistic of an image or clip, as a JSON-friendly dict.

    Parameters
    ----------
    frames : numpy.ndarray
        Image ``H×W[×C]`` or clip ``T×H×W×C``, uint8 or float in [0, 1], sRGB.
    medium : Medium or dict, optional
        When given, lengths are also reported in µm on the film (``um_per_px`` from the frame width) and
        grain as σ_D through the standard 48 µm aperture; a tape format adds MHz bandwidths.
    blotches : bool
        Run the dust/blotch detector (needs 3 distinct frames; the slowest statistic).
    max_frames : int
        Spatial statistics use at most this many evenly spaced frames.

    Returns
    -------
    dict
        Sections ``noise``, ``grain``, ``scratches``, ``dust``, ``flicker``, ``weave``, ``colour``, ``tape``
        (sections needing more frames or colour are left out), plus the footage shape. Units: grey
        levels on a [0, 1] scale, pixels, density (log10), CIELAB, cycles per pixel (cpp) and MHz.
    """
    from filmdegrade.measure import granularity
    from filmdegrade.measure.noise import flat_residuals, noise_vs_intensity

    clip = _clip_float(frames)
    t, h, w, c = clip.shape
    if isinstance(medium, dict):
        medium = Medium.from_dict(medium)
    colour = _is_colour(clip)
    out: dict[str, Any] = {"frames": t, "height": h, "width": w, "is_colour": colour}
    um = None
    if medium is not None:
        um = medium.um_per_px(w)
        out["medium"] = medium.to_dict()
        out["um_per_px"] = um
    sub = clip[_frame_subset(t, max_frames)]

    # --- noise and grain on flat regions ---
    res, means = flat_residuals(sub, max_frames=None)
    noise: dict[str, Any] = {"flat_blocks": len(res)}
    if len(res):
        noise["sigma"] = float(np.median(res.reshape(len(res), -1).std(axis=1)))
        noise["mean_level"] = float(np.median(means))
        noise["correlation_length_px"] = float(granularity.correlation_length(res))
        noise["vs_intensity"] = noise_vs_intensity(sub).to_dict()
    out["noise"] = noise
    if len(res):
        dens = _flat_density(sub)
        grain: dict[str, Any] = {"sigma_density": float(np.median(dens.reshape(len(dens), -1).std(axis=1)))}
        if um is not None:
            grain["correlation_length_um"] = noise["correlation_length_px"] * um
            try:
                grain["sigma_d_48um"] = granularity.aperture_sigma_d(dens, um)
            except ValueError:
                grain["sigma_d_48um"] = float("nan")  # the aperture does not fit in a flat block
        out["grain"] = grain

    # --- line scratches ---
    out["scratches"] = _lines(clip, max_frames)

    # --- temporal statistics ---
    if t >= 3 and blotches:
        from filmdegrade.measure.blotches import detect_blotches, duplicate_frames

        if len(duplicate_frames(clip)) >= 3:
            out["dust"] = detect_blotches(clip).summary(um)
    if t >= 2:
        from filmdegrade.measure.temporal import flicker_stats

        fs = flicker_stats(clip)
        out["flicker"] = {"std_density": fs.std, "autocorrelation": fs.autocorrelation}
        wv = _weave(clip)
        if um is not None:
            wv["rms_dx_um"] = wv["rms_dx_px"] * um
        out["weave"] = wv

    # --- colour ---
    if colour:
        from filmdegrade.measure.colour import colour_cast, dye_density_balance

        a, b = colour_cast(sub)
        out["colour"] = {
            "cast_a": float(a),
            "cast_b": float(b),
            "dye_balance_cmy": dye_density_balance(sub).tolist(),
        }

    # --- tape signal ---
    from filmdegrade.measure.bandwidth import flat_field_snr, head_switch_band

    luma = to_grey_float(sub if c == 3 else sub[..., 0]).reshape(-1, h, w)
    tape: dict[str, Any] = {}
    tape["luma_cutoff_cpp"], tape["luma_cutoff_method"] = luma_cutoff(luma, res)
    if colour:
        tape["chroma_cutoff_cpp"], tape["chroma_edges"] = chroma_cutoff(sub)
    if len(res):
        tape["snr_db"] = float(np.median([flat_field_snr(r) for r in res]))
    tape["head_switch_lines"] = int(np.median([head_switch_band(fr) for fr in luma]))
    if medium is not None and medium.tape_info is not None:
        line_us = float(
            medium.tape_info.info.get("active_line_us", 52.6 if medium.tape_info.lines == 525 else 52.0)
        )
        for k in ("luma", "chroma"):
            if f"{k}_cutoff_cpp" in tape:
                tape[f"{k}_cutoff_mhz"] = tape[f"{k}_cutoff_cpp"] * w / line_us
    out["tape"] = tape
    return out


def _flat_density(sub: np.ndarray) -> np.ndarray:
    """Plane-detrended optical density of the flat blocks (the same blocks as :func:`flat_residuals`)."""
    from filmdegrade.measure.granularity import srgb_to_density
    from filmdegrade.measure.regions import block_patches, detrend_patches, find_flat_regions

    out = []
    for fr in sub:
        reg = find_flat_regions(fr)
        if len(reg):
            grey = block_patches(fr, reg)
            out.append(detrend_patches(srgb_to_density(grey[..., None])[..., 0]))
    return np.concatenate(out) if out else np.zeros((0, 32, 32), np.float32)


def _fmt(v: Any) -> str:
    if isinstance(v, float):
        return "nan" if not np.isfinite(v) else f"{v:.4g}"
    if isinstance(v, list):
        return "[" + ", ".join(_fmt(x) for x in v[:12]) + (", …]" if len(v) > 12 else "]")
    return str(v)


def format_table(stats: dict[str, Any]) -> str:
    """A two-column text table of :func:`measure_footage` output (``section.key  value``)."""
    rows: list[tuple[str, str]] = []

    def walk(d: dict[str, Any], prefix: str) -> None:
        for k, v in d.items():
            if isinstance(v, dict) and k != "medium":
                walk(v, f"{prefix}{k}.")
            else:
                rows.append((prefix + k, _fmt(v)))

    walk(stats, "")
    width = max(len(k) for k, _ in rows)
    return "\n".join(f"{k:<{width}}  {v}" for k, v in rows)
