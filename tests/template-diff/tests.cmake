# The differential test of the template engine against Go's text/template:
# crender (confinit's engine) and gorender (Go) render every case of
# corpus/ and run.sh compares the outputs byte for byte. See README.md.
set(TDIFF_DIR ${CMAKE_CURRENT_LIST_DIR})

# crender links the engine: build it once the engine defines tmpl_render()
# (while src/template/ is being written, the library may not have it yet).
set(TDIFF_HAVE_ENGINE FALSE)
file(GLOB TDIFF_ENGINE_SRC ${PROJECT_SOURCE_DIR}/src/template/*.c)
foreach(f ${TDIFF_ENGINE_SRC})
	file(STRINGS ${f} TDIFF_DEF REGEX "^tmpl_render\\(")
	if(TDIFF_DEF)
		set(TDIFF_HAVE_ENGINE TRUE)
	endif()
endforeach()

if(TDIFF_HAVE_ENGINE)
	add_executable(crender ${TDIFF_DIR}/crender.c)
	target_link_libraries(crender PRIVATE confinit_core)
	set_target_properties(crender PROPERTIES
		RUNTIME_OUTPUT_DIRECTORY ${CMAKE_CURRENT_BINARY_DIR}/template-diff)

	# Every example of docs/templates.md, by crender and by gorender.
	add_test(NAME template-docs
		COMMAND python3 ${TDIFF_DIR}/docs_examples.py
			$<TARGET_FILE:crender>
			${CMAKE_CURRENT_BINARY_DIR}/template-docs
			${PROJECT_SOURCE_DIR}/docs/templates.md)
	set_tests_properties(template-docs PROPERTIES TIMEOUT 300)

	# Registered only once the lead has created ENABLED (the engine
	# passes); until then run it by hand with TEMPLATE_DIFF_REPORT=1.
	if(EXISTS ${TDIFF_DIR}/ENABLED)
		add_test(NAME template-diff
			COMMAND bash ${TDIFF_DIR}/run.sh $<TARGET_FILE:crender>
				${CMAKE_CURRENT_BINARY_DIR}/template-diff)
		set_tests_properties(template-diff PROPERTIES TIMEOUT 300)
	endif()
endif()
