#!/bin/sh
# Installs the Debian packages named as arguments that are missing; when not
# root, says exactly what to install instead.
missing=
for p in "$@"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
	echo "confinit: missing packages:$missing" >&2
	echo "install them with: sudo apt-get install$missing" >&2
	exit 1
fi
echo "installing:$missing"
export DEBIAN_FRONTEND=noninteractive
# Several builds may install at once: wait for the dpkg lock, do not fail.
lock='-o DPkg::Lock::Timeout=600'
apt-get $lock update -qq >/dev/null &&
	apt-get $lock install -y -qq $missing >/dev/null ||
	{ echo "apt-get install$missing failed" >&2; exit 1; }
