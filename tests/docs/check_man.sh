#!/usr/bin/env bash
# docs/confinit.1 renders with groff and man without a warning, names
# every option `confinit --help` lists (as the tag of its paragraph) and
# every CONFINIT_* variable src/cli.c reads, and is what cmake --install
# installs.
set -u
: "${CONFINIT:?}" "${SRCDIR:?}"
export LC_ALL=C.UTF-8 MANWIDTH=80
PAGE=$SRCDIR/docs/confinit.1
fails=0
fail() {
	echo "FAIL $*"
	fails=$((fails + 1))
}
if ! command -v groff >/dev/null || ! command -v man >/dev/null; then
	echo "skip: groff or man is not installed (make test installs them)"
	exit 0
fi

w=$(groff -man -Tutf8 -ww -z "$PAGE" 2>&1)
[[ -z $w ]] && echo "ok   groff -ww: no warning" || fail "groff: $w"
text=$(man --warnings -l "$PAGE" 2>/tmp/confinit-man.$$)
w=$(cat /tmp/confinit-man.$$)
rm -f /tmp/confinit-man.$$
[[ -z $w && -n $text ]] && echo "ok   man -l: renders, no warning" ||
	fail "man -l: $w"

# Each option of --help: "-h, --help", "-s", "--user USER[:GROUP]"...
n=0
while read -r opt; do
	n=$((n + 1))
	grep -qE -- "^ {7}(-[a-z], )?${opt}( |,|\$)" <<<"$text" ||
		fail "option $opt of --help has no entry in confinit.1"
done < <("$CONFINIT" --help | grep -oE '^  (-[a-z], )?--?[a-z][a-z-]*' |
	sed -E 's/^  (-[a-z], )?//')
((n >= 20)) && echo "ok   $n options of --help, each with its entry" ||
	fail "only $n options found in --help"

n=0
for v in $(grep -oE '"CONFINIT_[A-Z_]+"' "$SRCDIR/src/cli.c" | tr -d '"' |
	sort -u); do
	n=$((n + 1))
	# In the source: the rendered text may hyphenate a long name.
	grep -q -- "$v" "$PAGE" || fail "variable $v is not in confinit.1"
done
echo "ok   $n CONFINIT_* variables named"
# cmake --install puts it in share/man/man1, beside bin/confinit.
if [[ -n ${BUILDDIR:-} ]]; then
	d=$(mktemp -d)
	if cmake --install "$BUILDDIR" --prefix "$d" >/dev/null &&
	    cmp -s "$PAGE" "$d/share/man/man1/confinit.1" &&
	    [[ -x $d/bin/confinit ]]; then
		echo "ok   cmake --install: share/man/man1/confinit.1"
	else
		fail "cmake --install did not install share/man/man1/confinit.1"
	fi
	rm -rf "$d"
fi
((fails == 0))
