/* Randomness for the static build's libraries from getrandom(2), which
 * works without /dev (an empty root, a scratch image). */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <sys/random.h>

int mbedtls_hardware_poll(void *data, unsigned char *output, size_t len,
    size_t *olen);

/*
 * Called by mbedtls' entropy collector (MBEDTLS_ENTROPY_HARDWARE_ALT); fills
 * output with len bytes from the kernel, *olen says how many. Returns 0, or
 * -1 when the kernel gave nothing.
 */
int
mbedtls_hardware_poll(void *data, unsigned char *output, size_t len,
    size_t *olen)
{
	ssize_t n;

	(void)data;
	*olen = 0;
	do
		n = getrandom(output, len, 0);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -1;
	*olen = (size_t)n;
	return 0;
}

/*
 * c-ares draws its DNS query ids from /dev/urandom, or, where there is no
 * /dev, from rand(): seed rand() so those ids differ from run to run and
 * cannot be guessed from the binary. Runs before main().
 */
__attribute__((constructor)) static void
entropy_seed_rand(void)
{
	unsigned seed = 0;

	if (getrandom(&seed, sizeof(seed), GRND_NONBLOCK) != sizeof(seed))
		return;
	srand(seed);
}
