/* Test launcher: starts a program with a chosen signal mask and ignored set,
 * no descriptor above 2, and optionally dies once the program is ready. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Closes every descriptor above stderr. */
static void
close_extra(void)
{
	int fd, max = (int)sysconf(_SC_OPEN_MAX);

	if (max < 0 || max > 65536)
		max = 65536;
	for (fd = 3; fd < max; fd++)
		close(fd);
}

/* Sleeps about ms milliseconds. */
static void
nap(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/*
 * Usage: launcher [-b SIGNUM]... [-i SIGNUM]... [-d READYFILE [-P PIDFILE]]
 * -- PROG [ARGS...]. Every disposition is reset to the default, then -b
 * signals are blocked and -i signals ignored. With -d the program runs as a
 * child (its pid written to PIDFILE) and the launcher exits as soon as
 * READYFILE exists, or after 10 s.
 */
int
main(int argc, char **argv)
{
	struct sigaction dfl = {.sa_handler = SIG_DFL};
	struct sigaction ign = {.sa_handler = SIG_IGN};
	const char *ready = NULL, *pidfile = NULL;
	sigset_t mask;
	int i, sig, waited;
	pid_t pid;
	FILE *f;

	sigemptyset(&mask);
	for (sig = 1; sig < 65; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			sigaction(sig, &dfl, NULL);
	for (i = 1; i < argc && strcmp(argv[i], "--") != 0; i++) {
		if (i + 1 >= argc)
			goto usage;
		if (strcmp(argv[i], "-b") == 0)
			sigaddset(&mask, atoi(argv[++i]));
		else if (strcmp(argv[i], "-i") == 0)
			sigaction(atoi(argv[++i]), &ign, NULL);
		else if (strcmp(argv[i], "-d") == 0)
			ready = argv[++i];
		else if (strcmp(argv[i], "-P") == 0)
			pidfile = argv[++i];
		else
			goto usage;
	}
	if (i + 1 >= argc)
		goto usage;
	argv += i + 1;
	sigprocmask(SIG_SETMASK, &mask, NULL);
	close_extra();
	if (ready == NULL) {
		execvp(argv[0], argv);
		fprintf(stderr, "launcher: %s: %s\n", argv[0], strerror(errno));
		return 127;
	}
	if ((pid = fork()) < 0)
		return 1;
	if (pid == 0) {
		execvp(argv[0], argv);
		_exit(127);
	}
	if (pidfile != NULL && (f = fopen(pidfile, "we")) != NULL) {
		fprintf(f, "%d\n", (int)pid);
		fclose(f);
	}
	for (waited = 0; waited < 10000 && access(ready, F_OK) != 0;
	     waited += 20)
		nap(20);
	return 0;
usage:
	fputs("usage: launcher [-b SIG] [-i SIG] [-d READY [-P PIDFILE]] -- "
	      "PROG [ARGS...]\n",
	    stderr);
	return 2;
}
