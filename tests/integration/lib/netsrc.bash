# Helpers of the Consul, HTTP and TLS source tests (sourced after lib.bash):
# start the Consul stand-in or the test HTTP server on a free port, stop
# them, and kill them when the script ends.

: "${SRCDIR:?SRCDIR must name the source tree}"
NET_PIDS=()

net_cleanup() {
	local p c
	for p in "${NET_PIDS[@]}"; do
		{ read -r c <"/proc/$p/comm"; } 2>/dev/null || continue
		[[ $c == python3 ]] && kill -KILL "$p" 2>/dev/null
	done
	t_cleanup
}
trap net_cleanup EXIT

# net_wait_port FILE: waits for FILE (a port) and sets PORT from it.
net_wait_port() {
	PORT=
	wait_until 15 test -s "$1" || return 1
	PORT=$(cat "$1")
}

# consul_start NAME [ARGS...]: starts the Consul stand-in (ARGS go to it);
# sets CONSUL_PORT and CONSUL_PID; its request log is $T_DIR/NAME.req.
consul_start() {
	local name=$1
	shift
	rm -f "$T_DIR/$name.port"
	python3 "$SRCDIR/tests/consul-standin/consul_standin.py" \
	    --port-file "$T_DIR/$name.port" --log "$T_DIR/$name.req" "$@" \
	    >>"$T_DIR/$name.out" 2>&1 &
	CONSUL_PID=$!
	disown "$CONSUL_PID"
	NET_PIDS+=("$CONSUL_PID")
	net_wait_port "$T_DIR/$name.port" || {
		echo "consul stand-in $name did not start" >&2
		cat "$T_DIR/$name.out" >&2
		exit 1
	}
	CONSUL_PORT=$PORT
}

# consul_put PORT KEY VALUE [TOKEN]: writes KEY through the HTTP API.
consul_put() {
	curl -sf -X PUT ${4:+-H "X-Consul-Token: $4"} --data-binary "$3" \
	    "http://127.0.0.1:$1/v1/kv/$2" >/dev/null
}

# httpd_start NAME ROOT [ARGS...]: starts the test HTTP(S) server over ROOT;
# sets HTTPD_PORT and HTTPD_PID; its request log is $T_DIR/NAME.req.
httpd_start() {
	local name=$1 root=$2
	shift 2
	rm -f "$T_DIR/$name.port"
	python3 "$SRCDIR/tests/integration/lib/confhttpd.py" --root "$root" \
	    --port-file "$T_DIR/$name.port" --log "$T_DIR/$name.req" "$@" \
	    >>"$T_DIR/$name.out" 2>&1 &
	HTTPD_PID=$!
	disown "$HTTPD_PID"
	NET_PIDS+=("$HTTPD_PID")
	net_wait_port "$T_DIR/$name.port" || {
		echo "http server $name did not start" >&2
		cat "$T_DIR/$name.out" >&2
		exit 1
	}
	HTTPD_PORT=$PORT
}

# net_stop PID: stops a server started above and waits until it is gone.
net_stop() {
	kill -KILL "$1" 2>/dev/null
	wait_until 10 gone "$1"
	return 0
}

# count_lines FILE REGEX: prints how many lines of FILE match.
count_lines() {
	grep -cE -- "$2" "$1" 2>/dev/null || true
}
