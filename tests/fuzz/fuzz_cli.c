/* Fuzz target: the command line and CONFINIT_* variables (cli_parse),
 * durations and signals with them. The input is split at NUL bytes: words
 * up to an empty word are argv, the rest "NAME=value" variables.
 * Build: make fuzz (clang -fsanitize=fuzzer,address,undefined). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "xmalloc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *copy = xmalloc(size + 1), *p, *end;
	char *argv[64], *env[64];
	int argc = 0, envc = 0;
	bool in_env = false;
	struct options o;
	struct cerr err;

	memcpy(copy, data, size);
	copy[size] = '\0';
	argv[argc++] = "confinit";
	for (p = copy, end = copy + size; p <= end && argc < 63 && envc < 63;
	     p += strlen(p) + 1) {
		if (*p == '\0' && !in_env) {
			in_env = true;
			continue;
		}
		if (in_env)
			env[envc++] = p;
		else
			argv[argc++] = p;
	}
	argv[argc] = NULL;
	env[envc] = NULL;
	if (cli_parse(&o, argc, argv, env, &err) == 0) {
		(void)cli_log_level(&o);
		cli_free(&o);
	}
	free(copy);
	return 0;
}
