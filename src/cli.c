/* The command line and CONFINIT_* / TINI_* variables -> struct options. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli.h"
#include "log.h"
#include "units.h"
#include "xmalloc.h"

enum cli_id {
	O_HELP,
	O_VERSION,
	O_LICENSE,
	O_SUBREAPER,
	O_PDEATH,
	O_VERBOSE,
	O_TINI_VERBOSITY,
	O_WARN_REAP,
	O_KILL_GROUP,
	O_EXIT_ZERO,
	O_REWRITE,
	O_KILL_TIMEOUT,
	O_DRAIN,
	O_USER,
	O_LOG_LEVEL,
	O_LOG_FORMAT,
	O_CONFIG,
	O_SOURCE,
	O_TEMPLATE,
	O_ENV_PREFIX,
	O_WAIT,
	O_ONCE,
	O_DRY_RUN,
	O_STARTUP_TIMEOUT,
	O_CA_FILE,
	O_STARTUP_CACHE,
	O_CACHE_SECRETS,
	O_MAX
};

/* One option: its short letter, long name, variable, and whether it takes a
 * value. An option that is a flag reads its variable as a boolean. */
static const struct cli_opt {
	enum cli_id id;
	char short_name;
	const char *long_name;
	const char *env;
	bool has_arg;
} cli_opts[] = {
    {O_HELP, 'h', "help", NULL, false},
    {O_VERSION, 0, "version", NULL, false},
    {O_LICENSE, 'l', "license", NULL, false},
    {O_SUBREAPER, 's', NULL, "TINI_SUBREAPER", false},
    {O_PDEATH, 'p', NULL, NULL, true},
    {O_VERBOSE, 'v', NULL, NULL, false},
    {O_TINI_VERBOSITY, 0, NULL, "TINI_VERBOSITY", true},
    {O_WARN_REAP, 'w', NULL, NULL, false},
    {O_KILL_GROUP, 'g', NULL, "TINI_KILL_PROCESS_GROUP", false},
    {O_EXIT_ZERO, 'e', NULL, NULL, true},
    {O_REWRITE, 0, "rewrite", "CONFINIT_REWRITE", true},
    {O_KILL_TIMEOUT, 0, "kill-timeout", "CONFINIT_KILL_TIMEOUT", true},
    {O_DRAIN, 0, "drain", "CONFINIT_DRAIN", true},
    {O_USER, 0, "user", "CONFINIT_USER", true},
    {O_LOG_LEVEL, 0, "log-level", "CONFINIT_LOG_LEVEL", true},
    {O_LOG_FORMAT, 0, "log-format", "CONFINIT_LOG_FORMAT", true},
    {O_CONFIG, 0, "config", "CONFINIT_CONFIG", true},
    {O_SOURCE, 0, "source", "CONFINIT_SOURCE", true},
    {O_TEMPLATE, 0, "template", "CONFINIT_TEMPLATE", true},
    {O_ENV_PREFIX, 0, "env-prefix", "CONFINIT_ENV_PREFIX", true},
    {O_WAIT, 0, "wait", "CONFINIT_WAIT", true},
    {O_ONCE, 0, "once", "CONFINIT_ONCE", false},
    {O_DRY_RUN, 0, "dry-run", "CONFINIT_DRY_RUN", false},
    {O_STARTUP_TIMEOUT, 0, "startup-timeout", "CONFINIT_STARTUP_TIMEOUT", true},
    {O_CA_FILE, 0, "ca-file", "CONFINIT_CA_FILE", true},
    {O_STARTUP_CACHE, 0, "startup-cache", "CONFINIT_STARTUP_CACHE", true},
    {O_CACHE_SECRETS, 0, "cache-secrets", "CONFINIT_CACHE_SECRETS", false},
};

#define CLI_NOPTS (sizeof(cli_opts) / sizeof(cli_opts[0]))

static void
cli_list_add(char ***list, size_t *n, const char *s)
{
	*list = xreallocarray(*list, *n + 1, sizeof(**list));
	(*list)[(*n)++] = xstrdup(s);
}

static void
cli_list_free(char ***list, size_t *n)
{
	while (*n > 0)
		free((*list)[--*n]);
	free(*list);
	*list = NULL;
}

static void
cli_set_str(char **dst, const char *s)
{
	free(*dst);
	*dst = xstrdup(s);
}

/* Parses "FROM:TO" into the rewrite map. */
static int
cli_rewrite(struct options *o, const char *v)
{
	const char *colon = strchr(v, ':'); /* NOLINT(clang-analyzer-core.*) */
	char from[32];
	int f, t;

	if (colon == NULL || (size_t)(colon - v) >= sizeof(from))
		return -1;
	memcpy(from, v, (size_t)(colon - v));
	from[colon - v] = '\0';
	f = units_signal(from);
	t = strcmp(colon + 1, "0") == 0 ? 0 : units_signal(colon + 1);
	if (f <= 0 || f >= CLI_NSIG || t < 0 || t >= CLI_NSIG)
		return -1;
	o->rewrite[f] = t;
	return 0;
}

/* Parses "MIN[:MAX]"; MAX defaults to 4 * MIN as in consul-template. */
static int
cli_wait(struct options *o, const char *v)
{
	const char *colon = strchr(v, ':'); /* NOLINT(clang-analyzer-core.*) */
	char min[32];

	if (colon == NULL)
		colon = v + strlen(v);
	if ((size_t)(colon - v) >= sizeof(min))
		return -1;
	memcpy(min, v, (size_t)(colon - v));
	min[colon - v] = '\0';
	if (units_duration(min, &o->wait_min_ms) != 0)
		return -1;
	if (*colon == '\0') {
		o->wait_max_ms = o->wait_min_ms * 4;
		return 0;
	}
	if (units_duration(colon + 1, &o->wait_max_ms) != 0 ||
	    o->wait_max_ms < o->wait_min_ms)
		return -1;
	return 0;
}

/* Reads a variable's boolean: set and not 0/false/no/off means true. */
static bool
cli_truthy(const char *v)
{
	return !(strcmp(v, "0") == 0 || strcasecmp(v, "false") == 0 ||
		 strcasecmp(v, "no") == 0 || strcasecmp(v, "off") == 0);
}

/*
 * Applies one option with its value (NULL for a flag). cli_one() gives a
 * value to every option with has_arg; clang's analyzer does not read that
 * from cli_opts[] and reports v as NULL where it is used: the NOLINTs here
 * and in cli_rewrite() and cli_wait() are those reports.
 */
static int
cli_apply(struct options *o, const struct cli_opt *opt, const char *v,
    const char *what, struct cerr *err)
{
	const char *kind = NULL;
	long n;

	switch (opt->id) {
	case O_HELP:
		o->action = CLI_HELP;
		break;
	case O_VERSION:
		o->action = CLI_VERSION;
		break;
	case O_LICENSE:
		o->action = CLI_LICENSE;
		break;
	case O_SUBREAPER:
		o->subreaper = true;
		break;
	case O_PDEATH:
		if ((o->pdeath_signal = units_signal(v)) < 0)
			kind = "signal";
		break;
	case O_VERBOSE:
		o->verbose++;
		break;
	case O_TINI_VERBOSITY:
		if (units_int(v, 0, 100, &n) != 0)
			kind = "verbosity";
		else
			o->tini_verbosity = (int)n;
		break;
	case O_WARN_REAP:
		o->warn_reap = true;
		break;
	case O_KILL_GROUP:
		o->kill_group = true;
		break;
	case O_EXIT_ZERO:
		if (units_int(v, 0, 255, &n) != 0)
			kind = "exit code (0-255)";
		else
			o->exit_zero[n] = true;
		break;
	case O_REWRITE:
		if (cli_rewrite(o, v) != 0)
			kind = "rewrite (FROM:TO, signals; TO 0 drops)";
		break;
	case O_KILL_TIMEOUT:
		if (units_duration(v, &o->kill_timeout_ms) != 0)
			kind = "duration";
		break;
	case O_DRAIN:
		if (units_duration(v, &o->drain_ms) != 0)
			kind = "duration";
		break;
	case O_USER:
		if (*v == '\0' || *v == ':') /* NOLINT(clang-analyzer-core.*) */
			kind = "user (USER[:GROUP])";
		else
			cli_set_str(&o->user, v);
		break;
	case O_LOG_LEVEL:
		if ((o->log_level = log_level_parse(v)) < 0)
			kind = "log level (error, warn, info, debug, trace)";
		break;
	case O_LOG_FORMAT:
		if ((o->log_format = log_format_parse(v)) < 0)
			kind = "log format (text, json)";
		break;
	case O_CONFIG:
		cli_set_str(&o->config, v);
		break;
	case O_SOURCE:
		cli_list_add(&o->sources, &o->nsources, v);
		break;
	case O_TEMPLATE:
		if (strchr(v, ':') == NULL) /* NOLINT(clang-analyzer-core.*) */
			kind = "template (SRC:DEST)";
		else
			cli_list_add(&o->templates, &o->ntemplates, v);
		break;
	case O_ENV_PREFIX:
		cli_set_str(&o->env_prefix, v);
		break;
	case O_WAIT:
		if (cli_wait(o, v) != 0)
			kind = "wait (MIN[:MAX], durations, MAX >= MIN)";
		break;
	case O_ONCE:
		o->once = true;
		break;
	case O_DRY_RUN:
		o->dry_run = true;
		break;
	case O_STARTUP_TIMEOUT:
		if (units_duration(v, &o->startup_timeout_ms) != 0)
			kind = "duration";
		break;
	case O_CA_FILE:
		cli_set_str(&o->ca_file, v);
		break;
	case O_STARTUP_CACHE:
		if (*v == '\0') /* NOLINT(clang-analyzer-core.*) */
			kind = "file";
		else
			cli_set_str(&o->startup_cache, v);
		break;
	case O_CACHE_SECRETS:
		o->cache_secrets = true;
		break;
	case O_MAX:
		break;
	}
	if (kind != NULL)
		return cerr_set(err, "%s: invalid %s \"%s\"", what, kind, v);
	return 0;
}

/* Empties a list option that the command line is about to set anew. */
static void
cli_reset(struct options *o, enum cli_id id)
{
	switch (id) {
	case O_SOURCE:
		cli_list_free(&o->sources, &o->nsources);
		break;
	case O_TEMPLATE:
		cli_list_free(&o->templates, &o->ntemplates);
		break;
	default:
		break;
	}
}

static const char *
cli_getenv(char *const *env, const char *name)
{
	size_t n = strlen(name);

	for (; env != NULL && *env != NULL; env++)
		if (strncmp(*env, name, n) == 0 && (*env)[n] == '=')
			return *env + n + 1;
	return NULL;
}

/* Applies each variable in env; lists are separated by white space. */
static int
cli_from_env(struct options *o, char *const *env, struct cerr *err)
{
	const struct cli_opt *opt;
	char *copy, *word, *save;
	const char *v;
	size_t i;
	int r = 0;

	for (i = 0; i < CLI_NOPTS && r == 0; i++) {
		opt = &cli_opts[i];
		if (opt->env == NULL || (v = cli_getenv(env, opt->env)) == NULL)
			continue;
		if (!opt->has_arg) {
			if (cli_truthy(v))
				r = cli_apply(o, opt, NULL, opt->env, err);
			continue;
		}
		if (opt->id != O_SOURCE && opt->id != O_TEMPLATE &&
		    opt->id != O_REWRITE) {
			r = cli_apply(o, opt, v, opt->env, err);
			continue;
		}
		copy = xstrdup(v);
		for (word = strtok_r(copy, " \t\n,", &save);
		     word != NULL && r == 0;
		     word = strtok_r(NULL,
			 opt->id == O_REWRITE ? " \t\n," : " \t\n", &save))
			r = cli_apply(o, opt, word, opt->env, err);
		free(copy);
	}
	return r;
}

static const struct cli_opt *
cli_find_long(const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < CLI_NOPTS; i++)
		if (cli_opts[i].long_name != NULL &&
		    strlen(cli_opts[i].long_name) == len &&
		    strncmp(cli_opts[i].long_name, name, len) == 0)
			return &cli_opts[i];
	return NULL;
}

static const struct cli_opt *
cli_find_short(char c)
{
	size_t i;

	for (i = 0; i < CLI_NOPTS; i++)
		if (cli_opts[i].short_name == c)
			return &cli_opts[i];
	return NULL;
}

/* Applies the option in argv[*i]; advances *i past a separate value. */
static int
cli_one(struct options *o, int argc, char **argv, int *i, bool *seen,
    struct cerr *err)
{
	const char *arg = argv[*i], *eq, *v;
	const struct cli_opt *opt;
	char what[64];

	if (arg[1] == '-') {
		eq = strchr(arg + 2, '=');
		opt = cli_find_long(arg + 2,
		    eq != NULL ? (size_t)(eq - arg - 2) : strlen(arg + 2));
		if (opt == NULL)
			return cerr_set(err, "unknown option %.*s",
			    (int)(eq != NULL ? eq - arg : (long)strlen(arg)),
			    arg);
		snprintf(what, sizeof(what), "--%s", opt->long_name);
		v = eq != NULL ? eq + 1 : NULL;
		if (opt->has_arg && v == NULL) {
			if (*i + 1 >= argc)
				return cerr_set(err, "%s needs a value", what);
			v = argv[++*i];
		} else if (!opt->has_arg && v != NULL) {
			return cerr_set(err, "%s takes no value", what);
		}
		if (!seen[opt->id])
			cli_reset(o, opt->id);
		seen[opt->id] = true;
		return cli_apply(o, opt, v, what, err);
	}
	/* A cluster of short options: -vvw, -e143, -e 143. */
	for (arg++; *arg != '\0'; arg++) {
		if ((opt = cli_find_short(*arg)) == NULL)
			return cerr_set(err, "unknown option -%c", *arg);
		snprintf(what, sizeof(what), "-%c", *arg);
		if (!opt->has_arg) {
			if (cli_apply(o, opt, NULL, what, err) != 0)
				return -1;
			continue;
		}
		if (arg[1] != '\0')
			v = arg + 1;
		else if (*i + 1 < argc)
			v = argv[++*i];
		else
			return cerr_set(err, "%s needs a value", what);
		return cli_apply(o, opt, v, what, err);
	}
	return 0;
}

int
cli_parse(struct options *o, int argc, char **argv, char *const *env,
    struct cerr *err)
{
	bool seen[O_MAX] = {false};
	int i, sig;

	memset(o, 0, sizeof(*o));
	o->tini_verbosity = o->log_level = o->log_format = -1;
	o->kill_timeout_ms = o->drain_ms = -1;
	o->wait_min_ms = o->wait_max_ms = o->startup_timeout_ms = -1;
	for (sig = 0; sig < CLI_NSIG; sig++)
		o->rewrite[sig] = sig;

	if (cli_from_env(o, env, err) != 0)
		goto fail;
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0) {
			i++;
			break;
		}
		if (argv[i][0] != '-' || argv[i][1] == '\0')
			break;
		if (cli_one(o, argc, argv, &i, seen, err) != 0)
			goto fail;
	}
	o->argv = argv + i;
	o->argc = argc - i;
	return 0;
fail:
	cli_free(o);
	return -1;
}

void
cli_free(struct options *o)
{
	if (o == NULL)
		return;
	free(o->user);
	free(o->config);
	free(o->env_prefix);
	free(o->ca_file);
	free(o->startup_cache);
	o->startup_cache = NULL;
	cli_list_free(&o->sources, &o->nsources);
	cli_list_free(&o->templates, &o->ntemplates);
	o->user = o->config = o->env_prefix = o->ca_file = NULL;
}

int
cli_log_level(const struct options *o)
{
	int level = LOGL_INFO;

	if (o->log_level >= 0)
		return o->log_level;
	/* tini's verbosity N shows errors at 0, warnings from 1 (its
	 * default), info from 2, debug from 3, trace from 4: our levels. */
	if (o->tini_verbosity >= 0)
		level = o->tini_verbosity;
	level += o->verbose;
	if (level < LOGL_ERROR)
		level = LOGL_ERROR;
	if (level > LOGL_TRACE)
		level = LOGL_TRACE;
	return level;
}

const char *
cli_help(void)
{
	return "Usage: confinit [OPTIONS] [--] PROGRAM [ARGS...]\n"
	       "\n"
	       "Runs PROGRAM as its child: reaps zombies, forwards signals,\n"
	       "exits with PROGRAM's status; renders its config from config\n"
	       "centers and reloads it when the config changes.\n"
	       "\n"
	       "Init options (as tini's):\n"
	       "  -h, --help            show this help and exit\n"
	       "  --version             show the version and exit\n"
	       "  -l, --license         show the license and exit\n"
	       "  -s                    register as a child subreaper "
	       "(automatic when not PID 1)\n"
	       "  -p SIGNAL             signal to receive when the parent "
	       "dies\n"
	       "  -v                    more verbose (repeatable)\n"
	       "  -w                    warn on each reaped zombie\n"
	       "  -g                    send signals to the child's process "
	       "group\n"
	       "  -e CODE               exit with 0 when the child exits with "
	       "CODE (repeatable)\n"
	       "\n"
	       "Supervision:\n"
	       "  --rewrite FROM:TO     send TO when FROM arrives; TO 0 drops "
	       "FROM (repeatable)\n"
	       "  --kill-timeout D      SIGKILL the child's group D after a "
	       "forwarded TERM/INT\n"
	       "  --drain D             when the child exits, TERM what it "
	       "left, KILL after D\n"
	       "  --user USER[:GROUP]   run the child as USER (names or "
	       "numeric ids)\n"
	       "  --log-level LEVEL     error, warn, info (default), debug, "
	       "trace\n"
	       "  --log-format FORMAT   text (default) or json\n"
	       "\n"
	       "Configuration:\n"
	       "  --config FILE         YAML configuration file\n"
	       "  --source URL          a source of keys (repeatable; later "
	       "wins)\n"
	       "  --template SRC:DEST   render SRC to DEST (repeatable)\n"
	       "  --env-prefix PREFIX   map the keys under PREFIX to the "
	       "child's environment\n"
	       "  --wait MIN[:MAX]      quiescence before acting on a change\n"
	       "  --startup-timeout D   how long to wait for sources at start\n"
	       "  --ca-file FILE        CA bundle for TLS sources without "
	       "tls.ca\n"
	       "  --startup-cache FILE  keep the last good snapshot; start "
	       "from it when a\n"
	       "                        source is down at start\n"
	       "  --cache-secrets       keep secret sources in the cache too\n"
	       "  --once                render once and exit\n"
	       "  --dry-run             print what would be written; write "
	       "nothing\n"
	       "\n"
	       "Each long option has a CONFINIT_* variable: --kill-timeout is\n"
	       "CONFINIT_KILL_TIMEOUT. The command line wins over the\n"
	       "environment, which wins over the file. TINI_SUBREAPER,\n"
	       "TINI_KILL_PROCESS_GROUP and TINI_VERBOSITY are honoured.\n";
}
