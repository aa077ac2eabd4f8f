import numpy as np
import pytest

from filmdegrade.random import as_generator, check_seed, frame_rngs, transform_rng


def test_stream_depends_on_every_coordinate():
    base = transform_rng(1, 0, 0, "grain#0", "grain").random(4)
    assert np.array_equal(base, transform_rng(1, 0, 0, "grain#0", "grain").random(4))
    for args in [
        (2, 0, 0, "grain#0", "grain"),
        (1, 1, 0, "grain#0", "grain"),
        (1, 0, 1, "grain#0", "grain"),
        (1, 0, 0, "grain#1", "grain"),
        (1, 0, 0, "grain#0", "dust"),
    ]:
        assert not np.array_equal(base, transform_rng(*args).random(4)), args


def test_frame_streams_do_not_depend_on_clip_length():
    short = [r.random(3) for r in frame_rngs(np.random.default_rng(5), 3)]
    long = [r.random(3) for r in frame_rngs(np.random.default_rng(5), 8)]
    for a, b in zip(short, long, strict=False):
        assert np.array_equal(a, b)
    # exactly one draw is taken from the parent stream whatever the length
    r1, r2 = np.random.default_rng(9), np.random.default_rng(9)
    frame_rngs(r1, 2)
    frame_rngs(r2, 50)
    assert r1.random() == r2.random()


@pytest.mark.parametrize("bad", [-1, 1.5, "3", True, None])
def test_bad_seeds(bad):
    with pytest.raises((TypeError, ValueError), match="seed"):
        check_seed(bad)


def test_as_generator():
    g = np.random.default_rng(0)
    assert as_generator(g) is g
    assert as_generator(3).random() == np.random.default_rng(3).random()
    with pytest.raises(TypeError, match="rng"):
        as_generator("x")
