/* Unit tests of render.c: atomic writes, unchanged content, perms, check. */
#define _XOPEN_SOURCE 700
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <dirent.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "render.h"
#include "xmalloc.h"

static char dir[64];

static int
setup(void **state)
{
	snprintf(dir, sizeof(dir), "/tmp/confinit-render-XXXXXX");
	return mkdtemp(dir) == NULL ? -1 : 0;
}

static int
rm_one(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(p);
}

static int
teardown(void **state)
{
	return nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static char *
path(const char *name)
{
	return xasprintf("%s/%s", dir, name);
}

static char *
slurp(const char *p)
{
	char buf[4096];
	FILE *f = fopen(p, "r");
	size_t n;

	if (f == NULL)
		return NULL;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	return xstrdup(buf);
}

/* Counts the entries of dir whose name contains s. */
static int
count_entries(const char *s)
{
	struct dirent *de;
	DIR *d = opendir(dir);
	int n = 0;

	while ((de = readdir(d)) != NULL)
		if (strstr(de->d_name, s) != NULL)
			n++;
	closedir(d);
	return n;
}

static void
test_write_and_unchanged(void **state)
{
	char *p = path("app.conf"), *got;
	struct render_dest d = {.path = p, .mode = -1};
	struct stat st;

	assert_int_equal(render_write(&d, "a=1\n", 4, NULL), 1);
	got = slurp(p);
	assert_string_equal(got, "a=1\n");
	free(got);
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0644);
	/* Same content: nothing written, not even the mtime. */
	assert_int_equal(render_write(&d, "a=1\n", 4, NULL), 0);
	/* A prefix of the old content is a change. */
	assert_int_equal(render_write(&d, "a=", 2, NULL), 1);
	got = slurp(p);
	assert_string_equal(got, "a=");
	free(got);
	assert_int_equal(render_write(&d, "", 0, NULL), 1);
	assert_int_equal(count_entries(".confinit-"), 0);
	free(p);
}

static void
test_modes(void **state)
{
	char *p = path("secret.conf");
	struct render_dest d = {.path = p, .mode = 0600};
	struct stat st;

	assert_int_equal(render_write(&d, "x", 1, NULL), 1);
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	/* mode -1 keeps the existing file's mode. */
	chmod(p, 0640);
	d.mode = -1;
	assert_int_equal(render_write(&d, "y", 1, NULL), 1);
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0640);
	free(p);
}

static void
test_owner(void **state)
{
	char *p = path("owned.conf");
	struct render_dest d = {.path = p, .mode = -1, .chown = true,
	    .uid = 65534, .gid = 65534};
	struct stat st;

	if (geteuid() != 0)
		skip();
	assert_int_equal(render_write(&d, "x", 1, NULL), 1);
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_uid, 65534);
	assert_int_equal(st.st_gid, 65534);
	/* Without chown, a rewrite keeps the old owner. */
	d.chown = false;
	assert_int_equal(render_write(&d, "y", 1, NULL), 1);
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_uid, 65534);
	free(p);
}

static void
test_create_dirs(void **state)
{
	char *p = path("a/b/c.conf"), *got;
	struct render_dest d = {.path = p, .mode = -1};
	struct cerr err;

	assert_int_equal(render_write(&d, "x", 1, &err), -1);
	assert_non_null(strstr(err.msg, "cannot create a temp file in"));
	d.create_dirs = true;
	assert_int_equal(render_write(&d, "x", 1, &err), 1);
	got = slurp(p);
	assert_string_equal(got, "x");
	free(got);
	free(p);
}

static void
test_check(void **state)
{
	char *p = path("checked.conf"), *got;
	char *ok[] = {"grep", "-q", "good", NULL};
	char *bad[] = {"sh", "-c", "echo bad config >&2; exit 3", NULL};
	char *missing[] = {"/nonexistent/check", NULL};
	struct render_dest d = {.path = p, .mode = -1, .check_timeout_ms = 5000};
	struct cerr err;

	/* The check gets the temp file as its last argument here. */
	assert_int_equal(render_write(&d, "good\n", 5, NULL), 1);
	d.check = ok;
	assert_int_equal(render_write(&d, "still good\n", 11, &err), -1);
	/* grep with no file reads /dev/null: not found, exit 1. */
	assert_non_null(strstr(err.msg, "check grep exited with 1"));
	d.check = bad;
	assert_int_equal(render_write(&d, "other\n", 6, &err), -1);
	assert_string_equal(err.msg,
	    "check sh exited with 3: bad config ");
	d.check = missing;
	assert_int_equal(render_write(&d, "other\n", 6, &err), -1);
	assert_non_null(strstr(err.msg, "/nonexistent/check"));
	got = slurp(p);
	assert_string_equal(got, "good\n");
	free(got);
	assert_int_equal(count_entries(".confinit-"), 0);
	free(p);
}

static void
test_check_timeout(void **state)
{
	char *p = path("slow.conf");
	char *slow[] = {"sleep", "10", NULL};
	struct render_dest d = {.path = p, .mode = -1, .check = slow,
	    .check_timeout_ms = 200};
	struct cerr err;

	assert_int_equal(render_write(&d, "x", 1, &err), -1);
	assert_string_equal(err.msg, "sleep: timed out after 200 ms");
	assert_int_equal(access(p, F_OK), -1);
	free(p);
}

static void
test_cleanup(void **state)
{
	char *p = path("left.conf"), *t1 = path(".left.conf.confinit-abc123"),
	     *t2 = path(".left.conf.confinit-zzz"), *other = path(".x.confinit-abc123");
	FILE *f;

	fclose(fopen(t1, "w"));
	fclose(fopen(t2, "w"));
	fclose(fopen(other, "w"));
	f = fopen(p, "w");
	fclose(f);
	assert_int_equal(render_cleanup(p), 1);
	assert_int_equal(access(t1, F_OK), -1);
	assert_int_equal(access(t2, F_OK), 0);
	assert_int_equal(access(other, F_OK), 0);
	free(p);
	free(t1);
	free(t2);
	free(other);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_write_and_unchanged),
	    cmocka_unit_test(test_modes),
	    cmocka_unit_test(test_owner),
	    cmocka_unit_test(test_create_dirs),
	    cmocka_unit_test(test_check),
	    cmocka_unit_test(test_check_timeout),
	    cmocka_unit_test(test_cleanup),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
