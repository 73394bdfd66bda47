#!/usr/bin/env bash
# completion.sh — the bash completion (packaging/jzg.bash-completion) offers
# what `jzg --help` lists: every verb, each verb's options, the global
# options; template names from forms/, school codes from the --db file.
# When the CLI changes, this test says what the completion lacks.
source "$(dirname "$0")/lib.sh"
export PATH="$(cd "$(dirname "$J")" && pwd):$PATH"
source "$(dirname "$0")/../../packaging/jzg.bash-completion"
set +e   # compopt fails outside a real completion: _jzg's status is not checked

# comp WORD...: what the completion offers for the last word, one line each, sorted.
comp() {
	COMP_WORDS=(jzg "$@")
	COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
	COMPREPLY=()
	_jzg
	printf '%s\n' "${COMPREPLY[@]}" | sort -u | tr '\n' ' ' | sed 's/ $//'
}
sorted() { tr ' ' '\n' | sed '/^$/d' | sort -u | tr '\n' ' ' | sed 's/ $//'; }

help=$("$J" --help)
usage=$(sed -n 's/^  jzg \[--db 数据文件\] //p' <<<"$help")

verbs=$(cut -d' ' -f1 <<<"$usage" | sorted)
global=$(sed -n '/全局选项/,$ s/^  \(--[a-z-]*\).*/\1/p' <<<"$help" | sorted)
expect_eq "verbs and global options" "$(comp '')" "$(echo "$global $verbs" | sorted)"

# each usage line: verb [sub] then its options.  The completion may offer
# more than the line shows (submit … accept --reason everywhere), never less.
while read -r verb rest; do
	sub=''
	case $verb in school | print | user | forms | photo | baseline) sub=${rest%% *} ;; esac
	case $verb in school | print | user | forms | photo | rekey) sub=${rest%% *} ;; esac
	want=$(grep -o -- '--[a-z-]*' <<<"${rest%%| list*}" | sorted)
	[ -n "$want" ] || continue
	if [ -n "$sub" ]; then got=$(comp "$verb" "$sub" --); else got=$(comp "$verb" --); fi
	missing=$(comm -23 <(tr ' ' '\n' <<<"$want") <(tr ' ' '\n' <<<"$got") | tr '\n' ' ')
	expect_eq "options of $verb $sub${sub:+ }(missing from the completion)" "$missing" ""
done <<<"$usage"
expect_eq "sub-verbs of user" "$(comp user '')" "$(echo add disable list passwd | sorted)"
expect_eq "sub-verbs of print" "$(comp print '')" "form sheet"
expect_eq "sub-verbs of photo" "$(comp photo '')" "export import"
expect_eq "sub-verbs of rekey" "$(comp rekey '')" "compare report start"

expect_eq "--type: templates of forms/" "$(comp print form --type '')" \
	"$(awk -F '\t' 'NR > 1 { print $1 }' "$JZG_FORMS/templates.tsv" | sorted)"
expect_eq "--format of stats" "$(comp stats --format '')" "text tsv xlsx"

db=$T/c.db
"$J" --db "$db" school add --code 2143012345 --name 测试县第一小学 --type zxx >/dev/null
"$J" --db "$db" school add --code 1143012346 --name 测试县第一幼儿园 --type yey >/dev/null
expect_eq "--school: codes of the --db file" "$(comp --db "$db" check --school '')" "1143012346 2143012345"
expect_eq "--school: prefix" "$(comp --db "$db" export --school 21)" "2143012345"
# --opt=value: bash hands over --opt, =, value (and "=" alone right after it)
expect_eq "--db=F --school=: codes" "$(comp --db = "$db" check --school =)" "1143012346 2143012345"
expect_eq "--db=F --school=1: prefix" "$(comp --db = "$db" check --school = 1)" "1143012346"
expect_eq "--db=F: the verb after it" "$(comp --db = "$db" stats --)" "--format --out --sort"
expect_eq "--school: no file, nothing" "$(comp --db "$T/none.db" check --school '')" ""
[ ! -e "$T/none.db" ] && ok "completion created no file" || bad "completion created $T/none.db"

echo "$PASSES passed, $FAILS failed"
((FAILS == 0))
