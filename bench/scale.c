/* Benchmark: one etcd put fanned out to N confinit processes watching the
 * same prefix. Run as: scale CONFINIT DIR HOST:PORT ETCD_PID N PUTS.
 * It starts N confinit processes (in batches, each waiting for its apps),
 * each with this program as its app ("app" mode reports its id and the time
 * of each SIGHUP through one FIFO); then makes PUTS puts, one at a time, and
 * for each waits until every app has reported. It prints the fan-out time
 * (put start to the last app's SIGHUP: p50, p99, max over the puts), the
 * per-app delivery latency over all deliveries, etcd's and the confinit
 * processes' CPU time per put, and VmRSS and RssAnon per confinit process.
 * Everything it started is stopped before it returns, also on a failure. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"
#include "etcd_put.h"

/* One report from an app: its id and when (t < 0: started). */
struct rec {
	int64_t id;
	int64_t t;
};

/* How many confinit processes start at once before their apps report. */
#define SCALE_BATCH 50
/* Limits on each wait, in ms. */
#define SCALE_START_MS 120000
#define SCALE_PUT_MS 30000

static int app_fd = -1;
static int64_t app_id;
/* For the SIGTERM/SIGINT handler: what to kill. */
static pid_t *kill_pids;
static volatile int kill_n;

static void
app_on_hup(int sig)
{
	struct rec r = {app_id, now_ns()};

	(void)sig;
	if (write(app_fd, &r, sizeof(r)) < 0)
		_exit(3);
}

/* The app: report start, then each SIGHUP, until SIGTERM. */
static int
app(const char *fifo, const char *id)
{
	struct sigaction sa = {.sa_handler = app_on_hup};
	struct rec r;

	/* Never outlive confinit, even if the benchmark SIGKILLs it. */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	app_id = strtoll(id, NULL, 10);
	sigaction(SIGHUP, &sa, NULL);
	if ((app_fd = open(fifo, O_WRONLY | O_CLOEXEC)) < 0)
		return 2;
	r.id = app_id;
	r.t = -1;
	if (write(app_fd, &r, sizeof(r)) < 0)
		return 3;
	for (;;)
		pause();
}

struct scale {
	int n;
	pid_t *pids;
	int started;
	int fd;	       /* FIFO, read end */
	int64_t *seen; /* per app: generation of its last report */
};

/*
 * Reads reports until `want` apps have reported for generation gen (a start
 * when gen is 0), storing their times in t[] when t is not NULL. Returns the
 * number that reported before the deadline.
 */
static int
scale_collect(struct scale *s, int64_t gen, int want, int64_t *t,
    int timeout_ms)
{
	int64_t deadline = now_ns() + (int64_t)timeout_ms * 1000000;
	struct rec buf[256];
	int got = 0, left, i, k;
	ssize_t n;

	while (got < want) {
		struct pollfd p = {.fd = s->fd, .events = POLLIN};

		left = (int)((deadline - now_ns()) / 1000000);
		if (left <= 0 || poll(&p, 1, left) <= 0)
			break;
		if ((n = read(s->fd, buf, sizeof(buf))) <= 0)
			continue;
		k = (int)(n / (ssize_t)sizeof(buf[0]));
		for (i = 0; i < k; i++) {
			int64_t id = buf[i].id;

			if (id < 0 || id >= s->n ||
			    (gen == 0) != (buf[i].t < 0))
				continue;
			if (s->seen[id] >= gen && gen > 0)
				continue;
			s->seen[id] = gen;
			if (t != NULL)
				t[got] = buf[i].t;
			got++;
		}
	}
	return got;
}

/* Starts confinit number i over DIR/i.yaml; returns its pid or -1. */
static pid_t
scale_spawn(const char *confinit, const char *dir, const char *hostport,
    const char *self, const char *fifo, int i)
{
	char cfg[4096];
	pid_t pid;
	FILE *f;

	/* Each its own directory, as each container has its own. */
	snprintf(cfg, sizeof(cfg), "%s/%d", dir, i);
	if (mkdir(cfg, 0755) != 0)
		return -1;
	snprintf(cfg, sizeof(cfg), "%s/%d/confinit.yaml", dir, i);
	if ((f = fopen(cfg, "w")) == NULL)
		return -1;
	fprintf(f,
	    "sources: [{url: \"etcd://%s/bench\"}]\n"
	    "templates: [{contents: \"v={{ key \\\"value\\\" }}\\n\", "
	    "dest: \"%s/%d/app.conf\"}]\n"
	    "exec: {command: [\"%s\", \"app\", \"%s\", \"%d\"]}\n"
	    "log: {level: warn}\n",
	    hostport, dir, i, self, fifo, i);
	fclose(f);
	if ((pid = fork()) == 0) {
		execl(confinit, confinit, "--config", cfg, (char *)NULL);
		_exit(127);
	}
	return pid;
}

/* utime + stime of a process in clock ticks, or -1. */
static long long
scale_cpu(pid_t pid)
{
	char path[64], line[2048], *p;
	unsigned long long ut, st;
	FILE *f;
	int ok;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if ((f = fopen(path, "re")) == NULL)
		return -1;
	ok = fgets(line, sizeof(line), f) != NULL;
	fclose(f);
	/* The name may hold spaces; fields restart after the last ')'. */
	if (!ok || (p = strrchr(line, ')')) == NULL ||
	    sscanf(p + 2,
		"%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &ut,
		&st) != 2)
		return -1;
	return (long long)(ut + st);
}

/*
 * Time on a CPU in ns, summed over the process's threads, from
 * /proc/PID/task/TID/schedstat: exact, where the tick-sampled utime and
 * stime miss a process that runs for much less than a tick at a time.
 */
static long long
scale_cpu_ns(pid_t pid)
{
	char path[320];
	unsigned long long ns;
	long long sum = 0;
	struct dirent *de;
	FILE *f;
	DIR *d;

	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	if ((d = opendir(path)) == NULL)
		return 0;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/%d/task/%s/schedstat",
		    (int)pid, de->d_name);
		if ((f = fopen(path, "re")) == NULL)
			continue;
		if (fscanf(f, "%llu", &ns) == 1)
			sum += (long long)ns;
		fclose(f);
	}
	closedir(d);
	return sum;
}

/* A "Name: N kB" field of /proc/PID/status, or -1. */
static long
scale_status(pid_t pid, const char *name)
{
	char path[64], line[256];
	size_t len = strlen(name);
	long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	if ((f = fopen(path, "re")) == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL)
		if (strncmp(line, name, len) == 0 && line[len] == ':') {
			v = strtol(line + len + 1, NULL, 10);
			break;
		}
	fclose(f);
	return v;
}

/* Sum of the CPU time (ns) of every confinit process. */
static long long
scale_cpu_all(const struct scale *s)
{
	long long sum = 0;
	int i;

	for (i = 0; i < s->started; i++)
		sum += scale_cpu_ns(s->pids[i]);
	return sum;
}

/* Prints p50, p99 and max of v[0..n) in ms (sorts v). */
static void
scale_pct(const char *what, int64_t *v, size_t n)
{
	qsort(v, n, sizeof(*v), cmp_i64);
	printf("%s: p50 %.2f ms, p99 %.2f ms, max %.2f ms (over %zu)\n", what,
	    v[n / 2] / 1e6, v[(n * 99) / 100] / 1e6, v[n - 1] / 1e6, n);
}

/* Prints mean, p50 and max of a /proc/PID/status field over the
 * processes. */
static void
scale_mem(const struct scale *s, const char *name)
{
	int64_t *v = calloc((size_t)s->started, sizeof(*v));
	long long sum = 0;
	int i, k = 0;
	long x;

	for (i = 0; i < s->started; i++)
		if ((x = scale_status(s->pids[i], name)) >= 0) {
			v[k++] = x;
			sum += x;
		}
	if (k > 0) {
		qsort(v, (size_t)k, sizeof(*v), cmp_i64);
		printf("%s per confinit process: mean %lld kB, p50 %lld kB, "
		       "max %lld kB (over %d)\n",
		    name, sum / k, (long long)v[k / 2], (long long)v[k - 1], k);
	}
	free(v);
}

/* Killed from outside (timeout, ^C): stop the confinit processes at once
 * (their apps follow through PR_SET_PDEATHSIG). */
static void
scale_on_term(int sig)
{
	int i;

	for (i = 0; i < kill_n; i++)
		kill(kill_pids[i], SIGKILL);
	_exit(128 + sig);
}

/* Stops every confinit (which stops its app) and reaps them all. */
static void
scale_stop(struct scale *s)
{
	int64_t deadline;
	int i, left = 0;

	for (i = 0; i < s->started; i++)
		if (s->pids[i] > 0 && kill(s->pids[i], SIGTERM) == 0)
			left++;
	deadline = now_ns() + 10 * (int64_t)1000000000;
	while (left > 0 && now_ns() < deadline) {
		if (waitpid(-1, NULL, WNOHANG) > 0)
			left--;
		else
			usleep(10000);
	}
	for (i = 0; i < s->started; i++)
		if (s->pids[i] > 0)
			kill(s->pids[i], SIGKILL);
	while (waitpid(-1, NULL, 0) > 0 || errno == EINTR)
		;
}

int
main(int argc, char **argv)
{
	char fifo[4096], self[4096], key[] = "/bench/value", text[64];
	struct scale s = {0};
	int64_t *fan, *all, *t, t0, last, gen = 0;
	long long e0, e1, n0, n1, c0 = 0, c1, etcd_ticks = 0, etcd_ns = 0;
	int i, k, puts, got, wfd, rc = 1;
	double tick = (double)sysconf(_SC_CLK_TCK);
	pid_t epid;
	CURL *c;

	if (argc == 4 && strcmp(argv[1], "app") == 0)
		return app(argv[2], argv[3]);
	if (argc != 7)
		return fprintf(stderr,
			   "usage: %s CONFINIT DIR HOST:PORT ETCD_PID N PUTS\n",
			   argv[0]),
		       2;
	epid = (pid_t)strtol(argv[4], NULL, 10);
	s.n = (int)strtol(argv[5], NULL, 10);
	puts = (int)strtol(argv[6], NULL, 10);
	if (s.n <= 0 || puts <= 0 || realpath("/proc/self/exe", self) == NULL)
		return 2;
	s.pids = calloc((size_t)s.n, sizeof(*s.pids));
	s.seen = calloc((size_t)s.n, sizeof(*s.seen));
	kill_pids = s.pids;
	{
		struct sigaction sa = {.sa_handler = scale_on_term};

		sigaction(SIGTERM, &sa, NULL);
		sigaction(SIGINT, &sa, NULL);
	}
	fan = calloc((size_t)puts, sizeof(*fan));
	all = calloc((size_t)s.n * (size_t)puts, sizeof(*all));
	t = calloc((size_t)s.n, sizeof(*t));
	c = etcd_put_open(argv[3]);
	if (etcd_put(c, key, "0") != 0)
		return fprintf(stderr, "cannot put to %s\n", argv[3]), 1;
	snprintf(fifo, sizeof(fifo), "%s/fifo", argv[2]);
	unlink(fifo);
	if (mkfifo(fifo, 0600) != 0 ||
	    (s.fd = open(fifo, O_RDONLY | O_NONBLOCK | O_CLOEXEC)) < 0 ||
	    (wfd = open(fifo, O_WRONLY | O_CLOEXEC)) < 0)
		return fprintf(stderr, "%s: %s\n", fifo, strerror(errno)), 1;
	(void)wfd; /* held open: the FIFO never reads end-of-file */

	t0 = now_ns();
	for (i = 0; i < s.n; i += k) {
		for (k = 0; k < SCALE_BATCH && i + k < s.n; k++) {
			s.pids[i + k] = scale_spawn(argv[1], argv[2], argv[3],
			    self, fifo, i + k);
			if (s.pids[i + k] < 0)
				goto out;
			kill_n = ++s.started;
		}
		if ((got = scale_collect(&s, 0, k, NULL, SCALE_START_MS)) < k) {
			fprintf(stderr, "only %d of %d apps started\n", i + got,
			    s.n);
			goto out;
		}
	}
	printf("%d confinit processes and their apps started in %.1f s\n", s.n,
	    (now_ns() - t0) / 1e9);
	fflush(stdout);

	/* Two puts not measured: every watch is surely established after. */
	for (gen = 1; gen <= 2 + puts; gen++) {
		snprintf(text, sizeof(text), "%lld", (long long)gen);
		usleep(200000);
		e0 = scale_cpu(epid);
		n0 = scale_cpu_ns(epid);
		t0 = now_ns();
		if (gen == 3)
			c0 = scale_cpu_all(&s);
		if (etcd_put(c, key, text) != 0) {
			fprintf(stderr, "put %lld failed\n", (long long)gen);
			goto out;
		}
		got = scale_collect(&s, gen, s.n, t, SCALE_PUT_MS);
		e1 = scale_cpu(epid);
		n1 = scale_cpu_ns(epid);
		if (got < s.n) {
			fprintf(stderr,
			    "put %lld reached %d of %d apps in %d s\n",
			    (long long)gen, got, s.n, SCALE_PUT_MS / 1000);
			goto out;
		}
		if (gen <= 2)
			continue;
		last = 0;
		for (i = 0; i < s.n; i++) {
			all[(gen - 3) * s.n + i] = t[i] - t0;
			if (t[i] > last)
				last = t[i];
		}
		fan[gen - 3] = last - t0;
		etcd_ticks += e1 - e0;
		etcd_ns += n1 - n0;
	}
	c1 = scale_cpu_all(&s);
	printf("N=%d, %d puts:\n", s.n, puts);
	scale_pct("put -> SIGHUP in every app (fan-out)", fan, (size_t)puts);
	scale_pct("put -> SIGHUP, each delivery", all,
	    (size_t)s.n * (size_t)puts);
	printf("etcd CPU from each put to its last delivery: %.1f ms per put "
	       "(schedstat of its threads; /proc/PID/stat: %lld ticks of %.0f "
	       "Hz over %d puts = %.1f ms per put)\n",
	    etcd_ns / 1e6 / puts, etcd_ticks, tick, puts,
	    etcd_ticks * 1000.0 / tick / puts);
	printf("all confinit processes' CPU: %.1f ms per put, %.3f ms per "
	       "process per put (schedstat)\n",
	    (c1 - c0) / 1e6 / puts, (c1 - c0) / 1e6 / puts / s.n);
	scale_mem(&s, "VmRSS");
	scale_mem(&s, "RssAnon");
	rc = 0;
out:
	fflush(stdout);
	scale_stop(&s);
	curl_easy_cleanup(c);
	unlink(fifo);
	return rc;
}
