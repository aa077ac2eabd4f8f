"""
Dye fading in a*b*: storage time and temperature, with the published anchors
============================================================================

:class:`~filmdegrade.effects.fading.Fading` removes dye density per dye with first-order kinetics,
D_i(t) = D_i(0)·exp(−k_i·t), and an Arrhenius temperature factor k(T) = k(T_ref)·exp(−E_a/R·(1/T − 1/T_ref)).
A neutral 18 % grey is faded for 0–80 years at several storage temperatures and its colour cast measured
with :func:`filmdegrade.measure.colour.colour_cast` (median a*, b*). A pre-1982 Eastman colour print
turns red/magenta in the dark (cyan fades first); Kodachrome barely moves.

The second figure checks the two published anchor points (film-physics.md 3.1, both status S) on random
colours, measuring each dye's density before and after with
:func:`filmdegrade.measure.colour.dye_density_balance`:

* pre-1982 chromogenic print: about 10 % cyan loss in 5 years at 24 °C / 40 % RH (Nishimura, IPI, 1996);
* Kodachrome: yellow, the least stable dye in the dark, loses 20 % in about 185 years.
"""

import matplotlib.pyplot as plt
import numpy as np

from filmdegrade.validation import fading_anchor_checks, fading_trajectory, plot_checks

years = np.array([0, 5, 10, 20, 40, 80])
fig, axes = plt.subplots(1, 2, figsize=(9, 4), sharex=True, sharey=True)
for ax, stock, title in zip(axes, ["eastmancolor_print_pre1982", "kodachrome_40"],
                            ["Eastmancolor print, pre-1982", "Kodachrome"], strict=True):
    for temp, colour in [(13.0, "tab:blue"), (18.0, "tab:cyan"), (24.0, "tab:orange"), (30.0, "tab:red")]:
        ab = fading_trajectory(stock, years, storage_c=temp, rh=40.0)
        ax.plot(ab[:, 0], ab[:, 1], "o-", color=colour, ms=3, label=f"{temp:g} °C")
        for y, (a, b) in zip(years[1:], ab[1:], strict=True):
            if temp == 24.0:
                ax.annotate(f"{y} y", (a, b), fontsize=7, xytext=(3, 3), textcoords="offset points")
    ax.axhline(0, color="0.7", lw=0.5)
    ax.axvline(0, color="0.7", lw=0.5)
    ax.set_title(title)
    ax.set_xlabel("a* (+ red / − green)")
axes[0].set_ylabel("b* (+ yellow / − blue)")
axes[0].legend(title="storage, 40 % RH", fontsize="small")
fig.suptitle("Cast of a faded neutral grey, 0–80 years of dark storage")
fig.tight_layout()

# %%
anchors = fading_anchor_checks()
fig, ax = plt.subplots(figsize=(7, 3))
plot_checks(anchors, ax, horizontal=True)
ax.set_xlabel("dye density lost (fraction)")
ax.set_title("Published anchor points: measured dye loss")
fig.tight_layout()
for c in anchors:
    print(c, "| (cyan, magenta, yellow) losses:", np.round(c.details["losses"], 3))
plt.show()
