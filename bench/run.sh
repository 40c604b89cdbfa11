#!/bin/sh
# make bench: every benchmark, side by side with the tools users would pick
# instead. Figures go to bench/results/ (and are copied by hand into
# bench/README.md with the date and the machine's load).
# Usage: bench/run.sh BUILD_DIR
set -eu
build=$1
here=$(cd "$(dirname "$0")" && pwd)
out=$here/results
mkdir -p "$out"
echo "== start-up and memory"; sh "$here/startup.sh" "$build/confinit" "$out"
echo "== template rendering"; sh "$here/render.sh" "$build" "$out"
echo "== file source: start-up, change -> SIGHUP"
sh "$here/reload.sh" "$build/confinit" "$out"
echo "== etcd: put -> SIGHUP"; sh "$here/etcd.sh" "$build/confinit" "$out"
echo "== scale: N confinit processes on one etcd prefix"
sh "$here/scale.sh" "$build/confinit" "$out"
