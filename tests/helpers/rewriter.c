/* Test app: makes N edits of a source file ("n: I", written to a temp file
 * and renamed over it, as editors do) and after each waits until the
 * rendered file's second line is I. Prints "rendered=K" (K = edits that
 * were rendered; it stops at the first that is not within 10 s). */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* True when line 2 of path is the number i. */
static int
rendered(const char *path, long i)
{
	char buf[256], *nl;
	ssize_t n;
	int fd;

	if ((fd = open(path, O_RDONLY)) < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	if ((nl = strchr(buf, '\n')) == NULL)
		return 0;
	return strtol(nl + 1, NULL, 10) == i;
}

int
main(int argc, char **argv)
{
	struct timespec pause = {0, 500000};
	char tmp[4096], text[64];
	long i, n, waited;
	FILE *f;

	if (argc != 4) {
		fprintf(stderr, "usage: rewriter SOURCE RENDERED N\n");
		return 2;
	}
	n = strtol(argv[3], NULL, 10);
	snprintf(tmp, sizeof(tmp), "%s.new", argv[1]);
	for (i = 1; i <= n; i++) {
		snprintf(text, sizeof(text), "n: %ld\n", i);
		if ((f = fopen(tmp, "w")) == NULL)
			return 1;
		fputs(text, f);
		fclose(f);
		if (rename(tmp, argv[1]) != 0)
			return 1;
		for (waited = 0; !rendered(argv[2], i); waited++) {
			if (waited > 20000) { /* 10 s */
				printf("rendered=%ld\n", i - 1);
				return 1;
			}
			nanosleep(&pause, NULL);
		}
	}
	printf("rendered=%ld\n", n);
	return 0;
}
