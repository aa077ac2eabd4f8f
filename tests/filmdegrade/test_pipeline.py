import hashlib
import json
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from filmdegrade import FilmPipeline, Medium, OneOf, Record, SomeOf
from tests.filmdegrade.toy import ToyNoise

SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def arrays(draw):
    kind = draw(st.sampled_from(["grey2d", "image", "clip"]))
    h, w = draw(st.integers(2, 12)), draw(st.integers(2, 12))
    c = draw(st.sampled_from([1, 3]))
    shape = {"grey2d": (h, w), "image": (h, w, c), "clip": (draw(st.integers(1, 5)), h, w, c)}[kind]
    dtype = draw(st.sampled_from([np.uint8, np.float16, np.float32, np.float64]))
    seed = draw(st.integers(0, 2**32 - 1))
    x = np.random.default_rng(seed).random(shape)
    return (x * 255).round().astype(np.uint8) if dtype == np.uint8 else x.astype(dtype)


def make_pipe(seed=0):
    return FilmPipeline(
        [
            ToyNoise(0.05),
            OneOf([ToyNoise(0.1), ToyNoise(0.2, p=0.5)], p=0.7),
            SomeOf([ToyNoise(), ToyNoise()], n=1),
        ],
        seed=seed,
    )


@SETTINGS
@given(x=arrays(), seed=st.integers(0, 2**40), index=st.integers(0, 10**6))
def test_contract_properties(x, seed, index):
    pipe = make_pipe(seed)
    before = x.copy()
    s = pipe.sample(x, index=index)
    assert np.array_equal(x, before)
    assert s.image.shape == x.shape and s.image.dtype == x.dtype
    out = s.image.astype(np.float64)
    assert np.isfinite(out).all()
    if x.dtype != np.uint8:
        assert out.min() >= 0 and out.max() <= 1
    assert set(s.masks) == {"toy"}
    assert s.masks["toy"].shape == (x.shape[:3] if x.ndim == 4 else x.shape[:2])
    # same seed → same output; replay exact; serialisation round trip → same output
    assert np.array_equal(pipe(x, index=index), s.image)
    assert np.array_equal(pipe.replay(x, Record.from_json(s.record.to_json())).image, s.image)
    assert np.array_equal(FilmPipeline.from_yaml(pipe.to_yaml())(x, index=index), s.image)


@SETTINGS
@given(seed=st.integers(0, 2**40), t=st.integers(1, 6), extra=st.integers(1, 4))
def test_longer_clip_starts_with_the_same_frames(seed, t, extra):
    x = np.random.default_rng(seed % 1000).random((t + extra, 6, 5, 3)).astype(np.float32)
    pipe = make_pipe(seed)
    assert np.array_equal(pipe(x, index=2)[:t], pipe(np.ascontiguousarray(x[:t]), index=2))


def test_different_seeds_epochs_indices_differ():
    x = np.full((16, 16, 3), 0.5, np.float32)
    pipe = make_pipe(0)
    ref = pipe(x, index=0)
    assert not np.array_equal(ref, pipe(x, index=1))
    assert not np.array_equal(ref, pipe(x, index=0, epoch=1))
    assert not np.array_equal(ref, pipe(x, index=0, seed=1))
    assert not np.array_equal(ref, make_pipe(1)(x, index=0))


_CHILD = """
import hashlib, sys
import numpy as np
sys.path.insert(0, {root!r})
from tests.filmdegrade.test_pipeline import make_pipe
x = np.random.default_rng(1).random((3, 9, 11, 3)).astype(np.float32)
print(hashlib.sha256(make_pipe(123)(x, index=77).tobytes()).hexdigest())
"""


def test_same_seed_same_output_in_a_separate_process():
    import pathlib

    root = str(pathlib.Path(__file__).resolve().parents[2])
    x = np.random.default_rng(1).random((3, 9, 11, 3)).astype(np.float32)
    here = hashlib.sha256(make_pipe(123)(x, index=77).tobytes()).hexdigest()
    out = subprocess.run(
        [sys.executable, "-c", _CHILD.format(root=root)], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == here


def test_inserting_a_transform_keeps_the_others_draws():
    x = np.full((2, 8, 8, 3), 0.5, np.float32)
    a = FilmPipeline([ToyNoise(0.1)], seed=4).sample(x)
    b = FilmPipeline([OneOf([ToyNoise(0.3)]), ToyNoise(0.1)], seed=4).sample(x)
    pa = a.record.params_of("toy_noise")[0]
    pb = next(e for e in b.record.entries if e["path"] == "1")["params"]
    assert pa == pb


def test_probability_is_honoured():
    x = np.full((4, 4, 3), 0.5, np.float32)
    pipe = FilmPipeline([ToyNoise(p=0.3)], seed=0)
    n = 2000
    applied = sum(bool(pipe.sample(x, index=i).record.entries) for i in range(n))
    # binomial(2000, 0.3): sd ≈ 20.5; 4.5 sd bound
    assert abs(applied - 0.3 * n) < 4.5 * np.sqrt(n * 0.3 * 0.7)
    assert not FilmPipeline([ToyNoise(p=0.0)]).sample(x).record.entries


def test_one_of_weights_are_honoured():
    x = np.full((4, 4, 3), 0.5, np.float32)
    pipe = FilmPipeline([OneOf([ToyNoise(0.1), ToyNoise(0.2)], weights=[1, 3])], seed=0)
    n = 2000
    paths = [pipe.sample(x, index=i).record.entries[0]["path"] for i in range(n)]
    share = paths.count("0.1") / n
    assert abs(share - 0.75) < 4.5 * np.sqrt(0.75 * 0.25 / n)
    assert set(paths) == {"0.0", "0.1"}


def test_some_of_picks_the_configured_number():
    x = np.full((4, 4, 3), 0.5, np.float32)
    pipe = FilmPipeline([SomeOf([ToyNoise(), ToyNoise(), ToyNoise(), ToyNoise()], n=(1, 3))], seed=0)
    counts = np.array([len(pipe.sample(x, index=i).record.entries) for i in range(1500)])
    assert counts.min() == 1 and counts.max() == 3
    for k in (1, 2, 3):  # uniform over {1, 2, 3}
        assert abs((counts == k).mean() - 1 / 3) < 4.5 * np.sqrt(2 / 9 / 1500)
    # chosen children run in their listed order, each at most once
    for i in range(50):
        paths = [e["path"] for e in pipe.sample(x, index=i).record.entries]
        assert paths == sorted(set(paths))


def test_replay_rejects_mismatched_records():
    x = np.full((8, 8, 3), 0.5, np.float32)
    s = make_pipe().sample(x)
    with pytest.raises(ValueError, match="shape"):
        make_pipe().replay(np.full((9, 8, 3), 0.5, np.float32), s.record)
    other = FilmPipeline([ToyNoise()])
    bad = s.record.to_dict()
    bad["entries"] = [dict(e, path="5") for e in bad["entries"]]
    with pytest.raises(ValueError, match="position"):
        other.replay(x, bad)


@SETTINGS
@given(x=arrays(), seed=st.integers(0, 2**40), index=st.integers(0, 1000))
def test_plan_draws_the_same_parameters_without_applying(x, seed, index):
    pipe = make_pipe(seed)
    planned = pipe.plan(x, index=index)
    s = pipe.sample(x, index=index)
    assert planned.to_dict() == s.record.to_dict()
    assert np.array_equal(pipe.replay(x, planned).image, s.image)


def test_record_is_json():
    s = make_pipe().sample(np.full((2, 8, 8, 3), 0.5, np.float32), index=3)
    d = json.loads(s.record.to_json())
    assert d["index"] == 3 and d["shape"] == [2, 8, 8, 3]
    assert all({"path", "name", "params"} <= set(e) for e in d["entries"])


# --- bad input ------------------------------------------------------------------------------------------
def test_bad_pipeline_definitions_name_the_problem():
    with pytest.raises(TypeError, match="transforms"):
        FilmPipeline(ToyNoise())
    with pytest.raises(TypeError, match=r"transforms\[1\]"):
        FilmPipeline([ToyNoise(), "grain"])
    with pytest.raises(ValueError, match="unknown transform 'no_such_effect'"):
        FilmPipeline.from_dict({"transforms": [{"name": "no_such_effect"}]})
    with pytest.raises(ValueError, match=r"unknown parameter.*bogus"):
        FilmPipeline.from_dict({"transforms": [{"name": "toy_noise", "bogus": 1}]})
    with pytest.raises(ValueError, match="strength"):
        ToyNoise(strength=3.0)
    with pytest.raises(ValueError, match="strength"):
        FilmPipeline.from_dict({"transforms": [{"name": "toy_noise", "strength": -1}]})
    with pytest.raises(ValueError, match="p must"):
        ToyNoise(p=1.5)
    with pytest.raises(ValueError, match="unknown pipeline field"):
        FilmPipeline.from_dict({"transforms": [], "colour": 1})
    with pytest.raises(ValueError, match="unknown stock"):
        FilmPipeline([], medium={"gauge": "super8", "stock": "velvia_5000"})
    with pytest.raises(ValueError, match="unknown gauge"):
        Medium(gauge="9.5mm")
    with pytest.raises(ValueError, match=r"one_of\.weights"):
        OneOf([ToyNoise()], weights=[1, 2])
    with pytest.raises(ValueError, match=r"some_of\.n"):
        SomeOf([ToyNoise()], n=3)


def test_malformed_yaml():
    with pytest.raises(ValueError, match="malformed pipeline YAML"):
        FilmPipeline.from_yaml("transforms: [ {name: toy_noise\n")
    with pytest.raises(ValueError, match="mapping"):
        FilmPipeline.from_yaml("- just\n- a list\n")
    with pytest.raises(FileNotFoundError):
        FilmPipeline.from_yaml("missing.yaml")


def test_unknown_preset():
    with pytest.raises(ValueError, match="unknown preset 'nope'"):
        FilmPipeline.from_preset("nope")


def test_yaml_file_round_trip(tmp_path):
    pipe = make_pipe(9)
    path = tmp_path / "p.yaml"
    pipe.to_yaml(path)
    assert FilmPipeline.from_yaml(path) == pipe
    assert FilmPipeline.from_yaml(str(path)) == pipe
    assert not [p for p in tmp_path.iterdir() if p.name != "p.yaml"]  # no temporary left behind


def test_bad_call_arguments():
    pipe = make_pipe()
    with pytest.raises(ValueError, match="index"):
        pipe(np.zeros((4, 4, 3), np.uint8), index=-1)
    with pytest.raises(TypeError, match="image"):
        pipe([[0]])


def test_clean_target_applies_the_rendition_steps_with_the_samples_draws():
    # A B&W film's training target is the scene in B&W: clean_target applies only the steps that render
    # the medium (here a spectral response with p=0.5), exactly when sample() applied them.
    from filmdegrade.effects.sensitivity import SpectralSensitivity

    rng = np.random.default_rng(0)
    x = (rng.random((24, 32, 3)) * 255).astype(np.uint8)
    x_before = x.copy()
    pipe = FilmPipeline([ToyNoise(), SpectralSensitivity("orthochromatic", p=0.5)], seed=2)
    ortho = FilmPipeline([SpectralSensitivity("orthochromatic")])(x)
    seen = set()
    for index in range(12):
        applied = any(e["name"] == "sensitivity" for e in pipe.sample(x, index=index).record.entries)
        seen.add(applied)
        gt = pipe.clean_target(x, index=index)
        assert gt.dtype == x.dtype and gt.shape == x.shape
        np.testing.assert_array_equal(gt, ortho if applied else x)
    assert seen == {True, False}
    np.testing.assert_array_equal(x, x_before)
    assert pipe.has_rendition and not FilmPipeline([ToyNoise()]).has_rendition
    plain = FilmPipeline([ToyNoise()]).clean_target(x)
    np.testing.assert_array_equal(plain, x)
    assert plain is not x


@pytest.mark.parametrize("preset", __import__("filmdegrade").list_presets())
def test_steps_computed_in_place_equal_the_pure_chain(preset: str) -> None:
    # The pipeline runs a step in place on clips it owns (Transform.apply_in_place). Along every preset, with
    # the parameters it draws, each step's in-place result and masks equal its pure apply exactly, and the
    # pipeline's output equals the chain of pure applies.
    from filmdegrade.effects.base import decode_params
    from tests.filmdegrade.contract import test_image

    pipe = FilmPipeline.from_preset(preset, seed=3)
    x = test_image((3, 48, 64, 3), np.float32)
    frames = x.copy()
    for entry in pipe.plan(x, index=2).entries:
        node = pipe._node_at(entry["path"])
        params = decode_params(node.params_type, entry["params"])
        ref, ref_masks = node.apply(frames, params)
        got, got_masks = node.apply_in_place(frames.copy(), params)
        assert np.array_equal(got, ref), node.name
        assert got_masks.keys() == ref_masks.keys() and all(
            np.array_equal(got_masks[k], ref_masks[k]) for k in ref_masks
        ), node.name
        frames = ref if node.output_in_range else np.clip(ref, 0.0, 1.0)
    assert np.array_equal(pipe(x, index=2), frames)
    # uint8 input: the pipeline owns its converted clip from the first step on
    xu = np.rint(x * 255).astype(np.uint8)
    assert np.array_equal(pipe(xu, index=2), pipe.replay(xu, pipe.plan(xu, index=2)).image)
