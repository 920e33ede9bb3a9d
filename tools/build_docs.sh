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
bash "$ROOT/tools/ensure_pinned.sh" "$ROOT/requirements/docs.txt" build_docs
status=0
export OMP_NUM_THREADS="${OMP_NUM_THREADS:-1}"
export MKL_NUM_THREADS="${MKL_NUM_THREADS:-1}"
"$PY" -m sphinx -W --keep-going -b html "$@" docs docs/_build/html \
    || status=$?
[ -z "${DNC_MM_TIMINGS:-}" ] \
    || printf 'docs\t%s\n' "$(( $(date +%s) - start ))" >> "$DNC_MM_TIMINGS"
[ "$status" -ne 0 ] || echo "[build_docs] docs/_build/html/index.html" >&2
exit "$status"
