"""ONNX export of the single-frame and temporal models, with an optional onnxruntime check.

The temporal model's recurrence is unrolled for a fixed number of frames ``T``; the spatial size is fixed
at export time as well (the padding for ``scale`` 1/2 depends on it).  Only the batch axis is dynamic.
Export uses the TorchScript-based exporter (``dynamo=False``), which needs neither ``onnx`` nor
``onnxscript``; the check needs ``onnxruntime`` (extra ``filmdegrade[onnx]``).
"""

from __future__ import annotations

import os
import tempfile
import warnings
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import torch


def example_input(
    model: torch.nn.Module, height: int, width: int, frames: int = 3, generator: torch.Generator | None = None
) -> torch.Tensor:
    """Random input for ``model``: ``(1, C, H, W)`` or, for a temporal model, ``(1, T, C, H, W)``.

    Parameters
    ----------
    model : torch.nn.Module
        Single-frame or temporal model.
    height, width : int
        Input size in pixels.
    frames : int
        Clip length ``T`` for temporal models.
    generator : torch.Generator, optional
        Random generator (default seeded with 0).

    Returns
    -------
    torch.Tensor
        Values in ``[0, 1)``.
    """
    import torch

    from .archs.temporal_realesrgan import TemporalRealESRGAN

    gen = generator if generator is not None else torch.Generator().manual_seed(0)
    first = next(m for m in model.modules() if isinstance(m, torch.nn.Conv2d))
    channels = first.in_channels // (getattr(model, "unshuffle", 1) ** 2)
    shape = (
        (1, frames, channels, height, width)
        if isinstance(model, TemporalRealESRGAN)
        else (1, channels, height, width)
    )
    return torch.rand(shape, generator=gen)


def export_onnx(
    model: torch.nn.Module, path: str | os.PathLike[str], example: torch.Tensor, opset: int = 17
) -> Path:
    """Export ``model`` to ONNX (written atomically).

    Parameters
    ----------
    model : torch.nn.Module
        Model; exported in eval mode.
    path : path
        Destination ``.onnx`` file.
    example : torch.Tensor
        Example input fixing every axis except the batch axis.
    opset : int
        ONNX opset (``GridSample`` needs >= 16).

    Returns
    -------
    pathlib.Path
        The written file.
    """
    import torch

    dest = Path(path)
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=dest.name + ".", suffix=".tmp", dir=dest.parent)
    os.close(fd)
    was_training = model.training
    model.eval()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            torch.onnx.export(
                model,
                (example,),
                tmp,
                input_names=["input"],
                output_names=["output"],
                opset_version=opset,
                dynamic_axes={"input": {0: "batch"}, "output": {0: "batch"}},
                dynamo=False,
            )
        os.replace(tmp, dest)
    finally:
        Path(tmp).unlink(missing_ok=True)
        model.train(was_training)
    return dest


def check_onnx(path: str | os.PathLike[str], model: torch.nn.Module, example: torch.Tensor) -> float:
    """Run the ONNX file with onnxruntime (CPU) and compare with PyTorch.

    Parameters
    ----------
    path : path
        ONNX file from :func:`export_onnx`.
    model : torch.nn.Module
        The original model.
    example : torch.Tensor
        Input to compare on.

    Returns
    -------
    float
        Maximum absolute difference between the two outputs.

    Raises
    ------
    ImportError
        If onnxruntime is not installed.
    """
    import onnxruntime as ort
    import torch

    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    (got,) = session.run(None, {"input": example.numpy()})
    was_training = model.training
    model.eval()
    with torch.no_grad():
        ref = model(example).numpy()
    model.train(was_training)
    if got.shape != ref.shape:
        raise ValueError(f"onnxruntime output shape {got.shape} != torch {ref.shape}")
    return float(np.max(np.abs(got - ref)))
