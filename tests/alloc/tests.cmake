# Allocation failure (tests/alloc/alloc_fail.c): replaces malloc, so only in
# a build without AddressSanitizer, which has its own.
if(NOT CONFINIT_SANITIZE AND NOT CONFINIT_FUZZ)
	add_executable(alloc_fail ${CMAKE_CURRENT_SOURCE_DIR}/alloc/alloc_fail.c)
	target_link_libraries(alloc_fail PRIVATE confinit_core)
	add_test(NAME alloc/fail COMMAND alloc_fail)
	set_tests_properties(alloc/fail PROPERTIES TIMEOUT 300)
endif()
