/* Fuzz target: the etcd source's range parser and watch stream (etcd.c).
 * Build: make fuzz (clang -fsanitize=fuzzer,address,undefined). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sources/etcd.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct fuzz_watch {
	struct kv *kv;
	int64_t rev;
};

/* Each whole object of the stream is a watch message. */
static int
fuzz_msg(void *arg, const char *obj, size_t len)
{
	struct fuzz_watch *w = arg;
	struct cerr err;
	int flags;

	if (len < 2 || obj[0] != '{')
		abort();
	(void)etcd_parse_watch(obj, len, "/app/", w->kv, &w->rev, &flags, &err);
	return 0;
}

/*
 * The first byte picks the chunk size of the stream (1..64); the rest is
 * both a range answer and a watch stream.
 */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct etcd_stream st = {0};
	struct fuzz_watch w = {0};
	const char *p;
	struct cerr err;
	struct kv *kv;
	size_t chunk, off, n;
	int64_t rev;

	if (size < 1)
		return 0;
	chunk = (size_t)(data[0] % 64) + 1;
	p = (const char *)data + 1;
	size--;
	if (etcd_parse_range(p, size, "/app/", &kv, &rev, &err) == 0) {
		if (rev <= 0)
			abort();
		kv_free(kv);
	}
	w.kv = kv_new();
	etcd_stream_reset(&st);
	for (off = 0; off < size; off += n) {
		n = size - off < chunk ? size - off : chunk;
		if (etcd_stream_feed(&st, p + off, n, fuzz_msg, &w, &err) != 0)
			break;
	}
	etcd_stream_free(&st);
	kv_free(w.kv);
	return 0;
}
