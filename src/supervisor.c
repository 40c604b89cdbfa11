/* The init: spawn the app, forward signals, reap every child, drain. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fdkeep.h"
#include "log.h"
#include "supervisor.h"
#include "units.h"
#include "xmalloc.h"

static void sup_kill_fire(void *arg);
static void sup_drain_fire(void *arg);
static void sup_ready(void *arg, int fd, short revents);

int
sup_init(struct sup *s, const struct sup_settings *set, struct loop *loop,
    int pdeath_signal, struct cerr *err)
{
	sigset_t all;

	memset(s, 0, sizeof(*s));
	s->set = *set;
	s->loop = loop;
	/*
	 * Everything is blocked and read from the signalfd, SIGSEGV and the
	 * other fault signals included: a real fault is forced through by
	 * the kernel anyway, while one sent with kill(1) is forwarded.
	 * Not sigfillset(): musl's leaves out 32-34, which it keeps for its
	 * threads (confinit has none), so signal 34 (SIGRTMIN for glibc)
	 * would kill the static build instead of being forwarded. glibc's
	 * sigprocmask() leaves 32 and 33 unblocked whatever the set says.
	 */
	memset(&all, 0xff, sizeof(all));
	if (sigprocmask(SIG_SETMASK, &all, &s->orig_mask) != 0)
		return cerr_set(err, "sigprocmask: %s", strerror(errno));
	s->sigfd = signalfd(-1, &all, SFD_CLOEXEC | SFD_NONBLOCK);
	if (s->sigfd < 0)
		return cerr_set(err, "signalfd: %s", strerror(errno));
	loop_fd_set(loop, s->sigfd, POLLIN, sup_ready, s);
	loop_timer_add(loop, &s->kill_timer, sup_kill_fire, s);
	loop_timer_add(loop, &s->drain_timer, sup_drain_fire, s);

	if (getpid() != 1 && prctl(PR_SET_CHILD_SUBREAPER, 1) != 0)
		log_warn("cannot become a child subreaper (%s): orphans of "
			 "the app will not be reaped",
		    strerror(errno));
	if (pdeath_signal > 0 && prctl(PR_SET_PDEATHSIG, pdeath_signal) != 0)
		return cerr_set(err, "-p %d: %s", pdeath_signal,
		    strerror(errno));
	return 0;
}

/* The child's side of sup_spawn(); reports failure through fd and exits. */
static void __attribute__((noreturn))
sup_child(struct sup *s, char *const argv[], char *const envp[], int fd)
{
	int e;

	if (setpgid(0, 0) == 0 && isatty(STDIN_FILENO))
		/* SIGTTOU is still blocked here, so this cannot stop us. */
		(void)tcsetpgrp(STDIN_FILENO, getpid());
	if (s->set.user != NULL && user_drop(s->set.user) != 0)
		goto fail;
	fdkeep_child();
	sigprocmask(SIG_SETMASK, &s->orig_mask, NULL);
	execvpe(argv[0], argv, envp);
fail:
	e = errno;
	if (write(fd, &e, sizeof(e)) < 0)
		(void)0;
	_exit(e == ENOENT || e == ENOTDIR ? 127 : 126);
}

int
sup_spawn(struct sup *s, char *const argv[], char *const envp[],
    struct cerr *err)
{
	int pipefd[2], e, status;
	ssize_t n;
	pid_t pid;

	if (pipe2(pipefd, O_CLOEXEC) != 0)
		return cerr_set(err, "pipe: %s", strerror(errno)), 126;
	if ((pid = fork()) < 0) {
		e = errno;
		close(pipefd[0]);
		close(pipefd[1]);
		return cerr_set(err, "fork: %s", strerror(e)), 126;
	}
	if (pid == 0)
		sup_child(s, argv, envp, pipefd[1]);
	close(pipefd[1]);
	/* Both sides set the group, so that neither has to wait for it. */
	(void)setpgid(pid, pid);
	do
		n = read(pipefd[0], &e, sizeof(e));
	while (n < 0 && errno == EINTR);
	close(pipefd[0]);
	if (n == (ssize_t)sizeof(e)) {
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
		cerr_set(err, "exec \"%s\" failed: %s", argv[0], strerror(e));
		return e == ENOENT || e == ENOTDIR ? 127 : 126;
	}
	s->app = pid;
	s->status = 0;
	s->started = true;
	log_debug("started %s as pid %d", argv[0], (int)pid);
	return 0;
}

int
sup_signal_app(struct sup *s, int sig)
{
	if (s->app <= 0)
		return -1;
	if (kill(s->set.kill_group ? -s->app : s->app, sig) != 0) {
		log_debug("kill %d %s: %s", (int)s->app, units_signame(sig),
		    strerror(errno));
		return -1;
	}
	return 0;
}

int
sup_exit_code(const struct sup *s)
{
	int code;

	if (WIFEXITED(s->status))
		code = WEXITSTATUS(s->status);
	else if (WIFSIGNALED(s->status))
		code = 128 + WTERMSIG(s->status);
	else
		code = 1;
	code &= 255;
	return s->set.exit_zero[code] ? 0 : code;
}

/*
 * Sends sig to every descendant of ours, found through /proc. Orphans are
 * re-parented to us, so what the app left behind is in this tree.
 */
static void
sup_signal_descendants(int sig)
{
	pid_t *pids = NULL, *ppids = NULL;
	size_t n = 0, i, j;
	bool *mine = NULL, grew;
	struct dirent *de;
	char path[64], buf[512], *p, *end;
	long pid, ppid;
	DIR *d;
	int fd;
	ssize_t r;

	if ((d = opendir("/proc")) == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		if (units_int(de->d_name, 1, 0x7fffffff, &pid) != 0)
			continue;
		snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
		if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
			continue;
		r = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		/* "pid (comm) state ppid": comm may hold anything, so
		 * parse from its last parenthesis. */
		if (r <= 0)
			continue;
		buf[r] = '\0';
		if ((p = strrchr(buf, ')')) == NULL || p[1] != ' ' ||
		    p[2] == '\0' || p[3] != ' ')
			continue;
		ppid = strtol(p + 4, &end, 10);
		if (end == p + 4 || *end != ' ')
			continue;
		pids = xreallocarray(pids, n + 1, sizeof(*pids));
		ppids = xreallocarray(ppids, n + 1, sizeof(*ppids));
		pids[n] = (pid_t)pid;
		ppids[n++] = (pid_t)ppid;
	}
	closedir(d);
	mine = xcalloc(n + 1, sizeof(*mine));
	do {
		grew = false;
		for (i = 0; i < n; i++) {
			if (mine[i])
				continue;
			if (ppids[i] == getpid())
				mine[i] = grew = true;
			for (j = 0; j < n && !mine[i]; j++)
				if (mine[j] && pids[j] == ppids[i])
					mine[i] = grew = true;
		}
	} while (grew);
	for (i = 0; i < n; i++)
		if (mine[i] && kill(pids[i], sig) == 0)
			log_debug("drain: %s to pid %d", units_signame(sig),
			    (int)pids[i]);
	free(pids);
	free(ppids);
	free(mine);
}

/* The app exited during a restart: start it again. */
static bool
sup_respawn(struct sup *s)
{
	char *const *argv = s->respawn_argv;
	struct cerr err;
	int code;

	if (argv == NULL)
		return false;
	s->respawn_argv = NULL;
	loop_timer_disarm(&s->kill_timer);
	if ((code = sup_spawn(s, argv, s->respawn_envp, &err)) == 0) {
		log_info("restarted %s as pid %d", argv[0], (int)s->app);
		return true;
	}
	log_error("restart: %s", err.msg);
	s->status = code << 8; /* as if it had exited with that code */
	return false;
}

/* The app is gone: restart, drain what it left, or tell the owner. */
static void
sup_app_gone(struct sup *s, bool children_left)
{
	if (!s->draining && sup_respawn(s))
		return;
	if (s->set.drain_ms >= 0 && children_left && !s->draining) {
		s->draining = true;
		log_info("app exited; draining what it left (up to %lld ms)",
		    (long long)s->set.drain_ms);
		sup_signal_descendants(SIGTERM);
		loop_timer_arm(&s->drain_timer, s->set.drain_ms);
		return;
	}
	if (s->draining && children_left)
		return;
	s->draining = false;
	loop_timer_disarm(&s->drain_timer);
	loop_timer_disarm(&s->kill_timer);
	if (s->on_exit != NULL)
		s->on_exit(s, s->on_exit_arg);
}

void
sup_child_watch(struct sup *s, struct sup_child *c)
{
	c->exited = false;
	c->status = 0;
	c->next = s->children;
	s->children = c;
}

void
sup_child_forget(struct sup *s, struct sup_child *c)
{
	struct sup_child **p;

	for (p = &s->children; *p != NULL; p = &(*p)->next)
		if (*p == c) {
			*p = c->next;
			c->next = NULL;
			return;
		}
}

/* Hands a watched child's status to its owner; false if pid is not one. */
static bool
sup_child_exited(struct sup *s, pid_t pid, int status)
{
	struct sup_child *c;

	for (c = s->children; c != NULL && c->pid != pid; c = c->next)
		;
	if (c == NULL)
		return false;
	sup_child_forget(s, c);
	c->status = status;
	c->exited = true;
	loop_timer_arm(c->wake, 0);
	return true;
}

/* Reaps every child that has exited. Allocates nothing. */
static void
sup_reap(struct sup *s)
{
	bool app_gone = false;
	int status;
	pid_t pid;

	for (;;) {
		pid = waitpid(-1, &status, WNOHANG);
		if (pid < 0 && errno == EINTR)
			continue;
		if (pid <= 0)
			break;
		if (sup_child_exited(s, pid, status))
			continue;
		if (pid == s->app) {
			s->status = status;
			s->app = 0;
			app_gone = true;
			log_debug("app exited with status %d",
			    sup_exit_code(s));
		} else if (s->set.warn_reap) {
			log_warn("Reaped zombie process with pid=%d", (int)pid);
		}
	}
	/* pid < 0 (ECHILD): no child of ours is left at all. */
	if (app_gone || (s->draining && pid < 0))
		sup_app_gone(s, pid == 0);
}

/* Forwards one signal that confinit received. */
static void
sup_forward(struct sup *s, int sig)
{
	int to = sig > 0 && sig < CLI_NSIG ? s->set.rewrite[sig] : sig;

	if (to == 0) {
		log_debug("dropped %s", units_signame(sig));
		return;
	}
	if (!s->started &&
	    (sig == SIGTERM || sig == SIGINT || sig == SIGQUIT)) {
		/* Still waiting for the config: nothing to forward to. */
		log_info("%s before the app started: exiting",
		    units_signame(sig));
		s->status = sig; /* a wait status: killed by sig */
		if (s->on_exit != NULL)
			s->on_exit(s, s->on_exit_arg);
		return;
	}
	if (sup_signal_app(s, to) != 0)
		return;
	log_debug("forwarded %s as %s", units_signame(sig), units_signame(to));
	if ((sig == SIGTERM || sig == SIGINT) && s->set.kill_timeout_ms >= 0 &&
	    !loop_timer_armed(&s->kill_timer))
		loop_timer_arm(&s->kill_timer, s->set.kill_timeout_ms);
}

/* The signalfd is readable. */
static void
sup_ready(void *arg, int fd, short revents)
{
	struct signalfd_siginfo si[16];
	struct sup *s = arg;
	ssize_t n, i;

	n = read(fd, si, sizeof(si));
	if (n <= 0)
		return;
	for (i = 0; i < n / (ssize_t)sizeof(si[0]); i++) {
		if (si[i].ssi_signo == SIGCHLD)
			sup_reap(s);
		else
			sup_forward(s, (int)si[i].ssi_signo);
	}
}

void
sup_restart(struct sup *s, int sig, char *const argv[], char *const envp[])
{
	s->respawn_argv = argv;
	s->respawn_envp = envp;
	if (s->app <= 0) {
		sup_respawn(s);
		return;
	}
	log_info("restarting the app: %s to pid %d", units_signame(sig),
	    (int)s->app);
	sup_signal_app(s, sig);
	loop_timer_arm(&s->kill_timer,
	    s->set.kill_timeout_ms >= 0 ? s->set.kill_timeout_ms : 10000);
}

/* The app outlived --kill-timeout after SIGTERM/SIGINT. */
static void
sup_kill_fire(void *arg)
{
	struct sup *s = arg;

	if (s->app <= 0)
		return;
	log_warn("app (pid %d) still running after the kill timeout; "
		 "sending SIGKILL to its process group",
	    (int)s->app);
	kill(-s->app, SIGKILL);
	kill(s->app, SIGKILL);
}

/* The drain time is up: kill what is left. */
static void
sup_drain_fire(void *arg)
{
	struct sup *s = arg;

	log_warn("drain timeout: sending SIGKILL to what is left");
	sup_signal_descendants(SIGKILL);
	/* Their SIGCHLDs bring us back to sup_reap(), which finishes. */
	loop_timer_arm(&s->drain_timer, 1000);
}

void
sup_close(struct sup *s)
{
	if (s->sigfd >= 0)
		close(s->sigfd);
	s->sigfd = -1;
}
