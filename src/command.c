/* Running a helper command (a template's check or command): to completion
 * at start, or watched by the event loop once the app runs. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "command.h"
#include "fdkeep.h"
#include "loop.h"

/* The child: wire up descriptors, restore a plain signal mask, exec. */
static void __attribute__((noreturn))
command_child(char *const argv[], int out, int errpipe)
{
	sigset_t none;
	int null, e;

	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	if ((null = open("/dev/null", O_RDONLY | O_CLOEXEC)) >= 0)
		dup2(null, STDIN_FILENO);
	dup2(out, STDOUT_FILENO);
	dup2(out, STDERR_FILENO);
	fdkeep_child();
	execvp(argv[0], argv);
	e = errno;
	if (write(errpipe, &e, sizeof(e)) < 0)
		(void)0;
	_exit(127);
}

/*
 * Forks argv. On success *pid is the child, *outfd the non-blocking read
 * end of its output and *errfd the pipe its exec error comes through (the
 * caller closes both). Returns 0, or -1 with a message.
 */
static int
command_spawn(char *const argv[], pid_t *pid, int *outfd, int *errfd,
    struct cerr *err)
{
	int pipefd[2] = {-1, -1}, errpipe[2] = {-1, -1}, i, r = -1;

	/* Only our end is non-blocking: the command writes as usual. */
	if (pipe2(pipefd, O_CLOEXEC) != 0 || pipe2(errpipe, O_CLOEXEC) != 0 ||
	    fcntl(pipefd[0], F_SETFL, O_NONBLOCK) != 0) {
		cerr_set(err, "pipe: %s", strerror(errno));
		goto out;
	}
	if ((*pid = fork()) < 0) {
		cerr_set(err, "fork: %s", strerror(errno));
		goto out;
	}
	if (*pid == 0)
		command_child(argv, pipefd[1], errpipe[1]);
	*outfd = pipefd[0];
	*errfd = errpipe[0];
	pipefd[0] = errpipe[0] = -1;
	r = 0;
out:
	for (i = 0; i < 2; i++) {
		if (pipefd[i] >= 0)
			close(pipefd[i]);
		if (errpipe[i] >= 0)
			close(errpipe[i]);
	}
	return r;
}

/* Reads what fd holds now into out; returns 1 at its end, else 0. */
static int
command_drain(int fd, struct buf *out)
{
	char chunk[4096];
	ssize_t n;

	for (;;) {
		n = read(fd, chunk, sizeof(chunk));
		if (n > 0) {
			(void)buf_append(out, chunk, (size_t)n);
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		return n == 0 || errno != EAGAIN;
	}
}

/*
 * The outcome of a command that has exited with status: its exit code
 * (128+N for signal N), or -1 with a message when exec failed (errfd says
 * why) or it was killed at its timeout.
 */
static int
command_result(const char *prog, int status, int errfd, bool timed_out,
    int64_t timeout_ms, struct cerr *err)
{
	ssize_t n;
	int e;

	do
		n = read(errfd, &e, sizeof(e));
	while (n < 0 && errno == EINTR);
	if (n == (ssize_t)sizeof(e))
		return cerr_set(err, "%s: %s", prog, strerror(e));
	if (timed_out)
		return cerr_set(err, "%s: timed out after %lld ms", prog,
		    (long long)timeout_ms);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* Waits for pid; kills it when the deadline passes. */
static int
command_wait(pid_t pid, int fd, int64_t deadline, struct buf *out,
    bool *timed_out)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};
	int status, wait_ms;
	pid_t r;

	for (;;) {
		r = waitpid(pid, &status, WNOHANG);
		if (r == pid)
			break;
		wait_ms = (int)(deadline - loop_now());
		if (wait_ms <= 0) {
			*timed_out = true;
			kill(pid, SIGKILL);
			while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
				;
			break;
		}
		if (p.fd < 0) {
			/* Output closed: poll the exit in small steps. */
			poll(NULL, 0, wait_ms < 10 ? wait_ms : 10);
			continue;
		}
		if (poll(&p, 1, wait_ms) > 0 && command_drain(fd, out))
			p.fd = -1;
	}
	/* Whatever is still in the pipe. */
	command_drain(fd, out);
	return status;
}

int
command_run(char *const argv[], int64_t timeout_ms, struct buf *out,
    struct cerr *err)
{
	bool timed_out = false;
	int outfd, errfd, status, r;
	pid_t pid;

	if (command_spawn(argv, &pid, &outfd, &errfd, err) != 0)
		return -1;
	status =
	    command_wait(pid, outfd, loop_now() + timeout_ms, out, &timed_out);
	r = command_result(argv[0], status, errfd, timed_out, timeout_ms, err);
	close(outfd);
	close(errfd);
	return r;
}

/* Closes what a finished or killed command leaves open. */
static void
command_close(struct command *c)
{
	if (c->outfd >= 0) {
		loop_fd_del(c->loop, c->outfd);
		close(c->outfd);
	}
	if (c->errfd >= 0)
		close(c->errfd);
	c->outfd = c->errfd = -1;
	free(c->prog);
	c->prog = NULL;
	c->running = false;
}

/* The command's output is readable (or closed). */
static void
command_readable(void *arg, int fd, short revents)
{
	struct command *c = arg;

	if (command_drain(fd, &c->out)) {
		loop_fd_del(c->loop, fd);
		close(fd);
		c->outfd = -1;
	}
}

/* The command exited (the reaper armed the timer), or its time is up. */
static void
command_fire(void *arg)
{
	struct command *c = arg;
	struct buf out;
	struct cerr err = {{0}};
	int code;

	if (!c->child.exited) {
		c->timed_out = true;
		/* Its exit, reaped, fires the timer again; unless someone
		 * else has reaped it already. */
		if (kill(c->child.pid, SIGKILL) == 0 || errno != ESRCH)
			return;
		sup_child_forget(c->sup, &c->child);
		c->child.exited = true;
		c->child.status = SIGKILL;
	}
	if (c->outfd >= 0)
		command_drain(c->outfd, &c->out);
	code = command_result(c->prog, c->child.status, c->errfd, c->timed_out,
	    c->timeout_ms, &err);
	command_close(c);
	/* done may start the next command on c. */
	out = c->out;
	c->out = (struct buf){0};
	c->done(c->done_arg, code, &out, &err);
	buf_free(&out);
}

void
command_init(struct command *c, struct loop *loop, struct sup *sup)
{
	memset(c, 0, sizeof(*c));
	c->loop = loop;
	c->sup = sup;
	c->outfd = c->errfd = -1;
	c->child.wake = &c->timer;
	loop_timer_add(loop, &c->timer, command_fire, c);
}

int
command_start(struct command *c, char *const argv[], int64_t timeout_ms,
    size_t out_cap, command_done_fn done, void *arg, struct cerr *err)
{
	if (command_spawn(argv, &c->child.pid, &c->outfd, &c->errfd, err) !=
	    0) {
		c->outfd = c->errfd = -1;
		return -1;
	}
	/* SIGCHLD waits in the signalfd until we are back in the loop, so
	 * the child cannot be reaped before it is watched. */
	sup_child_watch(c->sup, &c->child);
	c->running = true;
	c->timed_out = false;
	c->timeout_ms = timeout_ms;
	c->prog = xstrdup(argv[0]);
	c->out = (struct buf){.cap = out_cap};
	c->done = done;
	c->done_arg = arg;
	loop_fd_set(c->loop, c->outfd, POLLIN, command_readable, c);
	loop_timer_arm(&c->timer, timeout_ms);
	return 0;
}

bool
command_running(const struct command *c)
{
	return c->running;
}

void
command_free(struct command *c)
{
	if (c->loop == NULL)
		return;
	if (c->running) {
		sup_child_forget(c->sup, &c->child);
		if (!c->child.exited) {
			kill(c->child.pid, SIGKILL);
			while (waitpid(c->child.pid, NULL, 0) < 0 &&
			       errno == EINTR)
				;
		}
		command_close(c);
		buf_free(&c->out);
	}
	loop_timer_del(c->loop, &c->timer);
	c->loop = NULL;
}
