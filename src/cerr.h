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

#endif
