/* Unit tests for flatten: YAML, JSON, .properties and .env to flat keys. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "flatten.h"
#include "xmalloc.h"

/* Appends "key=value\n" for every key. */
static int
dump_one(void *arg, const char *key, const char *value)
{
	buf_printf(arg, "%s=%s\n", key, value);
	return 0;
}

/* Flattens text in format f and compares every key=value line. */
static void
expect(enum flatten_format f, const char *text, const char *want)
{
	struct kv *kv = kv_new();
	struct cerr err = {{0}};
	struct buf b = {0};

	if (flatten(f, "t", text, strlen(text), kv, &err) != 0)
		fail_msg("unexpected error: %s", err.msg);
	buf_puts(&b, "");
	kv_walk(kv, "", dump_one, &b);
	assert_string_equal(b.data, want);
	buf_free(&b);
	kv_free(kv);
}

/* Flattens text and checks the exact error message. */
static void
expect_error(enum flatten_format f, const char *text, const char *msg)
{
	struct kv *kv = kv_new();
	struct cerr err = {{0}};

	assert_int_equal(flatten(f, "t", text, strlen(text), kv, &err), -1);
	assert_string_equal(err.msg, msg);
	kv_free(kv);
}

static void
test_format_for(void **state)
{
	assert_int_equal(flatten_format_for("/a/b.yaml"), FLATTEN_YAML);
	assert_int_equal(flatten_format_for("b.YML"), FLATTEN_YAML);
	assert_int_equal(flatten_format_for("/x.d/b.json"), FLATTEN_JSON);
	assert_int_equal(flatten_format_for("app.properties"),
	    FLATTEN_PROPERTIES);
	assert_int_equal(flatten_format_for("/srv/.env"), FLATTEN_DOTENV);
	assert_int_equal(flatten_format_for("prod.env"), FLATTEN_DOTENV);
	assert_int_equal(flatten_format_for("/etc/x.d/config"), FLATTEN_YAML);
	assert_int_equal(flatten_format_for("config.txt"), FLATTEN_YAML);
}

static void
test_format_for_http(void **state)
{
	assert_int_equal(flatten_format_for_http("application/json", "/x"),
	    FLATTEN_JSON);
	assert_int_equal(flatten_format_for_http(
			     "Application/JSON; charset=utf-8", "/x.yaml"),
	    FLATTEN_JSON);
	assert_int_equal(
	    flatten_format_for_http("application/vnd.x+json", "/x"),
	    FLATTEN_JSON);
	assert_int_equal(
	    flatten_format_for_http("application/x-yaml", "/x.json"),
	    FLATTEN_YAML);
	assert_int_equal(flatten_format_for_http("text/yaml", "/x.env"),
	    FLATTEN_YAML);
	assert_int_equal(
	    flatten_format_for_http("text/x-java-properties", "/x"),
	    FLATTEN_PROPERTIES);
	/* Unknown or missing types fall back to the URL's extension. */
	assert_int_equal(
	    flatten_format_for_http("text/plain", "https://h/app.env?v=1"),
	    FLATTEN_DOTENV);
	assert_int_equal(
	    flatten_format_for_http(NULL, "https://h/a.properties#x"),
	    FLATTEN_PROPERTIES);
	assert_int_equal(flatten_format_for_http(NULL, "https://h/cfg.json"),
	    FLATTEN_JSON);
	assert_int_equal(flatten_format_for_http("", "https://h/cfg"),
	    FLATTEN_YAML);
}

static void
test_yaml_nested(void **state)
{
	expect(FLATTEN_YAML,
	    "db:\n"
	    "  host: 10.0.0.5\n"
	    "  port: 5432\n"
	    "  replicas: [a, b]\n"
	    "  opts: {ssl: yes, ratio: 1.50, none: ~, nul: null, e: }\n"
	    "servers:\n"
	    "  - name: s1\n"
	    "    tags: [x]\n"
	    "  - name: s2\n"
	    "quoted: \"null\"\n"
	    "text: |\n"
	    "  line1\n"
	    "  line2\n"
	    "empty_map: {}\n"
	    "empty_list: []\n",
	    "db/host=10.0.0.5\n"
	    "db/opts/e=\n"
	    "db/opts/none=\n"
	    "db/opts/nul=\n"
	    "db/opts/ratio=1.50\n"
	    "db/opts/ssl=yes\n"
	    "db/port=5432\n"
	    "db/replicas/0=a\n"
	    "db/replicas/1=b\n"
	    "quoted=null\n"
	    "servers/0/name=s1\n"
	    "servers/0/tags/0=x\n"
	    "servers/1/name=s2\n"
	    "text=line1\nline2\n\n");
}

static void
test_yaml_top_level(void **state)
{
	expect(FLATTEN_YAML, "", "");
	expect(FLATTEN_YAML, "# only a comment\n", "");
	expect(FLATTEN_YAML, "---\n...\n", "");
	expect(FLATTEN_YAML, "- a\n- b\n", "0=a\n1=b\n");
	/* Anchors and aliases are followed. */
	expect(FLATTEN_YAML, "a: &x {k: v}\nb: *x\n", "a/k=v\nb/k=v\n");
	/* Keys with '/' are kept as they are. */
	expect(FLATTEN_YAML, "\"a/b\": {c: 1}\n", "a/b/c=1\n");
	/* A later duplicate key wins. */
	expect(FLATTEN_YAML, "a: 1\na: 2\n", "a=2\n");
}

static void
test_yaml_errors(void **state)
{
	expect_error(FLATTEN_YAML, "a: b\n  c: d\n",
	    "t:2:4: mapping values are not allowed in this context");
	expect_error(FLATTEN_YAML, "just a scalar\n",
	    "t:1:1: the top level must be a map or a list");
	expect_error(FLATTEN_YAML, "a: 1\n---\nb: 2\n",
	    "t:2:1: more than one document");
	expect_error(FLATTEN_YAML, "a:\n  ? [x]\n  : y\n",
	    "t:2:5: a key must be a scalar");
	expect_error(FLATTEN_YAML, "a: \"open\n",
	    "t:2:1: found unexpected end of stream while scanning a quoted "
	    "scalar");
	/* A list that contains itself. */
	expect_error(FLATTEN_YAML, "a: &a [*a]\n",
	    "t:1:4: nested deeper than 128");
	expect_error(FLATTEN_YAML, "a: *nope\n",
	    "t:1:4: found undefined alias");
}

/* Anchors and aliases as yaml_parser_load() composes them: an alias
 * repeats its anchor's node wherever it is used, keys included. */
static void
test_yaml_aliases(void **state)
{
	expect(FLATTEN_YAML, "x: &s v\nl: [*s, &m {k: *s}, *m]\n*s : w\n",
	    "l/0=v\nl/1/k=v\nl/2/k=v\nv=w\nx=v\n");
	expect(FLATTEN_YAML, "- &a [1, 2]\n- [*a, *a]\n",
	    "0/0=1\n0/1=2\n1/0/0=1\n1/0/1=2\n1/1/0=1\n1/1/1=2\n");
	expect_error(FLATTEN_YAML, "a: &a 1\nb: &a 2\n",
	    "t:2:4: second occurrence found duplicate anchor; first "
	    "occurrence");
	/* An alias to a map as a key: the map's own position. */
	expect_error(FLATTEN_YAML, "a: &m {x: 1}\n*m : 2\n",
	    "t:1:4: a key must be a scalar");
	/* A cycle through a map, and one at the top. */
	expect_error(FLATTEN_YAML, "a: &a {b: {c: *a}}\nz: 1\n",
	    "t:1:4: nested deeper than 128");
	expect_error(FLATTEN_YAML, "&r {a: *r}\n",
	    "t:1:1: nested deeper than 128");
	/* Anchors end with their document. */
	expect_error(FLATTEN_YAML, "a: &a 1\n---\nb: *a\n",
	    "t:3:4: found undefined alias");
}

/* A parse error anywhere in the first two documents comes before a second
 * document, which comes before the errors of walking the first. */
static void
test_yaml_error_order(void **state)
{
	expect_error(FLATTEN_YAML, "a: &a [*a]\nb: \"open\n",
	    "t:3:1: found unexpected end of stream while scanning a quoted "
	    "scalar");
	expect_error(FLATTEN_YAML, "a: &a [*a]\n---\n[\n",
	    "t:4:1: did not find expected node content while parsing a flow "
	    "node");
	expect_error(FLATTEN_YAML, "a:\n  ? [x]\n  : y\n---\nb: 1\n",
	    "t:4:1: more than one document");
	expect_error(FLATTEN_YAML, "a: 1\n---\nb: 2\n---\n[\n",
	    "t:2:1: more than one document");
}

/* Aliases that would expand to billions of keys are cut off. */
static void
test_yaml_alias_bomb(void **state)
{
	const char *bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
			   "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
			   "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
			   "d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
			   "e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\n"
			   "f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]\n"
			   "g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f, *f]\n";
	struct kv *kv = kv_new();
	struct cerr err = {{0}};

	assert_int_equal(flatten_yaml("t", bomb, strlen(bomb), kv, &err), -1);
	assert_non_null(strstr(err.msg, "more than 1000000 keys"));
	kv_free(kv);
}

static void
test_json(void **state)
{
	expect(FLATTEN_JSON,
	    "{\"db\": {\"host\": \"10.0.0.5\", \"port\": 5432,\n"
	    " \"ratio\": 1.50, \"big\": -12.5e+10, \"on\": true,\n"
	    " \"off\": false, \"nothing\": null},\n"
	    " \"list\": [1, [2, 3], {\"k\": \"v\"}], \"e\": {}, \"l\": []}",
	    "db/big=-12.5e+10\n"
	    "db/host=10.0.0.5\n"
	    "db/nothing=\n"
	    "db/off=false\n"
	    "db/on=true\n"
	    "db/port=5432\n"
	    "db/ratio=1.50\n"
	    "list/0=1\n"
	    "list/1/0=2\n"
	    "list/1/1=3\n"
	    "list/2/k=v\n");
	expect(FLATTEN_JSON, "[\"a\"]", "0=a\n");
	expect(FLATTEN_JSON, "  \n", "");
	expect(FLATTEN_JSON, "\xef\xbb\xbf{\"a\":1}", "a=1\n");
}

static void
test_json_escapes(void **state)
{
	expect(FLATTEN_JSON,
	    "{\"s\": \"q\\\" b\\\\ s\\/ \\b\\f\\n\\r\\t\","
	    " \"u\": \"\\u00e9\\u4e2d\", \"pair\": \"\\ud83d\\ude00\","
	    " \"lone\": \"\\ud800x\", \"raw\": \"\xc3\xa9\"}",
	    "lone=\xef\xbf\xbdx\n"
	    "pair=\xf0\x9f\x98\x80\n"
	    "raw=\xc3\xa9\n"
	    "s=q\" b\\ s/ \b\f\n\r\t\n"
	    "u=\xc3\xa9\xe4\xb8\xad\n");
	/* Escaped key characters, and an embedded NUL in a value. */
	struct kv *kv = kv_new();
	const char *t = "{\"a\\u002fb\": \"x\\u0000y\"}";

	assert_int_equal(flatten_json("t", t, strlen(t), kv, NULL), 0);
	assert_memory_equal(kv_get(kv, "a/b"), "x\0y", 4);
	kv_free(kv);
}

static void
test_json_errors(void **state)
{
	expect_error(FLATTEN_JSON, "{\"a\": 1,}",
	    "t:1:9: expected a string key");
	expect_error(FLATTEN_JSON, "{\n  \"a\": 01\n}",
	    "t:2:9: expected ',' or '}'");
	expect_error(FLATTEN_JSON, "{\"a\": [1 2]}",
	    "t:1:10: expected ',' or ']'");
	expect_error(FLATTEN_JSON, "{\"a\": \"x\\q\"}",
	    "t:1:9: bad escape in string");
	expect_error(FLATTEN_JSON, "{\"a\": \"\\u12g4\"}",
	    "t:1:8: bad \\u escape in string");
	expect_error(FLATTEN_JSON, "{\"a\": \"tab\there\"}",
	    "t:1:11: control character in string");
	expect_error(FLATTEN_JSON, "{\"a\": \"open",
	    "t:1:12: unterminated "
	    "string");
	expect_error(FLATTEN_JSON, "{\"a\": tru}", "t:1:7: bad number");
	expect_error(FLATTEN_JSON, "{\"a\": -}", "t:1:7: bad number");
	expect_error(FLATTEN_JSON, "{\"a\": 1.}", "t:1:7: bad number");
	expect_error(FLATTEN_JSON, "{} x",
	    "t:1:4: trailing characters after the value");
	expect_error(FLATTEN_JSON, "42",
	    "t:1:1: the top level must be an object or an array");
	expect_error(FLATTEN_JSON, "{\"a\"", "t:1:5: expected ':'");
	expect_error(FLATTEN_JSON, "[", "t:1:2: unexpected end of input");
	expect_error(FLATTEN_JSON, "{\"a\\u0000\": 1}", "t:1:11: NUL in a key");
}

static void
test_json_deep(void **state)
{
	struct buf b = {0};
	struct kv *kv = kv_new();
	struct cerr err;
	int i;

	for (i = 0; i < 200; i++)
		buf_puts(&b, "[");
	assert_int_equal(flatten_json("t", b.data, b.len, kv, &err), -1);
	assert_string_equal(err.msg, "t:1:130: nested too deeply");
	buf_free(&b);
	kv_free(kv);
}

static void
test_properties(void **state)
{
	expect(FLATTEN_PROPERTIES,
	    "# comment\n"
	    "! also a comment\n"
	    "db.host=10.0.0.5\n"
	    "db.port : 5432\n"
	    "name value with spaces\n"
	    "   indented=yes\n"
	    "empty=\n"
	    "bare\n"
	    "multi = one, \\\n"
	    "        two, \\\n"
	    "        three\n"
	    "esc=tab\\there\\nnl \\u00e9 \\q\n"
	    "key\\ with\\=odd\\:chars=v\n"
	    "crlf=a\r\n"
	    "cr=b\r"
	    "pair=\\ud83d\\ude00\n"
	    "even=ends\\\\\n"
	    "next=line\n",
	    "bare=\n"
	    "cr=b\n"
	    "crlf=a\n"
	    "db.host=10.0.0.5\n"
	    "db.port=5432\n"
	    "empty=\n"
	    "esc=tab\there\nnl \xc3\xa9 q\n"
	    "even=ends\\\n"
	    "indented=yes\n"
	    "key with=odd:chars=v\n"
	    "multi=one, two, three\n"
	    "name=value with spaces\n"
	    "next=line\n"
	    "pair=\xf0\x9f\x98\x80\n");
	expect_error(FLATTEN_PROPERTIES, "a=1\nb=\\u12\n",
	    "t:2:3: malformed \\uXXXX");
}

static void
test_dotenv(void **state)
{
	expect(FLATTEN_DOTENV,
	    "# comment\n"
	    "\n"
	    "DB_HOST=10.0.0.5\n"
	    "export PORT=5432\n"
	    "  SPACED = value with spaces   \n"
	    "COMMENTED=abc # not part of it\n"
	    "HASH=a#b\n"
	    "SINGLE='lit $X \\n'\n"
	    "DOUBLE=\"tab\\tnl\\n \\\"q\\\" \\$ \\x\" # c\n"
	    "MULTI=\"one\n"
	    "two\"\n"
	    "EMPTY=\n"
	    "WIN=crlf\r\n"
	    "dotted.key-1=ok\n",
	    "COMMENTED=abc\n"
	    "DB_HOST=10.0.0.5\n"
	    "DOUBLE=tab\tnl\n \"q\" $ \\x\n"
	    "EMPTY=\n"
	    "HASH=a#b\n"
	    "MULTI=one\ntwo\n"
	    "PORT=5432\n"
	    "SINGLE=lit $X \\n\n"
	    "SPACED=value with spaces\n"
	    "WIN=crlf\n"
	    "dotted.key-1=ok\n");
	expect_error(FLATTEN_DOTENV, "A=1\nno equals here\n",
	    "t:2:4: expected KEY=VALUE");
	expect_error(FLATTEN_DOTENV, "A=1\n=x\n", "t:2:1: expected KEY=VALUE");
	expect_error(FLATTEN_DOTENV, "A=1\nB=\"open\n",
	    "t:2:3: unterminated quoted value");
	expect_error(FLATTEN_DOTENV, "A='x' y\n",
	    "t:1:7: text after the closing quote");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_format_for),
	    cmocka_unit_test(test_format_for_http),
	    cmocka_unit_test(test_yaml_nested),
	    cmocka_unit_test(test_yaml_top_level),
	    cmocka_unit_test(test_yaml_errors),
	    cmocka_unit_test(test_yaml_aliases),
	    cmocka_unit_test(test_yaml_error_order),
	    cmocka_unit_test(test_yaml_alias_bomb),
	    cmocka_unit_test(test_json),
	    cmocka_unit_test(test_json_escapes),
	    cmocka_unit_test(test_json_errors),
	    cmocka_unit_test(test_json_deep),
	    cmocka_unit_test(test_properties),
	    cmocka_unit_test(test_dotenv),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
