"""PairDataset / ClipPairDataset: determinism across workers and ranks, order of operations, clips, errors."""

from __future__ import annotations

import subprocess
import sys
from functools import partial

import cv2
import numpy as np
import pytest
import torch
from torch.utils.data import DataLoader
from torch.utils.data.distributed import DistributedSampler

from filmdegrade import TRANSFORMS, FilmPipeline
from filmdegrade.torch import ClipPairDataset, PairDataset, collate_clips
from tests.filmdegrade.contract import test_image as make_image
from tests.filmdegrade.integrations.conftest import write_video
from tests.filmdegrade.integrations.helpers import FlickerSpeck


def _images(n: int = 8, shape: tuple[int, ...] = (28, 30, 3)) -> list[np.ndarray]:
    return [make_image(shape, np.uint8, seed=k) for k in range(n)]


def _pipe(p: float = 1.0) -> FilmPipeline:
    return FilmPipeline([FlickerSpeck(p=p)], seed=3)


def _epochs(ds, n_epochs: int = 2, **loader_kw) -> list[list[dict]]:
    loader = DataLoader(ds, batch_size=3, shuffle=False, **loader_kw)
    out = []
    for e in range(n_epochs):
        ds.set_epoch(e)
        out.append([{k: v.clone() for k, v in b.items()} for b in loader])
    return out


def _same(a: list[list[dict]], b: list[list[dict]]) -> bool:
    return all(
        torch.equal(x[k], y[k])
        for ea, eb in zip(a, b, strict=True)
        for x, y in zip(ea, eb, strict=True)
        for k in x
    )


def test_sample_layout_and_dtypes():
    ds = PairDataset(_images(), _pipe(), gt_size=16, scale=2)
    s = ds[1]
    assert set(s) == {"lq", "gt", "masks", "index"} and s["index"] == 1
    assert s["gt"].shape == (3, 16, 16) and s["lq"].shape == (3, 8, 8) and s["masks"].shape == (1, 8, 8)
    assert all(s[k].dtype == torch.float32 and s[k].is_contiguous() for k in ("lq", "gt", "masks"))
    assert ds.mask_names == ("speck",)
    assert 0 <= float(s["lq"].min()) and float(s["lq"].max()) <= 1


@pytest.mark.filterwarnings("ignore:.pin_memory.:UserWarning")
def test_dataloader_batches_identical_across_workers_and_persistence():
    ds = PairDataset(_images(), _pipe(), gt_size=16, scale=2, use_rot=True, seed=11)
    ref = _epochs(ds, num_workers=0)
    assert _same(ref, _epochs(ds, num_workers=2))
    assert _same(ref, _epochs(ds, num_workers=2, persistent_workers=True))
    assert _same(ref, _epochs(ds, num_workers=1, persistent_workers=True, pin_memory=True))
    # epochs differ from each other (degradation and crop), and seeds matter
    assert not torch.equal(ref[0][0]["lq"], ref[1][0]["lq"])
    assert not torch.equal(ref[0][0]["gt"], ref[1][0]["gt"])
    other = _epochs(PairDataset(_images(), _pipe(), gt_size=16, scale=2, use_rot=True, seed=12), 1)
    assert not torch.equal(ref[0][0]["lq"], other[0][0]["lq"])


def test_ddp_ranks_draw_the_same_samples_as_a_single_process():
    ds = PairDataset(_images(10), _pipe(), gt_size=16, scale=2, seed=5)
    for epoch in (0, 1):
        ds.set_epoch(epoch)
        seen: dict[int, torch.Tensor] = {}
        for rank in (0, 1):
            sampler = DistributedSampler(ds, num_replicas=2, rank=rank, shuffle=True, seed=9)
            sampler.set_epoch(epoch)
            for b in DataLoader(ds, batch_size=2, sampler=sampler, num_workers=rank):  # 0 and 1 workers
                for i, lq in zip(b["index"].tolist(), b["lq"], strict=True):
                    seen[i] = lq
        assert sorted(seen) == list(range(10))
        for i, lq in seen.items():
            assert torch.equal(lq, ds[i]["lq"]), (epoch, i)


def test_order_of_operations_gt_is_clean_crop_and_lq_is_area_downscale():
    imgs = _images(4, (32, 36, 3))
    ds = PairDataset(imgs, _pipe(p=0.0), gt_size=16, scale=2, use_flip=True, use_rot=True, seed=1)
    for i in range(4):
        s = ds[i]
        gt = s["gt"].permute(1, 2, 0).numpy()
        src = imgs[i].astype(np.float32) / 255
        # the GT is a crop of the clean source under one of the 8 flips/rotations
        views = [np.rot90(v, k) for v in (src, src[:, ::-1]) for k in range(4)]
        found = any(
            np.allclose(v[t : t + 16, l : l + 16], gt, atol=1e-6)
            for v in views
            for t in range(v.shape[0] - 15)
            for l in range(v.shape[1] - 15)
        )
        assert found, i
        # identity pipeline: LQ is exactly the INTER_AREA downscale of the GT
        expect = cv2.resize(gt, (8, 8), interpolation=cv2.INTER_AREA)
        assert np.allclose(s["lq"].permute(1, 2, 0).numpy(), expect, atol=1e-6)


def test_degradation_happens_at_gt_resolution_before_downscaling():
    ds = PairDataset(_images(2), _pipe(), gt_size=16, scale=2, use_flip=False, seed=4)
    s = ds[0]
    gt = s["gt"].permute(1, 2, 0).numpy()[None]
    sample = ds._pipe_for(30).sample(gt, index=0, epoch=0, seed=4)
    expect = cv2.resize(sample.image[0], (8, 8), interpolation=cv2.INTER_AREA)
    assert np.array_equal(s["lq"].permute(1, 2, 0).numpy(), expect)
    assert np.array_equal(
        s["masks"][0].numpy(), cv2.resize(sample.masks["speck"][0], (8, 8), interpolation=cv2.INTER_AREA)
    )
    # physical scale: the crop is degraded as part of the 30-pixel-wide scan
    assert ds._pipe_for(30).medium.scan_width_px == 30


def test_image_folder_8_and_16_bit_end_to_end(image_dir):
    ds = PairDataset(image_dir, _pipe(), gt_size=16, scale=1)
    assert len(ds) == 7
    batch = next(iter(DataLoader(ds, batch_size=7)))
    assert batch["gt"].shape == (7, 3, 16, 16)


def test_clip_is_temporally_coherent():
    """Clip-level gain shared by all frames (fitted per frame), per-frame offsets differ, as in the record."""
    clips = [make_image((6, 40, 40, 3), np.float32, seed=k) * 0.6 + 0.2 for k in range(2)]
    ds = ClipPairDataset([c.astype(np.float32) for c in clips], _pipe(), clip_len=6, gt_size=32, seed=2)
    s = ds[1]
    lq, gt, masks = (s[k].numpy() for k in ("lq", "gt", "masks"))
    assert lq.shape == (6, 3, 32, 32) and masks.shape == (6, 1, 32, 32)
    slopes, intercepts = [], []
    for t in range(6):
        ok = (masks[t, 0] == 0) & (lq[t] > 0.01).all(0) & (lq[t] < 0.99).all(0)
        a, b = np.polyfit(gt[t][:, ok].ravel(), lq[t][:, ok].ravel(), 1)
        slopes.append(a)
        intercepts.append(b)
    rec = ds.pipeline.sample(np.moveaxis(gt, 1, -1), index=1, epoch=0, seed=2).record
    params = rec.params_of("itest_flicker_speck")[0]
    gain = params["gain"]
    assert np.allclose(slopes, gain, atol=1e-3), (slopes, gain)
    offsets = np.asarray(params["offsets"]["__ndarray__"])
    assert np.allclose(intercepts, offsets + 0.05, atol=1e-3)
    assert np.ptp(intercepts) > 1e-3  # per-frame values really vary


def test_video_source_end_to_end(tmp_path):
    write_video(tmp_path / "clip.mp4", n=32)
    ds = ClipPairDataset(tmp_path, _pipe(), clip_len=4, stride=4, gt_size=32, scale=2, seed=0)
    assert len(ds) == 8
    ref = _epochs(ds, 1)
    assert _same(ref, _epochs(ds, 1, num_workers=2))
    b = ref[0][0]
    assert b["lq"].shape == (3, 4, 3, 16, 16) and b["gt"].shape == (3, 4, 3, 32, 32)
    # window 5 holds frames 20..23: the clean GT keeps the frame levels 7k (flips do not change them)
    gt5 = ds[5]["gt"].numpy() * 255
    assert np.allclose(np.median(gt5.reshape(4, -1), axis=1), 7 * np.arange(20, 24) + 10, atol=6)
    frames = PairDataset(tmp_path / "clip.mp4", _pipe(), gt_size=16)
    assert len(frames) == 32 and frames[31]["gt"].shape == (3, 16, 16)


@pytest.mark.filterwarnings("ignore:.pin_memory.:UserWarning")
def test_collate_clips_layouts_and_pin_memory():
    clips = [make_image((5, 24, 24, 3), np.uint8, seed=k) for k in range(3)]
    ds = ClipPairDataset(clips, _pipe(), clip_len=2, stride=1, gt_size=16, scale=2)
    assert len(ds) == 12
    loader = DataLoader(ds, batch_size=4, collate_fn=partial(collate_clips, layout="BCTHW"), pin_memory=True)
    b = next(iter(loader))
    assert (
        b["lq"].shape == (4, 3, 2, 8, 8)
        and b["gt"].shape == (4, 3, 2, 16, 16)
        and b["masks"].shape[:3] == (4, 1, 2)
    )
    assert torch.equal(b["lq"][1].transpose(0, 1), ds[1]["lq"])
    with pytest.raises(ValueError, match="layout"):
        collate_clips([ds[0]], layout="TBCHW")


def test_bad_file_raise_names_it_and_skip_is_deterministic(image_dir):
    (image_dir / "zz_broken.png").write_bytes(b"\x89PNG\r\n\x1a\n truncated")
    ds = PairDataset(image_dir, _pipe(), gt_size=16)
    bad = next(i for i in range(len(ds)) if ds.source.name(i).endswith("zz_broken.png"))
    with pytest.raises(ValueError, match=r"zz_broken\.png"):
        ds[bad]
    skip = PairDataset(image_dir, _pipe(), gt_size=16, on_error="skip")
    with pytest.warns(RuntimeWarning, match=r"zz_broken\.png"):
        a = skip[bad]
    with warnings_as_errors():  # warned once per file: a second read is silent
        b = skip[bad]
    assert torch.equal(a["gt"], b["gt"]) and a["index"] == bad
    good = {i: skip[i]["gt"] for i in range(len(skip)) if i != bad}
    assert any(a["gt"].shape == g.shape for g in good.values())


def test_too_small_images_and_bad_arguments():
    with pytest.raises(ValueError, match="smaller than gt_size"):
        PairDataset(_images(2), _pipe(), gt_size=64)[0]
    with pytest.raises(ValueError, match="multiple of scale"):
        PairDataset(_images(2), _pipe(), gt_size=15, scale=2)
    with pytest.raises(ValueError, match="on_error"):
        PairDataset(_images(2), _pipe(), on_error="ignore")
    with pytest.raises(TypeError, match="pipeline"):
        PairDataset(_images(2), "super8")
    with pytest.raises(ValueError, match="empty"):
        PairDataset([], _pipe())
    with pytest.raises(ValueError, match="clip_len=8"):
        ClipPairDataset([np.zeros((4, 8, 8, 3), np.uint8)], _pipe(), clip_len=8)
    with pytest.raises(IndexError):
        PairDataset(_images(2), _pipe())[2]


@pytest.mark.parametrize("name", sorted(n for n in TRANSFORMS if not n.startswith(("itest_", "toy_"))))
def test_real_effects_through_the_dataset(name):
    ds = PairDataset(_images(2, (40, 40, 3)), FilmPipeline([TRANSFORMS[name]()]), gt_size=32, scale=2)
    s = ds[0]
    assert s["lq"].shape == (3, 16, 16) and torch.isfinite(s["lq"]).all()
    assert torch.equal(s["lq"], ds[0]["lq"])


def test_importing_filmdegrade_does_not_import_torch_or_albumentations():
    code = (
        "import sys, filmdegrade, filmdegrade.integrations; "
        "print([m for m in ('torch', 'albumentations', 'av') if m in sys.modules])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


class warnings_as_errors:
    def __enter__(self):
        import warnings

        self._cm = warnings.catch_warnings()
        self._cm.__enter__()
        warnings.simplefilter("error")

    def __exit__(self, *exc):
        return self._cm.__exit__(*exc)


def test_bw_pipeline_gt_is_the_bw_rendition():
    from filmdegrade.effects.sensitivity import SpectralSensitivity

    pipe = FilmPipeline([SpectralSensitivity("panchromatic"), FlickerSpeck()], seed=3)
    ds = PairDataset(_images(2), pipe, gt_size=16, scale=2, seed=1)
    s = ds[0]
    gt = np.asarray(s["gt"])
    assert np.abs(gt - gt[:1]).max() < 1e-6  # C×H×W: all channels equal
    plain = PairDataset(_images(2), _pipe(), gt_size=16, scale=2, seed=1)[0]["gt"]
    assert np.abs(np.asarray(plain) - np.asarray(plain)[:1]).max() > 0.05  # the crop itself is in colour
