#!/bin/bash
# make test-docker: confinit through real Docker. Starts a private dockerd
# (its socket, data root and exec root under the build directory), makes
# debian:bookworm locally with debootstrap (no registry is reachable),
# builds Dockerfile.shim, a test image FROM scratch and the drop-in example,
# and checks through docker run/exec/stop what a user relies on, against an
# etcd on the host. Everything it starts is stopped on exit, also on failure.
# Usage: run.sh BUILD_DIR
set -u
export LC_ALL=C
SRC=$(cd "$(dirname "$0")/../.." && pwd)
B=$(realpath -m "${1:-build-docker}")
MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
T0=${EPOCHREALTIME/./}

[[ $(id -u) == 0 ]] || { echo "test-docker: needs root (dockerd, debootstrap)" >&2; exit 1; }
sh "$SRC/tests/deps.sh" docker.io debootstrap busybox-static etcd-server \
	curl python3 file || exit 1
mkdir -p "$B/cache" "$B/docker"
exec 9>"$B/lock"
flock -n 9 || { echo "test-docker: another run uses $B" >&2; exit 1; }
T=$B/t # this run's files
rm -rf "$T"
mkdir -p "$T"
DOCKER=(/usr/bin/docker -H "unix://$B/docker/docker.sock")
DOCKERD_PID=
ETCD_PID=
PASSED=0
FAILED=0

# elapsed: seconds since the start, with one decimal.
elapsed() {
	local now=${EPOCHREALTIME/./}
	printf '%d.%d' $(((now - T0) / 1000000)) $(((now - T0) / 100000 % 10))
}
say() { printf '[%6ss] %s\n' "$(elapsed)" "$*"; }
pass() { PASSED=$((PASSED + 1)); printf 'ok   %s\n' "$*"; }
fail() { FAILED=$((FAILED + 1)); printf 'FAIL %s\n' "$*"; }
# expect_eq DESC EXPECTED GOT
expect_eq() {
	if [[ $2 == "$3" ]]; then pass "$1"; else fail "$1: expected '$2', got '$3'"; fi
}
die() { echo "test-docker: $*" >&2; exit 1; }
dk() { "${DOCKER[@]}" "$@"; }

# wait_until SECONDS CMD...: polls CMD every 100 ms until it succeeds;
# returns 1 when SECONDS pass first.
wait_until() {
	local end=$((${EPOCHREALTIME/./} + $1 * 1000000))
	shift
	until "$@"; do
		((${EPOCHREALTIME/./} >= end)) && return 1
		sleep 0.1
	done
}

# ours PID NAME: true when PID still runs program NAME (a pid read from a
# file may have been reused).
ours() {
	local c
	{ read -r c <"/proc/$1/comm"; } 2>/dev/null && [[ $c == "$2" ]]
}

# stop_pid PID NAME: SIGTERM, up to 20 s, then SIGKILL.
stop_pid() {
	[[ -n $1 ]] && ours "$1" "$2" || return 0
	kill -TERM "$1"
	wait_until 20 eval "! ours $1 $2" || kill -KILL "$1"
	wait_until 5 eval "! ours $1 $2"
}

cleanup() {
	local ids
	if [[ -n $DOCKERD_PID ]]; then
		ids=$(dk ps -aq 2>/dev/null)
		[[ -n $ids ]] && dk rm -f $ids >/dev/null 2>&1
		stop_pid "$DOCKERD_PID" dockerd
		# dockerd leaves its network namespace mounted in the exec root.
		awk -v d="$B/docker/" 'index($2, d) == 1 { print $2 }' \
			/proc/self/mounts | sort -r | xargs -r umount
	fi
	stop_pid "$ETCD_PID" etcd
	rm -rf "$T/etcd"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- the private dockerd -------------------------------------------------
# containerd puts its sockets in the exec root: a unix socket path has at
# most 107 bytes.
sock=$B/docker/exec/containerd/containerd.sock.ttrpc
((${#sock} < 108)) ||
	die "build directory path too long for containerd's socket ($sock); use a shorter DOCKER_BUILD"
# A dockerd left by a run that was killed (SIGKILL skips the trap).
if [[ -f $B/docker/dockerd.pid ]]; then
	stop_pid "$(cat "$B/docker/dockerd.pid")" dockerd
fi
say "starting dockerd on $B/docker/docker.sock"
# Niced: the shim build in it is a long CPU job on a shared machine.
nice -n 10 dockerd --host "unix://$B/docker/docker.sock" \
	--data-root "$B/docker/data" --exec-root "$B/docker/exec" \
	--pidfile "$B/docker/dockerd.pid" \
	--iptables=false --ip-masq=false --bridge=none \
	>"$B/docker/dockerd.log" 2>&1 &
DOCKERD_PID=$!
wait_until 60 dk version >/dev/null 2>&1 || {
	tail -20 "$B/docker/dockerd.log"
	die "dockerd did not start (log: $B/docker/dockerd.log)"
}

# --- debian:bookworm without a registry ----------------------------------
rootfs_tar=$B/cache/debian-bookworm.tar
if [[ ! -f $rootfs_tar ]]; then
	say "debootstrap bookworm from $MIRROR (cached in $rootfs_tar)"
	r=$B/cache/rootfs
	rm -rf "$r"
	debootstrap --variant=minbase bookworm "$r" "$MIRROR" \
		>"$B/cache/debootstrap.log" 2>&1 || {
		tail -20 "$B/cache/debootstrap.log"
		die "debootstrap failed (log: $B/cache/debootstrap.log)"
	}
	# The apt sources of the official image, which has no sources.list.
	rm -f "$r/etc/apt/sources.list"
	cat >"$r/etc/apt/sources.list.d/debian.sources" <<-EOF
		Types: deb
		URIs: $MIRROR
		Suites: bookworm bookworm-updates
		Components: main
		Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

		Types: deb
		URIs: ${MIRROR%/debian}/debian-security
		Suites: bookworm-security
		Components: main
		Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
	EOF
	rm -rf "$r"/var/cache/apt/archives/*.deb "$r"/var/lib/apt/lists/*
	tar -C "$r" --numeric-owner -cf "$rootfs_tar.new" . &&
		mv "$rootfs_tar.new" "$rootfs_tar" || die "cannot write $rootfs_tar"
	rm -rf "$r"
fi
if ! dk image inspect debian:bookworm >/dev/null 2>&1; then
	say "docker import debian:bookworm"
	dk import --change 'CMD ["bash"]' "$rootfs_tar" debian:bookworm \
		>/dev/null || die "docker import failed"
fi

# build TAG DIR [ARGS...]: docker build, log in $T/build-TAG.log.
build() {
	local tag=$1 dir=$2 log=$T/build-${1//[:\/]/_}.log
	shift 2
	say "docker build -t $tag $*"
	dk build --network host -t "$tag" "$@" "$dir" >"$log" 2>&1 || {
		tail -30 "$log"
		die "docker build of $tag failed (log: $log)"
	}
}

# --- images -------------------------------------------------------------
build confinit "$SRC" -f "$SRC/Dockerfile.shim"
# What the image holds: the files of its layers.
dk save -o "$T/shim.tar" confinit
layers() { tar -xOf "$T/shim.tar" --wildcards '*/layer.tar'; }
expect_eq "the shim image holds only /confinit" confinit \
	"$(layers | tar -ti | tr '\n' ' ' | sed 's/ $//')"
layers | tar -xiO confinit >"$T/confinit"
chmod +x "$T/confinit"
kind=$(file -b "$T/confinit")
[[ $kind == *"statically linked"* || $kind == *"static-pie linked"* ]] &&
	pass "/confinit is static ($(stat -c %s "$T/confinit") bytes)" ||
	fail "/confinit is not static: $kind"
expect_eq "the shim image runs on its own (an empty root)" \
	"$("$T/confinit" --version 2>&1)" "$(dk run --rm confinit --version 2>&1)"
# The test image has no libc: busybox must be busybox-static's.
file -b /bin/busybox | grep -q 'statically linked' ||
	die "/bin/busybox is not static (install busybox-static)"
mkdir -p "$T/ctx-test"
cp "$SRC"/tests/docker/image/* /bin/busybox "$T/ctx-test/"
build confinit-test "$T/ctx-test"
# The README's Dockerfile example as it is written, FROM the local
# debian:bookworm under the slim tag (no registry), with an app and a
# template that fit it.
mkdir -p "$T/ctx-readme"
cp "$SRC"/tests/docker/readme/* "$T/ctx-readme/"
awk '/^## Use in a Dockerfile/ { s = 1 } s && /^```dockerfile/ { d = 1; next }
	d && /^```/ { exit } d' "$SRC/README.md" >"$T/ctx-readme/Dockerfile"
grep -q '^ENTRYPOINT' "$T/ctx-readme/Dockerfile" ||
	die "no dockerfile block under 'Use in a Dockerfile' in README.md"
dk tag debian:bookworm debian:bookworm-slim
build readme-example "$T/ctx-readme"
build greeter:1.0 "$SRC/examples/dropin/base"
build greeter-confinit "$SRC/examples/dropin"

# --- etcd on the host ------------------------------------------------------
free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
EP=127.0.0.1:$(free_port)
peer=127.0.0.1:$(free_port)
etcd --name e1 --data-dir "$T/etcd" --listen-client-urls "http://$EP" \
	--advertise-client-urls "http://$EP" --listen-peer-urls "http://$peer" \
	--initial-advertise-peer-urls "http://$peer" \
	--initial-cluster "e1=http://$peer" \
	--heartbeat-interval 10 --election-timeout 100 \
	--log-level error >"$T/etcd.log" 2>&1 &
ETCD_PID=$!
# etcd_put KEY VALUE: through the JSON gateway.
etcd_put() {
	curl -sf -m 5 -X POST "http://$EP/v3/kv/put" -d "{\"key\":\"$(printf %s "$1" |
		base64 -w0)\",\"value\":\"$(printf %s "$2" | base64 -w0)\"}" >/dev/null
}
wait_until 20 etcd_put /ready yes || die "etcd did not start: $(tail -5 "$T/etcd.log")"
say "etcd on $EP"

# --- checks ----------------------------------------------------------------
# run NAME [DOCKER RUN OPTIONS...]: the test image in the background, on the
# host's network, reading /app/ from etcd; waits for the app to be ready.
run() {
	local name=$1
	shift
	dk run -d --name "$name" --network host \
		-e CONFINIT_SOURCE="etcd://$EP/app" \
		-e CONFINIT_TEMPLATE=/etc/confinit/app.conf.tmpl:/run/app/app.conf \
		"$@" confinit-test >/dev/null || {
		fail "$name: docker run failed"
		return 1
	}
	wait_until 30 ready_or_exited "$name"
	ready "$name" || {
		fail "$name: the app did not start; $(dk inspect -f 'running={{.State.Running}} exit={{.State.ExitCode}}' "$name"); logs: $(dk logs "$name" 2>&1 | tail -5 | tr '\n' '|')"
		return 1
	}
}
ready() { dk exec "$1" test -f /run/app/ready 2>/dev/null; }
running() { [[ $(dk inspect -f '{{.State.Running}}' "$1") == true ]]; }
ready_or_exited() { ready "$1" || ! running "$1"; }
in_c() { dk exec "$@" 2>&1; }
# orphans NAME: prints the container's processes whose parent is PID 1,
# but the app's.
orphans() {
	in_c "$1" procs.sh | awk -v app="$2" '$2 == 1 && $1 != app'
}
no_orphans() { [[ -z $(orphans "$1" "$2") ]]; }
# stop NAME STATUS: docker stop must end the container through the app's
# graceful exit (STATUS), well before docker's 10 s SIGKILL.
stop() {
	local t=${EPOCHREALTIME/./} ms
	dk stop -t 10 "$1" >/dev/null
	ms=$(((${EPOCHREALTIME/./} - t) / 1000))
	expect_eq "$1: docker stop: exit status is the app's graceful exit" \
		"$2" "$(dk inspect -f '{{.State.ExitCode}}' "$1")"
	if ((ms < 5000)); then pass "$1: docker stop took $ms ms (no SIGKILL)"
	else fail "$1: docker stop took $ms ms: the app was killed, not stopped"; fi
}
hups() { in_c "$1" cat /run/app/events | grep -c '^hup'; }
logs_have() { dk logs "$1" 2>&1 | grep -qF "$2"; }
has_event() { in_c "$1" cat /run/app/events | grep -qxF "$2"; }

etcd_put /app/greeting hello

say "as root: PID 1, render, orphans, SIGHUP, docker stop"
if run c-root; then
	expect_eq "c-root: PID 1 is confinit" /usr/local/bin/confinit \
		"$(in_c c-root readlink /proc/1/exe)"
	self=$(in_c c-root cat /run/app/self)
	app=${self#pid=}
	app=${app%% *}
	[[ $self == *" ppid=1 "* ]] && pass "c-root: the app is PID 1's child ($self)" ||
		fail "c-root: the app's parent is not PID 1: $self"
	expect_eq "c-root: template rendered from the host's etcd" \
		"greeting = hello|port = 8080|" \
		"$(in_c c-root cat /run/app/app.conf | tr '\n' '|')"
	n=$(orphans c-root "$app" | awk '$4 == "sleep"' | wc -l)
	expect_eq "c-root: three orphans re-parented to PID 1" 3 "$n"
	if wait_until 15 no_orphans c-root "$app"; then
		pass "c-root: the orphans were reaped when they ended"
	else
		fail "c-root: orphans left: $(orphans c-root "$app" | tr '\n' '|')"
	fi
	expect_eq "c-root: no zombie in the container" "" \
		"$(in_c c-root procs.sh | awk '$3 == "Z"')"
	etcd_put /app/greeting bonjour
	if wait_until 10 has_event c-root "hup greeting = bonjour port = 8080 "; then
		pass "c-root: etcd put re-rendered the file, then SIGHUP reached the app"
	else
		fail "c-root: no SIGHUP with the new file; events: $(in_c c-root cat /run/app/events | tr '\n' '|')"
	fi
	sleep 0.5
	expect_eq "c-root: one put, one SIGHUP" 1 "$(hups c-root)"
	stop c-root 42
	etcd_put /app/greeting hello
fi

say "confinit --user (CONFINIT_USER=app): rendered as root, app as uid 1000"
if run c-user -e CONFINIT_USER=app; then
	self=$(in_c c-user cat /run/app/self)
	[[ $self == *" uid=1000 gid=1000" ]] && pass "c-user: the app runs as app (1000:1000)" ||
		fail "c-user: the app runs as: $self"
	expect_eq "c-user: confinit itself stays root" 0 \
		"$(in_c c-user awk '/^Uid:/ { print $2 }' /proc/1/status)"
	expect_eq "c-user: the file was rendered as root before the drop" "0 0" \
		"$(in_c c-user stat -c '%u %g' /run/app/app.conf)"
	stop c-user 42
fi

say "docker run --user 1234:1234: confinit unprivileged as PID 1"
if run c-docker-user --user 1234:1234; then
	expect_eq "c-docker-user: PID 1 is confinit" /usr/local/bin/confinit \
		"$(in_c c-docker-user readlink /proc/1/exe)"
	expect_eq "c-docker-user: confinit runs as uid 1234" 1234 \
		"$(in_c c-docker-user awk '/^Uid:/ { print $2 }' /proc/1/status)"
	self=$(in_c c-docker-user cat /run/app/self)
	[[ $self == *" uid=1234 gid=1234" ]] && pass "c-docker-user: the app runs as 1234:1234" ||
		fail "c-docker-user: the app runs as: $self"
	expect_eq "c-docker-user: rendered as uid 1234" \
		"greeting = hello|port = 8080|" \
		"$(in_c c-docker-user cat /run/app/app.conf | tr '\n' '|')"
	stop c-docker-user 42
fi

say "README.md's Dockerfile example"
etcd_put /myapp/db/host 10.0.0.5
if dk run -d --name c-readme --network host \
	-e CONFINIT_SOURCE="etcd://$EP/myapp" readme-example >/dev/null; then
	if wait_until 30 logs_have c-readme "app: started: db = 10.0.0.5 "; then
		pass "c-readme: the app starts on the file rendered from etcd"
	else
		fail "c-readme: $(dk logs c-readme 2>&1 | tail -5 | tr '\n' '|')"
	fi
	etcd_put /myapp/db/host 10.0.0.6
	if wait_until 10 logs_have c-readme "app: reloaded: db = 10.0.0.6 "; then
		pass "c-readme: etcd put -> SIGHUP with the new file"
	else
		fail "c-readme: no reload: $(dk logs c-readme 2>&1 | tail -5 | tr '\n' '|')"
	fi
	stop c-readme 0
else
	fail "c-readme: docker run failed"
fi

say "examples/dropin: confinit in front of an image's docker-entrypoint.sh"
etcd_put /greeter/name world
if dk run -d --name c-dropin --network host -e ETCD_ENDPOINTS="$EP" \
	greeter-confinit >/dev/null; then
	if wait_until 30 logs_have c-dropin "greeter: uid="; then
		line=$(dk logs c-dropin 2>&1 | grep -F 'greeter: uid=')
		uid=$(in_c c-dropin id -u greeter)
		[[ $line == "greeter: uid=$uid pid="*": hello, world" ]] &&
			pass "c-dropin: the entrypoint script dropped to greeter and exec'd the server on the rendered file ($line)" ||
			fail "c-dropin: unexpected start line: $line (greeter is uid $uid)"
	else
		fail "c-dropin: the server did not start: $(dk logs c-dropin 2>&1 | tail -5 | tr '\n' '|')"
	fi
	expect_eq "c-dropin: PID 1 is confinit" /usr/local/bin/confinit \
		"$(in_c c-dropin readlink /proc/1/exe)"
	etcd_put /greeter/greeting bonjour
	if wait_until 10 logs_have c-dropin "greeter: reloaded: bonjour, world"; then
		pass "c-dropin: etcd put -> new file -> SIGHUP to the server"
	else
		fail "c-dropin: no reload: $(dk logs c-dropin 2>&1 | tail -5 | tr '\n' '|')"
	fi
	stop c-dropin 0
	logs_have c-dropin "greeter: bye" && pass "c-dropin: the server got SIGTERM" ||
		fail "c-dropin: no 'greeter: bye' in the logs"
else
	fail "c-dropin: docker run failed"
fi

say "done"
echo "test-docker: $PASSED passed, $FAILED failed in $(elapsed) s"
((FAILED == 0))
