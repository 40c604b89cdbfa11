/* Unit tests of loop.c: descriptors, timers in deadline order, stop. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <poll.h>
#include <unistd.h>

#include <cmocka.h>

#include "loop.h"

struct rec {
	struct loop *l;
	int order[8];
	int n;
	int64_t t0;
};

static void
fire_a(void *arg)
{
	struct rec *r = arg;

	r->order[r->n++] = 1;
}

static void
fire_b(void *arg)
{
	struct rec *r = arg;

	r->order[r->n++] = 2;
	loop_stop(r->l);
}

static void
test_timers(void **state)
{
	struct rec r = {.l = loop_new()};
	struct loop_timer a, b, never;
	int64_t t0 = loop_now(), took;

	loop_timer_add(r.l, &a, fire_a, &r);
	loop_timer_add(r.l, &b, fire_b, &r);
	loop_timer_add(r.l, &never, fire_a, &r);
	assert_false(loop_timer_armed(&a));
	loop_timer_arm(&b, 60);
	loop_timer_arm(&a, 20);
	loop_timer_arm(&never, 10);
	loop_timer_disarm(&never);
	/* A deleted timer does not fire even when armed. */
	loop_timer_arm(&never, 5);
	loop_timer_del(r.l, &never);
	assert_int_equal(loop_run(r.l), 0);
	took = loop_now() - t0;
	assert_int_equal(r.n, 2);
	assert_int_equal(r.order[0], 1);
	assert_int_equal(r.order[1], 2);
	/* Not before its deadline. */
	assert_true(took >= 60);
	assert_false(loop_timer_armed(&b));
	loop_free(r.l);
}

struct reader {
	struct loop *l;
	char got[16];
	int calls;
};

static void
on_read(void *arg, int fd, short revents)
{
	struct reader *rd = arg;
	ssize_t n = read(fd, rd->got, sizeof(rd->got) - 1);

	rd->got[n > 0 ? n : 0] = '\0';
	rd->calls++;
	loop_fd_del(rd->l, fd);
	loop_stop(rd->l);
}

static void
test_fds(void **state)
{
	struct reader rd = {.l = loop_new()};
	int p[2], q[2];

	assert_int_equal(pipe(p), 0);
	assert_int_equal(pipe(q), 0);
	loop_fd_set(rd.l, q[0], POLLIN, on_read, &rd);
	loop_fd_set(rd.l, p[0], POLLIN, on_read, &rd);
	loop_fd_del(rd.l, q[0]); /* q is written but no longer watched */
	assert_int_equal(write(q[1], "no", 2), 2);
	assert_int_equal(write(p[1], "hi", 2), 2);
	assert_int_equal(loop_run(rd.l), 0);
	assert_string_equal(rd.got, "hi");
	assert_int_equal(rd.calls, 1);
	loop_free(rd.l);
	close(p[0]);
	close(p[1]);
	close(q[0]);
	close(q[1]);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_timers),
	    cmocka_unit_test(test_fds),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
