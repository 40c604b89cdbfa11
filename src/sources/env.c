/* The env source: variables with a prefix -> keys ("APP_DB_HOST" ->
 * "db/host"). */
#include <stdlib.h>
#include <string.h>

#include "source.h"
#include "xmalloc.h"

int
source_env_read(const char *prefix, char *const *env, struct kv **out)
{
	struct kv *kv = kv_new();
	size_t plen, i, k;
	const char *eq;
	char *key;

	if (strncmp(prefix, "env://", 6) == 0)
		prefix += 6;
	plen = strlen(prefix);
	for (i = 0; env != NULL && env[i] != NULL; i++) {
		eq = strchr(env[i], '=');
		if (eq == NULL || (size_t)(eq - env[i]) <= plen ||
		    strncmp(env[i], prefix, plen) != 0)
			continue;
		key = xstrndup(env[i] + plen, (size_t)(eq - env[i]) - plen);
		for (k = 0; key[k] != '\0'; k++) {
			if (key[k] == '_')
				key[k] = '/';
			else if (key[k] >= 'A' && key[k] <= 'Z')
				key[k] = (char)(key[k] - 'A' + 'a');
		}
		kv_set(kv, key, eq + 1);
		free(key);
	}
	*out = kv;
	return 0;
}
