#!/bin/sh
# The init half of confinit, shown: PID 1 in a fresh PID namespace, an app
# that leaves orphans behind, signals forwarded, the app's status returned.
set -eu
confinit=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
here=$(cd "$(dirname "$0")" && pwd)

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

if [ "$(id -u)" -ne 0 ]; then
	echo "the PID-1 demo needs root for unshare --pid; run as root" >&2
	exit 1
fi

step "confinit as PID 1 reaps the orphans an app leaves behind (-w)"
unshare --pid --fork --mount-proc "$confinit" -w -- sh -c '
	for i in 1 2 3; do (sleep 0.2 &); done
	echo "app: started 3 background jobs and let them go; my pid is $$"
	sleep 1
	echo "app: processes now (no zombies):"; ps -o pid,ppid,stat,comm
'

step "signals sent to PID 1 reach the app; its exit status comes back"
unshare --pid --fork --mount-proc "$confinit" -- sh "$here/app-signals.sh" &
pid=$!
sleep 1
echo "demo: kill -HUP and -TERM to confinit"
kill -HUP "$(pgrep -P $pid confinit || echo $pid)" 2>/dev/null || true
sleep 0.5
kill -TERM "$(pgrep -P $pid confinit || echo $pid)" 2>/dev/null || true
set +e
wait $pid
echo "demo: confinit exited with $? (the app's status)"
