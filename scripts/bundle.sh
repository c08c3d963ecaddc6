#!/usr/bin/env bash
# Makes the offline bundle dist/seccheck-offline-VERSION.tar.gz for a Debian 12 (bookworm) amd64 machine
# that never touches a network: the seccheck wheel, every wheel of requirements.lock, the Debian packages
# seccheck needs with their dependencies, install.sh and a README in Chinese (README「离线安装」).
#   bash scripts/bundle.sh                            # Python, fonts, Pango, HarfBuzz subsetting
#   bash scripts/bundle.sh --with-postgresql-client   # also psql (postgresql-client), installed on request
# Run as root on a connected Debian 12 amd64 machine: it uses Debian's and Python's package registries.
set -euo pipefail
cd "$(dirname "$0")/.."
started=$SECONDS

pg=0
for arg in "$@"; do
  case "$arg" in
    --with-postgresql-client) pg=1 ;;
    -h | --help) sed -n '2,7p' "$0" | cut -c3-; exit 0 ;;
    *) echo "未知参数：$arg（可用：--with-postgresql-client）" >&2; exit 2 ;;
  esac
done

# What seccheck needs from Debian (see scripts/setup.sh): Python with venv; fontconfig and CJK fonts;
# Pango and HarfBuzz subsetting for WeasyPrint.
debs=(python3 python3-venv fontconfig fonts-noto-cjk fonts-arphic-ukai libpango-1.0-0 libpangoft2-1.0-0
      libharfbuzz-subset0)
optional=()
[ "$pg" = 1 ] && optional+=(postgresql-client)

. /etc/os-release
arch="$(dpkg --print-architecture)"
if [ "${VERSION_CODENAME:-}" != bookworm ] || [ "$arch" != amd64 ]; then
  echo "离线包须在联网的 Debian 12（bookworm）amd64 机器上制作（本机：${PRETTY_NAME:-?} $arch）：" \
       "其中的 Debian 软件包取自本机的软件源，只适用于同一版本和架构。" >&2
  exit 1
fi
[ "$(id -u)" = 0 ] || { echo "请以 root 运行（需要 apt-get update，缺少 python3-venv 时还要安装它）" >&2; exit 1; }

version="$(sed -n 's/^version = "\(.*\)"$/\1/p' pyproject.toml | head -n1)"
name="seccheck-offline-$version"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
out="$work/$name"
mkdir -p "$out/debs" "$out/wheels" "$out/examples"

echo "==> Debian 软件包"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# Everything apt itself would install (first alternatives, no recommends) on a machine with nothing on it,
# at the newest version of bookworm and its updates. That includes what every Debian has (libc6, perl-base, …):
# a target installed from an older point release may lack the exact versions these packages need (perl needs
# perl-base of its own release), and apt then updates just those from the bundle; what fits stays as it is.
: >"$work/empty-status"
apt-get install -s -qq --no-install-recommends -o Dir::State::status="$work/empty-status" "${debs[@]}" "${optional[@]}" |
  awk '$1 == "Inst" { print $2 }' | sort -u >"$work/selected"
(cd "$out/debs" && xargs apt-get download -qq -o APT::Sandbox::User=root <"$work/selected")
# A flat local repository: install.sh points apt at it (file:, no network) and apt picks what is missing.
(
  cd "$out/debs"
  for deb in *.deb; do
    dpkg-deb -f "$deb"
    printf 'Filename: ./%s\nSize: %s\nSHA256: %s\n\n' "$deb" "$(stat -c %s "$deb")" "$(sha256sum "$deb" | cut -d' ' -f1)"
  done >Packages
  printf 'Origin: seccheck-offline\nLabel: seccheck-offline\nSuite: %s\nCodename: %s\nArchitectures: %s\n' \
    "$version" "$VERSION_CODENAME" "$arch" >Release
  printf 'Date: %s\nSHA256:\n %s %s Packages\n' "$(LC_ALL=C date -u -R)" "$(sha256sum Packages | cut -d' ' -f1)" \
    "$(stat -c %s Packages)" >>Release
)
printf '%s\n' "${debs[@]}" >"$out/debs/TARGETS"
printf '%s\n' "${optional[@]}" >"$out/debs/OPTIONAL"

echo "==> Python 软件包（requirements.lock，逐个核对 sha256）"
# Debian's own python3, the one the offline machine will run: the wheels are chosen for exactly it.
dpkg-query -W -f='${Status}' python3-venv 2>/dev/null | grep -q "install ok installed" ||
  apt-get install -y -qq --no-install-recommends python3 python3-venv >/dev/null
/usr/bin/python3 -m venv "$work/venv"
pip=("$work/venv/bin/python" -m pip)
"${pip[@]}" download -q --require-hashes --only-binary=:all: --no-deps -r requirements.lock -d "$out/wheels"
# seccheck's own wheel, built with the locked setuptools; installing the locked wheels first proves they install.
"${pip[@]}" install -q --no-index --find-links "$out/wheels" --require-hashes -r requirements.lock
"${pip[@]}" wheel -q --no-index --no-deps --no-build-isolation -w "$out/wheels" .

echo "==> 安装脚本、说明"
cp requirements.lock "$out/"
cp scripts/offline/install.sh "$out/install.sh"
cp scripts/offline/README.md "$out/README.md"
cp examples/unit-self-assessment.answers.toml examples/复制登记簿照片.jpg "$out/examples/"
lock_sha="$(sha256sum requirements.lock | cut -d' ' -f1)"
{
  echo "seccheck $version（git $(git rev-parse --short HEAD 2>/dev/null || echo 无)$(git diff --quiet HEAD 2>/dev/null || echo '，含未提交的修改')）"
  echo "制作时间 $(date '+%Y-%m-%d %H:%M:%S %z')"
  echo "目标系统 Debian ${VERSION_ID:-12}（$VERSION_CODENAME）$arch；Python $(/usr/bin/python3 -c 'import platform; print(platform.python_version())')（Debian 的 python3）"
  echo "依赖锁定文件 requirements.lock sha256 $lock_sha"
  echo "可选 Debian 软件包：${optional[*]:-无}"
  echo
  echo "Debian 软件包（$(wc -l <"$work/selected") 个）："
  (cd "$out/debs" && dpkg-deb -W --showformat='  ${Package} ${Version}\n' ./*.deb)
  echo
  echo "Python 软件包（$(find "$out/wheels" -name '*.whl' | wc -l) 个）："
  (cd "$out/wheels" && find . -name '*.whl' -printf '  %f\n' | sort)
} >"$out/BUILDINFO.txt"
(cd "$out" && find . -type f ! -name SHA256SUMS -printf '%P\n' | LC_ALL=C sort | xargs -d '\n' sha256sum >SHA256SUMS)

mkdir -p dist
tar -C "$work" --owner=0 --group=0 --numeric-owner -czf "dist/$name.tar.gz.part" "$name"
mv "dist/$name.tar.gz.part" "dist/$name.tar.gz"
size="$(stat -c %s "dist/$name.tar.gz")"
echo "已生成 dist/$name.tar.gz：$(numfmt --to=iec-i --suffix=B "$size")（$size 字节），" \
     "Debian 软件包 $(wc -l <"$work/selected") 个，Python 软件包 $(find "$out/wheels" -name '*.whl' | wc -l) 个，" \
     "用时 $((SECONDS - started)) 秒"
echo "requirements.lock sha256 $lock_sha"
