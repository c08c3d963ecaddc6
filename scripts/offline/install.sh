#!/usr/bin/env bash
# seccheck 离线安装：在不联网的 Debian 12（bookworm）amd64 机器上以 root 运行（说明见同目录 README.md）。
#   bash install.sh                            # 安装到 /opt/seccheck，并建立命令 /usr/local/bin/seccheck
#   bash install.sh --with-postgresql-client   # 另装 psql（离线包制作时须带同名选项）
#   bash install.sh --prefix 目录 --no-link     # 装到别处，不建立 /usr/local/bin/seccheck
# 只使用本离线包中的文件：Debian 软件包由 apt 从本目录 debs/ 安装（file: 软件源，不读系统的软件源），
# Python 软件包由 pip 从本目录 wheels/ 安装（--no-index，逐个核对 requirements.lock 中的 sha256）。
# 装好后运行 seccheck doctor 和一次示例检查（工作区在 安装目录/demo）。可重复运行。
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"

prefix=/opt/seccheck
link=1
pg=0
while [ $# -gt 0 ]; do
  case "$1" in
    --prefix) prefix="${2:?--prefix 需要一个目录}"; shift ;;
    --prefix=*) prefix="${1#--prefix=}" ;;
    --no-link) link=0 ;;
    --with-postgresql-client) pg=1 ;;
    -h | --help) sed -n '2,8p' "$0" | cut -c3-; exit 0 ;;
    *) echo "未知参数：$1" >&2; exit 2 ;;
  esac
  shift
done
case "$prefix" in /*) ;; *) prefix="$PWD/$prefix" ;; esac

step() { printf '\n==> %s\n' "$*"; }
run() { printf '+ %s\n' "$*"; "$@"; }
fail() { printf '安装失败：%s\n' "$*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || fail "请以 root 运行（需要安装 Debian 软件包）"
[ "$(dpkg --print-architecture)" = amd64 ] || fail "本离线包只适用于 amd64（x86_64），本机是 $(dpkg --print-architecture)"
codename="$(. /etc/os-release && echo "${VERSION_CODENAME:-}")"
if [ "$codename" != bookworm ]; then
  echo "注意：本离线包的 Debian 软件包取自 Debian 12（bookworm），本机是 $(. /etc/os-release && echo "${PRETTY_NAME:-未知}")；" \
       "依赖关系不满足时 apt 会报错并停止，不会改动系统。" >&2
fi

step "校验离线包（SHA256SUMS）"
(cd "$here" && sha256sum --quiet -c SHA256SUMS) || fail "离线包文件不完整或被改动，请重新拷贝"
echo "全部文件校验通过"

step "安装 Debian 软件包（只用本离线包的 debs/）"
mapfile -t packages <"$here/debs/TARGETS"
if [ "$pg" = 1 ]; then
  grep -qx postgresql-client "$here/debs/OPTIONAL" ||
    fail "本离线包不含 PostgreSQL 客户端：制作时请用 bash scripts/bundle.sh --with-postgresql-client"
  packages+=(postgresql-client)
fi
apt_dir="$(mktemp -d)"
trap 'rm -rf "$apt_dir"' EXIT
ln -s "$here/debs" "$apt_dir/debs"  # a path without spaces for sources.list
mkdir -p "$apt_dir/lists/partial" "$apt_dir/sources.list.d" "$apt_dir/archives/partial"
echo "deb [trusted=yes] file:$apt_dir/debs ./" >"$apt_dir/sources.list"
# apt sees only this folder: no system sources, its own lists and cache; what is installed already stays.
apt_opts=(-o "Dir::Etc::SourceList=$apt_dir/sources.list" -o "Dir::Etc::SourceParts=$apt_dir/sources.list.d"
          -o "Dir::State::Lists=$apt_dir/lists" -o "Dir::Cache::Archives=$apt_dir/archives"
          -o Dir::Cache::pkgcache= -o Dir::Cache::srcpkgcache= -o Acquire::Languages=none
          -o APT::Get::List-Cleanup=false -o APT::Sandbox::User=root)
export DEBIAN_FRONTEND=noninteractive
run apt-get "${apt_opts[@]}" update -qq
run apt-get "${apt_opts[@]}" install -y -q --no-install-recommends "${packages[@]}"
for pkg in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || fail "Debian 软件包 $pkg 未装上"
done
echo "Debian 软件包已就绪：${packages[*]}"

step "建立 Python 虚拟环境 $prefix/venv（只用本离线包的 wheels/）"
# Only this bundle: no pip configuration or PIP_* variable of this machine may add an index or a folder.
while IFS= read -r var; do unset "$var"; done < <(compgen -e | grep '^PIP_' || true)
export PIP_CONFIG_FILE=/dev/null PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
mkdir -p "$prefix"
rm -rf "$prefix/venv"  # made anew each time: only what this bundle holds
run /usr/bin/python3 -m venv "$prefix/venv"
run "$prefix/venv/bin/python" -m pip install -q --no-index --find-links "$here/wheels" \
  --require-hashes -r "$here/requirements.lock"
wheel="$(find "$here/wheels" -maxdepth 1 -name 'seccheck-*.whl' | head -n1)"
[ -n "$wheel" ] || fail "离线包中没有 seccheck 的 wheel"
run "$prefix/venv/bin/python" -m pip install -q --no-index --find-links "$here/wheels" --no-deps "$wheel"
cp "$here/requirements.lock" "$prefix/requirements.lock"
seccheck="$prefix/venv/bin/seccheck"
if [ "$link" = 1 ]; then
  run ln -sfn "$seccheck" /usr/local/bin/seccheck
fi

step "版本"
run "$seccheck" --version

step "示例检查（工作区 $prefix/demo）"
rm -rf "$prefix/demo"
mkdir -p "$prefix/demo"
cd "$prefix/demo"
run "$seccheck" init . --issuer "某区国家保密局" --prefix "某保检" --contact "李明" --phone "0000-0000000" \
  --inspector "李明" --inspector "赵静"
run "$seccheck" doctor || fail "seccheck doctor 发现必需的条件不满足（见上）"
run "$seccheck" audit unit-self-assessment --answers "$here/examples/unit-self-assessment.answers.toml" --new-unit --accept-date
run "$seccheck" verify --all

echo
echo "安装完成。seccheck 在 $seccheck$([ "$link" = 1 ] && echo "（命令 seccheck 即可运行）")；"
echo "示例检查的整改通知书在 $prefix/demo/reports/。两个单位的 seccheck --version 输出相同，评分才可比。"
