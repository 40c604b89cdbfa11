#!/usr/bin/env bash
# examples/envconsul through the real binary, with its files unchanged,
# against the Consul stand-in of tests/consul-standin (Consul is not in
# Debian; the stand-in implements the documented KV endpoints and is not
# Consul). The app gets its variables from the keys under the prefix
# (upcase, sanitize) and a templated one; a change restarts it with the new
# environment, confinit's PID unchanged and no zombie left; a key outside
# the env prefix and a write of the same value change nothing. Last, the
# example's own run.sh passes.
. "$(dirname "$0")/lib/lib.bash"
. "$(dirname "$0")/lib/netsrc.bash"
EX=$SRCDIR/examples/envconsul

consul_start c1
consul_put "$CONSUL_PORT" service/greeter/config/greeting hello
consul_put "$CONSUL_PORT" service/greeter/config/db-host 10.0.0.5

export CONSUL_HTTP_ADDR=127.0.0.1:$CONSUL_PORT GREETER_DIR=$EX
export GREETER_LOG=$T_DIR/greeter.log
: >"$GREETER_LOG"
starts() {
	lines "$GREETER_LOG"
	STARTS=$(grep -c ', db ' "$GREETER_LOG")
}
at_least_starts() {
	starts
	((STARTS >= $1))
}

ci_start sub --config "$EX/confinit.yaml"
expect_true "start: the app starts" ci_wait_for 15 at_least_starts 1
ci_app
FIRST=$APP
expect_grep "start: variables from the prefix, upcased and sanitized" \
    "^greeter $FIRST: hello, db 10.0.0.5, " "$GREETER_LOG"
expect_grep "start: a templated variable, with its default" \
    "dsn postgres://10.0.0.5:5432/greeter$" "$GREETER_LOG"
expect_true "start: GREETING is in the app's real environment" \
    grep -qz '^GREETING=hello$' "/proc/$FIRST/environ"

consul_put "$CONSUL_PORT" service/greeter/config/greeting bonjour
expect_true "change: the app is started again" \
    ci_wait_for 10 at_least_starts 2
expect_grep "change: the old app got SIGTERM and stopped" \
    "^greeter $FIRST: stopping$" "$GREETER_LOG"
expect_grep "change: the new one has the new value" \
    ': bonjour, db 10.0.0.5, ' "$GREETER_LOG"
expect_true "change: confinit itself is the same process" alive "$CI_PID"
expect_true "change: its only child is the new app, no zombie" \
    wait_until 5 ci_only_app
ci_app
expect_true "change: a new pid" test "$APP" != "$FIRST"

consul_put "$CONSUL_PORT" service/greeter/config/db-port 6432
expect_true "a key the template uses: restarted with the new DSN" \
    ci_wait_for 10 grep -q 'dsn postgres://10.0.0.5:6432/greeter$' \
    "$GREETER_LOG"

consul_put "$CONSUL_PORT" service/greeter/other 1
consul_put "$CONSUL_PORT" service/greeter/config/greeting bonjour
sleep 1.5 # well past wait.max
starts
expect_eq "no change: a key outside config/ and the same value again" \
    3 "$STARTS"

kill -TERM "$CI_PID"
ci_wait 15
expect_eq "stop: SIGTERM forwarded; the app's status" 0 "$CI_RC"

rc=0
env -u CONSUL_HTTP_ADDR sh "$EX/run.sh" "$CONFINIT" >"$T_DIR/run.out" 2>&1 || rc=$?
expect_eq "examples/envconsul/run.sh passes ($(tail -c 300 "$T_DIR/run.out" |
    tr '\n' '|'))" 0 "$rc"
finish
