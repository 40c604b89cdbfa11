#!/usr/bin/env bash
# The etcd source over TLS (etcds://) against an etcd that requires client
# certificates: CA, client cert/key and server_name work; a certificate
# whose name does not match, or an unknown CA, fails the start with the
# reason; tls.insecure works and warns.
. "$(dirname "$0")/lib/lib.bash"
. "$(dirname "$0")/lib/etcd.bash"
command -v openssl >/dev/null || { echo "skip: no openssl"; exit 0; }

D=$T_DIR
cd "$D" || exit 1
key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }
key ca.key
openssl req -x509 -new -key ca.key -out ca.pem -days 2 -subj /CN=test-ca 2>/dev/null
key other.key
openssl req -x509 -new -key other.key -out other.pem -days 2 -subj /CN=other-ca 2>/dev/null
# cert NAME CN EXT: a certificate signed by the test CA.
cert() {
	key "$1.key"
	openssl req -new -key "$1.key" -out "$1.csr" -subj "/CN=$2" 2>/dev/null
	printf '%s\n' "$3" >"$1.ext"
	openssl x509 -req -in "$1.csr" -CA ca.pem -CAkey ca.key -CAcreateserial \
	    -out "$1.pem" -days 2 -extfile "$1.ext" 2>/dev/null
}
# The server's certificate names etcd.test only, not 127.0.0.1. etcd's
# JSON gateway presents it as a client certificate to etcd's own gRPC
# side: it needs clientAuth too.
cert server etcd.test $'subjectAltName=DNS:etcd.test\nextendedKeyUsage=serverAuth,clientAuth'
cert client root $'extendedKeyUsage=clientAuth'
cd - >/dev/null || exit 1

CP=$(etcd_free_port)
PP=$(etcd_free_port)
etcd --name t --data-dir "$D/etcd-t" \
    --listen-client-urls "https://127.0.0.1:$CP" \
    --advertise-client-urls "https://127.0.0.1:$CP" \
    --listen-peer-urls "http://127.0.0.1:$PP" \
    --initial-advertise-peer-urls "http://127.0.0.1:$PP" \
    --initial-cluster "t=http://127.0.0.1:$PP" \
    --heartbeat-interval 10 --election-timeout 100 \
    --cert-file "$D/server.pem" --key-file "$D/server.key" \
    --client-cert-auth --trusted-ca-file "$D/ca.pem" \
    --log-level error >"$D/etcd-t.log" 2>&1 &
ETCD_PID[t]=$!
disown "$!"
tcurl() {
	curl -sf -m 5 --cacert "$D/ca.pem" --cert "$D/client.pem" \
	    --key "$D/client.key" --resolve "etcd.test:$CP:127.0.0.1" \
	    -X POST "https://etcd.test:$CP$1" -d "$2"
}
tls_ready() { tcurl /v3/kv/range '{"key":"AA=="}' >/dev/null; }
wait_until 20 tls_ready || { echo "TLS etcd did not start"; cat "$D/etcd-t.log"; ls "$D"; exit 1; }
tcurl /v3/kv/put "{\"key\":\"$(b64 /app/v)\",\"value\":\"$(b64 secure)\"}" >/dev/null

# conf NAME TLS-YAML: a config reading etcds://127.0.0.1:$CP/app.
conf() {
	cat >"$D/$1.yaml" <<YAML
sources:
  - name: tls
    url: "etcds://127.0.0.1:$CP/app"
    tls: {$2}
templates:
  - {contents: "v={{ key \"v\" }}", dest: $D/$1.out}
startup: {timeout: 2s}
YAML
}
CLIENT="cert: $D/client.pem, key: $D/client.key"

conf good "ca: $D/ca.pem, $CLIENT, server_name: etcd.test"
ci_run sub --config "$D/good.yaml" --once
expect_eq "tls: CA, client cert and server_name" "0 v=secure" \
    "$CI_RC $(cat "$D/good.out" 2>/dev/null)"

conf noname "ca: $D/ca.pem, $CLIENT"
ci_run sub --config "$D/noname.yaml" --once
expect_eq "tls: the certificate does not name 127.0.0.1: exit 4" 4 "$CI_RC"
expect_grep "tls: the name mismatch is the reason" \
    "startup timeout: no data from tls \(.*(subject name|certificate)" "$CI_ERR"

conf wrongca "ca: $D/other.pem, $CLIENT, server_name: etcd.test"
ci_run sub --config "$D/wrongca.yaml" --once
expect_eq "tls: an unknown CA: exit 4" 4 "$CI_RC"
expect_grep "tls: the certificate problem is logged" "certificate" "$CI_ERR"

conf nocert "ca: $D/ca.pem, server_name: etcd.test"
ci_run sub --config "$D/nocert.yaml" --once
expect_eq "tls: no client certificate: exit 4" 4 "$CI_RC"

conf insecure "$CLIENT, insecure: true"
ci_run sub --config "$D/insecure.yaml" --once
expect_eq "tls: insecure works" "0 v=secure" \
    "$CI_RC $(cat "$D/insecure.out" 2>/dev/null)"
expect_grep "tls: insecure warns" "warn: source tls: tls.insecure" "$CI_ERR"
finish
