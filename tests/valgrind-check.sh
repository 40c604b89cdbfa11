#!/bin/sh
# valgrind-check.sh DIR: the final pass of `make test-valgrind` over the
# memcheck logs the integration tests left in DIR (SCRIPT.RUN.PID.log, one
# per confinit run). Prints each run with an error (invalid read or write,
# use of uninitialised memory, a definite leak ...) as SCRIPT run RUN with
# confinit's command line and valgrind's report, and the counts; fails if
# there is any. A run killed by SIGKILL (on purpose, or a test's time-out)
# has no summary: counted apart, not a finding.
dir=${1:?usage: valgrind-check.sh DIR}
runs=0 bad=0 cut=0
for log in "$dir"/*.log; do
	[ -e "$log" ] || continue
	runs=$((runs + 1))
	sum=$(sed -n 's/.*ERROR SUMMARY: \([0-9]*\) errors.*/\1/p' "$log")
	if [ -z "$sum" ]; then
		cut=$((cut + 1))
	elif [ "$sum" != 0 ]; then
		bad=$((bad + 1))
		run=${log##*/}
		run=${run%.*.log}
		echo "valgrind: ${run%.*} run ${run##*.}: $sum errors ($log)"
		grep -m1 'Command:' "$log"
		grep -E '^==[0-9]+== +(Invalid|Conditional|Use of|Syscall|Mismatched|[0-9,]+ bytes in|at 0x|by 0x)' \
		    "$log" | head -30
	fi
done
echo "valgrind: $runs confinit runs, $bad with errors, $cut without a summary (killed)"
[ "$bad" = 0 ]
