"""PyTorch datasets of (degraded, clean) training pairs: :class:`PairDataset` and :class:`ClipPairDataset`.

Order of operations, as on real film
------------------------------------
1. read the clean frame(s) from the source;
2. random crop to ``gt_size`` and flips/rotations (the same for every frame of a clip): this is the GT
   (as the medium renders it, :meth:`~filmdegrade.FilmPipeline.clean_target`: B&W for a B&W film);
3. degrade the crop at scan resolution with the :class:`~filmdegrade.FilmPipeline` (physical sizes keep
   the scale of the *whole* scan: when the pipeline's medium has no ``scan_width_px``, the source width is
   used for each sample);
4. make the LQ by downscaling by ``scale`` with ``cv2.INTER_AREA`` (area averaging, the anti-aliased
   filter of a sensor/scanner; ``scale=1`` keeps the size).

Randomness comes only from ``(seed, epoch, index)`` through :mod:`filmdegrade.random`, so a sample does
not depend on ``num_workers``, ``persistent_workers``, worker scheduling or the DDP rank that draws it.
Call :meth:`PairDataset.set_epoch` before iterating each epoch (the epoch lives in shared memory, so it
reaches persistent workers too).

Sample layout (collates with the default collate; ``pin_memory`` works)
------------------------------------------------------------------------
``PairDataset[i]`` → ``{"lq": C×h×w, "gt": C×H×W, "masks": K×h×w, "index": int}``
``ClipPairDataset[i]`` → ``{"lq": T×C×h×w, "gt": T×C×H×W, "masks": T×K×h×w, "index": int}``

float32 tensors in [0, 1]; ``h = H // scale``. ``masks`` stacks the pipeline's defect masks in
``dataset.mask_names`` order (``K`` may be 0), downscaled like the LQ so they align with it.
"""

from __future__ import annotations

import dataclasses
import multiprocessing
import warnings
from collections.abc import Sequence
from multiprocessing import context as _mp_context
from typing import Any

import cv2
import numpy as np
import torch
from torch.utils.data import Dataset, default_collate

from filmdegrade.integrations.sources import (
    ClipSource,
    ImageSource,
    as_clip_source,
    as_image_source,
    count_frames,
    to_float32,
)
from filmdegrade.pipeline import FilmPipeline
from filmdegrade.random import check_seed, transform_rng

__all__ = ["ClipPairDataset", "PairDataset", "collate_clips"]

#: Stream names of the dataset's own draws (kept apart from every transform's stream by name).
_AUG_STREAM = ("dataset", "augment")
_MAX_SKIPS = 16


class _SharedEpoch:
    """An epoch counter in shared memory, so ``set_epoch`` reaches persistent DataLoader workers.

    Pickles as the shared value while a worker process is being started, and as a plain int otherwise.
    """

    def __init__(self, epoch: int = 0) -> None:
        self._value = multiprocessing.RawValue("q", epoch)

    @property
    def value(self) -> int:
        return int(self._value.value)

    @value.setter
    def value(self, epoch: int) -> None:
        self._value.value = epoch

    def __getstate__(self) -> dict[str, Any]:
        if _mp_context.get_spawning_popen() is not None:
            return {"shared": self._value}
        return {"plain": self.value}

    def __setstate__(self, state: dict[str, Any]) -> None:
        if "shared" in state:
            self._value = state["shared"]
        else:
            self._value = multiprocessing.RawValue("q", state["plain"])


class _PairBase(Dataset):
    """Shared parameters and steps of the two datasets."""

    def __init__(
        self,
        pipeline: FilmPipeline,
        *,
        gt_size: int | None,
        scale: int,
        use_flip: bool,
        use_rot: bool,
        seed: int,
        on_error: str,
    ) -> None:
        if not isinstance(pipeline, FilmPipeline):
            raise TypeError(f"pipeline must be a FilmPipeline, got {type(pipeline).__name__}")
        if isinstance(scale, bool) or not isinstance(scale, int | np.integer) or scale < 1:
            raise ValueError(f"scale must be an int >= 1, got {scale!r}")
        if gt_size is not None:
            if isinstance(gt_size, bool) or not isinstance(gt_size, int | np.integer) or gt_size < 1:
                raise ValueError(f"gt_size must be a positive int or None, got {gt_size!r}")
            if gt_size % scale:
                raise ValueError(f"gt_size ({gt_size}) must be a multiple of scale ({scale})")
            if gt_size < pipeline.min_size:
                raise ValueError(
                    f"gt_size ({gt_size}) is below the pipeline's min_size ({pipeline.min_size})"
                )
        if on_error not in ("raise", "skip"):
            raise ValueError(f"on_error must be 'raise' or 'skip', got {on_error!r}")
        self.pipeline = pipeline
        self.gt_size = None if gt_size is None else int(gt_size)
        self.scale = int(scale)
        self.use_flip = bool(use_flip)
        self.use_rot = bool(use_rot)
        self.seed = check_seed(seed)
        self.on_error = on_error
        self._epoch = _SharedEpoch(0)
        self._warned: set[str] = set()
        self._pipes: dict[int, FilmPipeline] = {}

    # --- epoch ------------------------------------------------------------------------------------------
    @property
    def epoch(self) -> int:
        """The epoch used for sample randomness (see :meth:`set_epoch`)."""
        return self._epoch.value

    def set_epoch(self, epoch: int) -> None:
        """Set the epoch: call before creating each epoch's DataLoader iterator (``for b in loader``)."""
        self._epoch.value = check_seed(epoch, "epoch")

    @property
    def mask_names(self) -> tuple[str, ...]:
        """Order of the ``masks`` channels."""
        return self.pipeline.mask_names

    # --- steps --------------------------------------------------------------------------------------------
    def _pipe_for(self, full_width: int) -> FilmPipeline:
        """The pipeline, with the source width as scan width so µm sizes do not shrink with the crop."""
        if self.pipeline.medium.scan_width_px is not None or self.gt_size is None:
            return self.pipeline
        if full_width not in self._pipes:
            p = self.pipeline
            medium = dataclasses.replace(p.medium, scan_width_px=int(full_width))
            self._pipes[full_width] = FilmPipeline(
                p.transforms, seed=p.seed, medium=medium, name=p.name, description=p.description
            )
        return self._pipes[full_width]

    def _crop_box(self, h: int, w: int, rng: np.random.Generator, where: str) -> tuple[int, int, int, int]:
        """``(top, left, height, width)`` of the GT crop; always two draws from ``rng``."""
        u, v = rng.random(), rng.random()
        if self.gt_size is None:
            ch, cw = h - h % self.scale, w - w % self.scale
            if ch < self.pipeline.min_size or cw < self.pipeline.min_size:
                raise ValueError(f"{where}: {h}×{w} pixels is too small for scale {self.scale}")
            return 0, 0, ch, cw
        g = self.gt_size
        if h < g or w < g:
            raise ValueError(f"{where}: image is {h}×{w} pixels, smaller than gt_size={g}")
        return int(u * (h - g + 1)), int(v * (w - g + 1)), g, g

    def _augment(self, frames: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """BasicSR-style flips on ``T×H×W×C``: hflip (``use_flip``), vflip and transpose (``use_rot``)."""
        hflip, vflip, rot = rng.random(3) < 0.5  # always three draws, whatever is enabled
        if self.use_flip and hflip:
            frames = frames[:, :, ::-1]
        if self.use_rot and vflip:
            frames = frames[:, ::-1]
        if self.use_rot and rot:
            frames = frames.transpose(0, 2, 1, 3)
        return np.ascontiguousarray(frames)

    def _downscale(self, frames: np.ndarray) -> np.ndarray:
        """``T×H×W×C`` → ``T×H/s×W/s×C`` with ``cv2.INTER_AREA``."""
        if self.scale == 1:
            return frames
        t, h, w, c = frames.shape
        size = (w // self.scale, h // self.scale)
        out = [cv2.resize(f, size, interpolation=cv2.INTER_AREA) for f in frames]
        return np.stack(out).reshape(t, h // self.scale, w // self.scale, c)

    def _pair(self, clean: np.ndarray, index: int, epoch: int, full_width: int) -> dict[str, np.ndarray]:
        """Clean float32 ``T×H×W×C`` crop → LQ, GT and masks (numpy, ``T×...``)."""
        pipe = self._pipe_for(full_width)
        s = pipe.sample(clean, index=index, epoch=epoch, seed=self.seed)
        lq = self._downscale(s.image)
        t, h, w = lq.shape[:3]
        if self.mask_names:
            masks = np.stack([s.masks[k] for k in self.mask_names], axis=-1)  # T×H×W×K
            masks = self._downscale(masks)
        else:
            masks = np.zeros((t, h, w, 0), np.float32)
        # The target is the medium's own rendition of the clean crop (B&W for a B&W film), not its colours.
        gt = pipe.clean_target(clean, index=index, epoch=epoch, seed=self.seed)
        return {"lq": lq, "gt": gt, "masks": masks}

    def _clean(self, frames: np.ndarray, index: int, epoch: int, where: str) -> np.ndarray:
        """Crop, augment and scale one item's raw ``T×H×W×C`` frames to float32."""
        rng = transform_rng(self.seed, epoch, index, *_AUG_STREAM)
        top, left, ch, cw = self._crop_box(frames.shape[1], frames.shape[2], rng, where)
        crop = frames[:, top : top + ch, left : left + cw]
        return to_float32(self._augment(crop, rng))

    def _load(self, item: int, index: int, epoch: int) -> dict[str, Any]:
        raise NotImplementedError

    def _name(self, item: int) -> str:
        raise NotImplementedError

    def _n_items(self) -> int:
        raise NotImplementedError

    def __getitem__(self, index: int) -> dict[str, Any]:
        index = int(index)
        n = len(self)
        if not -n <= index < n:
            raise IndexError(f"index {index} out of range for {type(self).__name__} of length {n}")
        index %= n
        epoch = self.epoch
        item = index
        for attempt in range(_MAX_SKIPS + 1):
            try:
                out = self._load(item, index, epoch)
                break
            except (ValueError, OSError) as e:
                name = self._name(item)
                if self.on_error == "raise" or attempt == _MAX_SKIPS:
                    if name in str(e):
                        raise
                    raise ValueError(f"{name}: {e}") from e
                if name not in self._warned:
                    self._warned.add(name)
                    warnings.warn(f"skipping unreadable item {name!r}: {e}", RuntimeWarning, stacklevel=2)
                # Deterministic replacement: a function of (seed, epoch, index, attempt) only.
                rng = transform_rng(self.seed, epoch, index, "dataset", f"skip{attempt}")
                item = int(rng.integers(self._n_items()))
        out["index"] = index
        return out


def _to_tensor(x: np.ndarray) -> torch.Tensor:
    """``...×H×W×C`` numpy → ``...×C×H×W`` contiguous float32 tensor."""
    return torch.from_numpy(np.ascontiguousarray(np.moveaxis(x, -1, -3), dtype=np.float32))


class PairDataset(_PairBase):
    """(LQ, GT) image pairs for super-resolution / restoration training.

    Parameters
    ----------
    source : path, ImageSource, ClipSource or arrays
        A folder of images (PNG/JPEG/TIFF, 8 or 16 bit, recursive), a video file or folder of videos (every
        frame is an item), an :class:`~filmdegrade.integrations.sources.ImageSource`, or a list/array of
        ``H×W[×C]`` images (uint8, uint16 or float in [0, 1]).
    pipeline : FilmPipeline
        The degradation; its own ``seed`` is ignored in favour of ``seed`` here.
    gt_size : int, optional
        Side of the random square GT crop, pixels (a multiple of ``scale``). ``None``: whole image, trimmed to
        a multiple of ``scale`` (images of different sizes then need ``batch_size=1``).
    scale : int
        LQ = degraded GT downscaled by ``scale`` with ``cv2.INTER_AREA``.
    use_flip, use_rot : bool
        Random horizontal flip; random vertical flip and transpose (so all 8 dihedral orientations).
    seed : int
        Seed of every random draw (crop, flips, degradation), with the epoch and the index.
    on_error : {"raise", "skip"}
        An unreadable item raises (the error names the file), or warns once per file and is replaced by an
        item drawn deterministically from ``(seed, epoch, index)``.
    channels : {3, 1}
        Channels of the images (used when ``source`` is a path or arrays).

    Raises
    ------
    ValueError
        An empty source, or invalid arguments.

    Examples
    --------
    >>> from torch.utils.data import DataLoader                                 # doctest: +SKIP
    >>> ds = PairDataset("scans/", FilmPipeline.from_preset("super8"), gt_size=256, scale=2)  # doctest: +SKIP
    >>> loader = DataLoader(ds, batch_size=8, shuffle=True, num_workers=4)      # doctest: +SKIP
    >>> for epoch in range(10):                                                 # doctest: +SKIP
    ...     ds.set_epoch(epoch)
    ...     for batch in loader:
    ...         lq, gt = batch["lq"], batch["gt"]
    """

    def __init__(
        self,
        source: Any,
        pipeline: FilmPipeline,
        *,
        gt_size: int | None = None,
        scale: int = 1,
        use_flip: bool = True,
        use_rot: bool = False,
        seed: int = 0,
        on_error: str = "raise",
        channels: int = 3,
    ) -> None:
        super().__init__(
            pipeline,
            gt_size=gt_size,
            scale=scale,
            use_flip=use_flip,
            use_rot=use_rot,
            seed=seed,
            on_error=on_error,
        )
        self.source: ImageSource = as_image_source(source, channels, on_error)
        if len(self.source) == 0:
            raise ValueError("source holds no images")

    def __len__(self) -> int:
        return len(self.source)

    def _n_items(self) -> int:
        return len(self.source)

    def _name(self, item: int) -> str:
        return self.source.name(item)

    def _load(self, item: int, index: int, epoch: int) -> dict[str, Any]:
        img = self.source.read(item)
        clean = self._clean(img[None], index, epoch, self._name(item))
        pair = self._pair(clean, index, epoch, img.shape[1])
        return {k: _to_tensor(v[0]) for k, v in pair.items()}


class ClipPairDataset(_PairBase):
    """(LQ, GT) clip pairs ``T×C×H×W`` cut from videos, frame folders or clip arrays.

    The clip is degraded as one clip, so the pipeline's clip semantics hold: clip-level parameters (a
    scratch's track, a stock's fade) are shared by all ``T`` frames, per-frame ones follow their temporal
    processes. The crop and flips are the same for every frame.

    Parameters
    ----------
    source : path, ClipSource or arrays
        A video file, a folder of videos, a folder of frame folders (or one folder of frames), a
        :class:`~filmdegrade.integrations.sources.ClipSource`, or a list/array of ``T×H×W[×C]`` clips.
    pipeline : FilmPipeline
    clip_len : int
        Frames per clip ``T``.
    stride : int, optional
        Frames between the first frames of consecutive clips of one video; default ``clip_len``
        (non-overlapping). Item ``i`` is the ``i``-th window over all videos in order.
    gt_size, scale, use_flip, use_rot, seed, on_error, channels
        As in :class:`PairDataset`. With ``on_error="skip"`` a video whose frames cannot be counted is left
        out (with a warning) at construction.

    Raises
    ------
    ValueError
        No clip of ``clip_len`` frames in the source, or invalid arguments.
    """

    def __init__(
        self,
        source: Any,
        pipeline: FilmPipeline,
        *,
        clip_len: int,
        stride: int | None = None,
        gt_size: int | None = None,
        scale: int = 1,
        use_flip: bool = True,
        use_rot: bool = False,
        seed: int = 0,
        on_error: str = "raise",
        channels: int = 3,
    ) -> None:
        super().__init__(
            pipeline,
            gt_size=gt_size,
            scale=scale,
            use_flip=use_flip,
            use_rot=use_rot,
            seed=seed,
            on_error=on_error,
        )
        for name, v in (("clip_len", clip_len), ("stride", clip_len if stride is None else stride)):
            if isinstance(v, bool) or not isinstance(v, int | np.integer) or v < 1:
                raise ValueError(f"{name} must be an int >= 1, got {v!r}")
        self.clip_len = int(clip_len)
        self.stride = int(clip_len if stride is None else stride)
        self.source: ClipSource = as_clip_source(source, channels)
        windows: list[tuple[int, int]] = []
        for c in range(len(self.source)):
            n = count_frames(self.source, c, on_error)
            windows += [(c, s) for s in range(0, n - self.clip_len + 1, self.stride)]
        if not windows:
            raise ValueError(f"source holds no clip of clip_len={self.clip_len} frames")
        self.windows = np.array(windows, dtype=np.int64)

    def __len__(self) -> int:
        return len(self.windows)

    def _n_items(self) -> int:
        return len(self.windows)

    def _name(self, item: int) -> str:
        c, s = self.windows[item]
        return f"{self.source.name(int(c))} frames {int(s)}..{int(s) + self.clip_len - 1}"

    def _load(self, item: int, index: int, epoch: int) -> dict[str, Any]:
        c, s = (int(v) for v in self.windows[item])
        frames = self.source.read_frames(c, s, self.clip_len)
        clean = self._clean(frames, index, epoch, self._name(item))
        pair = self._pair(clean, index, epoch, frames.shape[2])
        return {k: _to_tensor(v) for k, v in pair.items()}


def collate_clips(batch: Sequence[dict[str, Any]], layout: str = "BTCHW") -> dict[str, Any]:
    """Collate :class:`ClipPairDataset` samples, optionally as ``B×C×T×H×W`` for 3-D convolutions.

    Parameters
    ----------
    batch : list of dict
        Samples from :class:`ClipPairDataset`.
    layout : {"BTCHW", "BCTHW"}
        Layout of ``lq``, ``gt`` and ``masks`` in the batch.

    Examples
    --------
    >>> from functools import partial                                           # doctest: +SKIP
    >>> DataLoader(ds, batch_size=4, collate_fn=partial(collate_clips, layout="BCTHW"))  # doctest: +SKIP
    """
    if layout not in ("BTCHW", "BCTHW"):
        raise ValueError(f"layout must be 'BTCHW' or 'BCTHW', got {layout!r}")
    out = default_collate(list(batch))
    if layout == "BCTHW":
        for k in ("lq", "gt", "masks"):
            out[k] = out[k].transpose(1, 2).contiguous()
    return out
