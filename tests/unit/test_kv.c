/* Unit tests for kv: the sorted snapshot, layering, diff, walk, children. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "kv.h"
#include "xmalloc.h"

/* Appends "key=value;" to a buf: a walk's visible trace. */
static int
collect(void *arg, const char *key, const char *value)
{
	buf_printf(arg, "%s=%s;", key, value);
	return 0;
}

/* Asserts that a walk of kv under prefix gives the trace want. */
static void
expect_walk(const struct kv *kv, const char *prefix, const char *want)
{
	struct buf b = {0};

	kv_walk(kv, prefix, collect, &b);
	assert_string_equal(b.data != NULL ? b.data : "", want);
	buf_free(&b);
}

/* Stops the walk at the second entry. */
static int
stop_second(void *arg, const char *key, const char *value)
{
	int *count = arg;

	(void)key;
	(void)value;
	return ++*count == 2 ? 42 : 0;
}

static void
test_set_get_replace(void **state)
{
	struct kv *kv = kv_new();

	kv_set(kv, "db/host", "a");
	kv_set(kv, "/db/port", "5432");
	kv_set(kv, "app", "x");
	assert_int_equal(kv_len(kv), 3);
	assert_string_equal(kv_get(kv, "db/host"), "a");
	assert_string_equal(kv_get(kv, "/db/host"), "a");
	assert_string_equal(kv_get(kv, "//db/port"), "5432");
	assert_null(kv_get(kv, "db"));
	assert_null(kv_get(kv, "db/hos"));
	kv_set(kv, "db/host", "b");
	assert_int_equal(kv_len(kv), 3);
	assert_string_equal(kv_get(kv, "db/host"), "b");
	kv_set(kv, "empty", "");
	assert_string_equal(kv_get(kv, "empty"), "");
	kv_free(kv);
	kv_free(NULL);
}

static void
test_del(void **state)
{
	struct kv *kv = kv_new();

	kv_set(kv, "a", "1");
	kv_set(kv, "b", "2");
	kv_set(kv, "c", "3");
	assert_int_equal(kv_del(kv, "/b"), 0);
	assert_int_equal(kv_del(kv, "b"), -1);
	assert_int_equal(kv_del(kv, "zz"), -1);
	assert_null(kv_get(kv, "b"));
	assert_string_equal(kv_get(kv, "a"), "1");
	assert_string_equal(kv_get(kv, "c"), "3");
	assert_int_equal(kv_len(kv), 2);
	kv_free(kv);
}

static void
test_walk_sorted_prefix(void **state)
{
	struct kv *kv = kv_new();
	struct buf b = {0};
	int count = 0;

	kv_set(kv, "z", "26");
	kv_set(kv, "db/port", "2");
	kv_set(kv, "dbx", "3");
	kv_set(kv, "db/host", "1");
	kv_set(kv, "a", "0");
	assert_int_equal(kv_walk(kv, "", collect, &b), 0);
	assert_string_equal(b.data, "a=0;db/host=1;db/port=2;dbx=3;z=26;");
	expect_walk(kv, "/db", "db/host=1;db/port=2;dbx=3;");
	expect_walk(kv, "db/", "db/host=1;db/port=2;");
	expect_walk(kv, NULL, "a=0;db/host=1;db/port=2;dbx=3;z=26;");
	assert_int_equal(kv_walk(kv, "", stop_second, &count), 42);
	assert_int_equal(count, 2);
	buf_free(&b);
	kv_free(kv);
}

static void
test_tree(void **state)
{
	struct kv *kv = kv_new();
	struct buf b = {0};

	kv_set(kv, "app", "top");
	kv_set(kv, "app/db/host", "h");
	kv_set(kv, "app/db/port", "p");
	kv_set(kv, "app/name", "n");
	kv_set(kv, "apple", "no");
	kv_tree(kv, "app", collect, &b);
	assert_string_equal(b.data, "db/host=h;db/port=p;name=n;");
	buf_reset(&b);
	kv_tree(kv, "/app/db/", collect, &b);
	assert_string_equal(b.data, "host=h;port=p;");
	buf_reset(&b);
	kv_tree(kv, "", collect, &b);
	assert_string_equal(b.data,
	    "app=top;app/db/host=h;app/db/port=p;app/name=n;apple=no;");
	buf_free(&b);
	kv_free(kv);
}

/* Appends "name[=value][/];" for kv_children. */
static int
collect_child(void *arg, const char *name, const char *value, bool is_dir)
{
	buf_printf(arg, "%s%s%s%s;", name, value ? "=" : "", value ? value : "",
	    is_dir ? "/" : "");
	return 0;
}

static void
test_children(void **state)
{
	struct kv *kv = kv_new();
	struct buf b = {0};

	/* "a-b" sorts between "a" and "a/x": a's keys are not together. */
	kv_set(kv, "s/a", "1");
	kv_set(kv, "s/a-b", "2");
	kv_set(kv, "s/a/x", "3");
	kv_set(kv, "s/a/y/z", "4");
	kv_set(kv, "s/c/d", "5");
	kv_set(kv, "s", "self");
	kv_set(kv, "t", "other");
	kv_children(kv, "s", collect_child, &b);
	assert_string_equal(b.data, "a=1/;a-b=2;c/;");
	buf_reset(&b);
	kv_children(kv, "/s/a/", collect_child, &b);
	assert_string_equal(b.data, "x=3;y/;");
	buf_reset(&b);
	kv_children(kv, "", collect_child, &b);
	assert_string_equal(b.data, "s=self/;t=other;");
	buf_reset(&b);
	kv_children(kv, "nothing", collect_child, &b);
	assert_int_equal(b.len, 0);
	buf_free(&b);
	kv_free(kv);
}

static void
test_layer_later_wins(void **state)
{
	struct kv *l[4];
	struct kv *r;

	l[0] = kv_new();
	l[1] = kv_new();
	l[2] = NULL;
	l[3] = kv_new();
	kv_set(l[0], "a", "0");
	kv_set(l[0], "b", "0");
	kv_set(l[0], "c", "0");
	kv_set(l[1], "b", "1");
	kv_set(l[1], "d", "1");
	kv_set(l[3], "c", "3");
	kv_set(l[3], "b", "3");
	r = kv_layer(l, 4);
	assert_int_equal(kv_len(r), 4);
	assert_string_equal(kv_get(r, "a"), "0");
	assert_string_equal(kv_get(r, "b"), "3");
	assert_string_equal(kv_get(r, "c"), "3");
	assert_string_equal(kv_get(r, "d"), "1");
	/* The layers are not changed. */
	assert_string_equal(kv_get(l[0], "b"), "0");
	kv_free(r);
	r = kv_layer(l, 0);
	assert_int_equal(kv_len(r), 0);
	kv_free(r);
	kv_free(l[0]);
	kv_free(l[1]);
	kv_free(l[3]);
}

static void
test_diff_equal(void **state)
{
	struct kv *a = kv_new(), *b = kv_new(), *c;
	char **keys;
	size_t n;

	kv_set(a, "same", "1");
	kv_set(a, "changed", "old");
	kv_set(a, "removed", "x");
	kv_set(b, "same", "1");
	kv_set(b, "changed", "new");
	kv_set(b, "added", "y");
	keys = kv_diff(a, b, &n);
	assert_int_equal(n, 3);
	assert_string_equal(keys[0], "added");
	assert_string_equal(keys[1], "changed");
	assert_string_equal(keys[2], "removed");
	kv_keys_free(keys, n);
	assert_false(kv_equal(a, b));
	c = kv_dup(a);
	assert_true(kv_equal(a, c));
	keys = kv_diff(a, c, &n);
	assert_int_equal(n, 0);
	kv_keys_free(keys, n);
	keys = kv_diff(NULL, a, &n);
	assert_int_equal(n, 3);
	kv_keys_free(keys, n);
	/* Same keys, one value differs only past an embedded NUL. */
	kv_setn(c, "same", "1\0a", 3);
	assert_false(kv_equal(a, c));
	kv_free(a);
	kv_free(b);
	kv_free(c);
}

/* Random keys in random order still come back sorted and findable. */
static void
test_many_random(void **state)
{
	struct kv *kv = kv_new();
	char key[32], prev[32] = "";
	unsigned seed = 12345;
	size_t i;

	for (i = 0; i < 5000; i++) {
		seed = seed * 1103515245u + 12345u;
		snprintf(key, sizeof(key), "k/%u", seed % 100000);
		kv_set(kv, key, key);
	}
	for (i = 0, seed = 12345; i < 5000; i++) {
		seed = seed * 1103515245u + 12345u;
		snprintf(key, sizeof(key), "k/%u", seed % 100000);
		assert_string_equal(kv_get(kv, key), key);
	}
	struct buf b = {0};
	kv_walk(kv, "", collect, &b);
	/* Check order by walking the trace. */
	for (char *p = b.data, *semi; (semi = strchr(p, ';')); p = semi + 1) {
		*strchr(p, '=') = '\0';
		assert_true(strcmp(prev, p) < 0);
		snprintf(prev, sizeof(prev), "%s", p);
	}
	buf_free(&b);
	kv_free(kv);
}

/* Sets in any order with repeats: the last set wins, reads see all. */
static void
test_unsorted_bulk_last_wins(void **state)
{
	struct kv *kv = kv_new();
	struct buf b = {0};

	kv_set(kv, "c", "1");
	kv_set(kv, "a", "1");
	kv_set(kv, "c", "2");
	kv_set(kv, "b", "1");
	kv_set(kv, "a", "2");
	kv_set(kv, "c", "3");
	assert_int_equal(kv_len(kv), 3);
	kv_walk(kv, "", collect, &b);
	assert_string_equal(b.data, "a=2;b=1;c=3;");
	/* Settled, then more out of order, then a delete. */
	kv_set(kv, "aa", "x");
	kv_set(kv, "b", "9");
	assert_int_equal(kv_del(kv, "a"), 0);
	buf_reset(&b);
	kv_walk(kv, "", collect, &b);
	assert_string_equal(b.data, "aa=x;b=9;c=3;");
	buf_free(&b);
	kv_free(kv);
}

/* 20,000 list-like keys in insertion order ("l/10" sorts before "l/2"):
 * every one is found afterwards. How fast bulk loads are is bench/'s
 * business, not a test's. */
static void
test_bulk_insertion_order(void **state)
{
	struct kv *kv = kv_new();
	char key[32];
	size_t i;

	for (i = 0; i < 20000; i++) {
		snprintf(key, sizeof(key), "l/%zu", i);
		kv_set(kv, key, key + 2);
	}
	assert_int_equal(kv_len(kv), 20000);
	for (i = 0; i < 20000; i += 7) {
		snprintf(key, sizeof(key), "l/%zu", i);
		assert_string_equal(kv_get(kv, key), key + 2);
	}
	assert_null(kv_get(kv, "l/20000"));
	kv_free(kv);
}

/* Ten overlapping layers of 10,000 keys merge into exactly what setting
 * every layer's keys in order into one snapshot gives: later layers win. */
static void
test_layer_many(void **state)
{
	struct kv *l[10], *r, *ref = kv_new();
	char key[64], val[8];
	size_t i, j;

	for (i = 0; i < 10; i++) {
		l[i] = kv_new();
		snprintf(val, sizeof(val), "%zu", i);
		for (j = 0; j < 10000; j++) {
			snprintf(key, sizeof(key), "svc/%zu/key%05zu", j % 50,
			    j * 7 + i);
			kv_set(l[i], key, val);
			kv_set(ref, key, val);
		}
	}
	r = kv_layer(l, 10);
	assert_true(kv_len(r) > 10000);
	assert_int_equal(kv_len(r), kv_len(ref));
	assert_true(kv_equal(r, ref));
	kv_free(r);
	kv_free(ref);
	for (i = 0; i < 10; i++)
		kv_free(l[i]);
}

/* Counts a walk's entries and checks they come sorted, each key once. */
struct walk_check {
	char prev[32];
	size_t n;
	const char *const *want; /* want[key number]: its value, or NULL */
};

static int
check_entry(void *arg, const char *key, const char *value)
{
	struct walk_check *w = arg;
	unsigned k;

	assert_true(w->n == 0 || strcmp(w->prev, key) < 0);
	snprintf(w->prev, sizeof(w->prev), "%s", key);
	assert_int_equal(sscanf(key, "k/%u", &k), 1);
	assert_non_null(w->want[k]);
	assert_string_equal(value, w->want[k]);
	w->n++;
	return 0;
}

/* Bulk sets in ascending runs, descending runs (with repeats inside) and
 * random order, many keys set several times: each key once, sorted, with
 * the value set last. */
static void
test_bulk_runs_last_wins(void **state)
{
	enum { NKEYS = 700, NSETS = 6000 };
	static char vals[NSETS][16];
	const char *want[NKEYS] = {0};
	struct walk_check w = {.want = want};
	struct kv *kv = kv_new();
	unsigned seed = 7, k = 0;
	size_t i, distinct = 0;
	char key[32];

	for (i = 0; i < NSETS; i++) {
		seed = seed * 1103515245u + 12345u;
		switch ((i / 50) % 3) {
		case 0: /* ascending, "k/10" sorting before "k/9" */
			k = (k + 1) % NKEYS;
			break;
		case 1: /* descending, each key twice in a row */
			if (i % 2 == 0)
				k = (k + NKEYS - 1) % NKEYS;
			break;
		default:
			k = (seed >> 8) % NKEYS;
			break;
		}
		snprintf(key, sizeof(key), "k/%u", k);
		snprintf(vals[i], sizeof(vals[i]), "v%zu", i);
		kv_set(kv, key, vals[i]);
		if (want[k] == NULL)
			distinct++;
		want[k] = vals[i];
		if (i == NSETS / 2) /* settle once midway */
			assert_true(kv_len(kv) > 0);
	}
	assert_int_equal(kv_len(kv), distinct);
	kv_walk(kv, "", check_entry, &w);
	assert_int_equal(w.n, distinct);
	kv_free(kv);
}

/* A layered or copied snapshot (its strings in one pool) takes sets,
 * replacements by its own strings, and deletes like any other. */
static void
test_pooled_snapshot_changes(void **state)
{
	struct kv *l[2] = {kv_new(), kv_new()}, *r, *d;

	kv_set(l[0], "a", "0");
	kv_set(l[0], "b", "0");
	kv_set(l[1], "b", "1");
	kv_set(l[1], "c", "1");
	r = kv_layer(l, 2);
	kv_free(l[0]);
	kv_free(l[1]);
	/* Replace a value with another key's value, then with its own. */
	kv_set(r, "a", kv_get(r, "c"));
	kv_set(r, "b", kv_get(r, "b"));
	kv_set(r, "d", "new");
	assert_int_equal(kv_del(r, "c"), 0);
	expect_walk(r, "", "a=1;b=1;d=new;");
	d = kv_dup(r);
	kv_set(d, "a", "x");
	assert_int_equal(kv_del(d, "b"), 0);
	assert_int_equal(kv_del(d, "d"), 0);
	expect_walk(d, "", "a=x;");
	/* The copy did not change the original. */
	expect_walk(r, "", "a=1;b=1;d=new;");
	kv_free(r);
	kv_free(d);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_set_get_replace),
	    cmocka_unit_test(test_del),
	    cmocka_unit_test(test_walk_sorted_prefix),
	    cmocka_unit_test(test_tree),
	    cmocka_unit_test(test_children),
	    cmocka_unit_test(test_layer_later_wins),
	    cmocka_unit_test(test_diff_equal),
	    cmocka_unit_test(test_many_random),
	    cmocka_unit_test(test_layer_many),
	    cmocka_unit_test(test_unsorted_bulk_last_wins),
	    cmocka_unit_test(test_bulk_insertion_order),
	    cmocka_unit_test(test_bulk_runs_last_wins),
	    cmocka_unit_test(test_pooled_snapshot_changes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
