"""Build the documentation (Sphinx, warnings as errors, every gallery example executed)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SECTIONS = ["grain", "scratches_and_dust", "fading", "tape", "pipelines_and_presets", "calibration",
            "restoration"]


@pytest.mark.slow
def test_docs_build(tmp_path: Path) -> None:
    pytest.importorskip("sphinx_gallery")
    pytest.importorskip("numpydoc")
    pytest.importorskip("pydata_sphinx_theme")
    out = tmp_path / "html"
    env = {**os.environ, "MPLBACKEND": "Agg", "FILMDEGRADE_DOCS_RERUN": "1"}
    proc = subprocess.run(
        [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-b", "html", "-d", str(tmp_path / "doctrees"),
         str(ROOT / "docs"), str(out)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=900,
    )
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-8000:]
    assert "after excluding 0 files" in proc.stdout  # every example was executed
    for page in ["index", "concepts", "integrations", "models", "training", "restoring", "generated/presets",
                 "generated/cli", "generated/api_index", "auto_examples/index"]:
        assert (out / f"{page}.html").is_file(), page
    for section in SECTIONS:
        pages = list((out / "auto_examples" / section).glob("plot_*.html"))
        assert pages, f"no gallery page in {section}"
    # every example ran and produced at least one figure
    images = list((out / "_images").glob("sphx_glr_plot_*_001.png"))
    examples = list((ROOT / "examples").glob("*/plot_*.py"))
    assert len(images) >= len(examples), (len(images), len(examples))
