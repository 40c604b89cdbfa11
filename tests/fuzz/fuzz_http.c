/* Fuzz target: the HTTP source's URL, response headers and body formats
 * (sources/http.c). The input is lines: the URL, the Content-Type, header
 * lines "Name: value" up to an empty line, then the body.
 * Build: make fuzz. Run: build-fuzz/fuzz/fuzz_http tests/fuzz/corpus/http */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kv.h"
#include "sources/http.h"
#include "xmalloc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The next line of s[*at..n), without its newline (new string). */
static char *
fuzz_line(const char *s, size_t n, size_t *at, int *done)
{
	const char *p = s + *at, *nl = memchr(p, '\n', n - *at);
	size_t len = nl != NULL ? (size_t)(nl - p) : n - *at;

	*at += len + (nl != NULL);
	*done = nl == NULL;
	return xstrndup(p, len);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	struct http_validators v = {0};
	struct http_url u = {0};
	char *url, *ctype, *line, *colon, *hdrs[3];
	size_t at = 0, n, i;
	struct cerr err;
	struct kv *kv;
	int done;

	url = fuzz_line(s, size, &at, &done);
	ctype = fuzz_line(s, size, &at, &done);
	while (!done) {
		line = fuzz_line(s, size, &at, &done);
		if (line[0] == '\0') {
			free(line);
			break;
		}
		if ((colon = strchr(line, ':')) != NULL) {
			*colon = '\0';
			http_validators_header(&v, line, colon + 1);
		}
		free(line);
	}
	n = http_validators_request(&v, hdrs);
	if (n > 2 || hdrs[n] != NULL)
		abort();
	for (i = 0; i < n; i++) {
		if (strncmp(hdrs[i], "If-", 3) != 0)
			abort();
		free(hdrs[i]);
	}
	if (http_url_parse(url, &u, &err) == 0) {
		(void)http_format(&u, ctype[0] != '\0' ? ctype : NULL);
		if (http_parse_body(&u, "body", ctype[0] != '\0' ? ctype : NULL,
			s + at, size - at, &kv, &err) == 0)
			kv_free(kv);
		else if (kv != NULL || strncmp(err.msg, "body", 4) != 0)
			abort();
		http_url_free(&u);
	}
	http_validators_free(&v);
	free(url);
	free(ctype);
	return 0;
}
