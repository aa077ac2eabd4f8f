"""RRDBNet, the Real-ESRGAN / ESRGAN generator, with the official BasicSR state-dict keys.

Official keys (702 tensors for ``num_block=23``): ``conv_first.*``,
``body.{i}.rdb{1,2,3}.conv{1..5}.*``, ``conv_body.*``, ``conv_up1.*``, ``conv_up2.*``,
``conv_hr.*`` and ``conv_last.*``, so a ``RealESRGAN_x4plus.pth`` loads with ``strict=True``.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from ._common import kaiming_init_, pad_to_multiple, pixel_unshuffle


class ResidualDenseBlock(nn.Module):
    """Residual dense block: five densely connected 3×3 convolutions, residual scaled by 0.2.

    Parameters
    ----------
    num_feat : int
        Number of input/output feature channels.
    num_grow_ch : int
        Channels added by each of the first four convolutions (growth rate).
    generator : torch.Generator, optional
        Random generator used for the (scaled by 0.1) Kaiming initialisation.
    """

    def __init__(self, num_feat: int = 64, num_grow_ch: int = 32, generator: torch.Generator | None = None):
        super().__init__()
        self.conv1 = nn.Conv2d(num_feat, num_grow_ch, 3, 1, 1)
        self.conv2 = nn.Conv2d(num_feat + num_grow_ch, num_grow_ch, 3, 1, 1)
        self.conv3 = nn.Conv2d(num_feat + 2 * num_grow_ch, num_grow_ch, 3, 1, 1)
        self.conv4 = nn.Conv2d(num_feat + 3 * num_grow_ch, num_grow_ch, 3, 1, 1)
        self.conv5 = nn.Conv2d(num_feat + 4 * num_grow_ch, num_feat, 3, 1, 1)
        self.lrelu = nn.LeakyReLU(negative_slope=0.2, inplace=True)
        kaiming_init_([self], scale=0.1, generator=generator)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Apply the block to ``x`` of shape ``(B, num_feat, H, W)``; the output has the same shape."""
        x1 = self.lrelu(self.conv1(x))
        x2 = self.lrelu(self.conv2(torch.cat((x, x1), 1)))
        x3 = self.lrelu(self.conv3(torch.cat((x, x1, x2), 1)))
        x4 = self.lrelu(self.conv4(torch.cat((x, x1, x2, x3), 1)))
        x5 = self.conv5(torch.cat((x, x1, x2, x3, x4), 1))
        return x5 * 0.2 + x


class RRDB(nn.Module):
    """Residual-in-residual dense block: three :class:`ResidualDenseBlock`, residual scaled by 0.2.

    Parameters
    ----------
    num_feat : int
        Number of feature channels.
    num_grow_ch : int
        Growth rate of the inner dense blocks.
    generator : torch.Generator, optional
        Random generator for the initialisation.
    """

    def __init__(self, num_feat: int, num_grow_ch: int = 32, generator: torch.Generator | None = None):
        super().__init__()
        self.rdb1 = ResidualDenseBlock(num_feat, num_grow_ch, generator)
        self.rdb2 = ResidualDenseBlock(num_feat, num_grow_ch, generator)
        self.rdb3 = ResidualDenseBlock(num_feat, num_grow_ch, generator)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Apply the block to ``x`` of shape ``(B, num_feat, H, W)``; the output has the same shape."""
        out = self.rdb3(self.rdb2(self.rdb1(x)))
        return out * 0.2 + x


class RRDBNet(nn.Module):
    """Real-ESRGAN generator (BasicSR ``RRDBNet``) with the official key names.

    Scales 2 and 1 first pixel-unshuffle the input by ``4 / scale`` so the trunk always upsamples ×4.
    Inputs whose height/width are not multiples of that factor are reflect-padded and the output is
    cropped, so the output is always ``input × scale``.

    Parameters
    ----------
    num_in_ch : int
        Input channels (3 for RGB).
    num_out_ch : int
        Output channels.
    scale : {1, 2, 4}
        Upscaling factor.
    num_feat : int
        Trunk feature channels (64 officially).
    num_block : int
        Number of :class:`RRDB` blocks (23 for ``RealESRGAN_x4plus``, 6 for the anime model).
    num_grow_ch : int
        Growth rate of the dense blocks (32 officially).
    generator : torch.Generator, optional
        Random generator used for initialisation; ``None`` means a generator seeded with 0.

    Notes
    -----
    Input and output are images in ``[0, 1]``, shape ``(B, num_in_ch, H, W)`` →
    ``(B, num_out_ch, H·scale, W·scale)``. No output activation is applied (as upstream).
    """

    def __init__(
        self,
        num_in_ch: int = 3,
        num_out_ch: int = 3,
        scale: int = 4,
        num_feat: int = 64,
        num_block: int = 23,
        num_grow_ch: int = 32,
        generator: torch.Generator | None = None,
    ):
        super().__init__()
        if scale not in (1, 2, 4):
            raise ValueError(f"scale must be 1, 2 or 4, got {scale!r}")
        if num_block < 1 or num_feat < 1 or num_grow_ch < 1:
            raise ValueError("num_block, num_feat and num_grow_ch must be positive")
        self.scale = scale
        self.unshuffle = 4 // scale
        gen = generator if generator is not None else torch.Generator().manual_seed(0)
        self.conv_first = nn.Conv2d(num_in_ch * self.unshuffle**2, num_feat, 3, 1, 1)
        self.body = nn.Sequential(*[RRDB(num_feat, num_grow_ch, gen) for _ in range(num_block)])
        self.conv_body = nn.Conv2d(num_feat, num_feat, 3, 1, 1)
        self.conv_up1 = nn.Conv2d(num_feat, num_feat, 3, 1, 1)
        self.conv_up2 = nn.Conv2d(num_feat, num_feat, 3, 1, 1)
        self.conv_hr = nn.Conv2d(num_feat, num_feat, 3, 1, 1)
        self.conv_last = nn.Conv2d(num_feat, num_out_ch, 3, 1, 1)
        self.lrelu = nn.LeakyReLU(negative_slope=0.2, inplace=True)
        kaiming_init_(
            [self.conv_first, self.conv_body, self.conv_up1, self.conv_up2, self.conv_hr, self.conv_last],
            scale=1.0,
            generator=gen,
        )

    def head(self, x: torch.Tensor) -> torch.Tensor:
        """Pixel-unshuffle (for scale 1/2) and apply ``conv_first``.

        Parameters
        ----------
        x : torch.Tensor
            Images ``(N, C, H, W)`` with ``H`` and ``W`` divisible by ``4 / scale``.

        Returns
        -------
        torch.Tensor
            Shallow features ``(N, num_feat, H·scale/4, W·scale/4)``.
        """
        return self.conv_first(pixel_unshuffle(x, self.unshuffle))

    def tail(self, feat: torch.Tensor, body_feat: torch.Tensor) -> torch.Tensor:
        """Apply ``conv_body``, the global residual and the ×4 nearest-neighbour upsampler.

        Parameters
        ----------
        feat : torch.Tensor
            Output of :meth:`head`, ``(N, num_feat, h, w)``.
        body_feat : torch.Tensor
            Output of the RRDB trunk, same shape as ``feat``.

        Returns
        -------
        torch.Tensor
            Images ``(N, num_out_ch, 4h, 4w)``.
        """
        feat = feat + self.conv_body(body_feat)
        feat = self.lrelu(self.conv_up1(F.interpolate(feat, scale_factor=2, mode="nearest")))
        feat = self.lrelu(self.conv_up2(F.interpolate(feat, scale_factor=2, mode="nearest")))
        return self.conv_last(self.lrelu(self.conv_hr(feat)))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Upscale ``x`` of shape ``(B, C, H, W)`` to ``(B, num_out_ch, H·scale, W·scale)``."""
        h, w = x.shape[-2:]
        x, _, _ = pad_to_multiple(x, self.unshuffle)
        feat = self.head(x)
        out = self.tail(feat, self.body(feat))
        return out[..., : h * self.scale, : w * self.scale]
