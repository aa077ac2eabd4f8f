"""Shared fixtures for the filmrestore_models tests."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

SRC = Path(__file__).resolve().parents[2] / "src"
try:  # the package may not be installed in the dev venv yet
    import filmrestore_models  # noqa: F401
except ImportError:  # pragma: no cover - depends on the environment
    sys.path.insert(0, str(SRC))


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(SRC), *filter(None, [env.get("PYTHONPATH")])])
    return env


@pytest.fixture
def run_cli() -> Callable[..., subprocess.CompletedProcess[str]]:
    """Run ``python -m filmrestore_models.cli ARGS`` in a subprocess and return the completed process."""

    def run(*args: str, pre: str | None = None, timeout: float = 120) -> subprocess.CompletedProcess[str]:
        if pre is None:
            cmd = [sys.executable, "-m", "filmrestore_models.cli", *args]
        else:  # run some Python first (e.g. to hide torch), then the CLI
            code = (
                f"{pre}\nimport sys\nfrom filmrestore_models.cli import main\nsys.exit(main({list(args)!r}))"
            )
            cmd = [sys.executable, "-c", code]
        return subprocess.run(cmd, capture_output=True, text=True, env=_env(), timeout=timeout, check=False)

    return run


@pytest.fixture
def gen():
    """A seeded ``torch.Generator`` (tests never touch the global RNG)."""
    torch = pytest.importorskip("torch")
    return torch.Generator().manual_seed(1234)


def write_ncnn(model: Any, folder: Path, stem: str, fp16: bool = True) -> tuple[Path, Path]:
    """Write a minimal synthetic ncnn ``stem.param``/``stem.bin`` from ``model``'s Conv2d/PReLU layers.

    Only the layers the converter reads (Convolution, PReLU) are written faithfully; a few weightless
    layers (Input, Interp, PixelShuffle) make the graph look like the real exports.
    """
    import numpy as np
    import torch

    tag_fp16 = 0x01306B47
    lines: list[str] = ["Input input 0 1 data"]
    payload = bytearray()
    blob = "data"
    n = 0
    for module in model.modules():
        if isinstance(module, torch.nn.Conv2d):
            w = module.weight.detach().numpy().ravel()
            out_ch, _, k, _ = module.weight.shape
            has_bias = int(module.bias is not None)
            lines.append(
                f"Convolution conv_{n} 1 1 {blob} b{n} 0={out_ch} 1={k} 4={k // 2} 5={has_bias} 6={w.size}"
            )
            if fp16:
                payload += np.uint32(tag_fp16).tobytes() + w.astype("<f2").tobytes()
                payload += b"\0" * ((-w.size * 2) % 4)
            else:
                payload += np.uint32(0).tobytes() + w.astype("<f4").tobytes()
            if has_bias:
                payload += module.bias.detach().numpy().astype("<f4").tobytes()
        elif isinstance(module, torch.nn.PReLU):
            lines.append(f"PReLU prelu_{n} 1 1 {blob} b{n} 0={module.weight.numel()}")
            payload += module.weight.detach().numpy().astype("<f4").tobytes()
        else:
            continue
        blob = f"b{n}"
        n += 1
    if hasattr(model, "upsampler"):
        lines.append(f"PixelShuffle ps 1 1 {blob} ps_out 0={model.upscale}")
        lines.append("Interp up 1 1 ps_out up_out 0=1 1=4.0 2=4.0")
    else:
        lines.append(f"Interp up 1 1 {blob} output 0=1 1=2.000000e+00 2=2.000000e+00 -23310=1,2.000000e-01")
    text = "7767517\n" + f"{len(lines)} {len(lines) + 1}\n" + "\n".join(lines) + "\n"
    param = folder / f"{stem}.param"
    binf = folder / f"{stem}.bin"
    param.write_text(text, encoding="utf-8")
    binf.write_bytes(bytes(payload))
    return param, binf


@pytest.fixture
def ncnn_writer() -> Callable[..., tuple[Path, Path]]:
    """The :func:`write_ncnn` helper (synthetic ncnn files for the converter tests)."""
    return write_ncnn
