"""Write the README's benchmark section from ``benchmarks/results/benchmark.json``.

    python benchmarks/readme_table.py            # rewrites the block between the README's markers

Only measured numbers from the JSON are used (one thread, minimum ms per frame).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from filmdegrade._io import atomic_write_text  # noqa: E402

START, END = "<!-- benchmark:start -->", "<!-- benchmark:end -->"
TARGETS = {  # per-frame targets stated in the issues (256², 1080p or 720×480), ms
    "grain": "≤ 1 / ≤ 25",
    "scratches": "≤ 1 / ≤ 25",
    "dust": "≤ 1 / ≤ 25",
    "flicker": "≤ 1 / ≤ 25",
    "weave": "≤ 1 / ≤ 25",
    "optics": "≤ 1 / ≤ 25",
    "fading": "≤ 1.5 / ≤ 40",
    "tape": "≤ 15 at 720×480",
    "dv": "≤ 10 at 720×480",
}


def _cell(rows: list[dict], **key: str) -> str:
    for r in rows:
        if all(r.get(k) == v for k, v in key.items()):
            v = r["ms_per_frame_min"]
            return f"{v:.3g}" if v < 10 else f"{v:.0f}"
    return ""


def section(data: dict) -> str:
    rows = [r for r in data["results"] if r["threads"] == "1"]
    m = data["machine"]
    lines = [
        START,
        f"Measured by `python benchmarks/run.py` on {m.get('cpu', 'this machine')}, "
        f"{m.get('logical_cpus', '?')} logical CPUs, one thread, {data['created'][:10]} "
        f"(load average {data['load_avg_start'][0]:.1f} at start: a shared machine, so expect noise). "
        "Minimum ms per frame; full table with medians, default threads and peak memory in "
        "[`benchmarks/results/benchmark.md`](benchmarks/results/benchmark.md).",
        "",
        "| effect | pipeline 256² | pipeline 1080p | `apply` only 1080p | in place 1080p | 720×480 "
        "| target |",
        "|---|---:|---:|---:|---:|---:|---|",
    ]
    effects = sorted({r["case"] for r in rows if r["group"] == "effect"})
    for e in effects:
        k = {"group": "effect", "case": e}
        lines.append(
            f"| {e} | {_cell(rows, **k, variant='pipeline float32', size='256x256')} "
            f"| {_cell(rows, **k, variant='pipeline float32', size='1920x1080')} "
            f"| {_cell(rows, **k, variant='apply only', size='1920x1080')} "
            f"| {_cell(rows, **k, variant='apply in place', size='1920x1080')} "
            f"| {_cell(rows, **k, variant='pipeline float32', size='720x480')} | {TARGETS.get(e, '')} |"
        )
    chain = {
        s: next(
            r["ms_per_frame_min"]
            for r in rows
            if r["group"] == "albumentations" and r["case"].startswith("old film") and r["dtype"] == "uint8"
            and r["size"] == s
        )
        for s in ("256x256", "1920x1080")
    }
    lines += [
        "",
        f"Presets (uint8 in) next to albumentations 2.0.8's nearest 8-op \"old film\" chain "
        f"({chain['256x256']:.2g} ms at 256², {chain['1920x1080']:.0f} ms at 1080p):",
        "",
        "| preset | 256² ms | × chain | 1080p ms | × chain |",
        "|---|---:|---:|---:|---:|",
    ]
    for p in sorted({r["case"] for r in rows if r["group"] == "preset"}):
        a = next(r for r in rows if r["group"] == "preset" and r["case"] == p and r["dtype"] == "uint8"
                 and r["size"] == "256x256")["ms_per_frame_min"]
        b = next(r for r in rows if r["group"] == "preset" and r["case"] == p and r["dtype"] == "uint8"
                 and r["size"] == "1920x1080")["ms_per_frame_min"]
        ra, rb = a / chain["256x256"], b / chain["1920x1080"]
        lines.append(f"| {p} | {a:.2g} | {ra:.2f} | {b:.0f} | {rb:.2f} |")
    lines.append(END)
    return "\n".join(lines)


def main() -> int:
    data = json.loads((ROOT / "benchmarks" / "results" / "benchmark.json").read_text(encoding="utf-8"))
    readme = ROOT / "README.md"
    text = readme.read_text(encoding="utf-8")
    if START not in text or END not in text:
        print(f"README.md has no {START} ... {END} block", file=sys.stderr)
        return 2
    head, rest = text.split(START, 1)
    _, tail = rest.split(END, 1)
    atomic_write_text(readme, head + section(data) + tail)
    print("README.md benchmark section updated")
    return 0


if __name__ == "__main__":
    sys.exit(main())
