/* The local backends at run time: file:// watched with inotify, env://
 * read once. Parsing is in file.c and env.c. */
#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
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
	char *path;	  /* without file:// */
	char *name;	  /* its last component; NULL for a directory source */
	int ifd;	  /* inotify, -1 before start */
	struct stat seen; /* stat() of path before the last read */
	bool have_seen;
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
	f->have_seen = stat(f->path, &f->seen) == 0;
	if (source_file_read(f->path, &snap, err) != 0)
		return -1;
	s->snap = snap;
	return 0;
}

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

/*
 * Watches the directory that holds the file, not the file: editors and
 * Kubernetes replace files by renaming over them, which a watch on the
 * file itself would lose. A directory source is watched with its
 * subdirectories. The file's name is kept to filter the events.
 */
static void
local_file_watch(struct local_file *f)
{
	char *dir, *slash;
	struct stat st;

	if (stat(f->path, &st) == 0 && S_ISDIR(st.st_mode)) {
		free(f->name);
		f->name = NULL;
		local_watch_tree(f->ifd, f->path, 0);
		return;
	}
	dir = xstrdup(f->path);
	slash = strrchr(dir, '/');
	free(f->name);
	f->name = xstrdup(slash != NULL ? slash + 1 : dir);
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

/*
 * True when an event in the watched directory may concern the source: a
 * directory source is concerned by everything in its tree; a file source
 * by its own name (written, replaced, renamed over, removed), by events on
 * the directory itself and by a lost queue.
 */
static bool
local_file_concerns(const struct local_file *f, const struct inotify_event *ev)
{
	return f->name == NULL || (ev->mask & IN_Q_OVERFLOW) || ev->len == 0 ||
	       strcmp(ev->name, f->name) == 0;
}

/*
 * True when the file at path is another one, or was changed, since it was
 * last read. For a link whose target is swapped under another name (a
 * Kubernetes ConfigMap renames a new ..data link over the old one).
 */
static bool
local_file_moved(const struct local_file *f)
{
	struct stat st;

	if (stat(f->path, &st) != 0 || !f->have_seen)
		return true;
	return st.st_dev != f->seen.st_dev || st.st_ino != f->seen.st_ino ||
	       st.st_size != f->seen.st_size ||
	       st.st_mtim.tv_sec != f->seen.st_mtim.tv_sec ||
	       st.st_mtim.tv_nsec != f->seen.st_mtim.tv_nsec ||
	       st.st_ctim.tv_sec != f->seen.st_ctim.tv_sec ||
	       st.st_ctim.tv_nsec != f->seen.st_ctim.tv_nsec;
}

/* Reads the source again into a new snapshot. */
static void
local_file_reread(struct source *s)
{
	struct local_file *f = s->priv;
	struct kv *snap;
	struct cerr err;

	/*
	 * Watch new subdirectories before reading: what is written in one
	 * before its watch exists is in this read, what comes after raises
	 * an event. The stat comes before the read too: a change between
	 * them makes the next event read again.
	 */
	local_file_watch(f);
	f->have_seen = stat(f->path, &f->seen) == 0;
	log_debug("source %s: reading %s", s->name, f->path);
	if (source_file_read(f->path, &snap, &err) != 0) {
		log_error("source %s: %s; keeping the last good values",
		    s->name, err.msg);
		return;
	}
	source_update(s, snap);
}

/*
 * Something changed in a watched directory: read the source again if it
 * concerns it. Other files there (the rendered destinations and their
 * temp files often are) cost no read.
 */
static void
local_file_ready(void *arg, int fd, short revents)
{
	char events[4096]
	    __attribute__((aligned(__alignof__(struct inotify_event))));
	const struct inotify_event *ev;
	struct source *s = arg;
	struct local_file *f = s->priv;
	bool concerned = false;
	ssize_t n, at;

	/* Drain: one re-read covers every event of the burst. */
	while ((n = read(fd, events, sizeof(events))) > 0)
		for (at = 0; at + (ssize_t)sizeof(*ev) <= n;
		     at += (ssize_t)(sizeof(*ev) + ev->len)) {
			ev = (const struct inotify_event *)(events + at);
			concerned = concerned || local_file_concerns(f, ev);
		}
	if (concerned || local_file_moved(f))
		local_file_reread(s);
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
	free(f->name);
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
