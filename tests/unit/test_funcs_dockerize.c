/* Unit tests of the dockerize dialect's functions (funcs_dockerize.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#define HARNESS_DIALECT TMPL_DOCKERIZE
#define HARNESS_NO_KV

#include "template/template.h"

static char *env[] = {"HOME=/root", "EMPTY=", "MODE=prod",
    "DATABASE_URL=postgres://user:p%40ss@db.example.com:5432/app"
    "?sslmode=disable#frag",
    NULL};

#include "funcs_harness.h"

/* default: the value first, a string default; dockerize's errors. */
static void
test_default(void **state)
{
	static const struct tcase cases[] = {
	    {"{{default .Env.MODE \"dev\"}} {{default .Env.NOPE \"dev\"}} "
	     "[{{default .Env.EMPTY \"dev\"}}]",
		"prod dev []"},
	    /* In a pipe the value comes last: dockerize returns "dev". */
	    {"{{.Env.NOPE | default \"dev\"}} {{.Env.MODE | default "
	     "\"dev\"}}",
		"dev dev"},
	    {"{{default .Env.NOPE}}",
		"~error calling default: default called with no default "
		"value"},
	    {"{{default .Env.NOPE .Env.NOPE2}}",
		"~error calling default: default called with nil default "
		"value"},
	    {"{{default .Env.NOPE 1}}",
		"~error calling default: default is not a string value, "
		"hint: surround it with double quotes"},
	    {"{{default}}",
		"~error calling default: default called with no values"},
	};

	(void)state;
	CHECK(cases);
}

/* exists, contains, split, replace, case, isTrue, atoi, add, loop. */
static void
test_funcs(void **state)
{
	static const struct tcase cases[] = {
	    {"{{.Env.HOME}} {{exists \"/\"}} {{exists \"/nonexistent\"}}",
		"/root true false"},
	    {"{{exists \"/dev/null/x\"}}",
		"~error calling exists: unable to stat /dev/null/x: stat "
		"/dev/null/x: not a directory"},
	    {"{{contains .Env \"HOME\"}} {{contains .Env \"NOPE\"}}",
		"true false"},
	    {"{{split \"a,b\" \",\"}} {{range split .Env.HOME \"/\"}}"
	     "[{{.}}]{{end}}",
		"[a b] [][root]"},
	    {"{{replace \"a.b.c\" \".\" \"-\" -1}} "
	     "{{replace \"a.b.c\" \".\" \"-\" 1}}",
		"a-b-c a-b.c"},
	    {"{{lower \"AbÉ\"}} {{upper \"abé\"}}", "abé ABÉ"},
	    {"{{isTrue \"TRUE\"}} {{isTrue \"yes\"}} {{isTrue \"On\"}} "
	     "{{isTrue \"1\"}} {{isTrue \"t\"}} {{isTrue \"no\"}} "
	     "{{isTrue \"bogus\"}} {{isTrue \"\"}}",
		"true true true true true false false false"},
	    {"{{atoi \"42\"}} {{add 1 2}} {{add (atoi \"2\") 3}}", "42 3 5"},
	    {"{{atoi \"4x\"}}",
		"~error calling atoi: strconv.Atoi: parsing \"4x\": "
		"invalid syntax"},
	    {"{{add 1 \"2\"}}", "~t.tmpl:1:8: expected integer; found \"2\""},
	    {"{{range loop 3}}{{.}}{{end}} {{range loop 2 5}}{{.}}{{end}} "
	     "{{range loop 0 10 3}}{{.}}{{end}}",
		"012 234 0369"},
	    {"{{loop 0 1 0}}",
		"~error calling loop: loop: more than 1000000 elements"},
	};

	(void)state;
	CHECK(cases);
}

/* parseUrl: Go's url.Parse fields and errors. */
static void
test_parse_url(void **state)
{
	static const struct tcase cases[] = {
	    {"{{with parseUrl .Env.DATABASE_URL}}{{.Scheme}}|{{.Host}}|"
	     "{{.Path}}|{{.RawQuery}}|{{.Fragment}}|{{.User.Username}}"
	     "{{end}}",
		"postgres|db.example.com:5432|/app|sslmode=disable|frag|"
		"user"},
	    {"{{with parseUrl \"HTTP://h/a%20b\"}}{{.Scheme}} {{.Path}} "
	     "[{{.RawPath}}]{{end}}",
		"http /a b []"},
	    {"{{(parseUrl \"http://h/a%2Fb\").Path}} "
	     "{{(parseUrl \"http://h/a%2Fb\").RawPath}}",
		"/a/b /a%2Fb"},
	    {"{{(parseUrl \"mailto:x@y\").Opaque}} "
	     "{{(parseUrl \"/just/path?q=1\").Path}} "
	     "{{(parseUrl \"http://h/?\").ForceQuery}} "
	     "{{(parseUrl \"http://[::1]:80/\").Host}}",
		"x@y /just/path true [::1]:80"},
	    {"{{with parseUrl \"https://a.example:8443/p\"}}{{.Hostname}}|"
	     "{{.Port}}{{end}} {{with parseUrl \"http://[::1]/\"}}"
	     "{{.Hostname}}|{{.Port}}{{end}}",
		"a.example|8443 ::1|"},
	    /* The URL and .User print as Go's String() methods. */
	    {"{{$u := parseUrl .Env.DATABASE_URL}}{{$u}} {{$u.User}} "
	     "{{printf \"%q %T\" $u.User $u}}",
		"postgres://user:p%40ss@db.example.com:5432/app"
		"?sslmode=disable#frag user:p%40ss \"user:p%40ss\" *url.URL"},
	    {"{{$u := parseUrl \"http://h/\"}}[{{$u.User}}] "
	     "{{if $u.User}}user{{else}}none{{end}} {{$u.User.Username}}.",
		"[] none ."},
	    {"{{with parseUrl .Env.DATABASE_URL}}{{.Redacted}} "
	     "{{.RequestURI}} {{.EscapedPath}} {{.IsAbs}} {{.Query}}{{end}}",
		"postgres://user:xxxxx@db.example.com:5432/app"
		"?sslmode=disable#frag /app?sslmode=disable /app true "
		"map[sslmode:[disable]]"},
	    {"{{parseUrl \"HTTP://[::1]:80/a%2Fb/c d?q#x y\"}} "
	     "{{parseUrl \"a/b:c\"}} {{(parseUrl \"?a=1&a=2&b=x+y\").Query}}",
		"http://[::1]:80/a/b/c%20d?q#x%20y a/b:c map[a:[1 2] b:[x y]]"},
	    {"{{parseUrl \"http://h:abc/\"}}",
		"~error calling parseUrl: unable to parse url http://h:abc/: "
		"parse \"http://h:abc/\": invalid port \":abc\" after host"},
	    {"{{parseUrl \":x\"}}",
		"~error calling parseUrl: unable to parse url :x: parse "
		"\":x\": missing protocol scheme"},
	    {"{{parseUrl \"1a:b\"}}",
		"~error calling parseUrl: unable to parse url 1a:b: parse "
		"\"1a:b\": first path segment in URL cannot contain colon"},
	    {"{{(parseUrl \"http://h%C3%A9.x:1/\").Host}} "
	     "{{(parseUrl \"x#a\\nb\").Fragment}}",
		"hé.x:1 a\nb"},
	    {"{{parseUrl \"http://h%41/\"}}",
		"~error calling parseUrl: unable to parse url http://h%41/: "
		"parse \"http://h%41/\": invalid URL escape \"%41\""},
	    {"{{parseUrl \"http://a b/#x\"}}",
		"~error calling parseUrl: unable to parse url http://a b/#x: "
		"parse \"http://a b/\": invalid character \" \" in host name"},
	    {"{{parseUrl \"a\\tb\"}}",
		"~error calling parseUrl: unable to parse url a\tb: parse "
		"\"a\\tb\": net/url: invalid control character in URL"},
	    {"{{parseUrl \"http://u{@h/\"}}",
		"~error calling parseUrl: unable to parse url http://u{@h/: "
		"parse \"http://u{@h/\": net/url: invalid userinfo"},
	    {"{{parseUrl \"http://h/%zz\"}}",
		"~error calling parseUrl: unable to parse url http://h/%zz: "
		"parse \"http://h/%zz\": invalid URL escape \"%zz\""},
	};

	(void)state;
	CHECK(cases);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_default),
	    cmocka_unit_test(test_funcs),
	    cmocka_unit_test(test_parse_url),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
