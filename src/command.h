/* Running a helper command (a template's check or command): to completion
 * at start, or watched by the event loop once the app runs. */
#ifndef CONFINIT_COMMAND_H
#define CONFINIT_COMMAND_H

#include <stdbool.h>
#include <stdint.h>

#include "cerr.h"
#include "loop.h"
#include "supervisor.h"
#include "xmalloc.h"

/*
 * Runs argv (PATH is searched; no shell) with stdin from /dev/null and
 * stdout and stderr captured into out (up to its cap; the rest is read and
 * dropped), and waits for it, at most timeout_ms (then SIGKILL). Blocks the
 * caller. Returns the exit code (128+N if killed by signal N), or -1 with a
 * message when it could not be started or timed out.
 */
int command_run(char *const argv[], int64_t timeout_ms, struct buf *out,
    struct cerr *err);

/*
 * Told when a command started with command_start() has finished: code and
 * err as command_run() returns them, out its output (the caller's only
 * for the call). Called from the loop, never from command_start(); it may
 * start the next command on the same struct.
 */
typedef void (*command_done_fn)(void *arg, int code, const struct buf *out,
    const struct cerr *err);

/* One command at a time run without blocking the loop; the caller's. */
struct command {
	struct loop *loop;
	struct sup *sup; /* hands over its exit status */
	struct sup_child child;
	struct loop_timer timer; /* the timeout; fires at once on exit */
	int outfd, errfd;	 /* its output, its exec error */
	struct buf out;
	char *prog; /* argv[0], for messages */
	int64_t timeout_ms;
	bool running, timed_out;
	command_done_fn done;
	void *done_arg;
};

/* Sets c up and registers its timer with loop; once, before any start. */
void command_init(struct command *c, struct loop *loop, struct sup *sup);

/*
 * Starts argv as command_run() does, without waiting: its output is read
 * and its timeout kept by the loop, and done(arg, ...) is called when it
 * has exited (or was killed at timeout_ms). Returns 0; or -1 with a
 * message when it could not be forked (done is then not called). c must
 * not be running.
 */
int command_start(struct command *c, char *const argv[], int64_t timeout_ms,
    size_t out_cap, command_done_fn done, void *arg, struct cerr *err);

/* True while a started command has not finished. */
bool command_running(const struct command *c);

/*
 * Kills a running command (SIGKILL) and waits for it, without calling its
 * done; then unregisters the timer. For shutdown; a no-op when idle.
 */
void command_free(struct command *c);

#endif
