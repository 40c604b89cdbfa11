/* Fuzz target: the YAML configuration file (config_load_buffer), with
 * ${} expansion over a fixed environment.
 * Build: make fuzz, or by hand from the repo root:
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -D_GNU_SOURCE -Isrc \
 *     tests/fuzz/fuzz_config.c src/config.c src/envsubst.c src/cli.c \
 *     src/log.c src/units.c src/xmalloc.c src/cerr.c -lyaml -o fuzz_config
 * Run: ./fuzz_config tests/fuzz/corpus/config */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char *const env[] = {"HOME=/root", "EMPTY=", "T=10s",
	    "MODE=0644", NULL};
	struct config *c = NULL;
	struct cerr err;
	size_t i;

	if (config_load_buffer(&c, "fuzz.yaml", (const char *)data, size, env,
		&err) != 0) {
		/* Every error names the input. */
		if (c != NULL || strncmp(err.msg, "fuzz.yaml", 9) != 0)
			abort();
		log_secret_clear();
		return 0;
	}
	/* What the loader promises to the rest of the program. */
	for (i = 0; i < c->ntemplates; i++) {
		const struct config_template *t = &c->templates[i];

		if ((t->src == NULL) == (t->contents == NULL) ||
		    t->dest == NULL || t->mode > 07777)
			abort();
	}
	for (i = 0; i < c->nsources; i++)
		if (c->sources[i].url == NULL || c->sources[i].name == NULL)
			abort();
	for (i = 0; i < c->nenv; i++)
		if ((c->env[i].prefix == NULL) ==
		    (c->env[i].name == NULL || c->env[i].value == NULL))
			abort();
	if (c->exec.command.n > 0 && c->exec.command.v[c->exec.command.n])
		abort();
	if (c->wait_max_ms < c->wait_min_ms)
		abort();
	config_free(c);
	log_secret_clear();
	return 0;
}
