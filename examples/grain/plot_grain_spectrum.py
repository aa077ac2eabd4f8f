"""
Noise power spectrum of the grain
=================================

The radially averaged Wiener spectrum of a Kodachrome 25 D = 1.0 patch (16 mm, 4096 px scan, about
2.5 µm per pixel), measured with :func:`filmdegrade.measure.granularity.noise_power_spectrum`.

The fast model is a Gaussian-correlated field (autocorrelation exp(-(r/ℓ)²), so a Gaussian spectrum).
A reference Boolean (random-disc) model after Newson et al. (2017) is drawn when this version of
:class:`~filmdegrade.effects.grain.Grain` accepts ``model="boolean"``; otherwise the figure shows the
fast model only and says so.
"""

import matplotlib.pyplot as plt
import numpy as np

from filmdegrade.effects.grain import Grain
from filmdegrade.media import Medium
from filmdegrade.validation import boolean_grain_available, grain_spectra

spectra = grain_spectra("kodachrome_25", "16mm", 4096)
fig, ax = plt.subplots(figsize=(7, 3.8))
for model, (f, nps) in spectra.items():
    ax.loglog(f[1:], nps[1:], label=f"model={model!r}")

# the analytic spectrum of the fast model's Gaussian autocorrelation, scaled to the measured variance
medium = Medium(gauge="16mm", stock="kodachrome_25", scan_width_px=4096)
ell_um = medium.stock_info.grain_size_um
f, nps = spectra["fast"]
analytic = np.exp(-((np.pi * ell_um * f / 1000.0) ** 2))
ax.loglog(f[1:], analytic[1:] * nps[1], "k--", lw=1, label="exp(-(π ℓ f)²), ℓ = grain_size_um")
ax.set_xlabel("spatial frequency (cycles/mm)")
ax.set_ylabel("NPS (density²·µm²)")
title = "Grain noise power spectrum"
if not boolean_grain_available():
    title += " (Boolean reference model not in this version)"
ax.set_title(title)
ax.legend()
fig.tight_layout()
print("models rendered:", list(spectra), "| Boolean model available:", boolean_grain_available())
print(Grain())
plt.show()
