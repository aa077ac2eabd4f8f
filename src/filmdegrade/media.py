"""Physical media: film gauges, film stocks and tape formats, and the µm-per-pixel scale of a scan.

The tables live in ``filmdegrade/data/{gauges,stocks,tapes,sensitivity}.toml``; every measured value
there carries a ``source`` and a ``status`` (``V`` verified, ``S`` secondary, ``M`` textbook/unchecked, ``E``
estimated by this project). :class:`Medium` ties a gauge, a stock and optionally a tape format to a scan,
and converts physical lengths (µm on the film) to pixels of the image being degraded.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from types import MappingProxyType
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

__all__ = [
    "Gauge",
    "Medium",
    "Stock",
    "TapeFormat",
    "get_gauge",
    "get_stock",
    "get_tape",
    "list_gauges",
    "list_stocks",
    "list_tapes",
    "load_table",
]

STOCK_KINDS = ("colour_reversal", "colour_negative", "colour_print", "bw_negative", "bw_reversal", "bw_print")


@cache
def load_table(name: str) -> MappingProxyType:
    """The package data table ``filmdegrade/data/<name>.toml`` (read once, read-only mapping)."""
    text = resources.files("filmdegrade.data").joinpath(f"{name}.toml").read_text(encoding="utf-8")
    return MappingProxyType(tomllib.loads(text))


_table = load_table  # short internal name used by the lookups below and the docs' table pages


def _lookup(table: str, what: str, key: str) -> dict[str, Any]:
    if not isinstance(key, str):
        raise TypeError(f"{what} must be a name (str), got {type(key).__name__}")
    data = _table(table)
    if key not in data:
        raise ValueError(f"unknown {what} {key!r}; known: {', '.join(sorted(data))}")
    return dict(data[key])


@dataclass(frozen=True)
class Gauge:
    """A film gauge.

    Attributes
    ----------
    id : str
        Table key, e.g. ``"super8"``.
    frame_width_mm, frame_height_mm : float
        Camera aperture (the image area), mm.
    scratch_angle_deg : float
        Typical angle of line scratches from the vertical, degrees.
    weave_rms_um : float
        Typical RMS gate weave, µm on the film (estimated where no measurement exists).
    default_stock : str
        Stock used when a :class:`Medium` names only the gauge.
    info : mapping
        The whole table row, including every ``*_source`` and ``*_status``.
    """

    id: str
    name: str
    frame_width_mm: float
    frame_height_mm: float
    scratch_angle_deg: float
    weave_rms_um: float
    default_stock: str
    info: dict[str, Any] = field(repr=False, compare=False)


@dataclass(frozen=True)
class Stock:
    """A film stock.

    Attributes
    ----------
    kind : str
        One of ``colour_reversal``, ``colour_negative``, ``colour_print``, ``bw_negative``, ``bw_reversal``,
        ``bw_print``.
    layer_order : tuple of str
        Dye layers from the emulsion surface to the base (``("silver",)`` for B&W).
    rms_granularity : float
        Diffuse RMS granularity ×1000 at a 48 µm aperture and net density 1.0 (σ_D = value / 1000).
    rms_granularity_status : str
        ``"E"`` when no published number exists and the value is this project's estimate.
    grain_size_um : float
        Grain-clump / dye-cloud correlation length, µm (estimated for every stock).
    dye_stability : str
        Dye-stability class used by the fading model.
    scene_sensitivity : str or None
        B&W stocks: the spectral response with which the scene was recorded, a row of
        ``filmdegrade/data/sensitivity.toml`` (``"panchromatic"`` or ``"orthochromatic"``; for a print, the
        response of the camera negative it was struck from). ``None`` for colour stocks.
    """

    id: str
    name: str
    kind: str
    layer_order: tuple[str, ...]
    rms_granularity: float
    rms_granularity_status: str
    grain_size_um: float
    dye_stability: str
    scene_sensitivity: str | None = None
    info: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def is_colour(self) -> bool:
        """True for chromogenic (three dye layer) stocks."""
        return self.kind.startswith("colour")

    @property
    def is_positive(self) -> bool:
        """True when the scanned image is the film itself viewed as a positive (reversal or print)."""
        return self.kind.endswith(("reversal", "print"))

    @property
    def granularity_is_estimated(self) -> bool:
        """True when :attr:`rms_granularity` is not a published value."""
        return self.rms_granularity_status == "E"


@dataclass(frozen=True)
class TapeFormat:
    """A video tape (or early digital) format. Bandwidths in MHz, SNR in dB; ``info`` holds every field."""

    id: str
    name: str
    kind: str
    system: str
    lines: int
    info: dict[str, Any] = field(repr=False, compare=False)

    def __getattr__(self, item: str) -> Any:
        # Format-specific numbers (luma_bandwidth_mhz, snr_db, ...) come straight from the table row.
        info = object.__getattribute__(self, "info")
        if item in info:
            return info[item]
        raise AttributeError(f"tape format {self.id!r} has no field {item!r}")


@cache
def get_gauge(name: str) -> Gauge:
    """Return the :class:`Gauge` called ``name`` (raises ``ValueError`` listing known gauges)."""
    row = _lookup("gauges", "gauge", name)
    return Gauge(
        id=name,
        name=row["name"],
        frame_width_mm=float(row["frame_width_mm"]),
        frame_height_mm=float(row["frame_height_mm"]),
        scratch_angle_deg=float(row["scratch_angle_deg"]),
        weave_rms_um=float(row["weave_rms_um"]),
        default_stock=row["default_stock"],
        info=row,
    )


@cache
def get_stock(name: str) -> Stock:
    """Return the :class:`Stock` called ``name`` (raises ``ValueError`` listing known stocks)."""
    row = _lookup("stocks", "stock", name)
    if row["kind"] not in STOCK_KINDS:  # pragma: no cover - guards the data file
        raise ValueError(f"stock {name!r} has an unknown kind {row['kind']!r}")
    response = row.get("scene_sensitivity")
    if (response is None) != row["kind"].startswith("colour") or (
        response is not None and response not in _table("sensitivity")
    ):  # pragma: no cover - guards the data file: every B&W stock, and only those, names a known response
        raise ValueError(f"stock {name!r} has a missing or unknown scene_sensitivity {response!r}")
    return Stock(
        id=name,
        name=row["name"],
        kind=row["kind"],
        layer_order=tuple(row["layer_order"]),
        rms_granularity=float(row["rms_granularity"]),
        rms_granularity_status=row["rms_granularity_status"],
        grain_size_um=float(row["grain_size_um"]),
        dye_stability=row["dye_stability"],
        scene_sensitivity=response,
        info=row,
    )


@cache
def get_tape(name: str) -> TapeFormat:
    """Return the :class:`TapeFormat` called ``name`` (raises ``ValueError`` listing known formats)."""
    row = _lookup("tapes", "tape format", name)
    return TapeFormat(
        id=name, name=row["name"], kind=row["kind"], system=row["system"], lines=int(row["lines"]), info=row
    )


def list_gauges() -> list[str]:
    """Names of the known gauges."""
    return sorted(_table("gauges"))


def list_stocks() -> list[str]:
    """Names of the known film stocks."""
    return sorted(_table("stocks"))


def list_tapes() -> list[str]:
    """Names of the known tape formats."""
    return sorted(_table("tapes"))


@dataclass(frozen=True)
class Medium:
    """The physical medium an image comes from, and how it was scanned.

    Parameters
    ----------
    gauge : str
        Film gauge (see :func:`list_gauges`). Default ``"35mm_academy"``.
    stock : str, optional
        Film stock (see :func:`list_stocks`); default: the gauge's default stock.
    scan_width_px : int, optional
        Width in pixels that the gauge's full frame width has in the scan. Default ``None``: the image
        width spans the frame width. Set it when the image is a crop of a larger scan, so that physical
        sizes (µm) keep their scale.
    tape : str, optional
        Tape format the film (or video) went through, e.g. ``"vhs_sp"`` (see :func:`list_tapes`).
    """

    gauge: str = "35mm_academy"
    stock: str | None = None
    scan_width_px: int | None = None
    tape: str | None = None

    def __post_init__(self) -> None:
        get_gauge(self.gauge)
        if self.stock is None:
            object.__setattr__(self, "stock", get_gauge(self.gauge).default_stock)
        get_stock(self.stock)
        if self.scan_width_px is not None:
            if isinstance(self.scan_width_px, bool) or not isinstance(self.scan_width_px, int):
                raise TypeError(f"scan_width_px must be an int or None, got {self.scan_width_px!r}")
            if self.scan_width_px < 1:
                raise ValueError(f"scan_width_px must be >= 1, got {self.scan_width_px}")
        if self.tape is not None:
            get_tape(self.tape)

    @property
    def gauge_info(self) -> Gauge:
        """The :class:`Gauge` record."""
        return get_gauge(self.gauge)

    @property
    def stock_info(self) -> Stock:
        """The :class:`Stock` record."""
        return get_stock(self.stock)  # type: ignore[arg-type]

    @property
    def tape_info(self) -> TapeFormat | None:
        """The :class:`TapeFormat` record, or ``None``."""
        return None if self.tape is None else get_tape(self.tape)

    def um_per_px(self, image_width: int) -> float:
        """Film-plane size of one pixel, µm, for an image ``image_width`` pixels wide."""
        width_px = self.scan_width_px if self.scan_width_px is not None else image_width
        if width_px < 1:
            raise ValueError(f"image_width must be >= 1, got {width_px}")
        return self.gauge_info.frame_width_mm * 1000.0 / float(width_px)

    def um_to_px(self, um: float, image_width: int) -> float:
        """Convert a length on the film (µm) to pixels of an image ``image_width`` pixels wide."""
        return float(um) / self.um_per_px(image_width)

    def to_dict(self) -> dict[str, Any]:
        """Plain-dict form (for YAML/JSON)."""
        return {
            "gauge": self.gauge,
            "stock": self.stock,
            "scan_width_px": self.scan_width_px,
            "tape": self.tape,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any] | None) -> Medium:
        """Inverse of :meth:`to_dict`; unknown keys raise ``ValueError``."""
        if d is None:
            return cls()
        if not isinstance(d, dict):
            raise TypeError(f"medium must be a mapping, got {type(d).__name__}")
        unknown = set(d) - {"gauge", "stock", "scan_width_px", "tape"}
        if unknown:
            raise ValueError(f"unknown medium field(s): {', '.join(sorted(unknown))}")
        return cls(**d)
