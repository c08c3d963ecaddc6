#!/usr/bin/env bash
# The main job on the embedded default: the repository itself is the demo workspace (SQLite
# seccheck.db, reports/). Two full non-interactive audits of the sample answers: a unit's
# self-assessment with the built-in 自查自评 ruleset (scored, sealed; its score sheet 自查自评表 as PDF)
# and the office's inspection of a unit's WeChat work groups (its 整改通知书 as PDF), then verified.
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
seccheck audit wechat-groups --answers examples/wechat-groups.answers.toml --new-unit --accept-date
seccheck verify --all
echo
echo "交互式检查（逐题问答）：.venv/bin/seccheck audit unit-self-assessment --unit 某区财政局 --new-unit"
