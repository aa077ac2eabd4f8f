"""Temporal consistency module: feature flow estimation, warping, confidence masks and fusion.

Design (BasicVSR-style recurrence on the shallow features of a Real-ESRGAN trunk):

1. :class:`FlowEstimator` predicts a pixel flow from the concatenated features of a frame and its
   neighbour, coarse to fine (SPyNet-like pyramid, trained from scratch); it can refine an external
   initial flow such as OpenCV DIS (:mod:`filmrestore_models.dis_flow`).
2. The propagated hidden state of the neighbour is warped with :func:`~.flow_ops.flow_warp`
   (bilinear, border padding, flow in pixels).
3. A learned occlusion/confidence mask (sigmoid) is multiplied by the forward–backward consistency
   mask whenever both flow directions are available.
4. Fusion: a learned residual fusion whose last convolution is zero-initialised, so that the module
   is the identity at initialisation; or the fixed blend ``(1 - w)·feat + w·warped`` (``w = 0.3``
   gives the classic 0.7/0.3 blend), modulated by the confidence.

The recurrence runs forward over the clip and optionally backward too (bidirectional); with the
learned fusion the two hidden states are merged by another zero-initialised fusion.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from ._common import kaiming_init_, zero_init_
from .flow_ops import flow_warp, forward_backward_mask, resize_flow

FUSION_MODES = ("learned", "fixed")


class FlowEstimator(nn.Module):
    """Coarse-to-fine flow estimator on concatenated features of two frames.

    Parameters
    ----------
    num_feat : int
        Channels of each input feature map.
    hidden : int
        Hidden channels of each pyramid level.
    num_levels : int
        Pyramid levels; level ``l`` works at ``1/2**l`` resolution (the largest displacement handled
        grows roughly ×2 per level).
    generator : torch.Generator, optional
        Random generator for the initialisation.

    Notes
    -----
    The last convolution of every level starts with small weights (std scaled by 0.01) so the
    initial flow is close to zero (or to the external initial flow) while gradients still reach
    every layer.
    """

    def __init__(
        self, num_feat: int, hidden: int = 32, num_levels: int = 2, generator: torch.Generator | None = None
    ):
        super().__init__()
        if num_levels < 1:
            raise ValueError("num_levels must be >= 1")
        self.num_levels = num_levels
        self.levels = nn.ModuleList(
            nn.Sequential(
                nn.Conv2d(2 * num_feat + 2, hidden, 3, 1, 1),
                nn.LeakyReLU(0.1, inplace=True),
                nn.Conv2d(hidden, hidden, 3, 1, 1),
                nn.LeakyReLU(0.1, inplace=True),
                nn.Conv2d(hidden, 2, 3, 1, 1),
            )
            for _ in range(num_levels)
        )
        gen = generator if generator is not None else torch.Generator().manual_seed(0)
        for level in self.levels:
            kaiming_init_([level[0], level[2]], scale=1.0, generator=gen)
            kaiming_init_([level[4]], scale=0.01, generator=gen)

    def forward(
        self, ref: torch.Tensor, nbr: torch.Tensor, flow_init: torch.Tensor | None = None
    ) -> torch.Tensor:
        """Estimate the flow from ``ref`` to ``nbr`` (``ref(p) ≈ nbr(p + flow(p))``).

        Parameters
        ----------
        ref, nbr : torch.Tensor
            Features ``(B, num_feat, h, w)`` of the reference frame and of the neighbour.
        flow_init : torch.Tensor, optional
            Initial flow ``(B, 2, h, w)`` in pixels (e.g. DIS), refined by the network.

        Returns
        -------
        torch.Tensor
            Flow ``(B, 2, h, w)`` in pixels.
        """
        h, w = ref.shape[-2:]
        sizes = [(h, w)]
        refs, nbrs = [ref], [nbr]
        for _ in range(1, self.num_levels):
            refs.append(F.avg_pool2d(refs[-1], 2, ceil_mode=True))
            nbrs.append(F.avg_pool2d(nbrs[-1], 2, ceil_mode=True))
            sizes.append(tuple(refs[-1].shape[-2:]))
        flow: torch.Tensor | None = None
        for level in reversed(range(self.num_levels)):
            size = sizes[level]
            if flow is None:
                if flow_init is None:
                    flow = ref.new_zeros(ref.shape[0], 2, *size)
                else:
                    flow = resize_flow(flow_init, size)
            else:
                flow = resize_flow(flow, size)
            warped = flow_warp(nbrs[level], flow)
            flow = flow + self.levels[level](torch.cat((refs[level], warped, flow), 1))
        assert flow is not None
        return flow


class _ConfidenceMask(nn.Module):
    """Learned occlusion/confidence mask ``sigmoid(conv(feat, warped))`` in ``(0, 1)``."""

    def __init__(self, num_feat: int, hidden: int, generator: torch.Generator):
        super().__init__()
        self.net = nn.Sequential(
            nn.Conv2d(2 * num_feat, hidden, 3, 1, 1),
            nn.LeakyReLU(0.1, inplace=True),
            nn.Conv2d(hidden, 1, 3, 1, 1),
        )
        kaiming_init_([self.net[0]], generator=generator)
        kaiming_init_([self.net[2]], scale=0.1, bias_fill=2.0, generator=generator)

    def forward(self, feat: torch.Tensor, warped: torch.Tensor) -> torch.Tensor:
        return torch.sigmoid(self.net(torch.cat((feat, warped), 1)))


class _ResidualFusion(nn.Module):
    """``feat + conv(lrelu(conv(cat(inputs))))`` with the last convolution zero-initialised."""

    def __init__(self, in_ch: int, num_feat: int, generator: torch.Generator):
        super().__init__()
        self.conv1 = nn.Conv2d(in_ch, num_feat, 3, 1, 1)
        self.conv2 = nn.Conv2d(num_feat, num_feat, 3, 1, 1)
        kaiming_init_([self.conv1], generator=generator)
        zero_init_(self.conv2)

    def forward(self, feat: torch.Tensor, *others: torch.Tensor) -> torch.Tensor:
        x = F.leaky_relu(self.conv1(torch.cat((feat, *others), 1)), 0.1)
        return feat + self.conv2(x)


class TemporalConsistencyModule(nn.Module):
    """Recurrent flow-guided propagation and fusion of per-frame features over a clip.

    Parameters
    ----------
    num_feat : int
        Feature channels of the per-frame features.
    flow_hidden : int
        Hidden channels of the :class:`FlowEstimator`.
    flow_levels : int
        Pyramid levels of the flow estimator.
    mask_hidden : int
        Hidden channels of the learned confidence mask.
    bidirectional : bool
        Also propagate backward in time (BasicVSR-style) and merge both directions.
    fusion : {"learned", "fixed"}
        ``"learned"``: zero-initialised residual fusion (identity at initialisation).
        ``"fixed"``: ``feat + w·conf·(warped - feat)``, i.e. the fixed ``(1 - w)/w`` blend.
    fixed_weight : float
        Weight ``w`` of the propagated neighbour in the fixed blend (0.3 → the 0.7/0.3 blend).
    fb_check : bool
        Multiply the confidence by the forward–backward consistency mask when both flows exist.
    fb_alpha, fb_beta : float
        Tolerances of :func:`~.flow_ops.forward_backward_mask` (``beta`` in squared pixels).
    refine_external_flow : bool
        When external flow is given, refine it with the learned estimator (``True``) or use it as is.
    generator : torch.Generator, optional
        Random generator for the initialisation.
    """

    def __init__(
        self,
        num_feat: int,
        flow_hidden: int = 32,
        flow_levels: int = 2,
        mask_hidden: int = 16,
        bidirectional: bool = True,
        fusion: str = "learned",
        fixed_weight: float = 0.3,
        fb_check: bool = True,
        fb_alpha: float = 0.01,
        fb_beta: float = 0.5,
        refine_external_flow: bool = True,
        generator: torch.Generator | None = None,
    ):
        super().__init__()
        if fusion not in FUSION_MODES:
            raise ValueError(f"fusion must be one of {FUSION_MODES}, got {fusion!r}")
        if not 0.0 <= fixed_weight <= 1.0:
            raise ValueError("fixed_weight must be in [0, 1]")
        gen = generator if generator is not None else torch.Generator().manual_seed(0)
        self.bidirectional = bidirectional
        self.fusion = fusion
        self.fixed_weight = float(fixed_weight)
        self.fb_check = fb_check
        self.fb_alpha = fb_alpha
        self.fb_beta = fb_beta
        self.refine_external_flow = refine_external_flow
        self.flow = FlowEstimator(num_feat, flow_hidden, flow_levels, gen)
        directions = ("fwd", "bwd") if bidirectional else ("fwd",)
        self.mask = nn.ModuleDict({d: _ConfidenceMask(num_feat, mask_hidden, gen) for d in directions})
        if fusion == "learned":
            self.fuse = nn.ModuleDict({d: _ResidualFusion(2 * num_feat, num_feat, gen) for d in directions})
            self.merge = _ResidualFusion(3 * num_feat, num_feat, gen) if bidirectional else None

    def _flows(
        self,
        feats: torch.Tensor,
        external: torch.Tensor | None,
        step: int,
    ) -> torch.Tensor:
        """Flows from frame t to frame t+step for every valid t, ``(B, T-1, 2, h, w)``."""
        b, t, c, h, w = feats.shape
        if step == -1:
            ref, nbr = feats[:, 1:], feats[:, :-1]
        else:
            ref, nbr = feats[:, :-1], feats[:, 1:]
        ref = ref.reshape(b * (t - 1), c, h, w)
        nbr = nbr.reshape(b * (t - 1), c, h, w)
        init = None
        if external is not None:
            if external.shape[:3] != (b, t - 1, 2):
                raise ValueError(
                    f"external flow must have shape (B, T-1, 2, H, W); got {tuple(external.shape)}"
                )
            init = resize_flow(external.reshape(b * (t - 1), 2, *external.shape[-2:]).to(feats.dtype), (h, w))
            if not self.refine_external_flow:
                return init.view(b, t - 1, 2, h, w)
        return self.flow(ref, nbr, init).view(b, t - 1, 2, h, w)

    def _propagate(
        self,
        feats: torch.Tensor,
        flows: torch.Tensor,
        fb: torch.Tensor | None,
        direction: str,
    ) -> list[torch.Tensor]:
        """Run one recurrent pass; returns the hidden state of every frame in time order."""
        t_len = feats.shape[1]
        key = "fwd" if direction == "forward" else "bwd"
        order = range(t_len) if direction == "forward" else range(t_len - 1, -1, -1)
        hidden: list[torch.Tensor | None] = [None] * t_len
        prev: torch.Tensor | None = None
        for i, t in enumerate(order):
            feat = feats[:, t]
            if i == 0 or prev is None:
                hidden[t] = feat
                prev = feat
                continue
            k = t - 1 if direction == "forward" else t  # index of the flow t -> neighbour
            warped = flow_warp(prev, flows[:, k])
            conf = self.mask[key](feat, warped)
            if fb is not None:
                conf = conf * fb[:, k]
            if self.fusion == "learned":
                state = self.fuse[key](feat, conf * warped)
            else:
                state = feat + self.fixed_weight * conf * (warped - feat)
            hidden[t] = state
            prev = state
        return [h for h in hidden if h is not None]

    def forward(
        self,
        feats: torch.Tensor,
        flow_to_prev: torch.Tensor | None = None,
        flow_to_next: torch.Tensor | None = None,
        return_flows: bool = False,
    ) -> torch.Tensor | tuple[torch.Tensor, dict[str, torch.Tensor]]:
        """Propagate and fuse features over time.

        Parameters
        ----------
        feats : torch.Tensor
            Per-frame features ``(B, T, C, h, w)``.
        flow_to_prev : torch.Tensor, optional
            External flow ``(B, T-1, 2, H, W)`` in pixels of an ``H×W`` grid (resized to ``h×w``);
            entry ``t-1`` is the flow from frame ``t`` to frame ``t-1``.
        flow_to_next : torch.Tensor, optional
            External flow ``(B, T-1, 2, H, W)``; entry ``t`` is the flow from frame ``t`` to ``t+1``.
        return_flows : bool
            Also return the flows used (``"to_prev"``, ``"to_next"``) at feature resolution.

        Returns
        -------
        torch.Tensor or (torch.Tensor, dict)
            Fused features ``(B, T, C, h, w)`` (and the flow dictionary).
        """
        if feats.dim() != 5:
            raise ValueError(f"feats must be (B, T, C, h, w); got {tuple(feats.shape)}")
        t_len = feats.shape[1]
        flows: dict[str, torch.Tensor] = {}
        if t_len == 1:
            return (feats, flows) if return_flows else feats
        need_next = self.bidirectional or (self.fb_check and flow_to_next is not None)
        flows["to_prev"] = self._flows(feats, flow_to_prev, -1)
        if need_next:
            flows["to_next"] = self._flows(feats, flow_to_next, +1)
        fb_prev = fb_next = None
        if self.fb_check and "to_next" in flows:
            b, n, _, h, w = flows["to_prev"].shape
            to_prev = flows["to_prev"].reshape(b * n, 2, h, w)  # t+1 -> t, for t = 0..T-2
            to_next = flows["to_next"].reshape(b * n, 2, h, w)  # t -> t+1
            fb_prev = forward_backward_mask(to_prev, to_next, self.fb_alpha, self.fb_beta).view(b, n, 1, h, w)
            fb_next = forward_backward_mask(to_next, to_prev, self.fb_alpha, self.fb_beta).view(b, n, 1, h, w)
        fwd = self._propagate(feats, flows["to_prev"], fb_prev, "forward")
        if not self.bidirectional:
            out = torch.stack(fwd, 1)
        else:
            bwd = self._propagate(feats, flows["to_next"], fb_next, "backward")
            merged = []
            for t in range(t_len):
                if self.fusion == "learned":
                    assert self.merge is not None
                    merged.append(self.merge(feats[:, t], fwd[t], bwd[t]))
                else:
                    merged.append(0.5 * (fwd[t] + bwd[t]))
            out = torch.stack(merged, 1)
        return (out, flows) if return_flows else out
