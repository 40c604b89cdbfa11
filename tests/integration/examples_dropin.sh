#!/usr/bin/env bash
# examples/dropin without Docker: its confinit.yaml in front of its
# docker-entrypoint.sh, as the image runs them, against a real etcd. The
# server starts on the rendered file as the entrypoint's direct exec, gets
# SIGHUP on an etcd put and leaves with its own status on SIGTERM. (make
# test-docker runs the same example as images.)
. "$(dirname "$0")/lib/lib.bash"
. "$(dirname "$0")/lib/etcd.bash"

EX=$SRCDIR/examples/dropin
etcd_start a
etcd_put /greeter/name world

# The image's environment: its scripts on PATH and its GREETER_CONF. As a
# non-root user the entrypoint skips its own privilege drop (that branch
# runs in make test-docker, as root in the container).
export PATH=$EX/base:$PATH GREETER_CONF=$T_DIR/greeter.conf
export ETCD_ENDPOINTS=$ETCD_EP
said() { grep -qF -- "$1" "$CI_OUT"; }

ci_start pid1 --config "$EX/confinit.yaml" --user 65534 -- \
    docker-entrypoint.sh greeter
ci_started "dropin" || exit 1
expect_true "the server starts on the file rendered from etcd" \
    ci_wait_for 20 said ": hello, world"
expect_eq "the rendered file" \
    "# Rendered by confinit from the etcd keys under /greeter/.|greeting = hello, world|" \
    "$(tr '\n' '|' <"$GREETER_CONF")"
expect_true "the server runs as the user asked" said "greeter: uid=65534 "
ci_app
expect_eq "the entrypoint exec'd the server: it is confinit's child" greeter \
    "$(cat "/proc/$APP/comm" 2>/dev/null)"

etcd_put /greeter/greeting bonjour
expect_true "etcd put -> re-rendered -> SIGHUP reaches the server" \
    wait_until 10 said "greeter: reloaded: bonjour, world"

kill -TERM "$CI_PID"
ci_wait 15
expect_eq "SIGTERM: confinit exits with the server's status" 0 "$CI_RC"
expect_true "the server got the SIGTERM" said "greeter: bye"
finish
