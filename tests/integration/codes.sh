#!/usr/bin/env bash
# Exit status: each of the 256 exit codes of the app is confinit's, as PID 1
# and as a plain child.
. "$(dirname "$0")/lib/lib.bash"

# all_codes MODE CODES...: confinit exits with each of these codes of the
# app (no launcher here: four execs a run add up).
all_codes() {
	local mode=$1 code rc bad=() pre=() label
	shift
	label="$# codes"
	(($# == 256)) && label="0..255"
	[[ $mode == pid1 ]] &&
	    pre=(unshare --pid --fork --kill-child --mount-proc)
	for code in "$@"; do
		timeout -s KILL 20 "${pre[@]}" "$CONFINIT" -- \
		    "$HELPERS/exitcode" "$code" 2>>"$T_DIR/codes.err"
		rc=$?
		((rc == code)) || bad+=("$code->$rc")
	done
	expect_eq "codes/$mode: $label passed through (wrong: ${bad[*]:0:8})" \
	    0 "${#bad[@]}"
}

ALL=$(seq 0 255)
# Under AddressSanitizer a run takes 0.2-0.5 s (two sanitized processes):
# there only every 8th code and the edges; the release build runs them all.
SOME="$(seq 0 8 255) 1 2 126 127 128 129 254 255"
for mode in $T_MODES; do
	if [[ $T_SANITIZED == 1 ]]; then
		all_codes "$mode" $SOME
	else
		all_codes "$mode" $ALL
	fi
done

finish
