/* YAML, JSON, .properties and KEY=VALUE documents -> flat key/value maps,
 * for the file source and the HTTP source. */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <yaml.h>

#include "flatten.h"
#include "xmalloc.h"

/* What every format's walker carries: where keys go and the limits. */
struct flatten_out {
	const char *name;
	struct kv *kv;
	struct buf path;
	size_t nkeys;
	struct cerr *err;
};

/* Adds the current path = value, within the key budget. */
static int
flatten_leaf(struct flatten_out *o, const char *value, size_t vlen, size_t line,
    size_t col)
{
	if (++o->nkeys > FLATTEN_MAX_KEYS)
		return cerr_set(o->err, "%s:%zu:%zu: more than %d keys",
		    o->name, line, col, FLATTEN_MAX_KEYS);
	kv_setn(o->kv, o->path.data != NULL ? o->path.data : "", value, vlen);
	return 0;
}

/* Appends "/segment" (or "segment" at the top) to the path; returns the
 * old length for flatten_pop(). */
static size_t
flatten_push(struct flatten_out *o, const char *seg, size_t len)
{
	size_t old = o->path.len;

	if (old != 0)
		buf_append(&o->path, "/", 1);
	buf_append(&o->path, seg, len);
	return old;
}

/* Cuts the path back to len. */
static void
flatten_pop(struct flatten_out *o, size_t len)
{
	o->path.len = len;
	if (o->path.data != NULL)
		o->path.data[len] = '\0';
}

/* Skips a UTF-8 byte order mark. */
static void
flatten_skip_bom(const char **data, size_t *len)
{
	if (*len >= 3 && memcmp(*data, "\xef\xbb\xbf", 3) == 0) {
		*data += 3;
		*len -= 3;
	}
}

enum flatten_format
flatten_format_for(const char *path)
{
	const char *base = strrchr(path, '/'), *dot;

	base = base != NULL ? base + 1 : path;
	dot = strrchr(base, '.');
	if (dot == NULL)
		return FLATTEN_YAML;
	if (strcasecmp(dot, ".json") == 0)
		return FLATTEN_JSON;
	if (strcasecmp(dot, ".properties") == 0)
		return FLATTEN_PROPERTIES;
	if (strcasecmp(dot, ".env") == 0)
		return FLATTEN_DOTENV;
	return FLATTEN_YAML;
}

/* Returns whether the n bytes at s end with the string suffix (any case). */
static bool
flatten_ends(const char *s, size_t n, const char *suffix)
{
	size_t k = strlen(suffix);

	return n >= k && strncasecmp(s + n - k, suffix, k) == 0;
}

enum flatten_format
flatten_format_for_http(const char *content_type, const char *url)
{
	const char *ct = content_type;
	size_t n;
	char *path;
	enum flatten_format f;

	if (ct != NULL) {
		n = strcspn(ct, "; \t");
		if ((n == 16 && flatten_ends(ct, n, "application/json")) ||
		    flatten_ends(ct, n, "+json"))
			return FLATTEN_JSON;
		if (flatten_ends(ct, n, "/yaml") ||
		    flatten_ends(ct, n, "/x-yaml") ||
		    flatten_ends(ct, n, "+yaml"))
			return FLATTEN_YAML;
		if (n == 22 && flatten_ends(ct, n, "text/x-java-properties"))
			return FLATTEN_PROPERTIES;
	}
	path = xstrndup(url, strcspn(url, "?#"));
	f = flatten_format_for(path);
	free(path);
	return f;
}

int
flatten(enum flatten_format f, const char *name, const char *data, size_t len,
    struct kv *kv, struct cerr *err)
{
	switch (f) {
	case FLATTEN_JSON:
		return flatten_json(name, data, len, kv, err);
	case FLATTEN_PROPERTIES:
		return flatten_properties(name, data, len, kv, err);
	case FLATTEN_DOTENV:
		return flatten_dotenv(name, data, len, kv, err);
	case FLATTEN_YAML:
		break;
	}
	return flatten_yaml(name, data, len, kv, err);
}

/* ---- YAML ---- */

/* Returns whether a scalar node is YAML's null. */
static bool
flatten_yaml_null(const yaml_node_t *n)
{
	const char *v = (const char *)n->data.scalar.value;

	if (n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return false;
	return *v == '\0' || strcmp(v, "~") == 0 || strcmp(v, "null") == 0 ||
	       strcmp(v, "Null") == 0 || strcmp(v, "NULL") == 0;
}

/* Walks one node under the current path. */
static int
flatten_yaml_node(struct flatten_out *o, yaml_document_t *doc, yaml_node_t *n,
    int depth)
{
	size_t line = n->start_mark.line + 1, col = n->start_mark.column + 1;
	yaml_node_item_t *item;
	yaml_node_pair_t *pair;
	yaml_node_t *k;
	size_t old, idx = 0;
	char num[32];
	int len;

	if (depth > FLATTEN_MAX_DEPTH)
		return cerr_set(o->err, "%s:%zu:%zu: nested deeper than %d",
		    o->name, line, col, FLATTEN_MAX_DEPTH);
	switch (n->type) {
	case YAML_SCALAR_NODE:
		if (flatten_yaml_null(n))
			return flatten_leaf(o, "", 0, line, col);
		return flatten_leaf(o, (const char *)n->data.scalar.value,
		    n->data.scalar.length, line, col);
	case YAML_SEQUENCE_NODE:
		for (item = n->data.sequence.items.start;
		     item < n->data.sequence.items.top; item++, idx++) {
			len = snprintf(num, sizeof(num), "%zu", idx);
			old = flatten_push(o, num, (size_t)len);
			if (flatten_yaml_node(o, doc,
				yaml_document_get_node(doc, *item),
				depth + 1) != 0)
				return -1;
			flatten_pop(o, old);
		}
		return 0;
	case YAML_MAPPING_NODE:
		for (pair = n->data.mapping.pairs.start;
		     pair < n->data.mapping.pairs.top; pair++) {
			k = yaml_document_get_node(doc, pair->key);
			if (k->type != YAML_SCALAR_NODE)
				return cerr_set(o->err,
				    "%s:%zu:%zu: a key must be a scalar",
				    o->name, k->start_mark.line + 1,
				    k->start_mark.column + 1);
			old =
			    flatten_push(o, (const char *)k->data.scalar.value,
				k->data.scalar.length);
			if (flatten_yaml_node(o, doc,
				yaml_document_get_node(doc, pair->value),
				depth + 1) != 0)
				return -1;
			flatten_pop(o, old);
		}
		return 0;
	case YAML_NO_NODE:
		break;
	}
	return 0;
}

int
flatten_yaml(const char *name, const char *data, size_t len, struct kv *kv,
    struct cerr *err)
{
	struct flatten_out o = {name, kv, {0}, 0, err};
	yaml_parser_t parser;
	yaml_document_t doc, next;
	yaml_node_t *root;
	bool have_doc = false, have_next = false;
	int r = -1;

	if (!yaml_parser_initialize(&parser))
		return cerr_set(err, "%s: out of memory", name);
	yaml_parser_set_input_string(&parser, (const unsigned char *)data, len);
	errno = 0;
	if (!yaml_parser_load(&parser, &doc))
		goto parse_error;
	have_doc = true;
	root = yaml_document_get_root_node(&doc);
	if (root != NULL) {
		/* A second document is an error, not silently dropped. */
		errno = 0;
		if (!yaml_parser_load(&parser, &next))
			goto parse_error;
		have_next = true;
		if (yaml_document_get_root_node(&next) != NULL) {
			cerr_set(err, "%s:%zu:%zu: more than one document",
			    name, next.start_mark.line + 1,
			    next.start_mark.column + 1);
			goto out;
		}
		if (root->type == YAML_SCALAR_NODE &&
		    !flatten_yaml_null(root)) {
			cerr_set(err,
			    "%s:%zu:%zu: the top level must be a map or a list",
			    name, root->start_mark.line + 1,
			    root->start_mark.column + 1);
			goto out;
		}
		if (root->type != YAML_SCALAR_NODE &&
		    flatten_yaml_node(&o, &doc, root, 0) != 0)
			goto out;
	}
	r = 0;
	goto out;
parse_error:
	if (parser.error == YAML_MEMORY_ERROR ||
	    (parser.problem == NULL && errno == ENOMEM))
		cerr_set(err, "%s: out of memory", name);
	else if (parser.context != NULL)
		cerr_set(err, "%s:%zu:%zu: %s %s", name,
		    parser.problem_mark.line + 1,
		    parser.problem_mark.column + 1, parser.problem,
		    parser.context);
	else
		cerr_set(err, "%s:%zu:%zu: %s", name,
		    parser.problem_mark.line + 1,
		    parser.problem_mark.column + 1,
		    parser.problem != NULL ? parser.problem : "parse error");
out:
	if (have_next)
		yaml_document_delete(&next);
	if (have_doc)
		yaml_document_delete(&doc);
	yaml_parser_delete(&parser);
	buf_free(&o.path);
	return r;
}

/* ---- JSON ---- */

struct flatten_json {
	struct flatten_out *o;
	const char *s;
	size_t len;
	size_t i;
	size_t line;
	size_t lstart; /* offset of the current line's first byte */
};

/* Fails with the position of the current byte. */
static int
flatten_json_fail(struct flatten_json *j, const char *what)
{
	return cerr_set(j->o->err, "%s:%zu:%zu: %s", j->o->name, j->line,
	    j->i - j->lstart + 1, what);
}

/* Skips JSON whitespace, counting lines. */
static void
flatten_json_ws(struct flatten_json *j)
{
	while (j->i < j->len) {
		char c = j->s[j->i];

		if (c == '\n') {
			j->line++;
			j->lstart = j->i + 1;
		} else if (c != ' ' && c != '\t' && c != '\r')
			break;
		j->i++;
	}
}

/* Reads 4 hex digits at j->i; returns the value or -1. */
static long
flatten_hex4(const char *s, size_t avail)
{
	long v = 0;
	size_t k;

	if (avail < 4)
		return -1;
	for (k = 0; k < 4; k++) {
		char c = s[k];

		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= c - '0';
		else if (c >= 'a' && c <= 'f')
			v |= c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			v |= c - 'A' + 10;
		else
			return -1;
	}
	return v;
}

/* Appends code point cp as UTF-8. */
static void
flatten_utf8(struct buf *b, unsigned long cp)
{
	char u[4];
	size_t n;

	if (cp < 0x80) {
		u[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		u[0] = (char)(0xc0 | (cp >> 6));
		u[1] = (char)(0x80 | (cp & 0x3f));
		n = 2;
	} else if (cp < 0x10000) {
		u[0] = (char)(0xe0 | (cp >> 12));
		u[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		u[2] = (char)(0x80 | (cp & 0x3f));
		n = 3;
	} else {
		u[0] = (char)(0xf0 | (cp >> 18));
		u[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
		u[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
		u[3] = (char)(0x80 | (cp & 0x3f));
		n = 4;
	}
	buf_append(b, u, n);
}

/* Reads a string at j->i (the opening quote) into b. */
static int
flatten_json_string(struct flatten_json *j, struct buf *b)
{
	long cp, lo;
	char c;

	buf_reset(b);
	buf_append(b, "", 0);
	j->i++;
	for (;;) {
		if (j->i >= j->len)
			return flatten_json_fail(j, "unterminated string");
		c = j->s[j->i];
		if (c == '"') {
			j->i++;
			return 0;
		}
		if ((unsigned char)c < 0x20)
			return flatten_json_fail(j,
			    "control character in string");
		if (c != '\\') {
			buf_append(b, &c, 1);
			j->i++;
			continue;
		}
		if (j->i + 1 >= j->len)
			return flatten_json_fail(j, "unterminated string");
		c = j->s[j->i + 1];
		j->i += 2;
		switch (c) {
		case '"':
		case '\\':
		case '/':
			buf_append(b, &c, 1);
			continue;
		case 'b':
			buf_append(b, "\b", 1);
			continue;
		case 'f':
			buf_append(b, "\f", 1);
			continue;
		case 'n':
			buf_append(b, "\n", 1);
			continue;
		case 'r':
			buf_append(b, "\r", 1);
			continue;
		case 't':
			buf_append(b, "\t", 1);
			continue;
		case 'u':
			break;
		default:
			j->i -= 2;
			return flatten_json_fail(j, "bad escape in string");
		}
		if ((cp = flatten_hex4(j->s + j->i, j->len - j->i)) < 0) {
			j->i -= 2;
			return flatten_json_fail(j, "bad \\u escape in string");
		}
		j->i += 4;
		if (cp >= 0xd800 && cp <= 0xdbff && j->i + 6 <= j->len &&
		    j->s[j->i] == '\\' && j->s[j->i + 1] == 'u' &&
		    (lo = flatten_hex4(j->s + j->i + 2, 4)) >= 0xdc00 &&
		    lo <= 0xdfff) {
			cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
			j->i += 6;
		} else if (cp >= 0xd800 && cp <= 0xdfff)
			cp = 0xfffd; /* a lone surrogate, as Go does */
		flatten_utf8(b, (unsigned long)cp);
	}
}

/* Checks a number's grammar at j->i; *end is set past it. */
static int
flatten_json_number(struct flatten_json *j, size_t *end)
{
	size_t i = j->i;
	const char *s = j->s;

#define DIGIT(k) ((k) < j->len && s[k] >= '0' && s[k] <= '9')
	if (i < j->len && s[i] == '-')
		i++;
	if (!DIGIT(i))
		return flatten_json_fail(j, "bad number");
	if (s[i] == '0')
		i++;
	else
		while (DIGIT(i))
			i++;
	if (i < j->len && s[i] == '.') {
		i++;
		if (!DIGIT(i))
			return flatten_json_fail(j, "bad number");
		while (DIGIT(i))
			i++;
	}
	if (i < j->len && (s[i] == 'e' || s[i] == 'E')) {
		i++;
		if (i < j->len && (s[i] == '+' || s[i] == '-'))
			i++;
		if (!DIGIT(i))
			return flatten_json_fail(j, "bad number");
		while (DIGIT(i))
			i++;
	}
#undef DIGIT
	*end = i;
	return 0;
}

/* Reads one value at j->i under the current path. */
static int
flatten_json_value(struct flatten_json *j, int depth)
{
	struct flatten_out *o = j->o;
	struct buf key = {0}, str = {0};
	size_t line, col, old, idx, end = 0;
	char num[32];
	int r = -1, n;

	if (depth > FLATTEN_MAX_DEPTH)
		return flatten_json_fail(j, "nested too deeply");
	flatten_json_ws(j);
	line = j->line;
	col = j->i - j->lstart + 1;
	if (j->i >= j->len)
		return flatten_json_fail(j, "unexpected end of input");
	switch (j->s[j->i]) {
	case '{':
		j->i++;
		flatten_json_ws(j);
		if (j->i < j->len && j->s[j->i] == '}') {
			j->i++;
			return 0;
		}
		for (;;) {
			flatten_json_ws(j);
			if (j->i >= j->len || j->s[j->i] != '"') {
				flatten_json_fail(j, "expected a string key");
				goto out;
			}
			if (flatten_json_string(j, &key) != 0)
				goto out;
			if (memchr(key.data, '\0', key.len) != NULL) {
				flatten_json_fail(j, "NUL in a key");
				goto out;
			}
			flatten_json_ws(j);
			if (j->i >= j->len || j->s[j->i] != ':') {
				flatten_json_fail(j, "expected ':'");
				goto out;
			}
			j->i++;
			old = flatten_push(o, key.data, key.len);
			if (flatten_json_value(j, depth + 1) != 0)
				goto out;
			flatten_pop(o, old);
			flatten_json_ws(j);
			if (j->i < j->len && j->s[j->i] == ',') {
				j->i++;
				continue;
			}
			if (j->i < j->len && j->s[j->i] == '}') {
				j->i++;
				break;
			}
			flatten_json_fail(j, "expected ',' or '}'");
			goto out;
		}
		break;
	case '[':
		j->i++;
		flatten_json_ws(j);
		if (j->i < j->len && j->s[j->i] == ']') {
			j->i++;
			return 0;
		}
		for (idx = 0;; idx++) {
			n = snprintf(num, sizeof(num), "%zu", idx);
			old = flatten_push(o, num, (size_t)n);
			if (flatten_json_value(j, depth + 1) != 0)
				goto out;
			flatten_pop(o, old);
			flatten_json_ws(j);
			if (j->i < j->len && j->s[j->i] == ',') {
				j->i++;
				continue;
			}
			if (j->i < j->len && j->s[j->i] == ']') {
				j->i++;
				break;
			}
			flatten_json_fail(j, "expected ',' or ']'");
			goto out;
		}
		break;
	case '"':
		if (depth == 0)
			goto top;
		if (flatten_json_string(j, &str) != 0)
			goto out;
		if (flatten_leaf(o, str.data, str.len, line, col) != 0)
			goto out;
		break;
	default:
		if (depth == 0)
			goto top;
		if (j->len - j->i >= 4 && memcmp(j->s + j->i, "null", 4) == 0) {
			j->i += 4;
			if (flatten_leaf(o, "", 0, line, col) != 0)
				goto out;
			break;
		}
		if (j->len - j->i >= 4 && memcmp(j->s + j->i, "true", 4) == 0) {
			j->i += 4;
			if (flatten_leaf(o, "true", 4, line, col) != 0)
				goto out;
			break;
		}
		if (j->len - j->i >= 5 &&
		    memcmp(j->s + j->i, "false", 5) == 0) {
			j->i += 5;
			if (flatten_leaf(o, "false", 5, line, col) != 0)
				goto out;
			break;
		}
		if (flatten_json_number(j, &end) != 0)
			goto out;
		if (flatten_leaf(o, j->s + j->i, end - j->i, line, col) != 0)
			goto out;
		j->i = end;
		break;
	}
	r = 0;
	goto out;
top:
	flatten_json_fail(j, "the top level must be an object or an array");
out:
	buf_free(&key);
	buf_free(&str);
	return r;
}

int
flatten_json(const char *name, const char *data, size_t len, struct kv *kv,
    struct cerr *err)
{
	struct flatten_out o = {name, kv, {0}, 0, err};
	struct flatten_json j = {&o, data, len, 0, 1, 0};
	int r = -1;

	flatten_skip_bom(&j.s, &j.len);
	flatten_json_ws(&j);
	if (j.i == j.len) {
		r = 0; /* an empty document: no keys */
		goto out;
	}
	if (flatten_json_value(&j, 0) != 0)
		goto out;
	flatten_json_ws(&j);
	if (j.i != j.len) {
		flatten_json_fail(&j, "trailing characters after the value");
		goto out;
	}
	r = 0;
out:
	buf_free(&o.path);
	return r;
}

/* ---- .properties ---- */

/* Returns whether c is a properties blank (space, tab, form feed). */
static bool
flatten_prop_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\f';
}

/* A line-oriented reader shared by .properties and .env. */
struct flatten_prop {
	const char *name;
	const char *s;
	size_t len;
	size_t i;
	size_t line;
	size_t lstart;
	struct cerr *err;
};

/* Moves past a line terminator at p->i (\n, \r or \r\n). */
static void
flatten_prop_eol(struct flatten_prop *p)
{
	if (p->s[p->i] == '\r' && p->i + 1 < p->len && p->s[p->i + 1] == '\n')
		p->i++;
	p->i++;
	p->line++;
	p->lstart = p->i;
}

/* Reads a key (key == true) or a value into b, resolving escapes and
 * continuations; stops at the end of the logical line or, for a key, at
 * an unescaped '=', ':' or blank. */
static int
flatten_prop_part(struct flatten_prop *p, struct buf *b, bool key)
{
	long cp, lo;
	char c;

	buf_reset(b);
	buf_append(b, "", 0);
	while (p->i < p->len) {
		c = p->s[p->i];
		if (c == '\n' || c == '\r')
			break;
		if (key && (c == '=' || c == ':' || flatten_prop_blank(c)))
			break;
		if (c != '\\') {
			buf_append(b, &c, 1);
			p->i++;
			continue;
		}
		if (p->i + 1 >= p->len) {
			p->i++; /* a '\' at the very end is dropped */
			break;
		}
		c = p->s[++p->i];
		if (c == '\n' || c == '\r') {
			/* Continuation: skip the next line's blanks. */
			flatten_prop_eol(p);
			while (p->i < p->len && flatten_prop_blank(p->s[p->i]))
				p->i++;
			continue;
		}
		p->i++;
		switch (c) {
		case 't':
			buf_append(b, "\t", 1);
			continue;
		case 'n':
			buf_append(b, "\n", 1);
			continue;
		case 'r':
			buf_append(b, "\r", 1);
			continue;
		case 'f':
			buf_append(b, "\f", 1);
			continue;
		case 'u':
			break;
		default:
			buf_append(b, &c, 1);
			continue;
		}
		if ((cp = flatten_hex4(p->s + p->i, p->len - p->i)) < 0)
			return cerr_set(p->err, "%s:%zu:%zu: malformed \\uXXXX",
			    p->name, p->line, p->i - p->lstart - 1);
		p->i += 4;
		if (cp >= 0xd800 && cp <= 0xdbff && p->i + 6 <= p->len &&
		    p->s[p->i] == '\\' && p->s[p->i + 1] == 'u' &&
		    (lo = flatten_hex4(p->s + p->i + 2, 4)) >= 0xdc00 &&
		    lo <= 0xdfff) {
			cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
			p->i += 6;
		} else if (cp >= 0xd800 && cp <= 0xdfff)
			cp = 0xfffd;
		flatten_utf8(b, (unsigned long)cp);
	}
	return 0;
}

int
flatten_properties(const char *name, const char *data, size_t len,
    struct kv *kv, struct cerr *err)
{
	struct flatten_prop p = {name, data, len, 0, 1, 0, err};
	struct flatten_out o = {name, kv, {0}, 0, err};
	struct buf key = {0}, value = {0};
	size_t line, col;
	int r = -1;

	flatten_skip_bom(&p.s, &p.len);
	while (p.i < p.len) {
		while (p.i < p.len && flatten_prop_blank(p.s[p.i]))
			p.i++;
		if (p.i >= p.len)
			break;
		if (p.s[p.i] == '\n' || p.s[p.i] == '\r') {
			flatten_prop_eol(&p);
			continue;
		}
		if (p.s[p.i] == '#' || p.s[p.i] == '!') {
			while (
			    p.i < p.len && p.s[p.i] != '\n' && p.s[p.i] != '\r')
				p.i++;
			continue;
		}
		line = p.line;
		col = p.i - p.lstart + 1;
		if (flatten_prop_part(&p, &key, true) != 0)
			goto out;
		while (p.i < p.len && flatten_prop_blank(p.s[p.i]))
			p.i++;
		if (p.i < p.len && (p.s[p.i] == '=' || p.s[p.i] == ':')) {
			p.i++;
			while (p.i < p.len && flatten_prop_blank(p.s[p.i]))
				p.i++;
		}
		if (flatten_prop_part(&p, &value, false) != 0)
			goto out;
		if (memchr(key.data, '\0', key.len) != NULL) {
			cerr_set(err, "%s:%zu:%zu: NUL in a key", name, line,
			    col);
			goto out;
		}
		buf_reset(&o.path);
		buf_append(&o.path, key.data, key.len);
		if (flatten_leaf(&o, value.data, value.len, line, col) != 0)
			goto out;
	}
	r = 0;
out:
	buf_free(&key);
	buf_free(&value);
	buf_free(&o.path);
	return r;
}

/* ---- KEY=VALUE (.env) ---- */

/* Returns whether c may appear in a dotenv key. */
static bool
flatten_env_keych(char c)
{
	return c == '_' || c == '.' || c == '-' || (c >= 'A' && c <= 'Z') ||
	       (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

/* Reads a quoted value at p->i (the quote) into b. */
static int
flatten_env_quoted(struct flatten_prop *p, struct buf *b)
{
	char q = p->s[p->i], c;
	size_t line = p->line, col = p->i - p->lstart + 1;

	p->i++;
	for (;;) {
		if (p->i >= p->len)
			return cerr_set(p->err,
			    "%s:%zu:%zu: unterminated quoted value", p->name,
			    line, col);
		c = p->s[p->i];
		if (c == q) {
			p->i++;
			return 0;
		}
		if (c == '\n') {
			buf_append(b, &c, 1);
			p->i++;
			p->line++;
			p->lstart = p->i;
			continue;
		}
		if (q == '"' && c == '\\' && p->i + 1 < p->len) {
			c = p->s[p->i + 1];
			p->i += 2;
			switch (c) {
			case 'n':
				buf_append(b, "\n", 1);
				continue;
			case 'r':
				buf_append(b, "\r", 1);
				continue;
			case 't':
				buf_append(b, "\t", 1);
				continue;
			case '"':
			case '\\':
			case '$':
				buf_append(b, &c, 1);
				continue;
			default:
				/* Unknown escapes are kept as written. */
				buf_append(b, "\\", 1);
				p->i--;
				continue;
			}
		}
		buf_append(b, &c, 1);
		p->i++;
	}
}

int
flatten_dotenv(const char *name, const char *data, size_t len, struct kv *kv,
    struct cerr *err)
{
	struct flatten_prop p = {name, data, len, 0, 1, 0, err};
	struct flatten_out o = {name, kv, {0}, 0, err};
	struct buf value = {0};
	size_t line, col, kstart, kend, vend;
	int r = -1;

	flatten_skip_bom(&p.s, &p.len);
	while (p.i < p.len) {
		while (p.i < p.len && (p.s[p.i] == ' ' || p.s[p.i] == '\t' ||
					  p.s[p.i] == '\r'))
			p.i++;
		if (p.i >= p.len)
			break;
		if (p.s[p.i] == '\n') {
			flatten_prop_eol(&p);
			continue;
		}
		if (p.s[p.i] == '#') {
			while (p.i < p.len && p.s[p.i] != '\n')
				p.i++;
			continue;
		}
		if (p.len - p.i > 7 && memcmp(p.s + p.i, "export", 6) == 0 &&
		    (p.s[p.i + 6] == ' ' || p.s[p.i + 6] == '\t')) {
			p.i += 7;
			while (p.i < p.len &&
			       (p.s[p.i] == ' ' || p.s[p.i] == '\t'))
				p.i++;
		}
		line = p.line;
		col = p.i - p.lstart + 1;
		kstart = p.i;
		while (p.i < p.len && flatten_env_keych(p.s[p.i]))
			p.i++;
		kend = p.i;
		while (p.i < p.len && (p.s[p.i] == ' ' || p.s[p.i] == '\t'))
			p.i++;
		if (kend == kstart || p.i >= p.len || p.s[p.i] != '=') {
			cerr_set(err, "%s:%zu:%zu: expected KEY=VALUE", name,
			    p.line, p.i - p.lstart + 1);
			goto out;
		}
		p.i++;
		while (p.i < p.len && (p.s[p.i] == ' ' || p.s[p.i] == '\t'))
			p.i++;
		buf_reset(&value);
		buf_append(&value, "", 0);
		if (p.i < p.len && (p.s[p.i] == '"' || p.s[p.i] == '\'')) {
			if (flatten_env_quoted(&p, &value) != 0)
				goto out;
			/* Only blanks or a comment may follow. */
			while (p.i < p.len &&
			       (p.s[p.i] == ' ' || p.s[p.i] == '\t' ||
				   p.s[p.i] == '\r'))
				p.i++;
			if (p.i < p.len && p.s[p.i] != '\n' &&
			    p.s[p.i] != '#') {
				cerr_set(err,
				    "%s:%zu:%zu: text after the closing quote",
				    name, p.line, p.i - p.lstart + 1);
				goto out;
			}
			while (p.i < p.len && p.s[p.i] != '\n')
				p.i++;
		} else {
			vend = p.i;
			while (vend < p.len && p.s[vend] != '\n') {
				if (p.s[vend] == '#' && vend > p.i &&
				    (p.s[vend - 1] == ' ' ||
					p.s[vend - 1] == '\t'))
					break;
				vend++;
			}
			buf_append(&value, p.s + p.i, vend - p.i);
			while (value.len > 0 &&
			       (value.data[value.len - 1] == ' ' ||
				   value.data[value.len - 1] == '\t' ||
				   value.data[value.len - 1] == '\r'))
				value.data[--value.len] = '\0';
			p.i = vend;
			while (p.i < p.len && p.s[p.i] != '\n')
				p.i++;
		}
		buf_reset(&o.path);
		buf_append(&o.path, p.s + kstart, kend - kstart);
		if (flatten_leaf(&o, value.data, value.len, line, col) != 0)
			goto out;
	}
	r = 0;
out:
	buf_free(&value);
	buf_free(&o.path);
	return r;
}
