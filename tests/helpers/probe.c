/* Test app: reports what it inherited (ids, process group, terminal, cwd,
 * descriptors, arguments, signal mask and ignored set) as key=value lines. */
#include <dirent.h>
#include <errno.h>
#include <grp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t got_term;

/* Notes SIGTERM. */
static void
on_term(int sig)
{
	(void)sig;
	got_term = 1;
}

/* Appends the open descriptors, read before anything else is opened. */
static void
probe_fds(char *out, size_t size)
{
	struct dirent *de;
	size_t at = 0;
	DIR *d;

	out[0] = '\0';
	if ((d = opendir("/proc/self/fd")) == NULL)
		return;
	while ((de = readdir(d)) != NULL && at + 16 < size) {
		if (de->d_name[0] == '.' || atoi(de->d_name) == dirfd(d))
			continue;
		at += (size_t)snprintf(out + at, size - at, "%s%s",
		    at > 0 ? " " : "", de->d_name);
	}
	closedir(d);
}

/* Copies the Uid, Gid, Groups, NoNewPrivs, Cap*, SigBlk and SigIgn lines
 * of /proc/self/status to f. */
static void
probe_status(FILE *f)
{
	static const char *const keys[] = {
	    "Uid:", "Gid:", "Groups:", "NoNewPrivs:", "CapPrm:", "CapEff:",
	    "CapAmb:", "SigBlk:", "SigIgn:"};
	char line[1024];
	size_t i;
	FILE *st;

	if ((st = fopen("/proc/self/status", "re")) == NULL)
		return;
	while (fgets(line, sizeof(line), st) != NULL)
		for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
			if (strncmp(line, keys[i], strlen(keys[i])) == 0)
				fputs(line, f);
	fclose(st);
}

/*
 * Tries to become root again (group 0 as a supplementary group, gid 0, uid
 * 0) and writes "regain=" the calls that succeeded, or "none".
 */
static void
probe_regain(FILE *f)
{
	gid_t zero = 0;
	bool any = false;

	fputs("regain=", f);
	if (setgroups(1, &zero) == 0)
		any = fputs("setgroups ", f) >= 0;
	if (setresgid(0, 0, 0) == 0 || setegid(0) == 0)
		any = fputs("setgid ", f) >= 0;
	if (setresuid(0, 0, 0) == 0 || seteuid(0) == 0)
		any = fputs("setuid ", f) >= 0;
	fputs(any ? "\n" : "none\n", f);
}

/*
 * Usage: probe [ARGS...], every argument reported, none interpreted. With
 * PROBE_OUT set the report goes to that file (written whole, by rename),
 * else to stdout. With PROBE_HOLD set it then waits for SIGTERM (exit 0) or
 * 30 s (exit 97). With PROBE_REGAIN set it reports whether it could become
 * root again (after everything else is read).
 */
int
main(int argc, char **argv)
{
	struct sigaction sa = {.sa_handler = on_term};
	const char *out = getenv("PROBE_OUT");
	char fds[1024], cwd[4096], tmp[4200];
	struct timespec nap = {0, 100000000L};
	FILE *f = stdout;
	int i;

	probe_fds(fds, sizeof(fds));
	if (getcwd(cwd, sizeof(cwd)) == NULL)
		snprintf(cwd, sizeof(cwd), "?");
	if (getenv("PROBE_HOLD") != NULL)
		sigaction(SIGTERM, &sa, NULL);
	if (out != NULL) {
		snprintf(tmp, sizeof(tmp), "%s.tmp", out);
		if ((f = fopen(tmp, "we")) == NULL)
			return 98;
	}
	fprintf(f, "pid=%d\nppid=%d\npgid=%d\nsid=%d\ntpgid=%d\n",
	    (int)getpid(), (int)getppid(), (int)getpgrp(), (int)getsid(0),
	    (int)tcgetpgrp(0));
	fprintf(f, "cwd=%s\nfds=%s\nargc=%d\n", cwd, fds, argc);
	for (i = 1; i < argc; i++)
		fprintf(f, "arg%d=%s\n", i, argv[i]);
	probe_status(f);
	if (getenv("PROBE_REGAIN") != NULL)
		probe_regain(f);
	if (out != NULL && (fclose(f) != 0 || rename(tmp, out) != 0))
		return 98;
	fflush(stdout);
	if (getenv("PROBE_HOLD") == NULL)
		return 0;
	for (i = 0; i < 300 && !got_term; i++)
		nanosleep(&nap, NULL);
	return got_term ? 0 : 97;
}
