"""
VHS, S-VHS and Betamax: luma and chroma response vs format bandwidth; SNR
==========================================================================

:class:`~filmdegrade.effects.tape.Tape` filters each scanline in Y/C at the format's bandwidth, given in
MHz and converted to cycles per picture width with the active line time (52.6 µs NTSC):
f_cpw = f_MHz × 52.6. Stepped frequency sweeps of 720×480 frames go through the model with noise,
time-base errors and events switched off, and :func:`filmdegrade.measure.bandwidth.sweep_response`
measures the amplitude response per band; the −3 dB point is compared with the format's bandwidth
(``tapes.toml``, ±15 %). VHS: luma ≈ 3 MHz, chroma ≈ 0.4–0.5 MHz colour-under (status S); S-VHS 5 MHz
(M); Betamax values are this project's estimates (E).

The last figure measures the flat-field SNR of the full VHS SP model
(:func:`filmdegrade.measure.bandwidth.flat_field_snr`) against its configured 45 dB (status M) luma and
42 dB (E) chroma, ±1.5 dB.
"""

import matplotlib.pyplot as plt

from filmdegrade.validation import plot_checks, tape_bandwidth_check, tape_snr_check

formats = ["vhs_sp", "vhs_ep", "svhs", "betamax"]
results = {f: tape_bandwidth_check(f) for f in formats}
fig, axes = plt.subplots(1, 2, figsize=(10, 4))
for k, comp in enumerate(["luma", "chroma"]):
    ax = axes[k]
    for f, (colour, checks) in zip(formats, zip(["C0", "C1", "C2", "C3"], results.values(), strict=True),
                                   strict=True):
        c = checks[k]
        ax.plot(c.details["freq_mhz"], c.details["response"], color=colour, label=f)
        ax.axvspan(c.lower, c.upper, color=colour, alpha=0.12)
        ax.axvline(c.target, color=colour, ls="--", lw=1)
        ax.plot(c.measured, 2**-0.5, "o", color=colour)
    ax.axhline(2**-0.5, color="k", lw=0.5)
    ax.set_xlabel("frequency (MHz)")
    ax.set_title(f"{comp}: response, −3 dB (dot), format bandwidth (dashed, ±15 % shaded)")
    ax.title.set_fontsize(9)
axes[0].set_ylabel("amplitude response")
axes[0].legend(fontsize="small")
fig.tight_layout()

# %%
all_bw = [c for checks in results.values() for c in checks]
fig, ax = plt.subplots(figsize=(7, 4))
plot_checks(all_bw, ax, horizontal=True)
ax.set_xscale("log")
ax.set_xlabel("−3 dB bandwidth (MHz)")
fig.tight_layout()

# %%
snr = tape_snr_check("vhs_sp")
fig, ax = plt.subplots(figsize=(7, 2.5))
plot_checks(snr, ax, horizontal=True)
ax.set_xlabel("flat-field SNR (dB)")
fig.tight_layout()
for c in [*all_bw, *snr]:
    print(c)
plt.show()
