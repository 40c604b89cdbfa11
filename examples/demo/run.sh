#!/bin/sh
# make demo: confinit's main job on the embedded default — a local YAML
# file as the config center, a template rendered, an app started, reloaded
# with SIGHUP when a value changes and restarted when its environment does.
set -eu
confinit=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
here=$(cd "$(dirname "$0")" && pwd)
DEMO_DIR=$(mktemp -d /tmp/confinit-demo.XXXXXX)
export DEMO_DIR
trap 'rm -rf "$DEMO_DIR"' EXIT
cp "$here/confinit.yaml" "$here/config.yaml" "$here/app.conf.tmpl" \
	"$here/app.sh" "$DEMO_DIR/"
cd "$DEMO_DIR"

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
# Edits config.yaml the way an editor or a deploy tool does: write a new
# file, then rename it over the old one.
edit() {
	sed "$1" config.yaml > config.yaml.new && mv config.yaml.new config.yaml
}

say "confinit --config confinit.yaml  (as PID 1 in a new PID namespace)"
if [ "$(id -u)" = 0 ]; then
	unshare --pid --fork --mount-proc "$confinit" --config confinit.yaml &
else
	"$confinit" --config confinit.yaml &
fi
pid=$!
sleep 1.5

say "change app/port 8080 -> 9090 in config.yaml: re-rendered, app gets SIGHUP"
edit 's/port: 8080/port: 9090/'
sleep 1.5

say "change app/env/greeting: the app's environment changes, so it is restarted"
edit 's/greeting: hello/greeting: bonjour/'
sleep 2

say "a broken edit (invalid YAML): logged, the app and its file stay as they were"
printf 'app: [unclosed\n' > config.yaml.new && mv config.yaml.new config.yaml
sleep 1
echo "  $DEMO_DIR/out/app.conf still says: $(grep listen out/app.conf)"

say "docker stop: SIGTERM to confinit, forwarded; confinit exits with the app's status"
if [ "$(id -u)" = 0 ]; then
	kill -TERM "$(pgrep -P $pid confinit)"
else
	kill -TERM $pid
fi
status=0
wait $pid || status=$?
echo "  confinit exited with $status"

say "and the init side: orphans reaped as PID 1 (-w warns on each)"
sh "$here/pid1.sh" "$confinit" 2>&1 | sed -n '/processes now/,$p' | head -6
