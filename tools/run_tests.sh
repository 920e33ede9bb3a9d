#!/usr/bin/env bash
# Run the whole test suite in the project's environment.
#   bash tools/run_tests.sh [pytest options]     e.g.  -m "not slow"
# Sets up the environment and the real data first when they are missing
# (both steps take seconds when they are already done).
#
# The tests run in parallel, one pytest-xdist worker per core
# (DNC_MM_TEST_WORKERS=N to choose, 0 for one process), each worker on one
# intra-op thread. Appends "tests<TAB>seconds" to $DNC_MM_TIMINGS when set.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
bash tools/install_env.sh
bash tools/setup_data.sh
WORKERS="${DNC_MM_TEST_WORKERS:-$(nproc)}"
XDIST=()
if [ "$WORKERS" -gt 0 ]; then
    XDIST=(-n "$WORKERS" --dist load)
    export OMP_NUM_THREADS="${OMP_NUM_THREADS:-1}"
fi
start=$(date +%s)
status=0
"${DNC_MM_VENV:-$ROOT/.venv}/bin/python" -m pytest "${XDIST[@]+"${XDIST[@]}"}" "$@" || status=$?
[ -z "${DNC_MM_TIMINGS:-}" ] || printf 'tests\t%s\n' "$(( $(date +%s) - start ))" >> "$DNC_MM_TIMINGS"
exit "$status"
