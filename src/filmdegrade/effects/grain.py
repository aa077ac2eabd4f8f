"""Calibrated silver/dye grain, rendered in optical density (film-physics.md 1.1–1.3).

Model
-----
Each dye layer (colour stocks: one per RGB channel) or the single silver layer (B&W stocks, and any grey
clip) gets a zero-mean, unit-variance Gaussian-correlated random field ``n`` with autocorrelation
``ρ(r) = exp(-(r/ℓ)²)``: ``ℓ`` is the stock's ``grain_size_um`` (grain-clump / dye-cloud correlation
length, µm) in pixels of the scan. The layer density becomes ``D + σ_pix · (D / 1)^β · n``:

* ``σ_pix`` is computed so that the field, read through the standard **48 µm** circular aperture at
  D = 1.0 (:mod:`filmdegrade.measure.granularity`), has the stock's published σ_D = RMS granularity/1000,
  whatever the scan resolution. The aperture-averaged variance of the discrete field is
  ``σ_pix² · ‖w ∗ k‖² / ‖k‖²`` (``w`` the aperture, ``k`` the correlation kernel), computed numerically
  and cached; it gives Selwyn's law ``σ_pix ∝ 1/pixel size`` where pixels are much larger than the grain,
  and saturates where they are not. Where the aperture is smaller than 2 pixels it cannot be resolved
  and Selwyn's law ``σ_pix = σ_48 · √(A_48) / pixel`` is used.
* ``β`` is the density dependence: 0.5 (σ_D ∝ √D) for silver by the Nutting/Poisson model, a per-stock
  value in ``stocks.toml`` (``grain_density_exponent``, with source and status) otherwise.
* Published colour granularity is a *visual* (luminance-weighted) density value, so each of the three
  independent layers gets ``σ_48 / sqrt(Σw² + ρ_L(1 - Σw²))`` (``w`` the Rec. 709 luminance weights of
  linear RGB, ``ρ_L`` the inter-layer correlation): the visual density of a neutral patch then has the
  published σ_D.
* The mean *transmittance* is preserved (a large-area densitometer reading does not change).

Speed
-----
Gaussian samples are the cost floor (70 ms per 1080p RGB frame). Here the randomness is raw 64-bit PCG64
output read as bytes (≈ 1 ms per 1080p RGB frame) mapped to 256 equiprobable Gaussian quantiles with a
lookup table, correlated with a separable Gaussian filter, and the whole density round trip
``sRGB → linear → density → + grain → sRGB`` is one ``cv2.remap`` through a small 2-D table
``f(x, n)`` (256 input levels × noise values, bilinear). The field is fresh every frame: no tiles, no
periodicity, no repetition.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

import cv2
import numpy as np
from numpy.typing import NDArray

from filmdegrade.colour import linear_to_srgb, rgb_to_luminance, srgb_to_linear
from filmdegrade.effects.base import (
    ClipContext,
    InPlaceTransform,
    check_choice,
    check_range,
    sample_range,
)
from filmdegrade.measure.granularity import STANDARD_APERTURE_UM, aperture_kernel
from filmdegrade.media import Stock, get_stock
from filmdegrade.random import frame_rngs

__all__ = [
    "DEFAULT_DENSITY_EXPONENT",
    "Grain",
    "GrainParams",
    "aperture_variance_factor",
    "correlated_noise",
    "correlation_kernel",
    "density_exponent",
    "grain_table",
    "layer_sigma",
    "pixel_sigma",
    "render_grain",
    "sigma_at_density",
]

#: Fallback density exponent β by stock kind, used only when ``stocks.toml`` has no
#: ``grain_density_exponent`` for a stock. Silver and dye follow the Nutting/Poisson √D law
#: (film-physics.md 1.3, status M); negatives are scanned inverted, so the law on the negative's density
#: cannot be mapped to the positive without the characteristic curve: flat (estimated, status E).
DEFAULT_DENSITY_EXPONENT = {
    "bw_reversal": 0.5,
    "bw_print": 0.5,
    "colour_reversal": 0.5,
    "colour_print": 0.5,
    "bw_negative": 0.0,
    "colour_negative": 0.0,
}

_MODELS = ("fast", "boolean")
_N_MAX = 5.0  # noise values beyond ±5σ are clamped (probability < 1e-6)
_N_STEP = 0.05  # table step in noise units: bilinear error < 1e-4 of the grain amplitude
_N_COLS = round(2 * _N_MAX / _N_STEP) + 1
_N_C0 = _N_MAX / _N_STEP  # table column of n = 0
_X_ROWS = 256  # table rows: uint8 input levels fall exactly on rows
_LN10 = math.log(10.0)
_SELWYN_MIN_APERTURE_PX = 2.0


# --- kernels -------------------------------------------------------------------------------------------
def sigma_at_density(density: NDArray[np.floating] | float, sigma_1: float, exponent: float) -> NDArray:
    """Grain σ_D at density ``D``: ``σ_1 · (D / 1.0)^β`` (Nutting/Poisson for β = 0.5).

    Parameters
    ----------
    density : array_like or float
        Net optical density D (≥ 0, log10 units).
    sigma_1 : float
        σ_D at D = 1.0 (density units), at whatever aperture it is quoted for.
    exponent : float
        β, dimensionless (0 = flat, 0.5 = √D).

    Returns
    -------
    numpy.ndarray
        σ_D, density units.
    """
    d = np.maximum(np.asarray(density, dtype=np.float64), 0.0)
    return sigma_1 * d**exponent


def correlation_kernel(corr_length_px: float) -> NDArray[np.float32]:
    """1-D sampled Gaussian whose separable 2-D filter turns white noise into ρ(r) = exp(-(r/ℓ)²).

    Parameters
    ----------
    corr_length_px : float
        Correlation length ℓ, pixels (the 1/e radius of the autocorrelation).

    Returns
    -------
    numpy.ndarray, float32, shape (2r + 1,)
        Kernel of standard deviation ℓ/2 summing to 1, truncated at 3 standard deviations (so the
        autocorrelation is exactly 0 beyond 3ℓ); ``[1.0]`` when ℓ < 0.6 px (the neighbour taps would be
        below 0.5 %: the field is white at pixel scale).
    """
    s = float(corr_length_px) / 2.0
    if s < 0.3:
        return np.ones(1, np.float32)
    r = max(1, math.ceil(3.0 * s))
    x = np.arange(-r, r + 1, dtype=np.float64)
    k = np.exp(-0.5 * (x / s) ** 2)
    return (k / k.sum()).astype(np.float32)


@lru_cache(maxsize=512)
def _variance_factor(corr_length_px: float, aperture_px: float) -> float:
    g = correlation_kernel(corr_length_px).astype(np.float64)
    k2 = np.outer(g, g)
    w = aperture_kernel(aperture_px).astype(np.float64)
    from scipy.signal import fftconvolve  # lazy: scipy.signal is slow to import

    return float(np.sum(fftconvolve(w, k2) ** 2) / np.sum(k2**2))


def aperture_variance_factor(corr_length_px: float, aperture_px: float) -> float:
    """Variance ratio (aperture average / pixel) of the unit field with correlation length ℓ.

    Parameters
    ----------
    corr_length_px : float
        Correlation length ℓ, pixels.
    aperture_px : float
        Aperture diameter, pixels (≥ 1).

    Returns
    -------
    float
        ``‖w ∗ k‖² / ‖k‖²`` (``w`` the normalised aperture of :func:`~filmdegrade.measure.granularity.
        aperture_kernel`, ``k`` the 2-D correlation kernel); ≈ 1/area for white noise. Cached.
    """
    return _variance_factor(round(float(corr_length_px), 6), round(float(aperture_px), 6))


def pixel_sigma(
    sigma_aperture: float,
    corr_length_px: float,
    um_per_px: float,
    aperture_um: float = STANDARD_APERTURE_UM,
) -> float:
    """Per-pixel σ_D that gives ``sigma_aperture`` through the aperture.

    Parameters
    ----------
    sigma_aperture : float
        Target σ_D through the aperture (density units; RMS granularity / 1000 for 48 µm).
    corr_length_px : float
        Grain correlation length, pixels.
    um_per_px : float
        Film-plane pixel size, µm.
    aperture_um : float
        Aperture diameter, µm (default 48).

    Returns
    -------
    float
        σ_D of one pixel, density units. Numerical aperture integral when the aperture spans ≥ 2 pixels;
        Selwyn's law ``σ · √(π (d/2)²) / pixel`` (pixels much larger than the grain) below that.
    """
    d_px = float(aperture_um) / float(um_per_px)
    if d_px >= _SELWYN_MIN_APERTURE_PX:
        return float(sigma_aperture) / math.sqrt(aperture_variance_factor(corr_length_px, d_px))
    return float(sigma_aperture) * math.sqrt(math.pi * (aperture_um / 2.0) ** 2) / float(um_per_px)


def layer_sigma(sigma_visual: float, n_layers: int, layer_correlation: float) -> float:
    """σ_D per dye layer such that the visual (luminance-weighted) density has ``sigma_visual``.

    Parameters
    ----------
    sigma_visual : float
        Published σ_D (visual diffuse density), density units.
    n_layers : int
        3 for independent dye layers, 1 for one silver layer (returns ``sigma_visual``).
    layer_correlation : float
        Correlation coefficient between the layers' fields, in [0, 1].

    Returns
    -------
    float
        σ_D of each layer, density units.
    """
    if n_layers == 1:
        return float(sigma_visual)
    w = rgb_to_luminance(np.eye(3, dtype=np.float32)).astype(np.float64)
    w = w / w.sum()
    s2 = float(np.sum(w**2))
    return float(sigma_visual) / math.sqrt(s2 + layer_correlation * (1.0 - s2))


@lru_cache(maxsize=64)
def _grain_table(sigma_pixel: float, exponent: float) -> NDArray[np.float32]:
    x = np.linspace(0.0, 1.0, _X_ROWS, dtype=np.float64)
    lin = srgb_to_linear(np.repeat(x[:, None], 3, axis=1))[:, 0].astype(np.float64)
    dens = -np.log10(np.maximum(lin, 1e-4))
    a = sigma_at_density(dens, sigma_pixel, exponent)[:, None]  # σ_D of each row, density units
    n = (np.arange(_N_COLS, dtype=np.float64) - _N_C0) * _N_STEP
    # 10^(-a n) has mean exp((ln10 a)²/2) for Gaussian n: divide it out to keep the mean transmittance.
    m = np.exp(-_LN10 * a * n[None, :] - 0.5 * (_LN10 * a) ** 2)
    t = (lin[:, None] * m).astype(np.float32)
    out = linear_to_srgb(np.repeat(t[..., None], 3, axis=-1))[..., 0]
    out = np.ascontiguousarray(out, dtype=np.float32)
    out.setflags(write=False)
    return out


def grain_table(sigma_pixel: float, exponent: float) -> NDArray[np.float32]:
    """2-D lookup table of the density-domain grain: rows sRGB input, columns noise value.

    Parameters
    ----------
    sigma_pixel : float
        Per-pixel σ_D at D = 1.0, density units.
    exponent : float
        Density exponent β of :func:`sigma_at_density`.

    Returns
    -------
    numpy.ndarray, float32, shape (256, 201)
        ``T[i, j] = sRGB(lin(x_i) · 10^(-σ(D(x_i)) n_j) / E[10^(-σ n)])`` with ``x_i = i/255`` and
        ``n_j = -5 + 0.05 j``: sRGB output (unclipped). Cached, read-only.
    """
    return _grain_table(round(float(sigma_pixel), 9), round(float(exponent), 9))


@lru_cache(maxsize=64)
def _quantile_lut(scale: float, offset: float) -> NDArray[np.float32]:
    from scipy.special import ndtri

    q = ndtri((np.arange(256) + 0.5) / 256.0)
    q /= np.sqrt(np.mean(q**2))  # exactly unit variance over the 256 equiprobable levels
    lut = (offset + scale * q).astype(np.float32)
    lut.setflags(write=False)
    return lut


#: float32 values per row block of the renderer (512 KB): the noise, its filter and the table lookup of a
#: block run in the L2 cache instead of streaming full-frame intermediates through memory once per step.
_BLOCK_VALUES = 1 << 17


def _noise_coord_blocks(
    seed: int,
    height: int,
    width: int,
    layers: int,
    corr_length_px: float,
    layer_correlation: float,
    rows: int | None = None,
) -> Iterator[tuple[int, int, NDArray[np.float32]]]:
    """Yield row blocks ``(r0, r1, coords)`` of :func:`_noise_coords`.

    The values are the same whatever the block size: the raw bytes are drawn for the whole frame, and
    each block is filtered with its halo of rows.
    """
    g = correlation_kernel(corr_length_px)
    r = len(g) // 2
    # Pre-scale so the filtered field has unit variance: the 2-D kernel's norm is ‖g‖².
    norm = float(np.sum(g.astype(np.float64) ** 2))
    lut = _quantile_lut(1.0 / (_N_STEP * norm), _N_C0)
    hp, wp = height + 2 * r, width + 2 * r
    n = hp * wp * layers
    raw = np.random.PCG64(seed).random_raw((n + 7) // 8)
    b = raw.view(np.uint8)[:n].reshape((hp, wp, layers) if layers > 1 else (hp, wp))
    mix = None
    if layers > 1 and layer_correlation > 0.0:
        rho = float(layer_correlation)
        # symmetric square root of the correlation matrix (1-ρ)I + ρ11ᵀ (eigenvalues 1-ρ and 1+2ρ)
        a, e = math.sqrt(1.0 - rho), math.sqrt(1.0 + 2.0 * rho)
        m = a * np.eye(3) + (e - a) / 3.0 * np.ones((3, 3))
        off = _N_C0 * (1.0 - m.sum(axis=1))  # keep the coordinate of n = 0 fixed
        mix = np.hstack([m, off[:, None]]).astype(np.float32)
    if rows is None:
        rows = max(4 * r, _BLOCK_VALUES // (wp * layers), 1)
    for r0 in range(0, height, rows):
        r1 = min(height, r0 + rows)
        c = cv2.LUT(b[r0 : r1 + 2 * r], lut)
        if mix is not None:
            c = cv2.transform(c, mix)
        if r:
            c = cv2.sepFilter2D(c, cv2.CV_32F, g, g, borderType=cv2.BORDER_REFLECT)
            c = c[r : r + r1 - r0, r : r + width]
        yield r0, r1, c


def _noise_coords(
    seed: int, height: int, width: int, layers: int, corr_length_px: float, layer_correlation: float
) -> NDArray[np.float32]:
    """Correlated unit noise expressed as column coordinates of :func:`grain_table` (``c0 + n/step``)."""
    ((_, _, c),) = _noise_coord_blocks(seed, height, width, layers, corr_length_px, layer_correlation, height)
    return c


def correlated_noise(
    seed: int, height: int, width: int, layers: int, corr_length_px: float, layer_correlation: float = 0.0
) -> NDArray[np.float32]:
    """The unit-variance grain field used by :class:`Grain` (for measurements and tests).

    Parameters
    ----------
    seed : int
        Seed of the field (≥ 0).
    height, width : int
        Size, pixels.
    layers : int
        1 (silver) or 3 (dye layers).
    corr_length_px : float
        Correlation length ℓ, pixels: ρ(r) = exp(-(r/ℓ)²).
    layer_correlation : float
        Correlation between layers, in [0, 1].

    Returns
    -------
    numpy.ndarray, float32, shape (H, W) or (H, W, 3)
        Zero-mean, unit-variance field (256-level Gaussian quantiles before filtering).
    """
    c = _noise_coords(seed, height, width, layers, corr_length_px, layer_correlation)
    return ((c - np.float32(_N_C0)) * np.float32(_N_STEP)).astype(np.float32)


def render_grain(
    frame: NDArray[np.float32],
    seed: int,
    sigma_pixel: float,
    exponent: float,
    corr_length_px: float,
    layers: int,
    layer_correlation: float = 0.0,
    out: NDArray[np.float32] | None = None,
) -> NDArray[np.float32]:
    """Add density-domain grain to one sRGB frame.

    Parameters
    ----------
    frame : numpy.ndarray, float32, shape (H, W, C), C in {1, 3}
        sRGB values in [0, 1] (each channel the transmittance of one layer, gamma-encoded).
    seed : int
        Seed of this frame's field.
    sigma_pixel : float
        Per-pixel σ_D at D = 1.0 (density units), from :func:`pixel_sigma`.
    exponent : float
        Density exponent β (σ_D ∝ D^β).
    corr_length_px : float
        Correlation length ℓ, pixels.
    layers : int
        1: one field for every channel (silver); 3: one field per channel (dye layers, needs C = 3).
    layer_correlation : float
        Correlation between the dye layers' fields, [0, 1].
    out : numpy.ndarray, optional
        Destination, same shape as ``frame`` (C-contiguous).

    Returns
    -------
    numpy.ndarray, float32, shape (H, W, C)
        Grainy frame, sRGB (not clipped; values may exceed [0, 1] slightly).
    """
    h, w, ch = frame.shape
    if layers not in (1, ch) and not (layers == 1 and ch == 3):
        raise ValueError(f"layers must be 1 or the channel count {ch}, got {layers}")
    table = grain_table(sigma_pixel, exponent)
    if out is None:
        out = np.empty((h, w, ch), np.float32)
    src = frame.reshape(h, w * ch)
    dst = out.reshape(h, w * ch)
    map_y = None
    # Block by block (in cache): noise → coordinates, input levels → table rows, one bilinear remap.
    for r0, r1, coords in _noise_coord_blocks(seed, h, w, layers, corr_length_px, layer_correlation):
        if layers == 1 and ch == 3:
            coords = cv2.merge([coords, coords, coords])
        map_x = np.ascontiguousarray(coords).reshape(r1 - r0, w * ch)
        if map_y is None:
            map_y = np.empty((r1 - r0, w * ch), np.float32)
        my = map_y[: r1 - r0]
        np.multiply(src[r0:r1], np.float32(_X_ROWS - 1), out=my)
        res = cv2.remap(table, map_x, my, cv2.INTER_LINEAR, dst=dst[r0:r1], borderMode=cv2.BORDER_REPLICATE)
        if not np.may_share_memory(res, dst):  # pragma: no cover - OpenCV honours a matching dst
            dst[r0:r1] = res
    return out


def density_exponent(stock: Stock) -> tuple[float, bool]:
    """Density exponent β of a stock and whether it is estimated.

    Parameters
    ----------
    stock : Stock
        The film stock.

    Returns
    -------
    (float, bool)
        β from ``stocks.toml`` (``grain_density_exponent``) or :data:`DEFAULT_DENSITY_EXPONENT`, and True
        when its status is ``E`` or it came from the fallback.
    """
    info = stock.info
    if "grain_density_exponent" in info:
        return float(info["grain_density_exponent"]), info.get("grain_density_exponent_status", "E") == "E"
    return DEFAULT_DENSITY_EXPONENT[stock.kind], True


# --- transform -----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class GrainParams:
    """Parameters of one :class:`Grain` sample.

    Attributes
    ----------
    stock : str
        Stock whose granularity is used.
    rms_granularity : float
        Target visual RMS granularity ×1000 at 48 µm, D = 1.0 (published value × strength).
    granularity_estimated : bool
        True when the stock has no published granularity (status E in ``stocks.toml``).
    grain_size_um : float
        Correlation length on the film, µm.
    corr_length_px : float
        Correlation length in pixels of this scan.
    sigma_aperture : float
        σ_D per layer through the 48 µm aperture at D = 1.0, density units.
    sigma_pixel : float
        σ_D per layer of one pixel at D = 1.0, density units.
    density_exponent : float
        β of σ_D ∝ D^β.
    density_exponent_estimated : bool
        True when β is this project's estimate.
    layers : int
        1 (silver, or grey clip) or 3 (dye layers).
    layer_correlation : float
        Correlation between the dye layers' fields.
    model : str
        Renderer (``"fast"`` or ``"boolean"``).
    frame_seeds : numpy.ndarray of int64, shape (T,)
        Seed of each frame's field.
    """

    stock: str
    rms_granularity: float
    granularity_estimated: bool
    grain_size_um: float
    corr_length_px: float
    sigma_aperture: float
    sigma_pixel: float
    density_exponent: float
    density_exponent_estimated: bool
    layers: int
    layer_correlation: float
    model: str
    frame_seeds: np.ndarray


class Grain(InPlaceTransform):
    """Film grain calibrated to the stock's published RMS granularity (48 µm aperture, D = 1.0).

    Parameters
    ----------
    stock : str, optional
        Stock to take the granularity, grain size and density law from; default the medium's stock.
    strength : float or (float, float)
        Multiplier on the published granularity (1.0 = the datasheet value), in [0, 10]. A pair is
        sampled uniformly per clip.
    grain_size_um : float or (float, float), optional
        Correlation length of the grain on the film, µm (the 1/e radius of the autocorrelation), in
        [0.1, 200]; default the stock's ``grain_size_um`` (estimated for every stock).
    layer_correlation : float or (float, float)
        Correlation of the three dye layers' fields, in [0, 1]. Default 0: the layers are separate
        emulsions with independent grain (Newson et al. render channels independently, film-physics.md
        1.4). Ignored for B&W stocks.
    density_exponent : float, optional
        Override of β in σ_D ∝ D^β, in [0, 2] (default: the stock's value, see :func:`density_exponent`).
    model : str
        ``"fast"``: the calibrated Gaussian-correlated field (see module docstring). ``"boolean"``: the
        slow Monte Carlo reference, Newson et al.'s random-disc model
        (:func:`filmdegrade.effects.grain_boolean.render_boolean_grain_params`), for offline datasets.
    p : float
        Probability of applying the transform.

    Notes
    -----
    Stocks without a published granularity (status ``E``) still work; the recorded params say so with
    ``granularity_estimated=True``. Grain is fresh and independent every frame, never tied to the scene.
    Output is quantised to uint8 by the pipeline for uint8 input: the grain acts as its own dither (a
    pixel σ of ≥ 0.5 LSB at typical scan sizes), so no extra dither is added.
    """

    name = "grain"
    output_in_range = False  # grain around highlights can push transmittance past 1; the pipeline clips
    mask_names = ()
    params_cls = GrainParams

    def __init__(
        self,
        *,
        stock: str | None = None,
        strength: float | tuple[float, float] = 1.0,
        grain_size_um: float | tuple[float, float] | None = None,
        layer_correlation: float | tuple[float, float] = 0.0,
        density_exponent: float | None = None,
        model: str = "fast",
        p: float = 1.0,
    ) -> None:
        super().__init__(p=p)
        if stock is not None:
            get_stock(stock)
        self.stock = stock
        self.strength = check_range("strength", strength, 0.0, 10.0)
        self.grain_size_um = (
            None if grain_size_um is None else check_range("grain_size_um", grain_size_um, 0.1, 200.0)
        )
        self.layer_correlation = check_range("layer_correlation", layer_correlation, 0.0, 1.0)
        self.density_exponent = None if density_exponent is None else check_range(
            "density_exponent", density_exponent, 0.0, 2.0
        )
        self.model = check_choice("model", model, _MODELS)

    def sample_params(self, rng: np.random.Generator, ctx: ClipContext) -> GrainParams:
        """Clip-level granularity and grain size; one field seed per frame."""
        stock = get_stock(self.stock) if self.stock is not None else ctx.medium.stock_info
        strength = sample_range(rng, self.strength)
        size_um = sample_range(rng, stock.grain_size_um if self.grain_size_um is None else self.grain_size_um)
        rho = sample_range(rng, self.layer_correlation)
        frs = frame_rngs(rng, ctx.n_frames)
        seeds = np.array([int(f.integers(2**63 - 1)) for f in frs], dtype=np.int64)
        if self.density_exponent is None:
            beta, beta_est = density_exponent(stock)
        else:
            beta, beta_est = float(self.density_exponent), False
        layers = 3 if (stock.is_colour and ctx.channels == 3) else 1
        if layers == 1:
            rho = 1.0
        sigma_v = strength * stock.rms_granularity / 1000.0
        sigma_ap = layer_sigma(sigma_v, layers, rho)
        ell = ctx.px(size_um)
        return GrainParams(
            stock=stock.id,
            rms_granularity=strength * stock.rms_granularity,
            granularity_estimated=stock.granularity_is_estimated,
            grain_size_um=size_um,
            corr_length_px=ell,
            sigma_aperture=sigma_ap,
            sigma_pixel=pixel_sigma(sigma_ap, ell, ctx.um_per_px),
            density_exponent=beta,
            density_exponent_estimated=beta_est,
            layers=layers,
            layer_correlation=rho,
            model=self.model,
            frame_seeds=seeds,
        )

    def apply_into(
        self, frames: np.ndarray, out: np.ndarray, params: GrainParams
    ) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        """Add each frame's grain field (pixel by pixel: in place too; the boolean model: a new clip)."""
        if params.model == "boolean":
            from filmdegrade.effects.grain_boolean import render_boolean_grain_params

            return render_boolean_grain_params(frames, params), {}
        for t in range(frames.shape[0]):
            render_grain(
                frames[t],
                int(params.frame_seeds[t]),
                params.sigma_pixel,
                params.density_exponent,
                params.corr_length_px,
                params.layers,
                params.layer_correlation,
                out=out[t],
            )
        return out, {}
