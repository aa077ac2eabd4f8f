"""Write a minimal synthetic ncnn ``.param``/``.bin`` pair from a PyTorch model (test helper).

Only the layers the converter reads are written faithfully (Convolution, PReLU); a few weightless
layers (Input, Interp, PixelShuffle) make the graph look like the real exports.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

TAG_FP16 = 0x01306B47


def write_ncnn(model: torch.nn.Module, folder: Path, stem: str, fp16: bool = True) -> tuple[Path, Path]:
    """Write ``stem.param``/``stem.bin`` holding the weights of ``model``'s Conv2d/PReLU layers."""
    lines: list[str] = ["Input input 0 1 data"]
    payload = bytearray()
    blob = "data"
    n = 0
    for module in model.modules():
        if isinstance(module, torch.nn.Conv2d):
            w = module.weight.detach().numpy().ravel()
            out_ch, _, k, _ = module.weight.shape
            has_bias = int(module.bias is not None)
            lines.append(f"Convolution conv_{n} 1 1 {blob} b{n} 0={out_ch} 1={k} 4={k // 2} 5={has_bias} 6={w.size}")
            if fp16:
                payload += np.uint32(TAG_FP16).tobytes() + w.astype("<f2").tobytes()
                payload += b"\0" * ((-w.size * 2) % 4)
            else:
                payload += np.uint32(0).tobytes() + w.astype("<f4").tobytes()
            if has_bias:
                payload += module.bias.detach().numpy().astype("<f4").tobytes()
        elif isinstance(module, torch.nn.PReLU):
            lines.append(f"PReLU prelu_{n} 1 1 {blob} b{n} 0={module.weight.numel()}")
            payload += module.weight.detach().numpy().astype("<f4").tobytes()
        else:
            continue
        blob = f"b{n}"
        n += 1
    if hasattr(model, "upsampler"):
        lines.append(f"PixelShuffle ps 1 1 {blob} ps_out 0={model.upscale}")
        lines.append("Interp up 1 1 ps_out up_out 0=1 1=4.0 2=4.0")
    else:
        lines.append(f"Interp up 1 1 {blob} output 0=1 1=2.000000e+00 2=2.000000e+00 -23310=1,2.000000e-01")
    text = "7767517\n" + f"{len(lines)} {len(lines) + 1}\n" + "\n".join(lines) + "\n"
    param = folder / f"{stem}.param"
    binf = folder / f"{stem}.bin"
    param.write_text(text, encoding="utf-8")
    binf.write_bytes(bytes(payload))
    return param, binf
