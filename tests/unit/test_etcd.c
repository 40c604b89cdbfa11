/* Unit tests for the etcd source's parsers: prefixes and range keys, range
 * answers, watch messages (PUT, DELETE, compaction, errors), the watch
 * stream cut at every byte boundary, and source URLs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "net/net.h"
#include "sources/etcd.h"
#include "xmalloc.h"

/* "k=v;" for every key: a snapshot's visible trace. */
static int
collect(void *arg, const char *key, const char *value)
{
	buf_printf(arg, "%s=%s;", key, value);
	return 0;
}

static char *
dump(const struct kv *kv)
{
	struct buf b = {0};

	kv_walk(kv, "", collect, &b);
	return buf_steal(&b);
}

static void
test_prefix(void **state)
{
	char *p, *k, *e;

	(void)state;
	p = etcd_prefix("/myapp");
	assert_string_equal(p, "/myapp/");
	free(p);
	p = etcd_prefix("/myapp/");
	assert_string_equal(p, "/myapp/");
	free(p);
	p = etcd_prefix("");
	assert_string_equal(p, "");
	free(p);
	p = etcd_prefix("/");
	assert_string_equal(p, "");
	free(p);
	/* [/myapp/, /myapp0): base64 of each. */
	etcd_range_keys("/myapp/", &k, &e);
	assert_string_equal(k, "L215YXBwLw==");
	assert_string_equal(e, "L215YXBwMA==");
	free(k);
	free(e);
	etcd_range_keys("", &k, &e);
	assert_string_equal(k, "AA==");
	assert_string_equal(e, "AA==");
	free(k);
	free(e);
}

/* /myapp/db/host=10.0.0.5, /myapp/empty (no value: protobuf default),
 * /myappx/y (outside: dropped). */
static const char range_body[] =
    "{\"header\":{\"cluster_id\":\"1\",\"revision\":\"42\"},\"kvs\":["
    "{\"key\":\"L215YXBwL2RiL2hvc3Q=\",\"value\":\"MTAuMC4wLjU=\","
    "\"mod_revision\":\"40\"},"
    "{\"key\":\"L215YXBwL2VtcHR5\",\"mod_revision\":\"41\"},"
    "{\"key\":\"L215YXBweC95\",\"value\":\"eA==\"}],\"count\":\"3\"}";

static void
test_range(void **state)
{
	struct cerr err;
	struct kv *kv;
	int64_t rev;
	char *d;

	(void)state;
	assert_int_equal(etcd_parse_range(range_body, strlen(range_body),
			     "/myapp/", &kv, &rev, &err),
	    0);
	assert_int_equal(rev, 42);
	d = dump(kv);
	assert_string_equal(d, "db/host=10.0.0.5;empty=;");
	free(d);
	kv_free(kv);
	/* No kvs at all: an empty snapshot, not an error. */
	assert_int_equal(etcd_parse_range("{\"header\":{\"revision\":\"7\"}}",
			     27, "/a/", &kv, &rev, &err),
	    0);
	assert_int_equal(kv_len(kv), 0);
	assert_int_equal(rev, 7);
	kv_free(kv);
}

static void
test_range_errors(void **state)
{
	static const char *bad[] = {
	    "",
	    "[]",
	    "{\"kvs\":[]}",
	    "{\"header\":{\"revision\":\"x\"}}",
	    "{\"header\":{\"revision\":\"1\"},\"kvs\":{}}",
	    "{\"header\":{\"revision\":\"1\"},\"kvs\":[{\"key\":\"***\"}]}",
	    "{\"header\":{\"revision\":\"1\"},\"kvs\":[{\"key\":1}]}",
	    ("{\"header\":{\"revision\":\"1\"},\"kvs\":[{\"key\":\"L2EvYg==\","
	     "\"value\":\"!\"}]}"),
	};
	struct cerr err;
	struct kv *kv;
	int64_t rev;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(etcd_parse_range(bad[i], strlen(bad[i]), "/a/",
				     &kv, &rev, &err),
		    -1);
		assert_null(kv);
	}
	/* The bad value is named by its key. */
	assert_non_null(strstr(err.msg, "/a/b"));
}

/* created, then a PUT of /myapp/a=1 (rev 43), a DELETE of /myapp/db/host
 * (rev 44) and a PUT outside the prefix (rev 45). */
static const char watch_stream[] =
    "{\"result\":{\"header\":{\"revision\":\"42\"},\"created\":true}}\n"
    "{\"result\":{\"header\":{\"revision\":\"43\"},\"events\":[{\"kv\":{"
    "\"key\":\"L215YXBwL2E=\",\"value\":\"MQ==\",\"mod_revision\":\"43\"}}"
    "]}}\n"
    "{\"result\":{\"header\":{\"revision\":\"44\"},\"events\":[{\"type\":"
    "\"DELETE\",\"kv\":{\"key\":\"L215YXBwL2RiL2hvc3Q=\",\"mod_revision\":"
    "\"44\"}}]}}\n"
    "{\"result\":{\"header\":{\"revision\":\"45\"},\"events\":[{\"kv\":{"
    "\"key\":\"L215YXBweA==\",\"value\":\"e30=\",\"mod_revision\":\"45\"}}"
    "]}}\n";

struct watch_run {
	struct kv *kv;
	int64_t rev;
	int flags; /* every message's flags or-ed */
	int msgs;
};

static int
watch_msg(void *arg, const char *obj, size_t len)
{
	struct watch_run *w = arg;
	struct cerr err;
	int flags;

	if (etcd_parse_watch(obj, len, "/myapp/", w->kv, &w->rev, &flags,
		&err) != 0)
		fail_msg("%s", err.msg);
	w->flags |= flags;
	w->msgs++;
	return 0;
}

/* Feeds the stream cut in two at every byte, and byte by byte. */
static void
test_watch_stream_every_split(void **state)
{
	size_t len = strlen(watch_stream), cut, i;
	struct etcd_stream st = {0};
	struct watch_run w;
	struct cerr err;
	char *d;

	(void)state;
	for (cut = 0; cut <= len + 1; cut++) {
		memset(&w, 0, sizeof(w));
		w.kv = kv_new();
		kv_set(w.kv, "db/host", "10.0.0.5");
		w.rev = 42;
		etcd_stream_reset(&st);
		if (cut <= len) {
			assert_int_equal(etcd_stream_feed(&st, watch_stream,
					     cut, watch_msg, &w, &err),
			    0);
			assert_int_equal(etcd_stream_feed(&st,
					     watch_stream + cut, len - cut,
					     watch_msg, &w, &err),
			    0);
		} else {
			for (i = 0; i < len; i++)
				assert_int_equal(etcd_stream_feed(&st,
						     watch_stream + i, 1,
						     watch_msg, &w, &err),
				    0);
		}
		assert_int_equal(w.msgs, 4);
		assert_int_equal(w.rev, 45);
		assert_true(w.flags & ETCD_WATCH_CREATED);
		assert_true(w.flags & ETCD_WATCH_CHANGED);
		d = dump(w.kv);
		assert_string_equal(d, "a=1;");
		free(d);
		kv_free(w.kv);
	}
	etcd_stream_free(&st);
}

static int
count_objs(void *arg, const char *obj, size_t len)
{
	int *n = arg;

	assert_true(len >= 2 && obj[0] == '{' && obj[len - 1] == '}');
	(*n)++;
	return 0;
}

/* Braces inside strings and escaped quotes do not end an object. */
static void
test_stream_objects(void **state)
{
	static const char s[] = "{\"a\":\"}{\\\"}\"} \r\n{\"b\":[{}]}";
	struct etcd_stream st = {0};
	struct cerr err;
	int n = 0;

	(void)state;
	etcd_stream_reset(&st);
	assert_int_equal(
	    etcd_stream_feed(&st, s, strlen(s), count_objs, &n, &err), 0);
	assert_int_equal(n, 2);
	/* Garbage between objects is an error. */
	assert_int_equal(etcd_stream_feed(&st, "x{}", 3, count_objs, &n, &err),
	    -1);
	etcd_stream_free(&st);
}

static void
test_watch_compacted_and_errors(void **state)
{
	static const char compacted[] =
	    "{\"result\":{\"header\":{\"revision\":\"90\"},\"canceled\":true,"
	    "\"compact_revision\":\"80\"}}";
	static const char canceled[] =
	    "{\"result\":{\"canceled\":true,\"cancel_reason\":\"no leader\"}}";
	static const char error[] =
	    "{\"error\":{\"grpc_code\":16,\"message\":\"invalid auth "
	    "token\"}}";
	struct kv *kv = kv_new();
	struct cerr err;
	int64_t rev = 5;
	int flags;

	(void)state;
	assert_int_equal(etcd_parse_watch(compacted, strlen(compacted), "/a/",
			     kv, &rev, &flags, &err),
	    0);
	assert_true(flags & ETCD_WATCH_COMPACTED);
	assert_int_equal(etcd_parse_watch(canceled, strlen(canceled), "/a/", kv,
			     &rev, &flags, &err),
	    -1);
	assert_non_null(strstr(err.msg, "no leader"));
	assert_int_equal(etcd_parse_watch(error, strlen(error), "/a/", kv, &rev,
			     &flags, &err),
	    -1);
	assert_non_null(strstr(err.msg, "invalid auth token"));
	assert_int_equal(
	    etcd_parse_watch("{}", 2, "/a/", kv, &rev, &flags, &err), -1);
	assert_int_equal(rev, 5);
	assert_int_equal(kv_len(kv), 0);
	kv_free(kv);
}

static void
test_url(void **state)
{
	struct net_url u;
	struct cerr err;

	(void)state;
	assert_int_equal(net_url_parse("etcd://h1:2379,h2,[::1]:23/my/app?x=1",
			     2379, &u, &err),
	    0);
	assert_string_equal(u.scheme, "etcd");
	assert_int_equal(u.nhosts, 3);
	assert_string_equal(u.hosts[0], "h1:2379");
	assert_string_equal(u.hosts[1], "h2:2379");
	assert_string_equal(u.hosts[2], "[::1]:23");
	assert_string_equal(u.path, "/my/app");
	assert_string_equal(u.query, "x=1");
	net_url_free(&u);
	assert_int_equal(net_url_parse("etcd://h", 2379, &u, &err), 0);
	assert_string_equal(u.path, "");
	assert_null(u.query);
	net_url_free(&u);
	assert_int_equal(net_url_parse("etcd://h:0/x", 1, &u, &err), -1);
	assert_int_equal(net_url_parse("etcd://h:99999/x", 1, &u, &err), -1);
	assert_non_null(strstr(err.msg, "bad port"));
	assert_int_equal(net_url_parse("etcd://h1,,h2/x", 1, &u, &err), -1);
	assert_int_equal(net_url_parse("etcd:///x", 1, &u, &err), -1);
	assert_int_equal(net_url_parse("etcd://u:p@h/x", 1, &u, &err), -1);
	assert_int_equal(net_url_parse("h:1/x", 1, &u, &err), -1);
	assert_int_equal(net_url_parse("etcd://[::1/x", 1, &u, &err), -1);
}

/* Fail-over walks every endpoint before a backoff delay. */
static void
test_endpoints_failover(void **state)
{
	struct net_endpoints e;
	struct cerr err;
	char *url;
	int round;

	(void)state;
	assert_int_equal(net_endpoints_init(&e, "t", "etcd://a:1,b:2,c:3/p",
			     false, NULL, 2379, &err),
	    0);
	url = net_endpoints_url(&e, "/v3/kv/range");
	assert_string_equal(url, "http://a:1/v3/kv/range");
	free(url);
	for (round = 0; round < 3; round++) {
		assert_int_equal(net_endpoints_failed(&e), 0);
		assert_string_equal(net_endpoints_host(&e), "b:2");
		assert_int_equal(net_endpoints_failed(&e), 0);
		assert_string_equal(net_endpoints_host(&e), "c:3");
		/* All three failed: a delay within this round's ceiling. */
		assert_true(net_endpoints_failed(&e) <=
			    backoff_ceiling(&e.bo, (unsigned)round));
		assert_string_equal(net_endpoints_host(&e), "a:1");
	}
	assert_int_equal(e.bo.attempt, 3);
	net_endpoints_ok(&e);
	assert_int_equal(e.bo.attempt, 0);
	net_endpoints_free(&e);
	assert_int_equal(
	    net_endpoints_init(&e, "t", "etcds://h/p", true, NULL, 2379, &err),
	    0);
	url = net_endpoints_url(&e, "/x");
	assert_string_equal(url, "https://h:2379/x");
	free(url);
	net_endpoints_free(&e);
}

/* etcd's error answers as one reason; refused tokens recognised. */
static void
test_answers(void **state)
{
	static const char denied[] =
	    "{\"error\":\"etcdserver: permission denied\",\"message\":"
	    "\"etcdserver: permission denied\",\"code\":7}";
	char out[128];

	(void)state;
	assert_string_equal(
	    etcd_answer_why(403, denied, strlen(denied), out, sizeof(out)),
	    "HTTP 403: etcdserver: permission denied");
	assert_string_equal(
	    etcd_answer_why(502, "Bad gateway\nmore", 16, out, sizeof(out)),
	    "HTTP 502: Bad gateway");
	assert_string_equal(etcd_answer_why(500, "", 0, out, sizeof(out)),
	    "HTTP 500");
	assert_string_equal(
	    etcd_answer_why(400, "{\"message\":3}", 13, out, sizeof(out)),
	    "HTTP 400: {\"message\":3}");
	assert_true(etcd_token_refused(
	    "range from h:1: HTTP 401: etcdserver: invalid auth token"));
	assert_true(etcd_token_refused(
	    "watch: etcd canceled the watch: rpc error: code = "
	    "Unauthenticated desc = etcdserver: invalid auth token"));
	assert_true(etcd_token_refused(
	    "HTTP 400: etcdserver: revision of auth store is old"));
	assert_false(
	    etcd_token_refused("HTTP 403: etcdserver: permission denied"));
	assert_false(etcd_token_refused("HTTP 400: etcdserver: authentication "
					"failed, invalid user ID or password"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_prefix),
	    cmocka_unit_test(test_range),
	    cmocka_unit_test(test_range_errors),
	    cmocka_unit_test(test_watch_stream_every_split),
	    cmocka_unit_test(test_stream_objects),
	    cmocka_unit_test(test_watch_compacted_and_errors),
	    cmocka_unit_test(test_url),
	    cmocka_unit_test(test_endpoints_failover),
	    cmocka_unit_test(test_answers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
