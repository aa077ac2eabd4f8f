"""Temporal consistency module: flow estimator, masks, fusion modes, propagation and gradients."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")

from filmrestore_models.archs.temporal import FlowEstimator, TemporalConsistencyModule  # noqa: E402

NF = 8


def small_module(**kwargs) -> TemporalConsistencyModule:
    opts = {
        "flow_hidden": 8,
        "flow_levels": 2,
        "mask_hidden": 4,
        "generator": torch.Generator().manual_seed(0),
    }
    opts.update(kwargs)
    return TemporalConsistencyModule(NF, **opts)


@pytest.mark.parametrize("bidirectional", [True, False])
def test_learned_fusion_is_identity_at_init(bidirectional: bool, gen) -> None:
    feats = torch.randn(2, 4, NF, 9, 11, generator=gen)
    out = small_module(bidirectional=bidirectional)(feats)
    assert out.shape == feats.shape
    assert torch.equal(out, feats)


def test_single_frame_passes_through(gen) -> None:
    feats = torch.randn(1, 1, NF, 6, 6, generator=gen)
    assert torch.equal(small_module()(feats), feats)


def test_fixed_blend_is_0p7_0p3_with_full_confidence(gen) -> None:
    module = small_module(fusion="fixed", fixed_weight=0.3, bidirectional=False, refine_external_flow=False)
    with torch.no_grad():  # force the learned confidence to ~1
        module.mask["fwd"].net[2].bias.fill_(40.0)
        module.mask["fwd"].net[2].weight.zero_()
    feats = torch.randn(1, 2, NF, 8, 8, generator=gen)
    zero_flow = torch.zeros(1, 1, 2, 8, 8)
    out = module(feats, flow_to_prev=zero_flow)
    expected = 0.7 * feats[:, 1] + 0.3 * feats[:, 0]
    assert torch.allclose(out[:, 1], expected, atol=1e-6)
    assert torch.equal(out[:, 0], feats[:, 0])


def test_fixed_blend_is_not_identity(gen) -> None:
    feats = torch.randn(1, 3, NF, 8, 8, generator=gen)
    out = small_module(fusion="fixed")(feats)
    assert not torch.allclose(out, feats)


def test_gradients_reach_flow_estimator(gen) -> None:
    module = small_module(bidirectional=True)
    with torch.no_grad():  # leave the identity initialisation, as after a few training steps
        for fuse in [*module.fuse.values(), module.merge]:
            fuse.conv2.weight.normal_(0.0, 0.1, generator=gen)
    feats = torch.randn(1, 3, NF, 12, 12, generator=gen, requires_grad=True)
    module(feats).square().mean().backward()
    for name, p in module.flow.named_parameters():
        assert p.grad is not None, name
        assert torch.isfinite(p.grad).all(), name
        assert p.grad.abs().sum() > 0, name
    for p in module.mask.parameters():
        assert p.grad is not None and p.grad.abs().sum() > 0


def test_flow_estimator_uses_external_initial_flow(gen) -> None:
    est = FlowEstimator(NF, hidden=8, num_levels=2, generator=gen)
    ref = torch.randn(1, NF, 10, 10, generator=gen)
    init = torch.full((1, 2, 10, 10), 2.5)
    flow = est(ref, ref, init)
    assert flow.shape == (1, 2, 10, 10)
    # the refinement starts near zero, so the result stays close to the initial flow
    assert (flow - init).abs().max() < 0.5
    assert (est(ref, ref) - 0).abs().max() < 0.5


def test_external_flow_is_used_and_resized(gen) -> None:
    module = small_module(refine_external_flow=False)
    feats = torch.randn(1, 3, NF, 8, 8, generator=gen)
    to_prev = torch.full((1, 2, 2, 16, 16), 2.0)  # given at 2x the feature resolution
    to_next = torch.full((1, 2, 2, 16, 16), -2.0)
    _, flows = module(feats, to_prev, to_next, return_flows=True)
    assert torch.allclose(flows["to_prev"], torch.full((1, 2, 2, 8, 8), 1.0))
    assert torch.allclose(flows["to_next"], torch.full((1, 2, 2, 8, 8), -1.0))


def test_bidirectional_computes_both_flows(gen) -> None:
    feats = torch.randn(1, 5, NF, 8, 8, generator=gen)
    _, flows = small_module(bidirectional=True)(feats, return_flows=True)
    assert set(flows) == {"to_prev", "to_next"}
    assert flows["to_prev"].shape == (1, 4, 2, 8, 8)
    _, flows = small_module(bidirectional=False)(feats, return_flows=True)
    assert set(flows) == {"to_prev"}


def test_forward_propagation_is_causal(gen) -> None:
    module = small_module(bidirectional=False)
    with torch.no_grad():
        module.fuse["fwd"].conv2.weight.normal_(0.0, 0.1, generator=gen)
    feats = torch.randn(1, 4, NF, 8, 8, generator=gen)
    changed = feats.clone()
    changed[:, 3] += 1.0
    a, b = module(feats), module(changed)
    assert torch.equal(a[:, :3], b[:, :3])  # future frames do not affect the past
    assert not torch.allclose(a[:, 3], b[:, 3])
    later = feats.clone()
    later[:, 0] += 1.0
    assert not torch.allclose(module(later)[:, 3], a[:, 3])  # the past reaches the last frame


def test_invalid_options() -> None:
    with pytest.raises(ValueError, match="fusion"):
        small_module(fusion="average")
    with pytest.raises(ValueError, match="fixed_weight"):
        small_module(fusion="fixed", fixed_weight=1.5)
