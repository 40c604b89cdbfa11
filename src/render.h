/* Writing rendered files: temp file, perms, check, sync, atomic rename;
 * one file or a batch. */
#ifndef CONFINIT_RENDER_H
#define CONFINIT_RENDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "cerr.h"

/* Where and how a rendered file is written. */
struct render_dest {
	const char *path;
	int mode; /* -1: 0600 if secret, else the existing file's, else 0644 */
	bool secret; /* the content holds values of a secret source */
	bool chown;  /* set uid and gid; else keep the old file's */
	uid_t uid;
	gid_t gid;
	bool create_dirs;   /* create missing parent directories */
	char *const *check; /* argv run on the temp file, or NULL; each
			       argument is a template over .Path */
	int64_t check_timeout_ms;
};

/*
 * Writes content to d->path if it differs from what is there: into a temp
 * file in the same directory, fsync'd, given its mode and owner, checked,
 * then renamed over the destination. On any failure the destination is
 * untouched and no temp file is left. Returns 1 when written, 0 when the
 * content was already there, -1 with a message (for a failed check, its
 * exit status and output).
 */
int render_write(const struct render_dest *d, const char *content, size_t len,
    struct cerr *err);

/* A file written to its temp file and checked, not yet in place. */
struct render_staged {
	const struct render_dest *d;
	char *dir; /* the destination's directory */
	char *tmp; /* the temp file; NULL when nothing is to be written */
	int fd;	   /* open on tmp until render_commit */
};

/*
 * The first half of render_write, for writing several files at once:
 * writes content to a temp file beside d->path with its mode and owner and
 * runs the check, but syncs and renames nothing. Returns 1 when staged, 0
 * when d->path already holds content (s then holds nothing), -1 with a
 * message and nothing left behind. Every s is passed to render_commit or
 * render_abort afterwards (either is a no-op for an empty one); d must
 * outlive s.
 */
int render_stage(const struct render_dest *d, const char *content, size_t len,
    struct render_staged *s, struct cerr *err);

/*
 * Puts n staged files in place: makes every temp file's data durable
 * first (fsync when one file is staged, one syncfs() per filesystem for
 * several), then renames each over its destination, then syncs each
 * directory once. So every destination is its old or its new content
 * after a crash at any point. A failed sync renames nothing; a failed rename
 * leaves the files before it in place. Returns 0, or -1 with a message; s is
 * emptied either way.
 */
int render_commit(struct render_staged *s, size_t n, struct cerr *err);

/* Drops n staged files: their temp files are removed. */
void render_abort(struct render_staged *s, size_t n);

/*
 * Removes the temp files a killed confinit may have left beside any of
 * the n paths, reading each of their directories once. Returns how many
 * it removed.
 */
int render_cleanup(const char *const *paths, size_t n);

#endif
