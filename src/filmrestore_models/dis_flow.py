"""External optical flow with OpenCV DIS (``cv2.DISOpticalFlow_create``), weight-free and CPU-only.

Flows follow the package convention (see :mod:`filmrestore_models.archs.flow_ops`): the flow from
frame *t* to frame *n* satisfies ``frame_t(p) ≈ frame_n(p + flow(p))``, in pixels.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import torch

PRESETS = {"ultrafast": 0, "fast": 1, "medium": 2}


def _to_gray_u8(frame: np.ndarray) -> np.ndarray:
    import cv2

    arr = np.asarray(frame)
    if arr.ndim == 3 and arr.shape[2] == 3:
        arr = cv2.cvtColor(arr.astype(np.float32) if arr.dtype != np.uint8 else arr, cv2.COLOR_RGB2GRAY)
    elif arr.ndim == 3 and arr.shape[2] == 1:
        arr = arr[..., 0]
    if arr.dtype != np.uint8:
        arr = np.clip(np.rint(np.asarray(arr, dtype=np.float64) * 255.0), 0, 255).astype(np.uint8)
    return np.ascontiguousarray(arr)


def dis_flow_pair(frame_a: np.ndarray, frame_b: np.ndarray, preset: str = "medium") -> np.ndarray:
    """DIS flow from ``frame_a`` to ``frame_b``.

    Parameters
    ----------
    frame_a, frame_b : numpy.ndarray
        ``(H, W)`` or ``(H, W, 3)`` RGB images, ``uint8`` or float in ``[0, 1]``.
    preset : {"ultrafast", "fast", "medium"}
        DIS preset.

    Returns
    -------
    numpy.ndarray
        ``(H, W, 2)`` float32 flow in pixels with ``frame_a(p) ≈ frame_b(p + flow(p))``.
    """
    import cv2

    if preset not in PRESETS:
        raise ValueError(f"preset must be one of {sorted(PRESETS)}, got {preset!r}")
    dis = cv2.DISOpticalFlow_create(PRESETS[preset])
    return dis.calc(_to_gray_u8(frame_a), _to_gray_u8(frame_b), None)


def dis_flows(frames: np.ndarray, preset: str = "medium") -> tuple[np.ndarray, np.ndarray]:
    """Neighbour flows of a clip, as used by ``TemporalRealESRGAN``.

    Parameters
    ----------
    frames : numpy.ndarray
        Clip ``(T, H, W)`` or ``(T, H, W, 3)``, ``uint8`` or float in ``[0, 1]``.
    preset : {"ultrafast", "fast", "medium"}
        DIS preset.

    Returns
    -------
    flow_to_prev : numpy.ndarray
        ``(T-1, 2, H, W)`` float32; entry ``t-1`` is the flow from frame ``t`` to ``t-1``.
    flow_to_next : numpy.ndarray
        ``(T-1, 2, H, W)`` float32; entry ``t`` is the flow from frame ``t`` to ``t+1``.
    """
    frames = np.asarray(frames)
    t = frames.shape[0]
    to_prev = [dis_flow_pair(frames[i], frames[i - 1], preset) for i in range(1, t)]
    to_next = [dis_flow_pair(frames[i], frames[i + 1], preset) for i in range(t - 1)]
    h, w = frames.shape[1:3]

    def stack(flows: list[np.ndarray]) -> np.ndarray:
        if not flows:
            return np.zeros((0, 2, h, w), np.float32)
        return np.stack(flows).transpose(0, 3, 1, 2).astype(np.float32)

    return stack(to_prev), stack(to_next)


def dis_flows_torch(clip: torch.Tensor, preset: str = "medium") -> tuple[torch.Tensor, torch.Tensor]:
    """DIS flows for a batch of clips given as a tensor.

    Parameters
    ----------
    clip : torch.Tensor
        ``(B, T, C, H, W)`` in ``[0, 1]`` (``C`` is 1 or 3).
    preset : {"ultrafast", "fast", "medium"}
        DIS preset.

    Returns
    -------
    flow_to_prev, flow_to_next : torch.Tensor
        ``(B, T-1, 2, H, W)`` float32 flows on ``clip``'s device, ready for
        ``TemporalRealESRGAN(clip, flow_to_prev, flow_to_next)``.
    """
    import torch

    arr = clip.detach().float().cpu().permute(0, 1, 3, 4, 2).numpy()
    prev, nxt = zip(*(dis_flows(a, preset) for a in arr), strict=True)
    return (
        torch.from_numpy(np.stack(prev)).to(clip.device),
        torch.from_numpy(np.stack(nxt)).to(clip.device),
    )
