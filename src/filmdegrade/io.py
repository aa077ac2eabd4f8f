"""Reading footage (image files, folders of frames, videos) and writing deterministic PNGs.

Every reader returns arrays in the library's array contract (:mod:`filmdegrade.arrays`): 8-bit files
give ``uint8``; 16-bit files give ``float32`` in [0, 1] (value / 65535) so no precision is lost. Colour
images are RGB; an alpha channel is dropped. Videos are decoded with PyAV (the ``video`` extra),
imported only when a video is read.

Bad input raises :class:`FootageError` (a ``ValueError``) or ``FileNotFoundError`` with one clear line
naming the file.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import cv2
import numpy as np

from filmdegrade._io import atomic_write_bytes

__all__ = [
    "IMAGE_EXTENSIONS",
    "VIDEO_EXTENSIONS",
    "FootageError",
    "encode_png",
    "footage_kind",
    "iter_frames",
    "list_frame_files",
    "read_frames",
    "read_image",
    "read_video",
    "to_grey_float",
    "video_info",
    "write_png",
]

IMAGE_EXTENSIONS = (".png", ".tif", ".tiff", ".jpg", ".jpeg", ".bmp", ".webp", ".ppm", ".pgm", ".exr")
VIDEO_EXTENSIONS = (".mp4", ".mov", ".mkv", ".avi", ".webm", ".m4v", ".mpg", ".mpeg", ".dv", ".mxf", ".ts")
#: fixed PNG parameters: the same array always encodes to the same bytes.
PNG_PARAMS = (cv2.IMWRITE_PNG_COMPRESSION, 3)


class FootageError(ValueError):
    """Input footage that is missing, unreadable, corrupt or inconsistent (message names the file)."""


PathLike = str | os.PathLike[str]


def _natural_key(p: Path) -> list[object]:
    # frame2 before frame10: compare digit runs as numbers.
    return [int(s) if s.isdigit() else s.lower() for s in re.split(r"(\d+)", p.name)]


def footage_kind(path: PathLike) -> str:
    """``"image"``, ``"folder"`` or ``"video"`` for an existing path (by extension for files).

    Raises
    ------
    FileNotFoundError
        ``path`` does not exist.
    FootageError
        A file whose extension is neither an image nor a video extension.
    """
    p = Path(path)
    if p.is_dir():
        return "folder"
    if not p.exists():
        raise FileNotFoundError(f"no such file or folder: {p}")
    ext = p.suffix.lower()
    if ext in IMAGE_EXTENSIONS:
        return "image"
    if ext in VIDEO_EXTENSIONS:
        return "video"
    raise FootageError(
        f"{p}: unknown file type {ext or '(no extension)'!r}; expected an image "
        f"({', '.join(IMAGE_EXTENSIONS)}), a video ({', '.join(VIDEO_EXTENSIONS)}) or a folder of frames"
    )


def list_frame_files(folder: PathLike) -> list[Path]:
    """Image files directly inside ``folder``, in natural order (``f2.png`` before ``f10.png``).

    Hidden files (names starting with ``.``) are ignored. Raises :class:`FootageError` when there are none.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise FileNotFoundError(f"no such folder: {folder}")
    files = [
        p
        for p in folder.iterdir()
        if p.is_file() and not p.name.startswith(".") and p.suffix.lower() in IMAGE_EXTENSIONS
    ]
    if not files:
        raise FootageError(f"{folder}: folder holds no image files ({', '.join(IMAGE_EXTENSIONS)})")
    return sorted(files, key=_natural_key)


def _quiet_imdecode(data: np.ndarray) -> np.ndarray | None:
    # OpenCV logs its own warnings for a broken file on stderr; our error says it in one line instead.
    log = getattr(getattr(cv2, "utils", None), "logging", None)
    old = log.getLogLevel() if log is not None else None
    if log is not None:
        log.setLogLevel(log.LOG_LEVEL_SILENT)
    try:
        return cv2.imdecode(data, cv2.IMREAD_UNCHANGED)
    finally:
        if log is not None:
            log.setLogLevel(old)


def read_image(path: PathLike) -> np.ndarray:
    """Read one image file as ``H×W×C`` (``C`` = 1 for greyscale, 3 for RGB).

    Parameters
    ----------
    path : str or path-like
        PNG, TIFF, JPEG, ... (anything OpenCV decodes), 8- or 16-bit.

    Returns
    -------
    numpy.ndarray
        ``uint8`` for 8-bit files; ``float32`` in [0, 1] for 16-bit and floating-point files.

    Raises
    ------
    FileNotFoundError
        The file does not exist.
    FootageError
        The file cannot be decoded as an image.
    """
    p = Path(path)
    if not p.is_file():
        raise FileNotFoundError(f"no such image file: {p}")
    data = np.fromfile(p, dtype=np.uint8)
    img = _quiet_imdecode(data) if data.size else None
    if img is None:
        raise FootageError(f"{p}: cannot decode the image (corrupt or unsupported format)")
    if img.ndim == 3 and img.shape[2] == 4:
        img = img[..., :3]
    if img.ndim == 3 and img.shape[2] == 3:
        img = cv2.cvtColor(img, cv2.COLOR_BGR2RGB)
    if img.ndim == 2:
        img = img[..., None]
    if img.ndim != 3 or img.shape[2] not in (1, 3):
        raise FootageError(f"{p}: unsupported image layout {img.shape}")
    if img.dtype == np.uint8:
        return np.ascontiguousarray(img)
    if img.dtype == np.uint16:
        return (img.astype(np.float32) * np.float32(1.0 / 65535.0)).astype(np.float32)
    if img.dtype in (np.float32, np.float64, np.float16):
        return np.clip(np.nan_to_num(img.astype(np.float32)), 0.0, 1.0)
    raise FootageError(f"{p}: unsupported image sample type {img.dtype}")


def _open_video(p: Path):  # type: ignore[no-untyped-def]
    try:
        import av
    except ImportError as e:  # pragma: no cover - depends on the extra
        raise FootageError(f"{p}: reading video needs PyAV: pip install 'filmdegrade[video]'") from e
    if not p.is_file():
        raise FileNotFoundError(f"no such video file: {p}")
    try:
        container = av.open(str(p))
    except (av.error.FFmpegError, ValueError, OSError) as e:
        raise FootageError(f"{p}: cannot open the video (corrupt or unsupported): {_one_line(e)}") from None
    if not container.streams.video:
        container.close()
        raise FootageError(f"{p}: the file holds no video stream")
    return container


def _one_line(e: BaseException) -> str:
    return " ".join(str(e).split()) or type(e).__name__


def video_info(path: PathLike) -> dict[str, object]:
    """Width, height, frame rate (frames/s) and frame count (0 when the container does not say)."""
    p = Path(path)
    container = _open_video(p)
    try:
        s = container.streams.video[0]
        rate = float(s.average_rate) if s.average_rate else 0.0
        return {"width": s.width, "height": s.height, "fps": rate, "frames": int(s.frames or 0)}
    finally:
        container.close()


def read_video(path: PathLike, *, start: int = 0, max_frames: int | None = None) -> Iterator[np.ndarray]:
    """Decode a video's frames one by one as ``H×W×3`` uint8 RGB.

    Parameters
    ----------
    path : str or path-like
        Any container/codec PyAV's FFmpeg decodes.
    start : int
        Number of frames to skip first.
    max_frames : int, optional
        Stop after this many frames.

    Raises
    ------
    FootageError
        PyAV missing, the file cannot be opened, holds no video, or is corrupt (no frame decodes).
    """
    import av

    p = Path(path)
    container = _open_video(p)
    n = 0
    try:
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"
        for i, frame in enumerate(container.decode(stream)):
            if i < start:
                continue
            if max_frames is not None and n >= max_frames:
                break
            n += 1
            yield frame.to_ndarray(format="rgb24")
    except av.error.FFmpegError as e:
        if n == 0:
            raise FootageError(f"{p}: corrupt video, no frame decodes: {_one_line(e)}") from None
        # Later damage: keep the frames decoded so far (common for truncated captures).
    finally:
        container.close()
    if n == 0 and start == 0 and max_frames != 0:
        raise FootageError(f"{p}: corrupt or empty video, no frame decodes")


def iter_frames(path: PathLike, *, start: int = 0, max_frames: int | None = None) -> Iterator[np.ndarray]:
    """Yield the frames of an image, a folder of frames or a video, one ``H×W×C`` array at a time."""
    if start < 0 or (max_frames is not None and max_frames < 1):
        raise ValueError(f"start must be >= 0 and max_frames >= 1, got {start}, {max_frames}")
    kind = footage_kind(path)
    if kind == "video":
        yield from read_video(path, start=start, max_frames=max_frames)
        return
    files = [Path(path)] if kind == "image" else list_frame_files(path)
    stop = None if max_frames is None else start + max_frames
    for f in files[start:stop]:
        yield read_image(f)


def read_frames(
    path: PathLike, *, start: int = 0, max_frames: int | None = None, progress: bool = False
) -> np.ndarray:
    """Read an image, a folder of frames or a video as one clip ``T×H×W×C``.

    Parameters
    ----------
    path : str or path-like
        Image file (T = 1), folder of image files (natural order) or video file.
    start, max_frames : int
        Frames to skip, and the most frames to read.
    progress : bool
        Show a progress bar.

    Returns
    -------
    numpy.ndarray
        ``uint8`` when every frame is 8-bit, else ``float32`` in [0, 1].

    Raises
    ------
    FileNotFoundError, FootageError
        Missing or unreadable input, or frames of different sizes.
    """
    from tqdm.auto import tqdm

    frames: list[np.ndarray] = []
    frame_iter = iter_frames(path, start=start, max_frames=max_frames)
    # delay: no bar (and no stray stderr lines before an error) for quick reads.
    for f in tqdm(frame_iter, desc="reading", disable=not progress, delay=0.5):
        if frames and f.shape != frames[0].shape:
            raise FootageError(
                f"{path}: frame {start + len(frames)} has shape {f.shape}, the first frame {frames[0].shape}"
            )
        frames.append(f)
    if not frames:
        raise FootageError(f"{path}: no frames to read (start={start})")
    if any(f.dtype != np.uint8 for f in frames):
        frames = [f if f.dtype == np.float32 else f.astype(np.float32) / np.float32(255.0) for f in frames]
    return np.stack(frames)


def to_grey_float(x: np.ndarray) -> np.ndarray:
    """Frames or an image as float32 greyscale in [0, 1]: ``T×H×W`` for a clip, ``H×W`` for an image.

    Colour input uses BT.601 luma weights (what a greyscale scan or a video luma channel holds).
    """
    a = np.asarray(x)
    f = a.astype(np.float32) * np.float32(1.0 / 255.0) if a.dtype == np.uint8 else a.astype(np.float32)
    if f.ndim >= 3 and f.shape[-1] == 3:
        w = np.array([0.299, 0.587, 0.114], np.float32)
        f = f @ w
    elif f.ndim >= 3 and f.shape[-1] == 1:
        f = f[..., 0]
    return np.ascontiguousarray(f, dtype=np.float32)


def encode_png(img: np.ndarray) -> bytes:
    """PNG bytes of an ``H×W``, ``H×W×1`` or ``H×W×3`` RGB image, byte-deterministic.

    ``uint8`` is written as 8-bit; ``uint16`` as 16-bit; floats in [0, 1] as 16-bit (rounded).
    """
    a = np.asarray(img)
    if a.dtype.kind == "f":
        a = np.rint(np.clip(a, 0.0, 1.0) * 65535.0).astype(np.uint16)
    if a.dtype not in (np.uint8, np.uint16):
        raise TypeError(f"cannot write dtype {a.dtype} as PNG")
    if a.ndim == 3 and a.shape[2] == 1:
        a = a[..., 0]
    if a.ndim == 3:
        if a.shape[2] != 3:
            raise ValueError(f"PNG images must have 1 or 3 channels, got shape {a.shape}")
        a = cv2.cvtColor(np.ascontiguousarray(a), cv2.COLOR_RGB2BGR)
    ok, buf = cv2.imencode(".png", np.ascontiguousarray(a), list(PNG_PARAMS))
    if not ok:  # pragma: no cover - OpenCV failure
        raise OSError("OpenCV could not encode a PNG")
    return buf.tobytes()


def write_png(path: PathLike, img: np.ndarray) -> Path:
    """Write :func:`encode_png` bytes to ``path`` atomically (temporary name, then rename)."""
    return atomic_write_bytes(path, encode_png(img))
