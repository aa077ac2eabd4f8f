"""Sphinx configuration for the filmdegrade documentation."""

from __future__ import annotations

import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE / "_ext"))
os.environ.setdefault("MPLBACKEND", "Agg")

project = "filmdegrade"
author = "filmdegrade developers"
copyright = "2026, filmdegrade developers"
release = version = "0.1.0"

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
    "generated_pages",
]

autosummary_generate = True
autodoc_typehints = "none"
numpydoc_show_class_members = False
numpydoc_validation_checks: set[str] = set()
nitpicky = False
# autodoc documents what each module defines (not what it re-exports through __all__), so a name has
# exactly one page; members in source order.
autodoc_default_options = {"ignore-module-all": True, "member-order": "bysource"}

sphinx_gallery_conf = {
    "examples_dirs": str(HERE.parent / "examples"),
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"/plot_",
    "ignore_pattern": r"(torch_training_loop|albumentations_compose)\.py",
    "abort_on_example_error": True,
    "only_warn_on_example_error": False,
    "download_all_examples": False,
    "remove_config_comments": True,
    "within_subsection_order": "FileNameSortKey",
    "plot_gallery": "True",
    "reset_modules": ("matplotlib",),
    # tests/test_docs.py sets this so every example really runs (not skipped as unchanged by MD5)
    "run_stale_examples": os.environ.get("FILMDEGRADE_DOCS_RERUN", "") == "1",
    "image_scrapers": ("matplotlib",),
}

html_theme = "pydata_sphinx_theme"
html_static_path = ["_static"]
html_title = "filmdegrade"
html_theme_options = {"navigation_with_keys": False, "show_toc_level": 2}
exclude_patterns = ["_build", "dev", "_data", "**.ipynb_checkpoints"]
# ref.python: a relative :mod:`.colour` in a docstring matches two modules; the link goes to the first.
suppress_warnings = ["config.cache", "ref.python"]
