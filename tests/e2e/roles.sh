#!/usr/bin/env bash
# roles.sh — issue 18 item 3: every verb as every role, county and school
# bound, on its own school and on another, against the verb × role × scope
# table that `jzg help --roles` prints from the verb entries; the same
# table is the one in docs/workflow.md.  A refusal by the table is
# "无权操作：…" with exit 2 and the file unchanged; a run the table allows
# is never refused so (it may still fail for its own reasons: approving a
# draft).  Then the escapes of the reliability findings one by one, and a
# school bound operator who names no school working on his own.
. "$(dirname "$0")/lib.sh"
PY=/usr/bin/python3
DOCS=$(cd "$(dirname "$0")/../.." && pwd)/docs/workflow.md
set +e
cd "$T"
S1=2143012345 S2=2143012346

# --- the table: printed from the verb entries, the same in the docs
"$J" help --roles > table.md
expect_eq "help --roles exits 0" "$?" 0
docs=$(sed -n '/<!-- roles:begin -->/,/<!-- roles:end -->/p' "$DOCS" | sed '1d;$d')
expect_eq "docs/workflow.md has the table jzg prints" "$docs" "$(cat table.md)"

# --- a file of two schools, packed and exported before operators exist
"$J" --db base.db school add --code $S1 --name 测试县第一小学 --type zxx >/dev/null
"$J" --db base.db school add --code $S2 --name 测试县第二小学 --type zxx >/dev/null
"$J" --db base.db demo --staff 2 --school $S1 --seed 3 >/dev/null
"$J" --db base.db demo --staff 2 --school $S2 --seed 4 >/dev/null
P1=$(sqlite3 base.db "SELECT SFZJH FROM s_jbxx j JOIN staff s ON s.id = j.staff_id JOIN school c ON c.id = s.school_id WHERE c.code = '$S1' LIMIT 1")
P2=$(sqlite3 base.db "SELECT SFZJH FROM s_jbxx j JOIN staff s ON s.id = j.staff_id JOIN school c ON c.id = s.school_id WHERE c.code = '$S2' LIMIT 1")
mkdir x1 x2 photos
"$J" --db base.db export --school $S1 --out x1 >/dev/null
"$J" --db base.db export --school $S2 --out x2 >/dev/null
"$J" --db base.db pack --school $S1 --out p$S1.db >/dev/null
"$J" --db base.db pack --school $S2 --out p$S2.db >/dev/null
X1=$(ls x1/*.xlsx) X2=$(ls x2/*.xlsx)
export JZG_NEW_PASSWORD=secret0
"$J" --db base.db user add --name cadmin --role 管理员 >/dev/null
export JZG_PASSWORD=secret0
A="$J --db base.db --user cadmin"
$A user add --name creviewer --role 审核员 >/dev/null
$A user add --name ckeyer --role 录入员 >/dev/null
$A user add --name sadmin --role 管理员 --school $S1 >/dev/null
$A user add --name sreviewer --role 审核员 --school $S1 >/dev/null
$A user add --name skeyer --role 录入员 --school $S1 >/dev/null
$A user add --name other1 --role 录入员 --school $S1 >/dev/null
$A user add --name other2 --role 录入员 --school $S2 >/dev/null
expect_eq "eight operators" "$(sqlite3 base.db 'SELECT count(*) FROM operator')" 8

# The arguments of each verb on school $1 (its person $2, its operator $3, its export $4).
args_of() {
	local s=$1 p=$2 o=$3 x=$4
	case "$V" in
	"school add") echo "--code 2143019999 --name 新学校 --type zxx" ;;
	"school list"|"user list"|stats|help|"forms check"|"forms report"|verify|printers) echo "" ;;
	demo) echo "--staff 1 --school $s" ;;
	export) echo "--school $s --out out" ;;
	import) echo "--school $s $x" ;;
	"photo import") echo "--school $s photos" ;;
	"photo export") echo "--school $s --out ." ;;
	"print sheet") echo "--staff $p --out s.pdf" ;;
	"print form") echo "--type zxx --out f.pdf" ;;
	sign) echo "--staff $p" ;;
	check) echo "--school $s" ;;
	explain) echo "--staff $p --rule R1 --reason 说明" ;;
	"user add") echo "--name newop --role 录入员 --school $s" ;;
	"user passwd"|"user disable") echo "$o" ;;
	submit|approve|confirm) echo "--staff $p" ;;
	reject|unlock) echo "--staff $p --reason 理由" ;;
	log) echo "--school $s" ;;
	weekly) echo "--out w.xlsx" ;;
	expect) echo "--school $s --staff 5" ;;
	pack) echo "--school $s --out p.db" ;;
	merge) echo "p$s.db" ;;
	"baseline set") echo "--school $s p$s.db" ;;
	"baseline list") echo "" ;;
	"baseline drop"|changes) echo "--school $s" ;;
	"rekey start") echo "--school $s --sample 50 --seed 1" ;;
	"rekey report") echo "--school $s" ;;
	"rekey compare") echo "p$s.db --school $s" ;;
	*) return 1 ;;
	esac
}

# --- every verb × role × binding × school
nrun=0 nwrong=0
while IFS='|' read -r _ verb k r a scope _; do
	V=$(echo $verb)
	case "$V" in 命令|---*|"") continue ;; esac
	if ! args_of $S1 "$P1" other1 "$X1" >/dev/null; then
		bad "verb «$V» of the table has no case in roles.sh"
		continue
	fi
	allowed=($(echo $k) $(echo $r) $(echo $a))
	scope=$(echo $scope)
	ri=0
	for role in keyer reviewer admin; do
		for bind in c s; do
			user=$bind$role
			for tgt in 1 2; do
				if [ $tgt = 1 ]; then set -- $S1 "$P1" other1 "$X1"; else set -- $S2 "$P2" other2 "$X2"; fi
				# what the table says
				want=ok
				case "$scope" in
				不打开数据文件*) ;;
				仅限没有操作员的文件) want=deny ;;
				*)
					[ "${allowed[$ri]}" = ✓ ] || want=deny
					if [ $want = ok ] && [ $bind = s ]; then
						case "$scope" in
						不能*) want=deny ;;
						只能本校*) [ $tgt = 1 ] || want=deny ;;
						esac
					fi ;;
				esac
				rm -rf w && mkdir w && cp base.db w/b.db && cp p$S1.db p$S2.db w/ && mkdir w/photos
				before=$(md5sum < w/b.db)
				# shellcheck disable=SC2046
				out=$(cd w && "$J" --db b.db --user $user $V $(args_of "$@") 2>&1 </dev/null)
				rc=$?
				nrun=$((nrun + 1))
				got=ok
				grep -q "无权操作：" <<<"$out" && got=deny
				if [ $got != $want ] || { [ $got = deny ] && { [ $rc != 2 ] || [ "$(md5sum < w/b.db)" != "$before" ]; }; }; then
					nwrong=$((nwrong + 1))
					bad "$user $V on school $tgt: table says $want, got $got (rc $rc): $(head -2 <<<"$out")"
				fi
			done
		done
		ri=$((ri + 1))
	done
done < table.md
expect_eq "runs against the table" "$((nrun > 300))" 1
expect_eq "runs that disagree with the table ($nrun runs)" "$nwrong" 0

# --- the escapes of the reliability findings, by name
export JZG_PASSWORD=secret0
K="$J --db base.db --user skeyer"
for c in "demo --staff 2 --school $S2" "export --school $S2 --out out" "pack --school $S2 --out q.db" \
    "print sheet --school $S2 --out s.pdf" "expect --school $S2 --staff 9" "school add --code 2143019998 --name 某校 --type zxx"; do
	out=$($K $c 2>&1); rc=$?
	expect_eq "录入员 of $S1: $c refused" "$rc" 2
	expect_has "录入员 of $S1: $c says why" "$out" "无权操作："
done
expect_eq "nothing of $S2 left the file" "$(find q.db s.pdf out -type f 2>/dev/null | wc -l)" 0
expect_eq "no audit rows without operator" "$(sqlite3 base.db "SELECT count(*) FROM audit WHERE path = 'demo'")" 0

# --- a school bound operator who names no school works on his own
$A import $X1 $X2 >/dev/null   # trail rows for both schools' people
mkdir mine
out=$($K export --out mine 2>&1)
expect_eq "export without --school: exit 0" "$?" 0
expect_eq "export without --school: only his school" "$(ls mine | tr '\n' ' ')" "$(basename "$X1") "
out=$($K export --all --out mine 2>&1)
expect_has "export --all refused to a school bound operator" "$out" "无权操作："
out=$($K log 2>&1)
expect_eq "log without --school: exit 0" "$?" 0
expect_has "log shows his school's person" "$out" "$P1"
grep -qF "$P2" <<<"$out" && bad "log showed another school's person" || ok "log hides another school's person"
out=$($K check --format tsv 2>&1)
grep -qF "$S2" <<<"$out" && bad "check covered another school" || ok "check covers his school only"
finish
