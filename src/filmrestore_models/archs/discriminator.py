"""UNetDiscriminatorSN (Real-ESRGAN) with the official key names.

Spectral normalisation uses :func:`torch.nn.utils.spectral_norm`, so the state dict holds
``conv{1..8}.weight_orig``, ``weight_u`` and ``weight_v`` like the official checkpoints.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn
from torch.nn.utils import spectral_norm

from ._common import kaiming_init_


class UNetDiscriminatorSN(nn.Module):
    """U-Net discriminator with spectral normalisation, giving a per-pixel realness map.

    Parameters
    ----------
    num_in_ch : int
        Input channels.
    num_feat : int
        Base feature channels (64 officially).
    skip_connection : bool
        Add encoder features to the decoder (U-Net skips).
    generator : torch.Generator, optional
        Random generator used for the weights and the spectral-norm power-iteration vectors.

    Notes
    -----
    Input ``(B, num_in_ch, H, W)`` with ``H`` and ``W`` divisible by 8; output ``(B, 1, H, W)`` logits.
    """

    def __init__(
        self,
        num_in_ch: int = 3,
        num_feat: int = 64,
        skip_connection: bool = True,
        generator: torch.Generator | None = None,
    ):
        super().__init__()
        self.skip_connection = skip_connection
        nf = num_feat
        self.conv0 = nn.Conv2d(num_in_ch, nf, 3, 1, 1)
        self.conv1 = spectral_norm(nn.Conv2d(nf, nf * 2, 4, 2, 1, bias=False))
        self.conv2 = spectral_norm(nn.Conv2d(nf * 2, nf * 4, 4, 2, 1, bias=False))
        self.conv3 = spectral_norm(nn.Conv2d(nf * 4, nf * 8, 4, 2, 1, bias=False))
        self.conv4 = spectral_norm(nn.Conv2d(nf * 8, nf * 4, 3, 1, 1, bias=False))
        self.conv5 = spectral_norm(nn.Conv2d(nf * 4, nf * 2, 3, 1, 1, bias=False))
        self.conv6 = spectral_norm(nn.Conv2d(nf * 2, nf, 3, 1, 1, bias=False))
        self.conv7 = spectral_norm(nn.Conv2d(nf, nf, 3, 1, 1, bias=False))
        self.conv8 = spectral_norm(nn.Conv2d(nf, nf, 3, 1, 1, bias=False))
        self.conv9 = nn.Conv2d(nf, 1, 3, 1, 1)
        gen = generator if generator is not None else torch.Generator().manual_seed(0)
        kaiming_init_([self], scale=1.0, generator=gen)
        with torch.no_grad():
            for m in self.modules():
                if hasattr(m, "weight_u") and m.weight_u.device.type != "meta":
                    for name in ("weight_u", "weight_v"):
                        vec = getattr(m, name)
                        vec.normal_(generator=gen)
                        vec.div_(vec.norm().clamp_min(1e-12))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Score ``x`` of shape ``(B, C, H, W)``; returns logits of shape ``(B, 1, H, W)``."""

        def lrelu(t: torch.Tensor) -> torch.Tensor:
            return F.leaky_relu(t, negative_slope=0.2)

        def up(t: torch.Tensor) -> torch.Tensor:
            return F.interpolate(t, scale_factor=2, mode="bilinear", align_corners=False)

        x0 = lrelu(self.conv0(x))
        x1 = lrelu(self.conv1(x0))
        x2 = lrelu(self.conv2(x1))
        x3 = lrelu(self.conv3(x2))
        x4 = lrelu(self.conv4(up(x3)))
        if self.skip_connection:
            x4 = x4 + x2
        x5 = lrelu(self.conv5(up(x4)))
        if self.skip_connection:
            x5 = x5 + x1
        x6 = lrelu(self.conv6(up(x5)))
        if self.skip_connection:
            x6 = x6 + x0
        out = lrelu(self.conv7(x6))
        out = lrelu(self.conv8(out))
        return self.conv9(out)
