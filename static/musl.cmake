# CMake toolchain for the static build: musl-gcc, and every library and
# header looked up only in the prefix the static dependencies are installed
# in (CONFINIT_DEPS_PREFIX), never in the host's glibc directories.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_C_COMPILER musl-gcc)
if(NOT CONFINIT_DEPS_PREFIX)
	set(CONFINIT_DEPS_PREFIX "$ENV{CONFINIT_DEPS_PREFIX}")
endif()
set(CMAKE_FIND_ROOT_PATH "${CONFINIT_DEPS_PREFIX}")
set(CMAKE_PREFIX_PATH "/")
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
set(CMAKE_FIND_LIBRARY_SUFFIXES .a)
# Small code: each function and object in its own section, so that the
# final link drops what nothing calls; no unwind tables (C, no exceptions).
set(CMAKE_C_FLAGS_INIT
	"-ffunction-sections -fdata-sections -fno-asynchronous-unwind-tables -fno-unwind-tables")
set(CMAKE_C_FLAGS_MINSIZEREL_INIT "-Os -DNDEBUG")
