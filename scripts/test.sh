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
if [ "$offline" != 1 ]; then
  exec python -m pytest -n auto --dist loadgroup "$@"
fi
# The offline install proof (network and disk, little CPU) runs beside the tests, so CI waits for the
# longer of the two, not their sum. Its log is shown first; pytest's summary stays the closing line.
log="$(mktemp)"
bash tests/offline/test_bundle.sh >"$log" 2>&1 &
proof=$!
set +e
python -m pytest -n auto --dist loadgroup "$@" | tee "$log.pytest"
tests=${PIPESTATUS[0]}
wait "$proof"
offline_status=$?
set -e
echo
echo "--- offline install proof (tests/offline/test_bundle.sh) ---"
if [ "$offline_status" != 0 ]; then
  cat "$log"
else
  tail -n 4 "$log"
fi
echo "--- end of offline install proof (exit $offline_status) ---"
tail -n 1 "$log.pytest"
rm -f "$log" "$log.pytest"
[ "$offline_status" = 0 ] || exit "$offline_status"
exit "$tests"
