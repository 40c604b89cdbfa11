#!/usr/bin/env bash
# Differential test: renders every corpus case with Go's text/template
# (gorender) and with confinit's engine (crender), compares the outputs byte
# for byte, and ends with "N passed, N failed". See README.md.
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
		GOPROXY=off GO111MODULE=on GOTOOLCHAIN=local \
		go build -o "$gorender" .); then
	echo "template-diff: go build of gorender failed" >&2
	finish 0 1
fi

# errline FILE NAME: the first line number in an error message that names
# the template ("NAME:12" in "template: NAME:12:7: ..." or "NAME:12:7: ...").
errline() {
	grep -o "$2:[0-9]\+" "$1" | head -n 1 | sed 's/.*://'
}

passed=0
failed=0
failures=()
out=$build/out
rm -f "$out"/*
if ! "$gorender" -batch "$here/corpus" "$out"; then
	echo "template-diff: gorender -batch failed" >&2
	finish 0 1
fi
for tmpl in "$here"/corpus/*.tmpl; do
	name=$(basename "$tmpl" .tmpl)
	if [ -n "$only" ] && ! [[ $name =~ $only ]]; then
		continue
	fi
	data=$here/corpus/$name.json
	[ -f "$data" ] || data=$here/corpus/default.json

	grc=$(cat "$out/$name.go.rc" 2>/dev/null || echo 9)
	timeout 10 "$crender" "$tmpl" "$data" >"$out/$name.c" 2>"$out/$name.c.err"
	crc=$?

	why=
	if [ $grc -gt 1 ]; then
		why="gorender failed to run (exit $grc): $(head -c 300 "$out/$name.go.err")"
	elif [ $crc -gt 1 ]; then
		why="crender exit $crc (crash, timeout or bad data): $(head -c 300 "$out/$name.c.err")"
	elif [ $grc -eq 0 ] && [ $crc -eq 0 ]; then
		if ! cmp -s "$out/$name.go" "$out/$name.c"; then
			why="output differs (--- go, +++ confinit)"
		fi
	elif [ $grc -eq 1 ] && [ $crc -eq 1 ]; then
		gl=$(errline "$out/$name.go.err" "$name.tmpl")
		cl=$(errline "$out/$name.c.err" "$name.tmpl")
		if [ -n "$gl" ] && [ -z "$cl" ]; then
			why="error names no $name.tmpl:LINE"
		elif [ -n "$gl" ] && [ "$gl" != "$cl" ]; then
			why="error on line $cl, Go says line $gl"
		fi
	elif [ $grc -eq 1 ]; then
		why="Go fails, confinit renders"
	else
		why="confinit fails, Go renders"
	fi

	if [ -z "$why" ]; then
		passed=$((passed + 1))
		continue
	fi
	failed=$((failed + 1))
	failures+=("$name")
	echo "FAIL $name: $why"
	case $why in
	output*)
		diff -u --label go --label confinit "$out/$name.go" "$out/$name.c" |
			head -n "$difflines" | sed 's/^/    /'
		;;
	*)
		[ $grc -eq 1 ] && sed 's/^/    go: /' "$out/$name.go.err" | head -n 3
		[ $crc -eq 1 ] && sed 's/^/    confinit: /' "$out/$name.c.err" | head -n 3
		[ $grc -eq 0 ] && head -c 300 "$out/$name.go" | sed 's/^/    go out: /' | head -n 3
		[ $crc -eq 0 ] && head -c 300 "$out/$name.c" | sed 's/^/    confinit out: /' | head -n 3
		;;
	esac
done

if [ $((passed + failed)) -eq 0 ]; then
	echo "template-diff: no case ran" >&2
	finish 0 1
fi
if [ $failed -ne 0 ]; then
	echo "failing: ${failures[*]}"
fi
finish $passed $failed
