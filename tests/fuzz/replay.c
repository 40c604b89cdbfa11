/* Replays fuzz corpora through a fuzz target without libFuzzer, so that
 * make test (with ASan and UBSan) checks every committed input. Usage:
 * replay_NAME FILE_OR_DIR... */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Feeds one file to the target; returns 0, or -1 if it cannot be read. */
static int
replay_file(const char *path)
{
	unsigned char *data;
	long size;
	FILE *f;

	if ((f = fopen(path, "rb")) == NULL)
		return -1;
	fseek(f, 0, SEEK_END);
	size = ftell(f);
	rewind(f);
	data = malloc(size > 0 ? (size_t)size : 1);
	if (data == NULL || fread(data, 1, (size_t)size, f) != (size_t)size) {
		free(data);
		fclose(f);
		return -1;
	}
	fclose(f);
	LLVMFuzzerTestOneInput(data, (size_t)size);
	free(data);
	return 0;
}

int
main(int argc, char **argv)
{
	struct dirent *de;
	struct stat st;
	char path[4096];
	long n = 0;
	DIR *d;
	int i;

	for (i = 1; i < argc; i++) {
		if (stat(argv[i], &st) != 0 || !S_ISDIR(st.st_mode)) {
			if (replay_file(argv[i]) != 0) {
				fprintf(stderr, "replay: cannot read %s\n", argv[i]);
				return 1;
			}
			n++;
			continue;
		}
		if ((d = opendir(argv[i])) == NULL)
			return 1;
		while ((de = readdir(d)) != NULL) {
			if (de->d_name[0] == '.')
				continue;
			snprintf(path, sizeof(path), "%s/%s", argv[i], de->d_name);
			if (replay_file(path) != 0) {
				fprintf(stderr, "replay: cannot read %s\n", path);
				closedir(d);
				return 1;
			}
			n++;
		}
		closedir(d);
	}
	if (n == 0) {
		fprintf(stderr, "replay: no input\n");
		return 1;
	}
	printf("%ld passed, 0 failed\n", n);
	return 0;
}
