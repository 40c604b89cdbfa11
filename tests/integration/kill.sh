#!/usr/bin/env bash
# --kill-timeout: after a forwarded TERM/INT, SIGKILL the app's group if it
# is still alive after the timeout, and only then. --drain: when the app
# exits, TERM what it left behind, SIGKILL what ignores TERM after the
# drain time, then exit with the app's status.
. "$(dirname "$0")/lib/lib.bash"

TERM_N=$(signum TERM)

# ready_app NAME READYFILE: waits for the app's ready file; fails NAME if
# it never comes.
ready_app() {
	if ci_wait_for 10 test -f "$2"; then
		return 0
	fi
	fail "$1: the app never became ready (stderr: $(head -c 300 \
	    "$CI_ERR" | tr '\n' '|'))"
	kill_tree "$CI_JOB"
	return 1
}

# escalate MODE SIG [ARGS...]: the app (and its child) ignore SIG; after
# forwarding SIG, confinit SIGKILLs the group: exit 137, not before ~0.5 s.
escalate() {
	local mode=$1 sig=$2 name rec child=
	shift 2
	name="kill-timeout/$mode/$sig${*:+ $*}"
	[[ -n ${CONFINIT_KILL_TIMEOUT:-} ]] &&
	    name+=" CONFINIT_KILL_TIMEOUT=$CONFINIT_KILL_TIMEOUT"
	rec=$T_DIR/rec.$((T_SEQ + 1))
	ci_start "$mode" "$@" -- "$HELPERS/sigrec" -o "$rec" -c "$rec.child" \
	    -r "$rec.ready" -i "$(signum "$sig")"
	ci_started "$name" || return
	ready_app "$name" "$rec.ready" || return
	if [[ $mode == sub ]]; then
		child=$(cut -d' ' -f3 "$rec.ready")
		track "$child"
	fi
	now_us
	local t0=$NOW_US
	kill -s "$sig" "$CI_PID"
	if ! ci_wait; then
		fail "$name: confinit still running 10 s after $sig"
		return
	fi
	now_us
	local ms=$(((NOW_US - t0) / 1000))
	expect_eq "$name: exit status (app SIGKILLed)" 137 "$CI_RC"
	expect_true "$name: SIGKILL not before the timeout (${ms} ms)" \
	    test "$ms" -ge 400
	if [[ -n $child ]]; then
		# The app's child is in its group: killed with it.
		if wait_until 5 gone "$child"; then
			pass "$name: the app's child (same group) killed too"
		else
			fail "$name: the app's child $child survived"
		fi
	fi
}

# in_time MODE: an app that exits 300 ms after TERM, with a 5 s timeout,
# exits with its own status.
in_time() {
	local mode=$1
	local name="kill-timeout/$mode/in time" rec
	rec=$T_DIR/rec.$((T_SEQ + 1))
	ci_start "$mode" --kill-timeout 5s -- "$HELPERS/sigrec" -o "$rec" \
	    -r "$rec.ready" -x "$TERM_N" -s 300 -e 42
	ci_started "$name" || return
	ready_app "$name" "$rec.ready" || return
	kill -s TERM "$CI_PID"
	ci_wait
	expect_eq "$name: the app's own exit status" 42 "$CI_RC"
}

# other_signal MODE: a signal other than TERM/INT starts no kill timer.
other_signal() {
	local mode=$1
	local name="kill-timeout/$mode/HUP starts no timer" rec
	rec=$T_DIR/rec.$((T_SEQ + 1))
	# The app leaves on USR1, which starts no timer either.
	ci_start "$mode" --kill-timeout 200ms -- "$HELPERS/sigrec" -o "$rec" \
	    -r "$rec.ready" -x "$(signum USR1)" -e 5
	ci_started "$name" || return
	ready_app "$name" "$rec.ready" || return
	kill -s HUP "$CI_PID"
	if ! ci_wait_for 10 has_line "$rec" "$(signum HUP)"; then
		fail "$name: HUP not forwarded"
	fi
	# Longer than the timeout: a timer started by HUP would have fired.
	sleep 0.8
	expect_true "$name: the app still runs after HUP + 0.8 s" alive \
	    "$CI_PID"
	kill -s USR1 "$CI_PID"
	ci_wait
	expect_eq "$name: the app's own exit status" 5 "$CI_RC"
}

# drain MODE [ARGS...]: the app exits 7 leaving a polite process and a
# stubborn one (ignores TERM, own group).
drain() {
	local mode=$1 name dir stub=
	shift
	name="drain/$mode${*:+ $*}"
	[[ -n ${CONFINIT_DRAIN:-} ]] && name+=" CONFINIT_DRAIN=$CONFINIT_DRAIN"
	dir=$T_DIR/drain.$((T_SEQ + 1))
	mkdir "$dir"
	# The app exits at once: confinit may be gone before it is seen.
	ci_start "$mode" "$@" -- "$HELPERS/leaver" "$dir" 7
	if ! ci_wait; then
		fail "$name: confinit still running 10 s after the app's exit"
		return
	fi
	[[ $mode == sub ]] && { track "$(cat "$dir"/*.pid)"; }
	expect_eq "$name: exit status of the app" 7 "$CI_RC"
	expect_grep "$name: the polite process got TERM" '^term$' "$dir/log"
	expect_true "$name: waited for the drain time (${CI_ELAPSED_MS} ms)" \
	    test "$CI_ELAPSED_MS" -ge 800
	if [[ $mode == sub ]]; then
		# Not PID 1: nothing else would kill it.
		stub=$(cat "$dir/stubborn.pid")
		if wait_until 5 gone "$stub"; then
			pass "$name: the stubborn process was SIGKILLed"
		else
			fail "$name: the stubborn process ($stub) survived"
		fi
	fi
}

# drain_fast MODE: when everything left exits on TERM, no need to wait D.
drain_fast() {
	local mode=$1
	local name="drain/$mode/polite only" dir
	dir=$T_DIR/drain.$((T_SEQ + 1))
	mkdir "$dir"
	ci_start "$mode" --drain 20s -- "$HELPERS/leaver" "$dir" 3 polite
	if ! ci_wait 25; then
		fail "$name: confinit still running 25 s after the app's exit"
		return
	fi
	expect_eq "$name: exit status of the app" 3 "$CI_RC"
	expect_grep "$name: the polite process got TERM" '^term$' "$dir/log"
	expect_true "$name: exited well before the drain time" \
	    test "$CI_ELAPSED_MS" -lt 10000
}

# no_drain: without --drain (not PID 1) what is left is left alone.
no_drain() {
	local name="drain/sub/none" dir
	dir=$T_DIR/drain.$((T_SEQ + 1))
	mkdir "$dir"
	ci_start sub -- "$HELPERS/leaver" "$dir" 7 polite
	ci_wait
	track "$(cat "$dir"/*.pid)"
	expect_eq "$name: exit status of the app" 7 "$CI_RC"
	expect_true "$name: the left-behind process got no TERM" \
	    test ! -s "$dir/log"
}

for mode in $T_MODES; do
	escalate "$mode" TERM --kill-timeout 500ms
	escalate "$mode" INT --kill-timeout 500ms
	in_time "$mode"
	other_signal "$mode"
	drain "$mode" --drain 1s
	drain_fast "$mode"
done
CONFINIT_KILL_TIMEOUT=500ms escalate sub TERM
# The command line wins over the environment.
CONFINIT_KILL_TIMEOUT=1m escalate sub TERM --kill-timeout 500ms
CONFINIT_DRAIN=1s drain sub
no_drain

finish
