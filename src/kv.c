/* A sorted key/value snapshot: look-ups, prefixes, layering and diffs. */
#include <stdlib.h>
#include <string.h>

#include "kv.h"
#include "xmalloc.h"

struct kv_entry {
	char *key;
	char *value;
	size_t vlen;
};

/*
 * e[0, nsorted) is sorted with unique keys; e[nsorted, n) is a tail of
 * kv_set()s not yet merged in, so that bulk loads in any order cost
 * O(n log n) rather than one memmove per key. Every read merges the tail
 * first (kv_settle()).
 */
struct kv {
	struct kv_entry *e;
	size_t n;
	size_t nsorted;
	size_t cap;
};

/* A tail entry with its arrival order, so that the last set wins. */
struct kv_pending {
	struct kv_entry e;
	size_t seq;
};

/* Skips the leading slashes of a key or prefix. */
static const char *
kv_norm(const char *key)
{
	if (key == NULL)
		return "";
	while (*key == '/')
		key++;
	return key;
}

/* Orders pending entries by key, then by arrival. */
static int
kv_pending_cmp(const void *a, const void *b)
{
	const struct kv_pending *x = a, *y = b;
	int c = strcmp(x->e.key, y->e.key);

	if (c != 0)
		return c;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Frees an entry's strings. */
static void
kv_entry_free(struct kv_entry *e)
{
	free(e->key);
	free(e->value);
}

/* Merges the unsorted tail into the sorted part. The snapshot is logically
 * unchanged, which is why const readers may call this. */
static void
kv_settle(const struct kv *ckv)
{
	struct kv *kv = (struct kv *)ckv;
	struct kv_pending *t;
	struct kv_entry *out;
	size_t nt = kv->n - kv->nsorted, i, j, k, m;
	int c;

	if (nt == 0)
		return;
	t = xreallocarray(NULL, nt, sizeof(*t));
	for (i = 0; i < nt; i++) {
		t[i].e = kv->e[kv->nsorted + i];
		t[i].seq = i;
	}
	qsort(t, nt, sizeof(*t), kv_pending_cmp);
	/* Keep the last of each run of equal keys. */
	for (i = 0, m = 0; i < nt; i++) {
		if (i + 1 < nt && strcmp(t[i].e.key, t[i + 1].e.key) == 0) {
			kv_entry_free(&t[i].e);
			continue;
		}
		t[m++] = t[i];
	}
	out = xreallocarray(NULL, kv->nsorted + m, sizeof(*out));
	for (i = 0, j = 0, k = 0; i < kv->nsorted || j < m;) {
		if (i == kv->nsorted)
			c = 1;
		else if (j == m)
			c = -1;
		else
			c = strcmp(kv->e[i].key, t[j].e.key);
		if (c < 0) {
			out[k++] = kv->e[i++];
			continue;
		}
		if (c == 0)
			kv_entry_free(&kv->e[i++]);
		out[k++] = t[j++].e;
	}
	free(t);
	free(kv->e);
	kv->e = out;
	kv->n = kv->nsorted = kv->cap = k;
}

/* Returns the first index whose key is >= key (binary search). */
static size_t
kv_lower(const struct kv *kv, const char *key)
{
	size_t lo = 0, hi, mid;

	kv_settle(kv);
	hi = kv->n;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (strcmp(kv->e[mid].key, key) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Makes room for one more entry. */
static void
kv_reserve(struct kv *kv, size_t want)
{
	if (want <= kv->cap)
		return;
	kv->cap = kv->cap < 16 ? 16 : kv->cap;
	while (kv->cap < want)
		kv->cap *= 2;
	kv->e = xreallocarray(kv->e, kv->cap, sizeof(*kv->e));
}

struct kv *
kv_new(void)
{
	return xcalloc(1, sizeof(struct kv));
}

void
kv_free(struct kv *kv)
{
	size_t i;

	if (kv == NULL)
		return;
	for (i = 0; i < kv->n; i++) {
		free(kv->e[i].key);
		free(kv->e[i].value);
	}
	free(kv->e);
	free(kv);
}

/* Copies one entry into fresh memory. */
static void
kv_entry_copy(struct kv_entry *dst, const struct kv_entry *src)
{
	dst->key = xstrdup(src->key);
	dst->value = xmalloc(src->vlen + 1);
	memcpy(dst->value, src->value, src->vlen + 1);
	dst->vlen = src->vlen;
}

struct kv *
kv_dup(const struct kv *kv)
{
	struct kv *c = kv_new();
	size_t i;

	kv_settle(kv);
	kv_reserve(c, kv->n);
	for (i = 0; i < kv->n; i++)
		kv_entry_copy(&c->e[i], &kv->e[i]);
	c->n = c->nsorted = kv->n;
	return c;
}

void
kv_setn(struct kv *kv, const char *key, const char *value, size_t vlen)
{
	struct kv_entry *e;
	char *v;
	size_t i;

	key = kv_norm(key);
	v = xmalloc(vlen + 1);
	if (vlen != 0)
		memcpy(v, value, vlen);
	v[vlen] = '\0';
	if (kv->n == kv->nsorted) {
		/* Settled: replace in place, or append in order. */
		i = kv_lower(kv, key);
		if (i < kv->n && strcmp(kv->e[i].key, key) == 0) {
			free(kv->e[i].value);
			kv->e[i].value = v;
			kv->e[i].vlen = vlen;
			return;
		}
	}
	kv_reserve(kv, kv->n + 1);
	e = &kv->e[kv->n++];
	e->key = xstrdup(key);
	e->value = v;
	e->vlen = vlen;
	if (kv->n - 1 == kv->nsorted &&
	    (kv->nsorted == 0 || strcmp(kv->e[kv->n - 2].key, e->key) < 0))
		kv->nsorted++;
}

void
kv_set(struct kv *kv, const char *key, const char *value)
{
	kv_setn(kv, key, value, strlen(value));
}

int
kv_del(struct kv *kv, const char *key)
{
	size_t i;

	key = kv_norm(key);
	i = kv_lower(kv, key);
	if (i >= kv->n || strcmp(kv->e[i].key, key) != 0)
		return -1;
	free(kv->e[i].key);
	free(kv->e[i].value);
	memmove(&kv->e[i], &kv->e[i + 1], (kv->n - i - 1) * sizeof(*kv->e));
	kv->n--;
	kv->nsorted--;
	return 0;
}

const char *
kv_get(const struct kv *kv, const char *key)
{
	size_t i;

	key = kv_norm(key);
	i = kv_lower(kv, key);
	if (i < kv->n && strcmp(kv->e[i].key, key) == 0)
		return kv->e[i].value;
	return NULL;
}

size_t
kv_len(const struct kv *kv)
{
	kv_settle(kv);
	return kv->n;
}

int
kv_walk(const struct kv *kv, const char *prefix, kv_walk_fn fn, void *arg)
{
	size_t i, plen;
	int r;

	prefix = kv_norm(prefix);
	plen = strlen(prefix);
	for (i = kv_lower(kv, prefix); i < kv->n; i++) {
		if (strncmp(kv->e[i].key, prefix, plen) != 0)
			break;
		if ((r = fn(arg, kv->e[i].key, kv->e[i].value)) != 0)
			return r;
	}
	return 0;
}

/* Returns dir as a prefix that ends in '/' ("" stays ""); caller frees. */
static char *
kv_dir(const char *dir)
{
	size_t len;

	dir = kv_norm(dir);
	len = strlen(dir);
	if (len == 0 || dir[len - 1] == '/')
		return xstrdup(dir);
	return xasprintf("%s/", dir);
}

int
kv_tree(const struct kv *kv, const char *dir, kv_walk_fn fn, void *arg)
{
	char *p = kv_dir(dir);
	size_t i, plen = strlen(p);
	int r = 0;

	for (i = kv_lower(kv, p); i < kv->n; i++) {
		if (strncmp(kv->e[i].key, p, plen) != 0)
			break;
		if (kv->e[i].key[plen] == '\0')
			continue;
		if ((r = fn(arg, kv->e[i].key + plen, kv->e[i].value)) != 0)
			break;
	}
	free(p);
	return r;
}

/* qsort() comparison of two strings. */
static int
kv_strcmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int
kv_children(const struct kv *kv, const char *dir,
    int (*fn)(void *arg, const char *name, const char *value, bool is_dir),
    void *arg)
{
	char *p = kv_dir(dir), **names = NULL, *full;
	size_t i, j, n = 0, plen = strlen(p), nlen;
	const char *rest, *slash, *value;
	bool is_dir;
	int r = 0;

	/* "a", "a-b", "a/x" sort in that order: one child's keys are not
	 * contiguous, so collect the names, sort and skip repeats. */
	for (i = kv_lower(kv, p); i < kv->n; i++) {
		if (strncmp(kv->e[i].key, p, plen) != 0)
			break;
		rest = kv->e[i].key + plen;
		if (*rest == '\0' || *rest == '/')
			continue;
		slash = strchr(rest, '/');
		nlen = slash != NULL ? (size_t)(slash - rest) : strlen(rest);
		if (n > 0 && strlen(names[n - 1]) == nlen &&
		    strncmp(names[n - 1], rest, nlen) == 0)
			continue;
		names = xreallocarray(names, n + 1, sizeof(*names));
		names[n++] = xstrndup(rest, nlen);
	}
	if (n > 1)
		qsort(names, n, sizeof(*names), kv_strcmp);
	for (i = 0; i < n && r == 0; i++) {
		if (i > 0 && strcmp(names[i], names[i - 1]) == 0)
			continue;
		full = xasprintf("%s%s/", p, names[i]);
		j = kv_lower(kv, full);
		is_dir =
		    j < kv->n && strncmp(kv->e[j].key, full, strlen(full)) == 0;
		full[strlen(full) - 1] = '\0';
		value = kv_get(kv, full);
		free(full);
		r = fn(arg, names[i], value, is_dir);
	}
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	free(p);
	return r;
}

struct kv *
kv_layer(struct kv *const *layers, size_t n)
{
	struct kv *kv = kv_new();
	size_t *pos = xcalloc(n > 0 ? n : 1, sizeof(*pos)), i, total = 0;
	const struct kv_entry *win;
	const char *key;
	int c;

	for (i = 0; i < n; i++)
		if (layers[i] != NULL) {
			kv_settle(layers[i]);
			total += layers[i]->n;
		}
	kv_reserve(kv, total);
	/* An n-way merge: for each smallest key, copy only the entry of the
	 * last layer that has it, and step past it in every layer. */
	for (;;) {
		win = NULL;
		for (i = 0; i < n; i++) {
			if (layers[i] == NULL || pos[i] >= layers[i]->n)
				continue;
			key = layers[i]->e[pos[i]].key;
			c = win == NULL ? -1 : strcmp(key, win->key);
			if (c <= 0)
				win = &layers[i]->e[pos[i]];
		}
		if (win == NULL)
			break;
		kv_entry_copy(&kv->e[kv->n++], win);
		key = kv->e[kv->n - 1].key;
		for (i = 0; i < n; i++)
			if (layers[i] != NULL && pos[i] < layers[i]->n &&
			    strcmp(layers[i]->e[pos[i]].key, key) == 0)
				pos[i]++;
	}
	kv->nsorted = kv->n;
	free(pos);
	return kv;
}

/* Returns whether two entries hold the same value. */
static bool
kv_same(const struct kv_entry *a, const struct kv_entry *b)
{
	return a->vlen == b->vlen && memcmp(a->value, b->value, a->vlen) == 0;
}

char **
kv_diff(const struct kv *a, const struct kv *b, size_t *n)
{
	static const struct kv empty;
	char **keys = NULL;
	size_t i = 0, j = 0, k = 0;
	const char *key;
	int c;

	if (a == NULL)
		a = &empty;
	if (b == NULL)
		b = &empty;
	kv_settle(a);
	kv_settle(b);
	while (i < a->n || j < b->n) {
		if (i == a->n)
			c = 1;
		else if (j == b->n)
			c = -1;
		else
			c = strcmp(a->e[i].key, b->e[j].key);
		if (c == 0 && kv_same(&a->e[i], &b->e[j])) {
			i++;
			j++;
			continue;
		}
		key = c <= 0 ? a->e[i].key : b->e[j].key;
		if (c <= 0)
			i++;
		if (c >= 0)
			j++;
		keys = xreallocarray(keys, k + 1, sizeof(*keys));
		keys[k++] = xstrdup(key);
	}
	*n = k;
	return keys;
}

void
kv_keys_free(char **keys, size_t n)
{
	size_t i;

	if (keys == NULL)
		return;
	for (i = 0; i < n; i++)
		free(keys[i]);
	free(keys);
}

bool
kv_equal(const struct kv *a, const struct kv *b)
{
	size_t i;

	kv_settle(a);
	kv_settle(b);
	if (a->n != b->n)
		return false;
	for (i = 0; i < a->n; i++)
		if (strcmp(a->e[i].key, b->e[i].key) != 0 ||
		    !kv_same(&a->e[i], &b->e[i]))
			return false;
	return true;
}
