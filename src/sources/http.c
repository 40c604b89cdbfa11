/* The HTTP(S) source: a JSON, YAML, .properties or KEY=VALUE document
 * polled with If-None-Match / If-Modified-Since, flattened into keys. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "log.h"
#include "net/net.h"
#include "source_rt.h"
#include "sources/http.h"
#include "xmalloc.h"

/* How much of an error body goes into a log line. */
#define HTTP_ERR_BODY 200

/* Parses a format= value. */
static int
http_format_name(const char *s, size_t n, enum flatten_format *f)
{
	static const struct {
		const char *name;
		enum flatten_format f;
	} names[] = {
	    {"json", FLATTEN_JSON},
	    {"yaml", FLATTEN_YAML},
	    {"yml", FLATTEN_YAML},
	    {"properties", FLATTEN_PROPERTIES},
	    {"env", FLATTEN_DOTENV},
	    {"dotenv", FLATTEN_DOTENV},
	};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strlen(names[i].name) == n &&
		    strncmp(names[i].name, s, n) == 0) {
			*f = names[i].f;
			return 0;
		}
	return -1;
}

int
http_url_parse(const char *url, struct http_url *u, struct cerr *err)
{
	const char *p, *path, *query, *end, *amp;
	struct buf b = {0};
	size_t n;

	memset(u, 0, sizeof(*u));
	if (strncmp(url, "http://", 7) == 0)
		p = url + 7;
	else if (strncmp(url, "https://", 8) == 0) {
		p = url + 8;
		u->tls = true;
	} else
		return cerr_set(err, "not an http:// or https:// URL");
	path = p + strcspn(p, "/?#");
	if (path == p)
		return cerr_set(err, "no host in the URL");
	end = path + strcspn(path, "#");
	query = memchr(path, '?', (size_t)(end - path));
	if (query == NULL)
		query = end;
	if (*path != '/')
		buf_puts(&b, "/");
	buf_append(&b, path, (size_t)(query - path));
	for (p = query + 1; query < end && p <= end; p = amp + 1) {
		amp = memchr(p, '&', (size_t)(end - p));
		if (amp == NULL)
			amp = end;
		n = (size_t)(amp - p);
		if (n >= 7 && strncmp(p, "format=", 7) == 0) {
			if (http_format_name(p + 7, n - 7, &u->format) != 0) {
				cerr_set(err,
				    "option format: \"%.*s\" is not "
				    "json, yaml, properties or env",
				    (int)(n - 7), p + 7);
				buf_free(&b);
				return -1;
			}
			u->has_format = true;
		} else if (n > 0) {
			buf_puts(&b, strchr(b.data, '?') == NULL ? "?" : "&");
			buf_append(&b, p, n);
		}
	}
	u->path = buf_steal(&b);
	return 0;
}

void
http_url_free(struct http_url *u)
{
	free(u->path);
	free(u->prefix);
	memset(u, 0, sizeof(*u));
}

enum flatten_format
http_format(const struct http_url *u, const char *content_type)
{
	if (u->has_format)
		return u->format;
	return flatten_format_for_http(content_type, u->path);
}

/* One key under the prefix into the kv at arg. */
static int
http_keep(void *arg, const char *key, const char *value)
{
	kv_set(arg, key, value);
	return 0;
}

int
http_parse_body(const struct http_url *u, const char *name,
    const char *content_type, const char *body, size_t len, struct kv **out,
    struct cerr *err)
{
	struct kv *kv = kv_new(), *sub;

	if (flatten(http_format(u, content_type), name, body, len, kv, err) !=
	    0) {
		kv_free(kv);
		*out = NULL;
		return -1;
	}
	if (u->prefix != NULL && u->prefix[strspn(u->prefix, "/")] != '\0') {
		sub = kv_new();
		kv_tree(kv, u->prefix, http_keep, sub);
		kv_free(kv);
		kv = sub;
	}
	*out = kv;
	return 0;
}

void
http_validators_header(struct http_validators *v, const char *name,
    const char *value)
{
	char **slot = NULL;

	if (strcasecmp(name, "ETag") == 0)
		slot = &v->etag;
	else if (strcasecmp(name, "Last-Modified") == 0)
		slot = &v->last_modified;
	if (slot == NULL || *value == '\0')
		return;
	free(*slot);
	*slot = xstrdup(value);
}

size_t
http_validators_request(const struct http_validators *v, char **hdrs)
{
	size_t n = 0;

	if (v->etag != NULL)
		hdrs[n++] = xasprintf("If-None-Match: %s", v->etag);
	if (v->last_modified != NULL)
		hdrs[n++] =
		    xasprintf("If-Modified-Since: %s", v->last_modified);
	hdrs[n] = NULL;
	return n;
}

void
http_validators_move(struct http_validators *dst, struct http_validators *src)
{
	http_validators_free(dst);
	*dst = *src;
	memset(src, 0, sizeof(*src));
}

void
http_validators_free(struct http_validators *v)
{
	free(v->etag);
	free(v->last_modified);
	memset(v, 0, sizeof(*v));
}

/* One http(s):// source at run time. */
struct http_src {
	struct source *s;
	struct http_url u;
	struct net_endpoints ep;
	struct net *net;
	struct net_req *req;
	struct loop_timer timer;	/* the next request */
	struct http_validators have;	/* of the body in s->snap */
	struct http_validators pending; /* of the answer in flight */
	char *ctype;			/* its Content-Type */
	char *const *env;		/* for token_file and token_env */
	int64_t poll_ms;
	bool failing;
	char last[512]; /* the last failure logged, to quiet repeats */
};

/* Keeps Content-Type and the validators of the answer in flight. */
static int
http_on_header(void *arg, const char *name, const char *value)
{
	struct http_src *h = arg;

	if (strcasecmp(name, "Content-Type") == 0) {
		free(h->ctype);
		h->ctype = xstrdup(value);
	}
	http_validators_header(&h->pending, name, value);
	return 0;
}

/* Logs a failure: an error line, or a debug one when it repeats the last
 * (a server down for an hour is one line, not one per retry). */
static void __attribute__((format(printf, 2, 3)))
http_report(struct http_src *h, const char *fmt, ...)
{
	char msg[sizeof(h->last)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (strcmp(msg, h->last) == 0) {
		log_debug("%s (again)", msg);
		return;
	}
	log_error("%s", msg);
	snprintf(h->last, sizeof(h->last), "%s", msg);
}

/* An attempt failed (already logged): the next endpoint, or a backoff. */
static void
http_retry(struct http_src *h)
{
	h->failing = true;
	loop_timer_arm(&h->timer, net_endpoints_failed(&h->ep));
}

/* A request ended: 304 changes nothing, 200 is a new snapshot. */
static void
http_done(void *arg, const struct net_result *res)
{
	struct http_src *h = arg;
	const char *host = net_endpoints_host(&h->ep);
	struct kv *snap;
	struct cerr err;
	char *name;
	size_t n;

	h->req = NULL;
	if (res->error != NULL) {
		http_report(h, "%s; keeping the last good values", res->error);
		http_retry(h);
		return;
	}
	if (res->status != 200 && res->status != 304) {
		n = strcspn(res->body, "\r\n");
		if (n > res->body_len)
			n = res->body_len;
		if (n > HTTP_ERR_BODY)
			n = HTTP_ERR_BODY;
		http_report(h,
		    "source %s: %s: HTTP %ld%s%.*s; keeping the last good "
		    "values",
		    h->s->name, host, res->status, n > 0 ? ": " : "", (int)n,
		    res->body);
		http_retry(h);
		return;
	}
	if (res->status == 200) {
		name = xasprintf("%s%s", host, h->u.path);
		if (http_parse_body(&h->u, name, h->ctype, res->body,
			res->body_len, &snap, &err) != 0) {
			http_report(h,
			    "source %s: %s; keeping the last good values",
			    h->s->name, err.msg);
			free(name);
			http_retry(h);
			return;
		}
		free(name);
		http_validators_move(&h->have, &h->pending);
		source_update(h->s, snap);
	} else if (h->s->snap == NULL) {
		/* A 304 before any body: ask again without validators. */
		http_validators_free(&h->have);
	}
	net_endpoints_ok(&h->ep);
	if (h->failing)
		log_info("source %s: %s answers again", h->s->name, host);
	h->failing = false;
	h->last[0] = '\0';
	loop_timer_arm(&h->timer, h->s->snap == NULL ? 0 : h->poll_ms);
}

/* Sends the next GET, with the validators of the body we have. */
static void
http_request(void *arg)
{
	struct http_src *h = arg;
	const struct config_source *conf = h->s->conf;
	struct net_req_opts o = {0};
	char *hdrs[4] = {NULL}, *tok = NULL, *url;
	size_t n, i;
	struct cerr err;

	if (net_token(conf, h->env, &tok, &err) != 0) {
		http_report(h, "source %s: %s", h->s->name, err.msg);
		h->failing = true;
		loop_timer_arm(&h->timer, backoff_next(&h->ep.bo));
		return;
	}
	n = http_validators_request(&h->have, hdrs);
	if (tok != NULL) {
		hdrs[n++] = xasprintf("Authorization: Bearer %s", tok);
		hdrs[n] = NULL;
	}
	http_validators_free(&h->pending);
	free(h->ctype);
	h->ctype = NULL;
	url = net_endpoints_url(&h->ep, h->u.path);
	o.source = h->s->name;
	o.url = url;
	o.headers = (const char *const *)hdrs;
	o.tls = conf != NULL ? &conf->tls : NULL;
	o.timeout_ms = conf != NULL && conf->timeout_ms > 0 ? conf->timeout_ms
							    : HTTP_TIMEOUT_MS;
	o.connect_timeout_ms = o.timeout_ms;
	o.max_body = conf != NULL ? conf->max_body : 0;
	o.on_header = http_on_header;
	o.on_done = http_done;
	o.arg = h;
	log_debug("source %s: GET %s", h->s->name, url);
	h->req = net_request(h->net, &o, &err);
	if (h->req == NULL) {
		http_report(h, "source %s: %s", h->s->name, err.msg);
		http_retry(h);
	}
	for (i = 0; i < n; i++) {
		explicit_bzero(hdrs[i], strlen(hdrs[i]));
		free(hdrs[i]);
	}
	if (tok != NULL)
		explicit_bzero(tok, strlen(tok));
	free(tok);
	free(url);
}

/* Parses the URL and checks the token; the first GET waits for start. */
static int
http_open(struct source *s, char *const *env, struct cerr *err)
{
	struct http_src *h = xcalloc(1, sizeof(*h));
	char *tok = NULL;

	h->s = s;
	h->env = env;
	h->timer.deadline = -1;
	s->priv = h;
	if (http_url_parse(s->url, &h->u, err) != 0)
		return -1;
	if (s->conf != NULL && s->conf->prefix != NULL)
		h->u.prefix = xstrdup(s->conf->prefix);
	if (net_endpoints_init(&h->ep, s->name, s->url, h->u.tls, s->conf,
		h->u.tls ? 443 : 80, err) != 0)
		return -1;
	h->poll_ms = s->conf != NULL && s->conf->poll_interval_ms > 0
			 ? s->conf->poll_interval_ms
			 : HTTP_POLL_MS;
	if (net_token(s->conf, env, &tok, err) != 0)
		return -1;
	free(tok);
	return 0;
}

/* Sends the first GET; its answer is the first snapshot. */
static int
http_start(struct source *s, struct cerr *err)
{
	struct http_src *h = s->priv;

	h->net = net_ref(s->loop);
	loop_timer_add(s->loop, &h->timer, http_request, h);
	http_request(h);
	return 0;
}

static void
http_close(struct source *s)
{
	struct http_src *h = s->priv;

	if (h == NULL)
		return;
	net_cancel(h->req);
	loop_timer_del(s->loop, &h->timer);
	net_unref(h->net);
	http_url_free(&h->u);
	net_endpoints_free(&h->ep);
	http_validators_free(&h->have);
	http_validators_free(&h->pending);
	free(h->ctype);
	free(h);
	s->priv = NULL;
}

const struct source_ops source_http_ops = {
    .scheme = "http",
    .remote = true,
    .open = http_open,
    .start = http_start,
    .close = http_close,
};

const struct source_ops source_https_ops = {
    .scheme = "https",
    .remote = true,
    .open = http_open,
    .start = http_start,
    .close = http_close,
};
