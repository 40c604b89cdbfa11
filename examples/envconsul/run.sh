#!/bin/sh
# The envconsul example on this machine, against the Consul stand-in of
# tests/consul-standin (Consul is not in Debian; the stand-in implements
# the documented KV API confinit uses and is not Consul). Set
# CONSUL_HTTP_ADDR=host:port to use a real Consul instead.
#
#   sh examples/envconsul/run.sh build/confinit
#
# Exits 1 if a step does not do what it says.
set -eu
confinit=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d /tmp/confinit-envconsul.XXXXXX)
consul_pid= ci_pid=
cleanup() {
	rc=$?
	if [ -n "$ci_pid" ]; then kill -TERM "$ci_pid"; wait "$ci_pid" || :; fi
	if [ -n "$consul_pid" ]; then kill "$consul_pid"; wait "$consul_pid" 2>/dev/null || :; fi
	rm -rf "$work"
	exit $rc
}
trap cleanup EXIT
trap 'exit 1' INT TERM
say() { printf '\n== %s\n' "$*"; }
die() { echo "run.sh: $*" >&2; exit 1; }
put() {
	curl -sf -X PUT --data-binary "$2" \
		"http://$CONSUL_HTTP_ADDR/v1/kv/service/greeter/$1" >/dev/null
}
# started N: waits up to 10 s for the app's Nth start line.
started() {
	i=0
	while [ "$(grep -c ': .*, db' "$GREETER_LOG" 2>/dev/null)" -lt "$1" ]; do
		i=$((i + 1))
		[ $i -lt 100 ] || die "the app did not start (#$1)"
		sleep 0.1
	done
}

GREETER_DIR=$here GREETER_LOG=$work/greeter.log
export GREETER_DIR GREETER_LOG
: >"$GREETER_LOG"
if [ -z "${CONSUL_HTTP_ADDR:-}" ]; then
	say "the Consul stand-in (tests/consul-standin; not Consul)"
	python3 "$here/../../tests/consul-standin/consul_standin.py" \
		--port-file "$work/port" >"$work/consul.log" 2>&1 &
	consul_pid=$!
	i=0
	until [ -s "$work/port" ]; do
		i=$((i + 1))
		[ $i -lt 100 ] || die "the stand-in did not start"
		sleep 0.1
	done
	CONSUL_HTTP_ADDR=127.0.0.1:$(cat "$work/port")
fi
export CONSUL_HTTP_ADDR
put config/greeting hello
put config/db-host 10.0.0.5
echo "service/greeter/config/greeting = hello, .../db-host = 10.0.0.5"

say "confinit --config examples/envconsul/confinit.yaml"
"$confinit" --config "$here/confinit.yaml" &
ci_pid=$!
started 1

say "a key changes: the app is restarted with its new environment"
put config/greeting bonjour
started 2
grep -q 'bonjour' "$GREETER_LOG" || die "the new value did not reach the app"

say "a key outside the prefix: nothing happens"
put other 1
sleep 1
[ "$(grep -c ', db' "$GREETER_LOG")" = 2 ] || die "restarted for nothing"

say "docker stop"
kill -TERM "$ci_pid"
status=0
wait "$ci_pid" || status=$?
ci_pid=
echo "confinit exited with $status"
