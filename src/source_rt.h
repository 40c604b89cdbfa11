/* Sources at run time: open by URL scheme, keep the last good snapshot,
 * watch, and tell the owner when the snapshot changes. */
#ifndef CONFINIT_SOURCE_RT_H
#define CONFINIT_SOURCE_RT_H

#include <stdbool.h>

#include "cerr.h"
#include "config.h"
#include "kv.h"
#include "loop.h"

struct source;

/* A backend: one per URL scheme. */
struct source_ops {
	const char *scheme; /* "file", "env", ... */
	bool remote;	    /* a config center: may be down at start */
	/* Parses the URL and reads what can be read at once; sets s->snap
	 * when it has a first snapshot. Returns 0 or -1 with a message. */
	int (*open)(struct source *s, char *const *env, struct cerr *err);
	/* Starts watching for changes with the loop. */
	int (*start)(struct source *s, struct cerr *err);
	/* Releases what open() and start() took. */
	void (*close)(struct source *s);
};

struct source {
	const struct source_ops *ops;
	char *name; /* for log lines: the config's name, else the URL */
	char *url;
	bool secret;	 /* values never logged */
	struct kv *snap; /* last good snapshot; NULL until the first */
	bool cached;	 /* snap came from the startup cache, not the source */
	struct loop *loop;
	/* The config entry (TLS, token, timeouts); NULL for a bare URL. It
	 * belongs to the config, which outlives the source. */
	const struct config_source *conf;
	/* Called after snap was replaced by a different snapshot. */
	void (*changed)(void *arg, struct source *s);
	void *changed_arg;
	void *priv;  /* the backend's */
	char *error; /* why the last attempt failed; NULL after a success */
};

/*
 * Creates the source for url (its scheme picks the backend) and opens it.
 * conf (may be NULL) is kept, not copied: it must outlive the source.
 * Returns the source, which the caller frees with source_free(), or NULL
 * with a message naming the source.
 */
struct source *source_new(const char *name, const char *url, bool secret,
    const struct config_source *conf, struct loop *loop, char *const *env,
    struct cerr *err);

/* Starts watching; changes are reported through s->changed. */
int source_start(struct source *s, struct cerr *err);

/*
 * Replaces s->snap with snap (taking it) and calls s->changed if the
 * content differs, or if s->snap came from the startup cache (then live
 * data replaces it, changed or not); for backends.
 */
void source_update(struct source *s, struct kv *snap);

/*
 * Records why the last attempt to read s failed (copied; for the startup
 * timeout message); a later source_update() clears it. For backends.
 */
void source_failed(struct source *s, const char *why);

/* Closes and frees s; NULL is a no-op. */
void source_free(struct source *s);

extern const struct source_ops source_file_ops;
extern const struct source_ops source_env_ops;
/* sources/consul.c (consul://, consuls://), sources/http.c (http, https) */
extern const struct source_ops source_consul_ops;
extern const struct source_ops source_consuls_ops;
extern const struct source_ops source_http_ops;
extern const struct source_ops source_https_ops;

extern const struct source_ops source_etcd_ops;	 /* sources/etcd.c */
extern const struct source_ops source_etcds_ops; /* etcd over TLS */

#endif
