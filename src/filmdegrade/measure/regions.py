"""Automatic detection of flat (structure-free) regions, where grain and noise can be measured.

Grain statistics are only meaningful where the picture itself is uniform. A block counts as flat when
the gradient of a smoothed copy of the frame is small there: smoothing (Gaussian, σ = block / 8) removes
grain and noise but keeps edges and texture, so the score measures scene structure, not the noise we
want to measure. Blocks that touch black or white clipping are rejected (clipping hides noise).
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from filmdegrade.io import to_grey_float

__all__ = ["FlatRegions", "block_patches", "detrend_patches", "find_flat_regions"]


@dataclass(frozen=True)
class FlatRegions:
    """Flat blocks of one frame.

    Attributes
    ----------
    boxes : numpy.ndarray, int, shape (N, 2)
        Top-left corners ``(y, x)`` of the selected blocks, pixels, flattest first.
    block : int
        Block side, pixels.
    means : numpy.ndarray, float, shape (N,)
        Mean grey level of each block, in [0, 1].
    activity : numpy.ndarray, float, shape (N,)
        Structure score of each block: mean gradient magnitude of the smoothed frame, grey levels/pixel.
    shape : tuple of int
        ``(H, W)`` of the frame.
    """

    boxes: np.ndarray
    block: int
    means: np.ndarray
    activity: np.ndarray
    shape: tuple[int, int]

    def __len__(self) -> int:
        return len(self.boxes)

    def mask(self) -> np.ndarray:
        """``H×W`` bool mask of the selected blocks."""
        m = np.zeros(self.shape, bool)
        for y, x in self.boxes:
            m[y : y + self.block, x : x + self.block] = True
        return m


def _block_view(a: np.ndarray, block: int) -> np.ndarray:
    """``nby × nbx × block × block`` view of the top-left part of ``a`` that whole blocks cover."""
    nby, nbx = a.shape[0] // block, a.shape[1] // block
    a = a[: nby * block, : nbx * block]
    return a.reshape(nby, block, nbx, block).swapaxes(1, 2)


def find_flat_regions(
    image: np.ndarray,
    *,
    block: int = 32,
    fraction: float = 0.25,
    max_ratio: float = 3.0,
    min_blocks: int = 2,
    clip_levels: tuple[float, float] = (0.02, 0.98),
) -> FlatRegions:
    """Find the flattest blocks of a frame.

    Parameters
    ----------
    image : numpy.ndarray
        ``H×W`` or ``H×W×C`` frame, uint8 or float in [0, 1] (colour is reduced to BT.601 luma).
    block : int
        Block side, pixels (≥ 8). 32 px keeps ~1000 samples per block for a stable σ.
    fraction : float
        At most this fraction of the valid blocks is kept (the flattest ones), in (0, 1].
    max_ratio : float
        Blocks whose structure score exceeds ``max_ratio`` × the flattest block's are dropped too, so a
        busy frame yields few blocks rather than textured ones.
    min_blocks : int
        Keep at least this many blocks (when the frame has that many unclipped blocks).
    clip_levels : (float, float)
        Blocks with more than 1 % of pixels at or beyond these grey levels are rejected.

    Returns
    -------
    FlatRegions
        The selected blocks, flattest first (possibly empty for a clipped or tiny frame).
    """
    if block < 8:
        raise ValueError(f"block must be >= 8 pixels, got {block}")
    if not 0.0 < fraction <= 1.0:
        raise ValueError(f"fraction must lie in (0, 1], got {fraction}")
    g = to_grey_float(image)
    if g.ndim != 2:
        raise ValueError(f"find_flat_regions takes one frame (H×W or H×W×C), got shape {np.shape(image)}")
    h, w = g.shape
    empty = FlatRegions(np.zeros((0, 2), int), block, np.zeros(0), np.zeros(0), (h, w))
    if h < block or w < block:
        return empty
    sm = cv2.GaussianBlur(g, (0, 0), sigmaX=block / 8.0, borderType=cv2.BORDER_REFLECT)
    gx = cv2.Sobel(sm, cv2.CV_32F, 1, 0, ksize=3, scale=1 / 8)
    gy = cv2.Sobel(sm, cv2.CV_32F, 0, 1, ksize=3, scale=1 / 8)
    grad = np.sqrt(gx * gx + gy * gy)
    act = _block_view(grad, block).mean(axis=(2, 3))
    blocks = _block_view(g, block)
    means = blocks.mean(axis=(2, 3))
    lo, hi = clip_levels
    clipped = ((blocks <= lo) | (blocks >= hi)).mean(axis=(2, 3)) > 0.01
    valid = np.flatnonzero(~clipped.ravel())
    if valid.size == 0:
        return empty
    order = valid[np.argsort(act.ravel()[valid], kind="stable")]
    a_sorted = act.ravel()[order]
    keep = max(min(min_blocks, order.size), int(np.ceil(fraction * order.size)))
    keep_idx = order[:keep]
    floor = max(float(a_sorted[0]), 1e-6)
    ratio_ok = act.ravel()[keep_idx] <= max_ratio * floor
    ratio_ok[: min(min_blocks, keep_idx.size)] = True
    keep_idx = keep_idx[ratio_ok]
    by, bx = np.unravel_index(keep_idx, act.shape)
    boxes = np.stack([by * block, bx * block], axis=1).astype(int)
    return FlatRegions(
        boxes=boxes,
        block=block,
        means=means.ravel()[keep_idx].astype(np.float64),
        activity=act.ravel()[keep_idx].astype(np.float64),
        shape=(h, w),
    )


def block_patches(image: np.ndarray, regions: FlatRegions) -> np.ndarray:
    """The selected blocks of ``image`` (grey float32) as an ``N×block×block`` array."""
    g = to_grey_float(image)
    b = regions.block
    if not len(regions):
        return np.zeros((0, b, b), np.float32)
    return np.stack([g[y : y + b, x : x + b] for y, x in regions.boxes])


def detrend_patches(patches: np.ndarray) -> np.ndarray:
    """Subtract each patch's least-squares plane ``a + b·y + c·x`` (removes shading, keeps the noise).

    Parameters
    ----------
    patches : numpy.ndarray, shape (N, h, w)
        Patches, any real dtype.

    Returns
    -------
    numpy.ndarray, float32, shape (N, h, w)
        Zero-mean residuals.
    """
    p = np.asarray(patches, dtype=np.float64)
    if p.ndim != 3:
        raise ValueError(f"patches must be N×h×w, got shape {p.shape}")
    n, h, w = p.shape
    yy, xx = np.mgrid[0:h, 0:w]
    basis = np.stack([np.ones(h * w), yy.ravel() - (h - 1) / 2, xx.ravel() - (w - 1) / 2], axis=1)
    coef, *_ = np.linalg.lstsq(basis, p.reshape(n, -1).T, rcond=None)
    resid = p.reshape(n, -1) - (basis @ coef).T
    return resid.reshape(n, h, w).astype(np.float32)
