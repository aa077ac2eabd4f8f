"""Fit the simulator to a user's own scans: measure, then match by re-simulation, then write a preset.

Method (indirect inference). The footage is measured with :func:`filmdegrade.measure.summary.measure_footage`.
For each effect the statistic it controls is then re-measured, with the same functions, on a *probe*:
the effect alone applied to synthetic clean content of the footage's size, and the effect's parameter
is rescaled by the measured/simulated ratio until the two agree (a few fixed-point steps). Measurement
biases (finite blocks, detrending, detector thresholds) therefore cancel, since both sides are measured
the same way. The effects and statistics:

========== ================================================ =================================================
effect     parameters fitted                                 statistic matched
========== ================================================ =================================================
grain      ``strength``, ``grain_size_um``                   noise σ and correlation length on flat regions
flicker    ``strength_density``, ``correlation``             std and lag-1 autocorrelation of mean density
dust       ``rate_per_frame``, ``diameter_um``, polarity     SDI blotch rate, sizes and dark fraction
scratches  ``angle_deg``, ``width_um``, rate, lifetime       Hough angle, line width, count, persistence
weave      ``rms_um``                                        jitter of frame-to-frame phase-correlation shifts
fading     ``mode="lab"``, ``cast_ab``                       median CIELAB (a*, b*) (colour footage only)
tape       luma/chroma bandwidth (MHz), ``snr_db``           flat-patch noise H/V spectrum and colour-edge
                                                             MTF cut-offs, flat-field SNR
========== ================================================ =================================================

Statistics that need several frames (flicker, dust, weave, scratch persistence) are fitted only from
clips; the other transforms of the base preset (chosen by the medium hint) are kept as they are.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import cv2
import numpy as np

from filmdegrade.media import Medium
from filmdegrade.pipeline import FilmPipeline, list_presets

__all__ = [
    "MEDIUM_ALIASES",
    "CalibrationResult",
    "calibrate",
    "flicker_standard_errors",
    "format_fit",
    "medium_from_hint",
    "preset_for_hint",
]

#: medium hints that are not preset names → preset names.
MEDIUM_ALIASES = {
    "8mm": "regular8",
    "standard8": "regular8",
    "s8": "super8",
    "super16": "16mm",
    "35mm_academy": "35mm",
    "35mm_full": "silent_bw",
    "bw": "silent_bw",
    "silent": "silent_bw",
    "vhs": "vhs_sp",
    "vhs_lp": "vhs_ep",
    "beta": "betamax",
    "hi8": "video8",
}


def preset_for_hint(hint: str) -> str:
    """Preset name for a medium hint (a preset name, or an alias in :data:`MEDIUM_ALIASES`)."""
    if not isinstance(hint, str):
        raise TypeError(f"medium hint must be a str, got {type(hint).__name__}")
    key = hint.strip().lower().replace("-", "_").replace(" ", "")
    names = list_presets()
    if key in names:
        return key
    if key in MEDIUM_ALIASES and MEDIUM_ALIASES[key] in names:
        return MEDIUM_ALIASES[key]
    known = sorted(set(names) | set(MEDIUM_ALIASES))
    raise ValueError(f"unknown medium {hint!r}; use one of: {', '.join(known)}")


def medium_from_hint(hint: str) -> Medium:
    """The :class:`Medium` of the preset a hint names (``super8``, ``16mm``, ``vhs``...)."""
    medium = FilmPipeline.from_preset(preset_for_hint(hint)).medium
    key = hint.strip().lower()
    if key == "super16":
        medium = Medium(gauge="super16", stock=medium.stock, tape=medium.tape)
    return medium


# --- result ---------------------------------------------------------------------------------------------
@dataclass
class CalibrationResult:
    """What :func:`calibrate` found.

    Attributes
    ----------
    pipeline : FilmPipeline
        The calibrated pipeline (write it with ``pipeline.to_yaml(path)``).
    measured : dict
        :func:`~filmdegrade.measure.summary.measure_footage` of the input.
    fit : list of dict
        One row per fitted statistic: ``{"effect", "statistic", "unit", "measured", "simulated",
        "std_error"}``, the simulated value measured on the final probe re-simulation; ``std_error`` is
        the sampling standard error of the measured value for the clip length where known (flicker),
        else ``nan``.
    params : dict
        Fitted parameters per effect name.
    notes : list of str
        Effects kept from the base preset and why.
    """

    pipeline: FilmPipeline
    measured: dict[str, Any]
    fit: list[dict[str, Any]] = field(default_factory=list)
    params: dict[str, dict[str, Any]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def format_fit(result: CalibrationResult) -> str:
    """The fit as a text table: measured and re-simulated statistic side by side."""
    head = f"{'effect':10s} {'statistic':28s} {'measured':>11s} {'± std err':>10s} {'simulated':>11s}"
    lines = [f"{head}  unit"]
    for r in result.fit:
        head = f"{r['effect']:10s} {r['statistic']:28s}"
        se = r.get("std_error", float("nan"))
        se_txt = f"{se:10.2g}" if np.isfinite(se) else f"{'':10s}"
        lines.append(f"{head} {r['measured']:11.4g} {se_txt} {r['simulated']:11.4g}  {r['unit']}")
    for name, p in result.params.items():
        lines.append(f"fitted {name}: " + ", ".join(f"{k}={_round(v)}" for k, v in p.items()))
    lines.extend(f"note: {n}" for n in result.notes)
    return "\n".join(lines)


def _round(v: Any) -> Any:
    if isinstance(v, float):
        return float(f"{v:.4g}")
    if isinstance(v, list | tuple):
        return [_round(x) for x in v]
    return v


# --- probes ---------------------------------------------------------------------------------------------
def _wedge(levels: np.ndarray, h: int, w: int, block: int = 32) -> np.ndarray:
    """Uniform blocks at the given grey levels (cycled), ``H×W×3`` float32: the flat areas of a scan."""
    ny, nx = -(-h // block), -(-w // block)
    lv = np.resize(np.asarray(levels, np.float32), ny * nx).reshape(ny, nx)
    img = np.kron(lv, np.ones((block, block), np.float32))[:h, :w]
    return np.repeat(img[..., None], 3, axis=-1)


def _natural(h: int, w: int, name: str = "coffee") -> np.ndarray:
    """A bundled photo resized to ``H×W``, float32 RGB (content for spectrum-based statistics)."""
    from filmdegrade.demo import bundled_image

    img = cv2.resize(bundled_image(name), (w, h), interpolation=cv2.INTER_AREA)
    return img.astype(np.float32) / np.float32(255.0)


def _simulate(node: dict[str, Any], clip: np.ndarray, medium: Medium, seed: int, extra=()) -> np.ndarray:
    pipe = FilmPipeline.from_dict({"seed": seed, "medium": medium.to_dict(), "transforms": [*extra, node]})
    return pipe(clip, index=0)


def _fixed_point(
    start: dict[str, float],
    simulate: Callable[[dict[str, float]], dict[str, float]],
    target: dict[str, float],
    update: Callable[[dict[str, float], dict[str, float], dict[str, float]], dict[str, float]],
    iterations: int,
) -> tuple[dict[str, float], dict[str, float]]:
    params, sim = dict(start), simulate(start)
    for _ in range(iterations):
        params = update(params, sim, target)
        sim = simulate(params)
    return params, sim


def _ratio(a: float, b: float, lo: float = 0.2, hi: float = 5.0) -> float:
    if not (np.isfinite(a) and np.isfinite(b)) or b <= 0:
        return 1.0
    return float(np.clip(a / b, lo, hi))


# --- the fit --------------------------------------------------------------------------------------------
def calibrate(
    frames: np.ndarray,
    medium: str | Medium = "super8",
    *,
    seed: int = 0,
    iterations: int = 3,
    probe_frames: int = 24,
    progress: bool = False,
) -> CalibrationResult:
    """Estimate effect parameters from footage and build a calibrated pipeline.

    Parameters
    ----------
    frames : numpy.ndarray
        Image ``H×W[×C]`` or clip ``T×H×W×C`` of the user's scans, uint8 or float in [0, 1].
    medium : str or Medium
        Medium hint (``super8``, ``16mm``, ``35mm``, ``vhs``... or a preset name, see
        :func:`preset_for_hint`): picks the base preset whose transforms are fitted.
    seed : int
        Seed of the probe re-simulations and of the returned pipeline.
    iterations : int
        Fixed-point steps per effect (3 is enough: the statistics are near-proportional to the
        parameters).
    probe_frames : int
        Length of the probe clips for temporal statistics, frames.
    progress : bool
        Show a progress bar over the effects.

    Returns
    -------
    CalibrationResult
    """
    from tqdm.auto import tqdm

    from filmdegrade.measure.summary import measure_footage

    hint = medium if isinstance(medium, str) else None
    base = FilmPipeline.from_preset(preset_for_hint(hint)) if hint else None
    med = medium_from_hint(hint) if hint else medium
    if not isinstance(med, Medium):
        raise TypeError(f"medium must be a hint string or a Medium, got {type(medium).__name__}")
    data = base.to_dict() if base is not None else {"transforms": []}
    clip = np.asarray(frames)
    clip = clip.astype(np.float32) / 255.0 if clip.dtype == np.uint8 else clip.astype(np.float32)
    if clip.ndim == 2:
        clip = clip[None, ..., None]
    elif clip.ndim == 3:
        clip = clip[None]
    if clip.shape[-1] == 1:
        clip = np.repeat(clip, 3, axis=-1)
    t, h, w, _ = clip.shape
    measured = measure_footage(clip, medium=med)
    names = [n.get("name") for n in data["transforms"]]
    result = CalibrationResult(pipeline=FilmPipeline([]), measured=measured)
    fits: dict[str, dict[str, Any]] = {}
    steps = [
        ("grain", _fit_grain),
        ("flicker", _fit_flicker),
        ("scratches", _fit_scratches),
        ("weave", _fit_weave),
        ("fading", _fit_fading),
        ("tape", _fit_tape),
        ("dust", _fit_dust),  # last: its probe carries the fitted grain
    ]
    ctx = {
        "clip": clip,
        "h": h,
        "w": w,
        "t": t,
        "medium": med,
        "seed": seed,
        "iterations": iterations,
        "fits": fits,
        "probe_frames": probe_frames,
        "quantised": np.asarray(frames).dtype == np.uint8,
        "measured": measured,
        "result": result,
        "base": data,
    }
    for name, fn in tqdm(steps, desc="calibrating", disable=not progress):
        if name not in names:
            continue
        node = fn(ctx)
        if node is not None:
            fits[name] = node
    out = []
    for n in data["transforms"]:
        if n.get("name") in fits:
            out.append(fits[n["name"]])
        else:
            out.append(n)
            if n.get("name") not in ("optics", "codec", "dv"):
                result.notes.append(
                    f"{n.get('name')}: kept from the base preset (not measurable from this input)"
                )
    desc = f"calibrated to {w}×{h} footage ({t} frame(s)) from the {hint or 'given'} medium"
    result.pipeline = FilmPipeline.from_dict(
        {"name": "calibrated", "description": desc, "seed": seed, "medium": med.to_dict(), "transforms": out}
    )
    return result


def _base_node(ctx: dict[str, Any], name: str) -> dict[str, Any]:
    return next(dict(n) for n in ctx["base"]["transforms"] if n.get("name") == name)


def _row(
    ctx: dict[str, Any],
    effect: str,
    stat: str,
    unit: str,
    measured: float,
    simulated: float,
    std_error: float = float("nan"),
) -> None:
    ctx["result"].fit.append(
        {
            "effect": effect,
            "statistic": stat,
            "unit": unit,
            "measured": float(measured),
            "simulated": float(simulated),
            "std_error": float(std_error),
        }
    )


def flicker_standard_errors(std: float, rho: float, n_frames: int) -> tuple[float, float]:
    """Standard errors of the flicker std and lag-1 autocorrelation measured on a clip of ``n_frames``.

    For an AR(1) series of lag-1 correlation ρ (the flicker model), the sample variance has
    ``Var(s²) ≈ 2σ⁴(1 + ρ²) / (n(1 − ρ²))`` (Bartlett), so ``SE(s) ≈ σ·sqrt((1 + ρ²) / (2n(1 − ρ²)))``,
    and the lag-1 autocorrelation ``SE(r₁) ≈ sqrt((1 − ρ²) / n)``. At ρ = 0.5: ±18 % of the std with 24
    frames, ±6 % with 256.

    Parameters
    ----------
    std : float
        Measured std of the mean density, density.
    rho : float
        Measured lag-1 autocorrelation (clipped to [−0.95, 0.95]; ``nan`` is taken as 0).
    n_frames : int
        Clip length, frames.

    Returns
    -------
    (float, float)
        Standard errors of the std (density) and of the autocorrelation; ``nan`` for fewer than 3 frames.
    """
    if n_frames < 3:
        return float("nan"), float("nan")
    r = float(np.clip(rho, -0.95, 0.95)) if np.isfinite(rho) else 0.0
    se_std = std * math.sqrt((1 + r * r) / (2.0 * n_frames * (1 - r * r)))
    return float(se_std), float(math.sqrt((1 - r * r) / n_frames))


def _fit_grain(ctx: dict[str, Any]) -> dict[str, Any] | None:
    from filmdegrade.measure.granularity import correlation_length
    from filmdegrade.measure.noise import flat_residuals

    noise = ctx["measured"]["noise"]
    if "sigma" not in noise:
        ctx["result"].notes.append("grain: no flat region found, kept from the base preset")
        return None
    med: Medium = ctx["medium"]
    # The probe's flat blocks take the grey levels of the footage's own flat blocks: grain σ in grey
    # levels depends on the level (σ_D varies with density, and the density-to-grey slope too).
    _res, levels = flat_residuals(ctx["clip"][:: max(1, ctx["t"] // 16)], max_frames=None)
    if not len(levels):
        levels = np.array([noise["mean_level"]])
    probe = _wedge(levels, ctx["h"], ctx["w"])[None].repeat(2, axis=0)
    node0 = _base_node(ctx, "grain")
    um = med.um_per_px(ctx["w"])

    def sim(p: dict[str, float]) -> dict[str, float]:
        node = {**node0, "strength": p["strength"], "grain_size_um": p["size_um"]}
        res, _ = flat_residuals(_simulate(node, probe, med, ctx["seed"]), max_frames=None)
        return {
            "sigma": float(np.median(res.reshape(len(res), -1).std(axis=1))),
            "ell": correlation_length(res),
        }

    def upd(p: dict[str, float], s: dict[str, float], tgt: dict[str, float]) -> dict[str, float]:
        # A field finer than a pixel measures ℓ = 0: grow it until it registers.
        grow = 2.0 if tgt["ell"] > 0 and not s["ell"] > 0 else _ratio(tgt["ell"], s["ell"])
        return {
            "strength": float(np.clip(p["strength"] * _ratio(tgt["sigma"], s["sigma"]), 0.0, 10.0)),
            "size_um": float(np.clip(p["size_um"] * grow, 0.1, 200.0)),
        }

    start = {
        "strength": float(node0.get("strength", 1.0)) if not isinstance(node0.get("strength"), list) else 1.0,
        "size_um": float(med.stock_info.grain_size_um),
    }
    target = {"sigma": noise["sigma"], "ell": noise["correlation_length_px"]}
    if np.isfinite(target["ell"]) and target["ell"] > 0:
        start["size_um"] = float(np.clip(target["ell"] * um, 0.1, 200.0))  # ℓ is the 1/e radius on both sides
    p, s = _fixed_point(start, sim, target, upd, ctx["iterations"])
    _row(ctx, "grain", "noise sigma", "grey level", target["sigma"], s["sigma"])
    _row(ctx, "grain", "correlation length", "px", target["ell"], s["ell"])
    ctx["result"].params["grain"] = {
        "strength": p["strength"],
        "grain_size_um": p["size_um"],
        "um_per_px": um,
    }
    return {**node0, "strength": round(p["strength"], 4), "grain_size_um": round(p["size_um"], 3)}


def _static_probe(ctx: dict[str, Any], n: int | None = None) -> np.ndarray:
    # A photo with the footage's mean grey level: clipping (and so the statistics) then behave alike.
    level = float(ctx["clip"].mean())
    img = _natural(ctx["h"], ctx["w"], "camera")
    img = np.clip(img * (level / max(float(img.mean()), 1e-3)), 0.0, 1.0)
    return np.repeat(img[None], n or max(ctx["probe_frames"], 8), axis=0)


def _fit_flicker(ctx: dict[str, Any]) -> dict[str, Any] | None:
    from filmdegrade.measure.temporal import flicker_stats

    fl = ctx["measured"].get("flicker")
    if fl is None or ctx["t"] < 4:
        return None
    # Probe: the footage's own mean frame, held still: same tones, so the same clipping of the density
    # offsets (a flicker statistic of a brighter probe would be cut by white clipping).
    probe = np.repeat(ctx["clip"].mean(axis=0, keepdims=True), max(ctx["t"], 16), axis=0)
    node0 = {
        k: v for k, v in _base_node(ctx, "flicker").items() if k not in ("uneven_strength", "uneven_drift")
    }

    def sim(p: dict[str, float]) -> dict[str, float]:
        node = {**node0, "strength_density": p["s"], "correlation": p["rho"], "uneven": False}
        # Several realisations: the std of one short series is itself noisy (~15 % at 24 frames), and
        # the fit should match the expected value, not one draw.
        sts = [flicker_stats(_simulate(node, probe, ctx["medium"], ctx["seed"] + k)) for k in range(6)]
        return {
            "s": float(np.sqrt(np.mean([x.std**2 for x in sts]))),
            "rho": float(np.nanmean([x.autocorrelation for x in sts])),
        }

    def upd(p: dict[str, float], s: dict[str, float], tgt: dict[str, float]) -> dict[str, float]:
        rho = p["rho"] + (tgt["rho"] - s["rho"]) if np.isfinite(s["rho"]) else p["rho"]
        return {
            "s": float(np.clip(p["s"] * _ratio(tgt["s"], s["s"]), 0.0, 1.0)),
            "rho": float(np.clip(rho, 0.0, 0.95)),
        }

    target = {
        "s": fl["std_density"],
        "rho": fl["autocorrelation"] if np.isfinite(fl["autocorrelation"]) else 0.5,
    }
    start = {"s": max(target["s"], 1e-4), "rho": float(np.clip(target["rho"], 0.0, 0.95))}
    p, s = _fixed_point(start, sim, target, upd, ctx["iterations"])
    se_s, se_rho = flicker_standard_errors(target["s"], target["rho"], ctx["t"])
    _row(ctx, "flicker", "mean density std", "density", target["s"], s["s"], se_s)
    _row(ctx, "flicker", "lag-1 autocorrelation", "", target["rho"], s["rho"], se_rho)
    ctx["result"].params["flicker"] = {"strength_density": p["s"], "correlation": p["rho"]}
    ctx["result"].notes.append(
        f"flicker: {ctx['t']} frames give the std to ±{100 * se_s / max(target['s'], 1e-12):.0f} % and the "
        f"lag-1 autocorrelation to ±{se_rho:.2f} (one standard error)"
    )
    return {**node0, "strength_density": round(p["s"], 5), "correlation": round(p["rho"], 3), "uneven": False}


def _fit_scratches(ctx: dict[str, Any]) -> dict[str, Any] | None:
    sc = ctx["measured"].get("scratches", {})
    node0 = _base_node(ctx, "scratches")
    um = ctx["medium"].um_per_px(ctx["w"])
    if "angle_deg_median" not in sc:
        node = {**node0, "rate_per_frame": 0.0}
        ctx["result"].params["scratches"] = {"rate_per_frame": 0.0}
        ctx["result"].notes.append("scratches: no line scratch found, rate set to 0")
        return node
    persistence = sc.get("persistence", float("nan"))
    lifetime = 1.0 / max(1.0 - persistence, 1e-2) if np.isfinite(persistence) and ctx["t"] > 1 else 30.0
    lifetime = float(np.clip(lifetime, 1.0, 500.0))
    rate = float(np.clip(sc["lines_per_frame"] / lifetime, 0.0, 100.0))
    width_um = float(np.clip(sc.get("width_px", 3.0) * um, 0.01, 1e4))
    node = {
        **node0,
        "angle_deg": round(float(np.clip(sc["angle_deg_median"], -45, 45)), 3),
        "width_um": [round(0.7 * width_um, 2), round(1.3 * width_um, 2)],
        "rate_per_frame": round(rate, 5),
        "mean_lifetime_frames": round(lifetime, 2),
    }
    for k, v in (("angle", sc["angle_deg_median"]), ("lines per frame", sc["lines_per_frame"])):
        _row(ctx, "scratches", k, "deg" if k == "angle" else "", v, float("nan"))
    ctx["result"].params["scratches"] = {
        "angle_deg": node["angle_deg"],
        "width_um": width_um,
        "rate_per_frame": rate,
        "mean_lifetime_frames": lifetime,
    }
    return node


def _fit_weave(ctx: dict[str, Any]) -> dict[str, Any] | None:
    from filmdegrade.measure.summary import _weave

    wv = ctx["measured"].get("weave")
    if wv is None or ctx["t"] < 4:
        return None
    probe = _static_probe(ctx)
    node0 = _base_node(ctx, "weave")
    um = ctx["medium"].um_per_px(ctx["w"])

    def sim(p: dict[str, float]) -> dict[str, float]:
        out = _simulate({**node0, "rms_um": p["r"]}, probe, ctx["medium"], ctx["seed"])
        return {"r": _weave(out)["rms_dx_px"]}

    def upd(p: dict[str, float], s: dict[str, float], tgt: dict[str, float]) -> dict[str, float]:
        return {"r": float(np.clip(p["r"] * _ratio(tgt["r"], s["r"]), 0.0, 1000.0))}

    target = {"r": wv["rms_dx_px"]}
    p, s = _fixed_point({"r": max(target["r"] * um, 0.1)}, sim, target, upd, ctx["iterations"])
    _row(ctx, "weave", "frame jitter rms dx", "px", target["r"], s["r"])
    ctx["result"].params["weave"] = {"rms_um": p["r"]}
    return {**node0, "rms_um": round(p["r"], 3)}


def _fit_fading(ctx: dict[str, Any]) -> dict[str, Any] | None:
    from filmdegrade.measure.colour import colour_cast

    col = ctx["measured"].get("colour")
    if col is None or math.hypot(col["cast_a"], col["cast_b"]) < 1.5:
        return None
    probe = _wedge(np.linspace(0.15, 0.85, 8), ctx["h"], ctx["w"])[None]
    node0 = {"name": "fading", "mode": "lab", "chroma": 1.0, "contrast": 1.0, "black_level": 0.0}

    def sim(p: dict[str, float]) -> dict[str, float]:
        a, b = colour_cast(
            _simulate({**node0, "cast_ab": [p["a"], p["b"]]}, probe, ctx["medium"], ctx["seed"])
        )
        return {"a": float(a), "b": float(b)}

    def upd(p: dict[str, float], s: dict[str, float], tgt: dict[str, float]) -> dict[str, float]:
        return {"a": p["a"] + tgt["a"] - s["a"], "b": p["b"] + tgt["b"] - s["b"]}

    target = {"a": col["cast_a"], "b": col["cast_b"]}
    p, s = _fixed_point(dict(target), sim, target, upd, ctx["iterations"])
    _row(ctx, "fading", "cast a*", "CIELAB", target["a"], s["a"])
    _row(ctx, "fading", "cast b*", "CIELAB", target["b"], s["b"])
    ctx["result"].params["fading"] = {"cast_ab": [p["a"], p["b"]]}
    return {**node0, "cast_ab": [round(p["a"], 3), round(p["b"], 3)]}


def _colour_bars(h: int, w: int, seed: int) -> np.ndarray:
    """Vertical bars of random colours, 40–90 px wide, ``H×W×3`` float32: isolated sharp colour edges."""
    rng = np.random.default_rng(seed)
    edges = np.cumsum(rng.uniform(40.0, 90.0, size=w // 40 + 2))
    idx = np.searchsorted(edges, np.arange(w) + 0.5)
    cols = rng.uniform(0.15, 0.85, size=(len(edges) + 1, 3)).astype(np.float32)
    return np.repeat(cols[idx][None], h, axis=0)


def _fit_tape(ctx: dict[str, Any]) -> dict[str, Any] | None:
    from filmdegrade.measure.bandwidth import flat_field_snr
    from filmdegrade.measure.noise import flat_residuals
    from filmdegrade.measure.summary import chroma_cutoff, luma_cutoff
    from filmdegrade.media import get_tape

    tp = ctx["measured"]["tape"]
    node0 = _base_node(ctx, "tape")
    fmt = get_tape(node0.get("format") or ctx["medium"].tape)
    info = fmt.info
    h, w = ctx["h"], ctx["w"]
    # Probe: flat blocks (the luma cut-off from the tape's own noise, and the SNR) and colour bars (the
    # chroma cut-off from sharp colour edges); both statistics hardly depend on the scene, so a synthetic
    # probe stands in for the footage's content.
    # The wedge's levels change only down the frame: the line filters then leave its blocks flat.
    bands = np.repeat(np.linspace(0.2, 0.8, 6), -(-w // 32))
    probe = np.stack([_wedge(bands, h, w), _colour_bars(h, w, ctx["seed"])])
    colour = np.isfinite(tp.get("chroma_cutoff_cpp", float("nan")))
    method = tp.get("luma_cutoff_method", "noise")
    if method != "noise":
        probe = np.concatenate([probe, np.stack([_natural(h, w, n) for n in ("coffee", "rocket", "camera")])])
        ctx["result"].notes.append(
            "tape: too few flat patches, luma bandwidth from the scene spectrum (±25 %)"
        )

    def sim(p: dict[str, float]) -> dict[str, float]:
        node = {
            **node0,
            "luma_bandwidth_mhz": p["luma"],
            "snr_db": p["snr"],
            "tracking": 0.0,
            "dropouts_per_s": 0.0,
            "head_switch_lines": 0,
        }
        if colour:
            node["chroma_bandwidth_mhz"] = p["chroma"]
        out = _simulate(node, probe, ctx["medium"], ctx["seed"])
        if ctx["quantised"]:  # the footage's 8-bit steps are part of its noise spectrum
            out = np.round(out * 255.0) / np.float32(255.0)
        res, _ = flat_residuals(out[:1], max_frames=None)
        y = out @ np.array([0.299, 0.587, 0.114], np.float32)
        if method == "noise":
            lum = luma_cutoff(y[:1], res)[0]
        else:
            lum = luma_cutoff(y[2:], np.zeros((0, 32, 32)))[0]
        s = {"luma": lum, "snr": float(np.median([flat_field_snr(r) for r in res]))}
        if colour:
            s["chroma"] = chroma_cutoff(out[1:2])[0]
        return s

    def upd(p: dict[str, float], s: dict[str, float], tgt: dict[str, float]) -> dict[str, float]:
        q = {
            "luma": float(np.clip(p["luma"] * _ratio(tgt["luma"], s["luma"]), 0.05, 20.0)),
            "snr": float(np.clip(p["snr"] + (tgt["snr"] - s["snr"]), 10.0, 80.0)),
        }
        if colour:
            q["chroma"] = float(np.clip(p["chroma"] * _ratio(tgt["chroma"], s["chroma"]), 0.02, 10.0))
        return q

    target = {"luma": tp["luma_cutoff_cpp"], "snr": tp.get("snr_db", float(info.get("snr_db", 43.0)))}
    start = {"luma": float(info.get("luma_bandwidth_mhz", 3.0)), "snr": float(info.get("snr_db", 43.0))}
    if colour:
        target["chroma"] = tp["chroma_cutoff_cpp"]
        start["chroma"] = float(info.get("chroma_bandwidth_mhz", 0.5))
    p, s = _fixed_point(start, sim, target, upd, ctx["iterations"])
    for k, unit in (("luma", "cycles/px"), ("chroma", "cycles/px"), ("snr", "dB")):
        if k in target:
            _row(ctx, "tape", f"{k} {'cut-off' if k != 'snr' else ''}".strip(), unit, target[k], s[k])
    fitted = {"luma_bandwidth_mhz": round(p["luma"], 4), "snr_db": round(p["snr"], 2)}
    if colour:
        fitted["chroma_bandwidth_mhz"] = round(p["chroma"], 4)
    ctx["result"].params["tape"] = dict(fitted)
    return {**node0, **fitted}


def _fit_dust(ctx: dict[str, Any]) -> dict[str, Any] | None:
    from filmdegrade.measure.blotches import detect_blotches

    du = ctx["measured"].get("dust")
    if du is None:
        return None
    med: Medium = ctx["medium"]
    um = med.um_per_px(ctx["w"])
    node0 = _base_node(ctx, "dust")
    dark = du["dark_fraction"]
    polarity = (
        "auto" if not np.isfinite(dark) or 0.25 <= dark <= 0.75 else ("dark" if dark > 0.75 else "bright")
    )
    d_med = du["median_diameter_px"] * um if np.isfinite(du["median_diameter_px"]) else 100.0
    # A power law between d_min and 8·d_min has its median near 1.5·d_min for the default exponent.
    d_min = float(np.clip(d_med / 1.5, 1.0, 5000.0))
    diam = [round(d_min, 2), round(8.0 * d_min, 2)]
    probe = _static_probe(ctx)
    grain = ctx["fits"].get("grain")
    extra = (grain,) if grain is not None else ()

    def sim(p: dict[str, float]) -> dict[str, float]:
        node = {**node0, "rate_per_frame": p["r"], "diameter_um": diam, "polarity": polarity}
        rep = detect_blotches(_simulate(node, probe, med, ctx["seed"], extra), drop_repeats=False)
        return {"r": rep.rate}

    def upd(p: dict[str, float], s: dict[str, float], tgt: dict[str, float]) -> dict[str, float]:
        return {"r": float(np.clip(p["r"] * _ratio(tgt["r"], s["r"]), 0.0, 1e4))}

    target = {"r": du["rate_per_frame"]}
    if target["r"] <= 0:
        ctx["result"].params["dust"] = {"rate_per_frame": 0.0}
        return {**node0, "rate_per_frame": 0.0}
    p, s = _fixed_point({"r": target["r"]}, sim, target, upd, ctx["iterations"])
    _row(ctx, "dust", "blotches per frame", "1/frame", target["r"], s["r"])
    ctx["result"].params["dust"] = {"rate_per_frame": p["r"], "diameter_um": diam, "polarity": polarity}
    return {**node0, "rate_per_frame": round(p["r"], 4), "diameter_um": diam, "polarity": polarity}
