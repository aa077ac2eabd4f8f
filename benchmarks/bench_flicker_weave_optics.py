"""Benchmark flicker, gate weave and optics: ms per frame, single thread, 256×256 and 1920×1080 RGB.

Run: ``python benchmarks/bench_flicker_weave_optics.py``. Prints a Markdown table and writes
``benchmarks/results/flicker_weave_optics.json``. Times are the median and the minimum of several runs of
``apply`` on an 8-frame float32 clip (parameters sampled once, outside the timing), divided by the frame
count, plus the minimum thread CPU time (``time.thread_time``: not inflated by time spent descheduled on a
shared machine).
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import json
import platform
import tempfile
import time
from pathlib import Path

import cv2
import numpy as np

from filmdegrade import Medium
from filmdegrade.effects.base import ClipContext
from filmdegrade.effects.flicker import Flicker
from filmdegrade.effects.optics import Optics
from filmdegrade.effects.weave import GateWeave

cv2.setNumThreads(1)

SIZES = {"256x256": (256, 256), "1920x1080": (1080, 1920)}
FRAMES = 8
RUNS = 7
MEDIUM = Medium(gauge="super8")  # the smallest gauge: the largest blur/halation kernels in pixels
CASES = {
    "flicker": Flicker(),
    "flicker (uneven, drifting)": Flicker(uneven=True, uneven_drift=0.05),
    "weave (linear)": GateWeave(),
    "weave (cubic)": GateWeave(interpolation="cubic"),
    "optics (blur 4 µm + halation + vignette)": Optics(blur_um=4.0, halation=0.15, vignette_stops=0.3),
    "optics (default ranges, upper ends)": Optics(blur_um=6.0, halation=0.15, vignette_stops=0.5),
    # Halation's per-band work depends on where highlights are: a frame with a white window (1/16 of it).
    "optics (blur 4 µm + halation + vignette), window": Optics(
        blur_um=4.0, halation=0.15, vignette_stops=0.3
    ),
}
# Cases whose frames get a white window (the glow then reaches about half of the frame's rows).
HIGHLIGHT_CASES = {"optics (blur 4 µm + halation + vignette), window"}
TARGET_MS = {"256x256": 1.0, "1920x1080": 25.0}


def bench(transform: object, h: int, w: int, highlights: bool = False) -> tuple[float, float, float, float]:
    """(median, min, min CPU) ms per frame of ``apply``, and the min of ``apply_in_place`` (NaN if the
    transform has none: the pipeline then runs ``apply``)."""
    rng = np.random.default_rng(0)
    clip = rng.random((FRAMES, h, w, 3), dtype=np.float32)
    if highlights:
        clip[:, h // 4 : h // 2, w // 2 : 3 * w // 4] = 1.0
    ctx = ClipContext(n_frames=FRAMES, height=h, width=w, channels=3, medium=MEDIUM)
    params = transform.sample_params(np.random.default_rng(1), ctx)  # type: ignore[attr-defined]
    transform.apply(clip, params)  # type: ignore[attr-defined]  # warm-up
    times, cpu = [], []
    for _ in range(RUNS):
        t0, c0 = time.perf_counter(), time.thread_time()
        transform.apply(clip, params)  # type: ignore[attr-defined]
        cpu.append((time.thread_time() - c0) * 1e3 / FRAMES)
        times.append((time.perf_counter() - t0) * 1e3 / FRAMES)
    in_place = float("nan")
    if transform.computes_in_place():  # type: ignore[attr-defined]
        work, runs = clip.copy(), []
        for _ in range(RUNS):
            np.copyto(work, clip)  # untimed: the pipeline's own clip, as after its first step
            t0 = time.perf_counter()
            transform.apply_in_place(work, params)  # type: ignore[attr-defined]
            runs.append((time.perf_counter() - t0) * 1e3 / FRAMES)
        in_place = float(np.min(runs))
    return float(np.median(times)), float(np.min(times)), float(np.min(cpu)), in_place


def reference_pass(h: int, w: int) -> float:
    """ms of one elementwise float32 pass (``np.multiply(x, 2, out=y)``) over an RGB frame: the yardstick
    that makes timings comparable across loaded or different machines."""
    x = np.random.default_rng(0).random((h, w, 3), dtype=np.float32)
    y = np.empty_like(x)
    times = []
    for _ in range(RUNS * 3):
        t0 = time.perf_counter()
        np.multiply(x, np.float32(2.0), out=y)
        times.append((time.perf_counter() - t0) * 1e3)
    return float(np.median(times))


def sample_cost(transform: object, n: int = 200) -> float:
    """ms per frame of ``sample_params`` for an ``n``-frame clip."""
    ctx = ClipContext(n_frames=n, height=1080, width=1920, channels=3, medium=MEDIUM)
    t0 = time.perf_counter()
    for s in range(3):
        transform.sample_params(np.random.default_rng(s), ctx)  # type: ignore[attr-defined]
    return (time.perf_counter() - t0) * 1e3 / (3 * n)


def main() -> None:
    ref = {label: reference_pass(h, w) for label, (h, w) in SIZES.items()}
    rows = []
    for name, t in CASES.items():
        row: dict[str, object] = {"effect": name, "sample_params_ms_per_frame": sample_cost(t)}
        for label, (h, w) in SIZES.items():
            med, mn, cpu, in_place = bench(t, h, w, highlights=name in HIGHLIGHT_CASES)
            row[f"{label}_in_place_min_ms"] = in_place
            row[f"{label}_median_ms"] = med
            row[f"{label}_min_ms"] = mn
            row[f"{label}_cpu_min_ms"] = cpu
            row[f"{label}_in_passes"] = med / ref[label]
        rows.append(row)
    print(f"\n{platform.processor() or platform.machine()}, {os.cpu_count()} logical CPUs, "
          f"cv2 {cv2.__version__}, numpy {np.__version__}; single thread; "
          f"ms per frame (median / min / min thread-CPU of {RUNS})\n")
    print(f"one elementwise pass: {ref['256x256']:.3f} ms at 256×256, {ref['1920x1080']:.2f} ms at 1080p "
          "(an unloaded core of the dev machine: 0.03 / 1.8 ms)\n")
    print("| effect | 256×256 ms | 1920×1080 ms | 1080p in place (min) | 1080p in passes "
          "| sample_params ms/frame (200 frames) |")
    print("|---|---|---|---|---|---|")
    for r in rows:
        cells = []
        for label in SIZES:
            med, mn, cpu = r[f"{label}_median_ms"], r[f"{label}_min_ms"], r[f"{label}_cpu_min_ms"]
            flag = "" if mn <= TARGET_MS[label] else " ⚠"
            cells.append(f"{med:.2f} / {mn:.2f} / {cpu:.2f}{flag}")
        ip = r["1920x1080_in_place_min_ms"]
        ip_cell = "—" if ip != ip else f"{ip:.2f}"  # NaN: no in-place path
        print(f"| {r['effect']} | {cells[0]} | {cells[1]} | {ip_cell} | {r['1920x1080_in_passes']:.1f} "
              f"| {r['sample_params_ms_per_frame']:.3f} |")
    out = Path(__file__).resolve().parent / "results" / "flicker_weave_optics.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    payload = {
        "frames": FRAMES, "runs": RUNS, "reference_pass_ms": ref, "medium": MEDIUM.to_dict(), "threads": 1,
        "targets_ms": TARGET_MS,
        "cv2": cv2.__version__, "numpy": np.__version__, "cpu_count": os.cpu_count(), "rows": rows,
    }
    fd, tmp = tempfile.mkstemp(dir=out.parent, suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump(payload, f, indent=2)
    os.replace(tmp, out)
    print(f"\nwrote {out}")


if __name__ == "__main__":
    main()
