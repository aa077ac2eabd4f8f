"""The wheel installs into a fresh virtual environment, imports both packages and finds its package data."""

import subprocess
import sys
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

CHECK = """
import filmdegrade, filmrestore_models, pathlib, sys
assert "site-packages" in filmdegrade.__file__, filmdegrade.__file__
from filmdegrade import FilmPipeline, list_presets
from filmdegrade.media import get_gauge, get_stock, get_tape, list_stocks
names = list_presets()
assert names, "no presets in the wheel"
for n in names:
    FilmPipeline.from_preset(n)
assert get_gauge("super8").frame_width_mm > 0 and get_tape("vhs_sp").luma_bandwidth_mhz > 0
assert len(list_stocks()) > 5 and get_stock("kodachrome_25").rms_granularity == 9
assert (pathlib.Path(filmdegrade.__file__).parent / "py.typed").exists()
print("ok", len(names))
"""


@pytest.mark.slow
def test_wheel_installs_and_finds_package_data(tmp_path):
    dist = tmp_path / "dist"
    subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(dist), str(ROOT)],
        check=True,
        capture_output=True,
    )
    (wheel,) = dist.glob("filmdegrade-*.whl")
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    py = env_dir / "bin" / "python"
    subprocess.run(
        [str(py), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", str(wheel)],
        check=True,
        capture_output=True,
    )
    out = subprocess.run([str(py), "-c", CHECK], cwd=tmp_path, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("ok")
