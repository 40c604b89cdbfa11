#!/bin/sh
# The init half of confinit shown alone: PID 1 in a new PID namespace, an
# app that leaves orphans behind, every one of them reaped.
set -eu
confinit=$1
if [ "$(id -u)" -ne 0 ]; then
	echo "  (skipped: needs root for unshare --pid)"
	exit 0
fi
unshare --pid --fork --mount-proc "$confinit" -w -- sh -c '
	for i in 1 2 3; do (sleep 0.2 &); done
	echo "  app: started 3 background jobs and let them go"
	sleep 1
	echo "  app: processes now (no zombies):"; ps -o pid,ppid,stat,comm
'
