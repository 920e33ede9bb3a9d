#!/usr/bin/env bash
# The CUDA path in one short run (< 8 minutes on one GPU), for the day a GPU
# is lent to the project: a few training iterations of every model family
# (DNC classification with memory, DNC-FCN, CBP + OCCL, HPL) in fp32 and
# with --amp, then the clustering benchmark on CUDA (batched vs per-class
# loop at the ImageNet and segmentation scales) and the ResNet-50
# iteration-ratio benchmark (linear vs DNC head). Writes to OUT_DIR:
# summary.tsv (step, exit status, seconds), one log per step, and the
# benchmarks' JSON; exits non-zero if any step failed.
#
#   bash tools/benchmarks/gpu_check.sh [OUT_DIR]       (default work_dirs/gpu_check)
#   GPU_CHECK_CPU_SMOKE=1 bash tools/benchmarks/gpu_check.sh   # the same
#       commands on the CPU, tiny budgets, no --amp: checks the script itself
#
# Needs the project's stack in $PYTHON (default .venv/bin/python, else
# python3) and the bundled data (bash tools/setup_data.sh).
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
OUT="${1:-work_dirs/gpu_check}"
PY="${PYTHON:-.venv/bin/python}"
[ -x "$PY" ] || PY=python3
SMOKE="${GPU_CHECK_CPU_SMOKE:-0}"
mkdir -p "$OUT"
SUMMARY="$OUT/summary.tsv"
printf 'step\tstatus\tseconds\n' > "$SUMMARY"
failed=0

step() {  # step NAME COMMAND...
    local name="$1" start status
    shift
    start=$(date +%s)
    "$@" > "$OUT/$name.log" 2>&1
    status=$?
    printf '%s\t%s\t%s\n' "$name" "$status" "$(( $(date +%s) - start ))" >> "$SUMMARY"
    [ "$status" -eq 0 ] || { failed=1; echo "[gpu_check] $name failed, see $OUT/$name.log" >&2; }
    echo "[gpu_check] $name: exit $status" >&2
}

if [ "$SMOKE" = 1 ]; then
    DEVICE=cpu; AMP_MODES=(fp32); CLS_ITERS=2; SEG_ITERS=2
    BENCH_OPTS=(--repeats 1 --warmup 0)
else
    DEVICE=cuda; AMP_MODES=(fp32 amp); CLS_ITERS=20; SEG_ITERS=20
    BENCH_OPTS=()
    "$PY" -c 'import torch, sys; sys.exit(0 if torch.cuda.is_available() else 1)' \
        || { echo "[gpu_check] no CUDA device visible to $PY" >&2; exit 2; }
fi

# a few iterations per family: epoch-based configs get a small subset
cls_opts() {  # cls_opts DATA_ROOT
    echo train_dataloader.dataset.data_root="$1" \
        train_dataloader.batch_size=32 train_cfg.max_epochs=1 \
        "train_dataloader.dataset.indices=$(( 32 * CLS_ITERS ))" \
        default_hooks.logger.interval=1
}
seg_opts() {
    echo train_cfg.max_iters="$SEG_ITERS" default_hooks.logger.interval=1 \
        default_hooks.checkpoint.interval="$SEG_ITERS"
}
for mode in "${AMP_MODES[@]}"; do
    amp=(); [ "$mode" = amp ] && amp=(--amp)
    step "dnc_cls_memory_$mode" "$PY" tools/train.py \
        configs/dnc/dnc_resnet18-w16_5e_fashion-mnist-10k.py --no-validate \
        --work-dir "$OUT/work/dnc_cls_$mode" "${amp[@]+"${amp[@]}"}" \
        --cfg-options $(cls_opts data/fashion_mnist_10k)
    step "hpl_$mode" "$PY" tools/train.py \
        configs/hpl/hpl_resnet8-w16-d3_6e_fashion-mnist-2k.py --no-validate \
        --work-dir "$OUT/work/hpl_$mode" "${amp[@]+"${amp[@]}"}" \
        --cfg-options $(cls_opts data/fashion_mnist_2000_1000) \
        model.head.prototype_file="$OUT/work/hpl_protos_$mode.pt"
    step "dnc_fcn_$mode" "$PY" tools/train.py \
        configs/dnc_seg/dnc-fcn_r18-w16-d8_1k_fashion-scenes-128x128.py \
        --no-validate --work-dir "$OUT/work/dnc_fcn_$mode" \
        "${amp[@]+"${amp[@]}"}" --cfg-options $(seg_opts)
    step "cbp_occl_$mode" "$PY" tools/train.py \
        configs/cbp/cbp-occl_fcn_r18-w16-d8_1k_fashion-scenes-128x128.py \
        --no-validate --work-dir "$OUT/work/cbp_occl_$mode" \
        "${amp[@]+"${amp[@]}"}" --cfg-options $(seg_opts)
done

# every saved state finite (sub-centroids, memory, class means, prototypes)
step finite_state "$PY" - "$OUT/work" <<'PYEOF'
import glob, sys
import torch
from dnc_mm.compat.checkpoint_loading import load_checkpoint_file
paths = sorted(glob.glob(f'{sys.argv[1]}/*/*.pth'))
assert paths, 'no checkpoint written'
for path in paths:
    sd = load_checkpoint_file(path, map_location='cpu')['state_dict']
    bad = [k for k, v in sd.items() if v.is_floating_point()
           and not torch.isfinite(v.float()).all()]
    print(path, 'non-finite:', bad or 'none')
    assert not bad, (path, bad)
PYEOF

step bench_clustering "$PY" tools/benchmarks/bench_clustering.py \
    --device "$DEVICE" --scales imagenet seg "${BENCH_OPTS[@]+"${BENCH_OPTS[@]}"}" \
    --out "$OUT/bench_clustering_$DEVICE.json"
step bench_dnc_train_iter "$PY" tools/benchmarks/bench_dnc_train_iter.py \
    --device "$DEVICE" "${BENCH_OPTS[@]+"${BENCH_OPTS[@]}"}" \
    --out "$OUT/bench_dnc_train_iter_$DEVICE.json"

column -t "$SUMMARY" >&2 2>/dev/null || cat "$SUMMARY" >&2
exit "$failed"
