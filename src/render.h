/* Writing rendered files: temp file, perms, check, sync, atomic rename;
 * one file or a batch. */
#ifndef CONFINIT_RENDER_H
#define CONFINIT_RENDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "cerr.h"
#include "xmalloc.h"

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
 * render_stage() without the check, for a caller that runs it without
 * blocking (render_check_argv(), then render_check_failed() on a
 * failure) before render_commit() or render_abort().
 */
int render_prepare(const struct render_dest *d, const char *content, size_t len,
    struct render_staged *s, struct cerr *err);

/* What a check's output is kept of (the rest is dropped). */
#define RENDER_CHECK_OUTPUT 4096

/*
 * The check's argv for the temp file tmp (each argument rendered over
 * .Path), to free with render_argv_free(); NULL with a message when an
 * argument does not render.
 */
char **render_check_argv(const struct render_dest *d, const char *tmp,
    struct cerr *err);
/* Frees an argv of render_check_argv(); NULL is a no-op. */
void render_argv_free(char **argv);

/*
 * The message of a check prog that exited with code (not 0) and printed
 * out, on one line. Returns -1.
 */
/* Names a check's own failure (it could not run, or timed out) as the
 * check's: "check PROG: why". */
void render_check_error(struct cerr *err);
int render_check_failed(const char *prog, int code, const struct buf *out,
    struct cerr *err);

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
