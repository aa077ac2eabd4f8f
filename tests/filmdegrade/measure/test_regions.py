"""Flat-region detection."""

from __future__ import annotations

import numpy as np
import pytest

from filmdegrade.measure.regions import block_patches, detrend_patches, find_flat_regions


def _scene(rng: np.random.Generator) -> np.ndarray:
    h, w = 128, 192
    img = np.full((h, w), 0.5, np.float32)
    img[:, 96:] = rng.random((h, 96)).astype(np.float32) * 0.8 + 0.1  # texture on the right half
    img[:, :96] += np.linspace(0, 0.1, 96, dtype=np.float32)  # gentle shading on the left
    return np.clip(img + rng.normal(0, 0.02, img.shape).astype(np.float32), 0, 1)


def test_finds_the_flat_half_not_the_texture():
    reg = find_flat_regions(_scene(np.random.default_rng(0)), block=32, fraction=0.5)
    assert len(reg) >= 4
    assert (reg.boxes[:, 1] < 96).all()  # every block in the flat half
    assert reg.mask().shape == (128, 192) and reg.mask()[:, 96:].sum() == 0


def test_rejects_clipped_blocks():
    img = np.zeros((64, 64), np.float32)
    img[:, 32:] = 0.5
    reg = find_flat_regions(img, block=32, fraction=1.0)
    assert len(reg) == 2 and (reg.boxes[:, 1] == 32).all()


def test_detrend_removes_plane_keeps_noise():
    rng = np.random.default_rng(1)
    yy, xx = np.mgrid[0:32, 0:32]
    noise = rng.normal(0, 0.01, (3, 32, 32))
    p = 0.3 + 0.002 * yy + 0.003 * xx + noise
    r = detrend_patches(p)
    assert abs(float(r.mean())) < 1e-6
    assert r.std() == pytest.approx(0.01, rel=0.05)


def test_block_patches_and_bad_args():
    img = _scene(np.random.default_rng(2))
    reg = find_flat_regions(img)
    assert block_patches(img, reg).shape == (len(reg), 32, 32)
    with pytest.raises(ValueError, match="block"):
        find_flat_regions(img, block=4)
    assert len(find_flat_regions(np.full((16, 16), 0.5, np.float32), block=32)) == 0
