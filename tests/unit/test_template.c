/* Unit tests of the template engine: Go text/template syntax and semantics. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "template/funcs.h"
#include "template/template.h"

/* A template and the output (or error message) it must give. */
struct tcase {
	const char *src;
	const char *want;
};

static const char *kv[][2] = {
    {"app/db/host", "db1"},
    {"app/db/port", "5432"},
    {"app/name", "shop"},
    {"x", "1"},
};
#define NKV (sizeof(kv) / sizeof(kv[0]))

/* The test's kv snapshot: get. */
static const char *
kv_get(void *ctx, const char *key)
{
	size_t i;

	(void)ctx;
	for (i = 0; i < NKV; i++)
		if (strcmp(kv[i][0], key) == 0)
			return kv[i][1];
	return NULL;
}

/* The test's kv snapshot: walk in sorted order. */
static int
kv_walk(void *ctx, const char *prefix,
    int (*fn)(void *arg, const char *key, const char *value), void *arg)
{
	size_t i;
	int rc;

	(void)ctx;
	for (i = 0; i < NKV; i++)
		if (strncmp(kv[i][0], prefix, strlen(prefix)) == 0 &&
		    (rc = fn(arg, kv[i][0], kv[i][1])) != 0)
			return rc;
	return 0;
}

static const struct tmpl_kv_ops kv_ops = {kv_get, kv_walk};

/* list a b c: a list of the arguments. */
static int
fn_list(struct tmpl_call *c, size_t argc, const struct tval *argv,
    struct tval *ret)
{
	size_t i;

	*ret = tval_list_new(tmpl_call_arena(c));
	for (i = 0; i < argc; i++)
		tval_list_push(tmpl_call_arena(c), *ret, argv[i]);
	return 0;
}

/* dict k v ...: a map of the pairs. */
static int
fn_dict(struct tmpl_call *c, size_t argc, const struct tval *argv,
    struct tval *ret)
{
	size_t i;

	*ret = tval_map_new(tmpl_call_arena(c));
	for (i = 0; i + 1 < argc; i += 2) {
		if (argv[i].kind != TV_STRING)
			return tmpl_call_fail(c, "key %zu is not a string", i);
		tval_map_set(tmpl_call_arena(c), *ret, argv[i].u.s.p,
		    argv[i + 1]);
	}
	return 0;
}

/* kv KEY: the value, recording deps; a missing key is recorded too. */
static int
fn_kv(struct tmpl_call *c, size_t argc, const struct tval *argv,
    struct tval *ret)
{
	const char *v = tmpl_call_kv_get(c, argv[0].u.s.p);

	if (v == NULL) {
		tmpl_call_dep_missing(c, argv[0].u.s.p);
		*ret = tval_str("");
		return 0;
	}
	*ret = tval_str(v);
	return 0;
}

/* Appends a key pair to the list in arg. */
static int
collect(void *arg, const char *key, const char *value)
{
	struct tmpl_call *c = ((void **)arg)[0];
	struct tval *l = ((void **)arg)[1];

	tval_list_push(tmpl_call_arena(c), *l,
	    tval_keypair(tmpl_call_arena(c), key, key, value));
	return 0;
}

/* ls PREFIX: key pairs under the prefix. */
static int
fn_ls(struct tmpl_call *c, size_t argc, const struct tval *argv,
    struct tval *ret)
{
	void *arg[2];

	*ret = tval_list_new(tmpl_call_arena(c));
	arg[0] = c;
	arg[1] = ret;
	return tmpl_call_kv_walk(c, argv[0].u.s.p, collect, arg);
}

/* file PATH: records the file, returns its name. */
static int
fn_file(struct tmpl_call *c, size_t argc, const struct tval *argv,
    struct tval *ret)
{
	tmpl_call_dep_file(c, argv[0].u.s.p);
	*ret = argv[0];
	return 0;
}

/* fail MSG: always fails with MSG. */
static int
fn_fail(struct tmpl_call *c, size_t argc, const struct tval *argv,
    struct tval *ret)
{
	return tmpl_call_fail(c, "%s", argv[0].u.s.p);
}

/* getenv NAME: through the render's environment. */
static int
fn_getenv(struct tmpl_call *c, size_t argc, const struct tval *argv,
    struct tval *ret)
{
	const char *v = tmpl_call_getenv(c, argv[0].u.s.p);

	*ret = tval_str(v != NULL ? v : "");
	return 0;
}

/* recs: records of one type built with their fields in different orders
 * and numbers, then one of another type: a field step must find its field
 * in each, whatever it found in the one before. */
static int
fn_recs(struct tmpl_call *c, size_t argc, const struct tval *argv,
    struct tval *ret)
{
	struct tarena *a = tmpl_call_arena(c);
	struct tval r[4];
	size_t i;

	r[0] = tval_record_new(a, "test.Rec");
	tval_record_add(a, r[0], "A", tval_str("a1"));
	tval_record_add(a, r[0], "B", tval_str("b1"));
	r[1] = tval_record_new(a, "test.Rec");
	tval_record_add(a, r[1], "B", tval_str("b2"));
	tval_record_add(a, r[1], "A", tval_str("a2"));
	r[2] = tval_record_new(a, "test.Rec");
	tval_record_add(a, r[2], "B", tval_str("b3"));
	r[3] = tval_record_new(a, "test.Other");
	tval_record_add(a, r[3], "X", tval_str("x4"));
	tval_record_add(a, r[3], "B", tval_str("b4"));
	*ret = tval_list_new(a);
	for (i = 0; i < 4; i++)
		tval_list_push(a, *ret, r[i]);
	return 0;
}

static const struct tmpl_func test_funcs[] = {
    {"recs", 0, 0, fn_recs, NULL, 0},
    {"list", 0, -1, fn_list, NULL, 0},
    {"dict", 0, -1, fn_dict, NULL, 0},
    {"kv", 1, 1, fn_kv, NULL, 0},
    {"ls", 1, 1, fn_ls, NULL, 0},
    {"file", 1, 1, fn_file, NULL, 0},
    {"fail", 1, 1, fn_fail, NULL, 0},
    {"getenv", 1, 1, fn_getenv, NULL, 0},
    {NULL, 0, 0, NULL, NULL, 0},
};

static char *env[] = {"HOME=/root", "USER=app", "EMPTY=", NULL};
static const char *fields[] = {"Path", "/etc/app.conf", NULL};

/*
 * Parses and renders src with opts (NULL: defaults); returns the output or
 * "ERR: message" (caller frees).
 */
static char *
run_opts(const char *src, const struct tmpl_opts *opts, struct tmpl_deps *deps)
{
	struct tmpl_opts o = {.name = "t.tmpl", .dialect = TMPL_DOCKERIZE};
	struct tmpl_data data = {&kv_ops, NULL, env, fields};
	struct buf out = {0};
	struct tmpl *t;
	struct cerr err;

	if (opts != NULL)
		o = *opts;
	if (tmpl_parse_funcs(&t, src, strlen(src), &o, test_funcs, &err) < 0)
		return xasprintf("ERR: %s", err.msg);
	if (tmpl_render(t, &data, &out, deps, &err) < 0) {
		tmpl_free(t);
		buf_free(&out);
		return xasprintf("ERR: %s", err.msg);
	}
	tmpl_free(t);
	return out.data != NULL ? buf_steal(&out) : xstrdup("");
}

/* Checks every case of a table. */
static void
check_cases(const struct tcase *cases, size_t n, const struct tmpl_opts *o)
{
	size_t i;
	char *got;
	int bad = 0;

	for (i = 0; i < n; i++) {
		got = run_opts(cases[i].src, o, NULL);
		if (strcmp(got, cases[i].want) != 0) {
			print_message("template %s\n  want [%s]\n  got  [%s]\n",
			    cases[i].src, cases[i].want, got);
			bad++;
		}
		free(got);
	}
	assert_int_equal(bad, 0);
}

#define CHECK(cases) check_cases(cases, sizeof(cases) / sizeof(cases[0]), NULL)

/* Text, literals and their printing. */
static void
test_literals(void **state)
{
	static const struct tcase cases[] = {
	    {"", ""},
	    {"plain text", "plain text"},
	    {"{{\"a\\tb\\u00e9\\x41\\101\\\"\"}}", "a\tbéAA\""},
	    {"{{`raw\\n`}}", "raw\\n"},
	    {"{{1}} {{-2}} {{+3}} {{0x1F}} {{0o17}} {{017}} {{0b101}}",
		"1 -2 3 31 15 15 5"},
	    {"{{1_000}} {{0x_ff}}", "1000 255"},
	    {"{{1.5}} {{1e3}} {{.5}} {{1.}} {{0x1p4}}", "1.5 1000 0.5 1 16"},
	    {"{{'a'}} {{'\\n'}} {{'é'}} {{'\\x41'}}", "97 10 233 65"},
	    {"{{true}} {{false}}", "true false"},
	    {"{{.}}", "map[Env:map[EMPTY: HOME:/root USER:app] "
		      "Path:/etc/app.conf]"},
	};

	(void)state;
	CHECK(cases);
}

/*
 * Arguments are converted to the function's parameter types as Go's
 * evalArg does: a wrong one fails at the argument (a constant at itself, a
 * computed value where its evaluation ended), an error of the function
 * itself at the call.
 */
static void
test_arguments(void **state)
{
	static const struct tcase cases[] = {
	    {"{{printf 3}}", "ERR: t.tmpl:1:9: expected string; found 3"},
	    {"{{add 1 2.0}} {{add 1e2 '\\x01'}} {{add 1 (len \"ab\")}}",
		"3 101 3"},
	    {"{{add 1 2.5}}", "ERR: t.tmpl:1:8: expected integer; found 2.5"},
	    {"{{add true 1}}", "ERR: t.tmpl:1:6: expected integer; found true"},
	    /* The piped value: where the command's last argument was. */
	    {"{{\"x\" | add 1}}",
		"ERR: t.tmpl:1:12: wrong type for value; expected int; got "
		"string"},
	    {"{{upper .Nope}}",
		"ERR: t.tmpl:1:8: invalid value; expected string"},
	    {"{{upper nil}}", "ERR: t.tmpl:1:8: cannot assign nil to string"},
	    {"{{upper (len \"abc\")}}",
		"ERR: t.tmpl:1:13: wrong type for value; expected string; got "
		"int"},
	    {"{{$x := 1}}\n {{upper\n $x}}",
		"ERR: t.tmpl:3:1: wrong type for value; expected string; got "
		"int"},
	    {"{{replace \"a\" 1 (fail \"never evaluated\") 1}}",
		"ERR: t.tmpl:1:14: expected string; found 1"},
	    {"{{atoi \"x\"}}",
		"ERR: t.tmpl:1:2: error calling atoi: strconv.Atoi: parsing "
		"\"x\": invalid syntax"},
	    /* index of a string is Go's uint8 (a byte). */
	    {"{{printf \"%T %v %c\" (index \"abc\" 0) (index \"abc\" 0) "
	     "(index \"abc\" 0)}} {{eq (index \"abc\" 1) 98}}",
		"uint8 97 a true"},
	    {"{{add 1 (index \"abc\" 0)}}",
		"ERR: t.tmpl:1:21: wrong type for value; expected int; got "
		"uint8"},
	};

	(void)state;
	CHECK(cases);
}

/* Floats print as Go's %v: shortest round trip, exponent past 1e21. */
static void
test_float_format(void **state)
{
	static const struct tcase cases[] = {
	    {"{{0.1}} {{3.14}} {{1e6}} {{1e20}} {{123456.0}}",
		"0.1 3.14 1e+06 1e+20 123456"},
	    {"{{1234567.0}} {{1e-4}} {{1e-5}} {{0.000123}}",
		"1.234567e+06 0.0001 1e-05 0.000123"},
	    {"{{-0.0}} {{2.5e-300}} {{1.7976931348623157e308}}",
		"-0 2.5e-300 1.7976931348623157e+308"},
	    {"{{print 0.30000000000000004}} {{print 100.0}}",
		"0.30000000000000004 100"},
	    {"{{printf \"%g|%e|%E|%f|%.2f|%8.3f|%-8.2e|\" 1e6 1234.5678 "
	     "1e-10 3.0 2.555 3.14159 12345.678}}",
		"1e+06|1.234568e+03|1.000000E-10|3.000000|2.56|   3.142|"
		"1.23e+04|"},
	    {"{{printf \"%.3g|%G|%+.1f|% f|%08.3f\" 1234.5678 1e-7 2.0 1.5 "
	     "-3.14159}}",
		"1.23e+03|1E-07|+2.0| 1.500000|-003.142"},
	};

	(void)state;
	CHECK(cases);
}

/* Trim markers need the space; comments trim too. */
static void
test_trim_and_comments(void **state)
{
	static const struct tcase cases[] = {
	    {"a  {{- 1}}  b {{2 -}}\n  c", "a1  b 2c"},
	    {"a {{-1}} b", "a -1 b"},
	    {"x\n\t {{- \"y\" -}} \n\tz", "xyz"},
	    {"a {{/* comment */}} b", "a  b"},
	    {"a {{- /* comment */ -}} b", "ab"},
	    {"a {{/* multi\nline */ -}}\n b", "a b"},
	    {"{{/* x */ }}", "ERR: t.tmpl:1:2: comment ends before closing "
			     "delimiter"},
	    {"{{/* x", "ERR: t.tmpl:1:2: unclosed comment"},
	};

	(void)state;
	CHECK(cases);
}

/* Custom delimiters, with trim markers and comments. */
static void
test_delimiters(void **state)
{
	static const struct tcase cases[] = {
	    {"{{x}} [[ .Path ]] [[- \"a\" -]] ]]", "{{x}} /etc/app.confa]]"},
	    {"[[/* c */]]ok[[if true]]y[[end]]", "okyy"},
	};
	struct tmpl_opts o = {.name = "t.tmpl",
	    .left_delim = "[[",
	    .right_delim = "]]",
	    .dialect = TMPL_DOCKERIZE};
	char *got;

	(void)state;
	got = run_opts(cases[0].src, &o, NULL);
	assert_string_equal(got, cases[0].want);
	free(got);
	got = run_opts("[[/* c */]]ok[[if true]]y[[end]]", &o, NULL);
	assert_string_equal(got, "oky");
	free(got);
	o.left_delim = "<%";
	o.right_delim = "%>";
	got = run_opts("<%- 1 -%>  <% 2 %>", &o, NULL);
	assert_string_equal(got, "12");
	free(got);
}

/* Fields of maps and records, <no value>, and missing: error. */
static void
test_fields(void **state)
{
	static const struct tcase cases[] = {
	    {"{{.Path}} {{.Env.HOME}} {{$.Env.USER}}",
		"/etc/app.conf /root app"},
	    {"{{.Nope}} {{.Env.NOPE}} {{.Nope.Deeper}}",
		"<no value> <no value> <no value>"},
	    {"{{index .Env \"NOPE\"}}|{{index (dict) \"x\"}}", "|<no value>"},
	    {"{{(dict \"a\" (dict \"b\" 7)).a.b}}", "7"},
	    {"{{$m := dict \"k\" \"v\"}}{{$m.k}}", "v"},
	    {"{{range ls \"app/db/\"}}{{.Key}}={{.Value}};{{end}}",
		"app/db/host=db1;app/db/port=5432;"},
	    {"{{with index (ls \"app/name\") 0}}{{.Path}} {{.Exists}} "
	     "{{.Flags}}{{end}}",
		"app/name true 0"},
	    {"{{(index (ls \"x\") 0).Nope}}",
		"ERR: t.tmpl:1:18: can't evaluate field Nope in type "
		"dependency.KeyPair"},
	    {"{{.Path.X}}", "ERR: t.tmpl:1:7: can't evaluate field X in "
			    "type string"},
	    {"{{.Env.HOME 1}}", "ERR: t.tmpl:1:6: HOME is not a method but "
				"has arguments"},
	    {"{{(dict \"a\" nil).a.b}}",
		"ERR: t.tmpl:1:12: nil pointer evaluating interface {}.b"},
	    /* One step over records whose field moves between them. */
	    {"{{range recs}}{{.B}}{{end}}", "b1b2b3b4"},
	    {"{{range $i, $r := recs}}{{if lt $i 2}}{{$r.A}}{{end}}{{end}}",
		"a1a2"},
	    {"{{range recs}}{{.A}}{{end}}",
		"ERR: t.tmpl:1:16: can't evaluate field A in type test.Rec"},
	};
	static const struct tcase strict[] = {
	    {"{{.Path}}", "/etc/app.conf"},
	    {"{{.Nope}}", "ERR: t.tmpl:1:2: map has no entry for key "
			  "\"Nope\""},
	    {"x\n  {{.Env.NOPE}}",
		"ERR: t.tmpl:2:8: map has no entry for key \"NOPE\""},
	};
	struct tmpl_opts o = {.name = "t.tmpl",
	    .missing_error = true,
	    .dialect = TMPL_DOCKERIZE};

	(void)state;
	CHECK(cases);
	check_cases(strict, sizeof(strict) / sizeof(strict[0]), &o);
}

/* Variables: declaration, assignment, Go's scoping, $ . */
static void
test_variables(void **state)
{
	static const struct tcase cases[] = {
	    {"{{$x := 1}}{{$x}}{{$x = 2}}{{$x}}", "12"},
	    {"{{$x := 1}}{{if true}}{{$x := 2}}{{$x}}{{end}}{{$x}}", "21"},
	    {"{{$x := 1}}{{if true}}{{$x = 2}}{{end}}{{$x}}", "2"},
	    {"{{with $y := 5}}{{$y}}{{end}}", "5"},
	    {"{{range $i, $v := list 7 8}}{{$i}}{{$v}}{{end}}", "0718"},
	    {"{{range $v := list 7 8}}{{$v}}{{end}}", "78"},
	    {"{{$}}", "map[Env:map[EMPTY: HOME:/root USER:app] "
		      "Path:/etc/app.conf]"},
	    {"{{define \"t\"}}{{$}}{{end}}{{$x := 1}}{{template \"t\" 9}}",
		"9"},
	    {"{{if true}}{{$y := 2}}{{end}}{{$y}}",
		"ERR: t.tmpl:1:31: undefined variable \"$y\""},
	    {"{{$x}}", "ERR: t.tmpl:1:2: undefined variable \"$x\""},
	    {"{{$x = 1}}", "ERR: t.tmpl:1:7: undefined variable: $x"},
	    {"{{define \"t\"}}{{$x}}{{end}}{{$x := 1}}",
		"ERR: t.tmpl:1:16: undefined variable \"$x\""},
	    {"{{$x := 1}}{{$x 2}}",
		"ERR: t.tmpl:1:13: can't give argument to non-function $x"},
	};

	(void)state;
	CHECK(cases);
}

/* if / else if / else, with / else with, Go's truth. */
static void
test_conditionals(void **state)
{
	static const struct tcase cases[] = {
	    {"{{if 1}}a{{end}}{{if 0}}b{{end}}{{if \"\"}}c{{end}}", "a"},
	    {"{{if list}}a{{else}}b{{end}}{{if dict \"k\" 1}}c{{end}}", "bc"},
	    {"{{if .Nope}}a{{else if 0}}b{{else if 1}}c{{else}}d{{end}}", "c"},
	    {"{{if 0.0}}a{{else}}b{{end}}{{if .Nope}}a{{else}}c{{end}}", "bc"},
	    {"{{if nil}}a{{end}}", "ERR: t.tmpl:1:5: nil is not a command"},
	    {"{{with .Path}}[{{.}}]{{end}}{{with \"\"}}x{{else}}y{{end}}",
		"[/etc/app.conf]y"},
	    {"{{with 0}}a{{else with 2}}{{.}}{{else}}c{{end}}", "2"},
	    {"{{if 1}}a{{else}}b{{else}}c{{end}}",
		"ERR: t.tmpl:1:20: expected end; found {{else}}"},
	    {"{{if}}x{{end}}", "ERR: t.tmpl:1:4: missing value for if"},
	    {"{{if 1}}", "ERR: t.tmpl:1:8: unexpected EOF"},
	    {"{{end}}", "ERR: t.tmpl:1:2: unexpected {{end}}"},
	    {"{{else}}", "ERR: t.tmpl:1:2: unexpected {{else}}"},
	};

	(void)state;
	CHECK(cases);
}

/* range over lists and maps, else, break, continue. */
static void
test_range(void **state)
{
	static const struct tcase cases[] = {
	    {"{{range list 1 2 3}}{{.}},{{end}}", "1,2,3,"},
	    {"{{range $k, $v := dict \"b\" 2 \"a\" 1 \"c\" 3}}{{$k}}{{$v}}"
	     "{{end}}",
		"a1b2c3"},
	    {"{{range .Env}}{{.}};{{end}}", ";/root;app;"},
	    {"{{range list}}x{{else}}empty{{end}}", "empty"},
	    {"{{range .Nope}}x{{else}}none{{end}}", "none"},
	    {"{{range list 1 2 3 4}}{{if eq . 3}}{{break}}{{end}}{{.}}"
	     "{{end}}",
		"12"},
	    {"{{range list 1 2 3 4}}{{if eq . 2}}{{continue}}{{end}}{{.}}"
	     "{{end}}",
		"134"},
	    {"{{range list 1 2}}{{range list 3 4}}{{break}}{{end}}{{.}}"
	     "{{end}}",
		"12"},
	    {"{{range 5}}{{end}}",
		"ERR: t.tmpl:1:8: range can't iterate over 5"},
	    {"{{range \"abc\"}}{{end}}",
		"ERR: t.tmpl:1:8: range can't iterate over abc"},
	    {"{{break}}", "ERR: t.tmpl:1:2: {{break}} outside {{range}}"},
	    {"{{range list}}{{continue 1}}{{end}}",
		"ERR: t.tmpl:1:25: unexpected \"1\" in {{continue}}"},
	    {"{{range $a, $b, $c := list}}{{end}}",
		"ERR: t.tmpl:1:14: too many declarations in range"},
	};

	(void)state;
	CHECK(cases);
}

/* define, template, block; recursion and its limit. */
static void
test_templates(void **state)
{
	static const struct tcase cases[] = {
	    {"{{define \"a\"}}A{{.}}{{end}}{{template \"a\" 1}}"
	     "{{template \"a\" \"x\"}}",
		"A1Ax"},
	    {"{{template \"a\"}}{{define \"a\"}}[{{.}}]{{end}}",
		"[<no value>]"},
	    {"{{block \"b\" .Path}}<{{.}}>{{end}}", "</etc/app.conf>"},
	    {"{{define \"b\"}}new{{end}}{{block \"b\" .}}old{{end}}",
		"ERR: t.tmpl:1:47: multiple definition of template \"b\""},
	    {"{{define \"b\"}} {{end}}{{block \"b\" 1}}<{{.}}>{{end}}", "<1>"},
	    {"{{define \"r\"}}{{if .}}{{len .}}{{template \"r\" slice . 1}}"
	     "{{end}}{{end}}{{template \"r\" \"abc\"}}",
		"321"},
	    {"{{template \"nope\"}}",
		"ERR: t.tmpl:1:11: template \"nope\" not defined"},
	    {"{{define \"a\"}}x", "ERR: t.tmpl:1:15: unexpected EOF"},
	    {"{{if 1}}{{define \"a\"}}{{end}}{{end}}",
		"ERR: t.tmpl:1:10: unexpected <define> in command"},
	    {"{{define \"loop\"}}{{template \"loop\"}}{{end}}"
	     "{{template \"loop\"}}",
		"ERR: t.tmpl:1:28: exceeded maximum template depth (1000)"},
	};

	(void)state;
	CHECK(cases);
}

/* Pipelines, parentheses, chained fields, and command errors. */
static void
test_pipelines(void **state)
{
	static const struct tcase cases[] = {
	    {"{{\"abc\" | len}}", "3"},
	    {"{{.Path | printf \"%s-%s\" \"x\"}}", "x-/etc/app.conf"},
	    {"{{1 | print 2 | print 3}}", "32 1"},
	    {"{{(1)}} {{(print 1 2)}} {{(.Env).HOME}}", "1 1 2 /root"},
	    {"{{print (len (list 1 2)) (index (list 5 6) 1)}}", "2 6"},
	    {"{{1 | 2}}",
		"ERR: t.tmpl:1:6: non executable command in pipeline stage 2"},
	    {"{{ 1 }", "ERR: t.tmpl:1:5: unexpected \"}\" in operand"},
	    {"{{nil}}", "ERR: t.tmpl:1:2: nil is not a command"},
	    {"{{(1 2)}}", "ERR: t.tmpl:1:3: can't give argument to "
			  "non-function 1"},
	    {"{{keyy 1}}", "ERR: t.tmpl:1:2: function \"keyy\" not defined"},
	    {"{{\"a\".X}}", "ERR: t.tmpl:1:5: unexpected . after term "
			    "\"\\\"a\\\"\""},
	    {"{{(1}}", "ERR: t.tmpl:1:4: unclosed left paren"},
	    {"{{1)}}", "ERR: t.tmpl:1:3: unexpected \")\" in command"},
	    {"{{)}}", "ERR: t.tmpl:1:2: unexpected \")\" in command"},
	    {"{{\"abc}}", "ERR: t.tmpl:1:2: unterminated quoted string"},
	    {"{{`abc}}", "ERR: t.tmpl:1:2: unterminated raw quoted string"},
	    {"{{3x}}", "ERR: t.tmpl:1:2: bad number syntax: \"3x\""},
	    {"{{.X#}}", "ERR: t.tmpl:1:4: bad character U+0023 '#'"},
	    {"{{\"\\q\"}}", "ERR: t.tmpl:1:2: invalid syntax"},
	    {"{{x := 1}}", "ERR: t.tmpl:1:2: function \"x\" not defined"},
	    {"{{ .X", "ERR: t.tmpl:1:5: unclosed action"},
	    {"a\nb {{.X}}\n {{ fail \"boom\" }}",
		"ERR: t.tmpl:3:4: error calling fail: boom"},
	    {"{{len 1 2}}",
		"ERR: t.tmpl:1:2: wrong number of args for len: want 1 got 2"},
	    {"{{and}}", "ERR: t.tmpl:1:2: wrong number of args for and: "
			"want at least 1 got 0"},
	    {"{{1e309}}", "ERR: t.tmpl:1:2: illegal number syntax: \"1e309\""},
	    {"{{99999999999999999999}}",
		"ERR: t.tmpl:1:2: integer overflow: \"99999999999999999999\""},
	};

	(void)state;
	CHECK(cases);
}

/* and, or, not, comparisons with Go's type rules. */
static void
test_logic_and_compare(void **state)
{
	static const struct tcase cases[] = {
	    {"{{and 1 0 2}} {{and 1 2}} {{or 0 \"\" \"x\"}} {{or 0 \"\"}}",
		"0 2 x "},
	    {"{{and 0 (fail \"not evaluated\")}} "
	     "{{or 1 (fail \"not evaluated\")}}",
		"0 1"},
	    {"{{not 0}} {{not \"a\"}} {{1 | and 2}}", "true false 1"},
	    {"{{eq 1 2 3 1}} {{eq \"a\" \"a\"}} {{ne 1 2}} {{eq .Nope 1}}",
		"true true true false"},
	    {"{{lt 1 2}} {{le 2 2}} {{gt \"b\" \"a\"}} {{ge 1.5 2.5}}",
		"true true true false"},
	    {"{{lt \"a\" \"ab\"}} {{gt -1 -2}} {{eq true true}}",
		"true true true"},
	    {"{{eq 1 \"a\"}}", "ERR: t.tmpl:1:2: error calling eq: "
			       "incompatible types for comparison"},
	    {"{{eq 1 1.0}}", "ERR: t.tmpl:1:2: error calling eq: "
			     "incompatible types for comparison"},
	    {"{{lt true false}}", "ERR: t.tmpl:1:2: error calling lt: "
				  "invalid type for comparison"},
	    {"{{eq 1}}", "ERR: t.tmpl:1:2: error calling eq: missing "
			 "argument for comparison"},
	    {"{{eq (list 1) (list 1)}}",
		"ERR: t.tmpl:1:2: error calling eq: non-comparable type "
		"[1]: []interface {}"},
	};

	(void)state;
	CHECK(cases);
}

/* len, index (multi), slice, and the escapers. */
static void
test_collections_and_escapers(void **state)
{
	static const struct tcase cases[] = {
	    {"{{len \"abc\"}} {{len (list 1 2)}} {{len .Env}}", "3 2 3"},
	    {"{{index \"abc\" 1}} {{index (list 1 (list 2 3)) 1 0}} "
	     "{{index .Env \"HOME\"}}",
		"98 2 /root"},
	    {"{{slice \"abcd\" 1 3}} {{slice \"abcd\" 2}} {{slice (list 1 2 3) "
	     "1}} {{slice (list 1 2 3) 0 1 2}}",
		"bc cd [2 3] [1]"},
	    {"{{index \"abc\" 3}}", "ERR: t.tmpl:1:2: error calling index: "
				    "reflect: string index out of range"},
	    {"{{index (list 1) -1}}", "ERR: t.tmpl:1:2: error calling "
				      "index: index out of range: -1"},
	    {"{{index 1 1}}", "ERR: t.tmpl:1:2: error calling index: can't "
			      "index item of type int"},
	    {"{{slice \"abc\" 2 1}}", "ERR: t.tmpl:1:2: error calling slice: "
				      "invalid slice index: 2 > 1"},
	    {"{{slice \"abc\" 0 1 2}}", "ERR: t.tmpl:1:2: error calling "
					"slice: cannot 3-index slice a "
					"string"},
	    {"{{len 3}}", "ERR: t.tmpl:1:2: error calling len: len of type "
			  "int"},
	    {"{{html \"<a href=\\\"x\\\">'&'</a>\"}}",
		"&lt;a href=&#34;x&#34;&gt;&#39;&amp;&#39;&lt;/a&gt;"},
	    {"{{js \"a'b\\\"c<d>&=\\\\\\n\"}}",
		"a\\'b\\\"c\\u003Cd\\u003E\\u0026\\u003D\\\\\\u000A"},
	    {"{{urlquery \"a b&c=d/é\"}} {{urlquery 1 2}}",
		"a+b%26c%3Dd%2F%C3%A9 1+2"},
	    {"{{html 1 \"<\"}}", "1&lt;"},
	    {"{{call 1}}", "ERR: t.tmpl:1:2: error calling call: "
			   "non-function of type int"},
	};

	(void)state;
	CHECK(cases);
}

/* print, println, printf verbs, flags, width, precision, bad verbs. */
static void
test_printf(void **state)
{
	static const struct tcase cases[] = {
	    {"{{print 1 2 \"a\" \"b\" 3 nil}}", "1 2ab3 <nil>"},
	    {"{{println 1 \"a\" 2}}", "1 a 2\n"},
	    {"{{printf \"%d|%5d|%-5d|%05d|%+d|% d|%x|%X|%#x|%o|%#o|%O|%b\" "
	     "1 2 3 -4 5 6 255 255 255 8 8 8 5}}",
		"1|    2|3    |-0004|+5| 6|ff|FF|0xff|10|010|0o10|101"},
	    {"{{printf \"%c|%q|%U|%#U|%.3d|%.0d|%8.3d\" 65 97 233 65 7 0 -7}}",
		"A|'a'|U+00E9|U+0041 'A'|007||    -007"},
	    {"{{printf \"%s|%10s|%-10s|%.2s|%q|%x|% X|%#x\" \"a\" \"b\" \"c\" "
	     "\"xyz\" \"q\\n\" \"hi\" \"hi\" \"hi\"}}",
		"a|         b|c         |xy|\"q\\n\"|6869|68 69|0x6869"},
	    {"{{printf \"%#q|%+q|%05s\" \"ab\" \"é\" \"ab\"}}",
		"`ab`|\"\\u00e9\"|000ab"},
	    {"{{printf \"%t|%v|%5t\" true false true}}", "true|false| true"},
	    {"{{printf \"%v|%+v|%d|%s|%q\" (list 1 \"a\" nil) (dict \"a\" 1) "
	     "(list 1 2) (list \"a\" 1) (list \"a\" \"b\")}}",
		"[1 a <nil>]|map[a:1]|[1 2]|[a %!s(int=1)]|[\"a\" \"b\"]"},
	    {"{{printf \"%v %+v\" (index (ls \"x\") 0) (index (ls \"x\") 0)}}",
		"{x x 1 true 0 0 0 0 } {Path:x Key:x Value:1 Exists:true "
		"CreateIndex:0 ModifyIndex:0 LockIndex:0 Flags:0 Session:}"},
	    {"{{printf \"%*d|%-*d|%.*f|%*d\" 4 1 4 2 1 3.14159 -3 7}}",
		"   1|2   |3.1|7  "},
	    {"{{printf \"%d|%s|%t\" \"x\" 5 1}}",
		"%!d(string=x)|%!s(int=5)|%!t(int=1)"},
	    {"{{printf \"%d %d\" 1}}", "1 %!d(MISSING)"},
	    {"{{printf \"%d\" 1 \"a\" 2.5 nil}}",
		"1%!(EXTRA string=a, float64=2.5, <nil>)"},
	    {"{{printf \"%z|%!|%\" 1 2}}", "%!z(int=1)|%!!(int=2)|%!(NOVERB)"},
	    {"{{printf \"%*d\" \"x\" 1}}", "%!(BADWIDTH)1"},
	    {"{{printf \"%5%|%%|%v|%d\" nil nil}}", "%|%|<nil>|%!d(<nil>)"},
	    {"{{printf \"%T %T %T %T %T\" 1 \"a\" 1.5 (list) nil}}",
		"int string float64 []interface {} <nil>"},
	    {"{{printf \"%6.2f|%-8.3v|%+v\" 3.14159 3.14159 1.5}}",
		"  3.14|3.14    |1.5"},
	    {"{{printf \"%[2]s %[1]s|%[3]d|%[1]*d\" \"a\" \"b\"}}",
		"b a|%!d(BADINDEX)|%!(BADWIDTH)%!d(string=b)"},
	    {"{{printf \"%#v|%#v|%#v|%#v\" \"s\" 1.0 (list 1 \"a\" nil) "
	     "(dict \"k\" true)}}",
		"\"s\"|1|[]interface {}{1, \"a\", interface {}(nil)}|"
		"map[string]interface {}{\"k\":true}"},
	    {"{{len (printf \"%0300d|%.400x\" -5 255)}}", "701"},
	    {"{{printf \"%#g|%#g|%#g|%#.3g\" 1e6 0.1 123456.0 100.0}}",
		"1.00000e+06|0.100000|123456.|100."},
	    {"{{printf \"%x|%X|%x\" 1.0 -3.5 0.1}}",
		"0x1p+00|-0X1.CP+01|0x1.999999999999ap-04"},
	    {"{{urlquery nil}} {{html nil}}",
		"%3Cno+value%3E &lt;no value&gt;"},
	    {"{{printf 1}}", "ERR: t.tmpl:1:9: expected string; found 1"},
	};

	(void)state;
	CHECK(cases);
}

/* Limits: output size, nesting depth; never partial output. */
static void
test_limits(void **state)
{
	struct tmpl_opts o = {.name = "t.tmpl",
	    .max_output = 10,
	    .dialect = TMPL_DOCKERIZE};
	struct tmpl_data data = {0};
	struct buf out = {0};
	struct buf deep = {0};
	struct tmpl *t;
	struct cerr err;
	char *got;
	int i;

	(void)state;
	got = run_opts("0123456789", &o, NULL);
	assert_string_equal(got, "0123456789");
	free(got);
	got = run_opts("01234{{range list 1 2 3 4 5 6}}x{{end}}", &o, NULL);
	assert_string_equal(got, "ERR: t.tmpl:1:31: output exceeds the "
				 "limit of 10 bytes");
	free(got);

	/* Nesting past the limit is a clean parse error. */
	for (i = 0; i < 1100; i++)
		buf_puts(&deep, "{{if 1}}");
	got = run_opts(deep.data, NULL, NULL);
	assert_non_null(strstr(got, "exceeded maximum nesting depth (1000)"));
	free(got);
	buf_reset(&deep);
	buf_puts(&deep, "{{");
	for (i = 0; i < 1100; i++)
		buf_puts(&deep, "(");
	got = run_opts(deep.data, NULL, NULL);
	assert_non_null(strstr(got, "ERR: t.tmpl:1:"));
	free(got);
	buf_free(&deep);

	/* On error the caller's buffer keeps what it had, nothing more. */
	buf_puts(&out, "before");
	assert_int_equal(tmpl_parse_funcs(&t, "abc{{fail \"x\"}}", 15,
			     &(struct tmpl_opts){.name = "p"}, test_funcs,
			     &err),
	    0);
	assert_int_equal(tmpl_render(t, &data, &out, NULL, &err), -1);
	assert_string_equal(err.msg, "p:1:5: error calling fail: x");
	assert_string_equal(out.data, "before");
	assert_int_equal(out.len, 6);
	tmpl_free(t);
	/* Appending past the caller's own cap is an error too. */
	out.cap = 8;
	assert_int_equal(tmpl_parse(&t, "abc", 3, &(struct tmpl_opts){0}, &err),
	    0);
	assert_int_equal(tmpl_render(t, NULL, &out, NULL, &err), -1);
	assert_string_equal(out.data, "before");
	tmpl_free(t);
	buf_free(&out);
	tmpl_free(NULL);
	tmpl_deps_free(NULL);
}

/* Dependencies: keys read (found or not), prefixes, missing, files. */
static void
test_deps(void **state)
{
	struct tmpl_deps deps = {0};
	char *got;

	(void)state;
	got = run_opts("{{kv \"app/name\"}} {{kv \"nope\"}} {{kv \"app/name\"}}"
		       "{{range ls \"app/db/\"}}{{.Value}}{{end}}"
		       "{{file \"/etc/hosts\"}}",
	    NULL, &deps);
	assert_string_equal(got, "shop  shopdb15432/etc/hosts");
	free(got);
	assert_int_equal(deps.nkeys, 2);
	assert_string_equal(deps.keys[0], "app/name");
	assert_string_equal(deps.keys[1], "nope");
	assert_int_equal(deps.nprefixes, 1);
	assert_string_equal(deps.prefixes[0], "app/db/");
	assert_int_equal(deps.nmissing, 1);
	assert_string_equal(deps.missing[0], "nope");
	assert_int_equal(deps.nfiles, 1);
	assert_string_equal(deps.files[0], "/etc/hosts");

	/* A second render adds to the same deps without duplicates. */
	got = run_opts("{{kv \"nope\"}}{{kv \"x\"}}{{fail \"stop\"}}", NULL,
	    &deps);
	assert_string_equal(got, "ERR: t.tmpl:1:25: error calling fail: stop");
	free(got);
	assert_int_equal(deps.nkeys, 3);
	assert_string_equal(deps.keys[2], "x");
	assert_int_equal(deps.nmissing, 1);
	tmpl_deps_free(&deps);
	assert_int_equal(deps.nkeys, 0);

	got = run_opts("{{getenv \"USER\"}}|{{getenv \"EMPTY\"}}|"
		       "{{getenv \"NONE\"}}",
	    NULL, NULL);
	assert_string_equal(got, "app||");
	free(got);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_literals),
	    cmocka_unit_test(test_arguments),
	    cmocka_unit_test(test_float_format),
	    cmocka_unit_test(test_trim_and_comments),
	    cmocka_unit_test(test_delimiters),
	    cmocka_unit_test(test_fields),
	    cmocka_unit_test(test_variables),
	    cmocka_unit_test(test_conditionals),
	    cmocka_unit_test(test_range),
	    cmocka_unit_test(test_templates),
	    cmocka_unit_test(test_pipelines),
	    cmocka_unit_test(test_logic_and_compare),
	    cmocka_unit_test(test_collections_and_escapers),
	    cmocka_unit_test(test_printf),
	    cmocka_unit_test(test_limits),
	    cmocka_unit_test(test_deps),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
