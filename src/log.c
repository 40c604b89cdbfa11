/* Logging to stderr: levels, text or JSON lines, secret redaction. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "xmalloc.h"

#define LOG_LINE_MAX 2048

static enum log_level log_level = LOGL_INFO;
static enum log_format log_format = LOGF_TEXT;
static char **log_secrets;
static size_t log_nsecrets;

static const char *const log_names[] = {"error", "warn", "info", "debug",
    "trace"};

void
log_setup(enum log_level level, enum log_format format)
{
	log_level = level;
	log_format = format;
}

enum log_level
log_get_level(void)
{
	return log_level;
}

int
log_level_parse(const char *s)
{
	size_t i;

	if (strcmp(s, "warning") == 0)
		return LOGL_WARN;
	for (i = 0; i < sizeof(log_names) / sizeof(log_names[0]); i++)
		if (strcmp(s, log_names[i]) == 0)
			return (int)i;
	return -1;
}

int
log_format_parse(const char *s)
{
	if (strcmp(s, "text") == 0)
		return LOGF_TEXT;
	if (strcmp(s, "json") == 0)
		return LOGF_JSON;
	return -1;
}

void
log_secret_add(const char *value)
{
	size_t i;

	if (value == NULL || strlen(value) < 3)
		return;
	for (i = 0; i < log_nsecrets; i++)
		if (strcmp(log_secrets[i], value) == 0)
			return;
	log_secrets =
	    xreallocarray(log_secrets, log_nsecrets + 1, sizeof(*log_secrets));
	log_secrets[log_nsecrets++] = xstrdup(value);
}

void
log_secret_clear(void)
{
	while (log_nsecrets > 0)
		free(log_secrets[--log_nsecrets]);
	free(log_secrets);
	log_secrets = NULL;
}

/* Replaces every registered secret in s (in place, it only shrinks). */
static void
log_redact(char *s)
{
	size_t i, n;
	char *p;

	for (i = 0; i < log_nsecrets; i++) {
		n = strlen(log_secrets[i]);
		while ((p = strstr(s, log_secrets[i])) != NULL) {
			memcpy(p, "***", 3);
			memmove(p + 3, p + n, strlen(p + n) + 1);
		}
	}
}

/* Appends s to out as the inside of a JSON string. */
static size_t
log_json_escape(char *out, size_t size, size_t at, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char c;

	for (; *s != '\0' && at + 7 < size; s++) {
		c = (unsigned char)*s;
		if (c == '"' || c == '\\') {
			out[at++] = '\\';
			out[at++] = (char)c;
		} else if (c == '\n') {
			out[at++] = '\\';
			out[at++] = 'n';
		} else if (c < 0x20) {
			memcpy(out + at, "\\u00", 4);
			out[at + 4] = hex[c >> 4];
			out[at + 5] = hex[c & 15];
			at += 6;
		} else {
			out[at++] = (char)c;
		}
	}
	return at;
}

void
log_msg(enum log_level level, const char *fmt, ...)
{
	char msg[LOG_LINE_MAX], line[LOG_LINE_MAX * 2];
	int saved = errno;
	struct timespec ts;
	struct tm tm;
	va_list ap;
	size_t n;

	if (level > log_level)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	log_redact(msg);

	if (log_format == LOGF_JSON) {
		clock_gettime(CLOCK_REALTIME, &ts);
		gmtime_r(&ts.tv_sec, &tm);
		n = strftime(line, sizeof(line),
		    "{\"time\":\"%Y-%m-%dT%H:%M:%S", &tm);
		n += (size_t)snprintf(line + n, sizeof(line) - n,
		    ".%03ldZ\",\"level\":\"%s\",\"msg\":\"",
		    ts.tv_nsec / 1000000, log_names[level]);
		n = log_json_escape(line, sizeof(line), n, msg);
		n += (size_t)snprintf(line + n, sizeof(line) - n, "\"}\n");
	} else {
		n = (size_t)snprintf(line, sizeof(line), "[confinit] %s: %s\n",
		    log_names[level], msg);
	}
	if (n > sizeof(line) - 1)
		n = sizeof(line) - 1;
	/* One write per line keeps lines whole when the app shares stderr. */
	if (write(STDERR_FILENO, line, n) < 0)
		(void)0;
	errno = saved;
}
