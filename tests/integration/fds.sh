#!/usr/bin/env bash
# No descriptor leaks to what confinit starts: with a real etcd watch stream,
# an HTTP source, a file:// source (inotify) and a signalfd open in
# confinit, the app sees only 0, 1 and 2 (it lists /proc/self/fd before
# opening anything), at first start and after each restart on an env
# change, and so do a template's check command and a reload command. A
# descriptor confinit itself was started with is passed on (docs/init.md).
. "$(dirname "$0")/lib/lib.bash"
. "$(dirname "$0")/lib/etcd.bash"
. "$(dirname "$0")/lib/netsrc.bash"
# Both helper files set an EXIT trap; stop the servers of both.
trap 'net_cleanup; etcd_cleanup' EXIT

D=$T_DIR
mkdir -p "$D/out" "$D/www"

etcd_start a
etcd_put /fdapp/greeting hello
printf '{"port": "80"}' >"$D/www/web.json"
httpd_start web "$D/www"
printf 'mode: one\n' >"$D/kv.yaml"

cat >"$D/cfg.yaml" <<YAML
sources:
  - {name: center, url: "etcd://$ETCD_EP/fdapp"}
  - {name: web, url: "http://127.0.0.1:$HTTPD_PORT/web.json", poll_interval: 200ms}
  - {name: local, url: "file://$D/kv.yaml"}
templates:
  - contents: "{{ key \"greeting\" }} {{ key \"port\" }} {{ key \"mode\" }}\n"
    dest: $D/out/app.conf
    check: [env, -u, PROBE_HOLD, "PROBE_OUT=$D/check.report", "$HELPERS/probe"]
    # The probe app dies of a SIGHUP: no signal, a command.
    command: ["true"]
  - contents: "{{ key \"mode\" }}\n"
    dest: $D/out/mode.conf
    command: [env, -u, PROBE_HOLD, "PROBE_OUT=$D/command.report", "$HELPERS/probe"]
env:
  - {name: GREETING, value: '{{ key "greeting" }}'}
exec:
  command: ["$HELPERS/probe"]
  kill_timeout: 5s
wait: {min: 50ms, max: 200ms}
YAML

# report_field FILE KEY: the value of KEY= in a probe report.
report_field() { sed -n "s/^$2=//p" "$1" 2>/dev/null; }
# started_after PID: true once the app's report is from a pid other than PID.
started_after() {
	local p
	p=$(report_field "$D/app.report" pid)
	[[ -n $p && $p != "$1" ]]
}

export PROBE_OUT=$D/app.report PROBE_HOLD=1
for mode in pid1 sub; do
	# From scratch, so that the first render runs the check.
	rm -f "$D"/*.report "$D"/out/*
	printf 'mode: one\n' >"$D/kv.yaml"
	etcd_put /fdapp/greeting hello
	ci_start $mode --config "$D/cfg.yaml"
	ci_wait_for 20 test -s "$D/app.report" || cat "$CI_ERR" >&2
	expect_true "$mode: the app starts" \
	    ci_wait_for 20 test -s "$D/app.report"
	expect_eq "$mode: first start: only 0 1 2 open in the app" "0 1 2" \
	    "$(vg_fds "$(report_field "$D/app.report" fds)")"
	expect_eq "$mode: the check command gets only 0 1 2" "0 1 2" \
	    "$(vg_fds "$(report_field "$D/check.report" fds)")"

	# A file edit runs the reload command (mode.conf changes).
	printf 'mode: two\n' >"$D/kv.yaml.new" && mv "$D/kv.yaml.new" "$D/kv.yaml"
	expect_true "$mode: the reload command runs" \
	    ci_wait_for 10 test -s "$D/command.report"
	expect_eq "$mode: the reload command gets only 0 1 2" "0 1 2" \
	    "$(vg_fds "$(report_field "$D/command.report" fds)")"

	# Env changes restart the app, each time with the sources open.
	for i in 1 2 3; do
		pid=$(report_field "$D/app.report" pid)
		etcd_put /fdapp/greeting "hello$i"
		expect_true "$mode: restart $i: the app is started again" \
		    ci_wait_for 20 started_after "$pid" || cat "$CI_ERR" >&2
		expect_eq "$mode: restart $i: only 0 1 2 open in the app" \
		    "0 1 2" "$(vg_fds "$(report_field "$D/app.report" fds)")"
	done
	# The sources really are open in confinit while this happens: an
	# inotify descriptor and a TCP socket to etcd at least.
	fds=$(ls -l "/proc/$CI_PID/fd" 2>/dev/null)
	expect_true "$mode: confinit itself holds inotify and sockets" \
	    grep -q 'anon_inode:inotify' <<<"$fds"
	expect_true "$mode: confinit itself holds a socket" \
	    grep -q 'socket:' <<<"$fds"
	kill -TERM "$CI_PID"
	expect_true "$mode: confinit stops on SIGTERM" ci_wait 15
done

# Started with descriptor 7 open (not close-on-exec): the app gets it too.
rm -f "$D"/*.report
CI_WRAP=(sh -c 'exec 7<"$0" && exec "$@"' "$D/kv.yaml")
ci_start sub --config "$D/cfg.yaml"
expect_true "inherited: the app starts" ci_wait_for 20 test -s "$D/app.report"
expect_eq "inherited: the app gets 0 1 2 and confinit's own 7" "0 1 2 7" \
    "$(vg_fds "$(report_field "$D/app.report" fds)")"
kill -TERM "$CI_PID"
expect_true "inherited: confinit stops on SIGTERM" ci_wait 15
finish
