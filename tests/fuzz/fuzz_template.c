/*
 * libFuzzer target for the template engine: parses and renders arbitrary
 * input against a small kv snapshot. Built by hand, from the repo root:
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -D_GNU_SOURCE \
 *     -Isrc tests/fuzz/fuzz_template.c src/template/[a-z]*.c \
 *     src/xmalloc.c src/cerr.c src/log.c \
 *     -lpcre2-8 -ljansson -lmbedcrypto -lyaml -lm -o fuzz_template
 *   ./fuzz_template -max_len=2048 -runs=1000000 tests/fuzz/corpus/template
 *
 * (or `make fuzz`, which builds every target with -DCONFINIT_FUZZ=ON).
 * The first byte picks the options (dialect, missing: error, delimiters).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "template/template.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *kv[][2] = {
    {"app/db/host", "db1"},
    {"app/db/port", "5432"},
    {"app/name", "shop"},
    {"app/tags", "[\"a\",\"b\"]"},
    {"x", "1"},
};

/* The fuzz kv: get. */
static const char *
kv_get(void *ctx, const char *key)
{
	size_t i;

	for (i = 0; i < sizeof(kv) / sizeof(kv[0]); i++)
		if (strcmp(kv[i][0], key) == 0)
			return kv[i][1];
	return NULL;
}

/* The fuzz kv: walk. */
static int
kv_walk(void *ctx, const char *prefix,
    int (*fn)(void *arg, const char *key, const char *value), void *arg)
{
	size_t i;
	int rc;

	for (i = 0; i < sizeof(kv) / sizeof(kv[0]); i++)
		if (strncmp(kv[i][0], prefix, strlen(prefix)) == 0 &&
		    (rc = fn(arg, kv[i][0], kv[i][1])) != 0)
			return rc;
	return 0;
}

/* One input: options byte, then the template text. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct tmpl_kv_ops ops = {kv_get, kv_walk};
	static char *env[] = {"HOME=/root", "USER=app", NULL};
	static const char *fields[] = {"Path", "/tmp/x", NULL};
	struct tmpl_data d = {&ops, NULL, env, fields};
	struct tmpl_opts o = {.name = "fuzz.tmpl", .max_output = 1 << 20};
	struct tmpl_deps deps = {0};
	struct buf out = {0};
	struct tmpl *t;
	struct cerr err;
	uint8_t flags;

	if (size < 1)
		return 0;
	flags = data[0];
	o.dialect = (enum tmpl_dialect)(flags % 3);
	o.missing_error = (flags & 4) != 0;
	if (flags & 8) {
		o.left_delim = "[[";
		o.right_delim = "]]";
	}
	if (tmpl_parse(&t, (const char *)data + 1, size - 1, &o, &err) < 0)
		return 0;
	buf_puts(&out, "x");
	if (tmpl_render(t, &d, &out, &deps, &err) < 0 && out.len != 1)
		abort(); /* partial output on error */
	tmpl_deps_free(&deps);
	buf_free(&out);
	tmpl_free(t);
	return 0;
}
