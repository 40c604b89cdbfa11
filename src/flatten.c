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

/*
 * The YAML reader walks libyaml's event stream (yaml_parser_parse) with a
 * stack of open maps and lists and adds each leaf as its event arrives; no
 * document tree is built. The events of anchored nodes are copied to a log,
 * and an alias replays its anchor's events in place. The result is that of
 * a walk over the composed document (yaml_parser_load), errors included:
 * parse errors (and "found undefined alias", duplicate anchors) anywhere in
 * the first two documents come first, then a second document, then a scalar
 * at the top, then the walk's own errors in document order. An alias inside
 * its own anchor makes a cycle whose walk needs the whole anchor: such a
 * document is read again with every event logged and walked at the end.
 */

enum flatten_yaml_kind {
	FLATTEN_YAML_SCALAR,
	FLATTEN_YAML_SEQ,
	FLATTEN_YAML_MAP,
	FLATTEN_YAML_END,
	FLATTEN_YAML_ALIAS,
};

/* One node event, live or from the log. */
struct flatten_yaml_ev {
	unsigned char kind;
	bool null;	  /* a scalar that is YAML's null */
	size_t line;	  /* start mark, from 1 */
	size_t col;	  /* start mark, from 1 */
	const char *text; /* scalar: its text (in kept) */
	size_t len;	  /* scalar: its length */
	size_t alias;	  /* alias: the anchor, an index in anchors */
};

/* An anchor of the document: its name and the logged events of its node. */
struct flatten_yaml_anchor {
	const char *name; /* in kept */
	size_t start;	  /* the node's events are log[start, end) */
	size_t end;	  /* FLATTEN_YAML_OPEN until the node ends */
	size_t depth;	  /* containers open in the stream when it started */
};

#define FLATTEN_YAML_OPEN SIZE_MAX

/* A map or list being walked. */
struct flatten_yaml_frame {
	size_t plen; /* the path's length at this container */
	size_t idx;  /* a list's next index */
	bool map;
	bool want_key; /* a map's next node is a key */
};

struct flatten_yaml {
	struct flatten_out o;
	yaml_parser_t parser;
	struct cerr werr; /* the walk's error, reported after the parser's */
	bool walking;	  /* no walk error yet */
	bool live;	  /* the walk follows the stream (first pass, doc 1) */
	bool record_all;  /* second pass: log all of doc 1, walk at the end */
	bool doc2;	  /* in the second document: only anchors are checked */
	bool have_root;	  /* the first document's top node was seen */
	bool root_scalar; /* ... and it is a scalar that is not null */
	size_t root_line; /* its start mark */
	size_t root_col;
	size_t depth; /* containers open in the stream */
	struct flatten_yaml_frame frame[FLATTEN_MAX_DEPTH + 1];
	size_t nframe;
	struct flatten_yaml_ev *log;
	size_t nlog, caplog;
	/* Scalars' texts and anchor names, taken from their events and freed
	 * at the end, as the document tree did: the log points to them, and
	 * musl's allocator, given each scalar back as its event goes, can map
	 * and unmap a group of slots again and again (bench/reload.sh's start:
	 * 292 mmap calls instead of 109 before kv pooled its entries, 116
	 * instead of 100 since). */
	char **kept;
	size_t nkept, capkept;
	struct flatten_yaml_anchor *anchor;
	size_t nanchor, capanchor;
	size_t anchor_base; /* the current document's first anchor */
	size_t *open;	    /* anchors of the containers open in the stream */
	size_t nopen, capopen;
};

/* Returns whether a plain scalar's text is YAML's null. */
static bool
flatten_yaml_null(const char *v, size_t len)
{
	switch (len) {
	case 0:
		return true;
	case 1:
		return v[0] == '~';
	case 4:
		return memcmp(v, "null", 4) == 0 || memcmp(v, "Null", 4) == 0 ||
		       memcmp(v, "NULL", 4) == 0;
	}
	return false;
}

/* Records the walk's first error at the event's mark and ends the walk. */
static void
flatten_yaml_fail(struct flatten_yaml *y, const struct flatten_yaml_ev *ev,
    const char *what)
{
	cerr_set(&y->werr, "%s:%zu:%zu: %s", y->o.name, ev->line, ev->col,
	    what);
	y->walking = false;
}

/* Appends a list index to the path. */
static void
flatten_yaml_index(struct flatten_out *o, size_t idx)
{
	char num[24], *p = num + sizeof(num);

	do
		*--p = (char)('0' + idx % 10);
	while ((idx /= 10) != 0);
	flatten_push(o, p, (size_t)(num + sizeof(num) - p));
}

/* A node of the top frame has been walked: back to its parent's path. */
static void
flatten_yaml_done(struct flatten_yaml *y)
{
	struct flatten_yaml_frame *f;

	if (y->nframe == 0)
		return;
	f = &y->frame[y->nframe - 1];
	flatten_pop(&y->o, f->plen);
	if (f->map)
		f->want_key = true;
	else
		f->idx++;
}

static void flatten_yaml_replay(struct flatten_yaml *y, size_t start,
    size_t end);

/* Walks one event. */
static void
flatten_yaml_walk(struct flatten_yaml *y, const struct flatten_yaml_ev *ev)
{
	struct flatten_yaml_frame *f;

	if (!y->walking)
		return;
	if (ev->kind == FLATTEN_YAML_ALIAS) {
		flatten_yaml_replay(y, y->anchor[ev->alias].start,
		    y->anchor[ev->alias].end);
		return;
	}
	if (y->nframe == 0) {
		/* The top node: a scalar is flatten_yaml()'s to judge. */
		if (ev->kind == FLATTEN_YAML_SCALAR)
			return;
		f = &y->frame[y->nframe++];
		*f = (struct flatten_yaml_frame){0, 0,
		    ev->kind == FLATTEN_YAML_MAP, true};
		return;
	}
	f = &y->frame[y->nframe - 1];
	if (ev->kind == FLATTEN_YAML_END) {
		y->nframe--;
		flatten_yaml_done(y);
		return;
	}
	if (f->map && f->want_key) {
		if (ev->kind != FLATTEN_YAML_SCALAR) {
			flatten_yaml_fail(y, ev, "a key must be a scalar");
			return;
		}
		flatten_push(&y->o, ev->text, ev->len);
		f->want_key = false;
		return;
	}
	if (!f->map)
		flatten_yaml_index(&y->o, f->idx);
	if (y->nframe > FLATTEN_MAX_DEPTH) {
		cerr_set(&y->werr, "%s:%zu:%zu: nested deeper than %d",
		    y->o.name, ev->line, ev->col, FLATTEN_MAX_DEPTH);
		y->walking = false;
		return;
	}
	if (ev->kind == FLATTEN_YAML_SCALAR) {
		if (flatten_leaf(&y->o, ev->null ? "" : ev->text,
			ev->null ? 0 : ev->len, ev->line, ev->col) != 0) {
			y->walking = false;
			return;
		}
		flatten_yaml_done(y);
		return;
	}
	f = &y->frame[y->nframe++];
	*f = (struct flatten_yaml_frame){y->o.path.len, 0,
	    ev->kind == FLATTEN_YAML_MAP, true};
}

/* Walks the logged events [start, end). */
static void
flatten_yaml_replay(struct flatten_yaml *y, size_t start, size_t end)
{
	size_t i;

	for (i = start; i < end && y->walking; i++)
		flatten_yaml_walk(y, &y->log[i]);
}

/* Sets a composer error as yaml_parser_load() would; returns -1. */
static int
flatten_yaml_composer_error(struct flatten_yaml *y, const char *context,
    const char *problem, yaml_mark_t mark)
{
	y->parser.error = YAML_COMPOSER_ERROR;
	y->parser.context = context;
	y->parser.problem = problem;
	y->parser.problem_mark = mark;
	return -1;
}

/* Returns the index of the current document's anchor name, or SIZE_MAX. */
static size_t
flatten_yaml_find(const struct flatten_yaml *y, const char *name)
{
	size_t i;

	for (i = y->anchor_base; i < y->nanchor; i++)
		if (strcmp(y->anchor[i].name, name) == 0)
			return i;
	return SIZE_MAX;
}

/* Makes room for one more of the n elements of size bytes in an array of
 * *cap; returns the array, perhaps moved. */
static void *
flatten_yaml_grow(void *p, size_t n, size_t *cap, size_t size)
{
	if (n < *cap)
		return p;
	*cap = *cap != 0 ? 2 * *cap : 16;
	return xreallocarray(p, *cap, size);
}

/* Takes a string of an event (NULL allowed): flatten_yaml() frees it. */
static void
flatten_yaml_keep(struct flatten_yaml *y, yaml_char_t **s)
{
	if (*s == NULL)
		return;
	y->kept =
	    flatten_yaml_grow(y->kept, y->nkept, &y->capkept, sizeof(*y->kept));
	y->kept[y->nkept++] = (char *)*s;
	*s = NULL;
}

/* Registers the anchor *name of the node that starts at log[nlog] and
 * takes the name; returns 0, or -1 for a name already used in the
 * document. */
static int
flatten_yaml_anchor(struct flatten_yaml *y, yaml_char_t **name,
    const yaml_event_t *e)
{
	struct flatten_yaml_anchor *a;

	if (flatten_yaml_find(y, (const char *)*name) != SIZE_MAX)
		return flatten_yaml_composer_error(y,
		    "found duplicate anchor; first occurrence",
		    "second occurrence", e->start_mark);
	y->anchor = flatten_yaml_grow(y->anchor, y->nanchor, &y->capanchor,
	    sizeof(*y->anchor));
	a = &y->anchor[y->nanchor++];
	a->name = (const char *)*name;
	a->start = y->nlog;
	a->end = FLATTEN_YAML_OPEN;
	a->depth = y->depth;
	flatten_yaml_keep(y, name);
	return 0;
}

/* Closes the anchored containers that end with this event. */
static void
flatten_yaml_close(struct flatten_yaml *y)
{
	while (y->nopen > 0 &&
	       y->anchor[y->open[y->nopen - 1]].depth == y->depth) {
		y->anchor[y->open[y->nopen - 1]].end = y->nlog;
		y->nopen--;
	}
}

/* Return of flatten_yaml_event(): an alias inside its own anchor. */
#define FLATTEN_YAML_CYCLE 1

/*
 * Takes one event of the stream inside a document: anchors, the log and
 * the walk; the event's strings are taken (flatten_yaml_keep()). Returns
 * 0, -1 with a composer error in the parser, or FLATTEN_YAML_CYCLE when
 * the first pass must give way to the second.
 */
static int
flatten_yaml_event(struct flatten_yaml *y, yaml_event_t *e)
{
	struct flatten_yaml_ev ev = {0};
	yaml_char_t **anchor = NULL;

	ev.line = e->start_mark.line + 1;
	ev.col = e->start_mark.column + 1;
	switch (e->type) {
	case YAML_SCALAR_EVENT:
		ev.kind = FLATTEN_YAML_SCALAR;
		anchor = &e->data.scalar.anchor;
		ev.text = (const char *)e->data.scalar.value;
		ev.len = e->data.scalar.length;
		ev.null = e->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
			  flatten_yaml_null(ev.text, ev.len);
		flatten_yaml_keep(y, &e->data.scalar.value);
		break;
	case YAML_SEQUENCE_START_EVENT:
		ev.kind = FLATTEN_YAML_SEQ;
		anchor = &e->data.sequence_start.anchor;
		break;
	case YAML_MAPPING_START_EVENT:
		ev.kind = FLATTEN_YAML_MAP;
		anchor = &e->data.mapping_start.anchor;
		break;
	case YAML_SEQUENCE_END_EVENT:
	case YAML_MAPPING_END_EVENT:
		ev.kind = FLATTEN_YAML_END;
		break;
	case YAML_ALIAS_EVENT:
		ev.kind = FLATTEN_YAML_ALIAS;
		ev.alias =
		    flatten_yaml_find(y, (const char *)e->data.alias.anchor);
		if (ev.alias == SIZE_MAX)
			return flatten_yaml_composer_error(y, NULL,
			    "found undefined alias", e->start_mark);
		if (y->live && y->walking &&
		    y->anchor[ev.alias].end == FLATTEN_YAML_OPEN)
			return FLATTEN_YAML_CYCLE;
		break;
	default:
		return 0;
	}
	if (!y->have_root && !y->doc2) {
		y->have_root = true;
		y->root_scalar = ev.kind == FLATTEN_YAML_SCALAR && !ev.null;
		y->root_line = ev.line;
		y->root_col = ev.col;
	}
	if (anchor != NULL && *anchor == NULL)
		anchor = NULL;
	if (anchor != NULL && flatten_yaml_anchor(y, anchor, e) != 0)
		return -1;
	/* The log holds what an alias may replay: in the first pass the
	 * anchored nodes (while the walk goes on), in the second all. */
	if (!y->doc2 && (y->record_all ||
			    (y->walking && (y->nopen > 0 || anchor != NULL)))) {
		y->log = flatten_yaml_grow(y->log, y->nlog, &y->caplog,
		    sizeof(*y->log));
		y->log[y->nlog++] = ev;
	}
	if (ev.kind == FLATTEN_YAML_SEQ || ev.kind == FLATTEN_YAML_MAP) {
		if (anchor != NULL) {
			y->open = flatten_yaml_grow(y->open, y->nopen,
			    &y->capopen, sizeof(*y->open));
			y->open[y->nopen++] = y->nanchor - 1;
		}
		y->depth++;
	} else if (ev.kind == FLATTEN_YAML_END) {
		y->depth--;
		flatten_yaml_close(y);
	} else if (anchor != NULL)
		y->anchor[y->nanchor - 1].end = y->nlog;
	if (y->live)
		flatten_yaml_walk(y, &ev);
	return 0;
}

/* Reads the events of one document after its DOCUMENT-START; returns 0,
 * -1 (an error in the parser) or FLATTEN_YAML_CYCLE. */
static int
flatten_yaml_document(struct flatten_yaml *y)
{
	yaml_event_t e;
	int r;

	for (;;) {
		if (!yaml_parser_parse(&y->parser, &e))
			return -1;
		if (e.type == YAML_DOCUMENT_END_EVENT) {
			yaml_event_delete(&e);
			return 0;
		}
		r = flatten_yaml_event(y, &e);
		yaml_event_delete(&e);
		if (r != 0)
			return r;
	}
}

/* Parses the next event and returns its type, or -1 (error in the
 * parser); a DOCUMENT-START's mark goes to *mark. */
static int
flatten_yaml_next(struct flatten_yaml *y, yaml_mark_t *mark)
{
	yaml_event_t e;
	int type;

	if (!yaml_parser_parse(&y->parser, &e))
		return -1;
	type = (int)e.type;
	*mark = e.start_mark;
	yaml_event_delete(&e);
	return type;
}

/* One pass over the document: as flatten_yaml(), or FLATTEN_YAML_CYCLE. */
static int
flatten_yaml_pass(struct flatten_yaml *y, struct cerr *err)
{
	const char *name = y->o.name;
	yaml_mark_t mark;
	int r, type;

	errno = 0;
	if (flatten_yaml_next(y, &mark) < 0 ||
	    (type = flatten_yaml_next(y, &mark)) < 0)
		goto parse_error;
	if (type == YAML_STREAM_END_EVENT)
		return 0;
	if ((r = flatten_yaml_document(y)) != 0)
		goto document_error;
	/* A second document is an error, not silently dropped. */
	y->doc2 = true;
	y->live = false;
	y->anchor_base = y->nanchor;
	errno = 0;
	if ((type = flatten_yaml_next(y, &mark)) < 0)
		goto parse_error;
	if (type != YAML_STREAM_END_EVENT) {
		if ((r = flatten_yaml_document(y)) != 0)
			goto document_error;
		return cerr_set(err, "%s:%zu:%zu: more than one document", name,
		    mark.line + 1, mark.column + 1);
	}
	if (y->root_scalar)
		return cerr_set(err,
		    "%s:%zu:%zu: the top level must be a map or a list", name,
		    y->root_line, y->root_col);
	if (y->record_all)
		flatten_yaml_replay(y, 0, y->nlog);
	if (!y->walking) {
		*err = y->werr;
		return -1;
	}
	return 0;
document_error:
	if (r == FLATTEN_YAML_CYCLE)
		return r;
parse_error:
	if (y->parser.error == YAML_MEMORY_ERROR ||
	    (y->parser.problem == NULL && errno == ENOMEM))
		return cerr_set(err, "%s: out of memory", name);
	if (y->parser.context != NULL)
		return cerr_set(err, "%s:%zu:%zu: %s %s", name,
		    y->parser.problem_mark.line + 1,
		    y->parser.problem_mark.column + 1, y->parser.problem,
		    y->parser.context);
	return cerr_set(err, "%s:%zu:%zu: %s", name,
	    y->parser.problem_mark.line + 1, y->parser.problem_mark.column + 1,
	    y->parser.problem != NULL ? y->parser.problem : "parse error");
}

int
flatten_yaml(const char *name, const char *data, size_t len, struct kv *kv,
    struct cerr *err)
{
	struct flatten_yaml *y = xmalloc(sizeof(*y));
	int pass, r = -1;

	for (pass = 0; pass < 2; pass++) {
		memset(y, 0, sizeof(*y));
		y->o = (struct flatten_out){name, kv, {0}, 0, &y->werr};
		y->walking = true;
		y->live = pass == 0;
		y->record_all = pass == 1;
		if (!yaml_parser_initialize(&y->parser)) {
			r = cerr_set(err, "%s: out of memory", name);
			break;
		}
		yaml_parser_set_input_string(&y->parser,
		    (const unsigned char *)data, len);
		r = flatten_yaml_pass(y, err);
		yaml_parser_delete(&y->parser);
		buf_free(&y->o.path);
		while (y->nkept > 0)
			free(y->kept[--y->nkept]);
		free(y->kept);
		free(y->log);
		free(y->anchor);
		free(y->open);
		if (r != FLATTEN_YAML_CYCLE)
			break;
	}
	free(y);
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
