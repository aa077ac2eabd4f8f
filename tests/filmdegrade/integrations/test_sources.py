"""Sources: image folders (8/16 bit, recursive), frame folders, videos (PyAV), arrays; bad and empty ones."""

from __future__ import annotations

import pickle

import cv2
import numpy as np
import pytest

from filmdegrade.integrations.sources import (
    ArrayClips,
    ArrayImages,
    FrameFolders,
    FramesAsImages,
    ImageFolder,
    VideoFolder,
    as_clip_source,
    as_image_source,
    read_image,
    to_float32,
)
from tests.filmdegrade.contract import test_image as make_image
from tests.filmdegrade.integrations.conftest import write_video


def test_image_folder_finds_images_recursively_in_sorted_order(image_dir):
    src = ImageFolder(image_dir)
    rel = [p[len(str(image_dir)) + 1 :] for p in src.files]
    assert rel == sorted(rel) and len(rel) == 7
    assert "notes.txt" not in rel
    for i in range(len(src)):
        x = src.read(i)
        assert x.ndim == 3 and x.shape[:2] == (40, 48) and x.shape[2] == 3, src.name(i)


def test_16_bit_tiff_keeps_16_bits_and_scales_to_unit_range(image_dir):
    path = image_dir / "a" / "b" / "scan16.tif"
    x = read_image(path)
    assert x.dtype == np.uint16
    expected = make_image((40, 48, 3), np.float32, seed=6)
    f = to_float32(x)
    assert f.dtype == np.float32 and 0 <= f.min() and f.max() <= 1
    assert np.abs(f - expected).max() < 2 / 65535  # 16-bit precision, RGB order restored
    # an 8-bit file of the same picture is only good to 1/255
    assert (
        np.abs(to_float32(read_image(image_dir / "img0.png")) - make_image((40, 48, 3), np.float32)).max()
        < 0.003
    )


def test_channels_grey_rgba_and_luma(image_dir):
    grey = read_image(image_dir / "a" / "grey.png")
    assert grey.shape == (40, 48, 3) and np.array_equal(grey[..., 0], grey[..., 2])
    assert read_image(image_dir / "a" / "rgba.png").shape == (40, 48, 3)
    one = read_image(image_dir / "img0.png", channels=1)
    assert one.shape == (40, 48, 1)
    with pytest.raises(ValueError, match="channels"):
        ImageFolder(image_dir, channels=2)


def test_unreadable_image_names_the_file(tmp_path):
    bad = tmp_path / "broken.png"
    bad.write_bytes(b"\x89PNG not really")
    with pytest.raises(ValueError, match=r"broken\.png"):
        read_image(bad)


def test_empty_sources_raise(tmp_path):
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "readme.txt").write_text("x")
    with pytest.raises(ValueError, match="no image files"):
        ImageFolder(tmp_path / "empty")
    with pytest.raises(ValueError, match="no image or video"):
        as_image_source(tmp_path / "empty")
    with pytest.raises(ValueError, match="no video files and no frame folders"):
        as_clip_source(tmp_path / "empty")
    with pytest.raises(ValueError, match="folder"):
        ImageFolder(tmp_path / "missing")
    with pytest.raises(ValueError, match="empty"):
        ArrayImages([])
    with pytest.raises(ValueError, match="empty"):
        ArrayClips(np.zeros((0, 4, 8, 8, 3), np.uint8))
    with pytest.raises(TypeError):
        as_image_source(42)


def test_frame_folders_one_clip_per_subfolder(tmp_path):
    for clip in ("shotA", "shotB"):
        (tmp_path / clip).mkdir()
        for k in range(5 if clip == "shotA" else 3):
            cv2.imwrite(str(tmp_path / clip / f"{k:04d}.png"), np.full((16, 20, 3), 10 * k, np.uint8))
    src = as_clip_source(tmp_path)
    assert isinstance(src, FrameFolders) and len(src) == 2
    assert [src.n_frames(i) for i in range(2)] == [5, 3]
    x = src.read_frames(0, 2, 3)
    assert x.shape == (3, 16, 20, 3) and [int(f[0, 0, 0]) for f in x] == [20, 30, 40]
    with pytest.raises(ValueError, match="out of range"):
        src.read_frames(1, 2, 3)


def test_video_random_access_by_seeking(tmp_path):
    path = write_video(tmp_path / "v.mp4")
    src = VideoFolder(tmp_path)
    assert len(src) == 1 and src.n_frames(0) == 32
    for start in (0, 5, 13, 28):
        x = src.read_frames(0, start, 4)
        assert x.shape == (4, 48, 64, 3) and x.dtype == np.uint8
        levels = x[:, :, :4].reshape(4, -1).mean(axis=1)  # left edge: the ramp is ~0 there
        assert np.allclose(levels, 7 * np.arange(start, start + 4), atol=3), (start, levels)
    frames = as_image_source(path)
    assert isinstance(frames, FramesAsImages) and len(frames) == 32
    assert abs(frames.read(17)[:, :4].mean() - 7 * 17) < 3
    # a source pickles (to reach DataLoader workers) and still reads
    again = pickle.loads(pickle.dumps(src))
    assert np.array_equal(again.read_frames(0, 13, 2), src.read_frames(0, 13, 2))


def test_corrupt_video_names_the_file(tmp_path):
    (tmp_path / "bad.mp4").write_bytes(b"\x00\x00\x00\x18ftypmp42 garbage" * 10)
    src = VideoFolder(tmp_path)
    with pytest.raises(ValueError, match=r"bad\.mp4"):
        src.n_frames(0)
    with pytest.warns(RuntimeWarning, match=r"bad\.mp4"), pytest.raises(ValueError, match="no frames"):
        FramesAsImages(src, on_error="skip")


def test_array_sources():
    imgs = np.zeros((3, 10, 12), np.uint16)
    src = as_image_source(imgs)
    assert len(src) == 3 and src.read(1).shape == (10, 12, 3) and src.read(1).dtype == np.uint16
    clips = as_clip_source([np.zeros((6, 10, 12, 1), np.float32)])
    assert clips.n_frames(0) == 6 and clips.read_frames(0, 1, 2).shape == (2, 10, 12, 3)
    with pytest.raises(ValueError, match=r"images\[1\]"):
        ArrayImages([np.zeros((4, 4)), np.zeros(4)])
    with pytest.raises(TypeError, match="dtype"):
        to_float32(np.zeros((2, 2), np.int32))
