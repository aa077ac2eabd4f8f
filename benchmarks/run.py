"""One benchmark run: every filmdegrade effect and preset next to the tools users would pick instead.

Run from the repository root::

    python benchmarks/run.py                 # full suite (~2-4 min on 2 cores), writes benchmarks/results/
    python benchmarks/run.py --quick         # tiny frames, one repeat (smoke test)
    python benchmarks/run.py --only 'preset/*'   # filter by "group/case" (fnmatch, case-insensitive)

On the same frames it times, in ms per frame:

* each effect as a one-transform :class:`~filmdegrade.FilmPipeline` (float32 and uint8 input) and its
  ``Transform.apply`` alone (parameters sampled once), so the pipeline overhead (validation, copy, clip,
  dtype conversion) shows as the difference;
* every bundled preset (float32 and uint8 input);
* albumentations 2.0.8 ``GaussNoise``, ``ISONoise`` and an 8-op "old film" chain, a Real-ESRGAN-style
  second-order degradation and the memory-bandwidth floor (see ``benchmarks/baselines.py``);

at 256×256 and 1920×1080 (tape, DV and codec effects and tape presets also at 720×480), once with one
thread (``OMP_NUM_THREADS=OPENBLAS_NUM_THREADS=MKL_NUM_THREADS=1`` set before numpy is imported, and
``cv2.setNumThreads(1)``) and once with the library defaults, each pass in its own subprocess. Peak memory is
the ``tracemalloc`` peak of one call in the single-thread pass: allocations made through numpy and Python
(which include the arrays OpenCV returns), not OpenCV's or FFmpeg's internal buffers.

Writes ``benchmark.json`` and ``benchmark.md`` atomically to ``--out`` (default ``benchmarks/results``).
"""

from __future__ import annotations

import os
import sys

_THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")
if "--worker=1" in sys.argv:  # must happen before numpy is imported
    for _v in _THREAD_VARS:
        os.environ[_v] = "1"

import argparse  # noqa: E402
import datetime as _dt  # noqa: E402
import fnmatch  # noqa: E402
import json  # noqa: E402
import platform  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import tracemalloc  # noqa: E402
from collections.abc import Callable, Iterator  # noqa: E402
from dataclasses import dataclass  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

import cv2  # noqa: E402
import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
import baselines  # noqa: E402

import filmdegrade  # noqa: E402
from filmdegrade import FilmPipeline, Medium  # noqa: E402
from filmdegrade._io import atomic_write_text  # noqa: E402
from filmdegrade.effects.base import decode_params  # noqa: E402

SCHEMA = 1
HERE = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Settings:
    """Sizes (label → (H, W)), frames per clip per size, and timed repeats."""

    sizes: dict[str, tuple[int, int]]
    tape_sizes: dict[str, tuple[int, int]]
    frames: dict[str, int]
    repeats: int

    @property
    def all_sizes(self) -> dict[str, tuple[int, int]]:
        return {**self.sizes, **self.tape_sizes}


FULL = Settings(
    sizes={"256x256": (256, 256), "1920x1080": (1080, 1920)},
    tape_sizes={"720x480": (480, 720)},
    frames={"256x256": 4, "720x480": 3, "1920x1080": 2},
    repeats=3,
)
QUICK = Settings(
    sizes={"64x64": (64, 64), "128x96": (96, 128)},
    tape_sizes={"96x64": (64, 96)},
    frames={"64x64": 2, "128x96": 2, "96x64": 2},
    repeats=1,
)
# Effects whose medium is a tape (or a codec's 720×480 reference), timed at the tape size too.
_TAPE_EFFECTS = {"tape": "vhs_sp", "dv": "dv", "codec": None}
# Effects that do nothing on the default (colour) medium are timed on one where they work.
_EFFECT_MEDIA = {"sensitivity": {"gauge": "35mm_full", "stock": "bw_print_nitrate"}}
# Real-ESRGAN's cost varies a lot with its draws: average over at least this many seeds per repeat.
_REALESRGAN_MIN_SEEDS = 4


# --- frames ------------------------------------------------------------------------------------------------
def make_clip(h: int, w: int, t: int) -> np.ndarray:
    """A deterministic ``T×H×W×3`` float32 clip: smooth gradients, edges, a flat patch and mild texture.

    Natural-looking content matters for the content-dependent costs (JPEG, codecs); every case at a size
    gets the same frames.
    """
    rng = np.random.default_rng(12345)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    base = 0.5 + 0.3 * np.sin(xx / (w / 17.0)) * np.cos(yy / (h / 11.0))
    img = np.stack([base, np.roll(base, w // 18, 1), np.roll(base, h // 6, 0)], -1)
    img[h // 5 : h // 2, w // 4 : w // 2] = (0.9, 0.2, 0.1)
    tex = cv2.resize(rng.random((max(h // 8, 1), max(w // 8, 1), 3), dtype=np.float32), (w, h))
    img = np.clip(img + 0.1 * (tex - 0.5) + rng.normal(0, 0.01, img.shape), 0, 1).astype(np.float32)
    return np.ascontiguousarray(np.stack([np.roll(img, 3 * i, 1) for i in range(t)]))


def to_uint8(x: np.ndarray) -> np.ndarray:
    """float [0, 1] → uint8, rounded."""
    return np.rint(x * 255.0).astype(np.uint8)


# --- measuring ----------------------------------------------------------------------------------------------
def time_call(fn: Callable[[], Any], repeats: int) -> list[float]:
    """Wall-clock seconds of ``repeats`` calls of ``fn`` (no warm-up; ``fn.setup()``, if any, untimed)."""
    out = []
    setup = getattr(fn, "setup", None)
    for _ in range(repeats):
        if setup is not None:
            setup()
        t0 = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t0)
    return out


def peak_mib(fn: Callable[[], Any]) -> float:
    """``tracemalloc`` peak of one call of ``fn``, MiB (numpy/Python allocations only)."""
    setup = getattr(fn, "setup", None)
    if setup is not None:
        setup()
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        fn()
        return tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()


@dataclass
class Case:
    """One timed thing: ``make(clip)`` returns a callable doing the work on the whole clip."""

    group: str
    name: str
    variant: str
    dtype: str
    sizes: tuple[str, ...]
    make: Callable[[np.ndarray], Callable[[], Any]]
    frames_per_call: Callable[[np.ndarray], int] = len


def _pipe_case(group: str, name: str, pipe: FilmPipeline, dtype: str, sizes: tuple[str, ...]) -> Case:
    def make(clip: np.ndarray) -> Callable[[], Any]:
        x = to_uint8(clip) if dtype == "uint8" else clip
        return lambda: pipe(x, index=0)

    return Case(group, name, f"pipeline {dtype}", dtype, sizes, make)


def pipeline_params(pipe: FilmPipeline, clip: np.ndarray) -> Any:
    """The parameters ``pipe(clip, index=0)`` draws for its first transform, without running it.

    Uses :meth:`FilmPipeline.plan`, so that "apply only" times exactly the draw the pipeline row times
    (``tests/test_benchmarks.py`` checks this against the pipeline's record).
    """
    node = pipe.transforms[0]
    entry = pipe.plan(clip, index=0).entries[0]
    return decode_params(node.params_type, entry["params"])


def _apply_case(name: str, pipe: FilmPipeline, sizes: tuple[str, ...]) -> Case:
    def make(clip: np.ndarray) -> Callable[[], Any]:
        params = pipeline_params(pipe, clip)
        return lambda: pipe.transforms[0].apply(clip, params)

    return Case("effect", name, "apply only", "float32", sizes, make)


class _InPlace:
    """``apply_in_place`` on a clip the caller owns, as a pipeline step after the first runs a transform.

    ``setup`` (untimed) refills the work clip from the source, so every timed call sees the same frames;
    the work clip's pages are faulted in once, as a pipeline's clip is by its first step.
    """

    def __init__(self, pipe: FilmPipeline, clip: np.ndarray) -> None:
        self.node, self.params, self.clip = pipe.transforms[0], pipeline_params(pipe, clip), clip
        self.work = clip.copy()

    def setup(self) -> None:
        np.copyto(self.work, self.clip)

    def __call__(self) -> Any:
        return self.node.apply_in_place(self.work, self.params)


def _in_place_case(name: str, pipe: FilmPipeline, sizes: tuple[str, ...]) -> Case | None:
    """The "apply in place" row, for transforms that compute in place (else their apply is used anyway)."""
    if not pipe.transforms[0].computes_in_place():
        return None
    return Case("effect", name, "apply in place", "float32", sizes, lambda clip: _InPlace(pipe, clip))


def _per_frame(aug: Any, clip: np.ndarray) -> Callable[[], Any]:
    frames = list(clip)
    return lambda: [aug(image=f)["image"] for f in frames]


def build_cases(s: Settings) -> list[Case]:
    """Every case of the suite, in table order."""
    base, tape = tuple(s.sizes), tuple(s.sizes) + tuple(s.tape_sizes)
    cases: list[Case] = []
    for name, cls in filmdegrade.TRANSFORMS.items():
        if _TAPE_EFFECTS.get(name):
            medium = Medium(tape=_TAPE_EFFECTS[name])
        else:
            medium = Medium(**_EFFECT_MEDIA.get(name, {}))
        sizes = tape if name in _TAPE_EFFECTS else base
        pipe = FilmPipeline([cls()], seed=0, medium=medium)
        cases += [
            _pipe_case("effect", name, pipe, "float32", sizes),
            _pipe_case("effect", name, pipe, "uint8", sizes),
            _apply_case(name, pipe, sizes),
        ]
        in_place = _in_place_case(name, pipe, sizes)
        cases += [in_place] if in_place is not None else []
    for name in filmdegrade.list_presets():
        pipe = FilmPipeline.from_preset(name, seed=0)
        sizes = tape if pipe.medium.tape is not None else base
        cases += [_pipe_case("preset", name, pipe, dt, sizes) for dt in ("float32", "uint8")]
    for name, aug in baselines.albumentations_cases(seed=0).items():
        for dt in ("uint8", "float32"):
            cases.append(
                Case(
                    "albumentations",
                    name,
                    f"per frame {dt}",
                    dt,
                    base,
                    lambda clip, aug=aug, dt=dt: _per_frame(aug, to_uint8(clip) if dt == "uint8" else clip),
                )
            )
    for scale in (4, 1):

        def make_resr(clip: np.ndarray, scale: int = scale) -> Callable[[], Any]:
            n = max(len(clip), _REALESRGAN_MIN_SEEDS)
            frames = [clip[i % len(clip)] for i in range(n)]
            return lambda: [baselines.realesrgan_degrade(f, i, scale=scale) for i, f in enumerate(frames)]

        cases.append(
            Case(
                "real-esrgan",
                f"second order, x{scale}" + (" (published)" if scale == 4 else " (same size out)"),
                "per frame float32",
                "float32",
                base,
                make_resr,
                lambda clip: max(len(clip), _REALESRGAN_MIN_SEEDS),
            )
        )
    for dt in ("float32", "uint8"):
        cases.append(
            Case(
                "floor",
                "np.add over the clip",
                dt,
                dt,
                tuple(s.all_sizes),
                lambda clip, dt=dt: baselines.bandwidth_floor(to_uint8(clip) if dt == "uint8" else clip),
            )
        )
    return cases


def select(cases: list[Case], pattern: str | None) -> list[Case]:
    """Cases whose ``group/name`` matches ``pattern`` (fnmatch; a bare word matches as a substring)."""
    if not pattern:
        return cases
    pat = pattern.lower()
    if not any(ch in pat for ch in "*?["):
        pat = f"*{pat}*"
    return [c for c in cases if fnmatch.fnmatch(f"{c.group}/{c.name}".lower(), pat)]


def run_worker(s: Settings, pattern: str | None, threads: str) -> dict[str, Any]:
    """Time every selected case at every size in this process (one thread pass)."""
    if threads == "1":
        cv2.setNumThreads(1)
    clips = {label: make_clip(h, w, s.frames[label]) for label, (h, w) in s.all_sizes.items()}
    results = []
    for case in select(build_cases(s), pattern):
        for label in case.sizes:
            clip = clips[label]
            row: dict[str, Any] = {
                "group": case.group,
                "case": case.name,
                "variant": case.variant,
                "dtype": case.dtype,
                "size": label,
                "threads": threads,
            }
            try:
                fn = case.make(clip)
                n = case.frames_per_call(clip)
                case.make(clip[:1])()  # warm-up on one frame: tables, kernels, codec set-up
                mem = peak_mib(fn) if threads == "1" else None
                runs = [t / n * 1e3 for t in time_call(fn, s.repeats)]
                row.update(
                    frames=n,
                    repeats=s.repeats,
                    ms_per_frame_min=round(min(runs), 3),
                    ms_per_frame_median=round(statistics.median(runs), 3),
                    peak_mib=None if mem is None else round(mem, 2),
                )
            except Exception as e:  # one broken case must not sink the suite; it is reported
                row["error"] = f"{type(e).__name__}: {e}"
            results.append(row)
    return {
        "threads": threads,
        "cv2_threads": cv2.getNumThreads(),
        "env": {v: os.environ.get(v) for v in _THREAD_VARS},
        "results": results,
    }


# --- the parent: machine, passes, outputs ------------------------------------------------------------------
def machine_info() -> dict[str, Any]:
    """CPU model, cores and library versions of this machine."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        usable = os.cpu_count()
    return {
        "cpu": cpu,
        "logical_cpus": os.cpu_count(),
        "usable_cpus": usable,
        "platform": platform.platform(),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "opencv": cv2.__version__,
        "albumentations": baselines.albumentations_version(),
        "filmdegrade": filmdegrade.__version__,
    }


def run_pass(threads: str, args: argparse.Namespace) -> dict[str, Any]:
    """Run one thread pass in a fresh subprocess and return its result dict."""
    env = dict(os.environ)
    for v in _THREAD_VARS:
        env.pop(v, None)  # "default" means the libraries' own defaults
    fd, tmp = tempfile.mkstemp(suffix=".json")
    os.close(fd)
    cmd = [sys.executable, str(Path(__file__).resolve()), f"--worker={threads}", "--result-file", tmp]
    cmd += ["--quick"] if args.quick else []
    cmd += ["--only", args.only] if args.only else []
    try:
        subprocess.run(cmd, check=True, env=env)
        return json.loads(Path(tmp).read_text())
    finally:
        Path(tmp).unlink(missing_ok=True)


def _cell(r: dict[str, Any] | None) -> str:
    if r is None:
        return ""
    if "error" in r:
        return "error"
    return f"{_fmt(r['ms_per_frame_min'])} / {_fmt(r['ms_per_frame_median'])}"


def _fmt(ms: float) -> str:
    return f"{ms:.3g}" if ms < 1 else f"{ms:.1f}" if ms < 100 else f"{ms:.0f}"


def _rows(data: dict[str, Any]) -> Iterator[tuple[tuple[str, str, str], dict[tuple[str, str], dict]]]:
    table: dict[tuple[str, str, str], dict[tuple[str, str], dict]] = {}
    for r in data["results"]:
        table.setdefault((r["group"], r["case"], r["variant"]), {})[(r["size"], r["threads"])] = r
    yield from table.items()


def render_markdown(data: dict[str, Any]) -> str:
    """The Markdown report: header with the machine and load, the table, the albumentations mapping."""
    m = data["machine"]
    sizes = list(data["settings"]["sizes"]) + list(data["settings"]["tape_sizes"])
    biggest = list(data["settings"]["sizes"])[-1]
    la0, la1 = data["load_avg_start"], data["load_avg_end"]
    lines = [
        "# filmdegrade benchmark"
        + (" (--quick smoke run: tiny frames, not a measurement)" if data["quick"] else ""),
        "",
        f"- Machine: {m['cpu']}, {m['logical_cpus']} logical CPUs ({m['usable_cpus']} usable); "
        f"{m['platform']}",
        f"- Python {m['python']}, numpy {m['numpy']}, OpenCV {m['opencv']}, "
        f"albumentations {m['albumentations']}, filmdegrade {m['filmdegrade']}",
        f"- Threads: `1` = {data['passes']['1']['env']} and cv2.setNumThreads(1) "
        f"(cv2 reports {data['passes']['1']['cv2_threads']}); `def` = library defaults "
        f"(cv2 reports {data['passes']['default']['cv2_threads']} threads)",
        f"- Load average (1, 5, 15 min) at start {la0}, at end {la1}"
        + ("; the machine was shared, so timings are noisy" if max(la0[0], la1[0]) > 0.5 else ""),
        f"- Run: {data['created']}, {data['elapsed_s']:.0f} s in all; command `{data['command']}`",
        "",
        f"Cells: **min / median ms per frame** over {data['settings']['repeats']} timed calls on a clip of "
        + ", ".join(f"{n} frames at {k}" for k, n in data["settings"]["frames"].items())
        + " (after a one-frame warm-up); ms per frame = call time / frames. The same frames for every row. "
        "Peak MiB: `tracemalloc` peak of one call on the whole clip at "
        f"{biggest} (numpy/Python allocations incl. arrays OpenCV returns; not OpenCV/FFmpeg internals), "
        "single-thread pass. `pipeline` = `FilmPipeline([effect])(clip)` incl. validation, copy, clip and "
        "dtype conversion; `apply only` = `Transform.apply` alone with the same parameter draw "
        "(sampled once); `apply in place` = `Transform.apply_in_place` on a clip the caller owns, as the "
        "pipeline runs every step whose input is its own (after a converted input, or after the first "
        "step), for transforms that compute in place (the clip refilled before each call, untimed).",
        "",
    ]
    head = ["group", "case", "variant"]
    for sz in sizes:
        head += [f"{sz} 1 thr", f"{sz} def"]
    head.append(f"peak MiB {biggest}")
    lines += ["| " + " | ".join(head) + " |", "|" + "---|" * 3 + "---:|" * (len(head) - 3)]
    for (group, case, variant), cells in _rows(data):
        row = [group, case, variant]
        for sz in sizes:
            row += [_cell(cells.get((sz, "1"))), _cell(cells.get((sz, "default")))]
        pk = cells.get((biggest, "1"), {}).get("peak_mib")
        row.append("" if pk is None else f"{pk:.3g}" if pk < 100 else f"{pk:.0f}")
        lines.append("| " + " | ".join(row) + " |")
    errors = [r for r in data["results"] if "error" in r]
    if errors:
        lines += ["", "Errors:", ""]
        lines += [
            f"- {r['group']}/{r['case']} {r['variant']} {r['size']} {r['threads']}: {r['error']}"
            for r in errors
        ]
    lines += ["", *summary_lines(data), "", 'albumentations 8-op "old film" chain (all p=1):', ""]
    lines += [f"- {effect} → `A.{op}`" for effect, op in data["albumentations_old_film_ops"].items()]
    return "\n".join(lines) + "\n"


def summary_lines(data: dict[str, Any]) -> list[str]:
    """Presets against the albumentations old-film chain (uint8, one thread, minima)."""
    big = list(data["settings"]["sizes"])
    idx = {
        (r["group"], r["case"], r["variant"], r["size"], r["threads"]): r["ms_per_frame_min"]
        for r in data["results"]
        if "error" not in r
    }
    out = ["Presets (uint8 in) against the albumentations 8-op chain (uint8), one thread, minima:", ""]
    out += [
        "| preset | " + " | ".join(f"{s} ms | × chain" for s in big) + " |",
        "|---|" + "---:|---:|" * len(big),
    ]
    chain = {s: idx.get(("albumentations", "old film chain (8 ops)", "per frame uint8", s, "1")) for s in big}
    names = sorted({r["case"] for r in data["results"] if r["group"] == "preset"})
    for name in names:
        cells = []
        for s in big:
            v = idx.get(("preset", name, "pipeline uint8", s, "1"))
            c = chain[s]
            cells += ["" if v is None else _fmt(v), "" if v is None or not c else f"{v / c:.2f}"]
        out.append(f"| {name} | " + " | ".join(cells) + " |")
    if any(chain.values()):
        out += ["", "The design bar is 1/5 of the chain (× chain ≤ 0.20)."]
    return out


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="tiny frames, one repeat (smoke test)")
    ap.add_argument("--only", metavar="PATTERN", help="fnmatch on 'group/case', e.g. 'effect/grain'")
    ap.add_argument("--out", type=Path, default=HERE / "results", help="folder for benchmark.json/.md")
    ap.add_argument("--threads", choices=("both", "1", "default"), default="both")
    ap.add_argument("--worker", choices=("1", "default"), help=argparse.SUPPRESS)
    ap.add_argument("--result-file", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    s = QUICK if args.quick else FULL
    if args.worker:
        res = run_worker(s, args.only, args.worker)
        atomic_write_text(args.result_file, json.dumps(res))
        return 0
    t0, la0 = time.perf_counter(), [round(v, 2) for v in os.getloadavg()]
    modes = ("1", "default") if args.threads == "both" else (args.threads,)
    passes = {}
    for mode in modes:
        print(f"[run.py] pass threads={mode} ...", file=sys.stderr, flush=True)
        passes[mode] = run_pass(mode, args)
    blank = {"env": None, "cv2_threads": None}
    data = {
        "schema": SCHEMA,
        "quick": bool(args.quick),
        "created": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
        "command": " ".join(["python benchmarks/run.py", *(argv if argv is not None else sys.argv[1:])]),
        "machine": machine_info(),
        "load_avg_start": la0,
        "load_avg_end": [round(v, 2) for v in os.getloadavg()],
        "elapsed_s": round(time.perf_counter() - t0, 1),
        "settings": {
            "sizes": list(s.sizes),
            "tape_sizes": list(s.tape_sizes),
            "frames": s.frames,
            "repeats": s.repeats,
            "timing": "wall clock per call / frames; min and median over repeats after a one-frame warm-up",
            "memory": "tracemalloc peak of one call (numpy/Python allocations), single-thread pass only",
        },
        "passes": {
            m: {k: passes[m][k] for k in ("env", "cv2_threads")} if m in passes else blank
            for m in ("1", "default")
        },
        "albumentations_old_film_ops": baselines.ALBUMENTATIONS_OLD_FILM,
        "results": [r for m in modes for r in passes[m]["results"]],
    }
    args.out.mkdir(parents=True, exist_ok=True)
    atomic_write_text(args.out / "benchmark.json", json.dumps(data, indent=1) + "\n")
    md = render_markdown(data)
    atomic_write_text(args.out / "benchmark.md", md)
    print(md)
    return 0


if __name__ == "__main__":
    sys.exit(main())
