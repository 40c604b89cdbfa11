#!/bin/sh
# The example's app: reads its configuration from the environment once, at
# start, as most programs do, says what it got, and runs until SIGTERM.
# GREETER_LOG, when set, gets the same lines (the test reads them).
say() {
	echo "$*"
	if [ -n "${GREETER_LOG:-}" ]; then echo "$*" >>"$GREETER_LOG"; fi
}
trap 'say "greeter $$: stopping"; exit 0' TERM
# Announce only once the trap is set: a SIGTERM before would end us
# without a word.
say "greeter $$: ${GREETING:-?}, db ${DB_HOST:-?}, dsn ${GREETER_DSN:-?}"
while :; do
	sleep 1 &
	wait $!
done
