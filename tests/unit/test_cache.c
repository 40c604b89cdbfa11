/* Unit tests of cache.c: what the startup cache writes, how it is read
 * back, and how a bad file is refused. */
#define _XOPEN_SOURCE 700
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "cache.h"
#include "xmalloc.h"

static char dir[64];
static char *cpath;

static int
setup(void **state)
{
	snprintf(dir, sizeof(dir), "/tmp/confinit-cache-XXXXXX");
	if (mkdtemp(dir) == NULL)
		return -1;
	cpath = xasprintf("%s/sub/cache.json", dir);
	return 0;
}

static int
rm_one(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(p);
}

static int
teardown(void **state)
{
	free(cpath);
	return nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* A source as the backends leave it; snap may be NULL. */
static struct source *
src(const char *name, const struct source_ops *ops, bool secret,
    struct kv *snap)
{
	struct source *s = xcalloc(1, sizeof(*s));

	s->ops = ops;
	s->name = xstrdup(name);
	s->url = xasprintf("%s://127.0.0.1/%s", ops->scheme, name);
	s->secret = secret;
	s->snap = snap;
	return s;
}

static void
src_free(struct source *s)
{
	kv_free(s->snap);
	free(s->name);
	free(s->url);
	free(s);
}

static struct kv *
kv_of(const char *k1, const char *v1, const char *k2, const char *v2)
{
	struct kv *kv = kv_new();

	kv_set(kv, k1, v1);
	if (k2 != NULL)
		kv_set(kv, k2, v2);
	return kv;
}

static char *
slurp(const char *p)
{
	static char buf[65536];
	FILE *f = fopen(p, "r");
	size_t n;

	if (f == NULL)
		return NULL;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	return buf;
}

static void
spit(const char *p, const char *text)
{
	FILE *f = fopen(p, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* Written 0600 in a new directory; read back equal; bytes that are not
 * UTF-8 survive; the local source is not written. */
static void
test_roundtrip(void **state)
{
	struct source *s[3], *r[3];
	struct cerr err;
	struct stat st;
	int64_t at;
	time_t t0 = time(NULL);

	s[0] = src("defaults", &source_file_ops, false, kv_of("a", "1", 0, 0));
	s[1] = src("center", &source_etcd_ops, false,
	    kv_of("db/host", "10.0.0.5", "bin", "\xff\xfe ok"));
	s[2] = src("web", &source_http_ops, false,
	    kv_of("x", "\xc3\xa9t\xc3\xa9", "k\xff", "v"));
	assert_int_equal(cache_save(cpath, s, 3, false, &err), 1);
	assert_int_equal(stat(cpath, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_non_null(strstr(slurp(cpath), "\"db/host\": \"10.0.0.5\""));
	assert_null(strstr(slurp(cpath), "defaults"));

	r[0] = src("defaults", &source_file_ops, false, kv_of("a", "2", 0, 0));
	r[1] = src("center", &source_etcd_ops, false, NULL);
	r[2] = src("web", &source_http_ops, false, NULL);
	assert_int_equal(cache_restore(cpath, r, 3, &at, &err), 0);
	assert_true(at >= t0 && at <= time(NULL));
	assert_false(r[0]->cached);
	assert_string_equal(kv_get(r[0]->snap, "a"), "2");
	assert_true(r[1]->cached && r[2]->cached);
	assert_true(kv_equal(r[1]->snap, s[1]->snap));
	assert_true(kv_equal(r[2]->snap, s[2]->snap));
	for (int i = 0; i < 3; i++) {
		src_free(s[i]);
		src_free(r[i]);
	}
}

/* Nothing is written from an incomplete or partly cached snapshot, nor
 * when no source is remote. */
static void
test_incomplete(void **state)
{
	struct source *s[2];
	struct cerr err;

	s[0] = src("center", &source_etcd_ops, false, kv_of("a", "1", 0, 0));
	s[1] = src("other", &source_consul_ops, false, NULL);
	assert_int_equal(cache_save(cpath, s, 2, false, &err), 0);
	s[1]->snap = kv_new();
	s[1]->cached = true;
	assert_int_equal(cache_save(cpath, s, 2, false, &err), 0);
	assert_int_equal(access(cpath, F_OK), -1);
	src_free(s[1]);
	s[1] = src("file", &source_file_ops, false, kv_new());
	assert_int_equal(cache_save(cpath, s + 1, 1, false, &err), 0);
	assert_int_equal(access(cpath, F_OK), -1);
	s[1]->cached = false;
	assert_int_equal(cache_save(cpath, s, 2, false, &err), 1);
	src_free(s[0]);
	src_free(s[1]);
}

/* A secret source is kept only with secrets; restoring it without says
 * so and changes no source. */
static void
test_secrets(void **state)
{
	struct source *s[2];
	struct cerr err;
	int64_t at;

	s[0] = src("center", &source_etcd_ops, false, kv_of("a", "1", 0, 0));
	s[1] = src("vault", &source_etcd_ops, true,
	    kv_of("pw", "hunter2-secret", 0, 0));
	assert_int_equal(cache_save(cpath, s, 2, false, &err), 1);
	assert_null(strstr(slurp(cpath), "hunter2"));
	assert_null(strstr(slurp(cpath), "vault"));
	kv_free(s[0]->snap);
	kv_free(s[1]->snap);
	s[0]->snap = s[1]->snap = NULL;
	assert_int_equal(cache_restore(cpath, s, 2, &at, &err), -1);
	assert_non_null(strstr(err.msg, "no snapshot of source vault"));
	assert_non_null(strstr(err.msg, "cache_secrets"));
	assert_null(s[0]->snap);
	assert_false(s[0]->cached);

	s[0]->snap = kv_of("a", "1", 0, 0);
	s[1]->snap = kv_of("pw", "hunter2-secret", 0, 0);
	assert_int_equal(cache_save(cpath, s, 2, true, &err), 1);
	assert_non_null(strstr(slurp(cpath), "hunter2-secret"));
	kv_free(s[1]->snap);
	s[1]->snap = NULL;
	assert_int_equal(cache_restore(cpath, s, 2, &at, &err), 0);
	assert_string_equal(kv_get(s[1]->snap, "pw"), "hunter2-secret");
	assert_false(s[0]->cached);
	src_free(s[0]);
	src_free(s[1]);
}

/* Each bad file: -1 naming the file, no source changed. */
static void
test_bad_files(void **state)
{
	static const struct {
		const char *text, *want;
	} cases[] = {
	    {"", "cache.json:"},
	    {"{\"version\": 1, \"saved_at\": 5, \"sour", "cache.json:1:"},
	    {"[1]", "not a confinit cache"},
	    {"{\"version\": 2, \"saved_at\": 5, \"sources\": {}}",
		"not a confinit cache"},
	    {"{\"version\": 1, \"sources\": {}}", "not a confinit cache"},
	    {"{\"version\": 1, \"saved_at\": 5, \"sources\": {}}",
		"no snapshot of source center"},
	    {"{\"version\": 1, \"saved_at\": 5, \"sources\": {\"center\": 3}}",
		"source center: not an object"},
	    {"{\"version\": 1, \"saved_at\": 5, \"sources\": {\"center\": "
	     "{\"keys\": {\"a\": 1}}}}",
		"source center: the value of \"a\" is not a string"},
	    {"{\"version\": 1, \"saved_at\": 5, \"sources\": {\"center\": "
	     "{\"keys\": {}, \"base64\": {\"!!\": \"AA==\"}}}}",
		"source center: bad base64"},
	};
	struct source *s = src("center", &source_etcd_ops, false, NULL);
	char *p = xasprintf("%s/cache.json", dir);
	struct cerr err;
	int64_t at;
	size_t i;

	assert_int_equal(cache_restore(p, &s, 1, &at, &err), 1);
	assert_non_null(strstr(err.msg, "No such file"));
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		spit(p, cases[i].text);
		assert_int_equal(cache_restore(p, &s, 1, &at, &err), -1);
		if (strstr(err.msg, cases[i].want) == NULL ||
		    strstr(err.msg, p) == NULL)
			fail_msg("case %zu: \"%s\" lacks \"%s\"", i, err.msg,
			    cases[i].want);
		assert_null(s->snap);
	}
	unlink(p);
	assert_int_equal(mkdir(p, 0700), 0);
	assert_int_equal(cache_restore(p, &s, 1, &at, &err), -1);
	assert_non_null(strstr(err.msg, "not a regular file"));
	rmdir(p);
	free(p);
	src_free(s);
}

/* A failed write names the file and leaves the old cache whole. */
static void
test_write_fails(void **state)
{
	struct source *s =
	    src("center", &source_etcd_ops, false, kv_of("a", "1", 0, 0));
	char *file = xasprintf("%s/plain", dir), *p;
	struct cerr err;

	spit(file, "x");
	p = xasprintf("%s/c.json", file);
	assert_int_equal(cache_save(p, &s, 1, false, &err), -1);
	assert_non_null(strstr(err.msg, p));
	free(p);
	free(file);
	src_free(s);
}

static void
test_age(void **state)
{
	char b[32];

	assert_string_equal(cache_age(-3, b, sizeof(b)), "0s");
	assert_string_equal(cache_age(59, b, sizeof(b)), "59s");
	assert_string_equal(cache_age(61, b, sizeof(b)), "1m1s");
	assert_string_equal(cache_age(3600 * 2 + 5 * 60 + 3, b, sizeof(b)),
	    "2h5m3s");
	assert_string_equal(cache_age(86400 * 3 + 3600 + 120, b, sizeof(b)),
	    "3d1h2m");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_roundtrip, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_incomplete, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_secrets, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_bad_files, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_write_fails, setup, teardown),
	    cmocka_unit_test(test_age),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
