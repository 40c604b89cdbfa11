/* The local backends at run time: file:// watched with inotify, env://
 * read once. Parsing is in file.c and env.c. */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "source.h"
#include "source_rt.h"
#include "xmalloc.h"

/* What makes a directory worth reading again. */
#define LOCAL_DIR_EVENTS                                                       \
	(IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_CREATE |            \
	    IN_DELETE | IN_ATTRIB | IN_DELETE_SELF)

struct local_file {
	char *path; /* without file:// */
	int ifd;    /* inotify, -1 before start */
};

static const char *
local_path(const char *url)
{
	return strncmp(url, "file://", 7) == 0 ? url + 7 : url;
}

static int
local_file_open(struct source *s, char *const *env, struct cerr *err)
{
	struct local_file *f = xcalloc(1, sizeof(*f));
	struct kv *snap;

	f->path = xstrdup(local_path(s->url));
	f->ifd = -1;
	s->priv = f;
	if (source_file_read(f->path, &snap, err) != 0)
		return -1;
	s->snap = snap;
	return 0;
}

/*
 * Watches the directory that holds the file, not the file: editors and
 * Kubernetes replace files by renaming over them, which a watch on the
 * file itself would lose. A directory source is watched with its
 * subdirectories.
 */
/*
 * Watches dir and every directory below it (dot-directories skipped, as
 * the reader skips them), so that a file created in a new subdirectory is
 * seen too. Depth is bounded: links may form a cycle.
 */
static void
local_watch_tree(int ifd, const char *dir, int depth)
{
	struct dirent *de;
	struct stat st;
	char *sub;
	DIR *d;

	if (depth > 32 || inotify_add_watch(ifd, dir, LOCAL_DIR_EVENTS) < 0)
		return;
	if ((d = opendir(dir)) == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		sub = xasprintf("%s/%s", dir, de->d_name);
		if (stat(sub, &st) == 0 && S_ISDIR(st.st_mode))
			local_watch_tree(ifd, sub, depth + 1);
		free(sub);
	}
	closedir(d);
}

static void
local_file_watch(struct local_file *f)
{
	char *dir, *slash;
	struct stat st;

	if (stat(f->path, &st) == 0 && S_ISDIR(st.st_mode)) {
		local_watch_tree(f->ifd, f->path, 0);
		return;
	}
	dir = xstrdup(f->path);
	slash = strrchr(dir, '/');
	if (slash == dir)
		slash[1] = '\0';
	else if (slash != NULL)
		*slash = '\0';
	else {
		free(dir);
		dir = xstrdup(".");
	}
	inotify_add_watch(f->ifd, dir, LOCAL_DIR_EVENTS);
	free(dir);
}

/* Something changed near the file: read it again. */
static void
local_file_ready(void *arg, int fd, short revents)
{
	char events[4096]
	    __attribute__((aligned(__alignof__(struct inotify_event))));
	struct source *s = arg;
	struct local_file *f = s->priv;
	struct kv *snap;
	struct cerr err;

	/* Drain: one re-read covers every event of the burst. */
	while (read(fd, events, sizeof(events)) > 0)
		;
	/*
	 * Watch new subdirectories before reading: what is written in one
	 * before its watch exists is in this read, what comes after raises
	 * an event.
	 */
	local_file_watch(f);
	if (source_file_read(f->path, &snap, &err) != 0) {
		log_error("source %s: %s; keeping the last good values",
		    s->name, err.msg);
		return;
	}
	source_update(s, snap);
}

static int
local_file_start(struct source *s, struct cerr *err)
{
	struct local_file *f = s->priv;

	if ((f->ifd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC)) < 0)
		return cerr_set(err, "inotify: %s", strerror(errno));
	local_file_watch(f);
	loop_fd_set(s->loop, f->ifd, POLLIN, local_file_ready, s);
	return 0;
}

static void
local_file_close(struct source *s)
{
	struct local_file *f = s->priv;

	if (f == NULL)
		return;
	if (f->ifd >= 0) {
		loop_fd_del(s->loop, f->ifd);
		close(f->ifd);
	}
	free(f->path);
	free(f);
}

const struct source_ops source_file_ops = {
    .scheme = "file",
    .open = local_file_open,
    .start = local_file_start,
    .close = local_file_close,
};

static int
local_env_open(struct source *s, char *const *env, struct cerr *err)
{
	struct kv *snap;

	if (source_env_read(s->url, env, &snap) != 0)
		return cerr_set(err, "cannot read the environment");
	s->snap = snap;
	return 0;
}

const struct source_ops source_env_ops = {
    .scheme = "env",
    .open = local_env_open,
};
