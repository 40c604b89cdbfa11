/* Unit tests of log.c: levels, JSON lines, secret redaction. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
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

/* The URL with its password redacted, in a buffer of size bytes. */
static const char *
redacted(const char *url, size_t size)
{
	static char out[256];

	assert_true(size <= sizeof(out));
	log_url_redact(out, size, url);
	return out;
}

static void
test_url_redact(void **state)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
	    {"https://user:pw@cfg.example/app.json",
		"https://user:***@cfg.example/app.json"},
	    /* nothing to hide */
	    {"https://cfg.example/app.json", "https://cfg.example/app.json"},
	    {"https://user@cfg.example/a", "https://user@cfg.example/a"},
	    {"/etc/app.yaml", "/etc/app.yaml"},
	    {"", ""},
	    /* '@' or ':' after the authority is the path's or the query's */
	    {"https://h:8080/a@b:c?x=u:v@w#f@g",
		"https://h:8080/a@b:c?x=u:v@w#f@g"},
	    {"https://u:p@h/a@b?c=d@e", "https://u:***@h/a@b?c=d@e"},
	    {"http://h?u:p@x", "http://h?u:p@x"},
	    /* IPv6 hosts */
	    {"http://[::1]:8500/v1", "http://[::1]:8500/v1"},
	    {"http://u:p@[::1]:8500/v1", "http://u:***@[::1]:8500/v1"},
	    /* several endpoints; '@' or ':' inside the password */
	    {"etcd://u:p@h1:2379,h2:2379/p", "etcd://u:***@h1:2379,h2:2379/p"},
	    {"etcd://u:p:q@r@h1:2379/p", "etcd://u:***@h1:2379/p"},
	    {"consul://:tok@h", "consul://:***@h"},
	    {"http://u:@h", "http://u:***@h"},
	    /* every URL of a log line, and its end at a space or quote */
	    {"GET \"http://a:b@h/x\" then etcd://c:dd@k:1 failed u:v@w",
		"GET \"http://a:***@h/x\" then etcd://c:***@k:1 failed u:v@w"},
	    {"src \"http://h\": bad u:p@x", "src \"http://h\": bad u:p@x"},
	};
	size_t i;
	char *s;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_string_equal(redacted(cases[i].in, 256), cases[i].out);
		s = log_url(cases[i].in);
		if (strchr(cases[i].in, ' ') == NULL)
			assert_string_equal(s, cases[i].out);
		free(s);
	}
	/* one URL: a space in the password does not end it */
	s = log_url("http://u:p w@h/x");
	assert_string_equal(s, "http://u:***@h/x");
	free(s);
	/* cut to the buffer, always terminated, never the password */
	assert_string_equal(redacted("https://user:secret@h/x", 14),
	    "https://user:");
	assert_string_equal(redacted("https://user:secret@h/x", 16),
	    "https://user:**");
	assert_int_equal(log_url_redact(NULL, 0, "x"), 0);
}

static void
emit_url(void)
{
	log_debug("source s: GET https://alice:hunter22@cfg.example/app.json");
}

static void
test_url_in_line(void **state)
{
	log_setup(LOGL_DEBUG, LOGF_JSON);
	assert_null(strstr(capture(emit_url), "hunter22"));
	log_setup(LOGL_DEBUG, LOGF_TEXT);
	assert_string_equal(capture(emit_url),
	    "[confinit] debug: source s: GET "
	    "https://alice:***@cfg.example/app.json\n");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_levels),
	    cmocka_unit_test(test_json),
	    cmocka_unit_test(test_redaction),
	    cmocka_unit_test(test_url_redact),
	    cmocka_unit_test(test_url_in_line),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
