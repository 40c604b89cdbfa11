/* Unit tests of user.c: USER[:GROUP] against passwd and group files. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "user.h"

static char passwd[64], group[64];

static int
setup(void **state)
{
	FILE *f;
	int fd;

	snprintf(passwd, sizeof(passwd), "/tmp/confinit-passwd-XXXXXX");
	snprintf(group, sizeof(group), "/tmp/confinit-group-XXXXXX");
	if ((fd = mkstemp(passwd)) < 0 || (f = fdopen(fd, "w")) == NULL)
		return -1;
	fputs("root:x:0:0:root:/root:/bin/sh\n"
	      "# a comment\n"
	      "web:x:1000:1001:Web:/srv:/bin/sh\n"
	      "broken line\n"
	      "db:x:1002:1002::/var/db:/bin/false\n",
	    f);
	fclose(f);
	if ((fd = mkstemp(group)) < 0 || (f = fdopen(fd, "w")) == NULL)
		return -1;
	fputs("root:x:0:\n"
	      "webgrp:x:1001:\n"
	      "www:x:33:web,db\n"
	      "audio:x:29:db\n"
	      "video:x:44:root,web\n",
	    f);
	fclose(f);
	return 0;
}

static int
teardown(void **state)
{
	unlink(passwd);
	unlink(group);
	return 0;
}

static void
test_by_name(void **state)
{
	struct user_ids ids;

	assert_int_equal(user_resolve("web", passwd, group, &ids, NULL), 0);
	assert_int_equal(ids.uid, 1000);
	assert_int_equal(ids.gid, 1001);
	assert_int_equal(ids.ngroups, 2);
	assert_int_equal(ids.groups[0], 33);
	assert_int_equal(ids.groups[1], 44);
	user_ids_free(&ids);
}

static void
test_with_group(void **state)
{
	struct user_ids ids;

	assert_int_equal(user_resolve("web:www", passwd, group, &ids, NULL),
	    0);
	assert_int_equal(ids.uid, 1000);
	assert_int_equal(ids.gid, 33);
	/* An explicit group means no supplementary groups, as Docker. */
	assert_int_equal(ids.ngroups, 0);
	user_ids_free(&ids);
	assert_int_equal(user_resolve("db:7", passwd, group, &ids, NULL), 0);
	assert_int_equal(ids.gid, 7);
	user_ids_free(&ids);
}

static void
test_numeric_without_files(void **state)
{
	struct user_ids ids;

	assert_int_equal(user_resolve("4242:4343", "/nonexistent/passwd",
			     "/nonexistent/group", &ids, NULL),
	    0);
	assert_int_equal(ids.uid, 4242);
	assert_int_equal(ids.gid, 4343);
	assert_int_equal(ids.ngroups, 0);
	assert_int_equal(user_resolve("4242", "/nonexistent/passwd",
			     "/nonexistent/group", &ids, NULL),
	    0);
	assert_int_equal(ids.gid, 0);
	/* A known uid by number still gets its passwd gid. */
	assert_int_equal(user_resolve("1002", passwd, group, &ids, NULL), 0);
	assert_int_equal(ids.gid, 1002);
	assert_int_equal(ids.ngroups, 2);
	user_ids_free(&ids);
}

static void
test_errors(void **state)
{
	struct user_ids ids;
	struct cerr err;

	assert_int_equal(user_resolve("nobody", passwd, group, &ids, &err), -1);
	assert_non_null(strstr(err.msg, "user \"nobody\" not found in"));
	assert_int_equal(user_resolve("web:nogrp", passwd, group, &ids, &err),
	    -1);
	assert_non_null(strstr(err.msg, "group \"nogrp\" not found in"));
	assert_int_equal(user_resolve("web:", passwd, group, &ids, &err), -1);
	assert_non_null(strstr(err.msg, "empty group"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_by_name),
	    cmocka_unit_test(test_with_group),
	    cmocka_unit_test(test_numeric_without_files),
	    cmocka_unit_test(test_errors),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
