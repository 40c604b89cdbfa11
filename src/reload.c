/* The config client at run time: sources -> snapshot -> templates and the
 * app's environment -> debounce -> files written, app signalled or
 * restarted. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cache.h"
#include "command.h"
#include "log.h"
#include "reload.h"
#include "units.h"
#include "xmalloc.h"

static void reload_fire(void *arg);
static void reload_changed(void *arg, struct source *s);
static void reload_apply(struct reload *r);

static const char *
reload_kv_get(void *ctx, const char *key)
{
	return kv_get(ctx, key);
}

static int
reload_kv_walk(void *ctx, const char *prefix,
    int (*fn)(void *, const char *, const char *), void *arg)
{
	return kv_walk(ctx, prefix, fn, arg);
}

static const struct tmpl_kv_ops reload_kv_ops = {
    .get = reload_kv_get,
    .walk = reload_kv_walk,
};

/* What templates see: the snapshot and confinit's environment. */
static struct tmpl_data
reload_data(const struct reload *r)
{
	return (struct tmpl_data){.kv = &reload_kv_ops,
	    .kv_ctx = r->snap,
	    .env = r->base_env};
}

/* Registers the values of a secret source with the log's redaction. */
static int
reload_secret(void *arg, const char *key, const char *value)
{
	log_secret_add(value);
	return 0;
}

/* Layers the sources' snapshots, in order, into a new snapshot. */
static struct kv *
reload_layer(const struct reload *r)
{
	struct kv **layers = xcalloc(r->nsources + 1, sizeof(*layers));
	struct kv *snap;
	size_t i, n = 0;

	for (i = 0; i < r->nsources; i++)
		if (r->sources[i]->snap != NULL)
			layers[n++] = r->sources[i]->snap;
	snap = kv_layer(layers, n);
	free(layers);
	return snap;
}

/* Layers the sources again after their snapshots were set at once
 * (start, cache); everything is to be rendered. */
static void
reload_resnap(struct reload *r)
{
	size_t i;

	for (i = 0; i < r->nsources; i++)
		if (r->sources[i]->secret && r->sources[i]->snap != NULL)
			kv_walk(r->sources[i]->snap, "", reload_secret, NULL);
	kv_free(r->snap);
	r->snap = reload_layer(r);
	for (i = 0; i < r->ntmpls; i++)
		r->tmpls[i].dirty = true;
	r->env_dirty = true;
}

void
reload_init(struct reload *r)
{
	size_t i;

	r->first_change = -1;
	r->staged.fd = -1;
	loop_timer_add(r->loop, &r->wait_timer, reload_fire, r);
	command_init(&r->helper, r->loop, r->sup);
	for (i = 0; i < r->nsources; i++) {
		r->sources[i]->changed = reload_changed;
		r->sources[i]->changed_arg = r;
	}
	reload_resnap(r);
}

void
reload_cache_save(struct reload *r)
{
	struct cerr err;

	if (r->cache_path == NULL)
		return;
	switch (cache_save(r->cache_path, r->sources, r->nsources,
	    r->cache_secrets, &err)) {
	case 1:
		log_debug("cache %s written", r->cache_path);
		free(r->cache_error);
		r->cache_error = NULL;
		break;
	case -1:
		if (r->cache_error == NULL ||
		    strcmp(r->cache_error, err.msg) != 0)
			log_warn("%s; the cache keeps what it held", err.msg);
		free(r->cache_error);
		r->cache_error = xstrdup(err.msg);
		break;
	}
}

int
reload_cache_restore(struct reload *r)
{
	char *down = reload_sources_pending(r), age[32];
	int64_t saved_at;
	struct cerr err;

	if (r->cache_path == NULL) {
		free(down);
		return -1;
	}
	switch (cache_restore(r->cache_path, r->sources, r->nsources, &saved_at,
	    &err)) {
	case 0:
		break;
	case 1:
		/* The first run, or the center was never complete. */
		log_info("%s: no snapshot was saved yet", err.msg);
		free(down);
		return -1;
	default:
		log_warn("%s; cannot start from the cache", err.msg);
		free(down);
		return -1;
	}
	log_warn("STARTING FROM THE CACHE: no data from %s; using the "
		 "snapshot in %s, saved %s ago; catching up when the "
		 "sources answer",
	    down, r->cache_path,
	    cache_age((int64_t)time(NULL) - saved_at, age, sizeof(age)));
	free(down);
	reload_resnap(r);
	return 0;
}

/* Stops a walk at its first key. */
static int
reload_any_key(void *arg, const char *key, const char *value)
{
	return 1;
}

/*
 * True when a render with these dependencies read a value of a secret
 * source: one of its keys, or a key under one of the prefixes it listed,
 * is in a secret source's snapshot (even when a later layer overrides it).
 */
static bool
reload_deps_secret(const struct reload *r, const struct tmpl_deps *d)
{
	const struct kv *snap;
	size_t i, j;

	for (i = 0; i < r->nsources; i++) {
		if (!r->sources[i]->secret ||
		    (snap = r->sources[i]->snap) == NULL)
			continue;
		for (j = 0; j < d->nkeys; j++)
			if (kv_get(snap, d->keys[j]) != NULL)
				return true;
		for (j = 0; j < d->nprefixes; j++)
			if (kv_walk(snap, d->prefixes[j], reload_any_key, NULL))
				return true;
	}
	return false;
}

/* Renders template t from the snapshot into its buffer. Returns 0, 1 when
 * a key it needs is missing, -1 on error (its deps are kept either way). */
static int
reload_render_one(struct reload *r, struct reload_template *t, struct cerr *err)
{
	struct tmpl_data data = reload_data(r);
	struct tmpl_deps deps = {0};
	struct buf out = {0};
	int rc;

	if (t->tmpl == NULL) {
		buf_reset(&t->out);
		buf_puts(&t->out, t->text);
		t->ok = true;
		return 0;
	}
	rc = tmpl_render(t->tmpl, &data, &out, &deps, err);
	tmpl_deps_free(&t->deps);
	t->deps = deps;
	if (rc != 0) {
		buf_free(&out);
		return deps.nmissing > 0 ? 1 : -1;
	}
	if (deps.nmissing > 0) {
		buf_free(&out);
		return 1;
	}
	buf_free(&t->out);
	t->out = out;
	t->ok = true;
	t->dest.secret = reload_deps_secret(r, &t->deps);
	return 0;
}

/* Builds the app's environment into *env; as reload_render_one(). */
static int
reload_render_env(struct reload *r, char ***env, struct cerr *err)
{
	struct tmpl_data data = reload_data(r);
	struct tmpl_deps deps = {0};
	int rc;

	rc = envmap_build(r->rules, r->nrules, &data,
	    r->pristine ? NULL : r->base_env, env, &deps, err);
	tmpl_deps_free(&r->env_deps);
	r->env_deps = deps;
	if (rc == 0 && deps.nmissing > 0) {
		envmap_free(*env);
		*env = NULL;
		return 1;
	}
	return rc == 0 ? 0 : deps.nmissing > 0 ? 1 : -1;
}

int
reload_render_all(struct reload *r, struct cerr *err)
{
	int worst = 0, rc;
	char **env = NULL;
	size_t i;

	for (i = 0; i < r->ntmpls; i++) {
		rc = reload_render_one(r, &r->tmpls[i], err);
		if (rc < 0)
			return -1;
		if (rc > 0)
			worst = 1;
		r->tmpls[i].dirty = false;
	}
	rc = reload_render_env(r, &env, err);
	if (rc < 0)
		return -1;
	if (rc > 0)
		return 1;
	envmap_free(r->app_env);
	r->app_env = env;
	r->env_dirty = false;
	return worst;
}

bool
reload_sources_ready(const struct reload *r)
{
	size_t i;

	for (i = 0; i < r->nsources; i++)
		if (r->sources[i]->snap == NULL)
			return false;
	return true;
}

char *
reload_sources_pending(const struct reload *r)
{
	struct buf b = {0};
	size_t i;

	for (i = 0; i < r->nsources; i++) {
		if (r->sources[i]->snap != NULL)
			continue;
		buf_printf(&b, "%s%s", b.len ? ", " : "", r->sources[i]->name);
		if (r->sources[i]->error != NULL)
			buf_printf(&b, " (%s)", r->sources[i]->error);
	}
	return buf_steal(&b);
}

char *
reload_missing(const struct reload *r)
{
	struct buf b = {0};
	size_t i, k;

	for (i = 0; i < r->ntmpls; i++)
		for (k = 0; k < r->tmpls[i].deps.nmissing; k++)
			buf_printf(&b, "%s%s (%s)", b.len ? ", " : "",
			    r->tmpls[i].deps.missing[k], r->tmpls[i].name);
	for (k = 0; k < r->env_deps.nmissing; k++)
		buf_printf(&b, "%s%s (env)", b.len ? ", " : "",
		    r->env_deps.missing[k]);
	return buf_steal(&b);
}

int
reload_write_all(struct reload *r, bool dry_run, struct cerr *err)
{
	struct render_staged *staged;
	struct reload_template *t;
	const char **paths;
	bool *written;
	size_t i;
	int rc = 0;

	if (dry_run) {
		for (i = 0; i < r->ntmpls; i++) {
			t = &r->tmpls[i];
			printf("==> %s (%zu bytes)\n", t->dest.path,
			    t->out.len);
			if (t->out.data == NULL) /* nothing rendered */
				continue;
			fwrite(t->out.data, 1, t->out.len, stdout);
			if (t->out.len > 0 &&
			    t->out.data[t->out.len - 1] != '\n')
				putchar('\n');
		}
		fflush(stdout);
		return 0;
	}
	/* All files staged, then synced and renamed together: one sync for
	 * the batch instead of one per file (docs/internals.md). */
	staged = xcalloc(r->ntmpls + 1, sizeof(*staged));
	paths = xcalloc(r->ntmpls + 1, sizeof(*paths));
	for (i = 0; i < r->ntmpls; i++)
		paths[i] = r->tmpls[i].dest.path;
	render_cleanup(paths, r->ntmpls);
	free(paths);
	for (i = 0; i < r->ntmpls && rc == 0; i++) {
		t = &r->tmpls[i];
		switch (render_stage(&t->dest, t->out.data ? t->out.data : "",
		    t->out.len, &staged[i], err)) {
		case -1:
			rc = cerr_prefix(err, "template %s", t->name);
			break;
		case 0:
			log_debug("%s unchanged", t->dest.path);
			break;
		}
	}
	if (rc != 0) {
		render_abort(staged, r->ntmpls);
		free(staged);
		return rc;
	}
	written = xcalloc(r->ntmpls + 1, sizeof(*written));
	for (i = 0; i < r->ntmpls; i++)
		written[i] = staged[i].tmp != NULL;
	if ((rc = render_commit(staged, r->ntmpls, err)) == 0)
		for (i = 0; i < r->ntmpls; i++)
			if (written[i])
				log_info("wrote %s", r->tmpls[i].dest.path);
	free(written);
	free(staged);
	return rc;
}

/* True when a change to key concerns what deps read. */
static bool
reload_affects(const struct tmpl_deps *d, const char *key)
{
	const char *p;
	size_t i;

	for (i = 0; i < d->nkeys; i++)
		if (strcmp(d->keys[i] + strspn(d->keys[i], "/"), key) == 0)
			return true;
	for (i = 0; i < d->nmissing; i++)
		if (strcmp(d->missing[i] + strspn(d->missing[i], "/"), key) ==
		    0)
			return true;
	for (i = 0; i < d->nprefixes; i++) {
		p = d->prefixes[i] + strspn(d->prefixes[i], "/");
		if (strncmp(key, p, strlen(p)) == 0)
			return true;
	}
	return false;
}

int64_t
reload_deadline(int64_t first, int64_t now, int64_t min, int64_t max)
{
	int64_t at = now + min;

	if (max > 0 && at > first + max)
		at = first + max;
	return at;
}

static void reload_step(struct reload *r);

/* A template's command has finished. */
static void
reload_commanded(void *arg, int code, const struct buf *out,
    const struct cerr *err)
{
	struct reload *r = arg;
	struct reload_template *t = r->cur;

	r->cur = NULL;
	if (code < 0)
		log_error("template %s: command: %s", t->name, err->msg);
	else if (code != 0)
		log_error("template %s: command %s exited with %d: %s", t->name,
		    t->command[0], code, out->len ? out->data : "");
	else
		log_info("template %s: ran %s", t->name, t->command[0]);
	reload_step(r);
}

/*
 * t's file was written: starts its command, or notes its signal for the
 * end of the batch. True when a command was started (the batch goes on
 * when it has finished).
 */
static bool
reload_written(struct reload *r, struct reload_template *t)
{
	struct cerr err;

	log_info("wrote %s", t->dest.path);
	if (t->command == NULL) {
		if (t->signal > 0 && t->signal < CLI_NSIG)
			r->send[t->signal] = true;
		return false;
	}
	if (command_start(&r->helper, t->command, r->command_timeout_ms, 4096,
		reload_commanded, r, &err) != 0) {
		log_error("template %s: command: %s", t->name, err.msg);
		return false;
	}
	r->cur = t;
	return true;
}

/* Puts t's staged file in place; false (logged) when that failed. */
static bool
reload_commit(struct reload *r, struct reload_template *t)
{
	struct cerr err;

	if (render_commit(&r->staged, 1, &err) == 0)
		return true;
	log_error("template %s: %s; keeping the last good file", t->name,
	    err.msg);
	return false;
}

/* t's check has finished: its file goes in place, or is dropped. */
static void
reload_checked(void *arg, int code, const struct buf *out,
    const struct cerr *err)
{
	struct reload *r = arg;
	struct reload_template *t = r->cur;
	struct cerr failed;

	r->cur = NULL;
	if (code == 0) {
		if (reload_commit(r, t) && reload_written(r, t))
			return;
	} else {
		if (code > 0) {
			render_check_failed(t->dest.check[0], code, out,
			    &failed);
		} else {
			failed = *err;
			render_check_error(&failed);
		}
		err = &failed;
		log_error("template %s: %s; keeping the last good file",
		    t->name, err->msg);
		render_abort(&r->staged, 1);
	}
	reload_step(r);
}

/* Starts the check of t's staged file; false (logged) when it cannot. */
static bool
reload_check(struct reload *r, struct reload_template *t)
{
	struct cerr err;
	char **argv;
	int rc = -1;

	if ((argv = render_check_argv(&t->dest, r->staged.tmp, &err)) != NULL)
		rc = command_start(&r->helper, argv, t->dest.check_timeout_ms,
		    RENDER_CHECK_OUTPUT, reload_checked, r, &err);
	render_argv_free(argv);
	if (rc != 0) {
		log_error("template %s: %s; keeping the last good file",
		    t->name, err.msg);
		render_abort(&r->staged, 1);
		return false;
	}
	r->cur = t;
	return true;
}

/* The end of a batch: the environment, then the signals, once each. */
static void
reload_finish(struct reload *r)
{
	char **env = r->batch_env;
	bool restarting = false;
	int sig;

	if (r->batch_env_set) {
		r->batch_env_set = false;
		r->batch_env = NULL;
		if (envmap_equal(env, r->app_env)) {
			envmap_free(env);
		} else if (r->on_env_change == RELOAD_ENV_RESTART) {
			sup_restart(r->sup, r->kill_signal, r->argv, env);
			envmap_free(r->app_env);
			r->app_env = env;
			restarting = true;
		} else {
			log_info("environment changed; the app keeps its own "
				 "(on_env_change: %s)",
			    r->on_env_change == RELOAD_ENV_SIGNAL ? "signal"
								  : "ignore");
			if (r->on_env_change == RELOAD_ENV_SIGNAL)
				r->send[r->reload_signal] = true;
			envmap_free(r->app_env);
			r->app_env = env;
		}
	}
	for (sig = 1; sig < CLI_NSIG && !restarting; sig++) {
		if (!r->send[sig])
			continue;
		if (sup_signal_app(r->sup, sig) == 0)
			log_info("sent %s to the app", units_signame(sig));
	}
	r->applying = false;
	/* Give back what the batch's renders used (mimalloc keeps it). */
	xmalloc_release();
}

/*
 * Goes on with the batch: each file of it in order is staged, checked and
 * put in place, then its command runs. Returns while a check or command
 * runs (its end calls back here); ends the batch after the last file.
 */
static void
reload_step(struct reload *r)
{
	struct reload_template *t;
	struct cerr err;

	while (r->next < r->ntmpls) {
		t = &r->tmpls[r->next++];
		if (!t->in_batch)
			continue;
		t->in_batch = false;
		switch (render_prepare(&t->dest, t->out.data ? t->out.data : "",
		    t->out.len, &r->staged, &err)) {
		case -1:
			log_error("template %s: %s; keeping the last good file",
			    t->name, err.msg);
			continue;
		case 0:
			log_debug("%s unchanged", t->dest.path);
			continue;
		}
		if (t->dest.check != NULL && t->dest.check[0] != NULL) {
			if (reload_check(r, t))
				return;
			continue;
		}
		if (reload_commit(r, t) && reload_written(r, t))
			return;
	}
	reload_finish(r);
	/* Changes that came during the batch and whose wait is over. */
	if (r->first_change >= 0 && !loop_timer_armed(&r->wait_timer))
		reload_apply(r);
}

/*
 * Starts a batch: renders (in memory) every template a change marked and
 * the environment, all from the snapshot as it is now, then writes them
 * (reload_step). A batch already running keeps the changes for the next.
 */
static void
reload_apply(struct reload *r)
{
	struct reload_template *t;
	struct cerr err;
	size_t i;

	if (r->applying) {
		log_debug("a change while checks run: applied after them");
		return;
	}
	r->applying = true;
	r->first_change = -1;
	memset(r->send, 0, sizeof(r->send));
	for (i = 0; i < r->ntmpls; i++) {
		t = &r->tmpls[i];
		if (!t->dirty)
			continue;
		t->dirty = false;
		switch (reload_render_one(r, t, &err)) {
		case -1:
			log_error("%s; keeping the last good %s", err.msg,
			    t->dest.path);
			continue;
		case 1:
			log_warn("template %s: waiting for keys; keeping the "
				 "last good %s",
			    t->name, t->dest.path);
			continue;
		}
		t->in_batch = true;
	}
	if (r->env_dirty) {
		r->env_dirty = false;
		switch (reload_render_env(r, &r->batch_env, &err)) {
		case -1:
			log_error("environment: %s; the app keeps its "
				  "environment",
			    err.msg);
			break;
		case 1: /* no error to report: keys are missing */
			log_warn("environment: waiting for key %s; the app "
				 "keeps its environment",
			    r->env_deps.missing[0]);
			break;
		default:
			r->batch_env_set = true;
		}
	}
	r->next = 0;
	reload_step(r);
}

/* The debounce timer fired. */
static void
reload_fire(void *arg)
{
	reload_apply(arg);
}

/* A source has a new snapshot: find what it concerns and schedule it. */
static void
reload_changed(void *arg, struct source *s)
{
	struct reload *r = arg;
	struct kv *snap = reload_layer(r);
	bool any = false;
	char **keys;
	size_t n, i, k;
	int64_t now;

	if (s->secret)
		kv_walk(s->snap, "", reload_secret, NULL);
	keys = kv_diff(r->snap, snap, &n);
	kv_free(r->snap);
	r->snap = snap;
	for (k = 0; k < n; k++) {
		log_debug("changed: %s", keys[k]);
		for (i = 0; i < r->ntmpls; i++) {
			struct reload_template *t = &r->tmpls[i];

			/* A template that never rendered may need anything. */
			if (!t->ok || reload_affects(&t->deps, keys[k]))
				t->dirty = any = true;
		}
		if (r->nrules > 0 && (r->app_env == NULL ||
					 reload_affects(&r->env_deps, keys[k])))
			r->env_dirty = any = true;
	}
	kv_keys_free(keys, n);
	if (r->running)
		reload_cache_save(r);
	if (!r->running) {
		if (r->waiting != NULL)
			r->waiting(r);
		return;
	}
	if (!any)
		return;
	now = loop_now();
	if (r->first_change < 0)
		r->first_change = now;
	if (r->wait_min_ms <= 0) {
		reload_apply(r);
		return;
	}
	loop_timer_arm(&r->wait_timer, reload_deadline(r->first_change, now,
					   r->wait_min_ms, r->wait_max_ms) -
					   now);
}

void
reload_run(struct reload *r)
{
	r->running = true;
}

void
reload_free(struct reload *r)
{
	size_t i;

	for (i = 0; i < r->ntmpls; i++) {
		tmpl_deps_free(&r->tmpls[i].deps);
		buf_free(&r->tmpls[i].out);
	}
	/* A check or command still running is killed; its temp file goes. */
	command_free(&r->helper);
	if (r->staged.tmp != NULL)
		render_abort(&r->staged, 1);
	envmap_free(r->batch_env);
	r->batch_env = NULL;
	tmpl_deps_free(&r->env_deps);
	envmap_free(r->app_env);
	r->app_env = NULL;
	kv_free(r->snap);
	r->snap = NULL;
	free(r->cache_error);
	r->cache_error = NULL;
}
