"""SRVGGNetCompact: official counts, keys and shapes."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")

from filmrestore_models.archs.srvgg import SRVGGNetCompact  # noqa: E402
from filmrestore_models.checkpoint import load_checkpoint  # noqa: E402
from filmrestore_models.factory import count_parameters  # noqa: E402


def official_srvgg_shapes(num_conv: int, nf: int = 64, upscale: int = 4) -> dict[str, tuple[int, ...]]:
    """Key → shape of the official SRVGGNetCompact (convs at even indices, PReLU at odd indices)."""
    shapes: dict[str, tuple[int, ...]] = {
        "body.0.weight": (nf, 3, 3, 3),
        "body.0.bias": (nf,),
        "body.1.weight": (nf,),
    }
    idx = 2
    for _ in range(num_conv):
        shapes[f"body.{idx}.weight"] = (nf, nf, 3, 3)
        shapes[f"body.{idx}.bias"] = (nf,)
        shapes[f"body.{idx + 1}.weight"] = (nf,)
        idx += 2
    shapes[f"body.{idx}.weight"] = (3 * upscale * upscale, nf, 3, 3)
    shapes[f"body.{idx}.bias"] = (3 * upscale * upscale,)
    return shapes


@pytest.mark.parametrize(("num_conv", "expected"), [(16, 621_424), (32, 1_213_296)])
def test_parameter_count(num_conv: int, expected: int) -> None:
    with torch.device("meta"):
        model = SRVGGNetCompact(num_conv=num_conv)
    assert count_parameters(model) == expected


@pytest.mark.parametrize("wrapper", ["params", "params_ema"])
def test_official_keys_load_strictly(wrapper: str) -> None:
    gen = torch.Generator().manual_seed(0)
    sd = {k: torch.randn(s, generator=gen) for k, s in official_srvgg_shapes(16).items()}
    model = SRVGGNetCompact(num_conv=16)
    assert load_checkpoint({wrapper: sd}, model).key == wrapper
    assert torch.equal(model.body[33].weight, sd["body.33.weight"])


def test_shapes_and_residual(gen) -> None:
    model = SRVGGNetCompact(num_feat=8, num_conv=2, upscale=4).eval()
    x = torch.rand(1, 3, 7, 9, generator=gen)
    with torch.no_grad():
        out = model(x)
    assert out.shape == (1, 3, 28, 36)
    # zeroing the last conv leaves exactly the nearest-neighbour upsampling
    with torch.no_grad():
        model.body[-1].weight.zero_()
        model.body[-1].bias.zero_()
        out = model(x)
    assert torch.equal(out, torch.nn.functional.interpolate(x, scale_factor=4, mode="nearest"))


def test_backward(gen) -> None:
    model = SRVGGNetCompact(num_feat=8, num_conv=2, upscale=2)
    model(torch.rand(2, 3, 8, 8, generator=gen)).mean().backward()
    assert model.body[0].weight.grad.abs().sum() > 0
