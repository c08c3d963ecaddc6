#!/usr/bin/env bash
# Sets up and runs every check: lint (ruff), types (mypy), the JSON Schema is current, all tests.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --dev
export PATH="$PWD/.venv/bin:$PATH"
ruff check seccheck tests bench
ruff format --check seccheck tests bench
mypy
python -m pytest -n auto "$@"
