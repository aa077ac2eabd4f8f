"""Gate weave: per-frame sub-pixel displacement (and a tiny rotation) of the image in the gate.

Physics
-------
The film is not held at exactly the same place for every exposure (camera gate) or every projection/
scan (printer, projector, scanner gate): lateral play between the edge guides and the perforations
moves the frame sideways (*weave*) and along the film (*jump*), and a slightly twisted strip rotates
it. Super 8 cartridges lack a registration pin and weave more than Regular 8 or 16 mm
(film-physics.md 4.3, qualitative). The typical RMS in µm on the film is the gauge's
``weave_rms_um`` in ``data/gauges.toml`` (estimated: no published measurement).

Each component (horizontal, vertical, rotation) is an independent stationary AR(1) process with lag-1
correlation ``correlation`` (slow wander plus frame-to-frame jitter), clipped at ``bound_sigma``
standard deviations so that the frame never wanders off (clipping at 3 σ lowers the RMS by about 1 %).
Displacements are converted to pixels with the clip's µm per pixel and applied with
:func:`cv2.warpAffine`.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from filmdegrade.effects.base import ClipContext, Transform, check_choice, check_range, sample_range
from filmdegrade.effects.flicker import ar1_series
from filmdegrade.random import frame_rngs

__all__ = ["GateWeave", "WeaveParams", "warp_frame", "weave_matrix"]

_INTERP = {"linear": cv2.INTER_LINEAR, "cubic": cv2.INTER_CUBIC}
_BORDER = {"reflect": cv2.BORDER_REFLECT_101, "replicate": cv2.BORDER_REPLICATE, "black": cv2.BORDER_CONSTANT}


def weave_matrix(dx: float, dy: float, angle_deg: float, height: int, width: int) -> np.ndarray:
    """Forward 2×3 affine matrix: rotate by ``angle_deg`` about the frame centre, then translate.

    Parameters
    ----------
    dx, dy : float
        Translation, pixels (content moves right / down for positive values).
    angle_deg : float
        Rotation, degrees, counter-clockwise on screen (OpenCV convention).
    height, width : int
        Frame size, pixels.

    Returns
    -------
    numpy.ndarray, float64, shape (2, 3)
    """
    m = cv2.getRotationMatrix2D(((width - 1) / 2.0, (height - 1) / 2.0), float(angle_deg), 1.0)
    m[0, 2] += dx
    m[1, 2] += dy
    return m


def warp_frame(
    frame: np.ndarray, matrix: np.ndarray, *, interpolation: str = "linear", border: str = "reflect",
    out: np.ndarray | None = None,
) -> np.ndarray:
    """Move one frame (``H×W`` or ``H×W×C``, float32) by a forward affine ``matrix``.

    Parameters
    ----------
    frame : numpy.ndarray, float32
        Image ``H×W`` or ``H×W×C``.
    matrix : numpy.ndarray, shape (2, 3)
        Forward map, pixels (see :func:`weave_matrix`).
    interpolation : {"linear", "cubic"}
        Resampling kernel.
    border : {"reflect", "replicate", "black"}
        What enters at the edges: mirrored content (no invented bars), the edge pixels, or black.
    out : numpy.ndarray, optional
        Output buffer of ``frame``'s shape.

    Returns
    -------
    numpy.ndarray, float32, same shape as ``frame``
    """
    h, w = frame.shape[:2]
    if out is None:
        out = np.empty_like(frame)
    # OpenCV sees H×W×1 as one channel and writes a 2-D result: hand it 2-D views.
    src, dst = (frame[..., 0], out[..., 0]) if frame.ndim == 3 and frame.shape[-1] == 1 else (frame, out)
    res = cv2.warpAffine(
        src, matrix, (w, h), dst=dst, flags=_INTERP[interpolation], borderMode=_BORDER[border],
        borderValue=0.0,
    )
    if res is not dst and not np.shares_memory(res, dst):  # OpenCV reallocated: copy into the buffer
        dst[...] = res
    return out


@dataclass(frozen=True)
class WeaveParams:
    """Sampled gate weave of one clip.

    Attributes
    ----------
    dx, dy : numpy.ndarray, float64, shape (T,)
        Per-frame displacement, pixels.
    angle_deg : numpy.ndarray, float64, shape (T,)
        Per-frame rotation about the frame centre, degrees.
    interpolation, border : str
        Resampling kernel and border mode (copied from the configuration).
    """

    dx: np.ndarray
    dy: np.ndarray
    angle_deg: np.ndarray
    interpolation: str = "linear"
    border: str = "reflect"


class GateWeave(Transform):
    """Gate weave and jump: per-frame sub-pixel translation and a tiny rotation, bounded AR(1) processes.

    Parameters
    ----------
    rms_um : float, (float, float) or None
        RMS horizontal (lateral) displacement, µm on the film. ``None``: the gauge's ``weave_rms_um``
        (``data/gauges.toml``; e.g. 10 µm for Super 8, 8 µm for 16 mm; estimates, status E).
    vertical_ratio : float or (float, float)
        RMS vertical displacement (jump) as a fraction of the horizontal one. Default 1.0 (isotropic;
        estimate: no published split).
    correlation : float or (float, float)
        Lag-1 correlation of each component between consecutive frames, in [0, 0.99]. Default 0.7
        (estimate: weave is mostly a slow wander with some frame-to-frame jitter).
    rotation_deg : float or (float, float)
        RMS rotation about the frame centre, degrees. Default 0.02 (estimate; at the corner of a
        1080p frame that is about 0.4 px).
    bound_sigma : float
        Each component is clipped to ±``bound_sigma`` of its RMS (keeps the frame in the gate).
    interpolation : {"linear", "cubic"}
        Resampling kernel of :func:`cv2.warpAffine` (linear: ~10 ms per 1080p frame; cubic: ~27 ms).
    border : {"reflect", "replicate", "black"}
        Content entering at the frame edges. ``"black"`` shows the gate edge as a black bar.
    p : float
        Probability of applying the transform.
    """

    name = "weave"
    geometric = True
    params_cls = WeaveParams

    def __init__(
        self,
        rms_um: float | tuple[float, float] | None = None,
        *,
        vertical_ratio: float | tuple[float, float] = 1.0,
        correlation: float | tuple[float, float] = 0.7,
        rotation_deg: float | tuple[float, float] = 0.02,
        bound_sigma: float = 3.0,
        interpolation: str = "linear",
        border: str = "reflect",
        p: float = 1.0,
    ) -> None:
        super().__init__(p=p)
        self.rms_um = None if rms_um is None else check_range("rms_um", rms_um, 0.0, 1000.0)
        self.vertical_ratio = check_range("vertical_ratio", vertical_ratio, 0.0, 10.0)
        self.correlation = check_range("correlation", correlation, 0.0, 0.99)
        self.rotation_deg = check_range("rotation_deg", rotation_deg, 0.0, 5.0)
        self.bound_sigma = check_range("bound_sigma", bound_sigma, 0.5, 10.0)
        self.interpolation = check_choice("interpolation", interpolation, tuple(_INTERP))
        self.border = check_choice("border", border, tuple(_BORDER))

    def sample_params(self, rng: np.random.Generator, ctx: ClipContext) -> WeaveParams:
        """Draw the clip's per-frame displacements and rotations from ``rng``."""
        rms = sample_range(rng, ctx.medium.gauge_info.weave_rms_um if self.rms_um is None else self.rms_um)
        ratio = sample_range(rng, self.vertical_ratio)
        phi = sample_range(rng, self.correlation)
        rot = sample_range(rng, self.rotation_deg)
        frs = frame_rngs(rng, ctx.n_frames)
        z = np.array([f.standard_normal(3) for f in frs], dtype=np.float64).reshape(-1, 3)
        sig_x, sig_y = ctx.px(rms), ctx.px(rms * ratio)
        comps = []
        for k, sig in enumerate((sig_x, sig_y, rot)):
            series = ar1_series(z[:, k], sig, phi)
            comps.append(np.clip(series, -self.bound_sigma * sig, self.bound_sigma * sig))
        return WeaveParams(
            dx=comps[0], dy=comps[1], angle_deg=comps[2], interpolation=self.interpolation, border=self.border
        )

    def apply(self, frames: np.ndarray, params: WeaveParams) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        """Move every frame by its displacement and rotation (pure)."""
        t, h, w, _ = frames.shape
        out = np.empty_like(frames)
        for i in range(t):
            m = weave_matrix(params.dx[i], params.dy[i], params.angle_deg[i], h, w)
            warp_frame(frames[i], m, interpolation=params.interpolation, border=params.border, out=out[i])
            if params.interpolation == "cubic":
                # Bicubic overshoots at edges; the output contract is [0, 1] (the pipeline does not clip
                # after transforms with output_in_range = True). Clipped while the frame is in cache.
                np.clip(out[i], 0.0, 1.0, out=out[i])
        return out, {}

    def apply_to_mask(self, mask: np.ndarray, params: WeaveParams) -> np.ndarray:
        """Move a ``T×H×W`` mask exactly like the image (same matrices, kernel and border)."""
        t, h, w = mask.shape
        out = np.empty(mask.shape, np.float32)
        for i in range(t):
            m = weave_matrix(params.dx[i], params.dy[i], params.angle_deg[i], h, w)
            warp_frame(mask[i].astype(np.float32, copy=False), m, interpolation=params.interpolation,
                       border=params.border, out=out[i])
        np.clip(out, 0.0, 1.0, out=out)  # cubic overshoot
        return out
