"""Single-thread speed of the tape and DV transforms at 720×480, next to albumentations' nearest chain.

Run: ``python benchmarks/bench_tape.py``. Prints a Markdown table, writes benchmarks/results/tape.json.
"""

from __future__ import annotations

import os

for _v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_v] = "1"

import json  # noqa: E402
import platform  # noqa: E402
import statistics  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import cv2  # noqa: E402
import numpy as np  # noqa: E402

from filmdegrade.effects.dv import DV, Codec  # noqa: E402
from filmdegrade.effects.tape import Tape  # noqa: E402
from filmdegrade.pipeline import FilmPipeline  # noqa: E402

cv2.setNumThreads(1)
H, W, T, REPEATS = 480, 720, 8, 5


def _clip() -> np.ndarray:
    rng = np.random.default_rng(0)
    yy, xx = np.mgrid[0:H, 0:W].astype(np.float32)
    base = 0.5 + 0.3 * np.sin(xx / 37.0) * np.cos(yy / 23.0)
    img = np.stack([base, np.roll(base, 40, 1), np.roll(base, 80, 0)], -1)
    img[100:300, 200:500] = (0.9, 0.2, 0.1)
    img = np.clip(img + rng.normal(0, 0.02, img.shape), 0, 1).astype(np.float32)
    return np.stack([np.roll(img, 3 * t, 1) for t in range(T)])


def _time(fn, x) -> float:
    fn(x)  # warm-up
    runs = []
    for _ in range(REPEATS):
        t0 = time.perf_counter()
        fn(x)
        runs.append((time.perf_counter() - t0) / len(x) * 1e3)
    return statistics.median(runs)


def main() -> None:
    clip = _clip()
    clip8 = np.rint(clip * 255).astype(np.uint8)
    rows = []

    def pipe(t):
        p = FilmPipeline([t], seed=0)
        return lambda x: p(x)

    cases = [
        ("tape vhs_sp (full default chain)", pipe(Tape("vhs_sp")), clip, 15.0),
        ("tape vhs_sp, tracking + DOC + 2 generations",
         pipe(Tape("vhs_sp", tracking=0.5, doc=True, generations=2)),
         clip, None),
        ("tape vhs_ep grey", pipe(Tape("vhs_ep")), np.ascontiguousarray(clip[..., :1]), None),
        ("dv NTSC round trip (no dropouts)", pipe(DV(dropouts_per_s=0.0)), clip, 10.0),
        ("dv NTSC, 30 dropouts/s", pipe(DV(dropouts_per_s=30.0)), clip, None),
        ("codec mpeg2 4 Mbit/s", pipe(Codec("mpeg2", bitrate_mbps=4.0)), clip, None),
        ("codec h264 2 Mbit/s", pipe(Codec("h264", bitrate_mbps=2.0)), clip, None),
    ]
    try:
        import albumentations as A

        alb = A.Compose([
            A.Downscale(scale_range=(0.45, 0.45), p=1.0),
            A.GaussNoise(std_range=(0.02, 0.02), p=1.0),
            A.ImageCompression(quality_range=(40, 40), p=1.0),
        ])
        cases.append(("albumentations Downscale+GaussNoise+ImageCompression (uint8)",
                      lambda x: [alb(image=f)["image"] for f in x], clip8, None))
    except ImportError:  # pragma: no cover
        pass
    for name, fn, x, target in cases:
        ms = _time(fn, x)
        rows.append({"case": name, "size": f"{W}x{H}", "ms_per_frame": round(ms, 2), "target_ms": target})
    print("| case | size | ms/frame (median, 1 thread) | target |")
    print("|---|---|---|---|")
    for r in rows:
        tgt = "" if r["target_ms"] is None else f"≤ {r['target_ms']:g}"
        print(f"| {r['case']} | {r['size']} | {r['ms_per_frame']:.2f} | {tgt} |")
    out = Path(__file__).parent / "results" / "tape.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    data = {"machine": platform.processor() or platform.machine(), "python": platform.python_version(),
            "frames": T, "repeats": REPEATS, "results": rows}
    with tempfile.NamedTemporaryFile("w", dir=out.parent, delete=False, suffix=".tmp") as f:
        json.dump(data, f, indent=2)
    os.replace(f.name, out)


if __name__ == "__main__":
    main()
