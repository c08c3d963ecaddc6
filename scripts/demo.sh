#!/usr/bin/env bash
# The main job on the embedded default: a fresh demo workspace (SQLite) in .demo/, a full
# non-interactive audit of the sample answers with the built-in unit self-assessment ruleset,
# scored, sealed and verified.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export PATH="$PWD/.venv/bin:$PATH"
ws=.demo
rm -rf "$ws"  # the demo's own scratch workspace, made anew each run
seccheck init "$ws" --issuer "某区国家保密局" --prefix "某保检" --contact "李明" --phone "0000-0000000" \
  --inspector "李明" --inspector "赵静"
seccheck -w "$ws" audit unit-self-assessment --answers examples/unit-self-assessment.answers.toml
seccheck -w "$ws" verify --all
echo
echo "交互式检查（逐题问答）：.venv/bin/seccheck -w $ws audit unit-self-assessment --unit 某区教育局"
