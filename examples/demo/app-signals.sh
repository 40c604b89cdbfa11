#!/bin/sh
# A small app for the demo: reports signals, exits 42 on SIGTERM.
trap 'echo "app: got SIGHUP (a config reload would go here)"' HUP
trap 'echo "app: got SIGTERM, exiting with 42"; exit 42' TERM
echo "app: running as pid $$, waiting for signals"
while :; do sleep 0.1; done
