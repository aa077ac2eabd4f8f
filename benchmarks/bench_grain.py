"""Benchmark of the grain transform (ms per frame, one core) next to albumentations' GaussNoise/ISONoise.

Run: ``python benchmarks/bench_grain.py``. Prints a Markdown table and writes
``benchmarks/results/grain.json`` (atomically). Each figure is the minimum ms/frame over ``REPEATS`` runs
(the one least disturbed by other load), with the median beside it.
"""

from __future__ import annotations

import os

for _v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_v] = "1"

import json  # noqa: E402
import platform  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import cv2  # noqa: E402
import numpy as np  # noqa: E402

from filmdegrade.effects.base import ClipContext  # noqa: E402
from filmdegrade.effects.grain import Grain  # noqa: E402
from filmdegrade.media import Medium  # noqa: E402

cv2.setNumThreads(1)
SIZES = {"256x256": (256, 256), "1920x1080": (1080, 1920)}
REPEATS = 15
CASES = {
    # name: (medium, grain kwargs)
    "grain 35mm Academy (ℓ 0.35 px, white)": (Medium(), {}),
    "grain Super 8 (ℓ ≈ 1.5 px at 1080p)": (Medium(gauge="super8"), {}),
    "grain Super 8 layer_correlation 0.3": (Medium(gauge="super8"), {"layer_correlation": 0.3}),
    "grain B&W Double-X 35mm full": (Medium(gauge="35mm_full", stock="eastman_double_x"), {}),
}


def _ms(fn, repeats: int = REPEATS) -> tuple[float, float]:
    """(minimum, median) ms of ``fn()`` over ``repeats`` runs after a warm-up."""
    t_end = time.perf_counter() + 0.3
    while time.perf_counter() < t_end:  # warm caches (tables, kernels)
        fn()
    ts = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        ts.append(time.perf_counter() - t0)
    return float(np.min(ts) * 1e3), float(np.median(ts) * 1e3)


def main() -> None:
    rng = np.random.default_rng(0)
    results: dict[str, dict[str, tuple[float, float]]] = {}
    for size, (h, w) in SIZES.items():
        img = rng.random((1, h, w, 3), dtype=np.float32)
        for name, (medium, kw) in CASES.items():
            t = Grain(**kw)
            ctx = ClipContext(n_frames=1, height=h, width=w, channels=3, medium=medium)
            seeds = iter(range(10**6))

            def run(t=t, ctx=ctx, seeds=seeds, img=img) -> None:
                params = t.sample_params(np.random.default_rng(next(seeds)), ctx)
                t.apply(img, params)

            results.setdefault(name, {})[size] = _ms(run)
        try:
            import albumentations as A

            u8 = (img[0] * 255).astype(np.uint8)
            for name, aug in {
                "albumentations GaussNoise (uint8)": A.GaussNoise(p=1.0),
                "albumentations ISONoise (uint8)": A.ISONoise(p=1.0),
                "albumentations GaussNoise (float32)": A.GaussNoise(p=1.0),
            }.items():
                x = u8 if "uint8" in name else img[0]
                results.setdefault(name, {})[size] = _ms(lambda aug=aug, x=x: aug(image=x))
        except ImportError:  # pragma: no cover
            pass
    lines = ["| case | " + " | ".join(f"{s} ms/frame min (median)" for s in SIZES) + " |",
             "|---|" + "---:|" * len(SIZES)]
    nan = (float("nan"), float("nan"))
    for name, r in results.items():
        cells = " | ".join("{:.2f} ({:.2f})".format(*r.get(s, nan)) for s in SIZES)
        lines.append(f"| {name} | {cells} |")
    print("\n".join(lines))
    out = Path(__file__).parent / "results" / "grain.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    payload = {
        "benchmark": "grain",
        "unit": f"ms per frame (minimum of {REPEATS} runs, one thread; median in results_median)",
        "machine": platform.processor() or platform.machine(),
        "python": platform.python_version(),
        "opencv": cv2.__version__,
        "numpy": np.__version__,
        "results": {n: {s: v[0] for s, v in r.items()} for n, r in results.items()},
        "results_median": {n: {s: v[1] for s, v in r.items()} for n, r in results.items()},
    }
    with tempfile.NamedTemporaryFile("w", dir=out.parent, suffix=".tmp", delete=False) as f:
        json.dump(payload, f, indent=2)
        tmp = f.name
    os.replace(tmp, out)


if __name__ == "__main__":
    main()
