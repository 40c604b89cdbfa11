/* Unit tests for the Consul source's pure side: URLs, request URLs,
 * recurse responses (base64, null values, folders, relative keys) and the
 * blocking-query index rules. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "sources/consul.h"

/* Parses body under prefix; asserts success. */
static struct kv *
parse_ok(const char *prefix, const char *body)
{
	struct cerr err = {{0}};
	struct kv *kv;

	if (consul_parse_kv("t", prefix, body, strlen(body), &kv, &err) != 0)
		fail_msg("parse failed: %s", err.msg);
	return kv;
}

/* Parses body; asserts failure and returns the message (static). */
static const char *
parse_fail(const char *prefix, const char *body)
{
	static struct cerr err;
	struct kv *kv;

	assert_int_equal(
	    consul_parse_kv("t", prefix, body, strlen(body), &kv, &err), -1);
	assert_null(kv);
	return err.msg;
}

static void
test_url_basic(void **state)
{
	struct consul_url u;
	struct cerr err;

	assert_int_equal(consul_url_parse("consul://h:8500/app", &u, &err), 0);
	assert_false(u.tls);
	assert_int_equal(u.nendpoints, 1);
	assert_string_equal(u.endpoints[0], "h:8500");
	assert_string_equal(u.prefix, "app/");
	assert_null(u.dc);
	assert_false(u.stale);
	assert_string_equal(u.wait, "5m");
	consul_url_free(&u);
	consul_url_free(&u); /* a freed one is empty */
}

static void
test_url_endpoints(void **state)
{
	struct consul_url u;
	struct cerr err;

	assert_int_equal(
	    consul_url_parse("consuls://a:1,b,[::1]:9/x/y/", &u, &err), 0);
	assert_true(u.tls);
	assert_int_equal(u.nendpoints, 3);
	assert_string_equal(u.endpoints[0], "a:1");
	assert_string_equal(u.endpoints[1], "b:8500");
	assert_string_equal(u.endpoints[2], "[::1]:9");
	assert_string_equal(u.prefix, "x/y/");
	consul_url_free(&u);
}

static void
test_url_prefix(void **state)
{
	struct consul_url u;
	struct cerr err;

	assert_int_equal(consul_url_parse("consul://h", &u, &err), 0);
	assert_string_equal(u.prefix, "");
	consul_url_free(&u);
	assert_int_equal(consul_url_parse("consul://h/", &u, &err), 0);
	assert_string_equal(u.prefix, "");
	consul_url_free(&u);
	assert_int_equal(consul_url_parse("consul://h//my%20app", &u, &err), 0);
	assert_string_equal(u.prefix, "my app/");
	consul_url_free(&u);
}

static void
test_url_options(void **state)
{
	struct consul_url u;
	struct cerr err;

	assert_int_equal(
	    consul_url_parse("consul://h/app?dc=dc1&stale&wait=30s", &u, &err),
	    0);
	assert_string_equal(u.dc, "dc1");
	assert_true(u.stale);
	assert_string_equal(u.wait, "30s");
	consul_url_free(&u);
	assert_int_equal(
	    consul_url_parse("consul://h/app?stale=false", &u, &err), 0);
	assert_false(u.stale);
	consul_url_free(&u);
}

static void
test_url_errors(void **state)
{
	static const char *const bad[] = {
	    "etcd://h/app",
	    "consul:///app",
	    "consul://h,/app",
	    "consul://:8500/app",
	    "consul://h:0/app",
	    "consul://h:99999/app",
	    "consul://h:x/app",
	    "consul://[::1/app",
	    "consul://h/app?dc=",
	    "consul://h/app?color=red",
	    "consul://h/app?wait=10",
	    "consul://h/app?wait=11m",
	    "consul://h/app?stale=maybe",
	    "consul://h/a%zz",
	};
	struct consul_url u;
	struct cerr err;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (consul_url_parse(bad[i], &u, &err) != -1)
			fail_msg("accepted %s", bad[i]);
		assert_int_equal(u.nendpoints, 0);
		assert_true(err.msg[0] != '\0');
	}
	assert_int_equal(consul_url_parse("consul://h/app?colour=1", &u, &err),
	    -1);
	assert_non_null(strstr(err.msg, "colour"));
}

static void
test_request_url(void **state)
{
	struct consul_url u;
	struct cerr err;
	char *s;

	assert_int_equal(consul_url_parse("consul://a:1,b:2/my app?dc=d%201&"
					  "stale&wait=1m",
			     &u, &err),
	    0);
	s = consul_request_url(&u, 0, 0);
	assert_string_equal(s,
	    "http://a:1/v1/kv/my%20app/?recurse&dc=d%201&stale");
	free(s);
	s = consul_request_url(&u, 1, 42);
	assert_string_equal(s, "http://b:2/v1/kv/my%20app/?recurse&dc=d%201&"
			       "stale&index=42&wait=1m");
	free(s);
	s = consul_request_url(&u, 2, 7); /* wraps around */
	assert_non_null(strstr(s, "http://a:1/"));
	free(s);
	consul_url_free(&u);
	assert_int_equal(consul_url_parse("consuls://h", &u, &err), 0);
	s = consul_request_url(&u, 0, 3);
	assert_string_equal(s, "https://h:8500/v1/kv/?recurse&index=3&wait=5m");
	free(s);
	consul_url_free(&u);
}

static void
test_parse_values(void **state)
{
	struct kv *kv = parse_ok("app/",
	    "[{\"Key\":\"app/\",\"Value\":null,\"ModifyIndex\":3},"
	    "{\"Key\":\"app/db/host\",\"Value\":\"MTAuMC4wLjU=\","
	    "\"Flags\":0,\"ModifyIndex\":5},"
	    "{\"Key\":\"app/db/\",\"Value\":null},"
	    "{\"Key\":\"app/empty\",\"Value\":null},"
	    "{\"Key\":\"app/nul\",\"Value\":\"YQBi\"},"
	    "{\"Key\":\"app/folder/\",\"Value\":\"eA==\"}]");

	assert_int_equal(kv_len(kv), 3);
	assert_string_equal(kv_get(kv, "db/host"), "10.0.0.5");
	assert_string_equal(kv_get(kv, "empty"), "");
	assert_memory_equal(kv_get(kv, "nul"), "a\0b", 4);
	assert_null(kv_get(kv, "folder"));
	assert_null(kv_get(kv, "db"));
	kv_free(kv);
}

static void
test_parse_root_prefix(void **state)
{
	struct kv *kv = parse_ok("", "[{\"Key\":\"a\",\"Value\":\"MQ==\"},"
				     "{\"Key\":\"b/c\",\"Value\":\"Mg==\"}]");

	assert_int_equal(kv_len(kv), 2);
	assert_string_equal(kv_get(kv, "a"), "1");
	assert_string_equal(kv_get(kv, "/b/c"), "2");
	kv_free(kv);
	kv = parse_ok("x/", "[]");
	assert_int_equal(kv_len(kv), 0);
	kv_free(kv);
}

static void
test_parse_errors(void **state)
{
	assert_non_null(strstr(parse_fail("", "[{\"Key\":\"a\""), "t:1:"));
	assert_non_null(strstr(parse_fail("", "{}"), "not a JSON array"));
	assert_non_null(strstr(parse_fail("", "[{\"Value\":null}]"), "Key"));
	assert_non_null(strstr(parse_fail("", "[1]"), "Key"));
	assert_non_null(
	    strstr(parse_fail("app/", "[{\"Key\":\"other/x\",\"Value\":null}]"),
		"\"other/x\" is not under \"app/\""));
	assert_non_null(
	    strstr(parse_fail("", "[{\"Key\":\"k\",\"Value\":\"!!!\"}]"),
		"key \"k\": Value is not base64"));
	assert_non_null(strstr(parse_fail("", "[{\"Key\":\"k\",\"Value\":5}]"),
	    "not base64"));
	assert_non_null(strstr(parse_fail("", ""), "t:"));
}

static void
test_index_header(void **state)
{
	uint64_t i = 99;

	assert_int_equal(consul_parse_index("42", &i), 0);
	assert_int_equal(i, 42);
	assert_int_equal(consul_parse_index(" 18446744073709551615\r\n", &i),
	    0);
	assert_true(i == UINT64_MAX);
	assert_int_equal(consul_parse_index("18446744073709551616", &i), -1);
	assert_int_equal(consul_parse_index("", &i), -1);
	assert_int_equal(consul_parse_index("-1", &i), -1);
	assert_int_equal(consul_parse_index("12x", &i), -1);
	assert_int_equal(consul_parse_index(NULL, &i), -1);
}

static void
test_next_index(void **state)
{
	/* Moving forward: block on the new index. */
	assert_int_equal(consul_next_index(0, 17), 17);
	assert_int_equal(consul_next_index(17, 17), 17);
	assert_int_equal(consul_next_index(17, 20), 20);
	/* Backwards: start over. */
	assert_int_equal(consul_next_index(20, 5), 0);
	assert_int_equal(consul_next_index(20, 0), 0);
	/* Zero after a start: 1, never a non-blocking 0 loop. */
	assert_int_equal(consul_next_index(0, 0), 1);
}

static void
test_bucket(void **state)
{
	struct consul_bucket b = {0};

	/* A burst of two goes at once. */
	assert_int_equal(consul_bucket_take(&b, 1000, 100), 0);
	assert_int_equal(consul_bucket_take(&b, 1000, 100), 0);
	/* The third waits a whole interval, the fourth two. */
	assert_int_equal(consul_bucket_take(&b, 1000, 100), 100);
	assert_int_equal(consul_bucket_take(&b, 1100, 100), 100);
	/* Quiet for long: the burst is back, never more than two. */
	assert_int_equal(consul_bucket_take(&b, 10000, 100), 0);
	assert_int_equal(consul_bucket_take(&b, 10000, 100), 0);
	assert_int_equal(consul_bucket_take(&b, 10050, 100), 50);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_url_basic),
	    cmocka_unit_test(test_url_endpoints),
	    cmocka_unit_test(test_url_prefix),
	    cmocka_unit_test(test_url_options),
	    cmocka_unit_test(test_url_errors),
	    cmocka_unit_test(test_request_url),
	    cmocka_unit_test(test_parse_values),
	    cmocka_unit_test(test_parse_root_prefix),
	    cmocka_unit_test(test_parse_errors),
	    cmocka_unit_test(test_index_header),
	    cmocka_unit_test(test_next_index),
	    cmocka_unit_test(test_bucket),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
