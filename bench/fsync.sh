#!/bin/sh
# Ways to put 10 small files in place crash-safely (bench/fsync.c), on the
# filesystem of /tmp (where the other benchmarks write their files).
# Usage: bench/fsync.sh [OUTDIR] [REPEATS]
set -eu
out=${1:-bench/results}
n=${2:-40}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d /tmp/confinit-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
mkdir -p "$out" "$work/d"
cc -O2 -o "$work/fsync" "$here/fsync.c"
{
	echo "$(df -T "$work" | awk 'NR == 2 {print $2 " on " $1}'), load: $(uptime)"
	"$work/fsync" "$work/d" "$n"
} | tee "$out/fsync.txt"
