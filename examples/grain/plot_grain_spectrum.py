"""
Noise power spectrum of the grain
=================================

The radially averaged Wiener spectrum of a Kodachrome 25 D = 1.0 patch (16 mm, 4096 px scan, about
2.5 µm per pixel), measured with :func:`filmdegrade.measure.granularity.noise_power_spectrum`.

The fast model is a Gaussian-correlated field (autocorrelation exp(-(r/ℓ)²), so a Gaussian spectrum),
compared here with that analytic shape.

The second plot checks the fast model against the physically exact reference: the Boolean model of
Newson et al. (2017), random opaque discs seen through a Gaussian PSF, rendered by Monte Carlo with
:func:`filmdegrade.effects.grain_boolean.render_boolean_grain`. At calibrated stock settings the discs
are sub-pixel and the renderer takes minutes per patch, so the comparison uses discs of 2 px and a
0.8 px PSF (:func:`filmdegrade.validation.boolean_nps_check`, the same call the tests assert): the fast
field gets the Boolean field's 1/e correlation radius and variance, and their spectra must agree within
±15 % in every frequency bin of the band that carries 90 % of the Boolean power.
"""

import matplotlib.pyplot as plt
import numpy as np

from filmdegrade.media import Medium
from filmdegrade.validation import boolean_grain_available, boolean_nps_check, grain_spectra

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

# %%
# Fast model against the Boolean reference
# ----------------------------------------

checks = boolean_nps_check()
d = checks[0].details
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 3.8))
ax1.loglog(d["freq"][1:], d["nps_boolean"][1:], "o-", label="Boolean (Monte Carlo)")
ax1.loglog(d["freq"][1:], d["nps_fast"][1:], "s--", label="fast (matched ℓ, σ)")
ax1.axvline(d["f_band"], color="grey", lw=1, ls=":", label="90 % power band")
ax1.set_xlabel("spatial frequency (cycles/pixel)")
ax1.set_ylabel("NPS")
ax1.legend()
ratio_f = d["freq"][: len(checks)]
ax2.axhspan(checks[0].lower, checks[0].upper, color="tab:green", alpha=0.15, label="±15 % tolerance")
ax2.axhline(1.0, color="k", lw=1, label="target")
ax2.plot(ratio_f, [c.measured for c in checks], "o", label="measured fast/Boolean")
ax2.set_xlabel("spatial frequency (cycles/pixel)")
ax2.set_ylabel("power ratio")
ax2.legend()
fig.tight_layout()
for c in checks:
    print(c)
plt.show()
