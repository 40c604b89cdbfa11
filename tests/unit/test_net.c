/* Unit tests for the network layer against a small HTTP server forked by
 * the test: buffered and streamed bodies, headers, the size cap, 5xx and
 * refused connections, keep-alive, cancel, tokens. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "log.h"
#include "loop.h"
#include "net/net.h"
#include "xmalloc.h"

static pid_t server_pid;
static int server_port;

/* Answers one request on fd; returns 0 to keep the connection. */
static int
server_answer(int fd, const char *req, int accepts)
{
	char big[3000], out[4096];
	int n;

	if (strncmp(req, "GET /small", 10) == 0) {
		n = snprintf(out, sizeof(out),
		    "HTTP/1.1 200 OK\r\nX-Test-Index:  7 \r\n"
		    "Content-Length: 5\r\n\r\nhello");
	} else if (strncmp(req, "GET /count", 10) == 0) {
		n = snprintf(out, sizeof(out),
		    "HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%d",
		    accepts > 9 ? 2 : 1, accepts);
	} else if (strncmp(req, "POST /echo", 10) == 0) {
		const char *body = strstr(req, "\r\n\r\n") + 4;
		n = snprintf(out, sizeof(out),
		    "HTTP/1.1 200 OK\r\nContent-Length: %zu\r\n\r\n%s",
		    strlen(body), body);
	} else if (strncmp(req, "GET /big", 8) == 0) {
		memset(big, 'x', sizeof(big) - 1);
		big[sizeof(big) - 1] = '\0';
		n = snprintf(out, sizeof(out),
		    "HTTP/1.1 200 OK\r\nContent-Length: %zu\r\n\r\n%s",
		    strlen(big), big);
	} else if (strncmp(req, "GET /stream", 11) == 0) {
		/* Two chunks apart in time, then the end. */
		n = snprintf(out, sizeof(out),
		    "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
		    "3\r\nabc\r\n");
		if (write(fd, out, (size_t)n) != n)
			return -1;
		usleep(100000);
		n = snprintf(out, sizeof(out), "3\r\ndef\r\n0\r\n\r\n");
	} else if (strncmp(req, "GET /hang", 9) == 0) {
		n = snprintf(out, sizeof(out),
		    "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
		if (write(fd, out, (size_t)n) != n)
			return -1;
		sleep(5);
		return -1;
	} else {
		n = snprintf(out, sizeof(out),
		    "HTTP/1.1 503 Unavailable\r\nContent-Length: "
		    "4\r\n\r\ndown");
	}
	return write(fd, out, (size_t)n) == n ? 0 : -1;
}

/* Serves one connection: requests until EOF (HTTP/1.1 keep-alive). */
static void
server_conn(int fd, int accepts)
{
	char req[8192];
	size_t len = 0;
	ssize_t r;
	char *end;

	for (;;) {
		r = read(fd, req + len, sizeof(req) - 1 - len);
		if (r <= 0)
			_exit(0);
		len += (size_t)r;
		req[len] = '\0';
		if ((end = strstr(req, "\r\n\r\n")) == NULL)
			continue;
		/* A POST body: wait for Content-Length bytes. */
		if (strstr(req, "Content-Length: 4\r\n") != NULL &&
		    strlen(end + 4) < 4)
			continue;
		if (server_answer(fd, req, accepts) != 0)
			_exit(0);
		len = 0;
	}
}

static int
server_start(void **state)
{
	struct sockaddr_in a = {.sin_family = AF_INET};
	socklen_t alen = sizeof(a);
	int s, c, accepts = 0;

	(void)state;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s < 0 || bind(s, (struct sockaddr *)&a, sizeof(a)) != 0 ||
	    listen(s, 16) != 0 ||
	    getsockname(s, (struct sockaddr *)&a, &alen) != 0)
		return -1;
	server_port = ntohs(a.sin_port);
	if ((server_pid = fork()) == 0) {
		/* Its own group: server_stop() kills every connection too. */
		setpgid(0, 0);
		signal(SIGCHLD, SIG_IGN);
		for (;;) {
			if ((c = accept(s, NULL, NULL)) < 0)
				continue;
			accepts++;
			if (fork() == 0) {
				close(s);
				server_conn(c, accepts);
			}
			close(c);
		}
	}
	close(s);
	return server_pid > 0 ? 0 : -1;
}

static int
server_stop(void **state)
{
	(void)state;
	kill(-server_pid, SIGKILL);
	kill(server_pid, SIGKILL);
	waitpid(server_pid, NULL, 0);
	return 0;
}

/* One request's outcome, as the callbacks saw it. */
struct got {
	struct loop *loop;
	struct buf headers;
	struct buf data; /* streamed bytes */
	int chunks;
	long status;
	char error[600];
	char body[4096];
	bool retry;
	bool done;
	int refuse_data; /* on_data returns non-zero */
};

static int
got_header(void *arg, const char *name, const char *value)
{
	struct got *g = arg;

	buf_printf(&g->headers, "%s=[%s];", name, value);
	return 0;
}

static int
got_data(void *arg, const char *data, size_t len)
{
	struct got *g = arg;

	g->chunks++;
	buf_append(&g->data, data, len);
	return g->refuse_data;
}

static void
got_done(void *arg, const struct net_result *res)
{
	struct got *g = arg;

	g->done = true;
	g->status = res->status;
	g->retry = res->retry;
	snprintf(g->error, sizeof(g->error), "%s",
	    res->error != NULL ? res->error : "");
	snprintf(g->body, sizeof(g->body), "%.*s", (int)res->body_len,
	    res->body);
	loop_stop(g->loop);
}

static struct loop_timer guard;

static void
guard_fire(void *arg)
{
	loop_stop(arg);
}

/* Runs one request to completion (at most 10 s). */
static void
run(struct got *g, const char *method, const char *path, bool stream,
    size_t max_body)
{
	struct net_req_opts o = {0};
	const char *hdr[] = {"X-Hello: 1", NULL};
	struct loop *l = loop_new();
	struct net *n = net_ref(l);
	struct cerr err;
	char *url = xasprintf("http://127.0.0.1:%d%s", server_port, path);

	memset(g, 0, offsetof(struct got, refuse_data));
	g->loop = l;
	o.source = "test";
	o.method = method;
	o.url = url;
	o.headers = hdr;
	if (method != NULL && strcmp(method, "POST") == 0) {
		o.body = "ping";
		o.body_len = 4;
	}
	o.max_body = max_body;
	o.on_header = got_header;
	o.on_data = stream ? got_data : NULL;
	o.on_done = got_done;
	o.arg = g;
	assert_non_null(net_request(n, &o, &err));
	loop_timer_add(l, &guard, guard_fire, l);
	loop_timer_arm(&guard, 10000);
	loop_run(l);
	assert_true(g->done);
	assert_int_equal(net_active(n), 0);
	net_unref(n);
	loop_free(l);
	free(url);
}

static void
test_buffered_with_headers(void **state)
{
	struct got g = {0};

	(void)state;
	run(&g, NULL, "/small", false, 0);
	assert_int_equal(g.status, 200);
	assert_string_equal(g.error, "");
	assert_string_equal(g.body, "hello");
	assert_non_null(strstr(g.headers.data, "X-Test-Index=[7];"));
	buf_free(&g.headers);
	run(&g, "POST", "/echo", false, 0);
	assert_string_equal(g.body, "ping");
	buf_free(&g.headers);
}

static void
test_streamed(void **state)
{
	struct got g = {0};

	(void)state;
	run(&g, NULL, "/stream", true, 0);
	assert_int_equal(g.status, 200);
	assert_string_equal(g.data.data, "abcdef");
	/* The first chunk came before the second was sent. */
	assert_true(g.chunks >= 2);
	assert_string_equal(g.body, "");
	buf_free(&g.headers);
	buf_free(&g.data);
	/* A stream is endless: the cap is not on its total. */
	run(&g, NULL, "/stream", true, 3);
	assert_string_equal(g.error, "");
	assert_string_equal(g.data.data, "abcdef");
	buf_free(&g.headers);
	buf_free(&g.data);
}

static void
test_size_cap(void **state)
{
	struct got g = {0};

	(void)state;
	run(&g, NULL, "/big", false, 1000);
	assert_non_null(strstr(g.error, "source test"));
	assert_non_null(strstr(g.error, "larger than 1000 bytes"));
	assert_false(g.retry);
	buf_free(&g.headers);
	run(&g, NULL, "/big", false, 0);
	assert_int_equal(strlen(g.body), 2999);
	buf_free(&g.headers);
}

static void
test_5xx_and_refused(void **state)
{
	struct got g = {0};
	int saved = server_port;
	struct sockaddr_in a = {.sin_family = AF_INET};
	socklen_t alen = sizeof(a);
	int s;

	(void)state;
	run(&g, NULL, "/nothing", true, 0);
	assert_int_equal(g.status, 503);
	assert_true(g.retry);
	/* A non-2xx body is kept for on_done, not streamed. */
	assert_string_equal(g.body, "down");
	assert_int_equal(g.chunks, 0);
	buf_free(&g.headers);
	/* A port nobody listens on. */
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	s = socket(AF_INET, SOCK_STREAM, 0);
	assert_int_equal(bind(s, (struct sockaddr *)&a, sizeof(a)), 0);
	getsockname(s, (struct sockaddr *)&a, &alen);
	close(s);
	server_port = ntohs(a.sin_port);
	run(&g, NULL, "/small", false, 0);
	server_port = saved;
	assert_int_equal(g.status, 0);
	assert_true(g.retry);
	assert_non_null(strstr(g.error, "source test: GET http://127.0.0.1"));
	buf_free(&g.headers);
}

/* A refusal by on_data ends the transfer with an error. */
static void
test_refused_by_callback(void **state)
{
	struct got g = {0};

	(void)state;
	g.refuse_data = 1;
	run(&g, NULL, "/stream", true, 0);
	assert_non_null(strstr(g.error, "refused"));
	assert_int_equal(g.chunks, 1);
	g.refuse_data = 0;
	buf_free(&g.headers);
	buf_free(&g.data);
}

struct two {
	struct loop *loop;
	struct net *n;
	int done;
	char body[2][16];
};

static void
two_done(void *arg, const struct net_result *res)
{
	struct two *t = arg;

	snprintf(t->body[t->done], sizeof(t->body[0]), "%.*s",
	    (int)res->body_len, res->body);
	t->done++;
	loop_stop(t->loop);
}

/* Two requests one after the other share one connection. */
static void
test_keep_alive(void **state)
{
	struct net_req_opts o = {0};
	struct two t = {0};
	struct cerr err;
	char *url = xasprintf("http://127.0.0.1:%d/count", server_port);

	(void)state;
	t.loop = loop_new();
	t.n = net_ref(t.loop);
	o.source = "test";
	o.url = url;
	o.on_done = two_done;
	o.arg = &t;
	loop_timer_add(t.loop, &guard, guard_fire, t.loop);
	loop_timer_arm(&guard, 10000);
	assert_non_null(net_request(t.n, &o, &err));
	while (t.done < 1)
		loop_run(t.loop);
	assert_non_null(net_request(t.n, &o, &err));
	loop_run(t.loop);
	assert_int_equal(t.done, 2);
	assert_string_equal(t.body[0], t.body[1]);
	net_unref(t.n);
	loop_free(t.loop);
	free(url);
}

static void
never_done(void *arg, const struct net_result *res)
{
	(void)arg;
	(void)res;
	fail_msg("a cancelled request reported");
}

static void
cancel_fire(void *arg)
{
	struct net_req **r = arg;

	net_cancel(*r);
	*r = NULL;
}

/* A stream cancelled from a timer: no on_done, nothing left running. */
static void
test_cancel(void **state)
{
	struct net_req_opts o = {0};
	struct loop_timer t;
	struct loop *l = loop_new();
	struct net *n = net_ref(l);
	struct net_req *r;
	struct cerr err;
	char *url = xasprintf("http://127.0.0.1:%d/hang", server_port);

	(void)state;
	o.source = "test";
	o.url = url;
	o.on_data = got_data;
	o.on_done = never_done;
	r = net_request(n, &o, &err);
	assert_non_null(r);
	assert_int_equal(net_active(n), 1);
	loop_timer_add(l, &t, cancel_fire, &r);
	loop_timer_arm(&t, 200);
	loop_timer_add(l, &guard, guard_fire, l);
	loop_timer_arm(&guard, 600);
	loop_run(l);
	assert_null(r);
	assert_int_equal(net_active(n), 0);
	net_unref(n);
	loop_free(l);
	free(url);
}

static void
test_token(void **state)
{
	struct config_source c = {0};
	char *const env[] = {"TOK=from-env-token", NULL};
	char path[] = "/tmp/test_net_tokenXXXXXX";
	struct cerr err;
	char *tok;
	int fd;

	(void)state;
	assert_int_equal(net_token(&c, env, &tok, &err), 0);
	assert_null(tok);
	c.token_env = "TOK";
	assert_int_equal(net_token(&c, env, &tok, &err), 0);
	assert_string_equal(tok, "from-env-token");
	free(tok);
	c.token_env = "NOPE";
	assert_int_equal(net_token(&c, env, &tok, &err), -1);
	assert_non_null(strstr(err.msg, "NOPE"));
	c.token_env = NULL;
	fd = mkstemp(path);
	assert_true(write(fd, "file-token-1\n", 13) == 13);
	close(fd);
	c.token_file = path;
	assert_int_equal(net_token(&c, env, &tok, &err), 0);
	assert_string_equal(tok, "file-token-1");
	free(tok);
	/* Read again on each call: a rotated file is picked up. */
	fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	assert_true(write(fd, "file-token-2", 12) == 12);
	close(fd);
	assert_int_equal(net_token(&c, env, &tok, &err), 0);
	assert_string_equal(tok, "file-token-2");
	free(tok);
	unlink(path);
	assert_int_equal(net_token(&c, env, &tok, &err), -1);
	assert_null(strstr(err.msg, "file-token"));
	log_secret_clear();
}

/* The CA bundle of sources without tls.ca: the option, else the first
 * usual path that is a readable file. */
static void
test_ca_default(void **state)
{
	char dir[] = "/tmp/test_net_caXXXXXX";
	char sub[64], file[64], missing[64];
	const char *paths[4];
	struct cerr err;
	int fd;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(sub, sizeof(sub), "%s/certs", dir);
	snprintf(file, sizeof(file), "%s/bundle.pem", dir);
	snprintf(missing, sizeof(missing), "%s/none.pem", dir);
	assert_int_equal(mkdir(sub, 0755), 0);
	paths[0] = missing;
	paths[1] = sub; /* a directory is not a bundle */
	paths[2] = NULL;
	assert_null(net_ca_find(paths));
	fd = open(file, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	assert_true(fd >= 0);
	close(fd);
	paths[2] = file;
	paths[3] = NULL;
	assert_string_equal(net_ca_find(paths), file);

	assert_int_equal(net_ca_init(file, &err), 0);
	assert_string_equal(net_ca_default(), file);
	assert_int_equal(net_ca_init(missing, &err), -1);
	assert_non_null(strstr(err.msg, missing));
	assert_non_null(strstr(err.msg, "CONFINIT_CA_FILE"));
	assert_int_equal(net_ca_init(NULL, &err), 0);
	if (net_ca_find(net_ca_paths) == NULL)
		assert_null(net_ca_default());
	else
		assert_string_equal(net_ca_default(),
		    net_ca_find(net_ca_paths));

	unlink(file);
	rmdir(sub);
	rmdir(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_buffered_with_headers),
	    cmocka_unit_test(test_streamed),
	    cmocka_unit_test(test_size_cap),
	    cmocka_unit_test(test_5xx_and_refused),
	    cmocka_unit_test(test_refused_by_callback),
	    cmocka_unit_test(test_keep_alive),
	    cmocka_unit_test(test_cancel),
	    cmocka_unit_test(test_token),
	    cmocka_unit_test(test_ca_default),
	};

	return cmocka_run_group_tests(tests, server_start, server_stop);
}
