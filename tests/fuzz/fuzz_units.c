/* Fuzz target: duration, signal and integer parsing (units.c).
 * Build: make fuzz (clang -fsanitize=fuzzer,address,undefined). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "units.h"
#include "xmalloc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = xstrndup((const char *)data, size);
	int64_t ms;
	long v;
	int sig;

	if (units_duration(s, &ms) == 0 && ms < 0)
		abort();
	sig = units_signal(s);
	if (sig != -1 && (sig < 1 || sig > 64))
		abort();
	if (sig > 0)
		(void)units_signame(sig);
	(void)units_int(s, -1000, 1000, &v);
	free(s);
	return 0;
}
