#!/usr/bin/env bash
# Exit status: each of the 256 exit codes of the app is confinit's, as PID 1
# and as a plain child.
. "$(dirname "$0")/lib/lib.bash"

# lane MODE CODES...: runs confinit (no launcher here: four execs a run add
# up) with an app exiting with each code; prints the codes that came back
# wrong as CODE->GOT. Under valgrind each run is memcheck's (t_vg; the log
# names carry the pid, the two lanes share run numbers).
lane() {
	local mode=$1 code rc pre=()
	shift
	[[ $mode == pid1 ]] &&
	    pre=(unshare --pid --fork --kill-child --mount-proc)
	for code in "$@"; do
		T_SEQ=$((T_SEQ + 1))
		t_vg
		timeout -s KILL 20 "${pre[@]}" "${VG[@]}" "$CONFINIT" -- \
		    "$HELPERS/exitcode" "$code" </dev/null \
		    2>>"$T_DIR/codes.err"
		rc=$?
		((rc == code)) || printf '%s->%s ' "$code" "$rc"
	done
}

CODES=$(seq 0 255)
LABEL=0..255
# Under AddressSanitizer a run takes 0.2-0.5 s (two sanitized processes):
# there only every 8th code and the edges; under valgrind (2-5 s a run on
# the loaded machine) every 32nd and the edges, the same exit path each
# time; the release build runs them all.
if [[ -n ${CONFINIT_VALGRIND:-} ]]; then
	CODES="$(seq 0 32 255) 1 2 126 127 128 129 254 255"
	LABEL="$(echo $CODES | wc -w) codes"
elif [[ $T_SANITIZED == 1 ]]; then
	CODES="$(seq 0 8 255) 1 2 126 127 128 129 254 255"
	LABEL="$(echo $CODES | wc -w) codes"
fi
# One lane per mode, side by side: a run is mostly exec and start-up.
for mode in $T_MODES; do
	lane "$mode" $CODES >"$T_DIR/lane.$mode" &
done
wait
for mode in $T_MODES; do
	bad=$(cat "$T_DIR/lane.$mode")
	expect_eq "codes/$mode: $LABEL passed through (wrong: ${bad:0:80})" \
	    "" "$bad"
done

finish
