/* Error reports: formatting into a struct cerr. */
#include <stdio.h>
#include <string.h>

#include "cerr.h"

/* The definitions, not the analyzer's model in cerr.h. */
#undef cerr_set
#undef cerr_vset
#undef cerr_prefix

int
cerr_vset(struct cerr *err, const char *fmt, va_list ap)
{
	if (err != NULL)
		vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	return -1;
}

int
cerr_set(struct cerr *err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	cerr_vset(err, fmt, ap);
	va_end(ap);
	return -1;
}

int
cerr_prefix(struct cerr *err, const char *fmt, ...)
{
	char prefix[256], old[sizeof(err->msg)];
	va_list ap;

	if (err == NULL)
		return -1;
	va_start(ap, fmt);
	vsnprintf(prefix, sizeof(prefix), fmt, ap);
	va_end(ap);
	memcpy(old, err->msg, sizeof(old));
	/* Cutting the end of a long message is fine. */
	if (snprintf(err->msg, sizeof(err->msg), "%s: %.900s", prefix, old) < 0)
		err->msg[0] = '\0';
	return -1;
}
