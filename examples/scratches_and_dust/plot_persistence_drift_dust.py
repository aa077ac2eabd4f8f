"""
Scratch persistence and drift; dust that lives one frame
========================================================

A scratch persists from frame to frame at nearly the same x (Kokaram 1998) and drifts slowly with the
film's lateral movement; dust and dirt are present in a single frame.

* **Persistence**: pooled soft IoU of consecutive scratch masks
  (:func:`filmdegrade.measure.lines.temporal_iou`) with the default settings, at least 0.6.
* **Drift**: the x of one scratch at the middle row, frame by frame
  (:func:`filmdegrade.measure.lines.line_positions_px`), with a configured bound of 12 µm per frame; the
  largest measured jump must stay within the bound (+0.1 px of position accuracy).
* **Dust**: pooled IoU of consecutive dust masks at most 0.1.
"""

import matplotlib.pyplot as plt
import numpy as np

from filmdegrade.validation import dust_check, plot_checks, scratch_drift_check, scratch_persistence_check

persist = scratch_persistence_check("super8")
drift = scratch_drift_check("super8", 12.0)
dust = dust_check("super8")

fig, axes = plt.subplots(1, 2, figsize=(9, 3.6), gridspec_kw={"width_ratios": [2, 1.2]})
pos = drift.details["positions_px"]
axes[0].plot(pos, "o-", ms=3, label="measured x at mid-row")
axes[0].set_xlabel("frame")
axes[0].set_ylabel("x (px)")
axes[0].set_title(f"one scratch over {pos.size} frames")
axes[0].legend(fontsize="small")
plot_checks([persist, dust], axes[1], labels=["scratch IoU ≥ 0.6", "dust IoU ≤ 0.1"])
axes[1].set_ylabel("IoU of consecutive masks")
fig.tight_layout()

# %%
# The frame-to-frame jumps of that scratch against the configured bound.
fig, ax = plt.subplots(figsize=(7, 3))
jumps = drift.details["jumps_px"]
ax.bar(np.arange(jumps.size), jumps, color="tab:green" if drift.passed else "tab:red", label="|Δx| measured")
ax.axhline(drift.details["bound_px"], color="k", label="configured bound")
ax.axhspan(drift.details["bound_px"], drift.upper, color="0.85", label="+0.1 px accuracy")
ax.set_xlabel("frame pair")
ax.set_ylabel("|Δx| (px)")
ax.legend(fontsize="small")
fig.tight_layout()

for c in (persist, drift, dust):
    print(c)
print("dust specks per frame (components of mask > 0.5):", dust.details["counts"].mean())
plt.show()
