#!/bin/sh
# Builds the static libraries confinit links (mimalloc, mbedtls, c-ares,
# libcurl, libyaml, jansson, pcre2) with musl-gcc, from Debian's source
# packages.
#
# usage: static/build-deps.sh DIR
#
# The sources come from `apt-get source` through a private apt
# configuration under DIR/apt: its own sources list (deb-src lines for the
# mirrors the system's apt already uses), lists and cache. The system's apt
# configuration is read, never changed. The libraries are installed in
# DIR/prefix. Each step leaves a stamp in DIR/stamp, so a second run does
# nothing; a change to this script or to the files beside it rebuilds the
# libraries (the downloaded sources are kept).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
[ $# -eq 1 ] || { echo "usage: $0 DIR" >&2; exit 2; }
mkdir -p "$1"
D=$(cd "$1" && pwd)
PREFIX=$D/prefix
STAMP=$D/stamp
JOBS=${JOBS:-2}
export CONFINIT_DEPS_PREFIX="$PREFIX"
mkdir -p "$STAMP" "$D/src" "$D/build" "$D/log"

# Debian source package names, in build order (curl needs mbedtls, c-ares).
PKGS="mimalloc mbedtls c-ares curl libyaml jansson pcre2"

# The recipe: when it changes, the libraries are built again.
recipe=$(cat "$here/build-deps.sh" "$here/musl.cmake" "$here/mbedtls.conf" \
	"$here"/patches/*.patch | sha256sum | cut -c1-16)
if [ "$(cat "$STAMP/recipe" 2>/dev/null)" != "$recipe" ]; then
	rm -rf "$STAMP"/*.built "$PREFIX" "$D/build"
	mkdir -p "$D/build"
	echo "$recipe" >"$STAMP/recipe"
fi

# --- sources through a private apt configuration --------------------------

# Prints one "URI SUITE COMPONENTS SIGNED-BY" line for each `deb` entry of
# the system's sources (deb822 .sources files and one-line .list files).
apt_mirrors() {
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] || continue
		awk 'function flush() {
			if (deb && uris != "")
				for (i = 1; i <= nu; i++)
					for (j = 1; j <= ns; j++)
						print u[i], s[j], comps, (key == "" ? "-" : key)
			deb = 0; uris = ""; comps = "main"; key = ""; nu = ns = 0
		}
		BEGIN { comps = "main" }
		/^[ \t]*$/ { flush(); next }
		/^#/ { next }
		tolower($1) == "types:" { for (i = 2; i <= NF; i++) if ($i == "deb") deb = 1 }
		tolower($1) == "uris:" { uris = $2; nu = split(substr($0, index($0, $2)), u, " ") }
		tolower($1) == "suites:" { ns = split(substr($0, index($0, $2)), s, " ") }
		tolower($1) == "components:" { comps = substr($0, index($0, $2)); gsub(/ /, ",", comps) }
		tolower($1) == "signed-by:" { key = $2 }
		END { flush() }' "$f"
	done
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
		[ -f "$f" ] || continue
		awk '$1 == "deb" {
			key = "-"; i = 2
			if ($2 ~ /^\[/) {
				for (; i <= NF; i++) {
					if ($i ~ /signed-by=/) { key = $i; sub(/.*signed-by=/, "", key); sub(/\]$/, "", key) }
					if ($i ~ /\]$/) { i++; break }
				}
			}
			comps = ""
			for (j = i + 2; j <= NF; j++) comps = comps (comps == "" ? "" : ",") $j
			print $i, $(i + 1), comps, key
		}' "$f"
	done
}

apt_setup() {
	a=$D/apt
	mkdir -p "$a/lists/partial" "$a/cache/archives/partial" "$a/state" \
		"$a/sources.list.d"
	: >"$a/sources.list.new"
	apt_mirrors | while read -r uri suite comps key; do
		opt=
		[ "$key" = - ] || opt="[signed-by=$key] "
		echo "deb-src $opt$uri $suite $(echo "$comps" | tr , ' ')"
	done | sort -u >"$a/sources.list.new"
	if [ ! -s "$a/sources.list.new" ]; then
		echo "static: no deb entry found in /etc/apt/sources.list*" >&2
		exit 1
	fi
	mv "$a/sources.list.new" "$a/sources.list"
	user=$(id -un)
	APT="-o Dir::Etc::SourceList=$a/sources.list
		-o Dir::Etc::SourceParts=$a/sources.list.d
		-o Dir::State=$a/state -o Dir::State::Lists=$a/lists
		-o Dir::State::status=/var/lib/dpkg/status
		-o Dir::Cache=$a/cache -o Dir::Cache::pkgcache=
		-o Dir::Cache::srcpkgcache= -o APT::Sandbox::User=$user
		-o Acquire::Languages=none -qq"
	if [ ! -f "$STAMP/apt.updated" ]; then
		echo "static: apt-get update (private lists in $a)"
		# shellcheck disable=SC2086
		apt-get $APT update >"$D/log/apt-update.log" 2>&1 ||
			{ cat "$D/log/apt-update.log" >&2; exit 1; }
		touch "$STAMP/apt.updated"
	fi
}

# fetch PKG: unpacks Debian's source package PKG (Debian's patches applied)
# in DIR/src/PKG. The newest version first; when the mirror lacks its files,
# the one of the release itself.
fetch() {
	[ -f "$STAMP/$1.fetched" ] && return 0
	[ -n "${APT:-}" ] || apt_setup
	codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-bookworm}")
	rm -rf "$D/src/$1.tmp"
	mkdir -p "$D/src/$1.tmp"
	echo "static: apt-get source $1"
	# shellcheck disable=SC2086
	(cd "$D/src/$1.tmp" && { apt-get $APT source "$1" ||
		{ rm -rf ./* && apt-get $APT source "$1/$codename"; }; }) \
		>"$D/log/fetch-$1.log" 2>&1 ||
		{ cat "$D/log/fetch-$1.log" >&2; exit 1; }
	dir=$(find "$D/src/$1.tmp" -mindepth 1 -maxdepth 1 -type d)
	rm -rf "$D/src/$1"
	mv "$dir" "$D/src/$1"
	grep -h '^Version:' "$D/src/$1.tmp"/*.dsc | cut -d' ' -f2 \
		>"$D/src/$1.version"
	rm -rf "$D/src/$1.tmp"
	touch "$STAMP/$1.fetched"
}

# patches PKG: applies static/patches/PKG-*.patch to DIR/src/PKG, each
# once (a patch already applied is left as it is).
patches() {
	for f in "$here/patches/$1"-*.patch; do
		[ -f "$f" ] || continue
		if patch -d "$D/src/$1" -p1 -R --dry-run -s -f <"$f" \
			>/dev/null 2>&1; then
			continue
		fi
		patch -d "$D/src/$1" -p1 -s -f <"$f" ||
			{ echo "static: $f does not apply" >&2; exit 1; }
	done
}

# cmake_lib PKG CMAKE-ARGS...: configures, builds and installs one library
# with musl-gcc, small code, into the prefix.
cmake_lib() {
	p=$1
	shift
	[ -f "$STAMP/$p.built" ] && return 0
	fetch "$p"
	patches "$p"
	echo "static: building $p $(cat "$D/src/$p.version")"
	b=$D/build/$p
	rm -rf "$b"
	{
		cmake -S "$D/src/$p" -B "$b" \
			-DCMAKE_TOOLCHAIN_FILE="$here/musl.cmake" \
			-DCMAKE_BUILD_TYPE=MinSizeRel \
			-DCMAKE_INSTALL_PREFIX="$PREFIX" \
			-DCMAKE_INSTALL_LIBDIR=lib \
			-DBUILD_SHARED_LIBS=OFF -DBUILD_TESTING=OFF "$@" &&
			cmake --build "$b" -j "$JOBS" &&
			cmake --install "$b"
	} >"$D/log/build-$p.log" 2>&1 ||
		{ tail -40 "$D/log/build-$p.log" >&2; exit 1; }
	touch "$STAMP/$p.built"
}

# mbedtls: its configuration header is edited in the unpacked source (see
# mbedtls.conf), so the installed header and the library agree.
mbedtls_config() {
	[ -f "$STAMP/mbedtls.built" ] && return 0
	fetch mbedtls
	cfg=$D/src/mbedtls/include/mbedtls/config.h
	[ -f "$cfg.orig" ] || cp "$cfg" "$cfg.orig"
	cp "$cfg.orig" "$cfg"
	grep -v '^[ \t]*\(#\|$\)' "$here/mbedtls.conf" | while read -r op name; do
		python3 "$D/src/mbedtls/scripts/config.py" -f "$cfg" "$op" "$name"
	done
}

# mimalloc: replaces musl's malloc (docs/internals.md, "The static
# binary"); a static library only, nothing collected at exit (the process
# is ending), the override of the malloc family on.
cmake_lib mimalloc -DMI_BUILD_SHARED=OFF -DMI_BUILD_STATIC=ON \
	-DMI_BUILD_OBJECT=OFF -DMI_BUILD_TESTS=OFF -DMI_OVERRIDE=ON \
	-DMI_INSTALL_TOPLEVEL=ON -DMI_SKIP_COLLECT_ON_EXIT=ON
mbedtls_config
cmake_lib mbedtls -DENABLE_PROGRAMS=OFF -DENABLE_TESTING=OFF \
	-DMBEDTLS_FATAL_WARNINGS=OFF -DUSE_SHARED_MBEDTLS_LIBRARY=OFF \
	-DUSE_STATIC_MBEDTLS_LIBRARY=ON
# c-ares: its CMake looks for /dev/urandom with find_file, which the
# toolchain's prefix-only search cannot see; without it the DNS query ids
# come from an unseeded rand(). Named here; where it is missing (an empty
# root) static/entropy.c seeds rand() from getrandom().
cmake_lib c-ares -DCARES_STATIC=ON -DCARES_SHARED=OFF \
	-DCARES_BUILD_TOOLS=OFF -DCARES_BUILD_TESTS=OFF \
	-DCARES_RANDOM_FILE=/dev/urandom
# libcurl: HTTP and HTTPS (mbedtls), c-ares for names, nothing else.
cmake_lib curl -DBUILD_CURL_EXE=OFF -DHTTP_ONLY=ON \
	-DCURL_ENABLE_SSL=ON -DCURL_USE_MBEDTLS=ON -DCURL_USE_OPENSSL=OFF \
	-DENABLE_ARES=ON -DENABLE_THREADED_RESOLVER=OFF \
	-DCURL_CA_BUNDLE=none -DCURL_CA_PATH=none -DCURL_CA_FALLBACK=OFF \
	-DCURL_ZLIB=OFF -DCURL_BROTLI=OFF -DCURL_ZSTD=OFF -DUSE_NGHTTP2=OFF \
	-DCURL_USE_LIBPSL=OFF -DCURL_USE_LIBSSH2=OFF -DCURL_USE_LIBSSH=OFF \
	-DUSE_LIBIDN2=OFF -DCURL_USE_GSSAPI=OFF -DENABLE_UNIX_SOCKETS=OFF \
	-DCURL_DISABLE_ALTSVC=ON -DCURL_DISABLE_COOKIES=ON \
	-DCURL_DISABLE_CRYPTO_AUTH=ON -DCURL_DISABLE_DOH=ON \
	-DCURL_DISABLE_GETOPTIONS=ON -DCURL_DISABLE_HSTS=ON \
	-DCURL_DISABLE_HTTP_AUTH=ON -DCURL_DISABLE_LIBCURL_OPTION=ON \
	-DCURL_DISABLE_MIME=ON -DCURL_DISABLE_NETRC=ON -DCURL_DISABLE_NTLM=ON \
	-DCURL_DISABLE_PARSEDATE=ON -DCURL_DISABLE_PROGRESS_METER=ON \
	-DCURL_DISABLE_PROXY=ON -DCURL_DISABLE_SHUFFLE_DNS=ON \
	-DCURL_DISABLE_SOCKETPAIR=ON -DCURL_LTO=OFF -DPICKY_COMPILER=OFF
cmake_lib libyaml -DINSTALL_CMAKE_DIR=lib/cmake/yaml
cmake_lib jansson -DJANSSON_BUILD_DOCS=OFF -DJANSSON_EXAMPLES=OFF \
	-DJANSSON_WITHOUT_TESTS=ON -DJANSSON_BUILD_SHARED_LIBS=OFF
# pcre2: 8-bit with Unicode, no JIT (confinit does not use it), no tools.
cmake_lib pcre2 -DPCRE2_BUILD_PCRE2_8=ON -DPCRE2_BUILD_PCRE2_16=OFF \
	-DPCRE2_BUILD_PCRE2_32=OFF -DPCRE2_SUPPORT_JIT=OFF \
	-DPCRE2_SUPPORT_UNICODE=ON -DPCRE2_BUILD_PCRE2GREP=OFF \
	-DPCRE2_BUILD_TESTS=OFF -DPCRE2_SUPPORT_LIBZ=OFF \
	-DPCRE2_SUPPORT_LIBBZ2=OFF -DPCRE2_SUPPORT_LIBEDIT=OFF \
	-DPCRE2_SUPPORT_LIBREADLINE=OFF
echo "static: libraries ready in $PREFIX"
