#!/usr/bin/env bash
# The consul:// source through the real binary, against the Consul
# stand-in of tests/consul-standin (a script that implements only the
# documented KV endpoints confinit uses; it is not Consul): a recurse read
# renders a template, a blocking query delivers a PUT as one SIGHUP, dc and
# stale are sent, a restore to a lower index is caught up, a server that
# goes away leaves the app and its files alone, the ACL token is sent and
# never logged, and a 403 at startup is reported (exit 4, source named).
. "$(dirname "$0")/lib/lib.bash"
. "$(dirname "$0")/lib/netsrc.bash"

D=$T_DIR
mkdir -p "$D/out"
cat >"$D/app.sh" <<'SH'
trap 'echo "hup $$" >>"$1"' HUP
trap 'exit 0' TERM
# "start" only once the traps are set: tests wait for it.
echo "start $$" >>"$1"
while :; do sleep 0.05; done
SH

consul_start c1 --index-start 100
P=$CONSUL_PORT
consul_put "$P" app/db/host 10.0.0.5
consul_put "$P" app/db/port 5432
consul_put "$P" app/folder/ ""
consul_put "$P" other/secret nope

cat >"$D/cfg.yaml" <<YAML
sources:
  - name: center
    url: "consul://127.0.0.1:$P/app?dc=dc1&stale&wait=2s"
    poll_interval: 100ms
templates:
  - contents: "db={{ key \"db/host\" }}:{{ key \"db/port\" }} keys={{ range ls \"\" }}{{ .Key }},{{ end }}\n"
    dest: $D/out/app.conf
exec:
  command: [sh, $D/app.sh, $D/app.log]
YAML

ci_start sub --config "$D/cfg.yaml" -v
expect_true "recurse: the app starts" \
    wait_until 15 grep -qs '^start' "$D/app.log"
expect_eq "recurse: keys relative to the prefix, folders skipped" \
    "db=10.0.0.5:5432 keys=" "$(cat "$D/out/app.conf")"
expect_grep "recurse: GET /v1/kv/app/?recurse with dc and stale" \
    '^GET /v1/kv/app/\?recurse&dc=dc1&stale 200' "$D/c1.req"
expect_true "blocking: a blocking query is waiting" \
    wait_until 10 grep -qE 'index=1[0-9][0-9]&wait=2s' "$D/c1.req"

consul_put "$P" app/db/host 10.0.0.6
expect_true "blocking: a PUT reaches the file" \
    wait_until 10 grep -q 'db=10.0.0.6:5432' "$D/out/app.conf"
expect_true "blocking: and the app gets SIGHUP" \
    wait_until 10 grep -qs '^hup' "$D/app.log"
sleep 2.5 # one empty blocking round (wait=2s) changes nothing
expect_eq "blocking: one SIGHUP for one PUT" 1 \
    "$(count_lines "$D/app.log" '^hup')"

# A key outside the prefix changes nothing.
consul_put "$P" other/x y
sleep 0.5
expect_eq "prefix: a write elsewhere sends nothing" 1 \
    "$(count_lines "$D/app.log" '^hup')"

# The server goes away: one clear line, the app and its file stay.
net_stop "$CONSUL_PID"
expect_true "down: logged with the source's name" \
    wait_until 15 grep -qE 'source center: .*(refused|Couldn.t connect|Failed to connect|Empty reply|Recv failure).*keeping the last good values' "$CI_ERR"
expect_eq "down: the file is kept" "db=10.0.0.6:5432 keys=" \
    "$(cat "$D/out/app.conf")"
expect_true "down: confinit and the app keep running" ci_only_app

# A restore from an older snapshot: the index goes back (100+ -> 2); the
# index is reset and the restored data is delivered, then later writes.
printf '{"app/db/host": "restored", "app/db/port": "5432"}' >"$D/restore.json"
consul_start c1 --port "$P" --index-start 0 --data "$D/restore.json"
expect_true "reset: the restored value is rendered" \
    wait_until 40 grep -q 'db=restored:5432' "$D/out/app.conf"
expect_grep "reset: the index going back is logged" \
    'source center: the index went back from 1[0-9][0-9] to [0-9]; reading again' \
    "$CI_ERR"
consul_put "$P" app/db/port 6000
expect_true "reset: a write after the reset is delivered" \
    wait_until 10 grep -q 'db=restored:6000' "$D/out/app.conf"
expect_true "reset: confinit and the app keep running" ci_only_app
kill -TERM "$CI_PID"
ci_wait 10
net_stop "$CONSUL_PID"

# ACL: the token (from a file) is sent as X-Consul-Token and never logged.
TOKEN=s3cr3t-consul-token-4711
printf '%s\n' "$TOKEN" >"$D/token"
consul_start acl --acl-token "$TOKEN"
consul_put "$CONSUL_PORT" app/db/host 10.1.1.1 "$TOKEN"
consul_put "$CONSUL_PORT" app/db/port 1 "$TOKEN"
consul_put "$CONSUL_PORT" app/db/pass pw-0xdeadbeef-value "$TOKEN"
cat >"$D/acl.yaml" <<YAML
sources:
  - {name: guarded, url: "consul://127.0.0.1:$CONSUL_PORT/app", token_file: $D/token, secret: true}
templates:
  - {contents: "{{ key \"db/host\" }} {{ key \"db/pass\" }}\n", dest: $D/out/acl.conf}
YAML
ci_run sub --config "$D/acl.yaml" --once --log-level trace
expect_eq "token: read with the token" "0 10.1.1.1 pw-0xdeadbeef-value" \
    "$CI_RC $(cat "$D/out/acl.conf" 2>/dev/null)"
expect_no_grep "token: no GET without it" 'no-token' "$D/acl.req"
expect_no_grep "token: never in the log" "$TOKEN" "$CI_ERR"
expect_no_grep "secret: a secret source's value is never logged" \
    'pw-0xdeadbeef' "$CI_ERR"

# No token: 403 Permission denied, reported; exit 4 at startup.
cat >"$D/noacl.yaml" <<YAML
sources:
  - {name: guarded, url: "consul://127.0.0.1:$CONSUL_PORT/app"}
templates:
  - {contents: "{{ key \"db/host\" }}\n", dest: $D/out/noacl.conf}
startup: {timeout: 2s}
YAML
ci_run sub --config "$D/noacl.yaml" --once
expect_eq "403: exit 4 at startup" 4 "$CI_RC"
expect_grep "403: the reason, with the source's name" \
    'source guarded: 127.0.0.1:[0-9]+: 403 Permission denied: the ACL token is missing' \
    "$CI_ERR"
expect_grep "403: the startup failure names the source" \
    'startup timeout: no data from guarded' "$CI_ERR"
expect_true "403: nothing written" test ! -e "$D/out/noacl.conf"

# A wrong token: the same, and the wrong token is not logged either.
printf 'wrong-token-0815\n' >"$D/bad"
sed "s|url: |token_file: $D/bad, url: |" "$D/noacl.yaml" >"$D/bad.yaml"
ci_run sub --config "$D/bad.yaml" --once -v
expect_eq "wrong token: exit 4" 4 "$CI_RC"
expect_no_grep "wrong token: never logged" 'wrong-token-0815' "$CI_ERR"
net_stop "$CONSUL_PID"

# 404 on the prefix: an empty snapshot, not an error.
consul_start empty
cat >"$D/empty.yaml" <<YAML
sources: [{url: "consul://127.0.0.1:$CONSUL_PORT/nothing/here"}]
templates:
  - {contents: "{{ keyOrDefault \"x\" \"dflt\" }}\n", dest: $D/out/empty.conf}
YAML
ci_run sub --config "$D/empty.yaml" --once
expect_eq "404: an empty snapshot renders defaults" "0 dflt" \
    "$CI_RC $(cat "$D/out/empty.conf" 2>/dev/null)"
expect_no_grep "404: no error logged" 'error' "$CI_ERR"
net_stop "$CONSUL_PID"

finish
