#!/usr/bin/env bash
# https:// sources against a local HTTPS server (lib/confhttpd.py with
# Python's ssl) that requires a client certificate, with a test CA made by
# openssl at test time: verification passes with the CA, fails clearly
# without it or for another name, the client certificate is sent (and its
# absence is reported), tls.insecure works and warns; consuls:// against
# the Consul stand-in served over HTTPS.
. "$(dirname "$0")/lib/lib.bash"
. "$(dirname "$0")/lib/netsrc.bash"

D=$T_DIR
mkdir -p "$D/out" "$D/www" "$D/pki"
K=$D/pki
cd "$K" || exit 1

# A CA, a server certificate for 127.0.0.1 and localhost, a client one.
openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem \
    -days 2 -subj "/CN=confinit test CA" 2>/dev/null
openssl req -newkey rsa:2048 -nodes -keyout srv.key -out srv.csr \
    -subj "/CN=localhost" 2>/dev/null
printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\n' >srv.ext
openssl x509 -req -in srv.csr -CA ca.pem -CAkey ca.key -CAcreateserial \
    -out srv.pem -days 2 -extfile srv.ext 2>/dev/null
openssl req -newkey rsa:2048 -nodes -keyout cli.key -out cli.csr \
    -subj "/CN=confinit client" 2>/dev/null
printf 'extendedKeyUsage=clientAuth\n' >cli.ext
openssl x509 -req -in cli.csr -CA ca.pem -CAkey ca.key -CAcreateserial \
    -out cli.pem -days 2 -extfile cli.ext 2>/dev/null
# Another CA, that signed nothing here.
openssl req -x509 -newkey rsa:2048 -nodes -keyout other.key -out other.pem \
    -days 2 -subj "/CN=other CA" 2>/dev/null
expect_true "pki: made by openssl" test -s srv.pem -a -s cli.pem
cd - >/dev/null || exit 1

printf 'db:\n  host: tls-host\n' >"$D/www/app.yaml"
httpd_start tls "$D/www" --cert "$K/srv.pem" --key "$K/srv.key" \
    --client-ca "$K/ca.pem"
U=https://127.0.0.1:$HTTPD_PORT/app.yaml

# The startup time-out of each run: under valgrind a handshake alone can
# take seconds on the loaded machine (the failures retry until it passes),
# more than the 5 s connect time-out (a source's timeout: sets it).
STARTUP=2s SRC_TIMEOUT=
if [[ -n ${CONFINIT_VALGRIND:-} ]]; then
	STARTUP=20s SRC_TIMEOUT=", timeout: 15s"
fi

# run NAME TLS_YAML: one --once run with that tls: block.
run() {
	cat >"$D/$1.yaml" <<YAML
sources:
  - {name: secure, url: "${3:-$U}", tls: $2$SRC_TIMEOUT}
templates:
  - {contents: "{{ key \"db/host\" }}\n", dest: $D/out/$1.conf}
startup: {timeout: $STARTUP}
YAML
	ci_run sub --config "$D/$1.yaml" --once
}

run good "{ca: $K/ca.pem, cert: $K/cli.pem, key: $K/cli.key}"
expect_eq "verified with the CA, client certificate sent" "0 tls-host" \
    "$CI_RC $(cat "$D/out/good.conf" 2>/dev/null)"
expect_no_grep "verified: no warning" 'warn|error' "$CI_ERR"

run localhost "{ca: $K/ca.pem, cert: $K/cli.pem, key: $K/cli.key, server_name: localhost}"
expect_eq "server_name: verified against that name" "0 tls-host" \
    "$CI_RC $(cat "$D/out/localhost.conf" 2>/dev/null)"

run noca "{cert: $K/cli.pem, key: $K/cli.key}"
expect_eq "no CA: exit 4 at startup" 4 "$CI_RC"
expect_grep "no CA: the certificate problem, with the source's name" \
    'source secure: GET https://127.0.0.1:[0-9]+/app.yaml: .*(certificate|issuer)' \
    "$CI_ERR"
expect_true "no CA: nothing written" test ! -e "$D/out/noca.conf"

run otherca "{ca: $K/other.pem, cert: $K/cli.pem, key: $K/cli.key}"
expect_eq "wrong CA: exit 4" 4 "$CI_RC"
expect_grep "wrong CA: the certificate problem" \
    'source secure: .*(certificate|issuer)' "$CI_ERR"

run wrongname "{ca: $K/ca.pem, cert: $K/cli.pem, key: $K/cli.key, server_name: other.example}"
expect_eq "wrong name: exit 4" 4 "$CI_RC"
expect_grep "wrong name: reported" \
    'source secure: .*(other.example|does not match|subject name|certificate)' \
    "$CI_ERR"

run nocert "{ca: $K/ca.pem}"
expect_eq "no client certificate: exit 4" 4 "$CI_RC"
expect_grep "no client certificate: the handshake failure, with the source's name" \
    'source secure: GET https://127.0.0.1:[0-9]+/app.yaml: ' "$CI_ERR"

run insecure "{insecure: true, cert: $K/cli.pem, key: $K/cli.key}"
expect_eq "insecure: read without verification" "0 tls-host" \
    "$CI_RC $(cat "$D/out/insecure.conf" 2>/dev/null)"
expect_grep "insecure: warned" 'source secure: tls.insecure' "$CI_ERR"

# consuls://: the Consul stand-in over HTTPS, verified with the CA.
printf '{"app/db/host": "consul-tls"}' >"$D/kv.json"
consul_start ctls --cert "$K/srv.pem" --key "$K/srv.key" --data "$D/kv.json"
run consuls "{ca: $K/ca.pem}" "consuls://127.0.0.1:$CONSUL_PORT/app"
expect_eq "consuls: verified with the CA" "0 consul-tls" \
    "$CI_RC $(cat "$D/out/consuls.conf" 2>/dev/null)"
run consulsnoca "{}" "consuls://127.0.0.1:$CONSUL_PORT/app"
expect_eq "consuls: no CA, exit 4" 4 "$CI_RC"
expect_grep "consuls: the certificate problem, with the source's name" \
    'source secure: GET https://127.0.0.1:[0-9]+/v1/kv/app/\?recurse: .*(certificate|issuer)' \
    "$CI_ERR"

finish
