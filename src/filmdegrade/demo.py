"""The bundled demo: every preset applied to a bundled image, as a labelled grid and a panning clip.

Uses scikit-image's bundled sample photos, so nothing is downloaded.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import cv2
import numpy as np

from filmdegrade._io import atomic_write_bytes
from filmdegrade.effects.sensitivity import render_monochrome, response_weights
from filmdegrade.pipeline import FilmPipeline, list_presets

__all__ = [
    "as_film_input",
    "bundled_image",
    "label",
    "make_grid",
    "pan_clip",
    "run_demo",
    "write_png",
    "write_video",
]


def bundled_image(name: str = "astronaut") -> np.ndarray:
    """A scikit-image sample photo as ``H×W×3`` uint8 RGB (``astronaut``, ``coffee``, ``chelsea``...)."""
    import skimage.data

    img = getattr(skimage.data, name)()
    if img.ndim == 2:
        img = np.repeat(img[..., None], 3, axis=-1)
    return np.ascontiguousarray(img[..., :3])


def as_film_input(img: np.ndarray, pipe: FilmPipeline) -> np.ndarray:
    """The clean image a pipeline's medium implies: a B&W stock's own rendition of a colour image.

    Parameters
    ----------
    img : numpy.ndarray, shape (H, W, 3), (H, W, 1) or (H, W)
        sRGB image, uint8 or float in [0, 1].
    pipe : FilmPipeline
        Its medium's stock decides: a colour stock returns ``img`` itself; a B&W stock returns ``img`` as its
        emulsion records it (:func:`~filmdegrade.effects.sensitivity.render_monochrome` with the stock's
        ``scene_sensitivity``: orthochromatic renders red dark and blue light), as a 3-channel grey image
        of ``img``'s dtype. A grey ``img`` (2-D or one channel) is repeated to 3 channels.
    """
    stock = pipe.medium.stock_info
    if stock.is_colour:
        return img
    if img.ndim == 2 or img.shape[-1] == 1:
        return np.repeat(img.reshape(*img.shape[:2], 1), 3, axis=-1)
    weights = response_weights(stock.scene_sensitivity or "panchromatic")
    grey = render_monochrome(img, weights)  # float32 in [0, 1]; uint8 is read as 0-255
    if img.dtype == np.uint8:
        return np.rint(grey * np.float32(255.0)).astype(np.uint8)
    return grey.astype(img.dtype, copy=False)


def label(img: np.ndarray, text: str) -> np.ndarray:
    """Return a copy of a uint8 RGB image with ``text`` in a dark band at the top."""
    out = img.copy()
    h = max(14, img.shape[0] // 14)
    out[:h] = (out[:h] * 0.35).astype(np.uint8)
    scale = h / 26
    cv2.putText(
        out, text, (4, int(h * 0.75)), cv2.FONT_HERSHEY_SIMPLEX, scale, (255, 255, 255), 1, cv2.LINE_AA
    )
    return out


def make_grid(tiles: Sequence[np.ndarray], cols: int = 4, pad: int = 4) -> np.ndarray:
    """Tile equally sized uint8 RGB images into a grid with a white gap of ``pad`` pixels."""
    h, w = tiles[0].shape[:2]
    rows = -(-len(tiles) // cols)
    grid = np.full((rows * (h + pad) + pad, cols * (w + pad) + pad, 3), 255, np.uint8)
    for i, t in enumerate(tiles):
        r, c = divmod(i, cols)
        grid[pad + r * (h + pad) : pad + r * (h + pad) + h, pad + c * (w + pad) : pad + c * (w + pad) + w] = t
    return grid


def pan_clip(img: np.ndarray, n_frames: int = 48, size: tuple[int, int] = (240, 320)) -> np.ndarray:
    """A synthetic camera pan over ``img``: ``n_frames × h × w × 3`` uint8, sub-pixel smooth motion."""
    h, w = size
    big = cv2.resize(img, (max(w * 2, img.shape[1]), max(h * 2, img.shape[0])), interpolation=cv2.INTER_CUBIC)
    frames = []
    for t in range(n_frames):
        s = t / max(n_frames - 1, 1)
        x0 = s * (big.shape[1] - w - 1)
        y0 = (0.3 + 0.4 * s) * (big.shape[0] - h - 1)
        m = np.float32([[1, 0, -x0], [0, 1, -y0]])
        frames.append(cv2.warpAffine(big, m, (w, h), flags=cv2.INTER_LINEAR))
    return np.stack(frames)


def write_png(path: str | Path, img: np.ndarray) -> Path:
    """Write a uint8 RGB (or greyscale) image as PNG, atomically."""
    bgr = img if img.ndim == 2 else cv2.cvtColor(img, cv2.COLOR_RGB2BGR)
    ok, buf = cv2.imencode(".png", bgr)
    if not ok:  # pragma: no cover - OpenCV failure
        raise OSError(f"could not encode {path}")
    return atomic_write_bytes(path, buf.tobytes())


def write_video(path: str | Path, frames: np.ndarray, fps: float = 18.0) -> Path:
    """Write ``T×H×W×3`` uint8 RGB frames as H.264 MP4 (PyAV, ``video`` extra), atomically."""
    try:
        import av
    except ImportError as e:  # pragma: no cover - depends on the extra
        raise ImportError("writing video needs PyAV: pip install 'filmdegrade[video]'") from e
    import io
    from fractions import Fraction

    buf = io.BytesIO()
    with av.open(buf, mode="w", format="mp4") as out:
        stream = out.add_stream("libx264", rate=Fraction(fps).limit_denominator(1000))
        stream.width, stream.height = frames.shape[2] // 2 * 2, frames.shape[1] // 2 * 2
        stream.pix_fmt = "yuv420p"
        stream.options = {"crf": "18"}
        for f in frames:
            frame = av.VideoFrame.from_ndarray(
                np.ascontiguousarray(f[: stream.height, : stream.width]), format="rgb24"
            )
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
    return atomic_write_bytes(path, buf.getvalue())


def run_demo(
    out_dir: str | Path = "filmdegrade-demo", *, seed: int = 0, progress: bool = True
) -> dict[str, Path]:
    """Degrade the bundled image with every preset; write ``presets_grid.png`` and ``pan_<preset>.mp4``.

    Returns the paths written.
    """
    from tqdm.auto import tqdm

    out_dir = Path(out_dir)
    names = list_presets()
    if not names:
        raise RuntimeError("no presets are bundled")
    img = cv2.resize(bundled_image("astronaut"), (384, 384), interpolation=cv2.INTER_AREA)
    tiles = [label(img, "clean")]
    for name in tqdm(names, desc="presets", disable=not progress):
        pipe = FilmPipeline.from_preset(name, seed=seed)
        tiles.append(label(pipe(as_film_input(img, pipe), index=0), name))
    paths = {"grid": write_png(out_dir / "presets_grid.png", make_grid(tiles, cols=4))}
    clip_preset = "super8" if "super8" in names else names[0]
    clip = pan_clip(bundled_image("astronaut"))
    degraded = FilmPipeline.from_preset(clip_preset, seed=seed)(clip, index=0)
    try:
        paths["clip"] = write_video(out_dir / f"pan_{clip_preset}.mp4", degraded)
    except ImportError as e:
        print(f"skipping the clip: {e}")
    return paths
