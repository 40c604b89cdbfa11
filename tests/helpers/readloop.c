/* Test app: reads a file over and over until a stop file appears, and
 * counts the reads that did not see a whole version (one that starts with
 * "BEGIN\n" and ends with "END\n"). Prints "reads=N partial=M". */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int
main(int argc, char **argv)
{
	static char buf[1 << 16];
	long reads = 0, partial = 0;
	ssize_t n;
	int fd;

	if (argc != 3) {
		fprintf(stderr, "usage: readloop FILE STOPFILE\n");
		return 2;
	}
	while (access(argv[2], F_OK) != 0) {
		if ((fd = open(argv[1], O_RDONLY)) < 0)
			continue; /* not there yet */
		n = read(fd, buf, sizeof(buf));
		close(fd);
		reads++;
		if (n < 10 || memcmp(buf, "BEGIN\n", 6) != 0 ||
		    memcmp(buf + n - 4, "END\n", 4) != 0)
			partial++;
	}
	printf("reads=%ld partial=%ld\n", reads, partial);
	return 0;
}
