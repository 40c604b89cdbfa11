/* mbedtls entropy for the static build: getrandom(2), no /dev/urandom. */
#include <errno.h>
#include <stddef.h>
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
