"""The Transform protocol every effect implements, its clip context, and parameter (de)serialisation.

A transform has three parts, kept apart on purpose:

``__init__(**config)``
    Validated configuration in physical units (µm, degrees, density...). Every ``__init__`` argument is
    stored under the same attribute name, so :meth:`Transform.to_dict` can rebuild it.
``sample_params(rng, ctx) -> Params``
    Draws everything random for one sample from ``rng`` (a :class:`numpy.random.Generator`): clip-level
    values once, per-frame values from temporal processes (see :func:`filmdegrade.random.frame_rngs`).
    ``Params`` is a frozen dataclass holding plain numbers, strings, tuples and numpy arrays, already in
    pixels where the kernel needs pixels. Large noise fields are represented by a seed, not stored.
``apply(frames, params) -> (frames, masks)``
    Pure and deterministic: float32 clip ``T×H×W×C`` in [0, 1] in, a new float32 clip out, plus masks
    ``{name: T×H×W float32 in [0, 1]}``. It never modifies ``frames`` in place, and the clip and masks it
    returns are its own (not its input, a view of it, a cached array, nor sharing memory with each other):
    the pipeline may overwrite the clip in its next step.
``apply_in_place(frames, params) -> (frames, masks)``
    Optional: :meth:`Transform.apply` allowed to overwrite ``frames`` with its result. The pipeline calls
    it on clips it owns (its float32 copy of a converted input, or an earlier step's output): computing
    in place saves allocating, and faulting in, a fresh clip (~3-4 ms per 1080p frame). The values must
    equal :meth:`Transform.apply`'s exactly (a contract test checks it). :class:`InPlaceTransform` gives
    both methods from one ``apply_into(frames, out, params)``.

Geometric transforms (gate weave) also implement ``apply_to_mask`` so that masks of earlier transforms
move with the image.
"""

from __future__ import annotations

import dataclasses
import inspect
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from filmdegrade.media import Medium

__all__ = [
    "TRANSFORMS",
    "ClipContext",
    "InPlaceTransform",
    "Transform",
    "check_choice",
    "check_range",
    "decode_params",
    "encode_params",
    "get_transform_class",
    "overwritable",
]

#: name → Transform subclass, filled when a subclass with a ``name`` is defined.
TRANSFORMS: dict[str, type[Transform]] = {}


@dataclass(frozen=True)
class ClipContext:
    """What a transform knows about the clip it samples parameters for.

    Attributes
    ----------
    n_frames, height, width, channels : int
        Clip shape ``T×H×W×C`` (an image is a clip of one frame).
    medium : Medium
        Gauge, stock, scan scale and tape format.
    """

    n_frames: int
    height: int
    width: int
    channels: int
    medium: Medium

    @property
    def um_per_px(self) -> float:
        """Size of one pixel on the film, µm."""
        return self.medium.um_per_px(self.width)

    def px(self, um: float) -> float:
        """Convert a length on the film, µm, to pixels of this clip."""
        return float(um) / self.um_per_px

    @property
    def is_grey(self) -> bool:
        """True for single-channel clips."""
        return self.channels == 1


class Transform:
    """Base class of all effects. See the module docstring for the protocol.

    Parameters
    ----------
    p : float
        Probability in [0, 1] that the transform is applied to a sample.
    """

    #: registry name used in YAML (``name: grain``).
    name: ClassVar[str] = ""
    #: names of the masks this transform produces.
    mask_names: ClassVar[tuple[str, ...]] = ()
    #: True when the transform moves pixels (masks of earlier transforms must move too).
    geometric: ClassVar[bool] = False
    #: smallest image side the effect can work on, pixels.
    min_size: ClassVar[int] = 2
    #: False for transforms whose output may leave [0, 1] (the pipeline then clips after them).
    output_in_range: ClassVar[bool] = True
    #: True for how the medium renders a scene rather than a defect (a B&W film records no colour): such
    #: steps belong to the clean target of a training pair too (:meth:`FilmPipeline.clean_target`).
    renders_medium: ClassVar[bool] = False
    #: the frozen params dataclass (optional: else taken from ``sample_params``' return annotation).
    params_cls: ClassVar[type | None] = None

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if cls.__dict__.get("name"):
            if cls.name in TRANSFORMS and TRANSFORMS[cls.name] is not cls:
                existing = TRANSFORMS[cls.name]
                if f"{existing.__module__}.{existing.__qualname__}" != f"{cls.__module__}.{cls.__qualname__}":
                    raise TypeError(f"transform name {cls.name!r} is already used by {existing.__qualname__}")
            TRANSFORMS[cls.name] = cls

    def __init__(self, *, p: float = 1.0) -> None:
        self.p = check_range("p", p, 0.0, 1.0)

    # --- protocol -------------------------------------------------------------------------------------
    def sample_params(self, rng: np.random.Generator, ctx: ClipContext) -> Any:
        """Draw this transform's parameters for one clip (see module docstring)."""
        raise NotImplementedError

    def apply(self, frames: np.ndarray, params: Any) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        """Apply with explicit parameters (pure; see module docstring)."""
        raise NotImplementedError

    def apply_in_place(
        self, frames: np.ndarray, params: Any
    ) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        """:meth:`apply`, free to overwrite ``frames`` (writable float32) with its result (module docstring).

        Returns the result (``frames`` itself when computed in place) and the masks. Default: :meth:`apply`.
        """
        return self.apply(frames, params)

    @classmethod
    def computes_in_place(cls) -> bool:
        """Whether :meth:`apply_in_place` is the transform's own (else it is :meth:`apply`)."""
        return cls.apply_in_place is not Transform.apply_in_place

    def apply_to_mask(self, mask: np.ndarray, params: Any) -> np.ndarray:
        """Move a ``T×H×W`` mask like :meth:`apply` moves the image (identity unless geometric)."""
        return mask

    @property
    def params_type(self) -> type:
        """The frozen params dataclass: ``params_cls`` if set, else ``sample_params``' return annotation."""
        cls = type(self).params_cls
        if cls is not None:
            return cls
        hints = inspect.get_annotations(type(self).sample_params, eval_str=True)
        return hints["return"]

    # --- serialisation --------------------------------------------------------------------------------
    @classmethod
    def init_arg_names(cls) -> list[str]:
        """Names of the configuration arguments (``__init__`` keywords, ``p`` included)."""
        names: list[str] = []
        for klass in cls.__mro__:
            if "__init__" not in klass.__dict__:
                continue
            for pname, par in inspect.signature(klass.__dict__["__init__"]).parameters.items():
                if pname == "self" or par.kind in (par.VAR_KEYWORD, par.VAR_POSITIONAL):
                    continue
                if pname not in names:
                    names.append(pname)
        return names

    def config(self) -> dict[str, Any]:
        """Configuration as plain Python values (tuples become lists)."""
        return {n: _plain(getattr(self, n)) for n in self.init_arg_names()}

    def to_dict(self) -> dict[str, Any]:
        """``{"name": ..., **config}``: what a pipeline YAML file holds for this transform."""
        return {"name": self.name, **self.config()}

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.config().items())
        return f"{type(self).__name__}({args})"

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and other.to_dict() == self.to_dict()  # type: ignore[attr-defined]

    __hash__ = None  # type: ignore[assignment]


def get_transform_class(name: str) -> type[Transform]:
    """Look up a transform class by its registry name (raises ``ValueError`` listing known names)."""
    import filmdegrade.effects  # noqa: F401  (defines and registers the built-in effects)

    if not isinstance(name, str):
        raise TypeError(f"transform name must be a str, got {type(name).__name__}")
    if name not in TRANSFORMS:
        raise ValueError(f"unknown transform {name!r}; known: {', '.join(sorted(TRANSFORMS))}")
    return TRANSFORMS[name]


# --- validation helpers -------------------------------------------------------------------------------
def overwritable(frames: np.ndarray) -> bool:
    """Whether :meth:`Transform.apply_in_place` can write into ``frames``: writable C-contiguous float32."""
    return frames.dtype == np.float32 and frames.flags.c_contiguous and frames.flags.writeable


def check_range(
    name: str,
    value: Any,
    lo: float | None = None,
    hi: float | None = None,
    *,
    integer: bool = False,
) -> Any:
    """Check a number (or a ``(low, high)`` range of numbers) lies in ``[lo, hi]``; return it.

    A 2-sequence is returned as a tuple and must be non-decreasing. Errors name the argument.
    """
    if isinstance(value, list | tuple):
        if len(value) != 2:
            raise ValueError(f"{name} must be a number or a (low, high) pair, got {value!r}")
        a, b = (check_range(name, v, lo, hi, integer=integer) for v in value)
        if a > b:
            raise ValueError(f"{name} range must be (low, high) with low <= high, got {value!r}")
        return (a, b)
    kinds = (int, np.integer) if integer else (int, float, np.integer, np.floating)
    if isinstance(value, bool) or not isinstance(value, kinds):
        raise TypeError(f"{name} must be {'an int' if integer else 'a number'}, got {value!r}")
    if not np.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value!r}")
    if (lo is not None and value < lo) or (hi is not None and value > hi):
        raise ValueError(f"{name} must lie in [{lo}, {hi}], got {value!r}")
    return int(value) if integer else float(value)


def check_choice(name: str, value: Any, choices: tuple[str, ...] | list[str]) -> str:
    """Check ``value`` is one of ``choices`` (error names the argument and the choices)."""
    if value not in choices:
        raise ValueError(f"{name} must be one of {', '.join(map(str, choices))}; got {value!r}")
    return value


def sample_range(rng: np.random.Generator, value: float | tuple[float, float]) -> float:
    """A number stays fixed; a ``(low, high)`` pair is sampled uniformly. Always one draw."""
    u = rng.random()
    if isinstance(value, tuple):
        return float(value[0] + (value[1] - value[0]) * u)
    return float(value)


# --- params <-> record ------------------------------------------------------------------------------
def _plain(v: Any) -> Any:
    if isinstance(v, tuple):
        return [_plain(x) for x in v]
    if isinstance(v, list):
        return [_plain(x) for x in v]
    if isinstance(v, dict):
        return {k: _plain(x) for k, x in v.items()}
    if isinstance(v, np.generic):
        return v.item()
    return v


def encode_params(params: Any) -> Any:
    """Turn a params dataclass (or nested values) into JSON-compatible data that decodes bit-exactly."""
    if dataclasses.is_dataclass(params) and not isinstance(params, type):
        return {f.name: encode_params(getattr(params, f.name)) for f in dataclasses.fields(params)}
    if isinstance(params, np.ndarray):
        return {
            "__ndarray__": params.ravel().tolist(),
            "dtype": str(params.dtype),
            "shape": list(params.shape),
        }
    if isinstance(params, np.generic):
        return {"__npscalar__": params.item(), "dtype": str(params.dtype)}
    if isinstance(params, tuple):
        return {"__tuple__": [encode_params(v) for v in params]}
    if isinstance(params, list):
        return [encode_params(v) for v in params]
    if isinstance(params, dict):
        return {str(k): encode_params(v) for k, v in params.items()}
    if params is None or isinstance(params, bool | int | float | str):
        return params
    raise TypeError(f"cannot record a parameter of type {type(params).__name__}")


def _decode(v: Any) -> Any:
    if isinstance(v, dict):
        if "__ndarray__" in v:
            return np.asarray(v["__ndarray__"], dtype=np.dtype(v["dtype"])).reshape(v["shape"])
        if "__npscalar__" in v:
            return np.dtype(v["dtype"]).type(v["__npscalar__"])
        if "__tuple__" in v:
            return tuple(_decode(x) for x in v["__tuple__"])
        return {k: _decode(x) for k, x in v.items()}
    if isinstance(v, list):
        return [_decode(x) for x in v]
    return v


def decode_params(params_type: type | Callable[..., Any], data: dict[str, Any]) -> Any:
    """Inverse of :func:`encode_params` for a params dataclass ``params_type``."""
    if not isinstance(data, dict):
        raise ValueError(f"recorded params must be a mapping, got {type(data).__name__}")
    return params_type(**{k: _decode(v) for k, v in data.items()})


class InPlaceTransform(Transform):
    """A transform whose kernel writes its result into a given clip, which may be its input.

    Subclasses implement :meth:`apply_into`: :meth:`apply` gives it a fresh output, and
    :meth:`apply_in_place` the input itself when it can be overwritten (see :func:`overwritable`).
    """

    def apply(self, frames: np.ndarray, params: Any) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        """Apply with explicit parameters (pure): :meth:`apply_into` a fresh clip."""
        frames = np.ascontiguousarray(frames, dtype=np.float32)
        return self.apply_into(frames, np.empty_like(frames), params)

    def apply_in_place(self, frames: np.ndarray, params: Any) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        """:meth:`apply_into` ``frames`` itself, if :func:`overwritable` (else :meth:`apply`)."""
        if not overwritable(frames):
            return self.apply(frames, params)
        return self.apply_into(frames, frames, params)

    def apply_into(
        self, frames: np.ndarray, out: np.ndarray, params: Any
    ) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        """Write the result for ``frames`` into ``out`` and return ``(out, masks)``.

        ``frames`` and ``out`` are C-contiguous float32 clips of the same shape; ``out`` is either
        ``frames`` itself or does not overlap it. A kernel that cannot honour ``out`` for some
        parameters may return a new array instead.
        """
        raise NotImplementedError
