/* Writing a rendered file: temp file, fsync, perms, check, atomic rename. */
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

/*
 * Removes the temp files a killed confinit may have left beside path.
 * Returns how many it removed.
 */
int render_cleanup(const char *path);

#endif
