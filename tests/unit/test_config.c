/* Unit tests for config: every field, defaults, errors with line:col,
 * ${} expansion, and the merge with the command line. */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "config.h"
#include "log.h"

static char tmpdir[256];

static char *const env[] = {
    "HOME=/root",
    "ETCD=etcd-1:2379",
    "EMPTY=",
    "TMO=15s",
    NULL,
};

/* Writes content to tmpdir/rel. */
static void
put(const char *rel, const char *content)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, rel);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(content, f);
	fclose(f);
}

static int
setup(void **state)
{
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/confinit-cfgtest-XXXXXX");
	assert_non_null(mkdtemp(tmpdir));
	put("nginx.tmpl", "{{ key \"a\" }}\n");
	put("other.tmpl", "x\n");
	return 0;
}

static int
teardown(void **state)
{
	char cmd[600];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

/* Loads yaml as tmpdir/app.yaml; returns config_load()'s result. */
static int
load(const char *yaml, struct config **c, struct cerr *err)
{
	char path[512];

	put("app.yaml", yaml);
	snprintf(path, sizeof(path), "%s/app.yaml", tmpdir);
	return config_load(c, path, env, err);
}

/* Loads yaml, which must succeed. */
static struct config *
load_ok(const char *yaml)
{
	struct cerr err = {{0}};
	struct config *c = NULL;

	if (load(yaml, &c, &err) != 0)
		fail_msg("unexpected error: %s", err.msg);
	assert_non_null(c);
	return c;
}

/* Loads yaml, which must fail with "app.yaml:" + want after tmpdir/. */
static void
expect_error(const char *yaml, const char *want)
{
	struct cerr err = {{0}};
	struct config *c = (struct config *)1;
	size_t tl = strlen(tmpdir);

	assert_int_equal(load(yaml, &c, &err), -1);
	assert_null(c);
	if (strncmp(err.msg, tmpdir, tl) != 0 || err.msg[tl] != '/')
		fail_msg("message without the path: %s", err.msg);
	assert_string_equal(err.msg + tl + 1, want);
}

static void
test_defaults(void **state)
{
	struct config *c = load_ok("");

	assert_int_equal(c->nsources, 0);
	assert_int_equal(c->ntemplates, 0);
	assert_int_equal(c->nenv, 0);
	assert_false(c->pristine);
	assert_int_equal(c->exec.command.n, 0);
	assert_null(c->exec.user);
	assert_int_equal(c->exec.kill_signal, SIGTERM);
	assert_int_equal(c->exec.kill_timeout_ms, 10000);
	assert_int_equal(c->exec.reload_signal, SIGHUP);
	assert_int_equal(c->exec.on_env_change, CONFIG_ENV_RESTART);
	assert_int_equal(c->wait_min_ms, 0);
	assert_int_equal(c->wait_max_ms, 0);
	assert_int_equal(c->startup_timeout_ms, 30000);
	assert_null(c->startup_cache);
	assert_false(c->cache_secrets);
	assert_int_equal(c->log_level, LOGL_INFO);
	assert_int_equal(c->log_format, LOGF_TEXT);
	assert_non_null(strstr(c->path, "/app.yaml"));
	config_free(c);
	/* Comments only, and an explicit null document. */
	config_free(load_ok("# nothing\n"));
	config_free(load_ok("~\n"));
	config_free(NULL);
}

static void
test_full_file(void **state)
{
	char want[512];
	struct config *c = load_ok(
	    "sources:\n"
	    "  - {name: defaults, url: \"file:///etc/confinit/d.yaml\"}\n"
	    "  - name: center\n"
	    "    url: \"etcd://${ETCD},etcd-2:2379/myapp\"\n"
	    "    prefix: /myapp\n"
	    "    secret: yes\n"
	    "    tls: {ca: /ca.pem, cert: /c.pem, key: /k.pem,\n"
	    "          server_name: etcd.local, insecure: true}\n"
	    "    token: s3cr3t-token\n"
	    "    token_file: /run/secrets/t\n"
	    "    token_env: ETCD_TOKEN\n"
	    "    timeout: ${TMO}\n"
	    "    poll_interval: 1m\n"
	    "templates:\n"
	    "  - src: nginx.tmpl\n"
	    "    dest: /etc/nginx/nginx.conf\n"
	    "    mode: \"0640\"\n"
	    "    owner: \"nginx:nginx\"\n"
	    "    check: [\"nginx\", \"-t\", \"-c\", \"{{ .Path }}\"]\n"
	    "    signal: SIGUSR1\n"
	    "    command: [reload, now]\n"
	    "    dialect: confd\n"
	    "    missing: error\n"
	    "    left_delimiter: \"[[\"\n"
	    "    right_delimiter: \"]]\"\n"
	    "    create_dirs: true\n"
	    "    engine: envsubst\n"
	    "  - contents: \"inline {{ key \\\"x\\\" }}\"\n"
	    "    dest: /tmp/out\n"
	    "    mode: 0600\n"
	    "env:\n"
	    "  - {prefix: app/env/, upcase: false, sanitize: no, format: "
	    "\"APP_{{ key }}\"}\n"
	    "  - {name: DATABASE_URL, value: 'postgres://{{ key \"db/host\" "
	    "}}/app'}\n"
	    "pristine: true\n"
	    "exec:\n"
	    "  command: [\"nginx\", \"-g\", \"daemon off;\"]\n"
	    "  user: nginx\n"
	    "  kill_signal: SIGQUIT\n"
	    "  kill_timeout: 20s\n"
	    "  reload_signal: USR2\n"
	    "  on_env_change: signal\n"
	    "wait: {min: 500ms, max: 5s}\n"
	    "startup: {timeout: 1m, cache: /var/lib/confinit/last.json,\n"
	    "  cache_secrets: yes}\n"
	    "log: {level: debug, format: json}\n");

	assert_int_equal(c->nsources, 2);
	assert_string_equal(c->sources[0].name, "defaults");
	assert_string_equal(c->sources[0].url, "file:///etc/confinit/d.yaml");
	assert_null(c->sources[0].prefix);
	assert_false(c->sources[0].secret);
	assert_int_equal(c->sources[0].timeout_ms, -1);
	assert_int_equal(c->sources[0].poll_interval_ms, -1);
	assert_string_equal(c->sources[1].name, "center");
	assert_string_equal(c->sources[1].url,
	    "etcd://etcd-1:2379,etcd-2:2379/myapp");
	assert_string_equal(c->sources[1].prefix, "/myapp");
	assert_true(c->sources[1].secret);
	assert_string_equal(c->sources[1].tls.ca, "/ca.pem");
	assert_string_equal(c->sources[1].tls.cert, "/c.pem");
	assert_string_equal(c->sources[1].tls.key, "/k.pem");
	assert_string_equal(c->sources[1].tls.server_name, "etcd.local");
	assert_true(c->sources[1].tls.insecure);
	assert_string_equal(c->sources[1].token, "s3cr3t-token");
	assert_string_equal(c->sources[1].token_file, "/run/secrets/t");
	assert_string_equal(c->sources[1].token_env, "ETCD_TOKEN");
	assert_int_equal(c->sources[1].timeout_ms, 15000);
	assert_int_equal(c->sources[1].poll_interval_ms, 60000);

	assert_int_equal(c->ntemplates, 2);
	snprintf(want, sizeof(want), "%s/nginx.tmpl", tmpdir);
	assert_string_equal(c->templates[0].src, want);
	assert_null(c->templates[0].contents);
	assert_string_equal(c->templates[0].dest, "/etc/nginx/nginx.conf");
	assert_int_equal(c->templates[0].mode, 0640);
	assert_string_equal(c->templates[0].owner, "nginx:nginx");
	assert_int_equal(c->templates[0].check.n, 4);
	assert_string_equal(c->templates[0].check.v[3], "{{ .Path }}");
	assert_null(c->templates[0].check.v[4]);
	assert_int_equal(c->templates[0].signal, SIGUSR1);
	assert_int_equal(c->templates[0].command.n, 2);
	assert_string_equal(c->templates[0].command.v[1], "now");
	assert_int_equal(c->templates[0].dialect, CONFIG_DIALECT_CONFD);
	assert_int_equal(c->templates[0].missing, CONFIG_MISSING_ERROR);
	assert_string_equal(c->templates[0].left_delimiter, "[[");
	assert_string_equal(c->templates[0].right_delimiter, "]]");
	assert_true(c->templates[0].create_dirs);
	assert_int_equal(c->templates[0].engine, CONFIG_ENGINE_ENVSUBST);
	/* The second template: defaults, and an unquoted 0600. */
	assert_null(c->templates[1].src);
	assert_string_equal(c->templates[1].contents, "inline {{ key \"x\" }}");
	assert_int_equal(c->templates[1].mode, 0600);
	assert_null(c->templates[1].owner);
	assert_int_equal(c->templates[1].check.n, 0);
	assert_int_equal(c->templates[1].signal, 0);
	assert_int_equal(c->templates[1].dialect,
	    CONFIG_DIALECT_CONSUL_TEMPLATE);
	assert_int_equal(c->templates[1].missing, CONFIG_MISSING_DEFAULT);
	assert_null(c->templates[1].left_delimiter);
	assert_false(c->templates[1].create_dirs);
	assert_int_equal(c->templates[1].engine, CONFIG_ENGINE_GOTEMPLATE);

	assert_int_equal(c->nenv, 2);
	assert_string_equal(c->env[0].prefix, "app/env/");
	assert_false(c->env[0].upcase);
	assert_false(c->env[0].sanitize);
	assert_string_equal(c->env[0].format, "APP_{{ key }}");
	assert_null(c->env[0].name);
	assert_null(c->env[1].prefix);
	assert_string_equal(c->env[1].name, "DATABASE_URL");
	assert_string_equal(c->env[1].value,
	    "postgres://{{ key \"db/host\" }}/app");

	assert_true(c->pristine);
	assert_int_equal(c->exec.command.n, 3);
	assert_string_equal(c->exec.command.v[2], "daemon off;");
	assert_null(c->exec.command.v[3]);
	assert_string_equal(c->exec.user, "nginx");
	assert_int_equal(c->exec.kill_signal, SIGQUIT);
	assert_int_equal(c->exec.kill_timeout_ms, 20000);
	assert_int_equal(c->exec.reload_signal, SIGUSR2);
	assert_int_equal(c->exec.on_env_change, CONFIG_ENV_SIGNAL);
	assert_int_equal(c->wait_min_ms, 500);
	assert_int_equal(c->wait_max_ms, 5000);
	assert_int_equal(c->startup_timeout_ms, 60000);
	assert_string_equal(c->startup_cache, "/var/lib/confinit/last.json");
	assert_true(c->cache_secrets);
	assert_int_equal(c->log_level, LOGL_DEBUG);
	assert_int_equal(c->log_format, LOGF_JSON);
	config_free(c);
	log_secret_clear();
}

static void
test_small_forms(void **state)
{
	struct config *c;

	/* exec.command as one string is a one-element argv (no shell). */
	c = load_ok("exec: {command: \"/bin/app --flag\"}\n");
	assert_int_equal(c->exec.command.n, 1);
	assert_string_equal(c->exec.command.v[0], "/bin/app --flag");
	config_free(c);
	/* wait: min only -> max 4 * min; the "MIN:MAX" string form. */
	c = load_ok("wait: {min: 2s}\n");
	assert_int_equal(c->wait_min_ms, 2000);
	assert_int_equal(c->wait_max_ms, 8000);
	config_free(c);
	c = load_ok("wait: \"1s:3s\"\n");
	assert_int_equal(c->wait_min_ms, 1000);
	assert_int_equal(c->wait_max_ms, 3000);
	config_free(c);
	/* Booleans, modes, signals by number, a source without a name. */
	c = load_ok("pristine: YES\n"
		    "templates: [{contents: x, dest: /d, mode: \"0o755\"},\n"
		    "  {contents: y, dest: /e, mode: 0, signal: 10}]\n"
		    "sources: [{url: \"env://APP_\"}]\n"
		    "env: [{prefix: p/}]\n");
	assert_true(c->pristine);
	assert_int_equal(c->templates[0].mode, 0755);
	assert_int_equal(c->templates[1].mode, 0);
	assert_int_equal(c->templates[1].signal, 10);
	assert_string_equal(c->sources[0].name, "env://APP_");
	assert_true(c->env[0].upcase);
	assert_true(c->env[0].sanitize);
	config_free(c);
	/* Null values keep the defaults. */
	c = load_ok("exec:\nstartup: {timeout: ~, cache: }\nlog:\n"
		    "pristine:\nwait: {min: null}\n");
	assert_int_equal(c->startup_timeout_ms, 30000);
	assert_null(c->startup_cache);
	assert_false(c->pristine);
	assert_int_equal(c->wait_min_ms, 0);
	config_free(c);
	/* And the enumerations (the analyzer found these unset). */
	c = load_ok("templates:\n"
		    "  - {contents: x, dest: /d, dialect: ~, missing: ~, "
		    "engine: ~}\n"
		    "exec: {on_env_change: ~}\n");
	assert_int_equal(c->templates[0].dialect,
	    CONFIG_DIALECT_CONSUL_TEMPLATE);
	assert_int_equal(c->templates[0].missing, CONFIG_MISSING_DEFAULT);
	assert_int_equal(c->templates[0].engine, CONFIG_ENGINE_GOTEMPLATE);
	assert_int_equal(c->exec.on_env_change, CONFIG_ENV_RESTART);
	config_free(c);
}

static void
test_expansion(void **state)
{
	struct config *c;

	c = load_ok("exec:\n"
		    "  user: \"${USERX:-nobody}\"\n"
		    "  command: [echo, \"${HOME}\", \"$${HOME}\", \"$HOME\"]\n"
		    "log: {level: \"${LVL:-warn}\"}\n");
	assert_string_equal(c->exec.user, "nobody");
	assert_string_equal(c->exec.command.v[1], "/root");
	assert_string_equal(c->exec.command.v[2], "${HOME}");
	assert_string_equal(c->exec.command.v[3], "$HOME");
	assert_int_equal(c->log_level, LOGL_WARN);
	config_free(c);
	/* Errors point at the ${ in the file. */
	expect_error("exec:\n  user: abc ${NOPE:?set NOPE}\n",
	    "app.yaml:2:13: exec.user: NOPE: set NOPE");
	expect_error("exec:\n  user: \"${EMPTY:?}\"\n",
	    "app.yaml:2:10: exec.user: EMPTY: parameter null or not set");
	expect_error("exec:\n  command: [a, 'x ${OPEN']\n",
	    "app.yaml:2:19: exec.command[1]: unterminated ${");
	/* A literal block: the text starts on the next line, indented. */
	expect_error("templates:\n"
		     "  - dest: /d\n"
		     "    contents: |\n"
		     "      line one\n"
		     "      two ${GONE:?is gone}\n",
	    "app.yaml:5:11: templates[0].contents: GONE: is gone");
	expect_error("exec: {user: 'x ${Y'}\n",
	    "app.yaml:1:17: exec.user: unterminated ${");
	/* An expanded value is still checked. */
	expect_error("startup: {timeout: \"${EMPTY}\"}\n",
	    "app.yaml:1:20: startup.timeout: bad duration \"\" (e.g. 500ms, "
	    "10s, 1m30s)");
}

static void
test_unknown_keys(void **state)
{
	expect_error("templates:\n"
		     "  - src: nginx.tmpl\n"
		     "    dest: /x\n"
		     "  - contents: x\n"
		     "    dest: /y\n"
		     "  - dest: /z\n"
		     "    srcc: a\n",
	    "app.yaml:7:5: unknown key \"srcc\" in templates[2]");
	expect_error("sourcse: []\n", "app.yaml:1:1: unknown key \"sourcse\"");
	expect_error("sources:\n  - url: file:///a\n    tls: {caa: x}\n",
	    "app.yaml:3:11: unknown key \"caa\" in sources[0].tls");
	expect_error("exec: {cmd: [a]}\n",
	    "app.yaml:1:8: unknown key \"cmd\" in exec");
	expect_error("wait: {min: 1s, mx: 2s}\n",
	    "app.yaml:1:17: unknown key \"mx\" in wait");
	expect_error("startup: {timeot: 1s}\n",
	    "app.yaml:1:11: unknown key \"timeot\" in startup");
	expect_error("log: {lvl: info}\n",
	    "app.yaml:1:7: unknown key \"lvl\" in log");
	expect_error("env: [{prefix: a, upcse: true}]\n",
	    "app.yaml:1:19: unknown key \"upcse\" in env[0]");
	expect_error("log: {level: info, level: debug}\n",
	    "app.yaml:1:20: log.level: duplicate key");
}

static void
test_wrong_types(void **state)
{
	expect_error("sources: {url: x}\n",
	    "app.yaml:1:10: sources: expected a list, got a map");
	expect_error("sources: [file:///x]\n",
	    "app.yaml:1:11: sources[0]: expected a map, got a scalar");
	expect_error("exec: {user: [a, b]}\n",
	    "app.yaml:1:14: exec.user: expected a string, got a list");
	expect_error(
	    "templates: [{contents: x, dest: /d, check: \"nginx -t\"}]\n",
	    "app.yaml:1:44: templates[0].check: expected a list, got a "
	    "scalar");
	expect_error("exec: {command: {a: b}}\n",
	    "app.yaml:1:17: exec.command: expected a list or a string, got "
	    "a map");
	expect_error("exec: {command: [[a]]}\n",
	    "app.yaml:1:18: exec.command[0]: expected a string, got a list");
	expect_error("exec: {command: [\"\", x]}\n",
	    "app.yaml:1:17: exec.command: empty program name");
	expect_error("pristine: maybe\n",
	    "app.yaml:1:11: pristine: bad boolean \"maybe\" (true, false, yes, "
	    "no)");
	expect_error("- a\n- b\n", "app.yaml:1:1: expected a map, got a list");
	expect_error("exec: 5\n", "app.yaml:1:7: exec: expected a map, got a "
				  "scalar");
	expect_error("sources: [{url: \"etcd://h/p\", password: x}]\n",
	    "app.yaml:1:11: sources[0]: password given without a username");
	expect_error("sources: [{url: \"etcd://h/p\", username: u}]\n",
	    "app.yaml:1:11: sources[0]: username given without a password "
	    "(password, password_file or password_env)");
	expect_error("sources: [{url: \"etcd://h/p\", username: u, "
		     "password_env: P, token: t}]\n",
	    "app.yaml:1:11: sources[0]: username and token are exclusive "
	    "(etcd gives the token for the user)");
	expect_error("sources: [{url: \"consul://h/p\", username: u, "
		     "password: p}]\n",
	    "app.yaml:1:11: sources[0]: username and password are for etcd "
	    "sources");
	expect_error("sources: [{url: \"etcd://h/p\", max_body: 16M}]\n",
	    "app.yaml:1:41: sources[0].max_body: bad size \"16M\" (bytes, or "
	    "e.g. 512KiB, 16MiB, 1GiB)");
	expect_error("sources: [{url: file:///x, secret: 1}]\n",
	    "app.yaml:1:36: sources[0].secret: bad boolean \"1\" (true, "
	    "false, yes, no)");
	expect_error("? [a]\n: b\n",
	    "app.yaml:1:3: a key must be a string, got a list");
	expect_error("pristine: [x]\n", "app.yaml:1:11: pristine: expected a "
					"boolean, got a list");
}

static void
test_bad_values(void **state)
{
	expect_error("exec:\n  kill_timeout: 10\n",
	    "app.yaml:2:17: exec.kill_timeout: bad duration \"10\" (e.g. "
	    "500ms, 10s, 1m30s)");
	expect_error("wait: {min: 5s, max: 1s}\n",
	    "app.yaml:1:7: wait: max is less than min");
	expect_error("wait: \"1s:x\"\n",
	    "app.yaml:1:7: wait: bad wait (MIN[:MAX], durations)");
	expect_error("exec: {user: \":wheel\"}\n",
	    "app.yaml:1:14: exec.user: bad user \":wheel\" (USER[:GROUP])");
	expect_error("exec:\n  kill_signal: SIGNOPE\n",
	    "app.yaml:2:16: exec.kill_signal: bad signal \"SIGNOPE\"");
	expect_error("exec: {reload_signal: 0}\n",
	    "app.yaml:1:23: exec.reload_signal: bad signal \"0\"");
	expect_error("templates: [{contents: x, dest: /d, signal: HUPP}]\n",
	    "app.yaml:1:45: templates[0].signal: bad signal \"HUPP\"");
	expect_error("templates: [{contents: x, dest: /d, mode: \"644\"}]\n",
	    "app.yaml:1:43: templates[0].mode: bad mode \"644\" (octal with a "
	    "leading 0, e.g. \"0644\")");
	expect_error("templates: [{contents: x, dest: /d, mode: 420}]\n",
	    "app.yaml:1:43: templates[0].mode: bad mode \"420\" (octal with a "
	    "leading 0, e.g. \"0644\")");
	expect_error("templates: [{contents: x, dest: /d, mode: \"0999\"}]\n",
	    "app.yaml:1:43: templates[0].mode: bad mode \"0999\" (octal with "
	    "a leading 0, e.g. \"0644\")");
	expect_error("templates: [{contents: x, dest: /d, mode: \"017777\"}]\n",
	    "app.yaml:1:43: templates[0].mode: bad mode \"017777\" (octal "
	    "with a leading 0, e.g. \"0644\")");
	expect_error("templates: [{contents: x, dest: /d, mode: 0o}]\n",
	    "app.yaml:1:43: templates[0].mode: bad mode \"0o\" (octal with a "
	    "leading 0, e.g. \"0644\")");
	expect_error("templates: [{contents: x, dest: /d, dialect: consul}]\n",
	    "app.yaml:1:46: templates[0].dialect: unknown value \"consul\" "
	    "(one of: consul-template, confd, dockerize)");
	expect_error("templates: [{contents: x, dest: /d, missing: zero}]\n",
	    "app.yaml:1:46: templates[0].missing: unknown value \"zero\" (one "
	    "of: default, error)");
	expect_error("templates: [{contents: x, dest: /d, engine: jinja}]\n",
	    "app.yaml:1:45: templates[0].engine: unknown value \"jinja\" (one "
	    "of: gotemplate, envsubst)");
	expect_error("exec: {on_env_change: reload}\n",
	    "app.yaml:1:23: exec.on_env_change: unknown value \"reload\" (one "
	    "of: restart, signal, ignore)");
	expect_error("log: {level: loud}\n",
	    "app.yaml:1:14: log.level: bad log level \"loud\" (error, warn, "
	    "info, debug, trace)");
	expect_error("log: {format: xml}\n",
	    "app.yaml:1:15: log.format: bad log format \"xml\" (text, json)");
	expect_error("sources: [{url: etcd-1:2379}]\n",
	    "app.yaml:1:17: sources[0].url: \"etcd-1:2379\" is not a URL "
	    "(scheme://...)");
}

static void
test_template_rules(void **state)
{
	char want[600];

	expect_error("templates:\n"
		     "  - src: nginx.tmpl\n"
		     "    contents: x\n"
		     "    dest: /d\n",
	    "app.yaml:3:15: templates[0]: src and contents are exclusive");
	expect_error("templates:\n  - dest: /d\n    mode: \"0644\"\n",
	    "app.yaml:2:5: templates[0]: one of src or contents is required");
	expect_error("templates:\n  - contents: x\n",
	    "app.yaml:2:5: templates[0]: missing dest");
	snprintf(want, sizeof(want),
	    "app.yaml:3:10: templates[1].src: cannot read template "
	    "\"%s/missing.tmpl\": No such file or directory",
	    tmpdir);
	expect_error("templates:\n  - {src: other.tmpl, dest: /a}\n"
		     "  - src: missing.tmpl\n    dest: /d\n",
	    want);
	snprintf(want, sizeof(want),
	    "app.yaml:1:19: templates[0].src: cannot read template \"%s\": "
	    "not a regular file",
	    tmpdir);
	{
		char yaml[600];

		snprintf(yaml, sizeof(yaml),
		    "templates: [{src: %s, dest: /d}]\n", tmpdir);
		expect_error(yaml, want);
	}
}

static void
test_env_rules(void **state)
{
	expect_error("env: [{prefix: a, name: B, value: c}]\n",
	    "app.yaml:1:7: env[0]: prefix and name/value are exclusive");
	expect_error("env: [{}]\n",
	    "app.yaml:1:7: env[0]: one of prefix or name is required");
	expect_error("env:\n  - name: X\n",
	    "app.yaml:2:5: env[0]: missing value");
	expect_error("env:\n  - value: x\n",
	    "app.yaml:2:5: env[0]: missing name");
	expect_error("env:\n  - {name: X, value: v, upcase: true}\n",
	    "app.yaml:2:5: env[0]: upcase, sanitize and format go with "
	    "prefix");
	expect_error("env:\n  - {name: 1X, value: v}\n",
	    "app.yaml:2:12: env[0]: bad variable name \"1X\"");
	expect_error("sources:\n  - {url: \"env://\"}\n  - {url: \"env://\"}\n",
	    "app.yaml:3:5: sources[1]: duplicate source name \"env://\"");
	expect_error("sources:\n  - {name: x}\n",
	    "app.yaml:2:5: sources[0]: missing url");
}

static void
test_yaml_errors(void **state)
{
	struct cerr err = {{0}};
	struct config *c = NULL;

	expect_error("exec:\n  user: a\n user2: b\n",
	    "app.yaml:3:2: did not find expected key while parsing a block "
	    "mapping");
	expect_error("log: {level: info}\n---\nlog: {}\n",
	    "app.yaml:2:1: more than one document");
	assert_int_equal(config_load(&c, "/nonexistent/app.yaml", env, &err),
	    -1);
	assert_string_equal(err.msg,
	    "/nonexistent/app.yaml: No such file or directory");
	/* The buffer form names what it is given. */
	assert_int_equal(
	    config_load_buffer(&c, "mem", "pristine: x", 11, NULL, &err), -1);
	assert_string_equal(err.msg,
	    "mem:1:11: pristine: bad boolean \"x\" (true, false, yes, no)");
	assert_int_equal(
	    config_load_buffer(&c, "mem", "pristine: yes", 13, NULL, &err), 0);
	assert_true(c->pristine);
	assert_null(c->path);
	config_free(c);
}

/* A zeroed options struct as cli_parse() leaves it with nothing set. */
static void
options_unset(struct options *o)
{
	memset(o, 0, sizeof(*o));
	o->tini_verbosity = o->log_level = o->log_format = -1;
	o->kill_timeout_ms = o->drain_ms = -1;
	o->wait_min_ms = o->wait_max_ms = o->startup_timeout_ms = -1;
}

static void
test_apply_options(void **state)
{
	char src[512], tspec[600], want[600];
	char *sources[] = {"consul://c:8500/app", "env://APP_"};
	char *templates[] = {tspec};
	char *argv[] = {"/bin/app", "-x", NULL};
	struct cerr err = {{0}};
	struct options o;
	struct config *c;

	c = load_ok("sources: [{name: f, url: \"file:///a.yaml\"}]\n"
		    "templates: [{contents: x, dest: /d}]\n"
		    "env: [{prefix: a/}]\n"
		    "exec: {command: [old], user: www, kill_timeout: 3s}\n"
		    "wait: {min: 1s, max: 2s}\n"
		    "startup: {timeout: 5s}\n"
		    "log: {level: error, format: json}\n");
	/* Nothing set: the file stays as it is. */
	options_unset(&o);
	assert_int_equal(config_apply_options(c, &o, &err), 0);
	assert_int_equal(c->nsources, 1);
	assert_int_equal(c->exec.command.n, 1);
	assert_string_equal(c->exec.user, "www");
	assert_int_equal(c->log_level, LOGL_ERROR);
	assert_int_equal(c->wait_max_ms, 2000);

	snprintf(src, sizeof(src), "%s/other.tmpl", tmpdir);
	snprintf(tspec, sizeof(tspec), "%s:/etc/out.conf", src);
	o.sources = sources;
	o.nsources = 2;
	o.templates = templates;
	o.ntemplates = 1;
	o.env_prefix = "cli/";
	o.wait_min_ms = 100;
	o.wait_max_ms = 400;
	o.startup_timeout_ms = 7000;
	o.startup_cache = "/run/c.json";
	o.cache_secrets = true;
	o.kill_timeout_ms = 9000;
	o.user = "root";
	o.ca_file = "/ca.pem";
	o.log_level = LOGL_TRACE;
	o.log_format = LOGF_TEXT;
	o.argv = argv;
	o.argc = 2;
	assert_int_equal(config_apply_options(c, &o, &err), 0);
	/* --source replaces the file's list. */
	assert_int_equal(c->nsources, 2);
	assert_string_equal(c->sources[0].url, "consul://c:8500/app");
	assert_string_equal(c->sources[0].name, "consul://c:8500/app");
	assert_string_equal(c->sources[1].url, "env://APP_");
	/* --template and --env-prefix add. */
	assert_int_equal(c->ntemplates, 2);
	assert_string_equal(c->templates[1].src, src);
	assert_string_equal(c->templates[1].dest, "/etc/out.conf");
	assert_int_equal(c->templates[1].mode, -1);
	assert_int_equal(c->nenv, 2);
	assert_string_equal(c->env[1].prefix, "cli/");
	assert_true(c->env[1].upcase);
	/* The rest replace. */
	assert_int_equal(c->wait_min_ms, 100);
	assert_int_equal(c->wait_max_ms, 400);
	assert_int_equal(c->startup_timeout_ms, 7000);
	assert_string_equal(c->startup_cache, "/run/c.json");
	assert_true(c->cache_secrets);
	assert_int_equal(c->exec.kill_timeout_ms, 9000);
	assert_string_equal(c->exec.user, "root");
	assert_string_equal(c->ca_file, "/ca.pem");
	assert_int_equal(c->log_level, LOGL_TRACE);
	assert_int_equal(c->log_format, LOGF_TEXT);
	assert_int_equal(c->exec.command.n, 2);
	assert_string_equal(c->exec.command.v[0], "/bin/app");
	assert_string_equal(c->exec.command.v[1], "-x");
	assert_null(c->exec.command.v[2]);
	config_free(c);

	/* A --template whose source cannot be read. */
	c = load_ok("");
	options_unset(&o);
	snprintf(tspec, sizeof(tspec), "%s/nope.tmpl:/x", tmpdir);
	o.templates = templates;
	o.ntemplates = 1;
	assert_int_equal(config_apply_options(c, &o, &err), -1);
	snprintf(want, sizeof(want),
	    "--template: cannot read template \"%s/nope.tmpl\": No such file "
	    "or directory",
	    tmpdir);
	assert_string_equal(err.msg, want);
	config_free(c);
}

static void
test_from_options(void **state)
{
	char *argv[] = {"sleep", "1", NULL};
	char *templates[] = {"no-colon"};
	struct cerr err = {{0}};
	struct options o;
	struct config *c;

	options_unset(&o);
	o.argv = argv;
	o.argc = 2;
	o.verbose = 2; /* -vv: info + 2 = trace */
	assert_int_equal(config_from_options(&c, &o, &err), 0);
	assert_int_equal(c->exec.command.n, 2);
	assert_int_equal(c->exec.kill_timeout_ms, 10000);
	assert_int_equal(c->startup_timeout_ms, 30000);
	assert_int_equal(c->log_level, LOGL_TRACE);
	assert_int_equal(c->nsources, 0);
	config_free(c);
	/* --wait MIN alone: max is 4 * MIN. */
	options_unset(&o);
	o.wait_min_ms = 250;
	assert_int_equal(config_from_options(&c, &o, &err), 0);
	assert_int_equal(c->wait_max_ms, 1000);
	config_free(c);
	options_unset(&o);
	o.templates = templates;
	o.ntemplates = 1;
	assert_int_equal(config_from_options(&c, &o, &err), -1);
	assert_null(c);
	assert_string_equal(err.msg,
	    "--template \"no-colon\": expected SRC:DEST");
	/* A relative DEST is made absolute against the current directory
	 * (confinit leaves it for / once the app runs). */
	{
		char *rel[] = {"/etc/hostname:out/app.conf"};
		char cwd[4096], want[4200];

		assert_non_null(getcwd(cwd, sizeof(cwd)));
		snprintf(want, sizeof(want), "%s/out/app.conf",
		    strcmp(cwd, "/") == 0 ? "" : cwd);
		options_unset(&o);
		o.templates = rel;
		o.ntemplates = 1;
		assert_int_equal(config_from_options(&c, &o, &err), 0);
		assert_string_equal(c->templates[0].dest, want);
		config_free(c);
		c = load_ok("templates: [{contents: x, dest: rel/y.conf}]\n");
		snprintf(want, sizeof(want), "%s/rel/y.conf",
		    strcmp(cwd, "/") == 0 ? "" : cwd);
		assert_string_equal(c->templates[0].dest, want);
		config_free(c);
	}
	/* A --source that is not a URL. */
	{
		char *bad[] = {"etcd:2379"};

		options_unset(&o);
		o.sources = bad;
		o.nsources = 1;
		assert_int_equal(config_from_options(&c, &o, &err), -1);
		assert_string_equal(err.msg,
		    "--source \"etcd:2379\": not a URL (scheme://...)");
	}
}

/* etcd login fields and the body cap. */
static void
test_source_login(void **state)
{
	struct config *c = load_ok(
	    "sources:\n"
	    "  - url: \"etcd://h:2379/app\"\n"
	    "    username: app\n"
	    "    password_file: /run/secrets/pw\n"
	    "    max_body: 512KiB\n"
	    "  - {url: \"etcd://h:2379/b\", username: b, password_env: PW}\n"
	    "  - {url: \"etcd://h:2379/c\", username: c, password: hunter2}\n"
	    "  - {url: \"http://h/x.json\"}\n");

	assert_string_equal(c->sources[0].username, "app");
	assert_string_equal(c->sources[0].password_file, "/run/secrets/pw");
	assert_null(c->sources[0].password);
	assert_int_equal(c->sources[0].max_body, 512 * 1024);
	assert_string_equal(c->sources[1].password_env, "PW");
	assert_string_equal(c->sources[2].password, "hunter2");
	assert_int_equal(c->sources[3].max_body, 0);
	assert_null(c->sources[3].username);
	config_free(c);
}

int
main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
	    T(test_source_login),
	    T(test_defaults),
	    T(test_full_file),
	    T(test_small_forms),
	    T(test_expansion),
	    T(test_unknown_keys),
	    T(test_wrong_types),
	    T(test_bad_values),
	    T(test_template_rules),
	    T(test_env_rules),
	    T(test_yaml_errors),
	    T(test_apply_options),
	    T(test_from_options),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
