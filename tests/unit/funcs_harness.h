/* The harness of the template function tests (test_funcs_*.c): a snapshot
 * from a table, rendering a template, tables of cases with their output or
 * error. Included once by each test, which first defines HARNESS_DIALECT,
 * env (a NULL-terminated "NAME=value" array) and, unless it defines
 * HARNESS_NO_KV, kv (a sorted table of {key, value}). */
#ifndef CONFINIT_FUNCS_HARNESS_H
#define CONFINIT_FUNCS_HARNESS_H

/*
 * A template and what it must render; a want starting with '~' is an
 * error whose message must end with the rest (after "t.tmpl:1:COL: ").
 */
struct tcase {
	const char *src;
	const char *want;
};

#ifdef HARNESS_NO_KV
#define HARNESS_KV NULL
#else
#define NKV (sizeof(kv) / sizeof(kv[0]))

/* The test snapshot: get. */
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

/* The test snapshot: sorted walk under a prefix. */
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

#define HARNESS_KV (&kv_ops)
#endif

/* Renders src; returns the output or "ERR: message" (caller frees). */
static char *
render(const char *src, struct tmpl_deps *deps)
{
	struct tmpl_opts o = {.name = "t.tmpl", .dialect = HARNESS_DIALECT};
	struct tmpl_data data = {HARNESS_KV, NULL, env, NULL};
	struct buf out = {0};
	struct tmpl *t;
	struct cerr err;

	if (tmpl_parse(&t, src, strlen(src), &o, &err) < 0)
		return xasprintf("ERR: %s", err.msg);
	if (tmpl_render(t, &data, &out, deps, &err) < 0) {
		tmpl_free(t);
		buf_free(&out);
		return xasprintf("ERR: %s", err.msg);
	}
	tmpl_free(t);
	return out.data != NULL ? buf_steal(&out) : xstrdup("");
}

/* True when got is the output, or the error, that want describes. */
static int
matches(const char *got, const char *want)
{
	size_t g = strlen(got), w;

	if (want[0] != '~')
		return strcmp(got, want) == 0;
	want++;
	w = strlen(want);
	return strncmp(got, "ERR: t.tmpl:1:", 14) == 0 && g >= w &&
	       strcmp(got + g - w, want) == 0;
}

/* Checks every case of a table, reporting all mismatches. */
static void
check_cases(const struct tcase *cases, size_t n)
{
	size_t i;
	char *got;
	int bad = 0;

	for (i = 0; i < n; i++) {
		got = render(cases[i].src, NULL);
		if (!matches(got, cases[i].want)) {
			print_message("template %s\n  want [%s]\n  got  [%s]\n",
			    cases[i].src, cases[i].want, got);
			bad++;
		}
		free(got);
	}
	assert_int_equal(bad, 0);
}

#define CHECK(cases) check_cases(cases, sizeof(cases) / sizeof(cases[0]))

/* True when list[0..n) holds s. */
static int __attribute__((unused)) has(char **list, size_t n, const char *s)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(list[i], s) == 0)
			return 1;
	return 0;
}

#endif
