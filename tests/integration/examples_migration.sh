#!/usr/bin/env bash
# examples/migration through the real binary: a confd template with its
# conf.d resource, and a consul-template template, each rendered unchanged
# by confinit with the equivalent confinit configuration, byte for byte as
# examples/migration/expected/ says. The confd one reads a real etcd (keys
# under /shop, confd's prefix) and passes haproxy -c as its check; the
# consul-template one reads the Consul stand-in (tests/consul-standin, not
# Consul). Then, live: an etcd change re-renders haproxy.cfg and a value
# haproxy -c refuses is not written. Last, the example's run.sh passes.
. "$(dirname "$0")/lib/lib.bash"
. "$(dirname "$0")/lib/etcd.bash"
. "$(dirname "$0")/lib/netsrc.bash"
trap 'etcd_cleanup; net_cleanup' EXIT
EX=$SRCDIR/examples/migration

if ! command -v haproxy >/dev/null; then
	echo "skip: haproxy is not installed (make test installs it)"
	exit 0
fi

# The keys of examples/migration/keys/ (run.sh puts the same).
etcd_start e1
while read -r k v; do etcd_put "$k" "$v"; done <"$EX/keys/etcd.txt"
etcd_put /other/backends/nope/addr 10.9.9.9:1

consul_start c1
while read -r k v; do consul_put "$CONSUL_PORT" "$k" "$v"; done \
    <"$EX/keys/consul.txt"
consul_put "$CONSUL_PORT" service/other/x y

export ETCD_ENDPOINTS=$ETCD_EP CONSUL_HTTP_ADDR=127.0.0.1:$CONSUL_PORT
export HAPROXY_DIR=$T_DIR/haproxy SHOP_DIR=$T_DIR/shop
mkdir -p "$HAPROXY_DIR" "$SHOP_DIR"

ci_run sub --config "$EX/confd.yaml" --once
expect_eq "confd: --once exits 0 ($(tr '\n' '|' <"$CI_ERR"))" 0 "$CI_RC"
expect_true "confd: haproxy.cfg is expected/haproxy.cfg" \
    cmp "$EX/expected/haproxy.cfg" "$HAPROXY_DIR/haproxy.cfg"
expect_eq "confd: mode 0644 as the resource says" 644 \
    "$(stat -c %a "$HAPROXY_DIR/haproxy.cfg")"

ci_run sub --config "$EX/consul-template.yaml" --once
expect_eq "consul-template: --once exits 0 ($(tr '\n' '|' <"$CI_ERR"))" \
    0 "$CI_RC"
expect_true "consul-template: app.ini is expected/app.ini" \
    cmp "$EX/expected/app.ini" "$SHOP_DIR/app.ini"
expect_eq "consul-template: mode 0640 (perms)" 640 \
    "$(stat -c %a "$SHOP_DIR/app.ini")"

# missing: error (error_on_missing_key) and `key` on a missing key: exit 4
# naming the key, nothing written.
rm -f "$SHOP_DIR/app.ini"
curl -sf -X DELETE "http://127.0.0.1:$CONSUL_PORT/v1/kv/service/shop/db/user" \
    >/dev/null
ci_run sub --config "$EX/consul-template.yaml" --once --startup-timeout 300ms
expect_eq "consul-template: a missing key is exit 4" 4 "$CI_RC"
expect_grep "consul-template: naming the key" 'service/shop/db/user' "$CI_ERR"
expect_true "consul-template: nothing written" test ! -e "$SHOP_DIR/app.ini"

# Live, with haproxy as the app (master-worker, -db: in the foreground).
P=$(etcd_free_port)
etcd_put /shop/frontend/bind "127.0.0.1:$P"
ci_start sub --config "$EX/confd.yaml"
expect_true "live: haproxy starts and listens" \
    ci_wait_for 20 curl -s -o /dev/null "http://127.0.0.1:$P/"
ci_app
etcd_put /shop/maintenance "back soon"
expect_true "live: a change re-renders haproxy.cfg" \
    ci_wait_for 10 grep -q 'string "back soon"' "$HAPROXY_DIR/haproxy.cfg"
expect_true "live: and haproxy, reloaded with SIGUSR2, serves it" \
    ci_wait_for 10 sh -c "curl -s http://127.0.0.1:$P/ | grep -qx 'back soon'"
etcd_put /shop/frontend/balance nonsense
expect_true "live: haproxy -c refuses a bad balance, logged" \
    ci_wait_for 10 grep -q 'check /usr/sbin/haproxy exited' "$CI_ERR"
expect_no_grep "live: the refused file is not written" 'balance nonsense' \
    "$HAPROXY_DIR/haproxy.cfg"
expect_true "live: haproxy keeps serving" alive "$APP"
kill -TERM "$CI_PID"
ci_wait 15
expect_true "live: SIGTERM stops haproxy and confinit" gone "$APP"

rc=0
env -u ETCD_ENDPOINTS -u CONSUL_HTTP_ADDR sh "$EX/run.sh" "$CONFINIT" \
    >"$T_DIR/run.out" 2>&1 || rc=$?
expect_eq "examples/migration/run.sh passes ($(tail -c 300 "$T_DIR/run.out" |
    tr '\n' '|'))" 0 "$rc"
finish
