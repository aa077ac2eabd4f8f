"""The ``filmdegrade`` command line.

Commands: ``demo``, ``preview``, ``pairs``, ``measure``, ``calibrate``, ``presets``. Every command has
``--help``. Bad input exits with status 2 and one clear line on stderr (no traceback).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NoReturn

__all__ = ["COMMANDS", "UsageError", "build_parser", "main"]

VIDEO_OUT = (".mp4", ".mkv", ".mov", ".avi")


class UsageError(Exception):
    """A user error reported as one line with exit status 2."""


class _Parser(argparse.ArgumentParser):
    """argparse that reports a usage error on one line (and exits 2), pointing at ``--help``."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {_one_line(message)} (see {self.prog} --help)\n")


def _one_line(text: object) -> str:
    return " ".join(str(text).split())


# --- shared helpers -------------------------------------------------------------------------------------
def _add_pipeline_args(p: argparse.ArgumentParser) -> None:
    g = p.add_mutually_exclusive_group(required=True)
    g.add_argument("--preset", metavar="NAME", help="a bundled preset (see 'filmdegrade presets')")
    g.add_argument("--config", metavar="YAML", help="a pipeline YAML file (FilmPipeline.to_yaml)")
    p.add_argument("--seed", type=int, default=None, help="override the pipeline seed")


def _load_pipeline(args: argparse.Namespace) -> Any:
    from filmdegrade.pipeline import FilmPipeline

    if args.seed is not None and args.seed < 0:
        raise UsageError(f"--seed must be >= 0, got {args.seed}")
    if args.preset is not None:
        pipe = FilmPipeline.from_preset(args.preset)
    else:
        path = Path(args.config)
        if not path.is_file():
            raise UsageError(f"no such pipeline YAML file: {path}")
        try:
            pipe = FilmPipeline.from_yaml(path)
        except UnicodeDecodeError:
            raise UsageError(f"{path}: not a text (YAML) file") from None
        except (ValueError, TypeError) as e:
            raise UsageError(f"{path}: {e}") from None
    if args.seed is not None:
        pipe.seed = args.seed
    return pipe


def _to_uint8(a: Any) -> Any:
    import numpy as np

    if a.dtype == np.uint8:
        return a
    return np.rint(np.clip(a, 0.0, 1.0) * 255.0).astype(np.uint8)


def _rgb(a: Any) -> Any:
    """uint8 with 3 channels: ``H×W``, ``H×W×1``, ``T×H×W×1`` are repeated to RGB."""
    import numpy as np

    a = _to_uint8(a)
    if a.ndim == 2:
        a = a[..., None]
    return np.repeat(a, 3, axis=-1) if a.shape[-1] == 1 else a


# --- demo / presets (unchanged behaviour) -------------------------------------------------------------
def _cmd_demo(args: argparse.Namespace) -> int:
    from filmdegrade.demo import run_demo

    paths = run_demo(args.out, seed=args.seed, progress=not args.quiet)
    for kind, path in paths.items():
        print(f"{kind}: {path}")
    return 0


def _cmd_presets(args: argparse.Namespace) -> int:
    import yaml

    from filmdegrade.pipeline import FilmPipeline, list_presets

    if args.show:
        try:
            pipe = FilmPipeline.from_preset(args.show)
        except ValueError as e:
            raise UsageError(str(e)) from None
        print(yaml.safe_dump(pipe.to_dict(), sort_keys=False), end="")
        return 0
    for name in list_presets():
        pipe = FilmPipeline.from_preset(name)
        print(f"{name:14s} {pipe.description or ''}")
    return 0


# --- preview ----------------------------------------------------------------------------------------------
def _cmd_preview(args: argparse.Namespace) -> int:
    import numpy as np

    from filmdegrade.demo import write_video
    from filmdegrade.io import footage_kind, read_frames, video_info, write_png

    pipe = _load_pipeline(args)
    src = Path(args.input)
    kind = footage_kind(src)
    out = Path(args.output)
    is_video_out = out.suffix.lower() in VIDEO_OUT
    if out.suffix.lower() not in (".png", *VIDEO_OUT):
        raise UsageError(
            f"output must end in .png (image) or {', '.join(VIDEO_OUT)} (video), got {out.name!r}"
        )
    if args.max_frames is not None and args.max_frames < 1:
        raise UsageError(f"--max-frames must be >= 1, got {args.max_frames}")
    limit = args.max_frames if kind != "image" else 1
    frames = read_frames(src, max_frames=limit, progress=not args.quiet)
    if not is_video_out and len(frames) > 1:
        raise UsageError(f"{src} has {len(frames)} frames: write a video (.mp4) or pass --max-frames 1")
    x = frames if is_video_out else frames[0]
    smp = pipe.sample(x, index=args.index)
    img = _rgb(smp.image)
    if args.side_by_side:  # the clean side as the medium renders it (B&W for a B&W film)
        img = np.concatenate([_rgb(pipe.clean_target(x, index=args.index)), img], axis=-2)
    written = []
    if is_video_out:
        fps = float(video_info(src)["fps"] or 24.0) if kind == "video" else 24.0
        written.append(write_video(out, img if img.ndim == 4 else img[None], fps=fps))
    else:
        written.append(write_png(out, img))
    if args.masks:
        for name, m in smp.masks.items():
            mpath = out.with_name(f"{out.stem}_mask_{name}{out.suffix}")
            m8 = _to_uint8(m)
            if is_video_out:
                written.append(write_video(mpath, _rgb(m8[..., None]) if m8.ndim == 3 else _rgb(m8)[None]))
            else:
                written.append(write_png(mpath, m8))
    for p in written:
        print(p)
    return 0


def _add_preview(p: argparse.ArgumentParser) -> None:
    p.add_argument("input", metavar="IN", help="image file, folder of frames or video")
    p.add_argument("-o", "--output", required=True, metavar="OUT", help="output .png (image) or .mp4 (video)")
    _add_pipeline_args(p)
    p.add_argument("--index", type=int, default=0, help="sample index (default: %(default)s)")
    p.add_argument("--side-by-side", action="store_true", help="clean and degraded next to each other")
    p.add_argument("--masks", action="store_true", help="also write each defect mask (OUT_mask_<name>.*)")
    p.add_argument("--max-frames", type=int, default=None, help="read at most this many frames")
    p.add_argument("--quiet", action="store_true", help="no progress bar")


# --- pairs ------------------------------------------------------------------------------------------------
def _cmd_pairs(args: argparse.Namespace) -> int:
    from filmdegrade.pairs import parse_shard, write_pairs

    pipe = _load_pipeline(args)
    if args.n < 1:
        raise UsageError(f"--n must be >= 1, got {args.n}")
    if args.workers < 1:
        raise UsageError(f"--workers must be >= 1, got {args.workers}")
    if args.clip_len is not None and args.clip_len < 1:
        raise UsageError(f"--clip-len must be >= 1, got {args.clip_len}")
    shard = parse_shard(args.shard)
    res = write_pairs(
        args.source,
        args.out,
        pipe,
        args.n,
        workers=args.workers,
        shard=shard,
        resume=args.resume,
        clip_len=args.clip_len,
        progress=not args.quiet,
    )
    print(f"wrote {len(res.written)} sample(s), skipped {len(res.skipped)} complete one(s), in {res.out}")
    return 0


def _add_pairs(p: argparse.ArgumentParser) -> None:
    p.add_argument("source", metavar="SRC", help="clean images: an image, a folder of images or a video")
    p.add_argument("out", metavar="OUT", help="output folder (lq/, gt/, masks/, records/)")
    _add_pipeline_args(p)
    p.add_argument("--n", type=int, required=True, help="number of samples (all shards together)")
    p.add_argument("--workers", type=int, default=1, help="worker processes (default: %(default)s)")
    p.add_argument(
        "--shard", default="0/1", metavar="i/n", help="write indices ≡ i mod n (default: %(default)s)"
    )
    p.add_argument("--resume", action="store_true", help="skip samples whose files all exist")
    p.add_argument("--clip-len", type=int, default=None, metavar="T", help="degrade clips of T frames")
    p.add_argument("--quiet", action="store_true", help="no progress bar")


# --- measure ----------------------------------------------------------------------------------------------
def _resolve_medium(hint: str | None) -> Any:
    from filmdegrade.calibrate import medium_from_hint

    return None if hint is None else medium_from_hint(hint)


def _cmd_measure(args: argparse.Namespace) -> int:
    from filmdegrade.io import read_frames
    from filmdegrade.measure.summary import format_table, measure_footage

    if args.max_frames is not None and args.max_frames < 1:
        raise UsageError(f"--max-frames must be >= 1, got {args.max_frames}")
    medium = _resolve_medium(args.medium)
    frames = read_frames(args.input, max_frames=args.max_frames, progress=not args.quiet and not args.json)
    stats = measure_footage(frames, medium=medium)
    if args.json:
        print(json.dumps(stats, indent=1, sort_keys=True, default=float))
    else:
        print(format_table(stats))
    return 0


def _add_measure(p: argparse.ArgumentParser) -> None:
    p.add_argument("input", metavar="IN", help="image file, folder of frames or video")
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")
    p.add_argument(
        "--medium",
        metavar="M",
        help="medium hint for physical units (super8, 16mm, 35mm, vhs, ... or a preset)",
    )
    p.add_argument("--max-frames", type=int, default=None, help="read at most this many frames")
    p.add_argument("--quiet", action="store_true", help="no progress bar")


# --- calibrate --------------------------------------------------------------------------------------------
def _cmd_calibrate(args: argparse.Namespace) -> int:
    from filmdegrade.calibrate import calibrate, format_fit, preset_for_hint
    from filmdegrade.io import read_frames

    preset_for_hint(args.medium)  # fail on a bad hint before the (slow) reading

    if args.max_frames is not None and args.max_frames < 1:
        raise UsageError(f"--max-frames must be >= 1, got {args.max_frames}")
    out = Path(args.output)
    if out.suffix.lower() not in (".yaml", ".yml"):
        raise UsageError(f"output must be a .yaml file, got {out.name!r}")
    frames = read_frames(args.input, max_frames=args.max_frames, progress=not args.quiet)
    result = calibrate(frames, medium=args.medium, seed=args.seed, progress=not args.quiet)
    result.pipeline.to_yaml(out)
    print(format_fit(result))
    print(f"preset written to {out}")
    return 0


def _add_calibrate(p: argparse.ArgumentParser) -> None:
    p.add_argument("input", metavar="IN", help="frames of your scans: image, folder of frames or video")
    p.add_argument(
        "--medium",
        required=True,
        metavar="M",
        help="what the footage is: super8, 16mm, 35mm, vhs, ... or a preset",
    )
    p.add_argument("-o", "--output", required=True, metavar="YAML", help="preset file to write")
    p.add_argument("--seed", type=int, default=0, help="seed of the re-simulation (default: %(default)s)")
    p.add_argument("--max-frames", type=int, default=64, help="frames to analyse (default: %(default)s)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")


def _add_demo(p: argparse.ArgumentParser) -> None:
    p.add_argument("--out", default="filmdegrade-demo", help="output folder (default: %(default)s)")
    p.add_argument("--seed", type=int, default=0, help="pipeline seed (default: %(default)s)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")


def _add_presets(p: argparse.ArgumentParser) -> None:
    p.add_argument("--show", metavar="NAME", help="print one preset as YAML")


COMMANDS: dict[str, tuple[str, Callable[[argparse.ArgumentParser], None], Callable[..., int]]] = {}
COMMANDS["demo"] = ("degrade a bundled image with every preset (grid PNG + MP4 clip)", _add_demo, _cmd_demo)
COMMANDS["preview"] = (
    "degrade one image or video with a preset or pipeline YAML",
    _add_preview,
    _cmd_preview,
)
COMMANDS["pairs"] = ("write LQ/GT training pairs with masks and replay records", _add_pairs, _cmd_pairs)
COMMANDS["measure"] = (
    "print the degradation statistics of a frame, folder or video",
    _add_measure,
    _cmd_measure,
)
COMMANDS["calibrate"] = ("fit a preset to your own scans and report the fit", _add_calibrate, _cmd_calibrate)
COMMANDS["presets"] = ("list the bundled presets, or show one", _add_presets, _cmd_presets)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with one sub-command per entry of :data:`COMMANDS`."""
    parser = _Parser(prog="filmdegrade", description="Physically grounded film and tape degradation.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name, (help_text, add_args, func) in COMMANDS.items():
        p = sub.add_parser(name, help=help_text, description=help_text)
        add_args(p)
        p.set_defaults(func=func)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``filmdegrade`` console script; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except (UsageError, FileNotFoundError, ValueError, TypeError, OSError, ImportError) as e:
        print(f"filmdegrade {args.command}: error: {_one_line(e)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:  # pragma: no cover
        return 130


if __name__ == "__main__":
    sys.exit(main())
