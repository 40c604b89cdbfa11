#!/usr/bin/env bash
# Checks and commands run while confinit goes on being an init: during a
# template's check (after the app started) signals still reach the app at
# once and orphans are reaped; the check's timeout still kills it and keeps
# the old file; its output is still logged when it fails; a change that
# comes while a check runs is applied in the next batch, with its own
# signal. confinit as PID 1.
. "$(dirname "$0")/lib/lib.bash"

D=$T_DIR
mkdir -p "$D/out"

# The app logs each signal with the wall clock (us); SIGUSR1 leaves an
# orphan that exits at once, so that confinit has a zombie to reap.
cat >"$D/app.sh" <<SH
trap 'echo "hup" >>$D/app.log' HUP
trap '( sh -c "touch $D/orphan.done" & )' USR1
trap 'echo "usr2 \${EPOCHREALTIME/./}" >>$D/app.log' USR2
trap 'echo "term \${EPOCHREALTIME/./}" >>$D/app.log; exit 0' TERM
echo start >>$D/app.log
while :; do sleep 0.02; done
SH
# The check prints the file, sleeps delay= seconds, and rejects "bad".
cat >"$D/check.sh" <<SH
echo "checking \$(tr '\n' ' ' <"\$1")"
touch $D/check.started
d=\$(sed -n 's/^delay=//p' "\$1")
[ "\$d" -ge 30 ] && exec sleep "\$d"
sleep "\$d"
! grep -q bad "\$1"
SH
edit() {
	printf 'v: %s\ndelay: %s\n' "$1" "$2" >"$D/kv.new" &&
	    mv "$D/kv.new" "$D/kv.yaml"
}
count() { grep -c "^$1" "$D/app.log" 2>/dev/null || true; }
no_zombie() {
	zombies "$CI_PID"
	((${#ZOMBIES[@]} == 0))
}
# signal_delay SIG NAME: sends SIG to confinit; sets DELAY_MS to the time
# until the app logged NAME (empty if it did not within 10 s).
signal_delay() {
	local t0 line
	DELAY_MS=
	now_us
	t0=$NOW_US
	kill "-$1" "$CI_PID"
	wait_until 10 grep -q "^$2 " "$D/app.log" || return 0
	line=$(grep "^$2 " "$D/app.log" | tail -1)
	DELAY_MS=$(((${line#* } - t0) / 1000))
}
# within_ms DESC LIMIT: passes when DELAY_MS is set and under LIMIT.
within_ms() {
	if [[ -n $DELAY_MS ]] && ((DELAY_MS < $2)); then
		pass "$1 ($DELAY_MS ms)"
	else
		fail "$1: took ${DELAY_MS:-over 10000} ms"
	fi
}

edit 1 0
cat >"$D/cfg.yaml" <<YAML
sources: [{url: "file://$D/kv.yaml"}]
templates:
  - contents: "v={{ key \"v\" }}\ndelay={{ key \"delay\" }}\n"
    dest: $D/out/app.conf
    check: [sh, $D/check.sh, "{{ .Path }}"]
exec:
  command: [bash, $D/app.sh]
log: {level: debug}
YAML
ci_start pid1 --config "$D/cfg.yaml"
expect_true "start: the app runs" wait_until 10 grep -q '^start' "$D/app.log"
expect_eq "start: rendered (the check ran)" $'v=1\ndelay=0' \
    "$(cat "$D/out/app.conf")"

# A check that outlives its 30 s timeout.
rm -f "$D/check.started"
edit 2 60
expect_true "slow check: started" wait_until 10 test -e "$D/check.started"
signal_delay USR2 usr2
within_ms "slow check: a signal to confinit reaches the app at once" 1000
ci_app
kill -USR1 "$APP"
expect_true "slow check: the orphan the app left has exited" \
    wait_until 5 test -e "$D/orphan.done"
expect_true "slow check: confinit reaps it meanwhile" wait_until 5 no_zombie
expect_no_grep "slow check: still running" "timed out" "$CI_ERR"
expect_true "slow check: killed at its timeout, logged" \
    wait_until 40 grep -q "templates\[0\]: check sh: timed out after 30000 ms; keeping the last good file" "$CI_ERR"
expect_eq "slow check: the old file is kept" $'v=1\ndelay=0' \
    "$(cat "$D/out/app.conf")"
expect_eq "slow check: no signal sent" 0 "$(count hup)"
expect_true "slow check: confinit still runs" alive "$CI_PID"

# A failing check: its output is logged.
edit bad 0
expect_true "failing check: exit code and output logged" \
    wait_until 10 grep -q "check sh exited with 1: checking v=bad delay=0 *; keeping the last good file" "$CI_ERR"
expect_eq "failing check: the old file is kept" $'v=1\ndelay=0' \
    "$(cat "$D/out/app.conf")"
sleep 0.3
expect_eq "failing check: no signal sent" 0 "$(count hup)"

# A change while a check runs waits for the next batch: each batch writes
# its file and signals once.
rm -f "$D/check.started"
lines "$CI_ERR"
n0=$NLINES
edit 4 2
expect_true "queued: the first check started" \
    wait_until 10 test -e "$D/check.started"
edit 5 0
expect_true "queued: the change is held until the check ends" \
    wait_until 10 grep -q "a change while checks run: applied after them" "$CI_ERR"
expect_eq "queued: nothing written yet" $'v=1\ndelay=0' \
    "$(cat "$D/out/app.conf")"
expect_true "queued: the later change is applied after it" \
    wait_until 10 grep -qx v=5 "$D/out/app.conf"
# What confinit did, from its log: two SIGHUPs sent in quick succession
# may reach a shell as one.
batches() {
	sed -n "$((n0 + 1)),\$ {s/.*wrote .*/wrote/p; s/.*sent SIGHUP to the app/hup/p}" \
	    "$CI_ERR" | tr '\n' ' '
}
batches_done() { test "$(batches)" = "wrote hup wrote hup "; }
expect_true "queued: each batch wrote its file, then sent one SIGHUP" \
    wait_until 5 batches_done
expect_true "queued: the app got it" wait_until 5 test "$(count hup)" -ge 1
sleep 0.3
expect_eq "queued: nothing more" "wrote hup wrote hup " "$(batches)"

# SIGTERM during a 3 s check: the app gets it at once, confinit exits with
# it and leaves no temp file.
rm -f "$D/check.started"
edit 6 3
expect_true "term: the check started" wait_until 10 test -e "$D/check.started"
signal_delay TERM term
within_ms "term: SIGTERM during a 3 s check reaches the app at once" 1000
ci_wait
expect_eq "term: confinit exits with the app's status" 0 "$CI_RC"
expect_eq "term: no temp file left" "" \
    "$(find "$D/out" -name '.app.conf.confinit-*')"

finish
