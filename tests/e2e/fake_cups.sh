#!/usr/bin/env bash
# A stand-in for CUPS's lp and lpstat (link it as both on PATH): it answers
# with the real CUPS messages (systemv/lp.c, systemv/lpstat.c and the
# scheduler of OpenPrinting/cups, C locale) from the state in $FAKE_CUPS:
#   printers   one line per printer: NAME idle|paused|rejecting [reason…]
#   default    the default printer's name (absent: none)
#   down       present: the scheduler is not running
#   hang       present: lp and lpstat never answer (a stuck scheduler)
# lp appends its arguments, one per line then "--", to $FAKE_CUPS/lp.args.
# CUPS translates its messages; under any locale but C this stand-in answers
# in Chinese, as the real one would, so a caller that forgets LC_ALL=C sees
# text it cannot recognise.
S=${FAKE_CUPS:?}
since="Sun Dec  6 22:00:00 2026"
c_locale() { [ "${LC_ALL:-${LC_MESSAGES:-${LANG:-C}}}" = C ]; }
state() { awk -v p="$1" '$1 == p {print $2}' "$S/printers" 2>/dev/null; }
reason() { awk -v p="$1" '$1 == p {$1 = ""; $2 = ""; sub(/^  */, ""); print}' "$S/printers" 2>/dev/null; }
names() { awk '{print $1}' "$S/printers" 2>/dev/null; }

show_printer() {   # lpstat -p, one printer
	case $(state "$1") in
	paused)
		echo "printer $1 disabled since $since -"
		r=$(reason "$1"); printf '\t%s\n' "${r:-reason unknown}" ;;
	*) echo "printer $1 is idle.  enabled since $since" ;;
	esac
}

# a stuck scheduler: the command waits, as the real one does, until killed
# (named, so that the test can tell it from any other sleep on the machine)
[ -e "$S/hang" ] && exec -a jzg-fake-cups-stuck sleep 600
case ${0##*/} in
lp)
	printf '%s\n' "$@" -- >> "$S/lp.args"
	dest=
	while [ $# -gt 0 ]; do
		case $1 in
		-d) dest=$2; shift 2 ;;
		-n|-o) shift 2 ;;
		*) shift ;;
		esac
	done
	if [ -e "$S/down" ]; then
		c_locale && echo "lp: Error - scheduler not responding." >&2 || echo "lp: 错误 - 调度程序未响应。" >&2
		exit 1
	fi
	if [ -z "$dest" ]; then
		if [ ! -s "$S/default" ]; then
			c_locale && echo "lp: Error - No default destination." >&2 || echo "lp: 错误 - 无默认目标。" >&2
			exit 1
		fi
		dest=$(cat "$S/default")
	fi
	if [ -z "$(state "$dest")" ]; then
		c_locale && echo "lp: Error - The printer or class does not exist." >&2 || echo "lp: 错误 - 打印机或类不存在。" >&2
		exit 1
	fi
	if [ "$(state "$dest")" = rejecting ]; then
		c_locale && echo "lp: Destination \"$dest\" is not accepting jobs." >&2 || echo "lp: 目标“$dest”不接受作业。" >&2
		exit 1
	fi
	n=$(( $(cat "$S/jobs" 2>/dev/null || echo 0) + 1 )); echo "$n" > "$S/jobs"
	c_locale && echo "request id is $dest-$n (1 file(s))" || echo "请求 ID 为 $dest-$n（1 个文件）"
	;;
lpstat)
	rc=0
	while [ $# -gt 0 ]; do
		case $1 in
		-r) [ -e "$S/down" ] && echo "scheduler is not running" || echo "scheduler is running" ;;
		-d)
			if [ -s "$S/default" ] && [ ! -e "$S/down" ]; then echo "system default destination: $(cat "$S/default")"
			else echo "no system default destination"; fi ;;
		-p|-a)
			op=$1
			one=
			if [ $# -gt 1 ] && [ "${2#-}" = "$2" ]; then one=$2; shift; fi
			[ -e "$S/down" ] && { shift; continue; }
			if [ -n "$one" ] && [ -z "$(state "$one")" ]; then
				echo "lpstat: Invalid destination name in list \"$one\"." >&2; exit 1
			fi
			if [ -z "$(names)" ]; then echo "lpstat: No destinations added." >&2; rc=1; shift; continue; fi
			for p in ${one:-$(names)}; do
				if [ "$op" = -p ]; then show_printer "$p"
				elif [ "$(state "$p")" = rejecting ]; then
					echo "$p not accepting requests since $since -"
					r=$(reason "$p"); printf '\t%s\n' "${r:-reason unknown}"
				else echo "$p accepting requests since $since"; fi
			done ;;
		esac
		shift
	done
	exit $rc
	;;
esac
