#!/usr/bin/env bash
# Create a virtual environment, install filmdegrade, and run the main job on a bundled image:
# every preset applied to scikit-image's bundled astronaut photo, as a labelled grid PNG and a short MP4 clip.
#   bash scripts/demo.sh [OUTPUT_DIR]       (default ./filmdegrade-demo)
set -euo pipefail
cd "$(dirname "$0")/.."
VENV="${VENV:-.venv}"
PY="${PYTHON:-python3}"

[ -x "$VENV/bin/python" ] || "$PY" -m venv "$VENV"
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check torch==2.13.0
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -e ".[video,plot]"
"$VENV/bin/filmdegrade" demo --out "${1:-filmdegrade-demo}"
