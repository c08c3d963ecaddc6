#!/usr/bin/env bash
# Sets up and runs every check: lint (ruff), types (mypy), the JSON Schema is current, all tests.
# In CI (CI=true) or with SECCHECK_OFFLINE_TEST=1 also the offline install (tests/offline/test_bundle.sh,
# about 2 minutes: builds the bundle and installs it into a fresh minimal Debian with no network);
# SECCHECK_OFFLINE_TEST=0 leaves it out.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --dev
export PATH="$PWD/.venv/bin:$PATH"
ruff check seccheck tests bench
ruff format --check seccheck tests bench
mypy
offline="${SECCHECK_OFFLINE_TEST:-}"
[ -z "$offline" ] && [ "${CI:-}" = true ] && offline=1
[ "$offline" = 1 ] && bash tests/offline/test_bundle.sh
python -m pytest "$@"
