"""
Scratch angles per gauge: configured vs Hough-measured
======================================================

Line scratches run along the film path, tilted by the gauge's ``scratch_angle_deg`` (Regular 8 and
Super 8 about 6°, 16 mm 3°, 35 mm vertical; ``gauges.toml`` gives the source and status of each). Six
frames of a grey clip per gauge are scratched and the angle of each frame's scratch mask is measured
with a Hough transform of its ridge (:func:`filmdegrade.measure.lines.line_angle_deg`). The median over
frames is compared with the gauge's angle, ±1°; the small dots are the individual frames.
"""

import matplotlib.pyplot as plt
import numpy as np

from filmdegrade.validation import plot_checks, scratch_angle_check

gauges = ["regular8", "super8", "16mm", "35mm_academy"]
checks = [scratch_angle_check(g) for g in gauges]
fig, ax = plt.subplots(figsize=(7, 3.8))
plot_checks(checks, ax, labels=gauges)
for i, c in enumerate(checks):
    a = c.details["angles"]
    ax.plot(np.full(a.size, i + 0.2), a, ".", color="0.4", ms=4, label="per frame" if i == 0 else None)
ax.set_ylabel("angle from vertical (deg)")
ax.set_title("Scratch angle per gauge (±1°)")
ax.legend(fontsize="small")
fig.tight_layout()
for c in checks:
    print(c)
plt.show()
