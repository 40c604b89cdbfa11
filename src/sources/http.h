/* The HTTP(S) source: URL options, body format, ETag/Last-Modified
 * validators and body parsing (pure; the run-time side is in http.c). */
#ifndef CONFINIT_SOURCES_HTTP_H
#define CONFINIT_SOURCES_HTTP_H

#include <stdbool.h>
#include <stddef.h>

#include "cerr.h"
#include "flatten.h"
#include "kv.h"

/* The default poll interval. */
#define HTTP_POLL_MS 30000
/* The default timeout of one whole request. */
#define HTTP_TIMEOUT_MS 30000

/* http(s)://h1,h2:8080/path?query, with confinit's own options taken out. */
struct http_url {
	bool tls;   /* https:// */
	char *path; /* path and query sent: "/app.json?x=1" ("/" at least) */
	bool has_format;
	enum flatten_format format; /* from ?format=, when has_format */
	char *prefix; /* the config's prefix: "db/" keeps only the keys under
			 it, made relative ("db/host" -> "host"); NULL: all */
};

/*
 * Parses an http:// or https:// URL into u (the caller frees it with
 * http_url_free()). The query option format=json|yaml|properties|env is
 * confinit's and is not sent; every other query part is kept as written.
 * Returns 0, or -1 with err (u is then empty).
 */
int http_url_parse(const char *url, struct http_url *u, struct cerr *err);

/* Frees what u holds; a zeroed u is a no-op. */
void http_url_free(struct http_url *u);

/*
 * The format of a body: an explicit ?format= first (the user said so),
 * else by Content-Type, else by the path's extension, else YAML (see
 * flatten_format_for_http()).
 */
enum flatten_format http_format(const struct http_url *u,
    const char *content_type);

/*
 * Parses a 200 body into a new kv (*out, the caller's) in http_format(),
 * keeping only the keys under u->prefix when set;
 * name prefixes error messages ("name:line:col: ..."). Returns 0, or -1
 * with err and *out NULL.
 */
int http_parse_body(const struct http_url *u, const char *name,
    const char *content_type, const char *body, size_t len, struct kv **out,
    struct cerr *err);

/* What the server said identifies the body: sent back to revalidate. */
struct http_validators {
	char *etag;	     /* ETag, as sent (quotes and W/ kept) */
	char *last_modified; /* Last-Modified, as sent */
};

/*
 * Records the response header name: value in v when it is ETag or
 * Last-Modified (any case); other headers are ignored.
 */
void http_validators_header(struct http_validators *v, const char *name,
    const char *value);

/*
 * Fills hdrs with up to two request headers ("If-None-Match: E",
 * "If-Modified-Since: D") from v, each new (the caller frees them), and
 * NULL after them; hdrs must have room for 3. Returns their number.
 */
size_t http_validators_request(const struct http_validators *v, char **hdrs);

/* Moves src's validators into dst (freeing dst's); src ends empty. */
void http_validators_move(struct http_validators *dst,
    struct http_validators *src);

/* Frees v's strings; a zeroed v is a no-op. */
void http_validators_free(struct http_validators *v);

#endif
