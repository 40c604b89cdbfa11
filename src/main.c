/* confinit's phases: options, set-up, spawn, the event loop, exit. */
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "log.h"

extern char **environ;

int
main(int argc, char **argv)
{
	struct options opt;
	struct cerr err;

	if (cli_parse(&opt, argc, argv, environ, &err) != 0) {
		fprintf(stderr, "confinit: %s\n", err.msg);
		return 2;
	}
	if (opt.action == CLI_HELP) {
		fputs(cli_help(), stdout);
		cli_free(&opt);
		return 0;
	}
	cli_free(&opt);
	return 0;
}
