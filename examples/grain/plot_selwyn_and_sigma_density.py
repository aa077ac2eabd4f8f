"""
Selwyn's law and σ_D against density
====================================

**Selwyn's law** says σ_D·√A (A the aperture area) is constant while the aperture is much larger than the
grain's correlation length. A Provia 100F patch of a 35 mm scan 8192 px across (about 2.7 µm per pixel)
is read through apertures of 24 to 96 µm with
:func:`filmdegrade.measure.granularity.aperture_sigma_d`; the target is the published granularity
carried to each area by Selwyn's law (±10 %).

**σ_D against density**: a five-step wedge of Ektachrome E100 is grained and measured step by step with
:func:`filmdegrade.measure.granularity.sigma_vs_density`. The model is the Nutting/Poisson law
σ_D ∝ D^β (β = 0.5 for this reversal stock, the textbook value for silver; status M).
"""

import matplotlib.pyplot as plt
import numpy as np

from filmdegrade.validation import selwyn_check, sigma_density_check

selwyn = selwyn_check("provia_100f", "35mm_academy", 8192)
ap = np.array([c.details["aperture_um"] for c in selwyn])
fig, ax = plt.subplots(figsize=(7, 3.5))
ax.fill_between(ap, [c.lower for c in selwyn], [c.upper for c in selwyn], color="0.85", label="±10 %")
ax.plot(ap, [c.target for c in selwyn], "k-", label="Selwyn: σ_48·√A_48")
ax.plot(ap, [c.measured for c in selwyn], "o", color="tab:green", label="measured σ_D·√A")
ax.set_xscale("log")
ax.set_xticks(ap, [f"{a:g}" for a in ap])
ax.set_xlabel("aperture diameter (µm)")
ax.set_ylabel("σ_D·√A (density·µm)")
ax.set_title("Selwyn's law, Provia 100F")
ax.legend()
fig.tight_layout()
for c in selwyn:
    print(c)

# %%
wedge = sigma_density_check("ektachrome_e100", "super8", 1440)
d = np.array([c.details["density"] for c in wedge])
fine = np.linspace(0.2, 2.1, 100)
beta = wedge[0].details["beta"]
target_1 = wedge[int(np.argmin(abs(d - 1.0)))].target
fig, ax = plt.subplots(figsize=(7, 3.5))
ax.fill_between(fine, 0.9 * target_1 * fine**beta, 1.1 * target_1 * fine**beta, color="0.85", label="±10 %")
ax.plot(fine, target_1 * fine**beta, "k-", label=f"published × D^{beta:g}")
ax.plot([c.details["measured_density"] for c in wedge], [c.measured for c in wedge], "o",
        color="tab:green", label="measured (48 µm)")
ax.set_xlabel("density D")
ax.set_ylabel("1000 σ_D")
ax.set_title("σ_D against density, Ektachrome E100")
ax.legend()
fig.tight_layout()
for c in wedge:
    print(c)
plt.show()
