#!/usr/bin/env bash
# The reload loop through the real binary as PID 1: a source edit reaches
# the app as one SIGHUP per debounce window; a failing check keeps the old
# file and sends nothing; an env change restarts the app (confinit keeps
# its PID, no zombie); a broken edit changes nothing until a good one; a
# reader never sees a partial file over 1,000 re-renders.
. "$(dirname "$0")/lib/lib.bash"

D=$T_DIR
mkdir -p "$D/out"

# An app that logs its start (with its pid and $GREETING) and each SIGHUP.
cat >"$D/app.sh" <<'SH'
log=$1
trap 'echo "hup $$" >>"$log"' HUP
trap 'echo "term $$" >>"$log"; exit 0' TERM
# Only now, with the traps set, may a test send anything.
echo "start $$ ${GREETING:-}" >>"$log"
while :; do sleep 0.05; done
SH

# edit FILE TEXT: replaces FILE the way editors and deploy tools do.
edit() {
	printf '%s' "$2" >"$1.new" && mv "$1.new" "$1"
}
count() { grep -c "^$2" "$1" 2>/dev/null || true; }
# hups_are N: true when the app has logged exactly N SIGHUPs.
hups_are() { test "$(count "$D/app.log" hup)" = "$1"; }

edit "$D/kv.yaml" $'port: 1\nenv:\n  greeting: hello\n'
cat >"$D/cfg.yaml" <<YAML
sources: [{url: "file://$D/kv.yaml"}]
templates:
  - contents: "port={{ key \"port\" }}\n"
    dest: $D/out/app.conf
    check: ["grep", "-q", "^port=[0-9]*\$", "{{ .Path }}"]
env:
  - {prefix: env/}
exec:
  command: [sh, $D/app.sh, $D/app.log]
  kill_timeout: 5s
# min leaves room for a loaded machine: an edit slower than min splits the batch.
wait: {min: 1s, max: 8s}
YAML

ci_start pid1 --config "$D/cfg.yaml"
expect_true "start: the app runs with the rendered file" \
    wait_until 10 grep -q '^start' "$D/app.log"
expect_eq "start: rendered" "port=1" "$(cat "$D/out/app.conf")"
expect_grep "start: env from the prefix, upcased" "^start [0-9]+ hello$" \
    "$D/app.log"
app1=$(awk '/^start/ {print $2; exit}' "$D/app.log")

# Five quick edits inside one debounce window: one SIGHUP, last value.
for v in 2 3 4 5 6; do
	edit "$D/kv.yaml" $'port: '$v$'\nenv:\n  greeting: hello\n'
	sleep 0.05
done
expect_true "debounce: the last value is written" \
    wait_until 10 grep -qx port=6 "$D/out/app.conf"
sleep 1
expect_eq "debounce: exactly one SIGHUP" 1 "$(count "$D/app.log" hup)"

# A change the check rejects: old file kept, no signal, error logged.
edit "$D/kv.yaml" $'port: not-a-number\nenv:\n  greeting: hello\n'
expect_true "check: failure logged" \
    wait_until 10 grep -q 'check grep exited with 1' "$CI_ERR"
expect_eq "check: old file kept" "port=6" "$(cat "$D/out/app.conf")"
sleep 0.5
expect_eq "check: no signal sent" 1 "$(count "$D/app.log" hup)"

# A broken edit (invalid YAML): nothing changes, then a good edit applies.
edit "$D/kv.yaml" $'port: [unclosed\n'
expect_true "broken edit: logged with the file's name" \
    wait_until 10 grep -q "kv.yaml:.*keeping the last good values" "$CI_ERR"
edit "$D/kv.yaml" $'port: 7\nenv:\n  greeting: hello\n'
expect_true "broken edit: a later good edit is applied" \
    wait_until 10 grep -qx port=7 "$D/out/app.conf"
wait_until 5 hups_are 2
expect_eq "broken edit: the app was only signalled for the good edit" 2 \
    "$(count "$D/app.log" hup)"

# The environment changes: the app is restarted with it, confinit stays.
edit "$D/kv.yaml" $'port: 7\nenv:\n  greeting: bonjour\n'
expect_true "env: the app is restarted with the new environment" \
    wait_until 15 grep -q '^start [0-9]* bonjour$' "$D/app.log"
expect_grep "env: the old app got the kill signal" "^term $app1$" \
    "$D/app.log"
expect_true "env: confinit is still the same process" alive "$CI_PID"
zombies "$CI_PID"
expect_eq "env: no zombie left" "" "${ZOMBIES[*]}"

kill -TERM "$CI_PID"
ci_wait
expect_eq "stop: the app's status" 0 "$CI_RC"

# A template with a command runs it after each change instead of
# signalling the app; a failing command is logged and changes nothing else.
edit "$D/c.yaml" "v: 1"
cat >"$D/cmd.yaml" <<YAML
sources: [{url: "file://$D/c.yaml"}]
templates:
  - contents: 'v={{ key "v" }}'
    dest: $D/out/cmd.conf
    command: [sh, -c, 'cat $D/out/cmd.conf >>$D/cmd.log; echo >>$D/cmd.log; test "\$(cat $D/out/cmd.conf)" != v=3']
exec: {command: [sh, $D/app.sh, $D/app2.log]}
YAML
ci_start sub --config "$D/cmd.yaml"
wait_until 10 grep -q '^start' "$D/app2.log"
expect_true "command: not run at start" test ! -e "$D/cmd.log"
edit "$D/c.yaml" "v: 2"
expect_true "command: run after a change, on the new file" \
    wait_until 10 grep -qx v=2 "$D/cmd.log"
edit "$D/c.yaml" "v: 3"
expect_true "command: a failing command is logged" \
    wait_until 10 grep -q 'command sh exited with 1' "$CI_ERR"
expect_eq "command: the app got no SIGHUP" 0 "$(count "$D/app2.log" hup)"
expect_true "command: the app still runs" alive "$CI_PID"
kill -TERM "$CI_PID"
ci_wait

# An environment value whose key goes away: a warning naming the key, and
# the app keeps running with its environment (no restart).
edit "$D/e.yaml" "db: one"
cat >"$D/env.yaml" <<YAML
sources: [{url: "file://$D/e.yaml"}]
env: [{name: GREETING, value: '{{ key "db" }}'}]
exec: {command: [sh, $D/app.sh, $D/app3.log]}
YAML
ci_start sub --config "$D/env.yaml"
wait_until 10 grep -q '^start' "$D/app3.log"
edit "$D/e.yaml" "other: 1"
expect_true "env: a missing key is a warning that names it" \
    wait_until 10 grep -q 'environment: waiting for key db; the app keeps' \
    "$CI_ERR"
expect_eq "env: the app is not restarted" 1 "$(count "$D/app3.log" start)"
edit "$D/e.yaml" "db: two"
expect_true "env: the key back restarts the app with it" \
    wait_until 15 grep -q '^start [0-9]* two$' "$D/app3.log"
kill -TERM "$CI_PID"
ci_wait

# A reader polling the destination over 1,000 re-renders never sees a
# partial file.
body=$(printf 'line %s\n' $(seq 1 400))
cat >"$D/big.yaml" <<YAML
sources: [{url: "file://$D/n.yaml"}]
templates:
  - contents: "BEGIN\n{{ key \"n\" }}\n$body\nEND\n"
    dest: $D/out/big.conf
exec: {command: [sh, -c, 'trap : HUP; touch $D/big.ready; while :; do sleep 0.1; done']}
YAML
edit "$D/n.yaml" "n: 0"
ci_start sub --config "$D/big.yaml"
wait_until 10 test -e "$D/big.ready"
"$HELPERS/readloop" "$D/out/big.conf" "$D/stop" >"$D/readloop.out" &
reader=$!
"$HELPERS/rewriter" "$D/n.yaml" "$D/out/big.conf" 1000 >"$D/rewriter.out"
touch "$D/stop"
wait $reader
expect_eq "atomic: all 1,000 versions were rendered" rendered=1000 \
    "$(cat "$D/rewriter.out")"
expect_grep "atomic: no partial read" "partial=0$" "$D/readloop.out"
kill -TERM "$CI_PID"
ci_wait

finish
