/* Unit tests for the HTTP source's pure side: URL options, format
 * selection, body parsing, and the ETag / Last-Modified validators. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "sources/http.h"
#include "xmalloc.h"

static void
test_url(void **state)
{
	struct http_url u;
	struct cerr err;

	assert_int_equal(http_url_parse("http://h:8080/cfg/app.json", &u, &err),
	    0);
	assert_false(u.tls);
	assert_string_equal(u.path, "/cfg/app.json");
	assert_false(u.has_format);
	http_url_free(&u);
	http_url_free(&u);

	assert_int_equal(http_url_parse("https://a,b/x?env=prod&format=yaml&"
					"v=2#frag",
			     &u, &err),
	    0);
	assert_true(u.tls);
	assert_string_equal(u.path, "/x?env=prod&v=2");
	assert_true(u.has_format);
	assert_int_equal(u.format, FLATTEN_YAML);
	http_url_free(&u);

	assert_int_equal(http_url_parse("http://h?format=env", &u, &err), 0);
	assert_string_equal(u.path, "/");
	assert_int_equal(u.format, FLATTEN_DOTENV);
	http_url_free(&u);
	assert_int_equal(
	    http_url_parse("http://h/c?format=properties", &u, &err), 0);
	assert_string_equal(u.path, "/c");
	assert_int_equal(u.format, FLATTEN_PROPERTIES);
	http_url_free(&u);
}

static void
test_url_errors(void **state)
{
	struct http_url u;
	struct cerr err;

	assert_int_equal(http_url_parse("ftp://h/x", &u, &err), -1);
	assert_int_equal(http_url_parse("http:///x", &u, &err), -1);
	assert_non_null(strstr(err.msg, "no host"));
	assert_int_equal(http_url_parse("http://h/x?format=toml", &u, &err),
	    -1);
	assert_non_null(strstr(err.msg, "\"toml\""));
	assert_null(u.path);
}

/* The format http_format() picks for content type ct and url. */
static enum flatten_format
pick(const char *url, const char *ct)
{
	struct http_url u;
	struct cerr err;
	enum flatten_format f;

	assert_int_equal(http_url_parse(url, &u, &err), 0);
	f = http_format(&u, ct);
	http_url_free(&u);
	return f;
}

static void
test_format(void **state)
{
	/* Content-Type first. */
	assert_int_equal(pick("http://h/a.yaml", "application/json"),
	    FLATTEN_JSON);
	assert_int_equal(pick("http://h/a", "application/problem+json; x=1"),
	    FLATTEN_JSON);
	assert_int_equal(pick("http://h/a.json", "application/yaml"),
	    FLATTEN_YAML);
	assert_int_equal(pick("http://h/a", "text/x-java-properties"),
	    FLATTEN_PROPERTIES);
	/* Then the extension (the query does not count). */
	assert_int_equal(pick("http://h/a.json", "text/plain"), FLATTEN_JSON);
	assert_int_equal(pick("http://h/a.properties?v=1.yaml", NULL),
	    FLATTEN_PROPERTIES);
	assert_int_equal(pick("http://h/.env", NULL), FLATTEN_DOTENV);
	assert_int_equal(pick("http://h/x/app.env", "text/plain"),
	    FLATTEN_DOTENV);
	/* Else YAML. */
	assert_int_equal(pick("http://h/config", NULL), FLATTEN_YAML);
	/* An explicit format wins over both. */
	assert_int_equal(pick("http://h/a.json?format=env", "application/json"),
	    FLATTEN_DOTENV);
}

/* Parses body from url with content type ct; asserts success. */
static struct kv *
body_ok(const char *url, const char *ct, const char *body)
{
	struct http_url u;
	struct cerr err = {{0}};
	struct kv *kv;

	assert_int_equal(http_url_parse(url, &u, &err), 0);
	if (http_parse_body(&u, "src", ct, body, strlen(body), &kv, &err) != 0)
		fail_msg("%s", err.msg);
	http_url_free(&u);
	return kv;
}

static void
test_body(void **state)
{
	struct kv *kv;
	struct http_url u;
	struct cerr err;

	kv = body_ok("http://h/a", "application/json",
	    "{\"db\":{\"host\":\"x\",\"port\":5432},\"l\":[1,2]}");
	assert_string_equal(kv_get(kv, "db/host"), "x");
	assert_string_equal(kv_get(kv, "db/port"), "5432");
	assert_string_equal(kv_get(kv, "l/1"), "2");
	kv_free(kv);
	kv = body_ok("http://h/a.yaml", NULL, "db:\n  host: y\n");
	assert_string_equal(kv_get(kv, "db/host"), "y");
	kv_free(kv);
	kv = body_ok("http://h/a.properties", NULL, "db.host = z\n");
	assert_string_equal(kv_get(kv, "db.host"), "z");
	kv_free(kv);
	kv = body_ok("http://h/a?format=env", NULL, "export DB_HOST=w\n");
	assert_string_equal(kv_get(kv, "DB_HOST"), "w");
	kv_free(kv);

	assert_int_equal(http_url_parse("http://h/a.json", &u, &err), 0);
	assert_int_equal(
	    http_parse_body(&u, "h/a.json", NULL, "{\"a\":", 5, &kv, &err), -1);
	assert_null(kv);
	assert_non_null(strstr(err.msg, "h/a.json:1:"));
	assert_int_equal(http_parse_body(&u, "h/a.json", "application/yaml",
			     "a: [1", 5, &kv, &err),
	    -1);
	assert_non_null(strstr(err.msg, "h/a.json:2:1: did not find"));
	/* prefix: keeps the keys under it, relative; "/" and "/db/" as
	 * elsewhere; nothing under it is an empty snapshot. */
	u.prefix = xstrdup("/db");
	assert_int_equal(http_parse_body(&u, "h/a.json", NULL,
			     "{\"db\":{\"host\":\"x\",\"a\":{\"b\":1}},"
			     "\"dbx\":2,\"db2\":{\"host\":3}}",
			     56, &kv, &err),
	    0);
	assert_int_equal(kv_len(kv), 2);
	assert_string_equal(kv_get(kv, "host"), "x");
	assert_string_equal(kv_get(kv, "a/b"), "1");
	kv_free(kv);
	free(u.prefix);
	u.prefix = xstrdup("/");
	assert_int_equal(
	    http_parse_body(&u, "h/a.json", NULL, "{\"a\":1}", 7, &kv, &err),
	    0);
	assert_string_equal(kv_get(kv, "a"), "1");
	kv_free(kv);
	free(u.prefix);
	u.prefix = xstrdup("none/");
	assert_int_equal(
	    http_parse_body(&u, "h/a.json", NULL, "{\"a\":1}", 7, &kv, &err),
	    0);
	assert_int_equal(kv_len(kv), 0);
	kv_free(kv);
	http_url_free(&u);
}

static void
test_validators(void **state)
{
	struct http_validators have = {0}, pending = {0};
	char *hdrs[3];

	/* Nothing known: an unconditional GET. */
	assert_int_equal(http_validators_request(&have, hdrs), 0);
	assert_null(hdrs[0]);

	http_validators_header(&pending, "content-type", "text/plain");
	http_validators_header(&pending, "etag", "W/\"abc\"");
	http_validators_header(&pending, "Last-Modified",
	    "Sun, 22 Nov 2026 05:00:00 GMT");
	assert_null(have.etag);
	http_validators_move(&have, &pending);
	assert_null(pending.etag);
	assert_int_equal(http_validators_request(&have, hdrs), 2);
	assert_string_equal(hdrs[0], "If-None-Match: W/\"abc\"");
	assert_string_equal(hdrs[1],
	    "If-Modified-Since: Sun, 22 Nov 2026 05:00:00 GMT");
	assert_null(hdrs[2]);
	free(hdrs[0]);
	free(hdrs[1]);

	/* A later ETag replaces the earlier one; an empty one is ignored. */
	http_validators_header(&pending, "ETag", "\"1\"");
	http_validators_header(&pending, "ETag", "\"2\"");
	http_validators_header(&pending, "ETag", "");
	http_validators_move(&have, &pending);
	assert_int_equal(http_validators_request(&have, hdrs), 1);
	assert_string_equal(hdrs[0], "If-None-Match: \"2\"");
	free(hdrs[0]);
	http_validators_free(&have);
	http_validators_free(&have);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_url),
	    cmocka_unit_test(test_url_errors),
	    cmocka_unit_test(test_format),
	    cmocka_unit_test(test_body),
	    cmocka_unit_test(test_validators),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
