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

from filmdegrade.effects.base import ClipContext, InPlaceTransform, check_range, sample_range
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
# Floats per band of rows processed at once: the band and its scratch buffers stay in the CPU cache.
_BAND_FLOATS = 1 << 16


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
        Output buffer (float32, same shape); may be ``frame`` itself (computed in place), else must not
        overlap it.

    Returns
    -------
    numpy.ndarray, float32, shape (H, W, C)
        ``enc(g · dec(frame))`` in [0, 1] (brightened highlights clip at 1, like transmittance at the
        film base), to within the error bounds in the module docstring.
    """
    frame = np.asarray(frame, dtype=np.float32)
    if delta_density is None and (gain is None or gain_s is None):
        raise ValueError("give delta_density, or both gain and gain_s")
    if out is None:
        out = np.empty_like(frame)
    elif not out.flags.c_contiguous:  # bands are written through 2-D views of out
        out[...] = apply_density_offset(frame, delta_density, gain=gain, gain_s=gain_s)
        return out
    h = frame.shape[0]
    n = frame.size // max(h, 1)
    x2, o2 = frame.reshape(h, n), out.reshape(h, n)
    g2 = None if gain is None else np.ascontiguousarray(gain, dtype=np.float32).reshape(h, n)
    s2 = None if gain_s is None else np.ascontiguousarray(gain_s, dtype=np.float32).reshape(h, n)
    rows = min(h, max(_BAND_FLOATS // max(n, 1), 1))
    scratch = np.empty((3, rows, n), np.float32)
    for r0 in range(0, h, rows):
        r1 = min(r0 + rows, h)
        if delta_density is not None:
            _offset_uniform(x2[r0:r1], float(delta_density), o2[r0:r1], scratch[0, : r1 - r0])
        else:
            _offset_field(x2[r0:r1], g2[r0:r1], s2[r0:r1], o2[r0:r1], scratch[:, : r1 - r0])  # type: ignore[index]
    return out


def _offset_uniform(x: np.ndarray, delta: float, out: np.ndarray, p: np.ndarray) -> None:
    """Uniform density offset on a 2-D band ``x`` into ``out`` (may be ``x``; ``p``: scratch, same shape)."""
    g = float(10.0**-delta)
    s = float(g ** (1.0 / _SRGB_GAMMA))
    # Toe branch g x, power branch s x + 0.055 (s - 1); the median with x is max (g < 1) or min.
    # (power branch first: ``out`` may be ``x``)
    cv2.addWeighted(x, s, x, 0.0, _SRGB_A * (s - 1.0), dst=p)
    np.multiply(x, np.float32(g), out=out)
    if g <= 1.0:
        np.maximum(out, p, out=out)
    else:
        np.minimum(out, p, out=out)
        np.minimum(out, np.float32(1.0), out=out)


def _offset_field(
    x: np.ndarray, g: np.ndarray, s: np.ndarray, out: np.ndarray, scratch: np.ndarray, sign: int = 0
) -> None:
    """Per-pixel density offset on a 2-D band (gains ``g``, ``s`` of the same shape); ``scratch``: 3 bands.

    ``sign``: 1 if every ``g <= 1`` in the band (darkening only), -1 if every ``g >= 1``, 0 if unknown or
    mixed. Where all pixels move the same way, x lies on the same side of both branches, so the median is
    simply their max (darkening) or min (brightening): fewer passes, same result. ``out`` may be ``x``
    (each pixel of ``x`` is read before its own output is written).
    """
    p, lo, hi = scratch[0], scratch[1], scratch[2]
    np.add(x, np.float32(_SRGB_A), out=p)
    cv2.multiply(p, s, dst=p)
    np.subtract(p, np.float32(_SRGB_A), out=p)  # power branch
    cv2.multiply(x, g, dst=lo)  # toe branch
    if sign > 0:
        cv2.max(lo, p, dst=out)
    elif sign < 0:
        cv2.min(lo, p, dst=out)
    else:
        # median(toe, power, x): picks the toe below the branches' crossing and the power segment above
        # it, for darkening and brightening pixels alike (x lies outside [toe, power] on the unchanged side).
        cv2.max(lo, p, dst=hi)
        cv2.min(lo, p, dst=lo)
        cv2.min(hi, x, dst=out)
        cv2.max(out, lo, dst=out)
    np.minimum(out, np.float32(1.0), out=out)


class _RowUpsampler:
    """Bilinear upsampling of a small ``hs×ws(×C)`` image to ``h×w(×C)``, delivered a band of rows at a time.

    Same sampling as ``cv2.resize(small, (w, h), interpolation=cv2.INTER_LINEAR)`` (pixel centres
    aligned, edges clamped; equal to it to float32 rounding), done separably: ``cv2.resize`` widens the
    ``hs`` rows once (height unchanged, so rows are copied exactly), then each band's rows are interpolated
    between those wide rows. The full-size result never exists in memory: bands stay in the CPU cache.
    """

    def __init__(self, small: np.ndarray, h: int, w: int) -> None:
        hs = small.shape[0]
        small = np.ascontiguousarray(small, dtype=np.float32)
        wide = cv2.resize(small, (w, hs), interpolation=cv2.INTER_LINEAR)
        self.base = wide.reshape(hs, -1)
        self.diff = np.diff(self.base, axis=0, append=self.base[-1:])  # row i+1 - row i (0 on the last)
        sy = np.clip((np.arange(h) + 0.5) * (hs / h) - 0.5, 0.0, hs - 1)
        self.i0 = np.floor(sy).astype(np.intp)
        self.frac = (sy - self.i0).astype(np.float32)[:, None]
        self.row_min, self.row_max = self.base.min(axis=1), self.base.max(axis=1)

    def band_range(self, r0: int, r1: int) -> tuple[float, float]:
        """Bounds of the upsampled values in rows ``r0:r1`` (interpolation stays between its nodes)."""
        j0, j1 = int(self.i0[r0]), min(int(self.i0[r1 - 1]) + 2, self.base.shape[0])
        return float(self.row_min[j0:j1].min()), float(self.row_max[j0:j1].max())

    def band(self, r0: int, r1: int, dst: np.ndarray, tmp: np.ndarray) -> np.ndarray:
        """Write rows ``r0:r1`` of the upsampled image into ``dst``.

        ``dst`` is C-contiguous ``(r1 - r0)×(w C)`` float32; ``tmp`` is scratch of the same shape.
        """
        idx = self.i0[r0:r1]
        np.take(self.diff, idx, axis=0, out=dst)
        dst *= self.frac[r0:r1]
        np.take(self.base, idx, axis=0, out=tmp)
        dst += tmp
        return dst


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


def _mid_grid(grid: np.ndarray, h: int, w: int) -> np.ndarray:
    """Do the first step of the smooth upsampling of a small ``gh×gw(×C)`` grid to ``h×w(×C)``.

    Bicubic to a coarse intermediate (at most 64 wide); a bilinear step (:class:`_RowUpsampler`) then
    reaches full size cheaply.
    """
    mid_w, mid_h = min(w, 64), min(h, max(2, round(64 * h / max(w, 1))))
    return cv2.resize(grid, (mid_w, mid_h), interpolation=cv2.INTER_CUBIC)


def _upsample_grid(grid: np.ndarray, h: int, w: int) -> np.ndarray:
    """Smooth bicubic-then-bilinear upsampling of a small ``gh×gw(×C)`` grid to ``h×w(×C)`` (whole frame)."""
    return cv2.resize(_mid_grid(grid, h, w), (w, h), interpolation=cv2.INTER_LINEAR)


def _chan(a: np.ndarray, c: int) -> np.ndarray:
    """A one-channel ``h×w`` map as ``h×w×c`` (cvtColor: one fast pass)."""
    return cv2.cvtColor(a, cv2.COLOR_GRAY2RGB) if c == 3 else a


def _sign(g_lo: float, g_hi: float) -> int:
    """``sign`` argument of :func:`_offset_field` from the bounds of the gain ``g`` on a band."""
    return 1 if g_hi <= 1.0 else (-1 if g_lo >= 1.0 else 0)


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


class Flicker(InPlaceTransform):
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

    def apply_into(
        self, frames: np.ndarray, out: np.ndarray, params: FlickerParams
    ) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        """The per-frame density offsets (elementwise, band by band: in place too)."""
        t, h, w, c = frames.shape
        if params.uneven_grid is None:
            for i in range(t):
                apply_density_offset(frames[i], float(params.delta_density[i]), out=out[i])
            return out, {}
        # Uneven field: gains on the grid, smoothly upsampled (g and s interpolate smoothly between the
        # nodes). Frames larger than a band go a band of rows at a time, so that no full-size gain map
        # costs memory traffic; the maps are the same in every channel: interpolated on one channel and
        # copied to C by cvtColor.
        n = w * c
        # Small frames in one band (fewer calls); large ones in balanced bands of about _BAND_FLOATS.
        rows = h if h * n <= 4 * _BAND_FLOATS else max(_BAND_FLOATS // n, 1)
        rows = -(-h // -(-h // rows))
        bufs = np.empty((5, rows, n), np.float32)
        maps = np.empty((2, rows, w), np.float32)
        for i in range(t):
            g_grid, s_grid = density_gains(params.uneven_grid[i] + np.float32(params.delta_density[i]))
            mids = [_mid_grid(a, h, w) for a in (g_grid, s_grid)]
            x2, o2 = frames[i].reshape(h, n), out[i].reshape(h, n)
            if rows == h:  # one band: whole-frame maps straight from cv2.resize (fewer calls)
                g, s = (_chan(cv2.resize(m, (w, h), interpolation=cv2.INTER_LINEAR), c).reshape(h, n)
                        for m in mids)
                _offset_field(x2, g, s, o2, bufs[2:], _sign(float(mids[0].min()), float(mids[0].max())))
                continue
            ups = [_RowUpsampler(m, h, w) for m in mids]
            for r0 in range(0, h, rows):
                r1 = min(r0 + rows, h)
                b = bufs[:, : r1 - r0]
                gs = []
                for k, up in enumerate(ups):
                    m = up.band(r0, r1, maps[k, : r1 - r0], b[2, :, :w])
                    if c > 1:
                        m3 = b[k].reshape(r1 - r0, w, c)
                        m = cv2.cvtColor(m, cv2.COLOR_GRAY2RGB, dst=m3).reshape(-1, n)
                    gs.append(m)
                _offset_field(x2[r0:r1], gs[0], gs[1], o2[r0:r1], b[2:], _sign(*ups[0].band_range(r0, r1)))
        return out, {}
