"""Benchmark of the ``scratches`` and ``dust`` transforms: ms per frame on one core.

Run: ``python benchmarks/bench_scratches_dust.py``. Times ``sample_params`` + ``apply`` (what the pipeline
does per sample, without the dtype conversion) on a float32 RGB clip of 8 frames at 256×256 and 1920×1080,
default settings, Super 8 and 35 mm Academy. Reports the median and the minimum of several runs (the minimum
is the figure most robust to other load on a shared machine) and the minimum thread CPU time of ``apply``
(``time.thread_time``: not inflated by time spent descheduled). Prints a Markdown table and writes
``benchmarks/results/scratches_dust.json`` (temp file + ``os.replace``).
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")

import json
import platform
import tempfile
import time
from pathlib import Path

import cv2
import numpy as np

from filmdegrade import Medium
from filmdegrade.effects.base import ClipContext
from filmdegrade.effects.dust import Dust
from filmdegrade.effects.scratches import Scratches

SIZES = {"256x256": (256, 256), "1920x1080": (1080, 1920)}
N_FRAMES = 8
RUNS = 7
TARGET_MS = {"256x256": 1.0, "1920x1080": 25.0}


def bench(transform, medium: Medium, h: int, w: int) -> dict:
    rng0 = np.random.default_rng(0)
    frames = rng0.random((N_FRAMES, h, w, 3), dtype=np.float32)
    ctx = ClipContext(n_frames=N_FRAMES, height=h, width=w, channels=3, medium=medium)
    total, apply_only, apply_cpu = [], [], []
    for run in range(RUNS + 1):
        rng = np.random.default_rng(run)
        t0 = time.perf_counter()
        params = transform.sample_params(rng, ctx)
        t1 = time.perf_counter()
        c1 = time.thread_time()
        transform.apply(frames, params)
        c2 = time.thread_time()
        t2 = time.perf_counter()
        if run:  # the first run warms caches and imports
            total.append((t2 - t0) * 1e3 / N_FRAMES)
            apply_only.append((t2 - t1) * 1e3 / N_FRAMES)
            apply_cpu.append((c2 - c1) * 1e3 / N_FRAMES)
    return {
        "ms_per_frame": float(np.median(total)),
        "ms_per_frame_min": float(np.min(total)),
        "apply_ms_per_frame": float(np.median(apply_only)),
        "apply_ms_per_frame_min": float(np.min(apply_only)),
        "apply_cpu_ms_per_frame_min": float(np.min(apply_cpu)),
    }


def main() -> None:
    cv2.setNumThreads(1)
    cases = [
        ("scratches", Scratches(), "super8"),
        ("scratches", Scratches(), "35mm_academy"),
        ("dust", Dust(), "super8"),
        ("dust", Dust(), "35mm_academy"),
    ]
    results = []
    for name, tr, gauge in cases:
        for size, (h, w) in SIZES.items():
            r = bench(tr, Medium(gauge=gauge), h, w)
            r.update(effect=name, gauge=gauge, size=size, target_ms=TARGET_MS[size])
            results.append(r)
    # the cost of copying a frame, which every non-in-place transform pays
    for size, (h, w) in SIZES.items():
        x = np.zeros((N_FRAMES, h, w, 3), np.float32)
        ts, cs = [], []
        for _ in range(RUNS):
            t0, c0 = time.perf_counter(), time.thread_time()
            x.copy()
            cs.append((time.thread_time() - c0) * 1e3 / N_FRAMES)
            ts.append((time.perf_counter() - t0) * 1e3 / N_FRAMES)
        results.append(
            {
                "effect": "frame copy (floor)",
                "gauge": "-",
                "size": size,
                "ms_per_frame": float(np.median(ts)),
                "ms_per_frame_min": float(np.min(ts)),
                "apply_ms_per_frame": float(np.median(ts)),
                "apply_ms_per_frame_min": float(np.min(ts)),
                "apply_cpu_ms_per_frame_min": float(np.min(cs)),
                "target_ms": TARGET_MS[size],
            }
        )
    lines = [
        "| effect | gauge | size | ms/frame sample+apply (median / min) | apply (median / min) "
        "| apply CPU min | target |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in results:
        flag = "" if r["apply_ms_per_frame_min"] <= r["target_ms"] else " ⚠"
        lines.append(
            f"| {r['effect']} | {r['gauge']} | {r['size']} "
            f"| {r['ms_per_frame']:.3f} / {r['ms_per_frame_min']:.3f} "
            f"| {r['apply_ms_per_frame']:.3f} / {r['apply_ms_per_frame_min']:.3f}{flag} "
            f"| {r['apply_cpu_ms_per_frame_min']:.3f} | ≤ {r['target_ms']:g} |"
        )
    print("\n".join(lines))
    out = Path(__file__).resolve().parent / "results" / "scratches_dust.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    payload = {
        "machine": platform.processor() or platform.machine(),
        "python": platform.python_version(),
        "n_frames": N_FRAMES,
        "runs": RUNS,
        "threads": 1,
        "results": results,
    }
    fd, tmp = tempfile.mkstemp(dir=out.parent, suffix=".tmp")
    with os.fdopen(fd, "w") as f:
        json.dump(payload, f, indent=2)
    os.replace(tmp, out)


if __name__ == "__main__":
    main()
