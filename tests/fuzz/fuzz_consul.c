/* Fuzz target: the Consul source's parsers (sources/consul.c): recurse
 * response bodies, X-Consul-Index values and consul:// URLs. The first
 * byte picks the prefix the body is read under, the rest is the input.
 * Build: make fuzz. Run: ./fuzz_consul tests/fuzz/corpus/consul */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sources/consul.h"
#include "xmalloc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Keys come out relative: no leading '/' from a well-formed prefix, and
 * never a folder ("x/"). */
static int
check_key(void *arg, const char *key, const char *value)
{
	size_t n = strlen(key);

	(void)arg;
	(void)value;
	if (n == 0 || key[n - 1] == '/')
		abort();
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const prefixes[] = {"", "app/", "a/b/", "app"};
	struct consul_url u;
	struct cerr err;
	struct kv *kv;
	uint64_t index = 0;
	char *s, *url;

	if (size == 0)
		return 0;
	if (consul_parse_kv("fuzz", prefixes[data[0] % 4],
		(const char *)data + 1, size - 1, &kv, &err) == 0) {
		kv_walk(kv, "", check_key, NULL);
		kv_free(kv);
	} else if (kv != NULL)
		abort();
	s = xstrndup((const char *)data + 1, size - 1);
	if (consul_parse_index(s, &index) == 0 &&
	    consul_next_index(index, index) == 0)
		abort();
	url = xasprintf("consul://%s", s);
	if (consul_url_parse(url, &u, &err) == 0) {
		if (u.nendpoints == 0 ||
		    (u.prefix[0] != '\0' &&
			u.prefix[strlen(u.prefix) - 1] != '/'))
			abort();
		free(s);
		s = consul_request_url(&u, 0, index);
		consul_url_free(&u);
	}
	free(url);
	free(s);
	return 0;
}
