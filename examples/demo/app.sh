#!/bin/sh
# The demo's app: shows its config and environment on start and on SIGHUP.
conf=$1
show() {
	echo "  app[$$]: $1; DEMO_GREETING=$DEMO_GREETING; $conf says:"
	sed "s/^/  app[$$]:   /" "$conf"
}
trap 'show "got SIGHUP, re-reading"' HUP
trap 'echo "  app[$$]: SIGTERM, bye"; exit 0' TERM
show "started"
while :; do sleep 0.1; done
