#!/usr/bin/env bash
# Reaping: orphaned grandchildren adopted by confinit (as PID 1, or as child
# subreaper when not PID 1) never stay zombies; -w logs each one.
. "$(dirname "$0")/lib/lib.bash"

N=100
ZLINE='Reaped zombie process with pid='

# reap_case MODE N WARN [ARGS...]: the app leaves N orphans that exit at
# once; checks they were adopted by confinit and reaped, and what -w logs.
reap_case() {
	local mode=$1 n=$2 warn=$3 name rec
	shift 3
	name="reap/$mode/$n${*:+ $*}"
	rec=$T_DIR/orphans.$((T_SEQ + 1))
	ci_start "$mode" "$@" -- "$HELPERS/orphans" "$n" "$rec"
	ci_started "$name" || return
	if ! ci_wait_for 10 at_least_lines "$rec" "$n"; then
		lines "$rec"
		fail "$name: only $NLINES of $n orphans reported"
	fi
	# Every orphan must have been adopted by confinit itself.
	expect_eq "$name: orphans adopted by confinit (pid $CI_NSPID)" \
	    "$n" "$(awk -v p="$CI_NSPID" '$2 == p' "$rec" | wc -l)"
	if ci_wait_for 10 ci_only_app; then
		pass "$name: no zombie left, only the app remains"
	else
		zombies "$CI_PID"
		children "$CI_PID"
		fail "$name: ${#ZOMBIES[@]} zombies and ${#CHILDREN[@]}" \
		    "children of confinit after 10 s"
	fi
	kill -TERM "$CI_PID"
	ci_wait
	expect_eq "$name: exit status of the app" 0 "$CI_RC"
	if [[ $warn == yes ]]; then
		expect_eq "$name: one 'Reaped zombie' line per orphan" \
		    "$(awk '{print $1}' "$rec" | sort -n | tr '\n' ' ')" \
		    "$(sed -n "s/.*$ZLINE\([0-9]*\).*/\1/p" "$CI_ERR" |
		    sort -n | tr '\n' ' ')"
	else
		expect_no_grep "$name: no 'Reaped zombie' line without -w" \
		    'Reaped zombie' "$CI_ERR"
	fi
}

for mode in $T_MODES; do
	reap_case "$mode" "$N" yes -w
	reap_case "$mode" 20 no
done
# -s and TINI_SUBREAPER are accepted (subreaping is automatic anyway).
reap_case sub 10 no -s
TINI_SUBREAPER=1 reap_case sub 10 no

finish
