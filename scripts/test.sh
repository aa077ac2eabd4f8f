#!/usr/bin/env bash
# Install everything needed into a fresh virtual environment and run the whole test suite.
#   bash scripts/test.sh            (uses ./.venv; set VENV=path to choose another)
set -euo pipefail
cd "$(dirname "$0")/.."
VENV="${VENV:-.venv}"
PY="${PYTHON:-python3}"

[ -x "$VENV/bin/python" ] || "$PY" -m venv "$VENV"
# torch first and pinned: an unpinned torch (or one pulled in by a dependency) is a multi-GB CUDA build.
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check torch==2.13.0
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -e ".[all]"

echo "== ruff"
"$VENV/bin/ruff" check src tests examples benchmarks docs

echo "== pytest"
# pytest exits 5 when no test ran: treat that as a failure too.
set +e
"$VENV/bin/python" -m pytest -n 2 --dist loadfile -q -p no:cacheprovider "$@"
rc=$?
set -e
if [ "$rc" -eq 5 ]; then echo "no tests ran" >&2; exit 1; fi
exit "$rc"
