#!/usr/bin/env bash
# The first render from local sources: --once byte-exact, --dry-run writes
# nothing, modes and owners, waiting for missing keys (then exit 4),
# configuration errors with file:line:col (exit 3), secrets kept out of
# logs.
. "$(dirname "$0")/lib/lib.bash"

D=$T_DIR
mkdir -p "$D/out"
cat >"$D/kv.yaml" <<'YAML'
app:
  name: shop
  port: 8080
  hosts: [a.example, b.example]
YAML
cat >"$D/app.tmpl" <<'TMPL'
name={{ key "app/name" }}
port={{ key "/app/port" }}
{{- range ls "app/hosts" }}
host={{ .Value }}
{{- end }}
{{ keyOrDefault "app/missing" "fallback" }}
TMPL
expected=$'name=shop\nport=8080\nhost=a.example\nhost=b.example\nfallback\n'

# content FILE: sets GOT to FILE's bytes exactly (a trailing newline kept).
content() {
	GOT=$(cat "$1" 2>/dev/null; echo .)
	GOT=${GOT%.}
}

# --once renders exactly, exits 0, starts nothing.
ci_run sub --once --source "file://$D/kv.yaml" \
    --template "$D/app.tmpl:$D/out/once.conf" -- touch "$D/ran"
expect_eq "once: exit status" 0 "$CI_RC"
content "$D/out/once.conf"
expect_eq "once: content byte-exact" "$expected" "$GOT"
expect_true "once: the app did not run" test ! -e "$D/ran"
expect_eq "once: no temp file left" "" "$(ls -A "$D/out" | grep confinit-)"

# --dry-run prints, writes nothing.
ci_run sub --dry-run --source "file://$D/kv.yaml" \
    --template "$D/app.tmpl:$D/out/dry.conf"
expect_eq "dry-run: exit status" 0 "$CI_RC"
expect_true "dry-run: nothing written" test ! -e "$D/out/dry.conf"
expect_grep "dry-run: header names the file" "^==> $D/out/dry.conf \\(" \
    "$CI_OUT"
expect_grep "dry-run: the content is shown" "^host=b.example$" "$CI_OUT"

# Modes and owners from a config file; ${VAR} expanded in it.
cat >"$D/perm.yaml" <<YAML
sources: [{url: "file://\${KV}"}]
templates:
  - {src: app.tmpl, dest: "$D/out/secret.conf", mode: "0600", owner: "nobody:nogroup"}
  - {contents: "x={{ key \"app/name\" }}", dest: "$D/out/deep/x.conf", create_dirs: true}
YAML
KV=$D/kv.yaml ci_run pid1 --config "$D/perm.yaml" --once
expect_eq "perms: exit status" 0 "$CI_RC"
expect_eq "perms: mode and owner" "600 nobody nogroup" \
    "$(stat -c '%a %U %G' "$D/out/secret.conf" 2>&1)"
content "$D/out/deep/x.conf"
expect_eq "perms: inline template, create_dirs" "x=shop" "$GOT"

# engine: envsubst expands ${VAR} forms only; {{ }} stays as written.
printf 'user=${DB_USER}\nport=${DB_PORT:-5432}\nkeep={{ key "x" }}\n' \
    >"$D/plain.conf.in"
cat >"$D/envsubst.yaml" <<YAML
templates:
  - {src: $D/plain.conf.in, dest: $D/out/plain.conf, engine: envsubst}
YAML
DB_USER=alice ci_run sub --config "$D/envsubst.yaml" --once
expect_eq "envsubst: exit status" 0 "$CI_RC"
content "$D/out/plain.conf"
expect_eq "envsubst: \${} expanded, {{ }} kept" \
    $'user=alice\nport=5432\nkeep={{ key "x" }}\n' "$GOT"

# A key that is missing: wait, then exit 4 naming it.
printf '{{ key "app/late" }}\n' >"$D/late.tmpl"
ci_run sub --once --startup-timeout 1s --source "file://$D/kv.yaml" \
    --template "$D/late.tmpl:$D/out/late.conf"
expect_eq "missing: exit 4 after the startup timeout" 4 "$CI_RC"
expect_grep "missing: the key and template are named" \
    "app/late \\($D/late.tmpl\\)" "$CI_ERR"
expect_true "missing: nothing written" test ! -e "$D/out/late.conf"

# The key appears while confinit waits: it goes on.
cp "$D/kv.yaml" "$D/kv2.yaml"
ci_start sub --startup-timeout 20s --source "file://$D/kv2.yaml" \
    --template "$D/late.tmpl:$D/out/late.conf" -- sleep 30
wait_until 10 grep -q 'waiting up to' "$CI_ERR"
printf 'app:\n  late: arrived\n' >"$D/kv2.new" && mv "$D/kv2.new" "$D/kv2.yaml"
expect_true "missing: rendered once the key arrives" \
    wait_until 10 grep -qx arrived "$D/out/late.conf"
kill -TERM "$CI_PID"
ci_wait
expect_eq "missing: SIGTERM ends the app, its status returned" 143 "$CI_RC"

# A signal while waiting for keys ends confinit with 128+N.
ci_start sub --startup-timeout 20s --source "file://$D/kv.yaml" \
    --template "$D/late.tmpl:$D/out/late2.conf" -- sleep 30
wait_until 10 grep -q 'waiting up to' "$CI_ERR"
kill -TERM "$CI_PID"
ci_wait
expect_eq "waiting: SIGTERM exits 143" 143 "$CI_RC"

# Configuration errors: exit 3, file:line:col.
printf 'templates:\n  - src: app.tmpl\n    destt: /x\n' >"$D/bad1.yaml"
ci_run sub --config "$D/bad1.yaml" --once
expect_eq "config error: exit 3" 3 "$CI_RC"
expect_grep "config error: unknown key with line:col" \
    "bad1.yaml:3:5: .*destt" "$CI_ERR"
printf 'x={{ key "a" }\n' >"$D/broken.tmpl"
ci_run sub --once --template "$D/broken.tmpl:$D/out/b.conf"
expect_eq "template parse error: exit 3" 3 "$CI_RC"
expect_grep "template parse error: names file:line:col" \
    "broken.tmpl:1:[0-9]+: " "$CI_ERR"

# A secret never shows in a log line, even in a failing check's output.
printf 'db:\n  password: s3cr3t-Pa55word\n' >"$D/secret.yaml"
cat >"$D/secret-cfg.yaml" <<YAML
sources: [{url: "file://$D/secret.yaml", secret: true}]
templates:
  - contents: 'pw={{ key "db/password" }}'
    dest: $D/out/pw.conf
    check: ["sh", "-c", "cat \$0; exit 1", "{{ .Path }}"]
log: {level: trace}
YAML
ci_run sub --config "$D/secret-cfg.yaml" --once
expect_eq "secret: the failing check fails the start" 4 "$CI_RC"
expect_grep "secret: the check's failure is logged" "check sh exited with 1" \
    "$CI_ERR"
expect_no_grep "secret: the value is not in the log" "s3cr3t-Pa55word" \
    "$CI_ERR"
expect_no_grep "secret: nor on stdout" "s3cr3t-Pa55word" "$CI_OUT"

# A file rendered from a secret source's values is 0600 when the template
# sets no mode, even over an existing 0644 file; one that reads only
# non-secret keys keeps the default; an explicit mode wins.
printf 'db:\n  host: db.local\n' >"$D/plain.yaml"
printf 'old\n' >"$D/out/pw-over.conf"
chmod 0644 "$D/out/pw-over.conf"
cat >"$D/secret-mode.yaml" <<YAML
sources:
  - {url: "file://$D/plain.yaml"}
  - {url: "file://$D/secret.yaml", secret: true}
templates:
  - {contents: 'pw={{ key "db/password" }}', dest: $D/out/pw-key.conf}
  - contents: '{{ range ls "db" }}{{ .Key }}={{ .Value }} {{ end }}'
    dest: $D/out/pw-ls.conf
  - {contents: 'pw={{ key "db/password" }}', dest: $D/out/pw-over.conf}
  - {contents: 'pw={{ key "db/password" }}', dest: $D/out/pw-640.conf, mode: "0640"}
  - {contents: 'host={{ key "db/host" }}', dest: $D/out/plain.conf}
YAML
ci_run sub --config "$D/secret-mode.yaml" --once
expect_eq "secret mode: renders" 0 "$CI_RC"
for f in pw-key:600 pw-ls:600 pw-over:600 pw-640:640 plain:644; do
	expect_eq "secret mode: ${f%%:*}.conf has mode ${f#*:}" "${f#*:}" \
	    "$(stat -c %a "$D/out/${f%%:*}.conf" 2>&1)"
done
expect_grep "secret mode: the ls template read the secret" \
    "password=s3cr3t" "$D/out/pw-ls.conf"

# The first render writes all files or none: a template whose check fails
# leaves every destination as it was, also those of the templates before it.
printf 'old one\n' >"$D/out/one.conf"
cat >"$D/all-cfg.yaml" <<YAML
sources: [{url: "file://$D/kv.yaml"}]
templates:
  - {contents: 'one={{ key "app/name" }}', dest: $D/out/one.conf}
  - {contents: 'two={{ key "app/name" }}', dest: $D/out/two.conf}
  - contents: 'three={{ key "app/name" }}'
    dest: $D/out/three.conf
    check: ["false"]
YAML
ci_run sub --config "$D/all-cfg.yaml" -- touch "$D/ran-all"
expect_eq "all or none: a failed check fails the start" 4 "$CI_RC"
content "$D/out/one.conf"
expect_eq "all or none: the first file keeps its old content" \
    $'old one\n' "$GOT"
expect_true "all or none: the second file is not written" \
    test ! -e "$D/out/two.conf"
expect_true "all or none: the app did not run" test ! -e "$D/ran-all"
expect_eq "all or none: no temp file left" "" \
    "$(ls -A "$D/out" | grep confinit-)"
# Without the failing template both files are written, in one batch.
sed -i '/three/,$d' "$D/all-cfg.yaml"
ci_run sub --config "$D/all-cfg.yaml" --once
expect_eq "all at once: exit status" 0 "$CI_RC"
content "$D/out/one.conf"
expect_eq "all at once: first file" "one=shop" "$GOT"
content "$D/out/two.conf"
expect_eq "all at once: second file" "two=shop" "$GOT"

finish
