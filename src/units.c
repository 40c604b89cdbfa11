/* Parsing of durations, signals and bounded integers. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "units.h"

static const struct {
	const char *name;
	int sig;
} units_signals[] = {
    {"HUP", SIGHUP},
    {"INT", SIGINT},
    {"QUIT", SIGQUIT},
    {"ILL", SIGILL},
    {"TRAP", SIGTRAP},
    {"ABRT", SIGABRT},
    {"IOT", SIGIOT},
    {"BUS", SIGBUS},
    {"FPE", SIGFPE},
    {"KILL", SIGKILL},
    {"USR1", SIGUSR1},
    {"SEGV", SIGSEGV},
    {"USR2", SIGUSR2},
    {"PIPE", SIGPIPE},
    {"ALRM", SIGALRM},
    {"TERM", SIGTERM},
    {"STKFLT", SIGSTKFLT},
    {"CHLD", SIGCHLD},
    {"CLD", SIGCHLD},
    {"CONT", SIGCONT},
    {"STOP", SIGSTOP},
    {"TSTP", SIGTSTP},
    {"TTIN", SIGTTIN},
    {"TTOU", SIGTTOU},
    {"URG", SIGURG},
    {"XCPU", SIGXCPU},
    {"XFSZ", SIGXFSZ},
    {"VTALRM", SIGVTALRM},
    {"PROF", SIGPROF},
    {"WINCH", SIGWINCH},
    {"IO", SIGIO},
    {"POLL", SIGPOLL},
    {"PWR", SIGPWR},
    {"SYS", SIGSYS},
};

#define UNITS_NSIGNALS (sizeof(units_signals) / sizeof(units_signals[0]))

int
units_int(const char *s, long min, long max, long *out)
{
	char *end;
	long v;

	if (s == NULL || *s == '\0' || isspace((unsigned char)*s))
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

int
units_size(const char *s, uint64_t *bytes)
{
	static const struct {
		const char *unit;
		uint64_t mul;
	} units[] = {
	    {"", 1},
	    {"B", 1},
	    {"KiB", 1ull << 10},
	    {"MiB", 1ull << 20},
	    {"GiB", 1ull << 30},
	    {"KB", 1000},
	    {"MB", 1000000ull},
	    {"GB", 1000000000ull},
	};
	unsigned long long v;
	const char *p;
	char *end;
	size_t i;

	if (s == NULL || *s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0 || v == 0)
		return -1;
	for (p = end; *p == ' '; p++)
		;
	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (strcmp(p, units[i].unit) == 0 && (p == end || *p != '\0'))
			break;
	if (i == sizeof(units) / sizeof(units[0]) ||
	    v > (1ull << 40) / units[i].mul)
		return -1;
	*bytes = v * units[i].mul;
	return 0;
}

int
units_duration(const char *s, int64_t *ms)
{
	/* Longer units first, so that "ms" is not read as "m". */
	static const struct {
		const char *unit;
		double ms;
	} units[] = {
	    {"ns", 1e-6},
	    {"us", 1e-3},
	    {"\xc2\xb5s", 1e-3},
	    {"ms", 1},
	    {"h", 3600e3},
	    {"m", 60e3},
	    {"s", 1e3},
	};
	const char *p = s;
	double total = 0, v;
	char num[32], *end;
	size_t i, len;

	if (s == NULL || *s == '\0')
		return -1;
	if (strcmp(s, "0") == 0) {
		*ms = 0;
		return 0;
	}
	while (*p != '\0') {
		/* Plain decimals only: no sign, exponent or hex, as in Go. */
		len = strspn(p, "0123456789.");
		if (len == 0 || len >= sizeof(num))
			return -1;
		memcpy(num, p, len);
		num[len] = '\0';
		v = strtod(num, &end);
		if (*end != '\0')
			return -1;
		p += len;
		for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
			len = strlen(units[i].unit);
			if (strncmp(p, units[i].unit, len) == 0)
				break;
		}
		if (i == sizeof(units) / sizeof(units[0]))
			return -1;
		total += v * units[i].ms;
		p += len;
	}
	if (total > 1e15)
		return -1;
	*ms = (int64_t)ceil(total);
	return 0;
}

int
units_signal(const char *s)
{
	const char *name = s;
	size_t i;
	long n;

	if (s == NULL || *s == '\0')
		return -1;
	if (isdigit((unsigned char)*s))
		return units_int(s, 1, SIGRTMAX, &n) == 0 ? (int)n : -1;
	if (strncasecmp(name, "SIG", 3) == 0)
		name += 3;
	for (i = 0; i < UNITS_NSIGNALS; i++)
		if (strcasecmp(name, units_signals[i].name) == 0)
			return units_signals[i].sig;
	if (strncasecmp(name, "RTMIN", 5) == 0) {
		if (name[5] == '\0')
			return SIGRTMIN;
		if (name[5] == '+' &&
		    units_int(name + 6, 0, SIGRTMAX - SIGRTMIN, &n) == 0)
			return SIGRTMIN + (int)n;
	}
	if (strncasecmp(name, "RTMAX", 5) == 0) {
		if (name[5] == '\0')
			return SIGRTMAX;
		if (name[5] == '-' &&
		    units_int(name + 6, 0, SIGRTMAX - SIGRTMIN, &n) == 0)
			return SIGRTMAX - (int)n;
	}
	return -1;
}

const char *
units_signame(int sig)
{
	static char rt[16];
	size_t i;

	for (i = 0; i < UNITS_NSIGNALS; i++) {
		if (units_signals[i].sig == sig) {
			/* The table holds the bare names; the SIG forms are
			 * kept in a parallel static table for speed. */
			static char full[UNITS_NSIGNALS][12];

			if (full[i][0] == '\0')
				snprintf(full[i], sizeof(full[i]), "SIG%s",
				    units_signals[i].name);
			return full[i];
		}
	}
	if (sig >= SIGRTMIN && sig <= SIGRTMAX) {
		snprintf(rt, sizeof(rt), "SIGRTMIN+%d", sig - SIGRTMIN);
		return rt;
	}
	return NULL;
}
