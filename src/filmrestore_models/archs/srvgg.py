"""SRVGGNetCompact (``realesr-animevideov3`` / ``realesr-general-x4v3``) with the official keys.

All layers live in one ``body`` ``ModuleList``: convolutions at even indices, activations (PReLU
weights for the default activation) at odd indices, and a last convolution producing
``num_out_ch · upscale²`` channels, followed by pixel shuffle.  The network predicts a residual
over nearest-neighbour upsampling.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from ._common import kaiming_init_

ACTIVATIONS = ("prelu", "relu", "leakyrelu")


def _activation(act_type: str, num_feat: int) -> nn.Module:
    if act_type == "prelu":
        return nn.PReLU(num_parameters=num_feat)
    if act_type == "relu":
        return nn.ReLU(inplace=True)
    if act_type == "leakyrelu":
        return nn.LeakyReLU(negative_slope=0.1, inplace=True)
    raise ValueError(f"act_type must be one of {ACTIVATIONS}, got {act_type!r}")


class SRVGGNetCompact(nn.Module):
    """Compact VGG-style super-resolution network working entirely at low resolution.

    Parameters
    ----------
    num_in_ch : int
        Input channels.
    num_out_ch : int
        Output channels.
    num_feat : int
        Feature channels (64 officially).
    num_conv : int
        Number of hidden 3×3 convolutions (16 for ``animevideov3``, 32 for ``general-x4v3``).
    upscale : int
        Upscaling factor (pixel shuffle).
    act_type : {"prelu", "relu", "leakyrelu"}
        Activation after every convolution except the last.
    generator : torch.Generator, optional
        Random generator used for initialisation.

    Notes
    -----
    Maps ``(B, num_in_ch, H, W)`` in ``[0, 1]`` to ``(B, num_out_ch, H·upscale, W·upscale)``.
    """

    def __init__(
        self,
        num_in_ch: int = 3,
        num_out_ch: int = 3,
        num_feat: int = 64,
        num_conv: int = 16,
        upscale: int = 4,
        act_type: str = "prelu",
        generator: torch.Generator | None = None,
    ):
        super().__init__()
        if upscale < 1:
            raise ValueError(f"upscale must be >= 1, got {upscale!r}")
        self.num_in_ch = num_in_ch
        self.num_out_ch = num_out_ch
        self.upscale = upscale
        self.scale = upscale
        layers: list[nn.Module] = [nn.Conv2d(num_in_ch, num_feat, 3, 1, 1), _activation(act_type, num_feat)]
        for _ in range(num_conv):
            layers += [nn.Conv2d(num_feat, num_feat, 3, 1, 1), _activation(act_type, num_feat)]
        layers.append(nn.Conv2d(num_feat, num_out_ch * upscale * upscale, 3, 1, 1))
        self.body = nn.ModuleList(layers)
        self.upsampler = nn.PixelShuffle(upscale)
        kaiming_init_([self.body], scale=0.1, generator=generator)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Upscale ``x`` of shape ``(B, C, H, W)`` to ``(B, num_out_ch, H·upscale, W·upscale)``."""
        out = x
        for layer in self.body:
            out = layer(out)
        out = self.upsampler(out)
        base = F.interpolate(x, scale_factor=self.upscale, mode="nearest")
        if self.num_out_ch != self.num_in_ch:
            base = base.mean(dim=1, keepdim=True).expand_as(out)
        return out + base
