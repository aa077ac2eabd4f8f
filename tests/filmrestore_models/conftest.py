"""Shared fixtures for the filmrestore_models tests."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

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
            code = f"{pre}\nimport sys\nfrom filmrestore_models.cli import main\nsys.exit(main({list(args)!r}))"
            cmd = [sys.executable, "-c", code]
        return subprocess.run(cmd, capture_output=True, text=True, env=_env(), timeout=timeout, check=False)

    return run


@pytest.fixture
def gen():
    """A seeded ``torch.Generator`` (tests never touch the global RNG)."""
    torch = pytest.importorskip("torch")
    return torch.Generator().manual_seed(1234)
