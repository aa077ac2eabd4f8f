"""Kernels of the fading model: explicit :class:`~filmdegrade.effects.fading.FadingParams` in, frames out.

The per-frame maths of :mod:`filmdegrade.effects.fading` (see there for the physics): the spatial
fading-strength field, the dye-density maps (folded into one affine map in log transmittance when the
fading is uniform), highlight-first silver loss, the CIELAB mode, and their exact inverses. No
randomness: :func:`apply_fading` and :func:`unfade` depend on the frame and the parameters only.
"""

from __future__ import annotations

import math
from functools import lru_cache
from typing import TYPE_CHECKING

import cv2
import numpy as np

from filmdegrade import colour as fc
from filmdegrade.arrays import as_float_clip, restore_array
from filmdegrade.effects.log_transmittance import (
    _BLOCK,
    LN10,
    _blocks,
    _flat,
    _lam_block,
    _srgb_block,
    log_transmittance_to_srgb,
    srgb_to_log_transmittance,
)

if TYPE_CHECKING:
    from filmdegrade.effects.fading import FadingParams

__all__ = ["apply_fading", "unfade"]

#: Luminance weights of the red, green and blue channels (ITU-R BT.709 / sRGB), used to weight the dyes
#: controlling those channels when a colour stock fades a single-channel image.
_LUM_WEIGHTS = np.array([0.2126, 0.7152, 0.0722])


def _affine_block(src: np.ndarray, m: np.ndarray, c: int, dst: np.ndarray) -> None:
    """``dst = m · (src, 1)`` per pixel of 2-D blocks holding ``c`` interleaved channels."""
    if c == 1:
        cv2.addWeighted(src, float(m[0, 0]), src, 0.0, float(m[0, 1]), dst=dst)
    else:
        cv2.transform(src.reshape(-1, 1, c), m.astype(np.float32), dst=dst.reshape(-1, 1, c))


_LUT_N = 65536


def _to_index(x: np.ndarray, scale: float = 1.0) -> np.ndarray:
    """Round and saturate ``x · scale`` to uint16 (one OpenCV pass)."""
    return cv2.multiply(_flat(x), scale, dtype=cv2.CV_16U).reshape(x.shape)


@lru_cache(maxsize=32)
def _silver_luts(
    d_max: float, amps: tuple[float, ...], stains: tuple[float, ...], dh: float, contrast: float,
    black_level: float,
) -> tuple[np.ndarray, ...]:
    """Tabulate uniform silver fading as one sRGB → sRGB table per channel.

    Loss amplitude and stain density per channel, over sRGB ``i / 65535`` (read at the nearest entry).
    """
    grid = (np.arange(_LUT_N, dtype=np.float32) / np.float32(_LUT_N - 1)).reshape(1, -1, 1)
    lam = srgb_to_log_transmittance(grid, d_max)
    luts = []
    for amp, st in zip(amps, stains, strict=True):
        out = log_transmittance_to_srgb(
            _silver_density(lam, np.float32(amp), dh, contrast, np.float32(st)), black_level
        ).ravel()
        out.setflags(write=False)
        luts.append(out)
    return tuple(luts)


@lru_cache(maxsize=32)
def _cubic_upsampler(n_in: int, n_out: int) -> np.ndarray:
    """Return the ``(n_out, n_in)`` matrix of ``cv2.resize(..., INTER_CUBIC)`` along one axis.

    The resize is linear and separable (resizing the identity gives its weights), so
    ``U_y @ grid @ U_xᵀ`` equals the 2-D resize.
    """
    u = cv2.resize(np.eye(n_in, dtype=np.float32), (n_in, n_out), interpolation=cv2.INTER_CUBIC)
    u.setflags(write=False)
    return u


def _field_rows(
    params: FadingParams, t: int, h: int, w: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """What the strength field of frame ``t`` is made of: ``g[r] = max(U_y[r] @ gx + row, 0)``.

    Returns ``(U_y (H, gh), gx (gh, W), row (W,))`` float32, or None when the fading is uniform. ``gx`` is
    the control grid upsampled along x; ``row`` is 1 plus the edge term.
    """
    has_field = params.field.size > 0
    if not has_field and params.edge_fade == 0.0:
        return None
    row = np.ones(w, np.float64)
    if params.edge_fade != 0.0:
        x = (np.arange(w, dtype=np.float64) + 0.5) / w
        dist = np.minimum(x, 1.0 - x) / max(params.edge_width, 1e-6)
        row += params.edge_fade * np.exp(-dist)
    if has_field:
        grid = params.field[min(t, params.field.shape[0] - 1)].astype(np.float32)
        uy = _cubic_upsampler(grid.shape[0], h)
        gx = grid @ _cubic_upsampler(grid.shape[1], w).T
    else:
        uy, gx = np.zeros((h, 1), np.float32), np.zeros((1, w), np.float32)
    return uy, np.ascontiguousarray(gx, np.float32), row.astype(np.float32)


def _field_block(rows: tuple[np.ndarray, np.ndarray, np.ndarray], r0: int, r1: int, dst: np.ndarray) -> None:
    """Rows ``r0:r1`` of the strength field into ``dst`` (``(r1 − r0, W)`` float32)."""
    uy, gx, row = rows
    np.matmul(uy[r0:r1], gx, out=dst)
    dst += row
    np.maximum(dst, 0.0, out=dst)


def _strength_field(params: FadingParams, t: int, h: int, w: int) -> np.ndarray | None:
    """Relative fading strength g(x, y) ≥ 0 of frame ``t`` (1 = nominal), or None when uniform.

    The low-frequency field is the control grid upsampled with ``cv2.INTER_CUBIC`` (as separable matrix
    products), plus the edge term.
    """
    rows = _field_rows(params, t, h, w)
    if rows is None:
        return None
    g = np.empty((h, w), np.float32)
    _field_block(rows, 0, h, g)
    return g


def _dye_affines(params: FadingParams, channels: int) -> tuple[np.ndarray, np.ndarray]:
    """``T1`` (λ → analytical density, 3×4 or 1×2) and ``T2`` (faded analytical density → λ')."""
    stain = np.asarray(params.stain, np.float64)
    if params.process == "dye_grey" or channels == 1:
        m, m_inv, stain = np.eye(1), np.eye(1), np.array([float(_LUM_WEIGHTS @ stain)])
    else:
        m = np.asarray(params.crosstalk, np.float64)
        m_inv = np.linalg.inv(m)
    n = m.shape[0]
    neg = params.process == "dye_negative"
    sign, off = (-1.0, params.d_max) if neg else (1.0, 0.0)
    # X = sign·D + off with D = −λ/ln10; A = M⁻¹ X
    t1 = np.concatenate([-(sign / LN10) * m_inv, (m_inv @ np.full(n, off))[:, None]], axis=1)
    # D' = sign·(M A' − off) ; D'' = contrast·D' + stain ; λ'' = −ln10·D''
    g = params.contrast
    t2 = np.concatenate([-LN10 * g * sign * m, (-LN10 * (g * sign * (-off) + stain))[:, None]], axis=1)
    return t1, t2


def _compose(t2: np.ndarray, scale: np.ndarray, t1: np.ndarray) -> np.ndarray:
    n = t1.shape[0]
    a1 = np.vstack([t1, np.eye(n + 1)[-1]])
    a2 = np.vstack([t2, np.eye(n + 1)[-1]])
    s = np.diag(np.append(scale, 1.0))
    return (a2 @ s @ a1)[:n]


def _affine(x: np.ndarray, m: np.ndarray) -> np.ndarray:
    """``x @ m[:, :-1].T + m[:, -1]`` on the last axis (OpenCV, one pass)."""
    c = x.shape[-1]
    if c == 1:
        out = cv2.addWeighted(_flat(x), float(m[0, 0]), _flat(x), 0.0, float(m[0, 1]))
        return out.reshape(x.shape)
    return cv2.transform(x.reshape(-1, 1, c), m.astype(np.float32)).reshape(x.shape)


def _channel_fractions(params: FadingParams, c: int) -> np.ndarray:
    """Density fractions kept per dye, or their luminance-weighted mean for one channel."""
    f = np.asarray(params.fractions, np.float64)
    if c == 1:
        f = np.array([float(_LUM_WEIGHTS @ f)]) if f.size == 3 else f[:1]
    return f


def _dye_multiplier(g: np.ndarray, f: np.ndarray, dst: np.ndarray | None = None) -> np.ndarray:
    """Per-pixel dye fractions ``F = f ** g = exp(g · ln f)``: (H, W) field → (H, W, C) float32."""
    c = len(f)
    lnf = np.log(f).astype(np.float32)[:, None]
    if dst is None:
        dst = np.empty((*g.shape, c), np.float32)
    out = dst.reshape((*g.shape, c))
    if c == 1:
        cv2.multiply(g, float(lnf[0, 0]), dst=out[..., 0])
    else:
        cv2.transform(g, lnf, dst=out)
    cv2.exp(_flat(out), dst=_flat(out))
    return out


def _dye_frame(
    lam: np.ndarray,
    params: FadingParams,
    g: np.ndarray | None,
    inverse: bool,
    out_scale: float = 1.0,
) -> np.ndarray:
    """λ → faded λ (times ``out_scale``, folded into the last affine map) or its inverse."""
    c = lam.shape[-1]
    t1, t2 = _dye_affines(params, c)
    t2 = t2 * out_scale
    f = _channel_fractions(params, c)
    if g is None:
        k = _compose(t2, f, t1)
        if inverse:
            k = np.linalg.inv(np.vstack([k, np.eye(c + 1)[-1]]))[:c]
        return _affine(lam, k)
    big = _dye_multiplier(g, f)
    if inverse:
        a1i = np.linalg.inv(np.vstack([t2, np.eye(c + 1)[-1]]))[:c]
        a = _affine(lam, a1i)
        a /= big
        return _affine(a, np.linalg.inv(np.vstack([t1, np.eye(c + 1)[-1]]))[:c])
    a = _affine(lam, t1)
    cv2.multiply(_flat(a), _flat(big), dst=_flat(a))
    return _affine(a, t2)


def _silver_density(
    lam: np.ndarray, amp: np.ndarray | np.float32, dh: float, contrast: float, stain: np.ndarray | np.float32
) -> np.ndarray:
    """λ'' of silver fading ``D' = contrast·(D − amp·D·exp(−D/dh)) + stain`` with λ = −ln10·D (float32).

    In λ: ``λ'' = contrast·λ·(1 − amp·exp(λ/(ln10·dh))) − ln10·stain``; ``amp`` and ``stain`` broadcast
    over the last (channel) axis, ``amp`` may also vary per pixel.
    """
    e = np.multiply(lam, np.float32(1.0 / (LN10 * dh)), dtype=np.float32)
    np.exp(e, out=e)  # exp(−D/dh)
    e *= amp
    np.subtract(np.float32(1.0), e, out=e)
    e *= lam
    e *= np.float32(contrast)
    e -= np.float32(LN10) * np.asarray(stain, np.float32)
    return e


def _silver_block(
    lam: np.ndarray, c: int, amp: np.ndarray, dh: float, contrast: float, stain: np.ndarray, dst: np.ndarray
) -> None:
    """:func:`_silver_density` of a 2-D λ block (``c`` interleaved channels) into ``dst``, in OpenCV passes.

    ``amp`` is the per-channel loss amplitude ``(C,)`` or a per-pixel block like ``lam``.
    """
    cv2.multiply(lam, 1.0 / (LN10 * dh), dst=dst)
    cv2.exp(dst, dst=dst)  # exp(−D/dh)
    if amp.ndim == 2:
        cv2.multiply(dst, amp, dst=dst)
        cv2.addWeighted(dst, -1.0, dst, 0.0, 1.0, dst=dst)  # 1 − amp·e
    else:
        _affine_block(dst, np.hstack([np.diag(-amp.astype(np.float64)), np.ones((c, 1))]), c, dst)
    cv2.multiply(dst, lam, dst=dst, scale=contrast)
    _affine_block(dst, np.hstack([np.eye(c), -LN10 * stain.astype(np.float64)[:, None]]), c, dst)


def _silver_channels(params: FadingParams, c: int) -> tuple[np.ndarray, np.ndarray]:
    """Per-channel loss amplitude and stain density of the silver process on ``c``-channel input."""
    loss = 1.0 - params.fractions[0]
    warm = np.asarray(params.warm, np.float64) if c == 3 else np.zeros(1)
    stain = np.asarray(params.stain, np.float64) if c == 3 else np.array([float(_LUM_WEIGHTS @ params.stain)])
    return (loss * (1.0 - warm)).astype(np.float32), stain.astype(np.float32)


def _silver_frame(
    lam: np.ndarray,
    params: FadingParams,
    g: np.ndarray | None,
    inverse: bool,
) -> np.ndarray:
    c = lam.shape[-1]
    a, stain = _silver_channels(params, c)
    dh = params.highlight_density
    amp = a[None, None, :] if g is None else g[..., None] * a[None, None, :]
    if not inverse:
        return _silver_density(lam, amp, dh, params.contrast, stain)
    # Invert D' = D − amp·D·exp(−D/dh) (monotone for amp < 1) with Newton steps.
    y = ((lam * np.float32(-1.0 / LN10)) - stain) / np.float32(params.contrast)
    d = y.copy()
    for _ in range(12):
        e = np.exp(-d / dh)
        fx = d - amp * d * e - y
        dfx = 1.0 - amp * e * (1.0 - d / dh)
        d = d - fx / dfx
    return (d * np.float32(-LN10)).astype(np.float32)


def _lab_frame(srgb: np.ndarray, params: FadingParams, g: np.ndarray | None, inverse: bool) -> np.ndarray:
    lab = fc.srgb_to_lab(srgb)
    m = np.asarray(params.lab_matrix, np.float64)
    if g is None:
        k = np.linalg.inv(np.vstack([m, [0, 0, 0, 1.0]]))[:3] if inverse else m
        out = _affine(lab, k)
    else:
        # Blend lab + g·(affine(lab) − lab): per pixel the affine map is I + g·(M − I).
        d = m - np.hstack([np.eye(3), np.zeros((3, 1))])
        if inverse:
            lin = np.eye(3)[None, None] + g[..., None, None] * d[None, None, :, :3]
            rhs = lab - g[..., None] * d[:, 3][None, None, :]
            out = np.linalg.solve(lin.astype(np.float64), rhs[..., None].astype(np.float64))[..., 0]
            out = out.astype(np.float32)
        else:
            out = lab + g[..., None] * _affine(lab, d)
    return np.clip(fc.lab_to_srgb(out), 0.0, 1.0)


def apply_fading(frame: np.ndarray, params: FadingParams, t: int = 0, *, inverse: bool = False) -> np.ndarray:
    """Fade (or, with ``inverse=True``, unfade) one frame with explicit parameters.

    Parameters
    ----------
    frame : numpy.ndarray, float32, shape (H, W, C), C in {1, 3}
        sRGB in [0, 1].
    params : FadingParams
        From :meth:`~filmdegrade.effects.fading.Fading.sample_params`.
    t : int
        Frame index (selects the drifting spatial field).
    inverse : bool
        Apply the exact inverse (see :func:`unfade`).

    Returns
    -------
    numpy.ndarray, float32, shape (H, W, C)
        sRGB in [0, 1].
    """
    return _fade(frame, params, t, inverse)


#: Frames with at most this many values use the per-channel table for uniform silver fading: its gathers
#: are cheaper than the float passes while the table and the frame stay in cache, dearer above (measured).
_SILVER_LUT_MAX_VALUES = 1 << 20


def _fade(
    frame: np.ndarray, params: FadingParams, t: int, inverse: bool, out: np.ndarray | None = None
) -> np.ndarray:
    """:func:`apply_fading`, written into ``out`` (C-contiguous, frame's shape) when given."""
    h, w = frame.shape[:2]
    c = frame.shape[-1]
    if params.mode == "lab" or inverse:  # inverse: exact float path, speed does not matter there
        g = _strength_field(params, t, h, w)
        if params.mode == "lab":
            res = _lab_frame(frame, params, g, inverse)
        else:
            lam = srgb_to_log_transmittance(frame, params.d_max)
            if params.process == "silver":
                res = log_transmittance_to_srgb(_silver_frame(lam, params, g, True))
            else:
                res = log_transmittance_to_srgb(_dye_frame(lam, params, g, True))
        if out is not None:
            out[...] = res
            return out
        return res
    field = _field_rows(params, t, h, w)
    silver = params.process == "silver"
    if silver:
        a, stain = _silver_channels(params, c)
        if field is None and frame.size <= _SILVER_LUT_MAX_VALUES:
            # Uniform silver fading is a function of each channel alone: one sRGB → sRGB table per channel.
            luts = _silver_luts(
                float(params.d_max), tuple(float(x) for x in a), tuple(float(x) for x in stain),
                float(params.highlight_density), float(params.contrast), float(params.black_level),
            )
            idx = _to_index(np.ascontiguousarray(frame, np.float32), _LUT_N - 1)
            planes = [luts[k][idx[..., k]] for k in range(c)]
            res = planes[0][..., None] if c == 1 else cv2.merge(planes)
            if out is None:
                return res
            out[...] = res
            return out
    else:
        t1, t2 = _dye_affines(params, c)
        fr = _channel_fractions(params, c)
        k = _compose(t2, fr, t1) if field is None else None
    # Exact float path: sRGB → λ, density maths (one affine map without a field), λ → sRGB, as OpenCV
    # passes over blocks of rows that stay in cache; the field is built block by block too.
    f2 = _flat(np.ascontiguousarray(frame, np.float32))
    o2 = np.empty_like(f2) if out is None else _flat(out)
    lin = math.exp(-LN10 * params.d_max)
    s_floor = 12.92 * lin if lin <= 0.0031308 else 1.055 * lin ** (1.0 / 2.4) - 0.055
    rows = max(1, min(h, _BLOCK // max(f2.shape[1], 1)))
    gbuf = np.empty((rows, w), np.float32)
    per_channel = None  # ln f_c (dye) or a_c (silver) repeated along a block's rows, for the field
    if field is not None and c > 1:
        v = a if silver else np.log(fr)
        per_channel = np.tile(np.asarray(v, np.float32), (rows, w))
    for r0, r1, (b0, b1, b2) in _blocks(f2.shape, 3):
        lam = _lam_block(f2[r0:r1], s_floor, b0, b1)
        if field is not None:
            g = gbuf[: r1 - r0]
            _field_block(field, r0, r1, g)
        if silver:
            amp = a
            if field is not None:  # per-pixel amplitude g · a_c
                amp = b2
                if c == 1:
                    cv2.multiply(g, float(a[0]), dst=amp)
                else:  # merge + multiply: a 1 → 3 channel cv2.transform is ~4× slower
                    cv2.merge([g, g, g], dst=amp.reshape(r1 - r0, w, c))
                    cv2.multiply(amp, per_channel[: r1 - r0], dst=amp)
            _silver_block(lam, c, amp, params.highlight_density, params.contrast, stain, b1)
            res = b1
        elif k is not None:
            _affine_block(lam, k, c, b1)
            res = b1
        else:
            _affine_block(lam, t1, c, b1)
            if c == 1:
                cv2.multiply(g, float(np.log(fr[0])), dst=b2)
            else:  # F = exp(g · ln f_c) per channel (merge + multiply beats a 1 → 3 channel transform)
                cv2.merge([g, g, g], dst=b2.reshape(r1 - r0, w, c))
                cv2.multiply(b2, per_channel[: r1 - r0], dst=b2)
            cv2.exp(b2, dst=b2)
            cv2.multiply(b1, b2, dst=b1)
            _affine_block(b1, t2, c, b0)
            res = b0
        _srgb_block(res, params.black_level, b2, o2[r0:r1])
    return o2.reshape(frame.shape)


def unfade(image: np.ndarray, params: FadingParams) -> np.ndarray:
    """Exact inverse of the fading described by ``params`` (for a restorer's post-processing).

    Exact up to float32 rounding for colours whose faded densities were not clipped: not driven past
    D-max or below zero density, not lifted by ``black_level``, and (LAB mode) inside the sRGB gamut.

    Parameters
    ----------
    image : numpy.ndarray
        The faded image ``H×W×C`` or clip ``T×H×W×C`` (uint8 or float in [0, 1]), same shape the
        params were sampled for.
    params : FadingParams
        The recorded parameters (``decode_params(FadingParams, record.params_of("fading")[0])``).

    Returns
    -------
    numpy.ndarray
        Same shape and dtype as ``image``.
    """
    frames, info = as_float_clip(image)
    out = np.empty_like(frames)
    for t in range(frames.shape[0]):
        out[t] = apply_fading(frames[t], params, t, inverse=True)
    return restore_array(out, info)

