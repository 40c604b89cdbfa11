#!/bin/sh
# Scale: N confinit processes watching the same etcd prefix (a real etcd
# from Debian, one node on loopback, temp data dir); one put -> the time for
# it to reach every app, etcd's CPU during the fan-out, VmRSS and RssAnon
# per confinit process. N is 200, then each of SCALE_NS (default 500 1000)
# while the machine holds it: the first N that fails (an app not started or
# not reached within the benchmark's time limits) ends the series.
# Usage: bench/scale.sh PATH/TO/confinit [OUTDIR] [PUTS]
set -eu
confinit=$(readlink -f "$1")
out=${2:-bench/results}
puts=${3:-20}
ns="200 ${SCALE_NS-500 1000}"
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d /tmp/confinit-scale.XXXXXX)
shm=
. "$here/etcd_lib.sh"
# 1,000 confinit processes: each holds a connection to etcd, etcd one per
# watcher; raise the descriptor limit to the hard limit for everything here.
ulimit -n "$(ulimit -Hn)"
epid=
trap 'etcd_stop; rm -rf "$work" "$shm"' EXIT
trap 'exit 130' INT TERM
# Each watch of the JSON gateway is one gRPC stream on etcd's own client
# connection: allow more streams than there are watchers (etcd's default is
# already unbounded; said explicitly so as not to depend on it).
etcd_start "$work" --max-concurrent-streams 4096
mkdir -p "$out"
cc -O2 -Wall -o "$work/scale" "$here/scale.c" -lcurl
{
	echo "confinit: $confinit ($(file -b "$confinit" | cut -d, -f1-2))"
	echo "etcd $(etcd --version | awk '/etcd Version/ {print $3}'), load: $(uptime)"
} | tee "$out/scale.txt"
# run N DIR: one series step, its files under DIR; 0 when N was held.
run() {
	rm -rf "$2"
	mkdir -p "$2"
	rc=0
	timeout 600 "$work/scale" "$confinit" "$2" "127.0.0.1:$cport" \
		"$epid" "$1" "$puts" >"$work/n.txt" 2>&1 || rc=$?
	rm -rf "$2"
	tee -a "$out/scale.txt" <"$work/n.txt"
	[ $rc = 0 ] && return 0
	echo "N=$1: not held by this machine (exit $rc, see above)" |
		tee -a "$out/scale.txt"
	return 1
}
held=
for n in $ns; do
	echo "== N=$n, files on $(df -T "$work" | awk 'NR == 2 {print $2}')" |
		tee -a "$out/scale.txt"
	run "$n" "$work/run" || break
	held=$n
done
# The largest N again with the rendered files on tmpfs: what the disk's
# fsyncs cost in the fan-out (each confinit syncs its file and directory).
shm=/dev/shm/confinit-scale.$$
if [ -n "$held" ] && [ -d /dev/shm ]; then
	echo "== N=$held, files on tmpfs ($shm)" | tee -a "$out/scale.txt"
	run "$held" "$shm" || true
fi
