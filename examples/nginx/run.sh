#!/bin/sh
# The nginx example, end to end on this machine: an etcd of its own, nginx
# as confinit's app, a good change reloaded with SIGHUP and a bad one
# refused by `nginx -t` while nginx goes on serving. Everything lives in a
# temp dir and listens on free ports of 127.0.0.1.
#
#   sh examples/nginx/run.sh build/confinit
#
# Needs etcd (etcd-server), nginx and curl; exits 1 if a step does not do
# what it says.
set -eu
confinit=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d /tmp/confinit-nginx.XXXXXX)
etcd_pid= ci_pid=
cleanup() {
	rc=$?
	if [ -n "$ci_pid" ]; then kill -TERM "$ci_pid"; wait "$ci_pid" || :; fi
	if [ -n "$etcd_pid" ]; then kill "$etcd_pid"; wait "$etcd_pid" 2>/dev/null || :; fi
	rm -rf "$work"
	exit $rc
}
trap cleanup EXIT
trap 'exit 1' INT TERM

free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
say() { printf '\n== %s\n' "$*"; }
die() { echo "run.sh: $*" >&2; exit 1; }
put() {
	k=$(printf %s "$1" | base64 -w0) v=$(printf %s "$2" | base64 -w0)
	curl -sf -X POST "http://$ETCD_ENDPOINTS/v3/kv/put" \
		-d "{\"key\":\"$k\",\"value\":\"$v\"}" >/dev/null
}
# page TEXT: waits up to 10 s for nginx to serve TEXT on /.
page() {
	i=0
	while [ "$(curl -s "http://127.0.0.1:$port/")" != "$1" ]; do
		i=$((i + 1))
		[ $i -lt 100 ] || die "nginx does not serve \"$1\""
		sleep 0.1
	done
	echo "curl http://127.0.0.1:$port/  ->  $1"
}

cport=$(free_port) pport=$(free_port) port=$(free_port)
ETCD_ENDPOINTS=127.0.0.1:$cport
NGINX_PREFIX=$work/nginx
export ETCD_ENDPOINTS NGINX_PREFIX
mkdir -p "$NGINX_PREFIX"

say "an etcd on $ETCD_ENDPOINTS with the keys under /shop"
etcd --name ex --data-dir "$work/etcd" \
	--listen-client-urls "http://$ETCD_ENDPOINTS" \
	--advertise-client-urls "http://$ETCD_ENDPOINTS" \
	--listen-peer-urls "http://127.0.0.1:$pport" \
	--initial-advertise-peer-urls "http://127.0.0.1:$pport" \
	--initial-cluster "ex=http://127.0.0.1:$pport" \
	--log-level error >"$work/etcd.log" 2>&1 &
etcd_pid=$!
i=0
until put /shop/nginx/listen "127.0.0.1:$port" 2>/dev/null; do
	i=$((i + 1))
	[ $i -lt 100 ] || die "etcd did not start"
	sleep 0.2
done
put /shop/site/greeting "hello from etcd"
put /shop/backends/a 127.0.0.1:9001
echo "/shop/nginx/listen = 127.0.0.1:$port, /shop/site/greeting, /shop/backends/a"

say "confinit --config examples/nginx/confinit.yaml  (nginx is its app)"
"$confinit" --config "$here/confinit.yaml" &
ci_pid=$!
page "hello from etcd"

say "a good change: rendered, checked, nginx gets SIGHUP and reloads"
put /shop/site/greeting "hello again"
page "hello again"

say "a bad value: nginx -t refuses it, nothing is replaced, nginx keeps serving"
put /shop/nginx/workers lots
sleep 1
grep -q '^worker_processes 1;' "$NGINX_PREFIX/nginx.conf" ||
	die "the refused config replaced nginx.conf"
page "hello again"

say "the value fixed: the next render passes the check"
put /shop/nginx/workers 2
put /shop/site/greeting "fixed"
page "fixed"

say "docker stop: SIGTERM to confinit, forwarded to nginx"
kill -TERM "$ci_pid"
status=0
wait "$ci_pid" || status=$?
ci_pid=
echo "confinit exited with $status"
