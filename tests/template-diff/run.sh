#!/usr/bin/env bash
# Differential test: renders every corpus case with Go's text/template
# (gorender -batch) and with confinit's engine (crender -batch, one child per
# case), compares the results (gorender -compare: outputs byte for byte,
# errors by line), shows each mismatch and ends with "N passed, N failed".
# See README.md.
#
# usage: run.sh CRENDER BUILDDIR
# env:   TEMPLATE_DIFF_REPORT=1  print the summary but exit 0 (progress runs)
#        TEMPLATE_DIFF_ONLY=RE   only the cases whose name matches RE
#        TEMPLATE_DIFF_DIFF=N    lines of each mismatch's diff to show (15)
set -u

here=$(cd "$(dirname "$0")" && pwd)
crender=${1:?usage: run.sh CRENDER BUILDDIR}
build=${2:?usage: run.sh CRENDER BUILDDIR}
report=${TEMPLATE_DIFF_REPORT:-0}
only=${TEMPLATE_DIFF_ONLY:-}
difflines=${TEMPLATE_DIFF_DIFF:-15}

# A sanitizer build of crender must not pass a case where Go fails too.
export ASAN_OPTIONS=${ASAN_OPTIONS:-exitcode=99}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-exitcode=99:print_stacktrace=1}
export LSAN_OPTIONS=${LSAN_OPTIONS:-exitcode=99}

mkdir -p "$build/go" "$build/out"
build=$(cd "$build" && pwd)

# finish PASSED FAILED: the closing line and the exit status.
finish() {
	echo "$1 passed, $2 failed"
	if [ "$2" -ne 0 ] && [ "$report" != 1 ]; then
		exit 1
	fi
	exit 0
}

if ! command -v go >/dev/null 2>&1; then
	echo "template-diff: go not found (Debian package golang-go)" >&2
	finish 0 1
fi
if [ ! -x "$crender" ]; then
	echo "template-diff: $crender: not an executable" >&2
	finish 0 1
fi

# Go's caches live in the build dir: the test writes nothing under $HOME.
gorender=$build/go/gorender
if ! (cd "$here/gorender" &&
	GOCACHE=$build/go/cache GOPATH=$build/go/path GOFLAGS=-buildvcs=false \
		GOPROXY=off GO111MODULE=on GOTOOLCHAIN=local GOENV=off \
		go build -o "$gorender" .); then
	echo "template-diff: go build of gorender failed" >&2
	finish 0 1
fi

passed=0
failed=0
failures=()
out=$build/out
rm -f "$out"/*
if ! "$gorender" -batch "$here/corpus" "$out"; then
	echo "template-diff: gorender -batch failed" >&2
	finish 0 1
fi
if ! "$crender" -batch "$here/corpus" "$out"; then
	echo "template-diff: crender -batch failed" >&2
	finish 0 1
fi
if ! "$gorender" -compare "$here/corpus" "$out" >"$out/verdicts"; then
	echo "template-diff: gorender -compare failed" >&2
	finish 0 1
fi

# show NAME: what differs, as a diff or as both results.
show() {
	local b=$out/$1
	if [ "$(cat "$b.go.rc")" = 0 ] && [ "$(cat "$b.c.rc")" = 0 ]; then
		diff -u --label go --label confinit "$b.go" "$b.c" |
			head -n "$difflines" | sed 's/^/    /'
		return
	fi
	for side in go c; do
		local who=go
		[ $side = c ] && who=confinit
		if [ "$(cat "$b.$side.rc")" = 0 ]; then
			head -c 400 "$b.$side" | head -n 4 | sed "s/^/    $who out: /"
		else
			head -n 3 "$b.$side.err" | sed "s/^/    $who: /"
		fi
	done
}

while IFS=$'\t' read -r verdict why; do
	name=${verdict#* }
	if [ -n "$only" ] && ! [[ $name =~ $only ]]; then
		continue
	fi
	case $verdict in
	PASS*)
		passed=$((passed + 1))
		;;
	*)
		failed=$((failed + 1))
		failures+=("$name")
		echo "FAIL $name: $why"
		show "$name"
		;;
	esac
done <"$out/verdicts"

if [ $((passed + failed)) -eq 0 ]; then
	echo "template-diff: no case ran" >&2
	finish 0 1
fi
if [ $failed -ne 0 ]; then
	echo "failing: ${failures[*]}"
fi
finish $passed $failed
