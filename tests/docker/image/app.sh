#!/bin/sh
# The app of make test-docker (busybox sh). It records in /run/app what the
# test reads back with docker exec: its pid, parent and ids, each SIGHUP
# with the config it then finds, and its graceful exit on SIGTERM (42).
out=/run/app
trap 'echo "hup $(tr "\n" " " <$out/app.conf)" >>$out/events' HUP
trap 'echo term >>$out/events; exit 42' TERM
echo "pid=$$ ppid=$PPID uid=$(id -u) gid=$(id -g)" >$out/self
# Three orphans: their parent exits at once, so they become children of
# PID 1, which has to reap them when they end 3 s later.
sh -c 'sleep 3 & sleep 3 & sleep 3 &'
echo ready >$out/ready
while :; do
	sleep 1 &
	wait $!
done
