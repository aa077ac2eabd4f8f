"""Smoke test of ``benchmarks/run.py --quick``: it runs and writes well-formed JSON and Markdown.

No timing assertions: the numbers depend on the machine and its load.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import filmdegrade

ROOT = Path(__file__).resolve().parents[1]
RUN = ROOT / "benchmarks" / "run.py"

pytestmark = pytest.mark.skipif(not RUN.is_file(), reason="benchmarks/ not in this checkout")

# The suite times the built-in effects; other test modules register test-only transforms in this process.
BUILTIN = {n: c for n, c in filmdegrade.TRANSFORMS.items() if c.__module__.startswith("filmdegrade.")}
# Transforms that compute in place: they get an "apply in place" row too.
IN_PLACE = {n for n, c in BUILTIN.items() if c.computes_in_place()}


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict, str]:
    out = tmp_path_factory.mktemp("bench")
    proc = subprocess.run(
        [sys.executable, str(RUN), "--quick", "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    data = json.loads((out / "benchmark.json").read_text(encoding="utf-8"))
    md = (out / "benchmark.md").read_text(encoding="utf-8")
    return data, md


def test_json_header(quick_run: tuple[dict, str]) -> None:
    data, _ = quick_run
    assert data["schema"] == 1
    assert data["quick"] is True
    for key in ("cpu", "logical_cpus", "numpy", "opencv", "python"):
        assert key in data["machine"]
    assert len(data["load_avg_start"]) == 3 and len(data["load_avg_end"]) == 3
    assert set(data["passes"]) == {"1", "default"}
    assert data["passes"]["1"]["env"]["OMP_NUM_THREADS"] == "1"
    assert data["passes"]["1"]["cv2_threads"] == 1
    assert len(data["albumentations_old_film_ops"]) == 8


def test_every_effect_and_preset_timed_at_every_size_and_thread_mode(quick_run: tuple[dict, str]) -> None:
    data, _ = quick_run
    rows = data["results"]
    errors = [r for r in rows if "error" in r]
    assert not errors, errors
    sizes = set(data["settings"]["sizes"])
    seen = {(r["group"], r["case"], r["variant"], r["size"], r["threads"]) for r in rows}
    assert {"optics", "flicker", "scratches", "dust"} <= IN_PLACE
    for name in BUILTIN:
        variants = ("pipeline float32", "pipeline uint8", "apply only")
        for variant in variants + (("apply in place",) if name in IN_PLACE else ()):
            for size in sizes:
                for th in ("1", "default"):
                    assert ("effect", name, variant, size, th) in seen
    for name in filmdegrade.list_presets():
        for size in sizes:
            assert ("preset", name, "pipeline uint8", size, "1") in seen
    # tape, DV and codec also at the tape size
    tape_size = data["settings"]["tape_sizes"][0]
    for name in ("tape", "dv", "codec"):
        assert ("effect", name, "pipeline float32", tape_size, "1") in seen
    groups = {r["group"] for r in rows}
    assert {"effect", "preset", "real-esrgan", "floor"} <= groups
    for r in rows:
        assert r["ms_per_frame_min"] <= r["ms_per_frame_median"]
        assert r["frames"] >= 1 and r["repeats"] >= 1
        if r["threads"] == "1":
            assert r["peak_mib"] >= 0
        else:
            assert r["peak_mib"] is None


def test_markdown_table(quick_run: tuple[dict, str]) -> None:
    data, md = quick_run
    assert md.startswith("# filmdegrade benchmark")
    assert data["machine"]["cpu"] in md
    assert "Load average" in md
    lines = md.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("| group | case | variant"))
    n_cols = lines[start].count("|") - 1
    block = lines[start + 2 : lines.index("", start)]  # the main table, up to its blank line
    table = [line for line in block if line.startswith(("| effect |", "| preset |"))]
    assert len(table) == 3 * len(BUILTIN) + len(IN_PLACE) + 2 * len(filmdegrade.list_presets())
    assert all(line.count("|") - 1 == n_cols for line in table)


def test_only_filter(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, str(RUN), "--quick", "--only", "floor", "--threads", "1", "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    data = json.loads((tmp_path / "benchmark.json").read_text(encoding="utf-8"))
    assert data["results"] and {r["group"] for r in data["results"]} == {"floor"}
    assert {r["threads"] for r in data["results"]} == {"1"}


def test_apply_only_times_the_pipelines_own_draw() -> None:
    """``run.pipeline_params`` must reproduce the draw the pipeline records, or "apply only" vs
    "pipeline" would compare different parameter sets instead of showing the overhead."""
    import importlib.util

    from filmdegrade.effects.base import encode_params

    spec = importlib.util.spec_from_file_location("_bench_run", RUN)
    assert spec is not None and spec.loader is not None
    run = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = run  # dataclasses look their module up there
    try:
        spec.loader.exec_module(run)
    finally:
        sys.modules.pop(spec.name, None)
    clip = run.make_clip(48, 64, 2)
    for name, cls in BUILTIN.items():
        medium = filmdegrade.Medium(tape={"tape": "vhs_sp", "dv": "dv"}.get(name))
        pipe = filmdegrade.FilmPipeline([cls()], seed=0, medium=medium)
        recorded = pipe.sample(clip, index=0).record.entries[0]["params"]
        assert encode_params(run.pipeline_params(pipe, clip)) == recorded, name
