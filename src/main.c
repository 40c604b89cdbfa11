/* confinit's phases: options, config, set-up, first render, spawn, the
 * event loop, exit. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "config.h"
#include "fdkeep.h"
#include "log.h"
#include "loop.h"
#include "prepare.h"
#include "reload.h"
#include "supervisor.h"
#include "user.h"
#include "xmalloc.h"

/* Exit codes of confinit itself; docs/exit-codes.md. */
enum {
	EXIT_SETUP = 1,
	EXIT_USAGE = 2,
	EXIT_CONFIG = CONFIG_EXIT_CODE,
	EXIT_STARTUP = 4,
};

extern char **environ;

static const char main_license[] =
    "confinit is free software under the MIT license.\n"
    "\n"
    "Permission is hereby granted, free of charge, to any person obtaining\n"
    "a copy of this software, to deal in it without restriction, provided\n"
    "that the copyright notice and this permission notice are included in\n"
    "all copies. THE SOFTWARE IS PROVIDED \"AS IS\", WITHOUT WARRANTY OF\n"
    "ANY KIND. See the LICENSE file for the full text.\n";

/* Everything one run holds. */
struct main_run {
	struct options opt;
	struct config *cfg;
	struct loop *loop;
	struct sup sup;
	struct reload reload;
	struct user_ids user;
	struct loop_timer startup_timer;
	bool client;  /* sources, templates or env to handle */
	bool ready;   /* first render complete */
	bool stopped; /* by a signal or the app's exit */
	bool timed_out;
};

/* The app has exited (or a signal came before it started). */
static void
main_stop(struct sup *s, void *arg)
{
	struct main_run *m = arg;

	m->stopped = true;
	loop_stop(m->loop);
}

/* Handles --help, --version and -l; returns 1 if one was asked. */
static int
main_info(const struct options *opt)
{
	switch (opt->action) {
	case CLI_HELP:
		fputs(cli_help(), stdout);
		return 1;
	case CLI_VERSION:
		printf("confinit version %s\n", CONFINIT_VERSION);
		return 1;
	case CLI_LICENSE:
		fputs(main_license, stdout);
		return 1;
	case CLI_RUN:
		break;
	}
	return 0;
}

/* Loads the file (if any) and lays the options over it. */
static int
main_config(struct main_run *m, struct cerr *err)
{
	const struct options *o = &m->opt;
	int level;

	if (o->config != NULL) {
		if (config_load(&m->cfg, o->config, environ, err) != 0 ||
		    config_apply_options(m->cfg, o, err) != 0)
			return -1;
	} else if (config_from_options(&m->cfg, o, err) != 0) {
		return -1;
	}
	/* -v and TINI_VERBOSITY are command-line and environment too. */
	level = o->log_level >= 0 || o->verbose > 0 || o->tini_verbosity >= 0
		    ? cli_log_level(o)
		    : m->cfg->log_level;
	log_setup(level, m->cfg->log_format);
	m->client =
	    m->cfg->nsources > 0 || m->cfg->ntemplates > 0 || m->cfg->nenv > 0;
	return 0;
}

/* A source changed while we wait for the first complete render. */
static void
main_waiting(struct reload *r)
{
	struct main_run *m = r->waiting_arg;
	struct cerr err;

	/* Nothing is rendered from part of the sources. */
	if (!reload_sources_ready(r))
		return;
	if (reload_render_all(r, &err) == 0) {
		m->ready = true;
		loop_stop(m->loop);
	}
}

/* The startup timeout passed with keys still missing. */
static void
main_startup_expired(void *arg)
{
	struct main_run *m = arg;

	m->timed_out = true;
	loop_stop(m->loop);
}

/*
 * The startup timeout passed: with sources down, starts from the startup
 * cache if it holds them. Returns 0 when rendered, else the exit code
 * (the reason logged).
 */
static int
main_from_cache(struct main_run *m)
{
	struct reload *r = &m->reload;
	struct cerr err;
	char *missing;
	int rc = 1;

	if (!reload_sources_ready(r)) {
		if (reload_cache_restore(r) != 0) {
			missing = reload_sources_pending(r);
			log_error("startup timeout: no data from %s", missing);
			free(missing);
			return EXIT_STARTUP;
		}
		rc = reload_render_all(r, &err);
		if (rc < 0) {
			log_error("%s", err.msg);
			return EXIT_STARTUP;
		}
	}
	if (rc > 0) {
		missing = reload_missing(r);
		log_error("startup timeout: still missing %s", missing);
		free(missing);
		return EXIT_STARTUP;
	}
	return 0;
}

/*
 * The first render: waits (running the loop) for every key a template
 * needs, up to the startup timeout, then writes the files. Returns 0, or
 * the exit code.
 */
static int
main_first_render(struct main_run *m)
{
	struct reload *r = &m->reload;
	struct cerr err;
	size_t i;
	char *missing;
	int rc, code;

	r->loop = m->loop;
	r->sup = &m->sup;
	r->base_env = environ;
	r->argv = m->cfg->exec.command.v;
	r->waiting = main_waiting;
	r->waiting_arg = m;
	r->cache_path = m->cfg->startup_cache;
	r->cache_secrets = m->cfg->cache_secrets;
	if (prepare_reload(r, m->cfg, &code, &err) != 0) {
		log_error("%s", err.msg);
		return code;
	}
	reload_init(r);
	for (i = 0; i < r->nsources; i++)
		if (source_start(r->sources[i], &err) != 0) {
			log_error("%s", err.msg);
			return EXIT_STARTUP;
		}
	rc = reload_sources_ready(r) ? reload_render_all(r, &err) : 1;
	if (rc < 0) {
		log_error("%s", err.msg);
		return EXIT_STARTUP;
	}
	if (rc > 0) {
		missing = reload_sources_ready(r) ? reload_missing(r)
						  : reload_sources_pending(r);
		log_info("waiting up to %lld ms for %s: %s",
		    (long long)m->cfg->startup_timeout_ms,
		    reload_sources_ready(r) ? "keys" : "sources", missing);
		free(missing);
		loop_timer_add(m->loop, &m->startup_timer, main_startup_expired,
		    m);
		loop_timer_arm(&m->startup_timer, m->cfg->startup_timeout_ms);
		loop_run(m->loop);
		loop_timer_disarm(&m->startup_timer);
		if (m->stopped)
			return sup_exit_code(&m->sup);
		if (!m->ready && (rc = main_from_cache(m)) != 0)
			return rc;
	}
	if (reload_write_all(r, m->opt.dry_run, &err) != 0) {
		log_error("%s", err.msg);
		return EXIT_STARTUP;
	}
	if (!m->opt.dry_run)
		reload_cache_save(r);
	return 0;
}

/* Sets the supervisor up from the config. Returns 0 or the exit code. */
static int
main_supervisor(struct main_run *m)
{
	struct sup_settings set = {0};
	const struct options *o = &m->opt;
	struct cerr err;

	if (m->cfg->exec.user != NULL) {
		if (user_resolve(m->cfg->exec.user, "/etc/passwd", "/etc/group",
			&m->user, &err) != 0) {
			log_error("user: %s", err.msg);
			return EXIT_USAGE;
		}
		set.user = &m->user;
	}
	set.kill_group = o->kill_group;
	set.warn_reap = o->warn_reap;
	memcpy(set.rewrite, o->rewrite, sizeof(set.rewrite));
	memcpy(set.exit_zero, o->exit_zero, sizeof(set.exit_zero));
	/* As tini, a forwarded SIGTERM escalates only when asked to. */
	set.kill_timeout_ms = o->kill_timeout_ms >= 0 || m->cfg->path != NULL
				  ? m->cfg->exec.kill_timeout_ms
				  : -1;
	set.drain_ms = o->drain_ms;
	if (sup_init(&m->sup, &set, m->loop, o->pdeath_signal, &err) != 0) {
		log_error("%s", err.msg);
		return EXIT_SETUP;
	}
	m->sup.on_exit = main_stop;
	m->sup.on_exit_arg = m;
	return 0;
}

int
main(int argc, char **argv)
{
	struct main_run m = {.sup = {.sigfd = -1}};
	char *const *envp;
	struct cerr err;
	int code = EXIT_USAGE, r;

	xmalloc_init();
	fdkeep_init();
	if (cli_parse(&m.opt, argc, argv, environ, &err) != 0) {
		fprintf(stderr, "confinit: %s\nTry 'confinit --help'.\n",
		    err.msg);
		return EXIT_USAGE;
	}
	if (main_info(&m.opt)) {
		code = 0;
		goto out;
	}
	if (main_config(&m, &err) != 0) {
		log_error("%s", err.msg);
		code = EXIT_CONFIG;
		goto out;
	}
	if (m.cfg->exec.command.n == 0 && !m.opt.once && !m.opt.dry_run) {
		log_error("no program to run; see 'confinit --help'");
		goto out;
	}
	m.loop = loop_new();
	if ((code = main_supervisor(&m)) != 0)
		goto out;
	if (m.client && (code = main_first_render(&m)) != 0)
		goto out;
	if (m.opt.once || m.opt.dry_run)
		goto out;

	envp =
	    m.client && m.reload.app_env != NULL ? m.reload.app_env : environ;
	if ((r = sup_spawn(&m.sup, m.cfg->exec.command.v, envp, &err)) != 0) {
		log_error("%s", err.msg);
		code = r;
		goto out;
	}
	if (m.client)
		reload_run(&m.reload);
	/* The app runs: what the start freed is not needed again soon. */
	xmalloc_release();
	/* Hold no mount busy; the app keeps its own directory. */
	if (chdir("/") != 0)
		log_warn("chdir /: failed");
	code = loop_run(m.loop) == 0 ? sup_exit_code(&m.sup) : EXIT_SETUP;
out:
	if (m.client)
		prepare_free(&m.reload);
	sup_close(&m.sup);
	loop_free(m.loop);
	user_ids_free(&m.user);
	config_free(m.cfg);
	cli_free(&m.opt);
	return code;
}
