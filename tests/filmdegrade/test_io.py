"""Reading footage: images (8/16-bit, grey, RGBA), folders, videos; clear errors; deterministic PNG."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from filmdegrade.io import (
    FootageError,
    encode_png,
    footage_kind,
    list_frame_files,
    read_frames,
    read_image,
    to_grey_float,
    write_png,
)


def _ramp(h: int = 24, w: int = 32) -> np.ndarray:
    yy, xx = np.mgrid[0:h, 0:w]
    return np.stack([xx * 7 % 256, yy * 9 % 256, (xx + yy) * 3 % 256], axis=-1).astype(np.uint8)


def test_read_8bit_rgb_is_rgb_order(tmp_path):
    img = _ramp()
    cv2.imwrite(str(tmp_path / "a.png"), cv2.cvtColor(img, cv2.COLOR_RGB2BGR))
    out = read_image(tmp_path / "a.png")
    assert out.dtype == np.uint8 and out.shape == img.shape
    np.testing.assert_array_equal(out, img)


def test_read_16bit_keeps_precision(tmp_path):
    img = (np.arange(24 * 32, dtype=np.uint16).reshape(24, 32) * 85).astype(np.uint16)
    cv2.imwrite(str(tmp_path / "a.png"), img)
    out = read_image(tmp_path / "a.png")
    assert out.dtype == np.float32 and out.shape == (24, 32, 1)
    np.testing.assert_allclose(out[..., 0], img / 65535.0, atol=1e-6)


def test_rgba_drops_alpha_and_grey_has_one_channel(tmp_path):
    rgba = np.dstack([_ramp(), np.full((24, 32), 7, np.uint8)])
    cv2.imwrite(str(tmp_path / "a.png"), rgba)
    assert read_image(tmp_path / "a.png").shape == (24, 32, 3)
    cv2.imwrite(str(tmp_path / "g.png"), _ramp()[..., 0])
    assert read_image(tmp_path / "g.png").shape == (24, 32, 1)


def test_folder_natural_order(tmp_path):
    for i in (10, 2, 1):
        cv2.imwrite(str(tmp_path / f"f{i}.png"), np.full((8, 8), i, np.uint8))
    (tmp_path / ".hidden.png").write_bytes(b"x")
    assert [p.name for p in list_frame_files(tmp_path)] == ["f1.png", "f2.png", "f10.png"]
    clip = read_frames(tmp_path)
    assert clip.shape == (3, 8, 8, 1)
    assert [int(f[0, 0, 0]) for f in clip] == [1, 2, 10]
    assert read_frames(tmp_path, start=1, max_frames=1)[0, 0, 0, 0] == 2


def test_errors_are_clear(tmp_path):
    with pytest.raises(FileNotFoundError, match="no such"):
        read_frames(tmp_path / "missing.png")
    (tmp_path / "bad.png").write_bytes(b"not a png at all")
    with pytest.raises(FootageError, match="cannot decode"):
        read_image(tmp_path / "bad.png")
    (tmp_path / "x.txt").write_text("hello")
    with pytest.raises(FootageError, match="unknown file type"):
        footage_kind(tmp_path / "x.txt")
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(FootageError, match="no image files"):
        read_frames(empty)
    cv2.imwrite(str(tmp_path / "mixed_a.png"), np.zeros((8, 8), np.uint8))
    mixed = tmp_path / "mixed"
    mixed.mkdir()
    cv2.imwrite(str(mixed / "1.png"), np.zeros((8, 8), np.uint8))
    cv2.imwrite(str(mixed / "2.png"), np.zeros((9, 8), np.uint8))
    with pytest.raises(FootageError, match="shape"):
        read_frames(mixed)


def test_video_round_trip_and_corrupt_video(tmp_path):
    pytest.importorskip("av")
    from filmdegrade.demo import write_video

    yy, xx = np.mgrid[0:64, 0:64]
    smooth = np.stack([xx * 3, yy * 3, 255 - xx * 2], axis=-1).astype(np.uint8)
    clip = np.repeat(smooth[None], 5, axis=0)
    write_video(tmp_path / "v.mp4", clip)
    out = read_frames(tmp_path / "v.mp4")
    assert out.shape == (5, 64, 64, 3) and out.dtype == np.uint8
    assert np.abs(out.astype(int) - clip.astype(int)).mean() < 6  # lossy H.264 at crf 18
    assert read_frames(tmp_path / "v.mp4", max_frames=2).shape[0] == 2
    (tmp_path / "bad.mp4").write_bytes(b"\x00" * 100 + b"garbage" * 50)
    with pytest.raises(FootageError, match=r"bad\.mp4"):
        read_frames(tmp_path / "bad.mp4")


def test_png_is_byte_deterministic_and_atomic(tmp_path):
    img = _ramp()
    assert encode_png(img) == encode_png(img.copy())
    write_png(tmp_path / "o.png", img)
    np.testing.assert_array_equal(read_image(tmp_path / "o.png"), img)
    assert [p.name for p in tmp_path.iterdir()] == ["o.png"]  # no temporary left behind
    f16 = np.linspace(0, 1, 64, dtype=np.float32).reshape(8, 8)
    write_png(tmp_path / "f.png", f16)
    np.testing.assert_allclose(read_image(tmp_path / "f.png")[..., 0], f16, atol=1e-4)


def test_to_grey_float_uses_luma():
    rgb = np.zeros((2, 2, 3), np.uint8)
    rgb[..., 1] = 255
    np.testing.assert_allclose(to_grey_float(rgb), 0.587, atol=1e-6)
    assert to_grey_float(np.zeros((3, 4, 5, 1), np.uint8)).shape == (3, 4, 5)
