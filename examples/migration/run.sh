#!/bin/sh
# The migration example on this machine: an etcd and the Consul stand-in
# of tests/consul-standin (Consul is not in Debian; the stand-in implements
# the documented KV API and is not Consul), each holding keys/*.txt; then
# the confd and the consul-template templates rendered unchanged by
# confinit --once, and compared with expected/.
#
#   sh examples/migration/run.sh build/confinit
#
# Needs etcd (etcd-server), haproxy (the confd template's check), python3
# and curl. Exits 1 if an output differs.
set -eu
confinit=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d /tmp/confinit-migration.XXXXXX)
etcd_pid= consul_pid=
cleanup() {
	rc=$?
	if [ -n "$etcd_pid" ]; then kill "$etcd_pid"; wait "$etcd_pid" 2>/dev/null || :; fi
	if [ -n "$consul_pid" ]; then kill "$consul_pid"; wait "$consul_pid" 2>/dev/null || :; fi
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
b64() { printf %s "$1" | base64 -w0; }
etcd_put() {
	curl -sf -X POST "http://$ETCD_ENDPOINTS/v3/kv/put" \
		-d "{\"key\":\"$(b64 "$1")\",\"value\":\"$(b64 "$2")\"}" >/dev/null
}
consul_put() {
	curl -sf -X PUT --data-binary "$2" \
		"http://$CONSUL_HTTP_ADDR/v1/kv/$1" >/dev/null
}

cport=$(free_port) pport=$(free_port)
ETCD_ENDPOINTS=127.0.0.1:$cport
etcd --name mig --data-dir "$work/etcd" \
	--listen-client-urls "http://$ETCD_ENDPOINTS" \
	--advertise-client-urls "http://$ETCD_ENDPOINTS" \
	--listen-peer-urls "http://127.0.0.1:$pport" \
	--initial-advertise-peer-urls "http://127.0.0.1:$pport" \
	--initial-cluster "mig=http://127.0.0.1:$pport" \
	--log-level error >"$work/etcd.log" 2>&1 &
etcd_pid=$!
python3 "$here/../../tests/consul-standin/consul_standin.py" \
	--port-file "$work/consul.port" >"$work/consul.log" 2>&1 &
consul_pid=$!
i=0
until etcd_put /probe 1 2>/dev/null && [ -s "$work/consul.port" ]; do
	i=$((i + 1))
	[ $i -lt 100 ] || die "etcd or the Consul stand-in did not start"
	sleep 0.2
done
CONSUL_HTTP_ADDR=127.0.0.1:$(cat "$work/consul.port")
HAPROXY_DIR=$work/haproxy SHOP_DIR=$work/shop
export ETCD_ENDPOINTS CONSUL_HTTP_ADDR HAPROXY_DIR SHOP_DIR
mkdir -p "$HAPROXY_DIR" "$SHOP_DIR"
while read -r k v; do etcd_put "$k" "$v"; done <"$here/keys/etcd.txt"
while read -r k v; do consul_put "$k" "$v"; done <"$here/keys/consul.txt"

say "confd: confinit --config examples/migration/confd.yaml --once"
"$confinit" --config "$here/confd.yaml" --once
cat "$HAPROXY_DIR/haproxy.cfg"
cmp "$here/expected/haproxy.cfg" "$HAPROXY_DIR/haproxy.cfg" ||
	die "haproxy.cfg differs from expected/haproxy.cfg"

say "consul-template: confinit --config examples/migration/consul-template.yaml --once"
"$confinit" --config "$here/consul-template.yaml" --once
cat "$SHOP_DIR/app.ini"
cmp "$here/expected/app.ini" "$SHOP_DIR/app.ini" ||
	die "app.ini differs from expected/app.ini"

say "both as expected/ says"
