/* The Consul KV source: consul:// URLs, request URLs, recurse responses,
 * the blocking-query index rules, and the watch over the event loop. */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <mbedtls/base64.h>

#include "sources/consul.h"
#include "units.h"
#include "xmalloc.h"

/* Consul caps a blocking wait at 10 minutes. */
#define CONSUL_WAIT_MAX_MS (10 * 60 * 1000)

/* Decodes %XX escapes of the n bytes at s; returns NULL on a bad one. */
static char *
consul_unescape(const char *s, size_t n)
{
	char *out = xmalloc(n + 1), *o = out, hex[3] = {0};
	size_t i;

	for (i = 0; i < n; i++) {
		if (s[i] != '%') {
			*o++ = s[i];
			continue;
		}
		if (i + 2 >= n || !isxdigit((unsigned char)s[i + 1]) ||
		    !isxdigit((unsigned char)s[i + 2]))
			goto bad;
		hex[0] = s[i + 1];
		hex[1] = s[i + 2];
		*o++ = (char)strtol(hex, NULL, 16);
		i += 2;
	}
	*o = '\0';
	return out;
bad:
	free(out);
	return NULL;
}

/* Appends s to b, %-escaping all but unreserved characters (and '/' when
 * keep_slash). */
static void
consul_escape(struct buf *b, const char *s, int keep_slash)
{
	const unsigned char *p;

	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		if (isalnum(*p) || strchr("-._~", *p) != NULL ||
		    (keep_slash && *p == '/'))
			buf_append(b, p, 1);
		else
			buf_printf(b, "%%%02X", *p);
	}
}

/* Adds one "host[:port]" endpoint of the n bytes at s to u. */
static int
consul_add_endpoint(struct consul_url *u, const char *s, size_t n,
    struct cerr *err)
{
	const char *colon, *end = s + n;
	char *ep;
	long port;

	if (n == 0)
		return cerr_set(err, "empty endpoint in the URL");
	if (s[0] == '[') {
		colon = memchr(s, ']', n);
		if (colon == NULL)
			return cerr_set(err, "endpoint \"%.*s\": no ']'",
			    (int)n, s);
		colon++;
		if (colon != end && *colon != ':')
			return cerr_set(err, "endpoint \"%.*s\": bad port",
			    (int)n, s);
	} else {
		colon = memchr(s, ':', n);
		if (colon == s)
			return cerr_set(err, "endpoint \"%.*s\": no host",
			    (int)n, s);
	}
	if (colon != NULL && colon != end) {
		char *digits = xstrndup(colon + 1, (size_t)(end - colon - 1));
		int r = units_int(digits, 1, 65535, &port);

		free(digits);
		if (r != 0)
			return cerr_set(err, "endpoint \"%.*s\": bad port",
			    (int)n, s);
		ep = xstrndup(s, n);
	} else
		ep = xasprintf("%.*s:8500", (int)n, s);
	u->endpoints = xreallocarray(u->endpoints, u->nendpoints + 1,
	    sizeof(*u->endpoints));
	u->endpoints[u->nendpoints++] = ep;
	return 0;
}

/* Applies one query option ("dc=x", "stale", "wait=30s") of n bytes. */
static int
consul_add_option(struct consul_url *u, const char *s, size_t n,
    struct cerr *err)
{
	const char *eq = memchr(s, '=', n);
	size_t klen = eq != NULL ? (size_t)(eq - s) : n;
	char *val =
	    eq != NULL ? consul_unescape(eq + 1, n - klen - 1) : xstrdup("");
	int64_t ms;
	int r = 0;

	if (val == NULL)
		return cerr_set(err, "bad %%-escape in option \"%.*s\"", (int)n,
		    s);
	if (klen == 2 && strncmp(s, "dc", 2) == 0) {
		if (*val == '\0')
			r = cerr_set(err, "option dc: empty datacenter");
		else {
			free(u->dc);
			u->dc = val;
			val = NULL;
		}
	} else if (klen == 5 && strncmp(s, "stale", 5) == 0) {
		if (*val != '\0' && strcmp(val, "true") != 0 &&
		    strcmp(val, "false") != 0)
			r = cerr_set(err,
			    "option stale: \"%s\" is not "
			    "true or false",
			    val);
		else
			u->stale = strcmp(val, "false") != 0;
	} else if (klen == 4 && strncmp(s, "wait", 4) == 0) {
		if (units_duration(val, &ms) != 0 || ms < 1000 ||
		    ms > CONSUL_WAIT_MAX_MS)
			r = cerr_set(err,
			    "option wait: \"%s\" is not a "
			    "duration from 1s to 10m",
			    val);
		else {
			free(u->wait);
			u->wait = val;
			val = NULL;
		}
	} else if (n > 0)
		r = cerr_set(err, "unknown option \"%.*s\" (dc, stale, wait)",
		    (int)klen, s);
	free(val);
	return r;
}

int
consul_url_parse(const char *url, struct consul_url *u, struct cerr *err)
{
	const char *p, *hosts, *path, *query, *end, *comma;
	char *prefix = NULL;
	size_t n;

	memset(u, 0, sizeof(*u));
	if (strncmp(url, "consul://", 9) == 0)
		p = url + 9;
	else if (strncmp(url, "consuls://", 10) == 0) {
		p = url + 10;
		u->tls = true;
	} else
		return cerr_set(err, "not a consul:// or consuls:// URL");
	hosts = p;
	path = hosts + strcspn(hosts, "/?#");
	if (path == hosts) {
		cerr_set(err, "no host in the URL");
		goto fail;
	}
	for (p = hosts;; p = comma + 1) {
		comma = memchr(p, ',', (size_t)(path - p));
		if (comma == NULL)
			comma = path;
		if (consul_add_endpoint(u, p, (size_t)(comma - p), err) != 0)
			goto fail;
		if (comma == path)
			break;
	}
	query = path + strcspn(path, "?#");
	if ((prefix = consul_unescape(path, (size_t)(query - path))) == NULL) {
		cerr_set(err, "bad %%-escape in the prefix");
		goto fail;
	}
	p = prefix + strspn(prefix, "/");
	n = strlen(p);
	u->prefix =
	    n == 0 || p[n - 1] == '/' ? xstrdup(p) : xasprintf("%s/", p);
	if (*query == '?') {
		end = query + 1 + strcspn(query + 1, "#");
		for (p = query + 1; p < end; p = comma + 1) {
			comma = memchr(p, '&', (size_t)(end - p));
			if (comma == NULL)
				comma = end;
			if (consul_add_option(u, p, (size_t)(comma - p), err) !=
			    0)
				goto fail;
		}
	}
	if (u->wait == NULL)
		u->wait = xstrdup(CONSUL_WAIT_DEFAULT);
	free(prefix);
	return 0;
fail:
	free(prefix);
	consul_url_free(u);
	return -1;
}

void
consul_url_free(struct consul_url *u)
{
	size_t i;

	for (i = 0; i < u->nendpoints; i++)
		free(u->endpoints[i]);
	free(u->endpoints);
	free(u->prefix);
	free(u->dc);
	free(u->wait);
	memset(u, 0, sizeof(*u));
}

char *
consul_request_url(const struct consul_url *u, size_t i, uint64_t index)
{
	struct buf b = {0};

	buf_printf(&b, "%s://%s/v1/kv/", u->tls ? "https" : "http",
	    u->endpoints[i % u->nendpoints]);
	consul_escape(&b, u->prefix, 1);
	buf_puts(&b, "?recurse");
	if (u->dc != NULL) {
		buf_puts(&b, "&dc=");
		consul_escape(&b, u->dc, 0);
	}
	if (u->stale)
		buf_puts(&b, "&stale");
	if (index > 0) {
		buf_printf(&b, "&index=%" PRIu64 "&wait=", index);
		consul_escape(&b, u->wait, 0);
	}
	return buf_steal(&b);
}

/* Decodes the base64 string s into a new buffer of *n bytes. */
static char *
consul_base64(const char *s, size_t *n)
{
	size_t len = strlen(s), need = 0;
	unsigned char *out;

	if (mbedtls_base64_decode(NULL, 0, &need, (const unsigned char *)s,
		len) == MBEDTLS_ERR_BASE64_INVALID_CHARACTER)
		return NULL;
	out = xmalloc(need + 1);
	if (mbedtls_base64_decode(out, need + 1, n, (const unsigned char *)s,
		len) != 0) {
		free(out);
		return NULL;
	}
	out[*n] = '\0';
	return (char *)out;
}

int
consul_parse_kv(const char *name, const char *prefix, const char *body,
    size_t len, struct kv **out, struct cerr *err)
{
	size_t plen = strlen(prefix), i, vlen;
	struct kv *kv = kv_new();
	json_error_t jerr;
	json_t *root, *e, *k, *v;
	const char *key;
	char *value;
	int r = -1;

	*out = NULL;
	root = json_loadb(body, len, 0, &jerr);
	if (root == NULL) {
		cerr_set(err, "%s:%d:%d: %s", name, jerr.line, jerr.column,
		    jerr.text);
		goto out;
	}
	if (!json_is_array(root)) {
		cerr_set(err, "%s: not a JSON array of keys", name);
		goto out;
	}
	json_array_foreach(root, i, e)
	{
		k = json_object_get(e, "Key");
		v = json_object_get(e, "Value");
		if (!json_is_string(k)) {
			cerr_set(err, "%s: entry %zu has no string Key", name,
			    i);
			goto out;
		}
		key = json_string_value(k);
		if (strncmp(key, prefix, plen) != 0) {
			cerr_set(err, "%s: key \"%s\" is not under \"%s\"",
			    name, key, prefix);
			goto out;
		}
		key += plen;
		/* The prefix itself and folders ("a/") hold no value. */
		if (*key == '\0' || key[strlen(key) - 1] == '/')
			continue;
		if (v == NULL || json_is_null(v)) {
			kv_set(kv, key, "");
			continue;
		}
		if (!json_is_string(v) ||
		    (value = consul_base64(json_string_value(v), &vlen)) ==
			NULL) {
			cerr_set(err, "%s: key \"%s\": Value is not base64",
			    name, json_string_value(k));
			goto out;
		}
		kv_setn(kv, key, value, vlen);
		free(value);
	}
	*out = kv;
	kv = NULL;
	r = 0;
out:
	json_decref(root);
	kv_free(kv);
	return r;
}

int
consul_parse_index(const char *value, uint64_t *index)
{
	unsigned long long v;
	char *end;

	if (value == NULL)
		return -1;
	while (*value == ' ' || *value == '\t')
		value++;
	if (!isdigit((unsigned char)*value))
		return -1;
	errno = 0;
	v = strtoull(value, &end, 10);
	if (errno != 0)
		return -1;
	while (*end == ' ' || *end == '\t' || *end == '\r' || *end == '\n')
		end++;
	if (*end != '\0')
		return -1;
	*index = v;
	return 0;
}

uint64_t
consul_next_index(uint64_t sent, uint64_t got)
{
	if (got < sent)
		return 0;
	return got > 0 ? got : 1;
}
