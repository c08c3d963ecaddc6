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
offline="${SECCHECK_OFFLINE_TEST:-}"
[ -z "$offline" ] && [ "${CI:-}" = true ] && offline=1
# Type checking (one core, tens of seconds without its cache) and the offline install proof (network
# and disk, little CPU) run beside the tests, so the run waits for the longest of them, not their sum.
# Their logs are shown after the tests; pytest's summary stays the closing line.
log="$(mktemp)"
mypy >"$log.mypy" 2>&1 &
types=$!
if [ "$offline" = 1 ]; then
  bash tests/offline/test_bundle.sh >"$log" 2>&1 &
  proof=$!
fi
set +e
python -m pytest -n auto --dist loadgroup "$@" | tee "$log.pytest"
tests=${PIPESTATUS[0]}
wait "$types"
types_status=$?
offline_status=0
if [ "$offline" = 1 ]; then
  wait "$proof"
  offline_status=$?
fi
set -e
echo
echo "--- types (mypy, exit $types_status) ---"
cat "$log.mypy"
if [ "$offline" = 1 ]; then
  echo "--- offline install proof (tests/offline/test_bundle.sh) ---"
  if [ "$offline_status" != 0 ]; then
    cat "$log"
  else
    tail -n 4 "$log"
  fi
  echo "--- end of offline install proof (exit $offline_status) ---"
fi
tail -n 1 "$log.pytest"
rm -f "$log" "$log.mypy" "$log.pytest"
[ "$types_status" = 0 ] || exit "$types_status"
[ "$offline_status" = 0 ] || exit "$offline_status"
exit "$tests"
