# The two commands of the quick start (demo, test) and a few more; the build
# itself is CMake's.
BUILD     ?= build
ASAN      ?= build-asan
JOBS      ?= $(shell nproc)
CMAKE_OPT ?=

# Debian packages the build, the tests and the demo need.
PACKAGES = cmake make gcc clang pkg-config libcurl4-openssl-dev libyaml-dev \
	libcmocka-dev libmbedtls-dev libpcre2-dev libjansson-dev golang-go \
	etcd-server util-linux procps python3 curl nginx haproxy groff-base \
	man-db cppcheck clang-tidy

# The static binary (make static): musl and the libraries built from
# Debian's source packages by static/build-deps.sh, cached in
# $(STATIC)/deps.
STATIC    ?= build-static
# Its allocator: mimalloc, or musl's own with STATIC_MIMALLOC=OFF.
STATIC_MIMALLOC ?= ON
STATIC_PACKAGES = musl-tools dpkg-dev cmake make gcc linux-libc-dev python3 \
	file git

FUZZ      ?= build-fuzz
FUZZ_SECONDS ?= 60

.PHONY: all deps build test test-release test-asan test-valgrind test-crash demo \
	bench \
	fuzz clean static static-deps test-static test-docker

all: build

deps:
	@sh tests/deps.sh $(PACKAGES)

build: deps
	@cmake -S . -B $(BUILD) -DCONFINIT_WERROR=ON $(CMAKE_OPT) >/dev/null
	@echo "building confinit in $(BUILD)/ (log: $(BUILD)/build.log)"
	@cmake --build $(BUILD) -j $(JOBS) >$(BUILD)/build.log 2>&1 || \
		{ tail -40 $(BUILD)/build.log; exit 1; }

test: deps test-release test-asan test-static

# The static binary's libraries alone (Dockerfile.shim builds them in a
# layer of their own, so that a source change does not rebuild them).
static-deps:
	@sh tests/deps.sh $(STATIC_PACKAGES)
	@JOBS=$(JOBS) sh static/build-deps.sh $(STATIC)/deps

# A fully static confinit in $(STATIC)/confinit (stripped).
static: static-deps
	@cmake -S . -B $(STATIC) -DCMAKE_TOOLCHAIN_FILE=static/musl.cmake \
		-DCONFINIT_DEPS_PREFIX=$(abspath $(STATIC))/deps/prefix \
		-DCONFINIT_STATIC=ON -DCMAKE_BUILD_TYPE=MinSizeRel \
		-DCONFINIT_MIMALLOC=$(STATIC_MIMALLOC) \
		-DCONFINIT_WERROR=ON >/dev/null
	@cmake --build $(STATIC) -j $(JOBS) >$(STATIC)/build.log 2>&1 || \
		{ tail -40 $(STATIC)/build.log; exit 1; }
	@echo "static: $(STATIC)/confinit, $$(stat -c %s $(STATIC)/confinit) bytes"

# The static binary in an empty root (tests/static/run.sh).
test-static: static
	@sh tests/deps.sh busybox-static openssl python3 util-linux
	CONFINIT=$(STATIC)/confinit SRCDIR=$(CURDIR) bash tests/static/run.sh

test-release:
	cmake -S . -B $(BUILD) -DCONFINIT_WERROR=ON $(CMAKE_OPT) >/dev/null
	cmake --build $(BUILD) -j $(JOBS)
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

test-asan:
	cmake -S . -B $(ASAN) -DCONFINIT_WERROR=ON -DCONFINIT_SANITIZE=ON \
		-DCMAKE_BUILD_TYPE=Debug $(CMAKE_OPT) >/dev/null
	cmake --build $(ASAN) -j $(JOBS)
	cd $(ASAN) && ctest --output-on-failure -j $(JOBS)

# memcheck over the unit tests, the fuzz-corpus replays and the integration
# tests that start confinit (through ci_start/ci_run, or t_vg: lib.bash puts
# valgrind before confinit when CONFINIT_VALGRIND names a log directory;
# the apps confinit runs are not traced). Any invalid access or definite
# leak fails: tests/valgrind-check.sh names the script and run.
# Not run under valgrind (VG_SKIP):
#   crash.sh: SIGKILLs confinit at random points, so the killed runs never
#     report, and what it asserts (kills that left the old content, the new
#     one, a temp file) depends on where in a run they land: under memcheck
#     the write is ~0.2% of a run: in two tries 30 rounds (3 min) left the
#     new content 3 and 4 times, and a try with none fails. Its clean runs
#     render as config_render's do, and removing a stale temp file is
#     test_render's, both checked here.
VG_DIR  ?= $(BUILD)/valgrind
VG_SKIP ?= crash
test-valgrind: build
	@command -v valgrind >/dev/null || apt-get install -y -qq valgrind
	@fail=0; nu=0; nr=0; ns=0; for t in $(BUILD)/tests/test_* \
		$(BUILD)/tests/replay_*; do \
		case $$t in *.vg.log) continue;; \
			*replay_*) arg=tests/fuzz/corpus/$${t##*/replay_};; \
			*) arg=;; esac; \
		valgrind -q --error-exitcode=99 --leak-check=full \
			--errors-for-leak-kinds=definite --track-fds=no \
			$$t $$arg >$$t.vg.log 2>&1; rc=$$?; \
		if [ $$rc = 99 ]; then echo "valgrind: $$t"; \
			grep -E '==[0-9]+==' $$t.vg.log | head -20; fail=1; \
		elif [ $$rc != 0 ]; then echo "failed: $$t"; fail=1; \
		else echo "clean: $$t"; fi; \
		case $$t in *replay_*) nr=$$((nr + 1));; *) nu=$$((nu + 1));; esac; \
	done; \
	rm -rf $(VG_DIR); mkdir -p $(VG_DIR); \
	for t in tests/integration/*.sh; do \
		n=$${t##*/}; n=$${n%.sh}; \
		case " $(VG_SKIP) " in *" $$n "*) echo "skip: $$n"; continue;; esac; \
		grep -qE 'ci_(start|run)|t_vg' $$t || continue; \
		ns=$$((ns + 1)); \
		CONFINIT_VALGRIND=$(abspath $(VG_DIR)) \
			CONFINIT=$(abspath $(BUILD))/confinit \
			HELPERS=$(abspath $(BUILD))/tests/helpers \
			SRCDIR=$(CURDIR) BUILDDIR=$(abspath $(BUILD)) \
			bash $$t >$(VG_DIR)/$$n.out 2>&1 \
			&& echo "passed: $$n" \
			|| { echo "failed: $$n"; grep '^FAIL' $(VG_DIR)/$$n.out; fail=1; }; \
	done; \
	echo "valgrind: $$nu unit tests, $$nr corpus replays, $$ns scripts"; \
	sh tests/valgrind-check.sh $(VG_DIR) || fail=1; exit $$fail

# Dockerfile.shim, a test image and examples/dropin through a private
# dockerd, against an etcd on the host (root; minutes; not in make test).
# Its Docker data root and the debootstrapped debian:bookworm are cached in
# $(DOCKER_BUILD).
DOCKER_BUILD ?= build-docker
test-docker:
	@bash tests/docker/run.sh $(DOCKER_BUILD)

# The crash-safety test at full length: 1,000 SIGKILLs while rendering.
test-crash: build
	CRASH_ROUNDS=1000 CONFINIT=$(BUILD)/confinit \
		HELPERS=$(BUILD)/tests/helpers SRCDIR=$(CURDIR) \
		bash tests/integration/crash.sh

demo: build
	@sh examples/demo/run.sh $(BUILD)/confinit

bench: build
	@sh tests/deps.sh hyperfine tini dumb-init catatonit time golang-go \
		etcd-server
	@sh bench/run.sh $(BUILD)

# Each fuzz target for FUZZ_SECONDS, from its committed corpus; new inputs go
# to $(FUZZ)/corpus-NAME, crashes to $(FUZZ)/.
fuzz: deps
	CC=clang cmake -S . -B $(FUZZ) -DCONFINIT_FUZZ=ON \
		-DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	cmake --build $(FUZZ) -j $(JOBS)
	@for t in $(FUZZ)/fuzz/fuzz_*; do \
		n=$${t##*/fuzz_}; mkdir -p $(FUZZ)/corpus-$$n; \
		$$t -max_total_time=$(FUZZ_SECONDS) -artifact_prefix=$(FUZZ)/ \
			$(FUZZ)/corpus-$$n tests/fuzz/corpus/$$n \
			>$(FUZZ)/$$n.log 2>&1; rc=$$?; \
		echo "$$n: $$(grep -E '^Done [0-9]+ runs' $(FUZZ)/$$n.log)"; \
		[ $$rc = 0 ] || { tail -30 $(FUZZ)/$$n.log; exit 1; }; \
	done

clean:
	rm -rf $(BUILD) $(ASAN)
