#!/usr/bin/env bash
# Printing from the client (issue 17, item 5), at 80×24: F11 saves the
# sheet, y sends it; with several printers a list (lpstat) shows each with
# its state, the default first under the cursor, the last one used first
# next time; Esc prints nothing; a paused printer and a missing CUPS are
# said in Chinese.  CUPS is the stand-in tests/e2e/fake_cups.sh.
. "$(dirname "$0")/lib.sh"
HERE=$(cd "$(dirname "$0")" && pwd)

DB=$T/school.db
H=$T/home
export FAKE_CUPS=$T/cups
mkdir -p "$H" "$T/bin" "$T/nocups" "$FAKE_CUPS"
ln -sf "$HERE/fake_cups.sh" "$T/bin/lp"
ln -sf "$HERE/fake_cups.sh" "$T/bin/lpstat"
printf 'HP_LaserJet idle\nCanon_iR paused Paper jam\n' > "$FAKE_CUPS/printers"
echo HP_LaserJet > "$FAKE_CUPS/default"
"$J" --db "$DB" school add --code 2143012345 --name 测试县第一小学 --type zxx >/dev/null
"$J" --db "$DB" demo --staff 2 --seed 3 >/dev/null 2>&1
RUN="HOME=$H XDG_CONFIG_HOME= FAKE_CUPS=$FAKE_CUPS JZG_FORMS=$JZG_FORMS JZG_DATA=$JZG_DATA JZG_TODAY=$JZG_TODAY"
RUN="$RUN PATH=$T/bin:/usr/bin:/bin $J --db $DB"

screen_start 80 24 "$RUN"
skip_admin
wait_for "教职工 2 人"
keys F11
wait_for "送打印机打印？" && keys y
wait_for "选择打印机" && ok "several printers: a list"
s=$(screen)
expect_has "default printer marked" "$s" "* HP_LaserJet"
expect_has "paused printer with its reason" "$s" "Canon_iR                     已暂停（Paper jam）"
expect_has "what Enter and Esc do" "$s" "Enter 在这台打印，Esc 不打印"
grep -q "HP_LaserJet" <<<"$(screen | grep -E '\* HP_LaserJet')" && ok "the default listed first"
keys Down
wait_for "选择打印机"
keys Enter
wait_for "已送往“Canon_iR”，但它已暂停" && ok "paused printer: said on the status line"
expect_has "paused printer: what to do (the status line may wrap)" "$(screen | tr -d "\n ")" "检查电源和纸张"
expect_eq "lp was asked for Canon_iR" "$(head -2 "$FAKE_CUPS/lp.args" | tr '\n' ' ')" "-d Canon_iR "
rm -f "$FAKE_CUPS/lp.args"
# the next sheet: the printer used last is under the cursor; Esc prints nothing
keys F11
wait_for "送打印机打印？" && keys y
wait_for "选择打印机"
keys Enter
wait_for "已送往“Canon_iR”" && ok "the last printer is offered first"
rm -f "$FAKE_CUPS/lp.args"
keys F11
wait_for "送打印机打印？" && keys y
wait_for "选择打印机"
keys Escape
wait_for "没有打印。确认表已保存：" && ok "Esc in the list: nothing printed, where the PDF is said"
[ -e "$FAKE_CUPS/lp.args" ] && bad "lp ran after Esc" || ok "lp not run after Esc"
# one printer: no list, printed at once
printf 'HP_LaserJet idle\n' > "$FAKE_CUPS/printers"
keys F11
wait_for "送打印机打印？" && keys y
wait_for "已送往“HP_LaserJet”打印。PDF：" && ok "one printer: printed without a list"
keys F10
pane_dead_status >/dev/null

# no CUPS at all
screen_start 80 24 "${RUN/PATH=$T\/bin:/PATH=$T/nocups:}"
skip_admin
wait_for "教职工 2 人"
keys F11
wait_for "送打印机打印？" && keys y
wait_for "没有打印：本机没有安装打印服务 CUPS" && ok "no CUPS: said in Chinese"
keys F10
pane_dead_status >/dev/null
finish
