"""Tests of spectral sensitivity: contract, kernel accuracy, ortho- vs panchromatic, and the preset."""

from __future__ import annotations

import json

import numpy as np
import pytest

from filmdegrade import FilmPipeline, Medium
from filmdegrade.colour import linear_to_srgb, srgb_to_linear
from filmdegrade.effects import SpectralSensitivity, get_transform_class
from filmdegrade.effects.base import ClipContext
from filmdegrade.effects.sensitivity import (
    SensitivityParams,
    list_responses,
    render_monochrome,
    response_weights,
)
from tests.filmdegrade.contract import check_transform_contract
from tests.filmdegrade.contract import test_image as make_image  # alias: not collected as a test

PAN, ORTHO = response_weights("panchromatic"), response_weights("orthochromatic")
RED = np.array([[[1.0, 0.0, 0.0]]], np.float32)
BLUE = np.array([[[0.0, 0.0, 1.0]]], np.float32)


def _ctx(stock: str, channels: int = 3) -> ClipContext:
    return ClipContext(n_frames=2, height=8, width=8, channels=channels, medium=Medium(stock=stock))


def _render(x: np.ndarray, response: str) -> np.ndarray:
    """Apply the transform with an explicit response to a ``H×W×C`` image."""
    t = SpectralSensitivity(response)
    out, masks = t.apply(x[None], t.sample_params(np.random.default_rng(0), _ctx("kodachrome_25")))
    assert masks == {}
    return out[0]


# --- contract ---------------------------------------------------------------------------------------------
def test_contract_stock_response() -> None:
    # Deterministic: nothing random, and grey input passes unchanged, so must_change is off (change on
    # colour input is tested below).
    check_transform_contract(SpectralSensitivity(), Medium(stock="bw_print_nitrate"), must_change=False)


def test_contract_panchromatic_on_colour_stock() -> None:
    check_transform_contract(SpectralSensitivity("panchromatic"), Medium(gauge="super8"), must_change=False)


def test_contract_identity_on_colour_stock() -> None:
    check_transform_contract(SpectralSensitivity(), Medium(gauge="16mm"), must_change=False)


def test_registered_and_serialised() -> None:
    assert get_transform_class("sensitivity") is SpectralSensitivity
    t = SpectralSensitivity("orthochromatic", p=0.5)
    assert t.to_dict() == {"name": "sensitivity", "response": "orthochromatic", "p": 0.5}
    pipe = FilmPipeline([t], seed=3)
    assert FilmPipeline.from_yaml(pipe.to_yaml()) == pipe


def test_colour_input_changes_and_input_is_not_modified() -> None:
    x = make_image((2, 24, 32, 3), np.float32)
    x.setflags(write=False)
    out = SpectralSensitivity().apply(x, SensitivityParams("panchromatic", PAN))[0]
    assert out.dtype == np.float32 and out.shape == x.shape
    assert not np.array_equal(out, x) and not np.shares_memory(out, x)


def test_draws_nothing_and_is_constant_over_the_clip() -> None:
    t = SpectralSensitivity()
    rng = np.random.default_rng(5)
    state = rng.bit_generator.state
    assert t.sample_params(rng, _ctx("tri_x_reversal")) == SensitivityParams("panchromatic", PAN)
    assert rng.bit_generator.state == state
    clip = np.ascontiguousarray(np.broadcast_to(make_image((24, 32, 3), np.float32), (3, 24, 32, 3)))
    out, _ = t.apply(clip, SensitivityParams("panchromatic", PAN))
    assert np.array_equal(out[0], out[1]) and np.array_equal(out[0], out[2])


# --- kernel -----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("response", ["panchromatic", "orthochromatic"])
def test_kernel_matches_linear_light_weighted_sum(response: str) -> None:
    w = response_weights(response)
    rng = np.random.default_rng(0)
    x = rng.random((40, 50, 3), dtype=np.float32)
    x[:4] = np.linspace(0.0, 0.06, 4 * 50 * 3, dtype=np.float32).reshape(4, 50, 3)  # both sRGB thresholds
    lin = srgb_to_linear(x) @ np.asarray(w, np.float32)
    ref = np.clip(linear_to_srgb(np.repeat(lin[..., None], 3, axis=-1)), 0, 1)
    out = render_monochrome(x, w)
    # documented: within 2e-7 of the float64 formula; colour.py is itself within ~1e-6 of it
    assert np.abs(out - ref).max() < 2e-6


@pytest.mark.parametrize("response", ["panchromatic", "orthochromatic"])
def test_all_channels_equal(response: str) -> None:
    out = _render(np.random.default_rng(1).random((16, 16, 3), dtype=np.float32), response)
    assert np.array_equal(out[..., 0], out[..., 1]) and np.array_equal(out[..., 0], out[..., 2])


@pytest.mark.parametrize("response", ["panchromatic", "orthochromatic"])
def test_grey_ramp_and_white_unchanged(response: str) -> None:
    g = np.linspace(0.0, 1.0, 4097, dtype=np.float32)
    ramp = np.repeat(g[None, :, None], 3, axis=-1)
    assert np.abs(_render(ramp, response) - ramp).max() <= 1e-5
    assert np.abs(_render(np.ones((2, 2, 3), np.float32), response) - 1.0).max() <= 1e-5


def test_orthochromatic_is_red_blind_and_sees_blue() -> None:
    red_o, red_p = _render(RED, "orthochromatic")[0, 0, 0], _render(RED, "panchromatic")[0, 0, 0]
    blue_o, blue_p = _render(BLUE, "orthochromatic")[0, 0, 0], _render(BLUE, "panchromatic")[0, 0, 0]
    assert red_o < 0.02 and red_o < red_p - 0.2  # red lips print black; panchromatic: mid grey (~0.5)
    assert blue_o > blue_p + 0.3  # blue sky prints light; panchromatic: dark (~0.3)


def test_single_channel_is_identity() -> None:
    x = np.random.default_rng(2).random((2, 8, 8, 1), dtype=np.float32)
    assert np.array_equal(render_monochrome(x, ORTHO), x)
    out, _ = SpectralSensitivity("orthochromatic").apply(x, SensitivityParams("orthochromatic", ORTHO))
    assert np.array_equal(out, x) and not np.shares_memory(out, x)


# --- stock response ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("stock", "response"),
    [("tri_x_reversal", "panchromatic"), ("eastman_double_x", "panchromatic"),
     ("plus_x_reversal", "panchromatic"), ("bw_print_nitrate", "orthochromatic")],
)
def test_stock_response_equals_named_response(stock: str, response: str) -> None:
    x = make_image((2, 24, 32, 3), np.float32)
    a = FilmPipeline([SpectralSensitivity()], medium=Medium(stock=stock))(x)
    b = FilmPipeline([SpectralSensitivity(response)], medium=Medium(stock=stock))(x)
    assert np.array_equal(a, b)
    assert SpectralSensitivity().sample_params(np.random.default_rng(0), _ctx(stock)).response == response


def test_stock_response_is_identity_on_colour_stock() -> None:
    x = make_image((2, 24, 32, 3), np.float32)
    s = FilmPipeline([SpectralSensitivity()], medium=Medium(stock="kodachrome_25")).sample(x)
    assert np.array_equal(s.image, x)
    assert s.record.params_of("sensitivity") == [{"response": "none", "weights": None}]


@pytest.mark.parametrize("bad", ["infrared", "Stock", "", 3, None])
def test_bad_response(bad: object) -> None:
    with pytest.raises(ValueError, match="response"):
        SpectralSensitivity(bad)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="response"):
        response_weights(bad)  # type: ignore[arg-type]


@pytest.mark.parametrize("bad", [(0.5, 0.5), (0.5, 0.6, 0.1), (-0.1, 0.6, 0.5), (np.nan, 0.5, 0.5)])
def test_bad_weights(bad: tuple[float, ...]) -> None:
    with pytest.raises(ValueError, match="weights"):
        render_monochrome(np.zeros((2, 2, 3), np.float32), bad)


def test_data_table() -> None:
    assert list_responses() == ["orthochromatic", "panchromatic"]
    assert PAN == (0.2126, 0.7152, 0.0722)
    for r in list_responses():
        w = response_weights(r)
        assert min(w) >= 0 and abs(sum(w) - 1) < 1e-12
    assert ORTHO[0] == 0.0 and ORTHO[2] > ORTHO[1] > 0


# --- the silent_bw preset ---------------------------------------------------------------------------------
def _chroma_stats(x: np.ndarray, bins: int = 32) -> tuple[float, float]:
    """(mean channel spread max - min, RMS chroma left after removing the mean chroma of each tone bin).

    The second number ignores a tone (a chroma that depends only on brightness, like the warm colloidal
    silver that the fading model adds to a B&W print) and measures colour that varies independently of it.
    """
    x = x.astype(np.float64) / (255.0 if x.dtype == np.uint8 else 1.0)
    tone = x.mean(-1).ravel()
    d = np.stack([x[..., 0] - x[..., 1], x[..., 1] - x[..., 2]], axis=-1).reshape(-1, 2)
    idx = np.minimum((tone * bins).astype(int), bins - 1)
    r = d.copy()
    for b in np.unique(idx):
        r[idx == b] -= d[idx == b].mean(axis=0)
    return float((x.max(-1) - x.min(-1)).mean()), float(np.sqrt((r**2).sum(-1).mean()))


def test_silent_bw_preset_removes_the_colour() -> None:
    import skimage.data

    img = skimage.data.astronaut()[::2, ::2]  # 256×256: enough pixels, a fraction of the time
    spread_in, resid_in = _chroma_stats(img)
    pipe = FilmPipeline.from_preset("silent_bw", seed=0)
    assert pipe.transforms[0].name == "sensitivity"
    for index in range(2):
        spread, resid = _chroma_stats(pipe(img, index=index))
        # Measured here (seed 0, indices 0-3; the full 512×512 image gives the same): input spread 0.195
        # and tone-free chroma 0.147; output spread 0.083-0.092 and tone-free chroma 0.0025-0.0046. The
        # spread left is the warm tone of the faded silver (a grey input gets 0.094-0.104 from the same
        # preset); without the sensitivity step the output kept spread 0.26-0.27 and chroma 0.14. The bounds
        # leave about 3x margin on the tone-free chroma and 1.3x on the spread.
        assert resid < 0.1 * resid_in and resid < 0.015, (index, resid, resid_in)
        assert spread < 0.6 * spread_in, (index, spread, spread_in)


def test_silent_bw_other_transforms_draw_the_same_params() -> None:
    # Stream ids are name#occurrence: inserting "sensitivity" first must not change any other draw. The
    # reference is the preset without its first transform, i.e. the chain as it was before the insertion.
    pipe = FilmPipeline.from_preset("silent_bw", seed=7)
    d = pipe.to_dict()
    assert d["transforms"][0] == {"name": "sensitivity", "response": "stock", "p": 1.0}
    d["transforms"] = d["transforms"][1:]
    before = FilmPipeline.from_dict(d)
    assert [n.name for n in before.transforms] == [
        "optics", "flicker", "grain", "fading", "scratches", "dust", "weave"
    ]
    x = np.zeros((3, 48, 64, 3), np.uint8)
    for index in range(3):
        new = pipe.plan(x, index=index).entries
        old = before.plan(x, index=index).entries
        assert new[0]["params"] == {"response": "orthochromatic", "weights": {"__tuple__": list(ORTHO)}}
        strip = [(e["name"], json.dumps(e["params"], sort_keys=True)) for e in new[1:]]
        assert strip == [(e["name"], json.dumps(e["params"], sort_keys=True)) for e in old]


def test_demo_film_input_is_the_stocks_rendition() -> None:
    from filmdegrade.demo import as_film_input

    img = make_image((24, 32, 3), np.uint8)
    pipe = FilmPipeline.from_preset("silent_bw")
    grey = as_film_input(img, pipe)
    expected = np.rint(render_monochrome(img.astype(np.float32) / 255, ORTHO) * 255).astype(np.uint8)
    assert grey.dtype == np.uint8 and np.array_equal(grey, expected)
    assert as_film_input(img, FilmPipeline.from_preset("super8")) is img


def test_render_monochrome_takes_uint8_as_0_255() -> None:
    from filmdegrade.effects.sensitivity import render_monochrome, response_weights

    w = response_weights("panchromatic")
    grey8 = np.full((2, 3, 3), 128, np.uint8)
    np.testing.assert_allclose(render_monochrome(grey8, w), 128 / 255, atol=1e-6)
    one8 = np.full((2, 3, 1), 200, np.uint8)
    out = render_monochrome(one8, w)
    assert out.dtype == np.float32
    np.testing.assert_allclose(out, 200 / 255, atol=1e-6)
