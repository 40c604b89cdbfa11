#!/usr/bin/env bash
# startup.cache against a real etcd on loopback (reached through a TCP
# proxy, so that a test can make "the center" unreachable while etcd keeps
# taking puts): the cache is written after a complete snapshot (mode 0600,
# no secret source unless cache_secrets); etcd down at start with a cache:
# the app starts on the cached values with a warning naming the source and
# the cache's age, then catches up when etcd answers (re-render and SIGHUP
# only for a real change); without a cache, or with a corrupt one: exit 4
# with the per-source message. No secret value in any log.
. "$(dirname "$0")/lib/lib.bash"
. "$(dirname "$0")/lib/etcd.bash"

D=$T_DIR

mode_of() { stat -c %a "$1" 2>/dev/null; }

etcd_start a
etcd_put /myapp/db/host 10.0.0.5
etcd_put /secret/db/password s3cr3t-pw-1
PPORT=$(etcd_free_port)
etcd_proxy_start "$PPORT" "${ETCD_CPORT[a]}"

# config NAME CACHE SECRETS: a center and a secret source, one template.
config() {
	cat >"$D/$1.yaml" <<YAML
sources:
  - name: center
    url: "etcd://127.0.0.1:$PPORT/myapp"
  - name: vault
    url: "etcd://127.0.0.1:$PPORT/secret"
    secret: true
templates:
  - contents: |
      host={{ key "db/host" }}
      pw={{ key "db/password" }}
    dest: $D/$1.conf
exec:
  command: [sh, $D/app.sh, $D/app.log]
startup: {timeout: 1s, cache: $2, cache_secrets: $3}
log: {level: debug}
YAML
}

# 1. Written after the complete first snapshot: 0600, no secret value.
config nosec "$D/state/nosec.json" false
ci_run sub --config "$D/nosec.yaml" --once
expect_eq "written: --once renders from etcd" "0" "$CI_RC"
expect_eq "written: mode 0600" 600 "$(mode_of "$D/state/nosec.json")"
expect_grep "written: holds the center's value" '"db/host": "10.0.0.5"' \
    "$D/state/nosec.json"
expect_no_grep "written: no secret source without cache_secrets" \
    "s3cr3t|vault" "$D/state/nosec.json"
expect_no_grep "written: the secret is in no log line" "s3cr3t" "$CI_ERR"
expect_true "written: no temp file left" \
    test "$(ls -A "$D/state" | wc -l)" = 1

# 2. The secret source down and not cached: exit 4, and why.
etcd_proxy_stop
ci_run sub --config "$D/nosec.yaml" --once
expect_eq "secret not cached: exit 4" 4 "$CI_RC"
expect_grep "secret not cached: the cache says so" \
    "no snapshot of source vault.*cache_secrets" "$CI_ERR"
expect_grep "secret not cached: per-source message" \
    "startup timeout: no data from center \(.*\), vault \(" "$CI_ERR"

# 3. With cache_secrets: kept, and used when etcd is down.
etcd_proxy_start "$PPORT" "${ETCD_CPORT[a]}"
config sec "$D/sec.json" true
ci_run sub --config "$D/sec.yaml" --once
expect_eq "cache_secrets: rendered" 0 "$CI_RC"
expect_grep "cache_secrets: the secret is cached" "s3cr3t-pw-1" "$D/sec.json"
expect_eq "cache_secrets: mode 0600" 600 "$(mode_of "$D/sec.json")"
etcd_proxy_stop
rm -f "$D/sec.conf"
ci_run sub --config "$D/sec.yaml" --once
expect_eq "from the cache: --once exits 0" 0 "$CI_RC"
expect_eq "from the cache: rendered from cached values" \
    $'host=10.0.0.5\npw=s3cr3t-pw-1' "$(cat "$D/sec.conf" 2>/dev/null)"
expect_grep "from the cache: the warning names the sources and the age" \
    "STARTING FROM THE CACHE: no data from center \(.*\), vault \(.*\); using the snapshot in $D/sec.json, saved [0-9]+s ago" \
    "$CI_ERR"
expect_no_grep "from the cache: the secret is in no log line" "s3cr3t" \
    "$CI_ERR"

# 4. Down at start with a cache, then up with the same values, then a
# change: starts on cached values, no SIGHUP for the catch-up, SIGHUP for
# the change; the cache follows.
rm -f "$D/sec.conf" "$D/app.log"
ci_start sub --config "$D/sec.yaml"
expect_true "running from the cache: the app starts" \
    ci_wait_for 15 grep -qs '^start' "$D/app.log"
expect_eq "running from the cache: cached values" \
    $'host=10.0.0.5\npw=s3cr3t-pw-1' "$(cat "$D/sec.conf" 2>/dev/null)"
etcd_proxy_start "$PPORT" "${ETCD_CPORT[a]}"
expect_true "catch-up: logged when etcd answers" \
    wait_until 20 grep -q "center answers: its live values replace" "$CI_ERR"
expect_true "catch-up: both sources answer" \
    wait_until 20 grep -q "vault answers: its live values replace" "$CI_ERR"
sleep 0.5
expect_eq "catch-up: nothing changed, no SIGHUP" 0 "$(count "$D/app.log" hup)"
etcd_put /myapp/db/host 10.0.0.6
expect_true "change: re-rendered" \
    wait_until 10 file_is "$D/sec.conf" $'host=10.0.0.6\npw=s3cr3t-pw-1'
expect_true "change: SIGHUP" wait_until 10 hups_are 1
expect_true "change: the cache holds the new value" \
    wait_until 10 grep -q '"db/host": "10.0.0.6"' "$D/sec.json"
expect_eq "change: the cache is still 0600" 600 "$(mode_of "$D/sec.json")"
kill -TERM "$CI_PID"
ci_wait 10

# 5. etcd comes back with new values: re-rendered and SIGHUP once.
etcd_proxy_stop
etcd_put /myapp/db/host 10.0.0.7
rm -f "$D/app.log"
ci_start sub --config "$D/sec.yaml"
expect_true "new values: the app starts from the cache" \
    ci_wait_for 15 grep -qs '^start' "$D/app.log"
expect_eq "new values: first the cached ones" \
    $'host=10.0.0.6\npw=s3cr3t-pw-1' "$(cat "$D/sec.conf" 2>/dev/null)"
app=$(awk '/^start/ {print $2; exit}' "$D/app.log")
etcd_proxy_start "$PPORT" "${ETCD_CPORT[a]}"
expect_true "new values: re-rendered when etcd answers" \
    wait_until 20 file_is "$D/sec.conf" $'host=10.0.0.7\npw=s3cr3t-pw-1'
expect_true "new values: SIGHUP" wait_until 10 hups_are 1
sleep 0.5
expect_eq "new values: exactly one SIGHUP" 1 "$(count "$D/app.log" hup)"
expect_true "new values: the app was not restarted" alive "$app"
kill -TERM "$CI_PID"
ci_wait 10
expect_no_grep "the secret is in no log line" "s3cr3t" "$CI_ERR"
expect_no_grep "no sanitizer report" "Sanitizer" "$CI_ERR"

# 6. No cache file: exit 4 with the per-source message.
etcd_proxy_stop
ci_run sub --config "$D/sec.yaml" --once --startup-cache "$D/none.json"
expect_eq "no cache: exit 4" 4 "$CI_RC"
expect_grep "no cache: the file is named" "cache $D/none.json: No such file" \
    "$CI_ERR"
expect_grep "no cache: per-source message" \
    "startup timeout: no data from center \(" "$CI_ERR"

# 7. A corrupt or unreadable cache: a warning naming the file, exit 4.
printf '{"version": 1, "saved_at": 5, "sources": {"cent' >"$D/bad.json"
ci_run sub --config "$D/sec.yaml" --once --startup-cache "$D/bad.json"
expect_eq "corrupt cache: exit 4" 4 "$CI_RC"
expect_grep "corrupt cache: the warning names the file" \
    "cache $D/bad.json:1:[0-9]+: .*cannot start from the cache" "$CI_ERR"
printf '{"version": 1, "saved_at": 5, "sources": {"center": {"keys": 3}}}' \
    >"$D/bad.json"
ci_run sub --config "$D/sec.yaml" --once --startup-cache "$D/bad.json"
expect_grep "wrong shape: the warning names the file and source" \
    "cache $D/bad.json: source center: not an object" "$CI_ERR"
mkdir "$D/dir.json"
ci_run sub --config "$D/sec.yaml" --once --startup-cache "$D/dir.json"
expect_grep "a directory: the warning names the file" \
    "cache $D/dir.json: not a regular file" "$CI_ERR"
expect_no_grep "bad caches: no sanitizer report" "Sanitizer" "$CI_ERR"

# 8. An unwritable cache directory: a warning, the app runs anyway.
etcd_proxy_start "$PPORT" "${ETCD_CPORT[a]}"
touch "$D/file"
ci_run sub --config "$D/sec.yaml" --once --startup-cache "$D/file/c.json"
expect_eq "unwritable cache: still rendered" 0 "$CI_RC"
expect_grep "unwritable cache: a warning names it" "cache $D/file/c.json" \
    "$CI_ERR"

finish
