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
. "$here/etcd_lib.sh"
epid=
trap 'etcd_stop; rm -rf "$work"' EXIT
etcd_start "$work" --heartbeat-interval 10 --election-timeout 100
mkdir -p "$out" "$work/lat"
cc -O2 -o "$work/etcd_latency" "$here/etcd_latency.c" -lcurl
{
	echo "confinit: $confinit ($(file -b "$confinit" | cut -d, -f1-2)), load: $(uptime)"
	"$work/etcd_latency" "$confinit" "$work/lat" "127.0.0.1:$cport" "$n"
} | tee "$out/etcd-latency.txt"
