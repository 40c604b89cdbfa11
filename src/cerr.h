/* Error reports: a message filled in by the function that failed. */
#ifndef CONFINIT_CERR_H
#define CONFINIT_CERR_H

#include <stdarg.h>

/*
 * Functions return 0 / -1 (or NULL) and describe the failure here. Parsers
 * start the message with "file:line:col: ".
 */
struct cerr {
	char msg[1024];
};

/* Formats the message into err (NULL is allowed) and returns -1. */
int cerr_set(struct cerr *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* cerr_set() with a va_list. */
int cerr_vset(struct cerr *err, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));

/* Puts "prefix: " in front of the message already in err; returns -1. */
int cerr_prefix(struct cerr *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/*
 * clang's static analyzer reads one file at a time and does not enter a
 * variadic function, so it does not see that these return -1 and follows
 * paths where `return cerr_set(...)` reports success with an out-parameter
 * unset. Under the analyzer only, each call is the call and then -1 (the
 * macro does not expand its own name again). A file's own variadic wrapper
 * of cerr_set() needs the same two lines.
 */
#ifdef __clang_analyzer__
#define cerr_set(...) (cerr_set(__VA_ARGS__), -1)
#define cerr_vset(...) (cerr_vset(__VA_ARGS__), -1)
#define cerr_prefix(...) (cerr_prefix(__VA_ARGS__), -1)
#endif

#endif
