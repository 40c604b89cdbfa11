/* Exponential backoff with full jitter for reconnecting sources. */
#include <time.h>
#include <unistd.h>

#include "backoff.h"

void
backoff_init(struct backoff *b, int64_t base_ms, int64_t max_ms, uint64_t seed)
{
	struct timespec ts;

	b->base_ms = base_ms > 0 ? base_ms : BACKOFF_BASE_MS;
	b->max_ms = max_ms > 0 ? max_ms : BACKOFF_MAX_MS;
	if (b->max_ms < b->base_ms)
		b->max_ms = b->base_ms;
	b->attempt = 0;
	if (seed == 0) {
		clock_gettime(CLOCK_MONOTONIC, &ts);
		seed = (uint64_t)ts.tv_nsec * 0x9e3779b97f4a7c15ull ^
		       (uint64_t)ts.tv_sec ^ ((uint64_t)getpid() << 32);
	}
	b->rng = seed != 0 ? seed : 0x2545f4914f6cdd1dull;
}

int64_t
backoff_ceiling(const struct backoff *b, unsigned attempt)
{
	int64_t c = b->base_ms;

	/* Doubling stops at max: no shift can overflow. */
	while (attempt-- > 0 && c < b->max_ms)
		c *= 2;
	return c < b->max_ms ? c : b->max_ms;
}

/* xorshift64*: enough to spread clients, not for secrets. */
static uint64_t
backoff_rand(struct backoff *b)
{
	b->rng ^= b->rng >> 12;
	b->rng ^= b->rng << 25;
	b->rng ^= b->rng >> 27;
	return b->rng * 0x2545f4914f6cdd1dull;
}

int64_t
backoff_next(struct backoff *b)
{
	int64_t c = backoff_ceiling(b, b->attempt);

	if (b->attempt < 64)
		b->attempt++;
	return (int64_t)(backoff_rand(b) % (uint64_t)(c + 1));
}

void
backoff_reset(struct backoff *b)
{
	b->attempt = 0;
}
