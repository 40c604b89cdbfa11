#!/usr/bin/env bash
# The static binary (make static) in an empty root: a directory holding only
# confinit, busybox (Debian's busybox-static), an /etc/hosts and the files
# each case writes; no /dev, no /proc, no /etc/resolv.conf, no CA bundle
# unless the case puts one there. confinit must run the app and pass its
# exit status on, resolve a name from /etc/hosts (c-ares), read an http://
# and an https:// source (mbedtls seeded by getrandom(), no /dev/urandom;
# the CA from tls.ca, CONFINIT_CA_FILE or a system path; a client
# certificate) and render a template from both.
#
# usage: CONFINIT=build-static/confinit SRCDIR=. bash tests/static/run.sh
: "${CONFINIT:?CONFINIT must name the static confinit}"
export HELPERS=${HELPERS:-/nonexistent} # lib.bash wants it; unused here
. "${SRCDIR:?}/tests/integration/lib/lib.bash"
. "$SRCDIR/tests/integration/lib/netsrc.bash"

BUSYBOX=/bin/busybox
# Not root: the same namespaces inside a user namespace.
USERNS=()
[[ $(id -u) == 0 ]] || USERNS=(--user --map-root-user)
D=$T_DIR
mkdir -p "$D/pki" "$D/www"

expect_grep "file: statically linked" 'statically linked' \
    <(file -L "$CONFINIT")
expect_grep "busybox is static too (busybox-static)" 'statically linked' \
    <(file -L "$BUSYBOX")

# newroot NAME: makes the empty root $D/NAME and sets R to it.
newroot() {
	R=$D/$1
	mkdir -p "$R/etc" "$R/t" "$R/out"
	cp "$CONFINIT" "$R/confinit"
	cp "$BUSYBOX" "$R/busybox"
	printf '127.0.0.1 config.test tls.test\n' >"$R/etc/hosts"
}

# inroot [VAR=VALUE...]: runs /confinit "${ARGS[@]}" with only those
# variables, as PID 1 of a new PID namespace with $R as its root (up to
# 20 s); sets RC, OUT and ERR.
inroot() {
	T_SEQ=$((T_SEQ + 1))
	OUT=$D/out.$T_SEQ
	ERR=$D/err.$T_SEQ
	env -i "$@" "$(command -v timeout)" -s KILL 20 \
	    "$(command -v unshare)" "${USERNS[@]}" --pid --fork --kill-child \
	    --mount --root="$R" --wd=/ /confinit "${ARGS[@]}" \
	    >"$OUT" 2>"$ERR" </dev/null
	RC=$?
}

# The init alone.
newroot init
ARGS=(-- /busybox sh -c 'exit 7')
inroot
expect_eq "the app's exit code is confinit's" 7 "$RC"
ARGS=(-- /busybox sh -c 'kill -TERM $$')
inroot
expect_eq "killed by SIGTERM: 128+15" 143 "$RC"
ARGS=(-- /nope)
inroot
expect_eq "missing program: 127" 127 "$RC"
expect_grep "missing program: named" '/nope' "$ERR"
# Signal 34 (glibc's SIGRTMIN) is one musl keeps for its threads: it must
# be forwarded like any other, not kill confinit. Not PID 1 here, so that
# the signal is sent to confinit's own pid (unshare execs it).
ready=$R/out/ready
env -i "$(command -v unshare)" "${USERNS[@]}" --mount --root="$R" --wd=/ \
    /confinit -- /busybox sh -c 'trap "exit 42" 34; echo >/out/ready
	while :; do /busybox sleep 0.05; done' >"$D/rt.out" 2>"$D/rt.err" &
rt=$!
track "$rt"
wait_until 10 test -e "$ready"
kill -34 "$rt"
wait_until 10 gone "$rt"
wait "$rt"
expect_eq "signal 34 forwarded to the app (its trap exits 42)" 42 "$?"
expect_true "the root has no /dev, no /proc, no resolv.conf" \
    test ! -e "$R/dev" -a ! -e "$R/proc" -a ! -e "$R/etc/resolv.conf"

# A test CA and a server certificate for tls.test (the name in /etc/hosts)
# and 127.0.0.1.
(
	cd "$D/pki" || exit 1
	openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem \
	    -days 2 -subj "/CN=confinit static test CA" &&
		openssl req -newkey rsa:2048 -nodes -keyout srv.key \
		    -out srv.csr -subj "/CN=tls.test" &&
		printf 'subjectAltName=DNS:tls.test,IP:127.0.0.1\n' >srv.ext &&
		openssl x509 -req -in srv.csr -CA ca.pem -CAkey ca.key \
		    -CAcreateserial -out srv.pem -days 2 -extfile srv.ext &&
		openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 \
		    -nodes -keyout cli.key -out cli.csr \
		    -subj "/CN=confinit client" &&
		printf 'extendedKeyUsage=clientAuth\n' >cli.ext &&
		openssl x509 -req -in cli.csr -CA ca.pem -CAkey ca.key \
		    -CAcreateserial -out cli.pem -days 2 -extfile cli.ext
) 2>/dev/null
expect_true "pki: made by openssl" test -s "$D/pki/srv.pem" -a -s "$D/pki/cli.pem"

printf 'db:\n  host: plain-host\n' >"$D/www/app.yaml"
printf 'db:\n  password: tls-secret\n' >"$D/www/tls.yaml"
httpd_start plain "$D/www"
PLAIN=$HTTPD_PORT
httpd_start tls "$D/www" --cert "$D/pki/srv.pem" --key "$D/pki/srv.key"
TLS=$HTTPD_PORT
httpd_start mtls "$D/www" --cert "$D/pki/srv.pem" --key "$D/pki/srv.key" \
    --client-ca "$D/pki/ca.pem"
MTLS=$HTTPD_PORT

# config ROOT TLS_BLOCK: a config with the http:// and https:// sources,
# by name, and one template over both; the app prints the result.
config() {
	cat >"$R/etc/confinit.yaml" <<YAML
sources:
  - {name: plain, url: "http://config.test:$PLAIN/app.yaml"}
  - {name: secure, url: "https://tls.test:$TLS/tls.yaml", tls: $1}
templates:
  - contents: "host={{ key \"db/host\" }} password={{ key \"db/password\" }}\n"
    dest: /out/app.conf
startup: {timeout: 3s}
YAML
}
WANT="host=plain-host password=tls-secret"

newroot ca
cp "$D/pki/ca.pem" "$R/t/ca.pem"
config "{ca: /t/ca.pem}"
ARGS=(--config /etc/confinit.yaml -- /busybox cat /out/app.conf)
inroot
expect_eq "http:// and https:// (tls.ca) by names from /etc/hosts" \
    "0 $WANT" "$RC $(cat "$OUT")"

newroot cavar
cp "$D/pki/ca.pem" "$R/t/ca.pem"
config "{}"
ARGS=(--config /etc/confinit.yaml -- /busybox cat /out/app.conf)
inroot CONFINIT_CA_FILE=/t/ca.pem
expect_eq "https:// verified with CONFINIT_CA_FILE" "0 $WANT" \
    "$RC $(cat "$OUT")"

# Where Debian and Alpine keep the bundle, and where RHEL does.
for bundle in /etc/ssl/certs/ca-certificates.crt \
    /etc/pki/tls/certs/ca-bundle.crt; do
	newroot "sys$(echo "$bundle" | tr / _)"
	mkdir -p "$R$(dirname "$bundle")"
	cp "$D/pki/ca.pem" "$R$bundle"
	config "{}"
	ARGS=(--config /etc/confinit.yaml -- /busybox cat /out/app.conf)
	inroot
	expect_eq "https:// verified with the bundle found at $bundle" \
	    "0 $WANT" "$RC $(cat "$OUT")"
done

# An address in the URL: checked against the certificate's iPAddress
# names (static/patches/mbedtls-ip-san.patch), and refused for another one.
newroot ip
cp "$D/pki/ca.pem" "$R/t/ca.pem"
cat >"$R/etc/confinit.yaml" <<YAML
sources:
  - {name: secure, url: "https://127.0.0.1:$TLS/tls.yaml", tls: {ca: /t/ca.pem}}
templates:
  - {contents: "{{ key \"db/password\" }}\n", dest: /out/app.conf}
startup: {timeout: 3s}
YAML
ARGS=(--config /etc/confinit.yaml -- /busybox cat /out/app.conf)
inroot
expect_eq "https://127.0.0.1: verified against IP:127.0.0.1" \
    "0 tls-secret" "$RC $(cat "$OUT")"
sed -i "s|tls: {ca: /t/ca.pem}|tls: {ca: /t/ca.pem, server_name: 10.9.9.9}|" \
    "$R/etc/confinit.yaml"
inroot
expect_eq "an address not in the certificate (server_name 10.9.9.9): exit 4" \
    4 "$RC"
expect_grep "10.9.9.9: the mismatch is the reason" 'CN_MISMATCH' "$ERR"

# A server that wants a client certificate (an EC key, PKCS#8 PEM).
newroot mtls
cp "$D/pki/ca.pem" "$D/pki/cli.pem" "$D/pki/cli.key" "$R/t/"
TLS=$MTLS config "{ca: /t/ca.pem, cert: /t/cli.pem, key: /t/cli.key}"
ARGS=(--config /etc/confinit.yaml -- /busybox cat /out/app.conf)
inroot
expect_eq "https:// with a client certificate (tls.cert, tls.key)" \
    "0 $WANT" "$RC $(cat "$OUT")"
TLS=$MTLS config "{ca: /t/ca.pem}"
inroot
expect_eq "client certificate missing: exit 4" 4 "$RC"

newroot noca
config "{}"
ARGS=(--config /etc/confinit.yaml -- /busybox cat /out/app.conf)
inroot
expect_eq "no CA anywhere: exit 4 before the app" 4 "$RC"
expect_grep "no CA: the certificate problem, with the source's name" \
    'source secure: .*(certificate|Cert verify|issuer)' "$ERR"
expect_true "no CA: nothing written" test ! -e "$R/out/app.conf"

newroot nohost
config "{ca: /t/ca.pem}"
: >"$R/etc/hosts"
ARGS=(--config /etc/confinit.yaml -- /busybox true)
inroot
expect_eq "a name in no /etc/hosts (and no DNS server): exit 4" 4 "$RC"
expect_grep "unresolved: the name is reported" 'config.test|tls.test' "$ERR"

finish
