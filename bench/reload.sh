#!/bin/sh
# Start-up with 10 templates over 1,000 keys from a file source, against
# tini -- true, in one hyperfine run; then file change -> SIGHUP latency.
# Usage: bench/reload.sh PATH/TO/confinit [OUTDIR]
set -eu
confinit=$(readlink -f "$1")
out=${2:-bench/results}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d /tmp/confinit-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
mkdir -p "$out"

# 1,000 keys in 10 groups; 10 templates, each ranging over its group.
{
	for g in $(seq 0 9); do
		echo "g$g:"
		for k in $(seq 0 99); do echo "  k$k: value-$g-$k"; done
	done
} >"$work/kv.yaml"
{
	echo "sources: [{url: \"file://$work/kv.yaml\"}]"
	echo "templates:"
	for g in $(seq 0 9); do
		echo "  - contents: '{{ range tree \"g$g\" }}{{ .Key }}={{ .Value }}"
		echo "      {{ end }}'"
		echo "    dest: $work/out$g.conf"
	done
	echo "log: {level: warn}"
} >"$work/start.yaml"

hyperfine -N --warmup 20 --runs 300 --export-markdown "$out/reload-startup.md" \
	-n "confinit (10 templates, 1,000 keys)" \
	"$confinit --config $work/start.yaml -- true" \
	-n "confinit (no config)" "$confinit -- true" \
	-n "tini" "tini -- true" >/dev/null
cat "$out/reload-startup.md"

cc -O2 -o "$work/reload_latency" "$here/reload_latency.c"
mkdir -p "$work/lat"
"$work/reload_latency" "$confinit" "$work/lat" 200 | tee "$out/reload-latency.txt"
