"""Calibrated-versus-measured checks: simulate, measure with :mod:`filmdegrade.measure`, compare.

Each ``*_check`` function runs one effect on small synthetic content, measures the result with the
library's own measurement functions and returns :class:`Check` objects holding the measured value, the
target (a published value from the package data, or the configured value where nothing is published)
and the tolerance band. The documentation gallery plots these objects and
``tests/filmdegrade/test_validation.py`` asserts ``check.passed`` for the same calls, so the docs and the
tests show the same numbers and the same tolerances.

Every check is seeded (``seed=0`` by default) and sized to run in about a second on one core.

>>> from filmdegrade.validation import flicker_check
>>> [c.passed for c in flicker_check()]  # doctest: +SKIP
[True, True]
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from filmdegrade.colour import linear_to_srgb
from filmdegrade.media import Medium, get_gauge, get_stock, get_tape
from filmdegrade.pipeline import FilmPipeline

__all__ = [
    "FADING_ANCHORS",
    "Check",
    "boolean_grain_available",
    "boolean_nps_check",
    "dust_check",
    "fading_anchor_checks",
    "fading_trajectory",
    "flicker_check",
    "grain_spectra",
    "granularity_check",
    "plot_checks",
    "real_footage_comparison",
    "real_footage_dir",
    "scratch_angle_check",
    "scratch_drift_check",
    "scratch_persistence_check",
    "selwyn_check",
    "sigma_density_check",
    "tape_bandwidth_check",
    "tape_snr_check",
    "weave_check",
]


@dataclass(frozen=True)
class Check:
    """One simulated-and-measured statistic against its target.

    Attributes
    ----------
    name : str
        What was measured, e.g. ``"RMS granularity kodachrome_25"``.
    measured : float
        The value measured on the simulation, in ``unit``.
    target : float
        The published (or configured) value, in ``unit``.
    tolerance : float
        Allowed deviation, in ``unit`` (absolute, already multiplied out for relative tolerances).
    passed : bool
        ``lower <= measured <= upper``.
    unit : str
        Unit of ``measured``, ``target`` and ``tolerance`` (``""`` for dimensionless values).
    lower, upper : float
        The accepted band (``target ∓ tolerance`` unless the check is one-sided, where one bound is
        infinite).
    source : str
        Where the target comes from, with its status letter (V verified, S secondary, M textbook,
        E estimated) or ``"configured"``.
    details : dict
        Extra arrays for plots (curves, series); not part of equality.
    """

    name: str
    measured: float
    target: float
    tolerance: float
    passed: bool
    unit: str
    lower: float
    upper: float
    source: str = ""
    details: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def __str__(self) -> str:
        """One line: measured, target, band and verdict."""
        mark = "ok" if self.passed else "FAIL"
        return (f"{self.name}: measured {self.measured:.4g} {self.unit}, target {self.target:.4g} "
                f"[{self.lower:.4g}, {self.upper:.4g}] {mark}")


def _check(
    name: str,
    measured: float,
    target: float,
    *,
    rel: float | None = None,
    abs_tol: float | None = None,
    unit: str = "",
    source: str = "",
    one_sided: str | None = None,
    details: dict[str, Any] | None = None,
) -> Check:
    """Build a :class:`Check` from a relative or absolute tolerance (``one_sided``: "min" or "max")."""
    tol = abs(target) * rel if rel is not None else float(abs_tol if abs_tol is not None else 0.0)
    lower, upper = target - tol, target + tol
    if one_sided == "min":
        upper = math.inf
    elif one_sided == "max":
        lower = -math.inf
    m = float(measured)
    return Check(name=name, measured=m, target=float(target), tolerance=float(tol),
                 passed=bool(np.isfinite(m) and lower <= m <= upper), unit=unit, lower=float(lower),
                 upper=float(upper), source=source, details=details or {})


def _srgb_at_density(d: float | np.ndarray) -> np.ndarray:
    """Return the sRGB value of a neutral patch of optical density ``d`` (transmittance 10^-d)."""
    lin = np.power(10.0, -np.asarray(d, np.float64)).astype(np.float32)
    return linear_to_srgb(np.repeat(lin[..., None], 3, axis=-1))[..., 0]


def _stock_source(stock: str) -> str:
    info = get_stock(stock).info
    status = info.get("rms_granularity_status", "")
    src = info.get("rms_granularity_source", info.get("source", ""))
    return f"{src} ({status})" if src else status


def plot_checks(
    checks: Sequence[Check],
    ax: Any = None,
    *,
    labels: Sequence[str] | None = None,
    horizontal: bool = False,
) -> Any:
    """Draw checks as measured points over their targets and tolerance bands (matplotlib).

    Parameters
    ----------
    checks : sequence of Check
        The checks, drawn in order along the category axis.
    ax : matplotlib.axes.Axes, optional
        Axes to draw in (default: a new figure).
    labels : sequence of str, optional
        Category labels (default: the check names).
    horizontal : bool
        Categories on the y axis (long labels).

    Returns
    -------
    matplotlib.axes.Axes
        The axes: grey bar = tolerance band, black tick = target, dot = measured (green passed, red failed).
    """
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(7, 0.45 * len(checks) + 1.5) if horizontal else (7, 3.5))
    labels = [c.name for c in checks] if labels is None else list(labels)
    pos = np.arange(len(checks))
    for i, c in enumerate(checks):
        m = c.measured if np.isfinite(c.measured) else c.target
        span = max(abs(c.target), abs(m), 1e-12)
        # a one-sided band is drawn to a little beyond the measured value and the target
        lo = c.lower if np.isfinite(c.lower) else min(c.target, m) - 0.2 * span
        hi = c.upper if np.isfinite(c.upper) else max(c.target, m) + 0.2 * span
        colour = "tab:green" if c.passed else "tab:red"
        m = c.measured if np.isfinite(c.measured) else np.nan  # a failed measurement draws no dot
        if horizontal:
            ax.barh(i, hi - lo, left=lo, height=0.6, color="0.85", label="tolerance" if i == 0 else None)
            ax.plot([c.target] * 2, [i - 0.3, i + 0.3], color="k", lw=2, label="target" if i == 0 else None)
            ax.plot(m, i, "o", color=colour, label="measured" if i == 0 else None)
        else:
            ax.bar(i, hi - lo, bottom=lo, width=0.6, color="0.85", label="tolerance" if i == 0 else None)
            ax.plot([i - 0.3, i + 0.3], [c.target] * 2, color="k", lw=2, label="target" if i == 0 else None)
            ax.plot(i, m, "o", color=colour, label="measured" if i == 0 else None)
    if horizontal:
        ax.set_yticks(pos, labels)
        ax.invert_yaxis()
    else:
        ax.set_xticks(pos, labels, rotation=30, ha="right")
    unit = checks[0].unit if checks else ""
    (ax.set_xlabel if horizontal else ax.set_ylabel)(unit)
    ax.legend(loc="best", fontsize="small")
    return ax


# --- grain ------------------------------------------------------------------------------------------------
def _grain_patch(
    stock: str, gauge: str, scan_width_px: int, *, density: float = 1.0, size: int = 256, frames: int = 2,
    seed: int = 0, model: str | None = None,
) -> tuple[np.ndarray, Medium]:
    from filmdegrade.effects.grain import Grain

    medium = Medium(gauge=gauge, stock=stock, scan_width_px=scan_width_px)
    img = np.full((frames, size, size, 3), float(_srgb_at_density(density)), np.float32)
    kw = {} if model is None else {"model": model}
    return FilmPipeline([Grain(**kw)], seed=seed, medium=medium)(img), medium


def granularity_check(
    stock: str,
    gauge: str = "super8",
    scan_width_px: int = 1440,
    aperture_um: float = 48.0,
    *,
    seed: int = 0,
    size: int = 256,
    frames: int = 2,
    rel_tol: float = 0.10,
) -> Check:
    """RMS granularity of a simulated uniform patch at D = 1.0 against the stock's published value.

    Parameters
    ----------
    stock, gauge : str
        Stock and gauge ids (``filmdegrade.media``).
    scan_width_px : int
        Scan width of the whole frame, pixels (sets the µm per pixel).
    aperture_um : float
        Microdensitometer aperture diameter, µm (48 for the published value).
    seed : int
        Pipeline seed.
    size, frames : int
        Patch side, pixels, and number of independent frames pooled.
    rel_tol : float
        Relative tolerance (0.10 = ±10 %).

    Returns
    -------
    Check
        Measured 1000·σ_D (visual density through the aperture) vs the published RMS granularity.
    """
    from filmdegrade.measure.granularity import rms_granularity, srgb_to_density

    out, medium = _grain_patch(stock, gauge, scan_width_px, size=size, frames=frames, seed=seed)
    measured = rms_granularity(srgb_to_density(out, visual=True), medium.um_per_px(size), aperture_um)
    st = get_stock(stock)
    return _check(f"RMS granularity {stock}", measured, st.rms_granularity, rel=rel_tol,
                  source=_stock_source(stock), details={"estimated": st.granularity_is_estimated,
                                                         "gauge": gauge, "scan_width_px": scan_width_px})


def selwyn_check(
    stock: str = "provia_100f",
    gauge: str = "35mm_academy",
    scan_width_px: int = 8192,
    apertures_um: Sequence[float] = (24.0, 34.0, 48.0, 68.0, 96.0),
    *,
    seed: int = 0,
    size: int = 320,
    frames: int = 2,
    rel_tol: float = 0.10,
) -> list[Check]:
    """Selwyn's law: σ_D·√A is the same for every aperture area A (grain much finer than the aperture).

    Parameters
    ----------
    stock, gauge : str
        Stock and gauge ids.
    scan_width_px : int
        Scan width of the whole frame, pixels.
    apertures_um : sequence of float
        Aperture diameters, µm.
    seed : int
        Pipeline seed.
    size, frames : int
        Patch side, pixels, and frames pooled.
    rel_tol : float
        Relative tolerance on σ_D·√A.

    Returns
    -------
    list of Check
        One per aperture: measured σ_D·√A (density·µm) against its value predicted from the published
        granularity at 48 µm, ``σ_48·√(π·24²)``.
    """
    from filmdegrade.measure.granularity import aperture_sigma_d, srgb_to_density

    out, medium = _grain_patch(stock, gauge, scan_width_px, size=size, frames=frames, seed=seed)
    d = srgb_to_density(out, visual=True)
    um = medium.um_per_px(size)
    target = get_stock(stock).rms_granularity / 1000.0 * math.sqrt(math.pi * 24.0**2)
    checks = []
    for ap in apertures_um:
        g = aperture_sigma_d(d, um, ap) * math.sqrt(math.pi * (ap / 2.0) ** 2)
        checks.append(_check(f"Selwyn σ·√A at {ap:g} µm", g, target, rel=rel_tol, unit="density·µm",
                             source="Selwyn 1935; Dainty & Shaw 1974 (M)",
                             details={"aperture_um": float(ap), "um_per_px": um}))
    return checks


def sigma_density_check(
    stock: str = "ektachrome_e100",
    gauge: str = "super8",
    scan_width_px: int = 1440,
    densities: Sequence[float] = (0.3, 0.6, 1.0, 1.5, 2.0),
    *,
    seed: int = 0,
    step_px: int = 80,
    height: int = 192,
    frames: int = 3,
    rel_tol: float = 0.10,
) -> list[Check]:
    """σ_D against density on a simulated step wedge, against ``σ_1·D^β`` (β from the stock data).

    Parameters
    ----------
    stock, gauge : str
        Stock and gauge ids.
    scan_width_px : int
        Scan width of the whole frame, pixels.
    densities : sequence of float
        Wedge step densities.
    seed : int
        Pipeline seed.
    step_px, height, frames : int
        Width of each step and height of the wedge, pixels; frames pooled.
    rel_tol : float
        Relative tolerance on σ_D at each step.

    Returns
    -------
    list of Check
        One per step: measured 1000·σ_D (48 µm aperture) against ``RMS·(D/1)^β``.
    """
    from filmdegrade.effects.grain import Grain, density_exponent
    from filmdegrade.measure.granularity import sigma_vs_density, srgb_to_density

    st = get_stock(stock)
    beta, beta_est = density_exponent(st)
    steps = np.asarray(densities, np.float64)
    labels = np.repeat(np.arange(len(steps)), step_px)[None, :].repeat(height, axis=0)
    row = _srgb_at_density(steps)[labels]
    img = np.repeat(row[None, :, :, None], 3, axis=-1).repeat(frames, axis=0).astype(np.float32)
    medium = Medium(gauge=gauge, stock=stock, scan_width_px=scan_width_px)
    out = FilmPipeline([Grain()], seed=seed, medium=medium)(img)
    md, sd = sigma_vs_density(srgb_to_density(out, visual=True), labels, medium.um_per_px(img.shape[2]))
    src = f"Nutting/Poisson σ_D ∝ D^β, β = {beta:g} ({'E' if beta_est else 'M'})"
    return [
        _check(f"σ_D at D = {d:g}", 1000 * s, st.rms_granularity * (d / 1.0) ** beta, rel=rel_tol,
               source=src, details={"density": float(d), "measured_density": float(m), "beta": beta})
        for d, m, s in zip(steps, md, sd, strict=True)
    ]


def boolean_grain_available() -> bool:
    """Whether :class:`~filmdegrade.effects.grain.Grain` accepts ``model="boolean"`` in this version."""
    from filmdegrade.effects.grain import Grain

    try:
        Grain(model="boolean")
    except (ValueError, TypeError):
        return False
    return True


def grain_spectra(
    stock: str = "kodachrome_25",
    gauge: str = "16mm",
    scan_width_px: int = 4096,
    *,
    seed: int = 0,
    size: int = 256,
    frames: int = 2,
    models: Sequence[str] = ("fast",),
) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Noise power spectra of uniform D = 1.0 patches rendered by each available grain model.

    Parameters
    ----------
    stock, gauge : str
        Stock and gauge ids.
    scan_width_px : int
        Scan width of the whole frame, pixels.
    seed : int
        Pipeline seed.
    size, frames : int
        Patch side, pixels, and frames averaged.
    models : sequence of str
        Grain models to render; those this version does not have are left out. ``"boolean"`` (Monte
        Carlo discs) is slow: over a minute for a 64×64 patch at typical scan sizes on one core.

    Returns
    -------
    dict
        ``model -> (freq, nps)`` from :func:`filmdegrade.measure.granularity.noise_power_spectrum`:
        cycles/mm and density²·µm² (visual density).
    """
    from filmdegrade.measure.granularity import noise_power_spectrum, srgb_to_density

    out: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    for model in models:
        if model == "boolean" and not boolean_grain_available():
            continue
        img, medium = _grain_patch(stock, gauge, scan_width_px, size=size, frames=frames, seed=seed,
                                   model=model)
        out[model] = noise_power_spectrum(srgb_to_density(img, visual=True), medium.um_per_px(size))
    return out


def boolean_nps_check(
    *,
    coverage: float = 0.9,
    radius_px: float = 2.0,
    filter_sigma_px: float = 0.8,
    n_samples: int = 64,
    size: int = 256,
    patches: int = 6,
    rel_tol: float = 0.15,
) -> list[Check]:
    """Fast grain spectrum against the Boolean (Newson et al.) reference, bin by bin.

    A uniform patch of grey level ``coverage`` is rendered with
    :func:`filmdegrade.effects.grain_boolean.render_boolean_grain` (discs of ``radius_px``, Gaussian PSF
    ``filter_sigma_px``, ``n_samples`` Monte-Carlo samples). The fast model's field
    (:func:`filmdegrade.effects.grain.correlated_noise`) is given the Boolean field's 1/e correlation
    radius (from the closed-form filtered covariance) and its variance including the Monte-Carlo term.
    The radially averaged noise power spectra (:func:`filmdegrade.measure.granularity.noise_power_spectrum`)
    are compared in every frequency bin of the band carrying 90 % of the Boolean power.

    Parameters
    ----------
    coverage : float
        Fraction of the area covered by grains, in (0, 1).
    radius_px, filter_sigma_px : float
        Disc radius and PSF standard deviation, pixels.
    n_samples : int
        Monte-Carlo samples per pixel of the Boolean renderer.
    size, patches : int
        Patch side, pixels, and the number of patches averaged per model.
    rel_tol : float
        Allowed relative deviation of the fast/Boolean power ratio from 1 in each bin.

    Returns
    -------
    list of Check
        One per bin (``measured`` = fast/Boolean power ratio, target 1); the first carries
        ``details["freq"]``, ``details["nps_boolean"]``, ``details["nps_fast"]`` (cycles/pixel and
        arbitrary power units) and ``details["f_band"]``.
    """
    from filmdegrade.effects import grain_boolean as gb
    from filmdegrade.effects.grain import correlated_noise
    from filmdegrade.measure.granularity import noise_power_spectrum, power_band

    boolean = np.stack([
        gb.render_boolean_grain(np.full((size, size), coverage), radius_px=radius_px,
                                filter_sigma_px=filter_sigma_px, n_samples=n_samples, rng=20 + i)
        for i in range(patches)
    ]).astype(np.float64)
    d = np.linspace(0.0, 2 * radius_px + 6 * filter_sigma_px, 4001)
    c = gb.filtered_covariance(d, coverage, radius_px, filter_sigma_px)
    ell = float(np.interp(-math.exp(-1.0), -c / c[0], d))  # c decreases monotonically: one 1/e crossing
    v_inf = float(c[0])
    v_n = v_inf + (coverage * (1 - coverage) - v_inf) / n_samples
    fast = np.stack([correlated_noise(100 + i, size, size, 1, ell) for i in range(patches)]) * math.sqrt(v_n)
    f, p_bool = noise_power_spectrum(boolean, 1.0, n_bins=16)  # 1 µm "pixels": cycles/mm = 1000 cycles/px
    _, p_fast = noise_power_spectrum(fast, 1.0, n_bins=16)
    _, f_hi = power_band(f, p_bool, 0.9)
    f, f_hi = f / 1000.0, f_hi / 1000.0
    source = "Newson et al. 2017 Boolean model (closed form + Monte Carlo)"
    checks = []
    for i in np.flatnonzero(f <= f_hi):
        name = f"NPS ratio fast/Boolean at {f[i]:.3f} cycles/px"
        checks.append(_check(name, p_fast[i] / p_bool[i], 1.0, rel=rel_tol, source=source))
    checks[0].details.update(freq=f, nps_boolean=p_bool, nps_fast=p_fast, f_band=f_hi, ell_px=ell)
    return checks


# --- scratches --------------------------------------------------------------------------------------------
def _scratch_clip(gauge: str, n_frames: int, h: int, w: int, seed: int, index: int = 0, **kw: Any):
    from filmdegrade.effects.scratches import Scratches

    x = np.full((n_frames, h, w, 3), 0.5, np.float32)
    return FilmPipeline([Scratches(**kw)], seed=seed, medium=Medium(gauge=gauge)).sample(x, index=index)


def scratch_angle_check(
    gauge: str, *, seed: int = 0, n_frames: int = 6, size: int = 256, abs_tol_deg: float = 1.0
) -> Check:
    """Hough-measured angle of simulated scratches against the gauge's configured scratch angle.

    Parameters
    ----------
    gauge : str
        Gauge id (its ``scratch_angle_deg`` is the target).
    seed : int
        Pipeline seed.
    n_frames, size : int
        Clip length and frame side, pixels.
    abs_tol_deg : float
        Tolerance, degrees.

    Returns
    -------
    Check
        Median over frames of :func:`filmdegrade.measure.lines.line_angle_deg` of the scratch mask;
        ``details["angles"]`` holds every frame's angle.
    """
    from filmdegrade.measure.lines import line_angle_deg

    g = get_gauge(gauge)
    s = _scratch_clip(gauge, n_frames, size, size, seed, rate_per_frame=0.2)
    angles = np.array([line_angle_deg(m) for m in s.masks["scratch"] if m.any()])
    measured = float(np.median(angles)) if angles.size else float("nan")
    src = f"{g.info.get('scratch_angle_source', '')} ({g.info.get('scratch_angle_status', '')})"
    worst = float(angles[np.argmax(np.abs(angles - g.scratch_angle_deg))]) if angles.size else float("nan")
    return _check(f"scratch angle {gauge}", measured, g.scratch_angle_deg, abs_tol=abs_tol_deg, unit="deg",
                  source=src, details={"angles": angles, "worst": worst})


def scratch_persistence_check(
    gauge: str = "super8", *, seed: int = 0, n_frames: int = 30, clips: int = 4, min_iou: float = 0.6
) -> Check:
    """Pooled soft IoU of consecutive scratch masks with the default settings (one-sided: ≥ ``min_iou``).

    Parameters
    ----------
    gauge : str
        Gauge id.
    seed : int
        Pipeline seed.
    n_frames, clips : int
        Frames per clip (128×256 px) and clips pooled.
    min_iou : float
        Smallest accepted IoU.

    Returns
    -------
    Check
        Measured :func:`filmdegrade.measure.lines.temporal_iou` pooled over clips;
        ``details["per_clip"]`` holds each clip's value.
    """
    from filmdegrade.effects.scratches import Scratches
    from filmdegrade.measure.lines import temporal_iou

    pipe = FilmPipeline([Scratches()], seed=seed, medium=Medium(gauge=gauge))
    x = np.full((n_frames, 128, 256, 3), 0.5, np.float32)
    inter = union = 0.0
    per_clip = []
    for index in range(clips):
        m = pipe.sample(x, index=index).masks["scratch"]
        i = float(np.minimum(m[:-1], m[1:]).sum(dtype=np.float64))
        u = float(np.maximum(m[:-1], m[1:]).sum(dtype=np.float64))
        inter, union = inter + i, union + u
        per_clip.append(temporal_iou(m))
    measured = inter / union if union > 0 else float("nan")
    return _check(f"scratch persistence {gauge}", measured, min_iou, abs_tol=0.0, source="issue 3 criterion",
                  one_sided="min", details={"per_clip": np.array(per_clip)})


def scratch_drift_check(
    gauge: str = "super8", drift_um_per_frame: float = 12.0, *, seed: int = 0, n_frames: int = 25,
    max_tries: int = 50,
) -> Check:
    """Largest measured frame-to-frame drift of a single simulated scratch against the configured bound.

    Parameters
    ----------
    gauge : str
        Gauge id.
    drift_um_per_frame : float
        Configured drift bound, µm per frame on the film.
    seed : int
        Pipeline seed; clip indices are tried in order until a clip holds exactly one scratch.
    n_frames : int
        Clip length (192×512 px frames).
    max_tries : int
        Clip indices tried.

    Returns
    -------
    Check
        Max of :func:`filmdegrade.measure.lines.lateral_drift_px` against the bound in pixels (one-sided,
        0.1 px position accuracy allowed); ``details`` holds the measured positions per frame.
    """
    from filmdegrade.effects.base import decode_params
    from filmdegrade.effects.scratches import Scratches, ScratchParams
    from filmdegrade.measure.lines import lateral_drift_px, line_positions_px

    medium = Medium(gauge=gauge)
    tr = Scratches(rate_per_frame=1e-4, mean_lifetime_frames=1e4, wobble_um=0.0,
                   drift_um_per_frame=drift_um_per_frame)
    pipe = FilmPipeline([tr], seed=seed, medium=medium)
    x = np.full((n_frames, 192, 512, 3), 0.5, np.float32)
    for index in range(max_tries):
        s = pipe.sample(x, index=index)
        p = decode_params(ScratchParams, s.record.params_of("scratches")[0])
        if p.angle_rad.size == 1 and p.occ_frame.size == n_frames:
            break
    else:
        raise RuntimeError(f"no single-scratch clip in {max_tries} tries (seed={seed})")
    bound_px = drift_um_per_frame / medium.um_per_px(x.shape[2])
    angle = float(np.rad2deg(p.angle_rad[0]))
    jumps = lateral_drift_px(s.masks["scratch"], angle, max_jump_px=3 * bound_px + 5)
    pos = np.array([(line_positions_px(m, angle)[:1].tolist() or [np.nan])[0] for m in s.masks["scratch"]])
    return _check(f"scratch drift {gauge}", float(jumps.max()) if jumps.size else float("nan"), bound_px,
                  abs_tol=0.1, unit="px/frame", source="configured", one_sided="max",
                  details={"positions_px": pos, "recorded_px": np.asarray(p.occ_x, np.float64),
                           "jumps_px": jumps, "bound_px": bound_px})


def dust_check(
    gauge: str = "super8", rate_per_frame: float = 6.0, *, seed: int = 0, n_frames: int = 40,
    max_iou: float = 0.1,
) -> Check:
    """Dust is impulsive: consecutive dust masks barely overlap.

    Parameters
    ----------
    gauge : str
        Gauge id.
    rate_per_frame : float
        Configured mean number of specks per frame.
    seed : int
        Pipeline seed.
    n_frames : int
        Clip length (256×256 px grey frames).
    max_iou : float
        Largest accepted pooled IoU of consecutive dust masks (one-sided; 5 % of specks stay for two
        frames by default).

    Returns
    -------
    Check
        Pooled IoU of ``mask > 0.5`` in consecutive frames (:func:`filmdegrade.measure.lines.temporal_iou`);
        ``details["counts"]`` holds the connected components per frame (:func:`cv2.connectedComponents`)
        and ``details["masks"]`` the masks.
    """
    import cv2

    from filmdegrade.effects.dust import Dust
    from filmdegrade.measure.lines import temporal_iou

    x = np.full((n_frames, 256, 256, 3), 0.5, np.float32)
    m = FilmPipeline([Dust(rate_per_frame=rate_per_frame)], seed=seed, medium=Medium(gauge=gauge)).sample(x)
    masks = m.masks["dust"]
    counts = np.array([cv2.connectedComponents((f > 0.5).astype(np.uint8))[0] - 1 for f in masks])
    return _check(f"dust temporal IoU {gauge}", temporal_iou(masks, threshold=0.5), max_iou, abs_tol=0.0,
                  source="Kokaram 1998: dirt lives one frame (M)", one_sided="max",
                  details={"counts": counts, "masks": masks})


# --- flicker and weave ------------------------------------------------------------------------------------
def flicker_check(
    strength_density: float = 0.03, correlation: float = 0.5, *, seed: int = 0, n_frames: int = 200,
    std_rel_tol: float = 0.15, ac_abs_tol: float = 0.1,
) -> list[Check]:
    """Measure the std and lag-1 autocorrelation of the mean-density series of a flickering grey clip.

    Parameters
    ----------
    strength_density : float
        Configured AR(1) standard deviation, density units.
    correlation : float
        Configured AR(1) lag-1 coefficient φ.
    seed : int
        Pipeline seed.
    n_frames : int
        Clip length (16×16 px frames).
    std_rel_tol, ac_abs_tol : float
        Tolerances: relative on the std, absolute on the autocorrelation.

    Returns
    -------
    list of Check
        ``[std, lag-1 autocorrelation]`` from :func:`filmdegrade.measure.temporal.flicker_stats`;
        ``details["series"]`` holds the mean-density series.
    """
    from filmdegrade.effects.flicker import Flicker
    from filmdegrade.measure.temporal import flicker_stats

    grey = np.full((n_frames, 16, 16, 3), 0.5, np.float32)
    st = flicker_stats(FilmPipeline([Flicker(strength_density, correlation)], seed=seed)(grey))
    det = {"series": st.series}
    return [
        _check("flicker std", st.std, strength_density, rel=std_rel_tol, unit="density", source="configured",
               details=det),
        _check("flicker lag-1 autocorrelation", st.autocorrelation, correlation, abs_tol=ac_abs_tol,
               source="configured", details=det),
    ]


def _weave_texture(h: int, w: int) -> np.ndarray:
    import cv2

    rng = np.random.default_rng(123)
    tex = cv2.GaussianBlur(rng.random((h, w, 3), dtype=np.float32), (0, 0), 1.5)
    return ((tex - tex.min()) / (tex.max() - tex.min())).astype(np.float32)


def weave_check(
    gauge: str = "super8", rms_um: float | None = None, correlation: float = 0.0, *, seed: int = 0,
    n_frames: int = 200, scan_width_px: int = 1920, rel_tol: float = 0.15,
) -> list[Check]:
    """Horizontal and vertical gate-weave RMS measured by phase correlation against the configuration.

    Parameters
    ----------
    gauge : str
        Gauge id (its ``weave_rms_um`` is the default ``rms_um``).
    rms_um : float, optional
        Configured weave RMS, µm on the film.
    correlation : float
        Configured lag-1 correlation of the weave.
    seed : int
        Pipeline seed.
    n_frames : int
        Clip length (64×96 px crops of a textured image).
    scan_width_px : int
        Scan width of the whole frame, pixels.
    rel_tol : float
        Relative tolerance on each RMS.

    Returns
    -------
    list of Check
        ``[dx std, dy std]`` in pixels from :func:`filmdegrade.measure.temporal.frame_shifts` against
        ``rms_um`` converted to pixels; ``details["shifts"]`` holds the ``T×2`` measured shifts.
    """
    from filmdegrade.effects.weave import GateWeave
    from filmdegrade.measure.temporal import frame_shifts

    h, w = 64, 96
    tex = _weave_texture(h, w)
    medium = Medium(gauge=gauge, scan_width_px=scan_width_px)
    rms = get_gauge(gauge).weave_rms_um if rms_um is None else float(rms_um)
    clip = np.ascontiguousarray(np.broadcast_to(tex, (n_frames, h, w, 3)))
    weave = GateWeave(rms, rotation_deg=0.0, correlation=correlation)
    sh = frame_shifts(FilmPipeline([weave], seed=seed, medium=medium)(clip), tex)
    want = medium.um_to_px(rms, w)
    ginfo = get_gauge(gauge).info
    src = f"{ginfo.get('weave_source', 'configured')} ({ginfo.get('weave_status', '')})"
    det = {"shifts": sh, "correlation": correlation, "um_per_px": medium.um_per_px(w)}
    return [
        _check(f"weave {ax} RMS {gauge}", float(sh[:, k].std(ddof=1)), want, rel=rel_tol, unit="px",
               source=src, details=det)
        for k, ax in enumerate(("dx", "dy"))
    ]


# --- fading -----------------------------------------------------------------------------------------------
#: Published dark-fading anchor points: ``(label, stock, dye index (0 cyan, 1 magenta, 2 yellow), years,
#: storage °C, RH %, dye loss fraction, tolerance, source)`` (film-physics.md 3.1).
FADING_ANCHORS = (
    ("pre-1982 print: cyan −10 % in 5 years", "eastmancolor_print_pre1982", 0, 5.0, 24.0, 40.0, 0.10, 0.02,
     "Nishimura (IPI), Conservation DistList 1996 (S)"),
    ("Kodachrome: yellow −20 % in 185 years", "kodachrome_40", 2, 185.0, 24.0, 40.0, 0.20, 0.03,
     "Wikipedia 'Kodachrome' via provisionals.blogspot.com 2013 (S)"),
)


def _dye_loss(stock: str, years: float, storage_c: float, rh: float, seed: int) -> np.ndarray:
    from filmdegrade.effects.fading import Fading, get_stability_class
    from filmdegrade.measure.colour import dye_density_balance

    rng = np.random.default_rng(seed)
    x = rng.uniform(0.15, 0.85, (64, 64, 3)).astype(np.float32)
    out = FilmPipeline([Fading(stock=stock, years=years, storage_c=storage_c, rh=rh, stain=0.0)], seed=3)(x)
    cls = get_stability_class(stock)
    kw = {"crosstalk": np.asarray(cls["crosstalk"]), "d_max": cls["dmax_net"]}
    return 1.0 - dye_density_balance(out, **kw) / dye_density_balance(x, **kw)


def fading_anchor_checks(*, seed: int = 0) -> list[Check]:
    """Dye loss measured on faded random colours at each published anchor point (:data:`FADING_ANCHORS`).

    Parameters
    ----------
    seed : int
        Seed of the random test colours.

    Returns
    -------
    list of Check
        Measured loss fraction of the anchor's dye (from
        :func:`filmdegrade.measure.colour.dye_density_balance` before and after) against the published
        loss; ``details["losses"]`` holds the (cyan, magenta, yellow) losses.
    """
    checks = []
    for label, stock, dye, years, temp, rh, loss, tol, src in FADING_ANCHORS:
        losses = _dye_loss(stock, years, temp, rh, seed)
        checks.append(_check(label, float(losses[dye]), loss, abs_tol=tol, unit="fraction", source=src,
                             details={"losses": losses, "stock": stock, "dye": dye, "years": years,
                                      "storage_c": temp, "rh": rh}))
    return checks


def fading_trajectory(
    stock: str, years: Sequence[float], storage_c: float = 24.0, rh: float = 40.0, *, level: float = 0.466
) -> np.ndarray:
    """CIELAB cast of a faded neutral grey over storage time.

    Parameters
    ----------
    stock : str
        Stock (its dye-stability class sets the kinetics).
    years : sequence of float
        Storage times, years.
    storage_c, rh : float
        Storage temperature, °C, and relative humidity, %.
    level : float
        sRGB level of the grey patch (0.466 ≈ 18 % grey).

    Returns
    -------
    numpy.ndarray, shape (len(years), 2)
        (a*, b*) from :func:`filmdegrade.measure.colour.colour_cast`, CIELAB units.
    """
    from filmdegrade.effects.fading import Fading
    from filmdegrade.measure.colour import colour_cast

    grey = np.full((16, 16, 3), level, np.float32)
    out = []
    for y in years:
        faded = FilmPipeline([Fading(stock=stock, years=float(y), storage_c=storage_c, rh=rh, stain=0.0)],
                             seed=3)(grey)
        out.append(colour_cast(faded))
    return np.array(out, np.float64)


# --- tape -------------------------------------------------------------------------------------------------
_FILTERS_ONLY = dict(snr_db=150, chroma_snr_db=150, jitter_us=0, edge_wave_us=0, dropouts_per_s=0,
                     head_switch_lines=0)


def tape_bandwidth_check(fmt: str = "vhs_sp", *, seed: int = 0, rel_tol: float = 0.15) -> list[Check]:
    """Luma and chroma −3 dB bandwidths measured on frequency sweeps against the format's bandwidths.

    Parameters
    ----------
    fmt : str
        Tape format id (``vhs_sp``, ``svhs``, ``betamax``...).
    seed : int
        Pipeline seed.
    rel_tol : float
        Relative tolerance on each bandwidth.

    Returns
    -------
    list of Check
        ``[luma, chroma]`` −3 dB frequencies in MHz (filters only: noise, time-base errors and events
        off), from :func:`filmdegrade.measure.bandwidth.sweep_response`; ``details`` holds the
        frequency (MHz) and response arrays.
    """
    from filmdegrade.colour import rgb_to_yiq, yiq_to_rgb
    from filmdegrade.effects.tape import Tape
    from filmdegrade.measure.bandwidth import cpw_to_mhz, cutoff_frequency, sweep_pattern, sweep_response

    info = get_tape(fmt).info
    a = info["active_line_us"]
    h, w = 480, 720
    checks = []
    for comp, freqs, amp, mean in (("luma", np.linspace(20, 340, 41), 0.25, 0.5),
                                   ("chroma", np.linspace(3, 80, 31), 0.12, 0.0)):
        sweep, band = sweep_pattern(w, h, freqs, amplitude=amp, mean=mean)
        if comp == "luma":
            x = np.repeat(sweep[..., None], 3, -1)
        else:
            yiq = np.stack([np.full((h, w), 0.5, np.float32), sweep, np.zeros_like(sweep)], -1)
            x = np.clip(yiq_to_rgb(yiq), 0, 1)
        k = 0 if comp == "luma" else 1
        before = rgb_to_yiq(x)[..., k]
        out = FilmPipeline([Tape(fmt, **_FILTERS_ONLY)], seed=seed)(x)
        resp = sweep_response(before, rgb_to_yiq(out)[..., k], band, freqs)
        f_mhz = cpw_to_mhz(freqs, a)
        measured = cpw_to_mhz(cutoff_frequency(freqs, resp), a)
        target = info[f"{comp}_bandwidth_mhz"]
        status = info.get(f"{comp}_bandwidth_status", "")
        checks.append(_check(f"{fmt} {comp} −3 dB", measured, target, rel=rel_tol, unit="MHz",
                             source=f"film-physics.md 5.1 ({status})",
                             details={"freq_mhz": f_mhz, "response": resp / resp[0]}))
    return checks


def tape_snr_check(fmt: str = "vhs_sp", *, seed: int = 0, abs_tol_db: float = 1.5) -> list[Check]:
    """Flat-field luma and chroma SNR of the tape model against the format's SNR.

    Parameters
    ----------
    fmt : str
        Tape format id.
    seed : int
        Pipeline seed.
    abs_tol_db : float
        Tolerance, dB.

    Returns
    -------
    list of Check
        ``[luma SNR, chroma SNR]`` in dB from :func:`filmdegrade.measure.bandwidth.flat_field_snr` on a
        mid-grey field (dropouts and head switching off).
    """
    from filmdegrade.colour import rgb_to_yiq, rgb_to_yuv
    from filmdegrade.effects.tape import Tape
    from filmdegrade.measure.bandwidth import flat_field_snr

    tape = get_tape(fmt)
    flat = np.full((2, 480 if tape.system != "pal" else 576, 720, 3), 0.5, np.float32)
    out = FilmPipeline([Tape(fmt, dropouts_per_s=0, head_switch_lines=0)], seed=seed)(flat)
    to = rgb_to_yuv if tape.system == "pal" else rgb_to_yiq
    yc = to(out)
    return [
        _check(f"{fmt} luma SNR", flat_field_snr(yc[..., 0]), tape.snr_db, abs_tol=abs_tol_db, unit="dB",
               source=f"tapes.toml ({tape.info.get('snr_status', '')})"),
        _check(f"{fmt} chroma SNR", flat_field_snr(yc[..., 1]), tape.info["chroma_snr_db"],
               abs_tol=abs_tol_db, unit="dB",
               source=f"tapes.toml ({tape.info.get('chroma_snr_status', '')})"),
    ]


# --- real footage -----------------------------------------------------------------------------------------
_REAL_CLIP = Path(
    "RRTN-old-film-restoration", "test_data_sample", "a_trip_down_market_street_before_the_fire"
)


def real_footage_dir(root: str | Path | None = None) -> Path | None:
    """Folder of the shared real silent-film clip, or ``None`` when it is not on this machine.

    Parameters
    ----------
    root : str or Path, optional
        Repository root (default: found from this file's location, ``src/filmdegrade/..``/..).

    Returns
    -------
    Path or None
        ``<root>/../shared/reference/realdata/RRTN-old-film-restoration/test_data_sample/
        a_trip_down_market_street_before_the_fire`` if it holds PNG frames.
    """
    base = Path(root) if root is not None else Path(__file__).resolve().parents[2]
    d = base.parent / "shared" / "reference" / "realdata" / _REAL_CLIP
    return d if d.is_dir() and any(d.glob("*.png")) else None


def _load_real(d: Path, n_frames: int, crop: tuple[int, int] | None) -> np.ndarray:
    import cv2

    frames = []
    for p in sorted(d.glob("*.png"))[:n_frames]:
        img = cv2.imread(str(p), cv2.IMREAD_COLOR)
        if img is None:
            raise OSError(f"could not read {p}")
        frames.append(cv2.cvtColor(img, cv2.COLOR_BGR2RGB))
    clip = np.stack(frames)
    if crop is not None:
        h, w = clip.shape[1:3]
        ch, cw = min(crop[0], h), min(crop[1], w)
        y0, x0 = (h - ch) // 2, (w - cw) // 2
        clip = clip[:, y0 : y0 + ch, x0 : x0 + cw]
    return np.ascontiguousarray(clip)


def real_footage_comparison(
    root: str | Path | None = None,
    *,
    n_frames: int = 16,
    crop: tuple[int, int] | None = (256, 320),
    seed: int = 0,
    rel_tol: float = 0.15,
    iterations: int = 2,
) -> list[Check]:
    """Statistics of the real silent-film clip against its calibrated simulation.

    The clip is measured and fitted by :func:`filmdegrade.calibrate.calibrate` (medium ``silent_bw``);
    for each fitted statistic the check compares the value measured on the real footage (target) with the
    value measured, by the same function, on the calibrated re-simulation.

    Parameters
    ----------
    root : str or Path, optional
        Repository root (see :func:`real_footage_dir`).
    n_frames : int
        Frames of the clip used.
    crop : (int, int), optional
        Centre crop (height, width), pixels, to keep the fit fast.
    seed : int
        Calibration seed.
    rel_tol : float
        Relative tolerance of each statistic.
    iterations : int
        Fixed-point steps of the calibration.

    Returns
    -------
    list of Check
        One per fitted statistic; ``[]`` when the clip is not on this machine.
    """
    from filmdegrade.calibrate import calibrate

    d = real_footage_dir(root)
    if d is None:
        return []
    clip = _load_real(d, n_frames, crop)
    res = calibrate(clip, "silent_bw", seed=seed, iterations=iterations)
    return [
        _check(f"{r['effect']}: {r['statistic']}", r["simulated"], r["measured"], rel=rel_tol, unit=r["unit"],
               source=f"measured on {d.name} ({clip.shape[0]} frames)",
               details={"effect": r["effect"], "params": res.params.get(r["effect"], {})})
        for r in res.fit
    ]
