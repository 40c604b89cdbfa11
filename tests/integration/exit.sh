#!/usr/bin/env bash
# Exit status: 128+N for an app killed by signal N, -e maps codes to 0,
# 127/126 for a program not found or not executable (with a message naming
# it). The app's output passes through.
. "$(dirname "$0")/lib/lib.bash"

# signalled MODE: an app killed by signal N gives 128+N.
signalled() {
	local mode=$1 sig n
	for sig in HUP INT QUIT TERM USR1 USR2 ALRM KILL; do
		n=$(signum "$sig")
		ci_run "$mode" -- "$HELPERS/exitcode" -k "$n"
		expect_eq "signalled/$mode: app killed by $sig" \
		    "$((128 + n))" "$CI_RC"
	done
}

# remap MODE: -e CODE turns CODE into 0 and leaves the others alone.
remap() {
	local mode=$1
	ci_run "$mode" -e 3 -- "$HELPERS/exitcode" 3
	expect_eq "remap/$mode: -e 3, app exits 3" 0 "$CI_RC"
	ci_run "$mode" -e 3 -e 4 -- "$HELPERS/exitcode" 4
	expect_eq "remap/$mode: -e 3 -e 4, app exits 4" 0 "$CI_RC"
	ci_run "$mode" -e3 -- "$HELPERS/exitcode" 3
	expect_eq "remap/$mode: -e3, app exits 3" 0 "$CI_RC"
	ci_run "$mode" -e 3 -- "$HELPERS/exitcode" 5
	expect_eq "remap/$mode: -e 3, app exits 5" 5 "$CI_RC"
	ci_run "$mode" -e 0 -- "$HELPERS/exitcode" 1
	expect_eq "remap/$mode: -e 0, app exits 1" 1 "$CI_RC"
	# As in tini, the mapping applies to 128+N too.
	ci_run "$mode" -e 143 -- "$HELPERS/exitcode" -k "$(signum TERM)"
	expect_eq "remap/$mode: -e 143, app killed by TERM" 0 "$CI_RC"
}

# exec_errors MODE: 127 and 126, each with a message naming the program.
exec_errors() {
	local mode=$1 noexec=$T_DIR/not-executable
	printf '#!/bin/sh\nexit 0\n' >"$noexec"
	chmod 644 "$noexec"

	ci_run "$mode" -- /nonexistent/dir/app-xyz
	expect_eq "exec/$mode: absolute path not found" 127 "$CI_RC"
	expect_grep "exec/$mode: the message names the program" \
	    '/nonexistent/dir/app-xyz' "$CI_ERR"

	PATH=/usr/bin:/bin ci_run "$mode" -- no-such-program-xyz
	expect_eq "exec/$mode: not found in PATH" 127 "$CI_RC"
	expect_grep "exec/$mode: the message names the program" \
	    'no-such-program-xyz' "$CI_ERR"

	ci_run "$mode" -- "$noexec"
	expect_eq "exec/$mode: file without x permission" 126 "$CI_RC"
	expect_grep "exec/$mode: the message names the program" \
	    'not-executable' "$CI_ERR"

	ci_run "$mode" -- "$T_DIR"
	expect_eq "exec/$mode: a directory" 126 "$CI_RC"
	expect_grep "exec/$mode: the message names the directory" \
	    "$(basename "$T_DIR")" "$CI_ERR"

	# A program found through PATH.
	PATH=$HELPERS:/usr/bin:/bin ci_run "$mode" -- exitcode 9
	expect_eq "exec/$mode: program found in PATH" 9 "$CI_RC"
}

# output MODE: the app's stdout and stderr are confinit's.
output() {
	local mode=$1
	ci_run "$mode" -- sh -c 'echo to-stdout; echo to-stderr >&2; exit 4'
	expect_eq "output/$mode: exit status" 4 "$CI_RC"
	expect_grep "output/$mode: stdout passes through" '^to-stdout$' \
	    "$CI_OUT"
	expect_grep "output/$mode: stderr passes through" '^to-stderr$' \
	    "$CI_ERR"
}

for mode in $T_MODES; do
	signalled "$mode"
	remap "$mode"
	exec_errors "$mode"
	output "$mode"
done

finish
