"""The ``filmdegrade`` command line.

Every command has ``--help``. Bad input exits with status 2 and one clear line on stderr.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence

__all__ = ["main"]


class UsageError(Exception):
    """A user error reported as one line with exit status 2."""


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


COMMANDS: dict[str, tuple[str, Callable[[argparse.ArgumentParser], None], Callable[..., int]]] = {}


def _add_demo(p: argparse.ArgumentParser) -> None:
    p.add_argument("--out", default="filmdegrade-demo", help="output folder (default: %(default)s)")
    p.add_argument("--seed", type=int, default=0, help="pipeline seed (default: %(default)s)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")


def _add_presets(p: argparse.ArgumentParser) -> None:
    p.add_argument("--show", metavar="NAME", help="print one preset as YAML")


COMMANDS["demo"] = ("degrade a bundled image with every preset (grid PNG + MP4 clip)", _add_demo, _cmd_demo)
COMMANDS["presets"] = ("list the bundled presets, or show one", _add_presets, _cmd_presets)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with one sub-command per entry of :data:`COMMANDS`."""
    parser = argparse.ArgumentParser(
        prog="filmdegrade", description="Physically grounded film and tape degradation."
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
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
    except (UsageError, FileNotFoundError, ValueError, TypeError, OSError) as e:
        print(f"filmdegrade {args.command}: error: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:  # pragma: no cover
        return 130


if __name__ == "__main__":
    sys.exit(main())
