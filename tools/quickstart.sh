#!/usr/bin/env bash
# The project's main job, from nothing: set up the environment, install and
# prepare the real data, train the main model on Fashion-MNIST on the CPU,
# evaluate the saved checkpoint on the test split and say where it all went.
#
#   bash tools/quickstart.sh [--data-root DIR] [--config CFG] [--work-dir DIR]
#
# A second run reuses the environment and data (seconds) and trains again.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CONFIG="configs/dnc/dnc_resnet18-w16_5e_fashion-mnist-10k.py"
WORK_DIR=""
DATA_ARGS=()
while [ $# -gt 0 ]; do
    case "$1" in
        --data-root) DATA_ARGS=(--data-root "$2"); shift 2 ;;
        --config) CONFIG="$2"; shift 2 ;;
        --work-dir) WORK_DIR="$2"; shift 2 ;;
        -h|--help) sed -n '2,9p' "$0"; exit 0 ;;
        *) echo "quickstart.sh: unknown option $1" >&2; exit 2 ;;
    esac
done
cd "$ROOT"
NAME="$(basename "$CONFIG" .py)"
WORK_DIR="${WORK_DIR:-work_dirs/$NAME}"
PY="${DNC_MM_VENV:-$ROOT/.venv}/bin/python"
log() { printf '\n[quickstart] %s\n' "$*" >&2; }
# phase wall times: printed at the end, and appended to $DNC_MM_TIMINGS
# (one "name<TAB>seconds" line per phase) when set, as .ci/run does
TIMES=""
phase_start=$(date +%s)
phase_done() {
    local now; now=$(date +%s)
    TIMES="$TIMES$1"$'\t'"$(( now - phase_start ))"$'\n'
    [ -z "${DNC_MM_TIMINGS:-}" ] || printf '%s\t%s\n' "$1" "$(( now - phase_start ))" >> "$DNC_MM_TIMINGS"
    phase_start=$now
}

start=$(date +%s)
log "1/4 environment"
bash tools/install_env.sh
phase_done "environment"
log "2/4 data"
bash tools/setup_data.sh "${DATA_ARGS[@]+"${DATA_ARGS[@]}"}"
phase_done "data"
log "3/4 training $CONFIG"
"$PY" tools/train.py "$CONFIG" --work-dir "$WORK_DIR"
phase_done "main job: training"
CKPT="$(cat "$WORK_DIR/last_checkpoint")"
log "4/4 testing $CKPT"
"$PY" tools/test.py "$CONFIG" "$CKPT" --work-dir "$WORK_DIR/test" \
    --out "$WORK_DIR/test/predictions.pkl" | tee "$WORK_DIR/test.log"
phase_done "main job: testing"
"$PY" - "$WORK_DIR" "$CKPT" "$(( $(date +%s) - start ))" "$TIMES" <<'PYEOF'
import glob, json, os, sys
work_dir, ckpt, seconds = sys.argv[1], sys.argv[2], int(sys.argv[3])
phases = [line.split('\t') for line in sys.argv[4].splitlines() if line]
runs = sorted(glob.glob(os.path.join(work_dir, 'test', '*', '*.json')))
metrics = json.load(open(runs[-1])) if runs else {}
acc = metrics.get('accuracy/top1')
print('\n==================== dnc_mm quickstart ====================')
print(f'test accuracy (top-1): {acc:.2f}%' if acc is not None else
      'test accuracy: not found in ' + os.path.join(work_dir, 'test'))
print(f'checkpoint:  {ckpt}')
train_runs = sorted(d for d in glob.glob(os.path.join(work_dir, '2*'))
                    if os.path.isdir(d))
print(f'train logs:  {train_runs[-1] if train_runs else work_dir}/  (text log, '
      'vis_data/scalars.json)')
print(f'test logs:   {runs[-1].rsplit(os.sep, 1)[0] if runs else work_dir}/')
print(f'predictions: {work_dir}/test/predictions.pkl')
print(f'wall time:   {seconds} s  (' + ', '.join(
    f'{name} {int(sec)} s' for name, sec in phases) + ')')
PYEOF
