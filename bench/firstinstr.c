/* Benchmark: time from starting an init to its app's first instruction,
 * and to the init's exit. Run as: firstinstr RUNS CLEANDIR NAME -- INIT...
 * where INIT... runs "firstinstr app" as its app. Before each run the
 * regular files in CLEANDIR are removed ("-": none), so that an init that
 * renders files writes them every time. The launcher takes the time, forks
 * and execs INIT... with a pipe on descriptor 3; the app (statically linked,
 * so its own start is short and the same under every init) writes the time
 * at the top of its main() to descriptor 3 and exits. The init's stdout and
 * stderr go to /dev/null, as under hyperfine. Prints the mean, p50
 * and p99 of both times in ms. */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"

/* Removes the regular files of dir (not recursing). */
static void
clean(const char *dir)
{
	char path[4096];
	struct dirent *de;
	DIR *d;

	if (strcmp(dir, "-") == 0 || (d = opendir(dir)) == NULL)
		return;
	while ((de = readdir(d)) != NULL)
		if (de->d_type == DT_REG) {
			snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
			unlink(path);
		}
	closedir(d);
}

/* Prints mean, p50 and p99 of v[0..n) in ms (sorts v). */
static void
stats(const char *what, int64_t *v, int n)
{
	double sum = 0;
	int i;

	qsort(v, (size_t)n, sizeof(*v), cmp_i64);
	for (i = 0; i < n; i++)
		sum += (double)v[i];
	printf(" %s: mean %.2f ms, p50 %.2f ms, p99 %.2f ms;", what,
	    sum / n / 1e6, v[n / 2] / 1e6, v[(n * 99) / 100] / 1e6);
}

int
main(int argc, char **argv)
{
	int64_t t0, t1, *first, *whole;
	int i, runs, p[2], ok = 0;
	pid_t pid;

	if (argc >= 2 && strcmp(argv[1], "app") == 0) {
		t1 = now_ns();
		return write(3, &t1, sizeof(t1)) == sizeof(t1) ? 0 : 1;
	}
	if (argc < 6 || strcmp(argv[4], "--") != 0)
		return fprintf(stderr,
			   "usage: %s RUNS CLEANDIR NAME -- INIT...\n",
			   argv[0]),
		       2;
	runs = atoi(argv[1]);
	first = calloc((size_t)runs, sizeof(*first));
	whole = calloc((size_t)runs, sizeof(*whole));
	for (i = -runs / 10; i < runs; i++) { /* a tenth as warm-up */
		clean(argv[2]);
		if (pipe(p) != 0)
			return 1;
		t0 = now_ns();
		if ((pid = fork()) == 0) {
			/* As hyperfine does: the init's output is not timed. */
			int null = open("/dev/null", O_WRONLY);

			dup2(null, 1);
			dup2(null, 2);
			close(null);
			close(p[0]);
			if (p[1] != 3) {
				dup2(p[1], 3);
				close(p[1]);
			}
			execvp(argv[5], argv + 5);
			_exit(127);
		}
		close(p[1]);
		t1 = 0;
		ok = read(p[0], &t1, sizeof(t1)) == sizeof(t1);
		close(p[0]);
		waitpid(pid, NULL, 0);
		if (!ok)
			return fprintf(stderr, "%s: the app did not report\n",
				   argv[3]),
			       1;
		if (i >= 0) {
			first[i] = t1 - t0;
			whole[i] = now_ns() - t0;
		}
	}
	printf("%s (%d runs):", argv[3], runs);
	stats("to the app's first instruction", first, runs);
	stats("to the init's exit", whole, runs);
	printf("\n");
	return 0;
}
