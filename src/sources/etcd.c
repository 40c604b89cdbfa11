/* The etcd v3 source: a range through the JSON gateway, then one streaming
 * watch from the next revision; reconnects resume where it stopped. */
#include <errno.h>
#include <jansson.h>
#include <mbedtls/base64.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "net/net.h"
#include "source_rt.h"
#include "sources/etcd.h"

/* Defaults when the config sets no timeout. */
#define ETCD_RANGE_TIMEOUT_MS 15000

char *
etcd_prefix(const char *path)
{
	size_t n = strlen(path);

	if (n == 0 || strcmp(path, "/") == 0)
		return xstrdup("");
	if (path[n - 1] == '/')
		return xstrdup(path);
	return xasprintf("%s/", path);
}

/* base64 of len bytes; the caller frees it. */
static char *
etcd_b64(const void *p, size_t len)
{
	size_t olen = 0, cap = 4 * ((len + 2) / 3) + 1;
	char *out = xmalloc(cap);

	mbedtls_base64_encode((unsigned char *)out, cap, &olen, p, len);
	out[olen] = '\0';
	return out;
}

void
etcd_range_keys(const char *prefix, char **key, char **end)
{
	size_t n = strlen(prefix);
	char *e;

	/* Every key: from "\0" to "\0" (etcd's "all keys >= key"). */
	if (n == 0) {
		*key = etcd_b64("", 1);
		*end = etcd_b64("", 1);
		return;
	}
	*key = etcd_b64(prefix, n);
	e = xstrdup(prefix);
	e[n - 1]++; /* a '/' at the end: '0' */
	*end = etcd_b64(e, n);
	free(e);
}

/* Decodes base64 s; *out is the caller's (NUL-terminated), *olen its
 * length. Returns 0 or -1. */
static int
etcd_unb64(const char *s, char **out, size_t *olen)
{
	size_t n = strlen(s), cap = n / 4 * 3 + 4;
	unsigned char *d = xmalloc(cap);

	if (mbedtls_base64_decode(d, cap, olen, (const unsigned char *)s, n) !=
	    0) {
		free(d);
		return -1;
	}
	d[*olen] = '\0';
	*out = (char *)d;
	return 0;
}

/* An int64 field: the gateway writes them as strings. Absent: 0. */
static int
etcd_int(json_t *o, const char *name, int64_t *v)
{
	json_t *f = json_object_get(o, name);
	const char *s;
	char *end;

	*v = 0;
	if (f == NULL)
		return 0;
	if (json_is_integer(f)) {
		*v = json_integer_value(f);
		return 0;
	}
	if (!json_is_string(f))
		return -1;
	s = json_string_value(f);
	*v = strtoll(s, &end, 10);
	return *s == '\0' || *end != '\0' ? -1 : 0;
}

/* A string field, or "" when absent; NULL when it is not a string. */
static const char *
etcd_str(json_t *o, const char *name)
{
	json_t *f = json_object_get(o, name);

	if (f == NULL)
		return "";
	return json_is_string(f) ? json_string_value(f) : NULL;
}

/*
 * One mvccpb.KeyValue: *rel is its key relative to prefix (NULL when the
 * key is outside it, or holds a NUL byte), *val and *vlen its value.
 * Both are the caller's. Returns 0 or -1 with err.
 */
static int
etcd_kv(json_t *kvj, const char *prefix, char **rel, char **val, size_t *vlen,
    struct cerr *err)
{
	const char *k = etcd_str(kvj, "key"), *v = etcd_str(kvj, "value");
	size_t klen, plen = strlen(prefix);
	char *key;

	*rel = *val = NULL;
	*vlen = 0;
	if (!json_is_object(kvj) || k == NULL || v == NULL)
		return cerr_set(err, "a key/value is not an object of strings");
	if (etcd_unb64(k, &key, &klen) != 0)
		return cerr_set(err, "a key is not base64");
	if (strlen(key) != klen || klen <= plen ||
	    strncmp(key, prefix, plen) != 0) {
		free(key);
		return 0;
	}
	if (etcd_unb64(v, val, vlen) != 0) {
		cerr_set(err, "the value of %s is not base64", key);
		free(key);
		return -1;
	}
	*rel = xstrdup(key + plen);
	free(key);
	return 0;
}

/* The header's revision of answer o. */
static int
etcd_header_rev(json_t *o, int64_t *rev, struct cerr *err)
{
	json_t *h = json_object_get(o, "header");

	if (!json_is_object(h) || etcd_int(h, "revision", rev) != 0 ||
	    *rev <= 0)
		return cerr_set(err, "no header.revision in the answer");
	return 0;
}

/* Loads len bytes of JSON; an error message names line and column. */
static json_t *
etcd_json(const char *body, size_t len, struct cerr *err)
{
	json_error_t je;
	json_t *root;

	errno = 0;
	root = json_loadb(body, len, 0, &je);
	if (root == NULL && (errno == ENOMEM || json_error_code(&je) ==
						    json_error_out_of_memory)) {
		cerr_set(err, "out of memory");
		return NULL;
	}
	if (root == NULL) {
		cerr_set(err, "bad JSON at %d:%d: %s", je.line, je.column,
		    je.text);
		return NULL;
	}
	if (!json_is_object(root)) {
		json_decref(root);
		cerr_set(err, "the answer is not a JSON object");
		return NULL;
	}
	return root;
}

int
etcd_parse_range(const char *body, size_t len, const char *prefix,
    struct kv **out, int64_t *rev, struct cerr *err)
{
	json_t *root, *kvs, *item;
	struct kv *kv = NULL;
	char *rel, *val;
	size_t i, vlen;
	int rc = -1;

	*out = NULL;
	if ((root = etcd_json(body, len, err)) == NULL)
		return -1;
	if (etcd_header_rev(root, rev, err) != 0)
		goto out;
	kvs = json_object_get(root, "kvs");
	if (kvs != NULL && !json_is_array(kvs)) {
		cerr_set(err, "kvs is not an array");
		goto out;
	}
	kv = kv_new();
	json_array_foreach(kvs, i, item)
	{
		if (etcd_kv(item, prefix, &rel, &val, &vlen, err) != 0)
			goto out;
		if (rel != NULL)
			kv_setn(kv, rel, val, vlen);
		free(rel);
		free(val);
	}
	*out = kv;
	kv = NULL;
	rc = 0;
out:
	kv_free(kv);
	json_decref(root);
	return rc;
}

/* One watch event: PUT (no type: the protobuf default) or DELETE. */
static int
etcd_event(json_t *ev, const char *prefix, struct kv *kv, int64_t *rev,
    int *flags, struct cerr *err)
{
	const char *type = etcd_str(ev, "type");
	json_t *kvj = json_object_get(ev, "kv");
	char *rel, *val;
	int64_t mod;
	size_t vlen;

	if (!json_is_object(ev) || type == NULL || !json_is_object(kvj))
		return cerr_set(err, "an event is not an object with a kv");
	if (etcd_int(kvj, "mod_revision", &mod) != 0)
		return cerr_set(err, "bad mod_revision in an event");
	if (mod > *rev)
		*rev = mod;
	if (strcmp(type, "") != 0 && strcmp(type, "PUT") != 0 &&
	    strcmp(type, "DELETE") != 0)
		return cerr_set(err, "unknown event type \"%s\"", type);
	if (etcd_kv(kvj, prefix, &rel, &val, &vlen, err) != 0)
		return -1;
	if (rel != NULL) {
		if (strcmp(type, "DELETE") == 0)
			kv_del(kv, rel);
		else
			kv_setn(kv, rel, val, vlen);
		*flags |= ETCD_WATCH_CHANGED;
	}
	free(rel);
	free(val);
	return 0;
}

int
etcd_parse_watch(const char *msg, size_t len, const char *prefix, struct kv *kv,
    int64_t *rev, int *flags, struct cerr *err)
{
	json_t *root, *res, *e, *events, *ev;
	int64_t compact;
	const char *m;
	size_t i;
	int rc = -1;

	*flags = 0;
	if ((root = etcd_json(msg, len, err)) == NULL)
		return -1;
	if ((e = json_object_get(root, "error")) != NULL) {
		m = json_is_object(e) ? etcd_str(e, "message") : NULL;
		cerr_set(err, "etcd: %s",
		    m != NULL && *m != '\0' ? m : "an error without a message");
		goto out;
	}
	res = json_object_get(root, "result");
	if (!json_is_object(res)) {
		cerr_set(err, "a watch message without a result");
		goto out;
	}
	if (etcd_int(res, "compact_revision", &compact) != 0) {
		cerr_set(err, "bad compact_revision");
		goto out;
	}
	if (compact > 0) {
		*flags |= ETCD_WATCH_COMPACTED;
		rc = 0;
		goto out;
	}
	if (json_is_true(json_object_get(res, "canceled"))) {
		m = etcd_str(res, "cancel_reason");
		cerr_set(err, "etcd canceled the watch: %s",
		    m != NULL && *m != '\0' ? m : "no reason given");
		goto out;
	}
	if (json_is_true(json_object_get(res, "created")))
		*flags |= ETCD_WATCH_CREATED;
	events = json_object_get(res, "events");
	if (events != NULL && !json_is_array(events)) {
		cerr_set(err, "events is not an array");
		goto out;
	}
	json_array_foreach(events, i, ev)
	{
		if (etcd_event(ev, prefix, kv, rev, flags, err) != 0)
			goto out;
	}
	rc = 0;
out:
	json_decref(root);
	return rc;
}

int
etcd_stream_feed(struct etcd_stream *st, const char *data, size_t len,
    int (*fn)(void *arg, const char *obj, size_t objlen), void *arg,
    struct cerr *err)
{
	size_t i, start = 0;
	int rc;
	char c;

	for (i = 0; i < len; i++) {
		c = data[i];
		if (st->depth == 0) {
			if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
				start = i + 1;
				continue;
			}
			if (c != '{')
				return cerr_set(err, "the watch stream holds "
						     "a byte that starts no "
						     "JSON object");
			start = i;
		}
		if (st->in_str) {
			if (st->esc)
				st->esc = false;
			else if (c == '\\')
				st->esc = true;
			else if (c == '"')
				st->in_str = false;
			continue;
		}
		if (c == '"') {
			st->in_str = true;
		} else if (c == '{' || c == '[') {
			st->depth++;
		} else if ((c == '}' || c == ']') && --st->depth == 0) {
			if (st->part.len == 0) {
				rc = fn(arg, data + start, i + 1 - start);
			} else {
				if (buf_append(&st->part, data + start,
					i + 1 - start) != 0)
					goto big;
				rc = fn(arg, st->part.data, st->part.len);
				buf_reset(&st->part);
			}
			if (rc != 0)
				return rc;
			start = i + 1;
		}
	}
	if (st->depth > 0 && start < len &&
	    buf_append(&st->part, data + start, len - start) != 0)
		goto big;
	return 0;
big:
	return cerr_set(err, "a watch message larger than %zu bytes",
	    st->part.cap);
}

const char *
etcd_answer_why(long status, const char *body, size_t len, char *out, size_t n)
{
	json_t *root = json_loadb(body, len, 0, NULL);
	const char *m = NULL;
	size_t k = strcspn(body, "\r\n");

	if (k > len)
		k = len;
	if (k > 200)
		k = 200;
	if (json_is_object(root))
		m = etcd_str(root, "message");
	if (m != NULL && *m != '\0')
		snprintf(out, n, "HTTP %ld: %.300s", status, m);
	else
		snprintf(out, n, "HTTP %ld%s%.*s", status, k > 0 ? ": " : "",
		    (int)k, body);
	json_decref(root);
	return out;
}

bool
etcd_token_refused(const char *why)
{
	return strstr(why, "invalid auth token") != NULL ||
	       strstr(why, "revision of auth store is old") != NULL;
}

void
etcd_stream_reset(struct etcd_stream *st)
{
	buf_reset(&st->part);
	st->part.cap = st->max > 0 ? st->max : ETCD_MAX_MESSAGE;
	st->depth = 0;
	st->in_str = st->esc = false;
}

void
etcd_stream_free(struct etcd_stream *st)
{
	buf_free(&st->part);
}

/* The backend's state. */
struct etcd {
	struct source *s;
	struct net *net;
	struct net_endpoints ep;
	char *const *env;
	char *prefix;
	char *key_b64, *end_b64;
	struct kv *state; /* etcd's keys as the watch last left them */
	int64_t rev;	  /* last revision seen; 0: range first */
	struct net_req *req;
	struct etcd_stream stream;
	struct loop_timer retry;
	bool compacted; /* the watch said: range again */
	bool watching;	/* the watch is in place */
	bool failing;	/* the last attempt failed (log less) */
	bool relogin;	/* logged in again after a refused token */
	char *token;	/* from /v3/auth/authenticate (username set) */
	char err[1024]; /* why a stream was aborted */
	int64_t connect_ms, range_ms;
	size_t max_body; /* 0: the network layer's default */
};

static void etcd_connect(struct etcd *e);

/* True when the source logs in with a user name and a password. */
static bool
etcd_login_wanted(const struct etcd *e)
{
	return e->s->conf != NULL && e->s->conf->username != NULL;
}

/* Headers of every request: JSON, and the token if any. */
static int
etcd_headers(struct etcd *e, char **auth, struct cerr *err)
{
	char *tok;

	*auth = NULL;
	if (etcd_login_wanted(e))
		tok = e->token != NULL ? xstrdup(e->token) : NULL;
	else if (net_token(e->s->conf, e->env, &tok, err) != 0)
		return -1;
	if (tok != NULL) {
		/* etcd takes the bare token in Authorization. */
		*auth = xasprintf("Authorization: %s", tok);
		net_secret_free(tok);
	}
	return 0;
}

/* An attempt failed: fail over, and try again after a delay. */
static void
etcd_failed(struct etcd *e, const char *why)
{
	int64_t delay;
	size_t n;

	e->req = NULL;
	e->watching = false;
	if (e->token != NULL && etcd_token_refused(why)) {
		net_secret_free(e->token);
		e->token = NULL;
		/* Once at once; a fresh token refused again is a failure. */
		if (!e->relogin) {
			e->relogin = true;
			log_info("source %s: etcd refused the auth token "
				 "(expired, or etcd restarted); logging in "
				 "again as %s",
			    e->s->name, e->s->conf->username);
			etcd_connect(e);
			return;
		}
	}
	delay = net_endpoints_failed(&e->ep);
	/* The network layer's messages already name the source. */
	n = strlen(e->s->name);
	if (strncmp(why, "source ", 7) == 0 &&
	    strncmp(why + 7, e->s->name, n) == 0 &&
	    strncmp(why + 7 + n, ": ", 2) == 0)
		why += 9 + n;
	source_failed(e->s, why);
	if (!e->failing || log_get_level() >= LOGL_DEBUG)
		log_warn("source %s: %s; next try with %s in %lld ms",
		    e->s->name, why, net_endpoints_host(&e->ep),
		    (long long)delay);
	e->failing = true;
	loop_timer_arm(&e->retry, delay);
}

/* One message of the watch stream. */
static int
etcd_watch_msg(void *arg, const char *obj, size_t len)
{
	struct etcd *e = arg;
	struct cerr err;
	int flags;

	if (etcd_parse_watch(obj, len, e->prefix, e->state, &e->rev, &flags,
		&err) != 0) {
		snprintf(e->err, sizeof(e->err), "watch: %.1000s", err.msg);
		return -1;
	}
	if (flags & ETCD_WATCH_COMPACTED) {
		e->compacted = true;
		return -1;
	}
	if (flags & ETCD_WATCH_CREATED) {
		e->watching = true;
		e->relogin = false;
		net_endpoints_ok(&e->ep);
		if (e->failing)
			log_info("source %s: watching again from revision "
				 "%lld on %s",
			    e->s->name, (long long)e->rev + 1,
			    net_endpoints_host(&e->ep));
		e->failing = false;
	}
	if (flags & ETCD_WATCH_CHANGED)
		source_update(e->s, kv_dup(e->state));
	return 0;
}

/* Watch bytes as they come. */
static int
etcd_watch_data(void *arg, const char *data, size_t len)
{
	struct etcd *e = arg;
	struct cerr err;
	int rc;

	rc = etcd_stream_feed(&e->stream, data, len, etcd_watch_msg, e, &err);
	if (rc != 0 && e->err[0] == '\0' && !e->compacted)
		snprintf(e->err, sizeof(e->err), "watch: %.1000s", err.msg);
	return rc;
}

/* The watch stream ended: it always does by failure or restart. */
static void
etcd_watch_done(void *arg, const struct net_result *res)
{
	struct etcd *e = arg;
	char why[1100], ans[512];

	e->req = NULL;
	if (e->compacted) {
		log_info("source %s: revision %lld was compacted; reading "
			 "every key again",
		    e->s->name, (long long)e->rev + 1);
		e->compacted = false;
		e->rev = 0;
		e->watching = false;
		etcd_connect(e);
		return;
	}
	if (e->err[0] != '\0')
		snprintf(why, sizeof(why), "%s", e->err);
	else if (res->error != NULL)
		snprintf(why, sizeof(why), "%s", res->error);
	else if (res->status != 200)
		snprintf(why, sizeof(why), "watch: %s",
		    etcd_answer_why(res->status, res->body, res->body_len, ans,
			sizeof(ans)));
	else
		snprintf(why, sizeof(why), "watch: the stream ended");
	if (e->watching)
		net_endpoints_ok(&e->ep);
	etcd_failed(e, why);
}

/*
 * POSTs body to path on the endpoint in use, with the token unless
 * login; on_data makes it a stream, else timeout_ms bounds it. Takes
 * body (wiped and freed). A failure to start is etcd_failed().
 */
static void
etcd_post(struct etcd *e, const char *path, char *body, bool login,
    int64_t timeout_ms, int (*on_data)(void *, const char *, size_t),
    void (*on_done)(void *, const struct net_result *))
{
	struct net_req_opts o = {0};
	const char *hdr[3] = {"Content-Type: application/json", NULL, NULL};
	char *url, *auth = NULL;
	struct cerr err;

	if (!login && etcd_headers(e, &auth, &err) != 0) {
		net_secret_free(body);
		etcd_failed(e, err.msg);
		return;
	}
	hdr[1] = auth;
	url = net_endpoints_url(&e->ep, path);
	o.source = e->s->name;
	o.method = "POST";
	o.url = url;
	o.body = body;
	o.body_len = strlen(body);
	o.headers = hdr;
	o.tls = e->s->conf != NULL ? &e->s->conf->tls : NULL;
	o.connect_timeout_ms = e->connect_ms;
	o.timeout_ms = timeout_ms;
	o.max_body = e->max_body;
	o.on_data = on_data;
	o.on_done = on_done;
	o.arg = e;
	e->req = net_request(e->net, &o, &err);
	free(url);
	net_secret_free(body);
	net_secret_free(auth);
	if (e->req == NULL)
		etcd_failed(e, err.msg);
}

/* Opens the watch from the revision after the last one seen. */
static void
etcd_watch(struct etcd *e)
{
	etcd_stream_reset(&e->stream);
	e->err[0] = '\0';
	e->compacted = false;
	etcd_post(e, "/v3/watch",
	    xasprintf("{\"create_request\":{\"key\":\"%s\",\"range_end\":"
		      "\"%s\",\"start_revision\":\"%lld\"}}",
		e->key_b64, e->end_b64, (long long)e->rev + 1),
	    false, 0, etcd_watch_data, etcd_watch_done);
}

/* The range answer: the whole snapshot, then the watch. */
static void
etcd_range_done(void *arg, const struct net_result *res)
{
	struct etcd *e = arg;
	struct kv *kv;
	struct cerr err;
	char why[1100], ans[512], hint[300];
	int64_t rev;

	e->req = NULL;
	if (res->error != NULL) {
		etcd_failed(e, res->error);
		return;
	}
	if (res->status != 200) {
		etcd_answer_why(res->status, res->body, res->body_len, ans,
		    sizeof(ans));
		hint[0] = '\0';
		if (res->status == 403)
			snprintf(hint, sizeof(hint), " (%s may not read %s)",
			    etcd_login_wanted(e) ? e->s->conf->username
						 : "the token",
			    *e->prefix != '\0' ? e->prefix : "every key");
		snprintf(why, sizeof(why), "range from %s: %s%s",
		    net_endpoints_host(&e->ep), ans, hint);
		etcd_failed(e, why);
		return;
	}
	if (etcd_parse_range(res->body, res->body_len, e->prefix, &kv, &rev,
		&err) != 0) {
		snprintf(why, sizeof(why), "range: %s", err.msg);
		etcd_failed(e, why);
		return;
	}
	if (e->s->snap == NULL || e->failing)
		log_info("source %s: %zu keys at revision %lld from %s",
		    e->s->name, kv_len(kv), (long long)rev,
		    net_endpoints_host(&e->ep));
	kv_free(e->state);
	e->state = kv;
	e->rev = rev;
	e->relogin = false;
	net_endpoints_ok(&e->ep);
	source_update(e->s, kv_dup(e->state));
	etcd_watch(e);
}

/* Reads every key under the prefix. */
static void
etcd_range(struct etcd *e)
{
	etcd_post(e, "/v3/kv/range",
	    xasprintf("{\"key\":\"%s\",\"range_end\":\"%s\"}", e->key_b64,
		e->end_b64),
	    false, e->range_ms, NULL, etcd_range_done);
}

/* The answer to /v3/auth/authenticate: the token, then carry on. */
static void
etcd_login_done(void *arg, const struct net_result *res)
{
	struct etcd *e = arg;
	char why[1100], ans[512];
	json_t *root;
	const char *tok;

	e->req = NULL;
	if (res->error != NULL) {
		etcd_failed(e, res->error);
		return;
	}
	if (res->status != 200) {
		snprintf(why, sizeof(why), "log in as %s on %s: %s",
		    e->s->conf->username, net_endpoints_host(&e->ep),
		    etcd_answer_why(res->status, res->body, res->body_len, ans,
			sizeof(ans)));
		etcd_failed(e, why);
		return;
	}
	root = json_loadb(res->body, res->body_len, 0, NULL);
	tok = json_is_object(root) ? etcd_str(root, "token") : NULL;
	if (tok == NULL || *tok == '\0') {
		json_decref(root);
		snprintf(why, sizeof(why),
		    "log in as %s on %s: no token in the answer (is auth "
		    "enabled on etcd?)",
		    e->s->conf->username, net_endpoints_host(&e->ep));
		etcd_failed(e, why);
		return;
	}
	log_secret_add(tok);
	net_secret_free(e->token);
	e->token = xstrdup(tok);
	json_decref(root);
	log_debug("source %s: logged in as %s on %s", e->s->name,
	    e->s->conf->username, net_endpoints_host(&e->ep));
	etcd_connect(e);
}

/* Asks etcd for a token for the user and password of the config. */
static void
etcd_login(struct etcd *e)
{
	const struct config_source *c = e->s->conf;
	struct cerr err;
	char *body, *pw;
	json_t *req;

	if (net_secret("password", c->password, c->password_file,
		c->password_env, e->env, &pw, &err) != 0) {
		etcd_failed(e, err.msg);
		return;
	}
	req = json_pack("{s:s, s:s}", "name", c->username, "password", pw);
	net_secret_free(pw);
	body = req != NULL ? json_dumps(req, JSON_COMPACT) : NULL;
	json_decref(req);
	if (body == NULL) {
		etcd_failed(e, "log in: the user name or password is not "
			       "UTF-8");
		return;
	}
	etcd_post(e, "/v3/auth/authenticate", body, true, e->range_ms, NULL,
	    etcd_login_done);
}

/* Log in first when needed; then range first, or resume the watch after
 * the last revision seen. */
static void
etcd_connect(struct etcd *e)
{
	if (etcd_login_wanted(e) && e->token == NULL)
		etcd_login(e);
	else if (e->rev > 0)
		etcd_watch(e);
	else
		etcd_range(e);
}

/* The retry timer. */
static void
etcd_retry(void *arg)
{
	etcd_connect(arg);
}

/* Parses the URL; nothing is fetched before start. */
static int
etcd_open(struct source *s, char *const *env, struct cerr *err)
{
	const struct config_source *c = s->conf;
	struct etcd *e = xcalloc(1, sizeof(*e));
	char *tok;

	e->s = s;
	e->env = env;
	s->priv = e;
	if (net_endpoints_init(&e->ep, s->name, s->url,
		strncmp(s->url, "etcds:", 6) == 0, c, 2379, err) != 0)
		return -1;
	e->prefix = etcd_prefix(
	    c != NULL && c->prefix != NULL ? c->prefix : e->ep.url.path);
	etcd_range_keys(e->prefix, &e->key_b64, &e->end_b64);
	/* A token or password that cannot be read is a configuration
	 * error. */
	if (net_token(c, env, &tok, err) != 0)
		return -1;
	net_secret_free(tok);
	if (c != NULL && c->username != NULL) {
		if (net_secret("password", c->password, c->password_file,
			c->password_env, env, &tok, err) != 0)
			return -1;
		net_secret_free(tok);
	}
	e->max_body = c != NULL ? c->max_body : 0;
	e->stream.max = e->max_body;
	e->range_ms = c != NULL && c->timeout_ms > 0 ? c->timeout_ms
						     : ETCD_RANGE_TIMEOUT_MS;
	e->connect_ms = e->range_ms < NET_CONNECT_TIMEOUT_MS
			    ? e->range_ms
			    : NET_CONNECT_TIMEOUT_MS;
	e->stream.part.cap = e->max_body > 0 ? e->max_body : ETCD_MAX_MESSAGE;
	return 0;
}

/* Starts with a range; everything after runs from the loop. */
static int
etcd_start(struct source *s, struct cerr *err)
{
	struct etcd *e = s->priv;

	(void)err;
	e->net = net_ref(s->loop);
	loop_timer_add(s->loop, &e->retry, etcd_retry, e);
	etcd_connect(e);
	return 0;
}

static void
etcd_close(struct source *s)
{
	struct etcd *e = s->priv;

	if (e == NULL)
		return;
	if (e->net != NULL) {
		loop_timer_del(s->loop, &e->retry);
		net_cancel(e->req);
		net_unref(e->net);
	}
	net_endpoints_free(&e->ep);
	etcd_stream_free(&e->stream);
	kv_free(e->state);
	net_secret_free(e->token);
	free(e->prefix);
	free(e->key_b64);
	free(e->end_b64);
	free(e);
}

const struct source_ops source_etcd_ops = {
    .scheme = "etcd",
    .remote = true,
    .open = etcd_open,
    .start = etcd_start,
    .close = etcd_close,
};

const struct source_ops source_etcds_ops = {
    .scheme = "etcds",
    .remote = true,
    .open = etcd_open,
    .start = etcd_start,
    .close = etcd_close,
};
