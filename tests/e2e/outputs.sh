#!/usr/bin/env bash
# Outputs the clerk can find (issue 17, item 4), at 80×24: ^X and F11 write
# to the documents folder (XDG_DOCUMENTS_DIR, else ~/文档, else ~/Documents)
# under jzg/, one folder per school; the sheet is named for the person; the
# status line says where (shortened from the left with …), F1 shows the
# whole path.
. "$(dirname "$0")/lib.sh"

DB=$T/school.db
H=$T/home
mkdir -p "$H/.config"
printf 'XDG_DOCUMENTS_DIR="$HOME/我的文档"\n' > "$H/.config/user-dirs.dirs"
"$J" --db "$DB" school add --code 2143012345 --name 测试县第一小学 --type zxx >/dev/null
"$J" --db "$DB" demo --staff 2 --seed 3 >/dev/null 2>&1
RUN="HOME=$H XDG_CONFIG_HOME= JZG_FORMS=$JZG_FORMS JZG_DATA=$JZG_DATA JZG_TODAY=$JZG_TODAY $J --db $DB"
DIR="$H/我的文档/jzg/2143012345_测试县第一小学"

screen_start 80 24 "$RUN"
skip_admin
wait_for "教职工 2 人"
# F11 on the first person: a PDF named 确认表_姓名_身份证件号后4位.pdf
read -r name idno < <(sqlite3 -separator ' ' "$DB" 'SELECT XM, SFZJH FROM s_jbxx ORDER BY staff_id LIMIT 1')
keys F11
wait_for "送打印机打印？" && keys n
wait_for "确认表已保存：" && ok "F11: the status line says the sheet is saved"
pdf="$DIR/确认表_${name}_${idno: -4}.pdf"
[ -s "$pdf" ] && ok "sheet named for the person in the school's folder" || bad "no $pdf: $(ls -R "$H" | head)"
expect_has "status line: the path from ~, shortened with … when long" "$(screen | sed -n 23p)" "…"
expect_has "status line: the file's name kept" "$(screen | sed -n 23p)" "${idno: -4}.pdf"
keys F1
wait_for "【最近保存的文件】" && ok "F1 shows the last file"
expect_has "whole path (wrapped) in help" "$(screen | tr -d '\n ')" "$(tr -d ' ' <<<"$pdf")"
keys Escape
wait_for "教职工 2 人"

# ^X on the school list: the official template name in the same folder.
keys Escape
wait_for "学校 1 所"
keys C-x
wait_for "已导出：" && ok "^X: the status line says where"
[ -s "$DIR/2143012345_测试县第一小学_中小学教职工基础信息采集模板.xlsx" ] && ok "export in the documents folder" ||
	bad "no export in $DIR: $(ls "$DIR")"
expect_has "status line: from ~" "$(screen | sed -n 23p)" "已导出："
keys F10
expect_eq "quit" "$(pane_dead_status)" 0

# Without user-dirs.dirs: ~/文档 when it exists, else ~/Documents.
rm "$H/.config/user-dirs.dirs"
screen_start 80 24 "$RUN"
skip_admin
wait_for "教职工 2 人"; keys Escape; wait_for "学校 1 所"
keys C-x
wait_for "已导出："
[ -d "$H/Documents/jzg/2143012345_测试县第一小学" ] && ok "no 文档: ~/Documents" || bad "not in ~/Documents: $(ls "$H")"
keys F10; pane_dead_status >/dev/null

echo "# $PASSES passed, $FAILS failed"
[ "$FAILS" -eq 0 ]
