#!/bin/sh
# The template engine against Go's text/template: the same template over the
# same 10,000 keys (about 1 MB of output), in one run. Prints the mean time
# of one render for each (in-process, 50 renders) and the peak memory of
# each whole process; checks that both outputs are byte-identical.
# Usage: bench/render.sh BUILD_DIR [OUTDIR]
set -eu
build=$(readlink -f "$1")
out=${2:-bench/results}
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/.." && pwd)/src
work=$(mktemp -d /tmp/confinit-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
mkdir -p "$out"

python3 - "$work/data.json" <<'PY'
import json, sys
json.dump({"svc": {"k%05d" % i if i % 7 else "k%d" % i: "value-%d" % (i * 7919 % 100003)
                   for i in range(10000)}}, open(sys.argv[1], "w"))
PY
cc -O2 -I"$src" -o "$work/render_c" "$here/render/render.c" \
	"$build/libconfinit_core.a" $(pkg-config --libs yaml-0.1 libpcre2-8 \
	jansson libcurl) -lmbedcrypto -lm
GOCACHE=$work/gocache GOPATH=$work/gopath GOFLAGS=-buildvcs=false \
	GO111MODULE=off go build -o "$work/render_go" "$here/render/main.go"

run() {
	/usr/bin/time -f "%M" -o "$work/rss" "$@"
	echo "  peak RSS $(cat "$work/rss") kB"
}
{
	echo "template: bench/render/render.tmpl over 10,000 keys, 50 renders"
	run "$work/render_c" "$here/render/render.tmpl" "$work/data.json" \
		"$work/out.c" 50
	run "$work/render_go" "$here/render/render.tmpl" "$work/data.json" \
		"$work/out.go" 50
	if cmp -s "$work/out.c" "$work/out.go"; then
		echo "outputs: byte-identical ($(wc -c <"$work/out.c") bytes)"
	else
		echo "outputs: DIFFER"; exit 1
	fi
} | tee "$out/render.txt"
