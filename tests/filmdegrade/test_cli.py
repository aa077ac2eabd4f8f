"""Every ``filmdegrade`` command driven as a subprocess, including bad input (exit 2, one line)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest

REPO = Path(__file__).resolve().parents[2]
COMMANDS = ["demo", "preview", "pairs", "measure", "calibrate", "presets"]


def run(*args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    return subprocess.run(
        [sys.executable, "-m", "filmdegrade.cli", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=timeout,
    )


def assert_usage_error(res: subprocess.CompletedProcess[str], *needles: str) -> None:
    assert res.returncode == 2, (res.stdout, res.stderr)
    lines = [ln for ln in res.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1, res.stderr
    assert "Traceback" not in res.stderr
    for n in needles:
        assert n in lines[0], lines[0]


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("cli")
    import skimage.data

    img = cv2.resize(skimage.data.astronaut(), (96, 96))
    cv2.imwrite(str(d / "img.png"), cv2.cvtColor(img, cv2.COLOR_RGB2BGR))
    frames = d / "frames"
    frames.mkdir()
    for t in range(6):
        shifted = np.roll(img, t, axis=1)
        cv2.imwrite(str(frames / f"{t:03d}.png"), cv2.cvtColor(shifted, cv2.COLOR_RGB2BGR))
    (d / "bad.png").write_bytes(b"\x89PNG\r\n\x1a\n this is not really a png")
    (d / "bad.mp4").write_bytes(b"\x00\x00\x00\x18ftypmp42" + b"\x13" * 400)
    (d / "bad.yaml").write_text("transforms: [ {name: grain\n  - oops: [\n")
    (d / "unknown.yaml").write_text("transforms:\n  - {name: no_such_effect}\n")
    (d / "ok.yaml").write_text(
        "seed: 3\nmedium: {gauge: 16mm}\ntransforms:\n  - {name: grain}\n  - {name: dust}\n"
    )
    return {"dir": d, "img": d / "img.png", "frames": frames}


@pytest.mark.parametrize("cmd", COMMANDS)
def test_help(cmd):
    res = run(cmd, "--help")
    assert res.returncode == 0 and "usage: filmdegrade " + cmd in res.stdout


def test_no_command_and_unknown_option():
    assert run().returncode == 2
    assert_usage_error(run("pairs", "a", "b", "--preset", "super8"), "--n", "--help")
    assert_usage_error(run("preview", "x.png", "-o", "y.png", "--preset", "super8", "--bogus"), "--bogus")


def test_presets_list_and_show():
    res = run("presets")
    assert res.returncode == 0 and "super8" in res.stdout
    res = run("presets", "--show", "super8")
    assert res.returncode == 0 and "transforms:" in res.stdout
    assert_usage_error(run("presets", "--show", "nope"), "unknown preset")


def test_preview_image(files):
    out = files["dir"] / "prev.png"
    res = run("preview", str(files["img"]), "-o", str(out), "--preset", "super8", "--side-by-side", "--masks")
    assert res.returncode == 0, res.stderr
    img = cv2.imread(str(out))
    assert img.shape == (96, 192, 3)
    assert (files["dir"] / "prev_mask_dust.png").exists() and (
        files["dir"] / "prev_mask_scratch.png"
    ).exists()


def test_preview_side_by_side_shows_the_bw_rendition_for_a_bw_preset(files):
    out = files["dir"] / "prev_bw.png"
    res = run("preview", str(files["img"]), "-o", str(out), "--preset", "silent_bw", "--side-by-side")
    assert res.returncode == 0, res.stderr
    clean = cv2.imread(str(out))[:, :96].astype(int)
    assert np.abs(clean - clean[..., :1]).max() == 0  # the clean half is the film's B&W, not the colours


def test_preview_video(files):
    pytest.importorskip("av")
    out = files["dir"] / "prev.mp4"
    res = run("preview", str(files["frames"]), "-o", str(out), "--config", str(files["dir"] / "ok.yaml"))
    assert res.returncode == 0, res.stderr
    from filmdegrade.io import read_frames

    assert read_frames(out).shape == (6, 96, 96, 3)
    # a video as input
    res = run(
        "preview", str(out), "-o", str(files["dir"] / "again.png"), "--preset", "16mm", "--max-frames", "1"
    )
    assert res.returncode == 0, res.stderr


def test_pairs(files):
    out = files["dir"] / "pairs"
    res = run("pairs", str(files["frames"]), str(out), "--preset", "super8", "--n", "4", "--quiet")
    assert res.returncode == 0, res.stderr
    assert "wrote 4 sample(s)" in res.stdout
    assert len(list((out / "lq").glob("*.png"))) == 4
    res = run(
        "pairs", str(files["frames"]), str(out), "--preset", "super8", "--n", "4", "--resume", "--quiet"
    )
    assert res.returncode == 0 and "wrote 0 sample(s), skipped 4" in res.stdout
    assert_usage_error(
        run("pairs", str(files["frames"]), str(out), "--preset", "16mm", "--n", "4"), "other settings"
    )
    assert_usage_error(
        run("pairs", str(files["frames"]), str(out), "--preset", "super8", "--n", "4", "--shard", "2/2"),
        "shard",
    )


def test_measure(files):
    res = run("measure", str(files["frames"]), "--json", "--medium", "16mm")
    assert res.returncode == 0, res.stderr
    stats = json.loads(res.stdout)
    assert stats["frames"] == 6 and stats["is_colour"] is True
    assert {"noise", "scratches", "flicker", "weave", "colour", "tape"} <= set(stats)
    res = run("measure", str(files["img"]))
    assert res.returncode == 0 and "noise.sigma" in res.stdout


def test_calibrate(files):
    out = files["dir"] / "cal.yaml"
    res = run("calibrate", str(files["frames"]), "--medium", "16mm", "-o", str(out), "--quiet")
    assert res.returncode == 0, res.stderr
    assert "measured" in res.stdout and "simulated" in res.stdout
    from filmdegrade import FilmPipeline

    pipe = FilmPipeline.from_yaml(out)
    assert [t.name for t in pipe.transforms][:3] == ["optics", "flicker", "grain"]
    assert_usage_error(
        run("calibrate", str(files["img"]), "--medium", "floppy", "-o", str(out)), "unknown medium"
    )


@pytest.mark.parametrize(
    "args, needle",
    [
        (["preview", "{dir}/missing.png", "-o", "{dir}/o.png", "--preset", "super8"], "missing.png"),
        (["preview", "{dir}/bad.png", "-o", "{dir}/o.png", "--preset", "super8"], "cannot decode"),
        (["measure", "{dir}/bad.mp4"], "bad.mp4"),
        (["preview", "{dir}/img.png", "-o", "{dir}/o.png", "--preset", "no_such_preset"], "unknown preset"),
        (
            ["preview", "{dir}/img.png", "-o", "{dir}/o.png", "--config", "{dir}/bad.yaml"],
            "malformed pipeline YAML",
        ),
        (
            ["preview", "{dir}/img.png", "-o", "{dir}/o.png", "--config", "{dir}/unknown.yaml"],
            "unknown transform",
        ),
        (
            ["preview", "{dir}/img.png", "-o", "{dir}/o.png", "--config", "{dir}/nope.yaml"],
            "no such pipeline",
        ),
        (["preview", "{dir}/img.png", "-o", "{dir}/o.gif", "--preset", "super8"], "output must end"),
        (["pairs", "{dir}/missing", "{dir}/p", "--preset", "super8", "--n", "2"], "missing"),
        (["pairs", "{dir}/img.png", "{dir}/p2", "--preset", "super8", "--n", "0"], "--n"),
        (["measure", "{dir}/missing.mp4"], "missing.mp4"),
        (["calibrate", "{dir}/bad.png", "--medium", "16mm", "-o", "{dir}/c.yaml"], "cannot decode"),
    ],
)
def test_bad_input_exits_2_with_one_line(files, args, needle):
    res = run(*[a.format(dir=files["dir"]) for a in args])
    assert_usage_error(res, needle)
