/* The file source: a YAML/JSON/.properties/.env file flattened into keys,
 * or a directory with one key per file. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "flatten.h"
#include "source.h"
#include "xmalloc.h"

/* Directories nested deeper than this (or looping links) are refused. */
#define SOURCE_FILE_MAX_DEPTH 32

/* Reads the whole regular file at fd into b (at most SOURCE_FILE_MAX). */
static int
source_file_slurp(int fd, const char *path, struct buf *b, struct cerr *err)
{
	char chunk[16384];
	ssize_t n;

	b->cap = SOURCE_FILE_MAX;
	buf_append(b, "", 0);
	for (;;) {
		n = read(fd, chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return cerr_set(err, "%s: %s", path, strerror(errno));
		if (n == 0)
			return 0;
		if (buf_append(b, chunk, (size_t)n) != 0)
			return cerr_set(err, "%s: larger than %u bytes", path,
			    SOURCE_FILE_MAX);
	}
}

/* Opens path (relative to dirfd) and reads it into b. */
static int
source_file_load(int dirfd, const char *name, const char *path, struct buf *b,
    struct cerr *err)
{
	int fd, r;

	fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return cerr_set(err, "%s: %s", path, strerror(errno));
	r = source_file_slurp(fd, path, b, err);
	close(fd);
	return r;
}

/* Adds every regular file below the open directory dfd (whose relative
 * name is rel, "" at the top) to kv. Takes dfd over. */
static int
source_file_dir(int dfd, const char *top, const char *rel, struct kv *kv,
    int depth, struct cerr *err)
{
	struct dirent *de;
	struct stat st;
	struct buf b = {0};
	char *path = NULL, *key = NULL;
	DIR *d;
	int sub, r = -1;

	if ((d = fdopendir(dfd)) == NULL) {
		close(dfd);
		return cerr_set(err, "%s/%s: %s", top, rel, strerror(errno));
	}
	if (depth > SOURCE_FILE_MAX_DEPTH) {
		cerr_set(err, "%s/%s: directories nested deeper than %d", top,
		    rel, SOURCE_FILE_MAX_DEPTH);
		goto out;
	}
	while ((errno = 0, de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		free(key);
		free(path);
		key = *rel != '\0' ? xasprintf("%s/%s", rel, de->d_name)
				   : xstrdup(de->d_name);
		path = xasprintf("%s/%s", top, key);
		/* stat, not lstat: links are followed. */
		if (fstatat(dirfd(d), de->d_name, &st, 0) != 0) {
			if (errno == ENOENT)
				continue; /* a dangling link, or gone */
			cerr_set(err, "%s: %s", path, strerror(errno));
			goto out;
		}
		if (S_ISDIR(st.st_mode)) {
			sub = openat(dirfd(d), de->d_name,
			    O_RDONLY | O_DIRECTORY | O_CLOEXEC);
			if (sub < 0) {
				cerr_set(err, "%s: %s", path, strerror(errno));
				goto out;
			}
			if (source_file_dir(sub, top, key, kv, depth + 1,
				err) != 0)
				goto out;
			continue;
		}
		if (!S_ISREG(st.st_mode))
			continue;
		buf_reset(&b);
		if (source_file_load(dirfd(d), de->d_name, path, &b, err) != 0)
			goto out;
		kv_setn(kv, key, b.data, b.len);
	}
	if (errno != 0) {
		cerr_set(err, "%s/%s: %s", top, rel, strerror(errno));
		goto out;
	}
	r = 0;
out:
	buf_free(&b);
	free(key);
	free(path);
	closedir(d);
	return r;
}

int
source_file_read(const char *path, struct kv **out, struct cerr *err)
{
	struct kv *kv = kv_new();
	struct buf b = {0};
	struct stat st;
	int fd = -1, r = -1;

	if (strncmp(path, "file://", 7) == 0)
		path += 7;
	if (*path == '\0') {
		cerr_set(err, "file source: empty path");
		goto out;
	}
	/* O_NONBLOCK: a FIFO must not hang the start. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0 || fstat(fd, &st) != 0) {
		cerr_set(err, "%s: %s", path, strerror(errno));
		goto out;
	}
	if (S_ISDIR(st.st_mode)) {
		r = source_file_dir(fd, path, "", kv, 0, err);
		fd = -1;
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		cerr_set(err, "%s: not a regular file or a directory", path);
		goto out;
	}
	if (source_file_slurp(fd, path, &b, err) != 0)
		goto out;
	r = flatten(flatten_format_for(path), path, b.data, b.len, kv, err);
out:
	if (fd >= 0)
		close(fd);
	buf_free(&b);
	if (r != 0) {
		kv_free(kv);
		kv = NULL;
	}
	*out = kv;
	return r;
}
