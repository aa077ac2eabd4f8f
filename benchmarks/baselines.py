"""The chains a user would pick instead of filmdegrade, for ``benchmarks/run.py``.

Three baselines, all timed on the same frames as the filmdegrade effects:

* **albumentations 2.0.8**: ``GaussNoise``, ``ISONoise`` and an 8-op "old film" chain built from its nearest
  transforms (:data:`ALBUMENTATIONS_OLD_FILM`, which documents which op stands in for which effect).
* **Real-ESRGAN second-order degradation** (:func:`realesrgan_degrade`), written here with OpenCV and a
  seeded :class:`numpy.random.Generator` from the published ``train_realesrgan_x4plus.yml`` ranges
  (``/work/shared/reference/models.md`` section 1.5): blur → resize → noise → JPEG, twice, then the final
  {resize back + sinc, JPEG} in random order.
* **Memory-bandwidth floor** (:func:`bandwidth_floor`): one ``np.add`` over the frame into a preallocated
  output, the cost of touching every float32 sample once.

Differences from the original Real-ESRGAN code, kept deliberately small:

* The original runs on the GPU in torch (``filter2D`` with reflect padding, ``F.interpolate``, DiffJPEG).
  Here: ``cv2.filter2D`` with ``BORDER_REFLECT_101`` (the same padding), ``cv2.resize`` with
  area/bilinear/bicubic, ``cv2.imencode`` JPEG on the frame rounded to uint8.
* Torch's ``area`` mode when upscaling is nearest-like; OpenCV's ``INTER_AREA`` upscales bilinearly.
* The unsharp-masked target (``gt_usm``) belongs to the training target, not the degradation: not applied.
* Poisson noise follows the original exactly, including its level count ``2**ceil(log2(#unique values))``
  (``np.unique`` over the frame, about 60 ms at 1080p on one core).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import cv2
import numpy as np
from scipy import special

__all__ = [
    "ALBUMENTATIONS_OLD_FILM",
    "REALESRGAN_STAGE1",
    "REALESRGAN_STAGE2",
    "RealESRGANStage",
    "albumentations_cases",
    "albumentations_version",
    "bandwidth_floor",
    "realesrgan_degrade",
]

KERNEL_SIZE = 21  # Real-ESRGAN pads every kernel to 21×21
KERNEL_LIST = ("iso", "aniso", "generalized_iso", "generalized_aniso", "plateau_iso", "plateau_aniso")
KERNEL_PROB = (0.45, 0.25, 0.12, 0.03, 0.12, 0.03)
_INTERP = (cv2.INTER_AREA, cv2.INTER_LINEAR, cv2.INTER_CUBIC)  # torch modes 'area', 'bilinear', 'bicubic'


@dataclass(frozen=True)
class RealESRGANStage:
    """One stage of Real-ESRGAN's degradation, with the ranges of ``train_realesrgan_x4plus.yml``.

    Attributes
    ----------
    blur_sigma : tuple of float
        Gaussian-family kernel sigma range, pixels.
    betag, betap : tuple of float
        Shape ranges of the generalized-Gaussian and plateau kernels.
    sinc_prob : float
        Probability of a sinc (circular low-pass) kernel instead.
    blur_prob : float
        Probability the blur runs at all (1 in stage one, ``second_blur_prob`` in stage two).
    resize_prob : tuple of float
        Probabilities of up, down, keep.
    resize_range : tuple of float
        Scale range (stage two is relative to the final low-resolution size).
    gaussian_noise_prob, gray_noise_prob : float
        Probability of Gaussian (else Poisson) noise, and of the noise being the same in all channels.
    noise_range : tuple of float
        Gaussian sigma range, in 8-bit levels.
    poisson_scale_range : tuple of float
        Poisson noise scale range.
    jpeg_range : tuple of float
        JPEG quality range.
    """

    blur_sigma: tuple[float, float]
    betag: tuple[float, float]
    betap: tuple[float, float]
    sinc_prob: float
    blur_prob: float
    resize_prob: tuple[float, float, float]
    resize_range: tuple[float, float]
    gaussian_noise_prob: float
    gray_noise_prob: float
    noise_range: tuple[float, float]
    poisson_scale_range: tuple[float, float]
    jpeg_range: tuple[float, float]


# models.md 1.5. Stage two's kernel shapes (betag2, betap2, sinc_prob2) and noise probabilities are the same
# values as stage one in the options file; models.md lists only the ranges that differ.
REALESRGAN_STAGE1 = RealESRGANStage(
    blur_sigma=(0.2, 3.0), betag=(0.5, 4.0), betap=(1.0, 2.0), sinc_prob=0.1, blur_prob=1.0,
    resize_prob=(0.2, 0.7, 0.1), resize_range=(0.15, 1.5), gaussian_noise_prob=0.5, gray_noise_prob=0.4,
    noise_range=(1.0, 30.0), poisson_scale_range=(0.05, 3.0), jpeg_range=(30.0, 95.0),
)  # fmt: skip
REALESRGAN_STAGE2 = RealESRGANStage(
    blur_sigma=(0.2, 1.5), betag=(0.5, 4.0), betap=(1.0, 2.0), sinc_prob=0.1, blur_prob=0.8,
    resize_prob=(0.3, 0.4, 0.3), resize_range=(0.3, 1.2), gaussian_noise_prob=0.5, gray_noise_prob=0.4,
    noise_range=(1.0, 25.0), poisson_scale_range=(0.05, 2.5), jpeg_range=(30.0, 95.0),
)  # fmt: skip
FINAL_SINC_PROB = 0.8


# --- kernels (after basicsr/data/degradations.py) ----------------------------------------------------------
def _grid(size: int) -> np.ndarray:
    ax = np.arange(-(size // 2), size // 2 + 1, dtype=np.float64)
    xx, yy = np.meshgrid(ax, ax)
    return np.stack([xx, yy], -1)


def _quadratic_form(size: int, sig_x: float, sig_y: float, theta: float) -> np.ndarray:
    c, s = np.cos(theta), np.sin(theta)
    u = np.array([[c, -s], [s, c]])
    inv = np.linalg.inv(u @ np.diag([sig_x**2, sig_y**2]) @ u.T)
    g = _grid(size)
    return np.sum((g @ inv) * g, -1)


def _beta(rng: np.random.Generator, lo_hi: tuple[float, float]) -> float:
    # As in basicsr: half the draws below 1, half above, so both shapes are equally likely.
    return float(rng.uniform(lo_hi[0], 1.0) if rng.uniform() < 0.5 else rng.uniform(1.0, lo_hi[1]))


def _mixed_kernel(rng: np.random.Generator, st: RealESRGANStage, size: int) -> np.ndarray:
    kind = KERNEL_LIST[int(rng.choice(len(KERNEL_LIST), p=KERNEL_PROB))]
    sig_x = float(rng.uniform(*st.blur_sigma))
    if kind.endswith("iso") and not kind.endswith("aniso"):
        sig_y, theta = sig_x, 0.0
    else:
        sig_y, theta = float(rng.uniform(*st.blur_sigma)), float(rng.uniform(-np.pi, np.pi))
    q = _quadratic_form(size, sig_x, sig_y, theta)
    if kind.startswith("generalized"):
        k = np.exp(-0.5 * np.power(q, _beta(rng, st.betag)))
    elif kind.startswith("plateau"):
        k = 1.0 / (np.power(q, _beta(rng, st.betap)) + 1.0)
    else:
        k = np.exp(-0.5 * q)
    return k / k.sum()


def _sinc_kernel(cutoff: float, size: int) -> np.ndarray:
    r = np.hypot(*np.moveaxis(_grid(size), -1, 0))
    with np.errstate(divide="ignore", invalid="ignore"):
        k = cutoff * special.j1(cutoff * r) / (2 * np.pi * r)
    k[size // 2, size // 2] = cutoff**2 / (4 * np.pi)
    return k / k.sum()


def _pad_kernel(k: np.ndarray) -> np.ndarray:
    p = (KERNEL_SIZE - k.shape[0]) // 2
    return np.pad(k, p) if p else k


def _stage_kernel(rng: np.random.Generator, st: RealESRGANStage) -> np.ndarray:
    size = int(rng.choice(np.arange(7, 22, 2)))
    if rng.uniform() < st.sinc_prob:
        cutoff = rng.uniform(np.pi / 3, np.pi) if size < 13 else rng.uniform(np.pi / 5, np.pi)
        return _pad_kernel(_sinc_kernel(float(cutoff), size))
    return _pad_kernel(_mixed_kernel(rng, st, size))


# --- image operations -------------------------------------------------------------------------------------
def _filter(img: np.ndarray, k: np.ndarray) -> np.ndarray:
    return cv2.filter2D(img, -1, k.astype(np.float32), borderType=cv2.BORDER_REFLECT_101)


def _resize(img: np.ndarray, h: int, w: int, rng: np.random.Generator) -> np.ndarray:
    return cv2.resize(img, (max(w, 1), max(h, 1)), interpolation=_INTERP[int(rng.integers(3))])


def _noise(img: np.ndarray, st: RealESRGANStage, rng: np.random.Generator) -> np.ndarray:
    gray = rng.uniform() < st.gray_noise_prob
    shape = img.shape[:2] + ((1,) if gray else img.shape[2:])
    if rng.uniform() < st.gaussian_noise_prob:
        sigma = rng.uniform(*st.noise_range) / 255.0
        noise = rng.standard_normal(shape, dtype=np.float32) * np.float32(sigma)
    else:
        scale = np.float32(rng.uniform(*st.poisson_scale_range))
        src = img @ np.float32([0.299, 0.587, 0.114])[:, None] if gray else img  # rgb_to_grayscale
        src = np.clip(src, 0.0, 1.0)
        # basicsr: levels = 2**ceil(log2(number of distinct values)), from the image itself.
        vals = float(2 ** np.ceil(np.log2(max(len(np.unique(src)), 2))))
        noise = (rng.poisson(src * vals).astype(np.float32) / np.float32(vals) - src) * scale
    return np.clip(img + noise, 0.0, 1.0, dtype=np.float32)


def _jpeg(img: np.ndarray, st: RealESRGANStage, rng: np.random.Generator) -> np.ndarray:
    q = int(rng.uniform(*st.jpeg_range))
    u8 = np.rint(np.clip(img, 0.0, 1.0) * 255.0).astype(np.uint8)
    ok, buf = cv2.imencode(".jpg", u8, [cv2.IMWRITE_JPEG_QUALITY, q])
    if not ok:  # pragma: no cover - OpenCV always has a JPEG encoder
        raise RuntimeError("cv2.imencode failed")
    return cv2.imdecode(buf, cv2.IMREAD_UNCHANGED).astype(np.float32) * np.float32(1.0 / 255.0)


def _scale(rng: np.random.Generator, st: RealESRGANStage) -> float:
    kind = int(rng.choice(3, p=st.resize_prob))
    if kind == 0:
        return float(rng.uniform(1.0, st.resize_range[1]))
    if kind == 1:
        return float(rng.uniform(st.resize_range[0], 1.0))
    return 1.0


def realesrgan_degrade(img: np.ndarray, rng: np.random.Generator | int, *, scale: int = 4) -> np.ndarray:
    """Real-ESRGAN's second-order degradation of one RGB frame.

    Parameters
    ----------
    img : numpy.ndarray
        ``H×W×3`` float32 in [0, 1] (the clean, high-resolution frame).
    rng : numpy.random.Generator or int
        Source of every random draw (SPEC 7).
    scale : int
        Output is ``H//scale × W//scale``; 4 is the published x4 setting, 1 keeps the input size (the
        like-for-like comparison with filmdegrade, whose effects keep the size).

    Returns
    -------
    numpy.ndarray
        The degraded frame, float32 in [0, 1], quantised to 8-bit levels as in the original.
    """
    rng = np.random.default_rng(rng)
    h, w = img.shape[:2]
    s1, s2 = REALESRGAN_STAGE1, REALESRGAN_STAGE2
    # Stage one, at the input resolution.
    out = _filter(img, _stage_kernel(rng, s1))
    f = _scale(rng, s1)
    out = _resize(out, int(h * f), int(w * f), rng)
    out = _jpeg(_noise(out, s1, rng), s1, rng)
    # Stage two; its resize is relative to the final size.
    if rng.uniform() < s2.blur_prob:
        out = _filter(out, _stage_kernel(rng, s2))
    f = _scale(rng, s2)
    out = _resize(out, int(h / scale * f), int(w / scale * f), rng)
    out = _noise(out, s2, rng)
    # Final: {resize back + sinc} and JPEG, in random order.
    if rng.uniform() < FINAL_SINC_PROB:
        size = int(rng.choice(np.arange(7, 22, 2)))
        sinc = _pad_kernel(_sinc_kernel(float(rng.uniform(np.pi / 3, np.pi)), size))
    else:
        sinc = None

    def back(x: np.ndarray) -> np.ndarray:
        x = _resize(x, h // scale, w // scale, rng)
        return x if sinc is None else _filter(x, sinc)

    out = _jpeg(back(out), s2, rng) if rng.uniform() < 0.5 else back(_jpeg(out, s2, rng))
    return np.rint(np.clip(out, 0.0, 1.0) * 255.0).astype(np.float32) / np.float32(255.0)


def bandwidth_floor(frames: np.ndarray) -> Callable[[], None]:
    """A callable doing one ``np.add`` over ``frames`` into a preallocated output (the memory floor)."""
    out = np.empty_like(frames)
    one = frames.dtype.type(1)
    return lambda: np.add(frames, one, out=out)


# --- albumentations -----------------------------------------------------------------------------------------
# Which albumentations 2.0.8 op stands in for which filmdegrade effect (8 ops, all p=1).
ALBUMENTATIONS_OLD_FILM: dict[str, str] = {
    "grain": "GaussNoise(std_range=(0.02, 0.06))",
    "flicker": "RandomBrightnessContrast(brightness_limit=0.1, contrast_limit=0.1)",
    "weave": "Affine(translate_percent=(-0.01, 0.01), rotate=(-0.5, 0.5))",
    "optics": "GaussianBlur(blur_limit=(3, 7))",
    "fading": "RGBShift(r_shift_limit=(0, 20), g_shift_limit=(-10, 0), b_shift_limit=(-20, 0))",
    "dust": "CoarseDropout(num_holes_range=(2, 10), hole_*_range=(0.002, 0.01), fill=0)",
    "scratches": "RandomShadow(num_shadows_limit=(1, 2), shadow_dimension=4) (no line-scratch op exists)",
    "codec/transfer": "ImageCompression(quality_range=(40, 90))",
}


def _old_film_chain(a: Any, seed: int) -> Any:
    return a.Compose(
        [
            a.GaussNoise(std_range=(0.02, 0.06), p=1.0),
            a.RandomBrightnessContrast(brightness_limit=0.1, contrast_limit=0.1, p=1.0),
            a.Affine(translate_percent=(-0.01, 0.01), rotate=(-0.5, 0.5), p=1.0),
            a.GaussianBlur(blur_limit=(3, 7), p=1.0),
            a.RGBShift(r_shift_limit=(0, 20), g_shift_limit=(-10, 0), b_shift_limit=(-20, 0), p=1.0),
            a.CoarseDropout(
                num_holes_range=(2, 10),
                hole_height_range=(0.002, 0.01),
                hole_width_range=(0.002, 0.01),
                fill=0,
                p=1.0,
            ),
            a.RandomShadow(shadow_roi=(0, 0, 1, 1), num_shadows_limit=(1, 2), shadow_dimension=4, p=1.0),
            a.ImageCompression(quality_range=(40, 90), p=1.0),
        ],
        seed=seed,
    )


def albumentations_cases(seed: int = 0) -> dict[str, Any]:
    """Named albumentations callables ``f(image=HxWxC) -> dict``; empty if albumentations is missing.

    Returns
    -------
    dict of str to callable
        ``"GaussNoise"``, ``"ISONoise"`` and ``"old film chain (8 ops)"``.
    """
    try:
        import albumentations as a
    except ImportError:  # pragma: no cover - optional extra
        return {}
    return {
        "GaussNoise": a.Compose([a.GaussNoise(p=1.0)], seed=seed),
        "ISONoise": a.Compose([a.ISONoise(p=1.0)], seed=seed),
        "old film chain (8 ops)": _old_film_chain(a, seed),
    }


def albumentations_version() -> str | None:
    """Installed albumentations version, or ``None``."""
    try:
        from importlib.metadata import version

        return version("albumentations")
    except Exception:  # any metadata failure means "not installed" here
        return None
