/* Writing rendered files: temp file, perms, check, sync, atomic rename;
 * one file or a batch. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "command.h"
#include "log.h"
#include "render.h"
#include "template/template.h"
#include "xmalloc.h"

/* Temp files are ".NAME.confinit-XXXXXX" beside the destination. */
#define RENDER_TMP_TAG ".confinit-"

/* Splits path into a directory and a base name, both the caller's. */
static void
render_split(const char *path, char **dir, char **base)
{
	char *a = xstrdup(path), *b = xstrdup(path);

	*dir = xstrdup(dirname(a));
	*base = xstrdup(basename(b));
	free(a);
	free(b);
}

/*
 * True when path holds exactly content. Otherwise *old is path's stat when
 * it exists (*have_old says whether), from the descriptor read, so that
 * render_stage() need not look path up again.
 */
static bool
render_same(const char *path, const char *content, size_t len, struct stat *old,
    bool *have_old)
{
	char chunk[8192];
	size_t at = 0;
	bool same = true;
	ssize_t n;
	int fd;

	*have_old = false;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		/* Absent: nothing to compare or to take the mode of. */
		if (errno != ENOENT)
			*have_old = stat(path, old) == 0;
		return false;
	}
	while (same && (n = read(fd, chunk, sizeof(chunk))) > 0) {
		if ((size_t)n > len - at || memcmp(chunk, content + at, n) != 0)
			same = false;
		at += (size_t)n;
	}
	same = same && n == 0 && at == len;
	if (!same)
		*have_old = fstat(fd, old) == 0;
	close(fd);
	return same;
}

/* mkdir -p of dir. */
static int
render_mkdirs(const char *dir, struct cerr *err)
{
	char *p = xstrdup(dir), *s;
	int r = 0;

	for (s = p + 1; r == 0; s++) {
		if (*s != '/' && *s != '\0')
			continue;
		char c = *s;
		*s = '\0';
		if (mkdir(p, 0755) != 0 && errno != EEXIST)
			r = cerr_set(err, "mkdir %s: %s", p, strerror(errno));
		*s = c;
		if (c == '\0')
			break;
	}
	free(p);
	return r;
}

static int
render_write_all(int fd, const char *p, size_t len)
{
	ssize_t n;

	while (len > 0) {
		n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

char **
render_check_argv(const struct render_dest *d, const char *tmp,
    struct cerr *err)
{
	const char *fields[] = {"Path", tmp, NULL};
	struct tmpl_data data = {.fields = fields};
	struct tmpl_opts topts = {.name = "check"};
	size_t argc, i;
	struct tmpl *t;
	char **argv;

	for (argc = 0; d->check[argc] != NULL; argc++)
		;
	argv = xcalloc(argc + 1, sizeof(*argv));
	for (i = 0; i < argc; i++) {
		struct buf arg = {0};

		if (strstr(d->check[i], "{{") == NULL) {
			argv[i] = xstrdup(d->check[i]);
			continue;
		}
		if (tmpl_parse(&t, d->check[i], strlen(d->check[i]), &topts,
			err) != 0)
			goto fail;
		if (tmpl_render(t, &data, &arg, NULL, err) != 0) {
			tmpl_free(t);
			goto fail;
		}
		tmpl_free(t);
		argv[i] = buf_steal(&arg);
	}
	return argv;
fail:
	render_argv_free(argv);
	return NULL;
}

void
render_argv_free(char **argv)
{
	size_t i;

	for (i = 0; argv != NULL && argv[i] != NULL; i++)
		free(argv[i]);
	free(argv);
}

int
render_check_failed(const char *prog, int code, const struct buf *out,
    struct cerr *err)
{
	struct buf line = {0};
	size_t i;

	/* Keep the log line on one line. */
	buf_append(&line, out->data != NULL ? out->data : "", out->len);
	for (i = 0; i < line.len; i++)
		if (line.data[i] == '\n')
			line.data[i] = ' ';
	cerr_set(err, "check %s exited with %d: %s", prog, code,
	    line.len ? line.data : "(no output)");
	buf_free(&line);
	return -1;
}

void
render_check_error(struct cerr *err)
{
	char msg[sizeof(err->msg)];

	memcpy(msg, err->msg, sizeof(msg));
	cerr_set(err, "check %s", msg);
}

/* Renders each check argument over .Path = tmp and runs the check. */
static int
render_check(const struct render_dest *d, const char *tmp, struct cerr *err)
{
	struct buf out = {.cap = RENDER_CHECK_OUTPUT};
	char **argv;
	int code;

	if ((argv = render_check_argv(d, tmp, err)) == NULL)
		return -1;
	code = command_run(argv, d->check_timeout_ms, &out, err);
	if (code > 0)
		render_check_failed(argv[0], code, &out, err);
	else if (code < 0)
		render_check_error(err);
	render_argv_free(argv);
	buf_free(&out);
	return code == 0 ? 0 : -1;
}

/* fsync of a directory, so that a rename survives a crash. */
static void
render_sync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
}

/* render_stage(), with or without the check. */
static int
render_stage_as(const struct render_dest *d, const char *content, size_t len,
    struct render_staged *s, bool check, struct cerr *err)
{
	char *base;
	struct stat old;
	bool have_old;
	mode_t mode;

	memset(s, 0, sizeof(*s));
	s->fd = -1;
	if (render_same(d->path, content, len, &old, &have_old))
		return 0;
	s->d = d;
	render_split(d->path, &s->dir, &base);
	if (d->create_dirs && render_mkdirs(s->dir, err) != 0) {
		free(base);
		goto fail;
	}
	s->tmp = xasprintf("%s/.%s" RENDER_TMP_TAG "XXXXXX", s->dir, base);
	free(base);
	if ((s->fd = mkostemp(s->tmp, O_CLOEXEC)) < 0) {
		cerr_set(err, "%s: cannot create a temp file in %s: %s",
		    d->path, s->dir, strerror(errno));
		free(s->tmp);
		s->tmp = NULL; /* not ours to unlink */
		goto fail;
	}
	mode = d->mode >= 0 ? (mode_t)d->mode
	       : d->secret  ? 0600
	       : have_old   ? old.st_mode & 07777
			    : 0644;
	if (render_write_all(s->fd, content, len) != 0) {
		cerr_set(err, "%s: write: %s", s->tmp, strerror(errno));
		goto fail;
	}
	if (fchmod(s->fd, mode) != 0) {
		cerr_set(err, "%s: chmod %04o: %s", d->path, mode,
		    strerror(errno));
		goto fail;
	}
	if (d->chown ? fchown(s->fd, d->uid, d->gid) != 0
	    : have_old && geteuid() == 0
		? fchown(s->fd, old.st_uid, old.st_gid) != 0
		: false) {
		cerr_set(err, "%s: chown: %s", d->path, strerror(errno));
		goto fail;
	}
	/* The check reads the temp file through the page cache: no sync is
	 * needed yet; render_commit syncs every staged file at once. */
	if (check && d->check != NULL && d->check[0] != NULL &&
	    render_check(d, s->tmp, err) != 0)
		goto fail;
	return 1;
fail:
	render_abort(s, 1);
	return -1;
}

int
render_stage(const struct render_dest *d, const char *content, size_t len,
    struct render_staged *s, struct cerr *err)
{
	return render_stage_as(d, content, len, s, true, err);
}

int
render_prepare(const struct render_dest *d, const char *content, size_t len,
    struct render_staged *s, struct cerr *err)
{
	return render_stage_as(d, content, len, s, false, err);
}

void
render_abort(struct render_staged *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (s[i].fd >= 0)
			close(s[i].fd);
		if (s[i].tmp != NULL)
			unlink(s[i].tmp);
		free(s[i].tmp);
		free(s[i].dir);
		memset(&s[i], 0, sizeof(s[i]));
		s[i].fd = -1;
	}
}

/*
 * Makes the data of every staged temp file durable before any rename:
 * fsync when one file is staged; for several, one syncfs() per filesystem,
 * which costs one journal commit instead of one per file (docs/internals.md,
 * "Writing files"). Returns 0 or -1 with a message.
 */
static int
render_sync_staged(struct render_staged *s, size_t n, struct cerr *err)
{
	size_t i, k, ndone = 0, nstaged = 0, one = 0;
	struct stat st;
	dev_t *done;
	int r = 0;

	for (i = 0; i < n; i++)
		if (s[i].fd >= 0) {
			nstaged++;
			one = i;
		}
	if (nstaged == 0)
		return 0;
	if (nstaged == 1)
		return fsync(s[one].fd) == 0 ? 0
					     : cerr_set(err, "%s: fsync: %s",
						   s[one].tmp, strerror(errno));
	done = xcalloc(n, sizeof(*done));
	for (i = 0; i < n && r == 0; i++) {
		if (s[i].fd < 0)
			continue;
		/* A file beside an earlier one is on its filesystem. */
		for (k = 0; k < i; k++)
			if (s[k].fd >= 0 && strcmp(s[k].dir, s[i].dir) == 0)
				break;
		if (k < i || fstat(s[i].fd, &st) != 0)
			continue;
		for (k = 0; k < ndone && done[k] != st.st_dev; k++)
			;
		if (k < ndone)
			continue;
		done[ndone++] = st.st_dev;
		if (syncfs(s[i].fd) != 0)
			r = cerr_set(err, "%s: syncfs: %s", s[i].tmp,
			    strerror(errno));
	}
	free(done);
	return r;
}

int
render_commit(struct render_staged *s, size_t n, struct cerr *err)
{
	size_t i, k;
	int r = -1;

	if (render_sync_staged(s, n, err) != 0)
		goto out;
	for (i = 0; i < n; i++) {
		if (s[i].tmp == NULL)
			continue;
		close(s[i].fd);
		s[i].fd = -1;
		if (rename(s[i].tmp, s[i].d->path) != 0) {
			cerr_set(err, "%s: rename: %s", s[i].d->path,
			    strerror(errno));
			goto out;
		}
		free(s[i].tmp);
		s[i].tmp = NULL;
	}
	/* Each directory once, so that the renames survive a crash. */
	for (i = 0; i < n; i++) {
		if (s[i].dir == NULL)
			continue;
		for (k = 0; k < i; k++)
			if (s[k].dir != NULL && strcmp(s[k].dir, s[i].dir) == 0)
				break;
		if (k == i)
			render_sync_dir(s[i].dir);
	}
	r = 0;
out:
	render_abort(s, n);
	return r;
}

int
render_write(const struct render_dest *d, const char *content, size_t len,
    struct cerr *err)
{
	struct render_staged s;
	int r;

	if ((r = render_stage(d, content, len, &s, err)) != 1)
		return r;
	return render_commit(&s, 1, err) == 0 ? 1 : -1;
}

/* Whether name is a temp file of one of the n bases (".BASE" TAG
 * "XXXXXX"). */
static bool
render_is_tmp(const char *name, char *const *base, size_t n)
{
	size_t i, blen, tlen = strlen(RENDER_TMP_TAG);

	if (name[0] != '.')
		return false;
	for (i = 0; i < n; i++) {
		blen = strlen(base[i]);
		if (strncmp(name + 1, base[i], blen) == 0 &&
		    strncmp(name + 1 + blen, RENDER_TMP_TAG, tlen) == 0 &&
		    strlen(name + 1 + blen + tlen) == 6)
			return true;
	}
	return false;
}

int
render_cleanup(const char *const *paths, size_t n)
{
	char **dir = xcalloc(n + 1, sizeof(*dir)), **base, **mine, *victim;
	size_t i, j, k, nb;
	struct dirent *de;
	int removed = 0;
	DIR *d;

	base = xcalloc(n + 1, sizeof(*base));
	mine = xcalloc(n + 1, sizeof(*mine));
	for (i = 0; i < n; i++)
		render_split(paths[i], &dir[i], &base[i]);
	/* Each directory once, for the bases of every path in it. */
	for (i = 0; i < n; i++) {
		for (j = 0; j < i && strcmp(dir[j], dir[i]) != 0; j++)
			;
		if (j < i)
			continue;
		for (k = i, nb = 0; k < n; k++)
			if (strcmp(dir[k], dir[i]) == 0)
				mine[nb++] = base[k];
		if ((d = opendir(dir[i])) == NULL)
			continue;
		while ((de = readdir(d)) != NULL) {
			if (!render_is_tmp(de->d_name, mine, nb))
				continue;
			victim = xasprintf("%s/%s", dir[i], de->d_name);
			if (unlink(victim) == 0)
				removed++;
			free(victim);
		}
		closedir(d);
	}
	for (i = 0; i < n; i++) {
		free(dir[i]);
		free(base[i]);
	}
	free(dir);
	free(base);
	free(mine);
	return removed;
}
