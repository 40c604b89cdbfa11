/* Test app: records every signal it receives, one number a line, in a file;
 * can ignore some, exit on one, and fork a child in its group that does the
 * same. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static int rec_fd = -1;
static int exit_sig;
static volatile sig_atomic_t exit_now;

/* Appends the signal's number to the record file; async-signal-safe. */
static void
rec_handler(int sig)
{
	char line[8];
	int n = 0, saved = errno;

	if (sig >= 10)
		line[n++] = (char)('0' + sig / 10);
	line[n++] = (char)('0' + sig % 10);
	line[n++] = '\n';
	if (write(rec_fd, line, (size_t)n) < 0)
		(void)0;
	if (sig == exit_sig)
		exit_now = 1;
	errno = saved;
}

/* Milliseconds on the monotonic clock. */
static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Sleeps about ms milliseconds; a signal cuts it short. */
static void
nap(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

	nanosleep(&ts, NULL);
}

/* Opens the record file for appending; exits on failure. */
static int
rec_open(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);

	if (fd < 0) {
		fprintf(stderr, "sigrec: %s: %s\n", path, strerror(errno));
		exit(98);
	}
	return fd;
}

/* Writes text to path through a temp file and rename(), so that a reader
 * polling for path never sees it half-written. */
static void
write_atomic(const char *path, const char *text)
{
	char tmp[4096];
	FILE *f;

	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	if ((f = fopen(tmp, "we")) == NULL)
		exit(98);
	fputs(text, f);
	if (fclose(f) != 0 || rename(tmp, path) != 0)
		exit(98);
}

/* Waits for the exit signal (or the time limit), then exits with code. */
static void
wait_loop(long long limit_ms, long delay_ms, int code)
{
	long long start = now_ms();

	while (!exit_now && now_ms() - start < limit_ms)
		nap(100);
	if (exit_now && delay_ms > 0)
		nap(delay_ms);
	exit(exit_now ? code : 97);
}

/*
 * Usage: sigrec -o FILE [-r READYFILE] [-i SIGNUM]... [-x SIGNUM] [-e CODE]
 * [-s DELAY_MS] [-c CHILDFILE] [-t LIMIT_S]. Handles every signal, real-time
 * ones included, but KILL, STOP and CHLD (-i ones are ignored instead). On -x
 * it exits with CODE (default 0) after DELAY_MS. READYFILE gets "pid pgid
 * childpid". Without -x, or when LIMIT_S (default 30) passes, it exits 97.
 */
int
main(int argc, char **argv)
{
	const char *out = NULL, *ready = NULL, *child_out = NULL;
	struct sigaction sa = {.sa_handler = rec_handler};
	struct sigaction ign = {.sa_handler = SIG_IGN};
	int ignored[65] = {0}, code = 0, sig, opt, pfd[2];
	long delay_ms = 0;
	long long limit_ms = 30000;
	pid_t child = 0;
	char text[64], c;
	sigset_t none;

	while ((opt = getopt(argc, argv, "o:r:i:x:e:s:c:t:")) != -1) {
		switch (opt) {
		case 'o':
			out = optarg;
			break;
		case 'r':
			ready = optarg;
			break;
		case 'i':
			sig = atoi(optarg);
			if (sig > 0 && sig < 65)
				ignored[sig] = 1;
			break;
		case 'x':
			exit_sig = atoi(optarg);
			break;
		case 'e':
			code = atoi(optarg);
			break;
		case 's':
			delay_ms = atol(optarg);
			break;
		case 'c':
			child_out = optarg;
			break;
		case 't':
			limit_ms = atoll(optarg) * 1000;
			break;
		default:
			return 99;
		}
	}
	if (out == NULL)
		return 99;
	rec_fd = rec_open(out);
	sigfillset(&sa.sa_mask);
	for (sig = 1; sig < 65; sig++) {
		/* glibc keeps 32 and 33 for itself. */
		if (sig == SIGKILL || sig == SIGSTOP || sig == SIGCHLD ||
		    (sig >= 32 && sig < SIGRTMIN))
			continue;
		sigaction(sig, ignored[sig] ? &ign : &sa, NULL);
	}
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);

	if (child_out != NULL) {
		if (pipe2(pfd, O_CLOEXEC) != 0 || (child = fork()) < 0)
			return 98;
		if (child == 0) {
			close(rec_fd);
			rec_fd = rec_open(child_out);
			close(pfd[0]);
			close(pfd[1]);
			wait_loop(limit_ms, delay_ms, code);
		}
		close(pfd[1]);
		/* The child's end closes when it has its file open. */
		while (read(pfd[0], &c, 1) < 0 && errno == EINTR)
			;
		close(pfd[0]);
	}
	if (ready != NULL) {
		snprintf(text, sizeof(text), "%d %d %d\n", (int)getpid(),
		    (int)getpgrp(), (int)child);
		write_atomic(ready, text);
	}
	wait_loop(limit_ms, delay_ms, code);
	return 0;
}
