#!/usr/bin/env bash
# bench/keying.sh [build/jzg] — keying speed (issue 17): a scripted clerk
# keys one teacher's paper form (bench/keying_form.tsv) into the real client
# in tmux at 80×24 (TERM=xterm) and the keystrokes are counted: every key
# sent is one, every character typed is one (a Hanzi too, as the issue
# counts).  The script then reads the data file: every field must hold the
# paper's value, or the run fails — the count is of keys that did the work.
#
#   ratio = keystrokes / (characters of the data + number of fields)
#   budget: 基本信息 ≤ 0.75; the whole form (基本信息 + 学习经历 ×2, 工作经历,
#   岗位聘任, 专业技术职务聘任, 教师资格, 联系方式) ≤ 0.85.
#
# Moving between sets (Esc, ↓, Enter, F3) counts; the key that leaves a
# set's last field counts.  Not a timed test: screens are awaited between
# sets only so that the count is of a run that really happened.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
export LC_ALL=C.UTF-8 LANG=C.UTF-8
. "$ROOT/tests/e2e/lib.sh" "${1:-$ROOT/build/jzg}"
export JZG_FORMS=$ROOT/forms JZG_DATA=$ROOT/data JZG_TODAY=2026-12-01
FORM=$ROOT/bench/keying_form.tsv
DB=$T/school.db
SCHOOL=河南省某某县城关镇中心小学
"$J" --db "$DB" school add --code 2141000123 --name "$SCHOOL" --type zxx >/dev/null

K=0
k() { K=$((K + $#)); keys "$@"; }            # keys: one each
t() { K=$((K + ${#1})); text "$1"; }          # text: one per character
declare -A USED

SCREEN_TERM=xterm screen_start 80 24 "HOME=$T JZG_FORMS=$JZG_FORMS JZG_DATA=$JZG_DATA JZG_TODAY=$JZG_TODAY $J --db $DB"
skip_admin
wait_for "教职工 0 人"

# ---- 基本信息
K=0
k F3; wait_for "★姓名"
t 王丽娟; k Enter
k Enter                        # 曾用名: 无 (default)
k Enter                        # 性别: follows from the ID number
t 20090101; k Enter            # 教职工号: the default 0 is selected, typing replaces it
k Enter Enter                  # 国籍/地区 156, 身份证件类型 1 (defaults)
t 410102198503120022; k Enter  # 出生日期 and 性别 follow; Enter passes 出生日期
t 河南省郑州市中原区; k Enter  # 籍贯
t 河南省郑州市中原区; k Enter  # 出生地
k Enter                        # 民族 01 (default)
t 01; k Enter                  # 政治面貌 (several may be chosen): 中共党员 replaces 群众
t 20                           # 婚姻状况: a whole code needs no Enter
k Enter                        # 健康状况 1 (default)
t 200709                       # 参加工作年月: a whole month needs no Enter
t 200909                       # 进本校年月
t 11                           # 教职工来源
t 11                           # 教职工类别
t 1                            # 是否在编: 用人形式 locked, 签订合同情况 follows (passed)
t 1                            # 是否全日制师范类专业毕业
k Enter Enter                  # 特教培训, 特教证书: 0 (defaults)
t 2                            # 信息技术应用能力; the rest are the defaults
wait_for "2 熟练"
USED[jbxx]=$K

# ---- 学习经历 ×2
K=0
k Escape; wait_for "Enter 进入本信息集"
k Down Enter F3; wait_for "第 1 条（共 1 条）"
t 21; k Enter                  # 获得学历 大学本科毕业; 国家 156 (default)
t 河南大学; k Enter
t 汉语言文学; k Enter
t 1                            # 是否师范类专业
t 200309; t 200707             # 入学, 毕业
t 4; t 405; k Enter            # 学士 文学学士, 国家 156
t 河南大学; k Enter
t 200707; t 1; t 1             # 授予年月, 学习方式, 在学单位类别
k Enter; wait_for "F3 再新增一条"
k F3; wait_for "第 [12] 条（共 2 条）"  # (listed by 入学年月: a new one first)
t 14; k Enter
t 河南师范大学; k Enter
t 课程与教学论; k Enter
t 1; t 201209; t 201506
t 3; t 304; k Enter
t 河南师范大学; k Enter
t 201506; t 3; t 1
k Enter; wait_for "学习经历：2 条"
USED[xxjl]=$K

# ---- 工作经历: 任职单位名称 defaults to the school's name
K=0
k Escape Down Enter F3; wait_for "工作经历 — 第 1 条"
k Enter                        # 任职单位名称: the school (default)
t 200909; k Enter              # 开始; 结束: 至今 (empty)
t 23                           # 单位性质类别 其他教育单位
t 教师; k Enter; wait_for "工作经历：1 条"
USED[gzjl]=$K

# ---- 岗位聘任
K=0
k Escape Down Enter F3; wait_for "岗位聘任 — 第 1 条"
t 1; t 112; t 201512           # 教师岗位, 十二级, 开始
k Enter Enter; wait_for "岗位聘任：1 条"   # 兼任 0, 校级职务 00 (defaults)
USED[gwpr]=$K

# ---- 专业技术职务聘任
K=0
k Escape Down Enter F3; wait_for "专业技术职务聘任 — 第 1 条"
t 063; t 201512; k Enter       # 一级教师, 开始; 结束 empty
k Enter; wait_for "专业技术职务聘任：1 条"   # 聘任单位名称: the school (default)
USED[zyjszwpr]=$K

# ---- 教师资格 (three sets further down)
K=0
k Escape Down Down Down Enter F3; wait_for "教师资格 — 第 1 条"
t 2; t 20094100123456; k Enter
t 语文; k Enter
t 20090715                     # 证书颁发日期: a whole date needs no Enter
t 某某县教育局; k Enter; wait_for "教师资格：1 条"
USED[jszg]=$K

# ---- 联系方式 (the last set)
K=0
k Escape PageDown Enter; wait_for "通讯住址"
t 河南省郑州市中原区建设路12号; k Enter
k Enter                        # 电话号
t 13812345678; k Enter
k Enter Enter                  # 邮箱, 其他联系方式
t 张伟; k Enter
t 13912345678; k Enter
wait_for "已保存：紧急联系人号码"
USED[lxfs]=$K
k F10
pane_dead_status >/dev/null

# ---- every field as on paper, then the ratios
staff=$(sqlite3 "$DB" 'SELECT id FROM staff')
declare -A CHARS FIELDS
while IFS=$'\t' read -r set seq field paper stored; do
	[[ $set == \#* || $set == set ]] && continue
	CHARS[$set]=$(( ${CHARS[$set]:-0} + ${#paper} ))
	FIELDS[$set]=$(( ${FIELDS[$set]:-0} + 1 ))
	if [ "$set" = jbxx ] || [ "$set" = lxfs ]; then where="staff_id = $staff"
	else where="staff_id = $staff AND seq = $seq"; fi
	got=$(sqlite3 "$DB" "SELECT ifnull([$field], '') FROM s_$set WHERE $where")
	[ "$got" = "$stored" ] || bad "$set $seq $field: stored «$got», paper «$stored»"
done < "$FORM"
[ "$FAILS" -eq 0 ] || { echo "the keys did not give the paper form; no ratio"; exit 1; }

printf '%-18s %5s %6s %6s %6s\n' 信息集 键 字符 项 比值
tk=0 td=0
for s in jbxx xxjl gzjl gwpr zyjszwpr jszg lxfs; do
	tk=$(( tk + USED[$s] )); td=$(( td + CHARS[$s] + FIELDS[$s] ))
	awk -v s="$s" -v k="${USED[$s]}" -v c="${CHARS[$s]}" -v f="${FIELDS[$s]}" \
		'BEGIN { printf "%-18s %5d %6d %6d %6.3f\n", s, k, c, f, k / (c + f) }'
done
# both ratios, then within the budgets or not (the exit status)
awk -v k="${USED[jbxx]}" -v d="$(( CHARS[jbxx] + FIELDS[jbxx] ))" -v tk="$tk" -v td="$td" 'BEGIN {
	printf "整份表             %5d %13d %6.3f\n", tk, td, tk / td
	printf "基本信息 %.3f（预算 0.75）  整份表 %.3f（预算 0.85）\n", k / d, tk / td
	exit !(k / d <= 0.75 && tk / td <= 0.85) }'
