#!/usr/bin/env bash
# Static analysis of src/ in make test: cppcheck and clang-tidy with a short
# list of checks kept at zero findings. Any finding fails, printed as
# file:line:col. The banned-function list is check_banned.sh.
#
# Usage: check_static.sh   (SRCDIR: the source tree; BUILDDIR: a configured
# build with compile_commands.json, for clang-tidy's compiler flags)
set -u
export LC_ALL=C

src=${SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
build=${BUILDDIR:-$src/build}
cfg=$src/tests/static/jansson.cfg

# cppcheck: every warning, portability and performance check, and the style
# checks but two:
# - variableScope: KNF declares locals at the top of the function, on purpose;
# - constParameter: "could be pointer to const" on callbacks whose type is
#   fixed by a table of function pointers.
# Only the configuration the build uses (-D_GNU_SOURCE), not every #ifdef.
run_cppcheck() {
	cppcheck -q --std=c11 -D_GNU_SOURCE -I"$src/src" --library="$cfg" \
		--enable=warning,portability,performance,style \
		--suppress=missingIncludeSystem --suppress=variableScope \
		--suppress=constParameter --inline-suppr \
		--template='{file}:{line}:{column}: {severity}: {message} [{id}]' \
		--error-exitcode=1 "$@" 2>&1
}

# clang-tidy: checks that find bugs of the kinds PID 1 cannot afford, all at
# zero findings. Left out on purpose:
# - bugprone-sizeof-expression: flags sizeof(*p) where p points to pointers,
#   the element size of our arrays of pointers (xcalloc(n, sizeof(*v)));
# - bugprone-not-null-terminated-result: flags memcpy of a few bytes into
#   the middle of a length-counted buffer, which is not a string.
# And clang's static analyzer (clang-analyzer-*, path-sensitive: null
# dereferences, use after free, uninitialised values, leaks) but three:
# - security.insecureAPI.DeprecatedOrUnsafeBufferHandling: every memcpy,
#   memset and vsnprintf, for want of C11 Annex K's memcpy_s..., which
#   neither glibc nor musl has;
# - valist.Uninitialized: clang 14 reports vsnprintf's va_list as
#   uninitialised on the line after va_start (9 reports, all so);
# - optin.performance.Padding: layout hints, not bugs.
# The analyzer does not follow calls into other files or variadic ones:
# cerr.h tells it that cerr_set() returns -1; the few NOLINTs in src/ say
# what it cannot see on their line.
CHECKS='-*,android-cloexec-*,cert-env33-c,cert-err34-c,cert-flp30-c'
CHECKS+=',cert-msc30-c,cert-msc32-c,cert-str34-c,misc-redundant-expression'
CHECKS+=',bugprone-assert-side-effect,bugprone-bool-pointer-implicit-conversion'
CHECKS+=',bugprone-branch-clone,bugprone-implicit-widening-of-multiplication-result'
CHECKS+=',bugprone-incorrect-roundings,bugprone-infinite-loop'
CHECKS+=',bugprone-integer-division,bugprone-macro-parentheses'
CHECKS+=',bugprone-misplaced-operator-in-strlen-in-alloc'
CHECKS+=',bugprone-misplaced-widening-cast,bugprone-narrowing-conversions'
CHECKS+=',bugprone-posix-return,bugprone-redundant-branch-condition'
CHECKS+=',bugprone-signal-handler,bugprone-string-literal-with-embedded-nul'
CHECKS+=',bugprone-suspicious-memset-usage,bugprone-suspicious-missing-comma'
CHECKS+=',bugprone-suspicious-semicolon,bugprone-suspicious-string-compare'
CHECKS+=',bugprone-terminating-continue,bugprone-too-small-loop-variable'
CHECKS+=',bugprone-unused-return-value'
CHECKS+=',clang-analyzer-*'
CHECKS+=',-clang-analyzer-security.insecureAPI.DeprecatedOrUnsafeBufferHandling'
CHECKS+=',-clang-analyzer-valist.Uninitialized'
CHECKS+=',-clang-analyzer-optin.performance.Padding'

# run_tidy ARGS...: clang-tidy's findings, one per line, or nothing.
run_tidy() {
	clang-tidy --quiet --checks="$CHECKS" --warnings-as-errors='*' \
		--extra-arg=-Wno-unknown-warning-option "$@" 2>/dev/null |
		grep -E '^[^ ].*: (warning|error): '
}
export CHECKS
export -f run_tidy

passed=0
failed=0
ok() {
	passed=$((passed + 1))
	echo "ok   $1"
}
fail() {
	failed=$((failed + 1))
	echo "FAIL $1"
	[[ -z ${2:-} ]] || printf '%s\n' "$2"
}

for tool in cppcheck clang-tidy; do
	command -v $tool >/dev/null || {
		echo "FAIL $tool is not installed (make deps installs it)"
		exit 1
	}
done

# Self-test: each tool must report a planted bug of a kind it checks.
t=$(mktemp -d "${TMPDIR:-/tmp}/check-static.XXXXXX")
trap 'rm -rf "$t"' EXIT
mkdir "$t/bad"
cat >"$t/bad/a.c" <<'EOF'
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
int f(const char *p);
int
f(const char *p)
{
	char buf[4];
	int fd = open(p, O_RDONLY);

	buf[4] = 0;
	if (memcmp(p, "ab", 2))
		return fd;
	return buf[0];
}
int g(int n);
int
g(int n)
{
	int *v = malloc(sizeof(*v));

	if (v == NULL)
		return -1;
	*v = n;
	free(v);
	return *v;
}
EOF
got=$(run_cppcheck "$t/bad")
if [[ $got == *"a.c:11:"*arrayIndexOutOfBounds* ]]; then
	ok "self-test: cppcheck reports a planted out-of-bounds write"
else
	fail "self-test: cppcheck missed the planted bug" "$got"
fi
got=$(run_tidy "$t/bad/a.c" -- -std=c11)
if [[ $got == *"a.c:9:"*android-cloexec-open* &&
	$got == *"a.c:12:"*bugprone-suspicious-string-compare* &&
	$got == *"a.c:26:"*clang-analyzer-unix.Malloc* ]]; then
	ok "self-test: clang-tidy reports a planted open without O_CLOEXEC, a memcmp as a boolean, a use after free"
else
	fail "self-test: clang-tidy missed the planted bugs" "$got"
fi

if got=$(run_cppcheck "$src/src"); then
	ok "cppcheck: src/ has no finding"
else
	fail "cppcheck findings in src/:" "$got"
fi

db=$build/compile_commands.json
if [[ ! -f $db ]]; then
	fail "no $db (configure with cmake first)"
else
	# The files of src/ that the build compiles, from its database.
	mapfile -t files < <(python3 -c '
import json, sys
for e in json.load(open(sys.argv[1])):
	f = e["file"]
	if "/src/" in f and f.startswith(sys.argv[2] + "/src/"):
		print(f)' "$db" "$src" | sort -u)
	if [[ ${#files[@]} -lt 10 ]]; then
		fail "clang-tidy: only ${#files[@]} files of src/ in $db"
	# Four files a run, one run per core: the analyzer makes this the
	# longest test of make test (~2 min of CPU on a quiet machine).
	elif got=$(printf '%s\0' "${files[@]}" | xargs -0 -n 4 -P "$(nproc)" \
	    bash -c 'run_tidy -p "$0" "$@"' "$build"); [[ -z $got ]]; then
		ok "clang-tidy: ${#files[@]} files of src/, no finding"
	else
		fail "clang-tidy findings in src/:" "$got"
	fi
fi
echo "$passed passed, $failed failed"
[[ $failed == 0 ]]
