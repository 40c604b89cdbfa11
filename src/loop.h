/* The event loop: one poll() over registered descriptors, and timers. */
#ifndef CONFINIT_LOOP_H
#define CONFINIT_LOOP_H

#include <stdbool.h>
#include <stdint.h>

struct loop;

/* Called when fd is ready; revents as poll() reports them. */
typedef void (*loop_fd_fn)(void *arg, int fd, short revents);

/*
 * A timer the caller owns (usually inside its own struct) and registers
 * once with loop_timer_add(); arming and disarming never allocate.
 */
struct loop_timer {
	int64_t deadline; /* monotonic ms; -1: disarmed */
	void (*fire)(void *arg);
	void *arg;
};

/* Creates an empty loop; the caller owns it. */
struct loop *loop_new(void);
/* Frees the loop (not the descriptors or timers); NULL is a no-op. */
void loop_free(struct loop *l);

/* Watches fd for events; a second call for the same fd replaces them. */
void loop_fd_set(struct loop *l, int fd, short events, loop_fd_fn fn,
    void *arg);
/* Stops watching fd; unknown fds are ignored. */
void loop_fd_del(struct loop *l, int fd);

/* Registers t (disarmed) with the loop; t must outlive the loop. */
void loop_timer_add(struct loop *l, struct loop_timer *t, void (*fire)(void *),
    void *arg);
/* Unregisters t (a freed backend's timer); unknown timers are ignored. */
void loop_timer_del(struct loop *l, struct loop_timer *t);
/* Fires t once, ms from now (replacing an earlier deadline). */
void loop_timer_arm(struct loop_timer *t, int64_t ms);
void loop_timer_disarm(struct loop_timer *t);
bool loop_timer_armed(const struct loop_timer *t);

/* Monotonic milliseconds. */
int64_t loop_now(void);

/* Runs until loop_stop(); returns 0, or -1 if poll() failed for good. */
int loop_run(struct loop *l);
void loop_stop(struct loop *l);

#endif
