"""RRDBNet: official parameter counts, official key names, shapes and training step."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")

from filmrestore_models.archs._common import pixel_unshuffle  # noqa: E402
from filmrestore_models.archs.rrdbnet import RRDBNet  # noqa: E402
from filmrestore_models.checkpoint import load_checkpoint  # noqa: E402
from filmrestore_models.factory import count_parameters  # noqa: E402


def official_rrdbnet_shapes(
    scale: int, nf: int = 64, nb: int = 23, gc: int = 32
) -> dict[str, tuple[int, ...]]:
    """Key → shape of an official BasicSR RRDBNet, written from the documented layout."""
    in_ch = 3 * (4 // scale) ** 2
    shapes: dict[str, tuple[int, ...]] = {"conv_first.weight": (nf, in_ch, 3, 3), "conv_first.bias": (nf,)}
    for b in range(nb):
        for r in (1, 2, 3):
            for c in range(1, 6):
                cin = nf + (c - 1) * gc
                cout = gc if c < 5 else nf
                shapes[f"body.{b}.rdb{r}.conv{c}.weight"] = (cout, cin, 3, 3)
                shapes[f"body.{b}.rdb{r}.conv{c}.bias"] = (cout,)
    for name in ("conv_body", "conv_up1", "conv_up2", "conv_hr"):
        shapes[f"{name}.weight"] = (nf, nf, 3, 3)
        shapes[f"{name}.bias"] = (nf,)
    shapes["conv_last.weight"] = (3, nf, 3, 3)
    shapes["conv_last.bias"] = (3,)
    return shapes


@pytest.mark.parametrize(("scale", "expected"), [(4, 16_697_987), (2, 16_703_171), (1, 16_723_907)])
def test_parameter_count_matches_official(scale: int, expected: int) -> None:
    with torch.device("meta"):
        model = RRDBNet(scale=scale)
    assert count_parameters(model) == expected


def test_anime_6b_parameter_count() -> None:
    with torch.device("meta"):
        model = RRDBNet(num_block=6)
    assert count_parameters(model) == 4_467_779


def test_official_key_list_has_702_tensors() -> None:
    assert len(official_rrdbnet_shapes(4)) == 702


@pytest.mark.parametrize("wrapper", ["params_ema", "params"])
@pytest.mark.parametrize("scale", [4, 2])
def test_official_state_dict_loads_strictly(wrapper: str, scale: int) -> None:
    gen = torch.Generator().manual_seed(0)
    sd = {k: torch.randn(s, generator=gen) for k, s in official_rrdbnet_shapes(scale).items()}
    model = RRDBNet(scale=scale, num_block=23)
    result = load_checkpoint({wrapper: sd}, model, strict=True)
    assert result.key == wrapper
    loaded = model.state_dict()
    assert set(loaded) == set(sd)
    assert torch.equal(loaded["body.22.rdb3.conv5.weight"], sd["body.22.rdb3.conv5.weight"])


def test_params_ema_preferred_over_params() -> None:
    tiny = {"num_feat": 4, "num_block": 1, "num_grow_ch": 2}
    a = RRDBNet(**tiny, generator=torch.Generator().manual_seed(1)).state_dict()
    b = RRDBNet(**tiny, generator=torch.Generator().manual_seed(2)).state_dict()
    model = RRDBNet(**tiny)
    load_checkpoint({"params": a, "params_ema": b}, model)
    assert torch.equal(model.conv_first.weight, b["conv_first.weight"])
    assert not torch.equal(a["conv_first.weight"], b["conv_first.weight"])


def test_wrong_shape_fails_strict_load() -> None:
    sd = {k: torch.zeros(s) for k, s in official_rrdbnet_shapes(4, nb=2).items()}
    with pytest.raises(RuntimeError):
        load_checkpoint({"params_ema": sd}, RRDBNet(num_block=3))


def test_pixel_unshuffle_matches_torch(gen) -> None:
    x = torch.randn(2, 3, 8, 12, generator=gen)
    for f in (1, 2, 4):
        assert torch.equal(pixel_unshuffle(x, f), torch.nn.functional.pixel_unshuffle(x, f))


@pytest.mark.parametrize("scale", [1, 2, 4])
@pytest.mark.parametrize(("h", "w"), [(16, 16), (13, 7), (5, 9)])
def test_output_size_is_input_times_scale(scale: int, h: int, w: int, gen) -> None:
    model = RRDBNet(scale=scale, num_feat=8, num_block=1, num_grow_ch=4).eval()
    with torch.no_grad():
        out = model(torch.rand(1, 3, h, w, generator=gen))
    assert out.shape == (1, 3, h * scale, w * scale)
    assert torch.isfinite(out).all()


def test_odd_size_equals_reflect_padded_then_cropped(gen) -> None:
    model = RRDBNet(scale=1, num_feat=8, num_block=1, num_grow_ch=4).eval()
    x = torch.rand(1, 3, 13, 10, generator=gen)
    padded = torch.nn.functional.pad(x, (0, 2, 0, 3), mode="reflect")  # to 16 x 12, multiples of 4
    with torch.no_grad():
        out = model(x)
        ref = model(padded)[..., :13, :10]
    assert out.shape == (1, 3, 13, 10)
    assert torch.allclose(out, ref, atol=1e-6)


def test_tiny_forward_backward(gen) -> None:
    model = RRDBNet(scale=4, num_feat=8, num_block=2, num_grow_ch=4)
    x = torch.rand(2, 3, 12, 12, generator=gen)
    loss = (model(x) - torch.rand(2, 3, 48, 48, generator=gen)).abs().mean()
    loss.backward()
    grads = [p.grad for p in model.parameters()]
    assert all(g is not None and torch.isfinite(g).all() for g in grads)
    assert model.conv_first.weight.grad.abs().sum() > 0


def test_invalid_scale() -> None:
    with pytest.raises(ValueError, match="scale"):
        RRDBNet(scale=3)
