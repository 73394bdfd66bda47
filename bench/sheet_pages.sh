#!/usr/bin/env bash
# Benchmark (not a test): pages per person of the confirmation sheet, read
# back with pdfinfo.  Three kinds of demo people of a 中小学 school:
#   full     demo as it is: every set has 1–2 records (28 sets, research
#            outputs, patents, overseas study … — more than a teacher has);
#   typical  the same people without the sets a school teacher seldom has
#            (基本待遇 … 交流轮岗 below): 基本信息, 学习经历, 工作经历,
#            岗位聘任, 专业技术职务聘任, 教师资格, 教育教学, 国内培训, 联系方式;
#   long     one typical person with 60 more 学习经历 rows.
# usage: bench/sheet_pages.sh [path/to/jzg] [people]   (default build/jzg 30)
set -euo pipefail
J=${1:-build/jzg}
N=${2:-30}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
export JZG_TODAY=${JZG_TODAY:-2026-11-22}
"$J" --db "$T/full.db" school add --code 2143012345 --name 测试县第一小学 --type zxx >/dev/null
"$J" --db "$T/full.db" demo --staff "$N" --school 2143012345 --seed 6 >/dev/null
cp "$T/full.db" "$T/typical.db"
for t in jbdy ndkh sdxx cg_xm cg_zz cg_lw cg_jl cg_wy cg_zl cg_bg cg_yy cg_bz cg_zd rcxm hwyx jnzs jllg; do
	sqlite3 "$T/typical.db" "DELETE FROM s_$t"
done
cp "$T/typical.db" "$T/long.db"
sqlite3 "$T/long.db" "WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < 60)
   INSERT INTO s_xxjl(staff_id, seq, HDXLM, HDXLYX, SXZY, SFSFLZY, RXNY, BYNY, XWCCM, XXFSM)
   SELECT 1, 100 + i, '21', '第' || i || '所大学', '专业' || i, '1', printf('19%02d-09', i), printf('19%02d-07', i + 1), '0', '1' FROM k"
for kind in full typical; do
	ids=$(sqlite3 "$T/$kind.db" "SELECT SFZJH FROM s_jbxx ORDER BY staff_id")
	dist=$(for id in $ids; do
		"$J" --db "$T/$kind.db" print sheet --staff "$id" --out "$T/one.pdf" >/dev/null
		pdfinfo "$T/one.pdf" | awk '/^Pages:/ {print $2}'
	done | sort -n | uniq -c | awk '{printf "%s%s×%d页", sep, $1, $2; sep="，"}')
	echo "$kind ($N people): $dist"
done
"$J" --db "$T/long.db" print sheet --staff "$(sqlite3 "$T/long.db" "SELECT SFZJH FROM s_jbxx WHERE staff_id = 1")" --out "$T/one.pdf" >/dev/null
echo "long (typical + 60 学习经历 rows): $(pdfinfo "$T/one.pdf" | awk '/^Pages:/ {print $2}') pages"
