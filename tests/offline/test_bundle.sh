#!/usr/bin/env bash
# Proof that the offline bundle installs with no network at all: builds it (scripts/bundle.sh), copies it
# fresh into a minimal Debian 12 (debootstrap --variant=minbase: no Python, no fonts, no Pango) and runs its
# install.sh there in a network namespace of its own (`unshare --net`: only a loopback that is down, so any
# fetch fails). Then checks that every Debian package came from the bundle, that pip ran only with
# --no-index on the bundle's wheels, that the environment is exactly the lock, and that the demo audit
# made its notice.
#   bash tests/offline/test_bundle.sh           # build the bundle and a fresh minimal Debian, then install
#   bash tests/offline/test_bundle.sh --reuse   # reuse dist/seccheck-offline-VERSION.tar.gz and the cached
#                                               # minimal Debian (.cache/offline-test/) when present
#   bash tests/offline/test_bundle.sh --host    # install onto this machine instead (still without network;
#                                               # the venv and demo go to a temporary folder)
#   bash tests/offline/test_bundle.sh --with-postgresql-client   # bundle and install psql too
# Needs root on Debian 12 amd64, unshare and chroot; building needs Debian's and Python's registries.
set -euo pipefail
cd "$(dirname "$0")/../.."
root_dir="$PWD"
started=$SECONDS

reuse=0
host=0
pg=()
for arg in "$@"; do
  case "$arg" in
    --reuse) reuse=1 ;;
    --host) host=1 ;;
    --with-postgresql-client) pg=(--with-postgresql-client) ;;
    *) echo "unknown argument: $arg" >&2; exit 2 ;;
  esac
done

skip() { echo "offline install: skipped: $*"; exit 0; }
[ "$(id -u)" = 0 ] || skip "needs root"
command -v unshare >/dev/null || skip "needs unshare (util-linux)"
[ "$(. /etc/os-release && echo "${VERSION_CODENAME:-}")/$(dpkg --print-architecture 2>/dev/null)" = bookworm/amd64 ] ||
  skip "the bundle is made on and for Debian 12 (bookworm) amd64"

failures=0
check() {  # check DESCRIPTION COMMAND...: one line per check, the run fails at the end if any failed
  local what="$1"
  shift
  if "$@"; then
    echo "ok   $what"
  else
    echo "FAIL $what"
    failures=$((failures + 1))
  fi
}
elapsed() { echo "$((SECONDS - $1)) s"; }

version="$(sed -n 's/^version = "\(.*\)"$/\1/p' pyproject.toml | head -n1)"
name="seccheck-offline-$version"
bundle="$root_dir/dist/$name.tar.gz"
t=$SECONDS
if [ "$reuse" = 1 ] && [ -f "$bundle" ]; then
  echo "== reusing $bundle"
else
  echo "== building the bundle"
  bash scripts/bundle.sh "${pg[@]}"
fi
bundle_time="$(elapsed "$t")"

work="$(mktemp -d /tmp/seccheck-offline-test.XXXXXX)"
trap 'rm -rf "$work"' EXIT

if [ "$host" = 1 ]; then
  target="$work/host"
  mkdir -p "$target"
  prefix="$work/opt"
  in_target() { "$@"; }
  path_of() { echo "$1"; }
  root_time="-"
else
  # A fresh minimal Debian 12 for every run (the cached tarball of one only with --reuse).
  t=$SECONDS
  cache="$root_dir/.cache/offline-test/bookworm-minbase.tar"
  target="$work/root"
  mkdir -p "$target"
  if [ "$reuse" = 1 ] && [ -f "$cache" ]; then
    echo "== reusing the minimal Debian 12 in $cache"
  else
    echo "== making a minimal Debian 12 (debootstrap --variant=minbase bookworm)"
    command -v debootstrap >/dev/null || PATH="$PATH:/usr/sbin:/sbin"
    if ! command -v debootstrap >/dev/null; then
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends debootstrap >/dev/null
    fi
    debootstrap --variant=minbase bookworm "$work/minbase" >"$work/debootstrap.log" 2>&1 ||
      { tail -20 "$work/debootstrap.log"; exit 1; }
    mkdir -p "$(dirname "$cache")"
    tar -C "$work/minbase" -cf "$cache.part" . && mv "$cache.part" "$cache"
    rm -rf "$work/minbase"
  fi
  tar -C "$target" -xf "$cache"
  root_time="$(elapsed "$t")"
  prefix=/opt/seccheck
  in_target() {
    chroot "$target" /usr/bin/env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
      HOME=/root LANG=C.UTF-8 "$@"
  }
  path_of() { echo "$target$1"; }
  check "the minimal Debian has no python3 before the install" test ! -e "$target/usr/bin/python3"
  check "the minimal Debian has no fonts-noto-cjk before the install" \
    test -z "$(chroot "$target" dpkg-query -W -f='${Status}' fonts-noto-cjk 2>/dev/null | grep 'ok installed')"
fi

in_target dpkg-query -W -f='${Package}\n' | sort >"$work/before"

# A fresh copy of the bundle, unpacked where the install runs.
cp "$bundle" "$target/"
tar -C "$target" -xzf "$target/$name.tar.gz"
here="$target/$name"
inside_here="${here#"$target"}"
[ "$host" = 1 ] && inside_here="$here"

echo "== installing inside unshare --net"
# What runs in the namespace: first it lists the network interfaces it sees, then the bundle's install.sh.
cat >"$target/offline-install.sh" <<'SCRIPT'
echo "[netns] interfaces: $(tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d ' ' | tr '\n' ' ')"
exec bash "$@"
SCRIPT
t=$SECONDS
set +e
if [ "$host" = 1 ]; then
  unshare --net bash "$target/offline-install.sh" "$here/install.sh" --prefix "$prefix" --no-link "${pg[@]}" >"$work/install.log" 2>&1
else
  # Its own mounts: /proc of the new process tree, and pseudo-terminals (apt and dpkg log through one).
  unshare --net --mount --pid --fork bash -c 'mount -t proc proc "$1/proc" && mount --bind /dev/pts "$1/dev/pts" &&
    exec chroot "$1" /usr/bin/env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root \
      LANG=C.UTF-8 bash /offline-install.sh "$2/install.sh" "${@:3}"' _ "$target" "$inside_here" "${pg[@]}" >"$work/install.log" 2>&1
fi
code=$?
set -e
install_time="$(elapsed "$t")"
cp "$work/install.log" "$root_dir/dist/offline-install.log"
if [ "$code" != 0 ]; then
  tail -40 "$work/install.log"
fi
log="$work/install.log"

echo "== checks"
check "install.sh exited 0 (log: dist/offline-install.log)" test "$code" = 0
check "the namespace had no interface but loopback" grep -qx '\[netns\] interfaces: lo ' "$log"
check "the bundle's files matched SHA256SUMS" grep -q "全部文件校验通过" "$log"
pip_lines="$(grep -E '^\+ .*-m pip install' "$log" || true)"
check "pip ran twice (the lock, then seccheck)" test "$(printf '%s\n' "$pip_lines" | grep -c .)" = 2
check "every pip install ran with --no-index" test -z "$(printf '%s\n' "$pip_lines" | grep -v -- '--no-index')"
check "every pip install found packages only in the bundle's wheels/" \
  test -z "$(printf '%s\n' "$pip_lines" | grep -v -- "--find-links $inside_here/wheels")"
check "the lock was installed with --require-hashes" grep -qE '^\+ .*pip install .*--require-hashes -r' "$log"
check "apt used only the bundle's file: repository" \
  test -z "$(grep -E '^(Get|Hit|Ign|Err):' "$log" | grep -v ' file:' || true)"
check "apt did not fail to fetch anything" test -z "$(grep -E '^(E:|Err:)' "$log" || true)"

mapfile -t targets <"$here/debs/TARGETS"
missing=()
for pkg in "${targets[@]}"; do
  in_target dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
check "every Debian package seccheck needs is installed (${targets[*]})" test "${#missing[@]}" = 0
# Every package of the bundle is installed now; those that were not there before at the bundle's version
# (those that were stay as they were, or apt updated them from the bundle where a new one needed that).
absent=()
wrong=()
for deb in "$here"/debs/*.deb; do
  pkg="$(dpkg-deb -f "$deb" Package)"
  want="$(dpkg-deb -f "$deb" Version)"
  have="$(in_target dpkg-query -W -f='${Status} ${Version}' "$pkg" 2>/dev/null || true)"
  case "$have" in
    "install ok installed "*) have="${have##* }" ;;
    *) absent+=("$pkg"); continue ;;
  esac
  grep -qx "$pkg" "$work/before" || [ "$have" = "$want" ] || wrong+=("$pkg:$have!=$want")
done
check "every Debian package of the bundle is installed ($(find "$here/debs" -name '*.deb' | wc -l))" \
  test "${#absent[@]}" = 0
check "each one new to the system at the bundle's version" test "${#wrong[@]}" = 0
[ "${#absent[@]}${#wrong[@]}" = 00 ] || echo "     not installed: ${absent[*]:-}; other version: ${wrong[*]:-}"
if [ "$host" = 0 ]; then
  check "apt installed the bundle's Debian packages into the fresh system" \
    grep -qE "^[0-9]+ upgraded, [1-9][0-9]* newly installed" "$log"
  check "nothing was left in pip's cache" test ! -e "$target/root/.cache/pip"
fi

if [ "${#pg[@]}" -gt 0 ]; then
  check "psql (postgresql-client) runs" in_target psql --version
fi

venv="$prefix/venv"
check "the environment runs Debian's python3" grep -qx 'home = /usr/bin' "$(path_of "$venv/pyvenv.cfg")"
normalize() { awk -F'==' '{ n = tolower($1); gsub(/[-_.]+/, "-", n); print n "==" $2 }' | sort; }
installed="$(in_target "$venv/bin/python" -m pip --no-input list --format=freeze 2>/dev/null | grep -v '^pip==' |
  normalize)"
expected="$( (sed -n 's/^\([A-Za-z0-9][A-Za-z0-9._-]*\)==\([^ ]*\).*/\1==\2/p' "$here/requirements.lock"
  echo "seccheck==$version") | normalize)"
check "the environment holds exactly the lock's pins and seccheck ($(printf '%s\n' "$expected" | wc -l) packages)" \
  test "$installed" = "$expected"
lock_sha="$(sha256sum "$here/requirements.lock" | cut -d' ' -f1)"
check "seccheck --version shows the bundle's lock digest" grep -qx "依赖锁定文件 requirements.lock sha256 $lock_sha" "$log"
check "seccheck --version shows WeasyPrint, pydantic and SQLAlchemy" \
  test "$(grep -cE '^(WeasyPrint|pydantic|SQLAlchemy) [0-9]' "$log")" = 3
check "seccheck doctor: versions match the lock" grep -q "^✓ 版本：seccheck $version；" "$log"
check "seccheck doctor: HarfBuzz subsetting" grep -q "^✓ HarfBuzz 子集化" "$log"
check "seccheck doctor: everything ready" grep -q "^一切就绪。" "$log"
check "the demo audit was sealed and verified" grep -q "封签相符" "$log"
pdfs="$(find "$(path_of "$prefix/demo/reports")" -name '*.pdf' 2>/dev/null | wc -l)"
check "the demo audit's notice PDF was written" test "$pdfs" -ge 1

echo
grep -E '^\[netns\]|^\+ .*pip install|^(seccheck|依赖锁定文件|WeasyPrint|pydantic|SQLAlchemy) |^✓ 版本|^[0-9]+ upgraded' "$log" |
  sed 's/^/    /' | cut -c1-220
size="$(stat -c %s "$bundle")"
echo "bundle $(numfmt --to=iec-i --suffix=B "$size"); build $bundle_time, minimal Debian $root_time," \
  "offline install $install_time, total $(elapsed "$started")"
if [ "$failures" != 0 ]; then
  echo "offline install: $failures check(s) failed"
  exit 1
fi
echo "offline install: all checks passed ($([ "$host" = 1 ] && echo "this machine" || echo "fresh minimal Debian 12"), no network)"
