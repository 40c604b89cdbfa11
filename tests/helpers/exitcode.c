/* Test app: exits with the code it is given, or kills itself by a signal. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

/* Usage: exitcode CODE | exitcode -k SIGNUM. */
int
main(int argc, char **argv)
{
	struct sigaction sa = {.sa_handler = SIG_DFL};
	sigset_t set;
	int sig;

	if (argc == 2)
		return atoi(argv[1]) & 255;
	if (argc != 3 || argv[1][0] != '-' || argv[1][1] != 'k') {
		fputs("usage: exitcode CODE | exitcode -k SIGNUM\n", stderr);
		return 99;
	}
	sig = atoi(argv[2]);
	sigaction(sig, &sa, NULL);
	sigemptyset(&set);
	sigaddset(&set, sig);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	kill(getpid(), sig);
	sleep(5);
	return 99;
}
