#!/bin/sh
# Start-up time and resident memory of confinit beside the inits users pick
# instead (tini, tini-static, dumb-init, catatonit), in one hyperfine run.
# With a second confinit (the static build), both are measured; each row
# names its binary.
# Usage: bench/startup.sh PATH/TO/confinit [OUTDIR] [PATH/TO/static/confinit]
set -eu
confinit=$1
out=${2:-bench/results}
static=${3:-}
mkdir -p "$out"
for tool in hyperfine tini tini-static dumb-init catatonit; do
	command -v $tool >/dev/null || { echo "missing: $tool (make deps)"; exit 1; }
done

set -- -n "confinit (dynamic)" "$confinit -- true"
[ -n "$static" ] && set -- -n "confinit (static)" "$static -- true" "$@"
hyperfine -N --warmup 50 --runs 1000 --export-markdown "$out/startup.md" \
	"$@" \
	-n tini "tini -- true" \
	-n tini-static "tini-static -- true" \
	-n dumb-init "dumb-init true" \
	-n catatonit "catatonit -- true" \
	-n true "true"

# From the start of each init to its app's first instruction (and to the
# init's exit), bench/firstinstr.c; the same static app under every init.
here=$(cd "$(dirname "$0")" && pwd)
fi_bin=$(mktemp /tmp/confinit-firstinstr.XXXXXX)
trap 'rm -f "$fi_bin"' EXIT
cc -O2 -static -o "$fi_bin" "$here/firstinstr.c"
{
	[ -n "$static" ] &&
		"$fi_bin" 1000 - "confinit (static)" -- "$static" -- "$fi_bin" app
	"$fi_bin" 1000 - "confinit (dynamic)" -- "$confinit" -- "$fi_bin" app
	"$fi_bin" 1000 - tini -- tini -- "$fi_bin" app
	"$fi_bin" 1000 - tini-static -- tini-static -- "$fi_bin" app
	"$fi_bin" 1000 - dumb-init -- dumb-init "$fi_bin" app
	"$fi_bin" 1000 - catatonit -- catatonit -- "$fi_bin" app
} >"$out/startup-firstinstr.txt"

# Memory of the supervisor itself while its app sleeps.
rss() {
	name=$1
	shift
	"$@" &
	pid=$!
	sleep 0.5
	printf '| %s | %s | %s |\n' "$name" \
		"$(awk '/^VmRSS/ {print $2 " kB"}' /proc/$pid/status)" \
		"$(awk '/^RssAnon/ {print $2 " kB"}' /proc/$pid/status)"
	kill -TERM $pid 2>/dev/null; wait $pid 2>/dev/null || true
}
{
	echo '| init | VmRSS | RssAnon |'
	echo '|---|---|---|'
	[ -n "$static" ] && rss "confinit (static)" "$static" -- sleep 10
	rss "confinit (dynamic)" "$confinit" -- sleep 10
	rss tini "$(command -v tini)" -- sleep 10
	rss tini-static "$(command -v tini-static)" -- sleep 10
	rss dumb-init "$(command -v dumb-init)" sleep 10
	rss catatonit "$(command -v catatonit)" -- sleep 10
} > "$out/rss.md"
echo "load: $(uptime)" > "$out/startup-load.txt"
cat "$out/startup.md" "$out/startup-firstinstr.txt" "$out/rss.md" \
	"$out/startup-load.txt"
