/*
 * The confd dialect's template functions: memkv's store functions (getv,
 * ls, ...) and confd's function map. confd shows keys with a leading '/'
 * ("/app/db/host"); a key or path written without one is read as if it
 * had one (confd would find nothing).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "template/funcs_common.h"

#define SEQ_MAX 1000000 /* longest list seq builds */

/* Returns the snapshot key of a confd key: leading '/'s dropped. */
static const char *
snap_key(const char *s)
{
	while (*s == '/')
		s++;
	return s;
}

/* Returns memkv's KVPair record {Key, Value}; key gets its leading '/'. */
static struct tval
kvpair(struct tarena *a, const char *key, const char *value)
{
	struct tval r = tval_record_new(a, "memkv.KVPair");
	size_t n = strlen(key);
	char *k = tarena_alloc(a, n + 2);

	k[0] = '/';
	memcpy(k + 1, key, n + 1);
	tval_record_add(a, r, "Key", tval_strn(k, n + 1));
	tval_record_add(a, r, "Value", tval_str(value));
	return r;
}

/* Fails as memkv does for a missing key, recording it as missing. */
static int
fail_missing(struct tmpl_call *c, const char *key)
{
	tmpl_call_dep_missing(c, snap_key(key));
	return tmpl_call_fail(c, "key does not exist: %s", key);
}

/*
 * getv KEY [DEFAULT...]: the value; without DEFAULT a missing key fails.
 * As memkv's GetValue(key, v ...string), defaults past the first are
 * ignored.
 */
static int
fn_getv(struct tmpl_call *c, size_t argc, const struct tval *argv,
    struct tval *ret)
{
	const char *key = argv[0].u.s.p, *v;

	v = tmpl_call_kv_get(c, snap_key(key));
	if (v != NULL)
		*ret = tval_str(v);
	else if (argc > 1)
		*ret = argv[1];
	else
		return fail_missing(c, key);
	return 0;
}

/* get KEY: the KVPair; a missing key fails. */
static int
fn_get(struct tmpl_call *c, size_t argc, const struct tval *argv,
    struct tval *ret)
{
	const char *key = argv[0].u.s.p, *v;

	v = tmpl_call_kv_get(c, snap_key(key));
	if (v == NULL)
		return fail_missing(c, key);
	*ret = kvpair(tmpl_call_arena(c), snap_key(key), v);
	return 0;
}

/* exists KEY: whether the key exists. */
static int
fn_exists(struct tmpl_call *c, size_t argc, const struct tval *argv,
    struct tval *ret)
{
	*ret = tval_bool(tmpl_call_kv_get(c, snap_key(argv[0].u.s.p)) != NULL);
	return 0;
}

/*
 * Go's path.Match on chunks: matches chunk against the start of s.
 * Returns 1 and sets *rest on a match, 0 on none, -1 on a bad pattern.
 */
static int
glob_chunk(const char *chunk, size_t cn, const char *s, size_t sn, size_t *rest)
{
	const unsigned char *p = (const unsigned char *)chunk;
	bool failed = false, negated, match;
	uint32_t r, lo, hi;
	size_t i = 0, si = 0, nrange;

	while (i < cn) {
		if (!failed && si == sn)
			failed = true;
		switch (p[i]) {
		case '[':
			r = 0;
			if (!failed)
				r = (unsigned char)s[si++];
			i++;
			negated = i < cn && p[i] == '^';
			i += negated;
			match = false;
			for (nrange = 0;; nrange++) {
				if (i < cn && p[i] == ']' && nrange > 0) {
					i++;
					break;
				}
				if (i >= cn || p[i] == '-' || p[i] == ']')
					return -1;
				if (p[i] == '\\' && ++i >= cn)
					return -1;
				lo = hi = p[i++];
				if (i >= cn)
					return -1;
				if (p[i] == '-') {
					i++;
					if (i >= cn || p[i] == '-' ||
					    p[i] == ']')
						return -1;
					if (p[i] == '\\' && ++i >= cn)
						return -1;
					hi = p[i++];
					if (i >= cn)
						return -1;
				}
				if (lo <= r && r <= hi)
					match = true;
			}
			if (match == negated)
				failed = true;
			break;
		case '?':
			if (!failed) {
				if (s[si] == '/')
					failed = true;
				si++;
			}
			i++;
			break;
		case '\\':
			if (++i >= cn)
				return -1;
			/* FALLTHROUGH */
		default:
			if (!failed) {
				if (p[i] != (unsigned char)s[si])
					failed = true;
				si++;
			}
			i++;
			break;
		}
	}
	if (failed)
		return 0;
	*rest = si;
	return 1;
}

/* Splits the next chunk off pattern p[*i..n); returns whether a '*' led. */
static bool
glob_scan(const char *p, size_t n, size_t *i, size_t *start, size_t *len)
{
	bool star = false, inrange = false;
	size_t j;

	while (*i < n && p[*i] == '*') {
		(*i)++;
		star = true;
	}
	for (j = *i; j < n; j++) {
		if (p[j] == '\\' && j + 1 < n)
			j++;
		else if (p[j] == '[')
			inrange = true;
		else if (p[j] == ']')
			inrange = false;
		else if (p[j] == '*' && !inrange)
			break;
	}
	*start = *i;
	*len = j - *i;
	*i = j;
	return star;
}

/*
 * Go's path.Match(pattern, name) (ASCII classes): 1 match, 0 none, -1 a
 * malformed pattern.
 */
static int
glob_match(const char *pat, const char *name)
{
	size_t pn = strlen(pat), nn = strlen(name), i = 0, start, len, rest;
	size_t k;
	bool star;
	int rc;

	while (i < pn) {
		star = glob_scan(pat, pn, &i, &start, &len);
		if (star && len == 0)
			return memchr(name, '/', nn) == NULL;
		rc = glob_chunk(pat + start, len, name, nn, &rest);
		if (rc == 1 && (rest == nn || i < pn)) {
			name += rest, nn -= rest;
			continue;
		}
		if (rc < 0)
			return -1;
		if (star) {
			for (k = 0; k < nn && name[k] != '/'; k++) {
				rc = glob_chunk(pat + start, len, name + k + 1,
				    nn - k - 1, &rest);
				if (rc == 1) {
					if (i == pn && rest < nn - k - 1)
						continue;
					name += k + 1 + rest;
					nn -= k + 1 + rest;
					goto next;
				}
				if (rc < 0)
					return -1;
			}
		}
		while (i < pn) {
			glob_scan(pat, pn, &i, &start, &len);
			if (glob_chunk(pat + start, len, "", 0, &rest) < 0)
				return -1;
		}
		return 0;
	next:;
	}
	return nn == 0;
}

/* State of getvs/gets: the pattern and what matched. */
struct glob_walk {
	struct tmpl_call *c;
	const char *pattern;
	struct tval list;
	bool pairs; /* KVPairs, else values */
	bool bad;
};

/* Adds one key when "/"+key matches the pattern. */
static int
glob_add(void *arg, const char *key, const char *value)
{
	struct glob_walk *w = arg;
	struct tarena *a = tmpl_call_arena(w->c);
	char *full = xasprintf("/%s", key);
	int rc = glob_match(w->pattern, full);

	free(full);
	if (rc < 0) {
		w->bad = true;
		return 1;
	}
	if (rc == 1)
		tval_list_push(a, w->list,
		    w->pairs ? kvpair(a, key, value) : tval_str(value));
	return 0;
}

/* Compares two strings bytewise, for qsort. */
static int
cmp_str(const void *x, const void *y)
{
	const struct tval *a = x, *b = y;
	size_t n = a->u.s.len < b->u.s.len ? a->u.s.len : b->u.s.len;
	int c = memcmp(a->u.s.p, b->u.s.p, n);

	if (c != 0)
		return c;
	return (a->u.s.len > b->u.s.len) - (a->u.s.len < b->u.s.len);
}

/* Moves the malloc'd string s into the render's arena. */
static const char *
arena_own(struct tmpl_call *c, char *s)
{
	struct tval v = tval_str_copy(tmpl_call_arena(c), s, strlen(s));

	free(s);
	return v.u.s.p;
}

/*
 * getvs PATTERN (op 0): the values of the keys matching PATTERN, sorted;
 * gets PATTERN (op 1): their KVPairs, by key.
 */
static int
fn_glob(struct tmpl_call *c, size_t argc, const struct tval *argv,
    struct tval *ret)
{
	bool pairs = tmpl_call_op(c) != 0;
	struct glob_walk w = {.c = c, .pairs = pairs};
	const char *pat = argv[0].u.s.p;
	char *prefix;
	size_t n;

	if (pat[0] != '/') /* read as if it had its leading '/' */
		pat = arena_own(c, xasprintf("/%s", pat));
	w.pattern = pat;
	w.list = tval_list_new(tmpl_call_arena(c));
	/* Only keys under the pattern's literal head can match. */
	n = strcspn(pat, "*?[\\");
	prefix = xstrndup(snap_key(pat), n - (size_t)(snap_key(pat) - pat));
	tmpl_call_kv_walk(c, prefix, glob_add, &w);
	free(prefix);
	if (!w.bad && glob_match(pat, "") < 0)
		w.bad = true;
	if (w.bad)
		return tmpl_call_fail(c, "syntax error in pattern");
	if (!pairs && w.list.u.list->len > 1)
		qsort(w.list.u.list->items, w.list.u.list->len,
		    sizeof(struct tval), cmp_str);
	*ret = w.list;
	return 0;
}

/* Splits a cleaned path into at most max '/'-separated terms. */
static size_t
path_terms(const char *p, const char **t, size_t *tl, size_t max)
{
	size_t n = 0;
	const char *slash;

	for (;;) {
		slash = strchr(p, '/');
		if (n == max)
			return n + 1; /* more than max */
		t[n] = p;
		tl[n] = slash != NULL ? (size_t)(slash - p) : strlen(p);
		n++;
		if (slash == NULL)
			return n;
		p = slash + 1;
	}
}

#define TERMS_MAX 256

/* State of ls/lsdir. */
struct ls_walk {
	struct tmpl_call *c;
	const char *path; /* as given, with a leading '/' */
	const char *terms[TERMS_MAX];
	size_t tlen[TERMS_MAX];
	size_t nterms;
	bool dir;
	bool root;	   /* PATH is "/" */
	struct tval names; /* map used as a set */
};

/* memkv's samePrefixTerms(prefix, test) for the terms of a cleaned path. */
static bool
ls_prefix(struct ls_walk *w, const char *clean, const char **next,
    size_t *nextlen, size_t *ntest)
{
	const char *t[TERMS_MAX + 1];
	size_t tl[TERMS_MAX + 1], n, i;

	n = path_terms(clean, t, tl, TERMS_MAX);
	*ntest = n;
	if (n < w->nterms)
		return false;
	for (i = 0; i < w->nterms; i++) {
		if (tl[i] != w->tlen[i] ||
		    memcmp(t[i], w->terms[i], tl[i]) != 0)
			return false;
	}
	if (n > w->nterms && n <= TERMS_MAX) {
		*next = t[w->nterms];
		*nextlen = tl[w->nterms];
	}
	return true;
}

/* Adds the child name of one key to the ls/lsdir set. */
static int
ls_add(void *arg, const char *key, const char *value)
{
	struct ls_walk *w = arg;
	struct tarena *a = tmpl_call_arena(w->c);
	struct buf full = {0}, dir = {0}, name = {0};
	const char *next = NULL, *rest;
	size_t plen = strlen(w->path), nextlen = 0, ntest;

	buf_printf(&full, "/%s", key);
	funcs_path_dir(&dir, full.data, full.len);
	if (w->root) {
		/*
		 * memkv finds nothing under "/" but root leaves (its terms of
		 * "/" are ["", ""]); list the top level, as a user expects.
		 */
		if ((!w->dir || strchr(key, '/') != NULL) && key[0] != '/' &&
		    key[0] != '\0')
			buf_append(&name, key, strcspn(key, "/"));
	} else if (!w->dir && strcmp(full.data, w->path) == 0) {
		funcs_path_base(&name, full.data, full.len);
	} else if (!w->dir) {
		if (ls_prefix(w, dir.data, &next, &nextlen, &ntest)) {
			rest = full.data;
			if (strncmp(rest, w->path, plen) == 0)
				rest += plen;
			if (*rest == '/')
				rest++;
			buf_append(&name, rest, strcspn(rest, "/"));
		}
	} else if (strncmp(full.data, w->path, plen) == 0 &&
		   ls_prefix(w, dir.data, &next, &nextlen, &ntest) &&
		   ntest > w->nterms && next != NULL) {
		buf_append(&name, next, nextlen);
	}
	if (name.data != NULL)
		tval_map_set(a, w->names, name.data, tval_bool(true));
	buf_free(&full);
	buf_free(&dir);
	buf_free(&name);
	return 0;
}

/*
 * ls PATH (op 0): memkv's List, the names of the keys and directories
 * right under PATH; lsdir PATH (op 1): ListDir, the directories only.
 * Names sorted and unique.
 */
static int
fn_ls(struct tmpl_call *c, size_t argc, const struct tval *argv,
    struct tval *ret)
{
	struct ls_walk w = {.c = c, .dir = tmpl_call_op(c) != 0};
	struct tarena *a = tmpl_call_arena(c);
	struct buf clean = {0};
	const char *p = argv[0].u.s.p;
	char *path;
	size_t i;

	path = xasprintf("%s%s", p[0] == '/' ? "" : "/", p);
	w.path = path;
	funcs_path_clean(&clean, path, strlen(path));
	w.nterms = path_terms(clean.data, w.terms, w.tlen, TERMS_MAX);
	w.root = strcmp(clean.data, "/") == 0;
	w.names = tval_map_new(a);
	if (w.nterms <= TERMS_MAX)
		tmpl_call_kv_walk(c, snap_key(clean.data), ls_add, &w);
	*ret = tval_list_new(a);
	for (i = 0; i < w.names.u.map->len; i++)
		tval_list_push(a, *ret, tval_str(w.names.u.map->e[i].key));
	buf_free(&clean);
	free(path);
	return 0;
}

/*
 * json S (op TV_MAP): a JSON object as a map; jsonArray S (op TV_LIST): a
 * JSON array as a list. With Go's type errors.
 */
static int
fn_json(struct tmpl_call *c, size_t argc, const struct tval *argv,
    struct tval *ret)
{
	static const char *const names[] = {"null", "bool", "number", "number",
	    "string", "array", "object", "object"};
	enum tval_kind want = (enum tval_kind)tmpl_call_op(c);
	char err[512];

	if (funcs_json_parse(tmpl_call_arena(c), argv[0].u.s.p, argv[0].u.s.len,
		ret, err, sizeof(err)) < 0)
		return tmpl_call_fail(c, "%s", err);
	if (ret->kind == TV_NIL) /* null: Go's nil map or slice */
		*ret = want == TV_MAP ? tval_map_new(tmpl_call_arena(c))
				      : tval_list_new(tmpl_call_arena(c));
	if (ret->kind != want)
		return tmpl_call_fail(c,
		    "json: cannot unmarshal %s into Go value of type %s",
		    names[ret->kind],
		    want == TV_MAP ? "map[string]interface {}"
				   : "[]interface {}");
	return 0;
}

/* map K V ...: a map of the pairs; keys must be strings. */
static int
fn_map(struct tmpl_call *c, size_t argc, const struct tval *argv,
    struct tval *ret)
{
	size_t i;

	if (argc % 2 != 0)
		return tmpl_call_fail(c, "invalid map call");
	*ret = tval_map_new(tmpl_call_arena(c));
	for (i = 0; i < argc; i += 2) {
		if (argv[i].kind != TV_STRING)
			return tmpl_call_fail(c, "map keys must be strings");
		tval_map_set(tmpl_call_arena(c), *ret, argv[i].u.s.p,
		    argv[i + 1]);
	}
	return 0;
}

/* getenv NAME [DEFAULT...]: the variable; DEFAULT when unset or empty. */
static int
fn_getenv(struct tmpl_call *c, size_t argc, const struct tval *argv,
    struct tval *ret)
{
	const char *v = tmpl_call_getenv(c, argv[0].u.s.p);

	if (v == NULL || *v == '\0')
		*ret = argc > 1 ? argv[1] : tval_str("");
	else
		*ret = tval_str(v);
	return 0;
}

/*
 * datetime: the current time as Go's Time.String() prints it, in UTC
 * ("2006-01-02 15:04:05.999999999 +0000 UTC"). Go returns a time.Time
 * whose methods (.Format) templates may call; values here have no
 * methods, so only printing it works.
 */
static int
fn_datetime(struct tmpl_call *c, size_t argc, const struct tval *argv,
    struct tval *ret)
{
	static const char layout[] = "2006-01-02 15:04:05.999999999 -0700 MST";
	struct buf b = {0};
	struct timespec ts;
	struct tm tm;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	funcs_time_format(&b, layout, sizeof(layout) - 1, &tm, ts.tv_nsec);
	*ret = funcs_str_buf(c, &b);
	return 0;
}

/* contains S SUBSTR: strings.Contains. */
static int
fn_contains(struct tmpl_call *c, size_t argc, const struct tval *argv,
    struct tval *ret)
{
	*ret = tval_bool(memmem(argv[0].u.s.p, argv[0].u.s.len, argv[1].u.s.p,
			     argv[1].u.s.len) != NULL);
	return 0;
}

/* fileExists PATH: false only when stat says it does not exist. */
static int
fn_file_exists(struct tmpl_call *c, size_t argc, const struct tval *argv,
    struct tval *ret)
{
	struct stat st;

	*ret = tval_bool(stat(argv[0].u.s.p, &st) == 0 || errno != ENOENT);
	return 0;
}

/* parseBool S: strconv.ParseBool ("" is an error). */
static int
fn_parse_bool(struct tmpl_call *c, size_t argc, const struct tval *argv,
    struct tval *ret)
{
	const char *s = argv[0].u.s.p;
	size_t n = argv[0].u.s.len;
	bool b;
	int rc;

	if ((rc = funcs_parse_bool(s, n, &b)) != FUNCS_OK)
		return funcs_fail_strconv(c, NULL, "ParseBool", s, n, rc);
	*ret = tval_bool(b);
	return 0;
}

/* True when every item of list l is a memkv.KVPair record. */
static bool
all_pairs(struct tval l)
{
	size_t i;

	for (i = 0; i < l.u.list->len; i++) {
		if (l.u.list->items[i].kind != TV_RECORD ||
		    strcmp(tval_type(l.u.list->items[i]), "memkv.KVPair") != 0)
			return false;
	}
	return true;
}

/* True when every item of list l is a string. */
static bool
all_strings(struct tval l)
{
	size_t i;

	for (i = 0; i < l.u.list->len; i++) {
		if (l.u.list->items[i].kind != TV_STRING)
			return false;
	}
	return true;
}

/*
 * reverse LIST: a list of strings or of KVPairs reversed; anything else
 * unchanged. Go reverses in place and only []string and []KVPair (not
 * the KVPairs of gets); here a reversed copy, for both.
 */
static int
fn_reverse(struct tmpl_call *c, size_t argc, const struct tval *argv,
    struct tval *ret)
{
	size_t i, n;

	*ret = argv[0];
	if (argv[0].kind != TV_LIST ||
	    !(all_strings(argv[0]) || all_pairs(argv[0])))
		return 0;
	*ret = tval_list_new(tmpl_call_arena(c));
	n = argv[0].u.list->len;
	for (i = 0; i < n; i++)
		tval_list_push(tmpl_call_arena(c), *ret,
		    argv[0].u.list->items[n - 1 - i]);
	return 0;
}

/* Returns the length sortByLength/sortKVByLength compares. */
static size_t
sort_len(struct tval v)
{
	struct tval k;

	if (v.kind == TV_STRING)
		return v.u.s.len;
	return tval_lookup(v, "Key", 3, &k) ? k.u.s.len : 0;
}

/* Returns a copy of list l sorted by sort_len (stable). */
static struct tval
sort_by_len(struct tmpl_call *c, struct tval l)
{
	struct tval out = tval_list_new(tmpl_call_arena(c)), tmp;
	struct tval *it;
	size_t i, j;

	for (i = 0; i < l.u.list->len; i++)
		tval_list_push(tmpl_call_arena(c), out, l.u.list->items[i]);
	it = out.u.list->items;
	for (i = 1; i < out.u.list->len; i++) {
		for (j = i; j > 0 && sort_len(it[j]) < sort_len(it[j - 1]);
		     j--) {
			tmp = it[j];
			it[j] = it[j - 1];
			it[j - 1] = tmp;
		}
	}
	return out;
}

/* sortByLength LIST: strings, shortest first. */
static int
fn_sort_by_length(struct tmpl_call *c, size_t argc, const struct tval *argv,
    struct tval *ret)
{
	*ret = sort_by_len(c, argv[0]);
	return 0;
}

/* sortKVByLength PAIRS: KVPairs, shortest key first. */
static int
fn_sort_kv_by_length(struct tmpl_call *c, size_t argc, const struct tval *argv,
    struct tval *ret)
{
	if (argv[0].kind != TV_LIST || !all_pairs(argv[0]))
		return tmpl_call_fail_type(c, 0, "[]memkv.KVPair", argv[0]);
	*ret = sort_by_len(c, argv[0]);
	return 0;
}

/*
 * seq FIRST LAST: the integers FIRST..LAST. Capped at SEQ_MAX elements
 * (an error past it), where Go would try to allocate them all.
 */
static int
fn_seq(struct tmpl_call *c, size_t argc, const struct tval *argv,
    struct tval *ret)
{
	int64_t first = argv[0].u.i, last = argv[1].u.i, i;

	if (last >= first && (uint64_t)last - (uint64_t)first >= SEQ_MAX)
		return tmpl_call_fail(c, "seq: more than %d elements", SEQ_MAX);
	*ret = tval_list_new(tmpl_call_arena(c));
	for (i = first; i <= last; i++)
		tval_list_push(tmpl_call_arena(c), *ret, tval_int(i));
	return 0;
}

const struct tmpl_func tmpl_funcs_confd[] = {
    {"getv", 1, -1, fn_getv, "ss", 0},
    {"getvs", 1, 1, fn_glob, "s", 0},
    {"get", 1, 1, fn_get, "s", 0},
    {"gets", 1, 1, fn_glob, "s", 1},
    {"ls", 1, 1, fn_ls, "s", 0},
    {"lsdir", 1, 1, fn_ls, "s", 1},
    {"exists", 1, 1, fn_exists, "s", 0},
    {"json", 1, 1, fn_json, "s", TV_MAP},
    {"jsonArray", 1, 1, fn_json, "s", TV_LIST},
    {"base", 1, 1, funcs_fn_str, "s", STR_PATH_BASE},
    {"dir", 1, 1, funcs_fn_str, "s", STR_PATH_DIR},
    {"split", 2, 2, funcs_fn_split, "ss", 0},
    {"join", 2, 2, funcs_fn_join, "Ls", 1},
    {"map", 0, -1, fn_map, "v", 0},
    {"getenv", 1, -1, fn_getenv, "ss", 0},
    {"datetime", 0, 0, fn_datetime, NULL, 0},
    {"toUpper", 1, 1, funcs_fn_str, "s", STR_UPPER},
    {"toLower", 1, 1, funcs_fn_str, "s", STR_LOWER},
    {"contains", 2, 2, fn_contains, "ss", 0},
    {"replace", 4, 4, funcs_fn_replace, "sssi", 0},
    {"trimSuffix", 2, 2, funcs_fn_trim, "ss", TRIM_SUFFIX | TRIM_S_FIRST},
    {"fileExists", 1, 1, fn_file_exists, "s", 0},
    {"base64Encode", 1, 1, funcs_fn_str, "s", STR_BASE64},
    {"base64Decode", 1, 1, funcs_fn_base64_decode, "s", 0},
    {"parseBool", 1, 1, fn_parse_bool, "s", 0},
    {"reverse", 1, 1, fn_reverse, "v", 0},
    {"sortByLength", 1, 1, fn_sort_by_length, "L", 0},
    {"sortKVByLength", 1, 1, fn_sort_kv_by_length, "v", 0},
    {"add", 2, 2, funcs_fn_int_op, "ii", '+'},
    {"sub", 2, 2, funcs_fn_int_op, "ii", '-'},
    {"div", 2, 2, funcs_fn_int_op, "ii", '/'},
    {"mod", 2, 2, funcs_fn_int_op, "ii", '%'},
    {"mul", 2, 2, funcs_fn_int_op, "ii", '*'},
    {"seq", 2, 2, fn_seq, "ii", 0},
    {"atoi", 1, 1, funcs_fn_atoi, "s", 0},
    {NULL, 0, 0, NULL, NULL, 0},
};
