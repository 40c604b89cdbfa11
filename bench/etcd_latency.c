/* Benchmark: time from an etcd put to the app's SIGHUP, through a real
 * confinit watching a real etcd. Run as: etcd_latency CONFINIT WORKDIR
 * HOST:PORT N. It writes the config, starts confinit with itself as the
 * app ("app" mode reports each SIGHUP's time through a FIFO), then makes N
 * puts through the JSON gateway (one kept-alive connection) and prints
 * p50, p99 and max in microseconds. */
#include <curl/curl.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int fifo_fd = -1;

static int64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void
on_hup(int sig)
{
	int64_t t = now_ns();

	(void)sig;
	if (write(fifo_fd, &t, sizeof(t)) < 0)
		_exit(3);
}

/* The app: report each SIGHUP until SIGTERM. */
static int
app(const char *fifo)
{
	struct sigaction sa = {.sa_handler = on_hup};

	sigaction(SIGHUP, &sa, NULL);
	if ((fifo_fd = open(fifo, O_WRONLY)) < 0)
		return 2;
	for (;;)
		pause();
}

static int
cmp(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

static size_t
sink(char *p, size_t size, size_t n, void *arg)
{
	(void)p;
	(void)arg;
	return size * n;
}

/* base64 of a short ASCII string. */
static void
b64(const char *s, char *out)
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

/* Puts /bench/value = text through the gateway. */
static int
put(CURL *c, const char *text)
{
	char k[64], v[256], body[512];

	b64("/bench/value", k);
	b64(text, v);
	snprintf(body, sizeof(body), "{\"key\":\"%s\",\"value\":\"%s\"}", k, v);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
	return curl_easy_perform(c) == CURLE_OK ? 0 : -1;
}

int
main(int argc, char **argv)
{
	char cfg[4096], fifo[4096], self[4096], url[512], text[64];
	int64_t *lat, t0, t1;
	int i, n, fd;
	pid_t pid;
	CURL *c;
	FILE *f;

	if (argc == 3 && strcmp(argv[1], "app") == 0)
		return app(argv[2]);
	if (argc != 5)
		return fprintf(stderr, "usage: %s CONFINIT DIR HOST:PORT N\n",
			   argv[0]),
		       2;
	n = (int)strtol(argv[4], NULL, 10);
	lat = calloc((size_t)n, sizeof(*lat));
	snprintf(cfg, sizeof(cfg), "%s/confinit.yaml", argv[2]);
	snprintf(fifo, sizeof(fifo), "%s/fifo", argv[2]);
	snprintf(url, sizeof(url), "http://%s/v3/kv/put", argv[3]);
	if (realpath("/proc/self/exe", self) == NULL)
		return 2;
	c = curl_easy_init();
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, sink);
	if (put(c, "0") != 0)
		return fprintf(stderr, "cannot put to %s\n", url), 1;
	unlink(fifo);
	mkfifo(fifo, 0600);
	f = fopen(cfg, "w");
	fprintf(f,
	    "sources: [{url: \"etcd://%s/bench\"}]\n"
	    "templates: [{contents: \"v={{ key \\\"value\\\" }}\\n\", "
	    "dest: \"%s/out.conf\"}]\n"
	    "exec: {command: [\"%s\", \"app\", \"%s\"]}\n"
	    "log: {level: warn}\n",
	    argv[3], argv[2], self, fifo);
	fclose(f);
	if ((pid = fork()) == 0) {
		execl(argv[1], argv[1], "--config", cfg, (char *)NULL);
		_exit(127);
	}
	fd = open(fifo, O_RDONLY);
	for (i = 0; i < n; i++) {
		struct pollfd p = {.fd = fd, .events = POLLIN};

		snprintf(text, sizeof(text), "%d", i + 1);
		t0 = now_ns();
		if (put(c, text) != 0 || poll(&p, 1, 5000) != 1 ||
		    read(fd, &t1, sizeof(t1)) != 8) {
			fprintf(stderr, "put %d: no SIGHUP within 5 s\n",
			    i + 1);
			kill(pid, SIGKILL);
			return 1;
		}
		lat[i] = (t1 - t0) / 1000;
	}
	kill(pid, SIGTERM);
	waitpid(pid, NULL, 0);
	curl_easy_cleanup(c);
	qsort(lat, (size_t)n, sizeof(*lat), cmp);
	printf("etcd put -> SIGHUP over %d changes: p50 %lld us, p99 %lld "
	       "us, max %lld us\n",
	    n, (long long)lat[n / 2], (long long)lat[(n * 99) / 100],
	    (long long)lat[n - 1]);
	return 0;
}
