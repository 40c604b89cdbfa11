/* struct config -> what runs: sources opened, templates parsed, render
 * destinations and env rules resolved, all before the app starts. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "envsubst.h"
#include "net/net.h"
#include "prepare.h"
#include "user.h"
#include "xmalloc.h"

/* How long a check or command may run. */
#define PREPARE_COMMAND_TIMEOUT_MS 30000

/* Reads a whole template file; the caller frees it. */
static char *
prepare_slurp(const char *path, size_t *len, struct cerr *err)
{
	struct buf b = {.cap = 64u << 20};
	char chunk[8192];
	size_t n;
	FILE *f;

	if ((f = fopen(path, "re")) == NULL) {
		cerr_set(err, "%s: %s", path, strerror(errno));
		return NULL;
	}
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		if (buf_append(&b, chunk, n) != 0) {
			fclose(f);
			buf_free(&b);
			cerr_set(err, "%s: larger than 64 MiB", path);
			return NULL;
		}
	}
	fclose(f);
	*len = b.len;
	return buf_steal(&b);
}

static const enum tmpl_dialect prepare_dialects[] = {
    [CONFIG_DIALECT_CONSUL_TEMPLATE] = TMPL_CONSUL,
    [CONFIG_DIALECT_CONFD] = TMPL_CONFD,
    [CONFIG_DIALECT_DOCKERIZE] = TMPL_DOCKERIZE,
};

/* Copies an argv list (NULL when empty). */
static char **
prepare_argv(const struct config_argv *a)
{
	char **v;
	size_t i;

	if (a->n == 0)
		return NULL;
	v = xcalloc(a->n + 1, sizeof(*v));
	for (i = 0; i < a->n; i++)
		v[i] = xstrdup(a->v[i]);
	return v;
}

static void
prepare_argv_free(char **v)
{
	size_t i;

	for (i = 0; v != NULL && v[i] != NULL; i++)
		free(v[i]);
	free(v);
}

/* One template of the config -> one reload_template. */
static int
prepare_template(struct reload *r, const struct config *c, size_t i,
    struct reload_template *t, struct cerr *err)
{
	const struct config_template *ct = &c->templates[i];
	struct tmpl_opts opts = {0};
	struct user_ids ids;
	char *text;
	size_t len;
	int rc;

	t->name =
	    ct->src != NULL ? xstrdup(ct->src) : xasprintf("templates[%zu]", i);
	if (ct->src != NULL) {
		if ((text = prepare_slurp(ct->src, &len, err)) == NULL)
			return -1;
	} else {
		text = xstrdup(ct->contents);
		len = strlen(text);
	}
	if (ct->engine == CONFIG_ENGINE_ENVSUBST) {
		rc = envsubst_string(t->name, text, r->base_env, &t->text, err);
		free(text);
		if (rc != 0)
			return -1;
	} else {
		opts.name = t->name;
		opts.left_delim = ct->left_delimiter;
		opts.right_delim = ct->right_delimiter;
		opts.dialect = prepare_dialects[ct->dialect];
		opts.missing_error = ct->missing == CONFIG_MISSING_ERROR;
		rc = tmpl_parse(&t->tmpl, text, len, &opts, err);
		free(text);
		if (rc != 0)
			return -1;
	}
	t->dest.path = ct->dest;
	t->dest.mode = ct->mode;
	t->dest.create_dirs = ct->create_dirs;
	t->dest.check = prepare_argv(&ct->check);
	t->dest.check_timeout_ms = PREPARE_COMMAND_TIMEOUT_MS;
	if (ct->owner != NULL) {
		if (user_resolve(ct->owner, "/etc/passwd", "/etc/group", &ids,
			err) != 0)
			return cerr_prefix(err, "%s: owner", t->name);
		t->dest.chown = true;
		t->dest.uid = ids.uid;
		t->dest.gid = ids.gid;
		user_ids_free(&ids);
	}
	t->command = prepare_argv(&ct->command);
	if (t->command == NULL)
		t->signal = ct->signal > 0 ? ct->signal : c->exec.reload_signal;
	return 0;
}

/* One env entry of the config -> one envmap_rule. */
static int
prepare_env(const struct config_env *ce, size_t i, struct envmap_rule *rule,
    struct cerr *err)
{
	struct tmpl_opts opts = {0};
	struct tmpl *t;
	char *name;
	int rc;

	rule->prefix = ce->prefix;
	rule->upcase = ce->upcase;
	rule->sanitize = ce->sanitize;
	rule->format = ce->format;
	rule->name = ce->name;
	if (ce->prefix != NULL)
		return 0;
	name = xasprintf("env[%zu] %s", i, ce->name);
	opts.name = name;
	rc = tmpl_parse(&t, ce->value, strlen(ce->value), &opts, err);
	free(name);
	rule->value = t;
	return rc;
}

int
prepare_reload(struct reload *r, const struct config *c, int *code,
    struct cerr *err)
{
	const struct config_source *cs;
	size_t i;

	*code = CONFIG_EXIT_CODE;
	r->tmpls = xcalloc(c->ntemplates + 1, sizeof(*r->tmpls));
	r->ntmpls = c->ntemplates;
	for (i = 0; i < c->ntemplates; i++)
		if (prepare_template(r, c, i, &r->tmpls[i], err) != 0)
			return -1;
	r->rules = xcalloc(c->nenv + 1, sizeof(*r->rules));
	r->nrules = c->nenv;
	for (i = 0; i < c->nenv; i++)
		if (prepare_env(&c->env[i], i, &r->rules[i], err) != 0)
			return -1;
	r->pristine = c->pristine;
	r->on_env_change = (enum reload_on_env)c->exec.on_env_change;
	r->reload_signal = c->exec.reload_signal;
	r->kill_signal = c->exec.kill_signal;
	r->wait_min_ms = c->wait_min_ms;
	r->wait_max_ms = c->wait_max_ms;
	r->command_timeout_ms = PREPARE_COMMAND_TIMEOUT_MS;

	if (c->nsources > 0 && net_ca_init(c->ca_file, err) != 0)
		return -1;
	*code = 4;
	r->sources = xcalloc(c->nsources + 1, sizeof(*r->sources));
	for (i = 0; i < c->nsources; i++) {
		cs = &c->sources[i];
		r->sources[i] = source_new(cs->name, cs->url, cs->secret, cs,
		    r->loop, r->base_env, err);
		if (r->sources[i] == NULL)
			return -1;
		r->nsources++;
	}
	return 0;
}

void
prepare_free(struct reload *r)
{
	size_t i;

	reload_free(r);
	for (i = 0; i < r->ntmpls; i++) {
		struct reload_template *t = &r->tmpls[i];

		free(t->name);
		free(t->text);
		tmpl_free(t->tmpl);
		prepare_argv_free((char **)t->dest.check);
		prepare_argv_free(t->command);
	}
	free(r->tmpls);
	for (i = 0; i < r->nrules; i++)
		tmpl_free((struct tmpl *)r->rules[i].value);
	free(r->rules);
	for (i = 0; i < r->nsources; i++)
		source_free(r->sources[i]);
	free(r->sources);
	memset(r, 0, sizeof(*r));
}
