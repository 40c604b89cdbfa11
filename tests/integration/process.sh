#!/usr/bin/env bash
# What the app inherits: the signal mask and ignored signals confinit was
# started with (not confinit's own blocked set), a process group of its own
# (in the terminal's foreground when stdin is a TTY), its working directory
# (while confinit itself moves to /), and no descriptor but 0, 1 and 2.
. "$(dirname "$0")/lib/lib.bash"

# field KEY: the value of KEY=... or KEY:... in the probe's report.
field() {
	sed -n "s/^$1[=:][[:space:]]*//p" "${2:-$CI_OUT}" | tr -d '\r' |
	    head -1
}

# mask_hex SIGNUM...: the /proc status mask with those signals set.
mask_hex() {
	local m=0 s
	for s in "$@"; do
		m=$((m | (1 << (s - 1))))
	done
	printf '%016x' "$m"
}

# Signals 32 and 33 belong to glibc: the launcher cannot reset them, so the
# app inherits whatever this script was started with (a CI runner or a
# shell may ignore them).
glibc_ign=$((0x$(sed -n 's/^SigIgn:[[:space:]]*//p' /proc/$$/status) & \
    0x180000000))

# masks MODE LABEL BLOCKED IGNORED: confinit started with those signals
# blocked and ignored; the app must show the same.
masks() {
	local mode=$1 label=$2 blocked=($3) ignored=($4) s
	local name="sigmask/$mode/$label"
	CI_LAUNCH=()
	for s in "${blocked[@]}"; do CI_LAUNCH+=(-b "$s"); done
	for s in "${ignored[@]}"; do CI_LAUNCH+=(-i "$s"); done
	ci_run "$mode" -- "$HELPERS/probe"
	expect_eq "$name: exit status" 0 "$CI_RC"
	expect_eq "$name: SigBlk of the app" "$(mask_hex "${blocked[@]}")" \
	    "$(field SigBlk)"
	expect_eq "$name: SigIgn of the app" \
	    "$(printf '%016x' $((0x$(mask_hex "${ignored[@]}") | glibc_ign)))" \
	    "$(field SigIgn)"
}

# basics MODE: own process group, descriptors, arguments.
basics() {
	local mode=$1
	local name="process/$mode"
	ci_run "$mode" -- "$HELPERS/probe"
	expect_eq "$name: exit status" 0 "$CI_RC"
	expect_eq "$name: the app leads its own process group" \
	    "$(field pid)" "$(field pgid)"
	expect_eq "$name: only 0 1 2 open in the app" "0 1 2" \
	    "$(vg_fds "$(field fds)")"
	# Subreaping is automatic: no warning about it (tini #141).
	expect_no_grep "$name: a clean run logs no warning or error" \
	    '(warn|error)' "$CI_ERR"
}

# cwd_is_root: true when confinit's working directory is /.
cwd_is_root() {
	[[ $(readlink "/proc/$CI_PID/cwd") == / ]]
}

# workdir MODE: the app keeps the directory it was started in; confinit
# moves to / after spawning it.
workdir() {
	local mode=$1
	local name="cwd/$mode" wd out cwd
	wd=$T_DIR/work.dir.$((T_SEQ + 1))
	out=$wd.report
	mkdir -p "$wd"
	cd "$wd" || return
	PROBE_HOLD=1 PROBE_OUT=$out ci_start "$mode" -- "$HELPERS/probe"
	cd - >/dev/null || return
	ci_started "$name" || return
	if ! ci_wait_for 10 test -f "$out"; then
		fail "$name: the app never reported"
		return
	fi
	expect_eq "$name: the app's cwd" "$wd" "$(field cwd "$out")"
	cwd=$(readlink "/proc/$CI_PID/cwd")
	if [[ $cwd == / ]]; then
		pass "$name: confinit's cwd is /"
	else
		# It may chdir just after the spawn: give it a moment.
		wait_until 5 cwd_is_root
		expect_eq "$name: confinit's cwd" / \
		    "$(readlink "/proc/$CI_PID/cwd")"
	fi
	kill -TERM "$CI_PID"
	ci_wait
	expect_eq "$name: exit status" 0 "$CI_RC"
}

# tty MODE: with a terminal on stdin the app is in the foreground.
tty() {
	local mode=$1
	local name="tty/$mode" out=$T_DIR/tty.$mode pre=""
	[[ $mode == pid1 ]] &&
	    pre="unshare --pid --fork --kill-child --mount-proc"
	timeout -s KILL 20 script -qec "$HELPERS/launcher -- $pre $CONFINIT \
-- $HELPERS/probe" /dev/null </dev/null >"$out" 2>&1
	local rc=$?
	if ! grep -q '^tpgid=' "$out"; then
		echo "skip $name: script(1) gave no pty (rc $rc):" \
		    "$(head -c 200 "$out" | tr '\n' '|')"
		return
	fi
	expect_eq "$name: exit status" 0 "$rc"
	expect_eq "$name: the app leads its own process group" \
	    "$(field pid "$out")" "$(field pgid "$out")"
	expect_eq "$name: the app's group is the terminal's foreground" \
	    "$(field pgid "$out")" "$(field tpgid "$out")"
}

# argv MODE: option parsing stops at the first non-option or at --.
argv() {
	local mode=$1
	local name="argv/$mode"
	ci_run "$mode" "$HELPERS/probe" -x --foo -- bar
	expect_eq "$name: 'confinit app -x --foo -- bar' passes all" \
	    "5 -x --foo -- bar" "$(field argc) $(field arg1) $(field arg2) \
$(field arg3) $(field arg4)"
	ci_run "$mode" -- "$HELPERS/probe" -v
	expect_eq "$name: 'confinit -- app -v' passes -v" "2 -v" \
	    "$(field argc) $(field arg1)"
	ci_run "$mode" -v -- "$HELPERS/probe" -w -- -h
	expect_eq "$name: 'confinit -v -- app -w -- -h' passes the rest" \
	    "4 -w -- -h" "$(field argc) $(field arg1) $(field arg2) \
$(field arg3)"
	ci_run "$mode" -- "$HELPERS/probe" '' 'a b'
	expect_eq "$name: empty and spaced arguments kept" "3 || a b" \
	    "$(field argc) |$(field arg1)| $(field arg2)"
}

for mode in $T_MODES; do
	masks "$mode" "none" "" ""
	masks "$mode" "USR1 TERM blocked, USR2 HUP ignored" \
	    "$(signum USR1) $(signum TERM)" "$(signum USR2) $(signum HUP)"
	masks "$mode" "INT blocked, QUIT PIPE ignored" "$(signum INT)" \
	    "$(signum QUIT) $(signum PIPE)"
	basics "$mode"
	workdir "$mode"
	tty "$mode"
	argv "$mode"
done

finish
