#!/usr/bin/env bash
# Local sources through the real binary: a directory (one key per file,
# subdirectories watched, files added later), a Kubernetes ConfigMap volume
# (files are links into ..data, which is swapped atomically), env://, and
# layering (a later source wins key by key); files written beside a file
# source (its destination among them) cause no re-read.
. "$(dirname "$0")/lib/lib.bash"

D=$T_DIR
mkdir -p "$D/out" "$D/dir/db"
printf 'h1' >"$D/dir/db/host"
printf '5432\n' >"$D/dir/db/port"
printf 'secret' >"$D/dir/.hidden"

# The app says it is ready only once its trap is set: a SIGHUP before
# that would end it (and confinit with it).
app=(sh -c 'trap "echo hup >>'"$D"'/hups" HUP; touch '"$D"'/ready
	while :; do sleep 0.05; done')
# start ARGS...: starts confinit with the app and waits until it is ready.
start() {
	rm -f "$D/ready"
	ci_start pid1 "$@" -- "${app[@]}"
	wait_until 10 test -e "$D/ready"
}

# A directory: keys are relative paths, values the bytes as stored.
printf '{{ key "db/host" }}|{{ key "db/port" }}|{{ keyOrDefault "new/key" "-" }}|{{ keyExists ".hidden" }}' \
    >"$D/dir.tmpl"
start --source "file://$D/dir" --template "$D/dir.tmpl:$D/out/dir"
expect_true "dir: first render" wait_until 10 test -s "$D/out/dir"
expect_eq "dir: keys from files, newline kept, dot-files skipped" \
    $'h1|5432\n|-|false' "$(cat "$D/out/dir")"
printf 'h2' >"$D/dir/db/host"
expect_true "dir: a file rewritten in a subdirectory is seen" \
    wait_until 10 grep -q '^h2|' "$D/out/dir"
mkdir -p "$D/dir/new"
printf 'v' >"$D/dir/new/key"
expect_true "dir: a file in a new subdirectory is seen" \
    wait_until 10 grep -q '|v|' "$D/out/dir"
expect_true "dir: the app got SIGHUP for the changes" \
    wait_until 5 test -s "$D/hups"
kill -TERM "$CI_PID"
ci_wait

# A ConfigMap volume: app.yaml -> ..data/app.yaml, ..data -> ..v1; an
# update makes ..v2 and renames a new link over ..data.
cm=$D/cm
mkdir -p "$cm/..v1"
printf 'level: info\n' >"$cm/..v1/app.yaml"
ln -s ..v1 "$cm/..data"
ln -s ..data/app.yaml "$cm/app.yaml"
printf 'level={{ key "level" }}' >"$D/cm.tmpl"
start --source "file://$cm/app.yaml" --template "$D/cm.tmpl:$D/out/cm"
expect_true "configmap: first render" wait_until 10 grep -qx level=info "$D/out/cm"
mkdir "$cm/..v2"
printf 'level: debug\n' >"$cm/..v2/app.yaml"
ln -s ..v2 "$cm/..data_tmp"
mv -T "$cm/..data_tmp" "$cm/..data"
expect_true "configmap: the swapped ..data link is seen" \
    wait_until 10 grep -qx level=debug "$D/out/cm"
kill -TERM "$CI_PID"
ci_wait

# Files written beside a file source, the template's own destination
# among them, do not make confinit read the source again (each read is a
# debug line); an edit of the source is one read.
near=$D/near
mkdir -p "$near"
printf 'v: 1\n' >"$near/app.yaml"
printf 'v={{ key "v" }}' >"$D/near.tmpl"
start --log-level debug --source "file://$near/app.yaml" \
    --template "$D/near.tmpl:$near/app.conf"
expect_true "near: first render" wait_until 10 grep -qx v=1 "$near/app.conf"
reads() { grep -c "source .*: reading $near/app.yaml" "$CI_ERR"; }
for i in $(seq 1 20); do
	printf 'x%s' "$i" >"$near/other.txt"
	printf 'y' >"$near/.tmp.$i" && mv "$near/.tmp.$i" "$near/moved.txt"
	sleep 0.02
done
sleep 0.5
expect_eq "near: writes to other files there cause no read" 0 "$(reads)"
printf 'v: 2\n' >"$near/app.yaml"
expect_true "near: an edit of the source is seen" \
    wait_until 10 grep -qx v=2 "$near/app.conf"
sleep 0.5
expect_eq "near: one read for the edit, none for the file rendered there" \
    1 "$(reads)"
kill -TERM "$CI_PID"
ci_wait

# env:// and layering: the later source wins key by key.
printf 'db:\n  host: from-file\n  port: "1"\n' >"$D/base.yaml"
printf '{{ key "db/host" }}:{{ key "db/port" }}' >"$D/layer.tmpl"
APP_DB_HOST=from-env ci_run sub --once --source "file://$D/base.yaml" \
    --source env://APP_ --template "$D/layer.tmpl:$D/out/layer"
expect_eq "layering: exit status" 0 "$CI_RC"
expect_eq "layering: env:// over file://, key by key" "from-env:1" \
    "$(cat "$D/out/layer" 2>&1)"

finish
