/* Keys -> the app's environment: envconsul-style prefixes and templated
 * values. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "envmap.h"
#include "xmalloc.h"

/* A growing environment array. */
struct envmap_env {
	char **v;
	size_t n;
};

/* Sets NAME=value, replacing an earlier NAME. Takes ownership of nv. */
static void
envmap_put(struct envmap_env *e, char *nv)
{
	size_t len = strcspn(nv, "="), i;

	for (i = 0; i < e->n; i++) {
		if (strncmp(e->v[i], nv, len) == 0 && e->v[i][len] == '=') {
			free(e->v[i]);
			e->v[i] = nv;
			return;
		}
	}
	e->v = xreallocarray(e->v, e->n + 2, sizeof(*e->v));
	e->v[e->n++] = nv;
	e->v[e->n] = NULL;
}

char *
envmap_name(const struct envmap_rule *r, const char *rel)
{
	const char *fmt = r->format, *at;
	struct buf b = {0};
	size_t i;

	/* "{{ key }}" or "{{key}}" in the format stands for the key. */
	if (fmt == NULL)
		buf_puts(&b, rel);
	else {
		while (*fmt != '\0') {
			if (strncmp(fmt, "{{ key }}", 9) == 0) {
				buf_puts(&b, rel);
				fmt += 9;
			} else if (strncmp(fmt, "{{key}}", 7) == 0) {
				buf_puts(&b, rel);
				fmt += 7;
			} else {
				at = fmt++;
				buf_append(&b, at, 1);
			}
		}
	}
	for (i = 0; i < b.len; i++) {
		unsigned char c = (unsigned char)b.data[i];

		if (r->sanitize && !isalnum(c) && c != '_')
			b.data[i] = '_';
		else if (r->upcase)
			b.data[i] = (char)toupper(c);
	}
	return buf_steal(&b);
}

struct envmap_walk {
	const struct envmap_rule *rule;
	struct envmap_env *env;
	size_t skip; /* length of the prefix */
};

static int
envmap_walk_fn(void *arg, const char *key, const char *value)
{
	struct envmap_walk *w = arg;
	char *name = envmap_name(w->rule, key + w->skip);

	if (*name != '\0')
		envmap_put(w->env, xasprintf("%s=%s", name, value));
	free(name);
	return 0;
}

/* Adds s to a dependency list. */
static void
envmap_dep(char ***list, size_t *n, const char *s)
{
	*list = xreallocarray(*list, *n + 1, sizeof(**list));
	(*list)[(*n)++] = xstrdup(s);
}

int
envmap_build(const struct envmap_rule *rules, size_t n,
    const struct tmpl_data *data, char *const *base, char ***out,
    struct tmpl_deps *deps, struct cerr *err)
{
	struct envmap_env e = {0};
	struct envmap_walk w;
	char *prefix;
	size_t i, len;

	e.v = xcalloc(1, sizeof(*e.v));
	for (; base != NULL && *base != NULL; base++)
		envmap_put(&e, xstrdup(*base));
	for (i = 0; i < n; i++) {
		const struct envmap_rule *r = &rules[i];

		if (r->prefix == NULL) {
			struct buf v = {0};

			if (tmpl_render(r->value, data, &v, deps, err) != 0) {
				cerr_prefix(err, "env %s", r->name);
				buf_free(&v);
				goto fail;
			}
			envmap_put(&e, xasprintf("%s=%s", r->name,
					   v.data != NULL ? v.data : ""));
			buf_free(&v);
			continue;
		}
		/* "app/env" and "/app/env/" both mean the keys below app/env.
		 */
		prefix = xstrdup(r->prefix + strspn(r->prefix, "/"));
		len = strlen(prefix);
		if (len > 0 && prefix[len - 1] != '/') {
			free(prefix);
			prefix = xasprintf("%s/",
			    r->prefix + strspn(r->prefix, "/"));
		}
		if (deps != NULL)
			envmap_dep(&deps->prefixes, &deps->nprefixes, prefix);
		w = (struct envmap_walk){.rule = r,
		    .env = &e,
		    .skip = strlen(prefix)};
		if (data->kv != NULL)
			data->kv->walk(data->kv_ctx, prefix, envmap_walk_fn,
			    &w);
		free(prefix);
	}
	*out = e.v;
	return 0;
fail:
	envmap_free(e.v);
	return -1;
}

/* Looks NAME=... of nv up in env. */
static bool
envmap_has(char *const *env, const char *nv)
{
	for (; *env != NULL; env++)
		if (strcmp(*env, nv) == 0)
			return true;
	return false;
}

bool
envmap_equal(char *const *a, char *const *b)
{
	size_t na = 0, nb = 0;

	for (; a[na] != NULL; na++)
		if (!envmap_has(b, a[na]))
			return false;
	for (; b[nb] != NULL; nb++)
		;
	/* Names are unique in both, so equal counts make them equal. */
	return na == nb;
}

void
envmap_free(char **env)
{
	size_t i;

	if (env == NULL)
		return;
	for (i = 0; env[i] != NULL; i++)
		free(env[i]);
	free(env);
}
