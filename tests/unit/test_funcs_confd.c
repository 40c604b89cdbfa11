/* Unit tests of the confd dialect's functions (funcs_confd.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#define HARNESS_DIALECT TMPL_CONFD

#include "template/template.h"

static const char *kv[][2] = {
    {"app/db/host", "db1"},
    {"app/db/port", "5432"},
    {"app/name", "shop"},
    {"app/upstreams/a", "10.0.0.1"},
    {"app/upstreams/b", "10.0.0.2"},
    {"app/upstreams/c", "10.0.0.0"},
    {"t/aaa", "1"},
    {"t/b", "2"},
    {"t/cc", "3"},
    {"top", "1"},
};
static char *env[] = {"HOME=/root", "EMPTY=", "MODE=prod", NULL};

#include "funcs_harness.h"

/* getv, get, exists: keys with a leading '/', missing keys. */
static void
test_getv(void **state)
{
	static const struct tcase cases[] = {
	    {"{{getv \"/app/name\"}} {{getv \"app/name\"}}", "shop shop"},
	    {"{{getv \"/nope\" \"def\"}} [{{getv \"/nope\" \"\"}}]{{getv "
	     "\"/nope\" \"a\" \"b\"}}",
		"def []a"},
	    {"{{getv \"/nope\"}}",
		"~error calling getv: key does not exist: /nope"},
	    {"{{exists \"/app/name\"}} {{exists \"/nope\"}}", "true false"},
	    {"{{with get \"/app/name\"}}{{.Key}}={{.Value}}{{end}}",
		"/app/name=shop"},
	    {"{{get \"/app/name\"}}", "{/app/name shop}"},
	    {"{{get \"/nope\"}}",
		"~error calling get: key does not exist: /nope"},
	    {"{{getv 1}}", "~t.tmpl:1:7: expected string; found 1"},
	};

	(void)state;
	CHECK(cases);
}

/* A missing getv key fails the render and is recorded as missing. */
static void
test_getv_deps(void **state)
{
	struct tmpl_deps deps = {0};
	char *got;

	(void)state;
	got = render("{{getv \"/app/name\"}}{{getv \"/a/x\" \"d\"}}", &deps);
	assert_string_equal(got, "shopd");
	assert_true(has(deps.keys, deps.nkeys, "app/name"));
	assert_true(has(deps.keys, deps.nkeys, "a/x"));
	assert_int_equal(deps.nmissing, 0);
	free(got);
	tmpl_deps_free(&deps);
	got = render("{{getv \"/app/name\"}}{{getv \"/db/pass\"}}", &deps);
	assert_true(matches(got, "~error calling getv: key does not exist: "
				 "/db/pass"));
	assert_int_equal(deps.nmissing, 1);
	assert_string_equal(deps.missing[0], "db/pass");
	free(got);
	tmpl_deps_free(&deps);
}

/* getvs and gets: path.Match patterns; getvs sorts the values. */
static void
test_getvs(void **state)
{
	static const struct tcase cases[] = {
	    {"{{getvs \"/app/upstreams/*\"}}", "[10.0.0.0 10.0.0.1 10.0.0.2]"},
	    {"{{getvs \"/app/*/host\"}} {{getvs \"/app/*\"}} "
	     "{{getvs \"/app/upstreams/[ab]\"}} {{getvs \"/t/?\"}}",
		"[db1] [shop] [10.0.0.1 10.0.0.2] [2]"},
	    /* A pattern without its leading '/' reads as if it had one. */
	    {"{{getvs \"app/*/host\"}} {{len (gets \"t/*\")}}", "[db1] 3"},
	    {"{{getvs \"/nomatch/*\"}} {{getvs \"/app/na\\\\me\"}}",
		"[] [shop]"},
	    {"{{range gets \"/app/upstreams/*\"}}{{.Key}}={{.Value}} "
	     "{{end}}",
		"/app/upstreams/a=10.0.0.1 /app/upstreams/b=10.0.0.2 "
		"/app/upstreams/c=10.0.0.0 "},
	    {"{{getvs \"/x[\"}}",
		"~error calling getvs: syntax error in pattern"},
	    {"{{gets \"/app/[]\"}}",
		"~error calling gets: syntax error in pattern"},
	};
	struct tmpl_deps deps = {0};
	char *got;

	(void)state;
	CHECK(cases);
	got = render("{{getvs \"/app/upstreams/*\"}}", &deps);
	assert_true(has(deps.prefixes, deps.nprefixes, "app/upstreams/"));
	free(got);
	tmpl_deps_free(&deps);
}

/* ls and lsdir: memkv's child names, sorted and unique. */
static void
test_ls(void **state)
{
	static const struct tcase cases[] = {
	    {"{{ls \"/app\"}} {{ls \"/app/\"}}",
		"[db name upstreams] [db name upstreams]"},
	    /* "/" lists the top level (memkv finds only root leaves). */
	    {"{{ls \"/\"}} {{ls \"/app/name\"}} {{ls \"/nope\"}}",
		"[app t top] [name] []"},
	    {"{{range ls \"/app/upstreams\"}}{{.}},{{end}}", "a,b,c,"},
	    {"{{lsdir \"/app\"}} {{lsdir \"/\"}} {{lsdir \"/app/db\"}}",
		"[db upstreams] [app t] []"},
	};
	struct tmpl_deps deps = {0};
	char *got;

	(void)state;
	CHECK(cases);
	got = render("{{ls \"/app/\"}}", &deps);
	assert_true(has(deps.prefixes, deps.nprefixes, "app"));
	free(got);
	tmpl_deps_free(&deps);
}

/* json, jsonArray, map. */
static void
test_json_map(void **state)
{
	static const struct tcase cases[] = {
	    {"{{(json `{\"a\":{\"b\":1}}`).a.b}} {{json \"null\"}}", "1 map[]"},
	    {"{{json \"[1]\"}}",
		"~error calling json: json: cannot unmarshal array into "
		"Go value of type map[string]interface {}"},
	    {"{{jsonArray `[1,\"x\",{\"k\":true}]`}}", "[1 x map[k:true]]"},
	    {"{{jsonArray \"{}\"}}",
		"~error calling jsonArray: json: cannot unmarshal object "
		"into Go value of type []interface {}"},
	    {"{{$m := map \"a\" 1 \"b\" \"x\"}}{{$m.a}} {{$m.b}} {{map}}",
		"1 x map[]"},
	    {"{{map \"a\"}}", "~error calling map: invalid map call"},
	    {"{{map 1 2}}", "~error calling map: map keys must be strings"},
	};
	char *got;

	(void)state;
	CHECK(cases);
	got = render("{{json \"{\"}}", NULL);
	assert_true(strstr(got, "error calling json: invalid JSON") != NULL);
	free(got);
}

/* The string and path functions, with Go's argument orders. */
static void
test_strings(void **state)
{
	static const struct tcase cases[] = {
	    {"{{base \"/a/b/c.conf\"}} {{dir \"/a/b/c.conf\"}} {{base \"\"}}"
	     " {{dir \"x\"}} {{base \"/\"}} {{dir \"/a/../b/\"}}",
		"c.conf /a/b . . / /b"},
	    {"{{split \"a,b,c\" \",\"}} {{len (split \"\" \",\")}} "
	     "{{join (split \"a,b\" \",\") \"-\"}}",
		"[a b c] 1 a-b"},
	    {"{{join \"a\" \",\"}}",
		"~t.tmpl:1:7: can't handle \"a\" for arg of type []string"},
	    {"{{getenv \"HOME\"}} {{getenv \"NOPE\" \"d\"}} "
	     "{{getenv \"EMPTY\" \"d\"}} [{{getenv \"NOPE\"}}]",
		"/root d d []"},
	    {"{{toUpper \"abé\"}} {{toLower \"ABÉ\"}}", "ABÉ abé"},
	    {"{{contains \"abc\" \"b\"}} {{contains \"abc\" \"z\"}}",
		"true false"},
	    {"{{replace \"a.b.c\" \".\" \"-\" -1}} "
	     "{{replace \"a.b.c\" \".\" \"-\" 1}}",
		"a-b-c a-b.c"},
	    {"{{trimSuffix \"app.conf\" \".conf\"}} "
	     "{{trimSuffix \"app\" \".conf\"}}",
		"app app"},
	    {"{{fileExists \"/\"}} {{fileExists \"/nonexistent/x\"}}",
		"true false"},
	    {"{{base64Encode \"hi\"}} {{base64Decode \"aGk=\"}}", "aGk= hi"},
	    {"{{base64Decode \"x\"}}",
		"~error calling base64Decode: illegal base64 data at "
		"input byte 0"},
	    {"{{parseBool \"true\"}} {{parseBool \"F\"}}", "true false"},
	    {"{{parseBool \"\"}}",
		"~error calling parseBool: strconv.ParseBool: parsing "
		"\"\": invalid syntax"},
	};

	(void)state;
	CHECK(cases);
}

/* reverse, sortByLength, sortKVByLength. */
static void
test_sort(void **state)
{
	static const struct tcase cases[] = {
	    {"{{reverse (split \"a,b,c\" \",\")}} {{reverse 3}}", "[c b a] 3"},
	    {"{{range reverse (gets \"/t/*\")}}{{.Key}} {{end}}",
		"/t/cc /t/b /t/aaa "},
	    {"{{sortByLength (split \"ccc,a,bb,d\" \",\")}}", "[a d bb ccc]"},
	    {"{{range sortKVByLength (gets \"/t/*\")}}{{.Key}} {{end}}",
		"/t/b /t/cc /t/aaa "},
	    {"{{sortKVByLength (split \"a\" \",\")}}",
		"~t.tmpl:1:28: wrong type for value; expected []memkv.KVPair; "
		"got []interface {}"},
	};

	(void)state;
	CHECK(cases);
}

/* Integer arithmetic, seq and atoi. */
static void
test_math(void **state)
{
	static const struct tcase cases[] = {
	    {"{{add 1 2}} {{sub 1 2}} {{mul 2 3}} {{div 7 2}} {{mod 7 2}} "
	     "{{div -7 2}}",
		"3 -1 6 3 1 -3"},
	    {"{{div 1 0}}",
		"~error calling div: runtime error: integer divide by "
		"zero"},
	    {"{{add 1 \"2\"}}", "~t.tmpl:1:8: expected integer; found \"2\""},
	    {"{{add 1.5 1}}", "~t.tmpl:1:6: expected integer; found 1.5"},
	    {"{{seq 1 3}} {{seq 3 1}} {{len (seq -2 2)}}", "[1 2 3] [] 5"},
	    {"{{range seq 1 3}}{{.}}{{end}}", "123"},
	    {"{{seq 0 1000000}}",
		"~error calling seq: seq: more than 1000000 elements"},
	    {"{{atoi \"42\"}} {{atoi \"-7\"}} {{add (atoi \"1\") 1}}",
		"42 -7 2"},
	    {"{{atoi \"x\"}}",
		"~error calling atoi: strconv.Atoi: parsing \"x\": invalid "
		"syntax"},
	};

	(void)state;
	CHECK(cases);
}

/* datetime prints as Go's Time.String() in UTC. */
static void
test_datetime(void **state)
{
	char *got;
	size_t n;

	(void)state;
	got = render("{{datetime}}", NULL);
	n = strlen(got);
	/* "2006-01-02 15:04:05[.fraction] +0000 UTC" */
	assert_true(n >= 29);
	assert_string_equal(got + n - 10, " +0000 UTC");
	assert_true(got[4] == '-' && got[7] == '-' && got[10] == ' ' &&
		    got[13] == ':' && got[16] == ':');
	free(got);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_getv),
	    cmocka_unit_test(test_getv_deps),
	    cmocka_unit_test(test_getvs),
	    cmocka_unit_test(test_ls),
	    cmocka_unit_test(test_json_map),
	    cmocka_unit_test(test_strings),
	    cmocka_unit_test(test_sort),
	    cmocka_unit_test(test_math),
	    cmocka_unit_test(test_datetime),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
