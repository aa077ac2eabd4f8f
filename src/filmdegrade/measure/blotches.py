"""Dust and blotch detection as temporal impulses: the spike detection index (SDI) of Kokaram.

Dirt and sparkle sit on one frame only, while the picture (after motion compensation) and line
scratches persist. For every pixel of frame ``t`` the neighbouring frames ``t - 1`` and ``t + 1`` are
warped onto it (dense optical flow, :class:`cv2.DISOpticalFlow`) and the backward and forward
differences ``e_b = I_t - Ĩ_{t-1}``, ``e_f = I_t - Ĩ_{t+1}`` are taken. The signed index is::

    SDI = sign(e_b) · min(|e_b|, |e_f|)  where sign(e_b) = sign(e_f), else 0

(Kokaram's SDIa with the sign condition of SDIp: a blotch is brighter, or darker, than *both*
neighbours). A pixel is a blotch pixel when ``|SDI|`` exceeds a threshold set from the robust spread of
the frame differences, and the two neighbours agree with each other (else the difference comes from a
motion-estimation failure, not an impulse). Blotch pixels are grown by hysteresis and grouped into
connected components.

The first and last frames have a single neighbour and are not analysed.

References: A. C. Kokaram, *Motion Picture Restoration* (Springer, 1998), ch. 2–3; Kokaram, Morris,
Fitzgerald & Rayner, "Detection of missing data in image sequences", IEEE TIP 4(11), 1995.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import cv2
import numpy as np
from scipy import ndimage as ndi

from filmdegrade.io import to_grey_float

__all__ = [
    "Blotch",
    "BlotchReport",
    "detect_blotches",
    "duplicate_frames",
    "spike_detection_index",
    "warp_to",
]


def _flow(engine: cv2.DISOpticalFlow, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Dense flow from frame ``a`` to frame ``b`` (grey float32 in [0, 1]), ``H×W×2`` pixels."""
    a8 = np.clip(a * 255.0 + 0.5, 0, 255).astype(np.uint8)
    b8 = np.clip(b * 255.0 + 0.5, 0, 255).astype(np.uint8)
    return engine.calc(a8, b8, None)


def warp_to(src: np.ndarray, flow: np.ndarray) -> np.ndarray:
    """Sample ``src`` at ``x + flow``: brings frame ``b`` onto frame ``a`` for a flow from ``a`` to ``b``."""
    h, w = src.shape
    gx, gy = np.meshgrid(np.arange(w, dtype=np.float32), np.arange(h, dtype=np.float32))
    return cv2.remap(
        src, gx + flow[..., 0], gy + flow[..., 1], cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE
    )


def _median_smooth_flow(flow: np.ndarray, size: int) -> np.ndarray:
    # A blotch can pull the flow towards itself; a median over a window larger than the blotch removes
    # that local distortion while keeping the motion of large objects. Done at 1/4 resolution with a 5×5
    # median (OpenCV's float median is limited to 5×5; scipy's full-size one is ~50× slower).
    h, w = flow.shape[:2]
    f = max(1, size // 5)
    small = cv2.resize(flow, (max(1, w // f), max(1, h // f)), interpolation=cv2.INTER_AREA)
    small = cv2.medianBlur(np.ascontiguousarray(small, np.float32), 5)
    return cv2.resize(small, (w, h), interpolation=cv2.INTER_LINEAR)


def _match_brightness(ref: np.ndarray, other: np.ndarray, sigma: float) -> np.ndarray:
    # Flicker changes a whole frame's brightness, which would otherwise look like a spike everywhere.
    # The local offset is a median of the difference on a coarse grid (cells of ~sigma/2 px), so a
    # large bright speck does not leak into its surroundings as a Gaussian of the difference would.
    h, w = ref.shape
    cell = max(2, round(sigma / 2))
    small = cv2.resize(ref - other, (max(1, w // cell), max(1, h // cell)), interpolation=cv2.INTER_AREA)
    if min(small.shape) >= 5:
        small = cv2.medianBlur(np.ascontiguousarray(small, np.float32), 5)
    return other + cv2.resize(small, (w, h), interpolation=cv2.INTER_LINEAR)


def duplicate_frames(frames: np.ndarray, *, tol: float = 1.5 / 255.0) -> np.ndarray:
    """Indices of the frames kept after dropping repeats (pull-down or frame-rate conversion).

    A frame is a repeat when its mean absolute difference from the previous kept frame is below
    ``tol`` (grey levels, scale 1). Dirt on a repeated frame is on both copies, so the spike detector
    must compare each frame with its distinct neighbours.
    """
    g = to_grey_float(frames)
    if g.ndim == 2:
        return np.zeros(1, int)
    keep = [0]
    for i in range(1, len(g)):
        if float(np.abs(g[i] - g[keep[-1]]).mean()) >= tol:
            keep.append(i)
    return np.array(keep, int)


def spike_detection_index(
    frames: np.ndarray, *, motion: str = "flow", flow_median_px: int = 15, brightness_sigma_px: float = 15.0
) -> tuple[np.ndarray, np.ndarray]:
    """Signed spike detection index of every frame of a clip.

    Parameters
    ----------
    frames : numpy.ndarray
        Clip ``T×H×W×C`` or ``T×H×W``, uint8 or float in [0, 1]; colour is reduced to luma. ``T >= 3``.
    motion : {"flow", "none"}
        ``"flow"``: compensate motion with dense optical flow; ``"none"``: compare pixels in place
        (static camera, synthetic tests).
    flow_median_px : int
        Side of the median filter applied to the flow, pixels (larger than the blotches measured).
    brightness_sigma_px : float
        Each warped neighbour's local brightness is matched to the frame's with a Gaussian of this σ,
        pixels, so flicker does not count as a spike; 0 turns it off.

    Returns
    -------
    sdi : numpy.ndarray, float32, shape (T, H, W)
        Signed index, grey levels (scale 1): > 0 for a bright impulse, < 0 for a dark one, 0 where the
        frame is not brighter (or darker) than both neighbours, and on the first and last frames.
    disagreement : numpy.ndarray, float32, shape (T, H, W)
        ``|Ĩ_{t-1} - Ĩ_{t+1}|``: where the two compensated neighbours disagree, grey levels.
    """
    if motion not in ("flow", "none"):
        raise ValueError(f"motion must be 'flow' or 'none', got {motion!r}")
    g = to_grey_float(frames)
    if g.ndim != 3 or g.shape[0] < 3:
        raise ValueError(f"spike_detection_index needs a clip of >= 3 frames, got shape {np.shape(frames)}")
    t = g.shape[0]
    sdi = np.zeros_like(g)
    dis = np.zeros_like(g)
    engine = cv2.DISOpticalFlow_create(cv2.DISOPTICAL_FLOW_PRESET_MEDIUM) if motion == "flow" else None
    for i in range(1, t - 1):
        cur, prev, nxt = g[i], g[i - 1], g[i + 1]
        if engine is not None:
            fb = _median_smooth_flow(_flow(engine, cur, prev), flow_median_px)
            ff = _median_smooth_flow(_flow(engine, cur, nxt), flow_median_px)
            prev, nxt = warp_to(prev, fb), warp_to(nxt, ff)
        if brightness_sigma_px:
            prev = _match_brightness(cur, prev, brightness_sigma_px)
            nxt = _match_brightness(cur, nxt, brightness_sigma_px)
        eb, ef = cur - prev, cur - nxt
        same = np.sign(eb) == np.sign(ef)
        sdi[i] = np.where(same, np.sign(eb) * np.minimum(np.abs(eb), np.abs(ef)), 0.0)
        dis[i] = np.abs(prev - nxt)
    return sdi, dis


@dataclass(frozen=True)
class Blotch:
    """One detected blotch.

    Attributes
    ----------
    frame : int
        Frame index.
    y, x : float
        Centroid, pixels.
    area_px : int
        Area, pixels.
    polarity : int
        +1 bright (e.g. dirt on a negative), -1 dark (dust on a positive print).
    contrast : float
        Mean ``|SDI|`` over the blotch, grey levels (scale 1).
    """

    frame: int
    y: float
    x: float
    area_px: int
    polarity: int
    contrast: float

    @property
    def diameter_px(self) -> float:
        """Diameter of the disc of the same area, pixels."""
        return float(2.0 * np.sqrt(self.area_px / np.pi))


@dataclass(frozen=True)
class BlotchReport:
    """Blotches of a clip.

    Attributes
    ----------
    blotches : list of Blotch
    mask : numpy.ndarray, bool, shape (T, H, W)
        Detected blotch pixels.
    frames_analysed : int
        Number of distinct frames with two distinct neighbours.
    threshold : float
        Detection threshold on ``|SDI|``, grey levels.
    """

    blotches: list[Blotch] = field(repr=False)
    mask: np.ndarray = field(repr=False)
    frames_analysed: int
    threshold: float

    @property
    def per_frame(self) -> np.ndarray:
        """Blotch count of every frame (0 for frames not analysed: the ends and repeats)."""
        counts = np.zeros(self.mask.shape[0], int)
        for b in self.blotches:
            counts[b.frame] += 1
        return counts

    @property
    def rate(self) -> float:
        """Mean number of blotches per analysed frame."""
        return len(self.blotches) / self.frames_analysed if self.frames_analysed else float("nan")

    @property
    def area_fraction(self) -> float:
        """Fraction of the analysed frames' area covered by blotches."""
        if not self.frames_analysed:
            return float("nan")
        return float(self.mask.sum() / (self.frames_analysed * self.mask.shape[1] * self.mask.shape[2]))

    def summary(self, um_per_px: float | None = None) -> dict[str, float]:
        """Rate, sizes (median/mean equivalent diameter, pixels and µm) and polarity, JSON-friendly."""
        d = np.array([b.diameter_px for b in self.blotches])
        out = {
            "count": len(self.blotches),
            "frames_analysed": self.frames_analysed,
            "rate_per_frame": float(self.rate),
            "area_fraction": float(self.area_fraction),
            "median_diameter_px": float(np.median(d)) if d.size else float("nan"),
            "mean_diameter_px": float(d.mean()) if d.size else float("nan"),
            "dark_fraction": float(np.mean([b.polarity < 0 for b in self.blotches]))
            if self.blotches
            else float("nan"),
            "threshold": float(self.threshold),
        }
        if um_per_px is not None:
            out["median_diameter_um"] = out["median_diameter_px"] * um_per_px
        return out


def detect_blotches(
    frames: np.ndarray,
    *,
    k_sigma: float = 5.0,
    min_threshold: float = 0.03,
    min_area: int = 4,
    max_area_fraction: float = 0.02,
    motion: str = "flow",
    drop_repeats: bool = True,
    ring_px: int = 3,
    ring_ratio: float = 0.25,
) -> BlotchReport:
    """Detect dust, dirt and blotches as temporal impulses (see the module docstring).

    Parameters
    ----------
    frames : numpy.ndarray
        Clip ``T×H×W×C`` or ``T×H×W``, uint8 or float in [0, 1]; at least 3 distinct frames.
    k_sigma : float
        Threshold in robust standard deviations of a motion-compensated frame difference (estimated
        from the median of ``|Ĩ_{t-1} - Ĩ_{t+1}|``, which grain and noise dominate).
    min_threshold : float
        Lower bound of the threshold, grey levels (keeps compression noise out on clean clips).
    min_area : int
        Smallest blotch, pixels.
    max_area_fraction : float
        Components larger than this fraction of the frame are rejected (motion failures, cuts).
    motion : {"flow", "none"}
        See :func:`spike_detection_index`.
    drop_repeats : bool
        Analyse only distinct frames (see :func:`duplicate_frames`); blotches are reported at the index
        of the first copy.
    ring_px, ring_ratio : int, float
        A blotch is kept only if, in a ring of ``ring_px`` pixels around it, the mean disagreement of the
        compensated neighbours is below ``ring_ratio`` × its contrast (rejects motion failures).

    Returns
    -------
    BlotchReport
    """
    g = to_grey_float(frames)
    if g.ndim != 3:
        raise ValueError(f"detect_blotches needs a clip, got shape {np.shape(frames)}")
    keep_t = duplicate_frames(g) if drop_repeats else np.arange(len(g))
    if len(keep_t) < 3:
        raise ValueError(f"detect_blotches needs at least 3 distinct frames, got {len(keep_t)}")
    sdi, dis = spike_detection_index(g[keep_t], motion=motion)
    t, h, w = sdi.shape
    mask = np.zeros(g.shape, bool)
    blotches: list[Blotch] = []
    # Noise scale of a compensated frame difference, from where the two neighbours disagree: for
    # noise of std s, |prev - next| has median 0.6745 · √2 s, and a frame difference has std √2 s.
    spread = float(np.median(dis[1:-1])) / 0.6745
    thr = max(min_threshold, k_sigma * spread)
    for i in range(1, t - 1):
        a = np.abs(sdi[i])
        # Neighbours must agree (|Ĩ_{t-1} - Ĩ_{t+1}| small compared with the spike itself).
        agree = dis[i] < 0.5 * a
        strong = (a > thr) & agree
        if not strong.any():
            continue
        # Bright and dark spikes are labelled apart so that a bright speck touching a dark one stays two.
        lab_b, nb = ndi.label((sdi[i] > 0.5 * thr) & agree)
        lab_d, n_d = ndi.label((sdi[i] < -0.5 * thr) & agree)
        lab = np.where(lab_d > 0, lab_d + nb, lab_b)
        n = nb + n_d
        keep = np.unique(lab[strong])
        keep = keep[keep > 0]
        idx = np.arange(1, n + 1)
        areas = ndi.sum_labels(np.ones_like(a), lab, idx)
        sums = ndi.sum_labels(sdi[i], lab, idx)
        cents = ndi.center_of_mass(np.ones_like(a), lab, idx)
        # Motion-estimation failures (fast hands, occlusions) also make "spikes", but the neighbours
        # disagree around them too: require a well compensated ring of ring_px pixels around a blotch.
        grown = ndi.grey_dilation(lab, size=(2 * ring_px + 1, 2 * ring_px + 1))
        ring = np.where(lab == 0, grown, 0)
        with np.errstate(invalid="ignore", divide="ignore"):  # a blotch with no ring gives nan: rejected
            ring_dis = ndi.mean(dis[i], ring, idx)
        accepted = []
        for k in keep:
            area = int(areas[k - 1])
            if area < min_area or area > max_area_fraction * h * w:
                continue
            mean = float(sums[k - 1] / area)
            if not ring_dis[k - 1] < ring_ratio * abs(mean):
                continue
            cy, cx = cents[k - 1]
            accepted.append(k)
            blotches.append(
                Blotch(int(keep_t[i]), float(cy), float(cx), area, 1 if mean > 0 else -1, abs(mean))
            )
        if accepted:
            mask[keep_t[i]] = np.isin(lab, accepted)
    return BlotchReport(blotches=blotches, mask=mask, frames_analysed=t - 2, threshold=thr)
