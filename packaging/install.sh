#!/bin/sh
# install.sh — 离线安装 jzg：只用 dpkg，不联网。由 tools/bundle 生成，
# @...@ 处填入制作安装包的系统（docs/install.md）。
set -u
want_arch='@ARCH@'
want_id='@ID@'
want_version='@VERSION_ID@'
want_name='@PRETTY_NAME@'
here=$(cd "$(dirname "$0")" && pwd)
log=/var/log/jzg-install.log

fail() {
	printf 'jzg 安装：%s\n' "$*" >&2
	exit 1
}

# 1. 同一种电脑、同一个系统版本：软件库是为它编译的，装到别的系统上可能损坏系统。
arch=$(dpkg --print-architecture 2>/dev/null) ||
	fail "这台电脑没有 dpkg，不是 Debian 系的系统，无法安装。本安装包只能用于 ${want_name}（${want_arch}）。"
if [ "$arch" != "$want_arch" ]; then
	fail "本安装包是为 ${want_arch} 架构的电脑制作的，这台电脑是 ${arch}（如飞腾、鲲鹏、龙芯处理器），所以没有安装。请在一台联网的、${arch} 架构的 ${want_name} 电脑上运行 tools/bundle 另做一份安装包。"
fi
id=$(. /etc/os-release 2>/dev/null && printf '%s' "${ID:-}")
version=$(. /etc/os-release 2>/dev/null && printf '%s' "${VERSION_ID:-}")
pretty=$(. /etc/os-release 2>/dev/null && printf '%s' "${PRETTY_NAME:-未知系统}")
if [ "$id" != "$want_id" ] || [ "$version" != "$want_version" ]; then
	fail "本安装包是为 ${want_name} 制作的，这台电脑是 ${pretty}。两者的系统库版本不同，强行安装可能损坏系统，所以没有安装。请在一台联网的、与这台电脑系统版本相同的电脑上制作安装包（见 说明.txt），或请县教育局信息中心帮助。"
fi

# 2. 管理员权限
if [ "$(id -u)" != 0 ]; then
	if command -v sudo >/dev/null 2>&1; then
		echo "安装软件需要管理员权限，请输入您的登录密码："
		exec sudo sh "$0" "$@"
	fi
	fail "安装软件需要管理员权限：请先用 su 切换到 root，再运行 sh $0"
fi

# 3. 拷贝是否完整
cd "$here/debs" 2>/dev/null || fail "找不到 debs 文件夹：请把整个安装包文件夹（含 debs）一起拷贝过来"
sha256sum --quiet -c SHA256SUMS >/dev/null 2>&1 ||
	fail "安装包中的文件不完整或已损坏（校验不符），没有安装。请从制作安装包的电脑上重新拷贝整个文件夹"

# 4. 已装有同样或更新版本的软件包不动：dpkg -i 旧版本会把它降级。
set --
for f in *.deb; do
	p=$(dpkg-deb -f "$f" Package)
	v=$(dpkg-deb -f "$f" Version)
	a=$(dpkg-deb -f "$f" Architecture)
	have=$(dpkg-query -W -f='${db:Status-Status} ${Version}' "$p:$a" 2>/dev/null)
	case $have in
	"installed "*) dpkg --compare-versions "${have#installed }" ge "$v" && continue ;;
	esac
	set -- "$@" "$f"
done
if [ $# -eq 0 ]; then
	echo "jzg 和它需要的软件包都已安装，不需要再装。"
else
	echo "正在安装 $# 个软件包（不联网，只用 dpkg），详细记录写在 $log ……"
	export DEBIAN_FRONTEND=noninteractive
	if ! dpkg -i "$@" >"$log" 2>&1; then
		# 个别软件包要求另一个先配置好（Pre-Depends）：配置已解包的，再装一次
		dpkg --configure -a >>"$log" 2>&1
		dpkg -i "$@" >>"$log" 2>&1 || {
			tail -n 15 "$log" >&2
			fail "dpkg 安装失败（上面是最后几行记录，全部记录在 ${log}）。请把这个文件交给技术人员"
		}
	fi
fi
v=$(jzg --version 2>/dev/null) || fail "安装后无法运行 jzg，详细记录在 $log"
echo "安装完成：${v}。"
echo "启动：在终端中输入 jzg，或从应用菜单中打开“教职工信息采集 jzg”。"
echo "数据文件：每个用户的 ~/.local/share/jzg/jzg.db（第一次启动时创建）。"
