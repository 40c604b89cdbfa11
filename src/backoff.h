/* Exponential backoff with full jitter for reconnecting sources. */
#ifndef CONFINIT_BACKOFF_H
#define CONFINIT_BACKOFF_H

#include <stdint.h>

/* Defaults: the first ceiling, and the largest one. */
#define BACKOFF_BASE_MS 250
#define BACKOFF_MAX_MS 30000

/*
 * The n-th delay (n from 0) is drawn uniformly from [0, ceiling(n)] where
 * ceiling(n) = min(max, base * 2^n): "full jitter", so that many clients
 * that lost the same server do not come back in step.
 */
struct backoff {
	int64_t base_ms;
	int64_t max_ms;
	unsigned attempt; /* delays handed out since the last reset */
	uint64_t rng;	  /* xorshift state; never 0 */
};

/* Sets b up; base_ms or max_ms <= 0 take the defaults; seed 0 picks one
 * from the clock and the pid. */
void backoff_init(struct backoff *b, int64_t base_ms, int64_t max_ms,
    uint64_t seed);
/* Returns min(max, base * 2^attempt), without overflow. */
int64_t backoff_ceiling(const struct backoff *b, unsigned attempt);
/* Returns the next delay in ms, in [0, ceiling(attempt)], and counts it. */
int64_t backoff_next(struct backoff *b);
/* Back to the first delay (after a success). */
void backoff_reset(struct backoff *b);

#endif
