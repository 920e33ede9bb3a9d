#!/usr/bin/env bash
# Make sure the venv has the exact pins of a requirements file:
#   bash tools/ensure_pinned.sh requirements/docs.txt [label]
# Installs the file into the project's venv (DNC_MM_VENV, default .venv;
# created by tools/install_env.sh when missing) when any "name==version" line
# is not met, under requirements/constraints.txt so that torch, setuptools and
# the OpenMMLab packages stay as tools/install_env.sh left them.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
REQ="$1"
LABEL="${2:-$(basename "$REQ" .txt)}"
VENV="${DNC_MM_VENV:-$ROOT/.venv}"
PY="$VENV/bin/python"
if [ ! -x "$PY" ]; then
    bash "$ROOT/tools/install_env.sh"
fi
if ! "$PY" - "$REQ" <<'PYEOF' 2>/dev/null; then
import sys
from importlib.metadata import version
for line in open(sys.argv[1]):
    line = line.split('#')[0].strip()
    if line:
        name, want = line.split('==')
        assert version(name) == want, (name, version(name), want)
PYEOF
    echo "[$LABEL] installing $REQ into $VENV" >&2
    PIP_CONSTRAINT="$ROOT/requirements/constraints.txt" "$PY" -m pip install \
        --disable-pip-version-check -q -r "$REQ" 2>&1 \
        | grep -v "^WARNING: Location" || true
fi
