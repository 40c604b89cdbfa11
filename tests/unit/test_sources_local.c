/* Unit tests for the local sources: file:// (files, directories) and env://. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "source.h"
#include "xmalloc.h"

static char tmpdir[256];

/* Writes content to tmpdir/rel, creating directories. */
static void
put(const char *rel, const char *content)
{
	char path[512], *slash;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, rel);
	for (slash = strchr(path + strlen(tmpdir) + 1, '/'); slash != NULL;
	     slash = strchr(slash + 1, '/')) {
		*slash = '\0';
		mkdir(path, 0755);
		*slash = '/';
	}
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(content, f);
	fclose(f);
}

/* Returns tmpdir/rel in a static buffer. */
static const char *
at(const char *rel)
{
	static char path[512];

	snprintf(path, sizeof(path), "%s/%s", tmpdir, rel);
	return path;
}

static int
setup(void **state)
{
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/confinit-srctest-XXXXXX");
	assert_non_null(mkdtemp(tmpdir));
	return 0;
}

static int
teardown(void **state)
{
	char cmd[600];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

/* Appends "key=value;" for every key. */
static int
dump_one(void *arg, const char *key, const char *value)
{
	buf_printf(arg, "%s=%s;", key, value);
	return 0;
}

/* Reads path and compares all keys. */
static void
expect_file(const char *path, const char *want)
{
	struct kv *kv = NULL;
	struct cerr err = {{0}};
	struct buf b = {0};

	if (source_file_read(path, &kv, &err) != 0)
		fail_msg("%s", err.msg);
	buf_puts(&b, "");
	kv_walk(kv, "", dump_one, &b);
	assert_string_equal(b.data, want);
	buf_free(&b);
	kv_free(kv);
}

static void
test_file_by_extension(void **state)
{
	char url[600];

	put("a.yaml", "db:\n  host: h\n  port: 1\n");
	put("a.yml", "- x\n");
	put("a.json", "{\"db\": {\"host\": \"j\"}}");
	put("a.properties", "db.host = p\n");
	put("a.env", "export DB_HOST=\"e\"\n");
	put("noext", "k: v\n");
	expect_file(at("a.yaml"), "db/host=h;db/port=1;");
	expect_file(at("a.yml"), "0=x;");
	expect_file(at("a.json"), "db/host=j;");
	expect_file(at("a.properties"), "db.host=p;");
	expect_file(at("a.env"), "DB_HOST=e;");
	expect_file(at("noext"), "k=v;");
	snprintf(url, sizeof(url), "file://%s", at("a.yaml"));
	expect_file(url, "db/host=h;db/port=1;");
}

static void
test_file_errors(void **state)
{
	struct kv *kv = (struct kv *)1;
	struct cerr err = {{0}};
	char want[600];

	put("bad.json", "{\n \"a\": }\n");
	assert_int_equal(source_file_read(at("bad.json"), &kv, &err), -1);
	assert_null(kv);
	snprintf(want, sizeof(want), "%s:2:7: bad number", at("bad.json"));
	assert_string_equal(err.msg, want);
	assert_int_equal(source_file_read(at("missing.yaml"), &kv, &err), -1);
	snprintf(want, sizeof(want), "%s: No such file or directory",
	    at("missing.yaml"));
	assert_string_equal(err.msg, want);
	assert_int_equal(source_file_read("file://", &kv, &err), -1);
	assert_string_equal(err.msg, "file source: empty path");
}

static void
test_directory(void **state)
{
	char link[600], target[600];

	put("d/db/host", "10.0.0.5\n");
	put("d/db/port", "5432");
	put("d/name", "app");
	put("d/.hidden", "no");
	put("d/.git/config", "no");
	put("d/sub/deeper/x.yaml", "not: flattened\n");
	/* A ConfigMap-like layout: name -> ..data/name, ..data -> dir. */
	put("d/..2024_01/cm_key", "from configmap");
	snprintf(link, sizeof(link), "%s", at("d/..data"));
	assert_int_equal(symlink("..2024_01", link), 0);
	snprintf(link, sizeof(link), "%s", at("d/cm_key"));
	assert_int_equal(symlink("..data/cm_key", link), 0);
	snprintf(link, sizeof(link), "%s", at("d/dangling"));
	assert_int_equal(symlink("nowhere", link), 0);
	expect_file(at("d"),
	    "cm_key=from configmap;db/host=10.0.0.5\n;db/port=5432;name=app;"
	    "sub/deeper/x.yaml=not: flattened\n;");
	snprintf(target, sizeof(target), "%s/", at("d"));
	expect_file(target,
	    "cm_key=from configmap;db/host=10.0.0.5\n;db/port=5432;name=app;"
	    "sub/deeper/x.yaml=not: flattened\n;");
}

static void
test_directory_loop(void **state)
{
	struct kv *kv = NULL;
	struct cerr err = {{0}};
	char link[600];

	put("loop/a", "1");
	snprintf(link, sizeof(link), "%s", at("loop/self"));
	assert_int_equal(symlink(".", link), 0);
	assert_int_equal(source_file_read(at("loop"), &kv, &err), -1);
	assert_non_null(strstr(err.msg, "nested deeper than 32"));
}

static void
test_env(void **state)
{
	char *const env[] = {
	    "APP_DB_HOST=10.0.0.5",
	    "APP_DB_PORT=5432",
	    "APP_Mixed_Case=m",
	    "APP_=skipped",
	    "APP=not matched",
	    "OTHER_DB_HOST=no",
	    "APP_EMPTY=",
	    "APP_WITH_EQ=a=b",
	    NULL,
	};
	struct kv *kv = NULL;
	struct buf b = {0};

	assert_int_equal(source_env_read("APP_", env, &kv), 0);
	buf_puts(&b, "");
	kv_walk(kv, "", dump_one, &b);
	assert_string_equal(b.data, "db/host=10.0.0.5;db/port=5432;empty=;"
				    "mixed/case=m;with/eq=a=b;");
	kv_free(kv);
	assert_int_equal(source_env_read("env://OTHER_", env, &kv), 0);
	assert_int_equal(kv_len(kv), 1);
	assert_string_equal(kv_get(kv, "db/host"), "no");
	kv_free(kv);
	/* env:// alone takes every variable. */
	assert_int_equal(source_env_read("env://", env, &kv), 0);
	assert_int_equal(kv_len(kv), 8);
	assert_string_equal(kv_get(kv, "app"), "not matched");
	assert_string_equal(kv_get(kv, "other/db/host"), "no");
	kv_free(kv);
	buf_free(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_file_by_extension, setup,
		teardown),
	    cmocka_unit_test_setup_teardown(test_file_errors, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_directory, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_directory_loop, setup,
		teardown),
	    cmocka_unit_test(test_env),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
