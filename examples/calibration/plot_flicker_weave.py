"""
Flicker autocorrelation and gate-weave spectrum
===============================================

No measured flicker or weave magnitudes were found in the literature (film-physics.md 4.3), so these
checks compare the measurement with the *configured* process.

* **Flicker** is an AR(1) series of per-frame density offsets, ``x_t = φ·x_{t−1} + √(1−φ²)·σ·ε_t``. On a
  200-frame grey clip, :func:`filmdegrade.measure.temporal.flicker_stats` measures the standard deviation
  of the mean-density series (±15 %) and its autocorrelation; the lag-1 value is checked (±0.1) and the
  whole autocorrelation function is drawn against φ^k.
* **Gate weave** is a bounded AR(1) jitter in µm on the film. Frame shifts are measured by phase
  correlation (:func:`filmdegrade.measure.temporal.frame_shifts`); their RMS is checked against the
  gauge's ``weave_rms_um`` in pixels (±15 %; the Super 8 value of 10 µm is this project's estimate, E),
  and their power spectrum is drawn against the AR(1) spectrum ``(1 − φ²) / |1 − φ·exp(−2πif)|²``.
"""

import matplotlib.pyplot as plt
import numpy as np

from filmdegrade.measure.temporal import autocorrelation
from filmdegrade.validation import flicker_check, plot_checks, weave_check

phi = 0.5
flick = flicker_check(0.03, phi)
series = flick[0].details["series"]
lags = np.arange(0, 11)
acf = np.array([autocorrelation(series, int(k)) for k in lags])
fig, axes = plt.subplots(1, 2, figsize=(10, 3.6), gridspec_kw={"width_ratios": [1.6, 1]})
axes[0].plot(lags, phi**lags, "k-", label="configured φ^k")
axes[0].fill_between([0.8, 1.2], flick[1].lower, flick[1].upper, color="0.85", label="lag-1 tolerance")
axes[0].plot(lags, acf, "o", color="tab:green" if flick[1].passed else "tab:red", label="measured")
axes[0].set_xlabel("lag (frames)")
axes[0].set_ylabel("autocorrelation of mean density")
axes[0].legend(fontsize="small")
axes[0].set_title("flicker, φ = 0.5, σ = 0.03")
plot_checks(flick, axes[1], labels=["std (density)", "lag-1 ρ"])
axes[1].set_ylabel("")
fig.tight_layout()

# %%
weave = weave_check("super8", correlation=0.7)
sh = weave[0].details["shifts"][:, 0]
d = sh - sh.mean()
freq = np.fft.rfftfreq(d.size)[1:]
psd = (np.abs(np.fft.rfft(d)) ** 2 / d.size)[1:]
rho = 0.7
ar1 = d.var() * (1 - rho**2) / np.abs(1 - rho * np.exp(-2j * np.pi * freq)) ** 2
fig, axes = plt.subplots(1, 2, figsize=(10, 3.6), gridspec_kw={"width_ratios": [1.6, 1]})
axes[0].semilogy(freq, psd, color="0.6", lw=0.8, label="periodogram of measured dx")
k = 8  # smooth over 8 bins to show the trend
n = freq.size // k * k
axes[0].semilogy(freq[:n].reshape(-1, k).mean(1), psd[:n].reshape(-1, k).mean(1), "o-", color="tab:blue",
                 ms=3, label="band average")
axes[0].semilogy(freq, ar1, "k--", label="AR(1), φ = 0.7")
axes[0].set_xlabel("frequency (cycles/frame)")
axes[0].set_ylabel("power (px²·frame)")
axes[0].set_title("gate-weave spectrum, Super 8 (1920 px scan)")
axes[0].legend(fontsize="small")
plot_checks(weave, axes[1], labels=["dx RMS", "dy RMS"])
fig.tight_layout()
for c in [*flick, *weave]:
    print(c)
plt.show()
