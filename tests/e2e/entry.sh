#!/usr/bin/env bash
# One write path (issue 15): a person keyed through the client in tmux and
# the same values typed the same way into the cells of the official Excel
# template and imported end as the same rows in every set — normalising
# (full-width digits, a lower-case x in the ID), template defaults for what
# is left empty, 出生日期 and 性别 derived from the ID number, 签订合同情况
# derived from 是否在编, fields no longer relevant cleared (用人形式 once
# 是否在编 is 1; 民族 and 政治面貌 for a foreign 国籍), 最高学历 引自 学习经历;
# months typed as a clerk types them (２００１年9月, 2005.9, 199709, 2001年7月).
. "$(dirname "$0")/lib.sh"
PY=/usr/bin/python3          # Debian's python, where python3-openpyxl lives

A=$T/keyed.db
B=$T/imported.db
RUN="JZG_FORMS=$JZG_FORMS JZG_DATA=$JZG_DATA JZG_TODAY=$JZG_TODAY $J --db $A"
ID_TYPED='１１０１０５１９８００９０５１２０x'
ID=11010519800905120X
NO_TYPED='Ｔ００２'
CJG_TYPED='２００１年9月'      # 参加工作年月
RX_TYPED='199709'             # 入学年月
BY_TYPED='2001年7月'          # 毕业年月
"$J" --db "$A" school add --code 2143012345 --name 测试县第一小学 --type zxx >/dev/null

# ---------------------------------------------------------------- keyed
screen_start 80 24 "$RUN"
skip_admin
wait_for "本校还没有教职工|教职工 0 人" && keys Enter
wait_for "本校还没有教职工" && keys F3
wait_for "★姓名" && ok "F3 opens a new person's form"
text '李华'; keys Enter                       # 姓名
keys Enter Enter                              # 曾用名 (default 无), 性别 (left for the ID)
keys C-u; text "$NO_TYPED"; keys Enter       # 教职工号, full-width
text 840; wait_for "840 美国"                 # 国籍/地区 (a whole code: no Enter): 民族 and 政治面貌 no longer relevant
keys Enter                                    # 身份证件类型 (default 1)
text "$ID_TYPED"; keys Enter                  # full-width digits and a lower-case x
wait_for "1980-09-05" && ok "出生日期 derived from the ID number"
                                              # 出生日期 derived: Enter after the ID went over it
text '湖北武汉'; keys Enter                   # 籍贯
keys Enter                                    # 出生地; 民族, 政治面貌 locked and skipped
keys Enter Enter                              # 婚姻状况, 健康状况 (default 1)
text "$CJG_TYPED"; keys Enter                 # 参加工作年月
text '2005.9'; keys Enter                     # 进本校年月
text 11; wait_for "11 城镇应届毕业生"          # 教职工来源 (whole codes need no Enter)
text 11; wait_for "11 专任教师"                # 教职工类别
text 1; wait_for "1 是"                       # 是否在编: 用人形式 locked, 签订合同情况 1 (derived, passed over)
keys Enter Enter Enter                        # three yes/no (default 0)
text 2; wait_for "2 熟练"                     # 信息技术应用能力
keys Escape
expect_db "keyed: the values as stored" "$A" 'SELECT XM, JZGH, SFZJH, CSRQ, XBM, GJDQM, coalesce(MZM, "-"), SFZBM, QDHTQKM FROM s_jbxx' \
	"李华|T002|$ID|1980-09-05|2|840|-|1|1"
# one 学习经历 record: 最高学历 is derived from it
keys Down Enter
wait_for "还没有记录" && keys F3
text 21; wait_for "21 "                       # 获得学历: 大学本科毕业
keys Enter                                    # 国家 (default 156)
text 北京师范大学; keys Enter
text 汉语言文学; keys Enter
keys Enter                                    # 是否师范类专业 (default 0)
text "$RX_TYPED"                              # 入学年月 (six digits: no Enter)
text "$BY_TYPED"; keys Enter                  # 毕业年月
text 0; wait_for "0 无"                       # 学位层次 无: the degree's fields locked
text 1; wait_for "1 全脱产"                   # 学习方式
keys Escape
wait_for "北京师范大学" && ok "学习经历 record listed"
expect_db "keyed: 最高学历 引自 学习经历" "$A" 'SELECT ZGXLM, ZGXLYX FROM s_jbxx' "21|北京师范大学"
keys F10
expect_eq "F10 exits 0" "$(pane_dead_status)" 0
screen_stop

# ------------------------------------------------------------- imported
# The official template, as `jzg export` writes it: the keyed person's row
# and record, every cell emptied but those the clerk typed, typed again the
# same way.
mkdir "$T/out"
"$J" --db "$A" export --out "$T/out" >/dev/null
X=$(ls "$T"/out/*.xlsx)
"$PY" - "$X" "$ID_TYPED" "$NO_TYPED" "$CJG_TYPED" "$RX_TYPED" "$BY_TYPED" <<'EOF'
import sys, openpyxl
path, id_typed, no_typed, cjg_typed, rx_typed, by_typed = sys.argv[1:]
wb = openpyxl.load_workbook(path)
typed = {   # sheet → header → cell text typed (None: the exported text)
    '基本信息': {'姓名': None, '教职工号': no_typed, '国籍/地区': None, '身份证件号': id_typed,
                 '籍贯': None, '参加工作年月': cjg_typed, '进本校年月': '2005.9', '教职工来源': None,
                 '教职工类别': None, '是否在编': None, '信息技术应用能力': None},
    '学习经历': {'身份证件号': id_typed, '姓名': None, '获得学历': None, '获得学历的院校或机构': None,
                 '所学专业': None, '入学年月': rx_typed, '毕业年月': by_typed, '学位层次': None, '学习方式': None},
}
seen = set()
for ws in wb.worksheets:
    key = next((k for k in typed if k in ws.title), None)
    if key is None:
        continue              # the other sets: no rows; the guide and the codes
    head = None
    for row in ws.iter_rows():
        texts = [str(c.value).strip('★* ') if c.value is not None else '' for c in row]
        if head is None:
            if '身份证件号' in texts:
                head = texts
            continue
        if not any(c.value not in (None, '') for c in row):
            continue
        for c, h in zip(row, head):
            want = typed[key].get(h, '')
            if want == '':
                c.value = None        # left empty, as on a new row
            elif want is not None:
                c.value = want
        seen.add(key)
assert seen == set(typed), ('sheets not found', seen, [ws.title for ws in wb.worksheets])
wb.save(path)
EOF
[ $? -eq 0 ] && ok "xlsx cells typed" || bad "xlsx not edited"
out=$("$J" --db "$B" import "$X" 2>&1) && ok "import accepted" || bad "import refused: $out"

# --------------------------------------------------------------- compare
# Every set of the template, every column but the row ids: identical.
same=1
for t in $(sqlite3 "$A" "SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 's\_%' ESCAPE '\\' ORDER BY name"); do
	cols=$(sqlite3 "$A" "SELECT group_concat('quote(\"' || name || '\")', ' || ''|'' || ') FROM pragma_table_info('$t') WHERE name NOT IN ('id', 'staff_id')")
	ra=$(sqlite3 "$A" "SELECT $cols FROM \"$t\" ORDER BY 1")
	rb=$(sqlite3 "$B" "SELECT $cols FROM \"$t\" ORDER BY 1")
	if [ "$ra" != "$rb" ]; then
		same=0
		bad "set $t differs: keyed «$ra», imported «$rb»"
	fi
done
[ "$same" = 1 ] && ok "keyed and imported person identical in every set"
expect_db "imported: derived and normalised" "$B" 'SELECT JZGH, SFZJH, CSRQ, XBM, CYM, QDHTQKM, coalesce(YRXSM, "-"), coalesce(MZM, "-"), ZGXLM, CJGNY, JBXNY FROM s_jbxx' \
	"T002|$ID|1980-09-05|2|无|1|-|-|21|2001-09|2005-09"
expect_db "imported: months of 学习经历" "$B" 'SELECT RXNY, BYNY FROM s_xxjl' "1997-09|2001-07"

echo "$PASSES passed, $FAILS failed"
[ "$FAILS" -eq 0 ]
