/* confinit's phases: options, set-up, spawn, the event loop, exit. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "log.h"
#include "loop.h"
#include "supervisor.h"
#include "user.h"

/* Exit codes of confinit itself; docs/exit-codes.md. */
enum {
	EXIT_USAGE = 2,
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

/* The app has exited (and the drain, if any, is over). */
static void
main_app_exited(struct sup *s, void *arg)
{
	loop_stop(s->loop);
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

int
main(int argc, char **argv)
{
	struct sup_settings set = {0};
	struct user_ids user = {0};
	struct options opt;
	struct loop *loop = NULL;
	struct sup sup = {.sigfd = -1};
	struct cerr err;
	int code = EXIT_USAGE, r;

	if (cli_parse(&opt, argc, argv, environ, &err) != 0) {
		fprintf(stderr, "confinit: %s\n", err.msg);
		fprintf(stderr, "Try 'confinit --help'.\n");
		return EXIT_USAGE;
	}
	if (main_info(&opt)) {
		code = 0;
		goto out;
	}
	log_setup(cli_log_level(&opt),
	    opt.log_format >= 0 ? (enum log_format)opt.log_format : LOGF_TEXT);
	if (opt.argc == 0) {
		log_error("no program to run; see 'confinit --help'");
		goto out;
	}
	if (opt.user != NULL) {
		if (user_resolve(opt.user, "/etc/passwd", "/etc/group", &user,
			&err) != 0) {
			log_error("--user: %s", err.msg);
			goto out;
		}
		set.user = &user;
	}
	set.kill_group = opt.kill_group;
	set.warn_reap = opt.warn_reap;
	memcpy(set.rewrite, opt.rewrite, sizeof(set.rewrite));
	memcpy(set.exit_zero, opt.exit_zero, sizeof(set.exit_zero));
	set.kill_timeout_ms = opt.kill_timeout_ms;
	set.drain_ms = opt.drain_ms;

	loop = loop_new();
	if (sup_init(&sup, &set, loop, opt.pdeath_signal, &err) != 0) {
		log_error("%s", err.msg);
		code = 1;
		goto out;
	}
	sup.on_exit = main_app_exited;
	if ((r = sup_spawn(&sup, opt.argv, environ, &err)) != 0) {
		log_error("%s", err.msg);
		code = r;
		goto out;
	}
	/* Hold no mount busy; the app keeps its own directory. */
	if (chdir("/") != 0)
		log_warn("chdir /: failed");
	if (loop_run(loop) != 0)
		code = 1;
	else
		code = sup_exit_code(&sup);
out:
	sup_close(&sup);
	loop_free(loop);
	user_ids_free(&user);
	cli_free(&opt);
	return code;
}
