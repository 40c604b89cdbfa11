/* Unit tests of command.c: a command to completion, and one watched by the
 * loop (exit code, output, timeout, exec failure) while the reaper runs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "command.h"
#include "loop.h"
#include "supervisor.h"

struct run {
	struct loop *loop;
	struct sup sup;
	struct command c;
	int code, calls;
	char out[256];
	char err[sizeof(((struct cerr *)0)->msg)];
};

static void
run_done(void *arg, int code, const struct buf *out, const struct cerr *err)
{
	struct run *r = arg;

	r->calls++;
	r->code = code;
	snprintf(r->out, sizeof(r->out), "%s", out->len ? out->data : "");
	snprintf(r->err, sizeof(r->err), "%s", code < 0 ? err->msg : "");
	loop_stop(r->loop);
}

static void
run_setup(struct run *r)
{
	struct sup_settings set = {.kill_timeout_ms = -1, .drain_ms = -1};
	struct cerr err;

	memset(r, 0, sizeof(*r));
	r->loop = loop_new();
	assert_int_equal(sup_init(&r->sup, &set, r->loop, 0, &err), 0);
	command_init(&r->c, r->loop, &r->sup);
}

static void
run_teardown(struct run *r)
{
	sigset_t none;

	command_free(&r->c);
	sup_close(&r->sup);
	loop_free(r->loop);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
}

/* Starts argv and runs the loop until it is done. */
static void
run_cmd(struct run *r, char *const argv[], int64_t timeout_ms)
{
	struct cerr err;

	assert_int_equal(
	    command_start(&r->c, argv, timeout_ms, 64, run_done, r, &err), 0);
	assert_true(command_running(&r->c));
	assert_int_equal(loop_run(r->loop), 0);
	assert_false(command_running(&r->c));
	assert_int_equal(r->calls, 1);
}

static void
test_blocking(void **state)
{
	char *argv[] = {"sh", "-c", "echo out; echo err >&2; exit 3", NULL};
	struct buf out = {.cap = 64};
	struct cerr err;

	assert_int_equal(command_run(argv, 5000, &out, &err), 3);
	assert_string_equal(out.data, "out\nerr\n");
	buf_free(&out);
}

static void
test_async_exit_and_output(void **state)
{
	char *argv[] = {"sh", "-c", "echo out; sleep 0.1; echo more; exit 3",
	    NULL};
	struct run r;

	run_setup(&r);
	run_cmd(&r, argv, 5000);
	assert_int_equal(r.code, 3);
	assert_string_equal(r.out, "out\nmore\n");
	run_teardown(&r);
}

/* The output beyond the cap is read and dropped, not blocking it. */
static void
test_async_output_cap(void **state)
{
	char *argv[] = {"sh", "-c", "head -c 100000 /dev/zero | tr '\\0' x",
	    NULL};
	struct run r;

	run_setup(&r);
	run_cmd(&r, argv, 5000);
	assert_int_equal(r.code, 0);
	assert_true(strlen(r.out) <= 64);
	run_teardown(&r);
}

static void
test_async_timeout(void **state)
{
	char *argv[] = {"sleep", "10", NULL};
	int64_t t0 = loop_now();
	struct run r;

	run_setup(&r);
	run_cmd(&r, argv, 100);
	assert_int_equal(r.code, -1);
	assert_string_equal(r.err, "sleep: timed out after 100 ms");
	assert_true(loop_now() - t0 < 5000);
	run_teardown(&r);
}

static void
test_async_exec_failure(void **state)
{
	char *argv[] = {"/nonexistent/prog", NULL};
	struct run r;

	run_setup(&r);
	run_cmd(&r, argv, 5000);
	assert_int_equal(r.code, -1);
	assert_string_equal(r.err,
	    "/nonexistent/prog: No such file or directory");
	run_teardown(&r);
}

/*
 * Another child that exits while the command runs is reaped as a zombie;
 * the command's own status still reaches it (the reaper's waitpid(-1)
 * does not take it).
 */
static void
test_async_reaper_keeps_status(void **state)
{
	char *argv[] = {"sh", "-c", "sleep 0.2; exit 7", NULL};
	struct run r;
	pid_t other;

	run_setup(&r);
	if ((other = fork()) == 0)
		_exit(0);
	assert_true(other > 0);
	run_cmd(&r, argv, 5000);
	assert_int_equal(r.code, 7);
	/* Reaped by sup_reap already. */
	assert_int_equal(waitpid(other, NULL, WNOHANG), -1);
	run_teardown(&r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_blocking),
	    cmocka_unit_test(test_async_exit_and_output),
	    cmocka_unit_test(test_async_output_cap),
	    cmocka_unit_test(test_async_timeout),
	    cmocka_unit_test(test_async_exec_failure),
	    cmocka_unit_test(test_async_reaper_keeps_status),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
