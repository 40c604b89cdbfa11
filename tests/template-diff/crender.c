/* crender: renders differential-test cases with confinit's engine. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cerr.h"
#include "template/template.h"
#include "xmalloc.h"

/* One key/value pair of the snapshot. */
struct pair {
	char *key;
	char *value;
};

/* The kv snapshot of the data file, sorted by key. */
struct snapshot {
	struct pair *pairs;
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

/* Orders pairs by key for qsort. */
static int
pair_cmp(const void *a, const void *b)
{
	return strcmp(((const struct pair *)a)->key,
	    ((const struct pair *)b)->key);
}

/* tmpl_kv_ops.get: a binary search over the sorted keys. */
static const char *
snap_get(void *ctx, const char *key)
{
	struct snapshot *s = ctx;
	struct pair want = {(char *)key, NULL}, *p;

	p = bsearch(&want, s->pairs, s->n, sizeof *s->pairs, pair_cmp);
	return p != NULL ? p->value : NULL;
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
		if (strncmp(s->pairs[i].key, prefix, plen) != 0)
			continue;
		if ((rc = fn(arg, s->pairs[i].key, s->pairs[i].value)) != 0)
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
		free(tc->kv.pairs[i].key);
		free(tc->kv.pairs[i].value);
	}
	free(tc->kv.pairs);
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
	void *it;
	json_t *v;

	if (obj == NULL)
		return 0;
	if (!json_is_object(obj))
		return cerr_set(err, "kv: not an object");
	tc->kv.pairs = xcalloc(json_object_size(obj) + 1, sizeof *tc->kv.pairs);
	for (it = json_object_iter(obj); it != NULL;
	     it = json_object_iter_next(obj, it)) {
		k = json_object_iter_key(it);
		v = json_object_iter_value(it);
		if (!json_is_string(v))
			return cerr_set(err, "kv: %s: not a string", k);
		while (*k == '/')
			k++;
		tc->kv.pairs[tc->kv.n].key = xstrdup(k);
		tc->kv.pairs[tc->kv.n].value = xstrdup(json_string_value(v));
		tc->kv.n++;
	}
	qsort(tc->kv.pairs, tc->kv.n, sizeof *tc->kv.pairs, pair_cmp);
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
	void *it;

	if (obj == NULL)
		return 0;
	if (!json_is_object(obj))
		return cerr_set(err, "%s: not an object", what);
	vec = xcalloc(2 * json_object_size(obj) + 1, sizeof *vec);
	*out = vec;
	for (it = json_object_iter(obj); it != NULL;
	     it = json_object_iter_next(obj, it)) {
		k = json_object_iter_key(it);
		v = json_object_iter_value(it);
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
		tc->delims[0] =
		    xstrdup(json_string_value(json_array_get(v, 0)));
		tc->delims[1] =
		    xstrdup(json_string_value(json_array_get(v, 1)));
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

/*
 * Renders the template file tpath with the data file dpath to stdout.
 * Returns 0, 1 (the engine failed: message on stderr) or 2 (bad input).
 */
static int
render_one(const char *tpath, const char *dpath)
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

	if (case_load(&tc, dpath, &err) == -1 ||
	    (text = read_file(tpath, &len, &err)) == NULL) {
		fprintf(stderr, "crender: %s\n", err.msg);
		goto out;
	}
	name = strrchr(tpath, '/');
	opts.name = name != NULL ? name + 1 : tpath;
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
		rc = 2;
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

/* Points descriptor to at a new file path; -1 on failure. */
static int
redirect(int to, const char *path)
{
	int fd;

	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)) ==
	    -1)
		return -1;
	if (dup2(fd, to) == -1) {
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

/* Writes a short text file; -1 on failure. */
static int
write_text(const char *path, const char *text)
{
	size_t len = strlen(text);
	int fd, rc = 0;

	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)) ==
	    -1)
		return -1;
	if (write(fd, text, len) != (ssize_t)len)
		rc = -1;
	close(fd);
	return rc;
}

/* Orders directory entry names for qsort. */
static int
name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * Renders one case in a child process, so that a crash or a hang (10 s)
 * costs that case only: OUTDIR/NAME.c (output), NAME.c.err (message) and
 * NAME.c.rc (exit status; 128+N for signal N).
 */
static int
batch_one(const char *corpus, const char *outdir, const char *file)
{
	char *stem, *tpath, *dpath, *opath, *epath, *rpath, *rc;
	int status, ret = -1;
	pid_t pid;

	stem = xstrndup(file, strlen(file) - strlen(".tmpl"));
	tpath = xasprintf("%s/%s", corpus, file);
	dpath = xasprintf("%s/%s.json", corpus, stem);
	if (access(dpath, F_OK) == -1) {
		free(dpath);
		dpath = xasprintf("%s/default.json", corpus);
	}
	opath = xasprintf("%s/%s.c", outdir, stem);
	epath = xasprintf("%s/%s.c.err", outdir, stem);
	rpath = xasprintf("%s/%s.c.rc", outdir, stem);
	fflush(stdout);
	fflush(stderr);
	if ((pid = fork()) == -1)
		goto out;
	if (pid == 0) {
		alarm(10);
		if (redirect(STDOUT_FILENO, opath) == -1 ||
		    redirect(STDERR_FILENO, epath) == -1)
			_exit(2);
		/* exit(), not _exit(): LeakSanitizer checks at exit. */
		exit(render_one(tpath, dpath));
	}
	while (waitpid(pid, &status, 0) == -1)
		if (errno != EINTR)
			goto out;
	if (WIFSIGNALED(status))
		rc = xasprintf("%d\n", 128 + WTERMSIG(status));
	else
		rc = xasprintf("%d\n", WEXITSTATUS(status));
	ret = write_text(rpath, rc);
	free(rc);
out:
	free(stem);
	free(tpath);
	free(dpath);
	free(opath);
	free(epath);
	free(rpath);
	return ret;
}

/* Renders every CORPUS/NAME.tmpl into OUTDIR, one child per case. */
static int
batch(const char *corpus, const char *outdir)
{
	struct dirent *de;
	char **names = NULL;
	size_t n = 0, i;
	int rc = 0;
	DIR *d;

	if ((d = opendir(corpus)) == NULL) {
		fprintf(stderr, "crender: %s: %s\n", corpus, strerror(errno));
		return 2;
	}
	while ((de = readdir(d)) != NULL) {
		size_t len = strlen(de->d_name);

		if (len <= 5 || strcmp(de->d_name + len - 5, ".tmpl") != 0)
			continue;
		names = xreallocarray(names, n + 1, sizeof *names);
		names[n++] = xstrdup(de->d_name);
	}
	closedir(d);
	qsort(names, n, sizeof *names, name_cmp);
	for (i = 0; i < n; i++) {
		if (rc == 0 && batch_one(corpus, outdir, names[i]) == -1) {
			fprintf(stderr, "crender: %s: %s\n", names[i],
			    strerror(errno));
			rc = 2;
		}
		free(names[i]);
	}
	free(names);
	return rc;
}

/*
 * crender TEMPLATE DATA.json: one case to stdout.
 * crender -batch CORPUS OUTDIR: every case, as batch() describes.
 */
int
main(int argc, char **argv)
{
	if (argc == 4 && strcmp(argv[1], "-batch") == 0)
		return batch(argv[2], argv[3]);
	if (argc != 3) {
		fprintf(stderr, "usage: crender TEMPLATE DATA.json\n"
				"       crender -batch CORPUS OUTDIR\n");
		return 2;
	}
	return render_one(argv[1], argv[2]);
}
