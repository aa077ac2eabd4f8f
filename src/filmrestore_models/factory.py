"""Explicit model factory: a plain dict of architectures and named configurations.

No registry is filled at import time, and :mod:`torch` is only imported when a model is built.

Examples
--------
>>> from filmrestore_models.factory import build_model  # doctest: +SKIP
>>> model = build_model({"name": "tiny"})  # doctest: +SKIP
>>> model = build_model({"arch": "RRDBNet", "scale": 2, "num_block": 6})  # doctest: +SKIP
"""

from __future__ import annotations

import copy
import importlib
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import torch

#: Architecture name → ``"module:Class"`` (resolved lazily).
ARCHITECTURES: dict[str, str] = {
    "RRDBNet": "filmrestore_models.archs.rrdbnet:RRDBNet",
    "SRVGGNetCompact": "filmrestore_models.archs.srvgg:SRVGGNetCompact",
    "UNetDiscriminatorSN": "filmrestore_models.archs.discriminator:UNetDiscriminatorSN",
    "TemporalRealESRGAN": "filmrestore_models.archs.temporal_realesrgan:TemporalRealESRGAN",
}

_TINY_TEMPORAL = {"flow_hidden": 8, "flow_levels": 2, "mask_hidden": 8, "bidirectional": True}

#: Named configurations usable as ``build_model({"name": ...})`` (other keys override them).
NAMED_CONFIGS: dict[str, dict[str, Any]] = {
    "tiny": {"arch": "RRDBNet", "scale": 4, "num_feat": 16, "num_block": 2, "num_grow_ch": 8},
    "compact": {"arch": "SRVGGNetCompact", "num_feat": 64, "num_conv": 16, "upscale": 4, "act_type": "prelu"},
    "full": {"arch": "RRDBNet", "scale": 4, "num_feat": 64, "num_block": 23, "num_grow_ch": 32},
    "tiny-temporal": {
        "arch": "TemporalRealESRGAN",
        "scale": 4,
        "num_feat": 16,
        "num_block": 2,
        "num_grow_ch": 8,
        "num_shallow_blocks": 1,
        "temporal": _TINY_TEMPORAL,
    },
    "full-temporal": {
        "arch": "TemporalRealESRGAN",
        "scale": 4,
        "num_feat": 64,
        "num_block": 23,
        "num_grow_ch": 32,
        "num_shallow_blocks": 2,
        "temporal": {"flow_hidden": 32, "flow_levels": 3, "mask_hidden": 16, "bidirectional": True},
    },
    "discriminator": {"arch": "UNetDiscriminatorSN", "num_feat": 64, "skip_connection": True},
}


def resolve_config(config: Mapping[str, Any] | str) -> dict[str, Any]:
    """Expand a config: a named config (``"tiny"`` or ``{"name": "tiny", ...overrides}``) or an explicit one.

    Parameters
    ----------
    config : mapping or str
        ``{"arch": ..., **kwargs}``, ``{"name": ..., **overrides}`` or a configuration name.

    Returns
    -------
    dict
        A config with an ``"arch"`` key and constructor keyword arguments.

    Raises
    ------
    ValueError
        Unknown name or architecture.
    """
    cfg = {"name": config} if isinstance(config, str) else dict(config)
    name = cfg.pop("name", None)
    if name is not None:
        if name not in NAMED_CONFIGS:
            raise ValueError(f"unknown model config {name!r}; choose from {sorted(NAMED_CONFIGS)}")
        base = copy.deepcopy(NAMED_CONFIGS[name])
        base.update(cfg)
        cfg = base
    arch = cfg.get("arch")
    if arch not in ARCHITECTURES:
        raise ValueError(f"unknown architecture {arch!r}; choose from {sorted(ARCHITECTURES)}")
    return cfg


def build_model(config: Mapping[str, Any] | str, generator: torch.Generator | None = None) -> torch.nn.Module:
    """Instantiate a model from a plain config dict.

    Parameters
    ----------
    config : mapping or str
        See :func:`resolve_config`.
    generator : torch.Generator, optional
        Random generator for the initialisation.

    Returns
    -------
    torch.nn.Module
        The model (in training mode, on the current default device).
    """
    cfg = resolve_config(config)
    module_name, cls_name = ARCHITECTURES[cfg.pop("arch")].split(":")
    cls = getattr(importlib.import_module(module_name), cls_name)
    try:
        return cls(**cfg, generator=generator)
    except TypeError as exc:
        raise ValueError(f"bad arguments for {cls_name}: {exc}") from exc


def model_scale(config: Mapping[str, Any] | str) -> int:
    """Upscaling factor of a config (1 for the discriminator).

    Parameters
    ----------
    config : mapping or str
        Model config.

    Returns
    -------
    int
        Output size / input size.
    """
    cfg = resolve_config(config)
    if cfg["arch"] == "SRVGGNetCompact":
        return int(cfg.get("upscale", 4))
    if cfg["arch"] == "UNetDiscriminatorSN":
        return 1
    return int(cfg.get("scale", 4))


def count_parameters(model: torch.nn.Module, trainable_only: bool = False) -> int:
    """Number of parameters (buffers such as spectral-norm vectors are not counted).

    Parameters
    ----------
    model : torch.nn.Module
        The model.
    trainable_only : bool
        Count only parameters with ``requires_grad``.

    Returns
    -------
    int
        Parameter count.
    """
    return sum(p.numel() for p in model.parameters() if p.requires_grad or not trainable_only)
