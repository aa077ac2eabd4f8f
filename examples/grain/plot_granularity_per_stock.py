"""
RMS granularity per stock: simulated vs published
=================================================

For every stock with a published diffuse RMS granularity (48 µm aperture, net density 1.0), a uniform
D = 1.0 patch of a Super 8 scan (1440 px across the frame, about 4 µm per pixel) is grained by
:class:`~filmdegrade.effects.grain.Grain` and measured with
:func:`filmdegrade.measure.granularity.rms_granularity`: the transmittance is averaged over a 48 µm disc,
as a microdensitometer does, and 1000·σ_D of the visual density is reported. The grey band is the
±10 % tolerance that ``tests/filmdegrade/test_validation.py`` asserts.

Stocks marked *(E)* have no published value: their target is this project's estimate.
"""

import matplotlib.pyplot as plt

from filmdegrade.media import get_stock, list_stocks
from filmdegrade.validation import granularity_check, plot_checks

stocks = list_stocks()
checks = [granularity_check(s, "super8", 1440) for s in stocks]
labels = [s + (" (E)" if get_stock(s).granularity_is_estimated else "") for s in stocks]

fig, ax = plt.subplots(figsize=(7, 7))
plot_checks(checks, ax, labels=labels, horizontal=True)
ax.set_xlabel("RMS granularity (1000 σ_D, 48 µm, D = 1.0)")
ax.set_title("Simulated vs published RMS granularity (±10 %)")
fig.tight_layout()

for c in checks:
    print(c)

# %%
# The same stock at other scan resolutions: the calibration holds whatever the pixel size, because the
# per-pixel σ is derived from the aperture-averaged variance of the rendered field.
res = [granularity_check("kodachrome_25", g, w) for g, w in
       [("super8", 1440), ("super8", 2880), ("16mm", 2048), ("16mm", 4096), ("35mm_academy", 4096)]]
fig, ax = plt.subplots(figsize=(7, 3.5))
plot_checks(res, ax, labels=[f"{c.details['gauge']} @ {c.details['scan_width_px']} px" for c in res])
ax.set_ylabel("RMS granularity")
ax.set_title("Kodachrome 25 at several gauges and scan widths")
fig.tight_layout()
plt.show()
