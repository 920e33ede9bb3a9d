#!/usr/bin/env bash
# Lint the tracked files the way the OpenMMLab toolboxes do (settings in
# setup.cfg): flake8, isort, yapf, codespell, and no trailing whitespace.
#   bash tools/lint.sh          check only; exits non-zero on any violation
#   bash tools/lint.sh --fix    rewrite files with isort and yapf, then check
# Installs requirements/lint.txt into the project's venv when its pins are not
# met there. Appends "lint<TAB>seconds" to $DNC_MM_TIMINGS when set.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
VENV="${DNC_MM_VENV:-$ROOT/.venv}"
PY="$VENV/bin/python"
start=$(date +%s)
bash "$ROOT/tools/ensure_pinned.sh" "$ROOT/requirements/lint.txt" lint
mapfile -t py_files < <(git ls-files '*.py')
mapfile -t text_files < <(git ls-files ':!*.json' ':!*.png' ':!*.jpg' \
    ':!*.gz' ':!*.pth')
if [ "${1:-}" = "--fix" ]; then
    "$PY" -m isort -q "${py_files[@]}"
    "$PY" -m yapf -i "${py_files[@]}"
fi
failed=()
"$PY" -m flake8 "${py_files[@]}" || failed+=(flake8)
"$PY" -m isort --check-only --diff -q "${py_files[@]}" || failed+=(isort)
if ! "$PY" -m yapf --diff "${py_files[@]}"; then failed+=(yapf); fi
"$VENV/bin/codespell" "${text_files[@]}" || failed+=(codespell)
if git grep -nI ' $' -- "${text_files[@]}"; then
    failed+=(trailing-whitespace)
fi
[ -z "${DNC_MM_TIMINGS:-}" ] \
    || printf 'lint\t%s\n' "$(( $(date +%s) - start ))" >> "$DNC_MM_TIMINGS"
if [ ${#failed[@]} -ne 0 ]; then
    echo "[lint] failed: ${failed[*]} (bash tools/lint.sh --fix rewrites" \
        "isort/yapf issues; fix the others by hand)" >&2
    exit 1
fi
echo "[lint] clean: ${#py_files[@]} Python files, ${#text_files[@]} text files" >&2
