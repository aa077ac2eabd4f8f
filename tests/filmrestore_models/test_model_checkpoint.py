"""Checkpoint saving (atomic), loading (params_ema → params → bare) and architecture inference."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")

from filmrestore_models.checkpoint import (  # noqa: E402
    CheckpointError,
    extract_state_dict,
    infer_arch_config,
    load_checkpoint,
    load_state_dict_file,
    save_checkpoint,
)
from filmrestore_models.factory import build_model  # noqa: E402


def test_roundtrip_with_meta(tmp_path, gen) -> None:
    model = build_model({"name": "tiny", "num_block": 1}, generator=gen)
    meta = {"arch": {"name": "tiny", "num_block": 1}, "scale": 4, "training": {"iter": 10, "lr": 2e-4}}
    path = save_checkpoint(tmp_path / "sub" / "ck.pth", ema_state_dict=model.state_dict(), meta=meta)
    assert path.is_file()
    assert [p.name for p in path.parent.iterdir()] == ["ck.pth"]  # no temporary file left behind
    ck = load_checkpoint(path)
    assert ck.key == "params_ema"
    assert ck.meta == meta
    other = build_model(ck.meta["arch"])
    other.load_state_dict(ck.state_dict, strict=True)
    assert all(
        torch.equal(a, b)
        for a, b in zip(model.state_dict().values(), other.state_dict().values(), strict=True)
    )


def test_overwrite_is_atomic_replace(tmp_path, gen) -> None:
    sd = {"w": torch.zeros(2)}
    path = tmp_path / "ck.pth"
    save_checkpoint(path, sd)
    save_checkpoint(path, {"w": torch.ones(2)})
    assert torch.equal(load_state_dict_file(path)["w"], torch.ones(2))
    assert len(list(tmp_path.iterdir())) == 1


def test_extract_prefers_ema_and_strips_module_prefix() -> None:
    a, b = {"module.x": torch.zeros(1)}, {"module.x": torch.ones(1)}
    sd, key = extract_state_dict({"params": a, "params_ema": b})
    assert key == "params_ema" and torch.equal(sd["x"], torch.ones(1))
    sd, key = extract_state_dict({"params": a})
    assert key == "params" and set(sd) == {"x"}
    sd, key = extract_state_dict({"y": torch.zeros(1)})
    assert key is None and set(sd) == {"y"}
    sd, key = extract_state_dict({"params": a, "params_ema": b}, key="params")
    assert torch.equal(sd["x"], torch.zeros(1))


@pytest.mark.parametrize("bad", [{"params": {"x": 1}}, {"other": {"x": torch.zeros(1)}}, {}])
def test_extract_rejects_non_checkpoints(bad) -> None:
    with pytest.raises(CheckpointError):
        extract_state_dict(bad)


def test_missing_and_corrupt_files(tmp_path) -> None:
    with pytest.raises(CheckpointError, match="not found"):
        load_checkpoint(tmp_path / "nope.pth")
    junk = tmp_path / "junk.pth"
    junk.write_bytes(b"not a checkpoint")
    with pytest.raises(CheckpointError, match="cannot read"):
        load_checkpoint(junk)


def test_save_requires_weights(tmp_path) -> None:
    with pytest.raises(ValueError):
        save_checkpoint(tmp_path / "x.pth")


@pytest.mark.parametrize(
    "config",
    [
        {"arch": "RRDBNet", "num_in_ch": 3, "num_out_ch": 3, "scale": 2, "num_feat": 8, "num_block": 2,
         "num_grow_ch": 4},
        {"arch": "RRDBNet", "num_in_ch": 3, "num_out_ch": 3, "scale": 1, "num_feat": 8, "num_block": 1,
         "num_grow_ch": 4},
        {"arch": "SRVGGNetCompact", "num_in_ch": 3, "num_out_ch": 3, "num_feat": 8, "num_conv": 3,
         "upscale": 2, "act_type": "prelu"},
        {"arch": "SRVGGNetCompact", "num_in_ch": 3, "num_out_ch": 3, "num_feat": 8, "num_conv": 2,
         "upscale": 4, "act_type": "relu"},
        {"arch": "UNetDiscriminatorSN", "num_in_ch": 3, "num_feat": 8},
    ],
)  # fmt: skip
def test_infer_arch_config_roundtrip(config) -> None:
    with torch.device("meta"):
        model = build_model(config)
    assert infer_arch_config(model.state_dict()) == config


def test_infer_temporal_arch() -> None:
    with torch.device("meta"):
        model = build_model("tiny-temporal")
    assert infer_arch_config(model.state_dict())["arch"] == "TemporalRealESRGAN"


def test_infer_rejects_unknown_layout() -> None:
    with pytest.raises(CheckpointError):
        infer_arch_config({"foo.weight": torch.zeros(1)})
