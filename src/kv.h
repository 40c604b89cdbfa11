/* A sorted key/value snapshot: look-ups, prefixes, layering and diffs. */
#ifndef CONFINIT_KV_H
#define CONFINIT_KV_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Keys are stored without a leading '/': "db/host". Every function that
 * takes a key or a prefix ignores leading slashes, so "/db/host" finds the
 * same entry. Keys are kept sorted by strcmp().
 */
struct kv;

/* A callback over entries; a non-zero return stops the walk. */
typedef int (*kv_walk_fn)(void *arg, const char *key, const char *value);

/* Returns a new empty snapshot; the caller owns it (kv_free()). */
struct kv *kv_new(void);

/* Frees kv and everything in it; kv_free(NULL) is a no-op. */
void kv_free(struct kv *kv);

/* Copies kv: a new snapshot the caller owns. */
struct kv *kv_dup(const struct kv *kv);

/* Sets key to value; both are copied; an existing value is replaced. */
void kv_set(struct kv *kv, const char *key, const char *value);

/* As kv_set() with a value of vlen bytes (may hold NULs; one is appended). */
void kv_setn(struct kv *kv, const char *key, const char *value, size_t vlen);

/* Removes key; returns 0, or -1 if it was absent. */
int kv_del(struct kv *kv, const char *key);

/* Returns key's value, or NULL. The string is kv's: it stays valid until
 * that key is set again or deleted, or kv is freed (other sets and reads
 * do not move it). The same holds for the keys and values kv_walk(),
 * kv_tree() and kv_children() pass. */
const char *kv_get(const struct kv *kv, const char *key);

/* Returns the number of keys. */
size_t kv_len(const struct kv *kv);

/*
 * Calls fn(arg, key, value) for every key that starts with the string
 * prefix ("" or NULL: all), in sorted order. "db" matches "db/host" and
 * "dbx". Stops at and returns fn's first non-zero value; returns 0
 * otherwise. This is the template engine's tmpl_kv_ops.walk.
 */
int kv_walk(const struct kv *kv, const char *prefix, kv_walk_fn fn, void *arg);

/*
 * Calls fn(arg, key, value) for every key below the directory dir ("a/b"
 * and "a/b/" both mean the keys starting with "a/b/"; "" means all), in
 * sorted order, with key relative to dir ("a/b/c/d" -> "c/d"): consul's
 * `tree`. The key dir itself is not included. Returns as kv_walk().
 */
int kv_tree(const struct kv *kv, const char *dir, kv_walk_fn fn, void *arg);

/*
 * Calls fn(arg, name, value, is_dir) once for each direct child of the
 * directory dir, sorted: name is the next path segment ("a" for "a/b/c"
 * under ""), value the value of dir/name when that is a key (else NULL),
 * is_dir whether keys exist below dir/name/. Returns as kv_walk().
 */
int kv_children(const struct kv *kv, const char *dir,
    int (*fn)(void *arg, const char *name, const char *value, bool is_dir),
    void *arg);

/*
 * Returns a new snapshot holding every key of the n layers; when several
 * hold a key the later layer wins. NULL layers are skipped. The caller
 * owns the result. One n-way merge: only the winning entries are copied.
 */
struct kv *kv_layer(struct kv *const *layers, size_t n);

/*
 * Returns the sorted keys whose value differs between a and b (added,
 * removed or changed); *n is their count. The caller frees them with
 * kv_keys_free(). Either side may be NULL (empty).
 */
char **kv_diff(const struct kv *a, const struct kv *b, size_t *n);

/* Frees what kv_diff() returned. */
void kv_keys_free(char **keys, size_t n);

/* Returns whether a and b hold the same keys with the same values. */
bool kv_equal(const struct kv *a, const struct kv *b);

#endif
