"""The ``filmrestore`` CLI, run as a subprocess."""

from __future__ import annotations

import importlib.util
import json

import pytest

torch = pytest.importorskip("torch")

from filmrestore_models.checkpoint import save_checkpoint  # noqa: E402
from filmrestore_models.factory import build_model, count_parameters  # noqa: E402


def assert_usage_error(proc, needle: str) -> None:
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("filmrestore: error:")
    assert needle in lines[0]
    assert "Traceback" not in proc.stderr


@pytest.mark.parametrize("args", [[], ["info"], ["pretrained"], ["pretrained", "convert"], ["export"]])
def test_help_everywhere(run_cli, args) -> None:
    proc = run_cli(*args, "--help")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("usage: filmrestore")


def test_info_on_our_checkpoint(run_cli, tmp_path, gen) -> None:
    model = build_model({"name": "tiny", "scale": 2}, generator=gen)
    meta = {"arch": {"name": "tiny", "scale": 2}, "scale": 2, "training": {"iterations": 1234}}
    path = save_checkpoint(tmp_path / "ck.pth", model.state_dict(), meta=meta)
    proc = run_cli("info", str(path))
    assert proc.returncode == 0, proc.stderr
    assert f"{count_parameters(model):,}" in proc.stdout
    assert "RRDBNet" in proc.stdout and "x2" in proc.stdout and "iterations: 1234" in proc.stdout
    info = json.loads(run_cli("info", str(path), "--json").stdout)
    assert info["parameters"] == count_parameters(model) and info["weights"] == "params"


def test_info_infers_arch_of_bare_state_dict(run_cli, tmp_path, gen) -> None:
    model = build_model(
        {"arch": "SRVGGNetCompact", "num_feat": 8, "num_conv": 2, "upscale": 2}, generator=gen
    )
    path = tmp_path / "bare.pth"
    torch.save(model.state_dict(), path)
    info = json.loads(run_cli("info", str(path), "--json").stdout)
    assert info["architecture"]["arch"] == "SRVGGNetCompact"
    assert info["scale"] == 2 and info["parameters"] == count_parameters(model)


def test_bad_inputs_exit_2_one_line(run_cli, tmp_path) -> None:
    assert_usage_error(run_cli("info", str(tmp_path / "missing.pth")), "not found")
    junk = tmp_path / "junk.pth"
    junk.write_text("hello")
    assert_usage_error(run_cli("info", str(junk)), "cannot read")
    assert_usage_error(run_cli("frobnicate"), "invalid choice")
    assert_usage_error(run_cli("export", "--onnx", str(tmp_path / "x.onnx"), "--size", "big"), "HxW")
    assert_usage_error(run_cli("export", "--config", "huge", "--onnx", str(tmp_path / "x.onnx")), "huge")
    assert_usage_error(run_cli("export", "--config", "tiny"), "--onnx")
    assert_usage_error(
        run_cli("pretrained", "convert", "--output", str(tmp_path / "o.pth"), "--models-dir", str(tmp_path)),
        "missing ncnn file",
    )


def test_commands_without_torch_fail_cleanly(run_cli, tmp_path) -> None:
    hide = "import sys; sys.modules['torch'] = None"
    assert run_cli("--help", pre=hide).returncode == 0
    assert_usage_error(run_cli("info", str(tmp_path / "x.pth"), pre=hide), "PyTorch")


def test_pretrained_convert_synthetic(run_cli, tmp_path, ncnn_writer, gen) -> None:
    from filmrestore_models.archs.rrdbnet import RRDBNet

    ncnn_writer(RRDBNet(num_feat=4, num_block=1, num_grow_ch=2, generator=gen), tmp_path, "realesrgan-x4plus")
    out = tmp_path / "x4.pth"
    proc = run_cli("pretrained", "convert", "--output", str(out), "--models-dir", str(tmp_path))
    assert proc.returncode == 0, proc.stderr
    info = json.loads(run_cli("info", str(out), "--json").stdout)
    assert info["weights"] == "params_ema" and info["architecture"]["num_block"] == 1
    assert info["training"]["precision"] == "fp16"


@pytest.mark.skipif(importlib.util.find_spec("onnxruntime") is None, reason="onnxruntime not installed")
@pytest.mark.parametrize("config", ["tiny", "tiny-temporal"])
def test_export_onnx_with_check(run_cli, tmp_path, config) -> None:
    out = tmp_path / "m.onnx"
    proc = run_cli(
        "export", "--config", config, "--onnx", str(out), "--size", "12x10", "--frames", "2", "--check"
    )
    assert proc.returncode == 0, proc.stderr
    assert out.is_file() and "onnxruntime max |diff|" in proc.stdout
