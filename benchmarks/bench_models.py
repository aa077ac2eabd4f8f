"""Benchmark the restoration models: milliseconds and MACs per frame.

Run ``python benchmarks/bench_models.py`` (CPU, 256x256 input frames) or, on a GPU,
``python benchmarks/bench_models.py --device cuda --fp16 --size 720x576``.  Prints a Markdown table and
writes ``benchmarks/results/models.json`` (atomically).  Numbers are reported, never asserted.
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
from typing import Any

import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from filmrestore_models.factory import build_model, count_parameters, model_scale  # noqa: E402
from filmrestore_models.profiling import count_conv_macs  # noqa: E402

#: config name → (timed repetitions, warm-up runs) on the CPU; the full model is expensive.
CONFIGS: dict[str, tuple[int, int]] = {
    "tiny": (3, 1),
    "tiny-temporal": (1, 0),
    "compact": (3, 1),
    "full": (1, 0),
}
TEMPORAL_FRAMES = 3


def bench_one(
    name: str, size: tuple[int, int], device: str, fp16: bool, reps: int, warmup: int
) -> dict[str, Any]:
    """Time one configuration; returns ms and MACs per frame."""
    gen = torch.Generator().manual_seed(0)
    model = build_model(name, generator=gen).eval()
    temporal = "temporal" in name
    frames = TEMPORAL_FRAMES if temporal else 1
    shape = (1, frames, 3, *size) if temporal else (1, 3, *size)
    with torch.device("meta"):
        macs = count_conv_macs(build_model(name), torch.empty(shape)) / frames
    dtype = torch.float16 if fp16 else torch.float32
    model = model.to(device=device, dtype=dtype)
    x = torch.rand(shape, generator=gen).to(device=device, dtype=dtype)

    def sync() -> None:
        if device.startswith("cuda"):
            torch.cuda.synchronize()

    times = []
    with torch.inference_mode():
        for i in range(warmup + reps):
            sync()
            t0 = time.perf_counter()
            model(x)
            sync()
            if i >= warmup:
                times.append(time.perf_counter() - t0)
    ms = 1000.0 * min(times) / frames
    return {
        "config": name,
        "params": count_parameters(model),
        "scale": model_scale(name),
        "frames_per_call": frames,
        "ms_per_frame": ms,
        "gmacs_per_frame": macs / 1e9,
        "effective_gmacs_per_s": macs / 1e9 / (ms / 1000.0),
        "repetitions": reps,
    }


def write_json(path: Path, payload: dict[str, Any]) -> None:
    """Write JSON atomically (temporary file in the same folder, then ``os.replace``)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(payload, fh, indent=2)
        os.replace(tmp, path)
    finally:
        Path(tmp).unlink(missing_ok=True)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print a Markdown table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="cpu", help="cpu or cuda")
    parser.add_argument("--fp16", action="store_true", help="half precision (GPU)")
    parser.add_argument("--size", default="256x256", help="input frame size HxW (default 256x256)")
    parser.add_argument("--configs", default=",".join(CONFIGS), help="comma-separated config names")
    parser.add_argument("--reps", type=int, default=None, help="override the repetitions of every config")
    parser.add_argument("--output", default=str(ROOT / "benchmarks" / "results" / "models.json"))
    args = parser.parse_args(argv)
    h, w = (int(v) for v in args.size.lower().split("x"))
    if args.device.startswith("cuda") and not torch.cuda.is_available():
        parser.error("CUDA is not available")
    rows = []
    for name in args.configs.split(","):
        reps, warmup = CONFIGS.get(name, (3, 1))
        if args.device != "cpu":
            reps, warmup = max(reps, 10), 3
        if args.reps is not None:
            reps = args.reps
        rows.append(bench_one(name, (h, w), args.device, args.fp16, reps, warmup))
    print(
        f"\nInput {h}x{w}, device {args.device}{' fp16' if args.fp16 else ''}, torch {torch.__version__}, "
        f"{torch.get_num_threads()} threads\n"
    )
    print("| config | params | scale | GMAC/frame | ms/frame | GMAC/s | reps |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        print(
            f"| {r['config']} | {r['params']:,} | x{r['scale']} | {r['gmacs_per_frame']:.1f} | "
            f"{r['ms_per_frame']:.1f} | {r['effective_gmacs_per_s']:.1f} | {r['repetitions']} |"
        )
    payload = {
        "size": [h, w],
        "device": args.device,
        "fp16": args.fp16,
        "torch": torch.__version__,
        "threads": torch.get_num_threads(),
        "machine": platform.machine(),
        "processor": platform.processor(),
        "results": rows,
    }
    write_json(Path(args.output), payload)
    print(f"\nwrote {args.output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
