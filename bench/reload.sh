#!/bin/sh
# Start-up with 10 templates over 1,000 keys from a file source, against
# tini -- true, in one hyperfine run: with the destinations already holding
# the rendered content (a restart: nothing is written) and with them
# removed before each run (a fresh container: 10 files written); then file
# change -> SIGHUP latency. With a second confinit (the static build), both
# binaries are measured; each row names its binary.
# Usage: bench/reload.sh PATH/TO/confinit [OUTDIR] [PATH/TO/static/confinit]
set -eu
confinit=$(readlink -f "$1")
out=${2:-bench/results}
static=${3:+$(readlink -f "$3")}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d /tmp/confinit-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
mkdir -p "$out" "$work/out"

. "$here/reload_files.sh"
reload_files "$work"

# hyperfine pairs the i-th --prepare with the i-th command: one each.
fresh="find $work/out -name out*.conf -delete"
set --
for b in $static $confinit; do
	[ "$b" = "$static" ] && kind=static || kind=dynamic
	set -- "$@" \
		--prepare true -n "confinit $kind, 10 templates, 1,000 keys, files unchanged" \
		"$b --config $work/start.yaml -- true" \
		--prepare "$fresh" -n "confinit $kind, 10 templates, 1,000 keys, 10 files written" \
		"$b --config $work/start.yaml -- true" \
		--prepare true -n "confinit $kind, no config" "$b -- true"
done
hyperfine -N --warmup 20 --runs 300 --export-markdown "$out/reload-startup.md" \
	"$@" --prepare true -n "tini" "tini -- true" \
	--prepare true -n "tini-static" "tini-static -- true" >/dev/null
echo "load: $(uptime)" >>"$out/reload-startup.md"
cat "$out/reload-startup.md"

# To the app's first instruction (bench/firstinstr.c), YAML and JSON
# sources of the same 1,000 keys, files unchanged and written.
cc -O2 -static -o "$work/fi" "$here/firstinstr.c"
{
	for b in $static $confinit; do
		[ "$b" = "$static" ] && kind=static || kind=dynamic
		for src in yaml json; do
			cfg=$work/start.yaml
			[ $src = json ] && cfg=$work/start-json.yaml
			"$work/fi" 300 - "confinit $kind, 10 templates, 1,000 keys ($src), files unchanged" \
				-- "$b" --config "$cfg" -- "$work/fi" app
			"$work/fi" 300 "$work/out" "confinit $kind, 10 templates, 1,000 keys ($src), 10 files written" \
				-- "$b" --config "$cfg" -- "$work/fi" app
		done
		"$work/fi" 300 - "confinit $kind, no config" -- "$b" -- "$work/fi" app
	done
	"$work/fi" 300 - tini -- tini -- "$work/fi" app
	"$work/fi" 300 - tini-static -- tini-static -- "$work/fi" app
	echo "load: $(uptime)"
} | tee "$out/reload-firstinstr.txt"

cc -O2 -o "$work/reload_latency" "$here/reload_latency.c"
mkdir -p "$work/lat"
kind=dynamic
[ -n "$static" ] && kind=static
{
	echo "confinit $kind (${static:-$confinit}), load: $(uptime)"
	"$work/reload_latency" "${static:-$confinit}" "$work/lat" 200
} | tee "$out/reload-latency.txt"
