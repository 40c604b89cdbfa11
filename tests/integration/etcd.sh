#!/usr/bin/env bash
# The etcd source through the real binary against a real etcd on loopback:
# first render, put/delete -> re-render -> SIGHUP, keys outside the prefix
# change nothing, the watch resumes after 20 etcd restarts with the app
# alive throughout, compaction while cut off, exit 4 naming the source
# when etcd is down at start, and the token in no log line.
. "$(dirname "$0")/lib/lib.bash"
. "$(dirname "$0")/lib/etcd.bash"

D=$T_DIR


etcd_start a
etcd_put /myapp/db/host 10.0.0.5
etcd_put /myapp/db/port 5432
etcd_put /myappx/db/host wrong
etcd_put /db/host wrong

# proxy port -> etcd, so that the compaction case can cut confinit off.
PPORT=$(etcd_free_port)
etcd_proxy_start "$PPORT" "${ETCD_CPORT[a]}"

cat >"$D/cfg.yaml" <<YAML
sources:
  - name: center
    url: "etcd://127.0.0.1:$PPORT/myapp"
templates:
  - contents: |
      host={{ keyOrDefault "db/host" "none" }}
      port={{ keyOrDefault "db/port" "none" }}
      n={{ keyOrDefault "n" "none" }}
    dest: $D/app.conf
exec:
  command: [sh, $D/app.sh, $D/app.log]
startup: {timeout: 20s}
log: {level: debug}
YAML

ci_start sub --config "$D/cfg.yaml"
expect_true "first render from etcd" \
    ci_wait_for 20 file_is "$D/app.conf" $'host=10.0.0.5\nport=5432\nn=none'
expect_true "the app starts after the first render" \
    wait_until 10 grep -q '^start' "$D/app.log"
app=$(awk '/^start/ {print $2; exit}' "$D/app.log")

etcd_put /myapp/db/host 10.0.0.6
expect_true "put: re-rendered" \
    wait_until 10 file_is "$D/app.conf" $'host=10.0.0.6\nport=5432\nn=none'
expect_true "put: the app got SIGHUP" \
    wait_until 10 hups_are 1

etcd_del /myapp/db/port
expect_true "delete: re-rendered without the key" \
    wait_until 10 file_is "$D/app.conf" $'host=10.0.0.6\nport=none\nn=none'
expect_true "delete: the app got SIGHUP" \
    wait_until 10 hups_are 2

etcd_put /myappx/db/host other
etcd_put /db/host other
etcd_put /myapp/unused value
sleep 1
expect_eq "keys outside the prefix (or unused) signal nothing" 2 \
    "$(count "$D/app.log" hup)"
expect_eq "keys outside the prefix change nothing" \
    $'host=10.0.0.6\nport=none\nn=none' "$(cat "$D/app.conf")"

# Compaction while cut off: the watch cannot resume; confinit reads again.
etcd_proxy_stop
etcd_put /myapp/db/host 10.0.0.7
etcd_put /myapp/db/host 10.0.0.8
etcd_compact "$(etcd_rev)"
etcd_proxy_start "$PPORT" "${ETCD_CPORT[a]}"
expect_true "compaction: the value put while cut off arrives" \
    wait_until 20 file_is "$D/app.conf" $'host=10.0.0.8\nport=none\nn=none'
expect_grep "compaction: logged, then a fresh read" "compacted" "$CI_ERR"

# 20 restarts of etcd: each change made right after one reaches the app.
ok=0
for i in $(seq 1 20); do
	etcd_kill a
	etcd_start a
	etcd_put /myapp/n "$i"
	wait_until 20 file_is "$D/app.conf" \
	    "$(printf 'host=10.0.0.8\nport=none\nn=%s' "$i")" && ok=$((ok + 1))
done
expect_eq "restarts: every change after a restart arrives" 20 "$ok"
expect_true "restarts: the app was never restarted" alive "$app"
expect_eq "restarts: one app start only" 1 "$(count "$D/app.log" start)"
expect_true "restarts: confinit is alive" alive "$CI_PID"
etcd_put /myapp/db/port 6000
expect_true "restarts: the final file equals etcd's final state" \
    wait_until 10 file_is "$D/app.conf" $'host=10.0.0.8\nport=6000\nn=20'
expect_grep "the log shows the watch resumed" "watching again" "$CI_ERR"
kill -TERM "$CI_PID"
ci_wait 10
expect_no_grep "no sanitizer report" "Sanitizer" "$CI_ERR"

# etcd with auth: a token from /v3/auth/authenticate in token_file is
# sent, and appears in no log line (debug level).
etcd_call /v3/auth/user/add '{"name":"root","password":"pw-root"}' >/dev/null
etcd_call /v3/auth/user/grant '{"user":"root","role":"root"}' >/dev/null
etcd_call /v3/auth/enable '{}' >/dev/null
TOKEN=$(etcd_call /v3/auth/authenticate '{"name":"root","password":"pw-root"}' |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
printf '%s\n' "$TOKEN" >"$D/token"
cat >"$D/auth.yaml" <<YAML
sources:
  - name: center
    url: "etcd://127.0.0.1:${ETCD_CPORT[a]}/myapp"
    token_file: $D/token
templates:
  - {contents: "host={{ key \"db/host\" }}", dest: $D/auth.conf}
startup: {timeout: 10s}
log: {level: debug}
YAML
ci_run sub --config "$D/auth.yaml" --once
expect_eq "auth: rendered with the token" "0 host=10.0.0.8" \
    "$CI_RC $(cat "$D/auth.conf" 2>/dev/null)"
expect_true "auth: a token was made" test "${#TOKEN}" -gt 8
expect_no_grep "auth: the token is in no log line" "$TOKEN" "$CI_ERR"
printf 'wrong-token-value\n' >"$D/token"
ci_run sub --config "$D/auth.yaml" --once --startup-timeout 1s
expect_eq "auth: a bad token fails the start" 4 "$CI_RC"
expect_grep "auth: etcd's refusal is logged" "invalid auth token" "$CI_ERR"
expect_no_grep "auth: the bad token is in no log line" "wrong-token-value" \
    "$CI_ERR"

# etcd down at start: exit 4 after the startup timeout, naming the source.
DEAD=$(etcd_free_port)
ci_start sub --source "etcd://127.0.0.1:$DEAD/myapp" --startup-timeout 1s \
    --template "$D/none.tmpl:$D/none.out" -- true
echo 'x' >"$D/none.tmpl"
ci_wait 15
expect_eq "down at start: exit code 4" 4 "$CI_RC"
expect_grep "down at start: the message names the source" \
    "startup timeout.*etcd://127.0.0.1:$DEAD/myapp" "$CI_ERR"
expect_grep "down at start: the reason is logged" \
    "127.0.0.1:$DEAD.*(connect|Connection refused)" "$CI_ERR"
expect_grep "down at start: the exit message says why" \
    "startup timeout.*myapp \(.*connect" "$CI_ERR"

# A bad URL is a configuration-time error naming the source.
ci_run sub --source "etcd://127.0.0.1:99999/x" -- true
expect_eq "bad port: exit code 4" 4 "$CI_RC"
expect_grep "bad port: named" "bad port" "$CI_ERR"

finish
