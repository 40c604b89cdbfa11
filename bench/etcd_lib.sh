# Sourced by the etcd benchmarks: a one-node etcd from Debian on loopback,
# free ports, data in a temp directory.

# A free TCP port on 127.0.0.1, from the kernel.
port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# etcd_start DIR [ETCD OPTIONS...]: starts etcd with its data and log in DIR
# and waits until it answers; sets epid and cport.
etcd_start() {
	_dir=$1
	shift
	cport=$(port)
	_pport=$(port)
	etcd --name b --data-dir "$_dir/etcd" \
		--listen-client-urls "http://127.0.0.1:$cport" \
		--advertise-client-urls "http://127.0.0.1:$cport" \
		--listen-peer-urls "http://127.0.0.1:$_pport" \
		--initial-advertise-peer-urls "http://127.0.0.1:$_pport" \
		--initial-cluster "b=http://127.0.0.1:$_pport" \
		--log-level error "$@" >"$_dir/etcd.log" 2>&1 &
	epid=$!
	_i=0
	until curl -sf -X POST "http://127.0.0.1:$cport/v3/kv/range" \
		-d '{"key":"AA=="}' >/dev/null; do
		_i=$((_i + 1))
		[ $_i -gt 200 ] && { echo "etcd did not start" >&2; return 1; }
		sleep 0.05
	done
}

# etcd_stop: stops the etcd of etcd_start and waits until it has exited,
# so that its data directory can be removed (a removal racing etcd's last
# writes left directories behind).
etcd_stop() {
	[ -n "${epid:-}" ] || return 0
	kill "$epid" 2>/dev/null || return 0
	_i=0
	while kill -0 "$epid" 2>/dev/null && [ $_i -lt 200 ]; do
		sleep 0.05
		_i=$((_i + 1))
	done
	kill -9 "$epid" 2>/dev/null || true
	wait "$epid" 2>/dev/null || true
}
