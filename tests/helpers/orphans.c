/* Test app: leaves N orphaned grandchildren that exit at once, so that they
 * become zombies of whoever adopts them; then waits for SIGTERM. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t got_term;

/* Notes SIGTERM. */
static void
on_term(int sig)
{
	(void)sig;
	got_term = 1;
}

/* Sleeps about ms milliseconds; a signal cuts it short. */
static void
nap(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

	nanosleep(&ts, NULL);
}

/* A grandchild: waits until its parent is gone, then appends "pid ppid"
 * (the adopter) to the file and exits. */
static void
orphan_run(int rfd, pid_t parent, const char *out)
{
	char line[64], c;
	int fd, n, i;

	while (read(rfd, &c, 1) < 0 && errno == EINTR)
		;
	for (i = 0; i < 10000 && getppid() == parent; i++)
		nap(1);
	n = snprintf(line, sizeof(line), "%d %d\n", (int)getpid(),
	    (int)getppid());
	fd = open(out, O_WRONLY | O_APPEND | O_CLOEXEC);
	if (fd >= 0 && write(fd, line, (size_t)n) < 0)
		(void)0;
	_exit(0);
}

/*
 * Usage: orphans N FILE. A middle child forks N grandchildren and exits;
 * each grandchild, once adopted, writes "pid ppid" to FILE and exits. The
 * app itself exits 0 on SIGTERM, or 97 after 30 s.
 */
int
main(int argc, char **argv)
{
	struct sigaction sa = {.sa_handler = on_term};
	int n, i, fd, pfd[2];
	pid_t middle, me, pid;

	if (argc != 3)
		return 99;
	n = atoi(argv[1]);
	sigaction(SIGTERM, &sa, NULL);
	if ((fd = open(argv[2], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
		 0644)) < 0)
		return 98;
	close(fd);
	if (pipe2(pfd, O_CLOEXEC) != 0 || (middle = fork()) < 0)
		return 98;
	if (middle == 0) {
		me = getpid();
		for (i = 0; i < n; i++) {
			if ((pid = fork()) < 0)
				_exit(98);
			if (pid == 0) {
				close(pfd[1]);
				orphan_run(pfd[0], me, argv[2]);
			}
		}
		_exit(0);
	}
	close(pfd[0]);
	close(pfd[1]);
	while (waitpid(middle, NULL, 0) < 0 && errno == EINTR)
		;
	for (i = 0; i < 300 && !got_term; i++)
		nap(100);
	return got_term ? 0 : 97;
}
