/* The Consul KV source: URL parsing, request paths, response parsing and
 * blocking-query index rules (pure; the run-time side is in consul.c). */
#ifndef CONFINIT_SOURCES_CONSUL_H
#define CONFINIT_SOURCES_CONSUL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cerr.h"
#include "kv.h"

/* The default blocking wait sent to Consul (its own default too). */
#define CONSUL_WAIT_DEFAULT "5m"

/* consul://h1:8500,h2:8500/prefix?dc=dc1&stale&wait=30s, parsed. */
struct consul_url {
	bool tls;	   /* consuls:// */
	char **endpoints;  /* "host:port" (port 8500 added when absent) */
	size_t nendpoints; /* at least 1 */
	char *prefix;	   /* "" or "app/" (no leading, one trailing '/') */
	char *dc;	   /* NULL: the agent's datacenter */
	bool stale;	   /* any server may answer */
	char *wait;	   /* blocking wait, Go duration ("5m") */
};

/*
 * Parses a consul:// or consuls:// URL into u (which the caller frees with
 * consul_url_free()). The path is the key prefix: leading slashes dropped,
 * one trailing '/' added when not empty, percent-escapes decoded. Query
 * options: dc=NAME, stale, wait=DURATION; others are errors. Returns 0,
 * or -1 with err naming the problem (u is then empty).
 */
int consul_url_parse(const char *url, struct consul_url *u, struct cerr *err);

/* Frees what u holds; a zeroed u is a no-op. */
void consul_url_free(struct consul_url *u);

/*
 * The request's path and query: "/v1/kv/PREFIX?recurse", dc and stale,
 * and, when index is above 0, "&index=N&wait=W". The caller frees it.
 */
char *consul_request_path(const struct consul_url *u, uint64_t index);

/*
 * The request URL for endpoint i (modulo their number): scheme, host and
 * consul_request_path(). The caller frees it.
 */
char *consul_request_url(const struct consul_url *u, size_t i, uint64_t index);

/*
 * Parses the JSON body of a recurse GET: an array of objects with "Key"
 * and "Value" (base64, or null). Keys must start with prefix (as in
 * consul_url); they become relative to it. Keys ending in '/' (folders)
 * and the prefix itself are skipped; a null Value is "". name prefixes
 * error messages. Returns 0 with *out a new kv the caller owns, or -1 with
 * err (and *out NULL).
 */
int consul_parse_kv(const char *name, const char *prefix, const char *body,
    size_t len, struct kv **out, struct cerr *err);

/*
 * Parses an X-Consul-Index header value (decimal, surrounding blanks
 * allowed). Returns 0 with *index, or -1 when absent or malformed.
 */
int consul_parse_index(const char *value, uint64_t *index);

/*
 * The index for the next blocking query, given the one this query sent
 * and the X-Consul-Index it returned, as Consul's blocking-query rules
 * say: when it went backwards, 0 (the next request starts over without
 * blocking); else at least 1 (an index of 0 would not block and would
 * make a busy loop).
 */
uint64_t consul_next_index(uint64_t sent, uint64_t got);

/*
 * A token bucket with a burst of two, in milliseconds of credit: blocking
 * queries go out at once while values change rarely and degrade to one
 * per interval when they churn, as Consul's documentation advises.
 */
struct consul_bucket {
	int64_t credit; /* ms; a request costs one interval */
	int64_t at;	/* when credit was last brought up to date */
	bool init;
};

/*
 * Takes one request's worth of credit at time now (ms, monotonic), refilled
 * at one request per every_ms. Returns 0 to go at once, else how long to
 * wait first (the credit is then already spent).
 */
int64_t consul_bucket_take(struct consul_bucket *b, int64_t now,
    int64_t every_ms);

#endif
