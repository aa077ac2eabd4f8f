"""DataLoader throughput of :class:`filmdegrade.torch.PairDataset` and where the time goes.

Writes ``benchmarks/results/dataloader.json`` (atomically). Usage::

    python benchmarks/bench_dataloader.py [--preset super8] [--crop 256] [--samples 96] [--workers 0 2]

Throughput: pairs per second through a DataLoader (batch 8, ``gt_size=crop``, ``scale=1``) over PNG files
written to a temporary folder (so decoding is real). Time shares come from an instrumented in-process run
(``num_workers=0``): decoding (``source.read``), degrading (``FilmPipeline.sample``), collating
(``default_collate``), and the rest (crop, flips, float conversion, downscale, tensor conversion).
When the preset does not exist, the pipeline is every registered film effect that is cheap enough
(the preset name and the transforms used are recorded in the JSON).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

import cv2
import skimage.data
import torch
from torch.utils.data import DataLoader, default_collate

import filmdegrade
from filmdegrade import FilmPipeline
from filmdegrade._io import atomic_write_text
from filmdegrade.torch import PairDataset

FALLBACK = ("flicker", "fading", "grain", "dust", "scratches", "weave", "optics")


def make_pipeline(preset: str) -> tuple[FilmPipeline, str]:
    if preset in filmdegrade.list_presets():
        return FilmPipeline.from_preset(preset), preset
    names = [n for n in FALLBACK if n in filmdegrade.TRANSFORMS]
    medium = {"gauge": "super8"} if "super8" in filmdegrade.list_gauges() else None
    return FilmPipeline(
        [filmdegrade.TRANSFORMS[n]() for n in names], medium=medium
    ), f"fallback:{'+'.join(names)}"


def write_images(root: Path, n: int) -> None:
    pics = [skimage.data.astronaut(), skimage.data.coffee(), skimage.data.rocket(), skimage.data.chelsea()]
    for k in range(n):
        img = cv2.resize(pics[k % len(pics)], (640, 480), interpolation=cv2.INTER_AREA)
        cv2.imwrite(str(root / f"{k:04d}.png"), img[:, :, ::-1])


def throughput(ds: PairDataset, workers: int, samples: int, batch: int) -> float:
    loader = DataLoader(
        ds, batch_size=batch, shuffle=False, num_workers=workers, persistent_workers=workers > 0
    )
    it = iter(loader)
    next(it)  # warm-up: worker start, first-call caches
    start, done = time.perf_counter(), 0
    for b in it:
        done += len(b["index"])
        if done >= samples:
            break
    return done / (time.perf_counter() - start)


def shares(ds: PairDataset, samples: int, batch: int) -> dict[str, float]:
    acc = {"decode": 0.0, "degrade": 0.0, "collate": 0.0}
    src_read, pipe_for = ds.source.read, ds._pipe_for

    def timed(key, fn):
        def inner(*a, **k):
            t = time.perf_counter()
            try:
                return fn(*a, **k)
            finally:
                acc[key] += time.perf_counter() - t

        return inner

    class TimedPipe:
        def __init__(self, pipe):
            self.sample = timed("degrade", pipe.sample)

    ds.source.read = timed("decode", src_read)
    ds._pipe_for = lambda w: TimedPipe(pipe_for(w))
    collate = timed("collate", default_collate)
    ds[0]  # warm-up
    acc.update(decode=0.0, degrade=0.0, collate=0.0)
    start = time.perf_counter()
    for i in range(0, samples, batch):
        collate([ds[j % len(ds)] for j in range(i, i + batch)])
    total = time.perf_counter() - start
    del ds.source.read, ds._pipe_for
    out = {k: v / total for k, v in acc.items()}
    out["other"] = 1.0 - sum(out.values())
    out["ms_per_pair"] = 1000 * total / samples
    return out


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--preset", default="super8")
    ap.add_argument("--crop", type=int, default=256)
    ap.add_argument("--samples", type=int, default=96)
    ap.add_argument("--batch", type=int, default=8)
    ap.add_argument("--workers", type=int, nargs="+", default=[0, 2])
    ap.add_argument("--out", default=str(Path(__file__).parent / "results" / "dataloader.json"))
    args = ap.parse_args(argv)
    torch.set_num_threads(1)
    pipe, used = make_pipeline(args.preset)
    with tempfile.TemporaryDirectory() as tmp:
        write_images(Path(tmp), 32)
        ds = PairDataset(tmp, pipe, gt_size=args.crop, scale=1, seed=0)
        result = {
            "preset": args.preset,
            "pipeline_used": used,
            "transforms": [t.to_dict()["name"] for t in pipe.transforms],
            "crop": args.crop,
            "batch": args.batch,
            "samples": args.samples,
            "source": "32 PNG files, 640x480 RGB 8-bit",
            "pairs_per_second": {
                str(w): round(throughput(ds, w, args.samples, args.batch), 2) for w in args.workers
            },
            "time_shares_num_workers_0": {
                k: round(v, 4) for k, v in shares(ds, args.samples, args.batch).items()
            },
            "machine": {
                "cpus": os.cpu_count(),
                "python": sys.version.split()[0],
                "platform": platform.platform(),
                "torch": torch.__version__,
                "opencv": cv2.__version__,
            },
        }
    atomic_write_text(args.out, json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))
    return result


if __name__ == "__main__":
    main()
