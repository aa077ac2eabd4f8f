"""measure_footage: every section present and each one responding to its effect."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
import skimage.data

from filmdegrade import FilmPipeline, Medium
from filmdegrade.measure.summary import format_table, horizontal_cutoff, measure_footage


def _static(n: int = 8, name: str = "astronaut") -> np.ndarray:
    img = getattr(skimage.data, name)()
    img = cv2.resize(np.dstack([img] * 3) if img.ndim == 2 else img, (320, 256))
    clip = np.repeat(img[None].astype(np.int16), n, axis=0)
    # A little fresh noise per frame, as any scan has (an exactly repeated frame is a pull-down copy).
    clip += np.rint(np.random.default_rng(0).normal(0, 3, clip.shape)).astype(np.int16)
    return np.clip(clip, 0, 255).astype(np.uint8)


def test_sections_and_table():
    stats = measure_footage(_static(), medium=Medium(gauge="16mm"))
    assert {"noise", "grain", "scratches", "dust", "flicker", "weave", "colour", "tape"} <= set(stats)
    assert stats["is_colour"] and stats["um_per_px"] == pytest.approx(10260 / 320, rel=0.01)
    text = format_table(stats)
    assert "flicker.std_density" in text and "colour.cast_a" in text
    single = measure_footage(_static(1)[0])
    assert "flicker" not in single and "dust" not in single and single["frames"] == 1


def test_statistics_follow_the_effects():
    clean = measure_footage(_static(name="camera"))
    deg = FilmPipeline.from_dict(
        {
            "medium": {"gauge": "16mm"},
            "transforms": [
                {"name": "flicker", "strength_density": 0.05},
                {"name": "grain", "strength": 3.0},
                {"name": "dust", "rate_per_frame": 30.0},
            ],
        }
    )(_static(name="camera"), index=0)
    d = measure_footage(deg)
    assert d["flicker"]["std_density"] > 5 * clean["flicker"]["std_density"] + 0.01
    assert d["noise"]["sigma"] > 1.4 * clean["noise"]["sigma"]
    assert d["dust"]["rate_per_frame"] > clean["dust"]["rate_per_frame"] + 3


def test_blind_horizontal_cutoff_tracks_a_horizontal_lowpass():
    img = skimage.data.astronaut().astype(np.float32) @ np.array([0.299, 0.587, 0.114], np.float32) / 255
    cuts = []
    for s in (0.8, 1.6):
        blurred = cv2.GaussianBlur(img, (0, 0), sigmaX=s, sigmaY=1e-3)
        cuts.append(horizontal_cutoff(blurred[None]))
    # Gaussian σ (px) has its −3 dB point at f = sqrt(ln 2) / (2π σ) cycles/px (0.166 and 0.083). The
    # photo's own anisotropy (P_h/P_v ≈ 1.2–1.5 at high frequencies here) biases the blind estimate
    # upwards, so only the scaling is tight: doubling σ halves the cut-off.
    assert cuts[0] / cuts[1] == pytest.approx(2.0, rel=0.25)
    assert 0.166 <= cuts[0] < 2 * 0.166
