/* The etcd v3 source's parsers: range answers, the watch stream, the URL's
 * key prefix (pure functions, for the backend, tests and fuzzing). */
#ifndef CONFINIT_SOURCES_ETCD_H
#define CONFINIT_SOURCES_ETCD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cerr.h"
#include "kv.h"
#include "xmalloc.h"

/* The largest single watch message kept while it arrives. */
#define ETCD_MAX_MESSAGE (16u << 20)

/* What one watch message said (bits of *flags). */
enum {
	ETCD_WATCH_CREATED = 1,	  /* the watch is in place */
	ETCD_WATCH_CHANGED = 2,	  /* kv was changed */
	ETCD_WATCH_COMPACTED = 4, /* start revision compacted: range again */
};

/*
 * The key prefix for a URL path or a configured prefix: "/myapp" and
 * "/myapp/" -> "/myapp/"; "" and "/" -> "" (every key). The caller frees
 * it.
 */
char *etcd_prefix(const char *path);

/* The base64 of the range [prefix, range_end) for JSON requests: *key and
 * *end are the caller's. */
void etcd_range_keys(const char *prefix, char **key, char **end);

/*
 * Parses a /v3/kv/range answer: every key under prefix, made relative to
 * it, into a new snapshot (*out, the caller's) and the store revision
 * (*rev). Returns 0, or -1 with err.
 */
int etcd_parse_range(const char *body, size_t len, const char *prefix,
    struct kv **out, int64_t *rev, struct cerr *err);

/*
 * Applies one /v3/watch message to kv: PUT events set, DELETE events
 * remove keys under prefix. *rev becomes the largest revision seen;
 * *flags says what happened. Returns 0, or -1 with err (an error message
 * from etcd, a canceled watch, bad JSON).
 */
int etcd_parse_watch(const char *msg, size_t len, const char *prefix,
    struct kv *kv, int64_t *rev, int *flags, struct cerr *err);

/* Cuts a byte stream into whole JSON objects, whatever the chunks. */
struct etcd_stream {
	struct buf part; /* an object's first bytes, until its end comes */
	size_t max;	 /* largest object; 0: ETCD_MAX_MESSAGE */
	int depth;
	bool in_str;
	bool esc;
};

/*
 * Feeds len bytes to st; calls fn(arg, obj, objlen) for each complete
 * top-level object. Stops at fn's first non-zero return and returns it;
 * returns -1 with err for bytes that are not a JSON object stream or an
 * object larger than st->max, else 0.
 */
int etcd_stream_feed(struct etcd_stream *st, const char *data, size_t len,
    int (*fn)(void *arg, const char *obj, size_t objlen), void *arg,
    struct cerr *err);

/*
 * The reason in an error answer of etcd's gateway ({"error": ...,
 * "message": "etcdserver: permission denied", "code": 7}): "HTTP 403:
 * etcdserver: permission denied", or the body's first line when it is not
 * such an answer. Writes at most n bytes into out and returns out.
 */
const char *etcd_answer_why(long status, const char *body, size_t len,
    char *out, size_t n);

/*
 * True when why (a failure's reason) says etcd refused the auth token:
 * invalid or expired, or older than the auth store: log in again.
 */
bool etcd_token_refused(const char *why);

/* Forgets a partial object (a new connection); frees nothing. */
void etcd_stream_reset(struct etcd_stream *st);

/* Frees st's buffer. */
void etcd_stream_free(struct etcd_stream *st);

#endif
