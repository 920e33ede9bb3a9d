#!/usr/bin/env bash
# Create (or refresh) the project's virtual environment with the tested stack:
#   setuptools<81 -> torch/torchvision -> mmcv 2.1.0 built with ops against that torch
#   -> mmengine/mmpretrain/mmsegmentation -> dnc_mm (editable) with its test extra.
#
# A second run with unchanged requirement files returns in seconds (stamp file).
# The mmcv wheel is cached per (mmcv, torch, python) triple, so it is never reused
# against another torch build.
#
# Environment:
#   DNC_MM_VENV       where the venv lives        (default: <repo>/.venv)
#   DNC_MM_CACHE      where built wheels are kept (default: ~/.cache/dnc_mm)
#   PYTHON            interpreter for the venv    (default: python3)
#   MAX_JOBS          parallel compile jobs       (default: nproc)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${DNC_MM_VENV:-$ROOT/.venv}"
CACHE="${DNC_MM_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/dnc_mm}"
PYTHON="${PYTHON:-python3}"
REQ="$ROOT/requirements"

log() { printf '[install_env] %s\n' "$*" >&2; }

stamp_of() {
    cat "$REQ"/constraints.txt "$REQ"/build.txt "$REQ"/torch.txt "$REQ"/mmcv.txt "$REQ"/runtime.txt \
        "$REQ"/tests.txt "$ROOT"/setup.py | sha256sum | cut -d' ' -f1
}

if [ ! -x "$VENV/bin/python" ]; then
    log "creating virtual environment at $VENV"
    "$PYTHON" -m venv "$VENV"
fi
PY="$VENV/bin/python"
STAMP_FILE="$VENV/.dnc_mm_stamp"
want="$(stamp_of)"
if [ -f "$STAMP_FILE" ] && [ "$(cat "$STAMP_FILE")" = "$want" ] \
        && "$PY" -c 'import mmcv.ops, mmseg, mmpretrain, dnc_mm' 2>/dev/null; then
    log "environment up to date ($VENV)"
    exit 0
fi

# Every pip call (also pip's build of mmcv) honours the constraints file.
export PIP_CONSTRAINT="$REQ/constraints.txt"
pip_install() { "$PY" -m pip install --disable-pip-version-check -q "$@" 2>&1 | grep -v "^WARNING: Location" || true; }

log "step 1/4: build tools"
pip_install -r "$REQ/build.txt"

log "step 2/4: torch + torchvision"
pip_install -r "$REQ/torch.txt"

# mmcv: build once per torch build, keep the wheel in our own cache.
MMCV_SPEC="$(grep -E '^mmcv' "$REQ/mmcv.txt" | head -n1)"
MMCV_VERSION="${MMCV_SPEC#mmcv==}"
TORCH_ID="$("$PY" -c 'import sys, torch; print(f"torch{torch.__version__}-cp{sys.version_info.major}{sys.version_info.minor}")')"
WHEEL_DIR="$CACHE/wheels/mmcv-$MMCV_VERSION-$TORCH_ID"
mmcv_ok() {
    "$PY" - "$MMCV_VERSION" <<'EOF' 2>/dev/null
import sys
import mmcv
from mmcv.ops import nms  # noqa: F401  (fails without compiled ops)
sys.exit(0 if mmcv.__version__ == sys.argv[1] else 1)
EOF
}
log "step 3/4: mmcv $MMCV_VERSION with ops for $TORCH_ID"
if [ -f "$WHEEL_DIR/.torch_id" ] && [ "$(cat "$WHEEL_DIR/.torch_id")" = "$TORCH_ID" ] && mmcv_ok \
        && [ -f "$VENV/.mmcv_torch_id" ] && [ "$(cat "$VENV/.mmcv_torch_id")" = "$TORCH_ID" ]; then
    log "mmcv already installed for $TORCH_ID"
else
    if ! ls "$WHEEL_DIR"/mmcv-"$MMCV_VERSION"-*.whl >/dev/null 2>&1; then
        log "building mmcv $MMCV_VERSION from source (about 10 minutes on 2 cores)"
        mkdir -p "$WHEEL_DIR"
        SRC_DIR="$(mktemp -d)"
        "$PY" -m pip download --disable-pip-version-check --no-deps --no-binary :all: \
            -d "$SRC_DIR" "mmcv==$MMCV_VERSION"
        tar -xzf "$SRC_DIR"/mmcv-"$MMCV_VERSION".tar.gz -C "$SRC_DIR"
        # mmcv 2.1.0 hard-codes -std=c++17; torch >= 2.10 headers need C++20.
        if "$PY" -c 'import sys, torch; v = tuple(int(x) for x in torch.__version__.split("+")[0].split(".")[:2]); sys.exit(0 if v >= (2, 10) else 1)'; then
            sed -i 's/c++17/c++20/g' "$SRC_DIR/mmcv-$MMCV_VERSION/setup.py"
        fi
        MMCV_WITH_OPS=1 MAX_JOBS="${MAX_JOBS:-$(nproc)}" \
            "$PY" -m pip wheel --disable-pip-version-check --no-build-isolation --no-deps \
            --no-cache-dir -w "$WHEEL_DIR" "$SRC_DIR/mmcv-$MMCV_VERSION"
        rm -rf "$SRC_DIR"
        echo "$TORCH_ID" > "$WHEEL_DIR/.torch_id"
    else
        log "reusing cached wheel in $WHEEL_DIR"
    fi
    # mmcv's own dependencies (addict, yapf, ...) come from the registry.
    pip_install --force-reinstall --no-deps "$WHEEL_DIR"/mmcv-"$MMCV_VERSION"-*.whl
    pip_install addict packaging Pillow pyyaml yapf opencv-python \
        "$(grep -E '^mmengine' "$REQ/runtime.txt")"
    echo "$TORCH_ID" > "$VENV/.mmcv_torch_id"
fi

log "step 4/4: OpenMMLab toolboxes and dnc_mm"
pip_install -r "$REQ/runtime.txt" -e "$ROOT[tests]"
if ! mmcv_ok; then
    log "ERROR: mmcv.ops does not import after installing the toolboxes;" \
        "remove $WHEEL_DIR and $VENV and run again"
    exit 1
fi
echo "$want" > "$STAMP_FILE"
log "environment ready: $VENV"
