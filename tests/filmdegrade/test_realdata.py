"""Measurement and calibration on real degraded footage (the RRTN sample clips, 1903–1906 films).

Spot checks recorded by looking at the frames (480×368 PNGs, 0-based frame index = file number − 1):

* the_great_train_robbery, file 00027.png: a large bright dirt speck at the top, x≈326, y≈12 (about
  15 px across), absent from 00026/00028.
* the_great_train_robbery, file 00028.png: small bright specks at x≈301, y≈48 and x≈336, y≈354, each on
  that frame only.
* the_great_train_robbery: the clip is full of fine bright one-frame sparkle (dirt on the negative prints
  white), so most detected blotches are bright.
* the_great_train_robbery: the near-vertical lines the Hough detector reports at x≈68 and x≈105 in every
  frame are the edges of the ticket window (scene structure), not scratches; no line scratch was
  confirmed by eye in these clips.
* a_trip_down_market_street / san_francisco: frames are repeated (pull-down copies, mean difference
  < 1 grey level): e.g. market street files 00002/00003.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

REPO = Path(__file__).resolve().parents[2]
RRTN = REPO.parent / "shared" / "reference" / "realdata" / "RRTN-old-film-restoration" / "test_data_sample"

pytestmark = pytest.mark.realdata


def _clip(name: str) -> np.ndarray:
    folder = RRTN / name
    if not folder.is_dir():
        if os.environ.get("CI"):
            pytest.fail(f"real footage missing under CI: {folder}")
        pytest.skip(f"real footage not available: {folder}")
    from filmdegrade.io import read_frames

    return read_frames(folder)


@pytest.fixture(scope="module")
def train() -> np.ndarray:
    return _clip("the_great_train_robbery")


def test_dust_spot_checks(train):
    from filmdegrade.measure.blotches import detect_blotches

    rep = detect_blotches(train)
    for frame, x, y in [(26, 326, 12), (27, 301, 48), (27, 336, 354)]:
        hits = [b for b in rep.blotches if b.frame == frame and abs(b.x - x) < 8 and abs(b.y - y) < 8]
        assert hits and hits[0].polarity > 0, (frame, x, y)
    s = rep.summary()
    assert s["dark_fraction"] < 0.3  # white sparkle dominates
    assert 5 < s["rate_per_frame"] < 200


def test_repeated_frames_found():
    from filmdegrade.measure.blotches import duplicate_frames

    clip = _clip("a_trip_down_market_street_before_the_fire")
    keep = duplicate_frames(clip)
    assert 1 in keep and 2 not in keep  # files 00002 and 00003 are the same frame
    assert 50 <= len(keep) < len(clip)


def test_measure_reports_every_section(train):
    from filmdegrade.calibrate import medium_from_hint
    from filmdegrade.measure.summary import measure_footage

    stats = measure_footage(train[:16], medium=medium_from_hint("silent_bw"))
    assert not stats["is_colour"]
    assert 0.002 < stats["noise"]["sigma"] < 0.05
    assert stats["flicker"]["std_density"] > 0.005
    assert stats["dust"]["rate_per_frame"] > 1


def test_calibrate_then_simulate_matches_the_clip(train):
    """calibrate → simulate on a clean image → measure: grain σ, dust rate, flicker within ±25 %."""
    import cv2
    import skimage.data

    from filmdegrade.calibrate import calibrate
    from filmdegrade.measure.summary import measure_footage

    clip = train[:24]
    res = calibrate(clip, "silent_bw", seed=1)
    real = res.measured
    # A clean image with the clip's size and tones: the camera photo, levels matched to the clip's mean.
    clean = cv2.resize(skimage.data.camera(), (clip.shape[2], clip.shape[1])).astype(np.float32) / 255
    clean = np.clip(clean * (clip.mean() / 255 / clean.mean()), 0, 1)
    clean = np.repeat(np.repeat(clean[None, ..., None], 3, axis=-1), len(clip), axis=0)
    sim = measure_footage(res.pipeline(clean, index=0), medium=res.pipeline.medium)
    for key, a, b in [
        ("grain sigma", real["noise"]["sigma"], sim["noise"]["sigma"]),
        ("dust rate", real["dust"]["rate_per_frame"], sim["dust"]["rate_per_frame"]),
        ("flicker", real["flicker"]["std_density"], sim["flicker"]["std_density"]),
    ]:
        assert b == pytest.approx(a, rel=0.25), key
