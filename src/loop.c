/* The event loop: one poll() over registered descriptors, and timers. */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "loop.h"
#include "xmalloc.h"

struct loop_fd {
	loop_fd_fn fn;
	void *arg;
};

struct loop {
	struct pollfd *pfd; /* pfd[i] and fds[i] go together */
	struct loop_fd *fds;
	size_t nfds, size;
	struct loop_timer **timers;
	size_t ntimers;
	bool stop;
};

struct loop *
loop_new(void)
{
	return xcalloc(1, sizeof(struct loop));
}

void
loop_free(struct loop *l)
{
	if (l == NULL)
		return;
	free(l->pfd);
	free(l->fds);
	free(l->timers);
	free(l);
}

void
loop_fd_set(struct loop *l, int fd, short events, loop_fd_fn fn, void *arg)
{
	size_t i;

	for (i = 0; i < l->nfds && l->pfd[i].fd != fd; i++)
		;
	if (i == l->nfds) {
		if (l->nfds == l->size) {
			l->size = l->size ? l->size * 2 : 8;
			l->pfd =
			    xreallocarray(l->pfd, l->size, sizeof(*l->pfd));
			l->fds =
			    xreallocarray(l->fds, l->size, sizeof(*l->fds));
		}
		l->nfds++;
	}
	l->pfd[i] = (struct pollfd){.fd = fd, .events = events};
	l->fds[i] = (struct loop_fd){.fn = fn, .arg = arg};
}

void
loop_fd_del(struct loop *l, int fd)
{
	size_t i;

	for (i = 0; i < l->nfds; i++) {
		if (l->pfd[i].fd != fd)
			continue;
		l->nfds--;
		l->pfd[i] = l->pfd[l->nfds];
		l->fds[i] = l->fds[l->nfds];
		return;
	}
}

void
loop_timer_add(struct loop *l, struct loop_timer *t, void (*fire)(void *),
    void *arg)
{
	t->deadline = -1;
	t->fire = fire;
	t->arg = arg;
	l->timers =
	    xreallocarray(l->timers, l->ntimers + 1, sizeof(*l->timers));
	l->timers[l->ntimers++] = t;
}

void
loop_timer_del(struct loop *l, struct loop_timer *t)
{
	size_t i;

	for (i = 0; i < l->ntimers; i++) {
		if (l->timers[i] != t)
			continue;
		l->timers[i] = l->timers[--l->ntimers];
		return;
	}
}

void
loop_timer_arm(struct loop_timer *t, int64_t ms)
{
	t->deadline = loop_now() + (ms > 0 ? ms : 0);
}

void
loop_timer_disarm(struct loop_timer *t)
{
	t->deadline = -1;
}

bool
loop_timer_armed(const struct loop_timer *t)
{
	return t->deadline >= 0;
}

int64_t
loop_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Fires every due timer; returns the poll() timeout to the next one. */
static int
loop_timers(struct loop *l)
{
	int64_t now = loop_now(), next = -1;
	struct loop_timer *t;
	size_t i;

	for (i = 0; i < l->ntimers && !l->stop; i++) {
		t = l->timers[i];
		if (t->deadline >= 0 && t->deadline <= now) {
			t->deadline = -1;
			t->fire(t->arg);
		}
	}
	for (i = 0; i < l->ntimers; i++) {
		t = l->timers[i];
		if (t->deadline >= 0 && (next < 0 || t->deadline < next))
			next = t->deadline;
	}
	if (next < 0)
		return -1;
	now = loop_now();
	return next <= now ? 0 : next - now > 60000 ? 60000 : (int)(next - now);
}

int
loop_run(struct loop *l)
{
	struct loop_fd cb;
	short revents;
	int timeout, n;
	size_t i;

	l->stop = false;
	while (!l->stop) {
		timeout = loop_timers(l);
		if (l->stop)
			break;
		n = poll(l->pfd, l->nfds, timeout);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			log_error("poll: %s", strerror(errno));
			return -1;
		}
		/* A callback may add or remove descriptors: walk a stable
		 * index and re-check the slot each time. */
		for (i = 0; i < l->nfds && n > 0 && !l->stop; i++) {
			if ((revents = l->pfd[i].revents) == 0)
				continue;
			l->pfd[i].revents = 0;
			n--;
			cb = l->fds[i];
			cb.fn(cb.arg, l->pfd[i].fd, revents);
		}
	}
	return 0;
}

void
loop_stop(struct loop *l)
{
	l->stop = true;
}
