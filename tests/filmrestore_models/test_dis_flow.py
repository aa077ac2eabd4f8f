"""OpenCV DIS external flow: convention and shapes."""

from __future__ import annotations

import numpy as np
import pytest

from filmrestore_models.dis_flow import dis_flow_pair, dis_flows


def textured(h: int, w: int, shift: int = 0) -> np.ndarray:
    rng = np.random.default_rng(3)
    base = rng.random((h // 4 + 2, w // 4 + 2))
    import cv2

    big = cv2.resize(base, None, fx=4, fy=4, interpolation=cv2.INTER_CUBIC)
    return np.clip(big[:h, shift : shift + w], 0, 1).astype(np.float32)


def test_dis_flow_convention() -> None:
    a = textured(64, 80)  # a(x) = big(x)
    b = textured(64, 80, shift=3)  # b(x) = big(x + 3) -> a(x) = b(x - 3)
    flow = dis_flow_pair(a, b, preset="medium")
    assert flow.shape == (64, 80, 2)
    inner = flow[12:-12, 12:-12]
    assert np.median(inner[..., 0]) == pytest.approx(-3.0, abs=0.3)
    assert np.median(np.abs(inner[..., 1])) < 0.3


def test_dis_flows_shapes() -> None:
    clip = np.stack([textured(32, 40, s) for s in range(4)])
    to_prev, to_next = dis_flows(clip, preset="ultrafast")
    assert to_prev.shape == to_next.shape == (3, 2, 32, 40)
    assert to_prev.dtype == np.float32
    # frame_t(x) = big(x + t) = frame_{t+1}(x - 1): to_next ≈ -1 px in x, to_prev ≈ +1 px
    assert np.median(to_next[:, 0, 8:-8, 8:-8]) == pytest.approx(-1.0, abs=0.3)
    assert np.median(to_prev[:, 0, 8:-8, 8:-8]) == pytest.approx(1.0, abs=0.3)


def test_bad_preset() -> None:
    with pytest.raises(ValueError, match="preset"):
        dis_flow_pair(np.zeros((8, 8)), np.zeros((8, 8)), preset="slowest")
