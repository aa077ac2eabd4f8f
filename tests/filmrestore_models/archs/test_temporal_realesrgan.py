"""TemporalRealESRGAN: identity at initialisation, shapes, external flow, training step."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from filmrestore_models.archs.rrdbnet import RRDBNet  # noqa: E402
from filmrestore_models.archs.temporal_realesrgan import TemporalRealESRGAN  # noqa: E402
from filmrestore_models.dis_flow import dis_flows_torch  # noqa: E402

TINY = {"num_feat": 8, "num_block": 3, "num_grow_ch": 4}
TEMPORAL = {"flow_hidden": 8, "flow_levels": 2, "mask_hidden": 4}


def single_frame(scale: int = 4, seed: int = 7) -> RRDBNet:
    return RRDBNet(scale=scale, **TINY, generator=torch.Generator().manual_seed(seed)).eval()


def per_frame(model: RRDBNet, clip: torch.Tensor) -> torch.Tensor:
    """Single-frame output of every frame (frames batched like the temporal model batches them)."""
    b, t = clip.shape[:2]
    with torch.no_grad():
        out = model(clip.reshape(b * t, *clip.shape[2:]))
    return out.reshape(b, t, *out.shape[1:])


@pytest.mark.parametrize("scale", [4, 2, 1])
@pytest.mark.parametrize("k", [0, 1, 3])
def test_identity_at_init_reproduces_single_frame(scale: int, k: int, gen) -> None:
    single = single_frame(scale)
    model = TemporalRealESRGAN.from_single_frame(single, num_shallow_blocks=k, temporal=TEMPORAL).eval()
    clip = torch.rand(2, 3, 3, 12, 16, generator=gen)
    with torch.no_grad():
        out = model(clip)
    assert (out - per_frame(single, clip)).abs().max().item() < 1e-5


def test_identity_at_init_from_state_dict_with_external_flow(gen) -> None:
    single = single_frame()
    model = TemporalRealESRGAN.from_single_frame(single.state_dict(), temporal=TEMPORAL).eval()
    clip = torch.rand(1, 3, 3, 16, 16, generator=gen)
    to_prev, to_next = dis_flows_torch(clip, preset="ultrafast")
    with torch.no_grad():
        out = model(clip, to_prev, to_next)
    assert (out - per_frame(single, clip)).abs().max().item() < 1e-5


def test_trained_temporal_module_changes_output(gen) -> None:
    single = single_frame()
    model = TemporalRealESRGAN.from_single_frame(single, temporal=TEMPORAL).eval()
    with torch.no_grad():
        model.temporal.merge.conv2.weight.normal_(0.0, 0.1, generator=gen)
    clip = torch.rand(1, 3, 3, 12, 12, generator=gen)
    with torch.no_grad():
        assert (model(clip) - per_frame(single, clip)).abs().max().item() > 1e-3


@pytest.mark.parametrize("frames", [1, 3, 5])
@pytest.mark.parametrize("scale", [1, 2, 4])
def test_shapes_with_odd_sizes(frames: int, scale: int, gen) -> None:
    model = TemporalRealESRGAN(scale=scale, **TINY, num_shallow_blocks=1, temporal=TEMPORAL).eval()
    clip = torch.rand(1, frames, 3, 11, 9, generator=gen)
    with torch.no_grad():
        out = model(clip)
    assert out.shape == (1, frames, 3, 11 * scale, 9 * scale)
    assert torch.isfinite(out).all()


def test_forward_backward_tiny_clip(gen) -> None:
    model = TemporalRealESRGAN(scale=2, **TINY, num_shallow_blocks=1, temporal=TEMPORAL)
    clip = torch.rand(2, 3, 3, 16, 16, generator=gen)
    target = torch.rand(2, 3, 3, 32, 32, generator=gen)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, betas=(0.9, 0.99))
    losses = []
    for _ in range(3):
        opt.zero_grad()
        loss = (model(clip) - target).abs().mean()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    assert np.isfinite(losses).all()
    assert losses[-1] < losses[0]
    # after a step the zero-initialised fusion is no longer zero, so the flow estimator is in the graph
    model.zero_grad()
    (model(clip) - target).abs().mean().backward()
    assert model.temporal.flow.levels[0][0].weight.grad.abs().sum() > 0


def test_rejects_wrong_input_rank(gen) -> None:
    model = TemporalRealESRGAN(**TINY, num_shallow_blocks=1, temporal=TEMPORAL)
    with pytest.raises(ValueError, match="clip"):
        model(torch.rand(1, 3, 8, 8, generator=gen))


def test_from_single_frame_rejects_other_architectures() -> None:
    from filmrestore_models.archs.srvgg import SRVGGNetCompact

    with pytest.raises(ValueError, match="RRDBNet"):
        TemporalRealESRGAN.from_single_frame(SRVGGNetCompact(num_feat=4, num_conv=1))


def test_num_shallow_blocks_range() -> None:
    with pytest.raises(ValueError, match="num_shallow_blocks"):
        TemporalRealESRGAN(**TINY, num_shallow_blocks=4)
