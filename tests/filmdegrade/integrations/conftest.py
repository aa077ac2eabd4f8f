"""Fixtures for the integration tests: small image folders and videos written into tmp dirs."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from tests.filmdegrade.contract import test_image as make_image
from tests.filmdegrade.integrations.helpers import FlickerSpeck  # noqa: F401  (registers the test effect)


def write_video(path: Path, n: int = 32, size: tuple[int, int] = (48, 64), codec: str = "libx264") -> Path:
    """Frame ``k`` is a flat grey of level ``7 k`` (so a decoded frame tells its own index) plus a ramp."""
    import av

    h, w = size
    with av.open(str(path), "w") as c:
        st = c.add_stream(codec, rate=24)
        st.width, st.height = w, h
        st.pix_fmt = "yuv420p"
        if codec == "libx264":
            st.options = {"crf": "0", "g": "8"}
        ramp = np.linspace(0, 20, w, dtype=np.float32)[None, :, None]
        for k in range(n):
            frame = np.clip(7 * k + ramp + np.zeros((h, w, 3), np.float32), 0, 255).astype(np.uint8)
            for pkt in st.encode(av.VideoFrame.from_ndarray(frame, format="rgb24")):
                c.mux(pkt)
        for pkt in st.encode():
            c.mux(pkt)
    return path


@pytest.fixture
def image_dir(tmp_path: Path) -> Path:
    """Seven images in nested folders: 8-bit RGB PNG and JPEG, 16-bit TIFF, 8-bit grey PNG, RGBA PNG."""
    root = tmp_path / "images"
    (root / "a" / "b").mkdir(parents=True)
    for k in range(3):
        cv2.imwrite(str(root / f"img{k}.png"), make_image((40, 48, 3), np.uint8, seed=k)[:, :, ::-1])
    cv2.imwrite(str(root / "a" / "photo.jpg"), make_image((40, 48, 3), np.uint8, seed=5)[:, :, ::-1])
    img16 = (make_image((40, 48, 3), np.float32, seed=6) * 65535).astype(np.uint16)
    cv2.imwrite(str(root / "a" / "b" / "scan16.tif"), img16[:, :, ::-1])
    cv2.imwrite(str(root / "a" / "grey.png"), make_image((40, 48), np.uint8, seed=7))
    rgba = np.dstack(
        [make_image((40, 48, 3), np.uint8, seed=8)[:, :, ::-1], np.full((40, 48), 128, np.uint8)]
    )
    cv2.imwrite(str(root / "a" / "rgba.png"), rgba)
    (root / "notes.txt").write_text("not an image")
    return root
