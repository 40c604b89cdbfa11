/* Which descriptors a child of confinit inherits (see fdkeep.h). */
#include <dirent.h>
#include <fcntl.h>
#include <linux/close_range.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "fdkeep.h"
#include "units.h"

/* Inherited descriptors beyond this many are not passed on. */
#define FDKEEP_MAX 64
/* Without /proc, descriptors below this are probed one by one. */
#define FDKEEP_PROBE 1024

static int fdkeep_fds[FDKEEP_MAX];
static int fdkeep_n;

/* Records fd if it is open and not close-on-exec. */
static void
fdkeep_add(int fd)
{
	int flags;

	if (fd <= 2 || fdkeep_n == FDKEEP_MAX)
		return;
	if ((flags = fcntl(fd, F_GETFD)) >= 0 && (flags & FD_CLOEXEC) == 0)
		fdkeep_fds[fdkeep_n++] = fd;
}

void
fdkeep_init(void)
{
	struct dirent *de;
	long fd;
	DIR *d;

	fdkeep_n = 0;
	if ((d = opendir("/proc/self/fd")) == NULL) {
		for (fd = 3; fd < FDKEEP_PROBE; fd++)
			fdkeep_add((int)fd);
		return;
	}
	while ((de = readdir(d)) != NULL)
		if (units_int(de->d_name, 3, 0x7fffffff, &fd) == 0 &&
		    fd != dirfd(d))
			fdkeep_add((int)fd);
	closedir(d);
}

void
fdkeep_child(void)
{
	struct rlimit rl;
	long fd, max;
	int i, flags;

	if (syscall(SYS_close_range, 3U, ~0U, CLOSE_RANGE_CLOEXEC) != 0) {
		/* Before Linux 5.11: one by one, up to the limit. */
		max = getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < 65536
			  ? (long)rl.rlim_cur
			  : 65536;
		for (fd = 3; fd < max; fd++)
			if ((flags = fcntl((int)fd, F_GETFD)) >= 0)
				(void)fcntl((int)fd, F_SETFD,
				    flags | FD_CLOEXEC);
	}
	for (i = 0; i < fdkeep_n; i++)
		if ((flags = fcntl(fdkeep_fds[i], F_GETFD)) >= 0)
			(void)fcntl(fdkeep_fds[i], F_SETFD,
			    flags & ~FD_CLOEXEC);
}
