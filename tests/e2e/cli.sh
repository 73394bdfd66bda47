#!/usr/bin/env bash
# The command line and the client's first screens, as a new user meets them.
. "$(dirname "$0")/lib.sh"

out=$("$J" --version); expect_eq "--version" "$out" "jzg 0.1.0"
out=$("$J" -V); expect_eq "-V" "$out" "jzg 0.1.0"
out=$("$J" --help); expect_has "--help lists school add" "$out" "school add --code 学校标识码"
out=$("$J" -h); expect_has "-h lists check" "$out" "check [--school 学校标识码]"
# Each verb's usage lives beside its options (cli_verb): VERB --help prints
# that verb's lines only, exit 0; a verb with sub-verbs lists them all.
out=$("$J" check --help) && rc=0 || rc=$?
expect_eq "check --help exits 0" "$rc" 0
expect_eq "check --help: its usage" "$(head -1 <<<"$out")" \
	"  jzg [--db 数据文件] check [--school 学校标识码] [--staff 身份证件号] [--format text|tsv|json]"
expect_eq "check --help: two lines" "$(wc -l <<<"$out")" 2
out=$("$J" print --help); expect_eq "print --help: sheet and form" "$(grep -c '^  jzg' <<<"$out")" 2
out=$("$J" --db "$T/none.db" school add -h) && rc=0 || rc=$?
expect_eq "school add -h exits 0" "$rc" 0
expect_has "school add -h: usage" "$out" "school add --code 学校标识码"
[ ! -e "$T/none.db" ] && ok "--help opens no file" || bad "--help created $T/none.db"
out=$("$J" school 2>&1) && rc=0 || rc=$?
expect_eq "school without sub-verb exits 2" "$rc" 2
expect_eq "school without sub-verb names them" "$out" "jzg: school 后面需要 add、list（用 jzg school --help 查看用法）"
out=$("$J" --db= school list 2>&1) && rc=0 || rc=$?
expect_eq "--db= exits 2" "$rc" 2
expect_eq "--db= message" "$out" "jzg: --db 后面需要一个路径"
out=$("$J" --frob 2>&1) && rc=0 || rc=$?
expect_eq "unknown global option exits 2" "$rc" 2
expect_eq "unknown global option message" "$out" "jzg: 不认识的选项 --frob（用 jzg --help 查看用法）"
out=$("$J" frobnicate 2>&1) && rc=0 || rc=$?
expect_eq "unknown command exits 2" "$rc" 2
expect_has "unknown command in Chinese" "$out" "不认识的命令"
expect_eq "error is one line" "$(wc -l <<<"$out")" 1

DB=$T/county.db
out=$("$J" --db "$DB" school add --code 21430123 --name 甲校 --type zxx 2>&1) && rc=0 || rc=$?
expect_eq "short school code refused" "$rc" 2
expect_has "short school code message" "$out" "学校标识码应为 10 位数字"
out=$("$J" --db "$DB" school add --code 2143012345 --name 测试县第一小学 --type zxx 2>&1)
expect_has "school added" "$out" "已添加学校：2143012345 测试县第一小学"
out=$("$J" --db "$DB" school add --code 1143012346 --name 测试县幼儿园 --type yey 2>&1)
expect_has "second school added" "$out" "已添加学校"
# One option parser for every verb (cli_util.c): an unknown option, or one
# without its value, is named in Chinese with exit 2; a repeated option adds up.
out=$("$J" --db "$DB" school add --frob 2>&1) && rc=0 || rc=$?
expect_eq "school add: unknown option exits 2" "$rc" 2
expect_eq "school add: unknown option message" "$out" \
	"jzg: school add 不认识参数 --frob（用法：jzg --db 文件 school add --code 学校标识码 --name 学校名称 --type zxx|zz|tj|yey|gx）"
out=$("$J" --db "$DB" export --frob 2>&1) && rc=0 || rc=$?
expect_eq "export: unknown option exits 2" "$rc" 2
expect_eq "export: unknown option message with usage" "$out" \
	"jzg: export 不认识参数 --frob（用法：jzg --db 文件 export [--school 学校标识码 ...|--all] [--out 目录] [--zip]）"
out=$("$J" --db "$DB" submit --staff 110105194912310021 --frob 2>&1) && rc=0 || rc=$?
expect_eq "submit: unknown option exits 2" "$rc" 2
expect_eq "submit: unknown option message" "$out" \
	"jzg: submit 不认识参数 --frob（用法：jzg --db 文件 submit --staff 身份证件号 … | --school 学校标识码）"
out=$("$J" --db "$DB" demo --staff 2>&1) && rc=0 || rc=$?
expect_eq "demo: option without its value exits 2" "$rc" 2
expect_eq "demo: option without its value message" "$out" \
	"jzg: demo 不认识参数 --staff（用法：jzg --db 文件 demo --staff N [--school 学校标识码] [--seed 数]）"
mkdir "$T/exp"
out=$("$J" --db "$DB" export --school 2143012345 --school 1143012346 --out "$T/exp" 2>&1) && rc=0 || rc=$?
expect_eq "export: --school twice exits 0" "$rc" 0
expect_eq "export: --school twice exports both" "$(ls "$T/exp" | cut -d_ -f1 | tr '\n' ' ')" "1143012346 2143012345 "
out=$("$J" --db "$DB" demo --staff 10 2>&1) && rc=0 || rc=$?
expect_eq "demo without --school in a two-school file" "$rc" 2
expect_has "demo asks for --school" "$out" "--school"

out=$("$J" --db "$DB" demo --staff 1000 --school 2143012345 2>&1)
expect_has "demo 1000" "$out" "已生成 1000 名演示教职工"
expect_eq "1000 people" "$(sqlite3 "$DB" 'SELECT count(*) FROM staff')" 1000
for t in $(sqlite3 "$DB" "SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 's\_%' ESCAPE '\\'"); do
	n=$(sqlite3 "$DB" "SELECT count(DISTINCT staff_id) FROM \"$t\"")
	[ "$n" = 1000 ] || bad "set $t filled for $n of 1000"
done
ok "every set filled for every person"
expect_eq "application_id" "$(sqlite3 "$DB" 'PRAGMA application_id')" 1247430449
out=$("$J" --db "$DB" school list)
expect_has "school list" "$out" $'2143012345\t测试县第一小学\t中小学\t1000'
# getopt_long for the global options: --db=F is --db F.
out=$("$J" --db="$DB" stats --format tsv) && rc=0 || rc=$?
expect_eq "--db=F stats exits 0" "$rc" 0
expect_has "--db=F stats: the school" "$out" "2143012345"
expect_eq "--db=F is --db F" "$out" "$("$J" --db "$DB" stats --format tsv)"

# A file of another program is refused and left as it was.
printf 'not a database\n' > "$T/other.db"
sum=$(md5sum < "$T/other.db")
out=$("$J" --db "$T/other.db" school list 2>&1) && rc=0 || rc=$?
expect_eq "foreign file exits 2" "$rc" 2
expect_has "foreign file message" "$out" "不是 jzg 数据文件"
expect_eq "foreign file unchanged" "$(md5sum < "$T/other.db")" "$sum"

# A locale naming another character set (a private zh_CN.GBK built with
# localedef from the locales package): the client refuses in Chinese and
# English, in a terminal, before creating any file.  (LANG unset or C is
# taken as UTF-8: tests/e2e/edges.sh.)
mkdir "$T/loc" && localedef -i zh_CN -f GBK "$T/loc/zh_CN.GBK" 2>/dev/null || true
out=$(script -qec "env LOCPATH=$T/loc LC_ALL=zh_CN.GBK $J --db $T/gbk.db" /dev/null 2>&1) && rc=0 || rc=$?
expect_eq "non-UTF-8 locale exits 2" "$rc" 2
expect_has "non-UTF-8 message (zh)" "$out" "不是 UTF-8"
expect_has "non-UTF-8 message (en)" "$out" "not UTF-8 (GBK)"
[ ! -e "$T/gbk.db" ] && ok "non-UTF-8 locale: no file created" || bad "non-UTF-8 locale: $T/gbk.db created"

# First run: the default database is created under XDG_DATA_HOME.
screen_start 80 24 "XDG_DATA_HOME=$T/xdg JZG_FORMS=$JZG_FORMS JZG_DATA=$JZG_DATA $J"
skip_admin
wait_for "添加学校" && ok "first run asks for the first school"
keys F10
expect_eq "quit exits 0" "$(pane_dead_status)" 0
[ -s "$T/xdg/jzg/jzg.db" ] && ok "default database created" || bad "no $T/xdg/jzg/jzg.db"
screen_stop

# Schools and staff are shown; quitting is clean.
screen_start 80 24 "JZG_FORMS=$JZG_FORMS JZG_DATA=$JZG_DATA $J --db $DB"
skip_admin
wait_for "测试县第一小学" && ok "school listed"
wait_for "测试县幼儿园" && ok "second school listed"
keys Down Enter   # schools are listed by code: the kindergarten (11…) comes first
wait_for "教职工 1000 人" && ok "staff screen opens"
first=$(sqlite3 "$DB" "SELECT XM FROM s_jbxx ORDER BY staff_id LIMIT 1")
wait_for "$first" && ok "first person's name shown ($first)"
keys Escape
wait_for "学校 2 所" && ok "Esc goes back to the schools"
keys F10
expect_eq "quit exits 0" "$(pane_dead_status)" 0
screen_stop
finish
