/* Unit tests for envsubst: ${VAR} forms, $$, and error positions. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "envsubst.h"

static char *const env[] = {
    "HOME=/root",
    "EMPTY=",
    "NAME=app",
    "HOST_1=db.local",
    "NAMEX=wrong",
    NULL,
};

/* Expands s and checks the result. */
static void
expect(const char *s, const char *want)
{
	struct envsubst_error e;
	char *out = NULL;
	size_t len = 0;

	if (envsubst_expand(s, strlen(s), env, &out, &len, &e) != 0)
		fail_msg("%s: unexpected error %zu:%zu: %s", s, e.line, e.col,
		    e.msg);
	assert_string_equal(out, want);
	assert_int_equal(len, strlen(want));
	free(out);
}

/* Expands s and checks the error's position and message. */
static void
expect_error(const char *s, size_t line, size_t col, const char *msg)
{
	struct envsubst_error e;
	char *out = NULL;

	assert_int_equal(envsubst_expand(s, strlen(s), env, &out, NULL, &e),
	    -1);
	assert_null(out);
	assert_string_equal(e.msg, msg);
	assert_int_equal(e.line, line);
	assert_int_equal(e.col, col);
}

static void
test_plain(void **state)
{
	expect("", "");
	expect("no dollars", "no dollars");
	expect("${HOME}", "/root");
	expect("home=${HOME}/x", "home=/root/x");
	expect("${NAME}${NAME}", "appapp");
	expect("${HOST_1}", "db.local");
	expect("${UNSET}", "");
	expect("${EMPTY}", "");
	/* NAME must not match NAMEX and vice versa. */
	expect("${NAMEX}", "wrong");
}

static void
test_defaults(void **state)
{
	expect("${UNSET:-fallback}", "fallback");
	expect("${EMPTY:-fallback}", "fallback");
	expect("${EMPTY-fallback}", "");
	expect("${UNSET-fallback}", "fallback");
	expect("${NAME:-fallback}", "app");
	expect("${UNSET:-}", "");
	expect("${UNSET:-a b:c}", "a b:c");
	/* Nested expansion in the default. */
	expect("${UNSET:-${NAME}-x}", "app-x");
	expect("${UNSET:-${ALSO:-deep}}", "deep");
	expect("${NAME:-${UNSET:?not evaluated}}", "app");
}

static void
test_required(void **state)
{
	expect("${NAME:?must be set}", "app");
	expect("${EMPTY?set but empty is fine}", "");
	expect_error("x ${UNSET:?set UNSET please}", 1, 3,
	    "UNSET: set UNSET please");
	expect_error("${EMPTY:?}", 1, 1, "EMPTY: parameter null or not set");
	expect_error("${UNSET?}", 1, 1, "UNSET: parameter not set");
	expect_error("a\nbb\n  ${NOPE:?need ${NAME}}", 3, 3, "NOPE: need app");
}

static void
test_dollars(void **state)
{
	expect("$$", "$");
	expect("$${HOME}", "${HOME}");
	expect("$$$${HOME}", "$${HOME}");
	expect("$HOME", "$HOME");
	expect("cost: 5$", "cost: 5$");
	expect("$ {HOME}", "$ {HOME}");
	expect("a}b", "a}b");
	expect("${NAME}}", "app}");
}

static void
test_errors(void **state)
{
	expect_error("abc ${HOME", 1, 5, "unterminated ${");
	expect_error("line1\n  ${", 2, 3, "unterminated ${");
	expect_error("${UNSET:-abc", 1, 1, "unterminated ${");
	expect_error("${UNSET:-${X}", 1, 1, "unterminated ${");
	expect_error("${}", 1, 1, "bad variable name in ${");
	expect_error("${1A}", 1, 1, "bad variable name in ${");
	expect_error("${A B}", 1, 4,
	    "bad character ' ' in ${A...} (expected }, :-, -, :? or ?)");
	expect_error("${A:+x}", 1, 5,
	    "bad character '+' in ${A...} (expected }, :-, -, :? or ?)");
	expect_error("${A:", 1, 1, "unterminated ${");
}

static void
test_string_wrapper(void **state)
{
	struct cerr err = {{0}};
	char *out = NULL;

	assert_int_equal(
	    envsubst_string("t.tmpl", "ok ${NAME}", env, &out, &err), 0);
	assert_string_equal(out, "ok app");
	free(out);
	assert_int_equal(
	    envsubst_string("t.tmpl", "\n\n ${X:?gone}", env, &out, &err), -1);
	assert_string_equal(err.msg, "t.tmpl:3:2: X: gone");
	/* A NULL environment is empty. */
	assert_int_equal(
	    envsubst_string("t", "${HOME:-none}", NULL, &out, &err), 0);
	assert_string_equal(out, "none");
	free(out);
}

static void
test_deep_nesting(void **state)
{
	char s[4096] = "";
	size_t i;

	for (i = 0; i < 40; i++)
		strcat(s, "${U:-");
	for (i = 0; i < 40; i++)
		strcat(s, "}");
	expect_error(s, 1, 1 + 32 * 5, "${ nested too deeply");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_plain),
	    cmocka_unit_test(test_defaults),
	    cmocka_unit_test(test_required),
	    cmocka_unit_test(test_dollars),
	    cmocka_unit_test(test_errors),
	    cmocka_unit_test(test_string_wrapper),
	    cmocka_unit_test(test_deep_nesting),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
