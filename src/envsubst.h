/* ${VAR} expansion over an environment array: the config file and
 * templates with `engine: envsubst`. */
#ifndef CONFINIT_ENVSUBST_H
#define CONFINIT_ENVSUBST_H

#include <stddef.h>

#include "cerr.h"

/*
 * Where an expansion failed, 1-based, counted in bytes of the input, and
 * why (without the position).
 */
struct envsubst_error {
	size_t line;
	size_t col;
	char msg[512];
};

/*
 * Expands the len bytes at s using env (a NULL-terminated "NAME=value"
 * array; NULL means empty):
 *   ${NAME}            the value, "" when unset
 *   ${NAME:-word}      word when NAME is unset or empty
 *   ${NAME-word}       word when NAME is unset
 *   ${NAME:?message}   an error with message when NAME is unset or empty
 *   ${NAME?message}    an error with message when NAME is unset
 *   $$                 a literal '$' (so "$${NAME}" gives "${NAME}")
 * word and message are expanded themselves. A '$' followed by anything
 * else stays as it is ("$HOME" is not expanded). NAME is
 * [A-Za-z_][A-Za-z0-9_]*. Returns 0 with *out a NUL-terminated string the
 * caller frees (*outlen its length, if outlen is not NULL), or -1 with e
 * filled: an unterminated "${", a bad name, or a :? / ? error.
 */
int envsubst_expand(const char *s, size_t len, char *const *env, char **out,
    size_t *outlen, struct envsubst_error *e);

/*
 * envsubst_expand() over the string s, with errors as "name:line:col: msg"
 * in err. Returns 0 with *out the caller's, or -1.
 */
int envsubst_string(const char *name, const char *s, char *const *env,
    char **out, struct cerr *err);

/* Returns the value of NAME in env, or NULL; owned by env. */
const char *envsubst_getenv(char *const *env, const char *name, size_t len);

#endif
