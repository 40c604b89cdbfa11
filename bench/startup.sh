#!/bin/sh
# Start-up time and resident memory of confinit beside the inits users pick
# instead (tini, tini-static, dumb-init, catatonit), in one hyperfine run.
# Usage: bench/startup.sh PATH/TO/confinit [OUTDIR]
set -eu
confinit=$1
out=${2:-bench/results}
mkdir -p "$out"
for tool in hyperfine tini dumb-init catatonit; do
	command -v $tool >/dev/null || { echo "missing: $tool (make deps)"; exit 1; }
done

hyperfine -N --warmup 50 --runs 1000 --export-markdown "$out/startup.md" \
	-n confinit "$confinit -- true" \
	-n tini "tini -- true" \
	-n tini-static "tini-static -- true" \
	-n dumb-init "dumb-init true" \
	-n catatonit "catatonit -- true" \
	-n true "true"

# Memory of the supervisor itself while its app sleeps.
rss() {
	"$@" &
	pid=$!
	sleep 0.5
	printf '| %s | %s | %s |\n' "$1" \
		"$(awk '/^VmRSS/ {print $2 " kB"}' /proc/$pid/status)" \
		"$(awk '/^RssAnon/ {print $2 " kB"}' /proc/$pid/status)"
	kill -TERM $pid 2>/dev/null; wait $pid 2>/dev/null || true
}
{
	echo '| init | VmRSS | RssAnon |'
	echo '|---|---|---|'
	rss "$confinit" -- sleep 10
	rss "$(command -v tini)" -- sleep 10
	rss "$(command -v tini-static)" -- sleep 10
	rss "$(command -v dumb-init)" sleep 10
	rss "$(command -v catatonit)" -- sleep 10
} > "$out/rss.md"
cat "$out/startup.md" "$out/rss.md"
