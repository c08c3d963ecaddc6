#!/usr/bin/env bash
# The main job on the embedded default: the repository itself is the demo workspace (SQLite
# seccheck.db, reports/). A full non-interactive audit of the sample answers with the built-in unit
# self-assessment ruleset: scored, sealed, verified, and its rectification notice as PDF in reports/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export PATH="$PWD/.venv/bin:$PATH"
# The demo's own workspace files are made anew on each run (they are git-ignored).
rm -f seccheck.toml seccheck.db seccheck.db-wal seccheck.db-shm
rm -rf evidence
seccheck init . --issuer "某区国家保密局" --prefix "某保检" --contact "李明" --phone "0000-0000000" \
  --inspector "李明" --inspector "赵静"
seccheck doctor
seccheck audit unit-self-assessment --answers examples/unit-self-assessment.answers.toml --new-unit --accept-date
seccheck verify --all
echo
echo "交互式检查（逐题问答）：.venv/bin/seccheck audit unit-self-assessment --unit 某区财政局 --new-unit"
