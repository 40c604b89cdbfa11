/* The config client at run time: sources -> snapshot -> templates and the
 * app's environment -> debounce -> files written, app signalled or
 * restarted. */
#ifndef CONFINIT_RELOAD_H
#define CONFINIT_RELOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "command.h"
#include "envmap.h"
#include "kv.h"
#include "loop.h"
#include "render.h"
#include "source_rt.h"
#include "supervisor.h"
#include "template/template.h"

enum reload_on_env {
	RELOAD_ENV_RESTART,
	RELOAD_ENV_SIGNAL,
	RELOAD_ENV_IGNORE,
};

/* One template to keep rendered. The caller fills the settings. */
struct reload_template {
	char *name;	   /* for log lines: its source file */
	struct tmpl *tmpl; /* parsed; NULL when text is fixed */
	char *text;	   /* engine envsubst: the content, fixed */
	struct render_dest dest;
	int signal;	/* sent to the app after a change; 0: none */
	char **command; /* run after a change instead, or NULL */
	/* State. */
	struct tmpl_deps deps; /* of the last render */
	struct buf out;	       /* the last good render */
	bool ok;	       /* out holds a good render */
	bool dirty;	       /* to render again */
	bool in_batch;	       /* rendered for the batch being applied */
};

struct reload {
	/* Settings, filled by the caller. */
	struct reload_template *tmpls;
	size_t ntmpls;
	struct envmap_rule *rules;
	size_t nrules;
	bool pristine;
	char *const *base_env; /* confinit's environment */
	enum reload_on_env on_env_change;
	int reload_signal; /* for RELOAD_ENV_SIGNAL */
	int kill_signal;   /* for a restart */
	int64_t wait_min_ms, wait_max_ms;
	int64_t command_timeout_ms;
	char *const *argv; /* the app */
	struct source **sources;
	size_t nsources;
	const char *cache_path; /* startup.cache, or NULL */
	bool cache_secrets;	/* secret sources go into it too */
	struct loop *loop;
	struct sup *sup;
	/* Called on each change before reload_run(): at start, waiting for
	 * keys. */
	void (*waiting)(struct reload *r);
	void *waiting_arg;

	/* State. */
	struct kv *snap; /* the sources layered */
	char **app_env;	 /* the environment the app runs with */
	char **old_env;	 /* the one before a restart, freed after it */
	struct tmpl_deps env_deps;
	bool env_dirty, running;
	int64_t first_change; /* of the pending batch; -1: none */
	struct loop_timer wait_timer;
	char *cache_error; /* the last cache write failure logged */
	/*
	 * The batch being applied. Its checks and commands run without
	 * blocking the loop, one at a time, the files in order; a change
	 * meanwhile waits for the next batch (docs/reload.md).
	 */
	bool applying;
	size_t next;		     /* the template to go on with */
	struct reload_template *cur; /* whose check or command runs */
	struct render_staged staged; /* cur's file while its check runs */
	struct command helper;	     /* that check or command */
	bool send[CLI_NSIG];	     /* signals to send at the end */
	char **batch_env;	     /* the environment rendered for it */
	bool batch_env_set;
};

/*
 * Sets up the state of r (whose settings are filled) and registers its
 * timer with r->loop and its change callback with each source.
 */
void reload_init(struct reload *r);

/*
 * Renders every template and the environment from the current snapshot
 * into memory. Returns 0 when all rendered; 1 when some need keys that are
 * missing (each is logged at info level with its template); -1 when one
 * failed for another reason (err says which template, line and column).
 */
int reload_render_all(struct reload *r, struct cerr *err);

/*
 * Writes every rendered template (at start: no signal, no command).
 * dry_run prints them to stdout instead. Returns 0, or -1 naming the file.
 */
int reload_write_all(struct reload *r, bool dry_run, struct cerr *err);

/* True when every source has delivered its first snapshot. */
bool reload_sources_ready(const struct reload *r);

/* Sources still without a first snapshot, as "name (why), name"; the
 * caller frees it. */
char *reload_sources_pending(const struct reload *r);

/* Missing keys with their templates, one "KEY (TEMPLATE)" per line; the
 * caller frees it. */
char *reload_missing(const struct reload *r);

/*
 * Writes the startup cache (r->cache_path) when every source has live
 * data. A failure is logged as a warning (once until it changes), never
 * fatal; a no-op without a cache path.
 */
void reload_cache_save(struct reload *r);

/*
 * At the startup timeout: gives each source still without data its
 * snapshot from the startup cache and layers the snapshot again. Returns
 * 0 when every source has data now (a warning names the sources that are
 * down, why, and the cache's age), -1 when it cannot (a warning names the
 * cache file and why).
 */
int reload_cache_restore(struct reload *r);

/*
 * From now on changes are applied (debounced) and reach the app. Call
 * after the app was spawned with r->app_env.
 */
void reload_run(struct reload *r);

/* Frees the state and the templates' state; not the settings. */
void reload_free(struct reload *r);

/*
 * The debounce deadline for a change at now, as consul-template's wait:
 * min after the last change, but no later than max after the first.
 */
int64_t reload_deadline(int64_t first, int64_t now, int64_t min, int64_t max);

#endif
