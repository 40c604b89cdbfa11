/* Unit tests of envmap.c: prefix rules, format/sanitize/upcase, templated
 * values, pristine, precedence, dependencies. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "envmap.h"
#include "kv.h"

static const char *
get(void *ctx, const char *key)
{
	return kv_get(ctx, key);
}

static int
walk(void *ctx, const char *prefix,
    int (*fn)(void *, const char *, const char *), void *arg)
{
	return kv_walk(ctx, prefix, fn, arg);
}

static const struct tmpl_kv_ops ops = {.get = get, .walk = walk};

/* The value of NAME in env, or NULL. */
static const char *
lookup(char **env, const char *name)
{
	size_t n = strlen(name);

	for (; *env != NULL; env++)
		if (strncmp(*env, name, n) == 0 && (*env)[n] == '=')
			return *env + n + 1;
	return NULL;
}

static struct kv *
sample(void)
{
	struct kv *kv = kv_new();

	kv_set(kv, "app/env/db-host", "10.0.0.5");
	kv_set(kv, "app/env/port", "5432");
	kv_set(kv, "app/env/nested/key.x", "n");
	kv_set(kv, "app/envy", "not under the prefix");
	kv_set(kv, "other/x", "1");
	return kv;
}

static void
test_prefix_rules(void **state)
{
	struct kv *kv = sample();
	struct tmpl_data data = {.kv = &ops, .kv_ctx = kv};
	struct envmap_rule rules[] = {
	    {.prefix = "/app/env", .upcase = true, .sanitize = true},
	};
	char *base[] = {"PATH=/bin", "PORT=1", NULL};
	struct tmpl_deps deps = {0};
	char **env;

	assert_int_equal(envmap_build(rules, 1, &data, base, &env, &deps, NULL),
	    0);
	assert_string_equal(lookup(env, "DB_HOST"), "10.0.0.5");
	assert_string_equal(lookup(env, "PORT"), "5432");
	assert_string_equal(lookup(env, "NESTED_KEY_X"), "n");
	assert_string_equal(lookup(env, "PATH"), "/bin");
	assert_null(lookup(env, "Y"));
	assert_int_equal(deps.nprefixes, 1);
	assert_string_equal(deps.prefixes[0], "app/env/");
	envmap_free(env);
	tmpl_deps_free(&deps);
	kv_free(kv);
}

static void
test_names(void **state)
{
	struct envmap_rule plain = {.prefix = "p"};
	struct envmap_rule fmt = {.prefix = "p",
	    .format = "APP_{{ key }}_V",
	    .upcase = true,
	    .sanitize = true};
	struct envmap_rule tight = {.prefix = "p", .format = "x{{key}}"};
	char *n;

	n = envmap_name(&plain, "db/host");
	assert_string_equal(n, "db/host");
	free(n);
	n = envmap_name(&fmt, "db-host");
	assert_string_equal(n, "APP_DB_HOST_V");
	free(n);
	n = envmap_name(&tight, "k");
	assert_string_equal(n, "xk");
	free(n);
}

static void
test_values_and_pristine(void **state)
{
	struct kv *kv = sample();
	struct tmpl_data data = {.kv = &ops, .kv_ctx = kv};
	struct tmpl_opts o = {.name = "value"};
	struct envmap_rule rules[2] = {{0}};
	struct tmpl *t1, *t2;
	char *base[] = {"PATH=/bin", NULL};
	const char *v1 = "postgres://{{ key \"app/env/db-host\" }}/app";
	const char *v2 = "{{ keyy }}";
	struct cerr err;
	char **env;

	assert_int_equal(tmpl_parse(&t1, v1, strlen(v1), &o, &err), 0);
	rules[0].name = "DATABASE_URL";
	rules[0].value = t1;
	rules[1].prefix = "other/";
	assert_int_equal(envmap_build(rules, 2, &data, NULL, &env, NULL, &err),
	    0);
	assert_string_equal(lookup(env, "DATABASE_URL"),
	    "postgres://10.0.0.5/app");
	assert_string_equal(lookup(env, "x"), "1");
	/* pristine: nothing of the base. */
	assert_null(lookup(env, "PATH"));
	envmap_free(env);
	/* A later rule wins over an earlier one and over the base. */
	rules[1].name = "PATH";
	rules[1].prefix = NULL;
	rules[1].value = t1;
	assert_int_equal(envmap_build(rules, 2, &data, base, &env, NULL, &err),
	    0);
	assert_string_equal(lookup(env, "PATH"), "postgres://10.0.0.5/app");
	envmap_free(env);
	tmpl_free(t1);
	/* A value that fails names the variable. */
	if (tmpl_parse(&t2, v2, strlen(v2), &o, &err) == 0) {
		rules[0].value = t2;
		assert_int_equal(
		    envmap_build(rules, 1, &data, base, &env, NULL, &err), -1);
		assert_non_null(strstr(err.msg, "env DATABASE_URL"));
		tmpl_free(t2);
	} else {
		assert_non_null(strstr(err.msg, "keyy"));
	}
	kv_free(kv);
}

static void
test_equal(void **state)
{
	char *a[] = {"A=1", "B=2", NULL};
	char *b[] = {"B=2", "A=1", NULL};
	char *c[] = {"A=1", "B=3", NULL};
	char *d[] = {"A=1", NULL};

	assert_true(envmap_equal(a, b));
	assert_false(envmap_equal(a, c));
	assert_false(envmap_equal(a, d));
	assert_false(envmap_equal(d, a));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_prefix_rules),
	    cmocka_unit_test(test_names),
	    cmocka_unit_test(test_values_and_pristine),
	    cmocka_unit_test(test_equal),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
