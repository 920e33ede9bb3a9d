#!/usr/bin/env bash
# Build the Sphinx documentation (HTML) into docs/_build/html, failing on
# any warning:
#   bash tools/build_docs.sh [sphinx-build options]   e.g.  -E (full rebuild)
# Installs requirements/docs.txt into the project's venv when its pins are
# not met there (under requirements/constraints.txt, so torch, setuptools and
# the OpenMMLab packages stay as tools/install_env.sh left them).
# Appends "docs<TAB>seconds" to $DNC_MM_TIMINGS when set.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
VENV="${DNC_MM_VENV:-$ROOT/.venv}"
PY="$VENV/bin/python"
start=$(date +%s)
if [ ! -x "$PY" ]; then
    bash tools/install_env.sh
fi
if ! "$PY" - "$ROOT/requirements/docs.txt" <<'PYEOF' 2>/dev/null; then
import sys
from importlib.metadata import version
for line in open(sys.argv[1]):
    line = line.split('#')[0].strip()
    if line:
        name, want = line.split('==')
        assert version(name) == want, (name, version(name), want)
PYEOF
    echo "[build_docs] installing requirements/docs.txt into $VENV" >&2
    PIP_CONSTRAINT="$ROOT/requirements/constraints.txt" "$PY" -m pip install \
        --disable-pip-version-check -q -r "$ROOT/requirements/docs.txt" 2>&1 \
        | grep -v "^WARNING: Location" || true
fi
status=0
export OMP_NUM_THREADS="${OMP_NUM_THREADS:-1}"
export MKL_NUM_THREADS="${MKL_NUM_THREADS:-1}"
"$PY" -m sphinx -W --keep-going -b html "$@" docs docs/_build/html \
    || status=$?
[ -z "${DNC_MM_TIMINGS:-}" ] \
    || printf 'docs\t%s\n' "$(( $(date +%s) - start ))" >> "$DNC_MM_TIMINGS"
[ "$status" -ne 0 ] || echo "[build_docs] docs/_build/html/index.html" >&2
exit "$status"
