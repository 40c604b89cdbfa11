/* Template values: the arena, constructors and accessors. */
#include <stdlib.h>
#include <string.h>

#include "template/gofmt.h"
#include "template/value.h"

#define ARENA_BLOCK 65536

/* One block of the arena; data follows the header. */
struct ablock {
	struct ablock *next;
	size_t used;
	size_t size;
	max_align_t data[];
};

struct tarena {
	struct ablock *head;
};

/*
 * Standard blocks freed by the last renders, kept (up to ARENA_SPARE_MAX
 * bytes per thread) so that a re-render does not fault fresh pages in.
 */
#define ARENA_SPARE_MAX ((size_t)8 << 20)
static _Thread_local struct ablock *arena_spare;
static _Thread_local size_t arena_spare_bytes;

struct tarena *
tarena_new(void)
{
	return xcalloc(1, sizeof(struct tarena));
}

void
tarena_free(struct tarena *a)
{
	struct ablock *b, *next;

	if (a == NULL)
		return;
	for (b = a->head; b != NULL; b = next) {
		next = b->next;
		if (b->size == ARENA_BLOCK &&
		    arena_spare_bytes + ARENA_BLOCK <= ARENA_SPARE_MAX) {
			b->next = arena_spare;
			arena_spare = b;
			arena_spare_bytes += ARENA_BLOCK;
			continue;
		}
		free(b);
	}
	free(a);
}

/* Returns n bytes (not zeroed) that live as long as the arena. */
static void *
arena_raw(struct tarena *a, size_t n)
{
	struct ablock *b = a->head;
	size_t size;
	void *p;

	n = (n + sizeof(max_align_t) - 1) & ~(sizeof(max_align_t) - 1);
	if (n == 0)
		n = sizeof(max_align_t);
	if (b == NULL || b->size - b->used < n) {
		size = n > ARENA_BLOCK / 4 ? n : ARENA_BLOCK;
		if (size == ARENA_BLOCK && arena_spare != NULL) {
			b = arena_spare;
			arena_spare = b->next;
			arena_spare_bytes -= ARENA_BLOCK;
		} else {
			b = xmalloc(sizeof(*b) + size);
		}
		b->used = 0;
		b->size = size;
		/* A big one-off block goes behind the current one. */
		if (size != ARENA_BLOCK && a->head != NULL) {
			b->next = a->head->next;
			a->head->next = b;
		} else {
			b->next = a->head;
			a->head = b;
		}
	}
	p = (char *)b->data + b->used;
	b->used += n;
	return p;
}

void *
tarena_alloc(struct tarena *a, size_t n)
{
	void *p = arena_raw(a, n);

	memset(p, 0, n);
	return p;
}

char *
tarena_strndup(struct tarena *a, const char *s, size_t n)
{
	char *p = tarena_alloc(a, n + 1);

	if (n > 0)
		memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

struct tval
tval_nil(void)
{
	struct tval v = {.kind = TV_NIL};

	return v;
}

struct tval
tval_bool(bool b)
{
	struct tval v = {.kind = TV_BOOL, .u.b = b};

	return v;
}

struct tval
tval_int(int64_t i)
{
	struct tval v = {.kind = TV_INT, .u.i = i};

	return v;
}

struct tval
tval_byte(unsigned char b)
{
	struct tval v = {.kind = TV_INT, .byte = true, .u.i = b};

	return v;
}

struct tval
tval_float(double f)
{
	struct tval v = {.kind = TV_FLOAT, .u.f = f};

	return v;
}

struct tval
tval_str(const char *s)
{
	return tval_strn(s, strlen(s));
}

struct tval
tval_strn(const char *s, size_t n)
{
	struct tval v = {.kind = TV_STRING};

	v.u.s.p = s;
	v.u.s.len = n;
	return v;
}

struct tval
tval_str_copy(struct tarena *a, const char *s, size_t n)
{
	return tval_strn(tarena_strndup(a, s, n), n);
}

struct tval
tval_str_buf(struct tarena *a, struct buf *b)
{
	struct tval v = tval_str_copy(a, b->data ? b->data : "", b->len);

	buf_reset(b);
	return v;
}

struct tval
tval_list_new(struct tarena *a)
{
	struct tval v = {.kind = TV_LIST};

	v.u.list = tarena_alloc(a, sizeof(struct tlist));
	return v;
}

/* Grows an arena array of n-byte items to hold one more; returns it. */
static void *
grow(struct tarena *a, void *items, size_t len, size_t *cap, size_t n)
{
	void *p;

	if (len < *cap)
		return items;
	*cap = *cap ? *cap * 2 : 4;
	/* Items past len are never read: no need to zero them. */
	p = arena_raw(a, *cap * n);
	if (len > 0)
		memcpy(p, items, len * n);
	return p;
}

void
tval_list_push(struct tarena *a, struct tval l, struct tval v)
{
	struct tlist *t = l.u.list;

	t->items = grow(a, t->items, t->len, &t->cap, sizeof(struct tval));
	t->items[t->len++] = v;
}

struct tval
tval_map_new(struct tarena *a)
{
	struct tval v = {.kind = TV_MAP};

	v.u.map = tarena_alloc(a, sizeof(struct tmap));
	return v;
}

/* Finds key in a sorted map: returns its index, or where it would go. */
static size_t
map_search(const struct tmap *m, const char *key, size_t keylen, bool *found)
{
	size_t lo = 0, hi = m->len, mid, klen;
	int c;

	*found = false;
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		klen = strlen(m->e[mid].key);
		c = memcmp(m->e[mid].key, key, klen < keylen ? klen : keylen);
		if (c == 0)
			c = klen < keylen ? -1 : klen > keylen;
		if (c == 0) {
			*found = true;
			return mid;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

void
tval_map_set(struct tarena *a, struct tval m, const char *key, struct tval v)
{
	struct tmap *t = m.u.map;
	size_t i, n = strlen(key);
	bool found;

	i = map_search(t, key, n, &found);
	if (found) {
		t->e[i].val = v;
		return;
	}
	t->e = grow(a, t->e, t->len, &t->cap, sizeof(struct tmap_entry));
	memmove(&t->e[i + 1], &t->e[i], (t->len - i) * sizeof(t->e[0]));
	t->e[i].key = tarena_strndup(a, key, n);
	t->e[i].val = v;
	t->len++;
}

struct tval
tval_record_new(struct tarena *a, const char *type)
{
	struct tval v = {.kind = TV_RECORD};

	v.u.map = tarena_alloc(a, sizeof(struct tmap));
	v.u.map->type = type;
	return v;
}

void
tval_record_add(struct tarena *a, struct tval r, const char *name,
    struct tval v)
{
	struct tmap *t = r.u.map;

	t->e = grow(a, t->e, t->len, &t->cap, sizeof(struct tmap_entry));
	t->e[t->len].key = name;
	t->e[t->len].val = v;
	t->len++;
}

void
tval_record_set_string(struct tval r, const char *s, size_t n, bool nilptr)
{
	r.u.map->str = s;
	r.u.map->str_len = n;
	r.u.map->nilptr = nilptr;
}

struct tval
tval_keypair(struct tarena *a, const char *path, const char *key,
    const char *value)
{
	return tval_keypair_n(a, path, strlen(path), key, strlen(key), value);
}

struct tval
tval_keypair_n(struct tarena *a, const char *path, size_t pathlen,
    const char *key, size_t keylen, const char *value)
{
	static const struct tmap_entry proto[] = {
	    {"Path", {.kind = TV_STRING}},
	    {"Key", {.kind = TV_STRING}},
	    {"Value", {.kind = TV_STRING}},
	    {"Exists", {.kind = TV_BOOL, .u.b = true}},
	    {"CreateIndex", {.kind = TV_INT}},
	    {"ModifyIndex", {.kind = TV_INT}},
	    {"LockIndex", {.kind = TV_INT}},
	    {"Flags", {.kind = TV_INT}},
	    {"Session", {.kind = TV_STRING, .u.s = {"", 0}}},
	};
	struct tval r = {.kind = TV_RECORD};
	struct tmap *m;
	size_t n = sizeof(proto) / sizeof(proto[0]);

	/* One allocation from a prototype: a tree of 10,000 keys makes
	 * 10,000 of these. */
	m = arena_raw(a, sizeof(*m) + sizeof(proto));
	m->e = (struct tmap_entry *)(m + 1);
	m->len = m->cap = n;
	m->type = "dependency.KeyPair";
	m->str = NULL;
	m->str_len = 0;
	m->nilptr = false;
	memcpy(m->e, proto, sizeof(proto));
	m->e[0].val = tval_strn(path, pathlen);
	m->e[1].val = tval_strn(key, keylen);
	m->e[2].val = tval_str(value);
	r.u.map = m;
	return r;
}

long
tval_record_index(struct tval r, const char *key, size_t keylen)
{
	const struct tmap *t = r.u.map;
	size_t i, j;

	if (r.kind != TV_RECORD)
		return -1;
	/* Field names are short: compared here, byte by byte, rather than
	 * by a strncmp() call each (a KeyPair's .Value passes Path and Key
	 * on the way). */
	for (i = 0; i < t->len; i++) {
		const char *f = t->e[i].key;

		for (j = 0; j < keylen && f[j] != '\0' && f[j] == key[j]; j++)
			;
		if (j == keylen && f[j] == '\0')
			return (long)i;
	}
	return -1;
}

bool
tval_lookup(struct tval m, const char *key, size_t keylen, struct tval *out)
{
	const struct tmap *t;
	size_t i;
	bool found;
	long k;

	if (m.kind == TV_MAP) {
		t = m.u.map;
		i = map_search(t, key, keylen, &found);
		if (found)
			*out = t->e[i].val;
		return found;
	}
	if ((k = tval_record_index(m, key, keylen)) < 0)
		return false;
	*out = m.u.map->e[k].val;
	return true;
}

bool
tval_truth(struct tval v)
{
	switch (v.kind) {
	case TV_NIL:
		return false;
	case TV_BOOL:
		return v.u.b;
	case TV_INT:
		return v.u.i != 0;
	case TV_FLOAT:
		return v.u.f != 0;
	case TV_STRING:
		return v.u.s.len != 0;
	case TV_LIST:
		return v.u.list->len != 0;
	case TV_MAP:
		return v.u.map->len != 0;
	case TV_RECORD:
		return !v.u.map->nilptr;
	}
	return false;
}

const char *
tval_type(struct tval v)
{
	switch (v.kind) {
	case TV_NIL:
		return "<nil>";
	case TV_BOOL:
		return "bool";
	case TV_INT:
		return v.byte ? "uint8" : "int";
	case TV_FLOAT:
		return "float64";
	case TV_STRING:
		return "string";
	case TV_LIST:
		return "[]interface {}";
	case TV_MAP:
		return v.u.map->type ? v.u.map->type
				     : "map[string]interface {}";
	case TV_RECORD:
		return v.u.map->type ? v.u.map->type : "struct";
	}
	return "?";
}

int
tval_write(struct buf *b, struct tval v)
{
	return gofmt_value(b, v, 'v', 0);
}

struct tval
tval_to_str(struct tarena *a, struct tval v)
{
	struct buf b = {0};
	struct tval r;

	if (v.kind == TV_STRING)
		return v;
	tval_write(&b, v);
	r = tval_str_copy(a, b.data ? b.data : "", b.len);
	buf_free(&b);
	return r;
}
