/* Unit tests of the consul-template dialect's functions (funcs_consul.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#define HARNESS_DIALECT TMPL_CONSUL

#include "template/funcs_common.h"
#include "template/template.h"

static const char *kv[][2] = {
    {"app/db/host", "db1"},
    {"app/db/port", "5432"},
    {"app/empty", ""},
    {"app/name", "shop"},
    {"app/tags/a", "1"},
    {"app/tags/b/c", "2"},
    {"apple", "red"},
    {"conf/x", "1"},
    {"conf/x/y", "2"},
};
static char *env[] = {"HOME=/root", "EMPTY=", "MODE=prod", NULL};

#include "funcs_harness.h"

/* key, keyOrDefault, keyExists. */
static void
test_key(void **state)
{
	static const struct tcase cases[] = {
	    {"{{key \"app/name\"}}", "shop"},
	    {"{{key \"/app/name\"}}", "shop"},
	    {"[{{key \"nope\"}}]", "[]"},
	    {"[{{key \"\"}}]", "[]"},
	    {"{{\"app/db/host\" | key}}", "db1"},
	    {"{{keyOrDefault \"app/name\" \"x\"}}", "shop"},
	    {"{{keyOrDefault \"nope\" \"def\"}}", "def"},
	    {"{{keyOrDefault \"app/empty\" \"def\"}}", "def"},
	    {"{{keyExists \"app/name\"}} {{keyExists \"nope\"}} "
	     "{{keyExists \"app/empty\"}}",
		"true false true"},
	    {"{{key 1}}", "~t.tmpl:1:6: expected string; found 1"},
	};

	(void)state;
	CHECK(cases);
}

/* key records what it read; a missing key is a missing dependency. */
static void
test_key_deps(void **state)
{
	struct tmpl_deps deps = {0};
	char *got;

	(void)state;
	got = render("{{key \"app/name\"}}{{key \"/nope\"}}"
		     "{{keyOrDefault \"other\" \"d\"}}{{keyExists \"ex\"}}",
	    &deps);
	assert_string_equal(got, "shopdfalse");
	assert_true(has(deps.keys, deps.nkeys, "app/name"));
	assert_true(has(deps.keys, deps.nkeys, "nope"));
	assert_true(has(deps.keys, deps.nkeys, "other"));
	assert_true(has(deps.keys, deps.nkeys, "ex"));
	assert_int_equal(deps.nmissing, 1);
	assert_string_equal(deps.missing[0], "nope");
	free(got);
	tmpl_deps_free(&deps);
}

/* ls, tree and their safe variants. */
static void
test_ls_tree(void **state)
{
	static const struct tcase cases[] = {
	    /* String prefix, as Consul: "app" also lists "apple". */
	    {"{{range ls \"app\"}}{{.Key}}={{.Value}};{{end}}",
		"empty=;name=shop;le=red;"},
	    {"{{range ls \"/app/\"}}{{.Key}}={{.Value}};{{end}}",
		"empty=;name=shop;"},
	    {"{{range ls \"app/db\"}}{{.Path}}:{{.Key}} {{end}}",
		"app/db/host:host app/db/port:port "},
	    {"{{ls \"nope\"}} {{ls \"\"}}", "[] []"},
	    {"{{range tree \"app/tags\"}}{{.Key}}={{.Value}} {{end}}",
		"a=1 b/c=2 "},
	    {"{{len (tree \"app/empty\")}}", "0"},
	    {"{{range tree \"app/tags/\"}}{{.Exists}}{{.Flags}}{{.Session}}"
	     "{{end}}",
		"true0true0"},
	    {"{{range safeTree \"app/db/\"}}{{.Key}} {{end}}", "host port "},
	    {"{{range safeLs \"app/\"}}{{.Key}} {{end}}", "empty name "},
	};

	(void)state;
	CHECK(cases);
}

/* ls records its prefix; safeLs/safeTree make an empty prefix missing. */
static void
test_ls_deps(void **state)
{
	struct tmpl_deps deps = {0};
	char *got;

	(void)state;
	got = render("{{ls \"app/\"}}{{safeLs \"none/\"}}{{safeTree \"/zz\"}}"
		     "{{tree \"empty/\"}}",
	    &deps);
	assert_true(strncmp(got, "[", 1) == 0);
	assert_true(has(deps.prefixes, deps.nprefixes, "app/"));
	assert_true(has(deps.prefixes, deps.nprefixes, "none/"));
	assert_true(has(deps.prefixes, deps.nprefixes, "zz"));
	assert_true(has(deps.prefixes, deps.nprefixes, "empty/"));
	assert_int_equal(deps.nmissing, 2);
	assert_true(has(deps.missing, deps.nmissing, "none/"));
	assert_true(has(deps.missing, deps.nmissing, "zz"));
	free(got);
	tmpl_deps_free(&deps);
}

/* explode and byKey. */
static void
test_explode_bykey(void **state)
{
	static const struct tcase cases[] = {
	    {"{{with explode (tree \"app\")}}{{.db.host}} {{.tags.b.c}} "
	     "{{.name}}{{end}}",
		"db1 2 shop"},
	    {"{{explode (tree \"app/tags\")}}", "map[a:1 b:map[c:2]]"},
	    {"{{explode (ls \"nope\")}}", "map[]"},
	    {"{{explode (tree \"conf\")}}",
		"~error calling explode: explode: not a map: \"x/y\": "
		"\"x\" already has value \"1\""},
	    {"{{explode \"x\"}}", "~t.tmpl:1:10: wrong type for value; "
				  "expected []*dependency.KeyPair; got string"},
	    {"{{range $k, $v := byKey (tree \"app\")}}{{$k}}:"
	     "{{range $k2, $p := $v}}{{$k2}}={{$p.Value}},{{end}};{{end}}",
		"db:host=db1,port=5432,;tags:a=1,b/c=2,;"},
	    {"{{range $k, $v := byKey (tree \"app/tags\")}}{{$k}}:"
	     "{{range $v}}{{.Key}}|{{.Path}}{{end}}{{end}}",
		"b:c|app/tags/b/c"},
	};

	(void)state;
	CHECK(cases);
}

/* env, envOrDefault, mustEnv. */
static void
test_env(void **state)
{
	static const struct tcase cases[] = {
	    {"{{env \"HOME\"}}|{{env \"NOPE\"}}|{{envOrDefault \"NOPE\" "
	     "\"d\"}}|{{envOrDefault \"EMPTY\" \"d\"}}|{{mustEnv "
	     "\"MODE\"}}",
		"/root||d||prod"},
	    {"{{mustEnv \"NOPE\"}}",
		"~error calling mustEnv: required environment variable "
		"NOPE is empty"},
	    {"{{mustEnv \"EMPTY\"}}",
		"~error calling mustEnv: required environment variable "
		"EMPTY is empty"},
	};

	(void)state;
	CHECK(cases);
}

/* file reads a file and records it; a missing file is an error. */
static void
test_file(void **state)
{
	char path[] = "/tmp/test_funcs_consul.XXXXXX", src[128];
	struct tmpl_deps deps = {0};
	char *got;
	int fd;

	(void)state;
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "hello\n", 6), 6);
	close(fd);
	snprintf(src, sizeof(src), "[{{file \"%s\"}}]{{file \"\"}}", path);
	got = render(src, &deps);
	assert_string_equal(got, "[hello\n]");
	assert_int_equal(deps.nfiles, 1);
	assert_string_equal(deps.files[0], path);
	free(got);
	tmpl_deps_free(&deps);
	unlink(path);
	got = render("{{file \"/nonexistent/x\"}}", NULL);
	assert_true(matches(got, "~error calling file: file: open "
				 "/nonexistent/x: no such file or directory"));
	free(got);
}

/* base64 in both alphabets, with Go's errors. */
static void
test_base64(void **state)
{
	static const struct tcase cases[] = {
	    {"{{base64Encode \"hello?>\"}} {{base64URLEncode \"hello?>\"}}",
		"aGVsbG8/Pg== aGVsbG8_Pg=="},
	    {"[{{base64Encode \"\"}}]", "[]"},
	    {"{{base64Decode \"aGVsbG8/Pg==\"}} "
	     "{{base64URLDecode \"aGVsbG8_Pg==\"}}",
		"hello?> hello?>"},
	    {"{{base64Decode \"aGVs\\nbG8=\"}}", "hello"},
	    {"{{\"aGk=\" | base64Decode}}", "hi"},
	    {"{{base64Decode \"aGVsbG8\"}}",
		"~error calling base64Decode: base64Decode: illegal "
		"base64 data at input byte 4"},
	    {"{{base64Decode \"a$\"}}",
		"~error calling base64Decode: base64Decode: illegal "
		"base64 data at input byte 1"},
	    {"{{base64Decode \"aGVsbG8=x\"}}",
		"~error calling base64Decode: base64Decode: illegal "
		"base64 data at input byte 8"},
	    {"{{base64Decode \"aGVsbG8_Pg==\"}}",
		"~error calling base64Decode: base64Decode: illegal "
		"base64 data at input byte 7"},
	    {"{{base64URLDecode \"aGVsbG8/Pg==\"}}",
		"~error calling base64URLDecode: base64URLDecode: illegal "
		"base64 data at input byte 7"},
	    {"{{base64Decode \"a===\"}}",
		"~error calling base64Decode: base64Decode: illegal "
		"base64 data at input byte 1"},
	};

	(void)state;
	CHECK(cases);
}

/* contains, in and the containsX family. */
static void
test_contains(void **state)
{
	static const struct tcase cases[] = {
	    {"{{\"abc\" | contains \"b\"}} {{contains \"z\" \"abc\"}}",
		"true false"},
	    {"{{split \",\" \"a,b\" | contains \"a\"}}", "true"},
	    {"{{in (split \",\" \"a,b\") \"b\"}} {{in \"abc\" \"bc\"}} "
	     "{{in (split \",\" \"a,b\") \"c\"}}",
		"true true false"},
	    /* JSON numbers are floats: an int is not "in" them. */
	    {"{{in (parseJSON \"[1,2]\") 1}} {{in (parseJSON \"[1,2]\") "
	     "1.0}}",
		"false true"},
	    {"{{containsAll (split \",\" \"a,b\") (split \",\" \"a,b,c\")}}"
	     " {{containsAll (split \",\" \"a,x\") (split \",\" \"a,b\")}}",
		"true false"},
	    {"{{containsAny (split \",\" \"x,a\") (split \",\" \"a,b\")}}"
	     " {{containsAny (split \",\" \"x,y\") (split \",\" \"a,b\")}}",
		"true false"},
	    {"{{containsNone (split \",\" \"x,y\") (split \",\" \"a,b\")}}"
	     " {{containsNone (split \",\" \"x,a\") (split \",\" \"a\")}}",
		"true false"},
	    {"{{containsNotAll (split \",\" \"a,x\") (split \",\" \"a\")}}"
	     " {{containsNotAll (split \",\" \"a\") (split \",\" \"a\")}}",
		"true false"},
	    {"{{containsAll \"a\" \"abc\"}}",
		"~t.tmpl:1:14: wrong type for value; expected []interface {}; "
		"got string"},
	};

	(void)state;
	CHECK(cases);
}

/* indent, join, split, trims, replaceAll. */
static void
test_strings(void **state)
{
	static const struct tcase cases[] = {
	    {"{{indent 2 \"a\\nb\\n\\nc\"}}", "  a\n  b\n\n  c"},
	    {"{{\"x\" | indent 0}}", "x"},
	    {"{{indent 70 \"a\" | len}} {{indent 1e2 \"\\nb\" | len}}",
		"71 102"},
	    /* A huge N fails at once instead of building gigabytes. */
	    {"{{indent 100000000 \"b\"}}",
		"~error calling indent: indent: result larger than 67108864 "
		"bytes"},
	    {"{{indent -1 \"a\"}}",
		"~error calling indent: indent value must be a positive "
		"integer"},
	    {"{{indent \"2\" \"a\"}}",
		"~t.tmpl:1:9: expected integer; found \"2\""},
	    {"{{split \",\" \"a,b,c\" | join \"-\"}}", "a-b-c"},
	    {"{{join \",\" 3}}",
		"~t.tmpl:1:11: can't handle 3 for arg of type []string"},
	    {"{{split \",\" \" a,b \"}} {{split \",\" \"  \"}} "
	     "{{len (split \",\" \"a\")}} {{split \"\" \"ab\"}}",
		"[a b] [] 1 [a b]"},
	    {"[{{trimSpace \"  a b \\n\"}}]", "[a b]"},
	    {"{{\"foo.bar\" | trimPrefix \"foo.\"}} {{trimPrefix \"x\" "
	     "\"abc\"}} {{trimSuffix \".bar\" \"foo.bar\"}}",
		"bar abc foo"},
	    {"{{replaceAll \".\" \"_\" \"a.b.c\"}} {{\"a.b\" | replaceAll "
	     "\".\" \"-\"}} {{replaceAll \"\" \"-\" \"ab\"}}",
		"a_b_c a-b -a-b-"},
	    {"{{toLower \"ÀB c\"}} {{toUpper \"éa\"}} "
	     "{{toTitle \"hello wORLD-foo_bar\"}}",
		"àb c ÉA Hello WORLD-Foo_bar"},
	    /* x/text's title casing: words break at spaces and '-', not at
	     * an apostrophe or one dot; a digit does not start a word. */
	    {"{{toTitle \"don't stop a.b c..d 1st éa\"}}",
		"Don't Stop A.b C..D 1St Éa"},
	    {"{{toUpper 1}}", "~t.tmpl:1:10: expected string; found 1"},
	};

	(void)state;
	CHECK(cases);
}

/* parseBool, parseFloat, parseInt, parseUint with Go's errors. */
static void
test_parse_numbers(void **state)
{
	static const struct tcase cases[] = {
	    {"{{parseBool \"true\"}} {{parseBool \"\"}} {{parseBool \"T\"}}"
	     " {{parseBool \"0\"}}",
		"true false true false"},
	    {"{{parseBool \"yes\"}}",
		"~error calling parseBool: parseBool: strconv.ParseBool: "
		"parsing \"yes\": invalid syntax"},
	    {"{{parseFloat \"1.5\"}} {{parseFloat \"1e3\"}} "
	     "{{parseFloat \"\"}} {{parseFloat \"-0.25\"}}",
		"1.5 1000 0 -0.25"},
	    {"{{parseFloat \"1_000.5\"}} {{parseFloat \"0x1p-2\"}} "
	     "{{parseFloat \"-Inf\"}}",
		"1000.5 0.25 -Inf"},
	    {"{{parseFloat \"1__0\"}}",
		"~error calling parseFloat: parseFloat: "
		"strconv.ParseFloat: parsing \"1__0\": invalid syntax"},
	    {"{{parseFloat \"x\"}}",
		"~error calling parseFloat: parseFloat: "
		"strconv.ParseFloat: parsing \"x\": invalid syntax"},
	    {"{{parseFloat \"1e400\"}}",
		"~error calling parseFloat: parseFloat: "
		"strconv.ParseFloat: parsing \"1e400\": value out of "
		"range"},
	    {"{{parseInt \"-42\"}} {{add 1 (parseInt \"41\")}} "
	     "{{parseInt \"\"}}",
		"-42 42 0"},
	    {"{{parseInt \"9223372036854775808\"}}",
		"~error calling parseInt: parseInt: strconv.ParseInt: "
		"parsing \"9223372036854775808\": value out of range"},
	    {"{{parseInt \"1.0\"}}",
		"~error calling parseInt: parseInt: strconv.ParseInt: "
		"parsing \"1.0\": invalid syntax"},
	    {"{{parseUint \"7\"}} {{add 1 (parseUint \"7\")}} "
	     "{{parseUint \"18446744073709551615\"}}",
		"7 8 18446744073709551615"},
	    {"{{parseUint \"-1\"}}",
		"~error calling parseUint: parseUint: strconv.ParseUint: "
		"parsing \"-1\": invalid syntax"},
	};

	(void)state;
	CHECK(cases);
}

/* parseJSON, toJSON, toJSONPretty. */
static void
test_json(void **state)
{
	static const struct tcase cases[] = {
	    {"{{(parseJSON `{\"a\":{\"b\":[1,2.5,\"x\",true,null]}}`).a.b}}",
		"[1 2.5 x true <nil>]"},
	    {"{{parseJSON \"\"}} {{parseJSON \"12345678\"}}",
		"map[] 1.2345678e+07"},
	    {"{{toJSON (parseJSON `{\"b\":[1,2.5],\"a\":\"<&>\"}`)}}",
		"{\"a\":\"\\u003c\\u0026\\u003e\",\"b\":[1,2.5]}"},
	    {"{{toJSON (parseJSON "
	     "\"[1e21, 1e-7, 0.000001, 123456789012, -0.5]\")}}",
		"[1e+21,1e-7,0.000001,123456789012,-0.5]"},
	    {"{{toJSON \"a\\tb\\x01é\\u2028\"}}", "\"a\\tb\\u0001é\\u2028\""},
	    {"{{toJSON (ls \"app/tags\")}}",
		"[{\"Path\":\"app/tags/a\",\"Key\":\"a\",\"Value\":\"1\","
		"\"Exists\":true,\"CreateIndex\":0,\"ModifyIndex\":0,"
		"\"LockIndex\":0,\"Flags\":0,\"Session\":\"\"}]"},
	    {"{{toJSON 3}} {{toJSON true}} {{toJSON (parseJSON "
	     "\"null\")}}",
		"3 true null"},
	    {"{{toJSONPretty (parseJSON "
	     "`{\"a\":[1,{\"b\":{}}],\"c\":[]}`)}}",
		"{\n  \"a\": [\n    1,\n    {\n      \"b\": {}\n    }\n  "
		"],\n  \"c\": []\n}"},
	    {"{{toJSONPretty (split \",\" \"a,b\")}} {{toJSONPretty 1}}",
		"[\n  \"a\",\n  \"b\"\n] 1"},
	    {"{{toJSON (parseFloat \"NaN\")}}",
		"~error calling toJSON: toJSON: json: unsupported value: "
		"NaN"},
	    {"{{parseJSON \"\\\"a\\\"\"}}", "a"},
	};
	char *got;

	(void)state;
	CHECK(cases);
	got = render("{{parseJSON \"{\"}}", NULL);
	assert_true(
	    strstr(got, "error calling parseJSON: invalid JSON") != NULL);
	free(got);
}

/* parseYAML and toYAML, as gopkg.in/yaml.v2. */
static void
test_yaml(void **state)
{
	static const struct tcase cases[] = {
	    {"{{with parseYAML \"a: 1\\nb: [x, yes, 1.5, ~]\\nc: {d: "
	     "'08'}\"}}{{.a}} {{.b}} {{.c.d}} {{add .a 1}}{{end}}",
		"1 [x true 1.5 <nil>] 08 2"},
	    {"{{parseYAML \"\"}} {{parseYAML \"- a\\n- b\"}}", "map[] [a b]"},
	    {"{{with parseYAML \"p: &a {k: v}\\nq: *a\"}}{{.q.k}}{{end}}", "v"},
	    /* yaml.v2 reads the key y as the bool true. */
	    {"{{parseYAML \"y: 1\"}}", "map[true:1]"},
	    {"{{toYAML (parseJSON `{\"b\":[1,\"x\"],\"a\":{\"c\":\"yes\","
	     "\"d\":\"\"},\"e\":\"2001-02-03\",\"f\":\"1.5\"}`)}}",
		"a:\n  c: \"yes\"\n  d: \"\"\nb:\n- 1\n- x\ne: "
		"\"2001-02-03\"\nf: \"1.5\""},
	    {"{{toYAML (parseJSON `{\"a10\":1,\"a2\":2,\"b\":null}`)}}",
		"a2: 2\na10: 1\nb: null"},
	    {"{{toYAML (parseJSON `{\"s\":\"l1\\nl2\",\"t\":\"a: b\"}`)}}",
		"s: |-\n  l1\n  l2\nt: 'a: b'"},
	    {"{{toYAML (parseJSON `{}`)}}", "{}"},
	    {"{{toYAML \"x\"}}|{{toYAML (split \",\" \"a,true\")}}|"
	     "{{toYAML 1.5}}",
		"x|- a\n- \"true\"|1.5"},
	};
	char *got;

	(void)state;
	CHECK(cases);
	got = render("{{parseYAML \"a: [1\"}}", NULL);
	assert_true(
	    strstr(got, "error calling parseYAML: yaml: line ") != NULL);
	free(got);
}

/* regexMatch and regexReplaceAll with Go's expansion. */
static void
test_regex(void **state)
{
	static const struct tcase cases[] = {
	    {"{{regexMatch \"^a.c$\" \"abc\"}} {{regexMatch \"^a.c$\" "
	     "\"a\\nc\"}} {{regexMatch \"b\" \"abc\"}} {{regexMatch "
	     "\"c$\" \"abc\\n\"}}",
		"true false true false"},
	    {"{{regexReplaceAll \"a(x*)b\" \"${1}W\" \"-ab-axxb-\"}}",
		"-W-xxW-"},
	    {"{{regexReplaceAll \"a(x*)b\" \"$1W\" \"-ab-axxb-\"}}", "---"},
	    {"{{regexReplaceAll \"a(?P<n>x*)b\" \"[$n]\" \"-ab-axxb-\"}}",
		"-[]-[xx]-"},
	    {"{{regexReplaceAll \"\" \"-\" \"abc\"}}", "-a-b-c-"},
	    /* RE2 takes a quantifier after an anchor; PCRE2 needs a group. */
	    {"{{regexMatch \"b${1}\" \"ab\"}} {{regexReplaceAll \"^*x\" \"-\" "
	     "\"xx\"}} {{regexMatch \"[$]{2}\" \"$$\"}}",
		"true -- true"},
	    {"{{regexReplaceAll \"a*\" \"-\" \"baaac\"}}", "-b-c-"},
	    {"{{regexReplaceAll \"b\" \"$$\" \"abc\"}} {{regexReplaceAll "
	     "\"b\" \"${x\" \"abc\"}} {{regexReplaceAll \"(b)\" \"$2\" "
	     "\"abc\"}}",
		"a$c a${xc ac"},
	    {"{{\"a.b\" | regexReplaceAll \"[.]\" \"_\"}}", "a_b"},
	    {"{{regexReplaceAll \"é\" \"e\" \"café\"}}", "cafe"},
	    {"{{regexMatch \"(\" \"x\"}}",
		"~error calling regexMatch: error parsing regexp: missing "
		"closing parenthesis at offset 1: `(`"},
	};

	(void)state;
	CHECK(cases);
}

/* Hashes and timestamps (checked by shape: they depend on the clock). */
static void
test_hash_time(void **state)
{
	static const struct tcase cases[] = {
	    {"{{sha256Hex \"hello\"}}",
		"2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e730433629"
		"38b9824"},
	    {"{{sha256Hex \"\"}}",
		"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7"
		"852b855"},
	    {"{{md5sum \"hello\"}}", "5d41402abc4b2a76b9719d911017c592"},
	    {"{{regexMatch \"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}"
	     ":[0-9]{2}Z$\" timestamp}}",
		"true"},
	    {"{{regexMatch \"^[0-9]{4}-[0-9]{2}-[0-9]{2}$\" "
	     "(timestamp \"2006-01-02\")}}",
		"true"},
	    {"{{regexMatch \"^[A-Z][a-z]{2} [A-Z][a-z]+ [ 1-3][0-9] "
	     "[01][0-9]:[0-5][0-9] [AP]M UTC [0-9]{3}$\" "
	     "(timestamp \"Mon January _2 03:04 PM MST 002\")}}",
		"true"},
	    {"{{regexMatch \"^[0-9]{9,}$\" (timestamp \"unix\")}}", "true"},
	    {"{{regexMatch \"^[0-9]{2}:[0-9]{2}:[0-9]{2}\\\\.[0-9]{3} "
	     "[+]0000 Z$\" (timestamp \"15:04:05.000 -0700 Z07:00\")}}",
		"true"},
	    {"{{timestamp \"Literal\"}}", "Literal"},
	    {"{{timestamp \"a\" \"b\"}}",
		"~error calling timestamp: timestamp: wrong number of "
		"arguments, expected 0 or 1, but got 2"},
	};

	(void)state;
	CHECK(cases);
}

/* Go time layouts on a fixed time (expected values from Go's Format). */
static void
test_time_format(void **state)
{
	static const char *const cases[][2] = {
	    {"2006-01-02T15:04:05Z07:00", "2026-03-05T07:08:09Z"},
	    {"Mon Jan _2 15:04:05 MST 2006", "Thu Mar  5 07:08:09 UTC 2026"},
	    {"2006-01-02 15:04:05.999999999 -0700 MST",
		"2026-03-05 07:08:09.012345 +0000 UTC"},
	    {"_2006--07Z07005-07:00:00", "_2026-+00Z9+00:00:00"},
	    {".000000000", ".012345000"},
	    {"Monday.000703", "Thursday.000707"},
	    {"__24.999", " 648.012"},
	    {",00004-Z07:00:00Z0700Z", ",00008-ZZZ"},
	    {"_20067PM-07000-07:00:00", "_20267AM+00000+00:00:00"},
	    {"MST_200603-4.000", "UTC_202607-8.012"},
	    {"PM05.99999", "AM09.01234"},
	    {".99999.0405aPM", ".01234.0809aAM"},
	    {"Janet January", "Janet March"},
	};
	struct tm tm = {.tm_year = 126,
	    .tm_mon = 2,
	    .tm_mday = 5,
	    .tm_hour = 7,
	    .tm_min = 8,
	    .tm_sec = 9};
	time_t t = timegm(&tm);
	struct buf b = {0};
	size_t i;

	(void)state;
	gmtime_r(&t, &tm);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		buf_reset(&b);
		funcs_time_format(&b, cases[i][0], strlen(cases[i][0]), &tm,
		    12345000);
		assert_string_equal(b.data, cases[i][1]);
	}
	buf_free(&b);
}

/* The math functions: (b, a) order, Go's types and errors. */
static void
test_math(void **state)
{
	static const struct tcase cases[] = {
	    {"{{add 1 2}} {{subtract 1 5}} {{multiply 2 3}} {{divide 2 7}} "
	     "{{modulo 3 10}}",
		"3 4 6 3 1"},
	    {"{{divide 2 7.0}} {{add 1.5 1}} {{multiply 0.5 3}} "
	     "{{subtract 0.5 1}}",
		"3.5 2.5 1.5 0.5"},
	    {"{{minimum 2 3}} {{maximum 2 3.5}} {{minimum 2.5 3}} "
	     "{{maximum 1 -1}}",
		"2 3.5 2.5 1"},
	    {"{{5 | add 1}} {{10 | subtract 3}}", "6 7"},
	    {"{{add \"1\" 2}}",
		"~error calling add: add: unknown type for \"1\" (string)"},
	    {"{{add 2 \"1\"}}",
		"~error calling add: add: unknown type for \"1\" (string)"},
	    {"{{divide 0 1}}",
		"~error calling divide: runtime error: integer divide by "
		"zero"},
	    {"{{modulo 0 1}}",
		"~error calling modulo: runtime error: integer divide by "
		"zero"},
	    {"{{divide 0.0 1}}", "+Inf"},
	    {"{{add 9223372036854775807 1}}", "-9223372036854775808"},
	};

	(void)state;
	CHECK(cases);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_key),
	    cmocka_unit_test(test_key_deps),
	    cmocka_unit_test(test_ls_tree),
	    cmocka_unit_test(test_ls_deps),
	    cmocka_unit_test(test_explode_bykey),
	    cmocka_unit_test(test_env),
	    cmocka_unit_test(test_file),
	    cmocka_unit_test(test_base64),
	    cmocka_unit_test(test_contains),
	    cmocka_unit_test(test_strings),
	    cmocka_unit_test(test_parse_numbers),
	    cmocka_unit_test(test_json),
	    cmocka_unit_test(test_yaml),
	    cmocka_unit_test(test_regex),
	    cmocka_unit_test(test_hash_time),
	    cmocka_unit_test(test_time_format),
	    cmocka_unit_test(test_math),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
