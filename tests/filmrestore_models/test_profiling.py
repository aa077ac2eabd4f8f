"""MAC counting with Conv2d hooks (on the meta device, nothing is computed)."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")

from filmrestore_models.factory import build_model  # noqa: E402
from filmrestore_models.profiling import count_conv_macs  # noqa: E402


@pytest.mark.parametrize(
    ("name", "size", "gmacs"),
    [("full", 64, 73.4), ({"name": "full", "scale": 2}, 64, 18.4), ({"name": "full", "scale": 1}, 64, 4.6),
     ("compact", 64, 2.54), ("discriminator", 256, 25.9)],
)  # fmt: skip
def test_macs_match_documented_costs(name, size: int, gmacs: float) -> None:
    with torch.device("meta"):
        model = build_model(name)
        macs = count_conv_macs(model, torch.empty(1, 3, size, size))
    assert macs / 1e9 == pytest.approx(gmacs, rel=0.01)


def test_macs_single_conv_formula() -> None:
    conv = torch.nn.Conv2d(4, 6, 3, padding=1)
    assert count_conv_macs(conv, torch.zeros(2, 4, 5, 7)) == 2 * 6 * 5 * 7 * 4 * 9
