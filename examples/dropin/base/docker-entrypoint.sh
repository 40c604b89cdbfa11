#!/bin/sh
# The entrypoint script of the existing image, in the pattern of the
# official images: options alone mean the server, the data directory is
# prepared as root, then root is dropped and the server exec'd, so that it
# is the process signals reach.
set -e
if [ "${1#-}" != "$1" ]; then
	set -- greeter "$@"
fi
if [ "$1" = greeter ] && [ "$(id -u)" = 0 ]; then
	mkdir -p /var/lib/greeter
	chown greeter:greeter /var/lib/greeter
	exec setpriv --reuid=greeter --regid=greeter --init-groups "$0" "$@"
fi
exec "$@"
