"""FilmPipeline: composition, probabilities, seeding, record and replay, serialisation, presets.

>>> import numpy as np
>>> from filmdegrade import FilmPipeline
>>> pipe = FilmPipeline.from_preset("super8", seed=7)        # doctest: +SKIP
>>> out = pipe(np.zeros((64, 64, 3), np.uint8), index=0)      # doctest: +SKIP
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import yaml

from filmdegrade._io import atomic_write_text
from filmdegrade.arrays import ArrayInfo, as_float_clip, check_array, restore_array, restore_mask
from filmdegrade.effects.base import (
    ClipContext,
    Transform,
    check_range,
    decode_params,
    encode_params,
    get_transform_class,
)
from filmdegrade.media import Medium
from filmdegrade.random import check_seed, transform_rng

__all__ = ["FilmPipeline", "OneOf", "Record", "Sample", "SomeOf", "list_presets", "preset_path"]

RECORD_VERSION = 1


# --- containers -----------------------------------------------------------------------------------------
class _Container:
    name: ClassVar[str] = ""

    def __init__(self, transforms: Sequence[Node], *, p: float = 1.0) -> None:
        self.p = check_range("p", p, 0.0, 1.0)
        self.transforms = _check_nodes(transforms, f"{self.name}.transforms")
        if not self.transforms:
            raise ValueError(f"{self.name}.transforms must not be empty")

    def _extra(self) -> dict[str, Any]:
        return {}

    def to_dict(self) -> dict[str, Any]:
        """YAML-ready form, children included."""
        return {
            "name": self.name,
            "p": self.p,
            **self._extra(),
            "transforms": [t.to_dict() for t in self.transforms],
        }

    def __repr__(self) -> str:
        inner = ", ".join(repr(t) for t in self.transforms)
        return f"{type(self).__name__}([{inner}], p={self.p})"

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and other.to_dict() == self.to_dict()  # type: ignore[attr-defined]

    __hash__ = None  # type: ignore[assignment]


class OneOf(_Container):
    """Apply exactly one of ``transforms`` (chosen with ``weights``), with probability ``p``."""

    name = "one_of"

    def __init__(
        self, transforms: Sequence[Node], *, weights: Sequence[float] | None = None, p: float = 1.0
    ) -> None:
        super().__init__(transforms, p=p)
        if weights is None:
            weights = [1.0] * len(self.transforms)
        weights = [check_range("one_of.weights", w, 0.0) for w in weights]
        if len(weights) != len(self.transforms) or sum(weights) <= 0:
            raise ValueError(
                "one_of.weights must hold one non-negative weight per transform with a positive sum, "
                f"got {weights}"
            )
        self.weights = weights

    def _extra(self) -> dict[str, Any]:
        return {"weights": list(self.weights)}

    def choose(self, rng: np.random.Generator) -> list[int]:
        """Indices of the children to run, in order."""
        w = np.asarray(self.weights, dtype=np.float64)
        return [int(rng.choice(len(w), p=w / w.sum()))]


class SomeOf(_Container):
    """Apply between ``n[0]`` and ``n[1]`` distinct ``transforms`` (kept in their listed order)."""

    name = "some_of"

    def __init__(
        self, transforms: Sequence[Node], *, n: int | Sequence[int] = (1, 2), p: float = 1.0
    ) -> None:
        super().__init__(transforms, p=p)
        if isinstance(n, int | np.integer) and not isinstance(n, bool):
            n = (int(n), int(n))
        n = check_range(
            "some_of.n", tuple(n) if isinstance(n, list | tuple) else n, 0, len(self.transforms), integer=True
        )
        self.n = n

    def _extra(self) -> dict[str, Any]:
        return {"n": list(self.n)}

    def choose(self, rng: np.random.Generator) -> list[int]:
        """Indices of the children to run, in order."""
        k = int(rng.integers(self.n[0], self.n[1] + 1))
        return sorted(int(i) for i in rng.choice(len(self.transforms), size=k, replace=False))


Node = Transform | OneOf | SomeOf
_CONTAINERS: dict[str, type[_Container]] = {"one_of": OneOf, "some_of": SomeOf}


def _check_nodes(nodes: Sequence[Any], where: str) -> list[Node]:
    if isinstance(nodes, Transform | _Container) or not isinstance(nodes, Sequence) or isinstance(nodes, str):
        raise TypeError(f"{where} must be a list of transforms, got {type(nodes).__name__}")
    for i, t in enumerate(nodes):
        if not isinstance(t, Transform | _Container):
            raise TypeError(f"{where}[{i}] must be a Transform, OneOf or SomeOf, got {type(t).__name__}")
    return list(nodes)


def _node_from_dict(d: Any, where: str) -> Node:
    if not isinstance(d, dict):
        raise ValueError(f"{where} must be a mapping with a 'name', got {type(d).__name__}")
    if "name" not in d:
        raise ValueError(f"{where} has no 'name'")
    d = dict(d)
    name = d.pop("name")
    if name in _CONTAINERS:
        children = d.pop("transforms", None)
        if not isinstance(children, list):
            raise ValueError(f"{where} ({name}) needs a list 'transforms'")
        nodes = [_node_from_dict(c, f"{where}.transforms[{i}]") for i, c in enumerate(children)]
        return _construct(_CONTAINERS[name], nodes, d, where)
    try:
        cls = get_transform_class(name)
    except ValueError as e:
        raise ValueError(f"{where}: {e}") from None
    return _construct(cls, None, d, where)


def _construct(cls: type, children: list[Node] | None, kwargs: dict[str, Any], where: str) -> Node:
    if issubclass(cls, Transform):
        allowed = set(cls.init_arg_names())
        unknown = set(kwargs) - allowed
        if unknown:
            raise ValueError(
                f"{where} ({cls.name}): unknown parameter(s) {', '.join(sorted(unknown))}; "
                f"allowed: {', '.join(sorted(allowed))}"
            )
    try:
        return cls(children, **kwargs) if children is not None else cls(**kwargs)
    except TypeError as e:
        raise ValueError(f"{where}: {e}") from None


# --- results --------------------------------------------------------------------------------------------
@dataclass
class Record:
    """Everything needed to replay one sample bit-exactly.

    Attributes
    ----------
    seed, epoch, index : int
        The sample's stream coordinates.
    shape : tuple of int
        Shape of the input it was drawn for (params are in pixels of that shape).
    entries : list of dict
        One ``{"path", "name", "params"}`` per applied transform, in order; ``params`` is JSON-compatible.
    """

    seed: int
    epoch: int
    index: int
    shape: tuple[int, ...]
    entries: list[dict[str, Any]] = field(default_factory=list)
    version: int = RECORD_VERSION

    def to_dict(self) -> dict[str, Any]:
        """JSON-compatible form."""
        return {
            "version": self.version,
            "seed": self.seed,
            "epoch": self.epoch,
            "index": self.index,
            "shape": list(self.shape),
            "entries": self.entries,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Record:
        """Inverse of :meth:`to_dict`."""
        if not isinstance(d, dict) or "entries" not in d:
            raise ValueError("record must be a mapping with 'entries' (from Record.to_dict)")
        return cls(
            seed=int(d["seed"]),
            epoch=int(d["epoch"]),
            index=int(d["index"]),
            shape=tuple(d["shape"]),
            entries=list(d["entries"]),
            version=int(d.get("version", RECORD_VERSION)),
        )

    def to_json(self, **kwargs: Any) -> str:
        """The record as JSON text."""
        return json.dumps(self.to_dict(), **kwargs)

    @classmethod
    def from_json(cls, text: str) -> Record:
        """Inverse of :meth:`to_json`."""
        return cls.from_dict(json.loads(text))

    def params_of(self, name: str) -> list[dict[str, Any]]:
        """Recorded params of every applied transform called ``name``."""
        return [e["params"] for e in self.entries if e["name"] == name]


@dataclass
class Sample:
    """The result of :meth:`FilmPipeline.sample`.

    Attributes
    ----------
    image : numpy.ndarray
        Degraded image or clip, with the input's shape and dtype.
    masks : dict of str to numpy.ndarray
        Defect masks, float32 in [0, 1]: ``H×W`` for an image, ``T×H×W`` for a clip; one per mask name
        the pipeline can produce (zeros when that transform did not run).
    record : Record
        Parameters of every applied transform, for :meth:`FilmPipeline.replay`.
    """

    image: np.ndarray
    masks: dict[str, np.ndarray]
    record: Record


# --- the pipeline ---------------------------------------------------------------------------------------
class FilmPipeline:
    """A seeded composition of film/tape transforms.

    Parameters
    ----------
    transforms : list of Transform, OneOf or SomeOf
        Applied in order, each with its own probability ``p``.
    seed : int
        Base seed. A sample's randomness comes only from ``(seed, epoch, index)`` and each transform's
        position and name.
    medium : Medium or dict, optional
        Gauge, stock, scan scale and tape format; default ``Medium()`` (35 mm Academy).
    name, description : str, optional
        Labels (presets set them).
    """

    def __init__(
        self,
        transforms: Sequence[Node],
        *,
        seed: int = 0,
        medium: Medium | dict[str, Any] | None = None,
        name: str | None = None,
        description: str | None = None,
    ) -> None:
        self.transforms = _check_nodes(transforms, "transforms")
        self.seed = check_seed(seed)
        if medium is None or isinstance(medium, dict):
            medium = Medium.from_dict(medium)
        if not isinstance(medium, Medium):
            raise TypeError(f"medium must be a Medium or a mapping, got {type(medium).__name__}")
        self.medium = medium
        self.name = name
        self.description = description

    # --- structure ---------------------------------------------------------------------------------
    def _stream_ids(self) -> dict[str, str]:
        """Map each index path to its stream id, e.g. ``"one_of#0/grain#1"``.

        The id is the node's name and its occurrence among same-named siblings, under its parent's id.
        Inserting a differently named transform anywhere leaves every other transform's random stream
        unchanged.
        """
        ids: dict[str, str] = {}

        def rec(nodes: list[Node], prefix: str, parent: str) -> None:
            seen: dict[str, int] = {}
            for i, n in enumerate(nodes):
                k = seen.get(n.name, 0)
                seen[n.name] = k + 1
                sid = f"{parent}/{n.name}#{k}" if parent else f"{n.name}#{k}"
                ids[f"{prefix}{i}"] = sid
                if isinstance(n, _Container):
                    rec(n.transforms, f"{prefix}{i}.", sid)

        rec(self.transforms, "", "")
        return ids

    def _walk(self) -> Iterator[tuple[str, Node]]:
        def rec(nodes: list[Node], prefix: str) -> Iterator[tuple[str, Node]]:
            for i, n in enumerate(nodes):
                path = f"{prefix}{i}"
                yield path, n
                if isinstance(n, _Container):
                    yield from rec(n.transforms, path + ".")

        yield from rec(self.transforms, "")

    @property
    def mask_names(self) -> tuple[str, ...]:
        """Names of every mask this pipeline can produce (sorted)."""
        names = {m for _, n in self._walk() if isinstance(n, Transform) for m in n.mask_names}
        return tuple(sorted(names))

    @property
    def min_size(self) -> int:
        """Smallest image side every transform can work on."""
        return max([2] + [n.min_size for _, n in self._walk() if isinstance(n, Transform)])

    def _node_at(self, path: str) -> Node:
        nodes: list[Node] = self.transforms
        node: Node | None = None
        try:
            for part in path.split("."):
                node = nodes[int(part)]
                nodes = node.transforms if isinstance(node, _Container) else []
        except (ValueError, IndexError):
            raise ValueError(
                f"record refers to transform position {path!r}, which this pipeline lacks"
            ) from None
        assert node is not None
        return node

    # --- running -----------------------------------------------------------------------------------
    def __call__(
        self, x: np.ndarray, *, index: int = 0, epoch: int = 0, seed: int | None = None
    ) -> np.ndarray:
        """Degrade ``x`` (image or clip) and return an array of the same shape and dtype."""
        return self.sample(x, index=index, epoch=epoch, seed=seed).image

    def sample(self, x: np.ndarray, *, index: int = 0, epoch: int = 0, seed: int | None = None) -> Sample:
        """Degrade ``x`` and return the image, the defect masks and the replayable record."""
        frames, info, ctx, record, state = self._start(x, index, epoch, seed)
        masks: dict[str, np.ndarray] = {}
        for i, node in enumerate(self.transforms):
            frames = self._run(node, str(i), frames, masks, ctx, state, record)
        return self._finish(frames, masks, info, record, x)

    def plan(self, x: np.ndarray, *, index: int = 0, epoch: int = 0, seed: int | None = None) -> Record:
        """Draw the parameters :meth:`sample` would use for ``x``, without applying them.

        Parameters depend only on the seed coordinates and the shape of ``x`` (never on its pixels), so
        ``pipe.replay(x, pipe.plan(x, index=i))`` equals ``pipe.sample(x, index=i)``. Useful to inspect a
        preset, to time :meth:`Transform.apply` alone, or to write records ahead of rendering.
        """
        _, _, ctx, record, state = self._start(x, index, epoch, seed)
        for i, node in enumerate(self.transforms):
            self._run(node, str(i), None, {}, ctx, state, record)
        return record

    @property
    def has_rendition(self) -> bool:
        """Whether any step renders the medium (see :meth:`clean_target`); if not, the target is ``x``."""
        return any(isinstance(n, Transform) and n.renders_medium for _, n in self._walk())

    def clean_target(
        self, x: np.ndarray, *, index: int = 0, epoch: int = 0, seed: int | None = None
    ) -> np.ndarray:
        """The clean image a training pair should target: ``x`` through the medium's rendition only.

        Steps that say how the medium records a scene rather than add a defect
        (``Transform.renders_medium``, e.g. :class:`~filmdegrade.effects.sensitivity.SpectralSensitivity`:
        a B&W film records no colour) are applied exactly as :meth:`sample` applies them for the same
        ``(seed, epoch, index)``; every other step is skipped. Without such steps this is a copy of ``x``
        (no conversion, no walk of the pipeline). Same shape and dtype as ``x``; ``x`` is not modified.
        """
        if not self.has_rendition:
            self._coords(index, epoch, seed)
            check_array(x, min_size=self.min_size)
            return np.array(x, copy=True)
        frames, info, ctx, record, state = self._start(x, index, epoch, seed)
        for i, node in enumerate(self.transforms):
            frames = self._run(node, str(i), frames, {}, ctx, state, record, rendition_only=True)
        owned = frames.flags.writeable and not np.may_share_memory(frames, x)
        return restore_array(frames, info, owned=owned)

    def replay(self, x: np.ndarray, record: Record | dict[str, Any]) -> Sample:
        """Re-apply the recorded parameters to ``x``; bit-identical to the sample that made ``record``."""
        if isinstance(record, dict):
            record = Record.from_dict(record)
        if not isinstance(record, Record):
            raise TypeError(f"record must be a Record or its dict form, got {type(record).__name__}")
        frames, info = as_float_clip(x, min_size=self.min_size)
        if tuple(info.shape) != tuple(record.shape):
            raise ValueError(f"record was made for shape {tuple(record.shape)}, x has shape {info.shape}")
        masks: dict[str, np.ndarray] = {}
        for entry in record.entries:
            node = self._node_at(entry["path"])
            if not isinstance(node, Transform) or node.name != entry["name"]:
                raise ValueError(
                    f"record entry {entry['path']} is {entry['name']!r} "
                    f"but the pipeline has {node.name!r} there"
                )
            params = decode_params(node.params_type, entry["params"])
            frames = self._apply_leaf(node, params, frames, masks)
        return self._finish(frames, masks, info, Record.from_dict(record.to_dict()), x)

    def _coords(self, index: int, epoch: int, seed: int | None) -> tuple[int, int, int]:
        """Validated ``(seed, epoch, index)`` (``seed=None``: the pipeline's)."""
        seed = self.seed if seed is None else check_seed(seed)
        return seed, check_seed(epoch, "epoch"), check_seed(index, "index")

    def _start(
        self, x: np.ndarray, index: int, epoch: int, seed: int | None
    ) -> tuple[np.ndarray, ArrayInfo, ClipContext, Record, tuple[int, int, int, dict[str, str]]]:
        """The start of :meth:`sample`, :meth:`plan` and :meth:`clean_target`.

        Returns the float32 clip, its description, the clip context, an empty record and the random-stream
        state.
        """
        seed, epoch, index = self._coords(index, epoch, seed)
        frames, info = as_float_clip(x, min_size=self.min_size)
        record = Record(seed=seed, epoch=epoch, index=index, shape=info.shape)
        return frames, info, self._context(frames), record, (seed, epoch, index, self._stream_ids())

    def _context(self, frames: np.ndarray) -> ClipContext:
        t, h, w, c = frames.shape
        return ClipContext(n_frames=t, height=h, width=w, channels=c, medium=self.medium)

    def _run(
        self,
        node: Node,
        path: str,
        frames: np.ndarray | None,
        masks: dict[str, np.ndarray],
        ctx: ClipContext,
        state: tuple[int, int, int, dict[str, str]],
        record: Record,
        rendition_only: bool = False,
    ) -> np.ndarray | None:
        seed, epoch, index, ids = state
        rng = transform_rng(seed, epoch, index, ids[path], node.name)
        # Always one draw for the decision, so p does not shift the parameter draws.
        if not rng.random() < node.p:
            return frames
        if isinstance(node, _Container):
            for i in node.choose(rng):
                frames = self._run(
                    node.transforms[i], f"{path}.{i}", frames, masks, ctx, state, record, rendition_only
                )
            return frames
        if rendition_only and not node.renders_medium:  # its own stream: skipping it changes no draw
            return frames
        params = node.sample_params(rng, ctx)
        if frames is not None:  # None: planning only (see :meth:`plan`)
            frames = self._apply_leaf(node, params, frames, masks)
        record.entries.append({"path": path, "name": node.name, "params": encode_params(params)})
        return frames

    @staticmethod
    def _apply_leaf(
        node: Transform, params: Any, frames: np.ndarray, masks: dict[str, np.ndarray]
    ) -> np.ndarray:
        # A writable clip is the pipeline's own (the input arrives as a read-only view or a converted copy;
        # transforms return arrays of their own): the step may then overwrite it.
        if frames.flags.writeable:
            out, new_masks = node.apply_in_place(frames, params)
        else:
            out, new_masks = node.apply(frames, params)
        if out.shape != frames.shape or out.dtype != np.float32:
            raise RuntimeError(
                f"transform {node.name!r} returned {out.dtype} {out.shape} for float32 {frames.shape}"
            )
        if not node.output_in_range:
            # Only transforms that may overshoot (e.g. tape ringing) are clipped between steps; the others
            # keep [0, 1] themselves (checked by the contract tests), which saves a full pass per transform.
            out = np.clip(out, 0.0, 1.0, out=out if out.flags.writeable else None)
        if node.geometric:
            for k in list(masks):
                masks[k] = node.apply_to_mask(masks[k], params)
        for k, m in new_masks.items():
            masks[k] = np.maximum(masks[k], m) if k in masks else m
        return out

    def _finish(
        self,
        frames: np.ndarray,
        masks: dict[str, np.ndarray],
        info: ArrayInfo,
        record: Record,
        source: np.ndarray,
    ) -> Sample:
        # The final clip/convert may reuse ``frames`` when no caller's array can see it.
        owned = frames.flags.writeable and not np.may_share_memory(frames, source)
        t, h, w, _ = frames.shape
        full = {}
        for k in self.mask_names:
            m = masks.get(k)
            full[k] = restore_mask(
                np.zeros((t, h, w), np.float32) if m is None else np.asarray(m, np.float32), info
            )
        return Sample(image=restore_array(frames, info, owned=owned), masks=full, record=record)

    # --- serialisation -----------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """Plain-dict form; :meth:`from_dict` rebuilds an identical pipeline."""
        d: dict[str, Any] = {}
        if self.name is not None:
            d["name"] = self.name
        if self.description is not None:
            d["description"] = self.description
        d.update(
            seed=self.seed, medium=self.medium.to_dict(), transforms=[t.to_dict() for t in self.transforms]
        )
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> FilmPipeline:
        """Build a pipeline from :meth:`to_dict` output (or a preset/YAML mapping). Errors name the field."""
        if not isinstance(d, dict):
            raise ValueError(f"a pipeline must be a mapping, got {type(d).__name__}")
        unknown = set(d) - {"name", "description", "seed", "medium", "transforms"}
        if unknown:
            raise ValueError(f"unknown pipeline field(s): {', '.join(sorted(unknown))}")
        transforms = d.get("transforms")
        if not isinstance(transforms, list):
            raise ValueError("a pipeline needs a list 'transforms'")
        nodes = [_node_from_dict(t, f"transforms[{i}]") for i, t in enumerate(transforms)]
        try:
            return cls(
                nodes,
                seed=d.get("seed", 0),
                medium=d.get("medium"),
                name=d.get("name"),
                description=d.get("description"),
            )
        except TypeError as e:
            raise ValueError(str(e)) from None

    def to_yaml(self, path: str | os.PathLike[str] | None = None) -> str:
        """YAML text of :meth:`to_dict`; also written atomically to ``path`` when given."""
        text = yaml.safe_dump(self.to_dict(), sort_keys=False)
        if path is not None:
            atomic_write_text(path, text)
        return text

    @classmethod
    def from_yaml(cls, source: str | os.PathLike[str]) -> FilmPipeline:
        """Load a pipeline from a YAML file path or from YAML text."""
        if isinstance(source, os.PathLike) or (
            isinstance(source, str) and "\n" not in source and source.endswith((".yaml", ".yml"))
        ):
            path = Path(source)
            if not path.is_file():
                raise FileNotFoundError(f"pipeline YAML file not found: {path}")
            text = path.read_text(encoding="utf-8")
        elif isinstance(source, str):
            text = source
        else:
            raise TypeError(f"source must be a path or YAML text, got {type(source).__name__}")
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as e:
            raise ValueError(f"malformed pipeline YAML: {e}") from None
        return cls.from_dict(data)

    @classmethod
    def from_preset(cls, name: str, **overrides: Any) -> FilmPipeline:
        """Build a named preset (see :func:`list_presets`).

        Overrides: ``seed``; medium fields ``gauge``, ``stock``, ``scan_width_px``, ``tape``; and, for a
        transform called ``grain`` (say), ``grain={"strength": 1.5}`` to change its parameters wherever it
        appears in the preset.
        """
        data = _load_preset(name)
        medium = dict(data.get("medium") or {})
        for key in list(overrides):
            if key in ("gauge", "stock", "scan_width_px", "tape"):
                medium[key] = overrides.pop(key)
                if key == "gauge" and "stock" not in overrides:
                    medium.pop("stock", None)
        data["medium"] = medium
        if "seed" in overrides:
            data["seed"] = overrides.pop("seed")
        present: set[str] = set()

        def patch(nodes: list[dict[str, Any]]) -> None:
            for n in nodes:
                present.add(n["name"])
                if n["name"] in overrides:
                    changes = overrides[n["name"]]
                    if not isinstance(changes, dict):
                        raise TypeError(f"override {n['name']} must be a dict of parameters, got {changes!r}")
                    n.update(changes)
                patch(n.get("transforms", []))

        patch(data["transforms"])
        unknown = set(overrides) - present
        if unknown:
            raise ValueError(
                f"unknown override(s) for preset {name!r}: {', '.join(sorted(unknown))}; "
                f"use seed, gauge, stock, scan_width_px, tape or one of: {', '.join(sorted(present))}"
            )
        return cls.from_dict(data)

    def __repr__(self) -> str:
        return f"FilmPipeline({self.transforms!r}, seed={self.seed}, medium={self.medium!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, FilmPipeline) and other.to_dict() == self.to_dict()

    __hash__ = None  # type: ignore[assignment]


# --- presets ---------------------------------------------------------------------------------------------
def _preset_dir() -> Any:
    return resources.files("filmdegrade.data").joinpath("presets")


def list_presets() -> list[str]:
    """Names of the bundled presets (YAML files in ``filmdegrade/data/presets``)."""
    return sorted(p.name[: -len(".yaml")] for p in _preset_dir().iterdir() if p.name.endswith(".yaml"))


def preset_path(name: str) -> Any:
    """The bundled YAML file of preset ``name`` (a :mod:`importlib.resources` traversable)."""
    if not isinstance(name, str):
        raise TypeError(f"preset name must be a str, got {type(name).__name__}")
    names = list_presets()
    if name not in names:
        raise ValueError(f"unknown preset {name!r}; known: {', '.join(names)}")
    return _preset_dir().joinpath(f"{name}.yaml")


def _load_preset(name: str) -> dict[str, Any]:
    data = yaml.safe_load(preset_path(name).read_text(encoding="utf-8"))
    data.setdefault("name", name)
    return data
