# The two commands of the quick start (demo, test) and a few more; the build
# itself is CMake's.
BUILD     ?= build
ASAN      ?= build-asan
JOBS      ?= $(shell nproc)
CMAKE_OPT ?=

# Debian packages the build, the tests and the demo need.
PACKAGES = cmake make gcc clang pkg-config libcurl4-openssl-dev libyaml-dev \
	libcmocka-dev libmbedtls-dev libpcre2-dev libjansson-dev golang-go \
	etcd-server util-linux procps python3

.PHONY: all deps build test test-release test-asan demo bench clean

all: build

deps:
	@sh tests/deps.sh $(PACKAGES)

build: deps
	@cmake -S . -B $(BUILD) -DCONFINIT_WERROR=ON $(CMAKE_OPT) >/dev/null
	@echo "building confinit in $(BUILD)/ (log: $(BUILD)/build.log)"
	@cmake --build $(BUILD) -j $(JOBS) >$(BUILD)/build.log 2>&1 || \
		{ tail -40 $(BUILD)/build.log; exit 1; }

test: deps test-release test-asan

test-release:
	cmake -S . -B $(BUILD) -DCONFINIT_WERROR=ON $(CMAKE_OPT) >/dev/null
	cmake --build $(BUILD) -j $(JOBS)
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

test-asan:
	cmake -S . -B $(ASAN) -DCONFINIT_WERROR=ON -DCONFINIT_SANITIZE=ON \
		-DCMAKE_BUILD_TYPE=Debug $(CMAKE_OPT) >/dev/null
	cmake --build $(ASAN) -j $(JOBS)
	cd $(ASAN) && ctest --output-on-failure -j $(JOBS)

demo: build
	@sh examples/demo/run.sh $(BUILD)/confinit

bench: build
	@sh bench/run.sh $(BUILD)

clean:
	rm -rf $(BUILD) $(ASAN)
