"""ONNX export of single-frame and temporal models, checked with onnxruntime (optional extra)."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("onnxruntime", reason="onnxruntime not installed (extra filmdegrade[onnx])")

from filmrestore_models.export import check_onnx, example_input, export_onnx  # noqa: E402
from filmrestore_models.factory import build_model  # noqa: E402


@pytest.mark.parametrize(
    ("config", "size"),
    [
        ("tiny", (16, 16)),
        ({"name": "tiny", "scale": 2}, (13, 10)),
        ("compact", (12, 12)),
        ("tiny-temporal", (12, 14)),
    ],
)
def test_export_matches_torch(tmp_path, config, size, gen) -> None:
    model = build_model(config, generator=gen)
    if config == "tiny-temporal":  # leave the identity initialisation so the temporal path matters
        with torch.no_grad():
            model.temporal.merge.conv2.weight.normal_(0.0, 0.1, generator=gen)
    x = example_input(model, *size, frames=3)
    path = export_onnx(model, tmp_path / "m.onnx", x)
    assert path.stat().st_size > 0
    assert [p.name for p in tmp_path.iterdir()] == ["m.onnx"]
    assert check_onnx(path, model, x) < 1e-4


def test_batch_axis_is_dynamic(tmp_path, gen) -> None:
    import onnxruntime as ort

    model = build_model("tiny", generator=gen).eval()
    path = export_onnx(model, tmp_path / "m.onnx", example_input(model, 8, 8))
    x = torch.rand(3, 3, 8, 8, generator=gen)
    (out,) = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"]).run(
        None, {"input": x.numpy()}
    )
    with torch.no_grad():
        assert abs(out - model(x).numpy()).max() < 1e-4
