/* Test app: leaves two processes behind and exits with the code it is
 * given. One handles SIGTERM (notes it, then exits); the other, in a process
 * group of its own, ignores SIGTERM. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const char *log_path;

/* Sleeps about ms milliseconds; a signal cuts it short. */
static void
nap(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

	nanosleep(&ts, NULL);
}

/* Appends a line to the log file. */
static void
log_line(const char *line)
{
	int fd =
	    open(log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);

	if (fd >= 0 && write(fd, line, strlen(line)) < 0)
		(void)0;
	if (fd >= 0)
		close(fd);
}

/* The polite one: notes SIGTERM and exits. */
static void
on_term(int sig)
{
	(void)sig;
	log_line("term\n");
	_exit(0);
}

/* Runs one left-behind process: writes its pid to "DIR/NAME.pid", tells the
 * app it is ready by closing its end of the pipe, then lives up to 30 s. */
static void
stay(const char *dir, const char *name, int wfd, int polite)
{
	struct sigaction sa = {.sa_handler = on_term};
	struct sigaction ign = {.sa_handler = SIG_IGN};
	char path[4096], line[32];
	int i;
	FILE *f;

	sigaction(SIGTERM, polite ? &sa : &ign, NULL);
	if (!polite)
		setpgid(0, 0);
	snprintf(path, sizeof(path), "%s/%s.pid", dir, name);
	if ((f = fopen(path, "we")) == NULL)
		_exit(98);
	fprintf(f, "%d\n", (int)getpid());
	fclose(f);
	close(wfd);
	for (i = 0; i < 300; i++)
		nap(100);
	snprintf(line, sizeof(line), "%s timeout\n", name);
	log_line(line);
	_exit(97);
}

/* Usage: leaver DIR CODE [polite]. Log lines go to DIR/log. With "polite"
 * only the process that handles SIGTERM is left behind. */
int
main(int argc, char **argv)
{
	char path[4096], c;
	int pfd[2];
	pid_t pid;

	if (argc != 3 && argc != 4)
		return 99;
	snprintf(path, sizeof(path), "%s/log", argv[1]);
	log_path = path;
	if (pipe2(pfd, O_CLOEXEC) != 0)
		return 98;
	if ((pid = fork()) == 0)
		stay(argv[1], "polite", pfd[1], 1);
	if (pid > 0 && argc == 3 && (pid = fork()) == 0)
		stay(argv[1], "stubborn", pfd[1], 0);
	if (pid < 0)
		return 98;
	close(pfd[1]);
	/* EOF once both have written their pid files. */
	while (read(pfd[0], &c, 1) < 0 && errno == EINTR)
		;
	return atoi(argv[2]);
}
