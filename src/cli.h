/* The command line and CONFINIT_* / TINI_* variables -> struct options. */
#ifndef CONFINIT_CLI_H
#define CONFINIT_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cerr.h"

#define CLI_NSIG 65 /* signals 1..64 */

enum cli_action {
	CLI_RUN,
	CLI_HELP,
	CLI_VERSION,
	CLI_LICENSE,
};

/*
 * Everything the command line and the environment say. Numbers are -1 and
 * pointers NULL where neither said anything, so that a config file can fill
 * them in (precedence: CLI, then environment, then file).
 */
struct options {
	enum cli_action action;

	/* tini's options, with tini's meaning. */
	bool subreaper;	     /* -s, TINI_SUBREAPER */
	int pdeath_signal;   /* -p SIG; 0: none */
	int verbose;	     /* number of -v */
	int tini_verbosity;  /* TINI_VERBOSITY, -1 unset */
	bool warn_reap;	     /* -w */
	bool kill_group;     /* -g, TINI_KILL_PROCESS_GROUP */
	bool exit_zero[256]; /* -e CODE: CODE is mapped to 0 */

	/* rewrite[sig]: what to send the app when sig arrives (0: drop). */
	int rewrite[CLI_NSIG];
	int64_t kill_timeout_ms; /* --kill-timeout */
	int64_t drain_ms;	 /* --drain */
	char *user;		 /* --user USER[:GROUP] */
	int log_level;		 /* --log-level, -1 unset */
	int log_format;		 /* --log-format, -1 unset */

	/* The config client. */
	char *config;	/* --config FILE */
	char **sources; /* --source URL, repeatable */
	size_t nsources;
	char **templates; /* --template SRC:DEST, repeatable */
	size_t ntemplates;
	char *env_prefix;		  /* --env-prefix PREFIX */
	int64_t wait_min_ms, wait_max_ms; /* --wait MIN[:MAX] */
	bool once;			  /* --once */
	bool dry_run;			  /* --dry-run */
	int64_t startup_timeout_ms;	  /* --startup-timeout */
	char *ca_file; /* --ca-file: CA bundle of sources without tls.ca */
	char *startup_cache;		  /* --startup-cache FILE */
	bool cache_secrets;		  /* --cache-secrets */

	/* The program and its arguments: points into the argv given. */
	char **argv;
	int argc;
};

/*
 * Parses argv (argv[0] is confinit's name) and the environment env (a
 * NULL-terminated "NAME=value" array) into o. Option parsing stops at "--"
 * or at the first argument that is not an option. Returns 0, or -1 with a
 * message naming the option and the value. The strings in o are o's own;
 * free them with cli_free().
 */
int cli_parse(struct options *o, int argc, char **argv, char *const *env,
    struct cerr *err);

/* Frees what cli_parse() allocated; cli_free(NULL) is a no-op. */
void cli_free(struct options *o);

/*
 * The log level the options ask for: --log-level, else TINI_VERBOSITY and
 * -v counted as tini counts them, else info.
 */
int cli_log_level(const struct options *o);

/* The text of confinit --help. */
const char *cli_help(void);

#endif
