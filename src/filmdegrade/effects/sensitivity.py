"""Spectral sensitivity: a black-and-white emulsion records the colours of a scene as one density.

Physics
-------
A B&W film has a single silver layer. Where light falls on it, the density it develops depends on how much
light there was *and* on the emulsion's spectral sensitivity: the scene's spectrum is weighted by that
sensitivity and summed. Colour is gone after that, so a B&W film never shows colour (apart from the tone of
its silver, which the fading model adds).

* **Orthochromatic** emulsions (the norm for camera negatives until the mid-1920s, and so for the prints
  struck from them) are sensitive to blue and green and blind to red: blue skies print nearly white, red
  lips and red paint nearly black.
* **Panchromatic** emulsions (Double-X, Tri-X, Plus-X...) are sensitive across the visible spectrum, roughly
  like the eye.

On an sRGB source image the spectrum is no longer available, so the sensitivity is applied as a weighted
sum of the *linear-light* R, G, B values (light adds linearly; the exposure is a sum of light). The weights
of each response live in ``filmdegrade/data/sensitivity.toml`` (with their sources and status: all are
estimates, E); the stock names its response in ``stocks.toml`` (``scene_sensitivity``; for a print, that of
the camera negative it was struck from). The weights sum to 1, so white stays white and every neutral grey
stays the same grey: only coloured areas change, each to the grey its colour exposed the film to.

This is the first step of a B&W preset: the camera sees the colour scene; everything after it (printer
softness, grain, fading, dirt) acts on the one density the camera recorded.

Kernel
------
:func:`render_monochrome` decodes sRGB with the exact IEC 61966-2-1 piecewise curve (linear toe below
0.04045, power segment above), evaluated branch-free as ``(max(c, t) + 0.055)^2.4 + k min(c, t)`` up to
constant factors and an offset that cancels the other branch at the threshold ``t`` (the kernels of
:mod:`filmdegrade.colour`, called here). The weighted sum, the scale and the offset are one
:func:`cv2.transform` pass into a single channel, which is encoded with the exact piecewise inverse and
copied to every channel. The powers use OpenCV's float32 ``exp(p log x)``; against the float64 piecewise
formula the result is within 2e-7 (measured on random colours and a dense ramp through both thresholds),
and a grey comes back unchanged to the same accuracy. Blocks of 16384 pixels keep the passes in the CPU
cache: about 20 ms per 1920×1080 RGB frame and 0.5 ms per 256×256 frame on one core.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import cv2
import numpy as np

from filmdegrade.colour import _DEC_P, _DEC_S, _dec_u, _enc
from filmdegrade.effects.base import ClipContext, Transform, check_choice
from filmdegrade.media import load_table

__all__ = [
    "SensitivityParams",
    "SpectralSensitivity",
    "list_responses",
    "render_monochrome",
    "response_weights",
]

_BLOCK_PX = 16384
# Largest allowed deviation of the weights' sum from 1.
_SUM_TOL = 1e-6


def list_responses() -> list[str]:
    """Names of the spectral responses in ``filmdegrade/data/sensitivity.toml``."""
    return sorted(load_table("sensitivity"))


def response_weights(response: str) -> tuple[float, float, float]:
    """Linear-light R, G, B weights of a spectral response.

    Parameters
    ----------
    response : str
        A row of ``filmdegrade/data/sensitivity.toml``: ``"panchromatic"`` or ``"orthochromatic"``.

    Returns
    -------
    (float, float, float)
        Non-negative weights on linear sRGB R, G, B, summing to 1 (dimensionless).
    """
    table = load_table("sensitivity")
    if not isinstance(response, str) or response not in table:
        raise ValueError(f"response must be one of {', '.join(sorted(table))}; got {response!r}")
    w = table[response]["weights"]
    return (float(w[0]), float(w[1]), float(w[2]))


def _check_weights(weights: Sequence[float]) -> np.ndarray:
    w = np.asarray(weights, dtype=np.float64)
    if w.shape != (3,) or not np.isfinite(w).all() or (w < 0).any() or abs(w.sum() - 1.0) > _SUM_TOL:
        raise ValueError(f"weights must be 3 non-negative numbers summing to 1, got {weights!r}")
    return w


def _grey_block(src: np.ndarray, dst: np.ndarray, m: np.ndarray, b3: np.ndarray, b1: np.ndarray) -> None:
    """One block: ``src`` and ``dst`` are ``n×3``; ``b3`` is ``2×n×3`` scratch and ``b1`` is ``3×n×1``.

    The exact piecewise sRGB decode and encode are :mod:`filmdegrade.colour`'s kernels.
    """
    n = src.shape[0]
    u, y, e, f = b3[0], b1[0], b1[1], b1[2]
    _dec_u(src, u, b3[1])  # linear = _DEC_S u - _DEC_P, per channel
    # weighted sum of linear light, one channel: y = _DEC_S (w . u) - _DEC_P sum(w)
    cv2.transform(u.reshape(n, 1, 3), m, dst=y.reshape(n, 1, 1))
    _enc(y, e, e, f)
    np.clip(e, np.float32(0.0), np.float32(1.0), out=e)  # rounding only
    cv2.cvtColor(e, cv2.COLOR_GRAY2RGB, dst=dst.reshape(n, 1, 3))


def render_monochrome(frames: np.ndarray, weights: Sequence[float]) -> np.ndarray:
    """Render colour frames as a B&W film with the given spectral weights would record them.

    Parameters
    ----------
    frames : numpy.ndarray, shape (..., C)
        Gamma-encoded sRGB frames, any leading shape (``T×H×W×C`` clip, ``H×W×C`` image), ``C`` of 1 or 3:
        uint8 (0–255, scaled by 1/255) or float in [0, 1] (computed in float32).
    weights : sequence of 3 float
        Non-negative weights on linear-light R, G, B summing to 1 (see :func:`response_weights`).

    Returns
    -------
    numpy.ndarray, float32, same shape as ``frames``
        The sRGB encoding of ``w_R R + w_G G + w_B B`` (R, G, B linear light) in every channel, in [0, 1].
        Neutral greys (and white) come back unchanged to about 2e-7; a single-channel input is returned
        unchanged (as a new float32 array in [0, 1]). ``frames`` is never modified.

    Notes
    -----
    * Domain: sRGB in [0, 1] (scale 1); values outside follow the curve's segments and are clipped.
    * Range: [0, 1] (scale 1).
    * Exact IEC 61966-2-1 decode and encode up to the float32 power error (see the module docstring).
    """
    w = _check_weights(weights)
    x = np.asarray(frames)
    if x.ndim == 0 or x.shape[-1] not in (1, 3):
        raise ValueError(f"frames must have shape (..., C) with C = 1 or 3, got {x.shape}")
    if x.dtype == np.uint8:
        x = x.astype(np.float32) * np.float32(1.0 / 255.0)
    if x.shape[-1] == 1:
        return np.clip(x, 0.0, 1.0).astype(np.float32)
    src = np.ascontiguousarray(x, dtype=np.float32).reshape(-1, 3)
    out = np.empty_like(src)
    n = src.shape[0]
    m = np.array([[*(w * _DEC_S), -_DEC_P * w.sum()]], np.float32)
    bs = min(n, _BLOCK_PX)
    b3 = np.empty((2, bs, 3), np.float32)
    b1 = np.empty((3, bs, 1), np.float32)
    for i in range(0, n, _BLOCK_PX):
        j = min(i + _BLOCK_PX, n)
        _grey_block(src[i:j], out[i:j], m, b3[:, : j - i], b1[:, : j - i])
    return out.reshape(x.shape)


@dataclass(frozen=True)
class SensitivityParams:
    """The spectral response used for one clip (constant over the clip, nothing random).

    Attributes
    ----------
    response : str
        ``"panchromatic"``, ``"orthochromatic"`` (a row of ``sensitivity.toml``), or ``"none"`` when the
        response was taken from a colour stock: the clip is then left unchanged.
    weights : (float, float, float) or None
        Linear-light R, G, B weights used (recorded so that a replay does not depend on the data table);
        ``None`` with ``response="none"``.
    """

    response: str
    weights: tuple[float, float, float] | None = None


class SpectralSensitivity(Transform):
    """Record a colour scene as a B&W emulsion does: one density from a weighted sum of linear light.

    Deterministic and constant over the clip; returns no masks. Single-channel clips (already grey) pass
    unchanged.

    Parameters
    ----------
    response : {"stock", "panchromatic", "orthochromatic"}
        Spectral response of the camera emulsion. ``"stock"`` (default) takes the medium's stock's
        ``scene_sensitivity`` (Double-X, Tri-X and Plus-X: panchromatic; the silent-era nitrate print:
        orthochromatic); on a colour stock ``"stock"`` leaves the clip unchanged. An explicit response
        renders any clip in B&W, whatever the stock.
    p : float
        Probability of applying the transform.
    """

    name = "sensitivity"
    params_cls = SensitivityParams
    renders_medium = True  # part of the clean target of a training pair (FilmPipeline.clean_target)

    def __init__(self, response: str = "stock", *, p: float = 1.0) -> None:
        super().__init__(p=p)
        self.response = check_choice("response", response, ("stock", *list_responses()))

    def sample_params(self, rng: np.random.Generator, ctx: ClipContext) -> SensitivityParams:
        """Resolve the response (from the stock if asked); draws nothing from ``rng``."""
        response = self.response
        if response == "stock":
            response = ctx.medium.stock_info.scene_sensitivity or "none"
        if response == "none":
            return SensitivityParams(response="none", weights=None)
        return SensitivityParams(response=response, weights=response_weights(response))

    def apply(
        self, frames: np.ndarray, params: SensitivityParams
    ) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        """Render the clip with the recorded weights (pure; an unchanged copy for ``response="none"``)."""
        frames = np.asarray(frames, dtype=np.float32)
        if params.weights is None or frames.shape[-1] == 1:
            return frames.copy(), {}
        return render_monochrome(frames, params.weights), {}
