/* Fuzz target: reading a startup cache (cache.c) into two sources without
 * data, one of them secret. Whatever the bytes, the restore is all or
 * nothing and a restored snapshot is marked cached.
 * Build: make fuzz. Run: ./fuzz_cache tests/fuzz/corpus/cache */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cache.h"
#include "xmalloc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct source a = {.ops = &source_etcd_ops, .name = "center"};
	struct source b = {.ops = &source_consul_ops,
	    .name = "vault",
	    .secret = true};
	struct source *src[2] = {&a, &b};
	struct cerr err;
	int64_t at;
	int rc;

	rc = cache_restore_buffer("fuzz", (const char *)data, size, src, 2, &at,
	    &err);
	if (rc == 0 &&
	    (a.snap == NULL || b.snap == NULL || !a.cached || !b.cached))
		abort();
	if (rc != 0 && (a.snap != NULL || b.snap != NULL || rc != -1))
		abort();
	kv_free(a.snap);
	kv_free(b.snap);
	return 0;
}
