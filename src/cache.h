/* The startup cache: the remote sources' last complete snapshot in one file,
 * so that the app can start while a config center is down. */
#ifndef CONFINIT_CACHE_H
#define CONFINIT_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cerr.h"
#include "source_rt.h"

/* The version written in (and required of) the file. */
#define CACHE_VERSION 1

/*
 * Writes the snapshots of the remote sources among src[0..n) to path, as
 * JSON, through render_write(): a temp file in the same directory, mode
 * 0600, fsync, rename. A secret source is left out unless secrets. Only a
 * complete snapshot is written: when a source has no data or only cached
 * data, nothing is. Returns 1 when written, 0 when not (incomplete, or no
 * remote source), -1 with err naming the file.
 */
int cache_save(const char *path, struct source *const *src, size_t n,
    bool secrets, struct cerr *err);

/*
 * Gives each source of src[0..n) that has no snapshot yet its snapshot
 * from the cache file at path (matched by the source's name), marking it
 * cached. All or nothing: when the file cannot be read, is not a cache,
 * or lacks one of those sources, no source is changed and -1 is returned
 * with err naming the file (and the source); 1 (err says so) when there
 * is no file at path: no complete snapshot was saved yet. Returns 0 with
 * *saved_at the time (Unix seconds) the cache was written.
 */
int cache_restore(const char *path, struct source *const *src, size_t n,
    int64_t *saved_at, struct cerr *err);

/*
 * As cache_restore() over the len bytes at data (name in messages);
 * never returns 1.
 */
int cache_restore_buffer(const char *name, const char *data, size_t len,
    struct source *const *src, size_t n, int64_t *saved_at, struct cerr *err);

/* Formats an age in seconds as "2h5m3s" into out (size n); returns out. */
const char *cache_age(int64_t seconds, char *out, size_t n);

#endif
