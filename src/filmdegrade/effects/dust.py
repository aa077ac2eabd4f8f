"""Dust, dirt and hair on the film: opaque specks that live for one frame (sometimes two).

Physics (``../shared/reference/film-physics.md`` 4.2): dust on a print or positive blocks light, so it shows
as **dark** spots; dust on the negative a print was made from blocks the printing light and shows **white**
on the print (S). Dirt is temporally impulsive: present in a single frame, unlike line scratches (Kokaram
1998, M). Sizes are heavy-tailed: many small specks, a few large blobs and an occasional hair or fibre.

Model: a speck is a small irregular blob (a polygon whose radius is a random Fourier series in the polar
angle), or a hair (a smooth random curve of constant width). Its coverage ``m`` is rendered anti-aliased
(supersampled, then box-filtered with ``cv2.INTER_AREA``) inside its bounding box only. In linear light
(transmittance) an opaque speck of opacity ``o`` multiplies the transmittance by ``1 - o m`` (dark), or
on a negative → positive path moves it toward clear, ``T + o m (1 - T)`` (bright).
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from filmdegrade.colour import linear_to_srgb, srgb_to_linear
from filmdegrade.effects.base import (
    ClipContext,
    InPlaceTransform,
    check_choice,
    check_range,
    sample_range,
)
from filmdegrade.random import frame_rngs

__all__ = [
    "BLOB_COLUMNS",
    "HAIR_COLUMNS",
    "Dust",
    "DustParams",
    "apply_speck",
    "blob_polygon",
    "hair_curve",
    "render_coverage",
    "sample_pareto_diameter",
]

#: Columns of :attr:`DustParams.blobs`: frame, centre x/y (px), mean radius (px), opacity, then the
#: amplitudes and phases of the polar Fourier harmonics 2..5 of the outline.
BLOB_COLUMNS = ("frame", "cx", "cy", "radius", "opacity", "a2", "a3", "a4", "a5", "p2", "p3", "p4", "p5")
#: Columns of :attr:`DustParams.hairs`: frame, start x/y (px), length (px), heading (rad), curvature (rad/px),
#: wiggle amplitude (rad), wiggle cycles over the length, wiggle phase (rad), width (px), opacity.
HAIR_COLUMNS = (
    "frame",
    "x0",
    "y0",
    "length",
    "heading",
    "curvature",
    "wiggle",
    "cycles",
    "phase",
    "width",
    "opacity",
)
_N_HARM = 4


# --- kernels ---------------------------------------------------------------------------------------------
def sample_pareto_diameter(u: np.ndarray | float, d_min: float, d_max: float, exponent: float) -> np.ndarray:
    """Inverse CDF of a Pareto law truncated to ``[d_min, d_max]``: ``P(D > d) ∝ d^-exponent``.

    Parameters
    ----------
    u : array_like
        Uniform numbers in [0, 1).
    d_min, d_max : float
        Smallest and largest diameter (any length unit, the result has the same unit).
    exponent : float
        Tail exponent α > 0 (larger: fewer big specks).
    """
    u = np.asarray(u, np.float64)
    tail = 1.0 - (d_min / d_max) ** exponent
    return d_min * (1.0 - u * tail) ** (-1.0 / exponent)


def blob_polygon(cx: float, cy: float, radius: float, amps: np.ndarray, phases: np.ndarray) -> np.ndarray:
    """Outline of an irregular blob, ``(N, 2)`` float64 points (x, y) in pixels.

    The radius is ``radius · max(0.25, 1 + Σ_k a_k cos(k φ + p_k))`` for harmonics ``k = 2 .. 1 + len(amps)``.
    """
    n = 16 if radius < 4 else 32
    phi = np.linspace(0.0, 2.0 * np.pi, n, endpoint=False)
    k = np.arange(2, 2 + len(amps))[:, None]
    r = radius * np.maximum(
        0.25, 1.0 + (np.asarray(amps)[:, None] * np.cos(k * phi + np.asarray(phases)[:, None])).sum(0)
    )
    return np.stack([cx + r * np.cos(phi), cy + r * np.sin(phi)], axis=1)


def hair_curve(
    x0: float,
    y0: float,
    length: float,
    heading: float,
    curvature: float,
    wiggle: float,
    cycles: float,
    phase: float,
) -> np.ndarray:
    """A smooth hair/fibre centre line, ``(N, 2)`` float64 points (x, y) in pixels.

    The heading along the arc length ``s`` is ``heading + curvature · s + wiggle · sin(2π cycles s / length
    + phase)`` (radians).
    """
    n = int(np.clip(length / 4.0, 8, 48))
    s = np.linspace(0.0, length, n)
    theta = heading + curvature * s + wiggle * np.sin(2.0 * np.pi * cycles * s / max(length, 1e-6) + phase)
    ds = length / (n - 1)
    x = x0 + np.concatenate([[0.0], np.cumsum(np.cos(theta[:-1]) * ds)])
    y = y0 + np.concatenate([[0.0], np.cumsum(np.sin(theta[:-1]) * ds)])
    return np.stack([x, y], axis=1)


def render_coverage(
    points: np.ndarray,
    height: int,
    width: int,
    *,
    closed: bool,
    thickness_px: float = 1.0,
    margin: float = 2.0,
) -> tuple[tuple[int, int, int, int], np.ndarray] | None:
    """Anti-aliased coverage of a filled polygon (``closed``) or a polyline, on its bounding box only.

    Parameters
    ----------
    points : numpy.ndarray, shape (N, 2)
        x, y in pixels (pixel centres at integer coordinates).
    height, width : int
        Frame size, pixels (the box is clipped to it).
    closed : bool
        True: fill the polygon; False: draw a polyline of ``thickness_px``.
    thickness_px : float
        Line width, pixels (polylines only).
    margin : float
        Extra border around the points, pixels.

    Returns
    -------
    ((y0, y1, x0, x1), coverage) or None
        The box in frame pixels and float32 coverage in [0, 1] of shape ``(y1 - y0, x1 - x0)``; ``None`` when
        the shape lies outside the frame.
    """
    pad = margin + (thickness_px / 2.0 if not closed else 0.0)
    x0 = max(int(np.floor(points[:, 0].min() - pad)), 0)
    x1 = min(int(np.ceil(points[:, 0].max() + pad)) + 1, width)
    y0 = max(int(np.floor(points[:, 1].min() - pad)), 0)
    y1 = min(int(np.ceil(points[:, 1].max() + pad)) + 1, height)
    if x1 <= x0 or y1 <= y0:
        return None
    bw, bh = x1 - x0, y1 - y0
    # Supersample small boxes (exact area coverage after INTER_AREA); big ones use OpenCV's LINE_AA.
    ss = 4 if bw * bh <= 4096 else (2 if bw * bh <= 65536 else 1)
    shift = 4
    pts = ((points - (x0, y0) + 0.5) * ss - 0.5) * (1 << shift)
    pts = np.rint(pts).astype(np.int32).reshape(-1, 1, 2)
    canvas = np.zeros((bh * ss, bw * ss), np.uint8)
    aa = cv2.LINE_AA if ss == 1 else cv2.LINE_8
    if closed:
        cv2.fillPoly(canvas, [pts], 255, aa, shift)
        scale = 1.0
    else:
        t = thickness_px * ss
        ti = max(round(t), 1)
        cv2.polylines(canvas, [pts], False, 255, ti, aa, shift)
        scale = min(t / ti, 1.0)  # a fibre thinner than the thinnest drawable line keeps its area
    if ss > 1:
        cov = cv2.resize(canvas, (bw, bh), interpolation=cv2.INTER_AREA).astype(np.float32)
    else:
        cov = canvas.astype(np.float32)
    cov *= np.float32(scale / 255.0)
    return (y0, y1, x0, x1), cov


def apply_speck(pixels: np.ndarray, coverage: np.ndarray, opacity: float, bright: bool) -> np.ndarray:
    """Darken (or brighten) sRGB pixels by an opaque speck in linear light.

    Parameters
    ----------
    pixels : numpy.ndarray, float32, shape (h, w, C)
        sRGB in [0, 1], C in {1, 3}.
    coverage : numpy.ndarray, float32, shape (h, w)
        Speck coverage ``m`` in [0, 1].
    opacity : float
        Fraction of light the speck blocks, [0, 1].
    bright : bool
        False: ``T' = T (1 - o m)``; True (dust on the negative, seen on the print): ``T' = T + o m (1 - T)``.

    Returns
    -------
    numpy.ndarray, float32, shape (h, w, C)
    """
    grey = pixels.shape[-1] == 1
    lin = srgb_to_linear(np.repeat(pixels, 3, axis=-1) if grey else pixels)
    om = (np.float32(opacity) * coverage)[..., None]
    if bright:
        lin += om * (1.0 - lin)
    else:
        lin *= 1.0 - om
    out = np.clip(linear_to_srgb(lin), 0.0, 1.0)
    return out[..., :1] if grey else out


# --- transform -------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class DustParams:
    """Sampled specks of one clip (pixels of the clip).

    Attributes
    ----------
    bright : bool
        True: specks are white (dust on a negative); False: dark.
    blobs : numpy.ndarray, float64, shape (N, 13)
        One row per blob and frame it appears in; columns :data:`BLOB_COLUMNS`.
    hairs : numpy.ndarray, float64, shape (M, 11)
        One row per hair and frame; columns :data:`HAIR_COLUMNS`.
    """

    bright: bool
    blobs: np.ndarray
    hairs: np.ndarray


class Dust(InPlaceTransform):
    """Dust, dirt and hair: heavy-tailed irregular specks and thin curved fibres, fresh every frame.

    Parameters
    ----------
    rate_per_frame : float or (float, float)
        Mean number of specks (hairs included) per frame, Poisson; a range is sampled per clip.
    diameter_um : (float, float)
        Smallest and largest equivalent diameter of a blob, µm on the film.
    size_exponent : float
        Tail exponent α of the truncated Pareto law of diameters, ``P(D > d) ∝ d^-α`` (estimated: many
        small specks, a few large blobs).
    irregularity : float
        Relative amplitude of the outline's random harmonics (0: round specks).
    hair_fraction : float
        Fraction of specks that are hairs/fibres.
    hair_length_um, hair_width_um : (float, float)
        Ranges of a hair's length and width, µm (uniform per hair; the length log-uniform).
    opacity : float or (float, float)
        Fraction of the light a speck blocks, drawn per speck.
    polarity : {"auto", "dark", "bright"}
        ``"auto"``: dark on a positive stock (``Stock.is_positive``), white on a negative.
    two_frame_prob : float
        Probability that a speck stays (same place) for a second frame.
    p : float
        Probability of applying the transform.
    """

    name = "dust"
    mask_names = ("dust",)
    params_cls = DustParams

    def __init__(
        self,
        *,
        rate_per_frame: float | tuple[float, float] = 6.0,
        diameter_um: tuple[float, float] = (20.0, 600.0),
        size_exponent: float = 1.8,
        irregularity: float = 0.3,
        hair_fraction: float = 0.05,
        hair_length_um: tuple[float, float] = (300.0, 3000.0),
        hair_width_um: tuple[float, float] = (8.0, 25.0),
        opacity: float | tuple[float, float] = (0.7, 1.0),
        polarity: str = "auto",
        two_frame_prob: float = 0.05,
        p: float = 1.0,
    ) -> None:
        super().__init__(p=p)
        self.rate_per_frame = check_range("rate_per_frame", rate_per_frame, 0.0, 1e4)
        self.diameter_um = _pair("diameter_um", diameter_um, 0.01, 1e5)
        self.size_exponent = check_range("size_exponent", size_exponent, 0.1, 10.0)
        self.irregularity = check_range("irregularity", irregularity, 0.0, 1.0)
        self.hair_fraction = check_range("hair_fraction", hair_fraction, 0.0, 1.0)
        self.hair_length_um = _pair("hair_length_um", hair_length_um, 0.01, 1e6)
        self.hair_width_um = _pair("hair_width_um", hair_width_um, 0.01, 1e4)
        self.opacity = check_range("opacity", opacity, 0.0, 1.0)
        self.polarity = check_choice("polarity", polarity, ("auto", "dark", "bright"))
        self.two_frame_prob = check_range("two_frame_prob", two_frame_prob, 0.0, 1.0)

    def sample_params(self, rng: np.random.Generator, ctx: ClipContext) -> DustParams:
        """Draw every frame's specks from its own ``frame_rngs`` stream."""
        bright = self.polarity == "bright" or (
            self.polarity == "auto" and not ctx.medium.stock_info.is_positive
        )
        rate = sample_range(rng, self.rate_per_frame)
        frs = frame_rngs(rng, ctx.n_frames)
        um = ctx.um_per_px
        d_lo, d_hi = self.diameter_um
        blobs: list[list[float]] = []
        hairs: list[list[float]] = []
        for t, g in enumerate(frs):
            for _ in range(int(g.poisson(rate))):
                is_hair = g.random() < self.hair_fraction
                stays = g.random() < self.two_frame_prob
                x, y = g.uniform(0.0, ctx.width), g.uniform(0.0, ctx.height)
                opacity = _uniform(g, self.opacity)
                if is_hair:
                    length = float(np.exp(g.uniform(*np.log(self.hair_length_um)))) / um
                    row = [
                        x,
                        y,
                        length,
                        g.uniform(0.0, 2 * np.pi),
                        g.normal(0.0, 2.0) / max(length, 1.0),
                        g.uniform(0.0, 0.6),
                        g.uniform(0.5, 2.0),
                        g.uniform(0.0, 2 * np.pi),
                        g.uniform(*self.hair_width_um) / um,
                        opacity,
                    ]
                    target = hairs
                else:
                    radius = float(sample_pareto_diameter(g.random(), d_lo, d_hi, self.size_exponent)) / (
                        2.0 * um
                    )
                    amps = self.irregularity * g.normal(0.0, 1.0, _N_HARM) / np.arange(2, 2 + _N_HARM)
                    row = [x, y, radius, opacity, *amps, *g.uniform(0.0, 2 * np.pi, _N_HARM)]
                    target = blobs
                target.append([float(t), *map(float, row)])
                if stays and t + 1 < ctx.n_frames:
                    target.append([float(t + 1), *map(float, row)])
        blob_arr = np.array(blobs, np.float64).reshape(-1, len(BLOB_COLUMNS))
        hair_arr = np.array(hairs, np.float64).reshape(-1, len(HAIR_COLUMNS))
        # apply() draws frame by frame
        return DustParams(
            bright=bool(bright),
            blobs=blob_arr[np.argsort(blob_arr[:, 0], kind="stable")],
            hairs=hair_arr[np.argsort(hair_arr[:, 0], kind="stable")],
        )

    def apply_into(
        self, frames: np.ndarray, out: np.ndarray, params: DustParams
    ) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        """Render every speck on its bounding box; returns the image and the ``dust`` mask.

        Specks combine multiplicatively in linear light (dark: ``T ∏ (1 - o m)``; bright: ``1 - (1 - T)
        ∏ (1 - o m)``), in any order, so each frame's specks are gathered into one list of covered
        pixels and factors and applied in a single vectorised sRGB round trip. In place, only the
        specks' pixels are touched; otherwise the clip is copied first.
        """
        if out is not frames:
            np.copyto(out, frames)
        t_count, h, w, _ = out.shape
        mask = np.zeros((t_count, h, w), np.float32)  # calloc'ed: untouched pages cost nothing
        per_frame: list[list[_Speck]] = [[] for _ in range(t_count)]
        for row in params.blobs:
            pts = blob_polygon(row[1], row[2], row[3], row[5 : 5 + _N_HARM], row[5 + _N_HARM :])
            rendered = render_coverage(pts, h, w, closed=True)
            if rendered is not None:
                per_frame[int(row[0])].append((*rendered, float(row[4])))
        for row in params.hairs:
            rendered = render_coverage(hair_curve(*row[1:9]), h, w, closed=False, thickness_px=float(row[9]))
            if rendered is not None:
                per_frame[int(row[0])].append((*rendered, float(row[10])))
        for t, specks in enumerate(per_frame):
            if specks:
                _draw_frame(out[t], mask[t], specks, params.bright)
        return out, {"dust": mask}


#: One rendered speck: its box ``(y0, y1, x0, x1)`` in frame pixels, coverage on the box, opacity.
_Speck = tuple[tuple[int, int, int, int], np.ndarray, float]


def _draw_frame(img: np.ndarray, mask: np.ndarray, specks: list[_Speck], bright: bool) -> None:
    """Apply one frame's specks to ``img`` (H×W×C) and ``mask`` (H×W) in place.

    Specks are ``((y0, y1, x0, x1), coverage, opacity)``; pixels with zero coverage stay bit-exact (the
    sRGB round trip is not).
    """
    h, w, c = img.shape
    idx_parts, fac_parts = [], []
    for (y0, y1, x0, x1), cov, opacity in specks:
        yy, xx = np.nonzero(cov)
        if yy.size == 0:
            continue
        idx_parts.append((yy + y0) * w + (xx + x0))
        fac_parts.append(np.float32(1.0) - np.float32(opacity) * cov[yy, xx])
        np.maximum(mask[y0:y1, x0:x1], cov, out=mask[y0:y1, x0:x1])
    if not idx_parts:
        return
    idx, fac = np.concatenate(idx_parts), np.concatenate(fac_parts)
    if len(idx_parts) > 1 and _boxes_overlap([sp[0] for sp in specks]):
        # Overlapping specks: one factor per pixel, the product of its specks' factors.
        idx, inv = np.unique(idx, return_inverse=True)
        prod = np.ones(idx.size, np.float32)
        np.multiply.at(prod, inv, fac)
        fac = prod
    flat = img.reshape(h * w, c)
    lin = _srgb_decode(np.take(flat, idx, axis=0).T)  # (C, N): long contiguous rows for numpy
    if bright:
        # T' = 1 - (1 - T) f
        np.subtract(np.float32(1.0), lin, out=lin)
        lin *= fac
        np.subtract(np.float32(1.0), lin, out=lin)
    else:
        lin *= fac
    new = np.ascontiguousarray(_srgb_encode(lin).T)
    # Scatter whole pixels as opaque C×4-byte items: ~2x faster than numpy's row assignment.
    pix = np.dtype((np.void, 4 * c))
    flat.view(pix).reshape(h * w)[idx] = new.view(pix).reshape(-1)


def _boxes_overlap(boxes: list[tuple[int, int, int, int]]) -> bool:
    """True if any two ``(y0, y1, x0, x1)`` boxes intersect."""
    b = np.asarray(boxes)
    y0, y1, x0, x1 = (b[:, k] for k in range(4))
    inter = (np.minimum(y1[:, None], y1[None]) > np.maximum(y0[:, None], y0[None])) & (
        np.minimum(x1[:, None], x1[None]) > np.maximum(x0[:, None], x0[None])
    )
    return bool(inter.sum() > len(boxes))  # the diagonal always intersects


def _srgb_decode(x: np.ndarray) -> np.ndarray:
    """IEC 61966-2-1 sRGB → linear of any-shape float32 values in [0, 1] (new float32 array)."""
    x = np.asarray(x, dtype=np.float32)
    lo = x * np.float32(1.0 / 12.92)
    hi = np.power((x + np.float32(0.055)) * np.float32(1.0 / 1.055), np.float32(2.4))
    return np.where(x > np.float32(0.04045), hi, lo)


def _srgb_encode(lin: np.ndarray) -> np.ndarray:
    """Linear → IEC 61966-2-1 sRGB of any-shape float32 values, clipped to [0, 1] (new float32 array)."""
    lin = np.maximum(lin, np.float32(0.0))
    hi = np.power(lin, np.float32(1.0 / 2.4))
    hi *= np.float32(1.055)
    hi -= np.float32(0.055)
    out = np.where(lin > np.float32(0.0031308), hi, lin * np.float32(12.92))
    return np.clip(out, np.float32(0.0), np.float32(1.0), out=out)


def _uniform(g: np.random.Generator, value: float | tuple[float, float]) -> float:
    u = float(g.random())
    if isinstance(value, tuple):
        return value[0] + (value[1] - value[0]) * u
    return float(value)


def _pair(name: str, value: object, lo: float, hi: float) -> tuple[float, float]:
    v = check_range(name, value, lo, hi)
    return v if isinstance(v, tuple) else (v, v)
