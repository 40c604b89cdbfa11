# The docs against the real binary: every example block of README.md,
# docs/*.md and examples/*/README.md (check_docs.py says how each kind is
# checked and how to mark a block). check_man.sh, beside it, is picked up
# by tests/CMakeLists.txt as tests/check_*.sh are (docs/check_man).
add_test(NAME docs/examples
	COMMAND python3 ${CMAKE_CURRENT_LIST_DIR}/check_docs.py)
set_tests_properties(docs/examples PROPERTIES
	ENVIRONMENT "CONFINIT=$<TARGET_FILE:confinit>;SRCDIR=${PROJECT_SOURCE_DIR}"
	TIMEOUT 300)
