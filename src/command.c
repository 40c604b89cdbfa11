/* Running a helper command (a template's check or command) to completion. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
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

/* Waits for pid; kills it when the deadline passes. */
static int
command_wait(pid_t pid, int fd, int64_t deadline, struct buf *out,
    bool *timed_out)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};
	char chunk[4096];
	int status, wait_ms;
	ssize_t n;
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
		if (poll(&p, 1, wait_ms) <= 0)
			continue;
		n = read(fd, chunk, sizeof(chunk));
		if (n > 0)
			(void)buf_append(out, chunk, (size_t)n);
		else if (n == 0 || errno != EINTR)
			p.fd = -1;
	}
	/* Whatever is still in the pipe. */
	while ((n = read(fd, chunk, sizeof(chunk))) > 0)
		(void)buf_append(out, chunk, (size_t)n);
	return status;
}

int
command_run(char *const argv[], int64_t timeout_ms, struct buf *out,
    struct cerr *err)
{
	int pipefd[2] = {-1, -1}, errpipe[2] = {-1, -1}, status, e, r = -1;
	bool timed_out = false;
	ssize_t n;
	pid_t pid;

	/* Only our end is non-blocking: the command writes as usual. */
	if (pipe2(pipefd, O_CLOEXEC) != 0 || pipe2(errpipe, O_CLOEXEC) != 0 ||
	    fcntl(pipefd[0], F_SETFL, O_NONBLOCK) != 0) {
		cerr_set(err, "pipe: %s", strerror(errno));
		goto out;
	}
	if ((pid = fork()) < 0) {
		cerr_set(err, "fork: %s", strerror(errno));
		goto out;
	}
	if (pid == 0)
		command_child(argv, pipefd[1], errpipe[1]);
	close(pipefd[1]);
	close(errpipe[1]);
	pipefd[1] = errpipe[1] = -1;
	status = command_wait(pid, pipefd[0], loop_now() + timeout_ms, out,
	    &timed_out);
	do
		n = read(errpipe[0], &e, sizeof(e));
	while (n < 0 && errno == EINTR);
	if (n == (ssize_t)sizeof(e))
		cerr_set(err, "%s: %s", argv[0], strerror(e));
	else if (timed_out)
		cerr_set(err, "%s: timed out after %lld ms", argv[0],
		    (long long)timeout_ms);
	else
		r = WIFEXITED(status) ? WEXITSTATUS(status)
				      : 128 + WTERMSIG(status);
out:
	for (e = 0; e < 2; e++) {
		if (pipefd[e] >= 0)
			close(pipefd[e]);
		if (errpipe[e] >= 0)
			close(errpipe[e]);
	}
	return r;
}
