#!/usr/bin/env bash
# A password in a source URL (https://user:pw@host/...) never reaches the
# log, at --log-level trace: such URLs are refused at start (their error
# shows user:***@), and a URL with a password inside a server's error body
# is redacted in the warning too, while the source fails and then recovers.
. "$(dirname "$0")/lib/lib.bash"
. "$(dirname "$0")/lib/netsrc.bash"

D=$T_DIR
PW=url-pw-Sekr3t-4711
mkdir -p "$D/out" "$D/www"
printf '{"db": {"host": "10.0.0.1"}}' >"$D/www/app.json"
httpd_start web "$D/www"
H=127.0.0.1:$HTTPD_PORT

# no_pw WHAT: the password is in no line of stdout or stderr of the last run.
no_pw() {
	expect_no_grep "$1: the password is not in the log" "$PW" "$CI_ERR"
	expect_no_grep "$1: nor on stdout" "$PW" "$CI_OUT"
}

# refused WHAT URL SHOWN: a config with URL fails the start with one
# error showing SHOWN (a regex), and no password anywhere.
refused() {
	cat >"$D/cfg.yaml" <<YAML
sources:
  - {url: "$2"}
templates:
  - {contents: "{{ keyOrDefault \"db/host\" \"none\" }}\n", dest: $D/out/x.conf}
YAML
	ci_run sub --config "$D/cfg.yaml" --once --log-level trace \
	    --startup-timeout 2s
	expect_true "$1: the start fails" test "$CI_RC" -ne 0
	expect_grep "$1: the error shows the URL redacted" "$3" "$CI_ERR"
	no_pw "$1"
}
refused "http" "http://alice:$PW@$H/app.json" \
    "http://alice:\*\*\*@$H/app.json.*user:password@ is not supported"
refused "etcd, several endpoints" "etcd://alice:$PW@h1:2379,h2:2379/p" \
    'etcd://alice:\*\*\*@h1:2379,h2:2379/p'
refused "consul, IPv6" "consul://:$PW@[::1]:8500/app" \
    'consul://:\*\*\*@\[::1\]:8500/app.*user:password@ is not supported'
refused "unknown scheme" "nope://alice:$PW@$H/x" \
    "unknown URL scheme in \"nope://alice:\*\*\*@$H/x\""

# The same through --source (the URL is also the source's name), and with
# --dry-run.
echo x >"$D/none.tmpl"
ci_run sub --source "https://alice:$PW@$H/app.json" --template \
    "$D/none.tmpl:$D/out/y.conf" --once --log-level trace
expect_true "--source: the start fails" test "$CI_RC" -ne 0
expect_grep "--source: the error shows the URL redacted" \
    "https://alice:\*\*\*@$H/app.json" "$CI_ERR"
no_pw "--source"
ci_run sub --config "$D/cfg.yaml" --dry-run --log-level trace
expect_true "--dry-run: the start fails" test "$CI_RC" -ne 0
no_pw "--dry-run"

# A source that works, whose server first answers 500 with a body naming a
# URL with a password (a proxy echoing its upstream): the warning shows it
# redacted; then the source recovers and the file is written.
echo 500 >"$D/www/app.json.mode"
printf 'upstream https://svc:%s@10.1.2.3:8443/cfg failed' "$PW" \
    >"$D/www/app.json.errbody"
cat >"$D/ok.yaml" <<YAML
sources:
  - {name: app, url: "http://$H/app.json", poll_interval: 200ms}
templates:
  - {contents: "{{ key \"db/host\" }}\n", dest: $D/out/ok.conf}
exec:
  command: [sleep, "60"]
YAML
ci_start sub --config "$D/ok.yaml" --log-level trace --startup-timeout 20s
expect_true "failing: the warning names the redacted URL" wait_until 20 \
    grep -q "HTTP 500: upstream https://svc:\*\*\*@10.1.2.3:8443/cfg" "$CI_ERR"
rm -f "$D/www/app.json.mode"
expect_true "recovering: the file is written" wait_until 20 \
    grep -qs '^10.0.0.1$' "$D/out/ok.conf"
kill -TERM "$CI_PID"
ci_wait 10
expect_eq "recovering: the app's status (sleep killed by TERM)" 143 "$CI_RC"
expect_grep "the run logged at debug level" '\] debug: ' "$CI_ERR"
no_pw "failing, then recovering"

finish
