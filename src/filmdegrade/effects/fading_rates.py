"""Fading rates: the dye-stability classes (``data/fading.toml``) and the kinetics of dye loss.

A stock names a dye-stability class (chromogenic dyes, or ``silver`` for black-and-white). Each class row
holds the dark-fading rate per dye at a reference temperature and RH, the activation energy (Arrhenius),
the RH exponent and the light sensitivity; :func:`dye_fractions` turns storage time, temperature, RH and
light dose into the fraction of each dye's density that is left, and :func:`fit_fading` estimates those
fractions back from a faded frame. Used by :mod:`filmdegrade.effects.fading`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

import numpy as np

from filmdegrade.arrays import as_float_clip
from filmdegrade.media import get_stock, list_stocks, load_table

__all__ = [
    "GAS_CONSTANT",
    "FadingFit",
    "arrhenius_factor",
    "dye_fractions",
    "fit_fading",
    "get_stability_class",
    "list_stability_classes",
]

GAS_CONSTANT = 8.314462618  # J/(mol K), CODATA 2018


# --- data ------------------------------------------------------------------------------------------------
def _fading_table() -> MappingProxyType:
    return load_table("fading")


def list_stability_classes() -> list[str]:
    """Names of the dye-stability classes in ``data/fading.toml``."""
    return sorted(_fading_table())


def get_stability_class(name: str) -> dict[str, Any]:
    """The ``fading.toml`` row of a dye-stability class, or of the class a stock names.

    Parameters
    ----------
    name : str
        A class (``"kodachrome"``, ``"eastmancolor_pre1982"``...) or a stock id from ``stocks.toml``.

    Returns
    -------
    dict
        The row (rates per year, reference °C and % RH, activation energy kJ/mol, ...), plus ``"id"``.
    """
    table = _fading_table()
    if not isinstance(name, str):
        raise TypeError(f"stock must be a stock or dye-stability class name (str), got {type(name).__name__}")
    if name not in table:
        if name not in list_stocks():
            raise ValueError(
                f"unknown stock or dye-stability class {name!r}; classes: {', '.join(sorted(table))}; "
                f"stocks: {', '.join(list_stocks())}"
            )
        name = get_stock(name).dye_stability
        if name not in table:  # pragma: no cover - guards the data files
            raise ValueError(f"stocks.toml names dye_stability {name!r}, which fading.toml lacks")
    return {"id": name, **table[name]}


# --- rate model -----------------------------------------------------------------------------------------
def arrhenius_factor(storage_c: float, t_ref_c: float, activation_energy_kj: float) -> float:
    """Rate at ``storage_c`` relative to the rate at ``t_ref_c``: ``exp(-(Ea/R)(1/T − 1/T_ref))``.

    Parameters
    ----------
    storage_c, t_ref_c : float
        Storage and reference temperature, °C.
    activation_energy_kj : float
        Activation energy, kJ/mol.

    Returns
    -------
    float
        Dimensionless acceleration factor (> 1 when warmer than the reference).
    """
    t, t_ref = storage_c + 273.15, t_ref_c + 273.15
    return math.exp(-(activation_energy_kj * 1000.0 / GAS_CONSTANT) * (1.0 / t - 1.0 / t_ref))


def dye_fractions(
    cls: dict[str, Any],
    *,
    years: float,
    storage_c: float,
    rh: float,
    projection_hours: float = 0.0,
    lux: float = 1.0e6,
    activation_energy_kj: float | None = None,
) -> np.ndarray:
    """Fraction of each dye's density left after dark storage and light exposure.

    ``f_i = exp(-k_i(T, RH)·years − s_i·lux·hours/10⁶)`` with ``k_i(T, RH) = k_ref,i · arrhenius ·
    (RH/RH_ref)^n`` from the class row (see ``data/fading.toml``).

    Parameters
    ----------
    cls : dict
        A row from :func:`get_stability_class`.
    years : float
        Dark-storage time, years.
    storage_c : float
        Storage temperature, °C.
    rh : float
        Storage relative humidity, %.
    projection_hours : float
        Hours of exposure (projection or display), h.
    lux : float
        Illuminance on the film during that exposure, lx.
    activation_energy_kj : float, optional
        Overrides the class's activation energy, kJ/mol.

    Returns
    -------
    numpy.ndarray, float64
        ``(f_cyan, f_magenta, f_yellow)`` in (0, 1] for chromogenic classes, a 1-element array for silver
        (the fraction of highlight silver density kept).
    """
    ea = cls["activation_energy_kj_mol"] if activation_energy_kj is None else activation_energy_kj
    k_ref = np.atleast_1d(np.asarray(cls["k_ref_per_year"], dtype=np.float64))
    s = np.atleast_1d(np.asarray(cls["light_sensitivity_per_mlxh"], dtype=np.float64))
    accel = arrhenius_factor(storage_c, cls["t_ref_c"], ea)
    accel *= (rh / cls["rh_ref_percent"]) ** cls["rh_exponent"]
    return np.exp(-k_ref * accel * years - s * (lux * projection_hours / 1.0e6))


# --- fitting ----------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class FadingFit:
    """Fading parameters estimated from a frame's colour statistics.

    Attributes
    ----------
    dye_fractions : tuple of float
        Estimated density fraction kept per dye (cyan, magenta, yellow), in (0, 1].
    cast_ab : tuple of float
        Median (a*, b*) of the frame, CIELAB units (the grey-world cast).
    """

    dye_fractions: tuple[float, float, float]
    cast_ab: tuple[float, float]


def fit_fading(
    image: np.ndarray,
    *,
    stock: str = "eastmancolor_pre1982",
    quantile: float = 0.995,
    d_max: float | None = None,
) -> FadingFit:
    """Estimate per-dye fractions and the cast of a faded colour frame.

    Assumes the unfaded frame held a neutral black at the stock's D-max (true blacks) and no colour
    denser in one dye than that black: a dye's fraction is then its ``quantile`` analytical density over
    the analytical density of the unfaded black. Used by calibration.

    Parameters
    ----------
    image : numpy.ndarray
        ``H×W×3`` or ``T×H×W×3`` sRGB, uint8 or float in [0, 1].
    stock : str
        Stock or dye-stability class, for the crosstalk matrix and D-max.
    quantile : float
        Quantile of the analytical density taken as the faded D-max (robust to noise).
    d_max : float, optional
        Net D-max of the unfaded film; default the class's ``dmax_net``.

    Returns
    -------
    FadingFit
    """
    from filmdegrade.measure.colour import colour_cast, dye_densities

    cls = get_stability_class(stock)
    if cls["kind"] != "chromogenic":
        raise ValueError(f"fit_fading needs a colour (chromogenic) stock, got class {cls['id']!r}")
    frames, _ = as_float_clip(image)
    if frames.shape[-1] != 3:
        raise ValueError("fit_fading needs a 3-channel image")
    dm = float(cls["dmax_net"]) if d_max is None else float(d_max)
    m = np.asarray(cls["crosstalk"], np.float64)
    a = dye_densities(frames, crosstalk=m, d_max=dm).reshape(-1, 3)
    top = np.quantile(a, quantile, axis=0)
    black = np.linalg.solve(m, np.full(3, dm))  # analytical densities of an unfaded neutral black
    f = np.clip(top / black, 1e-3, 1.0)
    cast = colour_cast(frames)
    return FadingFit(dye_fractions=(float(f[0]), float(f[1]), float(f[2])), cast_ab=cast)
