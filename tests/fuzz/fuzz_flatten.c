/* Fuzz target: YAML, JSON, .properties and .env flattening (flatten.c).
 * The first byte picks the format, the rest is the document.
 * Build: make fuzz, or by hand from the repo root:
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -D_GNU_SOURCE -Isrc \
 *     tests/fuzz/fuzz_flatten.c src/flatten.c src/kv.c src/xmalloc.c \
 *     src/cerr.c -lyaml -o fuzz_flatten
 * Run: ./fuzz_flatten tests/fuzz/corpus/flatten */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "flatten.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Checks that keys come sorted and without a leading '/'. */
static int
check_key(void *arg, const char *key, const char *value)
{
	const char **prev = arg;

	(void)value;
	if (key[0] == '/' || (*prev != NULL && strcmp(*prev, key) >= 0))
		abort();
	*prev = key;
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kv *kv;
	struct cerr err;
	const char *prev = NULL;
	enum flatten_format f;

	if (size == 0)
		return 0;
	f = (enum flatten_format)(data[0] % 4);
	kv = kv_new();
	if (flatten(f, "fuzz", (const char *)data + 1, size - 1, kv, &err) !=
	    0) {
		if (strncmp(err.msg, "fuzz", 4) != 0)
			abort();
	} else {
		if (kv_len(kv) > FLATTEN_MAX_KEYS)
			abort();
		kv_walk(kv, "", check_key, &prev);
	}
	kv_free(kv);
	return 0;
}
