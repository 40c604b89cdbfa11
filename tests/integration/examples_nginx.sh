#!/usr/bin/env bash
# examples/nginx through the real binary, with its files unchanged: a real
# etcd and Debian's nginx as confinit's app. nginx serves the rendered
# config; a good change reaches it as one SIGHUP (same master, new page); a
# value nginx -t refuses leaves nginx.conf and the page as they were and
# signals nothing; the fix is then applied; SIGTERM stops nginx and
# confinit exits 0. Last, the example's own run.sh passes.
. "$(dirname "$0")/lib/lib.bash"
. "$(dirname "$0")/lib/etcd.bash"
: "${SRCDIR:?}"
EX=$SRCDIR/examples/nginx

if ! command -v nginx >/dev/null; then
	echo "skip: nginx is not installed (make test installs it)"
	exit 0
fi

etcd_start e1
NGX_PORT=$(etcd_free_port)
etcd_put /shop/nginx/listen "127.0.0.1:$NGX_PORT"
etcd_put /shop/site/greeting "hello from etcd"
etcd_put /shop/backends/a 127.0.0.1:9001

# page: what nginx serves on / (empty when it does not answer).
page() {
	curl -s -m 2 "http://127.0.0.1:$NGX_PORT/"
}
# serves TEXT: nginx serves TEXT to three requests in a row and no old
# worker is left from a reload (until they are gone, a request may still
# reach one of them).
serves() {
	local c i
	for i in 1 2 3; do
		[[ $(page) == "$1" ]] || return 1
		sleep 0.05
	done
	[[ -n ${MASTER:-} ]] || return 0
	children "$MASTER"
	for c in "${CHILDREN[@]}"; do
		grep -qs 'shutting down' "/proc/$c/cmdline" && return 1
	done
	return 0
}
sighups() {
	count=$(grep -c 'sent SIGHUP to the app' "$CI_ERR")
}

export ETCD_ENDPOINTS=$ETCD_EP NGINX_PREFIX=$T_DIR/nginx
mkdir -p "$NGINX_PREFIX"
ci_start sub --config "$EX/confinit.yaml"
expect_true "start: nginx serves the page rendered from etcd" \
    ci_wait_for 20 serves "hello from etcd"
ci_app
MASTER=$APP
expect_grep "start: nginx is confinit's app" 'nginx: master process' \
    "/proc/$MASTER/cmdline"
expect_grep "start: upstream from ls \"backends\"" \
    'server 127.0.0.1:9001;  # a' "$NGINX_PREFIX/nginx.conf"

etcd_put /shop/site/greeting "hello again"
expect_true "change: nginx serves the new page" \
    ci_wait_for 10 serves "hello again"
sighups
expect_eq "change: one SIGHUP" 1 "$count"
expect_true "change: a reload, not a restart (same master)" alive "$MASTER"

etcd_put /shop/nginx/workers lots
expect_true "bad value: nginx -t refuses it, named in the log" \
    ci_wait_for 10 grep -q \
    'check nginx exited with 1: .*"worker_processes" directive invalid value' \
    "$CI_ERR"
expect_grep "bad value: nginx.conf keeps the last good config" \
    '^worker_processes 1;$' "$NGINX_PREFIX/nginx.conf"
expect_eq "bad value: nginx still serves" "hello again" "$(page)"
sighups
expect_eq "bad value: no SIGHUP" 1 "$count"
expect_eq "bad value: no temp file left" "" \
    "$(find "$NGINX_PREFIX" -maxdepth 1 -name '.nginx.conf.*')"

etcd_put /shop/site/greeting "fixed"
sleep 0.5
expect_eq "bad value: a change while it stays refuses the whole file" \
    "hello again" "$(page)"
etcd_put /shop/nginx/workers 2
expect_true "fix: the next render passes and is served" \
    ci_wait_for 10 serves "fixed"
expect_grep "fix: two workers" '^worker_processes 2;$' \
    "$NGINX_PREFIX/nginx.conf"

kill -TERM "$CI_PID"
ci_wait 15
expect_eq "stop: SIGTERM forwarded, nginx exits 0, so does confinit" 0 "$CI_RC"
expect_true "stop: nginx is gone" gone "$MASTER"

rc=0
sh "$EX/run.sh" "$CONFINIT" >"$T_DIR/run.out" 2>&1 || rc=$?
expect_eq "examples/nginx/run.sh passes ($(tail -c 300 "$T_DIR/run.out" |
    tr '\n' '|'))" 0 "$rc"
finish
