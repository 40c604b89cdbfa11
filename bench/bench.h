/* Small helpers shared by the benchmark programs (header only: each bench
 * program is one file compiled by its script). */
#ifndef BENCH_H
#define BENCH_H

#include <stdint.h>
#include <time.h>

/* Nanoseconds on the monotonic clock, comparable across processes. */
static inline int64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* qsort comparison of int64_t. */
static inline int
cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

#endif
