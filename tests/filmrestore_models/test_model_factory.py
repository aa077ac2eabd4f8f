"""Model factory, named configurations and the torch-free import of the package."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from filmrestore_models.factory import ARCHITECTURES, NAMED_CONFIGS, model_scale, resolve_config

SRC = Path(__file__).resolve().parents[2] / "src"


def test_named_configs_cover_required_names() -> None:
    assert {"tiny", "compact", "full"} <= set(NAMED_CONFIGS)
    assert all(cfg["arch"] in ARCHITECTURES for cfg in NAMED_CONFIGS.values())


def test_resolve_overrides_and_errors() -> None:
    cfg = resolve_config({"name": "full", "scale": 2})
    assert cfg["arch"] == "RRDBNet" and cfg["scale"] == 2 and cfg["num_block"] == 23
    assert NAMED_CONFIGS["full"]["scale"] == 4  # the named config itself is not mutated
    assert model_scale({"name": "compact"}) == 4
    assert model_scale("discriminator") == 1
    with pytest.raises(ValueError, match="unknown model config"):
        resolve_config("huge")
    with pytest.raises(ValueError, match="unknown architecture"):
        resolve_config({"arch": "SwinIR"})


@pytest.mark.parametrize("name", sorted(NAMED_CONFIGS))
def test_build_every_named_config(name: str) -> None:
    torch = pytest.importorskip("torch")
    from filmrestore_models.factory import build_model, count_parameters

    with torch.device("meta"):
        model = build_model(name)
    assert count_parameters(model) > 0


def test_build_rejects_bad_kwargs() -> None:
    pytest.importorskip("torch")
    from filmrestore_models.factory import build_model

    with pytest.raises(ValueError, match="bad arguments"):
        build_model({"name": "tiny", "num_layers": 3})


def test_seeded_build_is_deterministic() -> None:
    torch = pytest.importorskip("torch")
    from filmrestore_models.factory import build_model

    a = build_model("tiny-temporal", generator=torch.Generator().manual_seed(5)).state_dict()
    b = build_model("tiny-temporal", generator=torch.Generator().manual_seed(5)).state_dict()
    assert all(torch.equal(a[k], b[k]) for k in a)


def test_import_does_not_need_torch() -> None:
    code = (
        "import sys; sys.modules['torch'] = None\n"  # makes 'import torch' raise ImportError
        "import filmrestore_models, filmrestore_models.factory, filmrestore_models.checkpoint\n"
        "import filmrestore_models.cli, filmrestore_models.pretrained, filmrestore_models.archs\n"
        "print(filmrestore_models.__version__)\n"
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(SRC), os.environ.get("PYTHONPATH", "")])}
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=False)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip()
