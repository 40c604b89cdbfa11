#!/usr/bin/env bash
# Fails, printing file:line, when C code calls a banned function: strcpy
# strcat sprintf strtok gets atoi system popen signal. Comments, strings and
# longer names (strtok_r, sigaction, units_signal, ops->signal) don't count.
#
# Usage: check_banned.sh DIR   checks the .c and .h files under DIR
#        check_banned.sh       tests itself, then checks $SRCDIR/src
set -u
export LC_ALL=C

BANNED='strcpy|strcat|sprintf|strtok|gets|atoi|system|popen|signal'

# banned_scan DIR: prints file:line: text for each call; exit 1 if any.
banned_scan() {
	local files
	files=$(find "$1" -type f \( -name '*.c' -o -name '*.h' \) | sort)
	[[ -n $files ]] || return 0
	# shellcheck disable=SC2086
	awk -v banned="$BANNED" '
	FNR == 1 { incomment = 0 }
	{
		# Blank out comments, strings and character constants, keeping
		# the line numbers.
		out = ""
		line = $0
		n = length(line)
		for (i = 1; i <= n; i++) {
			c = substr(line, i, 1)
			c2 = substr(line, i, 2)
			if (incomment) {
				if (c2 == "*/") {
					incomment = 0
					i++
				}
				continue
			}
			if (c2 == "/*") {
				incomment = 1
				i++
				out = out " "
				continue
			}
			if (c2 == "//")
				break
			if (c == "\"" || c == "\047") {
				q = c
				for (i++; i <= n; i++) {
					c = substr(line, i, 1)
					if (c == "\\")
						i++
					else if (c == q)
						break
				}
				out = out q q
				continue
			}
			out = out c
		}
		re = "(^|[^A-Za-z0-9_.>])(" banned ")[ \t]*\\("
		if (out ~ re) {
			print FILENAME ":" FNR ": " $0
			found = 1
		}
	}
	END { exit found ? 1 : 0 }
	' $files
}

if [[ $# -gt 0 ]]; then
	banned_scan "$1"
	exit
fi

# Self-test: a directory of bad calls must fail, naming each file:line; a
# directory of allowed look-alikes must pass.
passed=0
failed=0
t=$(mktemp -d "${TMPDIR:-/tmp}/check-banned.XXXXXX")
trap 'rm -rf "$t"' EXIT
mkdir "$t/bad" "$t/good"
cat >"$t/bad/a.c" <<'EOF'
/* strcpy(a, b) in a comment is fine */
int f(void) {
	strcpy(a, b);
	x = atoi (s);
	(void)signal(SIGINT, h);
	if (system("x") != 0) sprintf(buf, "%d", 1);
}
EOF
cat >"$t/bad/b.h" <<'EOF'
#define S(x) strcat(x, "y")
EOF
cat >"$t/bad/c.c" <<'EOF'
/* a comment
   over lines */ gets(buf);
char *p = "strtok("; FILE *f = popen(cmd, "r"); strtok(s, ",");
EOF
cat >"$t/good/d.c" <<'EOF'
#include <signal.h>
/* strcpy(a, b);
   atoi(s); */
int g(void) {
	strtok_r(a, ",", &save); snprintf(b, 4, "%d", 1);
	units_signal("HUP"); sigaction(SIGINT, &sa, NULL);
	ops->signal(x); s.system(1); my_system(2); popen_x(3);
	fgets(buf, sizeof(buf), f); vsprintf_like(1); xatoi(2);
	puts("strcpy(a, b) and signal(1) in a string"); c = '(';
	// atoi(s) in a line comment
	log_msg("a \"quoted\" sprintf( inside");
}
EOF
got=$(banned_scan "$t/bad")
rc=$?
want="$t/bad/a.c:3 $t/bad/a.c:4 $t/bad/a.c:5 $t/bad/a.c:6 $t/bad/b.h:1 \
$t/bad/c.c:2 $t/bad/c.c:3"
have=$(printf '%s\n' "$got" | cut -d: -f1,2 | tr '\n' ' ' | sed 's/ $//')
if [[ $rc == 1 && $have == "$want" ]]; then
	passed=$((passed + 1))
	echo "ok   self-test: bad calls found at file:line"
else
	failed=$((failed + 1))
	echo "FAIL self-test: exit $rc; expected '$want', got '$have'"
fi
if got=$(banned_scan "$t/good") && [[ -z $got ]]; then
	passed=$((passed + 1))
	echo "ok   self-test: comments, strings and look-alikes pass"
else
	failed=$((failed + 1))
	echo "FAIL self-test: false positives: $got"
fi

src=${SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}/src
if got=$(banned_scan "$src"); then
	passed=$((passed + 1))
	echo "ok   $src: no banned call"
else
	failed=$((failed + 1))
	echo "FAIL banned calls in $src:"
	printf '%s\n' "$got"
fi
echo "$passed passed, $failed failed"
[[ $failed == 0 ]]
