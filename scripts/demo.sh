#!/usr/bin/env bash
# The main job on the embedded default: validate the built-in rulesets and score the sample
# answers of the unit self-assessment, explaining every point taken.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export PATH="$PWD/.venv/bin:$PATH"
seccheck ruleset list
seccheck score examples/unit-self-assessment.answers.toml --explain
