#!/usr/bin/env bash
# Sets up everything seccheck needs on a Debian machine, idempotently, and leaves a virtual
# environment in .venv. Run as root (or with sudo) on a fresh machine; later runs only check.
#   bash scripts/setup.sh          # the tool
#   bash scripts/setup.sh --dev    # the tool and what the tests need
set -euo pipefail
cd "$(dirname "$0")/.."

dev=0
[ "${1:-}" = "--dev" ] && dev=1

# Debian packages: Python with venv; CJK fonts and HarfBuzz subsetting for PDF notices;
# poppler-utils to read PDFs back in tests; PostgreSQL for the shared-database tests; LibreOffice Calc
# (headless) to print the XLSX reports in a test and check no cell shows as ###; Chromium, which the
# offline-form tests drive through Playwright (Debian's browser: `playwright install` is never used).
debs=(python3 python3-venv python3-dev fontconfig fonts-noto-cjk fonts-arphic-ukai libpango-1.0-0 libpangoft2-1.0-0
      libharfbuzz-subset0)
[ "$dev" = 1 ] && debs+=(poppler-utils postgresql libreoffice-calc-nogui chromium)
missing=()
for pkg in "${debs[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "需要安装 Debian 软件包：${missing[*]}（请以 root 运行，或 sudo apt-get install ${missing[*]}）" >&2
    exit 1
  fi
  echo "安装 Debian 软件包：${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# A Python 3.11 or newer: the one on PATH if it is new enough, else Debian's.
py=""
for candidate in "${PYTHON:-}" python3 /usr/bin/python3; do
  [ -n "$candidate" ] || continue
  if command -v "$candidate" >/dev/null 2>&1 &&
     "$candidate" -c 'import sys, venv, ensurepip; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
    py="$candidate"; break
  fi
done
[ -n "$py" ] || { echo "找不到 Python 3.11 或更新版本（含 venv）" >&2; exit 1; }

if [ ! -x .venv/bin/python ] || ! .venv/bin/python -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
  rm -rf .venv
  "$py" -m venv .venv
fi
# Python packages exactly as locked (scripts/lock.sh), each checked against its sha256; then seccheck
# itself, editable, built with the locked setuptools. Reinstall only when the lock or pyproject.toml changed.
lock=requirements.lock
[ "$dev" = 1 ] && lock=requirements-dev.lock
stamp=".venv/.installed-$lock"
want="$(cat "$lock" pyproject.toml | sha256sum | cut -d' ' -f1)"
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  .venv/bin/python -m pip install -q --require-hashes -r "$lock"
  .venv/bin/python -m pip install -q --no-deps --no-build-isolation -e .
  echo "$want" >"$stamp"
fi
