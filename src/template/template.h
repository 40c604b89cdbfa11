/* The template engine: Go text/template syntax and semantics. */
#ifndef CONFINIT_TEMPLATE_H
#define CONFINIT_TEMPLATE_H

#include <stdbool.h>
#include <stddef.h>

#include "cerr.h"
#include "xmalloc.h"

enum tmpl_dialect { TMPL_CONSUL, TMPL_CONFD, TMPL_DOCKERIZE };

struct tmpl_opts {
	const char *name;	 /* shown in errors: "app.tmpl" */
	const char *left_delim;	 /* NULL: "{{" */
	const char *right_delim; /* NULL: "}}" */
	enum tmpl_dialect dialect;
	bool
	    missing_error; /* a missing map key fails instead of "<no value>" */
	size_t max_output; /* 0: 64 MiB */
};

/*
 * The caller's key/value snapshot. Keys carry no leading '/'. Values are
 * NUL-terminated strings.
 */
struct tmpl_kv_ops {
	/* Returns the value of key, or NULL when missing. */
	const char *(*get)(void *ctx, const char *key);
	/*
	 * Calls fn(arg, key, value) for every key that starts with prefix
	 * ("" = all), in sorted key order; stops and returns fn's value when
	 * fn returns non-zero; else returns 0.
	 */
	int (*walk)(void *ctx, const char *prefix,
	    int (*fn)(void *arg, const char *key, const char *value),
	    void *arg);
};

struct tmpl_data {
	const struct tmpl_kv_ops *kv; /* may be NULL: no keys */
	void *kv_ctx;
	char *const *env; /* "NAME=value", NULL-terminated; NULL: none */
	/* Extra string fields of ".", as name, value pairs; NULL-terminated. */
	const char *const *fields;
};

/* Dependencies recorded while rendering. */
struct tmpl_deps {
	char **keys; /* exact keys read (found or not) */
	size_t nkeys;
	char **prefixes; /* prefixes listed (ls/tree/getvs/...) */
	size_t nprefixes;
	char **missing; /* keys found missing that the template needs */
	size_t nmissing;
	char **files; /* files read by `file` */
	size_t nfiles;
};

struct tmpl;

/* Frees the contents of d (not d itself); NULL is a no-op. */
void tmpl_deps_free(struct tmpl_deps *d);

/*
 * Parses text[0..len) into *out (the caller frees it with tmpl_free()).
 * Returns 0, or -1 with "name:line:col: message" in err.
 */
int tmpl_parse(struct tmpl **out, const char *text, size_t len,
    const struct tmpl_opts *opts, struct cerr *err);

/*
 * Renders t with data, appending to out. On error returns -1 with
 * "name:line:col: message" in err and out is left as it was: never partial
 * output. deps may be NULL; else the dependencies are added to it (the
 * caller frees them with tmpl_deps_free()), on success and on error.
 */
int tmpl_render(const struct tmpl *t, const struct tmpl_data *data,
    struct buf *out, struct tmpl_deps *deps, struct cerr *err);

/* Frees t; NULL is a no-op. */
void tmpl_free(struct tmpl *t);

#endif
