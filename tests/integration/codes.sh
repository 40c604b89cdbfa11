#!/usr/bin/env bash
# Exit status: each of the 256 exit codes of the app is confinit's, as PID 1
# and as a plain child.
. "$(dirname "$0")/lib/lib.bash"

# all_codes MODE: confinit exits with each of the 256 codes of the app
# (no launcher here: four execs a run add up).
all_codes() {
	local mode=$1 code rc bad=() pre=()
	[[ $mode == pid1 ]] &&
	    pre=(unshare --pid --fork --kill-child --mount-proc)
	for ((code = 0; code < 256; code++)); do
		timeout -s KILL 20 "${pre[@]}" "$CONFINIT" -- \
		    "$HELPERS/exitcode" "$code" 2>>"$T_DIR/codes.err"
		rc=$?
		((rc == code)) || bad+=("$code->$rc")
	done
	expect_eq "codes/$mode: 0..255 passed through (wrong: ${bad[*]:0:8})" \
	    0 "${#bad[@]}"
}

for mode in $T_MODES; do
	all_codes "$mode"
done

finish
