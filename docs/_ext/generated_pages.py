"""Generate documentation pages from the package itself at build time.

- ``generated/presets.rst``: the preset table (medium, transforms) from the bundled YAML files;
- ``generated/stocks.rst``, ``gauges.rst``, ``tapes.rst``, ``sensitivity.rst``: the data tables with sources
  and status;
- ``generated/cli.rst``: ``--help`` of every ``filmdegrade`` command;
- ``generated/api/<module>.rst``: one autodoc page per public module (:data:`API_MODULES`).
"""

from __future__ import annotations

import io
import re
from contextlib import redirect_stdout
from pathlib import Path

#: Public modules documented in the API reference, by section.
API_MODULES = {
    section: [f"{prefix}{m}" for m in mods.split()]
    for section, prefix, mods in [
        ("filmdegrade: core", "filmdegrade.",
         "pipeline media colour arrays random io pairs demo calibrate validation cli"),
        ("filmdegrade.effects", "filmdegrade.effects.",
         "base sensitivity grain grain_boolean scratches dust flicker weave optics "
         "fading fading_rates log_transmittance fading_kernels tape tape_signal tape_defects dv"),
        ("filmdegrade.measure", "filmdegrade.measure.",
         "granularity lines temporal colour bandwidth blotches regions noise summary"),
        ("filmdegrade.integrations", "filmdegrade.integrations.", "sources torch albumentations"),
        ("filmrestore_models.archs", "filmrestore_models.archs.",
         "rrdbnet srvgg temporal temporal_realesrgan discriminator flow_ops"),
        ("filmrestore_models", "filmrestore_models.",
         "factory checkpoint pretrained export dis_flow profiling cli"),
    ]
}

STATUS = {"V": "verified", "S": "secondary source", "M": "textbook, unchecked", "E": "estimated"}


def _table(rows: list[list[str]], header: list[str]) -> str:
    def esc(s: str) -> str:
        return str(s).replace("\n", " ").replace("|", "/")

    out = [".. list-table::", "   :header-rows: 1", "   :class: datatable", ""]
    for r in [header, *rows]:
        out.append("   * - " + esc(r[0]))
        out.extend("     - " + esc(c) for c in r[1:])
    return "\n".join(out) + "\n"


def presets_page() -> str:
    from filmdegrade import FilmPipeline, list_presets

    rows = []
    for name in list_presets():
        p = FilmPipeline.from_preset(name)
        m = p.medium
        chain = ", ".join(t["name"] for t in p.to_dict()["transforms"])
        medium = f"{m.gauge} / {m.stock}" + (f" / {m.tape}" if m.tape else "")
        rows.append([f"``{name}``", p.description or "", medium, chain])
    return ("Presets\n=======\n\nGenerated from ``filmdegrade/data/presets/*.yaml`` at build time. Load one "
            "with\n``FilmPipeline.from_preset(name, **overrides)``; print one with "
            "``filmdegrade presets --show NAME``.\n\n"
            + _table(rows, ["preset", "description", "gauge / stock / tape", "transforms"]))


def data_page(title: str, table: str, fields: list[str]) -> str:
    from filmdegrade.media import _table as load

    rows = []
    for key, row in load(table).items():
        cells = [f"``{key}``", row.get("name", "")]
        for f in fields:
            v = row.get(f, "")
            st = row.get(f"{f}_status") or row.get(f.rsplit("_", 1)[0] + "_status") or row.get("status", "")
            cells.append(f"{v} ({STATUS.get(st, st)})" if v != "" else "")
        src = row.get(f"{fields[0]}_source") or row.get("source", "")
        cells.append(src)
        rows.append(cells)
    body = _table(rows, ["id", "name", *fields, "source"])
    return f"{title}\n{'=' * len(title)}\n\nGenerated from ``filmdegrade/data/{table}.toml``. Status: " \
        + "; ".join(f"{k} = {v}" for k, v in STATUS.items()) + ".\n\n" + body


def cli_page() -> str:
    from filmdegrade.cli import COMMANDS, build_parser

    parser = build_parser()
    parts = ["Command line\n============\n", "``filmdegrade`` (installed with the package):\n", "::\n"]
    parts.append("    " + parser.format_help().replace("\n", "\n    ") + "\n")
    for name in COMMANDS:
        buf = io.StringIO()
        with redirect_stdout(buf):
            try:
                parser.parse_args([name, "--help"])
            except SystemExit:
                pass
        parts.append(f"\n``filmdegrade {name}``\n{'-' * (len(name) + 16)}\n\n::\n\n    "
                     + buf.getvalue().replace("\n", "\n    ") + "\n")
    return "\n".join(parts)


def _importable(name: str) -> bool:
    import importlib

    try:
        importlib.import_module(name)
    except ImportError:
        return False
    return True


def api_pages() -> dict[str, str]:
    """One ``automodule`` page per importable module and the API index (modules that do not import in this
    environment, e.g. without torch, are listed as such instead of failing the build)."""
    pages: dict[str, str] = {}
    index = ["API reference", "=============", "",
             "Every public module, from its numpydoc docstrings (units are in each docstring).", ""]
    for section, mods in API_MODULES.items():
        index += [section, "-" * len(section), "", ".. toctree::", "   :maxdepth: 1", ""]
        missing = []
        for m in mods:
            if not _importable(m):
                missing.append(m)
                continue
            pages[f"api/{m}.rst"] = f"``{m}``\n{'=' * (len(m) + 4)}\n\n.. automodule:: {m}\n   :members:\n"
            index.append(f"   api/{m}")
        index.append("")
        if missing:
            index += ["Not importable in this docs build (missing optional dependency): "
                      + ", ".join(f"``{m}``" for m in missing) + ".", ""]
    pages["api_index.rst"] = "\n".join(index)
    return pages


def generate(app) -> None:
    out = Path(app.srcdir) / "generated"
    out.mkdir(exist_ok=True)
    pages = {
        "presets.rst": presets_page(),
        "stocks.rst": data_page("Film stocks", "stocks",
                                ["rms_granularity", "grain_size_um", "kind", "scene_sensitivity"]),
        "gauges.rst": data_page("Gauges", "gauges", ["frame_width_mm", "frame_height_mm", "scratch_angle_deg",
                                                      "weave_rms_um"]),
        "tapes.rst": data_page("Tape formats", "tapes",
                               ["luma_bandwidth_mhz", "chroma_bandwidth_mhz", "snr_db", "horizontal_tvl"]),
        "sensitivity.rst": data_page("Spectral sensitivity of B&W emulsions", "sensitivity", ["weights"]),
        "cli.rst": cli_page(),
        **api_pages(),
    }
    (out / "api").mkdir(exist_ok=True)
    for name, text in pages.items():
        path = out / name
        if not path.exists() or path.read_text() != text:
            path.write_text(text)


_UNDERLINE = re.compile(r"^(\s*)([-=~^])\2{2,}\s*$")
_BARS = re.compile(r"(?<![`\\\w])\|([A-Za-z_]\w*)\|(?!`)")


def clean_docstring(app, what, name, obj, options, lines: list[str]) -> None:
    """Docstring hygiene so the build can use ``-W``: section underlines shorter than their title (plain
    text counts characters differently) are lengthened, and ``|x|`` (absolute values written as in maths)
    is escaped so reStructuredText does not read it as a substitution. The sources are unchanged."""
    for i, line in enumerate(lines):
        m = _UNDERLINE.match(line)
        if m and i > 0 and lines[i - 1].strip() and len(lines[i - 1].rstrip()) > len(line.rstrip()):
            lines[i] = m.group(1) + m.group(2) * (len(lines[i - 1].rstrip()) - len(m.group(1)))
        lines[i] = _BARS.sub(r"\\|\1\\|", lines[i])


def skip_member(app, what, name, obj, skip, options) -> bool | None:
    """Skip albumentations' per-class pydantic ``InitSchema`` (documented once per transform otherwise)."""
    return True if name == "InitSchema" else None


def setup(app):
    app.connect("builder-inited", generate)
    app.connect("autodoc-process-docstring", clean_docstring)
    app.connect("autodoc-skip-member", skip_member)
    return {"parallel_read_safe": True}
