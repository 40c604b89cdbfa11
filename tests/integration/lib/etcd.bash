# etcd for the integration tests (sourced after lib.bash): nodes on
# 127.0.0.1 with free ports and data under $T_DIR, keys put and deleted
# through the JSON gateway with curl, every node stopped on exit.

if ! command -v etcd >/dev/null || ! command -v curl >/dev/null; then
	echo "skip: etcd or curl is not installed (make test installs them)"
	exit 0
fi

declare -A ETCD_PID ETCD_CPORT ETCD_PPORT ETCD_CLUSTER
ETCD_EP=    # host:port of the node keys are put through
ETCD_PROXY= # pid of the TCP proxy (etcd_proxy_start)
ETCD_ARGS=() # more options for every node etcd_run starts

etcd_cleanup() {
	local n
	for n in "${!ETCD_PID[@]}"; do
		[[ -n ${ETCD_PID[$n]} ]] && kill -9 "${ETCD_PID[$n]}" 2>/dev/null
	done
	[[ -n $ETCD_PROXY ]] && kill -9 "$ETCD_PROXY" 2>/dev/null
	t_cleanup
}
trap etcd_cleanup EXIT

# etcd_free_port: prints a TCP port nobody listens on now. Nodes restart on
# their ports, so the port comes from below the ephemeral range: a port the
# kernel hands out (bind 0) can be taken by any client's connection while the
# node is down ("bind: address already in use", seen under load).
etcd_free_port() {
	python3 -c '
import random, socket
lo = int(open("/proc/sys/net/ipv4/ip_local_port_range").read().split()[0])
for _ in range(500):
    port = random.randrange(10000, lo) if lo > 11000 else 0
    s = socket.socket()
    try:
        s.bind(("127.0.0.1", port))
    except OSError:
        continue
    print(s.getsockname()[1])
    break
'
}

# etcd_node NAME [CLUSTER]: picks the ports of node NAME (once).
etcd_node() {
	[[ -n ${ETCD_CPORT[$1]:-} ]] && return
	ETCD_CPORT[$1]=$(etcd_free_port)
	ETCD_PPORT[$1]=$(etcd_free_port)
	ETCD_PID[$1]=
}

# etcd_run NAME: starts node NAME (again, on the same ports and data) and
# waits until it serves; with ETCD_CLUSTER[NAME] set, as a cluster member.
etcd_run() {
	local n=$1 cluster=${ETCD_CLUSTER[$1]:-} state=new timing
	etcd_node "$n"
	# A single node elects itself after one election timeout: keep it
	# short; a cluster keeps margins for a loaded machine.
	timing=(--heartbeat-interval 100 --election-timeout 1000)
	[[ -z $cluster ]] && timing=(--heartbeat-interval 10 --election-timeout 100)
	[[ -z $cluster ]] && cluster="$n=http://127.0.0.1:${ETCD_PPORT[$n]}"
	[[ -d $T_DIR/etcd-$n ]] && state=existing
	etcd --name "$n" --data-dir "$T_DIR/etcd-$n" \
	    --listen-client-urls "http://127.0.0.1:${ETCD_CPORT[$n]}" \
	    --advertise-client-urls "http://127.0.0.1:${ETCD_CPORT[$n]}" \
	    --listen-peer-urls "http://127.0.0.1:${ETCD_PPORT[$n]}" \
	    --initial-advertise-peer-urls "http://127.0.0.1:${ETCD_PPORT[$n]}" \
	    --initial-cluster "$cluster" --initial-cluster-state "$state" \
	    "${timing[@]}" "${ETCD_ARGS[@]}" \
	    --log-level error >>"$T_DIR/etcd-$n.log" 2>&1 &
	ETCD_PID[$n]=$!
	disown "$!"
	[[ -z $ETCD_EP ]] && ETCD_EP=127.0.0.1:${ETCD_CPORT[$n]}
}

# etcd_ready NAME: true once node NAME answers a read.
etcd_ready() {
	curl -sf -m 2 -X POST "http://127.0.0.1:${ETCD_CPORT[$1]}/v3/kv/range" \
	    -d '{"key":"AA=="}' >/dev/null 2>&1
}

# etcd_start NAME: etcd_run, then waits up to 20 s for it to serve.
etcd_start() {
	etcd_run "$1"
	wait_until 20 etcd_ready "$1" || {
		echo "etcd $1 did not start:"
		tail -5 "$T_DIR/etcd-$1.log"
		exit 1
	}
}

# etcd_exited PID: true once PID and every thread of it have exited. A
# killed etcd's main thread shows as a zombie while its other threads,
# which close its sockets, may still be exiting: restarting on its ports
# before that fails with "address already in use".
etcd_exited() {
	local t n=0
	for t in /proc/"$1"/task/*; do
		[[ -e $t ]] && n=$((n + 1))
	done
	((n <= 1)) && gone "$1"
}

# etcd_kill NAME: SIGKILLs node NAME and waits until it has exited whole.
etcd_kill() {
	local p=${ETCD_PID[$1]}
	[[ -z $p ]] && return
	kill -9 "$p" 2>/dev/null
	wait_until 10 etcd_exited "$p"
	ETCD_PID[$1]=
}

# etcd_cluster N: starts nodes e1..eN as one cluster.
etcd_cluster() {
	local i c=
	for ((i = 1; i <= $1; i++)); do
		etcd_node "e$i"
		c+="${c:+,}e$i=http://127.0.0.1:${ETCD_PPORT[e$i]}"
	done
	for ((i = 1; i <= $1; i++)); do
		ETCD_CLUSTER[e$i]=$c
		etcd_run "e$i"
	done
	for ((i = 1; i <= $1; i++)); do
		wait_until 30 etcd_ready "e$i" || {
			echo "etcd cluster node e$i did not start"
			exit 1
		}
	done
}

b64() { printf '%s' "$1" | base64 -w0; }

# etcd_call PATH JSON: POSTs to the gateway of ETCD_EP; prints the answer.
etcd_call() {
	curl -sf -m 5 -X POST "http://$ETCD_EP$1" -d "$2"
}

# etcd_put KEY VALUE / etcd_del KEY
etcd_put() {
	etcd_call /v3/kv/put "{\"key\":\"$(b64 "$1")\",\"value\":\"$(b64 "$2")\"}" >/dev/null
}
etcd_del() {
	etcd_call /v3/kv/deleterange "{\"key\":\"$(b64 "$1")\"}" >/dev/null
}

# etcd_rev: prints the store's current revision.
etcd_rev() {
	etcd_call /v3/kv/range '{"key":"AA==","limit":1}' |
	    python3 -c 'import json,sys; print(json.load(sys.stdin)["header"]["revision"])'
}

# etcd_compact REV: compacts the history up to REV.
etcd_compact() {
	etcd_call /v3/kv/compaction "{\"revision\":\"$1\",\"physical\":true}" >/dev/null
}

# etcd_leader: prints the name of the cluster's leader.
etcd_leader() {
	local n id lid
	for n in "${!ETCD_PID[@]}"; do
		[[ -z ${ETCD_PID[$n]} ]] && continue
		curl -sf -m 2 -X POST "http://127.0.0.1:${ETCD_CPORT[$n]}/v3/maintenance/status" -d '{}' |
		    python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["header"]["member_id"], d["leader"])' |
		    { read -r id lid; [[ $id == "$lid" ]] && echo "$n"; }
	done
	return 0
}

# etcd_proxy_start PORT TARGET_PORT: a TCP proxy on 127.0.0.1:PORT to
# TARGET_PORT, so that a test can cut confinit off while etcd keeps
# serving; etcd_proxy_stop closes it and every connection through it.
etcd_proxy_start() {
	python3 - "$1" "$2" <<'PY' &
import asyncio, sys
async def pipe(r, w):
    try:
        while (d := await r.read(65536)):
            w.write(d)
            await w.drain()
    except Exception:
        pass
    w.close()
async def conn(r, w):
    try:
        tr, tw = await asyncio.open_connection("127.0.0.1", int(sys.argv[2]))
    except Exception:
        w.close()
        return
    await asyncio.gather(pipe(r, tw), pipe(tr, w))
async def main():
    s = await asyncio.start_server(conn, "127.0.0.1", int(sys.argv[1]),
                                   reuse_address=True)
    await s.serve_forever()
asyncio.run(main())
PY
	ETCD_PROXY=$!
	disown "$!"
	wait_until 10 curl -s -o /dev/null -m 1 "http://127.0.0.1:$1/health"
}
etcd_proxy_stop() {
	[[ -z $ETCD_PROXY ]] && return
	kill -9 "$ETCD_PROXY" 2>/dev/null
	wait_until 10 gone "$ETCD_PROXY"
	ETCD_PROXY=
}

# The app of the etcd tests: $T_DIR/app.sh LOG appends "start PID" to LOG
# once its SIGHUP trap is set, then "hup PID" for each SIGHUP.
cat >"$T_DIR/app.sh" <<'SH'
trap 'echo "hup $$" >>"$1"' HUP
# "start" only once the traps are set: tests wait for it.
echo "start $$" >>"$1"
while :; do sleep 0.05; done
SH
# count FILE WORD: lines of FILE starting with WORD (0 if none or missing).
count() { grep -c "^$2" "$1" 2>/dev/null || true; }
# hups_are N: true when the app has logged exactly N SIGHUPs in
# $T_DIR/app.log.
hups_are() { test "$(count "$T_DIR/app.log" hup)" = "$1"; }
# file_is FILE TEXT: true when FILE holds exactly TEXT.
file_is() { [[ $(cat "$1" 2>/dev/null) == "$2" ]]; }
