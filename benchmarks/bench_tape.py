"""Single-thread speed of the tape and DV transforms at 720×480, next to albumentations' nearest chain.

Run: ``python benchmarks/bench_tape.py``. Prints a Markdown table, writes benchmarks/results/tape.json.
Each case runs ``REPEATS`` times over an 8-frame clip; the minimum ms/frame is the figure least disturbed
by other load on the machine, the median is printed next to it. Transform cases run through
``FilmPipeline`` (validation, float conversion, clipping and masks included); the FFmpeg rows time the
``dvvideo`` encoder and decoder alone, the floor of the DV round trip.
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
H, W, T, REPEATS = 480, 720, 8, 9


def _clip() -> np.ndarray:
    rng = np.random.default_rng(0)
    yy, xx = np.mgrid[0:H, 0:W].astype(np.float32)
    base = 0.5 + 0.3 * np.sin(xx / 37.0) * np.cos(yy / 23.0)
    img = np.stack([base, np.roll(base, 40, 1), np.roll(base, 80, 0)], -1)
    img[100:300, 200:500] = (0.9, 0.2, 0.1)
    img = np.clip(img + rng.normal(0, 0.02, img.shape), 0, 1).astype(np.float32)
    return np.stack([np.roll(img, 3 * t, 1) for t in range(T)])


def _time(fn, x) -> tuple[float, float]:
    """(minimum, median) ms per frame over REPEATS runs after a warm-up."""
    fn(x)  # warm-up
    runs = []
    for _ in range(REPEATS):
        t0 = time.perf_counter()
        fn(x)
        runs.append((time.perf_counter() - t0) / len(x) * 1e3)
    return min(runs), statistics.median(runs)


def _ffmpeg_dv_cases(clip: np.ndarray) -> list:
    """The dvvideo encoder and decoder alone (PyAV, one thread, NTSC 4:1:1) on this clip's planes."""
    import av

    from filmdegrade.effects.dv import _RATE, _frame_from_planes, _to_planes

    enc = av.CodecContext.create("dvvideo", "w")
    enc.width, enc.height, enc.pix_fmt = W, H, "yuv411p"
    enc.time_base, enc.framerate, enc.thread_count = 1 / _RATE["ntsc"], _RATE["ntsc"], 1
    dec = av.CodecContext.create("dvvideo", "r")
    dec.thread_count = 1
    vframes = [_frame_from_planes(av, _to_planes(f, "yuv411p"), "yuv411p") for f in clip]
    pts = iter(range(10**9))

    def encode(frames):
        out = []
        for vf in frames:
            vf.pts = next(pts)
            out.append(b"".join(bytes(p) for p in enc.encode(vf)))
        return out

    packets = encode(vframes)

    def decode(pks):
        return [dec.decode(av.Packet(pk)) for pk in pks]

    return [("FFmpeg dvvideo encoder alone (yuv411p planes in)", encode, vframes, None),
            ("FFmpeg dvvideo decoder alone", decode, packets, None)]


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
    cases += _ffmpeg_dv_cases(clip)
    for name, fn, x, target in cases:
        ms_min, ms_med = _time(fn, x)
        rows.append({"case": name, "size": f"{W}x{H}", "ms_per_frame": round(ms_min, 2),
                     "ms_per_frame_median": round(ms_med, 2), "target_ms": target})
    print("| case | size | ms/frame min | median | target |")
    print("|---|---|---:|---:|---|")
    for r in rows:
        tgt = "" if r["target_ms"] is None else f"≤ {r['target_ms']:g}"
        ms = f"{r['ms_per_frame']:.2f} | {r['ms_per_frame_median']:.2f}"
        print(f"| {r['case']} | {r['size']} | {ms} | {tgt} |")
    out = Path(__file__).parent / "results" / "tape.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    data = {"machine": platform.processor() or platform.machine(), "python": platform.python_version(),
            "frames": T, "repeats": REPEATS,
            "statistic": "ms_per_frame = minimum over repeats (median beside)",
            "results": rows}
    with tempfile.NamedTemporaryFile("w", dir=out.parent, delete=False, suffix=".tmp") as f:
        json.dump(data, f, indent=2)
    os.replace(f.name, out)


if __name__ == "__main__":
    main()
