/* The consul-template dialect's template functions. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/param.h>
#include <time.h>
#include <unistd.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <yaml.h>

#include "template/funcs_common.h"
#include "template/gofmt.h"

#define FILE_MAX (64u << 20) /* largest file `file` reads */
#define YAML_DEPTH_MAX 512   /* nesting limit of parseYAML */

/* Returns the key of a user-written path: leading '/'s dropped. */
static const char *
key_path(const char *s)
{
	while (*s == '/')
		s++;
	return s;
}

/* key PATH: the value, or "" and a missing dependency. */
static int
fn_key(struct tmpl_call *c, size_t argc, const struct tval *argv,
    struct tval *ret)
{
	const char *s = argv[0].u.s.p;
	size_t n = argv[0].u.s.len;
	const char *key, *v;

	*ret = tval_str("");
	if (n == 0)
		return 0;
	key = key_path(s);
	v = tmpl_call_kv_get(c, key);
	if (v == NULL)
		tmpl_call_dep_missing(c, key);
	else
		*ret = tval_str(v);
	return 0;
}

/* keyExists PATH: whether the key exists (never waits for it). */
static int
fn_key_exists(struct tmpl_call *c, size_t argc, const struct tval *argv,
    struct tval *ret)
{
	const char *s = argv[0].u.s.p;
	size_t n = argv[0].u.s.len;

	*ret = tval_bool(n > 0 && tmpl_call_kv_get(c, key_path(s)) != NULL);
	return 0;
}

/* keyOrDefault PATH DEFAULT: the value, DEFAULT when missing or empty. */
static int
fn_key_or_default(struct tmpl_call *c, size_t argc, const struct tval *argv,
    struct tval *ret)
{
	const char *s = argv[0].u.s.p, *v;
	size_t n = argv[0].u.s.len;

	*ret = argv[1];
	if (n == 0)
		return 0;
	v = tmpl_call_kv_get(c, key_path(s));
	if (v != NULL && *v != '\0')
		*ret = tval_str(v);
	return 0;
}

/* State of a prefix listing. */
struct list_walk {
	struct tmpl_call *c;
	struct tval list;
	size_t plen;
	bool tree; /* all descendants, else direct leaves */
};

/* Adds one listed key as a KeyPair when ls/tree keep it. */
static int
list_add(void *arg, const char *path, const char *value)
{
	struct list_walk *w = arg;
	const char *key = path + w->plen;
	size_t n;

	while (*key == '/')
		key++;
	n = strlen(key);
	if (n == 0 || (w->tree ? key[n - 1] == '/' : strchr(key, '/') != NULL))
		return 0;
	tval_list_push(tmpl_call_arena(w->c), w->list,
	    tval_keypair_n(tmpl_call_arena(w->c), path,
		(size_t)(key - path) + n, key, n, value));
	return 0;
}

/* The ops of fn_list: ls, safeLs, tree, safeTree. */
#define LIST_TREE 1 /* every key under the prefix, else direct leaves */
#define LIST_SAFE 2 /* an empty listing is a missing dependency */

/*
 * ls PREFIX: KeyPairs of the leaves directly under PREFIX; tree PREFIX:
 * of every key under PREFIX; safeLs, safeTree: the same, but an empty
 * listing is a missing dependency.
 */
static int
fn_list(struct tmpl_call *c, size_t argc, const struct tval *argv,
    struct tval *ret)
{
	struct list_walk w = {.c = c, .tree = tmpl_call_op(c) & LIST_TREE};
	bool safe = tmpl_call_op(c) & LIST_SAFE;
	const char *s = argv[0].u.s.p, *prefix;
	size_t n = argv[0].u.s.len;

	w.list = tval_list_new(tmpl_call_arena(c));
	*ret = w.list;
	if (n == 0)
		return 0;
	prefix = key_path(s);
	w.plen = strlen(prefix);
	tmpl_call_kv_walk(c, prefix, list_add, &w);
	if (safe && w.list.u.list->len == 0)
		tmpl_call_dep_missing(c, prefix);
	return 0;
}

/* Checks that v is a list of KeyPairs ([]*dependency.KeyPair). */
static int
arg_pairs(struct tmpl_call *c, struct tval v)
{
	struct tval k, val;
	size_t i;

	if (v.kind != TV_LIST)
		return tmpl_call_fail_type(c, 0, "[]*dependency.KeyPair", v);
	for (i = 0; i < v.u.list->len; i++) {
		if (!tval_lookup(v.u.list->items[i], "Key", 3, &k) ||
		    !tval_lookup(v.u.list->items[i], "Value", 5, &val) ||
		    k.kind != TV_STRING || val.kind != TV_STRING)
			return tmpl_call_fail_type(c, 0,
			    "[]*dependency.KeyPair", v);
	}
	return 0;
}

/* Returns field name (a string) of the record r. */
static struct tval
pair_field(struct tval r, const char *name)
{
	struct tval v = tval_str("");

	tval_lookup(r, name, strlen(name), &v);
	return v;
}

/* explode PAIRS: nests a tree listing into maps by its '/'s. */
static int
fn_explode(struct tmpl_call *c, size_t argc, const struct tval *argv,
    struct tval *ret)
{
	struct tarena *a = tmpl_call_arena(c);
	struct tval root, cur, next, key, value;
	struct buf q1 = {0}, q2 = {0}, q3 = {0};
	const char *k, *p, *slash;
	char *top;
	size_t i;
	int rc;

	if (arg_pairs(c, argv[0]) < 0)
		return -1;
	root = tval_map_new(a);
	for (i = 0; i < argv[0].u.list->len; i++) {
		key = pair_field(argv[0].u.list->items[i], "Key");
		value = pair_field(argv[0].u.list->items[i], "Value");
		cur = root;
		k = p = key.u.s.p;
		while ((slash = strchr(k, '/')) != NULL) {
			top = tarena_strndup(a, k, (size_t)(slash - k));
			if (!tval_lookup(cur, top, strlen(top), &next)) {
				next = tval_map_new(a);
				tval_map_set(a, cur, top, next);
			}
			if (next.kind != TV_MAP) {
				gofmt_quote(&q1, p, strlen(p), false);
				gofmt_quote(&q2, top, strlen(top), false);
				gofmt_value(&q3, next, 'q', 0);
				rc = tmpl_call_fail(c,
				    "explode: not a map: %s: %s already has "
				    "value %s",
				    q1.data, q2.data, q3.data);
				buf_free(&q1);
				buf_free(&q2);
				buf_free(&q3);
				return rc;
			}
			p = k;
			k = slash + 1;
			cur = next;
		}
		if (*k != '\0')
			tval_map_set(a, cur, k, value);
	}
	*ret = root;
	return 0;
}

/* byKey PAIRS: pairs grouped by their first path element. */
static int
fn_by_key(struct tmpl_call *c, size_t argc, const struct tval *argv,
    struct tval *ret)
{
	struct tarena *a = tmpl_call_arena(c);
	struct tval m, group, item, key;
	const char *slash;
	char *top;
	size_t i;

	if (arg_pairs(c, argv[0]) < 0)
		return -1;
	m = tval_map_new(a);
	for (i = 0; i < argv[0].u.list->len; i++) {
		item = argv[0].u.list->items[i];
		key = pair_field(item, "Key");
		slash = strchr(key.u.s.p, '/');
		if (slash == NULL || slash[1] == '\0')
			continue;
		top = tarena_strndup(a, key.u.s.p, (size_t)(slash - key.u.s.p));
		if (!tval_lookup(m, top, strlen(top), &group)) {
			group = tval_map_new(a);
			tval_map_set(a, m, top, group);
		}
		tval_map_set(a, group, slash + 1,
		    tval_keypair(a, pair_field(item, "Path").u.s.p, slash + 1,
			pair_field(item, "Value").u.s.p));
	}
	*ret = m;
	return 0;
}

/* env NAME: the variable, or "". */
static int
fn_env(struct tmpl_call *c, size_t argc, const struct tval *argv,
    struct tval *ret)
{
	const char *s = argv[0].u.s.p;
	const char *v;

	v = tmpl_call_getenv(c, s);
	*ret = tval_str(v != NULL ? v : "");
	return 0;
}

/* envOrDefault NAME DEFAULT: the variable when set, else DEFAULT. */
static int
fn_env_or_default(struct tmpl_call *c, size_t argc, const struct tval *argv,
    struct tval *ret)
{
	const char *v = tmpl_call_getenv(c, argv[0].u.s.p);

	*ret = v != NULL ? tval_str(v) : argv[1];
	return 0;
}

/* mustEnv NAME: the variable; an error when it is unset or empty. */
static int
fn_must_env(struct tmpl_call *c, size_t argc, const struct tval *argv,
    struct tval *ret)
{
	const char *s = argv[0].u.s.p;
	const char *v;

	v = tmpl_call_getenv(c, s);
	if (v == NULL || *v == '\0')
		return tmpl_call_fail(c,
		    "required environment variable %s is empty", s);
	*ret = tval_str(v);
	return 0;
}

/* file PATH: the file's contents ("" for ""); records the file. */
static int
fn_file(struct tmpl_call *c, size_t argc, const struct tval *argv,
    struct tval *ret)
{
	const char *path = argv[0].u.s.p;
	size_t n = argv[0].u.s.len;
	struct buf b = {.cap = FILE_MAX};
	char chunk[16384], msg[256];
	ssize_t r;
	int fd, rc = -1;

	*ret = tval_str("");
	if (n == 0)
		return 0;
	tmpl_call_dep_file(c, path);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(msg, sizeof(msg), "%s", strerror(errno));
		msg[0] = (char)tolower((unsigned char)msg[0]);
		return tmpl_call_fail(c, "file: open %s: %s", path, msg);
	}
	for (;;) {
		r = read(fd, chunk, sizeof(chunk));
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			rc = tmpl_call_fail(c, "file: read %s: %s", path,
			    strerror(errno));
			goto out;
		}
		if (r == 0)
			break;
		if (buf_append(&b, chunk, (size_t)r) < 0) {
			rc = tmpl_call_fail(c, "file: %s: larger than %u bytes",
			    path, FILE_MAX);
			goto out;
		}
	}
	*ret = funcs_str_buf(c, &b);
	rc = 0;
out:
	close(fd);
	buf_free(&b);
	return rc;
}

/*
 * consul-template's `in`: l is a list holding v (ints with ints, floats
 * with floats, strings with strings), or a string containing the string v.
 */
static bool
in_value(struct tval l, struct tval v)
{
	struct tval it;
	size_t i;

	if (l.kind == TV_STRING)
		return v.kind == TV_STRING &&
		       memmem(l.u.s.p, l.u.s.len, v.u.s.p, v.u.s.len) != NULL;
	if (l.kind != TV_LIST)
		return false;
	for (i = 0; i < l.u.list->len; i++) {
		it = l.u.list->items[i];
		if (it.kind != v.kind)
			continue;
		if ((it.kind == TV_INT && it.u.i == v.u.i) ||
		    (it.kind == TV_FLOAT && it.u.f == v.u.f) ||
		    (it.kind == TV_STRING && it.u.s.len == v.u.s.len &&
			memcmp(it.u.s.p, v.u.s.p, v.u.s.len) == 0))
			return true;
	}
	return false;
}

/* The ops of fn_contains_some. */
#define SOME_RET_TRUE 1
#define SOME_INVERT 2

/*
 * containsAll VALUES L: every value is in L; containsAny: some is;
 * containsNone: none is; containsNotAll: some is not (consul-template's
 * containsSomeFunc(retTrue, invert)).
 */
static int
fn_contains_some(struct tmpl_call *c, size_t argc, const struct tval *argv,
    struct tval *ret)
{
	bool ret_true = tmpl_call_op(c) & SOME_RET_TRUE;
	bool invert = tmpl_call_op(c) & SOME_INVERT;
	size_t i;

	if (argv[0].kind != TV_LIST)
		return tmpl_call_fail_type(c, 0, "[]interface {}", argv[0]);
	for (i = 0; i < argv[0].u.list->len; i++) {
		if (in_value(argv[1], argv[0].u.list->items[i]) != invert) {
			*ret = tval_bool(!ret_true);
			return 0;
		}
	}
	*ret = tval_bool(ret_true);
	return 0;
}

/*
 * in LIST VALUE (op 0): whether LIST (or a string) holds VALUE; contains
 * VALUE LIST (op 1): the same with the arguments swapped, for pipes.
 */
static int
fn_in(struct tmpl_call *c, size_t argc, const struct tval *argv,
    struct tval *ret)
{
	int l = tmpl_call_op(c);

	*ret = tval_bool(in_value(argv[l], argv[1 - l]));
	return 0;
}

/* indent N S: prefixes every non-empty line of S with N spaces. */
static int
fn_indent(struct tmpl_call *c, size_t argc, const struct tval *argv,
    struct tval *ret)
{
	static const char pad[64] = "                                "
				    "                                ";
	int64_t spaces = argv[0].u.i;
	const char *s = argv[1].u.s.p;
	size_t n = argv[1].u.s.len, lines = 0, i, k;
	struct buf b = {0};
	bool sp = true;

	if (spaces < 0)
		return tmpl_call_fail(c,
		    "indent value must be a positive integer");
	for (i = 0; i < n; i++) {
		lines += sp && s[i] != '\n';
		sp = s[i] == '\n';
	}
	/* A huge N would build gigabytes before the output limit saw it. */
	if (lines > 0 && (n > FUNCS_MAX_STRING ||
			     (uint64_t)spaces > (FUNCS_MAX_STRING - n) / lines))
		return tmpl_call_fail(c, "indent: result larger than %d bytes",
		    FUNCS_MAX_STRING);
	sp = true;
	for (i = 0; i < n; i++) {
		if (sp && s[i] != '\n') {
			for (k = 0; k < (size_t)spaces; k += sizeof(pad))
				buf_append(&b, pad,
				    MIN(sizeof(pad), (size_t)spaces - k));
		}
		buf_append(&b, &s[i], 1);
		sp = s[i] == '\n';
	}
	*ret = funcs_str_buf(c, &b);
	return 0;
}

/* trimSpace S: leading and trailing Unicode white space removed. */
static int
fn_trim_space(struct tmpl_call *c, size_t argc, const struct tval *argv,
    struct tval *ret)
{
	const char *s = argv[0].u.s.p;
	size_t n = argv[0].u.s.len;

	s = funcs_trim_space(s, &n);
	*ret = tval_str_copy(tmpl_call_arena(c), s, n);
	return 0;
}

/* The ops of fn_parse: which strconv parser. */
enum { PARSE_BOOL, PARSE_FLOAT, PARSE_INT, PARSE_UINT };

/*
 * parseBool, parseFloat, parseInt (base 10, 64 bits), parseUint S: Go's
 * strconv; "" is false or 0. Values have no unsigned kind: a uint above
 * 2^63-1 is returned as its decimal string, which prints as Go's uint64.
 */
static int
fn_parse(struct tmpl_call *c, size_t argc, const struct tval *argv,
    struct tval *ret)
{
	static const char *const names[][2] = {{"parseBool", "ParseBool"},
	    {"parseFloat", "ParseFloat"}, {"parseInt", "ParseInt"},
	    {"parseUint", "ParseUint"}};
	const char *s = argv[0].u.s.p;
	size_t n = argv[0].u.s.len;
	int op = tmpl_call_op(c), rc = FUNCS_OK;
	bool b = false;
	double f = 0;
	int64_t i = 0;
	uint64_t u = 0;

	if (n > 0 && op == PARSE_BOOL)
		rc = funcs_parse_bool(s, n, &b);
	else if (n > 0 && op == PARSE_FLOAT)
		rc = funcs_parse_float(s, n, &f);
	else if (n > 0 && op == PARSE_INT)
		rc = funcs_parse_int(s, n, &i);
	else if (n > 0)
		rc = funcs_parse_uint(s, n, &u);
	if (rc != FUNCS_OK)
		return funcs_fail_strconv(c, names[op][0], names[op][1], s, n,
		    rc);
	if (op == PARSE_BOOL)
		*ret = tval_bool(b);
	else if (op == PARSE_FLOAT)
		*ret = tval_float(f);
	else if (op == PARSE_INT)
		*ret = tval_int(i);
	else
		*ret = u > INT64_MAX ? argv[0] : tval_int((int64_t)u);
	return 0;
}

/* parseJSON S: any JSON value ("" is an empty map); numbers are floats. */
static int
fn_parse_json(struct tmpl_call *c, size_t argc, const struct tval *argv,
    struct tval *ret)
{
	const char *s = argv[0].u.s.p;
	size_t n = argv[0].u.s.len;
	char err[512];

	if (n == 0) {
		*ret = tval_map_new(tmpl_call_arena(c));
		return 0;
	}
	if (funcs_json_parse(tmpl_call_arena(c), s, n, ret, err, sizeof(err)) <
	    0)
		return tmpl_call_fail(c, "%s", err);
	return 0;
}

/*
 * YAML 1.1 plain scalar resolution as gopkg.in/yaml.v2 does it, for
 * parseYAML (what a scalar becomes) and toYAML (whether a string can be
 * written plain). Returns the scalar's kind; sets *out for non-strings.
 */
static enum tval_kind
yaml_resolve(const char *s, size_t n, struct tval *out)
{
	static const char *const nulls[] = {"", "~", "null", "Null", "NULL"};
	static const char *const trues[] = {"y", "Y", "yes", "Yes", "YES", "on",
	    "On", "ON", "true", "True", "TRUE"};
	static const char *const falses[] = {"n", "N", "no", "No", "NO", "off",
	    "Off", "OFF", "false", "False", "FALSE"};
	char plain[128], *end;
	size_t i, k = 0, start;
	int base = 10;
	long long v;
	double f;

	for (i = 0; i < sizeof(nulls) / sizeof(nulls[0]); i++) {
		if (strlen(nulls[i]) == n && memcmp(s, nulls[i], n) == 0) {
			*out = tval_nil();
			return TV_NIL;
		}
	}
	for (i = 0; i < sizeof(trues) / sizeof(trues[0]); i++) {
		if (strlen(trues[i]) == n && memcmp(s, trues[i], n) == 0) {
			*out = tval_bool(true);
			return TV_BOOL;
		}
		if (strlen(falses[i]) == n && memcmp(s, falses[i], n) == 0) {
			*out = tval_bool(false);
			return TV_BOOL;
		}
	}
	if (n >= sizeof(plain) || n == 0 || !strchr("+-.0123456789", s[0]))
		return TV_STRING;
	start = (s[0] == '+' || s[0] == '-') ? 1 : 0;
	if (n - start == 4 && s[start] == '.' &&
	    (!strncmp(s + start + 1, "inf", 3) ||
		!strncmp(s + start + 1, "Inf", 3) ||
		!strncmp(s + start + 1, "INF", 3))) {
		*out = tval_float(s[0] == '-' ? -INFINITY : INFINITY);
		return TV_FLOAT;
	}
	if (n == 4 && (!strncmp(s, ".nan", 4) || !strncmp(s, ".NaN", 4) ||
			  !strncmp(s, ".NAN", 4))) {
		*out = tval_float(NAN);
		return TV_FLOAT;
	}
	/* Integers: Go's ParseInt(s without '_', 0, 64). */
	for (i = 0; i < n; i++) {
		if (s[i] != '_')
			plain[k++] = s[i];
	}
	plain[k] = '\0';
	i = start;
	if (k - i > 2 && plain[i] == '0' && strchr("xXoObB", plain[i + 1])) {
		base = strchr("xX", plain[i + 1])   ? 16
		       : strchr("oO", plain[i + 1]) ? 8
						    : 2;
		i += 2;
	} else if (k - i > 1 && plain[i] == '0') {
		base = 8;
	}
	if (i < k && plain[i] != '+' && plain[i] != '-') {
		errno = 0;
		v = strtoll(plain + i, &end, base);
		if (*end == '\0' && errno == 0 && end != plain + i) {
			*out = tval_int(plain[0] == '-' ? -v : v);
			return TV_INT;
		}
	}
	/* Floats: yaml.v2's yamlStyleFloat, then ParseFloat. */
	i = start;
	k = 0;
	if (s[i] == '.') {
		for (i++; i < n && s[i] >= '0' && s[i] <= '9'; i++)
			k++;
	} else {
		for (; i < n && s[i] >= '0' && s[i] <= '9'; i++)
			k++;
		if (k > 0 && i < n && s[i] == '.')
			for (i++; i < n && s[i] >= '0' && s[i] <= '9'; i++)
				;
	}
	if (k == 0)
		return TV_STRING;
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		i++;
		if (i < n && (s[i] == '+' || s[i] == '-'))
			i++;
		k = 0;
		for (; i < n && s[i] >= '0' && s[i] <= '9'; i++)
			k++;
		if (k == 0)
			return TV_STRING;
	}
	if (i != n || funcs_parse_float(s, n, &f) != FUNCS_OK)
		return TV_STRING;
	*out = tval_float(f);
	return TV_FLOAT;
}

/*
 * True when s looks like a YAML timestamp or sexagesimal number, which
 * yaml.v2 quotes although they decode as strings.
 */
static bool
yaml_quoted_string(const char *s, size_t n)
{
	size_t i = 0, d;

	while (i < n && s[i] >= '0' && s[i] <= '9')
		i++;
	if (i == 4 && i < n && s[i] == '-') {
		for (d = 0, i++; i < n && s[i] >= '0' && s[i] <= '9'; i++)
			d++;
		if (d >= 1 && d <= 2 && i < n && s[i] == '-') {
			for (d = 0, i++; i < n && s[i] >= '0' && s[i] <= '9';
			     i++)
				d++;
			if (d >= 1 && d <= 2 &&
			    (i == n || s[i] == 'T' || s[i] == 't' ||
				s[i] == ' '))
				return true;
		}
	}
	/* Sexagesimal: [-+]?[0-9][0-9_]*(:[0-5]?[0-9])+(\.[0-9_]*)? */
	i = (n > 0 && (s[0] == '-' || s[0] == '+')) ? 1 : 0;
	if (i >= n || s[i] < '0' || s[i] > '9')
		return false;
	while (i < n && ((s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
		i++;
	if (i >= n || s[i] != ':')
		return false;
	while (i < n && s[i] == ':') {
		i++;
		if (i < n && s[i] >= '0' && s[i] <= '5' && i + 1 < n &&
		    s[i + 1] >= '0' && s[i + 1] <= '9')
			i += 2;
		else if (i < n && s[i] >= '0' && s[i] <= '9')
			i++;
		else
			return false;
	}
	if (i < n && s[i] == '.')
		for (i++;
		     i < n && ((s[i] >= '0' && s[i] <= '9') || s[i] == '_');
		     i++)
			;
	return i == n;
}

/* A YAML anchor seen by parseYAML. */
struct yaml_anchor {
	char *name;
	struct tval val;
};

/* parseYAML state. */
struct yaml_in {
	yaml_parser_t p;
	struct tarena *a;
	struct yaml_anchor *anchors;
	size_t nanchors;
	char err[512];
};

/* Remembers an anchored node. */
static void
yaml_anchor_add(struct yaml_in *y, const yaml_char_t *name, struct tval v)
{
	if (name == NULL)
		return;
	y->anchors =
	    xreallocarray(y->anchors, y->nanchors + 1, sizeof(*y->anchors));
	y->anchors[y->nanchors].name = xstrdup((const char *)name);
	y->anchors[y->nanchors].val = v;
	y->nanchors++;
}

static int yaml_node(struct yaml_in *y, yaml_event_t *ev, int depth,
    struct tval *out);

/* Reads the next event; -1 with yaml.v2's message on a syntax error. */
static int
yaml_next(struct yaml_in *y, yaml_event_t *ev)
{
	if (yaml_parser_parse(&y->p, ev))
		return 0;
	if (y->p.error == YAML_MEMORY_ERROR) {
		snprintf(y->err, sizeof(y->err), "yaml: out of memory");
		return -1;
	}
	snprintf(y->err, sizeof(y->err), "yaml: line %zu: %s",
	    y->p.problem_mark.line + 1,
	    y->p.problem ? y->p.problem : "syntax error");
	return -1;
}

/* Builds the value of a mapping or sequence whose start event is ev. */
static int
yaml_collection(struct yaml_in *y, yaml_event_t *ev, int depth,
    struct tval *out)
{
	bool map = ev->type == YAML_MAPPING_START_EVENT;
	yaml_event_t next;
	struct tval key, val, ks;
	int rc;

	*out = map ? tval_map_new(y->a) : tval_list_new(y->a);
	yaml_anchor_add(y,
	    map ? ev->data.mapping_start.anchor
		: ev->data.sequence_start.anchor,
	    *out);
	for (;;) {
		if (yaml_next(y, &next) < 0)
			return -1;
		if (next.type == YAML_MAPPING_END_EVENT ||
		    next.type == YAML_SEQUENCE_END_EVENT) {
			yaml_event_delete(&next);
			return 0;
		}
		rc = yaml_node(y, &next, depth + 1, map ? &key : &val);
		yaml_event_delete(&next);
		if (rc < 0)
			return -1;
		if (!map) {
			tval_list_push(y->a, *out, val);
			continue;
		}
		if (key.kind == TV_LIST || key.kind == TV_MAP) {
			snprintf(y->err, sizeof(y->err),
			    "yaml: a mapping key must be a scalar here");
			return -1;
		}
		if (yaml_next(y, &next) < 0)
			return -1;
		rc = yaml_node(y, &next, depth + 1, &val);
		yaml_event_delete(&next);
		if (rc < 0)
			return -1;
		ks = tval_to_str(y->a, key);
		tval_map_set(y->a, *out, ks.u.s.p, val);
	}
}

/* Builds the value of the node starting with event ev. */
static int
yaml_node(struct yaml_in *y, yaml_event_t *ev, int depth, struct tval *out)
{
	const char *s, *tag;
	size_t n, i;

	if (depth > YAML_DEPTH_MAX) {
		snprintf(y->err, sizeof(y->err), "yaml: nested too deeply");
		return -1;
	}
	switch (ev->type) {
	case YAML_SCALAR_EVENT:
		s = (const char *)ev->data.scalar.value;
		n = ev->data.scalar.length;
		tag = (const char *)ev->data.scalar.tag;
		*out = tval_str_copy(y->a, s, n);
		if (ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
		    (tag == NULL || strcmp(tag, "!") != 0) &&
		    (tag == NULL || strcmp(tag, YAML_STR_TAG) != 0))
			yaml_resolve(s, n, out);
		yaml_anchor_add(y, ev->data.scalar.anchor, *out);
		return 0;
	case YAML_ALIAS_EVENT:
		for (i = y->nanchors; i > 0; i--) {
			if (strcmp(y->anchors[i - 1].name,
				(const char *)ev->data.alias.anchor) == 0) {
				*out = y->anchors[i - 1].val;
				return 0;
			}
		}
		snprintf(y->err, sizeof(y->err),
		    "yaml: unknown anchor '%s' referenced",
		    (const char *)ev->data.alias.anchor);
		return -1;
	case YAML_MAPPING_START_EVENT:
	case YAML_SEQUENCE_START_EVENT:
		return yaml_collection(y, ev, depth, out);
	default:
		snprintf(y->err, sizeof(y->err), "yaml: unexpected event");
		return -1;
	}
}

/*
 * parseYAML S: the first document of S ("" is an empty map), resolved as
 * gopkg.in/yaml.v2 does for interface{}: null, bools (yes/no/on/off too),
 * ints, floats, strings; timestamps stay strings. Differences from Go:
 * mapping keys become strings (Go keeps map[interface{}]interface{}), and
 * "<<" merge keys are not expanded.
 */
static int
fn_parse_yaml(struct tmpl_call *c, size_t argc, const struct tval *argv,
    struct tval *ret)
{
	const char *s = argv[0].u.s.p;
	size_t n = argv[0].u.s.len;
	struct yaml_in y = {.a = tmpl_call_arena(c)};
	yaml_event_t ev;
	size_t i;
	int rc = -1;

	if (n == 0) {
		*ret = tval_map_new(y.a);
		return 0;
	}
	*ret = tval_nil();
	if (!yaml_parser_initialize(&y.p))
		return tmpl_call_fail(c, "parseYAML: out of memory");
	yaml_parser_set_input_string(&y.p, (const unsigned char *)s, n);
	for (;;) {
		if (yaml_next(&y, &ev) < 0)
			goto out;
		if (ev.type == YAML_STREAM_END_EVENT) {
			yaml_event_delete(&ev);
			break;
		}
		if (ev.type == YAML_STREAM_START_EVENT ||
		    ev.type == YAML_DOCUMENT_START_EVENT) {
			yaml_event_delete(&ev);
			continue;
		}
		if (ev.type == YAML_DOCUMENT_END_EVENT) {
			yaml_event_delete(&ev);
			break; /* only the first document */
		}
		i = (size_t)yaml_node(&y, &ev, 0, ret);
		yaml_event_delete(&ev);
		if ((int)i < 0)
			goto out;
	}
	rc = 0;
out:
	if (rc < 0)
		rc = tmpl_call_fail(c, "%s", y.err);
	for (i = 0; i < y.nanchors; i++)
		free(y.anchors[i].name);
	free(y.anchors);
	yaml_parser_delete(&y.p);
	return rc;
}

/* libyaml output handler: appends to a struct buf. */
static int
yaml_write(void *data, unsigned char *p, size_t n)
{
	return buf_append(data, p, n) == 0;
}

/* Emits one scalar event; returns 0 or -1. */
static int
yaml_scalar(yaml_emitter_t *e, const char *s, size_t n,
    yaml_scalar_style_t style)
{
	yaml_event_t ev;

	/* The event copies s: it can run out of memory. */
	if (!yaml_scalar_event_initialize(&ev, NULL, NULL, (yaml_char_t *)s,
		(int)n, 1, 1, style)) {
		e->error = YAML_MEMORY_ERROR;
		return -1;
	}
	return yaml_emitter_emit(e, &ev) ? 0 : -1;
}

/* Emits a string the way yaml.v2 chooses its style. */
static int
yaml_string(yaml_emitter_t *e, const char *s, size_t n)
{
	struct tval dummy;
	yaml_scalar_style_t style = YAML_PLAIN_SCALAR_STYLE;

	if (memchr(s, '\n', n) != NULL)
		style = YAML_LITERAL_SCALAR_STYLE;
	else if (yaml_resolve(s, n, &dummy) != TV_STRING ||
		 yaml_quoted_string(s, n))
		style = YAML_DOUBLE_QUOTED_SCALAR_STYLE;
	return yaml_scalar(e, s, n, style);
}

/* yaml.v2's map key order: runs of digits compare as numbers. */
static bool
yaml_key_less(const char *a, const char *b)
{
	size_t i, ai, bi, j, la = strlen(a), lb = strlen(b);
	bool al, bl;
	long long an, bn;

	for (i = 0; i < la && i < lb; i++) {
		if (a[i] == b[i])
			continue;
		al = ((a[i] | 32) >= 'a' && (a[i] | 32) <= 'z') ||
		     (unsigned char)a[i] >= 0x80;
		bl = ((b[i] | 32) >= 'a' && (b[i] | 32) <= 'z') ||
		     (unsigned char)b[i] >= 0x80;
		if (al && bl)
			return (unsigned char)a[i] < (unsigned char)b[i];
		if (al || bl)
			return bl;
		an = bn = 0;
		if (a[i] == '0' || b[i] == '0') {
			for (j = i; j > 0 && a[j - 1] >= '0' && a[j - 1] <= '9';
			     j--) {
				if (a[j - 1] != '0') {
					an = bn = 1;
					break;
				}
			}
		}
		for (ai = i; ai < la && a[ai] >= '0' && a[ai] <= '9'; ai++)
			an = an * 10 + (a[ai] - '0');
		for (bi = i; bi < lb && b[bi] >= '0' && b[bi] <= '9'; bi++)
			bn = bn * 10 + (b[bi] - '0');
		if (an != bn)
			return an < bn;
		if (ai != bi)
			return ai < bi;
		return (unsigned char)a[i] < (unsigned char)b[i];
	}
	return la < lb;
}

static int yaml_emit(yaml_emitter_t *e, struct tval v, int depth);

/* Emits a map (keys in yaml.v2's order) or a record (lowercased names). */
static int
yaml_emit_map(yaml_emitter_t *e, struct tval v, int depth)
{
	const struct tmap *m = v.u.map;
	yaml_event_t ev;
	size_t i, j, *order, tmp;
	char name[64];
	int rc = -1;

	order = xcalloc(m->len + 1, sizeof(*order));
	for (i = 0; i < m->len; i++)
		order[i] = i;
	/* Insertion sort: maps are small and already nearly in order. */
	for (i = 1; v.kind == TV_MAP && i < m->len; i++) {
		for (j = i; j > 0 && yaml_key_less(m->e[order[j]].key,
					 m->e[order[j - 1]].key);
		     j--) {
			tmp = order[j];
			order[j] = order[j - 1];
			order[j - 1] = tmp;
		}
	}
	if (!yaml_mapping_start_event_initialize(&ev, NULL, NULL, 1,
		YAML_BLOCK_MAPPING_STYLE)) {
		e->error = YAML_MEMORY_ERROR;
		goto out;
	}
	if (!yaml_emitter_emit(e, &ev))
		goto out;
	for (i = 0; i < m->len; i++) {
		const char *key = m->e[order[i]].key;

		if (v.kind == TV_RECORD) {
			for (j = 0; j < sizeof(name) - 1 && key[j] != '\0'; j++)
				name[j] = (char)tolower((unsigned char)key[j]);
			name[j] = '\0';
			key = name;
		}
		if (yaml_string(e, key, strlen(key)) < 0 ||
		    yaml_emit(e, m->e[order[i]].val, depth + 1) < 0)
			goto out;
	}
	yaml_mapping_end_event_initialize(&ev);
	rc = yaml_emitter_emit(e, &ev) ? 0 : -1;
out:
	free(order);
	return rc;
}

/* Emits v as yaml.v2 marshals it. */
static int
yaml_emit(yaml_emitter_t *e, struct tval v, int depth)
{
	struct buf b = {0};
	yaml_event_t ev;
	size_t i;
	int rc;

	if (depth > YAML_DEPTH_MAX)
		return -1;
	switch (v.kind) {
	case TV_NIL:
		return yaml_scalar(e, "null", 4, YAML_PLAIN_SCALAR_STYLE);
	case TV_BOOL:
		return yaml_scalar(e, v.u.b ? "true" : "false", v.u.b ? 4 : 5,
		    YAML_PLAIN_SCALAR_STYLE);
	case TV_INT:
	case TV_FLOAT:
		if (v.kind == TV_INT)
			buf_printf(&b, "%lld", (long long)v.u.i);
		else if (isnan(v.u.f))
			buf_puts(&b, ".nan");
		else if (isinf(v.u.f))
			buf_puts(&b, v.u.f > 0 ? ".inf" : "-.inf");
		else
			gofmt_float_shortest(&b, v.u.f);
		rc = yaml_scalar(e, b.data, b.len, YAML_PLAIN_SCALAR_STYLE);
		buf_free(&b);
		return rc;
	case TV_STRING:
		return yaml_string(e, v.u.s.p, v.u.s.len);
	case TV_LIST:
		if (!yaml_sequence_start_event_initialize(&ev, NULL, NULL, 1,
			YAML_BLOCK_SEQUENCE_STYLE)) {
			e->error = YAML_MEMORY_ERROR;
			return -1;
		}
		if (!yaml_emitter_emit(e, &ev))
			return -1;
		for (i = 0; i < v.u.list->len; i++) {
			if (yaml_emit(e, v.u.list->items[i], depth + 1) < 0)
				return -1;
		}
		yaml_sequence_end_event_initialize(&ev);
		return yaml_emitter_emit(e, &ev) ? 0 : -1;
	case TV_MAP:
	case TV_RECORD:
		return yaml_emit_map(e, v, depth);
	}
	return -1;
}

/*
 * toYAML V: the value as gopkg.in/yaml.v2 marshals it (libyaml's emitter,
 * which yaml.v2 is a port of: block style, 2-space indent, 80-column
 * folding; strings quoted when they would read back as another type,
 * literal style for multi-line strings), trailing newline trimmed.
 * Differences: non-UTF-8 strings are not written as !!binary.
 */
static int
fn_to_yaml(struct tmpl_call *c, size_t argc, const struct tval *argv,
    struct tval *ret)
{
	struct buf b = {0};
	yaml_emitter_t e;
	yaml_event_t ev;
	const char *s;
	size_t n;
	int ok;

	if (!yaml_emitter_initialize(&e))
		return tmpl_call_fail(c, "toYAML: out of memory");
	yaml_emitter_set_output(&e, yaml_write, &b);
	yaml_emitter_set_unicode(&e, 1);
	yaml_stream_start_event_initialize(&ev, YAML_UTF8_ENCODING);
	ok = yaml_emitter_emit(&e, &ev);
	yaml_document_start_event_initialize(&ev, NULL, NULL, NULL, 1);
	ok = ok && yaml_emitter_emit(&e, &ev);
	ok = ok && yaml_emit(&e, argv[0], 0) == 0;
	yaml_document_end_event_initialize(&ev, 1);
	ok = ok && yaml_emitter_emit(&e, &ev);
	yaml_stream_end_event_initialize(&ev);
	ok = ok && yaml_emitter_emit(&e, &ev);
	ok = ok && yaml_emitter_flush(&e);
	if (!ok) {
		buf_free(&b);
		ok = e.error == YAML_MEMORY_ERROR;
		yaml_emitter_delete(&e);
		return tmpl_call_fail(c, "toYAML: %s",
		    ok ? "out of memory" : "cannot encode the value");
	}
	yaml_emitter_delete(&e);
	n = b.len;
	s = funcs_trim_space(b.data ? b.data : "", &n);
	*ret = tval_str_copy(tmpl_call_arena(c), s, n);
	buf_free(&b);
	return 0;
}

/*
 * toJSON V (op 0): encoding/json's Marshal; toJSONPretty V (op 1):
 * MarshalIndent with two spaces.
 */
static int
fn_to_json(struct tmpl_call *c, size_t argc, const struct tval *argv,
    struct tval *ret)
{
	bool pretty = tmpl_call_op(c) != 0;
	struct buf b = {0};
	char err[128];

	if (funcs_json_write(&b, argv[0], pretty, err, sizeof(err)) < 0) {
		buf_free(&b);
		return tmpl_call_fail(c, "%s: %s",
		    pretty ? "toJSONPretty" : "toJSON", err);
	}
	*ret = funcs_str_buf(c, &b);
	return 0;
}

/* True when re[j..n) starts with a quantifier. */
static bool
re_quantifier_at(const char *re, size_t n, size_t j)
{
	if (j >= n)
		return false;
	if (re[j] == '*' || re[j] == '+' || re[j] == '?')
		return true;
	return re[j] == '{' && j + 1 < n && re[j + 1] >= '0' &&
	       re[j + 1] <= '9';
}

/*
 * Copies the RE2 pattern re[0..n) to out for PCRE2: an anchor or word
 * boundary (^ $ \A \z \b \B) followed by a quantifier, which RE2 accepts
 * and PCRE2 rejects, is wrapped in a group.
 */
static void
re_translate(struct buf *out, const char *re, size_t n)
{
	bool in_class = false;
	size_t i = 0, w;

	while (i < n) {
		w = re[i] == '\\' && i + 1 < n ? 2 : 1;
		if (in_class) {
			if (w == 1 && re[i] == '[' && i + 1 < n &&
			    re[i + 1] == ':') {
				const char *end = strstr(re + i, ":]");

				w = end != NULL ? (size_t)(end + 2 - (re + i))
						: 1;
			} else if (w == 1 && re[i] == ']') {
				in_class = false;
			}
			buf_append(out, re + i, w);
			i += w;
			continue;
		}
		if (w == 1 && re[i] == '[') {
			in_class = true;
			buf_append(out, re + i, 1);
			i++;
			if (i < n && re[i] == '^')
				buf_append(out, re + i++, 1);
			if (i < n && re[i] == ']')
				buf_append(out, re + i++, 1);
			continue;
		}
		if (((w == 1 && (re[i] == '^' || re[i] == '$')) ||
			(w == 2 && strchr("AzbB", re[i + 1]) != NULL)) &&
		    re_quantifier_at(re, n, i + w)) {
			buf_puts(out, "(?:");
			buf_append(out, re + i, w);
			buf_puts(out, ")");
		} else {
			buf_append(out, re + i, w);
		}
		i += w;
	}
}

/*
 * Compiles a Go (RE2) regular expression with PCRE2. Options closest to
 * RE2: UTF-8, '.' does not match '\n', '$' only at the very end, invalid
 * UTF-8 in subjects allowed. Known differences from RE2: PCRE2 accepts
 * backreferences, lookaround, possessive quantifiers and \Z, which Go
 * rejects; Go's leftmost-first semantics match PCRE's, and \d \w \s \b
 * are ASCII in both; error messages are PCRE2's.
 */
static pcre2_code *
re_compile(struct tmpl_call *c, const char *re, size_t n)
{
	PCRE2_UCHAR msg[256];
	struct buf pat = {0};
	PCRE2_SIZE off;
	pcre2_code *code;
	int err;

	re_translate(&pat, re, n);
	code = pcre2_compile((PCRE2_SPTR)(pat.data ? pat.data : ""), pat.len,
	    PCRE2_UTF | PCRE2_MATCH_INVALID_UTF | PCRE2_DOLLAR_ENDONLY, &err,
	    &off, NULL);
	buf_free(&pat);
	if (code == NULL) {
		pcre2_get_error_message(err, msg, sizeof(msg));
		tmpl_call_fail(c,
		    "error parsing regexp: %s at offset %zu: `%s`",
		    (const char *)msg, (size_t)off, re);
	}
	return code;
}

/* regexMatch RE S: whether RE matches anywhere in S. */
static int
fn_regex_match(struct tmpl_call *c, size_t argc, const struct tval *argv,
    struct tval *ret)
{
	const char *re = argv[0].u.s.p;
	size_t rn = argv[0].u.s.len;
	const char *s = argv[1].u.s.p;
	size_t n = argv[1].u.s.len;
	pcre2_match_data *md;
	pcre2_code *code;
	int rc;

	if ((code = re_compile(c, re, rn)) == NULL)
		return -1;
	md = pcre2_match_data_create_from_pattern(code, NULL);
	rc = pcre2_match(code, (PCRE2_SPTR)s, n, 0, 0, md, NULL);
	pcre2_match_data_free(md);
	pcre2_code_free(code);
	*ret = tval_bool(rc >= 0);
	return 0;
}

/* Appends group g of the match ov (unset groups are empty). */
static void
re_group(struct buf *out, const char *s, const PCRE2_SIZE *ov, uint32_t ng,
    long g)
{
	if (g < 0 || (uint32_t)g >= ng || ov[2 * g] == PCRE2_UNSET)
		return;
	buf_append(out, s + ov[2 * g], ov[2 * g + 1] - ov[2 * g]);
}

/*
 * Appends the replacement tpl for one match, expanding $1, ${1}, $name,
 * ${name} and $$ as Go's Regexp.Expand does.
 */
static void
re_expand(struct buf *out, pcre2_code *code, const char *tpl, size_t tn,
    const char *s, const PCRE2_SIZE *ov, uint32_t ng)
{
	uint32_t count = 0, esize = 0, k;
	PCRE2_SPTR table = NULL;
	const char *name, *dollar;
	size_t i = 0, len, j;
	bool brace;
	long num;

	pcre2_pattern_info(code, PCRE2_INFO_NAMECOUNT, &count);
	pcre2_pattern_info(code, PCRE2_INFO_NAMEENTRYSIZE, &esize);
	pcre2_pattern_info(code, PCRE2_INFO_NAMETABLE, &table);
	while (i < tn) {
		dollar = memchr(tpl + i, '$', tn - i);
		if (dollar == NULL)
			break;
		buf_append(out, tpl + i, (size_t)(dollar - (tpl + i)));
		i = (size_t)(dollar - tpl) + 1;
		if (i < tn && tpl[i] == '$') {
			buf_puts(out, "$");
			i++;
			continue;
		}
		brace = i < tn && tpl[i] == '{';
		j = i + brace;
		name = tpl + j;
		while (j < tn &&
		       (tpl[j] == '_' || (tpl[j] >= '0' && tpl[j] <= '9') ||
			   ((tpl[j] | 32) >= 'a' && (tpl[j] | 32) <= 'z') ||
			   (unsigned char)tpl[j] >= 0x80))
			j++;
		len = (size_t)(tpl + j - name);
		if (len == 0 || (brace && (j >= tn || tpl[j] != '}'))) {
			buf_puts(out, "$"); /* malformed: a literal '$' */
			continue;
		}
		i = j + brace;
		num = 0;
		for (j = 0; j < len; j++) {
			if (name[j] < '0' || name[j] > '9' ||
			    num >= 100000000) {
				num = -1;
				break;
			}
			num = num * 10 + (name[j] - '0');
		}
		if (name[0] == '0' && len > 1)
			num = -1;
		if (num >= 0) {
			re_group(out, s, ov, ng, num);
			continue;
		}
		for (k = 0; k < count; k++) {
			PCRE2_SPTR e = table + (size_t)k * esize;

			if (strlen((const char *)e + 2) == len &&
			    memcmp(e + 2, name, len) == 0) {
				re_group(out, s, ov, ng, e[0] << 8 | e[1]);
				break;
			}
		}
	}
	buf_append(out, tpl + i, tn - i);
}

/* regexReplaceAll RE REPL S: Go's Regexp.ReplaceAllString. */
static int
fn_regex_replace_all(struct tmpl_call *c, size_t argc, const struct tval *argv,
    struct tval *ret)
{
	const char *re = argv[0].u.s.p;
	size_t rn = argv[0].u.s.len;
	const char *tpl = argv[1].u.s.p;
	size_t tn = argv[1].u.s.len;
	const char *s = argv[2].u.s.p;
	size_t n = argv[2].u.s.len;
	size_t last = 0, pos = 0, w;
	struct buf b = {0};
	pcre2_match_data *md;
	pcre2_code *code;
	PCRE2_SIZE *ov;
	int rc;

	if ((code = re_compile(c, re, rn)) == NULL)
		return -1;
	md = pcre2_match_data_create_from_pattern(code, NULL);
	ov = pcre2_get_ovector_pointer(md);
	while (pos <= n) {
		rc = pcre2_match(code, (PCRE2_SPTR)s, n, pos, 0, md, NULL);
		if (rc < 0)
			break;
		buf_append(&b, s + last, ov[0] - last);
		/* No replacement for an empty match right after a match. */
		if (ov[1] > last || ov[0] == 0)
			re_expand(&b, code, tpl, tn, s, ov,
			    pcre2_get_ovector_count(md));
		last = ov[1];
		/* Advance at least one UTF-8 character. */
		w = 1;
		if (pos < n && ((unsigned char)s[pos] & 0xc0) == 0xc0)
			while (pos + w < n &&
			       ((unsigned char)s[pos + w] & 0xc0) == 0x80 &&
			       w < 4)
				w++;
		pos = pos + w > ov[1] ? pos + w : ov[1];
	}
	buf_append(&b, s + last, n - last);
	pcre2_match_data_free(md);
	pcre2_code_free(code);
	*ret = funcs_str_buf(c, &b);
	return 0;
}

/* replaceAll FROM TO S: every FROM in S replaced by TO. */
static int
fn_replace_all(struct tmpl_call *c, size_t argc, const struct tval *argv,
    struct tval *ret)
{
	const char *f = argv[0].u.s.p;
	size_t fn = argv[0].u.s.len;
	const char *t = argv[1].u.s.p;
	size_t tn = argv[1].u.s.len;
	const char *s = argv[2].u.s.p;
	size_t n = argv[2].u.s.len;
	struct buf b = {0};

	funcs_replace(&b, s, n, f, fn, t, tn, -1);
	*ret = funcs_str_buf(c, &b);
	return 0;
}

/* timestamp [LAYOUT]: now in UTC, RFC 3339 or a Go layout or "unix". */
static int
fn_timestamp(struct tmpl_call *c, size_t argc, const struct tval *argv,
    struct tval *ret)
{
	const char *layout = "2006-01-02T15:04:05Z07:00";
	struct buf b = {0};
	struct timespec ts;
	struct tm tm;
	size_t n = strlen(layout);

	if (argc > 1)
		return tmpl_call_fail(c,
		    "timestamp: wrong number of arguments, expected 0 or 1, "
		    "but got %zu",
		    argc);
	if (argc == 1) {
		layout = argv[0].u.s.p;
		n = argv[0].u.s.len;
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	if (n == 4 && memcmp(layout, "unix", 4) == 0)
		buf_printf(&b, "%lld", (long long)ts.tv_sec);
	else
		funcs_time_format(&b, layout, n, &tm, ts.tv_nsec);
	*ret = funcs_str_buf(c, &b);
	return 0;
}

/* split SEP S: S trimmed and split at SEP; "" gives an empty list. */
static int
fn_split(struct tmpl_call *c, size_t argc, const struct tval *argv,
    struct tval *ret)
{
	const char *sep = argv[0].u.s.p;
	size_t sn = argv[0].u.s.len;
	const char *s = argv[1].u.s.p;
	size_t n = argv[1].u.s.len;

	s = funcs_trim_space(s, &n);
	if (n == 0) {
		*ret = tval_list_new(tmpl_call_arena(c));
		return 0;
	}
	*ret = funcs_split(tmpl_call_arena(c), s, n, sep, sn);
	return 0;
}

/* Arithmetic operations of consul-template's math functions. */
enum math_op { OP_ADD, OP_SUB, OP_MUL, OP_DIV, OP_MOD, OP_MIN, OP_MAX };

static const char *const math_names[] = {"add", "subtract", "multiply",
    "divide", "modulo", "minimum", "maximum"};

/* Fails with "NAME: unknown type for %q (%T)" about v. */
static int
math_unknown(struct tmpl_call *c, enum math_op op, struct tval v)
{
	struct buf q = {0};
	int rc;

	if (v.kind == TV_NIL)
		buf_puts(&q, "<invalid reflect.Value>");
	else
		gofmt_value(&q, v, 'q', 0);
	rc = tmpl_call_fail(c, "%s: unknown type for %s (%s)", math_names[op],
	    q.data ? q.data : "", tval_type(v));
	buf_free(&q);
	return rc;
}

/*
 * The math functions take (b, a) and compute a OP b, with Go's reflect
 * rules: int OP int is an int (wrapping, as Go), anything with a float is
 * a float; minimum/maximum return the chosen operand unchanged; modulo
 * takes ints only; integer division by zero is Go's runtime error.
 */
static int
fn_math(struct tmpl_call *c, size_t argc, const struct tval *argv,
    struct tval *ret)
{
	enum math_op op = (enum math_op)tmpl_call_op(c);
	struct tval b = argv[0], a = argv[1];
	double af, bf;
	uint64_t ua, ub;

	if (a.kind != TV_INT && a.kind != TV_FLOAT)
		return math_unknown(c, op, a);
	if (b.kind != TV_INT && b.kind != TV_FLOAT)
		return math_unknown(c, op, b);
	if (op == OP_MOD && b.kind == TV_FLOAT)
		return math_unknown(c, op, b);
	if (op == OP_MOD && a.kind == TV_FLOAT)
		return math_unknown(c, op, a);
	if (a.kind == TV_INT && b.kind == TV_INT) {
		ua = (uint64_t)a.u.i, ub = (uint64_t)b.u.i;
		switch (op) {
		case OP_ADD:
			*ret = tval_int((int64_t)(ua + ub));
			break;
		case OP_SUB:
			*ret = tval_int((int64_t)(ua - ub));
			break;
		case OP_MUL:
			*ret = tval_int((int64_t)(ua * ub));
			break;
		case OP_DIV:
		case OP_MOD:
			if (b.u.i == 0)
				return tmpl_call_fail(c,
				    "runtime error: integer divide by zero");
			if (b.u.i == -1) /* Go wraps INT64_MIN / -1 */
				*ret = tval_int(
				    op == OP_DIV ? (int64_t)(0 - ua) : 0);
			else
				*ret = tval_int(op == OP_DIV ? a.u.i / b.u.i
							     : a.u.i % b.u.i);
			break;
		case OP_MIN:
			*ret = a.u.i < b.u.i ? a : b;
			break;
		case OP_MAX:
			*ret = a.u.i > b.u.i ? a : b;
			break;
		}
		return 0;
	}
	af = a.kind == TV_INT ? (double)a.u.i : a.u.f;
	bf = b.kind == TV_INT ? (double)b.u.i : b.u.f;
	switch (op) {
	case OP_ADD:
		*ret = tval_float(af + bf);
		break;
	case OP_SUB:
		*ret = tval_float(af - bf);
		break;
	case OP_MUL:
		*ret = tval_float(af * bf);
		break;
	case OP_DIV:
		*ret = tval_float(af / bf);
		break;
	case OP_MIN:
		*ret = af < bf ? a : b;
		break;
	case OP_MAX:
		*ret = af > bf ? a : b;
		break;
	case OP_MOD:
		break;
	}
	return 0;
}

const struct tmpl_func tmpl_funcs_consul[] = {
    {"key", 1, 1, fn_key, "s", 0},
    {"keyExists", 1, 1, fn_key_exists, "s", 0},
    {"keyOrDefault", 2, 2, fn_key_or_default, "ss", 0},
    {"ls", 1, 1, fn_list, "s", 0},
    {"safeLs", 1, 1, fn_list, "s", LIST_SAFE},
    {"tree", 1, 1, fn_list, "s", LIST_TREE},
    {"safeTree", 1, 1, fn_list, "s", LIST_TREE | LIST_SAFE},
    {"env", 1, 1, fn_env, "s", 0},
    {"envOrDefault", 2, 2, fn_env_or_default, "ss", 0},
    {"mustEnv", 1, 1, fn_must_env, "s", 0},
    {"file", 1, 1, fn_file, "s", 0},
    {"base64Decode", 1, 1, funcs_fn_base64_decode, "s", B64_NAMED},
    {"base64Encode", 1, 1, funcs_fn_str, "s", STR_BASE64},
    {"base64URLDecode", 1, 1, funcs_fn_base64_decode, "s", B64_NAMED | B64_URL},
    {"base64URLEncode", 1, 1, funcs_fn_str, "s", STR_BASE64_URL},
    {"contains", 2, 2, fn_in, "vv", 1},
    {"containsAll", 2, 2, fn_contains_some, "vv", SOME_RET_TRUE | SOME_INVERT},
    {"containsAny", 2, 2, fn_contains_some, "vv", 0},
    {"containsNone", 2, 2, fn_contains_some, "vv", SOME_RET_TRUE},
    {"containsNotAll", 2, 2, fn_contains_some, "vv", SOME_INVERT},
    {"explode", 1, 1, fn_explode, "v", 0},
    {"in", 2, 2, fn_in, "vv", 0},
    {"indent", 2, 2, fn_indent, "is", 0},
    {"join", 2, 2, funcs_fn_join, "sL", 0},
    {"trimSpace", 1, 1, fn_trim_space, "s", 0},
    {"trimPrefix", 2, 2, funcs_fn_trim, "ss", 0},
    {"trimSuffix", 2, 2, funcs_fn_trim, "ss", TRIM_SUFFIX},
    {"parseBool", 1, 1, fn_parse, "s", PARSE_BOOL},
    {"parseFloat", 1, 1, fn_parse, "s", PARSE_FLOAT},
    {"parseInt", 1, 1, fn_parse, "s", PARSE_INT},
    {"parseUint", 1, 1, fn_parse, "s", PARSE_UINT},
    {"parseJSON", 1, 1, fn_parse_json, "s", 0},
    {"parseYAML", 1, 1, fn_parse_yaml, "s", 0},
    {"regexMatch", 2, 2, fn_regex_match, "ss", 0},
    {"regexReplaceAll", 3, 3, fn_regex_replace_all, "sss", 0},
    {"replaceAll", 3, 3, fn_replace_all, "sss", 0},
    {"sha256Hex", 1, 1, funcs_fn_str, "s", STR_SHA256},
    {"md5sum", 1, 1, funcs_fn_str, "s", STR_MD5},
    {"timestamp", 0, -1, fn_timestamp, "s", 0},
    {"toLower", 1, 1, funcs_fn_str, "s", STR_LOWER},
    {"toUpper", 1, 1, funcs_fn_str, "s", STR_UPPER},
    {"toTitle", 1, 1, funcs_fn_str, "s", STR_TITLE},
    {"toJSON", 1, 1, fn_to_json, "v", 0},
    {"toJSONPretty", 1, 1, fn_to_json, "v", 1},
    {"toYAML", 1, 1, fn_to_yaml, "v", 0},
    {"split", 2, 2, fn_split, "ss", 0},
    {"byKey", 1, 1, fn_by_key, "v", 0},
    {"add", 2, 2, fn_math, "vv", OP_ADD},
    {"subtract", 2, 2, fn_math, "vv", OP_SUB},
    {"multiply", 2, 2, fn_math, "vv", OP_MUL},
    {"divide", 2, 2, fn_math, "vv", OP_DIV},
    {"modulo", 2, 2, fn_math, "vv", OP_MOD},
    {"minimum", 2, 2, fn_math, "vv", OP_MIN},
    {"maximum", 2, 2, fn_math, "vv", OP_MAX},
    {NULL, 0, 0, NULL, NULL, 0},
};
