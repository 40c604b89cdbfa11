#!/bin/sh
# Size of the static confinit, part by part, beside tini-static and
# catatonit (Debian's packages), measured in the same run.
#
# usage: bench/size.sh [BUILD-STATIC]   (default build-static; make static
# first). The parts come from the link map (confinit.map): the bytes each
# archive's input sections put into the allocated output sections that
# are stored in the file (.bss excluded), after --gc-sections.
set -eu
B=${1:-build-static}
bin=$B/confinit
map=$B/confinit.map
[ -f "$bin" ] && [ -f "$map" ] || {
	echo "no $bin or $map: run make static first" >&2
	exit 1
}
tini=/usr/bin/tini-static
cata=/usr/bin/catatonit

kb() { awk -v n="$1" 'BEGIN { printf "%.1f", n / 1000 }'; }

echo "## Binaries (stripped, bytes)"
echo
echo "| binary | file size | text | data | bss |"
echo "|---|---:|---:|---:|---:|"
for f in "$bin" "$tini" "$cata"; do
	if [ ! -f "$f" ]; then
		echo "| $f | missing | | | |"
		continue
	fi
	size "$f" | awk -v f="$f" -v s="$(stat -c %s "$f")" \
	    'NR == 2 { printf "| %s | %d | %d | %d | %d |\n", f, s, $1, $2, $3 }'
done
echo
echo "## Parts of $bin (from the link map)"
echo
echo "| part | bytes | kB | share |"
echo "|---|---:|---:|---:|"
python3 - "$map" "$(stat -c %s "$bin")" <<'PY'
import re, sys

PARTS = [
    (r"\*fill\*", "alignment padding"),
    (r"libcurl\.a", "libcurl (HTTP, HTTPS)"),
    (r"libmbedtls\.a", "mbedtls: TLS"),
    (r"libmbedx509\.a", "mbedtls: X.509"),
    (r"libmbedcrypto\.a", "mbedtls: crypto"),
    (r"libcares\.a", "c-ares (DNS)"),
    (r"libyaml\.a", "libyaml"),
    (r"libpcre2-8\.a", "pcre2"),
    (r"libjansson\.a", "jansson"),
    (r"libmimalloc\.a", "mimalloc (allocator)"),
    (r"musl.*(lib[cm]\.a|crt)", "musl libc"),
    (r"libgcc|crtbegin|crtend", "libgcc, crt"),
    (r"confinit|main\.c|entropy\.c", "confinit itself"),
]
# Output sections whose bytes are stored in the file.
STORED = re.compile(r"^\.(init|fini|text|rodata|eh_frame|gcc_except_table|"
                    r"init_array|fini_array|data|got|tdata|ctors|dtors|note)")
INPUT = re.compile(r"0x([0-9a-f]+)\s+0x([0-9a-f]+)\s+(\S.*)$")

mapfile, total = sys.argv[1], int(sys.argv[2])
bytes_, out, inmap = {}, "", False
for line in open(mapfile, errors="replace"):
    line = line.rstrip("\n")
    if line.startswith("Linker script and memory map"):
        inmap = True
        continue
    if not inmap:
        continue
    if line.startswith("."):
        out = line.split()[0]
        continue
    m = INPUT.search(line)
    if not m or not STORED.match(out) or out.startswith((".tbss", ".bss")):
        continue
    f = "*fill*" if line.lstrip().startswith("*fill*") else m.group(3)
    part = next((n for r, n in PARTS if re.search(r, f)), "other")
    bytes_[part] = bytes_.get(part, 0) + int(m.group(2), 16)
summed = sum(bytes_.values())
for part, n in sorted(bytes_.items(), key=lambda x: -x[1]):
    print("| %s | %d | %.1f | %.1f%% |" % (part, n, n / 1000, 100 * n / total))
rest = total - summed
print("| ELF headers, alignment of segments | %d | %.1f | %.1f%% |"
      % (rest, rest / 1000, 100 * rest / total))
print("| **total (file size)** | %d | %.1f | 100%% |" % (total, total / 1000))
PY
echo
echo "Goal: at most 1,500,000 bytes stripped; $bin is $(kb "$(stat -c %s "$bin")") kB."
