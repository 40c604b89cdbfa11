#!/usr/bin/env bash
# The http:// source through the real binary, against a small Python
# server (lib/confhttpd.py): ETag revalidation (304 is not a change), each
# body format, and every failure mid-run (500, connection refused, a
# truncated, slow, malformed or oversized body) as one log line naming the
# source, with confinit, the app and its files untouched.
. "$(dirname "$0")/lib/lib.bash"
. "$(dirname "$0")/lib/netsrc.bash"

D=$T_DIR
mkdir -p "$D/out" "$D/www"
cat >"$D/app.sh" <<'SH'
trap 'echo "hup $$" >>"$1"' HUP
trap 'exit 0' TERM
# "start" only once the traps are set: tests wait for it.
echo "start $$" >>"$1"
while :; do sleep 0.05; done
SH
hups() { count_lines "$D/app.log" '^hup'; }
hups_are() { [[ $(hups) == "$1" ]]; }
# more_lines FILE REGEX N: true once more than N lines of FILE match.
more_lines() { (($(count_lines "$1" "$2") > $3)); }

W=$D/www
printf '{"db": {"host": "10.0.0.1", "port": 5432}}' >"$W/app.json"
printf 'cache:\n  size: 64\n' >"$W/cache.yaml"
printf 'mail.host = smtp.local\n' >"$W/mail"
printf 'text/x-java-properties\n' >"$W/mail.ctype"
printf 'export FEATURE_X=on\n' >"$W/flags.txt"
printf '{"json": "by type"}' >"$W/typed"
printf 'application/json\n' >"$W/typed.ctype"
httpd_start web "$W"
U=http://127.0.0.1:$HTTPD_PORT

cat >"$D/cfg.yaml" <<YAML
sources:
  - {name: app, url: "$U/app.json", poll_interval: 200ms, timeout: 2s}
  - {name: cache, url: "$U/cache.yaml", poll_interval: 1h}
  - {name: mail, url: "$U/mail", poll_interval: 1h}
  - {name: flags, url: "$U/flags.txt?format=env", poll_interval: 1h}
  - {name: typed, url: "$U/typed", poll_interval: 1h}
templates:
  - contents: "db={{ key \"db/host\" }}:{{ key \"db/port\" }}\n"
    dest: $D/out/app.conf
  - contents: "{{ key \"cache/size\" }} {{ key \"mail.host\" }} {{ key \"FEATURE_X\" }} {{ key \"json\" }}\n"
    dest: $D/out/formats.conf
exec:
  command: [sh, $D/app.sh, $D/app.log]
YAML

ci_start sub --config "$D/cfg.yaml"
expect_true "start: the app runs" wait_until 15 grep -qs '^start' "$D/app.log"
expect_eq "json by extension" "db=10.0.0.1:5432" "$(cat "$D/out/app.conf")"
expect_eq "yaml by extension, properties by type, env by ?format=, json by type" \
    "64 smtp.local on by type" "$(cat "$D/out/formats.conf")"
expect_grep "format= is not sent to the server" '^GET /flags.txt 200' \
    "$D/web.req"

# Unchanged: revalidated with If-None-Match, 304, no change.
expect_true "etag: polls send If-None-Match and get 304" \
    wait_until 10 grep -q '^GET /app.json 304 inm=yes ims=yes' "$D/web.req"
sleep 0.5
expect_eq "etag: 304 is not a change" 0 "$(hups)"

# Changed: a new body, a new file, one SIGHUP.
printf '{"db": {"host": "10.0.0.2", "port": 5432}}' >"$W/app.json"
expect_true "change: rendered" \
    wait_until 10 grep -q 'db=10.0.0.2' "$D/out/app.conf"
expect_true "change: a SIGHUP" wait_until 10 hups_are 1
sleep 0.5
expect_eq "change: exactly one SIGHUP" 1 "$(hups)"

# Each failure: a line naming the source, nothing else changes. After each
# one the good body comes back (a 304: a success, which resets the backoff).
GOOD='{"db": {"host": "10.0.0.2", "port": 5432}}'
# failure NAME REGEX: waits for a new log line matching REGEX, checks that
# nothing changed, then serves the good body again until it is revalidated.
# Lines of the log from MARK on are searched (set before each case).
mark() { MARK=$(wc -l <"$CI_ERR"); }
logged_since_mark() { tail -n +$((MARK + 1)) "$CI_ERR" | grep -qE -- "$1"; }
failure() {
	local before
	expect_true "$1: logged, naming the source" \
	    wait_until 40 logged_since_mark "$2"
	expect_eq "$1: file kept" "db=10.0.0.2:5432" "$(cat "$D/out/app.conf")"
	expect_eq "$1: no signal" 1 "$(hups)"
	expect_true "$1: confinit and the app run" ci_only_app
	[[ $1 == "connection refused" ]] && return
	# The good body first, then the mode: the other way round, a poll
	# between the two got the case's body whole (a real change, a SIGHUP).
	printf '%s' "$GOOD" >"$W/app.json"
	rm -f "$W/app.json.mode" "$W/app.json.ctype"
	before=$(count_lines "$D/web.req" '^GET /app.json 304')
	wait_until 40 more_lines "$D/web.req" '^GET /app.json 304' "$before"
	mark
}
mark
echo 500 >"$W/app.json.mode"
failure "500" 'source app: 127.0.0.1:[0-9]+: HTTP 500: error; keeping the last good values'
echo truncate >"$W/app.json.mode"
printf '{"db": {"host": "10.0.0.3", "port": 5432}}' >"$W/app.json"
failure "truncated" 'source app: GET .*/app.json: .*(transfer closed|Partial|partial).*keeping the last good values'
echo slow >"$W/app.json.mode"
printf '{"db": {"host": "10.0.0.3", "port": 5432}}' >"$W/app.json"
failure "slow" 'source app: GET .*/app.json: .*(timed out|Timeout|timeout).*keeping the last good values'
echo close >"$W/app.json.mode"
failure "closed" 'source app: GET .*/app.json: .*(Empty reply|closed|Recv failure).*keeping the last good values'
printf '{"db": {"host": ' >"$W/app.json"
failure "malformed JSON" 'source app: 127.0.0.1:[0-9]+/app.json:1:[0-9]+: .*keeping the last good values'
printf 'application/yaml\n' >"$W/app.json.ctype"
printf 'db: [unclosed\n' >"$W/app.json"
failure "malformed YAML" 'source app: 127.0.0.1:[0-9]+/app.json:[0-9]+:[0-9]+: .*keeping the last good values'
head -c $((17 << 20)) /dev/zero | tr '\0' ' ' >"$W/app.json"
failure "over the cap" 'source app: .*(larger|cap|limit|exceed).*keeping the last good values'
net_stop "$HTTPD_PID"
failure "connection refused" 'source app: GET .*/app.json: .*(refused|Couldn.t connect|Failed to connect).*keeping the last good values'

expect_true "after the failures: confinit and the app still run" ci_only_app
kill -TERM "$CI_PID"
ci_wait 10
expect_eq "after the failures: a clean exit" 0 "$CI_RC"

# A token for an HTTP source goes out as a bearer token, never to the log.
TOKEN=http-s3cret-token-9876
printf '{"db": {"host": "10.0.0.9", "port": 5432}}' >"$W/app.json"
httpd_start web3 "$W"
cat >"$D/tok.yaml" <<YAML
sources:
  - {url: "http://127.0.0.1:$HTTPD_PORT/app.json", token_env: CFG_TOKEN}
templates:
  - {contents: "{{ key \"db/host\" }}\n", dest: $D/out/tok.conf}
YAML
CFG_TOKEN=$TOKEN ci_run sub --config "$D/tok.yaml" --once --log-level trace
expect_eq "token: read" "0 10.0.0.9" "$CI_RC $(cat "$D/out/tok.conf")"
expect_no_grep "token: never in the log" "$TOKEN" "$CI_ERR"

# prefix: only the keys under it, relative to it; max_body: a source's cap.
printf '{"myapp": {"db": {"host": "10.0.0.8"}}, "other": {"x": "no"}}' \
    >"$W/tree.json"
cat >"$D/pre.yaml" <<YAML
sources:
  - {url: "http://127.0.0.1:$HTTPD_PORT/tree.json", prefix: /myapp}
templates:
  - contents: "{{ key \"db/host\" }} {{ keyOrDefault \"other/x\" \"none\" }} {{ keyOrDefault \"myapp/db/host\" \"none\" }}\n"
    dest: $D/out/pre.conf
YAML
ci_run sub --config "$D/pre.yaml" --once
expect_eq "prefix: the keys under it, relative" "0 10.0.0.8 none none" \
    "$CI_RC $(cat "$D/out/pre.conf" 2>/dev/null)"
cat >"$D/cap.yaml" <<YAML
sources:
  - {name: capped, url: "http://127.0.0.1:$HTTPD_PORT/tree.json", max_body: 32}
templates:
  - {contents: "{{ key \"myapp/db/host\" }}\n", dest: $D/out/cap.conf}
YAML
ci_run sub --config "$D/cap.yaml" --once --startup-timeout 1s
expect_eq "max_body: a body over it fails the start" 4 "$CI_RC"
expect_grep "max_body: the error names the source and the cap" \
    "source capped: response from .*tree.json larger than 32 bytes" "$CI_ERR"
sed -i 's/max_body: 32/max_body: 1KiB/' "$D/cap.yaml"
ci_run sub --config "$D/cap.yaml" --once
expect_eq "max_body: a body under it is read" "0 10.0.0.8" \
    "$CI_RC $(cat "$D/out/cap.conf" 2>/dev/null)"

finish
