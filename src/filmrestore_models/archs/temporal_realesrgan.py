"""TemporalRealESRGAN: a Real-ESRGAN RRDB trunk with a temporal consistency module inside.

Per frame: ``conv_first`` + the first ``num_shallow_blocks`` RRDB blocks → :class:`TemporalConsistencyModule`
across the clip → the remaining RRDB blocks, ``conv_body`` and the upsampler.  All single-frame layers keep
the official RRDBNet names, so single-frame Real-ESRGAN weights load directly
(:meth:`TemporalRealESRGAN.from_single_frame`); with the temporal module at its (learned-fusion)
identity initialisation the output equals the single-frame model's output frame by frame.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import torch

from ._common import pad_to_multiple
from .flow_ops import resize_flow
from .rrdbnet import RRDBNet
from .temporal import TemporalConsistencyModule


class TemporalRealESRGAN(RRDBNet):
    """Real-ESRGAN generator with flow-guided recurrent temporal fusion of shallow features.

    Parameters
    ----------
    num_in_ch, num_out_ch, scale, num_feat, num_block, num_grow_ch
        As for :class:`~filmrestore_models.archs.rrdbnet.RRDBNet`.
    num_shallow_blocks : int
        Number ``k`` of RRDB blocks applied per frame before the temporal module (``0 <= k <= num_block``).
    temporal : dict, optional
        Keyword arguments of :class:`~filmrestore_models.archs.temporal.TemporalConsistencyModule`
        (``num_feat`` is filled in).
    generator : torch.Generator, optional
        Random generator used for initialisation.

    Notes
    -----
    Input ``(B, T, C, H, W)`` in ``[0, 1]``, output ``(B, T, num_out_ch, H·scale, W·scale)``.  Heights/widths
    not divisible by ``4 / scale`` are reflect-padded and cropped as in :class:`RRDBNet`.
    """

    def __init__(
        self,
        num_in_ch: int = 3,
        num_out_ch: int = 3,
        scale: int = 4,
        num_feat: int = 64,
        num_block: int = 23,
        num_grow_ch: int = 32,
        num_shallow_blocks: int = 2,
        temporal: Mapping[str, Any] | None = None,
        generator: torch.Generator | None = None,
    ):
        gen = generator if generator is not None else torch.Generator().manual_seed(0)
        super().__init__(num_in_ch, num_out_ch, scale, num_feat, num_block, num_grow_ch, generator=gen)
        if not 0 <= num_shallow_blocks <= num_block:
            raise ValueError(f"num_shallow_blocks must be in [0, {num_block}], got {num_shallow_blocks}")
        self.num_shallow_blocks = num_shallow_blocks
        self.temporal = TemporalConsistencyModule(num_feat, **dict(temporal or {}), generator=gen)

    @classmethod
    def from_single_frame(
        cls,
        single: RRDBNet | Mapping[str, torch.Tensor],
        num_shallow_blocks: int = 2,
        temporal: Mapping[str, Any] | None = None,
        generator: torch.Generator | None = None,
    ) -> TemporalRealESRGAN:
        """Build a temporal model initialised from single-frame RRDBNet weights (transfer learning).

        Parameters
        ----------
        single : RRDBNet or mapping
            A single-frame model, or its state dict with the official key names.
        num_shallow_blocks : int
            Blocks applied per frame before the temporal module.
        temporal : dict, optional
            Temporal module options.
        generator : torch.Generator, optional
            Random generator for the temporal module's initialisation.

        Returns
        -------
        TemporalRealESRGAN
            Model whose non-temporal weights are copied from ``single``.
        """
        from filmrestore_models.checkpoint import infer_arch_config

        sd = single.state_dict() if isinstance(single, torch.nn.Module) else dict(single)
        cfg = infer_arch_config(sd)
        if cfg["arch"] != "RRDBNet":
            raise ValueError(f"expected RRDBNet weights, got {cfg['arch']}")
        kwargs = {k: v for k, v in cfg.items() if k != "arch"}
        model = cls(**kwargs, num_shallow_blocks=num_shallow_blocks, temporal=temporal, generator=generator)
        model.load_single_frame_state_dict(sd)
        return model

    def load_single_frame_state_dict(self, state_dict: Mapping[str, torch.Tensor]) -> None:
        """Load RRDBNet weights; only the ``temporal.*`` parameters may be missing.

        Parameters
        ----------
        state_dict : mapping
            State dict with the official RRDBNet keys.

        Raises
        ------
        RuntimeError
            If keys other than ``temporal.*`` are missing or unexpected keys are present.
        """
        result = self.load_state_dict(dict(state_dict), strict=False)
        missing = [k for k in result.missing_keys if not k.startswith("temporal.")]
        if missing or result.unexpected_keys:
            raise RuntimeError(
                f"single-frame weights do not match: missing {missing[:5]}, "
                f"unexpected {result.unexpected_keys[:5]}"
            )

    def forward(  # type: ignore[override]
        self,
        x: torch.Tensor,
        flow_to_prev: torch.Tensor | None = None,
        flow_to_next: torch.Tensor | None = None,
    ) -> torch.Tensor:
        """Restore/upscale a clip.

        Parameters
        ----------
        x : torch.Tensor
            Clip ``(B, T, C, H, W)`` in ``[0, 1]``.
        flow_to_prev, flow_to_next : torch.Tensor, optional
            External flows ``(B, T-1, 2, H, W)`` in input pixels (see
            :class:`~filmrestore_models.archs.temporal.TemporalConsistencyModule` and
            :func:`filmrestore_models.dis_flow.dis_flows`).

        Returns
        -------
        torch.Tensor
            Clip ``(B, T, num_out_ch, H·scale, W·scale)``.
        """
        if x.dim() != 5:
            raise ValueError(f"expected a clip of shape (B, T, C, H, W); got {tuple(x.shape)}")
        b, t, c, h, w = x.shape
        frames, _, _ = pad_to_multiple(x.reshape(b * t, c, h, w), self.unshuffle)
        feat = self.head(frames)
        shallow = self.body[: self.num_shallow_blocks](feat)
        fh, fw = shallow.shape[-2:]
        ext = [self._feature_flow(f, fh, fw) for f in (flow_to_prev, flow_to_next)]
        fused = self.temporal(shallow.view(b, t, -1, fh, fw), ext[0], ext[1])
        deep = self.body[self.num_shallow_blocks :](fused.reshape(b * t, -1, fh, fw))
        out = self.tail(feat, deep)
        out = out[..., : h * self.scale, : w * self.scale]
        return out.reshape(b, t, out.shape[1], h * self.scale, w * self.scale)

    @staticmethod
    def _feature_flow(flow: torch.Tensor | None, fh: int, fw: int) -> torch.Tensor | None:
        """Resize an input-resolution flow ``(B, T-1, 2, H, W)`` to the feature grid ``fh×fw``."""
        if flow is None:
            return None
        b, n = flow.shape[:2]
        flat = resize_flow(flow.reshape(b * n, 2, *flow.shape[-2:]), (fh, fw))
        return flat.view(b, n, 2, fh, fw)
