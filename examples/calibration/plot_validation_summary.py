"""
Every calibration check in one table
====================================

All the checks of :mod:`filmdegrade.validation` that the gallery plots, run again and listed with their
measured value, target, accepted band, verdict and the source (with its status: V verified,
S secondary, M textbook/unchecked, E estimated by this project, or "configured" where nothing is
published and the check compares with the configured value). ``tests/filmdegrade/test_validation.py``
asserts the same calls.
"""

import matplotlib.pyplot as plt

from filmdegrade import validation as v

checks = [
    *[v.granularity_check(s) for s in ("kodachrome_25", "ektachrome_e100", "eastman_double_x")],
    *v.selwyn_check(),
    *v.sigma_density_check(),
    *[v.scratch_angle_check(g) for g in ("regular8", "super8", "16mm", "35mm_academy")],
    v.scratch_persistence_check(),
    v.scratch_drift_check(),
    v.dust_check(),
    *v.flicker_check(),
    *v.weave_check(),
    *v.fading_anchor_checks(),
    *[c for f in ("vhs_sp", "svhs", "betamax") for c in v.tape_bandwidth_check(f)],
    *v.tape_snr_check(),
]
rows = [[c.name, f"{c.measured:.4g}", f"{c.target:.4g}", f"[{c.lower:.3g}, {c.upper:.3g}]", c.unit,
         "ok" if c.passed else "FAIL", c.source[:48]] for c in checks]
fig, ax = plt.subplots(figsize=(12, 0.25 * len(rows) + 0.6))
ax.axis("off")
table = ax.table(cellText=rows, colLabels=["check", "measured", "target", "band", "unit", "", "source"],
                 loc="center", cellLoc="left")
table.auto_set_font_size(False)
table.set_fontsize(7)
table.auto_set_column_width(list(range(7)))
for i, c in enumerate(checks, start=1):
    table[i, 5].set_facecolor("#c8eac8" if c.passed else "#f4c0c0")
fig.tight_layout()
print(f"{sum(c.passed for c in checks)} of {len(checks)} checks pass")
for c in checks:
    print(c)
plt.show()
