/* A put through etcd's v3 JSON gateway with libcurl, for the benchmarks
 * (header only). */
#ifndef BENCH_ETCD_PUT_H
#define BENCH_ETCD_PUT_H

#include <curl/curl.h>
#include <stdio.h>
#include <string.h>

/* Discards a response body. */
static inline size_t
etcd_sink(char *p, size_t size, size_t n, void *arg)
{
	(void)p;
	(void)arg;
	return size * n;
}

/* base64 of a short ASCII string into out (4/3 of its length + 1). */
static inline void
etcd_b64(const char *s, char *out)
{
	static const char t[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t n = strlen(s), i;
	unsigned v;

	for (i = 0; i < n; i += 3) {
		v = (unsigned char)s[i] << 16;
		if (i + 1 < n)
			v |= (unsigned char)s[i + 1] << 8;
		if (i + 2 < n)
			v |= (unsigned char)s[i + 2];
		*out++ = t[v >> 18 & 63];
		*out++ = t[v >> 12 & 63];
		*out++ = i + 1 < n ? t[v >> 6 & 63] : '=';
		*out++ = i + 2 < n ? t[v & 63] : '=';
	}
	*out = '\0';
}

/* A kept-alive handle for puts to http://HOSTPORT/v3/kv/put. */
static inline CURL *
etcd_put_open(const char *hostport)
{
	char url[512];
	CURL *c = curl_easy_init();

	snprintf(url, sizeof(url), "http://%s/v3/kv/put", hostport);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, etcd_sink);
	return c;
}

/* Puts key = text; returns 0 when etcd answered. */
static inline int
etcd_put(CURL *c, const char *key, const char *text)
{
	char k[256], v[256], body[640];

	etcd_b64(key, k);
	etcd_b64(text, v);
	snprintf(body, sizeof(body), "{\"key\":\"%s\",\"value\":\"%s\"}", k, v);
	curl_easy_setopt(c, CURLOPT_COPYPOSTFIELDS, body);
	return curl_easy_perform(c) == CURLE_OK ? 0 : -1;
}

#endif
