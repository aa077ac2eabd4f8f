"""Optical-flow operations on tensors: warping, resizing and the forward–backward consistency check.

Convention used everywhere in :mod:`filmrestore_models`: a flow ``F`` of shape ``(B, 2, H, W)`` is in
**pixels**, channel 0 is the horizontal (x) and channel 1 the vertical (y) displacement, and warping
samples ``warped(p) = x(p + F(p))``.  So the flow "from frame *t* to frame *n*" satisfies
``frame_t(p) ≈ frame_n(p + F(p))`` and ``flow_warp(frame_n, F) ≈ frame_t`` (same as OpenCV DIS
``calc(frame_t, frame_n)``).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F


def _base_grid(h: int, w: int, like: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    ys = torch.arange(h, dtype=like.dtype, device=like.device).view(1, h, 1)
    xs = torch.arange(w, dtype=like.dtype, device=like.device).view(1, 1, w)
    return xs, ys


def flow_warp(
    x: torch.Tensor,
    flow: torch.Tensor,
    mode: str = "bilinear",
    padding_mode: str = "border",
) -> torch.Tensor:
    """Backward-warp ``x`` with a dense flow in pixels using :func:`torch.nn.functional.grid_sample`.

    Parameters
    ----------
    x : torch.Tensor
        Tensor to sample, shape ``(B, C, H, W)``.
    flow : torch.Tensor
        Flow in pixels, shape ``(B, 2, H, W)`` (channel 0 = x, channel 1 = y).
    mode : {"bilinear", "nearest", "bicubic"}
        Interpolation mode.
    padding_mode : {"border", "zeros", "reflection"}
        How samples outside the image are handled (``border`` replicates the edge).

    Returns
    -------
    torch.Tensor
        ``warped[b, :, y, x] = x[b, :, y + flow_y, x + flow_x]``, shape ``(B, C, H, W)``.
    """
    if flow.shape[1] != 2 or flow.shape[-2:] != x.shape[-2:] or flow.shape[0] != x.shape[0]:
        raise ValueError(
            f"flow must have shape (B, 2, H, W) matching x; got {tuple(flow.shape)} for {tuple(x.shape)}"
        )
    h, w = x.shape[-2:]
    xs, ys = _base_grid(h, w, flow)
    gx = (xs + flow[:, 0]) * (2.0 / max(w - 1, 1)) - 1.0
    gy = (ys + flow[:, 1]) * (2.0 / max(h - 1, 1)) - 1.0
    grid = torch.stack((gx, gy), dim=-1)
    return F.grid_sample(x, grid.to(x.dtype), mode=mode, padding_mode=padding_mode, align_corners=True)


def resize_flow(flow: torch.Tensor, size: tuple[int, int]) -> torch.Tensor:
    """Resize a pixel flow field to ``size`` and rescale its vectors accordingly.

    Parameters
    ----------
    flow : torch.Tensor
        Flow ``(B, 2, H, W)`` in pixels of the ``H×W`` grid.
    size : tuple of int
        Target ``(h, w)``.

    Returns
    -------
    torch.Tensor
        Flow ``(B, 2, h, w)`` in pixels of the ``h×w`` grid.
    """
    h0, w0 = flow.shape[-2:]
    h, w = size
    if (h0, w0) == (h, w):
        return flow
    out = F.interpolate(flow, size=(h, w), mode="bilinear", align_corners=False)
    factor = torch.tensor([w / w0, h / h0], dtype=flow.dtype, device=flow.device).view(1, 2, 1, 1)
    return out * factor


def forward_backward_mask(
    flow_fw: torch.Tensor,
    flow_bw: torch.Tensor,
    alpha: float = 0.01,
    beta: float = 0.5,
) -> torch.Tensor:
    """Non-occlusion mask from the forward–backward consistency check (Sundaram et al. / Ruder et al.).

    A pixel ``p`` of frame *t* is consistent when
    ``|F_fw(p) + F_bw(p + F_fw(p))|² <= alpha · (|F_fw(p)|² + |F_bw(p + F_fw(p))|²) + beta``,
    and when ``p + F_fw(p)`` lies inside the image.

    Parameters
    ----------
    flow_fw : torch.Tensor
        Flow from frame *t* to frame *n*, ``(B, 2, H, W)`` in pixels.
    flow_bw : torch.Tensor
        Flow from frame *n* to frame *t*, ``(B, 2, H, W)`` in pixels.
    alpha : float
        Relative tolerance (dimensionless).
    beta : float
        Absolute tolerance in squared pixels.

    Returns
    -------
    torch.Tensor
        Mask ``(B, 1, H, W)`` with 1 for consistent (visible) and 0 for occluded pixels; it carries
        no gradient.
    """
    flow_fw = flow_fw.detach()
    bw_warped = flow_warp(flow_bw.detach(), flow_fw)
    err = (flow_fw + bw_warped).pow(2).sum(1, keepdim=True)
    bound = alpha * (flow_fw.pow(2).sum(1, keepdim=True) + bw_warped.pow(2).sum(1, keepdim=True)) + beta
    h, w = flow_fw.shape[-2:]
    xs, ys = _base_grid(h, w, flow_fw)
    tx = xs + flow_fw[:, 0]
    ty = ys + flow_fw[:, 1]
    inside = (tx >= 0) & (tx <= w - 1) & (ty >= 0) & (ty <= h - 1)
    return ((err <= bound) & inside.unsqueeze(1)).to(flow_fw.dtype)
