"""Fast colour conversions on float32 arrays.

Every function is pure (no I/O, no randomness, never writes to its input), accepts arrays of any
shape ``(..., 3)`` (``(...)`` for single-channel functions), accepts any real dtype and returns a new
``float32`` array. colour-science is the reference used by the tests, but it is deliberately kept
out of this module: it is slow to import and slow per call.

Conventions
-----------
* *sRGB* means IEC 61966-2-1 gamma-encoded R'G'B' in [0, 1]; *linear* means the same primaries
  with the transfer function removed.
* XYZ is scaled so that Y of the reference white is 1 (colour-science "scale 1").
* The white point is CIE 1931 2° D65, ``xy = (0.3127, 0.3290)``, i.e.
  ``colour.CCS_ILLUMINANTS['CIE 1931 2 Degree Standard Observer']['D65']``. There is no chromatic
  adaptation anywhere: sRGB white maps exactly to the Lab white, so neutral greys have
  ``a* = b* = 0``.
* The RGB→XYZ matrix is derived from the sRGB primaries and that white in float64. IEC 61966-2-1
  prints it rounded to 4 decimals (colour-science uses the rounded one); the two differ by < 1e-4
  in XYZ and < 0.03 ΔE2000, and the derived matrix keeps greys exactly neutral.

Implementation notes
--------------------
Piecewise curves (sRGB transfer, CIE ``f``) are evaluated branch-free as
``g(max(x, t)) + k * min(x, t) - c``: each branch sees only its own side of the threshold ``t`` and
the constant ``c`` cancels the other branch's value at ``t``. This avoids ``np.where`` (which costs
more than the ``pow`` itself) and lets the constants fold into the following 3×3 affine transform,
done with ``cv2.transform`` (one pass, faster than ``numpy.matmul`` on ``(..., 3)`` arrays).
``cv2.cvtColor(COLOR_RGB2Lab)`` is not used: its float path uses approximate constants and a spline
gamma, so it does not round-trip to 1e-4 (see tests / report).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

import cv2
import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = [
    "D65_WHITE_XYZ",
    "D65_XY",
    "MATRIX_LINEAR_TO_XYZ",
    "MATRIX_XYZ_TO_LINEAR",
    "delta_e_2000",
    "density_to_transmittance",
    "lab_to_srgb",
    "lab_to_xyz",
    "linear_to_srgb",
    "linear_to_xyz",
    "luma",
    "rgb_to_luminance",
    "rgb_to_yiq",
    "rgb_to_yuv",
    "srgb_to_lab",
    "srgb_to_linear",
    "transmittance_to_density",
    "xyz_to_lab",
    "xyz_to_linear",
    "yiq_to_rgb",
    "yuv_to_rgb",
]

F32 = NDArray[np.float32]

# --------------------------------------------------------------------------------------------------
# Constants (all derived in float64, stored read-only).
# --------------------------------------------------------------------------------------------------


def _readonly(a: NDArray[np.float64]) -> NDArray[np.float64]:
    a.setflags(write=False)
    return a


D65_XY: NDArray[np.float64] = _readonly(np.array([0.3127, 0.3290]))
"""CIE 1931 2° D65 chromaticity, as in IEC 61966-2-1 and colour-science."""

D65_WHITE_XYZ: NDArray[np.float64] = _readonly(
    np.array([D65_XY[0] / D65_XY[1], 1.0, (1.0 - D65_XY[0] - D65_XY[1]) / D65_XY[1]])
)
"""XYZ of the D65 white with Y = 1 (≈ 0.95046, 1, 1.08906)."""


def _npm(primaries_xy: NDArray[np.float64], white_xyz: NDArray[np.float64]) -> NDArray[np.float64]:
    # Normalised primary matrix (SMPTE RP 177): scale the primaries' XYZ so RGB=1 gives the white.
    x, y = primaries_xy[:, 0], primaries_xy[:, 1]
    p = np.stack([x / y, np.ones(3), (1.0 - x - y) / y])  # columns = primaries
    return p * np.linalg.solve(p, white_xyz)


_SRGB_PRIMARIES = np.array([[0.64, 0.33], [0.30, 0.60], [0.15, 0.06]])
MATRIX_LINEAR_TO_XYZ: NDArray[np.float64] = _readonly(_npm(_SRGB_PRIMARIES, D65_WHITE_XYZ))
"""Linear sRGB → XYZ (D65, Y_white = 1), derived from the primaries in float64."""
MATRIX_XYZ_TO_LINEAR: NDArray[np.float64] = _readonly(np.linalg.inv(MATRIX_LINEAR_TO_XYZ))
"""XYZ → linear sRGB, exact float64 inverse of :data:`MATRIX_LINEAR_TO_XYZ`."""

_LUMA_601 = np.array([0.299, 0.587, 0.114])


def _chroma_matrix(luma_w: NDArray[np.float64], rows: list[tuple[float, float]]) -> NDArray[np.float64]:
    # Rows of the form k_b (B'-Y') + k_r (R'-Y'), expanded into an R'G'B' matrix under Y' first.
    b_minus_y = np.array([0.0, 0.0, 1.0]) - luma_w
    r_minus_y = np.array([1.0, 0.0, 0.0]) - luma_w
    return np.stack([luma_w, *[kb * b_minus_y + kr * r_minus_y for kb, kr in rows]])


# FCC 1953 (47 CFR 73.682): E'I = -0.27(E'B-E'Y) + 0.74(E'R-E'Y), E'Q = 0.41(E'B-E'Y) + 0.48(E'R-E'Y).
# Expanded this gives I ≈ 0.5995 R' - 0.2759 G' - 0.3236 B', Q ≈ 0.2139 R' - 0.5224 G' + 0.3085 B'.
_M_RGB_TO_YIQ = _readonly(_chroma_matrix(_LUMA_601, [(-0.27, 0.74), (0.41, 0.48)]))
_M_YIQ_TO_RGB = _readonly(np.linalg.inv(_M_RGB_TO_YIQ))
# PAL (BT.470 / BT.601 luma): U = 0.492 (B'-Y'), V = 0.877 (R'-Y').
_M_RGB_TO_YUV = _readonly(_chroma_matrix(_LUMA_601, [(0.492, 0.0), (0.0, 0.877)]))
_M_YUV_TO_RGB = _readonly(np.linalg.inv(_M_RGB_TO_YUV))


# --------------------------------------------------------------------------------------------------
# Private machinery. Frames are processed in row blocks of _BLOCK pixels with two reused scratch
# buffers: every pass then runs in L2 cache, and only the output is a fresh allocation (page-faulting
# a new 25 MB temporary costs as much as a pow over it). Kernels write via ``out=``/``dst=`` only,
# never into their source block, which may alias the caller's array.
# --------------------------------------------------------------------------------------------------

_BLOCK = 32768

Kernel = Callable[[F32, F32, F32, F32], None]  # (src block, dst block, scratch A, scratch B)


def _prep3(x: ArrayLike, name: str) -> tuple[F32, tuple[int, ...]]:
    a = np.asarray(x, dtype=np.float32)
    if a.ndim == 0 or a.shape[-1] != 3:
        raise ValueError(f"{name} must have shape (..., 3), got {a.shape}")
    # cv2 needs C-contiguous 2-D data; a non-contiguous view would be copied by reshape anyway.
    return np.ascontiguousarray(a).reshape(-1, 3), a.shape


def _run(kernel: Kernel, x: ArrayLike, name: str) -> F32:
    a, shape = _prep3(x, name)
    n = a.shape[0]
    out = np.empty_like(a)
    m = min(n, _BLOCK)
    sa, sb = np.empty((m, 3), np.float32), np.empty((m, 3), np.float32)
    for i in range(0, n, _BLOCK):
        j = min(i + _BLOCK, n)
        kernel(a[i:j], out[i:j], sa[: j - i], sb[: j - i])
    return out.reshape(shape)


def _affine(
    a: F32, m: NDArray[np.float64], offset: NDArray[np.float64] | None = None, out: F32 | None = None
) -> F32:
    """``a @ m.T + offset`` for ``a`` of shape (N, 3), in one cv2 pass, into ``out`` if given."""
    if out is None:
        out = np.empty_like(a)
    if a.shape[0]:  # cv2 rejects empty matrices
        mm = m if offset is None else np.column_stack([m, offset])
        cv2.transform(a.reshape(-1, 1, 3), mm.astype(np.float32), dst=out.reshape(-1, 1, 3))
    return out


def _pow_(a: F32, p: float) -> None:
    # In place a ** p for a > 0. OpenCV's float32 exp(p ln a) is ~1.2x faster than numpy's exp2/log2 and
    # ~2x faster than np.power here, with relative error below 1e-6 over the ranges used.
    cv2.log(a, dst=a)
    a *= np.float32(p)
    cv2.exp(a, dst=a)


# sRGB decode. With hi = (max(c, T) + 0.055)^2.4 and lo = min(c, T):
#   linear = _DEC_S * (hi + _DEC_K * lo) - _DEC_P,
# because below T, hi is the constant hi(T) and _DEC_S * hi(T) = _DEC_P; above T, lo = T and
# _DEC_S * _DEC_K * T = T / 12.92 ≈ _DEC_P (to the ~1e-9 discontinuity of the standard's constants).
_SRGB_T_ENC = 0.04045
_DEC_S = 1.055**-2.4
_DEC_K = 1.0 / (12.92 * _DEC_S)


def _dec_u(c: F32, a: F32, b: F32) -> None:
    """Into ``a``: u = hi + _DEC_K * lo (``b`` is clobbered)."""
    np.maximum(c, np.float32(_SRGB_T_ENC), out=a)
    a += np.float32(0.055)
    _pow_(a, 2.4)
    np.minimum(c, np.float32(_SRGB_T_ENC), out=b)
    b *= np.float32(_DEC_K)
    a += b


def _f32_same_ops(fn: Callable[[F32], None], value: float) -> float:
    # Evaluate a high branch at its threshold with the very float32 ops of the kernel (on a block-
    # sized array, so the same SIMD path runs), making the low-branch cancellation exact.
    buf = np.full((_BLOCK, 3), value, np.float32)
    fn(buf)
    return float(buf[0, 0])


def _dec_hi(buf: F32) -> None:
    buf += np.float32(0.055)
    _pow_(buf, 2.4)


_DEC_P = _DEC_S * _f32_same_ops(_dec_hi, _SRGB_T_ENC)

# sRGB encode: srgb = 1.055 max(x, T)^(1/2.4) + 12.92 min(x, T) - _ENC_C (same argument as above).
_SRGB_T_LIN = 0.0031308
_ENC_C = 1.055 * _f32_same_ops(lambda buf: _pow_(buf, 1.0 / 2.4), _SRGB_T_LIN)


def _enc(x: F32, o: F32, a: F32, b: F32) -> None:
    """sRGB-encode ``x`` into ``o``; ``x`` may be ``b`` (``a`` and ``b`` are clobbered)."""
    np.maximum(x, np.float32(_SRGB_T_LIN), out=a)
    _pow_(a, 1.0 / 2.4)
    np.minimum(x, np.float32(_SRGB_T_LIN), out=b)
    if o.shape[0]:
        cv2.addWeighted(a, 1.055, b, 12.92, -_ENC_C, dst=o)


# CIE f(t) = cbrt(t) above eps, (kappa t + 16) / 116 below, with t = X / Xn etc. (CIE 15:2004 exact
# rational constants, as colour-science). Inputs are pre-scaled by _FQ (folded into the preceding
# matrix) so that u = cbrt(max(t', eps')) + min(t', eps') = _FQ^(1/3) (cbrt(max(t, eps)) + kappa/116
# min(t, eps)) needs no extra multiply; then f = u / _FQ^(1/3) + 16/116 - cbrt(eps) (folded after).
_LAB_EPS = 216.0 / 24389.0
_LAB_KAPPA = 24389.0 / 27.0
_LAB_F_EPS = 6.0 / 29.0  # = cbrt(eps) = (kappa eps + 16) / 116: where the two branches meet
_FQ = (_LAB_KAPPA / 116.0) ** 1.5


def _lab_f_u(t: F32, a: F32) -> None:
    """Into ``a``: u from ``t`` = _FQ * XYZ / white, which is clobbered."""
    eps = np.float32(_LAB_EPS * _FQ)
    np.maximum(t, eps, out=a)
    np.cbrt(a, out=a)
    np.minimum(t, eps, out=t)
    a += t


# Inverse: finv(f) = f^3 above 6/29, (116 f - 16) / kappa below. Inputs pre-scaled by _FR so that
# v = max(f', F')^3 + min(f', F') = _FR^3 (max(f, F)^3 + 116/kappa min(f, F)); then
# finv = v / _FR^3 - (F^3 + 16/kappa)  (above F: (116 F - 16)/kappa = eps = F^3 cancels exactly).
_FR = (_LAB_KAPPA / 116.0) ** 0.5


def _lab_finv_v(f: F32, o: F32, b: F32) -> None:
    """Into ``o``: v from ``f`` = _FR * f, which is clobbered (``b`` too)."""
    fe = np.float32(_LAB_F_EPS * _FR)
    np.maximum(f, fe, out=b)
    np.square(b, out=o)
    o *= b
    np.minimum(f, fe, out=f)
    o += f


_FINV_C = _LAB_F_EPS**3 + 16.0 / _LAB_KAPPA

# Lab <-> f = (f(X/Xn), f(Y/Yn), f(Z/Zn)):  L = 116 fy - 16, a = 500 (fx - fy), b = 200 (fy - fz).
_M_F_TO_LAB = np.array([[0.0, 116.0, 0.0], [500.0, -500.0, 0.0], [0.0, 200.0, -200.0]])
_M_LAB_TO_F = np.linalg.inv(_M_F_TO_LAB)
# u -> Lab: Lab = M (u / _FQ^(1/3) + c) + (-16, 0, 0), and M (c, c, c) = (116 c, 0, 0).
_U_TO_LAB_M = _M_F_TO_LAB / _FQ ** (1.0 / 3.0)
_U_TO_LAB_OFF = np.array([116.0 * (16.0 / 116.0 - _LAB_F_EPS) - 16.0, 0.0, 0.0])
# Lab -> f' = _FR f.
_LAB_TO_FR_M = _M_LAB_TO_F * _FR
_LAB_TO_FR_OFF = _LAB_TO_FR_M @ np.array([16.0, 0.0, 0.0])


def _v_to(m: NDArray[np.float64]) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    # v -> m @ XYZ with XYZ = white * (v / _FR^3 - _FINV_C).
    mw = m * D65_WHITE_XYZ / _FR**3
    return mw, -(m @ D65_WHITE_XYZ) * _FINV_C


_V_TO_XYZ = _v_to(np.eye(3))
_V_TO_LIN = _v_to(MATRIX_XYZ_TO_LINEAR)
# u (sRGB decode) -> _FQ * XYZ / white.
_U_TO_T_M = MATRIX_LINEAR_TO_XYZ / D65_WHITE_XYZ[:, None] * (_FQ * _DEC_S)
_U_TO_T_OFF = -(MATRIX_LINEAR_TO_XYZ / D65_WHITE_XYZ[:, None]).sum(axis=1) * (_FQ * _DEC_P)


def _k_srgb_to_linear(c: F32, o: F32, a: F32, b: F32) -> None:
    _dec_u(c, a, b)
    if o.shape[0]:
        cv2.addWeighted(a, _DEC_S, a, 0.0, -_DEC_P, dst=o)


def _k_linear_to_srgb(x: F32, o: F32, a: F32, b: F32) -> None:
    _enc(x, o, a, b)


def _k_srgb_to_lab(c: F32, o: F32, a: F32, b: F32) -> None:
    _dec_u(c, a, b)
    _affine(a, _U_TO_T_M, _U_TO_T_OFF, out=b)
    _lab_f_u(b, a)
    _affine(a, _U_TO_LAB_M, _U_TO_LAB_OFF, out=o)


def _k_xyz_to_lab(x: F32, o: F32, a: F32, b: F32) -> None:
    _affine(x, np.diag(_FQ / D65_WHITE_XYZ), out=b)
    _lab_f_u(b, a)
    _affine(a, _U_TO_LAB_M, _U_TO_LAB_OFF, out=o)


def _k_lab_to_xyz(lab: F32, o: F32, a: F32, b: F32) -> None:
    _affine(lab, _LAB_TO_FR_M, _LAB_TO_FR_OFF, out=a)
    _lab_finv_v(a, b, o)  # v into b, o as scratch
    _affine(b, *_V_TO_XYZ, out=o)


def _k_lab_to_srgb(lab: F32, o: F32, a: F32, b: F32) -> None:
    _affine(lab, _LAB_TO_FR_M, _LAB_TO_FR_OFF, out=a)
    _lab_finv_v(a, o, b)
    _affine(o, *_V_TO_LIN, out=b)
    _enc(b, o, a, b)


# --------------------------------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------------------------------


def srgb_to_linear(rgb: ArrayLike) -> F32:
    """Decode IEC 61966-2-1 sRGB R'G'B' to linear RGB.

    Parameters
    ----------
    rgb : array_like, shape (..., 3)
        Gamma-encoded sRGB values.

    Returns
    -------
    numpy.ndarray, float32, shape (..., 3)
        Linear sRGB values.

    Notes
    -----
    * Domain: ``rgb`` in [0, 1] (scale 1). Values ≤ 0.04045 (including negatives) use the linear
      segment ``c / 12.92``; values > 1 continue the power segment.
    * Range: [0, 1] (scale 1) for inputs in the domain.
    """
    return _run(_k_srgb_to_linear, rgb, "rgb")


def linear_to_srgb(rgb: ArrayLike) -> F32:
    """Encode linear RGB with the IEC 61966-2-1 sRGB transfer function.

    Parameters
    ----------
    rgb : array_like, shape (..., 3)
        Linear sRGB values.

    Returns
    -------
    numpy.ndarray, float32, shape (..., 3)
        Gamma-encoded sRGB R'G'B' values (not clipped).

    Notes
    -----
    * Domain: ``rgb`` in [0, 1] (scale 1). Values ≤ 0.0031308 (including negatives) use the linear
      segment ``12.92 x``; values > 1 continue the power segment.
    * Range: [0, 1] (scale 1) for inputs in the domain.
    """
    return _run(_k_linear_to_srgb, rgb, "rgb")


def linear_to_xyz(rgb: ArrayLike) -> F32:
    """Convert linear sRGB to CIE XYZ (D65, no chromatic adaptation).

    Parameters
    ----------
    rgb : array_like, shape (..., 3)
        Linear sRGB values.

    Returns
    -------
    numpy.ndarray, float32, shape (..., 3)
        CIE XYZ tristimulus values, Y of the white = 1.

    Notes
    -----
    * Domain: ``rgb`` in [0, 1] (scale 1).
    * Range: XYZ in [0, 1] (scale 1); sRGB white maps to :data:`D65_WHITE_XYZ`.
    """
    a, shape = _prep3(rgb, "rgb")
    return _affine(a, MATRIX_LINEAR_TO_XYZ).reshape(shape)


def xyz_to_linear(xyz: ArrayLike) -> F32:
    """Convert CIE XYZ (D65) to linear sRGB.

    Parameters
    ----------
    xyz : array_like, shape (..., 3)
        CIE XYZ tristimulus values, Y of the white = 1.

    Returns
    -------
    numpy.ndarray, float32, shape (..., 3)
        Linear sRGB values, unclipped (out-of-gamut colours give values outside [0, 1]).

    Notes
    -----
    * Domain: XYZ in [0, 1] (scale 1).
    * Range: linear RGB in [0, 1] (scale 1) for in-gamut colours.
    """
    a, shape = _prep3(xyz, "xyz")
    return _affine(a, MATRIX_XYZ_TO_LINEAR).reshape(shape)


def xyz_to_lab(xyz: ArrayLike) -> F32:
    """Convert CIE XYZ to CIE 1976 L*a*b* relative to the D65 2° white.

    Parameters
    ----------
    xyz : array_like, shape (..., 3)
        CIE XYZ tristimulus values, Y of the white = 1.

    Returns
    -------
    numpy.ndarray, float32, shape (..., 3)
        CIE L*a*b*.

    Notes
    -----
    * Domain: XYZ in [0, 1] (scale 1).
    * Range: L* in [0, 100]; a*, b* roughly in [-128, 127] for real surface colours (scale 100).
    * Uses the CIE 15:2004 constants ε = 216/24389, κ = 24389/27 (same as colour-science).
    """
    return _run(_k_xyz_to_lab, xyz, "xyz")


def lab_to_xyz(lab: ArrayLike) -> F32:
    """Convert CIE 1976 L*a*b* (D65 2° white) to CIE XYZ.

    Parameters
    ----------
    lab : array_like, shape (..., 3)
        CIE L*a*b*.

    Returns
    -------
    numpy.ndarray, float32, shape (..., 3)
        CIE XYZ tristimulus values, Y of the white = 1.

    Notes
    -----
    * Domain: L* in [0, 100]; a*, b* roughly in [-128, 127] (scale 100).
    * Range: XYZ in [0, 1] (scale 1) for colours inside the white's gamut.
    """
    return _run(_k_lab_to_xyz, lab, "lab")


def srgb_to_lab(rgb: ArrayLike) -> F32:
    """Convert gamma-encoded sRGB to CIE L*a*b* (D65), fused for speed.

    Equivalent to ``xyz_to_lab(linear_to_xyz(srgb_to_linear(rgb)))``, with the scalar constants of
    each step folded into the neighbouring 3×3 transforms.

    Parameters
    ----------
    rgb : array_like, shape (..., 3)
        Gamma-encoded sRGB R'G'B' values.

    Returns
    -------
    numpy.ndarray, float32, shape (..., 3)
        CIE L*a*b*.

    Notes
    -----
    * Domain: ``rgb`` in [0, 1] (scale 1).
    * Range: L* in [0, 100], a* ≈ [-86, 98], b* ≈ [-108, 95] over the sRGB gamut (scale 100).
    """
    return _run(_k_srgb_to_lab, rgb, "rgb")


def lab_to_srgb(lab: ArrayLike, *, clip: bool = False) -> F32:
    """Convert CIE L*a*b* (D65) to gamma-encoded sRGB.

    Parameters
    ----------
    lab : array_like, shape (..., 3)
        CIE L*a*b*.
    clip : bool, optional
        Clip the result to [0, 1]. Off by default so that the conversion is invertible; Lab colours
        outside the sRGB gamut then give values < 0 or > 1 (negatives via the linear segment).

    Returns
    -------
    numpy.ndarray, float32, shape (..., 3)
        Gamma-encoded sRGB R'G'B', **unclipped** unless ``clip=True``.

    Notes
    -----
    * Domain: L* in [0, 100]; a*, b* roughly in [-128, 127] (scale 100).
    * Range: [0, 1] (scale 1) for in-gamut colours; unbounded otherwise unless ``clip=True``.
    """
    out = _run(_k_lab_to_srgb, lab, "lab")
    if clip:
        np.clip(out, 0.0, 1.0, out=out)
    return out


def rgb_to_yiq(rgb: ArrayLike) -> F32:
    """Convert gamma-encoded R'G'B' to NTSC YIQ (FCC 1953).

    Parameters
    ----------
    rgb : array_like, shape (..., 3)
        Gamma-encoded R'G'B' (the matrix is applied to encoded values, as in broadcast).

    Returns
    -------
    numpy.ndarray, float32, shape (..., 3)
        Y' (luma), I, Q.

    Notes
    -----
    * Domain: R'G'B' in [0, 1] (scale 1).
    * Range: Y' in [0, 1]; I ≈ [-0.5995, 0.5995]; Q ≈ [-0.5224, 0.5224] (scale 1).
    * Matrix from the FCC definition ``I = -0.27(B'-Y') + 0.74(R'-Y')``,
      ``Q = 0.41(B'-Y') + 0.48(R'-Y')`` with Y' = 0.299 R' + 0.587 G' + 0.114 B'.
    """
    a, shape = _prep3(rgb, "rgb")
    return _affine(a, _M_RGB_TO_YIQ).reshape(shape)


def yiq_to_rgb(yiq: ArrayLike) -> F32:
    """Convert NTSC YIQ (FCC 1953) to gamma-encoded R'G'B' (exact inverse of :func:`rgb_to_yiq`).

    Parameters
    ----------
    yiq : array_like, shape (..., 3)
        Y' (luma), I, Q.

    Returns
    -------
    numpy.ndarray, float32, shape (..., 3)
        Gamma-encoded R'G'B', unclipped.

    Notes
    -----
    * Domain: Y' in [0, 1]; I ≈ [-0.5995, 0.5995]; Q ≈ [-0.5224, 0.5224] (scale 1).
    * Range: R'G'B' in [0, 1] (scale 1) for YIQ coming from in-range R'G'B'.
    """
    a, shape = _prep3(yiq, "yiq")
    return _affine(a, _M_YIQ_TO_RGB).reshape(shape)


def rgb_to_yuv(rgb: ArrayLike) -> F32:
    """Convert gamma-encoded R'G'B' to PAL Y'UV.

    Parameters
    ----------
    rgb : array_like, shape (..., 3)
        Gamma-encoded R'G'B'.

    Returns
    -------
    numpy.ndarray, float32, shape (..., 3)
        Y' = 0.299 R' + 0.587 G' + 0.114 B', U = 0.492 (B' - Y'), V = 0.877 (R' - Y').

    Notes
    -----
    * Domain: R'G'B' in [0, 1] (scale 1).
    * Range: Y' in [0, 1]; U in [-0.436, 0.436]; V in [-0.615, 0.615] (scale 1).
    """
    a, shape = _prep3(rgb, "rgb")
    return _affine(a, _M_RGB_TO_YUV).reshape(shape)


def yuv_to_rgb(yuv: ArrayLike) -> F32:
    """Convert PAL Y'UV to gamma-encoded R'G'B' (exact inverse of :func:`rgb_to_yuv`).

    Parameters
    ----------
    yuv : array_like, shape (..., 3)
        Y', U, V.

    Returns
    -------
    numpy.ndarray, float32, shape (..., 3)
        Gamma-encoded R'G'B', unclipped.

    Notes
    -----
    * Domain: Y' in [0, 1]; U in [-0.436, 0.436]; V in [-0.615, 0.615] (scale 1).
    * Range: R'G'B' in [0, 1] (scale 1) for Y'UV coming from in-range R'G'B'.
    """
    a, shape = _prep3(yuv, "yuv")
    return _affine(a, _M_YUV_TO_RGB).reshape(shape)


def luma(rgb: ArrayLike, system: Literal["ntsc", "pal"] = "ntsc") -> F32:
    """Luma Y' of gamma-encoded R'G'B' as carried by NTSC or PAL.

    Both systems use the BT.601 weights (0.299, 0.587, 0.114); ``system`` is validated and kept for
    call-site clarity. Equal to channel 0 of :func:`rgb_to_yiq` / :func:`rgb_to_yuv`.

    Parameters
    ----------
    rgb : array_like, shape (..., 3)
        Gamma-encoded R'G'B'.
    system : {"ntsc", "pal"}
        Television system.

    Returns
    -------
    numpy.ndarray, float32, shape (...)
        Luma Y'.

    Notes
    -----
    * Domain: R'G'B' in [0, 1] (scale 1).
    * Range: Y' in [0, 1] (scale 1).
    """
    if system not in ("ntsc", "pal"):
        raise ValueError(f"system must be 'ntsc' or 'pal', got {system!r}")
    a, shape = _prep3(rgb, "rgb")
    return (a @ _LUMA_601.astype(np.float32)).reshape(shape[:-1])


def rgb_to_luminance(rgb_linear: ArrayLike) -> F32:
    """Relative luminance Y of linear sRGB (D65, white = 1).

    Parameters
    ----------
    rgb_linear : array_like, shape (..., 3)
        Linear sRGB values (not gamma-encoded: use :func:`srgb_to_linear` first).

    Returns
    -------
    numpy.ndarray, float32, shape (...)
        Luminance Y ≈ 0.2126 R + 0.7152 G + 0.0722 B (middle row of :data:`MATRIX_LINEAR_TO_XYZ`).

    Notes
    -----
    * Domain: linear RGB in [0, 1] (scale 1).
    * Range: Y in [0, 1] (scale 1).
    """
    a, shape = _prep3(rgb_linear, "rgb_linear")
    return (a @ MATRIX_LINEAR_TO_XYZ[1].astype(np.float32)).reshape(shape[:-1])


def transmittance_to_density(t: ArrayLike, *, floor: float = 1e-4) -> F32:
    """Optical density ``D = -log10(max(t, floor))``.

    Parameters
    ----------
    t : array_like, shape (...)
        Transmittance.
    floor : float, optional
        Smallest transmittance considered, > 0. It bounds the density at ``-log10(floor)``: the
        default 1e-4 caps D at 4.0 (about the D-max of real film) and maps t ≤ 0 to 4.0 instead of
        inf / NaN.

    Returns
    -------
    numpy.ndarray, float32, shape (...)
        Optical density.

    Notes
    -----
    * Domain: ``t`` in [0, 1] (scale 1; fraction of light transmitted).
    * Range: D in [0, -log10(floor)], i.e. [0, 4] by default (density units, log10).
    """
    if not floor > 0.0:
        raise ValueError(f"floor must be > 0, got {floor!r}")
    a = np.asarray(t, dtype=np.float32)
    # asarray: 0-d input gives a numpy scalar from ufuncs; keep the "returns an array" contract.
    return np.asarray(-np.log10(np.maximum(a, np.float32(floor))), dtype=np.float32)


def density_to_transmittance(d: ArrayLike) -> F32:
    """Transmittance ``T = 10 ** -D`` of an optical density.

    Parameters
    ----------
    d : array_like, shape (...)
        Optical density.

    Returns
    -------
    numpy.ndarray, float32, shape (...)
        Transmittance.

    Notes
    -----
    * Domain: D in [0, 4] typically (density units, log10); any real value is accepted.
    * Range: T in [1e-4, 1] for D in [0, 4] (scale 1).
    """
    a = np.asarray(d, dtype=np.float32)
    return np.asarray(np.power(np.float32(10.0), -a), dtype=np.float32)


def delta_e_2000(
    lab1: ArrayLike, lab2: ArrayLike, *, k_l: float = 1.0, k_c: float = 1.0, k_h: float = 1.0
) -> F32:
    """CIEDE2000 colour difference (Sharma, Wu & Dalal 2005), vectorised in float64.

    Meant for small arrays (records, tests): it makes ~40 float64 temporaries per element.

    Parameters
    ----------
    lab1, lab2 : array_like, shape (..., 3)
        CIE L*a*b* colours; broadcast against each other.
    k_l, k_c, k_h : float, optional
        Parametric weighting factors (1 for the reference conditions).

    Returns
    -------
    numpy.ndarray, float32, shape (...)
        ΔE00.

    Notes
    -----
    * Domain: L* in [0, 100]; a*, b* roughly in [-128, 127] (scale 100).
    * Range: ΔE00 ≥ 0 (scale 100; ~1 is a just-noticeable difference).
    * Hue averaging follows Sharma et al. eqs. (7)–(14), matching colour-science's
      ``delta_E(method="CIE 2000")``.
    """
    a1 = np.asarray(lab1, dtype=np.float64)
    a2 = np.asarray(lab2, dtype=np.float64)
    for a, name in ((a1, "lab1"), (a2, "lab2")):
        if a.ndim == 0 or a.shape[-1] != 3:
            raise ValueError(f"{name} must have shape (..., 3), got {a.shape}")
    l1, A1, b1 = a1[..., 0], a1[..., 1], a1[..., 2]
    l2, A2, b2 = a2[..., 0], a2[..., 1], a2[..., 2]

    c_bar7 = ((np.hypot(A1, b1) + np.hypot(A2, b2)) / 2.0) ** 7
    g = 0.5 * (1.0 - np.sqrt(c_bar7 / (c_bar7 + 25.0**7)))
    a1p, a2p = (1.0 + g) * A1, (1.0 + g) * A2
    c1p, c2p = np.hypot(a1p, b1), np.hypot(a2p, b2)
    # atan2(0, 0) = 0, which is the convention for achromatic colours.
    h1p = np.degrees(np.arctan2(b1, a1p)) % 360.0
    h2p = np.degrees(np.arctan2(b2, a2p)) % 360.0

    chroma_zero = (c1p * c2p) == 0.0
    dh = h2p - h1p
    dh = np.where(dh > 180.0, dh - 360.0, np.where(dh < -180.0, dh + 360.0, dh))
    dh = np.where(chroma_zero, 0.0, dh)
    d_l = l2 - l1
    d_c = c2p - c1p
    d_h = 2.0 * np.sqrt(c1p * c2p) * np.sin(np.radians(dh) / 2.0)

    l_bar = (l1 + l2) / 2.0
    c_bar_p = (c1p + c2p) / 2.0
    h_sum = h1p + h2p
    h_bar = np.where(
        np.abs(h1p - h2p) <= 180.0,
        h_sum / 2.0,
        np.where(h_sum < 360.0, (h_sum + 360.0) / 2.0, (h_sum - 360.0) / 2.0),
    )
    h_bar = np.where(chroma_zero, h_sum, h_bar)

    hr = np.radians(h_bar)
    t = (
        1.0
        - 0.17 * np.cos(hr - np.radians(30.0))
        + 0.24 * np.cos(2.0 * hr)
        + 0.32 * np.cos(3.0 * hr + np.radians(6.0))
        - 0.20 * np.cos(4.0 * hr - np.radians(63.0))
    )
    d_theta = 30.0 * np.exp(-(((h_bar - 275.0) / 25.0) ** 2))
    c_bar_p7 = c_bar_p**7
    r_c = 2.0 * np.sqrt(c_bar_p7 / (c_bar_p7 + 25.0**7))
    l50 = (l_bar - 50.0) ** 2
    s_l = 1.0 + 0.015 * l50 / np.sqrt(20.0 + l50)
    s_c = 1.0 + 0.045 * c_bar_p
    s_h = 1.0 + 0.015 * c_bar_p * t
    r_t = -np.sin(np.radians(2.0 * d_theta)) * r_c

    tl, tc, th = d_l / (k_l * s_l), d_c / (k_c * s_c), d_h / (k_h * s_h)
    return np.sqrt(tl**2 + tc**2 + th**2 + r_t * tc * th).astype(np.float32)
