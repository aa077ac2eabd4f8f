"""albumentations transforms (``pip install "filmdegrade[albumentations]"``: albumentations>=2.0.8,<2.1).

Re-exports :mod:`filmdegrade.integrations.albumentations`: :class:`FilmDegrade` and the per-effect classes
(``FilmGrain`` for ``grain``...). Attribute access is forwarded, so adapters made later by
``register_effect_adapters()`` are visible here too. Serialised pipelines name the classes by their home,
``filmdegrade.integrations.albumentations.<Class>``; importing this module registers them for ``A.from_dict``.

>>> from filmdegrade.albumentations import FilmDegrade   # doctest: +SKIP
"""

from __future__ import annotations

from typing import Any

try:
    from filmdegrade.integrations import albumentations as _impl
except ModuleNotFoundError as e:  # pragma: no cover - depends on the environment
    if e.name == "albumentations":
        raise ModuleNotFoundError(
            "filmdegrade.albumentations needs albumentations>=2.0.8,<2.1: "
            "pip install 'filmdegrade[albumentations]'",
            name="albumentations",
        ) from e
    raise

from filmdegrade.integrations.albumentations import (  # noqa: F401  (re-exports)
    FilmDegrade,
    check_albumentations,
    effect_adapter_names,
    register_effect_adapters,
    sample_seed,
)


def __getattr__(name: str) -> Any:
    try:
        return getattr(_impl, name)
    except AttributeError:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_impl.__all__))


__all__ = list(_impl.__all__)  # the per-effect classes are made at import time
