"""albumentations adapter: the generic checks albumentations applies to its own transforms, for every adapter
class (FilmDegrade and one per registered effect), plus seeding, clips, masks, workers and AlbumentationsX."""

from __future__ import annotations

import functools
import multiprocessing
import pickle
import re

import albumentations as A
import numpy as np
import pytest
import torch
from torch.utils.data import DataLoader, Dataset

import filmdegrade.integrations.albumentations as fa
from filmdegrade import FilmPipeline
from filmdegrade.albumentations import FilmDegrade, sample_seed
from tests.filmdegrade.contract import test_image as make_image
from tests.filmdegrade.integrations.helpers import FlickerSpeck

fa.register_effect_adapters()  # adapters for effects registered after the module was imported (the test one)

SIZE = (48, 64)


def _film_degrade(**kw):
    return FilmDegrade(pipeline=FilmPipeline([FlickerSpeck()], seed=1), **kw)


FACTORIES = {"FilmDegrade": _film_degrade}
for _effect, _cls_name in sorted(fa.effect_adapter_names().items()):
    if not _effect.startswith("toy_"):
        FACTORIES[_cls_name] = getattr(fa, _cls_name)
# Spectral sensitivity leaves a colour stock (the default medium's) unchanged by design: test it on B&W.
FACTORIES["FilmSensitivity"] = functools.partial(fa.FilmSensitivity, medium={"stock": "bw_print_nitrate"})


@pytest.fixture(params=sorted(FACTORIES))
def make(request):
    """Factory of one adapter class: ``make(p=1.0)``."""
    factory = FACTORIES[request.param]

    def build(**kw):
        kw.setdefault("p", 1.0)
        return factory(**kw)

    try:
        build()
    except (TypeError, ValueError) as e:  # an effect without defaults for every argument
        pytest.skip(f"{request.param} cannot be built with defaults: {e}")
    return build


def _pipe_of(t) -> FilmPipeline:
    return t.film_pipeline


def _supports(t, x) -> bool:
    """Whether the underlying pipeline accepts ``x`` (grey and odd channels may be refused by an effect)."""
    try:
        _pipe_of(t)(x)
    except ValueError:
        return False
    return True


def _is_random(t) -> bool:
    """Whether the effect depends on the seed at all (a codec round trip, for one, does not)."""
    x = make_image((*SIZE, 3), np.uint8)
    return not np.array_equal(_pipe_of(t).sample(x, seed=1).image, _pipe_of(t).sample(x, seed=2).image)


def _reported_keys(t) -> set[str]:
    """Our params plus the attributes albumentations itself copies into every transform's params."""
    return {"shape", "film_seed"} | {k for k in ("interpolation", "fill", "fill_mask") if hasattr(t, k)}


def _run(t, seed=137, **data):
    return A.Compose([t], seed=seed, strict=True)(**data)


# --- A2 checks ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", [np.uint8, np.float32])
def test_mask_persists_and_dtype_kept(make, dtype):
    img = make_image((*SIZE, 3), dtype)
    mask = (make_image(SIZE, np.uint8, seed=3) > 128).astype(np.uint8)
    out = _run(make(), image=img, mask=mask.copy())
    assert out["image"].dtype == dtype and out["image"].shape == img.shape
    assert out["mask"].dtype == mask.dtype and np.array_equal(out["mask"], mask)


@pytest.mark.parametrize("dtype", [np.uint8, np.float32])
def test_input_not_modified(make, dtype):
    img = make_image((*SIZE, 3), dtype)
    ref = img.copy()
    _run(make(), image=img)
    assert np.array_equal(img, ref)
    img.setflags(write=False)  # read-only input works too
    _run(make(), image=img)


@pytest.mark.parametrize("shape", [SIZE, (*SIZE, 1), (*SIZE, 3)])
def test_grey_and_rgb_shapes(make, shape):
    t = make()
    img = make_image(shape, np.uint8)
    if not _supports(t, img):
        with pytest.raises(ValueError, match=type(t).__name__):
            _run(t, image=img)
        return
    assert _run(t, image=img)["image"].shape == shape


@pytest.mark.parametrize("channels", [2, 5, 6])
def test_multichannel_rejected_clearly(make, channels):
    img = np.zeros((*SIZE, channels), np.uint8) + 100
    with pytest.raises(ValueError, match=rf"{make().__class__.__name__}.*1 or 3 channels"):
        _run(make(), image=img)


def test_uint8_matches_float32(make):
    u = make_image((*SIZE, 3), np.uint8)
    f = u.astype(np.float32) / 255
    ou = _run(make(), image=u)["image"].astype(np.float32) / 255
    of = _run(make(), image=f)["image"]
    assert np.abs(ou - of).mean() < 0.01


def test_serialization_round_trip(make):
    t = make()
    again = A.from_dict(A.to_dict(t))
    assert type(again) is type(t) and A.to_dict(again) == A.to_dict(t)
    img = make_image((*SIZE, 3), np.uint8)
    assert np.array_equal(_run(t, image=img)["image"], _run(again, image=img)["image"])


@pytest.mark.parametrize("fmt", ["json", "yaml"])
def test_save_and_load(make, fmt, tmp_path):
    aug = A.Compose([A.HorizontalFlip(p=0.5), make()])
    path = tmp_path / f"aug.{fmt}"
    A.save(aug, str(path), data_format=fmt)
    loaded = A.load(str(path), data_format=fmt)
    assert A.to_dict(loaded) == A.to_dict(aug)
    img = make_image((*SIZE, 3), np.uint8)
    aug.set_random_seed(5)
    loaded.set_random_seed(5)
    assert np.array_equal(aug(image=img)["image"], loaded(image=img)["image"])


def test_additional_image_target_gets_the_same_result(make):
    img = make_image((*SIZE, 3), np.uint8)
    aug = A.Compose([make()], additional_targets={"image2": "image"}, seed=3)
    out = aug(image=img, image2=img.copy())
    assert np.array_equal(out["image"], out["image2"])


@pytest.mark.parametrize("as_list", [False, True])
def test_images_target_is_degraded_as_one_clip(make, as_list):
    clip = make_image((4, *SIZE, 3), np.uint8)
    aug = A.Compose([make()], seed=9, save_applied_params=True)
    out = aug(images=list(clip) if as_list else clip)
    frames = np.stack(out["images"])
    assert frames.shape == clip.shape and frames.dtype == clip.dtype
    if not as_list:
        assert isinstance(out["images"], np.ndarray) and out["images"].flags.c_contiguous
    # exactly the pipeline's clip semantics with the reported sub-seed (not one parameter set per frame)
    film_seed = out["applied_transforms"][0][1]["film_seed"]
    assert np.array_equal(frames, _pipe_of(aug.transforms[0]).sample(clip, seed=film_seed).image)
    again = A.Compose([make()], seed=9)(images=clip)["images"]
    assert np.array_equal(again, frames)


def test_contiguous_output_for_non_contiguous_input(make):
    img = np.ascontiguousarray(make_image((SIZE[1], SIZE[0], 3), np.uint8).transpose(1, 0, 2))
    view = make_image((SIZE[1], SIZE[0], 3), np.uint8).transpose(1, 0, 2)
    assert not view.flags.c_contiguous
    out = _run(make(), image=view)["image"]
    assert out.flags.c_contiguous
    assert np.array_equal(out, _run(make(), image=img)["image"])


def _apply_in_child(args):
    t, img, seed = args
    t.set_random_seed(seed)
    return t(image=img)["image"]


def test_pickles_and_runs_in_a_multiprocessing_pool(make):
    t = make()
    img = make_image((*SIZE, 3), np.uint8)
    again = pickle.loads(pickle.dumps(t))
    assert A.to_dict(again) == A.to_dict(t)
    with multiprocessing.get_context("fork").Pool(2) as pool:
        outs = pool.map(_apply_in_child, [(t, img, 1), (t, img, 2)])
    assert np.array_equal(outs[0], _apply_in_child((t, img, 1)))
    assert np.array_equal(outs[0], outs[1]) != _is_random(t)


@pytest.mark.parametrize("dtype", [np.uint8, np.float32])
def test_output_differs_from_input_with_p_1(make, dtype):
    img = make_image((*SIZE, 3), dtype)
    out = _run(make(p=1.0), image=img)["image"]
    assert not np.array_equal(out, img)
    assert out.any()
    assert np.array_equal(_run(make(p=0.0), image=img)["image"], img)


def test_targets_docstring_section_matches(make):
    t = make()
    m = re.search(r"Targets:\s*\n\s*(.+)", type(t).__doc__ or "")
    assert m, "no Targets: section"
    assert {s.strip() for s in m.group(1).split(",")} == set(t.targets)


def test_applied_params_reported_and_replayed(make):
    img = make_image((*SIZE, 3), np.uint8)
    t = make()
    out = A.Compose([t], seed=4, save_applied_params=True)(image=img)
    ((name, params),) = out["applied_transforms"]
    assert name == type(t).__name__ and set(params) == _reported_keys(t)
    assert t.get_applied_params()["film_seed"] == params["film_seed"]
    assert np.array_equal(out["image"], _pipe_of(t).sample(img, seed=params["film_seed"]).image)
    rc = A.ReplayCompose([A.HorizontalFlip(p=1.0), make()])
    res = rc(image=img)
    assert set(res["replay"]["transforms"][1]["params"]) == _reported_keys(t)
    assert np.array_equal(A.ReplayCompose.replay(res["replay"], image=img)["image"], res["image"])


def test_strict_mode_rejects_unknown_arguments(make):
    t = make()
    cls = type(t)
    kw = {} if cls is not FilmDegrade else {"pipeline": FilmPipeline([FlickerSpeck()])}
    with pytest.raises(ValueError, match="not_an_argument"):
        cls(**kw, not_an_argument=1, strict=True)
    with pytest.warns(UserWarning, match="not_an_argument"):
        loose = cls(**kw, not_an_argument=1)
    with pytest.raises(ValueError, match="not_an_argument"):
        A.Compose([loose], strict=True)


def test_compose_seed_reproducible(make):
    img = make_image((*SIZE, 3), np.uint8)
    a = A.Compose([make()], seed=137)
    b = A.Compose([make()], seed=137)
    outs_a = [a(image=img)["image"] for _ in range(2)]
    assert all(np.array_equal(x, b(image=img)["image"]) for x in outs_a)
    if _is_random(a.transforms[0]):
        assert not np.array_equal(outs_a[0], outs_a[1])  # successive calls draw new parameters
        assert not np.array_equal(outs_a[0], A.Compose([make()], seed=138)(image=img)["image"])


# --- adapter-specific behaviour ---------------------------------------------------------------------------
def test_two_film_transforms_in_one_compose_draw_different_parameters():
    img = make_image((*SIZE, 3), np.float32)
    a, b = fa.FilmItestFlickerSpeck(strength=0.05, p=1), fa.FilmItestFlickerSpeck(strength=0.06, p=1)
    aug = A.Compose([a, b, _film_degrade()], seed=137, save_applied_params=True)
    seeds = [p["film_seed"] for _, p in aug(image=img)["applied_transforms"]]
    assert len(set(seeds)) == 3
    # albumentations itself hands the same seed to both children; the raw draws are equal
    assert a.random_generator.integers(1000) == b.random_generator.integers(1000)


def test_clip_parameters_shared_and_frames_vary_through_images_target():
    clip = (make_image((5, *SIZE, 3), np.float32, seed=2) * 0.6 + 0.2).astype(np.float32)
    t = fa.FilmItestFlickerSpeck(strength=0.05, density=0.0, p=1)
    out = A.Compose([t], seed=1)(images=clip)["images"]
    fits = [np.polyfit(clip[k].ravel(), out[k].ravel(), 1) for k in range(5)]
    slopes, intercepts = np.array(fits).T
    assert np.ptp(slopes) < 1e-3  # clip-level gain
    assert np.ptp(intercepts) > 1e-3  # per-frame offsets: albumentations' default would repeat frame 0


def test_defect_mask_target_follows_flips():
    img = make_image((*SIZE, 3), np.uint8)
    film = fa.FilmItestFlickerSpeck(density=0.02, p=1)
    base = A.Compose([film], seed=6, save_applied_params=True)
    res = base(image=img, defect_mask=np.zeros(SIZE, np.float32))
    s = film.film_pipeline.sample(img, seed=res["applied_transforms"][0][1]["film_seed"])
    assert np.array_equal(res["defect_mask"], s.masks["speck"]) and res["defect_mask"].any()
    flipped = A.Compose([film, A.HorizontalFlip(p=1)], seed=6, additional_targets={"defect_mask": "mask"})
    r2 = flipped(image=img, defect_mask=np.zeros(SIZE, np.float32))
    assert np.array_equal(r2["defect_mask"], s.masks["speck"][:, ::-1])
    specks = r2["defect_mask"] > 0  # aligned with the white specks of the flipped image
    assert (r2["image"][specks] == 255).all()
    # per-kind channels and accumulation of an incoming mask
    prior = np.zeros((*SIZE, 1), np.float32)
    prior[0, 0] = 0.5
    r3 = base(image=img, defect_mask=prior)
    assert r3["defect_mask"].shape == (*SIZE, 1) and r3["defect_mask"][0, 0, 0] >= 0.5
    with pytest.raises(ValueError, match="defect_mask must have shape"):
        base(image=img, defect_mask=np.zeros((4, 4), np.float32))


def test_defect_mask_for_clips():
    clip = make_image((3, *SIZE, 3), np.uint8)
    aug = A.Compose(
        [fa.FilmItestFlickerSpeck(density=0.02, p=1)], additional_targets={"defect_mask": "masks"}
    )
    out = aug(images=clip, defect_mask=np.zeros((3, *SIZE), np.float32))
    assert out["defect_mask"].shape == (3, *SIZE) and out["defect_mask"].any()
    assert not np.array_equal(out["defect_mask"][0], out["defect_mask"][1])


class _AugDataset(Dataset):
    def __init__(self, aug, reseed: bool):
        self.aug, self.reseed = aug, reseed
        self.img = make_image((16, 16, 3), np.uint8)

    def __len__(self):
        return 8

    def __getitem__(self, i):
        if self.reseed:
            self.aug.set_random_seed(sample_seed(0, 0, i))
        return torch.from_numpy(self.aug(image=self.img)["image"])


def _collect(ds, workers, seed=0):
    g = torch.Generator().manual_seed(seed)
    return torch.cat(list(DataLoader(ds, batch_size=1, num_workers=workers, generator=g)))


def test_forked_workers_draw_different_parameters_reproducibly():
    ours = _AugDataset(A.Compose([fa.FilmItestFlickerSpeck(p=1)], seed=5), reseed=False)
    run = _collect(ours, 2)
    # samples 0 and 1 are the first call in worker 0 and worker 1: different, thanks to the worker mixing
    assert not torch.equal(run[0], run[1])
    assert torch.equal(run, _collect(ours, 2))  # reproducible for a fixed torch seed
    assert not torch.equal(run, _collect(ours, 2, seed=1))  # and follows it
    # the pitfall it fixes: a plain albumentations transform repeats itself in every worker
    plain = _collect(_AugDataset(A.Compose([A.GaussNoise(p=1)], seed=5), reseed=False), 2)
    assert torch.equal(plain[0], plain[1])


def test_per_sample_reseeding_recipe_is_independent_of_workers():
    ds = _AugDataset(A.Compose([fa.FilmItestFlickerSpeck(p=1), A.GaussNoise(p=1)], seed=5), reseed=True)
    ref = _collect(ds, 0)
    assert torch.equal(ref, _collect(ds, 2)) and not torch.equal(ref[0], ref[1])


def test_albumentationsx_is_refused():
    versions = {"albumentationsx": "2.5.1", "albumentations": None}
    with pytest.raises(ImportError, match=r"AlbumentationsX 2\.5\.1.*AGPL"):
        fa.check_albumentations(versions.get)
    with pytest.raises(ImportError, match=r"pip install 'filmdegrade\[albumentations\]'"):
        fa.check_albumentations({}.get)
    with pytest.warns(RuntimeWarning, match="2.1.0"):
        fa.check_albumentations({"albumentations": "2.1.0"}.get)
    assert fa.check_albumentations({"albumentations": "2.0.8"}.get) == "2.0.8"


def test_film_degrade_arguments():
    with pytest.raises(ValueError, match="exactly one"):
        FilmDegrade()
    with pytest.raises(TypeError, match="pipeline must be"):
        FilmDegrade(pipeline="grain")
    d = FilmPipeline([FlickerSpeck()]).to_dict()
    assert FilmDegrade(pipeline=d).pipeline == d


def test_new_effects_get_an_adapter_class_at_module_level():
    from filmdegrade.effects.base import TRANSFORMS

    fa.register_effect_adapters()  # effects defined by other test modules after the adapter's import
    names = fa.effect_adapter_names()
    assert set(names) == set(TRANSFORMS)
    for effect, cls_name in names.items():
        cls = getattr(fa, cls_name)
        assert cls.__module__ == fa.__name__ and cls.__qualname__ == cls_name and cls.effect_name == effect
        assert cls_name == "Film" + "".join(w.capitalize() for w in effect.split("_"))


def test_clean_target_is_the_films_rendition():
    from skimage import data

    img = data.astronaut()[::4, ::4]
    bw = FilmDegrade(preset="silent_bw").clean_target(img)
    assert bw.dtype == img.dtype and bw.shape == img.shape
    assert np.abs(bw.astype(int) - bw[..., :1].astype(int)).max() == 0  # no colour on a B&W film
    colour = FilmDegrade(preset="super8").clean_target(img)
    np.testing.assert_array_equal(colour, img)
    assert colour is not img
