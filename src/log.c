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

/* Appends len bytes of s to dst at n, as far as size allows. */
static size_t
log_put(char *dst, size_t size, size_t n, const char *s, size_t len)
{
	if (n + len > size - 1)
		len = size - 1 - n;
	memcpy(dst + n, s, len);
	return n + len;
}

/* log_url_redact() with the authority ending at the first of stops. */
static size_t
log_url_redact_to(char *dst, size_t size, const char *src, const char *stops)
{
	const char *p = src, *sep, *auth, *end, *at, *colon, *q;
	size_t n = 0;

	if (size == 0)
		return 0;
	while ((sep = strstr(p, "://")) != NULL) {
		auth = sep + 3;
		end = auth + strcspn(auth, stops);
		at = NULL;
		for (q = auth; q < end; q++)
			if (*q == '@')
				at = q;
		colon =
		    at != NULL ? memchr(auth, ':', (size_t)(at - auth)) : NULL;
		if (colon == NULL) {
			n = log_put(dst, size, n, p, (size_t)(end - p));
			p = end;
			continue;
		}
		n = log_put(dst, size, n, p, (size_t)(colon + 1 - p));
		n = log_put(dst, size, n, "***", 3);
		p = at;
	}
	n = log_put(dst, size, n, p, strlen(p));
	dst[n] = '\0';
	return n;
}

size_t
log_url_redact(char *dst, size_t size, const char *src)
{
	return log_url_redact_to(dst, size, src, "/?#\"' \t\r\n<>");
}

char *
log_url(const char *url)
{
	/* An empty password grows by 3 bytes: room for that per URL. */
	size_t size = strlen(url) + 1;
	const char *p;
	char *s;

	for (p = url; (p = strstr(p, "://")) != NULL; p += 3)
		size += 3;
	s = xmalloc(size);

	/* One URL: a space or quote in a password does not end it. */
	log_url_redact_to(s, size, url, "/?#");
	return s;
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
	/* raw is twice msg: a URL near the cut of msg is still searched whole,
	 * its password included. */
	char raw[LOG_LINE_MAX * 2], msg[LOG_LINE_MAX], line[LOG_LINE_MAX * 2];
	int saved = errno;
	struct timespec ts;
	struct tm tm;
	va_list ap;
	size_t n;

	if (level > log_level)
		return;
	va_start(ap, fmt);
	vsnprintf(raw, sizeof(raw), fmt, ap);
	va_end(ap);
	log_url_redact(msg, sizeof(msg), raw);
	explicit_bzero(raw, sizeof(raw));
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
