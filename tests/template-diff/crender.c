/* crender: renders one differential-test case with confinit's engine. */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cerr.h"
#include "template/template.h"
#include "xmalloc.h"

/* The kv snapshot of the data file, sorted by key. */
struct snapshot {
	char **keys;
	char **values;
	size_t n;
};

/* Everything one case needs, freed by case_free(). */
struct tcase {
	struct snapshot kv;
	char **env;
	char **fields;
	char *delims[2];
	enum tmpl_dialect dialect;
	int missing_error;
};

/* Orders key indexes by key for qsort. */
static int
key_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* tmpl_kv_ops.get: a binary search over the sorted keys. */
static const char *
snap_get(void *ctx, const char *key)
{
	struct snapshot *s = ctx;
	size_t lo = 0, hi = s->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(key, s->keys[mid]);

		if (c == 0)
			return s->values[mid];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

/* tmpl_kv_ops.walk: every key starting with prefix, in sorted order. */
static int
snap_walk(void *ctx, const char *prefix,
    int (*fn)(void *arg, const char *key, const char *value), void *arg)
{
	struct snapshot *s = ctx;
	size_t plen = strlen(prefix), i;
	int rc;

	for (i = 0; i < s->n; i++) {
		if (strncmp(s->keys[i], prefix, plen) != 0)
			continue;
		if ((rc = fn(arg, s->keys[i], s->values[i])) != 0)
			return rc;
	}
	return 0;
}

static const struct tmpl_kv_ops snap_ops = {snap_get, snap_walk};

/* Reads a whole file into a NUL-terminated string; NULL with err set. */
static char *
read_file(const char *path, size_t *len, struct cerr *err)
{
	struct buf b = {0};
	char chunk[8192];
	ssize_t n;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		cerr_set(err, "%s: %s", path, strerror(errno));
		return NULL;
	}
	buf_append(&b, "", 0);
	while ((n = read(fd, chunk, sizeof chunk)) != 0) {
		if (n == -1) {
			if (errno == EINTR)
				continue;
			cerr_set(err, "%s: %s", path, strerror(errno));
			close(fd);
			buf_free(&b);
			return NULL;
		}
		buf_append(&b, chunk, (size_t)n);
	}
	close(fd);
	*len = b.len;
	return buf_steal(&b);
}

/* Frees a NULL-terminated string vector. */
static void
strv_free(char **v)
{
	size_t i;

	for (i = 0; v != NULL && v[i] != NULL; i++)
		free(v[i]);
	free(v);
}

/* Frees what case_load() filled in. */
static void
case_free(struct tcase *tc)
{
	size_t i;

	for (i = 0; i < tc->kv.n; i++) {
		free(tc->kv.keys[i]);
		free(tc->kv.values[i]);
	}
	free(tc->kv.keys);
	free(tc->kv.values);
	strv_free(tc->env);
	strv_free(tc->fields);
	free(tc->delims[0]);
	free(tc->delims[1]);
}

/* Loads "kv": string values, keys without their leading '/', sorted. */
static int
load_kv(struct tcase *tc, json_t *obj, struct cerr *err)
{
	const char *k;
	json_t *v;
	char **keys;
	size_t n = 0, i;

	if (obj == NULL)
		return 0;
	if (!json_is_object(obj))
		return cerr_set(err, "kv: not an object");
	keys = xcalloc(json_object_size(obj) + 1, sizeof *keys);
	json_object_foreach(obj, k, v) {
		if (!json_is_string(v)) {
			free(keys);
			return cerr_set(err, "kv: %s: not a string", k);
		}
		keys[n++] = (char *)k;
	}
	qsort(keys, n, sizeof *keys, key_cmp);
	tc->kv.keys = xcalloc(n + 1, sizeof *tc->kv.keys);
	tc->kv.values = xcalloc(n + 1, sizeof *tc->kv.values);
	for (i = 0; i < n; i++) {
		const char *key = keys[i];

		tc->kv.values[i] = xstrdup(
		    json_string_value(json_object_get(obj, key)));
		while (*key == '/')
			key++;
		tc->kv.keys[i] = xstrdup(key);
	}
	tc->kv.n = n;
	free(keys);
	/* Stripping '/' can reorder: sort the pairs again by the new keys. */
	for (i = 1; i < n; i++) {
		size_t j = i;

		while (j > 0 && strcmp(tc->kv.keys[j - 1], tc->kv.keys[j]) > 0) {
			char *tk = tc->kv.keys[j], *tv = tc->kv.values[j];

			tc->kv.keys[j] = tc->kv.keys[j - 1];
			tc->kv.values[j] = tc->kv.values[j - 1];
			tc->kv.keys[j - 1] = tk;
			tc->kv.values[j - 1] = tv;
			j--;
		}
	}
	return 0;
}

/*
 * Loads a string object as a NULL-terminated vector: "NAME=value" entries
 * (pairs == 0) or name, value, name, value... (pairs == 1).
 */
static int
load_strings(char ***out, json_t *obj, int pairs, const char *what,
    struct cerr *err)
{
	const char *k;
	json_t *v;
	char **vec;
	size_t n = 0;

	if (obj == NULL)
		return 0;
	if (!json_is_object(obj))
		return cerr_set(err, "%s: not an object", what);
	vec = xcalloc(2 * json_object_size(obj) + 1, sizeof *vec);
	*out = vec;
	json_object_foreach(obj, k, v) {
		if (!json_is_string(v))
			return cerr_set(err,
			    "%s: %s: only string values can be passed to "
			    "confinit's engine",
			    what, k);
		if (pairs) {
			vec[n++] = xstrdup(k);
			vec[n++] = xstrdup(json_string_value(v));
		} else
			vec[n++] = xasprintf("%s=%s", k, json_string_value(v));
	}
	return 0;
}

/* Reads the case's data file (format: README.md) into tc. */
static int
case_load(struct tcase *tc, const char *path, struct cerr *err)
{
	json_error_t jerr;
	json_t *root, *v;
	const char *s;
	int rc = -1;

	if ((root = json_load_file(path, 0, &jerr)) == NULL)
		return cerr_set(err, "%s:%d:%d: %s", path, jerr.line,
		    jerr.column, jerr.text);
	if (!json_is_object(root)) {
		cerr_set(err, "%s: not an object", path);
		goto out;
	}
	s = json_string_value(json_object_get(root, "dialect"));
	if (s == NULL || strcmp(s, "consul-template") == 0)
		tc->dialect = TMPL_CONSUL;
	else if (strcmp(s, "confd") == 0)
		tc->dialect = TMPL_CONFD;
	else if (strcmp(s, "dockerize") == 0)
		tc->dialect = TMPL_DOCKERIZE;
	else {
		cerr_set(err, "%s: unknown dialect %s", path, s);
		goto out;
	}
	s = json_string_value(json_object_get(root, "missing"));
	if (s != NULL && strcmp(s, "error") == 0)
		tc->missing_error = 1;
	else if (s != NULL && strcmp(s, "default") != 0) {
		cerr_set(err, "%s: unknown missing mode %s", path, s);
		goto out;
	}
	if ((v = json_object_get(root, "delims")) != NULL) {
		if (!json_is_array(v) || json_array_size(v) != 2 ||
		    !json_is_string(json_array_get(v, 0)) ||
		    !json_is_string(json_array_get(v, 1))) {
			cerr_set(err, "%s: delims needs two strings", path);
			goto out;
		}
		tc->delims[0] = xstrdup(json_string_value(json_array_get(v, 0)));
		tc->delims[1] = xstrdup(json_string_value(json_array_get(v, 1)));
	}
	if (load_kv(tc, json_object_get(root, "kv"), err) == -1 ||
	    load_strings(&tc->env, json_object_get(root, "env"), 0, "env",
		err) == -1 ||
	    load_strings(&tc->fields, json_object_get(root, "fields"), 1,
		"fields", err) == -1) {
		cerr_prefix(err, "%s", path);
		goto out;
	}
	rc = 0;
out:
	json_decref(root);
	return rc;
}

/* Renders argv[1] with the data file argv[2] to stdout. */
int
main(int argc, char **argv)
{
	struct tcase tc = {0};
	struct tmpl_opts opts = {0};
	struct tmpl_data data = {0};
	struct tmpl *t = NULL;
	struct buf out = {0};
	struct cerr err = {{0}};
	const char *name;
	char *text = NULL;
	size_t len = 0;
	int rc = 2;

	if (argc != 3) {
		fprintf(stderr, "usage: crender TEMPLATE DATA.json\n");
		return 2;
	}
	if (case_load(&tc, argv[2], &err) == -1 ||
	    (text = read_file(argv[1], &len, &err)) == NULL) {
		fprintf(stderr, "crender: %s\n", err.msg);
		goto out;
	}
	name = strrchr(argv[1], '/');
	opts.name = name != NULL ? name + 1 : argv[1];
	opts.left_delim = tc.delims[0];
	opts.right_delim = tc.delims[1];
	opts.dialect = tc.dialect;
	opts.missing_error = tc.missing_error != 0;
	data.kv = &snap_ops;
	data.kv_ctx = &tc.kv;
	data.env = tc.env;
	data.fields = (const char *const *)tc.fields;
	rc = 1;
	if (tmpl_parse(&t, text, len, &opts, &err) == -1 ||
	    tmpl_render(t, &data, &out, NULL, &err) == -1) {
		fprintf(stderr, "%s\n", err.msg);
		goto out;
	}
	if (out.len > 0 && fwrite(out.data, 1, out.len, stdout) != out.len) {
		fprintf(stderr, "crender: write: %s\n", strerror(errno));
		goto out;
	}
	rc = fflush(stdout) == 0 ? 0 : 2;
out:
	tmpl_free(t);
	buf_free(&out);
	free(text);
	case_free(&tc);
	return rc;
}
