"""Writing degraded/clean training pairs to disk: the engine behind ``filmdegrade pairs``.

Sample ``i`` degrades source item ``i mod len(source)`` with pipeline index ``i`` (epoch 0, the
pipeline's seed), so every file depends only on ``(seed, i)`` and the source: the worker count, the
sharding and interruptions change nothing. Shard ``k/n`` writes the indices ``i ≡ k (mod n)``.

Layout of ``OUT`` (``NNNNNN`` = the sample index, zero-padded to 6 digits)::

    pairs.json                 what was run (pipeline, n, clip length, source): identical for every shard
    gt/NNNNNN.png              clean image (*)        | clips: gt/NNNNNN/TTTT.png, one PNG per frame
    lq/NNNNNN.png              degraded image         | clips: lq/NNNNNN/TTTT.png
    masks/<name>/NNNNNN.png    one 8-bit mask per mask name (0–255) | clips: masks/<name>/NNNNNN/TTTT.png
    records/NNNNNN.json        the replay record (:meth:`filmdegrade.FilmPipeline.replay`), written last

(*) the source item as the medium renders it (:meth:`filmdegrade.FilmPipeline.clean_target`): the same
image for colour media, its B&W rendition for a B&W film, so a pair never asks for colour the film lacked.

Every file is written atomically (temporary name in the same folder, then rename), so no partial file
ever appears under a final name, and PNGs are encoded with fixed parameters (byte-deterministic). A
sample is complete when all its files exist; ``resume`` skips complete samples and removes the
temporary files a killed run left behind.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from multiprocessing import get_context
from pathlib import Path
from typing import Any

import numpy as np

from filmdegrade._io import atomic_write_text
from filmdegrade.io import (
    FootageError,
    footage_kind,
    list_frame_files,
    read_frames,
    read_image,
    write_png,
)
from filmdegrade.pipeline import FilmPipeline

__all__ = ["FrameSource", "PairsResult", "parse_shard", "sample_files", "write_pairs"]

MANIFEST = "pairs.json"
_TMP_RE = re.compile(r"^\.(?P<final>.+)\.[^.]+\.tmp$")


# --- the source -----------------------------------------------------------------------------------------
class FrameSource:
    """Clean items to degrade: the images of a folder (or one image, or a video's frames), or clips.

    Parameters
    ----------
    path : str or path-like
        An image file, a folder of image files (natural order) or a video file.
    clip_len : int, optional
        Items are clips of this many consecutive frames (non-overlapping windows; a trailing partial
        window is dropped). ``None``: items are single frames.

    Notes
    -----
    A folder is read lazily, one file per item. A video is decoded once, into memory, when the source is
    first indexed (PyAV gives no cheap exact random access); extract long videos to frames first.
    """

    def __init__(self, path: str | os.PathLike[str], clip_len: int | None = None) -> None:
        self.path = Path(path)
        self.kind = footage_kind(self.path)
        if clip_len is not None and (
            isinstance(clip_len, bool) or not isinstance(clip_len, int) or clip_len < 1
        ):
            raise ValueError(f"clip_len must be a positive int, got {clip_len!r}")
        self.clip_len = clip_len
        self._files = list_frame_files(self.path) if self.kind == "folder" else [self.path]
        self._video: np.ndarray | None = None
        n_frames = len(self._files) if self.kind != "video" else len(self._video_frames())
        per = clip_len or 1
        self._len = n_frames // per
        if self._len == 0:
            raise FootageError(f"{self.path}: {n_frames} frame(s), fewer than one clip of {per} frames")

    def _video_frames(self) -> np.ndarray:
        if self._video is None:
            self._video = read_frames(self.path)
        return self._video

    def __len__(self) -> int:
        return self._len

    def _frame(self, j: int) -> np.ndarray:
        if self.kind == "video":
            return self._video_frames()[j]
        return read_image(self._files[j])

    def __getitem__(self, i: int) -> np.ndarray:
        """Item ``i``: ``H×W×C`` for frames, ``T×H×W×C`` for clips (uint8, or float32 for 16-bit input)."""
        if not 0 <= i < self._len:
            raise IndexError(f"source item {i} out of range [0, {self._len})")
        if self.clip_len is None:
            return self._frame(i)
        frames = [self._frame(i * self.clip_len + k) for k in range(self.clip_len)]
        if any(f.shape != frames[0].shape for f in frames):
            raise FootageError(f"{self.path}: clip {i} mixes frame sizes {sorted({f.shape for f in frames})}")
        if any(f.dtype != frames[0].dtype for f in frames):
            frames = [f.astype(np.float32) / 255.0 if f.dtype == np.uint8 else f for f in frames]
        return np.stack(frames)


# --- names ----------------------------------------------------------------------------------------------
def parse_shard(text: str) -> tuple[int, int]:
    """``"i/n"`` → ``(i, n)`` with ``0 <= i < n`` (raises ``ValueError`` with the expected form)."""
    m = re.fullmatch(r"\s*(\d+)\s*/\s*(\d+)\s*", str(text))
    if not m or int(m.group(2)) < 1 or int(m.group(1)) >= int(m.group(2)):
        raise ValueError(f"shard must be 'i/n' with 0 <= i < n (e.g. 0/4), got {text!r}")
    return int(m.group(1)), int(m.group(2))


def _stem(i: int) -> str:
    return f"{i:06d}"


def sample_files(out: Path, i: int, mask_names: tuple[str, ...], clip_len: int | None) -> list[Path]:
    """Every final file of sample ``i``, the record last."""
    s = _stem(i)
    dirs = [out / "gt", out / "lq", *(out / "masks" / m for m in mask_names)]
    if clip_len is None:
        files = [d / f"{s}.png" for d in dirs]
    else:
        files = [d / s / f"{t:04d}.png" for d in dirs for t in range(clip_len)]
    return [*files, out / "records" / f"{s}.json"]


def _to_uint8_mask(m: np.ndarray) -> np.ndarray:
    return np.rint(np.clip(m, 0.0, 1.0) * 255.0).astype(np.uint8)


# --- the work of one sample --------------------------------------------------------------------------
@dataclass(frozen=True)
class _Job:
    pipeline: dict[str, Any]
    source: str
    clip_len: int | None
    out: str


_STATE: dict[str, Any] = {}


def _init_worker(job: _Job) -> None:
    import cv2

    cv2.setNumThreads(1)  # the pool gives the parallelism; nested OpenCV threads only oversubscribe
    _STATE["pipe"] = FilmPipeline.from_dict(job.pipeline)
    _STATE["source"] = FrameSource(job.source, job.clip_len)
    _STATE["job"] = job


def _write_sample(i: int) -> int:
    pipe: FilmPipeline = _STATE["pipe"]
    source: FrameSource = _STATE["source"]
    job: _Job = _STATE["job"]
    out = Path(job.out)
    clean = source[i % len(source)]
    smp = pipe.sample(clean, index=i)
    gt = pipe.clean_target(clean, index=i)  # B&W for a B&W film, a copy of clean otherwise
    files = sample_files(out, i, pipe.mask_names, job.clip_len)
    arrays: list[np.ndarray] = [gt, smp.image, *(_to_uint8_mask(smp.masks[m]) for m in pipe.mask_names)]
    k = 0
    for arr in arrays:
        for frame in arr if job.clip_len is not None else [arr]:
            write_png(files[k], frame)
            k += 1
    # The record is the last file: a sample whose record exists was written completely.
    atomic_write_text(files[-1], json.dumps(smp.record.to_dict(), sort_keys=True, indent=1) + "\n")
    return i


# --- the driver -----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class PairsResult:
    """What :func:`write_pairs` did.

    Attributes
    ----------
    written, skipped : list of int
        Sample indices written now, and those already complete (``resume``).
    out : pathlib.Path
        The output folder.
    """

    written: list[int]
    skipped: list[int]
    out: Path


def _manifest(pipe: FilmPipeline, n: int, clip_len: int | None, source: FrameSource) -> dict[str, Any]:
    return {
        "format": 1,
        "n": n,
        "clip_len": clip_len,
        "source": str(source.path),
        "source_items": len(source),
        "mask_names": list(pipe.mask_names),
        "pipeline": pipe.to_dict(),
    }


def _remove_stale_temporaries(out: Path, mine: set[int]) -> None:
    # Temporary files of a killed run: ".<final name>.<random>.tmp". Only this shard's are removed, so a
    # concurrently running other shard keeps its in-flight files.
    for root, _dirs, names in os.walk(out):
        for name in names:
            m = _TMP_RE.match(name)
            if not m:
                continue
            final = m.group("final")
            stem = Path(root).name if re.fullmatch(r"\d{4}\.png", final) else final.split(".")[0]
            if stem.isdigit() and int(stem) in mine:
                (Path(root) / name).unlink(missing_ok=True)


def _iter_results(todo: list[int], job: _Job, workers: int) -> Iterator[int]:
    if workers <= 1 or len(todo) <= 1:
        _init_worker(job)
        for i in todo:
            yield _write_sample(i)
        return
    # spawn, not fork: a forked child inherits OpenCV/BLAS thread pools and locks of the parent.
    with ProcessPoolExecutor(
        max_workers=workers, mp_context=get_context("spawn"), initializer=_init_worker, initargs=(job,)
    ) as pool:
        yield from pool.map(_write_sample, todo, chunksize=max(1, min(16, len(todo) // (4 * workers))))


def write_pairs(
    source: str | os.PathLike[str],
    out: str | os.PathLike[str],
    pipeline: FilmPipeline,
    n: int,
    *,
    workers: int = 1,
    shard: tuple[int, int] = (0, 1),
    resume: bool = False,
    clip_len: int | None = None,
    progress: bool = True,
) -> PairsResult:
    """Write ``n`` LQ/GT pairs (+ masks + replay records) from ``source`` to the folder ``out``.

    Parameters
    ----------
    source : str or path-like
        Clean footage: an image, a folder of images or a video (see :class:`FrameSource`).
    out : str or path-like
        Output folder (created). See the module docstring for the layout.
    pipeline : FilmPipeline
        The degradation; its seed fixes every sample.
    n : int
        Number of samples in the whole job (all shards together), ≥ 1.
    workers : int
        Worker processes; the output does not depend on it.
    shard : (int, int)
        ``(k, m)``: write only the indices ``i ≡ k (mod m)``.
    resume : bool
        Skip samples whose files all exist (after a kill or with more shards). Without it, samples are
        (re)written.
    clip_len : int, optional
        Degrade clips of this many consecutive frames instead of single frames.
    progress : bool
        Show a progress bar.

    Returns
    -------
    PairsResult

    Raises
    ------
    ValueError
        Bad arguments, or ``out`` holds pairs made with different settings.
    """
    from tqdm.auto import tqdm

    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ValueError(f"n must be a positive int, got {n!r}")
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise ValueError(f"workers must be a positive int, got {workers!r}")
    k, m = shard
    if not (isinstance(k, int) and isinstance(m, int) and 0 <= k < m):
        raise ValueError(f"shard must be (i, n) with 0 <= i < n, got {shard!r}")
    src = FrameSource(source, clip_len)
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise ValueError(f"output {out} exists and is not a folder")
    out.mkdir(parents=True, exist_ok=True)
    manifest = _manifest(pipeline, n, clip_len, src)
    mpath = out / MANIFEST
    if mpath.exists():
        try:
            old = json.loads(mpath.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            old = None
        if old != json.loads(json.dumps(manifest)):
            raise ValueError(
                f"{out} already holds pairs made with other settings ({MANIFEST} differs); "
                "use an empty folder or the same pipeline, source, --n and --clip-len"
            )
    atomic_write_text(mpath, json.dumps(manifest, sort_keys=True, indent=1) + "\n")
    mine = list(range(k, n, m))
    skipped: list[int] = []
    if resume:
        _remove_stale_temporaries(out, set(mine))
        done = {
            i for i in mine if all(f.exists() for f in sample_files(out, i, pipeline.mask_names, clip_len))
        }
        skipped = [i for i in mine if i in done]
        mine = [i for i in mine if i not in done]
    job = _Job(pipeline.to_dict(), str(src.path), clip_len, str(out))
    written: list[int] = []
    bar = tqdm(
        total=len(mine), desc=f"pairs {k}/{m}" if m > 1 else "pairs", unit="sample", disable=not progress
    )
    with bar:
        for i in _iter_results(mine, job, workers):
            written.append(i)
            bar.update(1)
    return PairsResult(written=written, skipped=skipped, out=out)
