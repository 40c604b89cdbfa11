/* The YAML configuration file -> struct config, validated with
 * file:line:col, and merged with the command line. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <yaml.h>

#include "config.h"
#include "envsubst.h"
#include "log.h"
#include "units.h"
#include "xmalloc.h"

/* A configuration file larger than this is refused. */
#define CONFIG_MAX_SIZE (4u << 20)

/* What the loader carries while it walks the document. */
struct config_ctx {
	const char *name; /* the file, for messages */
	const char *dir;  /* base of relative src paths; NULL: cwd */
	char *const *env;
	yaml_document_t *doc;
	struct cerr *err;
	const char *data; /* the raw text, for positions in block values */
	size_t len;
};

/* Handles one known key of a map: field is its index in the names. */
typedef int (*config_field_fn)(struct config_ctx *x, int field, yaml_node_t *v,
    const char *where, void *obj);

/* Fails with the position of node n: "file:line:col: where: message". */
static int config_fail(struct config_ctx *x, const yaml_node_t *n,
    const char *where, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int
config_fail(struct config_ctx *x, const yaml_node_t *n, const char *where,
    const char *fmt, ...)
{
	char msg[768];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return cerr_set(x->err, "%s:%zu:%zu: %s%s%s", x->name,
	    n->start_mark.line + 1, n->start_mark.column + 1, where,
	    *where != '\0' ? ": " : "", msg);
}
#ifdef __clang_analyzer__
/* It returns -1: see cerr.h (the analyzer does not enter variadic calls). */
#define config_fail(...) (config_fail(__VA_ARGS__), -1)
#endif

/* Names a node's type for "expected X, got Y". */
static const char *
config_kind(const yaml_node_t *n)
{
	switch (n->type) {
	case YAML_MAPPING_NODE:
		return "a map";
	case YAML_SEQUENCE_NODE:
		return "a list";
	default:
		return "a scalar";
	}
}

/* Returns whether n is a plain null scalar (~, null, or nothing). */
static bool
config_null(const yaml_node_t *n)
{
	const char *v;

	if (n->type != YAML_SCALAR_NODE ||
	    n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return false;
	v = (const char *)n->data.scalar.value;
	return *v == '\0' || strcmp(v, "~") == 0 || strcasecmp(v, "null") == 0;
}

/*
 * Maps a position inside scalar n's value onto the file. Exact for plain
 * and quoted single-line values and for literal (|) blocks; other
 * multi-line values get the right line at best.
 */
static void
config_pos(struct config_ctx *x, const yaml_node_t *n,
    const struct envsubst_error *e, size_t *line, size_t *col)
{
	size_t i = n->start_mark.index, indent = 0;

	*line = n->start_mark.line + e->line;
	*col = e->col;
	switch (n->data.scalar.style) {
	case YAML_LITERAL_SCALAR_STYLE:
		/* The text starts on the line after the '|', indented. */
		(*line)++;
		while (i < x->len && x->data[i] != '\n')
			i++;
		for (i++; i < x->len && x->data[i] == ' '; i++)
			indent++;
		*col += indent;
		return;
	case YAML_SINGLE_QUOTED_SCALAR_STYLE:
	case YAML_DOUBLE_QUOTED_SCALAR_STYLE:
		if (e->line == 1)
			*col += n->start_mark.column + 1;
		return;
	default:
		if (e->line == 1)
			*col += n->start_mark.column;
		return;
	}
}

/*
 * Reads scalar n as a string with ${} expanded into *out (the caller
 * frees). A null leaves *out untouched and returns 1.
 */
static int
config_scalar(struct config_ctx *x, yaml_node_t *n, const char *where,
    char **out)
{
	struct envsubst_error e;
	size_t line, col;
	char *s;

	if (n->type != YAML_SCALAR_NODE)
		return config_fail(x, n, where, "expected a string, got %s",
		    config_kind(n));
	if (config_null(n))
		return 1;
	if (envsubst_expand((const char *)n->data.scalar.value,
		n->data.scalar.length, x->env, &s, NULL, &e) != 0) {
		config_pos(x, n, &e, &line, &col);
		return cerr_set(x->err, "%s:%zu:%zu: %s: %s", x->name, line,
		    col, where, e.msg);
	}
	if (strlen(s) != n->data.scalar.length &&
	    memchr(n->data.scalar.value, '\0', n->data.scalar.length) != NULL) {
		free(s);
		return config_fail(x, n, where, "NUL in a string");
	}
	*out = s;
	return 0;
}

/* Reads a string field, replacing *dst; a null keeps *dst. */
static int
config_str(struct config_ctx *x, yaml_node_t *n, const char *where, char **dst)
{
	char *s = NULL;
	int r = config_scalar(x, n, where, &s);

	if (r != 0)
		return r > 0 ? 0 : -1;
	free(*dst);
	*dst = s;
	return 0;
}

/* Reads a scalar into *s (the caller frees); returns 1, with *s NULL, for
 * a null, which keeps the default. */
static int
config_value(struct config_ctx *x, yaml_node_t *n, const char *where, char **s,
    const char *kind)
{
	*s = NULL;
	if (n->type != YAML_SCALAR_NODE)
		return config_fail(x, n, where, "expected %s, got %s", kind,
		    config_kind(n));
	return config_scalar(x, n, where, s);
}

/* Reads true/false/yes/no/on/off (any case). */
static int
config_bool(struct config_ctx *x, yaml_node_t *n, const char *where, bool *dst)
{
	char *s;
	int r = 0, k;

	if ((k = config_value(x, n, where, &s, "a boolean")) != 0)
		return k > 0 ? 0 : -1;
	if (strcasecmp(s, "true") == 0 || strcasecmp(s, "yes") == 0 ||
	    strcasecmp(s, "on") == 0)
		*dst = true;
	else if (strcasecmp(s, "false") == 0 || strcasecmp(s, "no") == 0 ||
		 strcasecmp(s, "off") == 0)
		*dst = false;
	else
		r = config_fail(x, n, where,
		    "bad boolean \"%s\" (true, false, yes, no)", s);
	free(s);
	return r;
}

/* Reads a duration ("500ms", "10s", "1h30m", "0") in milliseconds. */
static int
config_duration(struct config_ctx *x, yaml_node_t *n, const char *where,
    int64_t *dst)
{
	char *s;
	int r = 0, k;

	if ((k = config_value(x, n, where, &s, "a duration")) != 0)
		return k > 0 ? 0 : -1;
	if (units_duration(s, dst) != 0)
		r = config_fail(x, n, where,
		    "bad duration \"%s\" (e.g. 500ms, 10s, 1m30s)", s);
	free(s);
	return r;
}

/* Reads a size ("16MiB", "4096") in bytes. */
static int
config_size(struct config_ctx *x, yaml_node_t *n, const char *where,
    size_t *dst)
{
	uint64_t v;
	char *s;
	int r = 0, k;

	if ((k = config_value(x, n, where, &s, "a size")) != 0)
		return k > 0 ? 0 : -1;
	if (units_size(s, &v) != 0 || v > SIZE_MAX)
		r = config_fail(x, n, where,
		    "bad size \"%s\" (bytes, or e.g. 512KiB, 16MiB, 1GiB)", s);
	else
		*dst = (size_t)v;
	free(s);
	return r;
}

/* Reads a signal by name or number. */
static int
config_signal(struct config_ctx *x, yaml_node_t *n, const char *where, int *dst)
{
	char *s;
	int sig, r = 0, k;

	if ((k = config_value(x, n, where, &s, "a signal")) != 0)
		return k > 0 ? 0 : -1;
	if ((sig = units_signal(s)) <= 0)
		r = config_fail(x, n, where, "bad signal \"%s\"", s);
	else
		*dst = sig;
	free(s);
	return r;
}

/* Reads permission bits written in octal with a leading 0 ("0644"). */
static int
config_mode(struct config_ctx *x, yaml_node_t *n, const char *where, int *dst)
{
	const char *p;
	long v = 0;
	int r = 0, digits, k;
	char *s;

	if ((k = config_value(x, n, where, &s, "a mode")) != 0)
		return k > 0 ? 0 : -1;
	p = s;
	if (p[0] == '0' && (p[1] == 'o' || p[1] == 'O'))
		p += 2;
	else if (p[0] != '0')
		p = NULL; /* "644" or 420: ambiguous, refused */
	for (digits = 0; p != NULL && *p >= '0' && *p <= '7'; p++, digits++)
		if ((v = v * 8 + (*p - '0')) > 07777)
			break;
	if (p == NULL || *p != '\0' || digits == 0)
		r = config_fail(x, n, where,
		    "bad mode \"%s\" (octal with a leading 0, e.g. \"0644\")",
		    s);
	else
		*dst = (int)v;
	free(s);
	return r;
}

/* Reads one of names[] into *dst (its index); a null keeps *dst, so the
 * caller sets it to the current value first. */
static int
config_enum(struct config_ctx *x, yaml_node_t *n, const char *where,
    const char *const *names, int *dst)
{
	struct buf list = {0};
	char *s;
	int i, r, k;

	if ((k = config_value(x, n, where, &s, "a string")) != 0)
		return k > 0 ? 0 : -1;
	for (i = 0; names[i] != NULL; i++)
		if (strcmp(s, names[i]) == 0) {
			*dst = i;
			free(s);
			return 0;
		}
	for (i = 0; names[i] != NULL; i++)
		buf_printf(&list, "%s%s", i > 0 ? ", " : "", names[i]);
	r = config_fail(x, n, where, "unknown value \"%s\" (one of: %s)", s,
	    list.data);
	buf_free(&list);
	free(s);
	return r;
}

/* Frees an argv list. */
static void
config_argv_free(struct config_argv *a)
{
	size_t i;

	for (i = 0; i < a->n; i++)
		free(a->v[i]);
	free(a->v);
	a->v = NULL;
	a->n = 0;
}

/* Appends a copy of s to an argv list, keeping the NULL after it. */
static void
config_argv_add(struct config_argv *a, const char *s)
{
	a->v = xreallocarray(a->v, a->n + 2, sizeof(*a->v));
	a->v[a->n++] = xstrdup(s);
	a->v[a->n] = NULL;
}

/* Reads a list of strings, or (single_ok) one string as a one-element
 * list, replacing *dst. */
static int
config_argv(struct config_ctx *x, yaml_node_t *n, const char *where,
    bool single_ok, struct config_argv *dst)
{
	struct config_argv a = {0};
	yaml_node_item_t *it;
	char sub[160], *s;
	size_t i = 0;
	int r;

	if (n->type == YAML_SCALAR_NODE && single_ok) {
		if ((r = config_scalar(x, n, where, &s)) != 0)
			return r > 0 ? 0 : -1;
		config_argv_add(&a, s);
		free(s);
	} else if (n->type != YAML_SEQUENCE_NODE) {
		return config_fail(x, n, where, "expected a list%s, got %s",
		    single_ok ? " or a string" : "", config_kind(n));
	} else {
		for (it = n->data.sequence.items.start;
		     it < n->data.sequence.items.top; it++, i++) {
			yaml_node_t *e = yaml_document_get_node(x->doc, *it);

			snprintf(sub, sizeof(sub), "%s[%zu]", where, i);
			if ((r = config_scalar(x, e, sub, &s)) < 0) {
				config_argv_free(&a);
				return -1;
			}
			config_argv_add(&a, r > 0 ? "" : s);
			if (r == 0)
				free(s);
		}
	}
	if (a.n > 0 && a.v[0][0] == '\0') {
		config_argv_free(&a);
		return config_fail(x, n, where, "empty program name");
	}
	config_argv_free(dst);
	*dst = a;
	return 0;
}

/*
 * Walks map n: each key must be one of names[] and appear once; fn handles
 * its value. where names the map in messages ("templates[0]", "" at the
 * top). A null node is an empty map.
 */
static int
config_map(struct config_ctx *x, yaml_node_t *n, const char *where,
    const char *const *names, config_field_fn fn, void *obj)
{
	yaml_node_pair_t *p;
	yaml_node_t *k, *v;
	char sub[160];
	unsigned long seen = 0;
	const char *key;
	int i;

	if (config_null(n))
		return 0;
	if (n->type != YAML_MAPPING_NODE)
		return config_fail(x, n, where, "expected a map, got %s",
		    config_kind(n));
	for (p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top;
	     p++) {
		k = yaml_document_get_node(x->doc, p->key);
		v = yaml_document_get_node(x->doc, p->value);
		if (k->type != YAML_SCALAR_NODE)
			return config_fail(x, k, where,
			    "a key must be a string, got %s", config_kind(k));
		key = (const char *)k->data.scalar.value;
		for (i = 0; names[i] != NULL; i++)
			if (strcmp(key, names[i]) == 0)
				break;
		if (names[i] == NULL) {
			if (*where == '\0')
				return config_fail(x, k, "",
				    "unknown key \"%.100s\"", key);
			return config_fail(x, k, "",
			    "unknown key \"%.100s\" in %s", key, where);
		}
		snprintf(sub, sizeof(sub), "%s%s%s", where,
		    *where != '\0' ? "." : "", key);
		if (seen & (1ul << i))
			return config_fail(x, k, sub, "duplicate key");
		seen |= 1ul << i;
		if (fn(x, i, v, sub, obj) != 0)
			return -1;
	}
	return 0;
}

/* Returns the mapping value node for key in n, or NULL. */
static yaml_node_t *
config_find(struct config_ctx *x, yaml_node_t *n, const char *key)
{
	yaml_node_pair_t *p;
	yaml_node_t *k;

	if (n->type != YAML_MAPPING_NODE)
		return NULL;
	for (p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top;
	     p++) {
		k = yaml_document_get_node(x->doc, p->key);
		if (k->type == YAML_SCALAR_NODE &&
		    strcmp((const char *)k->data.scalar.value, key) == 0)
			return yaml_document_get_node(x->doc, p->value);
	}
	return NULL;
}

/* ---- sources ---- */

static const char *const config_tls_keys[] = {"ca", "cert", "key",
    "server_name", "insecure", NULL};

/* One key of a tls: map. */
static int
config_tls_field(struct config_ctx *x, int f, yaml_node_t *v, const char *where,
    void *obj)
{
	struct config_tls *t = obj;

	switch (f) {
	case 0:
		return config_str(x, v, where, &t->ca);
	case 1:
		return config_str(x, v, where, &t->cert);
	case 2:
		return config_str(x, v, where, &t->key);
	case 3:
		return config_str(x, v, where, &t->server_name);
	default:
		return config_bool(x, v, where, &t->insecure);
	}
}

static const char *const config_source_keys[] = {"name", "url", "prefix",
    "secret", "tls", "token", "token_file", "token_env", "timeout",
    "poll_interval", "username", "password", "password_file", "password_env",
    "max_body", NULL};

/* One key of a sources[] entry. */
static int
config_source_field(struct config_ctx *x, int f, yaml_node_t *v,
    const char *where, void *obj)
{
	struct config_source *s = obj;

	switch (f) {
	case 0:
		return config_str(x, v, where, &s->name);
	case 1:
		if (config_str(x, v, where, &s->url) != 0)
			return -1;
		if (s->url != NULL &&
		    (strstr(s->url, "://") == NULL || s->url[0] == ':'))
			return config_fail(x, v, where,
			    "\"%s\" is not a URL (scheme://...)", s->url);
		return 0;
	case 2:
		return config_str(x, v, where, &s->prefix);
	case 3:
		return config_bool(x, v, where, &s->secret);
	case 4:
		return config_map(x, v, where, config_tls_keys,
		    config_tls_field, &s->tls);
	case 5:
		if (config_str(x, v, where, &s->token) != 0)
			return -1;
		if (s->token != NULL)
			log_secret_add(s->token);
		return 0;
	case 6:
		return config_str(x, v, where, &s->token_file);
	case 7:
		return config_str(x, v, where, &s->token_env);
	case 8:
		return config_duration(x, v, where, &s->timeout_ms);
	case 9:
		return config_duration(x, v, where, &s->poll_interval_ms);
	case 10:
		return config_str(x, v, where, &s->username);
	case 11:
		if (config_str(x, v, where, &s->password) != 0)
			return -1;
		if (s->password != NULL)
			log_secret_add(s->password);
		return 0;
	case 12:
		return config_str(x, v, where, &s->password_file);
	case 13:
		return config_str(x, v, where, &s->password_env);
	default:
		return config_size(x, v, where, &s->max_body);
	}
}

/* Checks a source once all its keys are read. */
static int
config_source_check(struct config_ctx *x, yaml_node_t *n, const char *where,
    const struct config_source *s)
{
	bool pw = s->password != NULL || s->password_file != NULL ||
		  s->password_env != NULL;
	bool tok =
	    s->token != NULL || s->token_file != NULL || s->token_env != NULL;

	if (s->url == NULL)
		return config_fail(x, n, where, "missing url");
	if (pw && s->username == NULL)
		return config_fail(x, n, where,
		    "password given without a username");
	if (s->username != NULL && !pw)
		return config_fail(x, n, where,
		    "username given without a password (password, "
		    "password_file or password_env)");
	if (s->username != NULL && strncmp(s->url, "etcd", 4) != 0)
		return config_fail(x, n, where,
		    "username and password are for etcd sources");
	if (s->username != NULL && tok)
		return config_fail(x, n, where,
		    "username and token are exclusive (etcd gives the token "
		    "for the user)");
	return 0;
}

/* Fills s with its defaults. */
static void
config_source_init(struct config_source *s)
{
	memset(s, 0, sizeof(*s));
	s->timeout_ms = s->poll_interval_ms = -1;
}

/* ---- templates ---- */

static const char *const config_dialects[] = {"consul-template", "confd",
    "dockerize", NULL};
static const char *const config_missings[] = {"default", "error", NULL};
static const char *const config_engines[] = {"gotemplate", "envsubst", NULL};

static const char *const config_template_keys[] = {"src", "contents", "dest",
    "mode", "owner", "check", "signal", "command", "dialect", "missing",
    "left_delimiter", "right_delimiter", "create_dirs", "engine", NULL};

/* Resolves src against dir and checks that it can be read; replaces *src
 * with the resolved path. */
static int
config_src_check(const char *dir, char **src, struct cerr *err,
    const char *fmt_prefix)
{
	struct stat st;
	char *path;
	int fd;

	if ((*src)[0] != '/' && dir != NULL) {
		path = xasprintf("%s/%s", dir, *src);
		free(*src);
		*src = path;
	}
	fd = open(*src, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return cerr_set(err, "%scannot read template \"%s\": %s",
		    fmt_prefix, *src, strerror(errno));
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return cerr_set(err, "%scannot read template \"%s\": %s",
		    fmt_prefix, *src, "not a regular file");
	}
	close(fd);
	return 0;
}

/*
 * Makes a relative dest absolute against the current directory: confinit
 * leaves it for "/" once the app runs, and a later render must write the
 * same file as the first.
 */
static void
config_dest_abs(char **dest)
{
	char *cwd, *path;

	if ((*dest)[0] == '/' || (cwd = getcwd(NULL, 0)) == NULL)
		return;
	path = xasprintf("%s/%s", strcmp(cwd, "/") == 0 ? "" : cwd, *dest);
	free(cwd);
	free(*dest);
	*dest = path;
}

/* One key of a templates[] entry. */
static int
config_template_field(struct config_ctx *x, int f, yaml_node_t *v,
    const char *where, void *obj)
{
	struct config_template *t = obj;
	int e;

	switch (f) {
	case 0:
		return config_str(x, v, where, &t->src);
	case 1:
		return config_str(x, v, where, &t->contents);
	case 2:
		return config_str(x, v, where, &t->dest);
	case 3:
		return config_mode(x, v, where, &t->mode);
	case 4:
		return config_str(x, v, where, &t->owner);
	case 5:
		return config_argv(x, v, where, false, &t->check);
	case 6:
		return config_signal(x, v, where, &t->signal);
	case 7:
		return config_argv(x, v, where, false, &t->command);
	case 8:
		e = (int)t->dialect;
		if (config_enum(x, v, where, config_dialects, &e) != 0)
			return -1;
		t->dialect = (enum config_dialect)e;
		return 0;
	case 9:
		e = (int)t->missing;
		if (config_enum(x, v, where, config_missings, &e) != 0)
			return -1;
		t->missing = (enum config_missing)e;
		return 0;
	case 10:
		return config_str(x, v, where, &t->left_delimiter);
	case 11:
		return config_str(x, v, where, &t->right_delimiter);
	case 12:
		return config_bool(x, v, where, &t->create_dirs);
	default:
		e = (int)t->engine;
		if (config_enum(x, v, where, config_engines, &e) != 0)
			return -1;
		t->engine = (enum config_engine)e;
		return 0;
	}
}

/* Fills t with its defaults. */
static void
config_template_init(struct config_template *t)
{
	memset(t, 0, sizeof(*t));
	t->mode = -1;
}

/* Frees what t holds. */
static void
config_template_clear(struct config_template *t)
{
	free(t->src);
	free(t->contents);
	free(t->dest);
	free(t->owner);
	config_argv_free(&t->check);
	config_argv_free(&t->command);
	free(t->left_delimiter);
	free(t->right_delimiter);
}

/* Checks a template once all its keys are read. */
static int
config_template_check(struct config_ctx *x, yaml_node_t *n, const char *where,
    struct config_template *t)
{
	yaml_node_t *v;
	char prefix[256];

	if (t->src != NULL && t->contents != NULL)
		return config_fail(x, config_find(x, n, "contents"), where,
		    "src and contents are exclusive");
	if (t->src == NULL && t->contents == NULL)
		return config_fail(x, n, where,
		    "one of src or contents is required");
	if (t->dest == NULL || *t->dest == '\0')
		return config_fail(x, n, where, "missing dest");
	config_dest_abs(&t->dest);
	if (t->src != NULL) {
		v = config_find(x, n, "src");
		snprintf(prefix, sizeof(prefix),
		    "%s:%zu:%zu: %s.src: ", x->name, v->start_mark.line + 1,
		    v->start_mark.column + 1, where);
		return config_src_check(x->dir, &t->src, x->err, prefix);
	}
	return 0;
}

/* ---- env ---- */

static const char *const config_env_keys[] = {"prefix", "upcase", "sanitize",
    "format", "name", "value", NULL};

/* One key of an env[] entry. */
static int
config_env_field(struct config_ctx *x, int f, yaml_node_t *v, const char *where,
    void *obj)
{
	struct config_env *e = obj;

	switch (f) {
	case 0:
		return config_str(x, v, where, &e->prefix);
	case 1:
		return config_bool(x, v, where, &e->upcase);
	case 2:
		return config_bool(x, v, where, &e->sanitize);
	case 3:
		return config_str(x, v, where, &e->format);
	case 4:
		return config_str(x, v, where, &e->name);
	default:
		return config_str(x, v, where, &e->value);
	}
}

/* Fills e with its defaults. */
static void
config_env_init(struct config_env *e)
{
	memset(e, 0, sizeof(*e));
	e->upcase = e->sanitize = true;
}

/* Returns whether s is a usable variable name. */
static bool
config_env_name_ok(const char *s)
{
	size_t i;

	for (i = 0; s[i] != '\0'; i++)
		if (!(s[i] == '_' || (s[i] >= 'A' && s[i] <= 'Z') ||
			(s[i] >= 'a' && s[i] <= 'z') ||
			(i > 0 && s[i] >= '0' && s[i] <= '9')))
			return false;
	return i > 0;
}

/* Checks an env entry once all its keys are read. */
static int
config_env_check(struct config_ctx *x, yaml_node_t *n, const char *where,
    struct config_env *e)
{
	bool map_keys = config_find(x, n, "upcase") != NULL ||
			config_find(x, n, "sanitize") != NULL ||
			config_find(x, n, "format") != NULL;

	if (e->prefix != NULL && (e->name != NULL || e->value != NULL))
		return config_fail(x, n, where,
		    "prefix and name/value are exclusive");
	if (e->prefix == NULL && e->name == NULL && e->value == NULL)
		return config_fail(x, n, where,
		    "one of prefix or name is required");
	if (e->prefix == NULL && map_keys)
		return config_fail(x, n, where,
		    "upcase, sanitize and format go with prefix");
	if (e->prefix != NULL)
		return 0;
	if (e->name == NULL)
		return config_fail(x, n, where, "missing name");
	if (e->value == NULL)
		return config_fail(x, n, where, "missing value");
	if (!config_env_name_ok(e->name))
		return config_fail(x, config_find(x, n, "name"), where,
		    "bad variable name \"%s\"", e->name);
	return 0;
}

/* Frees what e holds. */
static void
config_env_clear(struct config_env *e)
{
	free(e->prefix);
	free(e->format);
	free(e->name);
	free(e->value);
}

/* ---- exec, wait, startup, log ---- */

static const char *const config_exec_keys[] = {"command", "user", "kill_signal",
    "kill_timeout", "reload_signal", "on_env_change", NULL};
static const char *const config_env_changes[] = {"restart", "signal", "ignore",
    NULL};

/* One key of exec:. */
static int
config_exec_field(struct config_ctx *x, int f, yaml_node_t *v,
    const char *where, void *obj)
{
	struct config_exec *e = obj;
	int k;

	switch (f) {
	case 0:
		return config_argv(x, v, where, true, &e->command);
	case 1:
		if (config_str(x, v, where, &e->user) != 0)
			return -1;
		if (e->user != NULL &&
		    (e->user[0] == '\0' || e->user[0] == ':'))
			return config_fail(x, v, where,
			    "bad user \"%s\" (USER[:GROUP])", e->user);
		return 0;
	case 2:
		return config_signal(x, v, where, &e->kill_signal);
	case 3:
		return config_duration(x, v, where, &e->kill_timeout_ms);
	case 4:
		return config_signal(x, v, where, &e->reload_signal);
	default:
		k = (int)e->on_env_change;
		if (config_enum(x, v, where, config_env_changes, &k) != 0)
			return -1;
		e->on_env_change = (enum config_on_env_change)k;
		return 0;
	}
}

static const char *const config_wait_keys[] = {"min", "max", NULL};

/* One key of wait:. */
static int
config_wait_field(struct config_ctx *x, int f, yaml_node_t *v,
    const char *where, void *obj)
{
	struct config *c = obj;

	return config_duration(x, v, where,
	    f == 0 ? &c->wait_min_ms : &c->wait_max_ms);
}

static const char *const config_startup_keys[] = {"timeout", "cache",
    "cache_secrets", NULL};

/* One key of startup:. */
static int
config_startup_field(struct config_ctx *x, int f, yaml_node_t *v,
    const char *where, void *obj)
{
	struct config *c = obj;

	if (f == 0)
		return config_duration(x, v, where, &c->startup_timeout_ms);
	if (f == 1)
		return config_str(x, v, where, &c->startup_cache);
	return config_bool(x, v, where, &c->cache_secrets);
}

static const char *const config_log_keys[] = {"level", "format", NULL};

/* One key of log:. */
static int
config_log_field(struct config_ctx *x, int f, yaml_node_t *v, const char *where,
    void *obj)
{
	struct config *c = obj;
	char *s;
	int r = 0, k;

	if ((k = config_value(x, v, where, &s, "a string")) != 0)
		return k > 0 ? 0 : -1;
	if (f == 0) {
		if ((k = log_level_parse(s)) < 0)
			r = config_fail(x, v, where,
			    "bad log level \"%s\" (error, warn, info, debug, "
			    "trace)",
			    s);
		else
			c->log_level = k;
	} else {
		if ((k = log_format_parse(s)) < 0)
			r = config_fail(x, v, where,
			    "bad log format \"%s\" (text, json)", s);
		else
			c->log_format = k;
	}
	free(s);
	return r;
}

/* Reads wait: as a map, or as "MIN[:MAX]" like --wait. */
static int
config_wait(struct config_ctx *x, yaml_node_t *v, struct config *c)
{
	bool has_max = config_find(x, v, "max") != NULL;
	char *s, *colon;
	int r = 0, k;

	if (v->type == YAML_SCALAR_NODE && !config_null(v)) {
		if ((k = config_value(x, v, "wait", &s, "a duration")) != 0)
			return k > 0 ? 0 : -1;
		if ((colon = strchr(s, ':')) != NULL)
			*colon = '\0';
		has_max = colon != NULL;
		if (units_duration(s, &c->wait_min_ms) != 0 ||
		    (colon != NULL &&
			units_duration(colon + 1, &c->wait_max_ms) != 0))
			r = config_fail(x, v, "wait",
			    "bad wait (MIN[:MAX], durations)");
		free(s);
		if (r != 0)
			return -1;
	} else if (config_map(x, v, "wait", config_wait_keys, config_wait_field,
		       c) != 0)
		return -1;
	/* As consul-template: a max not given is 4 * min. */
	if (!has_max)
		c->wait_max_ms = c->wait_min_ms * 4;
	if (c->wait_max_ms < c->wait_min_ms)
		return config_fail(x, v, "wait", "max is less than min");
	return 0;
}

/* ---- the top level ---- */

static const char *const config_top_keys[] = {"sources", "templates", "env",
    "pristine", "exec", "wait", "startup", "log", NULL};

/* Reads a list whose items are maps, calling fn on each with its index. */
static int
config_list(struct config_ctx *x, yaml_node_t *v, const char *where,
    int (*fn)(struct config_ctx *, yaml_node_t *, const char *, void *),
    void *obj)
{
	yaml_node_item_t *it;
	char sub[160];
	size_t i = 0;

	if (config_null(v))
		return 0;
	if (v->type != YAML_SEQUENCE_NODE)
		return config_fail(x, v, where, "expected a list, got %s",
		    config_kind(v));
	for (it = v->data.sequence.items.start; it < v->data.sequence.items.top;
	     it++, i++) {
		snprintf(sub, sizeof(sub), "%s[%zu]", where, i);
		if (fn(x, yaml_document_get_node(x->doc, *it), sub, obj) != 0)
			return -1;
	}
	return 0;
}

/* Reads one sources[] item into the config. */
static int
config_source_item(struct config_ctx *x, yaml_node_t *n, const char *where,
    void *obj)
{
	struct config *c = obj;
	struct config_source *s;
	size_t i;

	c->sources =
	    xreallocarray(c->sources, c->nsources + 1, sizeof(*c->sources));
	s = &c->sources[c->nsources++];
	config_source_init(s);
	if (n->type != YAML_MAPPING_NODE)
		return config_fail(x, n, where, "expected a map, got %s",
		    config_kind(n));
	if (config_map(x, n, where, config_source_keys, config_source_field,
		s) != 0 ||
	    config_source_check(x, n, where, s) != 0)
		return -1;
	if (s->name == NULL)
		s->name = log_url(s->url);
	for (i = 0; i + 1 < c->nsources; i++)
		if (strcmp(c->sources[i].name, s->name) == 0)
			return config_fail(x, n, where,
			    "duplicate source name \"%s\"", s->name);
	return 0;
}

/* Reads one templates[] item into the config. */
static int
config_template_item(struct config_ctx *x, yaml_node_t *n, const char *where,
    void *obj)
{
	struct config *c = obj;
	struct config_template *t;

	c->templates = xreallocarray(c->templates, c->ntemplates + 1,
	    sizeof(*c->templates));
	t = &c->templates[c->ntemplates++];
	config_template_init(t);
	if (n->type != YAML_MAPPING_NODE)
		return config_fail(x, n, where, "expected a map, got %s",
		    config_kind(n));
	if (config_map(x, n, where, config_template_keys, config_template_field,
		t) != 0)
		return -1;
	return config_template_check(x, n, where, t);
}

/* Reads one env[] item into the config. */
static int
config_env_item(struct config_ctx *x, yaml_node_t *n, const char *where,
    void *obj)
{
	struct config *c = obj;
	struct config_env *e;

	c->env = xreallocarray(c->env, c->nenv + 1, sizeof(*c->env));
	e = &c->env[c->nenv++];
	config_env_init(e);
	if (n->type != YAML_MAPPING_NODE)
		return config_fail(x, n, where, "expected a map, got %s",
		    config_kind(n));
	if (config_map(x, n, where, config_env_keys, config_env_field, e) != 0)
		return -1;
	return config_env_check(x, n, where, e);
}

/* One key of the top-level map. */
static int
config_top_field(struct config_ctx *x, int f, yaml_node_t *v, const char *where,
    void *obj)
{
	struct config *c = obj;

	switch (f) {
	case 0:
		return config_list(x, v, where, config_source_item, c);
	case 1:
		return config_list(x, v, where, config_template_item, c);
	case 2:
		return config_list(x, v, where, config_env_item, c);
	case 3:
		return config_bool(x, v, where, &c->pristine);
	case 4:
		return config_map(x, v, where, config_exec_keys,
		    config_exec_field, &c->exec);
	case 5:
		return config_wait(x, v, c);
	case 6:
		return config_map(x, v, where, config_startup_keys,
		    config_startup_field, c);
	default:
		return config_map(x, v, where, config_log_keys,
		    config_log_field, c);
	}
}

struct config *
config_new(void)
{
	struct config *c = xcalloc(1, sizeof(*c));

	c->exec.kill_signal = SIGTERM;
	c->exec.kill_timeout_ms = 10000;
	c->exec.reload_signal = SIGHUP;
	c->exec.on_env_change = CONFIG_ENV_RESTART;
	c->startup_timeout_ms = 30000;
	c->log_level = LOGL_INFO;
	c->log_format = LOGF_TEXT;
	return c;
}

/* Frees what a source holds. */
static void
config_source_clear(struct config_source *s)
{
	free(s->name);
	free(s->url);
	free(s->prefix);
	free(s->tls.ca);
	free(s->tls.cert);
	free(s->tls.key);
	free(s->tls.server_name);
	free(s->token);
	free(s->token_file);
	free(s->token_env);
	free(s->username);
	free(s->password);
	free(s->password_file);
	free(s->password_env);
}

/* Frees every source of c. */
static void
config_sources_clear(struct config *c)
{
	size_t i;

	for (i = 0; i < c->nsources; i++)
		config_source_clear(&c->sources[i]);
	free(c->sources);
	c->sources = NULL;
	c->nsources = 0;
}

void
config_free(struct config *c)
{
	size_t i;

	if (c == NULL)
		return;
	free(c->path);
	config_sources_clear(c);
	for (i = 0; i < c->ntemplates; i++)
		config_template_clear(&c->templates[i]);
	free(c->templates);
	for (i = 0; i < c->nenv; i++)
		config_env_clear(&c->env[i]);
	free(c->env);
	config_argv_free(&c->exec.command);
	free(c->exec.user);
	free(c->startup_cache);
	free(c->ca_file);
	free(c);
}

/* Formats libyaml's parse error. */
static int
config_yaml_error(struct config_ctx *x, yaml_parser_t *p)
{
	/* libyaml leaves some failed allocations without an error code
	 * or a problem: errno says it. */
	if (p->error == YAML_MEMORY_ERROR ||
	    (p->problem == NULL && errno == ENOMEM))
		return cerr_set(x->err, "%s: out of memory", x->name);
	return cerr_set(x->err, "%s:%zu:%zu: %s%s%s", x->name,
	    p->problem_mark.line + 1, p->problem_mark.column + 1,
	    p->problem != NULL ? p->problem : "parse error",
	    p->context != NULL ? " " : "",
	    p->context != NULL ? p->context : "");
}

/* Parses the buffer with x set up. */
static int
config_parse(struct config_ctx *x, const char *data, size_t len,
    struct config **out)
{
	struct config *c = config_new();
	yaml_parser_t parser;
	yaml_document_t doc, next;
	yaml_node_t *root;
	bool have_doc = false, have_next = false;
	int r = -1;

	*out = NULL;
	if (!yaml_parser_initialize(&parser)) {
		config_free(c);
		return cerr_set(x->err, "%s: out of memory", x->name);
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)data, len);
	errno = 0;
	if (!yaml_parser_load(&parser, &doc)) {
		config_yaml_error(x, &parser);
		goto out;
	}
	have_doc = true;
	x->doc = &doc;
	root = yaml_document_get_root_node(&doc);
	if (root != NULL) {
		errno = 0;
		if (!yaml_parser_load(&parser, &next)) {
			config_yaml_error(x, &parser);
			goto out;
		}
		have_next = true;
		if (yaml_document_get_root_node(&next) != NULL) {
			cerr_set(x->err, "%s:%zu:%zu: more than one document",
			    x->name, next.start_mark.line + 1,
			    next.start_mark.column + 1);
			goto out;
		}
		if (config_map(x, root, "", config_top_keys, config_top_field,
			c) != 0)
			goto out;
	}
	r = 0;
out:
	x->doc = NULL;
	if (have_next)
		yaml_document_delete(&next);
	if (have_doc)
		yaml_document_delete(&doc);
	yaml_parser_delete(&parser);
	if (r != 0)
		config_free(c);
	else
		*out = c;
	return r;
}

int
config_load_buffer(struct config **out, const char *name, const char *data,
    size_t len, char *const *env, struct cerr *err)
{
	struct config_ctx x = {name, NULL, env, NULL, err, data, len};

	return config_parse(&x, data, len, out);
}

int
config_load(struct config **out, const char *path, char *const *env,
    struct cerr *err)
{
	struct config_ctx x = {path, NULL, env, NULL, err, NULL, 0};
	struct buf b = {0};
	char chunk[8192], *dir, *slash;
	ssize_t n;
	int fd, r = -1;

	*out = NULL;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return cerr_set(err, "%s: %s", path, strerror(errno));
	b.cap = CONFIG_MAX_SIZE;
	buf_append(&b, "", 0);
	for (;;) {
		n = read(fd, chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			cerr_set(err, "%s: %s", path, strerror(errno));
			goto out;
		}
		if (n == 0)
			break;
		if (buf_append(&b, chunk, (size_t)n) != 0) {
			cerr_set(err, "%s: larger than %u bytes", path,
			    CONFIG_MAX_SIZE);
			goto out;
		}
	}
	dir = xstrdup(path);
	if ((slash = strrchr(dir, '/')) != NULL)
		slash[slash == dir ? 1 : 0] = '\0';
	else {
		free(dir);
		dir = xstrdup(".");
	}
	x.dir = dir;
	x.data = b.data;
	x.len = b.len;
	r = config_parse(&x, b.data, b.len, out);
	free(dir);
	if (r == 0)
		(*out)->path = xstrdup(path);
out:
	close(fd);
	buf_free(&b);
	return r;
}

/* Adds a --template SRC:DEST. */
static int
config_add_template(struct config *c, const char *spec, struct cerr *err)
{
	const char *colon = strchr(spec, ':');
	struct config_template *t;

	if (colon == NULL || colon == spec || colon[1] == '\0')
		return cerr_set(err, "--template \"%s\": expected SRC:DEST",
		    spec);
	c->templates = xreallocarray(c->templates, c->ntemplates + 1,
	    sizeof(*c->templates));
	t = &c->templates[c->ntemplates++];
	config_template_init(t);
	t->src = xstrndup(spec, (size_t)(colon - spec));
	t->dest = xstrdup(colon + 1);
	config_dest_abs(&t->dest);
	return config_src_check(NULL, &t->src, err, "--template: ");
}

int
config_apply_options(struct config *c, const struct options *o,
    struct cerr *err)
{
	struct config_env *e;
	size_t i;
	int k;

	for (i = 0; i < o->nsources; i++)
		if (strstr(o->sources[i], "://") == NULL ||
		    o->sources[i][0] == ':')
			return cerr_set(err,
			    "--source \"%s\": not a URL (scheme://...)",
			    o->sources[i]);
	if (o->nsources > 0) {
		config_sources_clear(c);
		c->sources = xcalloc(o->nsources, sizeof(*c->sources));
		for (i = 0; i < o->nsources; i++) {
			config_source_init(&c->sources[i]);
			c->sources[i].url = xstrdup(o->sources[i]);
			c->sources[i].name = log_url(o->sources[i]);
		}
		c->nsources = o->nsources;
	}
	for (i = 0; i < o->ntemplates; i++)
		if (config_add_template(c, o->templates[i], err) != 0)
			return -1;
	if (o->env_prefix != NULL) {
		c->env = xreallocarray(c->env, c->nenv + 1, sizeof(*c->env));
		e = &c->env[c->nenv++];
		config_env_init(e);
		e->prefix = xstrdup(o->env_prefix);
	}
	if (o->wait_min_ms >= 0) {
		c->wait_min_ms = o->wait_min_ms;
		c->wait_max_ms =
		    o->wait_max_ms >= 0 ? o->wait_max_ms : o->wait_min_ms * 4;
	}
	if (o->startup_timeout_ms >= 0)
		c->startup_timeout_ms = o->startup_timeout_ms;
	if (o->startup_cache != NULL) {
		free(c->startup_cache);
		c->startup_cache = xstrdup(o->startup_cache);
	}
	if (o->cache_secrets)
		c->cache_secrets = true;
	if (o->kill_timeout_ms >= 0)
		c->exec.kill_timeout_ms = o->kill_timeout_ms;
	if (o->ca_file != NULL) {
		free(c->ca_file);
		c->ca_file = xstrdup(o->ca_file);
	}
	if (o->user != NULL) {
		free(c->exec.user);
		c->exec.user = xstrdup(o->user);
	}
	/* -v and TINI_VERBOSITY count as a log level too. */
	if (o->log_level >= 0 || o->verbose > 0 || o->tini_verbosity >= 0) {
		k = cli_log_level(o);
		c->log_level = k;
	}
	if (o->log_format >= 0)
		c->log_format = o->log_format;
	if (o->argc > 0) {
		config_argv_free(&c->exec.command);
		for (k = 0; k < o->argc; k++)
			config_argv_add(&c->exec.command, o->argv[k]);
	}
	return 0;
}

int
config_from_options(struct config **out, const struct options *o,
    struct cerr *err)
{
	struct config *c = config_new();

	*out = NULL;
	if (config_apply_options(c, o, err) != 0) {
		config_free(c);
		return -1;
	}
	*out = c;
	return 0;
}
