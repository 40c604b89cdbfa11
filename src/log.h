/* Logging to stderr: levels, text or JSON lines, secret redaction. */
#ifndef CONFINIT_LOG_H
#define CONFINIT_LOG_H

#include <stddef.h>

enum log_level {
	LOGL_ERROR,
	LOGL_WARN,
	LOGL_INFO,
	LOGL_DEBUG,
	LOGL_TRACE,
};

enum log_format {
	LOGF_TEXT,
	LOGF_JSON,
};

/* Sets the most verbose level printed and the line format. */
void log_setup(enum log_level level, enum log_format format);
enum log_level log_get_level(void);

/* Parses "error".."trace" (or "warning"); returns -1 for anything else. */
int log_level_parse(const char *s);
/* Parses "text" or "json"; returns -1 for anything else. */
int log_format_parse(const char *s);

/*
 * Registers a secret value: from now on every log line shows "***" in its
 * place. The string is copied. Values shorter than 3 bytes are ignored:
 * redacting them would mangle every line without hiding anything.
 */
void log_secret_add(const char *value);
/* Forgets every secret (tests). */
void log_secret_clear(void);

/*
 * Copies src into dst (size bytes, always terminated, cut if longer) with
 * the password of every URL's "user:password@" shown as "***": the
 * authority runs from "://" to the first of / ? # white space or quote,
 * and the password from its first ':' to its last '@'. Returns the length
 * written. Never allocates: log_msg() runs every line through it.
 */
size_t log_url_redact(char *dst, size_t size, const char *src);
/* log_url_redact() of one URL (its authority ends only at / ? #) as a new
 * string; the caller frees it. */
char *log_url(const char *url);

/*
 * Writes one line if level is enabled. Passwords in URLs are redacted
 * (log_url_redact()), then every registered secret. Never allocates: this
 * runs on the reap path. Lines longer than about 2 KB are cut.
 */
void log_msg(enum log_level level, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#define log_error(...) log_msg(LOGL_ERROR, __VA_ARGS__)
#define log_warn(...) log_msg(LOGL_WARN, __VA_ARGS__)
#define log_info(...) log_msg(LOGL_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(LOGL_DEBUG, __VA_ARGS__)
#define log_trace(...) log_msg(LOGL_TRACE, __VA_ARGS__)

#endif
