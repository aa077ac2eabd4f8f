"""The pair writer: determinism across workers, shards and interruptions; atomic files; resume."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import cv2
import numpy as np
import pytest

from filmdegrade import FilmPipeline
from filmdegrade import pairs as pairs_mod
from filmdegrade.pairs import FrameSource, parse_shard, write_pairs

REPO = Path(__file__).resolve().parents[2]
CONFIG = """
seed: 11
medium: {gauge: 16mm}
transforms:
  - {name: grain}
  - {name: scratches, rate_per_frame: 0.5}
  - {name: dust, rate_per_frame: 20.0}
"""


def _pipe() -> FilmPipeline:
    return FilmPipeline.from_yaml(CONFIG)


@pytest.fixture
def source(tmp_path: Path) -> Path:
    src = tmp_path / "src"
    src.mkdir()
    rng = np.random.default_rng(0)
    for i in range(3):
        img = cv2.GaussianBlur(rng.integers(0, 256, (48, 64, 3)).astype(np.uint8), (0, 0), 3)
        cv2.imwrite(str(src / f"img{i}.png"), img)
    return src


def _tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_parse_shard():
    assert parse_shard("1/4") == (1, 4)
    for bad in ("4/4", "a/2", "1", "-1/2", "0/0"):
        with pytest.raises(ValueError, match="shard"):
            parse_shard(bad)


def test_layout_and_content(tmp_path, source):
    res = write_pairs(source, tmp_path / "out", _pipe(), 5, progress=False)
    assert res.written == [0, 1, 2, 3, 4]
    tree = _tree(tmp_path / "out")
    assert "lq/000004.png" in tree and "gt/000004.png" in tree and "records/000004.json" in tree
    assert "masks/dust/000000.png" in tree and "masks/scratch/000000.png" in tree
    # Sample 4 degrades source item 4 mod 3 = 1 with index 4, and replays from its record.
    from filmdegrade.io import read_image
    from filmdegrade.pipeline import Record

    gt = read_image(tmp_path / "out/gt/000004.png")
    np.testing.assert_array_equal(gt, FrameSource(source)[1])
    rec = Record.from_json((tmp_path / "out/records/000004.json").read_text())
    assert rec.index == 4 and rec.seed == 11
    lq = read_image(tmp_path / "out/lq/000004.png")
    np.testing.assert_array_equal(lq, _pipe().replay(gt, rec).image)
    assert not (lq == gt).all()


def test_shards_and_workers_equal_plain_run(tmp_path, source):
    write_pairs(source, tmp_path / "a", _pipe(), 6, progress=False)
    write_pairs(source, tmp_path / "b", _pipe(), 6, shard=(1, 2), progress=False)
    write_pairs(source, tmp_path / "b", _pipe(), 6, shard=(0, 2), progress=False)
    write_pairs(source, tmp_path / "c", _pipe(), 6, workers=2, progress=False)
    a = _tree(tmp_path / "a")
    assert a == _tree(tmp_path / "b")
    assert a == _tree(tmp_path / "c")


def test_clips(tmp_path, source):
    write_pairs(source, tmp_path / "o", _pipe(), 2, clip_len=3, progress=False)
    tree = _tree(tmp_path / "o")
    assert {"lq/000001/0002.png", "gt/000001/0000.png", "masks/dust/000001/0002.png"} <= set(tree)
    with pytest.raises(ValueError, match="fewer than one clip"):
        write_pairs(source, tmp_path / "p", _pipe(), 2, clip_len=4, progress=False)


def test_injected_failure_then_resume_equals_uninterrupted(tmp_path, source, monkeypatch):
    write_pairs(source, tmp_path / "ref", _pipe(), 6, progress=False)
    real = pairs_mod.write_png
    calls = {"n": 0}

    def failing(path, img):
        calls["n"] += 1
        if calls["n"] == 13:  # in the middle of sample 3's files
            raise KeyboardInterrupt("killed")
        return real(path, img)

    monkeypatch.setattr(pairs_mod, "write_png", failing)
    with pytest.raises(KeyboardInterrupt):
        write_pairs(source, tmp_path / "out", _pipe(), 6, progress=False)
    monkeypatch.setattr(pairs_mod, "write_png", real)
    partial = _tree(tmp_path / "out")
    assert "records/000002.json" in partial and "records/000003.json" not in partial
    res = write_pairs(source, tmp_path / "out", _pipe(), 6, resume=True, progress=False)
    assert res.skipped == [0, 1, 2] and res.written == [3, 4, 5]
    assert _tree(tmp_path / "out") == _tree(tmp_path / "ref")


def test_refuses_other_settings(tmp_path, source):
    write_pairs(source, tmp_path / "o", _pipe(), 2, progress=False)
    other = FilmPipeline.from_yaml(CONFIG.replace("seed: 11", "seed: 12"))
    with pytest.raises(ValueError, match="other settings"):
        write_pairs(source, tmp_path / "o", other, 2, resume=True, progress=False)


def test_kill_and_resume_subprocess(tmp_path, source):
    """SIGKILL the CLI mid-run; resume; byte-identical to an uninterrupted run, no partial final file."""
    cfg = tmp_path / "p.yaml"
    cfg.write_text(CONFIG)
    big = tmp_path / "big"
    big.mkdir()
    img = cv2.resize(cv2.imread(str(next(source.iterdir()))), (256, 192))
    cv2.imwrite(str(big / "a.png"), img)
    n = 60
    base = [sys.executable, "-m", "filmdegrade.cli", "pairs", str(big)]
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    ref = subprocess.run(
        [*base, str(tmp_path / "ref"), "--config", str(cfg), "--n", str(n), "--quiet"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert ref.returncode == 0, ref.stderr
    out = tmp_path / "out"
    proc = subprocess.Popen(
        [*base, str(out), "--config", str(cfg), "--n", str(n), "--quiet"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if len(list((out / "records").glob("*.json"))) >= 5 if (out / "records").exists() else False:
            break
        time.sleep(0.01)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    done = len(list((out / "records").glob("*.json")))
    assert 5 <= done < n, f"the run was not interrupted part-way ({done} records)"
    # Every file under a final name decodes completely (atomic writes).
    for p in out.rglob("*.png"):
        if not p.name.startswith("."):
            assert cv2.imread(str(p), cv2.IMREAD_UNCHANGED) is not None, p
    res = subprocess.run(
        [*base, str(out), "--config", str(cfg), "--n", str(n), "--resume", "--quiet"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert res.returncode == 0, res.stderr
    assert f"skipped {done}" in res.stdout
    assert _tree(out) == _tree(tmp_path / "ref")


def test_bw_film_pairs_target_the_bw_rendition(tmp_path, source):
    # With a B&W stock and its spectral response, gt is the film's own B&W rendition of the source (a pair
    # must not ask a model for colours the film never recorded); lq replays from the source item (gt is
    # the rendition rounded to 8 bits, so replaying from it differs by a code value here and there).
    from filmdegrade.io import read_image
    from filmdegrade.pipeline import Record

    pipe = FilmPipeline.from_yaml(
        "seed: 5\nmedium: {gauge: 35mm_full, stock: bw_print_nitrate}\n"
        "transforms:\n  - {name: sensitivity}\n  - {name: grain}\n"
    )
    write_pairs(source, tmp_path / "out", pipe, 2, progress=False)
    gt = read_image(tmp_path / "out/gt/000001.png").astype(int)
    src = FrameSource(source)[1].astype(int)
    assert np.abs(src[..., 0] - src[..., 2]).max() > 20  # the source has colour
    assert np.abs(gt - gt[..., :1]).max() == 0  # the target has none
    np.testing.assert_array_equal(gt.astype(np.uint8), pipe.clean_target(FrameSource(source)[1], index=1))
    rec = Record.from_json((tmp_path / "out/records/000001.json").read_text())
    lq = read_image(tmp_path / "out/lq/000001.png")
    np.testing.assert_array_equal(lq, pipe.replay(FrameSource(source)[1], rec).image)
