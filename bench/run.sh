#!/bin/sh
# make bench: every benchmark, side by side with the tools users would pick
# instead. Figures go to bench/results/ (and are copied by hand into
# bench/README.md with the date and the machine's load). The static build
# (CONFINIT_STATIC, else build-static/confinit when it exists) is measured
# beside the dynamic one in the start-up benchmarks, and is the binary of
# the latency and scale benchmarks when it exists; each figure names its
# binary.
# Usage: bench/run.sh BUILD_DIR
set -eu
build=$1
here=$(cd "$(dirname "$0")" && pwd)
out=$here/results
static=${CONFINIT_STATIC:-$here/../build-static/confinit}
if [ -x "$static" ]; then
	static=$(readlink -f "$static")
	echo "static build: $static"
else
	echo "no static build ($static): the dynamic build only"
	static=
fi
main=${static:-$build/confinit}
mkdir -p "$out"
if [ -n "$static" ] && [ -f "$(dirname "$static")/confinit.map" ]; then
	echo "== size of the static binary"
	sh "$here/size.sh" "$(dirname "$static")" | tee "$out/size.md"
fi
echo "== start-up and memory"
sh "$here/startup.sh" "$build/confinit" "$out" "$static"
echo "== template rendering"; sh "$here/render.sh" "$build" "$out"
echo "== file source: start-up, change -> SIGHUP"
sh "$here/reload.sh" "$build/confinit" "$out" "$static"
echo "== writing 10 files crash-safely: fsync, syncfs"
sh "$here/fsync.sh" "$out"
echo "== etcd: put -> SIGHUP"; sh "$here/etcd.sh" "$main" "$out"
echo "== scale: N confinit processes on one etcd prefix"
sh "$here/scale.sh" "$main" "$out"
