# Fuzz targets: tests/fuzz/fuzz_NAME.c with a seed corpus in
# tests/fuzz/corpus/NAME/. make test replays every corpus (ctest fuzz/NAME);
# with -DCONFINIT_FUZZ=ON (clang) each target is also a libFuzzer binary.
confinit_sources(FUZZ_TARGETS ${CMAKE_CURRENT_SOURCE_DIR}/fuzz/fuzz_*.c)
foreach(src ${FUZZ_TARGETS})
	get_filename_component(name ${src} NAME_WE)
	string(REPLACE "fuzz_" "" short ${name})
	set(corpus ${CMAKE_CURRENT_SOURCE_DIR}/fuzz/corpus/${short})
	if(CONFINIT_FUZZ)
		add_executable(${name} ${src})
		target_link_libraries(${name} PRIVATE confinit_core)
		target_link_options(${name} PRIVATE -fsanitize=fuzzer)
		target_compile_options(${name} PRIVATE -Wno-write-strings)
		set_target_properties(${name} PROPERTIES
			RUNTIME_OUTPUT_DIRECTORY ${PROJECT_BINARY_DIR}/fuzz)
	endif()
	add_executable(replay_${short} ${src}
		${CMAKE_CURRENT_SOURCE_DIR}/fuzz/replay.c)
	target_link_libraries(replay_${short} PRIVATE confinit_core)
	target_compile_options(replay_${short} PRIVATE -Wno-write-strings)
	add_test(NAME fuzz/${short} COMMAND replay_${short} ${corpus})
	set_tests_properties(fuzz/${short} PROPERTIES TIMEOUT 300)
endforeach()
