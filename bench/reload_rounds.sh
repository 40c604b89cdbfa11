#!/bin/sh
# #4's start-up in interleaved rounds: bench/reload.sh's files (10
# templates over 1,000 keys, YAML and JSON), bench/firstinstr.c to the
# app's first instruction, files unchanged and 10 files written, for each
# confinit given, then tini and tini-static; ROUNDS rounds of RUNS starts.
# With DIR the destinations are there (e.g. /dev/shm for tmpfs).
# Usage: bench/reload_rounds.sh ROUNDS RUNS [DIR] -- CONFINIT...
set -eu
rounds=$1 runs=$2 dir=/tmp
shift 2
[ "$1" != -- ] && { dir=$1; shift; }
shift
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d "$dir/confinit-rounds.XXXXXX")
trap 'rm -rf "$work"' EXIT
. "$here/reload_files.sh"
reload_files "$work"
cc -O2 -static -o "$work/fi" "$here/firstinstr.c"
fi=$work/fi
for r in $(seq 1 "$rounds"); do
	echo "== round $r $(date +%T) load: $(cut -d' ' -f1-3 /proc/loadavg)"
	for b in "$@"; do
		for s in yaml json; do
			cfg=$work/start.yaml
			[ $s = json ] && cfg=$work/start-json.yaml
			"$fi" "$runs" - "$b $s unchanged" -- "$b" --config "$cfg" -- "$fi" app
			"$fi" "$runs" "$work/out" "$b $s written" -- "$b" --config "$cfg" -- "$fi" app
		done
		"$fi" "$runs" - "$b no-config" -- "$b" -- "$fi" app
	done
	"$fi" "$runs" - tini -- tini -- "$fi" app
	"$fi" "$runs" - tini-static -- tini-static -- "$fi" app
done
