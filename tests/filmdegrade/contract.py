"""Shared contract checks that every Transform must pass (used by each effect's tests).

Usage in an effect's test module::

    from tests.filmdegrade.contract import check_transform_contract
    def test_contract():
        check_transform_contract(Grain(), Medium(gauge="super8"))
"""

from __future__ import annotations

import numpy as np

from filmdegrade import FilmPipeline, Medium
from filmdegrade.effects.base import Transform


def test_image(shape: tuple[int, ...], dtype: type = np.uint8, seed: int = 0) -> np.ndarray:
    """A smooth, textured test image or clip (gradients plus a few edges) in the given dtype."""
    rng = np.random.default_rng(seed)
    *lead, h, w, c = shape if len(shape) >= 3 else (*shape, 1)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    base = 0.5 + 0.3 * np.sin(xx / max(w, 1) * 6.0) * np.cos(yy / max(h, 1) * 4.0)
    base[h // 4 : h // 2, w // 4 : w // 2] = 0.85
    img = np.stack([base * (0.8 + 0.2 * k / max(c - 1, 1)) for k in range(c)], axis=-1)
    img = img + rng.normal(0, 0.01, img.shape)
    img = np.broadcast_to(img, (*lead, h, w, c)) if lead else img
    img = np.clip(img, 0, 1)
    if len(shape) == 2:
        img = img[..., 0]
    if dtype == np.uint8:
        return np.rint(img * 255).astype(np.uint8)
    return img.astype(dtype)


def check_transform_contract(
    transform: Transform,
    medium: Medium | None = None,
    *,
    size: tuple[int, int] = (48, 64),
    grey: bool = True,
    clip_len: int = 4,
    check_prefix: bool = True,
    uint8_float_atol: float = 0.01,
    must_change: bool = True,
) -> None:
    """Assert the array, determinism, replay and serialisation contract for ``transform``.

    Parameters
    ----------
    grey : bool
        Also check single-channel input (set False for colour-only transforms, which must then raise a
        clear ``ValueError`` on grey input — checked here too).
    check_prefix : bool
        A longer clip with the same seed starts with the same frames.
    uint8_float_atol : float
        Bound on the mean absolute difference between the float32 result and the uint8 result / 255.
    must_change : bool
        With p = 1 the output differs from the input.
    """
    medium = medium or Medium()
    pipe = FilmPipeline([transform], seed=11, medium=medium)
    h, w = size
    # apply_in_place, which the pipeline calls on clips it owns, gives apply's values and masks exactly
    from filmdegrade.effects.base import decode_params as _decode

    for channels in (3, 1) if grey else (3,):
        x = test_image((clip_len, h, w, channels), np.float32)
        entries = pipe.sample(x, index=5).record.entries
        if not entries:
            continue
        params = _decode(transform.params_type, entries[0]["params"])
        ref, ref_masks = transform.apply(x, params)
        got, got_masks = transform.apply_in_place(x.copy(), params)
        assert got.dtype == np.float32 and np.array_equal(got, ref), f"{transform.name}: in place differs"
        assert got_masks.keys() == ref_masks.keys(), transform.name
        for k in ref_masks:
            assert np.array_equal(got_masks[k], ref_masks[k]), f"{transform.name}: in-place mask {k} differs"
    shapes = [(h, w, 3), (clip_len, h, w, 3)]
    if grey:
        shapes += [(h, w), (h, w, 1), (clip_len, h, w, 1)]
    for shape in shapes:
        for dtype in (np.uint8, np.float32, np.float64):
            x = test_image(shape, dtype)
            x_copy = x.copy()
            x.setflags(write=False)
            s = pipe.sample(x, index=3)
            assert np.array_equal(x, x_copy), f"{transform.name}: input modified"
            assert s.image.shape == x.shape and s.image.dtype == x.dtype, (transform.name, shape, dtype)
            assert np.isfinite(s.image.astype(np.float64)).all()
            if dtype != np.uint8:
                assert s.image.min() >= 0 and s.image.max() <= 1
            for k, m in s.masks.items():
                assert m.dtype == np.float32 and m.shape == x.shape[: (3 if len(shape) == 4 else 2)], (
                    k,
                    m.shape,
                )
                assert m.min() >= 0 and m.max() <= 1, k
            # determinism and replay
            assert np.array_equal(pipe.sample(x, index=3).image, s.image), (
                f"{transform.name}: not deterministic"
            )
            r = pipe.replay(x, s.record.to_dict())
            assert np.array_equal(r.image, s.image), f"{transform.name}: replay differs"
            for k in s.masks:
                assert np.array_equal(r.masks[k], s.masks[k]), f"{transform.name}: replayed mask {k} differs"
            # a record survives JSON
            from filmdegrade.pipeline import Record

            r2 = pipe.replay(x, Record.from_json(s.record.to_json()))
            assert np.array_equal(r2.image, s.image), f"{transform.name}: JSON replay differs"
            if transform.output_in_range and s.record.entries:
                # the pipeline only clips after transforms that declare they may leave [0, 1]
                from filmdegrade.effects.base import decode_params

                frames = x.astype(np.float32) / (255 if dtype == np.uint8 else 1)
                frames = frames.reshape((-1, *frames.shape[-3:]) if frames.ndim >= 3 and shape[-1] in (1, 3)
                                        and len(shape) != 2 else (1, *frames.shape, 1))
                raw, _ = transform.apply(
                    np.ascontiguousarray(frames, np.float32),
                    decode_params(transform.params_type, s.record.entries[0]["params"]),
                )
                assert raw.min() >= -1e-4 and raw.max() <= 1 + 1e-4, (
                    f"{transform.name}: output leaves [0, 1] ({raw.min()}, {raw.max()}) "
                    "but output_in_range is True"
                )
            if must_change and dtype == np.float32:
                assert not np.array_equal(s.image, x), f"{transform.name}: output equals input with p=1"
        # uint8 ≈ float32
        xu = test_image(shape, np.uint8)
        xf = xu.astype(np.float32) / 255
        ou = pipe(xu, index=1).astype(np.float32) / 255
        of = pipe(xf, index=1)
        diff = float(np.abs(ou - of).mean())
        assert diff < uint8_float_atol, f"{transform.name}: uint8 vs float32 mean diff {diff:.4f} on {shape}"
    if not grey:
        import pytest

        with pytest.raises(ValueError):
            pipe(test_image((h, w), np.uint8))
    # serialisation round trip → identical output
    x = test_image((clip_len, h, w, 3), np.float32)
    again = FilmPipeline.from_yaml(pipe.to_yaml())
    assert again == pipe
    assert np.array_equal(again(x, index=2), pipe(x, index=2)), f"{transform.name}: YAML round trip differs"
    # different seeds → different output (for transforms that are random at all)
    if must_change:
        a = FilmPipeline([transform], seed=1, medium=medium)(x, index=0)
        b = FilmPipeline([transform], seed=2, medium=medium)(x, index=0)
        assert not np.array_equal(a, b), f"{transform.name}: seed has no effect"
    if check_prefix:
        long = test_image((clip_len + 2, h, w, 3), np.float32)
        short = np.ascontiguousarray(long[:clip_len])
        a = pipe.sample(long, index=4)
        b = pipe.sample(short, index=4)
        assert np.array_equal(a.image[:clip_len], b.image), (
            f"{transform.name}: longer clip changes early frames"
        )
