/* The network layer: libcurl's multi interface driven by confinit's own
 * poll loop, and what remote sources share (URLs, endpoints, tokens). */
#ifndef CONFINIT_NET_H
#define CONFINIT_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "backoff.h"
#include "cerr.h"
#include "config.h"
#include "loop.h"

/* Default cap on a buffered or streamed response body. */
#define NET_MAX_BODY (16u << 20)
/* Default connect timeout. */
#define NET_CONNECT_TIMEOUT_MS 5000

/* The shared multi handle of one loop. */
struct net;
/* One transfer. */
struct net_req;

/*
 * Returns the multi handle of loop l, creating it on first use; every
 * caller holds a reference and drops it with net_unref(). The last
 * reference frees it: do that before the loop is freed and run no loop
 * after it (its timer stays registered with the loop).
 */
struct net *net_ref(struct loop *l);
/* Drops a reference taken by net_ref(); NULL is a no-op. */
void net_unref(struct net *n);

/* How a finished transfer went; valid during the on_done call only. */
struct net_result {
	long status;	   /* HTTP status; 0 when the transport failed */
	const char *error; /* NULL, or why it failed (transport, size cap,
			      a callback's refusal); names the source */
	const char *body;  /* the body when no on_data was given, else "" */
	size_t body_len;
	bool retry; /* connect error, timeout or 5xx: try another endpoint */
};

/* One request. Everything is copied by net_request(). */
struct net_req_opts {
	const char *source; /* the source's name, for messages */
	const char *method; /* NULL: GET */
	const char *url;    /* http:// or https:// */
	const void *body;   /* request body (POST/PUT), body_len bytes */
	size_t body_len;
	const char *const *headers; /* NULL-terminated "Name: value" */
	/* TLS for https URLs; NULL: verification on, the system's CAs.
	 * server_name: the certificate is verified against (and SNI sent
	 * for) that name while the connection still goes to the URL's
	 * host and port (CURLOPT_CONNECT_TO). */
	const struct config_tls *tls;
	int64_t connect_timeout_ms; /* 0: NET_CONNECT_TIMEOUT_MS */
	int64_t timeout_ms;	    /* whole transfer; 0: none (a stream) */
	int64_t idle_ms;	    /* fail after this long without a byte;
				       0: never */
	size_t max_body;	    /* 0: NET_MAX_BODY; past it: an error.
				       A 2xx stream (on_data) is endless:
				       its backend caps each message */
	/* Each response header as it arrives (name without the colon,
	 * value trimmed); a non-zero return aborts the transfer. */
	int (*on_header)(void *arg, const char *name, const char *value);
	/* Body bytes as they arrive (a stream); a non-zero return aborts
	 * the transfer (on_done then reports result.error). NULL: the body
	 * is buffered and handed to on_done. */
	int (*on_data)(void *arg, const char *data, size_t len);
	/* Called once when the transfer ends, unless it was cancelled;
	 * the request is freed right after it returns. on_done may start
	 * new requests and cancel any (itself included: a no-op). */
	void (*on_done)(void *arg, const struct net_result *res);
	void *arg;
};

/*
 * Starts a request on n. Returns the transfer (owned by n: it is freed
 * after on_done, or by net_cancel()), or NULL with err set. Never blocks:
 * the loop drives the transfer.
 */
struct net_req *net_request(struct net *n, const struct net_req_opts *o,
    struct cerr *err);

/* Stops r and frees it; on_done is not called. NULL is a no-op. Safe from
 * inside any callback of any request. */
void net_cancel(struct net_req *r);

/* Returns the number of transfers in progress (tests). */
size_t net_active(const struct net *n);

/*
 * Where CA bundles usually are: Debian, Ubuntu and Alpine; RHEL and Fedora
 * (two); SUSE; Alpine's and the BSDs' other name. NULL-terminated.
 */
extern const char *const net_ca_paths[];

/* Returns the first of the NULL-terminated paths that is a readable
 * file, or NULL. */
const char *net_ca_find(const char *const *paths);

/*
 * Chooses the CA bundle of every https request whose source has no
 * tls.ca: ca_file (--ca-file, CONFINIT_CA_FILE) when given, else the
 * first of net_ca_paths[] found, else libcurl's own default. Call it
 * before the sources start (it looks at files, once). Returns 0, or -1
 * with err when ca_file is given but cannot be read.
 */
int net_ca_init(const char *ca_file, struct cerr *err);

/* The bundle net_ca_init() chose, or NULL for libcurl's default. */
const char *net_ca_default(void);

/*
 * A remote source URL: "etcd://h1:2379,h2:2379/prefix?query". Hosts are
 * "host:port" (port added when missing; "[v6]:port" allowed).
 */
struct net_url {
	char *scheme; /* "etcd", "etcds", "consul", ... */
	char **hosts; /* nhosts "host:port" strings */
	size_t nhosts;
	char *path;  /* "/prefix" as written, "" when none */
	char *query; /* after '?', NULL when none */
};

/* Returns -1 with err (the URL shown with its password as "***") if url
 * has a user[:password]@ before its host, else 0. */
int net_url_userinfo(const char *url, struct cerr *err);
/* Parses url; default_port fills hosts without one. Returns 0 with *u
 * the caller's (net_url_free()), or -1 with err. */
int net_url_parse(const char *url, int default_port, struct net_url *u,
    struct cerr *err);
/* Frees what net_url_parse() filled; a zeroed struct is a no-op. */
void net_url_free(struct net_url *u);

/*
 * What a remote backend keeps about its endpoints: the parsed URL, the
 * endpoint in use, fail-over and backoff. Fail-over walks the endpoints
 * in order; after a failure of every one the next attempt waits a backoff
 * delay (full jitter).
 */
struct net_endpoints {
	struct net_url url;
	bool tls;      /* https (etcds://, consuls://, https://) */
	size_t cur;    /* endpoint in use */
	size_t failed; /* endpoints failed in a row */
	struct backoff bo;
};

/*
 * Parses url into e; tls says whether the endpoints speak https. Logs a
 * warning (once per source) if conf asks for tls.insecure. Returns 0 or
 * -1 with err.
 */
int net_endpoints_init(struct net_endpoints *e, const char *name,
    const char *url, bool tls, const struct config_source *conf,
    int default_port, struct cerr *err);
/* Returns "http(s)://HOST:PORT" + path for the endpoint in use; the
 * caller frees it. */
char *net_endpoints_url(const struct net_endpoints *e, const char *path);
/* The endpoint in use, "host:port" (for messages). */
const char *net_endpoints_host(const struct net_endpoints *e);
/*
 * The endpoint in use failed: moves to the next one. Returns how long to
 * wait before the next attempt in ms: 0 while endpoints of this round are
 * left, a backoff delay after every endpoint failed.
 */
int64_t net_endpoints_failed(struct net_endpoints *e);
/* The endpoint in use answered: resets the failure count and backoff. */
void net_endpoints_ok(struct net_endpoints *e);
/* Frees what net_endpoints_init() took. */
void net_endpoints_free(struct net_endpoints *e);

/*
 * Reads the token conf asks for: inline (token), from a file (token_file,
 * read again on each call: call it on each reconnect, trailing newline
 * stripped) or from a variable of env (token_env). Returns 0 with *tok
 * the caller's (NULL when conf names no token), or -1 with err (which
 * never holds the token). Every token is registered with log_secret_add().
 */
int net_token(const struct config_source *conf, char *const *env, char **tok,
    struct cerr *err);

/*
 * Reads a secret given inline (value), in a file (read on each call,
 * trailing white space stripped) or in the variable var of env, the first
 * of them that is not NULL; what ("token", "password") names the fields
 * in messages ("password_file PATH: ..."). Returns 0 with *out the
 * caller's (NULL when all three are NULL; free it with net_secret_free()),
 * or -1 with err, which never holds the secret. The secret is registered
 * with log_secret_add().
 */
int net_secret(const char *what, const char *value, const char *file,
    const char *var, char *const *env, char **out, struct cerr *err);

/* Wipes and frees a secret; NULL is a no-op. */
void net_secret_free(char *s);

#endif
