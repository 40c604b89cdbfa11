/* Benchmark: ways to put 10 small files in place so that each is its old
 * or its new content after a crash, on the filesystem of DIR. Run as:
 * fsync DIR REPEATS. For each way, the mean time of writing all 10:
 *   one-by-one  write, fsync, rename, fsync dir; file after file (what
 *               render_write does for one file)
 *   fsync-each  write all, fsync each, rename all, fsync dir once
 *   syncfs      write all, one syncfs(), rename all, fsync dir once (what
 *               confinit's first render does)
 *   no-sync     write all, rename all: no guarantee, for scale */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench.h"

#define NFILES 10

enum way { ONE_BY_ONE, FSYNC_EACH, SYNCFS, NO_SYNC };

static const char *const way_name[] = {"one-by-one", "fsync-each", "syncfs",
    "no-sync"};

/* Writes the NFILES files once the given way; returns the time in ns. */
static int64_t
put_files(const char *dir, enum way w, int round)
{
	char tmp[NFILES][512], dst[NFILES][512], data[1400];
	int fd[NFILES], dfd, i;
	int64_t t0, t;

	memset(data, 'a' + round % 26, sizeof(data));
	if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		exit(2);
	t0 = now_ns();
	for (i = 0; i < NFILES; i++) {
		snprintf(tmp[i], sizeof(tmp[i]), "%s/.f%d.tmp", dir, i);
		snprintf(dst[i], sizeof(dst[i]), "%s/f%d.conf", dir, i);
		fd[i] =
		    open(tmp[i], O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (fd[i] < 0 || write(fd[i], data, sizeof(data)) < 0)
			exit(2);
		if (w == ONE_BY_ONE) {
			fsync(fd[i]);
			close(fd[i]);
			rename(tmp[i], dst[i]);
			fsync(dfd);
		}
	}
	if (w == FSYNC_EACH)
		for (i = 0; i < NFILES; i++)
			fsync(fd[i]);
	if (w == SYNCFS)
		syncfs(fd[0]);
	if (w != ONE_BY_ONE) {
		for (i = 0; i < NFILES; i++) {
			close(fd[i]);
			rename(tmp[i], dst[i]);
		}
		if (w != NO_SYNC)
			fsync(dfd);
	}
	t = now_ns() - t0;
	close(dfd);
	return t;
}

int
main(int argc, char **argv)
{
	int64_t sum[4] = {0};
	int n, r, w;

	if (argc != 3)
		return fprintf(stderr, "usage: %s DIR REPEATS\n", argv[0]), 2;
	n = atoi(argv[2]);
	/* Interleaved, so that a burst of other load falls on every way. */
	for (r = 0; r < n; r++)
		for (w = 0; w < 4; w++) {
			sum[w] += put_files(argv[1], (enum way)w, r);
			usleep(20000);
		}
	for (w = 0; w < 4; w++)
		printf("%-10s %7.3f ms per %d files\n", way_name[w],
		    sum[w] / 1e6 / n, NFILES);
	return 0;
}
