"""Blotch detection by the spike detection index (temporal impulses)."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
import skimage.data

from filmdegrade.measure.blotches import detect_blotches, duplicate_frames, spike_detection_index


def _clip(n: int = 8, *, shift: int = 0, seed: int = 0) -> np.ndarray:
    base = cv2.resize(skimage.data.camera(), (160, 160)).astype(np.float32) / 255
    rng = np.random.default_rng(seed)
    frames = [np.roll(base, shift * t, axis=1) for t in range(n)]
    return np.clip(np.stack(frames) + rng.normal(0, 0.01, (n, 160, 160)).astype(np.float32), 0, 1)


def _add_specks(clip: np.ndarray, seed: int = 1) -> list[tuple[int, int, int, int]]:
    rng = np.random.default_rng(seed)
    truth = []
    for t in range(1, len(clip) - 1):
        for _ in range(3):
            y, x = (int(v) for v in rng.integers(20, 140, 2))
            # bright specks on dark ground, dark specks on bright ground: visible by construction
            pol = 1 if clip[t, y - 3 : y + 4, x - 3 : x + 4].mean() < 0.5 else -1
            cv2.circle(clip[t], (x, y), 3, 1.0 if pol > 0 else 0.0, -1)
            truth.append((t, y, x, pol))
    return truth


@pytest.mark.parametrize("motion, shift", [("none", 0), ("flow", 2)])
def test_finds_one_frame_specks(motion, shift):
    clip = _clip(shift=shift)
    truth = _add_specks(clip)
    rep = detect_blotches(clip, motion=motion)
    found = 0
    for t, y, x, pol in truth:
        hit = [b for b in rep.blotches if b.frame == t and abs(b.y - y) < 4 and abs(b.x - x) < 4]
        found += bool(hit) and hit[0].polarity == pol
    # With flow, specks near the wrap-around column of np.roll (a moving discontinuity) can be missed.
    assert found >= (0.9 if motion == "none" else 0.8) * len(truth)
    assert len(rep.blotches) <= 1.2 * len(truth)  # few false alarms
    assert rep.rate == pytest.approx(len(rep.blotches) / (len(clip) - 2))


def test_persistent_marks_are_not_blotches():
    clip = _clip()
    clip[:, 40:100, 80:83] = 1.0  # a static line scratch: present in every frame
    assert detect_blotches(clip, motion="none").blotches == []


def test_sdi_sign_and_ends():
    clip = _clip(5)
    clip[2, 50:54, 50:54] = 1.0
    sdi, _ = spike_detection_index(clip, motion="none")
    assert sdi[2, 52, 52] > 0.3 and (sdi[0] == 0).all() and (sdi[-1] == 0).all()


def test_repeated_frames_are_dropped():
    clip = _clip(6, seed=3)
    rep = np.concatenate([clip[:3], clip[2:3], clip[3:]])  # frame 2 repeated
    assert list(duplicate_frames(rep)) == [0, 1, 2, 4, 5, 6]
    clip[3, 60:66, 60:66] = 1.0
    rep = np.concatenate([clip[:4], clip[3:4], clip[4:]])  # the speck lives on two copies
    r = detect_blotches(rep, motion="none")
    assert any(b.frame == 3 and abs(b.x - 62.5) < 2 for b in r.blotches)
    with pytest.raises(ValueError, match="3 distinct"):
        detect_blotches(np.repeat(clip[:1], 4, axis=0))
