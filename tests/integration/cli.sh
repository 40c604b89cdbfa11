#!/usr/bin/env bash
# The command line: usage errors exit 2 naming the option and the value,
# before the app runs; -h, --help, --version, -l exit 0; log lines are
# "[confinit] LEVEL: message" in text and one JSON object per line in json.
. "$(dirname "$0")/lib/lib.bash"

# usage_error WORDS ARGS...: confinit ARGS exits 2 with a message on stderr
# that contains every word of WORDS ('|' separated), and the app does not
# run.
usage_error() {
	local words=$1 name marker w
	shift
	name="usage: ${*}"
	[[ -n ${ENVDESC:-} ]] && name="usage: $ENVDESC ${*}"
	marker=$T_DIR/ran.$((T_SEQ + 1))
	PROBE_OUT=$marker ci_run sub "$@" -- "$HELPERS/probe"
	expect_eq "$name: exit status" 2 "$CI_RC"
	expect_true "$name: the app did not run" test ! -e "$marker"
	IFS='|' read -r -a w <<<"$words"
	for word in "${w[@]}"; do
		if grep -qF -- "$word" "$CI_ERR"; then
			pass "$name: the message names '$word'"
		else
			fail "$name: no '$word' in stderr:" \
			    "$(head -c 300 "$CI_ERR" | tr '\n' '|')"
		fi
	done
}

usage_error '--kill-timeout|abc' --kill-timeout abc
usage_error '--kill-timeout|10' --kill-timeout 10
usage_error '--drain|5x' --drain 5x
usage_error '--drain|-1s' --drain=-1s
usage_error '-e|300' -e 300
usage_error '-e|x' -e x
usage_error '-p|NOSUCHSIG' -p NOSUCHSIG
usage_error '--rewrite|TERM' --rewrite TERM
usage_error '--rewrite|BOGUS:TERM' --rewrite BOGUS:TERM
usage_error '--rewrite|TERM:99' --rewrite TERM:99
usage_error '--log-format|xml' --log-format xml
usage_error '--log-level|loud' --log-level loud
usage_error '--bogus-option' --bogus-option
usage_error '-Z' -Z
usage_error '--drain' --drain
usage_error '--user' --user ''
ENVDESC=CONFINIT_KILL_TIMEOUT=abc CONFINIT_KILL_TIMEOUT=abc \
    usage_error 'CONFINIT_KILL_TIMEOUT|abc'
ENVDESC=CONFINIT_DRAIN=zz CONFINIT_DRAIN=zz usage_error 'CONFINIT_DRAIN|zz'
ENVDESC=CONFINIT_LOG_FORMAT=xml CONFINIT_LOG_FORMAT=xml \
    usage_error 'CONFINIT_LOG_FORMAT|xml'
ENVDESC=CONFINIT_LOG_LEVEL=loud CONFINIT_LOG_LEVEL=loud \
    usage_error 'CONFINIT_LOG_LEVEL|loud'
ENVDESC=CONFINIT_REWRITE CONFINIT_REWRITE='TERM:QUIT,nope' \
    usage_error 'CONFINIT_REWRITE|nope'

# No program at all.
ci_run sub
expect_true "usage: no program: fails (exit status $CI_RC)" test "$CI_RC" != 0
expect_true "usage: no program: says so on stderr" test -s "$CI_ERR"

# info OPTION REGEX: confinit OPTION exits 0 printing REGEX on stdout,
# without running the app.
info() {
	local marker=$T_DIR/ran.$((T_SEQ + 1))
	PROBE_OUT=$marker ci_run sub "$1" "$HELPERS/probe"
	expect_eq "info: $1: exit status" 0 "$CI_RC"
	expect_grep "info: $1: output" "$2" "$CI_OUT"
	expect_true "info: $1: the app did not run" test ! -e "$marker"
}

info -h '^Usage: confinit'
info --help '^Usage: confinit'
info --version '[0-9]+\.[0-9]+\.[0-9]+'
info -l '[Ll]icen[sc]e'
info --license '[Ll]icen[sc]e'

# zombie_lines N: true when confinit's stderr has N "Reaped zombie" lines.
zombie_lines() {
	(($(grep -c 'Reaped zombie' "$CI_ERR") >= $1))
}

# verbosity DESC WARN DEBUG [ARGS...]: with ARGS (and the variables set on
# the call), -w lines (warnings) show or not (WARN yes/no), and so do debug
# lines (DEBUG yes/no). TINI_VERBOSITY as in tini: 0 fatal errors only, 1
# warnings too, 2 info, 3 debug, 4 trace.
verbosity() {
	local desc=$1 warn=$2 debug=$3 rec name
	shift 3
	name="verbosity/$desc"
	rec=$T_DIR/orphans.$((T_SEQ + 1))
	ci_start sub "$@" -w -- "$HELPERS/orphans" 2 "$rec"
	if ! ci_wait_for 10 at_least_lines "$rec" 2 ||
	    ! ci_wait_for 10 ci_only_app; then
		fail "$name: the orphans were not reaped"
	fi
	kill -TERM "$CI_PID"
	ci_wait
	if [[ $warn == yes ]]; then
		expect_grep "$name: warnings (-w) shown" 'Reaped zombie' \
		    "$CI_ERR"
	else
		expect_no_grep "$name: warnings (-w) hidden" 'Reaped zombie' \
		    "$CI_ERR"
	fi
	if [[ $debug == yes ]]; then
		expect_grep "$name: debug lines shown" '^\[confinit\] debug:' \
		    "$CI_ERR"
	else
		expect_no_grep "$name: debug lines hidden" \
		    '^\[confinit\] debug:' "$CI_ERR"
	fi
}

verbosity default yes no
verbosity -v yes yes -v
verbosity "--log-level error" no no --log-level error
verbosity "--log-level debug" yes yes --log-level debug
TINI_VERBOSITY=0 verbosity TINI_VERBOSITY=0 no no
TINI_VERBOSITY=1 verbosity TINI_VERBOSITY=1 yes no
TINI_VERBOSITY=3 verbosity TINI_VERBOSITY=3 yes yes
CONFINIT_LOG_LEVEL=error verbosity CONFINIT_LOG_LEVEL=error no no
# The command line wins.
CONFINIT_LOG_LEVEL=error verbosity "--log-level warn over env" yes no \
    --log-level warn

# text_lines FILE: every line is "[confinit] LEVEL: message".
text_lines() {
	[[ -s $1 ]] && ! grep -qvE \
	    '^\[confinit\] (error|warn|info|debug|trace): .' "$1"
}

# json_lines FILE: every line is a JSON object with time, level and msg.
json_lines() {
	[[ -s $1 ]] && python3 -c '
import json, sys
for n, line in enumerate(open(sys.argv[1]), 1):
    o = json.loads(line)
    assert isinstance(o, dict), n
    for k in ("time", "level", "msg"):
        assert k in o, (n, k)
    assert o["level"] in ("error", "warn", "info", "debug", "trace"), n
' "$1"
}

for mode in $T_MODES; do
	ci_run "$mode" -v -v -- /nonexistent/app-xyz
	expect_eq "log/$mode/text: exit status" 127 "$CI_RC"
	expect_true "log/$mode/text: every stderr line is a log line" \
	    text_lines "$CI_ERR"
	expect_grep "log/$mode/text: an error line names the program" \
	    '^\[confinit\] error: .*/nonexistent/app-xyz' "$CI_ERR"

	ci_run "$mode" --log-format json -v -v -- /nonexistent/app-xyz
	expect_eq "log/$mode/json: exit status" 127 "$CI_RC"
	expect_true "log/$mode/json: every stderr line is a JSON object" \
	    json_lines "$CI_ERR"
	expect_grep "log/$mode/json: an error names the program" \
	    '"level":"error".*/nonexistent/app-xyz' "$CI_ERR"

	# -w lines and a quoted program name in JSON.
	rec=$T_DIR/orphans.json.$mode
	CONFINIT_LOG_FORMAT=json ci_start "$mode" -w -- "$HELPERS/orphans" 3 \
	    "$rec"
	if ci_started "log/$mode/json -w" &&
	    ci_wait_for 10 at_least_lines "$rec" 3 &&
	    ci_wait_for 10 zombie_lines 3
	then
		pass "log/$mode/json -w: three zombie lines"
	else
		fail "log/$mode/json -w: no three zombie lines:" \
		    "$(head -c 300 "$CI_ERR" | tr '\n' '|')"
	fi
	kill -TERM "$CI_PID" 2>/dev/null
	ci_wait
	expect_true "log/$mode/json -w: every stderr line is a JSON object" \
	    json_lines "$CI_ERR"

	ci_run "$mode" --log-format json -- '/nonexistent/a"b\c'
	expect_true "log/$mode/json: quotes and backslashes escaped" \
	    json_lines "$CI_ERR"
done

finish
