"""
Noise power spectrum of the grain
=================================

The radially averaged Wiener spectrum of a Kodachrome 25 D = 1.0 patch (16 mm, 4096 px scan, about
2.5 µm per pixel), measured with :func:`filmdegrade.measure.granularity.noise_power_spectrum`.

The fast model is a Gaussian-correlated field (autocorrelation exp(-(r/ℓ)²), so a Gaussian spectrum),
compared here with that analytic shape.

**Boolean reference not drawn.** ``Grain(model="boolean")`` (random discs after Newson et al., 2017,
rendered by Monte Carlo) exists in this version, but rendering even a 64×64 patch at these scan sizes
took over a minute on the documentation machine (measured; it is meant for offline datasets), beyond
the ~10 s budget of a gallery example, so its spectrum is not computed at build time.
"""

import matplotlib.pyplot as plt
import numpy as np

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
ax.set_title("Grain noise power spectrum, fast model")
ax.legend()
fig.tight_layout()
print("models rendered:", list(spectra), "| Boolean model in this version:", boolean_grain_available())
plt.show()
