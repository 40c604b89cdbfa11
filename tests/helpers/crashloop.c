/* Test driver: kills a rendering confinit with SIGKILL at random moments,
 * round after round, and checks the destination after each kill: always
 * exactly the old or the new content, never partial, and at most one
 * temp file beside it (each start removes the ones a kill left). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

struct blob {
	char *data;
	size_t len;
};

/* Reads path whole into b; returns 0, or -1 (b->data NULL). */
static int
slurp(const char *path, struct blob *b)
{
	struct stat st;
	ssize_t n;
	size_t at = 0;
	int fd;

	b->data = NULL;
	b->len = 0;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return -1;
	if (fstat(fd, &st) != 0 || (b->data = malloc(st.st_size + 1)) == NULL) {
		close(fd);
		return -1;
	}
	while (at < (size_t)st.st_size &&
	       (n = read(fd, b->data + at, st.st_size - at)) > 0)
		at += (size_t)n;
	close(fd);
	b->len = at;
	return 0;
}

static int
same(const struct blob *a, const struct blob *b)
{
	return a->len == b->len && memcmp(a->data, b->data, a->len) == 0;
}

/* Counts the temp files confinit makes for dir/base: .BASE.confinit-XXXXXX */
static int
temps(const char *dir, const char *base)
{
	char prefix[512];
	struct dirent *de;
	int n = 0;
	DIR *d;

	snprintf(prefix, sizeof(prefix), ".%s.confinit-", base);
	if ((d = opendir(dir)) == NULL)
		return -1;
	while ((de = readdir(d)) != NULL)
		if (strncmp(de->d_name, prefix, strlen(prefix)) == 0)
			n++;
	closedir(d);
	return n;
}

static long long
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* Waits up to 2 s for a file created in the directory that ino watches. */
static void
wait_create(int ino)
{
	char buf[4096];
	struct pollfd p = {.fd = ino, .events = POLLIN};

	if (poll(&p, 1, 2000) > 0 && read(ino, buf, sizeof(buf)) < 0)
		perror("crashloop: read");
}

/*
 * Starts argv with its config at cfg and kills it: delay_us after the
 * start, or with ino >= 0 delay_us after a file appears in the watched
 * directory (the temp file: the write is under way). delay_us < 0: no
 * kill. Returns the wait status, or -1.
 */
static int
run(char **argv, int cfg_at, const char *cfg, long delay_us, int ino)
{
	struct timespec nap;
	char buf[4096];
	int status, null;
	pid_t pid;

	if (ino >= 0)
		while (read(ino, buf, sizeof(buf)) > 0)
			; /* events of earlier rounds */

	argv[cfg_at] = (char *)cfg;
	if ((pid = fork()) < 0)
		return -1;
	if (pid == 0) {
		if ((null = open("/dev/null", O_WRONLY)) >= 0) {
			dup2(null, 1);
			dup2(null, 2);
		}
		execv(argv[0], argv);
		_exit(127);
	}
	if (delay_us >= 0 && ino >= 0)
		wait_create(ino);
	if (delay_us >= 0) {
		nap.tv_sec = delay_us / 1000000;
		nap.tv_nsec = (delay_us % 1000000) * 1000;
		nanosleep(&nap, NULL);
		kill(pid, SIGKILL);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	return status;
}

/*
 * Usage: crashloop ROUNDS DEST A B CFG_A CFG_B CMD... with "@" in CMD for
 * the config path. A and B are the files CFG_A and CFG_B render to DEST.
 * Prints what the kills hit; exits 1 at the first broken round.
 */
int
main(int argc, char **argv)
{
	long rounds, i, delay, max_us = 0, killed = 0, with_temp = 0;
	long old_kept = 0, new_seen = 0;
	struct blob a, b, got;
	char *dest, *dir, *base, *slash;
	char **cmd;
	long long t0;
	int cfg_at = -1, j, status, n, cur, ino;

	if (argc < 8) {
		fprintf(stderr, "usage: crashloop ROUNDS DEST A B CFG_A CFG_B "
				"CMD... (@ = config)\n");
		return 2;
	}
	rounds = strtol(argv[1], NULL, 10);
	dest = argv[2];
	cmd = argv + 7;
	for (j = 0; cmd[j] != NULL; j++)
		if (strcmp(cmd[j], "@") == 0)
			cfg_at = j;
	if (cfg_at < 0 || slurp(argv[3], &a) != 0 || slurp(argv[4], &b) != 0 ||
	    same(&a, &b)) {
		fprintf(stderr, "crashloop: bad arguments\n");
		return 2;
	}
	dir = strdup(dest);
	slash = strrchr(dir, '/');
	*slash = '\0';
	base = slash + 1;
	srand((unsigned)getpid());

	if ((ino = inotify_init1(IN_NONBLOCK | IN_CLOEXEC)) < 0 ||
	    inotify_add_watch(ino, dir, IN_CREATE) < 0) {
		perror("crashloop: inotify");
		return 2;
	}
	/* The time of a whole run (the fastest of 6: the machine may be
	 * busy), the window the kills are spread over. */
	for (j = 0; j < 6; j++) {
		t0 = now_us();
		status = run(cmd, cfg_at, argv[5 + j % 2], -1, -1);
		if (status != 0) {
			fprintf(stderr, "crashloop: a clean run failed (%d)\n",
			    status);
			return 1;
		}
		if (max_us == 0 || now_us() - t0 < max_us)
			max_us = (long)(now_us() - t0);
	}
	/* dest holds B now; each round renders the other content. */
	for (i = 0, cur = 1; i < rounds; i++) {
		const struct blob *old = cur ? &b : &a;

		/* Even rounds: anywhere in the run; odd ones: within 500 us
		 * of the temp file's creation, while it is written. */
		if (i % 2 == 0)
			delay = (long)((double)rand() / RAND_MAX * max_us);
		else
			delay = (long)((double)rand() / RAND_MAX * 500);
		status =
		    run(cmd, cfg_at, argv[5 + !cur], delay, i % 2 ? ino : -1);
		if (WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
			killed++;
		else if (status != 0) {
			fprintf(stderr, "round %ld: exit status %d\n", i,
			    status);
			return 1;
		}
		if (slurp(dest, &got) != 0) {
			fprintf(stderr, "round %ld: %s is gone\n", i, dest);
			return 1;
		}
		if (!same(&got, &a) && !same(&got, &b)) {
			fprintf(stderr,
			    "round %ld: %s is partial: %zu bytes (killed "
			    "after %ld us)\n",
			    i, dest, got.len, delay);
			return 1;
		}
		n = temps(dir, base);
		if (n > 0)
			with_temp++;
		if (n > 1) {
			fprintf(stderr,
			    "round %ld: %d temp files: a start did not "
			    "remove the last one\n",
			    i, n);
			return 1;
		}
		if (same(&got, old)) {
			old_kept++;
		} else {
			new_seen++;
			cur = !cur;
		}
		free(got.data);
	}
	/* One more start, not killed: nothing left beside dest. */
	status = run(cmd, cfg_at, argv[5 + !cur], -1, -1);
	n = temps(dir, base);
	printf("rounds=%ld killed=%ld completed=%ld old=%ld new=%ld "
	       "temp_left=%ld window_us=%ld after_next_start_temps=%d\n",
	    rounds, killed, rounds - killed, old_kept, new_seen, with_temp,
	    max_us, n);
	free(a.data);
	free(b.data);
	free(dir);
	return status == 0 && n == 0 ? 0 : 1;
}
