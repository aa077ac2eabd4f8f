"""Multiply–accumulate (MAC) counting with forward hooks on ``Conv2d``.

Works on the ``meta`` device, so even the full models can be "run" without computing anything.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import torch


def count_conv_macs(model: torch.nn.Module, example: torch.Tensor) -> int:
    """Count the MACs of every ``Conv2d`` call during ``model(example)``.

    Each convolution costs ``out_elements · (in_channels / groups) · kH · kW`` MACs; other layers
    (activations, interpolation, warping) are ignored, they are a small fraction for these models.

    Parameters
    ----------
    model : torch.nn.Module
        Model on the same device as ``example`` (``meta`` is supported).
    example : torch.Tensor
        Input tensor.

    Returns
    -------
    int
        MACs for one forward pass of ``example`` (the whole batch).
    """
    import torch

    total = 0

    def hook(module: torch.nn.Conv2d, _inp: tuple[torch.Tensor, ...], out: torch.Tensor) -> None:
        nonlocal total
        kh, kw = module.kernel_size
        total += out.numel() * (module.in_channels // module.groups) * kh * kw

    handles = [m.register_forward_hook(hook) for m in model.modules() if isinstance(m, torch.nn.Conv2d)]
    try:
        with torch.no_grad():
            model(example)
    finally:
        for h in handles:
            h.remove()
    return total
