/* Sources at run time: open by URL scheme, keep the last good snapshot,
 * watch, and tell the owner when the snapshot changes. */
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "source_rt.h"
#include "xmalloc.h"

static const struct source_ops *const source_backends[] = {
    &source_file_ops,
    &source_env_ops,
    &source_consul_ops,
    &source_consuls_ops,
    &source_http_ops,
    &source_https_ops,
    &source_etcd_ops,
    &source_etcds_ops,
};

/* The backend for url's scheme ("file:///x" -> file), or NULL. */
static const struct source_ops *
source_backend(const char *url)
{
	const char *colon = strstr(url, "://");
	size_t i, n;

	if (colon == NULL)
		return url[0] == '/' ? &source_file_ops : NULL;
	n = (size_t)(colon - url);
	for (i = 0; i < sizeof(source_backends) / sizeof(source_backends[0]);
	     i++)
		if (strlen(source_backends[i]->scheme) == n &&
		    strncmp(source_backends[i]->scheme, url, n) == 0)
			return source_backends[i];
	return NULL;
}

struct source *
source_new(const char *name, const char *url, bool secret,
    const struct config_source *conf, struct loop *loop, char *const *env,
    struct cerr *err)
{
	const struct source_ops *ops = source_backend(url);
	struct source *s;
	char *shown;

	if (ops == NULL) {
		shown = log_url(url);
		cerr_set(err, "source %s: unknown URL scheme in \"%s\"",
		    name != NULL ? name : shown, shown);
		free(shown);
		return NULL;
	}
	s = xcalloc(1, sizeof(*s));
	s->ops = ops;
	s->url = xstrdup(url);
	s->name = xstrdup(name != NULL ? name : url);
	s->secret = secret;
	s->conf = conf;
	s->loop = loop;
	if (ops->open(s, env, err) != 0) {
		cerr_prefix(err, "source %s", s->name);
		source_free(s);
		return NULL;
	}
	return s;
}

int
source_start(struct source *s, struct cerr *err)
{
	if (s->ops->start == NULL)
		return 0;
	if (s->ops->start(s, err) != 0)
		return cerr_prefix(err, "source %s", s->name);
	return 0;
}

void
source_update(struct source *s, struct kv *snap)
{
	bool was_cached = s->cached;

	free(s->error);
	s->error = NULL;
	s->cached = false;
	if (was_cached)
		log_info("source %s answers: its live values replace the "
			 "cached ones",
		    s->name);
	if (!was_cached && s->snap != NULL && kv_equal(s->snap, snap)) {
		kv_free(snap);
		return;
	}
	kv_free(s->snap);
	s->snap = snap;
	log_debug("source %s: new snapshot, %zu keys", s->name, kv_len(snap));
	if (s->changed != NULL)
		s->changed(s->changed_arg, s);
}

void
source_failed(struct source *s, const char *why)
{
	free(s->error);
	s->error = xstrdup(why);
}

void
source_free(struct source *s)
{
	if (s == NULL)
		return;
	if (s->ops->close != NULL)
		s->ops->close(s);
	kv_free(s->snap);
	free(s->error);
	free(s->name);
	free(s->url);
	free(s);
}
