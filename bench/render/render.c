/* Renders bench/render/render.tmpl with confinit's engine over the keys of
 * a JSON file (read by the file source), R times, and prints the mean time
 * of one render. Built against the build tree's libconfinit_core.a by
 * bench/render.sh. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kv.h"
#include "source.h"
#include "template/template.h"

static const char *
get(void *ctx, const char *key)
{
	return kv_get(ctx, key);
}

static int
walk(void *ctx, const char *prefix,
    int (*fn)(void *, const char *, const char *), void *arg)
{
	return kv_walk(ctx, prefix, fn, arg);
}

int
main(int argc, char **argv)
{
	static const struct tmpl_kv_ops ops = {.get = get, .walk = walk};
	struct tmpl_opts opts = {.name = "render.tmpl"};
	struct buf text = {0}, out = {0};
	struct timespec a, b;
	struct tmpl_data data;
	struct cerr err;
	struct tmpl *t;
	struct kv *kv;
	char chunk[8192];
	size_t n;
	FILE *f;
	int i, r;

	if (argc != 5) {
		fprintf(stderr, "usage: render TEMPLATE DATA.json OUT R\n");
		return 2;
	}
	f = fopen(argv[1], "r");
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_append(&text, chunk, n);
	fclose(f);
	if (source_file_read(argv[2], &kv, &err) != 0 ||
	    tmpl_parse(&t, text.data, text.len, &opts, &err) != 0) {
		fprintf(stderr, "%s\n", err.msg);
		return 1;
	}
	data = (struct tmpl_data){.kv = &ops, .kv_ctx = kv};
	r = atoi(argv[4]);
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (i = 0; i < r; i++) {
		buf_reset(&out);
		if (tmpl_render(t, &data, &out, NULL, &err) != 0) {
			fprintf(stderr, "%s\n", err.msg);
			return 1;
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &b);
	f = fopen(argv[3], "w");
	fwrite(out.data, 1, out.len, f);
	fclose(f);
	printf("confinit engine: %.2f ms per render, %zu bytes\n",
	    ((b.tv_sec - a.tv_sec) * 1e3 + (b.tv_nsec - a.tv_nsec) / 1e6) / r,
	    out.len);
	tmpl_free(t);
	kv_free(kv);
	buf_free(&out);
	buf_free(&text);
	return 0;
}
