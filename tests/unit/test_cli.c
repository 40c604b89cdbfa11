/* Unit tests of cli.c: every option, its variable, bad values, stopping. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "cli.h"
#include "log.h"

#define ARGC(a) ((int)(sizeof(a) / sizeof((a)[0])) - 1)

static char *no_env[] = {NULL};

static void
test_stops_at_first_non_option(void **state)
{
	char *argv[] = {"confinit", "-v", "app", "-x", "--y", NULL};
	struct options o;
	struct cerr err;

	assert_int_equal(cli_parse(&o, ARGC(argv), argv, no_env, &err), 0);
	assert_int_equal(o.argc, 3);
	assert_string_equal(o.argv[0], "app");
	assert_string_equal(o.argv[1], "-x");
	assert_string_equal(o.argv[2], "--y");
	assert_int_equal(o.verbose, 1);
	cli_free(&o);
}

static void
test_double_dash(void **state)
{
	char *argv[] = {"confinit", "-g", "--", "-app", "a", NULL};
	struct options o;
	struct cerr err;

	assert_int_equal(cli_parse(&o, ARGC(argv), argv, no_env, &err), 0);
	assert_true(o.kill_group);
	assert_int_equal(o.argc, 2);
	assert_string_equal(o.argv[0], "-app");
	cli_free(&o);
}

static void
test_tini_short_options(void **state)
{
	char *argv[] = {"confinit", "-svvw", "-g", "-e", "143", "-e3", "-p",
	    "SIGKILL", "true", NULL};
	struct options o;
	struct cerr err;

	assert_int_equal(cli_parse(&o, ARGC(argv), argv, no_env, &err), 0);
	assert_true(o.subreaper);
	assert_int_equal(o.verbose, 2);
	assert_true(o.warn_reap);
	assert_true(o.kill_group);
	assert_true(o.exit_zero[143]);
	assert_true(o.exit_zero[3]);
	assert_false(o.exit_zero[0]);
	assert_int_equal(o.pdeath_signal, 9);
	assert_int_equal(o.argc, 1);
	cli_free(&o);
}

static void
test_info_actions(void **state)
{
	char *h[] = {"confinit", "-h", NULL};
	char *v[] = {"confinit", "--version", NULL};
	char *l[] = {"confinit", "-l", NULL};
	struct options o;

	assert_int_equal(cli_parse(&o, ARGC(h), h, no_env, NULL), 0);
	assert_int_equal(o.action, CLI_HELP);
	assert_int_equal(cli_parse(&o, ARGC(v), v, no_env, NULL), 0);
	assert_int_equal(o.action, CLI_VERSION);
	assert_int_equal(cli_parse(&o, ARGC(l), l, no_env, NULL), 0);
	assert_int_equal(o.action, CLI_LICENSE);
	assert_non_null(strstr(cli_help(), "--kill-timeout"));
}

static void
test_long_options(void **state)
{
	char *argv[] = {"confinit", "--rewrite", "TERM:QUIT", "--rewrite=10:0",
	    "--kill-timeout=1m", "--drain", "500ms", "--user", "app:grp",
	    "--log-level", "debug", "--log-format=json", "--config", "/c.yaml",
	    "--source", "file:///a", "--source", "env://APP_", "--template",
	    "/t:/d", "--env-prefix", "app/env/", "--wait", "1s:3s", "--once",
	    "--dry-run", "--startup-timeout", "2s", "--ca-file", "/ca.pem",
	    "--startup-cache", "/var/c.json", "--cache-secrets", "app", NULL};
	struct options o;
	struct cerr err;

	assert_int_equal(cli_parse(&o, ARGC(argv), argv, no_env, &err), 0);
	assert_int_equal(o.rewrite[15], 3);
	assert_int_equal(o.rewrite[10], 0);
	assert_int_equal(o.rewrite[1], 1);
	assert_int_equal(o.kill_timeout_ms, 60000);
	assert_int_equal(o.drain_ms, 500);
	assert_string_equal(o.user, "app:grp");
	assert_int_equal(o.log_level, LOGL_DEBUG);
	assert_int_equal(o.log_format, LOGF_JSON);
	assert_string_equal(o.config, "/c.yaml");
	assert_int_equal(o.nsources, 2);
	assert_string_equal(o.sources[1], "env://APP_");
	assert_int_equal(o.ntemplates, 1);
	assert_string_equal(o.templates[0], "/t:/d");
	assert_string_equal(o.env_prefix, "app/env/");
	assert_int_equal(o.wait_min_ms, 1000);
	assert_int_equal(o.wait_max_ms, 3000);
	assert_true(o.once);
	assert_true(o.dry_run);
	assert_int_equal(o.startup_timeout_ms, 2000);
	assert_string_equal(o.ca_file, "/ca.pem");
	assert_string_equal(o.startup_cache, "/var/c.json");
	assert_true(o.cache_secrets);
	assert_int_equal(o.argc, 1);
	cli_free(&o);
}

static void
test_unset_defaults(void **state)
{
	char *argv[] = {"confinit", "app", NULL};
	struct options o;

	assert_int_equal(cli_parse(&o, ARGC(argv), argv, no_env, NULL), 0);
	assert_int_equal(o.kill_timeout_ms, -1);
	assert_int_equal(o.drain_ms, -1);
	assert_int_equal(o.log_level, -1);
	assert_int_equal(o.wait_min_ms, -1);
	assert_null(o.user);
	assert_int_equal(cli_log_level(&o), LOGL_INFO);
	cli_free(&o);
}

/* Each bad value fails and the message names the option and the value. */
static void
test_bad_values(void **state)
{
	static const char *const cases[][3] = {
	    {"--kill-timeout", "abc",
		"--kill-timeout: invalid duration \"abc\""},
	    {"--drain", "10", "--drain: invalid duration \"10\""},
	    {"--rewrite", "TERM", "--rewrite: invalid rewrite"},
	    {"--rewrite", "NOPE:1", "\"NOPE:1\""},
	    {"--log-level", "loud", "--log-level: invalid log level"},
	    {"--log-format", "xml", "\"xml\""},
	    {"--wait", "2s:1s", "--wait: invalid wait"},
	    {"--template", "nocolon", "--template: invalid template"},
	    {"--user", ":g", "--user: invalid user"},
	    {"-e", "256", "-e: invalid exit code"},
	    {"-p", "SIGNOPE", "-p: invalid signal \"SIGNOPE\""},
	};
	struct options o;
	struct cerr err;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *argv[] = {"confinit", (char *)cases[i][0],
		    (char *)cases[i][1], "app", NULL};

		assert_int_equal(cli_parse(&o, ARGC(argv), argv, no_env, &err),
		    -1);
		if (strstr(err.msg, cases[i][2]) == NULL)
			fail_msg("%s %s: got \"%s\"", cases[i][0], cases[i][1],
			    err.msg);
	}
}

static void
test_unknown_and_missing(void **state)
{
	char *a[] = {"confinit", "-x", "app", NULL};
	char *b[] = {"confinit", "--nope=1", "app", NULL};
	char *c[] = {"confinit", "--drain", NULL};
	char *d[] = {"confinit", "--once=yes", NULL};
	struct options o;
	struct cerr err;

	assert_int_equal(cli_parse(&o, ARGC(a), a, no_env, &err), -1);
	assert_string_equal(err.msg, "unknown option -x");
	assert_int_equal(cli_parse(&o, ARGC(b), b, no_env, &err), -1);
	assert_string_equal(err.msg, "unknown option --nope");
	assert_int_equal(cli_parse(&o, ARGC(c), c, no_env, &err), -1);
	assert_string_equal(err.msg, "--drain needs a value");
	assert_int_equal(cli_parse(&o, ARGC(d), d, no_env, &err), -1);
	assert_string_equal(err.msg, "--once takes no value");
}

static void
test_environment(void **state)
{
	char *env[] = {"TINI_SUBREAPER=", "TINI_KILL_PROCESS_GROUP=1",
	    "TINI_VERBOSITY=3", "CONFINIT_KILL_TIMEOUT=5s",
	    "CONFINIT_REWRITE=TERM:QUIT,USR1:0", "CONFINIT_SOURCE=file:///a "
	    "etcd://h1:2379,h2:2379/p", "CONFINIT_ONCE=false",
	    "CONFINIT_DRY_RUN=1", "CONFINIT_USER=nobody",
	    "CONFINIT_CA_FILE=/etc/ssl/corp.pem",
	    "CONFINIT_STARTUP_CACHE=/c.json", "CONFINIT_CACHE_SECRETS=yes",
	    NULL};
	char *argv[] = {"confinit", "app", NULL};
	struct options o;
	struct cerr err;

	assert_int_equal(cli_parse(&o, ARGC(argv), argv, env, &err), 0);
	assert_true(o.subreaper);
	assert_true(o.kill_group);
	assert_int_equal(o.tini_verbosity, 3);
	assert_int_equal(cli_log_level(&o), LOGL_DEBUG);
	assert_int_equal(o.kill_timeout_ms, 5000);
	assert_int_equal(o.rewrite[15], 3);
	assert_int_equal(o.rewrite[10], 0);
	assert_int_equal(o.nsources, 2);
	assert_string_equal(o.sources[1], "etcd://h1:2379,h2:2379/p");
	assert_false(o.once);
	assert_true(o.dry_run);
	assert_string_equal(o.user, "nobody");
	assert_string_equal(o.ca_file, "/etc/ssl/corp.pem");
	assert_string_equal(o.startup_cache, "/c.json");
	assert_true(o.cache_secrets);
	cli_free(&o);
}

/* The command line wins over the environment; lists are replaced. */
static void
test_cli_wins(void **state)
{
	char *env[] = {"CONFINIT_KILL_TIMEOUT=5s", "CONFINIT_SOURCE=file:///a",
	    "CONFINIT_LOG_LEVEL=error", NULL};
	char *argv[] = {"confinit", "--kill-timeout", "1s", "--source",
	    "env://X_", "--log-level=trace", "app", NULL};
	struct options o;
	struct cerr err;

	assert_int_equal(cli_parse(&o, ARGC(argv), argv, env, &err), 0);
	assert_int_equal(o.kill_timeout_ms, 1000);
	assert_int_equal(o.nsources, 1);
	assert_string_equal(o.sources[0], "env://X_");
	assert_int_equal(cli_log_level(&o), LOGL_TRACE);
	cli_free(&o);
}

static void
test_bad_environment(void **state)
{
	char *env[] = {"CONFINIT_DRAIN=forever", NULL};
	char *argv[] = {"confinit", "app", NULL};
	struct options o;
	struct cerr err;

	assert_int_equal(cli_parse(&o, ARGC(argv), argv, env, &err), -1);
	assert_string_equal(err.msg,
	    "CONFINIT_DRAIN: invalid duration \"forever\"");
}

static void
test_verbosity(void **state)
{
	char *env[] = {"TINI_VERBOSITY=1", NULL};
	char *env0[] = {"TINI_VERBOSITY=0", NULL};
	char *env3[] = {"TINI_VERBOSITY=3", NULL};
	char *quiet[] = {"confinit", "app", NULL};
	char *loud[] = {"confinit", "-vvvvvv", "app", NULL};
	struct options o;

	/* tini's default, 1, shows warnings; 0 errors only; 3 debug. */
	assert_int_equal(cli_parse(&o, ARGC(quiet), quiet, env, NULL), 0);
	assert_int_equal(cli_log_level(&o), LOGL_WARN);
	assert_int_equal(cli_parse(&o, ARGC(quiet), quiet, env0, NULL), 0);
	assert_int_equal(cli_log_level(&o), LOGL_ERROR);
	assert_int_equal(cli_parse(&o, ARGC(quiet), quiet, env3, NULL), 0);
	assert_int_equal(cli_log_level(&o), LOGL_DEBUG);
	assert_int_equal(cli_parse(&o, ARGC(loud), loud, no_env, NULL), 0);
	assert_int_equal(cli_log_level(&o), LOGL_TRACE);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_stops_at_first_non_option),
	    cmocka_unit_test(test_double_dash),
	    cmocka_unit_test(test_tini_short_options),
	    cmocka_unit_test(test_info_actions),
	    cmocka_unit_test(test_long_options),
	    cmocka_unit_test(test_unset_defaults),
	    cmocka_unit_test(test_bad_values),
	    cmocka_unit_test(test_unknown_and_missing),
	    cmocka_unit_test(test_environment),
	    cmocka_unit_test(test_cli_wins),
	    cmocka_unit_test(test_bad_environment),
	    cmocka_unit_test(test_verbosity),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
