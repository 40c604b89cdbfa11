/* A sorted key/value snapshot: look-ups, prefixes, layering and diffs. */
#include <stdlib.h>
#include <string.h>

#include "kv.h"
#include "xmalloc.h"

/*
 * An entry's key and value live in one block: key, NUL, value, NUL. A
 * snapshot made by kv_layer() or kv_dup() holds all its blocks in one pool
 * (one allocation instead of one per key); such a block is not freed on its
 * own, and a later set of its key gets a block of its own.
 */
struct kv_entry {
	char *key;
	char *value; /* inside key's block */
	size_t vlen;
	bool pooled; /* the block is in kv->pool */
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
	char *pool; /* the blocks of pooled entries, or NULL */
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

/* Writes key and value[0, vlen) as one block at p; fills e. */
static void
kv_entry_fill(struct kv_entry *e, char *p, const char *key, size_t klen,
    const char *value, size_t vlen)
{
	memcpy(p, key, klen + 1);
	e->key = p;
	e->value = p + klen + 1;
	if (vlen != 0)
		memcpy(e->value, value, vlen);
	e->value[vlen] = '\0';
	e->vlen = vlen;
}

/* Gives e a block of its own holding key and value[0, vlen). */
static void
kv_entry_make(struct kv_entry *e, const char *key, const char *value,
    size_t vlen)
{
	size_t klen = strlen(key);

	kv_entry_fill(e, xmalloc(klen + vlen + 2), key, klen, value, vlen);
	e->pooled = false;
}

/* Frees an entry's block unless it is the pool's. */
static void
kv_entry_free(struct kv_entry *e)
{
	if (!e->pooled)
		free(e->key);
}

/* Merges the sorted runs a[0, mid) and a[mid, n) into out; of equal keys
 * the first run's come first. */
static void
kv_merge(const struct kv_entry *a, size_t mid, size_t n, struct kv_entry *out)
{
	size_t i = 0, j = mid, k = 0;

	while (i < mid && j < n)
		out[k++] = strcmp(a[j].key, a[i].key) < 0 ? a[j++] : a[i++];
	while (i < mid)
		out[k++] = a[i++];
	while (j < n)
		out[k++] = a[j++];
}

/*
 * Sorts e[0, n) by key, equal keys in their order in e: a natural merge
 * sort, so that input already in order, or in a few ordered runs (a
 * document's "k0".."k9", "k10".."k99"), costs little more than one pass.
 */
static void
kv_sort(struct kv_entry *e, size_t n)
{
	struct kv_entry *tmp, *src = e, *dst, *swap;
	size_t *run, nrun = 0, i, j, lo, hi;
	struct kv_entry t;

	if (n < 2)
		return;
	run = xreallocarray(NULL, n + 1, sizeof(*run));
	/* Run boundaries; strictly descending runs are reversed (strictly,
	 * so that equal keys keep their order). */
	run[nrun++] = 0;
	for (i = 0; i < n;) {
		j = i + 1;
		if (j < n && strcmp(e[j].key, e[i].key) < 0) {
			while (j + 1 < n && strcmp(e[j + 1].key, e[j].key) < 0)
				j++;
			for (lo = i, hi = j; lo < hi; lo++, hi--) {
				t = e[lo];
				e[lo] = e[hi];
				e[hi] = t;
			}
			j++;
		} else {
			while (j < n && strcmp(e[j].key, e[j - 1].key) >= 0)
				j++;
		}
		run[nrun++] = j;
		i = j;
	}
	if (nrun == 2) {
		free(run);
		return;
	}
	tmp = xreallocarray(NULL, n, sizeof(*tmp));
	dst = tmp;
	/* Merge neighbouring runs pairwise until one is left. */
	while (nrun > 2) {
		for (i = 0, j = 0; i + 2 < nrun; i += 2) {
			kv_merge(src + run[i], run[i + 1] - run[i],
			    run[i + 2] - run[i], dst + run[i]);
			run[j++] = run[i];
		}
		if (i + 1 < nrun) {
			memcpy(dst + run[i], src + run[i],
			    (run[i + 1] - run[i]) * sizeof(*src));
			run[j++] = run[i];
		}
		run[j++] = n;
		nrun = j;
		swap = src;
		src = dst;
		dst = swap;
	}
	if (src != e)
		memcpy(e, src, n * sizeof(*e));
	free(tmp);
	free(run);
}

/* Merges the unsorted tail into the sorted part. The snapshot is logically
 * unchanged, which is why const readers may call this. */
static void
kv_settle(const struct kv *ckv)
{
	struct kv *kv = (struct kv *)ckv;
	struct kv_entry *t, *out;
	size_t nt = kv->n - kv->nsorted, i, j, k, m;
	int c;

	if (nt == 0)
		return; /* kv->e may be NULL: no pointer arithmetic on it */
	t = kv->e + kv->nsorted;
	kv_sort(t, nt);
	/* Keep the last of each run of equal keys (the sort is stable). */
	for (i = 0, m = 0; i < nt; i++) {
		if (i + 1 < nt && strcmp(t[i].key, t[i + 1].key) == 0) {
			kv_entry_free(&t[i]);
			continue;
		}
		t[m++] = t[i];
	}
	if (kv->nsorted == 0) {
		kv->n = kv->nsorted = m;
		return;
	}
	out = xreallocarray(NULL, kv->nsorted + m, sizeof(*out));
	for (i = 0, j = 0, k = 0; i < kv->nsorted || j < m;) {
		if (i == kv->nsorted)
			c = 1;
		else if (j == m)
			c = -1;
		else
			c = strcmp(kv->e[i].key, t[j].key);
		if (c < 0) {
			out[k++] = kv->e[i++];
			continue;
		}
		if (c == 0)
			kv_entry_free(&kv->e[i++]);
		out[k++] = t[j++];
	}
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
	for (i = 0; i < kv->n; i++)
		kv_entry_free(&kv->e[i]);
	free(kv->e);
	free(kv->pool);
	free(kv);
}

/* Fills the new snapshot dst with copies of the n sorted, unique entries
 * src, their blocks in one pool. */
static void
kv_pool_fill(struct kv *dst, const struct kv_entry *const *src, size_t n)
{
	size_t i, klen, size = 0;
	char *p;

	for (i = 0; i < n; i++)
		size += strlen(src[i]->key) + src[i]->vlen + 2;
	kv_reserve(dst, n);
	p = dst->pool = n > 0 ? xmalloc(size) : NULL;
	for (i = 0; i < n; i++) {
		klen = strlen(src[i]->key);
		kv_entry_fill(&dst->e[i], p, src[i]->key, klen, src[i]->value,
		    src[i]->vlen);
		dst->e[i].pooled = true;
		p += klen + src[i]->vlen + 2;
	}
	dst->n = dst->nsorted = n;
}

struct kv *
kv_dup(const struct kv *kv)
{
	struct kv *c = kv_new();
	const struct kv_entry **src;
	size_t i;

	kv_settle(kv);
	src = xreallocarray(NULL, kv->n + 1, sizeof(*src));
	for (i = 0; i < kv->n; i++)
		src[i] = &kv->e[i];
	kv_pool_fill(c, src, kv->n);
	free(src);
	return c;
}

void
kv_setn(struct kv *kv, const char *key, const char *value, size_t vlen)
{
	struct kv_entry *e, old;
	size_t i;

	key = kv_norm(key);
	if (kv->n == kv->nsorted) {
		/* Settled: replace in place, or append in order. */
		i = kv_lower(kv, key);
		if (i < kv->n && strcmp(kv->e[i].key, key) == 0) {
			/* The new block first: key or value may be the
			 * old one's. */
			old = kv->e[i];
			kv_entry_make(&kv->e[i], key, value, vlen);
			kv_entry_free(&old);
			return;
		}
	}
	kv_reserve(kv, kv->n + 1);
	e = &kv->e[kv->n++];
	kv_entry_make(e, key, value, vlen);
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
	kv_entry_free(&kv->e[i]);
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
	size_t *pos = xcalloc(n > 0 ? n : 1, sizeof(*pos)), i, total = 0, nwin;
	const struct kv_entry **wins, *win, *e;
	int c;

	for (i = 0; i < n; i++)
		if (layers[i] != NULL) {
			kv_settle(layers[i]);
			total += layers[i]->n;
		}
	wins = xreallocarray(NULL, total + 1, sizeof(*wins));
	/* An n-way merge: for each smallest key, keep only the entry of the
	 * last layer that has it, and step past it in every layer. */
	for (nwin = 0;; nwin++) {
		win = NULL;
		for (i = 0; i < n; i++) {
			if (layers[i] == NULL || pos[i] >= layers[i]->n)
				continue;
			e = &layers[i]->e[pos[i]];
			c = win == NULL ? -1 : strcmp(e->key, win->key);
			if (c <= 0)
				win = e;
		}
		if (win == NULL)
			break;
		wins[nwin] = win;
		for (i = 0; i < n; i++) {
			if (layers[i] == NULL || pos[i] >= layers[i]->n)
				continue;
			e = &layers[i]->e[pos[i]];
			/* The analyzer takes e[] as NULL with n > 0. */
			/* NOLINTNEXTLINE(clang-analyzer-core.*) */
			if (e == win || strcmp(e->key, win->key) == 0)
				pos[i]++;
		}
	}
	kv_pool_fill(kv, wins, nwin);
	free(wins);
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
