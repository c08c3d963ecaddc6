#!/usr/bin/env bash
# Updates the lock files from the version ranges in pyproject.toml, with a sha256 for every file:
#   requirements.lock      what seccheck runs with (and setuptools, to build it); the offline bundle ships it
#   requirements-dev.lock  the same pins plus what the tests need (pytest, ruff, mypy, …)
# A copy of requirements.lock is package data (seccheck/requirements.lock): `seccheck --version` and
# `seccheck doctor` show its digest. Pins that still fit are kept; to move to newer releases:
#   bash scripts/lock.sh                          # only what pyproject.toml now requires
#   bash scripts/lock.sh --upgrade                # everything to the newest release within the ranges
#   bash scripts/lock.sh --upgrade-package NAME   # one package (repeatable)
# Needs PyPI. The lock is for CPython 3.11 on x86_64 Linux (Debian 12), where seccheck is installed.
set -euo pipefail
cd "$(dirname "$0")/.."

UV_VERSION=0.13.9
tool=".cache/lock-tool-uv-$UV_VERSION"
if [ ! -x "$tool/bin/uv" ]; then
  rm -rf "$tool"
  python3 -m venv "$tool"
  "$tool/bin/python" -m pip install -q "uv==$UV_VERSION"
fi
uv="$tool/bin/uv"
common=(--quiet --generate-hashes --python-version 3.11 --python-platform x86_64-manylinux_2_36
        --custom-compile-command "bash scripts/lock.sh")

"$uv" pip compile "${common[@]}" "$@" pyproject.toml scripts/build-requirements.in -o requirements.lock
# The dev lock may not move a runtime pin: tests run against exactly what users get.
"$uv" pip compile "${common[@]}" "$@" pyproject.toml --extra dev -c requirements.lock -o requirements-dev.lock
cp requirements.lock seccheck/requirements.lock
echo "requirements.lock sha256 $(sha256sum requirements.lock | cut -d' ' -f1)"
