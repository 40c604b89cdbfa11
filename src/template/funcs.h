/* Template functions: how a dialect library declares and implements them. */
#ifndef CONFINIT_TEMPLATE_FUNCS_H
#define CONFINIT_TEMPLATE_FUNCS_H

#include <stddef.h>

#include "template/template.h"
#include "template/value.h"

/* One call of a function during a render; opaque. */
struct tmpl_call;

/*
 * A function: argv[0..argc) are its arguments (argc is already checked
 * against min_args/max_args; in a pipeline the previous result is the last
 * argument). It stores its result in *ret and returns 0, or returns
 * tmpl_call_fail(c, ...) (-1). The engine prefixes the message with
 * "name:line:col: error calling NAME: ". The arguments and *ret follow the
 * ownership rules of value.h.
 */
typedef int (*tmpl_fn)(struct tmpl_call *c, size_t argc,
    const struct tval *argv, struct tval *ret);

/*
 * A table entry; a table ends with an entry whose name is NULL.
 *
 * params gives the Go type of each parameter, one letter each: 's' string,
 * 'i' int, 'L' []string, 'v' interface{} (anything; a missing value is
 * nil); for a variadic function the last letter stands for every further
 * argument. The engine checks each argument right after evaluating it, as
 * Go's text/template converts arguments before the call, and fails with
 * Go's message at the argument ("expected integer; found 2.5", "wrong type
 * for value; expected string; got int"), so the function can read
 * argv[i].u.s / .u.i directly. NULL: no checks (the function does its own);
 * never "" (a function without parameters has NULL).
 * op is a constant the function reads with tmpl_call_op(), so that one
 * function can serve several entries (add, sub, ...).
 */
struct tmpl_func {
	const char *name;
	int min_args;
	int max_args; /* -1: variadic */
	tmpl_fn fn;
	const char *params;
	int op;
};

/*
 * The tables, one per dialect file, looked up at parse time: the dialect's
 * table first, then the built-ins (and, or, not, len, index, printf, ...).
 */
extern const struct tmpl_func tmpl_funcs_consul[];
extern const struct tmpl_func tmpl_funcs_confd[];
extern const struct tmpl_func tmpl_funcs_dockerize[];
extern const struct tmpl_func tmpl_funcs_builtin[];

/*
 * tmpl_parse() with an extra table of functions (ending with a NULL name),
 * looked up before the dialect's; it must outlive the template.
 */
int tmpl_parse_funcs(struct tmpl **out, const char *text, size_t len,
    const struct tmpl_opts *opts, const struct tmpl_func *extra,
    struct cerr *err);

/* Sets the error of the call (printf format); returns -1. */
int tmpl_call_fail(struct tmpl_call *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/*
 * As tmpl_call_fail(), for a wrong argument: the error points at argument
 * i (from 0) and is not prefixed with "error calling NAME", as Go's
 * argument conversions. Returns -1.
 */
int tmpl_call_fail_arg(struct tmpl_call *c, size_t i, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/*
 * Fails at argument i with Go's "wrong type for value; expected WANT; got
 * TYPE" ("invalid value; expected WANT" for nil). Returns -1.
 */
int tmpl_call_fail_type(struct tmpl_call *c, size_t i, const char *want,
    struct tval v);
/* Returns the op of the function's table entry. */
int tmpl_call_op(const struct tmpl_call *c);
/* Returns the render's arena, for values the function builds. */
struct tarena *tmpl_call_arena(struct tmpl_call *c);
/* Returns the template's dialect. */
enum tmpl_dialect tmpl_call_dialect(const struct tmpl_call *c);

/*
 * Returns the value of key in the caller's snapshot (NULL when missing or
 * when there is no kv) and records key in deps->keys. The string lives for
 * the whole render.
 */
const char *tmpl_call_kv_get(struct tmpl_call *c, const char *key);
/*
 * Calls fn(arg, key, value) for every key starting with prefix, in sorted
 * order, as tmpl_kv_ops.walk; records prefix in deps->prefixes. Returns 0,
 * or what fn returned when non-zero. Key and value live for the render.
 */
int tmpl_call_kv_walk(struct tmpl_call *c, const char *prefix,
    int (*fn)(void *arg, const char *key, const char *value), void *arg);
/* Records a key the template needs and that is missing (deps->missing). */
void tmpl_call_dep_missing(struct tmpl_call *c, const char *key);
/* Records a file read by the template (deps->files). */
void tmpl_call_dep_file(struct tmpl_call *c, const char *path);
/* Returns the value of environment variable name in tmpl_data, or NULL. */
const char *tmpl_call_getenv(struct tmpl_call *c, const char *name);
/* Returns tmpl_data's environment ("NAME=value", NULL-terminated) or NULL. */
char *const *tmpl_call_environ(struct tmpl_call *c);

#endif
