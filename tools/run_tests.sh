#!/usr/bin/env bash
# Run the whole test suite in the project's environment.
#   bash tools/run_tests.sh [pytest options]     e.g.  -m "not slow"
# Sets up the environment and the real data first when they are missing
# (both steps take seconds when they are already done).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
bash tools/install_env.sh
bash tools/setup_data.sh
exec "${DNC_MM_VENV:-$ROOT/.venv}/bin/python" -m pytest "$@"
