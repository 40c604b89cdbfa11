# Shared helpers of the supervisor integration tests (sourced, not a test):
# counters, polling with a deadline, starting confinit as PID 1 of a new PID
# namespace or as a plain child, and cleanup of everything started.

set -u
export LC_ALL=C
: "${CONFINIT:?CONFINIT must name the confinit binary}"
: "${HELPERS:?HELPERS must name the directory of the test helpers}"
CONFINIT=$(readlink -f "$CONFINIT")
T_COMM=$(basename "$CONFINIT" | cut -c1-15)
# 1 when confinit is built with AddressSanitizer (each run is much slower).
T_SANITIZED=0
ldd "$CONFINIT" 2>/dev/null | grep -q libasan && T_SANITIZED=1
# Under `make test-valgrind` CONFINIT_VALGRIND names a directory: every
# confinit that ci_start and ci_run start runs under memcheck (the app it
# execs does not), each run logging to SCRIPT.RUN.PID.log there, which
# tests/valgrind-check.sh reads at the end.
T_VG=()
T_NAME=$(basename "$0" .sh)
# ci_run's limit, in seconds: a run under memcheck on the loaded machine
# (a TLS handshake, the system's CA bundle) can take longer than 20 s.
T_RUN_LIMIT=20
if [[ -n ${CONFINIT_VALGRIND:-} ]]; then
	T_RUN_LIMIT=120
	T_VG=(valgrind --error-exitcode=97 --leak-check=full
	    --errors-for-leak-kinds=definite --show-leak-kinds=definite
	    --trace-children=no --child-silent-after-fork=yes)
	T_COMM=memcheck-amd64-
	T_SANITIZED=1	# as slow as ASan, or slower
fi
ulimit -c 0

T_PASSED=0
T_FAILED=0
T_PIDS=()	 # killed, with their descendants, on exit
T_SEQ=0
T_DIR=$(mktemp -d "${TMPDIR:-/tmp}/confinit-it.XXXXXX")
chmod 755 "$T_DIR"
# How each case runs confinit: as PID 1 (pid1) and as a plain child (sub).
T_MODES=${CONFINIT_TEST_MODES:-pid1 sub}
if [[ $T_MODES == *pid1* ]] &&
    ! unshare --pid --fork --mount-proc true 2>/dev/null; then
	echo "skip pid1 mode: cannot make a PID namespace (not root?)"
	T_MODES=${T_MODES//pid1/}
fi
# Extra arguments for the launcher (e.g. -b 10 -i 12) of the next ci_start
# or ci_run, and a command that runs before confinit and execs it (e.g. to
# bind-mount files in a mount namespace).
CI_LAUNCH=()
CI_WRAP=()
# t_vg: sets VG to what runs before "$CONFINIT" under valgrind in run
# T_SEQ (nothing otherwise).
t_vg() {
	VG=()
	((${#T_VG[@]} == 0)) ||
	    VG=("${T_VG[@]}" "--log-file=$CONFINIT_VALGRIND/$T_NAME.$T_SEQ.%p.log")
}
# vg_fds "LIST": an app's descriptor LIST, without valgrind's log under
# valgrind: memcheck opens it at the lowest free descriptor (3 after the
# launcher), not close-on-exec and out of confinit's reach, so the app that
# it does not trace inherits it. The plain and ASan runs check 3 as well.
vg_fds() {
	local l=" $1 "
	[[ -n ${CONFINIT_VALGRIND:-} ]] && l=${l/ 3 / }
	l=${l# }
	echo "${l% }"
}
# confinit's stdin (CI may run the tests with none).
CI_IN=/dev/null

pass() {
	T_PASSED=$((T_PASSED + 1))
	printf 'ok   %s\n' "$*"
}

fail() {
	T_FAILED=$((T_FAILED + 1))
	printf 'FAIL %s\n' "$*"
}

# expect_eq DESC EXPECTED GOT
expect_eq() {
	if [[ "$2" == "$3" ]]; then
		pass "$1"
	else
		fail "$1: expected '$2', got '$3'"
	fi
}

# expect_true DESC CMD...: passes when CMD succeeds.
expect_true() {
	local desc=$1
	shift
	if "$@"; then
		pass "$desc"
	else
		fail "$desc"
	fi
}

# expect_grep DESC REGEX FILE: passes when a line of FILE matches (grep -E).
expect_grep() {
	if grep -qE -- "$2" "$3" 2>/dev/null; then
		pass "$1"
	else
		fail "$1: no line matches /$2/ in $(basename "$3"):" \
		    "$(head -c 600 "$3" 2>/dev/null | tr '\n' '|')"
	fi
}

# expect_no_grep DESC REGEX FILE: passes when no line of FILE matches.
expect_no_grep() {
	if ! grep -qE -- "$2" "$3" 2>/dev/null; then
		pass "$1"
	else
		fail "$1: unexpected line matching /$2/ in $(basename "$3"):" \
		    "$(grep -E -- "$2" "$3" | head -3 | tr '\n' '|')"
	fi
}

# now_us: sets NOW_US to the wall clock in microseconds (no fork).
now_us() {
	NOW_US=${EPOCHREALTIME/./}
}

# wait_until SECONDS CMD...: polls CMD every 20 ms until it succeeds;
# returns 1 if SECONDS pass first.
wait_until() {
	local end
	now_us
	end=$((NOW_US + $1 * 1000000))
	shift
	while ! "$@"; do
		now_us
		((NOW_US >= end)) && return 1
		sleep 0.02
	done
	return 0
}

# t_cmd_or_gone CMD...: true when CMD succeeds or confinit has exited.
t_cmd_or_gone() {
	"$@" || gone "$CI_JOB"
}

# ci_wait_for SECONDS CMD...: as wait_until, but gives up as soon as the
# confinit started last has exited; returns CMD's last result.
ci_wait_for() {
	local limit=$1
	shift
	wait_until "$limit" t_cmd_or_gone "$@"
	"$@"
}

# alive PID: true while PID exists and is not a zombie.
alive() {
	local l
	{ read -r l <"/proc/$1/stat"; } 2>/dev/null || return 1
	l=${l##*) }
	[[ ${l:0:1} != Z ]]
}

# gone PID: true once PID has exited (gone or a zombie).
gone() {
	! alive "$1"
}

# proc_state PID: sets STATE to PID's state letter, empty if gone.
proc_state() {
	local l
	STATE=
	{ read -r l <"/proc/$1/stat"; } 2>/dev/null || return 0
	l=${l##*) }
	STATE=${l:0:1}
}

# children PID: sets CHILDREN to PID's children.
children() {
	local f c
	CHILDREN=()
	for f in /proc/"$1"/task/*/children; do
		c=()
		{ read -r -a c <"$f"; } 2>/dev/null
		CHILDREN+=("${c[@]}")
	done
}

# zombies PID: sets ZOMBIES to the children of PID that are zombies.
zombies() {
	local c
	ZOMBIES=()
	children "$1"
	for c in "${CHILDREN[@]}"; do
		proc_state "$c"
		[[ $STATE == Z ]] && ZOMBIES+=("$c")
	done
	return 0
}

# descendants PID: sets DESC to every descendant of PID.
descendants() {
	local todo=("$1") p
	DESC=()
	while ((${#todo[@]} > 0)); do
		p=${todo[0]}
		todo=("${todo[@]:1}")
		children "$p"
		DESC+=("${CHILDREN[@]}")
		todo+=("${CHILDREN[@]}")
	done
}

# kill_tree PID...: SIGKILLs each PID and all its descendants.
kill_tree() {
	local p all=()
	for p in "$@"; do
		[[ -n $p ]] || continue
		descendants "$p"
		all+=("$p" "${DESC[@]}")
	done
	((${#all[@]} > 0)) && kill -KILL "${all[@]}" 2>/dev/null
	return 0
}

# track PID...: kills PID (and what it started) when the script ends.
track() {
	T_PIDS+=("$@")
}

# ours PID: true when PID runs one of the programs these tests start (a
# tracked pid may have exited and been reused by now).
ours() {
	local c
	{ read -r c <"/proc/$1/comm"; } 2>/dev/null || return 1
	case $c in
	"$T_COMM" | unshare | launcher | sigrec | orphans | leaver | probe | \
	    exitcode | timeout | sh | script) return 0 ;;
	esac
	return 1
}

t_cleanup() {
	local p mine=()
	for p in "${T_PIDS[@]}"; do
		ours "$p" && mine+=("$p")
	done
	# The script's own jobs still running are ours whatever they run.
	# shellcheck disable=SC2207
	mine+=($(jobs -p))
	kill_tree "${mine[@]}"
	rm -rf "$T_DIR"
}
trap t_cleanup EXIT

# finish: prints the summary line; the script's exit status.
finish() {
	echo "$T_PASSED passed, $T_FAILED failed"
	((T_FAILED == 0))
}

# has_line FILE LINE: true when FILE has exactly LINE as a line.
has_line() {
	grep -qx -- "$2" "$1" 2>/dev/null
}

# lines FILE: sets NLINES to FILE's number of lines (0 if missing).
lines() {
	NLINES=0
	[[ -f $1 ]] && NLINES=$(wc -l <"$1")
	NLINES=$((NLINES + 0))
}

# at_least_lines FILE N: true when FILE has N lines or more.
at_least_lines() {
	lines "$1"
	((NLINES >= $2))
}

# is_confinit PID: true when PID runs the confinit binary.
is_confinit() {
	local c
	{ read -r c <"/proc/$1/comm"; } 2>/dev/null || return 1
	[[ $c == "$T_COMM" ]]
}

# t_find_confinit: true once CI_PID is found (or CI_JOB has exited).
t_find_confinit() {
	local c
	children "$CI_JOB"
	for c in "${CHILDREN[@]}"; do
		if is_confinit "$c"; then
			CI_PID=$c
			return 0
		fi
	done
	gone "$CI_JOB"
}

# ci_start MODE [ARGS...]: starts "confinit ARGS" in the background through
# the launcher (default dispositions, an empty mask unless CI_LAUNCH says
# otherwise, no descriptor above 2), as PID 1 of a new PID namespace (MODE
# pid1) or as a plain child (MODE sub), through CI_WRAP if set. Variables
# set on the call reach it.
# Sets CI_OUT and CI_ERR (its stdout and stderr), CI_JOB (the pid to wait
# for) and CI_PID (confinit's pid as seen from here; empty if it never
# started), CI_NSPID (its pid as its children see it) and CI_T0 (start, us).
ci_start() {
	local mode=$1
	shift
	T_SEQ=$((T_SEQ + 1))
	CI_OUT=$T_DIR/out.$T_SEQ
	CI_ERR=$T_DIR/err.$T_SEQ
	CI_PID=
	now_us
	CI_T0=$NOW_US
	t_vg
	case $mode in
	pid1)
		"$HELPERS/launcher" "${CI_LAUNCH[@]}" -- unshare --pid --fork \
		    --kill-child --mount-proc "${CI_WRAP[@]}" "${VG[@]}" \
		    "$CONFINIT" "$@" \
		    <"$CI_IN" >"$CI_OUT" 2>"$CI_ERR" &
		CI_JOB=$!
		track "$CI_JOB"
		wait_until 10 t_find_confinit
		CI_NSPID=1
		;;
	sub)
		"$HELPERS/launcher" "${CI_LAUNCH[@]}" -- "${CI_WRAP[@]}" \
		    "${VG[@]}" "$CONFINIT" "$@" <"$CI_IN" >"$CI_OUT" 2>"$CI_ERR" &
		CI_JOB=$!
		CI_PID=$CI_JOB
		CI_NSPID=$CI_JOB
		track "$CI_JOB"
		;;
	*)
		echo "ci_start: unknown mode $mode" >&2
		exit 2
		;;
	esac
	CI_LAUNCH=()
	CI_WRAP=()
}

# ci_wait [SECONDS]: waits up to SECONDS (default 10) for the confinit
# started last to exit; sets CI_RC to its exit status and CI_ELAPSED_MS to
# the time since ci_start. On time-out kills it, sets CI_RC=timeout and
# returns 1.
ci_wait() {
	if ! wait_until "${1:-10}" gone "$CI_JOB"; then
		kill_tree "$CI_JOB"
		wait "$CI_JOB" 2>/dev/null
		CI_RC=timeout
		return 1
	fi
	wait "$CI_JOB"
	CI_RC=$?
	now_us
	CI_ELAPSED_MS=$(((NOW_US - CI_T0) / 1000))
	return 0
}

# ci_run MODE [ARGS...]: runs confinit in the foreground (up to
# T_RUN_LIMIT s) as
# ci_start does (CI_LAUNCH and CI_WRAP too); sets CI_RC, CI_OUT, CI_ERR.
ci_run() {
	T_SEQ=$((T_SEQ + 1))
	CI_OUT=$T_DIR/out.$T_SEQ
	CI_ERR=$T_DIR/err.$T_SEQ
	local mode=$1
	shift
	t_vg
	case $mode in
	pid1)
		timeout -s KILL "$T_RUN_LIMIT" "$HELPERS/launcher" "${CI_LAUNCH[@]}" -- \
		    unshare --pid --fork --kill-child --mount-proc \
		    "${CI_WRAP[@]}" "${VG[@]}" "$CONFINIT" "$@" \
		    <"$CI_IN" >"$CI_OUT" 2>"$CI_ERR"
		;;
	sub)
		timeout -s KILL "$T_RUN_LIMIT" "$HELPERS/launcher" "${CI_LAUNCH[@]}" -- \
		    "${CI_WRAP[@]}" "${VG[@]}" "$CONFINIT" "$@" \
		    <"$CI_IN" >"$CI_OUT" 2>"$CI_ERR"
		;;
	esac
	CI_RC=$?
	CI_LAUNCH=()
	CI_WRAP=()
}

# ci_app: sets APP to the host pid of confinit's first child (the app),
# waiting up to 10 s for it; returns 1 if there is none.
ci_app() {
	APP=
	wait_until 10 t_first_child || return 1
}

t_first_child() {
	[[ -n $CI_PID ]] || return 1
	children "$CI_PID"
	((${#CHILDREN[@]} > 0)) || return 1
	APP=${CHILDREN[0]}
}

# ci_only_app: true when confinit has exactly one child (the app) and no
# zombie.
ci_only_app() {
	children "$CI_PID"
	((${#CHILDREN[@]} == 1)) || return 1
	zombies "$CI_PID"
	((${#ZOMBIES[@]} == 0))
}

# ci_started DESC: fails DESC and returns 1 when confinit is not running.
ci_started() {
	if [[ -z $CI_PID ]]; then
		fail "$1: confinit did not start (stderr: $(head -c 300 \
		    "$CI_ERR" | tr '\n' '|'))"
		return 1
	fi
	return 0
}

# signum NAME: prints the number of signal NAME (without SIG).
signum() {
	kill -l "$1"
}
