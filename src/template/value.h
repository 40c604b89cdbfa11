/* Template values: the data model shared by the engine and the functions. */
#ifndef CONFINIT_TEMPLATE_VALUE_H
#define CONFINIT_TEMPLATE_VALUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "xmalloc.h"

/*
 * Ownership: a value is a small struct passed by value. What it points to
 * (string bytes, list items, map and record entries) is either memory of
 * the render's arena, freed all at once when tmpl_render() returns, or
 * memory that outlives the render (the parsed template, the caller's kv
 * snapshot and environment). Nothing is refcounted and nothing is freed one
 * by one: never free() a value's pointers, and never keep a value after the
 * function that received it returns. A function that builds a new string,
 * list, map or record allocates it from tmpl_call_arena() (funcs.h).
 *
 * Strings are always NUL-terminated at s.len (they may also hold NULs).
 */

struct tarena;

enum tval_kind {
	TV_NIL,
	TV_BOOL,
	TV_INT,	   /* int64 (Go's int) */
	TV_FLOAT,  /* float64 */
	TV_STRING, /* bytes, NUL-terminated */
	TV_LIST,   /* []interface{} */
	TV_MAP,	   /* map[string]interface{}: iterated in sorted key order */
	TV_RECORD, /* a struct: named fields in declaration order */
};

struct tlist;
struct tmap;

struct tval {
	enum tval_kind kind;
	bool byte; /* TV_INT: Go's uint8 (index of a string), else int */
	union {
		bool b;
		int64_t i;
		double f;
		struct {
			const char *p;
			size_t len;
		} s;
		struct tlist *list;
		struct tmap *map; /* TV_MAP and TV_RECORD */
	} u;
};

/* A list: items[0..len). */
struct tlist {
	struct tval *items;
	size_t len;
	size_t cap;
};

/* One entry of a map or a record. key is NUL-terminated. */
struct tmap_entry {
	const char *key;
	struct tval val;
};

/*
 * A map keeps its entries sorted by key (bytewise) and unique. A record
 * keeps fields in the order they were added; type is its Go type name for
 * error messages ("dependency.KeyPair"); a missing field is an error, where
 * a missing map key is "<no value>".
 */
struct tmap {
	struct tmap_entry *e;
	size_t len;
	size_t cap;
	/* Records: the Go type. Maps: NULL, or "map[string]string" for a
	 * map whose missing keys index to "" rather than nil. */
	const char *
	    type; /* Records: what Go's String() method gives, printed for %v %s
		   * %q %x %X and by actions (NULL: the fields are printed). */
	const char *str;
	size_t str_len;
	bool nilptr; /* records: a nil pointer (false in if; prints str) */
};

/* Arena: all allocations of one render. */

/* Returns a new arena; free it with tarena_free(). */
struct tarena *tarena_new(void);
/* Frees every block the arena handed out; NULL is a no-op. */
void tarena_free(struct tarena *a);
/* Returns n zeroed bytes that live as long as the arena. */
void *tarena_alloc(struct tarena *a, size_t n);
/* Returns a NUL-terminated copy of s[0..n) in the arena. */
char *tarena_strndup(struct tarena *a, const char *s, size_t n);

/* Constructors. None allocate except where an arena is passed. */
struct tval tval_nil(void);
struct tval tval_bool(bool b);
struct tval tval_int(int64_t i);
/* Go's uint8 b (%T says uint8; otherwise it behaves as an int). */
struct tval tval_byte(unsigned char b);
struct tval tval_float(double f);
/* Points at s (NUL-terminated, must outlive the render): no copy. */
struct tval tval_str(const char *s);
/* Points at s[0..n), which must be NUL-terminated at n: no copy. */
struct tval tval_strn(const char *s, size_t n);
/* Copies s[0..n) into the arena. */
struct tval tval_str_copy(struct tarena *a, const char *s, size_t n);
/* Takes the bytes of b into the arena (copy) and resets b. */
struct tval tval_str_buf(struct tarena *a, struct buf *b);
/* Returns an empty list in the arena. */
struct tval tval_list_new(struct tarena *a);
/* Appends v to the list value l. */
void tval_list_push(struct tarena *a, struct tval l, struct tval v);
/* Returns an empty map in the arena. */
struct tval tval_map_new(struct tarena *a);
/* Sets key (copied into the arena) to v in the map m; replaces a value. */
void tval_map_set(struct tarena *a, struct tval m, const char *key,
    struct tval v);
/* Returns an empty record of Go type name type (not copied: keep static). */
struct tval tval_record_new(struct tarena *a, const char *type);
/* Adds a field (name not copied: keep it static) to the record r. */
void tval_record_add(struct tarena *a, struct tval r, const char *name,
    struct tval v);
/*
 * Gives record r a String() form: s[0..n), NUL-terminated at n, which must
 * live for the render (copy it into the arena). nilptr: r stands for a nil
 * pointer of its type (false in if; fields still readable, as Go's
 * nil-safe methods).
 */
void tval_record_set_string(struct tval r, const char *s, size_t n,
    bool nilptr);
/*
 * Returns consul-template's key pair record (Go type dependency.KeyPair):
 * fields Path (full key), Key (relative to the listed prefix), Value,
 * Exists (true), CreateIndex, ModifyIndex, LockIndex, Flags (all 0),
 * Session (""). Strings are not copied: they must outlive the render.
 */
struct tval tval_keypair(struct tarena *a, const char *path, const char *key,
    const char *value);
/* As tval_keypair(), with the lengths of path and key known (each must be
 * NUL-terminated at its length). */
struct tval tval_keypair_n(struct tarena *a, const char *path, size_t pathlen,
    const char *key, size_t keylen, const char *value);

/* Accessors. */

/*
 * Looks key up in a map or a record; returns true and sets *out, or false
 * when absent (or when m is neither a map nor a record).
 */
bool tval_lookup(struct tval m, const char *key, size_t keylen,
    struct tval *out);
/* Returns the index of field key in the record r, or -1 when r has none
 * (or is not a record). */
long tval_record_index(struct tval r, const char *key, size_t keylen);
/* Go's truth: false, 0, "", nil, and empty lists and maps are false. */
bool tval_truth(struct tval v);
/* Returns Go's type name of v ("string", "int", "[]interface {}", ...). */
const char *tval_type(struct tval v);
/*
 * Appends v formatted as Go's fmt %v ("<nil>", [a b], map[k:v], {a b},
 * 1e+06) to b. Returns 0, or -1 past b's cap.
 */
int tval_write(struct buf *b, struct tval v);
/*
 * Returns v as a string the way fmt.Sprint does: a string as is, anything
 * else formatted with tval_write() into the arena.
 */
struct tval tval_to_str(struct tarena *a, struct tval v);

#endif
