/* Benchmark: time from an etcd put to the app's SIGHUP, through a real
 * confinit watching a real etcd. Run as: etcd_latency CONFINIT WORKDIR
 * HOST:PORT N. It writes the config, starts confinit with itself as the
 * app ("app" mode reports each SIGHUP's time through a FIFO), then makes N
 * puts through the JSON gateway (one kept-alive connection) and prints
 * p50, p99 and max in microseconds. */
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

#include "bench.h"
#include "etcd_put.h"

static int fifo_fd = -1;

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
	sigset_t hup;

	/* The launcher changes things as soon as the FIFO is open: a SIGHUP
	 * may come before open() has returned here; it waits until then. */
	sigemptyset(&hup);
	sigaddset(&hup, SIGHUP);
	sigprocmask(SIG_BLOCK, &hup, NULL);
	sigaction(SIGHUP, &sa, NULL);
	if ((fifo_fd = open(fifo, O_WRONLY)) < 0)
		return 2;
	sigprocmask(SIG_UNBLOCK, &hup, NULL);
	for (;;)
		pause();
}

int
main(int argc, char **argv)
{
	char cfg[4096], fifo[4096], self[4096], text[64];
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
	if (realpath("/proc/self/exe", self) == NULL)
		return 2;
	c = etcd_put_open(argv[3]);
	if (etcd_put(c, "/bench/value", "0") != 0)
		return fprintf(stderr, "cannot put to %s\n", argv[3]), 1;
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
		if (etcd_put(c, "/bench/value", text) != 0 ||
		    poll(&p, 1, 5000) != 1 || read(fd, &t1, sizeof(t1)) != 8) {
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
	qsort(lat, (size_t)n, sizeof(*lat), cmp_i64);
	printf("etcd put -> SIGHUP over %d changes: p50 %lld us, p99 %lld "
	       "us, max %lld us\n",
	    n, (long long)lat[n / 2], (long long)lat[(n * 99) / 100],
	    (long long)lat[n - 1]);
	return 0;
}
