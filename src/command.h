/* Running a helper command (a template's check or command) to completion. */
#ifndef CONFINIT_COMMAND_H
#define CONFINIT_COMMAND_H

#include <stdint.h>

#include "cerr.h"
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

#endif
