/* Fuzz target: ${VAR} expansion (envsubst_expand) over a fixed
 * environment.
 * Build: make fuzz, or by hand from the repo root:
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -D_GNU_SOURCE -Isrc \
 *     tests/fuzz/fuzz_envsubst.c src/envsubst.c src/xmalloc.c src/cerr.c \
 *     -o fuzz_envsubst
 * Run: ./fuzz_envsubst tests/fuzz/corpus/envsubst */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "envsubst.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char *const env[] = {"A=alpha", "EMPTY=", "D=$", "B={}",
	    "LONG=0123456789012345678901234567890123456789", NULL};
	struct envsubst_error e;
	const char *s = (const char *)data;
	size_t len = 0;
	char *out = NULL;

	if (envsubst_expand(s, size, env, &out, &len, &e) != 0) {
		if (out != NULL || e.line < 1 || e.col < 1 || e.msg[0] == '\0')
			abort();
		return 0;
	}
	if (out[len] != '\0')
		abort();
	/* Text without a '$' comes out as it went in. */
	if (memchr(s, '$', size) == NULL &&
	    (len != size || memcmp(out, s, size) != 0))
		abort();
	free(out);
	return 0;
}
