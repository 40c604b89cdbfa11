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
	struct render_dest d = {.path = p,
	    .mode = -1,
	    .chown = true,
	    .uid = 65534,
	    .gid = 65534};
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
	struct render_dest d = {.path = p,
	    .mode = -1,
	    .check_timeout_ms = 5000};
	struct cerr err;

	/* The check gets the temp file as its last argument here. */
	assert_int_equal(render_write(&d, "good\n", 5, NULL), 1);
	d.check = ok;
	assert_int_equal(render_write(&d, "still good\n", 11, &err), -1);
	/* grep with no file reads /dev/null: not found, exit 1. */
	assert_non_null(strstr(err.msg, "check grep exited with 1"));
	d.check = bad;
	assert_int_equal(render_write(&d, "other\n", 6, &err), -1);
	assert_string_equal(err.msg, "check sh exited with 3: bad config ");
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
	struct render_dest d = {.path = p,
	    .mode = -1,
	    .check = slow,
	    .check_timeout_ms = 200};
	struct cerr err;

	assert_int_equal(render_write(&d, "x", 1, &err), -1);
	assert_string_equal(err.msg, "check sleep: timed out after 200 ms");
	assert_int_equal(access(p, F_OK), -1);
	free(p);
}

/* Temp files beside any of the paths go, in every directory, each read
 * once; files that only look alike stay. */
static void
test_cleanup(void **state)
{
	char *p = path("left.conf"), *q = path("right.conf"),
	     *sub = path("sub"), *r = path("sub/left.conf"),
	     *t1 = path(".left.conf.confinit-abc123"),
	     *t2 = path(".left.conf.confinit-zzz"),
	     *t3 = path(".right.conf.confinit-XYZ789"),
	     *t4 = path("sub/.left.conf.confinit-sub123"),
	     *other = path(".x.confinit-abc123"),
	     *unlisted = path(".none.conf.confinit-abc123");
	const char *paths[] = {p, r, q};

	assert_int_equal(mkdir(sub, 0755), 0);
	fclose(fopen(t1, "w"));
	fclose(fopen(t2, "w"));
	fclose(fopen(t3, "w"));
	fclose(fopen(t4, "w"));
	fclose(fopen(other, "w"));
	fclose(fopen(unlisted, "w"));
	fclose(fopen(p, "w"));
	assert_int_equal(render_cleanup(paths, 3), 3);
	assert_int_equal(access(t1, F_OK), -1);
	assert_int_equal(access(t3, F_OK), -1);
	assert_int_equal(access(t4, F_OK), -1);
	assert_int_equal(access(t2, F_OK), 0);
	assert_int_equal(access(other, F_OK), 0);
	assert_int_equal(access(unlisted, F_OK), 0);
	assert_int_equal(access(p, F_OK), 0);
	assert_int_equal(render_cleanup(paths, 0), 0);
	free(p);
	free(q);
	free(sub);
	free(r);
	free(t1);
	free(t2);
	free(t3);
	free(t4);
	free(other);
	free(unlisted);
}

/* Writes text to name in the test directory, the test's "old" file. */
static void
put(const char *name, const char *text)
{
	char *p = path(name);
	FILE *f = fopen(p, "w");

	fputs(text, f);
	fclose(f);
	free(p);
}

/* Asserts that name in the test directory holds exactly text. */
static void
expect_file(const char *name, const char *text)
{
	char *p = path(name), *got = slurp(p);

	assert_non_null(got);
	assert_string_equal(got, text);
	free(got);
	free(p);
}

static void
test_batch(void **state)
{
	char *a = path("a.conf"), *b = path("b.conf"), *c = path("sub/c.conf"),
	     *same = path("same.conf");
	struct render_dest d[4] = {
	    {.path = a, .mode = -1},
	    {.path = b, .mode = 0600},
	    {.path = c, .mode = -1, .create_dirs = true},
	    {.path = same, .mode = -1},
	};
	struct render_staged s[4];
	int before = count_entries(".confinit-");
	struct stat st;

	put("a.conf", "old a\n");
	put("same.conf", "same\n");
	assert_int_equal(render_stage(&d[0], "new a\n", 6, &s[0], NULL), 1);
	assert_int_equal(render_stage(&d[1], "new b\n", 6, &s[1], NULL), 1);
	assert_int_equal(render_stage(&d[2], "new c\n", 6, &s[2], NULL), 1);
	assert_int_equal(render_stage(&d[3], "same\n", 5, &s[3], NULL), 0);
	/* Staged: the temp files exist, no destination has changed yet. */
	assert_int_equal(count_entries(".confinit-"), before + 2);
	expect_file("a.conf", "old a\n");
	assert_int_equal(access(b, F_OK), -1);
	assert_int_equal(access(c, F_OK), -1);
	assert_int_equal(render_commit(s, 4, NULL), 0);
	expect_file("a.conf", "new a\n");
	expect_file("b.conf", "new b\n");
	expect_file("sub/c.conf", "new c\n");
	expect_file("same.conf", "same\n");
	assert_int_equal(stat(b, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_int_equal(count_entries(".confinit-"), before);
	assert_null(s[0].tmp);
	assert_int_equal(s[0].fd, -1);
	free(a);
	free(b);
	free(c);
	free(same);
}

static void
test_batch_abort(void **state)
{
	char *a = path("a.conf"), *b = path("b.conf");
	char *bad[] = {"false", NULL};
	struct render_dest d[2] = {
	    {.path = a, .mode = -1},
	    {.path = b, .mode = -1, .check = bad, .check_timeout_ms = 5000},
	};
	struct render_staged s[2];
	int before = count_entries(".confinit-");
	struct cerr err;

	put("a.conf", "old a\n");
	put("b.conf", "old b\n");
	assert_int_equal(render_stage(&d[0], "new a\n", 6, &s[0], NULL), 1);
	/* A failed check leaves no temp file of its own... */
	assert_int_equal(render_stage(&d[1], "new b\n", 6, &s[1], &err), -1);
	assert_non_null(strstr(err.msg, "check false exited with 1"));
	assert_null(s[1].tmp);
	assert_int_equal(count_entries(".confinit-"), before + 1);
	/* ...and dropping the batch leaves every destination as it was. */
	render_abort(s, 2);
	assert_int_equal(count_entries(".confinit-"), before);
	expect_file("a.conf", "old a\n");
	expect_file("b.conf", "old b\n");
	free(a);
	free(b);
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
	    cmocka_unit_test(test_batch),
	    cmocka_unit_test(test_batch_abort),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
