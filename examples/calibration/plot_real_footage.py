"""
Real footage against its calibrated simulation
==============================================

The shared reference clip *A Trip Down Market Street* (1906; frames from the RRTN test data, MIT, see
``../shared/reference/realdata/README.md``) is measured with
:func:`filmdegrade.measure.summary.measure_footage` and fitted by :func:`filmdegrade.calibrate.calibrate`
from the ``silent_bw`` preset: each effect's parameter is rescaled until the statistic it controls,
re-measured by the same function on a simulation, matches the footage. The figure shows, statistic by
statistic, the value measured on the real clip (target), ±15 %, and the value measured on the calibrated
simulation (:func:`filmdegrade.validation.real_footage_comparison`; 16 frames, centre crop 256×320).

A red dot (or no dot: the simulation produced no measurable line) is a statistic the calibration does not
reproduce yet; the figure shows those too. There is no clean ground truth for this clip: these are
statistics of the defects, not a restoration score. The clip also holds repeated frames (pull-down
copies), which lower its flicker autocorrelation and dust counts.

When the clip is not on this machine the figure is drawn from the values stored in
``docs/_data/realdata_market_street.json`` (measured the same way, with the date and source).
"""

import json
from pathlib import Path

import matplotlib.pyplot as plt

from filmdegrade.validation import Check, plot_checks, real_footage_comparison, real_footage_dir


def _stored() -> list[Check]:
    here = Path.cwd()
    for base in (here, *here.parents):
        f = base / "docs" / "_data" / "realdata_market_street.json"
        if f.is_file():
            data = json.loads(f.read_text())
            print("stored values:", data["source"], data["date"])
            return [Check(**c) for c in data["checks"]]  # Python's json reads NaN and Infinity
    return []


live = real_footage_dir() is not None
checks = real_footage_comparison() if live else _stored()
print("real clip found:", live)
for c in checks:
    print(c)

# each statistic has its own unit: normalise by the real value so they share one axis
norm = []
for c in checks:
    rel = c.tolerance / abs(c.target)
    norm.append(Check(c.name + (f" [{c.unit}]" if c.unit else ""), c.measured / c.target, 1.0, rel, c.passed,
                      "simulated / real", 1.0 - rel, 1.0 + rel, c.source))
fig, ax = plt.subplots(figsize=(8, 0.5 * max(len(norm), 1) + 1.5))
if norm:
    plot_checks(norm, ax, horizontal=True)
    ax.set_xlabel("simulated / real (1 = identical; grey: ±15 %)")
ax.set_title("Market Street (1906): calibrated simulation vs real, per statistic")
fig.tight_layout()
plt.show()
