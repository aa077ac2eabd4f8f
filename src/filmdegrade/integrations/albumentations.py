"""albumentations adapter: :class:`FilmDegrade` and one ``ImageOnlyTransform`` per registered effect.

Requires the MIT line ``albumentations>=2.0.8,<2.1`` (``pip install "filmdegrade[albumentations]"``).
AlbumentationsX (an AGPL fork installed under the same import name, with an incompatible custom-transform
API) is detected through :mod:`importlib.metadata` and refused.

>>> import albumentations as A                                                   # doctest: +SKIP
>>> from filmdegrade.albumentations import FilmDegrade, FilmGrain               # doctest: +SKIP
>>> aug = A.Compose([A.HorizontalFlip(), FilmDegrade(preset="super8")],        # doctest: +SKIP
...                 additional_targets={"defect_mask": "mask"}, seed=137)
>>> out = aug(image=img, defect_mask=np.zeros(img.shape[:2], np.float32))      # doctest: +SKIP

How randomness works
--------------------
Each call draws **one** sub-seed (``film_seed``) from the transform's ``random_generator`` and runs the
:class:`~filmdegrade.FilmPipeline` with ``seed=film_seed``; ``apply`` is a pure function of the image and
``film_seed``, so ``ReplayCompose`` and ``save_applied_params`` (which report ``{"film_seed", "shape"}``)
replay it exactly. The sub-seed is mixed with a hash of the transform's class and configuration, so two
*different* film transforms in one ``Compose(seed=S)`` (which gives every child the same seed) draw
different parameters. Two transforms with the same class *and* configuration still draw the same
numbers under one ``Compose(seed=S)``, as every albumentations transform does: put such repeats in one
:class:`FilmDegrade` pipeline instead.

Clips: the ``images`` (and ``volume``) target is degraded as one clip, with clip-level and per-frame
parameters as in :class:`~filmdegrade.FilmPipeline`, not one parameter set copied to every frame.

DataLoader workers
------------------
albumentations 2.0.8 does not reseed transforms in forked DataLoader workers: every worker inherits the
same generator state and would draw the same ``film_seed`` sequence. These transforms fix that for
themselves: on their first call in a torch worker they mix ``get_worker_info().seed`` into their
generator (and again whenever a new worker seed appears, i.e. each epoch with non-persistent workers).
Results are then reproducible for a fixed ``torch.manual_seed`` (or ``DataLoader(generator=...)``) and
``num_workers``, but change with ``num_workers``. For results that do not depend on workers at all,
reseed per sample (which also switches the worker mixing off)::

    def __getitem__(self, index):
        self.aug.set_random_seed(sample_seed(self.seed, self.epoch, index))
        return self.aug(image=self.images[index])

or use :class:`filmdegrade.torch.PairDataset`, which draws everything from ``(seed, epoch, index)``.
Plain albumentations transforms in the same ``Compose`` are not fixed by this; per-sample reseeding fixes
them too.

Defect masks
------------
Pass ``defect_mask`` (zeros of the image's ``H×W``, or ``H×W×K`` for one channel per mask name in
``transform.mask_names`` order) and declare ``additional_targets={"defect_mask": "mask"}`` so geometric
albumentations transforms move it with the image. It comes back as float32 in [0, 1]: the maximum of the
input and this transform's masks, so several film transforms accumulate into one mask. With the
``images`` target pass ``T×H×W`` and declare ``{"defect_mask": "masks"}``.
"""

from __future__ import annotations

import importlib.metadata
import inspect
import json
import sys
import warnings
import zlib
from collections.abc import Callable
from typing import Any

import numpy as np

from filmdegrade.effects.base import TRANSFORMS, Transform
from filmdegrade.media import Medium
from filmdegrade.pipeline import FilmPipeline, Sample

__all__ = [
    "FilmDegrade",
    "check_albumentations",
    "effect_adapter_names",
    "register_effect_adapters",
    "sample_seed",
]

_SUPPORTED = ((2, 0, 8), (2, 1, 0))
_MAX63 = 2**63 - 1


def _dist_version(name: str) -> str | None:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return None


def check_albumentations(version_of: Callable[[str], str | None] = _dist_version) -> str:
    """Check the installed albumentations distribution and return its version.

    Parameters
    ----------
    version_of : callable
        ``name -> version or None`` (default: :func:`importlib.metadata.version`).

    Raises
    ------
    ImportError
        AlbumentationsX is installed, or albumentations is missing.
    """
    x = version_of("albumentationsx")
    if x is not None:
        raise ImportError(
            f"AlbumentationsX {x} is installed. It replaces the 'albumentations' package under the same "
            "import name, is AGPL-3.0 licensed, and rejects the get_params hooks this adapter uses. "
            "filmdegrade's "
            "adapter supports the MIT line only: pip uninstall albumentationsx && "
            "pip install 'albumentations>=2.0.8,<2.1'"
        )
    v = version_of("albumentations")
    if v is None:
        raise ImportError(
            "filmdegrade.albumentations needs albumentations: pip install 'filmdegrade[albumentations]'"
        )
    parts = tuple(int(p) if p.isdigit() else 0 for p in ([*v.split("."), "0", "0"])[:3])
    if not _SUPPORTED[0] <= parts < _SUPPORTED[1]:
        warnings.warn(
            f"filmdegrade's albumentations adapter is tested with albumentations>=2.0.8,<2.1; found {v}",
            RuntimeWarning,
            stacklevel=2,
        )
    return v


check_albumentations()

from albumentations.core.transforms_interface import (  # noqa: E402  (after the distribution check)
    BaseTransformInitSchema,
    ImageOnlyTransform,
)
from pydantic import create_model  # noqa: E402  (albumentations depends on pydantic)


def sample_seed(seed: int, epoch: int, index: int) -> int:
    """A 63-bit seed from ``(seed, epoch, index)``, for per-sample ``Compose.set_random_seed`` reseeding."""
    ss = np.random.SeedSequence(int(seed), spawn_key=(int(epoch), int(index)))
    a, b = (int(v) for v in ss.generate_state(2, np.uint32))
    return ((a << 32) | b) & _MAX63


def _current_worker_seed() -> int | None:
    """The torch DataLoader worker seed, or ``None`` outside a worker (never imports torch)."""
    data = sys.modules.get("torch.utils.data")
    if data is None:
        return None
    info = data.get_worker_info()
    return None if info is None else int(info.seed)


class _FilmTransform(ImageOnlyTransform):
    """Shared machinery: per-call sub-seed, clip semantics, defect-mask target, worker reseeding."""

    _pipe: FilmPipeline
    _salt: int = 0
    _worker_seed: int | None = None
    _cache: tuple[int, np.ndarray, bool, Sample] | None = None

    def _setup(self, pipe: FilmPipeline) -> None:
        self._pipe = pipe
        key = f"{type(self).__module__}.{type(self).__name__}:{json.dumps(pipe.to_dict(), sort_keys=True)}"
        self._salt = zlib.crc32(key.encode())
        self._cache = None

    @property
    def film_pipeline(self) -> FilmPipeline:
        """The :class:`~filmdegrade.FilmPipeline` this transform runs (``sample(x, seed=film_seed)``)."""
        return self._pipe

    @property
    def mask_names(self) -> tuple[str, ...]:
        """Names of the defect masks, the channel order of an ``H×W×K`` ``defect_mask``."""
        return self._pipe.mask_names

    # --- seeding ----------------------------------------------------------------------------------------
    def set_random_seed(self, seed: int | None) -> None:
        """Seed the generators (as albumentations does); marks them as seeded in this worker."""
        super().set_random_seed(seed)
        self._worker_seed = _current_worker_seed()

    def set_random_state(self, random_generator: np.random.Generator, py_random: Any) -> None:
        """Share existing generators (as albumentations does); marks them as set in this worker."""
        super().set_random_state(random_generator, py_random)
        self._worker_seed = _current_worker_seed()

    def _reseed_for_worker(self) -> None:
        """Mix a new DataLoader worker's seed into generators inherited from the parent process."""
        ws = _current_worker_seed()
        if ws is None or ws == self._worker_seed:
            return
        # The inherited state is the same in every worker; the worker seed tells them apart, and keeps
        # the draws reproducible for a fixed torch seed.
        base = int(self.random_generator.integers(0, _MAX63))
        ss = np.random.SeedSequence([base, ws & (2**64 - 1), self._salt])
        self.random_generator = np.random.default_rng(ss)
        self.py_random = type(self.py_random)(int(ss.generate_state(1, np.uint64)[0]))
        self._worker_seed = ws

    def __call__(self, *args: Any, force_apply: bool = False, **kwargs: Any) -> Any:
        self._reseed_for_worker()
        return super().__call__(*args, force_apply=force_apply, **kwargs)

    # --- albumentations hooks ---------------------------------------------------------------------------
    @property
    def targets(self) -> dict[str, Callable[..., Any]]:
        """``image``, ``images``, ``volume``, ``volumes`` and the ``defect_mask`` output."""
        return {**super().targets, "defect_mask": self.apply_to_defect_mask}

    def get_params_dependent_on_data(self, params: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
        """Draw the one sub-seed of this call (mixed with the transform's salt)."""
        raw = int(self.random_generator.integers(0, _MAX63))
        a, b = (int(v) for v in np.random.SeedSequence([raw, self._salt]).generate_state(2, np.uint32))
        film_seed = ((a << 32) | b) & _MAX63
        self._cache = None
        if "defect_mask" in data:  # masks need the degraded sample: compute it once, here
            clip = "image" not in data
            x = data.get("images") if clip else data["image"]
            if x is not None:
                self._cached(np.ascontiguousarray(x), film_seed, clip=clip)
        return {"film_seed": film_seed}

    def _sample(self, x: np.ndarray, film_seed: int, *, clip: bool) -> Sample:
        if not isinstance(x, np.ndarray):
            raise TypeError(f"{type(self).__name__}: image must be a numpy array, got {type(x).__name__}")
        grey_clip = clip and x.ndim == 3  # N×H×W frames: add the channel axis the pipeline needs for clips
        try:
            s = self._pipe.sample(x[..., None] if grey_clip else x, seed=film_seed)
        except (ValueError, TypeError) as e:
            raise type(e)(f"{type(self).__name__}: {e}") from None
        if grey_clip:
            s = Sample(image=s.image[..., 0], masks=s.masks, record=s.record)
        return s

    def _cached(self, x: np.ndarray, film_seed: int, clip: bool) -> Sample:
        """The sample of ``x``; the first one of a call is kept for :meth:`apply_to_defect_mask`."""
        c = self._cache
        if c is not None and c[0] == film_seed and c[1] is x:
            return c[3]
        s = self._sample(x, film_seed, clip=clip)
        if c is None or c[0] != film_seed:
            self._cache = (film_seed, x, clip, s)
        return s

    def apply(self, img: np.ndarray, film_seed: int = 0, **params: Any) -> np.ndarray:
        """Degrade one image with the pipeline seeded by ``film_seed`` (pure)."""
        return self._cached(img, film_seed, clip=False).image

    def apply_to_images(self, images: np.ndarray, film_seed: int = 0, **params: Any) -> np.ndarray:
        """Degrade ``N×H×W[×C]`` frames as one clip (clip-level and per-frame parameters)."""
        return np.ascontiguousarray(self._cached(np.asarray(images), film_seed, clip=True).image)

    def apply_to_volume(self, volume: np.ndarray, film_seed: int = 0, **params: Any) -> np.ndarray:
        """A volume's slices are treated as the frames of a clip."""
        return self.apply_to_images(volume, film_seed=film_seed, **params)

    def apply_to_volumes(self, volumes: np.ndarray, film_seed: int = 0, **params: Any) -> np.ndarray:
        """Each volume is its own clip, with a sub-seed of its own."""
        seeds = np.random.SeedSequence(film_seed).generate_state(len(volumes), np.uint32)
        return np.stack(
            [self._sample(v, int(s), clip=True).image for v, s in zip(volumes, seeds, strict=True)]
        )

    def clean_target(self, image: np.ndarray) -> np.ndarray:
        """The clean image to pair with this transform's output: ``image`` as the film medium renders it.

        :meth:`filmdegrade.FilmPipeline.clean_target`: B&W for a B&W film (``preset="silent_bw"``), ``image``
        itself (a copy) otherwise. Exact for rendition steps applied with ``p = 1`` (as in the bundled
        presets); such steps draw nothing random, so the call's seed does not matter.
        """
        return self._pipe.clean_target(image)

    def apply_to_defect_mask(self, mask: np.ndarray, film_seed: int = 0, **params: Any) -> np.ndarray:
        """Maximum of the incoming ``defect_mask`` and this call's masks (float32 in [0, 1])."""
        c = self._cache
        if c is None or c[0] != film_seed:
            raise ValueError(f"{type(self).__name__}: pass 'image' (or 'images') together with 'defect_mask'")
        _, img, clip, s = c
        names = self._pipe.mask_names
        frame = img.shape[1:3] if clip else img.shape[:2]
        lead = (img.shape[0],) if clip else ()
        stack = [s.masks[k] for k in names]
        union = np.max(stack, axis=0) if stack else np.zeros((*lead, *frame), np.float32)
        mask = np.asarray(mask)
        m = mask.astype(np.float32)
        if mask.dtype == np.uint8 and mask.max(initial=0) > 1:
            m *= np.float32(1.0 / 255.0)
        if mask.shape == union.shape:
            out = np.maximum(m, union)
        elif not clip and mask.shape == (*frame, 1):
            out = np.maximum(m, union[..., None])
        elif not clip and names and mask.shape == (*frame, len(names)):
            out = np.maximum(m, np.stack(stack, axis=-1))
        else:
            expect = f"{(*lead, *frame)}" + ("" if clip else f" or {(*frame, max(len(names), 1))}")
            raise ValueError(f"{type(self).__name__}: defect_mask must have shape {expect}, got {mask.shape}")
        return np.ascontiguousarray(np.clip(out, 0.0, 1.0), dtype=np.float32)

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state["_cache"] = None  # a reference to the last image: not worth shipping
        return state


class FilmDegrade(_FilmTransform):
    """Apply a whole :class:`~filmdegrade.FilmPipeline` (or a bundled preset) as one albumentations transform.

    Parameters
    ----------
    pipeline : FilmPipeline or dict, optional
        The pipeline (stored as its :meth:`~filmdegrade.FilmPipeline.to_dict` form, so ``A.to_dict`` and
        ``A.save`` keep it). Its ``seed`` only salts the per-call sub-seed.
    preset : str, optional
        Name of a bundled preset (:func:`filmdegrade.list_presets`); exactly one of ``pipeline`` and
        ``preset`` is required.
    p : float
        Probability of applying the pipeline (the pipeline's own transforms keep their own ``p``).

    Targets:
        image, images, volume, volumes, defect_mask

    Image types:
        uint8, float32 (float16/float64 too), values in [0, 1] for floats

    Number of channels:
        1 or 3 (anything else raises ``ValueError``)
    """

    class InitSchema(BaseTransformInitSchema):
        """Arguments validated by albumentations' pydantic machinery."""

        pipeline: Any = None
        preset: str | None = None

    def __init__(
        self, pipeline: FilmPipeline | dict[str, Any] | None = None, preset: str | None = None, p: float = 1.0
    ) -> None:
        super().__init__(p=p)
        if (pipeline is None) == (preset is None):
            raise ValueError("FilmDegrade needs exactly one of pipeline= and preset=")
        if preset is not None:
            pipe = FilmPipeline.from_preset(preset)
        elif isinstance(pipeline, FilmPipeline):
            pipe = pipeline
        elif isinstance(pipeline, dict):
            pipe = FilmPipeline.from_dict(pipeline)
        else:
            raise TypeError(
                f"pipeline must be a FilmPipeline or its dict form, got {type(pipeline).__name__}"
            )
        self.pipeline = None if pipeline is None else pipe.to_dict()
        self.preset = preset
        self._setup(pipe)


# --- one adapter per registered effect ---------------------------------------------------------------------
def _class_name(effect: str) -> str:
    return "Film" + "".join(part[:1].upper() + part[1:] for part in effect.split("_") if part)


_RESERVED = {"medium", "film_seed", "shape", "strict", "seed", "always_apply", "params", "targets"} | set(
    dir(ImageOnlyTransform)
)


def _effect_defaults(cls: type[Transform]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for klass in cls.__mro__:
        init = klass.__dict__.get("__init__")
        if init is None:
            continue
        for name, par in inspect.signature(init).parameters.items():
            if (
                name not in out
                and par.kind in (par.POSITIONAL_OR_KEYWORD, par.KEYWORD_ONLY)
                and name != "self"
            ):
                out[name] = par.default
    return out


def _make_adapter(name: str, effect_cls: type[Transform]) -> type[_FilmTransform]:
    defaults = _effect_defaults(effect_cls)
    config = [k for k in effect_cls.init_arg_names() if k != "p"]
    clash = _RESERVED.intersection(config)
    if clash:
        raise ValueError(f"effect {name!r} has argument(s) {sorted(clash)} that albumentations reserves")
    cls_name = _class_name(name)

    def __init__(self: Any, **kwargs: Any) -> None:
        p = kwargs.pop("p")
        medium = kwargs.pop("medium", None)
        effect = effect_cls(**{k: v for k, v in kwargs.items() if v is not inspect.Parameter.empty})
        _FilmTransform.__init__(self, p=p)
        for k, v in effect.config().items():
            if k != "p":
                setattr(self, k, v)
        if isinstance(medium, Medium):
            medium = medium.to_dict()
        self.medium = None if medium is None else Medium.from_dict(medium).to_dict()
        self._setup(FilmPipeline([effect], medium=self.medium))

    params = [inspect.Parameter("self", inspect.Parameter.POSITIONAL_OR_KEYWORD)]
    fields: dict[str, Any] = {}
    for k in config:
        d = defaults.get(k, inspect.Parameter.empty)
        params.append(inspect.Parameter(k, inspect.Parameter.KEYWORD_ONLY, default=d))
        fields[k] = (Any, ... if d is inspect.Parameter.empty else d)
    params.append(inspect.Parameter("medium", inspect.Parameter.KEYWORD_ONLY, default=None))
    params.append(inspect.Parameter("p", inspect.Parameter.KEYWORD_ONLY, default=0.5))
    fields["medium"] = (Any, None)
    __init__.__signature__ = inspect.Signature(params)  # type: ignore[attr-defined]
    __init__.__qualname__ = f"{cls_name}.__init__"
    schema = create_model("InitSchema", __base__=BaseTransformInitSchema, **fields)
    summary = (inspect.getdoc(effect_cls) or "").split("\n\n")[0]
    doc = (
        f"albumentations adapter of the ``{name}`` effect\n"
        f"(:class:`{effect_cls.__module__}.{effect_cls.__qualname__}`).\n\n"
        f"{summary}\n\n"
        "Parameters\n----------\n"
        f"**config\n    The effect's arguments: {', '.join(config) or 'none'} (see the effect's docstring).\n"
        "medium : Medium or dict, optional\n    Gauge, stock and scan scale (default ``Medium()``).\n"
        "p : float\n    Probability of applying the transform.\n\n"
        "Targets:\n    image, images, volume, volumes, defect_mask\n\n"
        "Image types:\n    uint8, float32\n"
    )
    return type(
        cls_name,
        (_FilmTransform,),
        {
            "__init__": __init__,
            "InitSchema": schema,
            "__doc__": doc,
            "__module__": __name__,
            "__qualname__": cls_name,
            "effect_name": name,
        },
    )


_ADAPTERS: dict[str, str] = {}


def register_effect_adapters() -> list[str]:
    """Create module-level adapter classes for registered effects that have none yet.

    Runs at import time; call it again after defining new :class:`~filmdegrade.effects.base.Transform`
    subclasses. A class is named ``Film`` + the effect name in CamelCase (``grain`` → ``FilmGrain``) and
    lives in this module, so albumentations' serialisation finds it by its full path.

    Returns
    -------
    list of str
        Names of the classes created by this call.
    """
    import filmdegrade.effects  # noqa: F401  (registers the built-in effects)

    made = []
    module = sys.modules[__name__]
    for name, effect_cls in sorted(TRANSFORMS.items()):
        if name in _ADAPTERS:
            continue
        cls_name = _class_name(name)
        if hasattr(module, cls_name):
            warnings.warn(
                f"no adapter for effect {name!r}: {cls_name} is already taken", RuntimeWarning, stacklevel=2
            )
            continue
        try:
            cls = _make_adapter(name, effect_cls)
        except ValueError as e:
            warnings.warn(f"no albumentations adapter for effect {name!r}: {e}", RuntimeWarning, stacklevel=2)
            continue
        setattr(module, cls_name, cls)
        _ADAPTERS[name] = cls_name
        if cls_name not in __all__:
            __all__.append(cls_name)
        made.append(cls_name)
    return made


def effect_adapter_names() -> dict[str, str]:
    """Effect name → adapter class name, for every adapter created so far."""
    return dict(_ADAPTERS)


register_effect_adapters()
