#!/usr/bin/env bash
# Install and prepare the project's real data: Fashion-MNIST (classification)
# and the bundled segmentation benchmark built from real material.
#   bash tools/setup_data.sh [--data-root DIR] [--out DIR]
# --data-root DIR: a folder with Fashion-MNIST's four idx files (gzipped or
#   not) when the Debian package cannot be installed (no apt, not root).
# Without it, the files come from Debian's `dataset-fashion-mnist` package
# (/usr/share/datasets/fashion-mnist), installed here if missing.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SRC=""
OUT="$ROOT/data"
while [ $# -gt 0 ]; do
    case "$1" in
        --data-root) SRC="$2"; shift 2 ;;
        --out) OUT="$2"; shift 2 ;;
        *) echo "setup_data.sh: unknown option $1" >&2; exit 2 ;;
    esac
done
log() { printf '[setup_data] %s\n' "$*" >&2; }
DEB_DIR=/usr/share/datasets/fashion-mnist

if [ -z "$SRC" ]; then
    SRC="$DEB_DIR"
    if [ ! -f "$DEB_DIR/train-images-idx3-ubyte.gz" ]; then
        if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
            log "installing Debian package dataset-fashion-mnist"
            apt-get update -qq >/dev/null
            DEBIAN_FRONTEND=noninteractive apt-get install -y -qq dataset-fashion-mnist >/dev/null
        else
            log "ERROR: Fashion-MNIST is not in $DEB_DIR and apt-get cannot install it here"
            log "(needs apt-get and root). Install it with"
            log "    sudo apt-get install -y dataset-fashion-mnist"
            log "or pass --data-root DIR, a folder holding train-images-idx3-ubyte(.gz),"
            log "train-labels-idx1-ubyte(.gz), t10k-images-idx3-ubyte(.gz), t10k-labels-idx1-ubyte(.gz)."
            exit 1
        fi
    fi
fi
PY="${DNC_MM_VENV:-$ROOT/.venv}/bin/python"
[ -x "$PY" ] || PY=python3
"$PY" "$ROOT/tools/data/prepare_fashion_mnist.py" --src "$SRC" --out "$OUT" \
    --subset 10000:10000 --subset 2000:1000
# segmentation benchmark (docs/datasets.md); fetches the stardist wheel from PyPI
if [ -f "$OUT/seg_benchmark/fashion_scenes/meta.json" ] && [ -f "$OUT/seg_benchmark/nuclei/meta.json" ]; then
    log "$OUT/seg_benchmark: present (delete it to rebuild)"
else
    "$PY" "$ROOT/tools/data/build_seg_benchmark.py" --fashion-mnist-root "$SRC" \
        --out "$OUT/seg_benchmark"
fi
