"""Clean-frame sources for the dataset wrappers: image folders, video files, frame sequences, arrays.

Two kinds of source, both indexable and picklable (so they travel to DataLoader workers):

:class:`ImageSource`
    ``len(source)`` images; ``source.read(i)`` returns one ``H×W×C`` array.
:class:`ClipSource`
    ``len(source)`` clips (videos or frame sequences); ``source.n_frames(i)`` and
    ``source.read_frames(i, start, count)`` return ``count×H×W×C`` arrays.

Arrays come back in their stored dtype (``uint8``, ``uint16`` or ``float32``), RGB channel order, with
``channels`` channels (grey is repeated to RGB, alpha is dropped). :func:`to_float32` scales any of them to
float32 in [0, 1] (16-bit by 1/65535); the datasets call it after cropping, so a 16-bit scan is only
converted where it is used.

Folders are searched recursively and sorted by relative path, so item ``i`` is the same file on every
machine. Sources never decode at construction except to count video frames (read from the container
header when it records them).
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import cv2
import numpy as np

__all__ = [
    "IMAGE_EXTENSIONS",
    "VIDEO_EXTENSIONS",
    "ArrayClips",
    "ArrayImages",
    "ClipSource",
    "FrameFolders",
    "FramesAsImages",
    "ImageFolder",
    "ImageSource",
    "VideoFolder",
    "as_clip_source",
    "as_image_source",
    "count_frames",
    "read_image",
    "to_float32",
]

IMAGE_EXTENSIONS = (".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp", ".webp")
VIDEO_EXTENSIONS = (".mp4", ".mkv", ".mov", ".avi", ".webm", ".m4v", ".mpg", ".mpeg", ".mxf", ".dv", ".ts")


# --- pixel helpers -------------------------------------------------------------------------------------
def to_float32(x: np.ndarray) -> np.ndarray:
    """Scale a ``uint8``, ``uint16`` or float array to a new float32 array in [0, 1].

    Raises
    ------
    TypeError
        For any other dtype.
    """
    if x.dtype == np.uint8:
        return x.astype(np.float32) * np.float32(1.0 / 255.0)
    if x.dtype == np.uint16:
        return x.astype(np.float32) * np.float32(1.0 / 65535.0)
    if x.dtype.kind == "f":
        return np.clip(x, 0.0, 1.0).astype(np.float32)
    raise TypeError(f"image dtype must be uint8, uint16 or float in [0, 1], got {x.dtype}")


def _fix_channels(x: np.ndarray, channels: int, where: str) -> np.ndarray:
    """``H×W`` / ``H×W×C`` (RGB order) → ``H×W×channels``; grey repeated, alpha dropped."""
    if x.ndim == 2:
        x = x[:, :, None]
    if x.ndim != 3:
        raise ValueError(f"{where}: expected an H×W or H×W×C image, got shape {x.shape}")
    c = x.shape[2]
    if c in (2, 4):  # grey+alpha or RGBA: the alpha channel is not part of the picture
        x = x[:, :, : c - 1]
        c -= 1
    if c == channels:
        return x
    if c == 1 and channels == 3:
        return np.repeat(x, 3, axis=2)
    if c == 3 and channels == 1:
        return cv2.cvtColor(np.ascontiguousarray(x), cv2.COLOR_RGB2GRAY)[:, :, None]
    raise ValueError(f"{where}: cannot turn {c} channels into {channels}")


def _check_channels(channels: int) -> int:
    if channels not in (1, 3):
        raise ValueError(f"channels must be 1 or 3, got {channels!r}")
    return channels


def read_image(path: str | os.PathLike[str], channels: int = 3) -> np.ndarray:
    """Read an image file as ``H×W×channels`` RGB, keeping its bit depth (uint8, uint16 or float32).

    Uses ``cv2.imread(path, cv2.IMREAD_UNCHANGED)`` so 16-bit PNG/TIFF keep 16 bits.

    Raises
    ------
    ValueError
        The file cannot be decoded (the message names the file).
    """
    path = os.fspath(path)
    img = cv2.imread(path, cv2.IMREAD_UNCHANGED)
    if img is None or img.size == 0:
        raise ValueError(f"cannot read image file {path!r} (missing, truncated or not an image)")
    if img.dtype not in (np.uint8, np.uint16, np.float32):
        raise ValueError(f"image file {path!r} has unsupported sample type {img.dtype}")
    if img.ndim == 3 and img.shape[2] >= 3:
        img = img[:, :, [2, 1, 0, *range(3, img.shape[2])]]  # OpenCV reads BGR(A)
    return _fix_channels(img, channels, path)


def _files(root: Path, exts: tuple[str, ...]) -> list[Path]:
    return sorted(
        (
            p
            for p in root.rglob("*")
            if p.is_file() and p.suffix.lower() in exts and not p.name.startswith(".")
        ),
        key=lambda p: p.relative_to(root).as_posix(),
    )


def _check_dir(root: str | os.PathLike[str], what: str) -> Path:
    path = Path(root)
    if not path.is_dir():
        raise ValueError(f"{what} must be an existing folder, got {os.fspath(root)!r}")
    return path


# --- base classes -------------------------------------------------------------------------------------
class ImageSource:
    """Indexable collection of still images (base class)."""

    channels: int = 3

    def __len__(self) -> int:
        raise NotImplementedError

    def name(self, i: int) -> str:
        """Human-readable name of item ``i`` (a file path) for error messages."""
        return f"{type(self).__name__}[{i}]"

    def read(self, i: int) -> np.ndarray:
        """Image ``i`` as ``H×W×channels`` (uint8, uint16 or float32)."""
        raise NotImplementedError


class ClipSource:
    """Indexable collection of clips (videos or frame sequences; base class)."""

    channels: int = 3

    def __len__(self) -> int:
        raise NotImplementedError

    def name(self, i: int) -> str:
        """Human-readable name of clip ``i`` (a path) for error messages."""
        return f"{type(self).__name__}[{i}]"

    def n_frames(self, i: int) -> int:
        """Number of frames of clip ``i``."""
        raise NotImplementedError

    def read_frames(self, i: int, start: int, count: int) -> np.ndarray:
        """Frames ``start .. start+count-1`` of clip ``i`` as ``count×H×W×channels``."""
        raise NotImplementedError


def _check_span(n: int, start: int, count: int, where: str) -> None:
    if count < 1 or start < 0 or start + count > n:
        raise ValueError(f"{where}: frames [{start}, {start + count}) out of range for {n} frames")


# --- images -------------------------------------------------------------------------------------------
class ImageFolder(ImageSource):
    """Every image file under ``root`` (recursive; PNG, JPEG, TIFF, BMP, WebP; 8 or 16 bit).

    Parameters
    ----------
    root : path
        Folder to search.
    channels : {3, 1}
        Channels of the returned arrays (grey files are repeated to RGB; colour files converted to luma).

    Raises
    ------
    ValueError
        ``root`` is not a folder or holds no image files.
    """

    def __init__(self, root: str | os.PathLike[str], channels: int = 3) -> None:
        self.root = _check_dir(root, "root")
        self.channels = _check_channels(channels)
        self.files = [str(p) for p in _files(self.root, IMAGE_EXTENSIONS)]
        if not self.files:
            raise ValueError(f"no image files ({', '.join(IMAGE_EXTENSIONS)}) found under {str(self.root)!r}")

    def __len__(self) -> int:
        return len(self.files)

    def name(self, i: int) -> str:
        """Identifier of item ``i`` (its path), for error messages."""
        return self.files[i]

    def read(self, i: int) -> np.ndarray:
        """Item ``i`` as an array (see :func:`to_float32` for the value range)."""
        return read_image(self.files[i], self.channels)


class ArrayImages(ImageSource):
    """In-memory images: a list of ``H×W[×C]`` arrays or an ``N×H×W[×C]`` array (uint8, uint16, float)."""

    def __init__(self, images: Sequence[np.ndarray] | np.ndarray, channels: int = 3) -> None:
        self.channels = _check_channels(channels)
        if isinstance(images, np.ndarray):
            if images.ndim not in (3, 4):
                raise ValueError(f"images array must be N×H×W or N×H×W×C, got shape {images.shape}")
            images = list(images)
        if not isinstance(images, Sequence) or isinstance(images, str | bytes):
            raise TypeError(f"images must be a list of arrays or an array, got {type(images).__name__}")
        if len(images) == 0:
            raise ValueError("images is empty")
        for k, im in enumerate(images):
            if not isinstance(im, np.ndarray) or im.ndim not in (2, 3):
                raise ValueError(
                    f"images[{k}] must be an H×W or H×W×C array, got {getattr(im, 'shape', im)!r}"
                )
        self.images = list(images)

    def __len__(self) -> int:
        return len(self.images)

    def read(self, i: int) -> np.ndarray:
        """Item ``i`` as an array (see :func:`to_float32` for the value range)."""
        return _fix_channels(self.images[i], self.channels, self.name(i))


# --- clips --------------------------------------------------------------------------------------------
class ArrayClips(ClipSource):
    """In-memory clips: a list of ``T×H×W[×C]`` arrays or an ``N×T×H×W[×C]`` array."""

    def __init__(self, clips: Sequence[np.ndarray] | np.ndarray, channels: int = 3) -> None:
        self.channels = _check_channels(channels)
        if isinstance(clips, np.ndarray):
            if clips.ndim not in (4, 5):
                raise ValueError(f"clips array must be N×T×H×W or N×T×H×W×C, got shape {clips.shape}")
            clips = list(clips)
        if not isinstance(clips, Sequence) or isinstance(clips, str | bytes):
            raise TypeError(f"clips must be a list of arrays or an array, got {type(clips).__name__}")
        if len(clips) == 0:
            raise ValueError("clips is empty")
        for k, c in enumerate(clips):
            if not isinstance(c, np.ndarray) or c.ndim not in (3, 4):
                raise ValueError(
                    f"clips[{k}] must be a T×H×W or T×H×W×C array, got {getattr(c, 'shape', c)!r}"
                )
        self.clips = list(clips)

    def __len__(self) -> int:
        return len(self.clips)

    def n_frames(self, i: int) -> int:
        """Number of frames of clip ``i``."""
        return int(self.clips[i].shape[0])

    def read_frames(self, i: int, start: int, count: int) -> np.ndarray:
        """``count`` frames of clip ``i`` from frame ``start``, as a ``T×H×W×C`` array."""
        _check_span(self.n_frames(i), start, count, self.name(i))
        return np.stack(
            [_fix_channels(f, self.channels, self.name(i)) for f in self.clips[i][start : start + count]]
        )


class FrameFolders(ClipSource):
    """Frame sequences: each sub-folder of ``root`` holding image files is one clip (frames sorted by name).

    If ``root`` itself holds image files and no sub-folder does, ``root`` is the single clip.
    """

    def __init__(self, root: str | os.PathLike[str], channels: int = 3) -> None:
        self.root = _check_dir(root, "root")
        self.channels = _check_channels(channels)
        groups: dict[Path, list[str]] = {}
        for f in _files(self.root, IMAGE_EXTENSIONS):
            groups.setdefault(f.parent, []).append(str(f))
        if len(groups) > 1:
            groups.pop(self.root, None)  # loose files next to sequence folders are not a sequence
        self.folders = [str(k) for k in sorted(groups, key=lambda p: p.relative_to(self.root).as_posix())]
        self.frames = [groups[Path(k)] for k in self.folders]
        if not self.folders:
            raise ValueError(f"no frame sequences (folders of image files) found under {str(self.root)!r}")

    def __len__(self) -> int:
        return len(self.folders)

    def name(self, i: int) -> str:
        """Identifier of item ``i`` (its path), for error messages."""
        return self.folders[i]

    def n_frames(self, i: int) -> int:
        """Number of frames of clip ``i``."""
        return len(self.frames[i])

    def read_frames(self, i: int, start: int, count: int) -> np.ndarray:
        """``count`` frames of clip ``i`` from frame ``start``, as a ``T×H×W×C`` array."""
        _check_span(self.n_frames(i), start, count, self.name(i))
        frames = [read_image(f, self.channels) for f in self.frames[i][start : start + count]]
        if len({f.shape for f in frames}) > 1:
            raise ValueError(f"{self.name(i)}: frames {start}..{start + count - 1} differ in size")
        return np.stack(frames)


class VideoFolder(ClipSource):
    """Video files under ``root`` (or a single video file), decoded with PyAV.

    Random access seeks to the key frame before the requested frame and decodes forward, so a clip costs
    about one GOP of decoding. Frame ``k`` is the frame whose timestamp is ``k / average_rate`` after the
    stream start. High-bit-depth streams (``*10le``, ``*12le``, ``*16le`` pixel formats) decode to uint16.
    """

    def __init__(self, root: str | os.PathLike[str], channels: int = 3) -> None:
        import av  # noqa: F401  (fail at construction, not in a worker, when PyAV is missing)

        self.channels = _check_channels(channels)
        path = Path(root)
        if path.is_file():
            self.root = path.parent
            self.files = [str(path)]
        else:
            self.root = _check_dir(root, "root")
            self.files = [str(p) for p in _files(self.root, VIDEO_EXTENSIONS)]
        if not self.files:
            raise ValueError(
                f"no video files ({', '.join(VIDEO_EXTENSIONS)}) found under {os.fspath(root)!r}"
            )
        self._counts: dict[int, int] = {}

    def __len__(self) -> int:
        return len(self.files)

    def name(self, i: int) -> str:
        """Identifier of item ``i`` (its path), for error messages."""
        return self.files[i]

    def n_frames(self, i: int) -> int:
        """Number of frames of clip ``i``."""
        if i not in self._counts:
            self._counts[i] = self._count(i)
        return self._counts[i]

    def _count(self, i: int) -> int:
        import av

        try:
            with av.open(self.files[i]) as c:
                if not c.streams.video:
                    raise ValueError("no video stream")
                st = c.streams.video[0]
                if st.frames and st.frames > 0:
                    return int(st.frames)
                return sum(1 for _ in c.decode(st))  # header has no count: decode once
        except (av.FFmpegError, ValueError, OSError) as e:
            raise ValueError(f"cannot read video file {self.files[i]!r}: {e}") from None

    def read_frames(self, i: int, start: int, count: int) -> np.ndarray:
        """``count`` frames of clip ``i`` from frame ``start``, as a ``T×H×W×C`` array."""
        import av

        _check_span(self.n_frames(i), start, count, self.name(i))
        out: list[np.ndarray] = []
        try:
            with av.open(self.files[i]) as c:
                st = c.streams.video[0]
                st.thread_type = "AUTO"
                rate = st.average_rate or st.guessed_rate
                t0 = st.start_time or 0
                if start > 0 and rate:
                    c.seek(t0 + int(start / rate / st.time_base), stream=st, backward=True, any_frame=False)
                k_seq = None
                for fr in c.decode(st):
                    if fr.pts is not None and rate:
                        k = round(float((fr.pts - t0) * st.time_base * rate))
                    else:  # no timestamps: count frames from the start (no seek was done either)
                        k_seq = 0 if k_seq is None else k_seq + 1
                        k = k_seq
                    if k < start:
                        continue
                    fmt = "rgb48le" if any(s in fr.format.name for s in ("10", "12", "16")) else "rgb24"
                    out.append(_fix_channels(fr.to_ndarray(format=fmt), self.channels, self.name(i)))
                    if len(out) == count:
                        break
        except av.FFmpegError as e:
            raise ValueError(f"cannot decode video file {self.files[i]!r}: {e}") from None
        if len(out) < count:
            raise ValueError(
                f"video file {self.files[i]!r} ended after {start + len(out)} of {start + count} frames"
            )
        return np.stack(out)


class FramesAsImages(ImageSource):
    """Every frame of a :class:`ClipSource` as one still image (frame counts are read at construction).

    Parameters
    ----------
    clips : ClipSource
    on_error : {"raise", "skip"}
        What to do with a clip whose frames cannot be counted: raise, or warn and leave it out.
    """

    def __init__(self, clips: ClipSource, on_error: str = "raise") -> None:
        if not isinstance(clips, ClipSource):
            raise TypeError(f"clips must be a ClipSource, got {type(clips).__name__}")
        if on_error not in ("raise", "skip"):
            raise ValueError(f"on_error must be 'raise' or 'skip', got {on_error!r}")
        self.clips = clips
        self.channels = clips.channels
        counts = np.array([count_frames(clips, i, on_error) for i in range(len(clips))], dtype=np.int64)
        self._ends = np.cumsum(counts)
        if len(counts) == 0 or self._ends[-1] == 0:
            raise ValueError("the clip source holds no frames")

    def __len__(self) -> int:
        return int(self._ends[-1])

    def _locate(self, i: int) -> tuple[int, int]:
        clip = int(np.searchsorted(self._ends, i, side="right"))
        first = int(self._ends[clip - 1]) if clip > 0 else 0
        return clip, i - first

    def name(self, i: int) -> str:
        """Identifier of item ``i`` (its path), for error messages."""
        clip, k = self._locate(i)
        return f"{self.clips.name(clip)} frame {k}"

    def read(self, i: int) -> np.ndarray:
        """Item ``i`` as an array (see :func:`to_float32` for the value range)."""
        clip, k = self._locate(i)
        return self.clips.read_frames(clip, k, 1)[0]


def count_frames(clips: ClipSource, i: int, on_error: str = "raise") -> int:
    """``clips.n_frames(i)``; with ``on_error="skip"`` an unreadable clip warns and counts 0 frames."""
    try:
        return clips.n_frames(i)
    except (ValueError, OSError) as e:
        if on_error == "raise":
            raise
        warnings.warn(f"skipping unreadable clip {clips.name(i)!r}: {e}", RuntimeWarning, stacklevel=3)
        return 0


# --- automatic choice -----------------------------------------------------------------------------------
def _has_files(root: Path, exts: tuple[str, ...]) -> bool:
    return any(p.is_file() and p.suffix.lower() in exts for p in root.rglob("*"))


def as_clip_source(source: Any, channels: int = 3) -> ClipSource:
    """A :class:`ClipSource` from a source, a video file, a folder of videos or of frame folders, or arrays.

    Raises
    ------
    ValueError
        Empty source, or a path that holds neither videos nor frames.
    TypeError
        Anything else.
    """
    if isinstance(source, ClipSource):
        return source
    if isinstance(source, str | os.PathLike):
        path = Path(source)
        if path.is_file() and path.suffix.lower() in VIDEO_EXTENSIONS:
            return VideoFolder(path, channels)
        root = _check_dir(path, "source")
        if _has_files(root, VIDEO_EXTENSIONS):
            return VideoFolder(root, channels)
        if _has_files(root, IMAGE_EXTENSIONS):
            return FrameFolders(root, channels)
        raise ValueError(f"source {os.fspath(source)!r} holds no video files and no frame folders")
    if isinstance(source, np.ndarray | list | tuple):
        return ArrayClips(source, channels)
    raise TypeError(f"source must be a path, a ClipSource, or clip arrays, got {type(source).__name__}")


def as_image_source(source: Any, channels: int = 3, on_error: str = "raise") -> ImageSource:
    """An :class:`ImageSource` from a source, a folder of images or videos (every frame), or image arrays.

    Raises
    ------
    ValueError
        Empty source, or a path that holds no images or videos.
    TypeError
        Anything else.
    """
    if isinstance(source, ImageSource):
        return source
    if isinstance(source, ClipSource):
        return FramesAsImages(source, on_error)
    if isinstance(source, str | os.PathLike):
        path = Path(source)
        if path.is_file() and path.suffix.lower() in VIDEO_EXTENSIONS:
            return FramesAsImages(VideoFolder(path, channels), on_error)
        root = _check_dir(path, "source")
        if _has_files(root, IMAGE_EXTENSIONS):
            return ImageFolder(root, channels)
        if _has_files(root, VIDEO_EXTENSIONS):
            return FramesAsImages(VideoFolder(root, channels), on_error)
        raise ValueError(f"source {os.fspath(source)!r} holds no image or video files")
    if isinstance(source, np.ndarray | list | tuple):
        return ArrayImages(source, channels)
    raise TypeError(f"source must be a path, an ImageSource, or image arrays, got {type(source).__name__}")
