"""UNetDiscriminatorSN: official count, key names and output shape."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")

from filmrestore_models.archs.discriminator import UNetDiscriminatorSN  # noqa: E402
from filmrestore_models.checkpoint import load_checkpoint  # noqa: E402
from filmrestore_models.factory import count_parameters  # noqa: E402


def official_discriminator_shapes(nf: int = 64) -> dict[str, tuple[int, ...]]:
    """Key → shape of the official UNetDiscriminatorSN (spectral norm: weight_orig/weight_u/weight_v)."""
    shapes: dict[str, tuple[int, ...]] = {"conv0.weight": (nf, 3, 3, 3), "conv0.bias": (nf,)}
    sn = {
        1: (nf * 2, nf, 4), 2: (nf * 4, nf * 2, 4), 3: (nf * 8, nf * 4, 4), 4: (nf * 4, nf * 8, 3),
        5: (nf * 2, nf * 4, 3), 6: (nf, nf * 2, 3), 7: (nf, nf, 3), 8: (nf, nf, 3),
    }  # fmt: skip
    for i, (cout, cin, k) in sn.items():
        shapes[f"conv{i}.weight_orig"] = (cout, cin, k, k)
        shapes[f"conv{i}.weight_u"] = (cout,)
        shapes[f"conv{i}.weight_v"] = (cin * k * k,)
    shapes["conv9.weight"] = (1, nf, 3, 3)
    shapes["conv9.bias"] = (1,)
    return shapes


def test_parameter_count() -> None:
    with torch.device("meta"):
        model = UNetDiscriminatorSN()
    assert count_parameters(model) == 4_376_897


def test_official_keys_load_strictly() -> None:
    gen = torch.Generator().manual_seed(0)
    sd = {k: torch.randn(s, generator=gen) for k, s in official_discriminator_shapes().items()}
    model = UNetDiscriminatorSN()
    load_checkpoint({"params": sd}, model, strict=True)
    assert torch.equal(model.conv3.weight_orig, sd["conv3.weight_orig"])


def test_output_is_full_resolution_map(gen) -> None:
    model = UNetDiscriminatorSN(num_feat=8)
    x = torch.rand(2, 3, 32, 24, generator=gen)
    out = model(x)
    assert out.shape == (2, 1, 32, 24)
    out.mean().backward()
    assert model.conv1.weight_orig.grad.abs().sum() > 0


def test_initialisation_is_deterministic() -> None:
    a = UNetDiscriminatorSN(num_feat=8, generator=torch.Generator().manual_seed(3)).state_dict()
    b = UNetDiscriminatorSN(num_feat=8, generator=torch.Generator().manual_seed(3)).state_dict()
    c = UNetDiscriminatorSN(num_feat=8, generator=torch.Generator().manual_seed(4)).state_dict()
    assert all(torch.equal(a[k], b[k]) for k in a)
    assert not torch.equal(a["conv1.weight_u"], c["conv1.weight_u"])
