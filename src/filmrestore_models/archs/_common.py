"""Small helpers shared by the architectures (initialisation, padding, pixel unshuffle)."""

from __future__ import annotations

from collections.abc import Iterable

import torch
import torch.nn.functional as F
from torch import nn


def kaiming_init_(
    modules: Iterable[nn.Module],
    scale: float = 1.0,
    bias_fill: float = 0.0,
    generator: torch.Generator | None = None,
) -> None:
    """Kaiming-normal initialise every ``Conv2d`` inside ``modules`` and scale the weights.

    Parameters
    ----------
    modules : iterable of torch.nn.Module
        Modules whose ``Conv2d`` sub-modules (recursively) are initialised.
    scale : float, optional
        Multiplier applied to the weights after initialisation (BasicSR uses 0.1 inside residual blocks).
    bias_fill : float, optional
        Constant written into the biases.
    generator : torch.Generator, optional
        Random generator; ``None`` uses a fresh generator seeded with 0 (never the global RNG).
    """
    gen = generator if generator is not None else torch.Generator().manual_seed(0)
    with torch.no_grad():
        for module in modules:
            for m in module.modules():
                if isinstance(m, nn.Conv2d):
                    weight = getattr(m, "weight_orig", m.weight)
                    if weight.device.type == "meta":
                        continue
                    nn.init.kaiming_normal_(weight, generator=gen)
                    weight.mul_(scale)
                    if m.bias is not None:
                        m.bias.fill_(bias_fill)


def zero_init_(module: nn.Module) -> None:
    """Set all parameters of ``module`` to zero (used for identity-at-init residual branches).

    Parameters
    ----------
    module : torch.nn.Module
        Module whose parameters are zeroed in place.
    """
    with torch.no_grad():
        for p in module.parameters():
            p.zero_()


def pixel_unshuffle(x: torch.Tensor, factor: int) -> torch.Tensor:
    """Rearrange spatial blocks into channels, ``B×C×H×W -> B×(C·f²)×(H/f)×(W/f)``.

    Same channel order as BasicSR's ``pixel_unshuffle`` (and :func:`torch.nn.functional.pixel_unshuffle`):
    output channel ``c·f² + i·f + j`` holds pixel ``(i, j)`` of each ``f×f`` block.  Written with
    ``view``/``permute`` so ONNX export needs no special operator.

    Parameters
    ----------
    x : torch.Tensor
        Input of shape ``(B, C, H, W)``; ``H`` and ``W`` must be divisible by ``factor``.
    factor : int
        Block size ``f``.

    Returns
    -------
    torch.Tensor
        Tensor of shape ``(B, C·f², H/f, W/f)``.
    """
    if factor == 1:
        return x
    b, c, h, w = x.shape
    x = x.view(b, c, h // factor, factor, w // factor, factor)
    return x.permute(0, 1, 3, 5, 2, 4).reshape(b, c * factor * factor, h // factor, w // factor)


def pad_to_multiple(x: torch.Tensor, multiple: int) -> tuple[torch.Tensor, int, int]:
    """Pad the last two dimensions on the bottom/right to a multiple of ``multiple``.

    Reflect padding is used as in Real-ESRGAN's "mod pad"; tiny inputs that cannot be reflected
    fall back to replicate padding.

    Parameters
    ----------
    x : torch.Tensor
        Tensor of shape ``(..., H, W)`` (3-D or 4-D).
    multiple : int
        Required divisor of the spatial size.

    Returns
    -------
    padded : torch.Tensor
        Padded tensor of shape ``(..., H + pad_h, W + pad_w)``.
    pad_h, pad_w : int
        Number of rows/columns added (pixels).
    """
    h, w = x.shape[-2:]
    pad_h = (-h) % multiple
    pad_w = (-w) % multiple
    if pad_h == 0 and pad_w == 0:
        return x, 0, 0
    mode = "reflect" if (pad_h < h and pad_w < w) else "replicate"
    return F.pad(x, (0, pad_w, 0, pad_h), mode=mode), pad_h, pad_w
