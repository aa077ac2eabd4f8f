"""Checkpoint format, loading (official ``params_ema``/``params`` wrappers) and atomic saving.

A checkpoint is a dict ``{"params": state_dict}`` and/or ``{"params_ema": state_dict}`` (BasicSR
convention) plus an optional ``"meta"`` dict: ``{"arch": {...build_model config...}, "scale": int,
"training": {...}}``.  Loading prefers ``params_ema`` and falls back to ``params``, like ``RealESRGANer``;
a bare state dict is accepted too.  :mod:`torch` is imported lazily.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import torch

PARAM_KEYS = ("params_ema", "params")


class CheckpointError(ValueError):
    """Raised when a file or object is not a usable checkpoint."""


@dataclass
class Checkpoint:
    """A loaded checkpoint.

    Attributes
    ----------
    state_dict : dict of str to torch.Tensor
        The selected weights (``params_ema`` first, then ``params``, else the bare dict).
    key : str or None
        Which wrapper key was used (``None`` for a bare state dict).
    meta : dict
        The ``meta`` entry (empty when absent).
    """

    state_dict: dict[str, torch.Tensor]
    key: str | None
    meta: dict[str, Any] = field(default_factory=dict)


def _is_state_dict(obj: object) -> bool:
    import torch

    return (
        isinstance(obj, Mapping) and len(obj) > 0 and all(isinstance(v, torch.Tensor) for v in obj.values())
    )


def extract_state_dict(
    obj: Mapping[str, Any], key: str | None = None
) -> tuple[dict[str, torch.Tensor], str | None]:
    """Select the state dict inside a checkpoint object.

    Parameters
    ----------
    obj : mapping
        ``{"params_ema": sd}``, ``{"params": sd}``, both, or a bare state dict.
    key : str, optional
        Force a wrapper key instead of ``params_ema`` → ``params``.

    Returns
    -------
    state_dict : dict
        Weights with a leading ``module.`` (DataParallel) prefix removed.
    key : str or None
        Wrapper key used.

    Raises
    ------
    CheckpointError
        If no state dict can be found.
    """
    if not isinstance(obj, Mapping):
        raise CheckpointError(f"checkpoint must be a dict, got {type(obj).__name__}")
    keys = (key,) if key is not None else PARAM_KEYS
    for k in keys:
        if k in obj:
            sd = obj[k]
            if not _is_state_dict(sd):
                raise CheckpointError(f"checkpoint entry {k!r} is not a state dict")
            return {re.sub(r"^module\.", "", n): t for n, t in sd.items()}, k
    if key is None and _is_state_dict(obj):
        return {re.sub(r"^module\.", "", n): t for n, t in obj.items()}, None
    raise CheckpointError(f"no {' or '.join(repr(k) for k in keys)} state dict in checkpoint")


def load_checkpoint(
    path_or_dict: str | os.PathLike[str] | Mapping[str, Any],
    model: torch.nn.Module | None = None,
    *,
    strict: bool = True,
    key: str | None = None,
    map_location: str = "cpu",
) -> Checkpoint:
    """Load a checkpoint file (or dict) and optionally copy the weights into ``model``.

    Parameters
    ----------
    path_or_dict : path or mapping
        ``.pth`` file written by BasicSR/Real-ESRGAN or :func:`save_checkpoint`, or an in-memory dict.
    model : torch.nn.Module, optional
        If given, ``model.load_state_dict(state_dict, strict=strict)`` is called.
    strict : bool
        Strict key matching when loading into ``model``.
    key : str, optional
        Force ``"params_ema"`` or ``"params"``.
    map_location : str
        Device for :func:`torch.load`.

    Returns
    -------
    Checkpoint
        The selected state dict, the wrapper key and the metadata.
    """
    import torch

    if isinstance(path_or_dict, Mapping):
        obj: Any = path_or_dict
    else:
        path = Path(path_or_dict)
        if not path.is_file():
            raise CheckpointError(f"checkpoint not found: {path}")
        try:
            obj = torch.load(path, map_location=map_location, weights_only=True)
        except Exception as exc:  # torch raises many types for corrupt files
            raise CheckpointError(f"cannot read checkpoint {path}: {str(exc).splitlines()[0]}") from exc
    sd, used = extract_state_dict(obj, key)
    meta = dict(obj.get("meta") or {}) if isinstance(obj, Mapping) and used is not None else {}
    if model is not None:
        model.load_state_dict(sd, strict=strict)
    return Checkpoint(sd, used, meta)


def load_state_dict_file(
    path_or_dict: str | os.PathLike[str] | Mapping[str, Any], key: str | None = None
) -> dict[str, torch.Tensor]:
    """Return only the state dict of a checkpoint (``params_ema`` first, then ``params``).

    Parameters
    ----------
    path_or_dict : path or mapping
        Checkpoint file or dict.
    key : str, optional
        Force a wrapper key.

    Returns
    -------
    dict of str to torch.Tensor
        The weights.
    """
    return load_checkpoint(path_or_dict, key=key).state_dict


def save_checkpoint(
    path: str | os.PathLike[str],
    state_dict: Mapping[str, torch.Tensor] | None = None,
    *,
    ema_state_dict: Mapping[str, torch.Tensor] | None = None,
    meta: Mapping[str, Any] | None = None,
) -> Path:
    """Write a checkpoint atomically (temporary file in the same folder, then :func:`os.replace`).

    Parameters
    ----------
    path : path
        Destination ``.pth`` file; parent folders are created.
    state_dict : mapping, optional
        Stored as ``params``.
    ema_state_dict : mapping, optional
        Stored as ``params_ema``.
    meta : mapping, optional
        Metadata (arch config, scale, training info); must contain only plain Python types so that
        ``torch.load(weights_only=True)`` can read it.

    Returns
    -------
    pathlib.Path
        The written path.
    """
    import torch

    if state_dict is None and ema_state_dict is None:
        raise ValueError("nothing to save: give state_dict and/or ema_state_dict")
    obj: dict[str, Any] = {}
    if state_dict is not None:
        obj["params"] = {k: v.detach().cpu() for k, v in state_dict.items()}
    if ema_state_dict is not None:
        obj["params_ema"] = {k: v.detach().cpu() for k, v in ema_state_dict.items()}
    if meta:
        obj["meta"] = dict(meta)
    dest = Path(path)
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=dest.name + ".", suffix=".tmp", dir=dest.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            torch.save(obj, fh)
        os.replace(tmp, dest)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return dest


def _count(prefix_re: str, keys: list[str]) -> int:
    found = {int(m.group(1)) for k in keys if (m := re.match(prefix_re, k))}
    return max(found) + 1 if found else 0


def infer_arch_config(state_dict: Mapping[str, Any]) -> dict[str, Any]:
    """Guess the :func:`~filmrestore_models.factory.build_model` config from state-dict keys and shapes.

    Recognises RRDBNet (scale from ``conv_first`` input channels), TemporalRealESRGAN (``temporal.*`` keys;
    temporal hyper-parameters other than the defaults cannot be recovered), SRVGGNetCompact and
    UNetDiscriminatorSN.

    Parameters
    ----------
    state_dict : mapping
        Weights (tensors or anything with ``.shape``).

    Returns
    -------
    dict
        Config with an ``"arch"`` entry.

    Raises
    ------
    CheckpointError
        If the layout is not recognised.
    """
    keys = list(state_dict)
    shape = {k: tuple(v.shape) for k, v in state_dict.items()}
    if "conv_first.weight" in shape and "conv_last.weight" in shape:
        out_f, in_ch, _, _ = shape["conv_first.weight"]
        num_out = shape["conv_last.weight"][0]
        scale = 4
        for s, f in ((4, 1), (2, 2), (1, 4)):
            if in_ch % (f * f) == 0 and in_ch // (f * f) == num_out:
                scale = s
        unshuffle = 4 // scale
        cfg: dict[str, Any] = {
            "arch": "RRDBNet",
            "num_in_ch": in_ch // unshuffle**2,
            "num_out_ch": num_out,
            "scale": scale,
            "num_feat": out_f,
            "num_block": _count(r"^body\.(\d+)\.", keys),
            "num_grow_ch": shape["body.0.rdb1.conv1.weight"][0]
            if "body.0.rdb1.conv1.weight" in shape
            else 32,
        }
        if any(k.startswith("temporal.") for k in keys):
            cfg["arch"] = "TemporalRealESRGAN"
        return cfg
    if "conv0.weight" in shape and "conv9.weight" in shape:
        return {
            "arch": "UNetDiscriminatorSN",
            "num_in_ch": shape["conv0.weight"][1],
            "num_feat": shape["conv0.weight"][0],
        }
    if "body.0.weight" in shape:
        n = _count(r"^body\.(\d+)\.", keys)
        last = shape[f"body.{n - 1}.weight"]
        num_in = shape["body.0.weight"][1]
        num_feat = shape["body.0.weight"][0]
        prelu = "body.1.weight" in shape
        num_conv = (n - 3) // 2  # convs at even indices 0, 2, ..., 2·num_conv + 2
        out_ch = num_in
        up2 = last[0] // out_ch
        upscale = round(up2**0.5)
        if upscale * upscale * out_ch != last[0]:
            raise CheckpointError("cannot infer SRVGGNetCompact upscale from the last convolution")
        return {
            "arch": "SRVGGNetCompact",
            "num_in_ch": num_in,
            "num_out_ch": out_ch,
            "num_feat": num_feat,
            "num_conv": num_conv,
            "upscale": upscale,
            "act_type": "prelu" if prelu else "relu",
        }
    raise CheckpointError(
        "unrecognised state-dict layout (not RRDBNet, SRVGGNetCompact or UNetDiscriminatorSN)"
    )
