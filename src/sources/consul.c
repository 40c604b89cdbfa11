/* The Consul KV source: consul:// URLs, request URLs, recurse responses,
 * the blocking-query index rules, and the watch over the event loop. */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>
#include <mbedtls/base64.h>

#include "log.h"
#include "net/net.h"
#include "source_rt.h"
#include "sources/consul.h"
#include "units.h"
#include "xmalloc.h"

/* Consul caps a blocking wait at 10 minutes. */
#define CONSUL_WAIT_MAX_MS ((int64_t)10 * 60 * 1000)

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
	if (net_url_userinfo(url, err) != 0)
		return -1;
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
consul_request_path(const struct consul_url *u, uint64_t index)
{
	struct buf b = {0};

	buf_puts(&b, "/v1/kv/");
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

char *
consul_request_url(const struct consul_url *u, size_t i, uint64_t index)
{
	char *path = consul_request_path(u, index), *url;

	url = xasprintf("%s://%s%s", u->tls ? "https" : "http",
	    u->endpoints[i % u->nendpoints], path);
	free(path);
	return url;
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
	errno = 0;
	root = json_loadb(body, len, 0, &jerr);
	if (root == NULL && (errno == ENOMEM || json_error_code(&jerr) ==
						    json_error_out_of_memory)) {
		cerr_set(err, "%s: out of memory", name);
		goto out;
	}
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

int64_t
consul_bucket_take(struct consul_bucket *b, int64_t now, int64_t every_ms)
{
	int64_t wait;

	if (!b->init) {
		b->credit = 2 * every_ms;
		b->at = now;
		b->init = true;
	}
	if (now > b->at) {
		b->credit += now - b->at;
		if (b->credit > 2 * every_ms)
			b->credit = 2 * every_ms;
	}
	b->at = now;
	wait = b->credit >= every_ms ? 0 : every_ms - b->credit;
	b->credit -= every_ms;
	return wait;
}

/* Defaults: the timeout of a plain (non-blocking) read, and the refill
 * interval of the rate limit (Consul's documentation suggests 15 s). */
#define CONSUL_TIMEOUT_MS 10000
#define CONSUL_RATE_MS 15000
/* How much of an error body goes into a log line. */
#define CONSUL_ERR_BODY 200

/* One consul:// source at run time. */
struct consul_src {
	struct source *s;
	struct consul_url u;
	struct net_endpoints ep;
	struct net *net;
	struct net_req *req;
	struct loop_timer timer; /* the next request */
	struct consul_bucket bucket;
	char *const *env; /* for token_file and token_env, re-read */
	uint64_t index;	  /* sent with the next request; 0: no blocking */
	uint64_t sent;	  /* the index the request in flight sent */
	uint64_t got;	  /* X-Consul-Index of the answer */
	bool have_got;
	bool failing;	/* the last attempt failed (for the recovery line) */
	char last[512]; /* the last failure logged, to quiet repeats */
	int64_t wait_ms;
	int64_t rate_ms; /* the rate limit's interval */
};

static void consul_request(void *arg);

/* Takes the X-Consul-Index header of an answer. */
static int
consul_on_header(void *arg, const char *name, const char *value)
{
	struct consul_src *c = arg;

	if (strcasecmp(name, "X-Consul-Index") == 0)
		c->have_got = consul_parse_index(value, &c->got) == 0;
	return 0;
}

/* The first line of an error body, cut short, for a log line. */
static char *
consul_body_line(const struct net_result *res)
{
	size_t n = res->body != NULL ? strcspn(res->body, "\r\n") : 0;

	if (n > res->body_len)
		n = res->body_len;
	if (n > CONSUL_ERR_BODY)
		n = CONSUL_ERR_BODY;
	return xstrndup(n > 0 ? res->body : "", n);
}

/* Logs a failure: an error line, or a debug one when it repeats the last
 * (a server down for an hour is one line, not one per retry). */
static void __attribute__((format(printf, 2, 3)))
consul_report(struct consul_src *c, const char *fmt, ...)
{
	char msg[sizeof(c->last)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (strcmp(msg, c->last) == 0) {
		log_debug("%s (again)", msg);
		return;
	}
	log_error("%s", msg);
	snprintf(c->last, sizeof(c->last), "%s", msg);
}

/* An attempt failed (already logged): retry, on the next endpoint or after
 * a backoff delay, from the last index seen (catching up from there). */
static void
consul_retry(struct consul_src *c)
{
	c->failing = true;
	loop_timer_arm(&c->timer, net_endpoints_failed(&c->ep));
}

/* Logs a failed answer, naming the source and the endpoint. */
static void
consul_fail(struct consul_src *c, const struct net_result *res)
{
	const char *host = net_endpoints_host(&c->ep);
	char *line;

	/* net's messages name the source and the URL already. */
	if (res->error != NULL) {
		consul_report(c, "%s; keeping the last good values",
		    res->error);
		return;
	}
	line = consul_body_line(res);
	if (res->status == 403)
		consul_report(c,
		    "source %s: %s: 403 %s: the ACL token is missing or "
		    "may not read \"%s\"; keeping the last good values",
		    c->s->name, host, *line != '\0' ? line : "Forbidden",
		    c->u.prefix);
	else
		consul_report(c,
		    "source %s: %s: HTTP %ld%s%s; keeping the last good "
		    "values",
		    c->s->name, host, res->status, *line != '\0' ? ": " : "",
		    line);
	free(line);
}

/* A request ended: take the snapshot, pick the next index, go again. */
static void
consul_done(void *arg, const struct net_result *res)
{
	struct consul_src *c = arg;
	struct kv *snap = NULL;
	struct cerr err;
	char *name;
	int64_t delay;

	c->req = NULL;
	if (res->error != NULL || (res->status != 200 && res->status != 404)) {
		consul_fail(c, res);
		consul_retry(c);
		return;
	}
	if (res->status == 404) {
		/* Nothing under the prefix yet: an empty snapshot. */
		snap = kv_new();
	} else {
		name = xasprintf("%s", net_endpoints_host(&c->ep));
		if (consul_parse_kv(name, c->u.prefix, res->body, res->body_len,
			&snap, &err) != 0) {
			consul_report(c,
			    "source %s: %s; keeping the last good values",
			    c->s->name, err.msg);
			free(name);
			consul_retry(c);
			return;
		}
		free(name);
	}
	net_endpoints_ok(&c->ep);
	if (c->failing)
		log_info("source %s: %s answers again", c->s->name,
		    net_endpoints_host(&c->ep));
	c->failing = false;
	c->last[0] = '\0';
	if (!c->have_got) {
		log_warn("source %s: no X-Consul-Index in the answer; polling",
		    c->s->name);
		c->got = 0;
	}
	c->index = consul_next_index(c->sent, c->got);
	if (c->index == 0)
		log_info("source %s: the index went back from %llu to %llu; "
			 "reading again",
		    c->s->name, (unsigned long long)c->sent,
		    (unsigned long long)c->got);
	source_update(c->s, snap);
	delay = consul_bucket_take(&c->bucket, loop_now(), c->rate_ms);
	if (!c->have_got && delay == 0)
		delay = c->rate_ms;
	loop_timer_arm(&c->timer, delay);
}

/* Sends the next read: a plain one, or a blocking query from c->index. */
static void
consul_request(void *arg)
{
	struct consul_src *c = arg;
	const struct config_source *conf = c->s->conf;
	struct net_req_opts o = {0};
	const char *headers[3] = {NULL};
	char *path, *url, *tok = NULL, *hdr = NULL;
	int64_t timeout;
	struct cerr err;

	if (net_token(conf, c->env, &tok, &err) != 0) {
		consul_report(c, "source %s: %s", c->s->name, err.msg);
		c->failing = true;
		loop_timer_arm(&c->timer, backoff_next(&c->ep.bo));
		return;
	}
	if (tok != NULL) {
		hdr = xasprintf("X-Consul-Token: %s", tok);
		headers[0] = hdr;
	}
	path = consul_request_path(&c->u, c->index);
	url = net_endpoints_url(&c->ep, path);
	timeout = conf != NULL && conf->timeout_ms > 0 ? conf->timeout_ms
						       : CONSUL_TIMEOUT_MS;
	/* Consul may hold a blocking query wait + wait/16. */
	if (c->index > 0)
		timeout += c->wait_ms + c->wait_ms / 16;
	o.source = c->s->name;
	o.url = url;
	o.headers = headers;
	o.tls = conf != NULL ? &conf->tls : NULL;
	o.connect_timeout_ms =
	    conf != NULL && conf->timeout_ms > 0 ? conf->timeout_ms : 0;
	o.timeout_ms = timeout;
	o.max_body = conf != NULL ? conf->max_body : 0;
	o.on_header = consul_on_header;
	o.on_done = consul_done;
	o.arg = c;
	c->sent = c->index;
	c->have_got = false;
	log_debug("source %s: GET %s", c->s->name, url);
	c->req = net_request(c->net, &o, &err);
	if (c->req == NULL) {
		consul_report(c, "source %s: %s", c->s->name, err.msg);
		consul_retry(c);
	}
	if (tok != NULL) {
		explicit_bzero(tok, strlen(tok));
		explicit_bzero(hdr, strlen(hdr));
	}
	free(tok);
	free(hdr);
	free(path);
	free(url);
}

/* Parses the URL and checks the token; the first read waits for start. */
static int
consul_open(struct source *s, char *const *env, struct cerr *err)
{
	struct consul_src *c = xcalloc(1, sizeof(*c));
	char *tok = NULL;

	c->s = s;
	c->env = env;
	c->timer.deadline = -1;
	s->priv = c;
	if (consul_url_parse(s->url, &c->u, err) != 0)
		return -1;
	if (net_endpoints_init(&c->ep, s->name, s->url, c->u.tls, s->conf, 8500,
		err) != 0)
		return -1;
	/* The config's prefix: field replaces the URL's path. */
	if (s->conf != NULL && s->conf->prefix != NULL) {
		const char *p = s->conf->prefix + strspn(s->conf->prefix, "/");
		size_t n = strlen(p);

		free(c->u.prefix);
		c->u.prefix = n == 0 || p[n - 1] == '/' ? xstrdup(p)
							: xasprintf("%s/", p);
	}
	if (units_duration(c->u.wait, &c->wait_ms) != 0)
		c->wait_ms = (int64_t)5 * 60 * 1000;
	/* A missing token file or variable is a configuration error. */
	if (net_token(s->conf, env, &tok, err) != 0)
		return -1;
	free(tok);
	return 0;
}

/* Sends the first read; its answer is the first snapshot. */
static int
consul_start(struct source *s, struct cerr *err)
{
	struct consul_src *c = s->priv;
	const struct config_source *conf = s->conf;

	c->net = net_ref(s->loop);
	c->rate_ms = conf != NULL && conf->poll_interval_ms > 0
			 ? conf->poll_interval_ms
			 : CONSUL_RATE_MS;
	loop_timer_add(s->loop, &c->timer, consul_request, c);
	consul_request(c);
	return 0;
}

static void
consul_close(struct source *s)
{
	struct consul_src *c = s->priv;

	if (c == NULL)
		return;
	net_cancel(c->req);
	loop_timer_del(s->loop, &c->timer);
	net_unref(c->net);
	consul_url_free(&c->u);
	net_endpoints_free(&c->ep);
	free(c);
	s->priv = NULL;
}

const struct source_ops source_consul_ops = {
    .scheme = "consul",
    .remote = true,
    .open = consul_open,
    .start = consul_start,
    .close = consul_close,
};

const struct source_ops source_consuls_ops = {
    .scheme = "consuls",
    .remote = true,
    .open = consul_open,
    .start = consul_start,
    .close = consul_close,
};
