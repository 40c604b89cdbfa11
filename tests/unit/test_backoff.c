/* Unit tests for backoff: ceilings double from the base to the cap, every
 * delay lies in [0, ceiling], jitter spreads, reset starts over. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "backoff.h"

/* 250 ms doubling to 30 s by default. */
static void
test_ceilings_default(void **state)
{
	struct backoff b;

	(void)state;
	backoff_init(&b, 0, 0, 1);
	assert_int_equal(backoff_ceiling(&b, 0), 250);
	assert_int_equal(backoff_ceiling(&b, 1), 500);
	assert_int_equal(backoff_ceiling(&b, 2), 1000);
	assert_int_equal(backoff_ceiling(&b, 6), 16000);
	assert_int_equal(backoff_ceiling(&b, 7), 30000);
	assert_int_equal(backoff_ceiling(&b, 1000), 30000);
	assert_int_equal(backoff_ceiling(&b, ~0u), 30000);
}

/* Configured base and cap; a cap below the base is raised to it. */
static void
test_ceilings_configured(void **state)
{
	struct backoff b;

	(void)state;
	backoff_init(&b, 100, 1000, 1);
	assert_int_equal(backoff_ceiling(&b, 0), 100);
	assert_int_equal(backoff_ceiling(&b, 3), 800);
	assert_int_equal(backoff_ceiling(&b, 4), 1000);
	backoff_init(&b, 500, 100, 1);
	assert_int_equal(backoff_ceiling(&b, 0), 500);
	assert_int_equal(backoff_ceiling(&b, 5), 500);
}

/* Full jitter: each delay in [0, ceiling(n)], and spread over it. */
static void
test_next_in_range_and_spread(void **state)
{
	struct backoff b;
	int64_t d, lo = -1, hi = -1;
	unsigned n;
	int i;

	(void)state;
	backoff_init(&b, 0, 0, 12345);
	for (n = 0; n < 20; n++) {
		d = backoff_next(&b);
		assert_true(d >= 0);
		assert_true(d <= backoff_ceiling(&b, n));
	}
	/* At the cap: 1,000 draws cover low and high parts of [0, 30 s]. */
	for (i = 0; i < 1000; i++) {
		d = backoff_next(&b);
		assert_true(d >= 0 && d <= 30000);
		if (lo < 0 || d < lo)
			lo = d;
		if (d > hi)
			hi = d;
	}
	assert_true(lo < 3000);
	assert_true(hi > 27000);
}

/* After a reset the first delay is again at most the base. */
static void
test_reset(void **state)
{
	struct backoff b;
	int i;

	(void)state;
	backoff_init(&b, 0, 0, 7);
	for (i = 0; i < 10; i++)
		backoff_next(&b);
	assert_int_equal(b.attempt, 10);
	backoff_reset(&b);
	assert_int_equal(b.attempt, 0);
	for (i = 0; i < 100; i++) {
		assert_true(backoff_next(&b) <= 250);
		backoff_reset(&b);
	}
}

/* Two clients seeded differently do not retry in step. */
static void
test_seeds_differ(void **state)
{
	struct backoff a, b;
	int i, same = 0;

	(void)state;
	backoff_init(&a, 0, 0, 1);
	backoff_init(&b, 0, 0, 2);
	for (i = 0; i < 10; i++)
		same += backoff_next(&a) == backoff_next(&b);
	assert_true(same < 5);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_ceilings_default),
	    cmocka_unit_test(test_ceilings_configured),
	    cmocka_unit_test(test_next_in_range_and_spread),
	    cmocka_unit_test(test_reset),
	    cmocka_unit_test(test_seeds_differ),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
