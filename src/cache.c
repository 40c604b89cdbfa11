/* The startup cache: the remote sources' last complete snapshot in one file,
 * so that the app can start while a config center is down. */
#include <errno.h>
#include <jansson.h>
#include <mbedtls/base64.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "cache.h"
#include "render.h"
#include "xmalloc.h"

/*
 * The file:
 *   {"version": 1, "saved_at": UNIX_SECONDS, "saved": "ISO 8601 UTC",
 *    "sources": {"NAME": {"url": "...", "keys": {"db/host": "x"},
 *                         "base64": {"a2V5": "dmFsdWU="}}}}
 * Keys and values that are valid UTF-8 are kept readable under "keys";
 * the others (values are bytes for etcd and Consul) go base64 under
 * "base64".
 */

/* base64 of the C string s; the caller frees it. */
static char *
cache_b64(const char *s)
{
	size_t len = strlen(s), olen = 0, cap = 4 * ((len + 2) / 3) + 1;
	char *out = xmalloc(cap);

	mbedtls_base64_encode((unsigned char *)out, cap, &olen,
	    (const unsigned char *)s, len);
	out[olen] = '\0';
	return out;
}

/* Decodes base64 s into a new C string; NULL when s is not base64 or
 * holds a NUL byte. */
static char *
cache_unb64(const char *s)
{
	size_t n = strlen(s), cap = n / 4 * 3 + 4, olen = 0;
	unsigned char *d = xmalloc(cap);

	if (mbedtls_base64_decode(d, cap, &olen, (const unsigned char *)s, n) !=
		0 ||
	    memchr(d, '\0', olen) != NULL) {
		free(d);
		return NULL;
	}
	d[olen] = '\0';
	return (char *)d;
}

/* What one source's entry is built into. */
struct cache_fill {
	json_t *keys, *b64;
};

/* One key of a snapshot into the entry. */
static int
cache_put(void *arg, const char *key, const char *value)
{
	struct cache_fill *f = arg;
	json_t *v = json_string(value);
	char *bk, *bv;

	/* set_new takes v even when it fails (a key that is not UTF-8). */
	if (v != NULL && json_object_set_new(f->keys, key, v) == 0)
		return 0;
	bk = cache_b64(key);
	bv = cache_b64(value);
	json_object_set_new(f->b64, bk, json_string(bv));
	free(bk);
	free(bv);
	return 0;
}

/* True when s is one the cache keeps. */
static bool
cache_keeps(const struct source *s, bool secrets)
{
	return s->ops->remote && (secrets || !s->secret);
}

int
cache_save(const char *path, struct source *const *src, size_t n, bool secrets,
    struct cerr *err)
{
	struct render_dest d = {.path = path,
	    .mode = 0600,
	    .create_dirs = true};
	struct cache_fill f;
	json_t *root, *all, *one;
	char when[32];
	size_t i, kept = 0;
	struct tm tm;
	time_t now;
	char *text;
	int rc;

	for (i = 0; i < n; i++) {
		if (src[i]->snap == NULL || src[i]->cached)
			return 0;
		kept += cache_keeps(src[i], secrets);
	}
	if (kept == 0)
		return 0;
	now = time(NULL);
	gmtime_r(&now, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	root = json_object();
	all = json_object();
	json_object_set_new(root, "version", json_integer(CACHE_VERSION));
	json_object_set_new(root, "saved_at", json_integer((json_int_t)now));
	json_object_set_new(root, "saved", json_string(when));
	for (i = 0; i < n; i++) {
		if (!cache_keeps(src[i], secrets))
			continue;
		f.keys = json_object();
		f.b64 = json_object();
		kv_walk(src[i]->snap, "", cache_put, &f);
		one = json_object();
		json_object_set_new(one, "url", json_string(src[i]->url));
		json_object_set_new(one, "keys", f.keys);
		if (json_object_size(f.b64) > 0)
			json_object_set_new(one, "base64", f.b64);
		else
			json_decref(f.b64);
		/* A name that is not UTF-8 cannot be a JSON key: skip it; the
		 * cache then lacks that source, which restore reports. */
		json_object_set_new(all, src[i]->name, one);
	}
	json_object_set_new(root, "sources", all);
	text = json_dumps(root, JSON_INDENT(1) | JSON_SORT_KEYS);
	json_decref(root);
	if (text == NULL)
		return cerr_set(err, "cache %s: cannot encode the snapshot",
		    path);
	rc = render_write(&d, text, strlen(text), err);
	free(text);
	if (rc < 0)
		return cerr_prefix(err, "cache %s", path);
	return 1;
}

/* Reads one source's entry into a new kv; NULL with err. */
static struct kv *
cache_entry(json_t *one, struct cerr *err)
{
	json_t *keys, *b64, *v;
	const char *k;
	char *dk, *dv;
	struct kv *kv;

	keys = json_object_get(one, "keys");
	b64 = json_object_get(one, "base64");
	if (!json_is_object(one) || !json_is_object(keys) ||
	    (b64 != NULL && !json_is_object(b64))) {
		cerr_set(err, "not an object with \"keys\"");
		return NULL;
	}
	kv = kv_new();
	json_object_foreach(keys, k, v)
	{
		if (!json_is_string(v)) {
			kv_free(kv);
			cerr_set(err, "the value of \"%.200s\" is not a string",
			    k);
			return NULL;
		}
		kv_set(kv, k, json_string_value(v));
	}
	json_object_foreach(b64, k, v)
	{
		dk = cache_unb64(k);
		dv = json_is_string(v) ? cache_unb64(json_string_value(v))
				       : NULL;
		if (dk == NULL || dv == NULL) {
			free(dk);
			free(dv);
			kv_free(kv);
			cerr_set(err, "bad base64 entry");
			return NULL;
		}
		kv_set(kv, dk, dv);
		free(dk);
		free(dv);
	}
	return kv;
}

/* Checks the outer object of a cache named name; *sources is borrowed. */
static int
cache_check(const char *name, json_t *root, json_t **sources, int64_t *saved_at,
    struct cerr *err)
{
	json_t *ver = json_object_get(root, "version"),
	       *at = json_object_get(root, "saved_at");

	*sources = json_object_get(root, "sources");
	if (!json_is_integer(ver) || json_integer_value(ver) != CACHE_VERSION ||
	    !json_is_integer(at) || !json_is_object(*sources))
		return cerr_set(err,
		    "cache %s: not a confinit cache (version %d with "
		    "saved_at and sources)",
		    name, CACHE_VERSION);
	*saved_at = (int64_t)json_integer_value(at);
	return 0;
}

/* Gives the sources without data their snapshots from root (all or
 * nothing). */
static int
cache_apply(const char *name, json_t *root, struct source *const *src, size_t n,
    int64_t *saved_at, struct cerr *err)
{
	struct kv **got = xcalloc(n + 1, sizeof(*got));
	json_t *sources, *one;
	size_t i;
	int rc = -1;

	if (cache_check(name, root, &sources, saved_at, err) != 0)
		goto out;
	for (i = 0; i < n; i++) {
		if (src[i]->snap != NULL)
			continue;
		one = json_object_get(sources, src[i]->name);
		if (one == NULL) {
			cerr_set(err,
			    "cache %s holds no snapshot of source %s%s", name,
			    src[i]->name,
			    src[i]->secret ? " (a secret source: "
					     "startup.cache_secrets keeps it)"
					   : "");
			goto out;
		}
		if ((got[i] = cache_entry(one, err)) == NULL) {
			cerr_prefix(err, "cache %s: source %s", name,
			    src[i]->name);
			goto out;
		}
	}
	for (i = 0; i < n; i++)
		if (got[i] != NULL) {
			src[i]->snap = got[i];
			src[i]->cached = true;
			got[i] = NULL;
		}
	rc = 0;
out:
	for (i = 0; i < n; i++)
		kv_free(got[i]);
	free(got);
	return rc;
}

/* The load error of jansson, with the position when there is one. */
static int
cache_json_error(const char *name, const json_error_t *je, struct cerr *err)
{
	if (je->line > 0)
		return cerr_set(err, "cache %s:%d:%d: %s", name, je->line,
		    je->column, je->text);
	return cerr_set(err, "cache %s: %s", name, je->text);
}

int
cache_restore_buffer(const char *name, const char *data, size_t len,
    struct source *const *src, size_t n, int64_t *saved_at, struct cerr *err)
{
	json_error_t je;
	json_t *root;
	int rc;

	if ((root = json_loadb(data, len, 0, &je)) == NULL)
		return cache_json_error(name, &je, err);
	rc = cache_apply(name, root, src, n, saved_at, err);
	json_decref(root);
	return rc;
}

int
cache_restore(const char *path, struct source *const *src, size_t n,
    int64_t *saved_at, struct cerr *err)
{
	json_error_t je;
	struct stat st;
	json_t *root;
	int rc, e;

	if (stat(path, &st) != 0) {
		e = errno;
		cerr_set(err, "cache %s: %s", path, strerror(e));
		return e == ENOENT ? 1 : -1;
	}
	if (!S_ISREG(st.st_mode))
		return cerr_set(err, "cache %s: not a regular file", path);
	if ((root = json_load_file(path, 0, &je)) == NULL)
		return cache_json_error(path, &je, err);
	rc = cache_apply(path, root, src, n, saved_at, err);
	json_decref(root);
	return rc;
}

const char *
cache_age(int64_t s, char *out, size_t n)
{
	if (s < 0)
		s = 0;
	if (s >= 86400)
		snprintf(out, n, "%lldd%lldh%lldm", (long long)(s / 86400),
		    (long long)(s % 86400 / 3600), (long long)(s % 3600 / 60));
	else if (s >= 3600)
		snprintf(out, n, "%lldh%lldm%llds", (long long)(s / 3600),
		    (long long)(s % 3600 / 60), (long long)(s % 60));
	else if (s >= 60)
		snprintf(out, n, "%lldm%llds", (long long)(s / 60),
		    (long long)(s % 60));
	else
		snprintf(out, n, "%llds", (long long)s);
	return out;
}
