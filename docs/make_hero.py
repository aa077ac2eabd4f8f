"""Make ``docs/_static/presets_grid.png``: the bundled astronaut photo through every bundled preset.

Run once from the repository root (``python docs/make_hero.py``); the README and the docs index show the
result. Uses only :mod:`filmdegrade.demo` functions, so the picture is what ``bash scripts/demo.sh`` makes.
"""

from __future__ import annotations

from pathlib import Path

import cv2

from filmdegrade import FilmPipeline, list_presets
from filmdegrade.demo import as_film_input, bundled_image, label, make_grid, write_png

OUT = Path(__file__).resolve().parent / "_static" / "presets_grid.png"


def main(seed: int = 0, tile_px: int = 320) -> Path:
    """Write the labelled grid (clean tile first, then one tile per preset) and return its path."""
    img = cv2.resize(bundled_image("astronaut"), (tile_px, tile_px), interpolation=cv2.INTER_AREA)
    tiles = [label(img, "clean")]
    for name in list_presets():
        pipe = FilmPipeline.from_preset(name, seed=seed)
        tiles.append(label(pipe(as_film_input(img, pipe), index=0), name))
    return write_png(OUT, make_grid(tiles, cols=4))


if __name__ == "__main__":
    print(main())
