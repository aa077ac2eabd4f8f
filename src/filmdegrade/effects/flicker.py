"""Flicker: frame-to-frame exposure fluctuation, modelled in optical density.

Physics
-------
Flicker comes from exposure variations of spring-wound or worn camera shutters, uneven processing and
printer-light fluctuations (film-physics.md 4.3; no published magnitude exists, so the defaults are
estimates). An exposure change multiplies the light that reached the film, i.e. it *adds* a constant
to the optical density ``D = -log10 T`` of every point of the frame. Here the per-frame density offset
``ΔD_t`` is a stationary AR(1) process::

    ΔD_0 = σ z_0,    ΔD_t = φ ΔD_{t-1} + σ sqrt(1 - φ²) z_t,    z_t ~ N(0, 1) from frame t's stream,

so ``std(ΔD_t) = σ`` (``strength_density``) and ``corr(ΔD_t, ΔD_{t+1}) = φ`` (``correlation``) from the
first frame on. Optionally the offset varies slowly across the frame (``uneven``): a smooth zero-mean
density field from ``opensimplex`` noise on a small control grid, constant or drifting over the clip.

Kernels work on sRGB frames: the linear transmittance is multiplied by ``g = 10^-ΔD``. On the power
segment of the sRGB curve this is exactly the affine map ``s (x + 0.055) - 0.055`` with
``s = g^(1/2.4)``; on the linear toe it is ``g x``. The kernel takes the median of the two branches and
the input, which selects the right branch everywhere except a thin band of dark values where the
composed curve bends between them (error ≤ 2e-4 for ``|ΔD| ≤ 0.1``, ≤ 1.6e-3 for ``|ΔD| ≤ 0.3``, only
for sRGB values below 0.12). That costs a handful of cheap passes instead of a full sRGB decode and
encode (which costs ~26 ms per 1080p frame here).
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
import opensimplex

from filmdegrade.effects.base import ClipContext, Transform, check_range, sample_range
from filmdegrade.random import frame_rngs

__all__ = [
    "Flicker",
    "FlickerParams",
    "apply_density_offset",
    "ar1_series",
    "density_gains",
    "uneven_density_grids",
]

# IEC 61966-2-1 sRGB power-segment constants (a standard, not a measurement).
_SRGB_A = 0.055
_SRGB_GAMMA = 2.4
# Control grid of the uneven field: nodes across the frame width, node spacing in noise units (about
# one to two light/dark blobs across the frame), and the keyframe step of a drifting field, frames.
_GRID_W = 8
_GRID_STEP = 0.4
_KEY_STEP = 8


def ar1_series(z: np.ndarray, sigma: float, phi: float) -> np.ndarray:
    """Stationary AR(1) series from standard-normal innovations.

    Parameters
    ----------
    z : numpy.ndarray, shape (T,)
        Independent N(0, 1) draws, one per frame.
    sigma : float
        Stationary standard deviation of the series (any unit, here density).
    phi : float
        Lag-1 correlation, in (-1, 1).

    Returns
    -------
    numpy.ndarray, float64, shape (T,)
        ``x_0 = σ z_0``, ``x_t = φ x_{t-1} + σ sqrt(1 - φ²) z_t``: stationary from ``t = 0``, and each
        ``x_t`` depends only on ``z_0..z_t``.
    """
    z = np.asarray(z, dtype=np.float64)
    out = np.empty_like(z)
    if z.size == 0:
        return out
    k = sigma * np.sqrt(1.0 - phi * phi)
    x = sigma * z[0]
    out[0] = x
    for t in range(1, z.size):
        x = phi * x + k * z[t]
        out[t] = x
    return out


def density_gains(delta_density: float | np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Linear gain ``g = 10^-ΔD`` and its sRGB power-segment slope ``s = g^(1/2.4)``.

    Parameters
    ----------
    delta_density : float or numpy.ndarray
        Density offset, density units (log10); positive = denser = darker.

    Returns
    -------
    g, s : numpy.ndarray, float32
        Same shape as ``delta_density``.
    """
    d = np.asarray(delta_density, dtype=np.float32)
    g = np.power(np.float32(10.0), -d)
    s = np.power(np.float32(10.0), -d / np.float32(_SRGB_GAMMA))
    return g.astype(np.float32), s.astype(np.float32)


def apply_density_offset(
    frame: np.ndarray,
    delta_density: float | None = None,
    *,
    gain: np.ndarray | None = None,
    gain_s: np.ndarray | None = None,
    out: np.ndarray | None = None,
) -> np.ndarray:
    """Add a density offset to an sRGB frame (multiply its linear transmittance by ``10^-ΔD``).

    Parameters
    ----------
    frame : numpy.ndarray, float32, shape (H, W, C) or (H, W)
        sRGB-encoded frame in [0, 1].
    delta_density : float, optional
        Uniform density offset, density units. Give either this or ``gain`` and ``gain_s``.
    gain, gain_s : numpy.ndarray, float32, shape (H, W, C)
        Per-pixel ``g = 10^-ΔD`` and ``s = g^(1/2.4)`` (see :func:`density_gains`), for spatially varying
        offsets.
    out : numpy.ndarray, optional
        Output buffer (float32, same shape; must not alias ``frame``).

    Returns
    -------
    numpy.ndarray, float32, shape (H, W, C)
        ``enc(g · dec(frame))`` in [0, 1] (brightened highlights clip at 1, like transmittance at the
        film base), to within the error bounds in the module docstring.
    """
    if out is None:
        out = np.empty_like(frame)
    if frame.ndim == 3 and frame.shape[-1] == 1:
        # OpenCV returns single-channel results as 2-D: work on 2-D views, fill the caller's buffer.
        sq = [None if a is None else a.reshape(a.shape[:2]) for a in (frame, gain, gain_s, out)]
        apply_density_offset(sq[0], delta_density, gain=sq[1], gain_s=sq[2], out=sq[3])
        return out
    if delta_density is not None:
        g = float(10.0 ** -float(delta_density))
        s = float(g ** (1.0 / _SRGB_GAMMA))
        # Toe branch g x, power branch s x + 0.055 (s - 1); the median with x is max (g < 1) or min.
        np.multiply(frame, np.float32(g), out=out)
        p = cv2.addWeighted(frame, s, frame, 0.0, _SRGB_A * (s - 1.0))
        if g <= 1.0:
            np.maximum(out, p, out=out)
        else:
            np.minimum(out, p, out=out)
            np.minimum(out, np.float32(1.0), out=out)
        return out
    if gain is None or gain_s is None:
        raise ValueError("give delta_density, or both gain and gain_s")
    cv2.multiply(frame, gain, dst=out)  # toe branch
    # numpy for the scalar steps: cv2.add/subtract with a Python scalar touch only the first channel.
    p = np.add(frame, np.float32(_SRGB_A))
    cv2.multiply(p, gain_s, dst=p)
    np.subtract(p, np.float32(_SRGB_A), out=p)  # power branch
    # median(toe, power, x): picks the toe below the branches' crossing and the power segment above it,
    # for darkening and brightening pixels alike (x lies outside [toe, power] on the unchanged side).
    lo = np.minimum(out, p)
    np.maximum(out, p, out=out)
    np.minimum(out, frame, out=out)
    np.maximum(out, lo, out=out)
    np.minimum(out, np.float32(1.0), out=out)
    return out


def uneven_density_grids(
    seed: int, n_frames: int, grid_shape: tuple[int, int], strength: float, drift: float
) -> np.ndarray:
    """Smooth zero-mean density fields on a small control grid, one per frame.

    Parameters
    ----------
    seed : int
        Seed of the ``opensimplex.OpenSimplex`` instance.
    n_frames : int
        Number of frames ``T``.
    grid_shape : (int, int)
        ``(gh, gw)`` grid nodes spanning the frame height and width.
    strength : float
        Spatial RMS of the field over the grid nodes of frame 0, density units.
    drift : float
        Speed of the pattern through noise space, noise units per frame (0: static; 0.05: the pattern
        renews over roughly 20 frames). Keyframes every 8 frames are interpolated linearly in time, so
        frame ``t`` does not depend on ``n_frames``.

    Returns
    -------
    numpy.ndarray, float32, shape (T, gh, gw)
        Density offsets; each frame's grid has zero mean, so the field does not shift the frame's mean
        density.
    """
    gh, gw = grid_shape
    noise = opensimplex.OpenSimplex(int(seed) % (2**63))
    xs = np.arange(gw, dtype=np.float64) * _GRID_STEP
    ys = np.arange(gh, dtype=np.float64) * _GRID_STEP
    if drift == 0.0 or n_frames <= 1:
        keys = noise.noise3array(xs, ys, np.zeros(1))
        grids = np.repeat(keys[:1], max(n_frames, 1), axis=0)[:n_frames]
    else:
        n_keys = (n_frames - 1) // _KEY_STEP + 2
        keys = noise.noise3array(xs, ys, np.arange(n_keys, dtype=np.float64) * (_KEY_STEP * drift))
        t = np.arange(n_frames)
        k, f = t // _KEY_STEP, ((t % _KEY_STEP) / _KEY_STEP)[:, None, None]
        grids = keys[k] * (1.0 - f) + keys[k + 1] * f
    grids = grids - grids.mean(axis=(1, 2), keepdims=True)
    rms0 = float(np.sqrt(np.mean(grids[0] ** 2))) if n_frames else 0.0
    scale = strength / rms0 if rms0 > 0 else 0.0
    return (grids * scale).astype(np.float32)


def _upsample_grid(grid: np.ndarray, h: int, w: int) -> np.ndarray:
    """Smooth bicubic upsampling of a small ``gh×gw(×C)`` grid to ``h×w(×C)`` (cubic to a coarse
    intermediate, then bilinear: smooth, and cheap at full size)."""
    mid_w, mid_h = min(w, 64), min(h, max(2, round(64 * h / max(w, 1))))
    mid = cv2.resize(grid, (mid_w, mid_h), interpolation=cv2.INTER_CUBIC)
    return cv2.resize(mid, (w, h), interpolation=cv2.INTER_LINEAR)


@dataclass(frozen=True)
class FlickerParams:
    """Sampled flicker of one clip.

    Attributes
    ----------
    delta_density : numpy.ndarray, float64, shape (T,)
        Per-frame density offset, density units.
    uneven_grid : numpy.ndarray or None, float32, shape (T, gh, gw)
        Per-frame zero-mean spatial density field on the control grid, density units; ``None`` when
        the flicker is uniform.
    """

    delta_density: np.ndarray
    uneven_grid: np.ndarray | None = None


class Flicker(Transform):
    """Per-frame exposure flicker: a stationary AR(1) density offset, optionally uneven across the frame.

    Parameters
    ----------
    strength_density : float or (float, float)
        Stationary standard deviation of the per-frame density offset, density units (log10). Default
        0.03 (≈ 7 % exposure RMS): an estimate, no measured magnitude is published (film-physics.md 4.3).
        A pair is sampled uniformly per clip.
    correlation : float or (float, float)
        Lag-1 correlation of the offsets between consecutive frames, in [-0.99, 0.99]. Default 0.5
        (estimate: shutter/processing drift is partly slow, partly frame-to-frame).
    uneven : bool
        Add a smooth spatial density field (uneven exposure or processing across the frame).
    uneven_strength : float or (float, float)
        Spatial RMS of that field, density units. Default 0.02 (estimate).
    uneven_drift : float or (float, float)
        How fast the uneven pattern changes, noise units per frame (0 = fixed for the clip; 0.05 renews
        it over about 20 frames).
    p : float
        Probability of applying the transform.
    """

    name = "flicker"
    params_cls = FlickerParams

    def __init__(
        self,
        strength_density: float | tuple[float, float] = 0.03,
        correlation: float | tuple[float, float] = 0.5,
        *,
        uneven: bool = False,
        uneven_strength: float | tuple[float, float] = 0.02,
        uneven_drift: float | tuple[float, float] = 0.0,
        p: float = 1.0,
    ) -> None:
        super().__init__(p=p)
        self.strength_density = check_range("strength_density", strength_density, 0.0, 1.0)
        self.correlation = check_range("correlation", correlation, -0.99, 0.99)
        if not isinstance(uneven, bool | np.bool_):
            raise TypeError(f"uneven must be a bool, got {uneven!r}")
        self.uneven = bool(uneven)
        self.uneven_strength = check_range("uneven_strength", uneven_strength, 0.0, 1.0)
        self.uneven_drift = check_range("uneven_drift", uneven_drift, 0.0, 10.0)

    def sample_params(self, rng: np.random.Generator, ctx: ClipContext) -> FlickerParams:
        """Draw the clip's density-offset series (and uneven field) from ``rng``."""
        sigma = sample_range(rng, self.strength_density)
        phi = sample_range(rng, self.correlation)
        u_strength = sample_range(rng, self.uneven_strength)
        drift = sample_range(rng, self.uneven_drift)
        noise_seed = int(rng.integers(2**63 - 1))
        frs = frame_rngs(rng, ctx.n_frames)
        z = np.array([f.standard_normal() for f in frs], dtype=np.float64)
        delta = ar1_series(z, sigma, phi)
        grid = None
        if self.uneven and u_strength > 0.0:
            gh = max(2, round(_GRID_W * ctx.height / ctx.width))
            grid = uneven_density_grids(noise_seed, ctx.n_frames, (gh, _GRID_W), u_strength, drift)
        return FlickerParams(delta_density=delta, uneven_grid=grid)

    def apply(self, frames: np.ndarray, params: FlickerParams) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        """Apply the per-frame density offsets (pure)."""
        t, h, w, c = frames.shape
        out = np.empty_like(frames)
        for i in range(t):
            d = float(params.delta_density[i])
            if params.uneven_grid is None:
                apply_density_offset(frames[i], d, out=out[i])
                continue
            # Gains on the grid, then upsampled: g and s interpolate smoothly between the nodes.
            g_grid, s_grid = density_gains(params.uneven_grid[i] + np.float32(d))
            if c > 1:
                g_grid = np.repeat(g_grid[..., None], c, axis=-1)
                s_grid = np.repeat(s_grid[..., None], c, axis=-1)
            g = _upsample_grid(g_grid, h, w).reshape(h, w, c)
            s = _upsample_grid(s_grid, h, w).reshape(h, w, c)
            apply_density_offset(frames[i], gain=g, gain_s=s, out=out[i])
        return out, {}
