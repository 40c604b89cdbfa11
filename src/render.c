/* Writing a rendered file: temp file, fsync, perms, check, atomic rename. */
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

/* True when path holds exactly content. */
static bool
render_same(const char *path, const char *content, size_t len)
{
	char chunk[8192];
	size_t at = 0;
	bool same = true;
	ssize_t n;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return false;
	while (same && (n = read(fd, chunk, sizeof(chunk))) > 0) {
		if ((size_t)n > len - at || memcmp(chunk, content + at, n) != 0)
			same = false;
		at += (size_t)n;
	}
	close(fd);
	return same && n == 0 && at == len;
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

/* Renders each check argument over .Path = tmp and runs the check. */
static int
render_check(const struct render_dest *d, const char *tmp, struct cerr *err)
{
	const char *fields[] = {"Path", tmp, NULL};
	struct tmpl_data data = {.fields = fields};
	struct tmpl_opts topts = {.name = "check"};
	struct buf out = {.cap = 4096};
	size_t argc, i;
	struct tmpl *t;
	char **argv;
	int code = -1;

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
			goto out;
		if (tmpl_render(t, &data, &arg, NULL, err) != 0) {
			tmpl_free(t);
			goto out;
		}
		tmpl_free(t);
		argv[i] = buf_steal(&arg);
	}
	code = command_run(argv, d->check_timeout_ms, &out, err);
	if (code > 0) {
		/* Keep the log line on one line. */
		for (i = 0; i < out.len; i++)
			if (out.data[i] == '\n')
				out.data[i] = ' ';
		cerr_set(err, "check %s exited with %d: %s", argv[0], code,
		    out.len ? out.data : "(no output)");
	}
out:
	for (i = 0; i < argc; i++)
		free(argv[i]);
	free(argv);
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

int
render_write(const struct render_dest *d, const char *content, size_t len,
    struct cerr *err)
{
	char *dir = NULL, *base = NULL, *tmp = NULL;
	struct stat old;
	bool have_old;
	int fd = -1, r = -1;
	mode_t mode;

	if (render_same(d->path, content, len))
		return 0;
	render_split(d->path, &dir, &base);
	if (d->create_dirs && render_mkdirs(dir, err) != 0)
		goto out;
	tmp = xasprintf("%s/.%s" RENDER_TMP_TAG "XXXXXX", dir, base);
	if ((fd = mkostemp(tmp, O_CLOEXEC)) < 0) {
		cerr_set(err, "%s: cannot create a temp file in %s: %s",
		    d->path, dir, strerror(errno));
		free(tmp);
		tmp = NULL;
		goto out;
	}
	have_old = stat(d->path, &old) == 0;
	mode = d->mode >= 0 ? (mode_t)d->mode
	       : d->secret  ? 0600
	       : have_old   ? old.st_mode & 07777
			    : 0644;
	if (render_write_all(fd, content, len) != 0 || fsync(fd) != 0) {
		cerr_set(err, "%s: write: %s", tmp, strerror(errno));
		goto out;
	}
	if (fchmod(fd, mode) != 0) {
		cerr_set(err, "%s: chmod %04o: %s", d->path, mode,
		    strerror(errno));
		goto out;
	}
	if (d->chown ? fchown(fd, d->uid, d->gid) != 0
	    : have_old && geteuid() == 0
		? fchown(fd, old.st_uid, old.st_gid) != 0
		: false) {
		cerr_set(err, "%s: chown: %s", d->path, strerror(errno));
		goto out;
	}
	close(fd);
	fd = -1;
	if (d->check != NULL && d->check[0] != NULL &&
	    render_check(d, tmp, err) != 0)
		goto out;
	if (rename(tmp, d->path) != 0) {
		cerr_set(err, "%s: rename: %s", d->path, strerror(errno));
		goto out;
	}
	free(tmp);
	tmp = NULL;
	render_sync_dir(dir);
	r = 1;
out:
	if (fd >= 0)
		close(fd);
	if (tmp != NULL) {
		unlink(tmp);
		free(tmp);
	}
	free(dir);
	free(base);
	return r;
}

int
render_cleanup(const char *path)
{
	char *dir, *base, *prefix, *victim;
	struct dirent *de;
	int removed = 0;
	DIR *d;

	render_split(path, &dir, &base);
	prefix = xasprintf(".%s" RENDER_TMP_TAG, base);
	if ((d = opendir(dir)) != NULL) {
		while ((de = readdir(d)) != NULL) {
			if (strncmp(de->d_name, prefix, strlen(prefix)) != 0 ||
			    strlen(de->d_name) != strlen(prefix) + 6)
				continue;
			victim = xasprintf("%s/%s", dir, de->d_name);
			if (unlink(victim) == 0)
				removed++;
			free(victim);
		}
		closedir(d);
	}
	free(prefix);
	free(dir);
	free(base);
	return removed;
}
