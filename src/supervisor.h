/* The init: spawn the app, forward signals, reap every child, drain. */
#ifndef CONFINIT_SUPERVISOR_H
#define CONFINIT_SUPERVISOR_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "cerr.h"
#include "cli.h"
#include "loop.h"
#include "user.h"

/* What the supervisor is told; filled by main from the options. */
struct sup_settings {
	bool kill_group;	     /* signal the app's process group */
	bool warn_reap;		     /* log each reaped zombie */
	int rewrite[CLI_NSIG];	     /* what to forward for each signal */
	bool exit_zero[256];	     /* exit codes mapped to 0 */
	int64_t kill_timeout_ms;     /* -1: never escalate to SIGKILL */
	int64_t drain_ms;	     /* -1: exit as soon as the app exits */
	const struct user_ids *user; /* NULL: run the app as we are */
};

/*
 * A child of confinit other than the app whose exit status its owner
 * waits for (a template's check or command): the reaper hands the status
 * over instead of taking it as a zombie's. The owner's struct, linked
 * while the child runs.
 */
struct sup_child {
	pid_t pid;
	int status; /* its wait status, once exited */
	bool exited;
	struct loop_timer *wake; /* armed to fire at once when it exits */
	struct sup_child *next;
};

struct sup {
	struct sup_settings set;
	struct loop *loop;
	sigset_t orig_mask; /* the mask we were started with: the app's */
	int sigfd;
	pid_t app;  /* 0 when no app runs */
	int status; /* the app's last wait status */
	bool draining;
	bool started; /* an app was spawned once */
	/* A restart in progress: what to start when the app has exited. */
	char *const *respawn_argv;
	char *const *respawn_envp;
	struct loop_timer kill_timer, drain_timer;
	struct sup_child *children; /* watched, see sup_child_watch() */
	/* Called when the app has exited (after the drain, if any). */
	void (*on_exit)(struct sup *s, void *arg);
	void *on_exit_arg;
};

/*
 * Blocks every signal, opens the signalfd and registers it with loop,
 * becomes a child subreaper when not PID 1, and sets the parent-death
 * signal (0: none). Returns 0, or -1 with a message.
 */
int sup_init(struct sup *s, const struct sup_settings *set, struct loop *loop,
    int pdeath_signal, struct cerr *err);

/*
 * Starts argv with environment envp as the app, in its own process group
 * (in the terminal's foreground when stdin is a TTY), with the signal mask
 * and ignored signals confinit was started with. Returns 0; or the exit
 * status to use (127: not found, 126: not executable) with a message.
 */
int sup_spawn(struct sup *s, char *const argv[], char *const envp[],
    struct cerr *err);

/*
 * Restarts the app with a new environment: sends it sig, SIGKILLs its group
 * after the kill timeout (10 s when none is set), and starts argv with envp
 * once it has exited. Both arrays must live until then. A failure to start
 * it again ends confinit as a failed first start would.
 */
void sup_restart(struct sup *s, int sig, char *const argv[],
    char *const envp[]);

/* Sends sig to the app (or its group); returns 0, or -1 if none runs. */
int sup_signal_app(struct sup *s, int sig);

/*
 * Watches c->pid (a child just forked, not yet waited for): when it exits,
 * the reaper stores its wait status in c, sets c->exited and arms c->wake
 * (registered by the caller) to fire at once. c stays the caller's and
 * must outlive the watch.
 */
void sup_child_watch(struct sup *s, struct sup_child *c);
/* Stops watching c (a no-op if it is not watched). */
void sup_child_forget(struct sup *s, struct sup_child *c);

/* confinit's exit status for the app's last wait status (with -e). */
int sup_exit_code(const struct sup *s);

/* Closes the signalfd; the struct is the caller's. */
void sup_close(struct sup *s);

#endif
