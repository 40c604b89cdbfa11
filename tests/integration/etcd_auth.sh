#!/usr/bin/env bash
# etcd with authentication, a real etcd on loopback: confinit logs in with
# a user and a password (POST /v3/auth/authenticate) and sends the token;
# when its token has expired (a 1 s token TTL; confinit is cut off by a TCP
# proxy and reconnects) the refused token is replaced by a new login and
# the watch goes on; a wrong password
# and a user without read permission on the prefix are reported clearly,
# naming the source; no password and no token in any log line.
. "$(dirname "$0")/lib/lib.bash"
. "$(dirname "$0")/lib/etcd.bash"

D=$T_DIR


# Puts as root once auth is on (a fresh token each time: etcd restarts).
root_token() {
	etcd_call /v3/auth/authenticate '{"name":"root","password":"pw-root-0"}' |
	    python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])'
}
aput() {
	curl -sf -m 5 -X POST "http://$ETCD_EP/v3/kv/put" \
	    -H "Authorization: $(root_token)" \
	    -d "{\"key\":\"$(b64 "$1")\",\"value\":\"$(b64 "$2")\"}" >/dev/null
}

# Simple tokens expire after 1 s without use (a watch does not use it).
ETCD_ARGS=(--auth-token simple --auth-token-ttl 1)
etcd_start a
PPORT=$(etcd_free_port)
etcd_proxy_start "$PPORT" "${ETCD_CPORT[a]}"
etcd_put /myapp/db/host 10.0.0.5
etcd_put /other/x y
etcd_call /v3/auth/user/add '{"name":"root","password":"pw-root-0"}' >/dev/null
etcd_call /v3/auth/user/grant '{"user":"root","role":"root"}' >/dev/null
etcd_call /v3/auth/role/add '{"name":"reader"}' >/dev/null
etcd_call /v3/auth/role/grant "{\"name\":\"reader\",\"perm\":{\"permType\":\"READ\",\"key\":\"$(b64 /myapp/)\",\"range_end\":\"$(b64 /myapp0)\"}}" >/dev/null
etcd_call /v3/auth/user/add '{"name":"app","password":"Pw-App-77"}' >/dev/null
etcd_call /v3/auth/user/grant '{"user":"app","role":"reader"}' >/dev/null
etcd_call /v3/auth/enable '{}' >/dev/null
expect_true "auth is on: a read without a token is refused" \
    test -z "$(etcd_call /v3/kv/range '{"key":"AA=="}')"

printf 'Pw-App-77\n' >"$D/pw"
# config NAME PREFIX PASSWORD-LINES
config() {
	cat >"$D/$1.yaml" <<YAML
sources:
  - name: center
    url: "etcd://127.0.0.1:$PPORT$2"
    username: app
$3
templates:
  - {contents: "host={{ keyOrDefault \"db/host\" \"none\" }}", dest: $D/$1.conf}
exec:
  command: [sh, $D/app.sh, $D/app.log]
startup: {timeout: 10s}
log: {level: debug}
YAML
}

# Logged in with password_file: first render, then a change.
config ok /myapp "    password_file: $D/pw"
ci_start sub --config "$D/ok.yaml"
expect_true "login: first render" \
    ci_wait_for 20 file_is "$D/ok.conf" "host=10.0.0.5"
expect_true "login: the app starts" \
    wait_until 10 grep -qs '^start' "$D/app.log"
aput /myapp/db/host 10.0.0.6
expect_true "login: put -> re-rendered" \
    wait_until 10 file_is "$D/ok.conf" "host=10.0.0.6"
expect_true "login: SIGHUP" wait_until 10 hups_are 1

# The token expires while the watch runs; cut off, confinit reconnects
# with it, is refused, and logs in again.
sleep 2.5
etcd_proxy_stop
aput /myapp/db/host 10.0.0.7
etcd_proxy_start "$PPORT" "${ETCD_CPORT[a]}"
expect_true "expired: the change made while cut off arrives" \
    wait_until 20 file_is "$D/ok.conf" "host=10.0.0.7"
expect_grep "expired: the refused token is replaced by a new login" \
    "refused the auth token.*logging in again as app" "$CI_ERR"
expect_true "expired: SIGHUP" wait_until 10 hups_are 2
expect_true "expired: confinit is alive" alive "$CI_PID"
kill -TERM "$CI_PID"
ci_wait 10
expect_no_grep "login: the password is in no log line" "Pw-App-77" "$CI_ERR"
expect_no_grep "login: no token in any log line" \
    "Authorization|[A-Za-z]{16}\.[0-9]+" "$CI_ERR"
expect_no_grep "login: no sanitizer report" "Sanitizer" "$CI_ERR"

# password_env and an inline password.
config env /myapp "    password_env: APP_PW"
APP_PW=Pw-App-77 ci_run sub --config "$D/env.yaml" --once
expect_eq "password_env: rendered" "0 host=10.0.0.7" \
    "$CI_RC $(cat "$D/env.conf" 2>/dev/null)"
config inl /myapp "    password: Pw-App-77"
ci_run sub --config "$D/inl.yaml" --once
expect_eq "inline password: rendered" "0 host=10.0.0.7" \
    "$CI_RC $(cat "$D/inl.conf" 2>/dev/null)"
expect_no_grep "inline password: in no log line" "Pw-App-77" "$CI_ERR"

# A wrong password: etcd's reason, naming the source; exit 4. The timeout leaves
# room for a slow first login (etcd checks passwords with bcrypt; under load
# one attempt took over 1 s).
printf 'Wrong-Pw-55\n' >"$D/badpw"
config bad /myapp "    password_file: $D/badpw"
ci_run sub --config "$D/bad.yaml" --once --startup-timeout 4s
expect_eq "wrong password: exit 4" 4 "$CI_RC"
expect_grep "wrong password: logged at once, naming the source" \
    "source center: log in as app on 127.0.0.1:$PPORT: HTTP 400: etcdserver: authentication failed, invalid user ID or password" \
    "$CI_ERR"
expect_grep "wrong password: the exit message says why" \
    "startup timeout: no data from center \(log in as app.*authentication failed" \
    "$CI_ERR"
expect_no_grep "wrong password: in no log line" "Wrong-Pw-55" "$CI_ERR"

# No read permission on the prefix (403): clear, retried until the timeout.
config deny /other "    password_file: $D/pw"
ci_run sub --config "$D/deny.yaml" --once --startup-timeout 4s
expect_eq "permission denied: exit 4" 4 "$CI_RC"
expect_grep "permission denied: the reason and who may not read what" \
    "source center: range from .*: HTTP 403: etcdserver: permission denied \(app may not read /other/\)" \
    "$CI_ERR"
expect_grep "permission denied: the exit message names the source" \
    "startup timeout: no data from center \(.*permission denied" "$CI_ERR"

# token_file is read again on each attempt: a token refused at first and
# replaced in the file while confinit retries (until the startup timeout)
# is picked up. Tokens live 1 s here, so the file is refreshed in a loop.
app_token() {
	etcd_call /v3/auth/authenticate '{"name":"app","password":"Pw-App-77"}' |
	    python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])'
}
printf 'not-a-token-1234\n' >"$D/tok"
cat >"$D/tok.yaml" <<YAML
sources:
  - {name: center, url: "etcd://127.0.0.1:$PPORT/myapp", token_file: $D/tok}
templates:
  - {contents: "host={{ key \"db/host\" }}", dest: $D/tok.conf}
YAML
ci_start sub --config "$D/tok.yaml" --once --startup-timeout 20s
expect_true "token_file: the bad token is refused, naming the source" \
    ci_wait_for 10 grep -qs "source center: .*invalid auth token" "$CI_ERR"
for _ in $(seq 1 60); do
	gone "$CI_JOB" && break
	app_token >"$D/tok.new" 2>/dev/null && mv "$D/tok.new" "$D/tok"
	sleep 0.3
done
ci_wait 10
expect_eq "token_file: the rewritten file is read on a later attempt" \
    "0 host=10.0.0.7" "$CI_RC $(cat "$D/tok.conf" 2>/dev/null)"
expect_no_grep "token_file: the tokens are in no log line" \
    "not-a-token-1234|[A-Za-z]{16}\.[0-9]+" "$CI_ERR"

# A username without a password is a configuration error.
config nopw /myapp ""
ci_run sub --config "$D/nopw.yaml" --once
expect_eq "no password: exit 3" 3 "$CI_RC"
expect_grep "no password: named" "username given without a password" \
    "$CI_ERR"

finish
