/* Fuzz target: --user resolution against passwd and group files (user.c).
 * The input is SPEC NUL PASSWD NUL GROUP; the two files are memfds.
 * Build: make fuzz. Run: build-fuzz/fuzz/fuzz_user tests/fuzz/corpus/user */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "user.h"
#include "xmalloc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A memfd holding data[0..n); writes its /proc path into path. */
static int
fuzz_file(const uint8_t *data, size_t n, char *path, size_t size)
{
	int fd = memfd_create("fuzz", MFD_CLOEXEC);

	if (fd < 0)
		abort();
	if (n > 0 && write(fd, data, n) != (ssize_t)n)
		abort();
	snprintf(path, size, "/proc/self/fd/%d", fd);
	return fd;
}

/* The next NUL-terminated part of data[*at..size) (or the rest). */
static const uint8_t *
fuzz_part(const uint8_t *data, size_t size, size_t *at, size_t *len)
{
	const uint8_t *p = data + *at, *end;

	end = memchr(p, '\0', size - *at);
	*len = end != NULL ? (size_t)(end - p) : size - *at;
	*at += *len + (end != NULL);
	return p;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char pw_path[64], gr_path[64], *spec;
	const uint8_t *pw, *gr, *sp;
	size_t at = 0, n, pw_n, gr_n, i;
	struct user_ids ids;
	struct cerr err;
	int pw_fd, gr_fd;

	sp = fuzz_part(data, size, &at, &n);
	pw = fuzz_part(data, size, &at, &pw_n);
	gr = fuzz_part(data, size, &at, &gr_n);
	spec = xstrndup((const char *)sp, n);
	pw_fd = fuzz_file(pw, pw_n, pw_path, sizeof(pw_path));
	gr_fd = fuzz_file(gr, gr_n, gr_path, sizeof(gr_path));
	err.msg[0] = '\0';
	if (user_resolve(spec, pw_path, gr_path, &ids, &err) == 0) {
		/* The primary group is never listed again. */
		for (i = 0; i < ids.ngroups; i++)
			if (ids.groups[i] == ids.gid)
				abort();
		user_ids_free(&ids);
	} else if (err.msg[0] == '\0') {
		abort();
	}
	close(pw_fd);
	close(gr_fd);
	free(spec);
	return 0;
}
