/* Unit tests of units.c: durations, signals, bounded integers. */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "units.h"

static void
test_durations(void **state)
{
	static const struct {
		const char *s;
		int64_t ms;
	} ok[] = {
	    {"0", 0},
	    {"500ms", 500},
	    {"10s", 10000},
	    {"2m", 120000},
	    {"1h", 3600000},
	    {"1h30m", 5400000},
	    {"1.5s", 1500},
	    {"1m30s250ms", 90250},
	    {"100us", 1},
	    {"3000000ns", 3},
	    {".5s", 500},
	};
	static const char *const bad[] = {"", "10", "s", "-1s", "1x", "1e3s",
	    "0x10s", "1 s", "ms", "1s ", "1.2.3s", "inf", "nan"};
	int64_t ms;
	size_t i;

	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		if (units_duration(ok[i].s, &ms) != 0)
			fail_msg("\"%s\" rejected", ok[i].s);
		assert_int_equal(ms, ok[i].ms);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (units_duration(bad[i], &ms) == 0)
			fail_msg("\"%s\" accepted", bad[i]);
}

static void
test_signals(void **state)
{
	assert_int_equal(units_signal("SIGHUP"), SIGHUP);
	assert_int_equal(units_signal("HUP"), SIGHUP);
	assert_int_equal(units_signal("term"), SIGTERM);
	assert_int_equal(units_signal("SigWinch"), SIGWINCH);
	assert_int_equal(units_signal("9"), SIGKILL);
	assert_int_equal(units_signal("64"), 64);
	assert_int_equal(units_signal("SIGRTMIN+2"), SIGRTMIN + 2);
	assert_int_equal(units_signal("RTMAX-1"), SIGRTMAX - 1);
	assert_int_equal(units_signal("0"), -1);
	assert_int_equal(units_signal("65"), -1);
	assert_int_equal(units_signal("SIG"), -1);
	assert_int_equal(units_signal("HUPX"), -1);
	assert_int_equal(units_signal(""), -1);
	assert_string_equal(units_signame(SIGTERM), "SIGTERM");
	assert_string_equal(units_signame(SIGRTMIN + 1), "SIGRTMIN+1");
	assert_null(units_signame(0));
}

static void
test_ints(void **state)
{
	long v;

	assert_int_equal(units_int("255", 0, 255, &v), 0);
	assert_int_equal(v, 255);
	assert_int_equal(units_int("256", 0, 255, &v), -1);
	assert_int_equal(units_int("-1", 0, 255, &v), -1);
	assert_int_equal(units_int(" 1", 0, 255, &v), -1);
	assert_int_equal(units_int("1a", 0, 255, &v), -1);
	assert_int_equal(units_int("", 0, 255, &v), -1);
}

static void
test_sizes(void **state)
{
	static const struct {
		const char *in;
		uint64_t want; /* 0: refused */
	} cases[] = {
	    {"1", 1},
	    {"4096", 4096},
	    {"10B", 10},
	    {"16MiB", 16u << 20},
	    {"512 KiB", 512u << 10},
	    {"2GiB", 2ull << 30},
	    {"1KB", 1000},
	    {"3MB", 3000000},
	    {"1GB", 1000000000},
	    {"1024GiB", 1ull << 40},
	    {"1025GiB", 0},
	    {"0", 0},
	    {"0MiB", 0},
	    {"", 0},
	    {"MiB", 0},
	    {"-1", 0},
	    {" 1", 0},
	    {"1 ", 0},
	    {"1.5MiB", 0},
	    {"16mib", 0},
	    {"16M", 0},
	    {"99999999999999999999", 0},
	};
	uint64_t v;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		v = 0;
		if (cases[i].want == 0) {
			if (units_size(cases[i].in, &v) != -1)
				fail_msg("\"%s\" accepted", cases[i].in);
		} else if (units_size(cases[i].in, &v) != 0 ||
			   v != cases[i].want) {
			fail_msg("\"%s\": got %llu", cases[i].in,
			    (unsigned long long)v);
		}
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_durations),
	    cmocka_unit_test(test_signals),
	    cmocka_unit_test(test_ints),
	    cmocka_unit_test(test_sizes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
