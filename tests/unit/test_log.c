/* Unit tests of log.c: levels, JSON lines, secret redaction. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "log.h"

/* Runs fn with stderr sent to a pipe and returns what it wrote. */
static const char *
capture(void (*fn)(void))
{
	static char out[8192];
	int p[2], saved;
	ssize_t n;

	assert_int_equal(pipe(p), 0);
	saved = dup(STDERR_FILENO);
	dup2(p[1], STDERR_FILENO);
	fn();
	dup2(saved, STDERR_FILENO);
	close(saved);
	close(p[1]);
	n = read(p[0], out, sizeof(out) - 1);
	close(p[0]);
	out[n > 0 ? n : 0] = '\0';
	return out;
}

static void
emit_levels(void)
{
	log_error("e");
	log_warn("w");
	log_info("i");
	log_debug("d");
}

static void
test_levels(void **state)
{
	log_setup(LOGL_WARN, LOGF_TEXT);
	assert_string_equal(capture(emit_levels),
	    "[confinit] error: e\n[confinit] warn: w\n");
	assert_int_equal(log_level_parse("warning"), LOGL_WARN);
	assert_int_equal(log_level_parse("trace"), LOGL_TRACE);
	assert_int_equal(log_level_parse("loud"), -1);
	assert_int_equal(log_format_parse("json"), LOGF_JSON);
	assert_int_equal(log_format_parse("xml"), -1);
}

static void
emit_json(void)
{
	log_warn("a \"quoted\"\nline\t%d", 7);
}

static void
test_json(void **state)
{
	const char *out;

	log_setup(LOGL_INFO, LOGF_JSON);
	out = capture(emit_json);
	assert_non_null(strstr(out, "\"level\":\"warn\""));
	assert_non_null(
	    strstr(out, "\"msg\":\"a \\\"quoted\\\"\\nline\\u00097\"}\n"));
	assert_memory_equal(out, "{\"time\":\"", 9);
}

static void
emit_secret(void)
{
	log_info("token=s3cr3t-value and again s3cr3t-value; pw=ab");
}

static void
test_redaction(void **state)
{
	log_setup(LOGL_INFO, LOGF_TEXT);
	log_secret_add("s3cr3t-value");
	log_secret_add("ab"); /* too short to redact */
	assert_string_equal(capture(emit_secret),
	    "[confinit] info: token=*** and again ***; pw=ab\n");
	log_secret_clear();
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_levels),
	    cmocka_unit_test(test_json),
	    cmocka_unit_test(test_redaction),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
