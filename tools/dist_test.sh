#!/usr/bin/env bash
# Distributed testing on one or more nodes with torchrun.
#   bash tools/dist_test.sh CONFIG CHECKPOINT GPUS [test.py options]
# On a machine without GPUs the processes use the gloo backend on the CPU.
# Multi-node: NNODES, NODE_RANK, MASTER_ADDR, PORT as in OpenMMLab's scripts.
set -euo pipefail
CONFIG=$1
CHECKPOINT=$2
GPUS=$3
shift 3
NNODES=${NNODES:-1}
NODE_RANK=${NODE_RANK:-0}
PORT=${PORT:-29500}
MASTER_ADDR=${MASTER_ADDR:-127.0.0.1}
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PYTHON=${PYTHON:-python}

PYTHONPATH="$ROOT:${PYTHONPATH:-}" \
exec "$PYTHON" -m torch.distributed.run \
    --nnodes="$NNODES" --node_rank="$NODE_RANK" --master_addr="$MASTER_ADDR" \
    --nproc_per_node="$GPUS" --master_port="$PORT" \
    "$ROOT/tools/test.py" "$CONFIG" "$CHECKPOINT" --launcher pytorch "$@"
