/* Keys -> the app's environment: envconsul-style prefixes and templated
 * values. */
#ifndef CONFINIT_ENVMAP_H
#define CONFINIT_ENVMAP_H

#include <stdbool.h>
#include <stddef.h>

#include "cerr.h"
#include "template/template.h"

/* One `env:` entry: a prefix mapping, or one variable with a template. */
struct envmap_rule {
	const char *prefix;	  /* every key under it becomes a variable */
	bool upcase, sanitize;	  /* envconsul's rules, for a prefix */
	const char *format;	  /* name format: "{{ key }}" is the key */
	const char *name;	  /* or: one variable... */
	const struct tmpl *value; /* ...whose value is this template */
};

/*
 * Builds the app's environment: base (NULL: an empty environment, for
 * `pristine`) with each rule's variables set over it, in rule order (a
 * later rule wins). Keys come from data. The dependencies (prefixes and
 * keys read) are added to deps when it is not NULL. Returns 0 and a
 * NULL-terminated "NAME=value" array that the caller frees with
 * envmap_free(); or -1 with a message naming the rule's variable.
 */
int envmap_build(const struct envmap_rule *rules, size_t n,
    const struct tmpl_data *data, char *const *base, char ***out,
    struct tmpl_deps *deps, struct cerr *err);

/* The variable name a prefix rule gives the key rel (relative to the
 * prefix); the caller frees it. */
char *envmap_name(const struct envmap_rule *r, const char *rel);

/* True when a and b hold the same variables (in any order). */
bool envmap_equal(char *const *a, char *const *b);

/* Frees an array from envmap_build(); NULL is a no-op. */
void envmap_free(char **env);

#endif
