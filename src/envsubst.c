/* ${VAR} expansion over an environment array: the config file and
 * templates with `engine: envsubst`. */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "envsubst.h"
#include "xmalloc.h"

/* Nesting of ${A:-${B:-...}} beyond this is refused (stack safety). */
#define ENVSUBST_MAX_DEPTH 32
/* Output beyond this is refused: the config and templates are small. */
#define ENVSUBST_MAX_OUT (64u << 20)

struct envsubst_ctx {
	const char *s;
	size_t len;
	size_t i;
	char *const *env;
	struct envsubst_error *e;
};

/* Fills the error with the position of offset at and the message. */
static int envsubst_fail(struct envsubst_ctx *c, size_t at, const char *fmt,
    ...) __attribute__((format(printf, 3, 4)));

static int
envsubst_fail(struct envsubst_ctx *c, size_t at, const char *fmt, ...)
{
	size_t i, line = 1, col = 1;
	va_list ap;

	for (i = 0; i < at && i < c->len; i++) {
		if (c->s[i] == '\n') {
			line++;
			col = 1;
		} else
			col++;
	}
	c->e->line = line;
	c->e->col = col;
	va_start(ap, fmt);
	vsnprintf(c->e->msg, sizeof(c->e->msg), fmt, ap);
	va_end(ap);
	return -1;
}

const char *
envsubst_getenv(char *const *env, const char *name, size_t len)
{
	size_t i;

	if (env == NULL)
		return NULL;
	for (i = 0; env[i] != NULL; i++)
		if (strncmp(env[i], name, len) == 0 && env[i][len] == '=')
			return env[i] + len + 1;
	return NULL;
}

/* Returns whether ch may start (first) or continue a variable name. */
static bool
envsubst_namech(char ch, bool first)
{
	if (ch == '_' || (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z'))
		return true;
	return !first && ch >= '0' && ch <= '9';
}

static int envsubst_run(struct envsubst_ctx *c, struct buf *out, bool in_brace,
    int depth);

/* Appends to out, refusing a runaway result. */
static int
envsubst_put(struct envsubst_ctx *c, struct buf *out, const char *p, size_t n,
    size_t at)
{
	if (out != NULL && buf_append(out, p, n) != 0)
		return envsubst_fail(c, at, "expansion too large");
	return 0;
}

/* Expands one "${...}" whose '$' is at c->i. */
static int
envsubst_brace(struct envsubst_ctx *c, struct buf *out, int depth)
{
	size_t start = c->i, name, nlen;
	const char *value;
	struct buf word = {0};
	bool colon = false, set, empty, use;
	char op;
	int r = -1;

	if (depth >= ENVSUBST_MAX_DEPTH)
		return envsubst_fail(c, start, "${ nested too deeply");
	c->i += 2;
	name = c->i;
	while (c->i < c->len && envsubst_namech(c->s[c->i], c->i == name))
		c->i++;
	nlen = c->i - name;
	if (c->i >= c->len)
		return envsubst_fail(c, start, "unterminated ${");
	if (nlen == 0)
		return envsubst_fail(c, start, "bad variable name in ${");
	value = envsubst_getenv(c->env, c->s + name, nlen);
	set = value != NULL;
	empty = !set || *value == '\0';
	if (c->s[c->i] == '}') {
		c->i++;
		return envsubst_put(c, out, set ? value : "",
		    set ? strlen(value) : 0, start);
	}
	if (c->s[c->i] == ':') {
		colon = true;
		c->i++;
	}
	op = '\0';
	if (c->i < c->len)
		op = c->s[c->i];
	if (op != '-' && op != '?') {
		if (c->i >= c->len)
			return envsubst_fail(c, start, "unterminated ${");
		return envsubst_fail(c, c->i,
		    "bad character '%c' in ${%.*s...} (expected }, :-, -, :? "
		    "or ?)",
		    op, (int)nlen, c->s + name);
	}
	c->i++;
	/* The word is always parsed, for its syntax errors, but only
	 * expanded when it is used: "${A:-${B:?x}}" needs no B when A is
	 * set. A NULL out means "parse only". */
	use = out != NULL && (colon ? empty : !set);
	word.cap = ENVSUBST_MAX_OUT;
	if (envsubst_run(c, use ? &word : NULL, true, depth + 1) != 0)
		goto out;
	if (c->i >= c->len) {
		envsubst_fail(c, start, "unterminated ${");
		goto out;
	}
	c->i++; /* '}' */
	if (!use)
		r = envsubst_put(c, out, set ? value : "",
		    set ? strlen(value) : 0, start);
	else if (op == '-')
		r = envsubst_put(c, out, word.data ? word.data : "", word.len,
		    start);
	else if (word.len != 0)
		envsubst_fail(c, start, "%.*s: %s", (int)nlen, c->s + name,
		    word.data);
	else
		envsubst_fail(c, start, "%.*s: %s", (int)nlen, c->s + name,
		    colon ? "parameter null or not set" : "parameter not set");
out:
	buf_free(&word);
	return r;
}

/* Copies and expands until the end, or until an unmatched '}' when inside
 * a ${...} word (c->i then points at it). */
static int
envsubst_run(struct envsubst_ctx *c, struct buf *out, bool in_brace, int depth)
{
	size_t lit = c->i;

	while (c->i < c->len) {
		char ch = c->s[c->i];

		if (in_brace && ch == '}')
			break;
		if (ch != '$' || c->i + 1 >= c->len) {
			c->i++;
			continue;
		}
		if (c->s[c->i + 1] == '$') {
			if (envsubst_put(c, out, c->s + lit, c->i - lit + 1,
				c->i) != 0)
				return -1;
			c->i += 2;
			lit = c->i;
			continue;
		}
		if (c->s[c->i + 1] != '{') {
			c->i++;
			continue;
		}
		if (envsubst_put(c, out, c->s + lit, c->i - lit, c->i) != 0)
			return -1;
		if (envsubst_brace(c, out, depth) != 0)
			return -1;
		lit = c->i;
	}
	return envsubst_put(c, out, c->s + lit, c->i - lit, c->i);
}

int
envsubst_expand(const char *s, size_t len, char *const *env, char **out,
    size_t *outlen, struct envsubst_error *e)
{
	struct envsubst_ctx c = {s, len, 0, env, e};
	struct buf b = {0};

	b.cap = ENVSUBST_MAX_OUT;
	if (envsubst_run(&c, &b, false, 0) != 0) {
		buf_free(&b);
		return -1;
	}
	if (outlen != NULL)
		*outlen = b.len;
	*out = buf_steal(&b);
	return 0;
}

int
envsubst_string(const char *name, const char *s, char *const *env, char **out,
    struct cerr *err)
{
	struct envsubst_error e = {0};

	if (envsubst_expand(s, strlen(s), env, out, NULL, &e) != 0)
		return cerr_set(err, "%s:%zu:%zu: %s", name, e.line, e.col,
		    e.msg);
	return 0;
}
