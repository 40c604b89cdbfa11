/* The network layer: libcurl's multi interface driven by confinit's own
 * poll loop; transfers report through callbacks. */
#include <sys/stat.h>

#include <curl/curl.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "net/net.h"
#include "xmalloc.h"

/* Bodies of non-2xx answers are kept for on_done up to this size. */
#define NET_ERROR_BODY (64u << 10)

struct net {
	struct loop *loop;
	CURLM *multi;
	unsigned refs;
	struct net_req *reqs; /* every transfer not yet freed */
	int depth;	      /* > 0: inside curl_multi_socket_action */
};

struct net_req {
	struct net *net;
	CURL *easy;
	struct net_req *next, **prevp;
	struct curl_slist *headers;
	struct curl_slist *connect_to;
	char *url;
	char *method;
	char *body;
	char *source;
	struct buf resp; /* buffered body */
	size_t max_body;
	size_t got;
	bool cancelled;
	bool in_done;	/* inside its own on_done */
	bool streaming; /* on_data set and the status is 2xx */
	bool status_known;
	char errbuf[CURL_ERROR_SIZE];
	char msg[512]; /* our own reason to abort */
	int (*on_header)(void *, const char *, const char *);
	int (*on_data)(void *, const char *, size_t);
	void (*on_done)(void *, const struct net_result *);
	void *arg;
};

/* One multi handle per process: there is one loop. The timer is static so
 * that the loop never holds a pointer to freed memory. */
static struct net net_the;
static struct loop_timer net_timer;
static bool net_curl_ready;
/* The CA bundle of requests whose source has no tls.ca (net_ca_init). */
static char *net_ca;

const char *const net_ca_paths[] = {
    "/etc/ssl/certs/ca-certificates.crt",
    "/etc/pki/tls/certs/ca-bundle.crt",
    "/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem",
    "/etc/ssl/ca-bundle.pem",
    "/etc/ssl/cert.pem",
    NULL,
};

static void net_sweep(struct net *n);

/* Runs curl on fd (or its timeouts) and hands finished transfers over. */
static void
net_action(struct net *n, curl_socket_t fd, int flags)
{
	struct net_result res;
	struct net_req *r;
	CURLMsg *m;
	long status;
	int running, left;

	n->depth++;
	curl_multi_socket_action(n->multi, fd, flags, &running);
	while ((m = curl_multi_info_read(n->multi, &left)) != NULL) {
		if (m->msg != CURLMSG_DONE)
			continue;
		curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, &r);
		memset(&res, 0, sizeof(res));
		status = 0;
		curl_easy_getinfo(r->easy, CURLINFO_RESPONSE_CODE, &status);
		res.status = status;
		if (r->msg[0] != '\0') {
			res.error = r->msg;
		} else if (m->data.result != CURLE_OK) {
			snprintf(r->msg, sizeof(r->msg), "source %s: %s %s: %s",
			    r->source, r->method, r->url,
			    r->errbuf[0] != '\0'
				? r->errbuf
				: curl_easy_strerror(m->data.result));
			res.error = r->msg;
			res.retry = true;
			res.status = 0;
		} else if (status >= 500) {
			res.retry = true;
		}
		res.body = r->resp.data != NULL ? r->resp.data : "";
		res.body_len = r->resp.len;
		curl_multi_remove_handle(n->multi, r->easy);
		/* Unlinked first: on_done may cancel anything. */
		*r->prevp = r->next;
		if (r->next != NULL)
			r->next->prevp = r->prevp;
		r->next = NULL;
		r->prevp = &r->next;
		r->in_done = true;
		if (!r->cancelled && r->on_done != NULL)
			r->on_done(r->arg, &res);
		r->in_done = false;
		r->cancelled = true;
		curl_easy_cleanup(r->easy);
		r->easy = NULL;
		net_cancel(r);
	}
	n->depth--;
	if (n->depth == 0)
		net_sweep(n);
}

/* A descriptor curl watches is ready. */
static void
net_fd_ready(void *arg, int fd, short revents)
{
	int flags = 0;

	if (revents & POLLIN)
		flags |= CURL_CSELECT_IN;
	if (revents & POLLOUT)
		flags |= CURL_CSELECT_OUT;
	if (revents & (POLLERR | POLLHUP | POLLNVAL))
		flags |= CURL_CSELECT_ERR;
	net_action(arg, fd, flags);
}

/* curl's deadline passed. */
static void
net_timer_fire(void *arg)
{
	struct net *n = arg;

	if (n->multi != NULL)
		net_action(n, CURL_SOCKET_TIMEOUT, 0);
}

/* curl says which events it wants on a socket. */
static int
net_socket_cb(CURL *e, curl_socket_t s, int what, void *userp, void *sockp)
{
	struct net *n = userp;
	short ev = 0;

	(void)e;
	(void)sockp;
	if (what == CURL_POLL_REMOVE) {
		loop_fd_del(n->loop, s);
		return 0;
	}
	if (what & CURL_POLL_IN)
		ev |= POLLIN;
	if (what & CURL_POLL_OUT)
		ev |= POLLOUT;
	loop_fd_set(n->loop, s, ev, net_fd_ready, n);
	return 0;
}

/* curl says when it wants to be called for its timeouts. */
static int
net_timer_cb(CURLM *multi, long ms, void *userp)
{
	(void)multi;
	(void)userp;
	if (ms < 0)
		loop_timer_disarm(&net_timer);
	else
		loop_timer_arm(&net_timer, ms);
	return 0;
}

struct net *
net_ref(struct loop *l)
{
	struct net *n = &net_the;

	if (n->refs++ > 0)
		return n;
	if (!net_curl_ready) {
		curl_global_init(CURL_GLOBAL_DEFAULT);
		net_curl_ready = true;
	}
	n->loop = l;
	n->multi = curl_multi_init();
	if (n->multi == NULL) {
		log_error("libcurl: cannot create a multi handle");
		abort();
	}
	curl_multi_setopt(n->multi, CURLMOPT_SOCKETFUNCTION, net_socket_cb);
	curl_multi_setopt(n->multi, CURLMOPT_SOCKETDATA, n);
	curl_multi_setopt(n->multi, CURLMOPT_TIMERFUNCTION, net_timer_cb);
	curl_multi_setopt(n->multi, CURLMOPT_TIMERDATA, n);
	loop_timer_add(l, &net_timer, net_timer_fire, n);
	return n;
}

void
net_unref(struct net *n)
{
	struct net_req *r;

	if (n == NULL || --n->refs > 0)
		return;
	/* Every transfer left is linked in n->reqs: all go at once. */
	for (r = n->reqs; r != NULL; r = r->next)
		r->cancelled = true;
	net_sweep(n);
	curl_multi_cleanup(n->multi);
	n->multi = NULL;
	loop_timer_del(n->loop, &net_timer);
}

size_t
net_active(const struct net *n)
{
	const struct net_req *r;
	size_t k = 0;

	for (r = n->reqs; r != NULL; r = r->next)
		if (!r->cancelled)
			k++;
	return k;
}

/* Learns the status once the first body byte comes. */
static void
net_status(struct net_req *r)
{
	long status = 0;

	if (r->status_known)
		return;
	r->status_known = true;
	curl_easy_getinfo(r->easy, CURLINFO_RESPONSE_CODE, &status);
	r->streaming = r->on_data != NULL && status >= 200 && status < 300;
	if (r->on_data != NULL && !r->streaming)
		r->resp.cap = NET_ERROR_BODY;
}

/* Body bytes: to the backend's stream, or into the buffer. */
static size_t
net_write_cb(char *p, size_t size, size_t nmemb, void *arg)
{
	struct net_req *r = arg;
	size_t len = size * nmemb;

	if (r->cancelled)
		return 0;
	net_status(r);
	/* A stream is endless: its backend caps each message instead. */
	if (!r->streaming)
		r->got += len;
	if (r->got > r->max_body) {
		snprintf(r->msg, sizeof(r->msg),
		    "source %s: response from %s larger than %zu bytes",
		    r->source, r->url, r->max_body);
		return 0;
	}
	if (r->streaming) {
		if (r->on_data(r->arg, p, len) != 0) {
			snprintf(r->msg, sizeof(r->msg),
			    "source %s: response from %s refused", r->source,
			    r->url);
			return 0;
		}
		return len;
	}
	/* An error body past its small cap is cut, not an error. */
	if (buf_append(&r->resp, p, len) != 0 && r->resp.cap != NET_ERROR_BODY)
		return 0;
	return len;
}

/* One header line: "Name: value\r\n" -> on_header(name, value). */
static size_t
net_header_cb(char *p, size_t size, size_t nmemb, void *arg)
{
	struct net_req *r = arg;
	size_t len = size * nmemb, nl;
	char *line, *colon, *v, *end;
	int rc;

	if (r->cancelled)
		return 0;
	if (r->on_header == NULL || len == 0)
		return len;
	line = xstrndup(p, len);
	if ((colon = strchr(line, ':')) == NULL ||
	    strncmp(line, "HTTP/", 5) == 0) {
		free(line);
		return len;
	}
	*colon = '\0';
	v = colon + 1;
	v += strspn(v, " \t");
	nl = strlen(v);
	end = v + nl;
	while (end > v && (end[-1] == '\r' || end[-1] == '\n' ||
			      end[-1] == ' ' || end[-1] == '\t'))
		*--end = '\0';
	rc = r->on_header(r->arg, line, v);
	free(line);
	if (rc != 0) {
		snprintf(r->msg, sizeof(r->msg),
		    "source %s: response from %s refused", r->source, r->url);
		return 0;
	}
	return len;
}

/*
 * Verification against tls.server_name: the request goes to
 * https://SERVER_NAME:PORT/... and CURLOPT_CONNECT_TO sends the connection
 * to the real host and port, so SNI, the certificate check and the Host
 * header use the server name.
 */
static int
net_server_name(struct net_req *r, const char *server_name, struct cerr *err)
{
	CURLU *u = curl_url();
	char *host = NULL, *port = NULL, *url = NULL, *ct;
	int rc = -1;

	if (u == NULL ||
	    curl_url_set(u, CURLUPART_URL, r->url, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) !=
		CURLUE_OK ||
	    curl_url_set(u, CURLUPART_HOST, server_name, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_URL, &url, 0) != CURLUE_OK) {
		cerr_set(err,
		    "source %s: cannot use server name \"%s\" with %s",
		    r->source, server_name, r->url);
		goto out;
	}
	ct = xasprintf("%s:%s:%s:%s", server_name, port, host, port);
	r->connect_to = curl_slist_append(NULL, ct);
	free(ct);
	free(r->url);
	r->url = xstrdup(url);
	rc = 0;
out:
	curl_free(host);
	curl_free(port);
	curl_free(url);
	curl_url_cleanup(u);
	return rc;
}

/* Sets the TLS options of r from tls. */
static int
net_tls(struct net_req *r, const struct config_tls *tls, struct cerr *err)
{
	CURL *e = r->easy;

	curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 2L);
	if (tls != NULL && tls->ca != NULL)
		curl_easy_setopt(e, CURLOPT_CAINFO, tls->ca);
	else if (net_ca != NULL)
		curl_easy_setopt(e, CURLOPT_CAINFO, net_ca);
	if (tls == NULL)
		return 0;
	if (tls->cert != NULL)
		curl_easy_setopt(e, CURLOPT_SSLCERT, tls->cert);
	if (tls->key != NULL)
		curl_easy_setopt(e, CURLOPT_SSLKEY, tls->key);
	if (tls->insecure) {
		curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 0L);
		curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 0L);
	}
	if (tls->server_name != NULL && strncmp(r->url, "https:", 6) == 0 &&
	    net_server_name(r, tls->server_name, err) != 0)
		return -1;
	return 0;
}

const char *
net_ca_find(const char *const *paths)
{
	struct stat st;

	for (; *paths != NULL; paths++)
		if (stat(*paths, &st) == 0 && S_ISREG(st.st_mode) &&
		    access(*paths, R_OK) == 0)
			return *paths;
	return NULL;
}

int
net_ca_init(const char *ca_file, struct cerr *err)
{
	const char *found;

	free(net_ca);
	net_ca = NULL;
	if (ca_file != NULL) {
		if (access(ca_file, R_OK) != 0)
			return cerr_set(err,
			    "CA file %s (--ca-file, "
			    "CONFINIT_CA_FILE): %s",
			    ca_file, strerror(errno));
		net_ca = xstrdup(ca_file);
		return 0;
	}
	if ((found = net_ca_find(net_ca_paths)) != NULL)
		net_ca = xstrdup(found);
	return 0;
}

const char *
net_ca_default(void)
{
	return net_ca;
}

struct net_req *
net_request(struct net *n, const struct net_req_opts *o, struct cerr *err)
{
	struct net_req *r = xcalloc(1, sizeof(*r));
	size_t i, len;
	CURL *e;

	r->net = n;
	r->prevp = &r->next;
	r->source = xstrdup(o->source != NULL ? o->source : "?");
	r->method = xstrdup(o->method != NULL ? o->method : "GET");
	r->url = xstrdup(o->url);
	r->max_body = o->max_body > 0 ? o->max_body : NET_MAX_BODY;
	r->resp.cap = r->max_body + 1;
	r->on_header = o->on_header;
	r->on_data = o->on_data;
	r->on_done = o->on_done;
	r->arg = o->arg;
	if ((r->easy = e = curl_easy_init()) == NULL) {
		cerr_set(err, "source %s: libcurl: out of memory", r->source);
		goto fail;
	}
	if (net_tls(r, o->tls, err) != 0)
		goto fail;
	curl_easy_setopt(e, CURLOPT_URL, r->url);
	curl_easy_setopt(e, CURLOPT_PRIVATE, r);
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, r->errbuf);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(e, CURLOPT_HTTP_VERSION, CURL_HTTP_VERSION_1_1);
	curl_easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L);
	curl_easy_setopt(e, CURLOPT_TCP_KEEPIDLE, 30L);
	curl_easy_setopt(e, CURLOPT_TCP_KEEPINTVL, 10L);
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS,
	    (long)(o->connect_timeout_ms > 0 ? o->connect_timeout_ms
					     : NET_CONNECT_TIMEOUT_MS));
	if (o->timeout_ms > 0)
		curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, (long)o->timeout_ms);
	if (o->idle_ms > 0) {
		curl_easy_setopt(e, CURLOPT_LOW_SPEED_LIMIT, 1L);
		curl_easy_setopt(e, CURLOPT_LOW_SPEED_TIME,
		    (long)((o->idle_ms + 999) / 1000));
	}
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, net_write_cb);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, r);
	curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, net_header_cb);
	curl_easy_setopt(e, CURLOPT_HEADERDATA, r);
	if (r->connect_to != NULL)
		curl_easy_setopt(e, CURLOPT_CONNECT_TO, r->connect_to);
	if (o->body != NULL || strcmp(r->method, "POST") == 0) {
		len = o->body != NULL ? o->body_len : 0;
		r->body = xmalloc(len + 1);
		if (len > 0)
			memcpy(r->body, o->body, len);
		r->body[len] = '\0';
		curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE, (long)len);
		curl_easy_setopt(e, CURLOPT_POSTFIELDS, r->body);
	}
	if (strcmp(r->method, "GET") != 0 && strcmp(r->method, "POST") != 0)
		curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, r->method);
	/* No "Expect: 100-continue" round trip for large bodies. */
	r->headers = curl_slist_append(r->headers, "Expect:");
	for (i = 0; o->headers != NULL && o->headers[i] != NULL; i++)
		r->headers = curl_slist_append(r->headers, o->headers[i]);
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, r->headers);
	if (curl_multi_add_handle(n->multi, e) != CURLM_OK) {
		cerr_set(err, "source %s: libcurl: cannot add a transfer",
		    r->source);
		goto fail;
	}
	r->next = n->reqs;
	if (r->next != NULL)
		r->next->prevp = &r->next;
	r->prevp = &n->reqs;
	n->reqs = r;
	return r;
fail:
	curl_easy_cleanup(r->easy);
	r->easy = NULL;
	r->cancelled = true;
	net_cancel(r);
	return NULL;
}

/* Frees r, which is off the multi handle and unlinked. */
static void
net_req_free(struct net_req *r)
{
	curl_easy_cleanup(r->easy);
	curl_slist_free_all(r->headers);
	curl_slist_free_all(r->connect_to);
	buf_free(&r->resp);
	free(r->url);
	free(r->method);
	free(r->body);
	free(r->source);
	free(r);
}

/* Removes and frees every cancelled transfer (outside curl's calls). */
static void
net_sweep(struct net *n)
{
	struct net_req *r = n->reqs, *next;

	for (; r != NULL; r = next) {
		next = r->next;
		if (!r->cancelled)
			continue;
		curl_multi_remove_handle(n->multi, r->easy);
		*r->prevp = r->next;
		if (r->next != NULL)
			r->next->prevp = r->prevp;
		net_req_free(r);
	}
}

void
net_cancel(struct net_req *r)
{
	if (r == NULL)
		return;
	r->cancelled = true;
	if (r->in_done)
		return;
	/* Unlinked (finished, or never started): free at once. */
	if (r->prevp == &r->next) {
		net_req_free(r);
		return;
	}
	/* Inside curl: removed once curl has returned. */
	if (r->net->depth > 0)
		return;
	curl_multi_remove_handle(r->net->multi, r->easy);
	*r->prevp = r->next;
	if (r->next != NULL)
		r->next->prevp = r->prevp;
	net_req_free(r);
}

/* Splits one "host[:port]" of a URL; appends it with its port to u. */
static int
net_url_host(struct net_url *u, const char *h, size_t len, int default_port,
    struct cerr *err)
{
	const char *end = h + len, *pc = NULL, *p;
	char *host;
	long port = default_port;

	if (len == 0)
		return cerr_set(err, "empty host in the URL");
	if (h[0] == '[') {
		if ((p = memchr(h, ']', len)) == NULL)
			return cerr_set(err, "unclosed '[' in host \"%.*s\"",
			    (int)len, h);
		if (p + 1 < end) {
			if (p[1] != ':')
				return cerr_set(err, "bad host \"%.*s\"",
				    (int)len, h);
			pc = p + 1;
		}
	} else {
		pc = memchr(h, ':', len);
	}
	if (pc != NULL) {
		port = 0;
		for (p = pc + 1; p < end; p++) {
			if (*p < '0' || *p > '9' || port > 65535)
				break;
			port = port * 10 + (*p - '0');
		}
		if (p != end || pc + 1 == end || port < 1 || port > 65535)
			return cerr_set(err, "bad port in host \"%.*s\"",
			    (int)len, h);
		end = pc;
	}
	if (end == h)
		return cerr_set(err, "empty host in \"%.*s\"", (int)len, h);
	host = xasprintf("%.*s:%ld", (int)(end - h), h, port);
	u->hosts = xreallocarray(u->hosts, u->nhosts + 1, sizeof(*u->hosts));
	u->hosts[u->nhosts++] = host;
	return 0;
}

int
net_url_userinfo(const char *url, struct cerr *err)
{
	const char *sep = strstr(url, "://"), *h, *at;
	char *shown;

	if (sep == NULL)
		return 0;
	h = sep + 3;
	at = memchr(h, '@', strcspn(h, "/?#"));
	if (at == NULL)
		return 0;
	/* Refused, so a password in the URL never reaches a server; the
	 * message shows the URL with the password as "***". */
	shown = log_url(url);
	cerr_set(err,
	    "URL \"%s\": user:password@ is not supported; use username and "
	    "password_file (etcd), or token_file",
	    shown);
	free(shown);
	return -1;
}

int
net_url_parse(const char *url, int default_port, struct net_url *u,
    struct cerr *err)
{
	const char *sep = strstr(url, "://"), *h, *hend, *comma, *q;
	char *shown;

	memset(u, 0, sizeof(*u));
	if (sep == NULL || sep == url)
		return cerr_set(err, "URL \"%s\" has no scheme://", url);
	u->scheme = xstrndup(url, (size_t)(sep - url));
	h = sep + 3;
	hend = h + strcspn(h, "/?#");
	if (net_url_userinfo(url, err) != 0) {
		net_url_free(u);
		return -1;
	}
	while (h <= hend) {
		comma = memchr(h, ',', (size_t)(hend - h));
		if (comma == NULL)
			comma = hend;
		if (net_url_host(u, h, (size_t)(comma - h), default_port,
			err) != 0) {
			net_url_free(u);
			shown = log_url(url);
			cerr_prefix(err, "URL \"%s\"", shown);
			free(shown);
			return -1;
		}
		h = comma + 1;
	}
	q = strchr(hend, '?');
	if (*hend == '#')
		q = NULL;
	u->path =
	    xstrndup(hend, q != NULL ? (size_t)(q - hend) : strcspn(hend, "#"));
	if (q != NULL)
		u->query = xstrndup(q + 1, strcspn(q + 1, "#"));
	return 0;
}

void
net_url_free(struct net_url *u)
{
	size_t i;

	for (i = 0; i < u->nhosts; i++)
		free(u->hosts[i]);
	free(u->hosts);
	free(u->scheme);
	free(u->path);
	free(u->query);
	memset(u, 0, sizeof(*u));
}

int
net_endpoints_init(struct net_endpoints *e, const char *name, const char *url,
    bool tls, const struct config_source *conf, int default_port,
    struct cerr *err)
{
	memset(e, 0, sizeof(*e));
	if (net_url_parse(url, default_port, &e->url, err) != 0)
		return -1;
	e->tls = tls;
	backoff_init(&e->bo, 0, 0, 0);
	if (conf != NULL && conf->tls.insecure)
		log_warn("source %s: tls.insecure: the server's certificate "
			 "is not verified",
		    name);
	if (!tls && conf != NULL &&
	    (conf->tls.ca != NULL || conf->tls.cert != NULL))
		log_warn("source %s: tls settings given but the URL is not a "
			 "TLS one; they are ignored",
		    name);
	return 0;
}

char *
net_endpoints_url(const struct net_endpoints *e, const char *path)
{
	return xasprintf("%s://%s%s", e->tls ? "https" : "http",
	    e->url.hosts[e->cur], path);
}

const char *
net_endpoints_host(const struct net_endpoints *e)
{
	return e->url.hosts[e->cur];
}

int64_t
net_endpoints_failed(struct net_endpoints *e)
{
	e->cur = (e->cur + 1) % e->url.nhosts;
	if (++e->failed < e->url.nhosts)
		return 0;
	e->failed = 0;
	return backoff_next(&e->bo);
}

void
net_endpoints_ok(struct net_endpoints *e)
{
	e->failed = 0;
	backoff_reset(&e->bo);
}

void
net_endpoints_free(struct net_endpoints *e)
{
	net_url_free(&e->url);
}

/* Reads a secret file whole (what names the field: "token");
 * strips trailing white space. */
static int
net_secret_file(const char *what, const char *path, char **out,
    struct cerr *err)
{
	struct buf b = {.cap = 64u << 10};
	char chunk[4096];
	size_t n;
	FILE *f;

	if ((f = fopen(path, "re")) == NULL)
		return cerr_set(err, "%s_file %s: %s", what, path,
		    strerror(errno));
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		if (buf_append(&b, chunk, n) != 0) {
			fclose(f);
			explicit_bzero(b.data, b.len);
			buf_free(&b);
			return cerr_set(err, "%s_file %s: larger than 64 KiB",
			    what, path);
		}
	fclose(f);
	explicit_bzero(chunk, sizeof(chunk));
	while (b.len > 0 && strchr(" \t\r\n", b.data[b.len - 1]) != NULL)
		b.data[--b.len] = '\0';
	*out = buf_steal(&b);
	return 0;
}

int
net_secret(const char *what, const char *value, const char *file,
    const char *var, char *const *env, char **out, struct cerr *err)
{
	size_t i, n;

	*out = NULL;
	if (value != NULL) {
		*out = xstrdup(value);
	} else if (file != NULL) {
		if (net_secret_file(what, file, out, err) != 0)
			return -1;
	} else if (var != NULL) {
		n = strlen(var);
		for (i = 0; env != NULL && env[i] != NULL; i++)
			if (strncmp(env[i], var, n) == 0 && env[i][n] == '=')
				break;
		if (env == NULL || env[i] == NULL)
			return cerr_set(err, "%s_env: %s is not set", what,
			    var);
		*out = xstrdup(env[i] + n + 1);
	} else {
		return 0;
	}
	if ((*out)[0] == '\0') {
		free(*out);
		*out = NULL;
		return cerr_set(err, "the %s is empty", what);
	}
	log_secret_add(*out);
	return 0;
}

int
net_token(const struct config_source *conf, char *const *env, char **tok,
    struct cerr *err)
{
	*tok = NULL;
	if (conf == NULL)
		return 0;
	return net_secret("token", conf->token, conf->token_file,
	    conf->token_env, env, tok, err);
}

void
net_secret_free(char *s)
{
	if (s == NULL)
		return;
	explicit_bzero(s, strlen(s));
	free(s);
}
