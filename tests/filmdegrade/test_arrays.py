import numpy as np
import pytest

from filmdegrade.arrays import ArrayInfo, as_float_clip, check_array, restore_array


@pytest.mark.parametrize(
    ("x", "exc", "words"),
    [
        ([[0, 1], [1, 0]], TypeError, "numpy.ndarray"),
        (np.zeros((4, 4, 3), np.int32), TypeError, "dtype"),
        (np.zeros((4, 4, 3), bool), TypeError, "dtype"),
        (np.zeros(8, np.uint8), ValueError, "rank 1"),
        (np.zeros((1, 2, 4, 4, 3), np.uint8), ValueError, "rank 5"),
        (np.zeros((0, 4, 3), np.uint8), ValueError, "empty"),
        (np.zeros((4, 4, 4), np.uint8), ValueError, "channels"),
        (np.zeros((1, 8, 3), np.uint8), ValueError, "too small"),
        (np.full((4, 4, 3), np.nan, np.float32), ValueError, "NaN"),
        (np.full((4, 4, 3), np.inf, np.float64), ValueError, "NaN or inf"),
        (np.full((4, 4, 3), 1.5, np.float32), ValueError, "[0, 1]"),
        (np.full((4, 4, 3), -0.1, np.float16), ValueError, "[0, 1]"),
    ],
)
def test_bad_arrays_name_the_argument(x, exc, words):
    with pytest.raises(exc) as err:
        check_array(x, name="frame")
    assert "frame" in str(err.value) and words in str(err.value)


@pytest.mark.parametrize("shape", [(5, 7), (5, 7, 1), (5, 7, 3), (2, 5, 7, 3), (3, 5, 7, 1)])
@pytest.mark.parametrize("dtype", [np.uint8, np.float16, np.float32, np.float64])
def test_round_trip_keeps_shape_dtype_and_input(shape, dtype):
    rng = np.random.default_rng(0)
    x = rng.random(shape)
    x = (x * 255).round().astype(np.uint8) if dtype == np.uint8 else x.astype(dtype)
    before = x.copy()
    frames, info = as_float_clip(x)
    assert frames.dtype == np.float32 and frames.ndim == 4 and frames.flags.c_contiguous
    if dtype == np.float32:
        # zero-copy, but read-only: a transform that tried to write into its input would fail loudly
        assert np.shares_memory(frames, x) and not frames.flags.writeable
        with pytest.raises(ValueError, match="read-only"):
            frames[:] = 0.5
    else:
        assert not np.shares_memory(frames, x)
        frames[:] = 0.5  # writing the internal copy must not touch the input
    assert np.array_equal(x, before)
    frames, info = as_float_clip(x)
    back = restore_array(frames, info)
    assert back.shape == x.shape and back.dtype == x.dtype
    assert not np.shares_memory(back, x)
    if dtype == np.uint8:
        assert np.array_equal(back, x)
    else:
        assert np.allclose(back, x, atol=1e-3 if dtype == np.float16 else 1e-7)


@pytest.mark.parametrize("owned", [False, True])
@pytest.mark.parametrize("dtype", [np.uint8, np.float32, np.float64])
def test_restore_clips_and_rounds(owned, dtype):
    frames = np.array([1.7, -0.3, 0.5, 2 / 255, 127.5 / 255, 0.0], np.float32).reshape(1, 1, 6, 1)
    frames_before = frames.copy()
    info = ArrayInfo(dtype=np.dtype(dtype), shape=(1, 6), is_clip=False)
    out = restore_array(frames, info, owned=owned)
    assert out.dtype == dtype and out.shape == (1, 6)
    expected = np.clip(frames_before.reshape(1, 6), 0, 1)
    if dtype == np.uint8:
        expected = np.rint(expected * np.float32(255)).astype(np.uint8)
        assert np.array_equal(out, expected)
    else:
        assert np.allclose(out, expected)
    if not owned:
        assert np.array_equal(frames, frames_before)  # a non-owned buffer is never written
