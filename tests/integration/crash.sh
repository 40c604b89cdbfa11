#!/usr/bin/env bash
# Crash safety of rendering: rounds of confinit re-rendering a 256 KiB
# file, each killed with SIGKILL at a random moment of its run
# (tests/helpers/crashloop.c). After every kill the destination is exactly
# the old or the new content, never partial, at most one temp file is
# beside it, and after the next start none is. CRASH_ROUNDS rounds: 1,000
# with `make test-crash`; in make test 250 (100 under AddressSanitizer),
# because each round is a process start and on a loaded machine 1,000 of
# them take minutes. The file is on tmpfs when there
# is one (/dev/shm): a SIGKILL loses nothing that reached the page cache,
# so fsync adds time, not coverage (power loss is another matter).
. "$(dirname "$0")/lib/lib.bash"

D=$T_DIR
if OUT=$(mktemp -d /dev/shm/confinit-crash.XXXXXX 2>/dev/null); then
	trap 't_cleanup; rm -rf "$OUT"' EXIT
	ln -s "$OUT" "$D/out"
else
	mkdir -p "$D/out"
fi
rounds=${CRASH_ROUNDS:-250}
((T_SANITIZED)) && rounds=${CRASH_ROUNDS:-100}

# Two sources of 256 KiB values that differ in every byte, and a config
# rendering each to the same file.
for v in a b; do
	python3 -c 'import sys; print("big: " + sys.argv[1] * 262144)' "$v" \
	    >"$D/$v.yaml"
	cat >"$D/cfg-$v.yaml" <<YAML
sources: [{url: "file://$D/$v.yaml"}]
templates:
  - {contents: '{{ key "big" }}', dest: "$D/out/big.conf"}
YAML
	ci_run sub --once --config "$D/cfg-$v.yaml"
	expect_eq "$v: a clean run renders" 0 "$CI_RC"
	cp "$D/out/big.conf" "$D/$v.expected"
done
expect_eq "the two contents are 256 KiB each" "262144 262144" \
    "$(stat -c %s "$D/a.expected" "$D/b.expected" | tr '\n' ' ' |
    sed 's/ $//')"

got=$("$HELPERS/crashloop" "$rounds" "$D/out/big.conf" "$D/a.expected" \
    "$D/b.expected" "$D/cfg-a.yaml" "$D/cfg-b.yaml" \
    "$CONFINIT" --once --config @ 2>&1)
rc=$?
echo "$got"
expect_eq "$rounds kills: never a partial file, never two temp files" 0 "$rc"
# The kills must really have hit the write: some left the old content,
# some the new, some a temp file that the next start removed.
num() { sed -n "s/.*\\<$1=\\([0-9]*\\).*/\\1/p" <<<"$got"; }
expect_true "kills left the old content sometimes ($(num old))" \
    test "$(num old)" -gt 0
expect_true "and the new content sometimes ($(num new))" \
    test "$(num new)" -gt 0
expect_true "and a temp file sometimes ($(num temp_left))" \
    test "$(num temp_left)" -gt 0
expect_eq "no temp file after the next start" 0 \
    "$(num after_next_start_temps)"
finish
