"""filmdegrade: physically grounded, seedable film and tape degradation.

Public names: :class:`FilmPipeline`, :class:`OneOf`, :class:`SomeOf`, :class:`Sample`, :class:`Record`,
:class:`Medium`, :func:`list_presets`, and the transforms in :mod:`filmdegrade.effects`.
"""

from filmdegrade import effects
from filmdegrade.effects import (
    DV,
    TRANSFORMS,
    ClipContext,
    Codec,
    Dust,
    Fading,
    Flicker,
    GateWeave,
    Grain,
    Optics,
    Scratches,
    SpectralSensitivity,
    Tape,
    Transform,
)
from filmdegrade.media import Medium, list_gauges, list_stocks, list_tapes
from filmdegrade.pipeline import FilmPipeline, OneOf, Record, Sample, SomeOf, list_presets

__version__ = "0.1.0"

__all__ = [
    "DV",
    "TRANSFORMS",
    "ClipContext",
    "Codec",
    "Dust",
    "Fading",
    "FilmPipeline",
    "Flicker",
    "GateWeave",
    "Grain",
    "Medium",
    "OneOf",
    "Optics",
    "Record",
    "Sample",
    "Scratches",
    "SomeOf",
    "SpectralSensitivity",
    "Tape",
    "Transform",
    "effects",
    "list_gauges",
    "list_presets",
    "list_stocks",
    "list_tapes",
]
