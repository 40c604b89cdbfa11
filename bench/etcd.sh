#!/bin/sh
# etcd put -> app SIGHUP latency through a real confinit and a real etcd
# (one node on loopback, temp data dir), p50/p99 over 1,000 changes with no
# debounce (wait disabled). The time includes etcd's own put (a commit).
# Usage: bench/etcd.sh PATH/TO/confinit [OUTDIR] [N]
set -eu
confinit=$(readlink -f "$1")
out=${2:-bench/results}
n=${3:-1000}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d /tmp/confinit-bench.XXXXXX)
port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
cport=$(port)
pport=$(port)
etcd --name b --data-dir "$work/etcd" \
	--listen-client-urls "http://127.0.0.1:$cport" \
	--advertise-client-urls "http://127.0.0.1:$cport" \
	--listen-peer-urls "http://127.0.0.1:$pport" \
	--initial-advertise-peer-urls "http://127.0.0.1:$pport" \
	--initial-cluster "b=http://127.0.0.1:$pport" \
	--heartbeat-interval 10 --election-timeout 100 \
	--log-level error >"$work/etcd.log" 2>&1 &
epid=$!
trap 'kill $epid 2>/dev/null; rm -rf "$work"' EXIT
i=0
until curl -sf -X POST "http://127.0.0.1:$cport/v3/kv/range" -d '{"key":"AA=="}' >/dev/null; do
	i=$((i + 1))
	[ $i -gt 200 ] && { echo "etcd did not start" >&2; exit 1; }
	sleep 0.05
done
mkdir -p "$out" "$work/lat"
cc -O2 -o "$work/etcd_latency" "$here/etcd_latency.c" -lcurl
"$work/etcd_latency" "$confinit" "$work/lat" "127.0.0.1:$cport" "$n" |
	tee "$out/etcd-latency.txt"
