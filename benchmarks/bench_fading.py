"""Benchmark of filmdegrade.effects.fading: ms per frame, single thread, 256x256 and 1920x1080 RGB.

Run: ``python benchmarks/bench_fading.py``. Prints a Markdown table and writes
``benchmarks/results/fading.json`` (temp file + os.replace). Each figure is the minimum ms/frame over
``REPEATS`` runs (the one least disturbed by other load), with the median beside it.
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
from filmdegrade.effects.fading import Fading

cv2.setNumThreads(1)

CASES = {
    "physical (uniform)": {"years": 30.0},
    "physical + field + edges": {"years": 30.0, "field_amount": 0.6, "edge_fade": 1.0},
    "physical + field drift": {"years": 30.0, "field_amount": 0.6, "field_drift": 0.05},
    "silver (B&W stock, RGB)": {"years": 100.0, "stock": "tri_x_reversal"},
    "silver + field": {"years": 100.0, "stock": "tri_x_reversal", "field_amount": 0.6},
    "lab mode": {"mode": "lab"},
}
SIZES = {"256x256": (256, 256), "1920x1080": (1080, 1920)}
FRAMES = 4
REPEATS = 7


def bench(kw: dict, h: int, w: int) -> tuple[float, float]:
    """(minimum, median) ms per frame of ``Fading(**kw).apply`` on a random RGB clip."""
    t = Fading(**kw)
    rng = np.random.default_rng(0)
    x = rng.random((FRAMES, h, w, 3), dtype=np.float32)
    ctx = ClipContext(FRAMES, h, w, 3, Medium())
    p = t.sample_params(np.random.default_rng(1), ctx)
    t.apply(x, p)  # warm-up
    times = []
    for _ in range(REPEATS):
        t0 = time.perf_counter()
        t.apply(x, p)
        times.append((time.perf_counter() - t0) / FRAMES)
    return float(np.min(times) * 1e3), float(np.median(times) * 1e3)


def main() -> None:
    res = {name: {size: bench(kw, *hw) for size, hw in SIZES.items()} for name, kw in CASES.items()}
    print("| case | " + " | ".join(f"{s} ms/frame min (median)" for s in SIZES) + " |")
    print("|---|" + "---:|" * len(SIZES))
    for name, r in res.items():
        print(f"| {name} | " + " | ".join(f"{r[s][0]:.2f} ({r[s][1]:.2f})" for s in SIZES) + " |")
    out = Path(__file__).parent / "results" / "fading.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    doc = {
        "benchmark": "fading apply, ms per frame (minimum of runs, single thread; median alongside)",
        "frames_per_run": FRAMES,
        "repeats": REPEATS,
        "machine": platform.processor() or platform.machine(),
        "results_ms": {n: {s: v[0] for s, v in r.items()} for n, r in res.items()},
        "results_ms_median": {n: {s: v[1] for s, v in r.items()} for n, r in res.items()},
    }
    fd, tmp = tempfile.mkstemp(dir=out.parent, suffix=".tmp")
    with os.fdopen(fd, "w") as f:
        json.dump(doc, f, indent=2)
    os.replace(tmp, out)


if __name__ == "__main__":
    main()
