// SPDX-License-Identifier: GPL-2.0
/* tlbsan: command-line client of the tlbsan kernel module. */
#include <stdio.h>
#include <string.h>
#include "cmd.h"

static const struct tlbsan_command *const commands[] = {
	&tlbsan_cmd_attach,
	&tlbsan_cmd_detach,
	&tlbsan_cmd_stats,
	&tlbsan_cmd_access,
	&tlbsan_cmd_buf_add,
	&tlbsan_cmd_buf_clear,
	&tlbsan_cmd_tlb,
	&tlbsan_cmd_monitor,
	&tlbsan_cmd_report,
	&tlbsan_cmd_sites,
	&tlbsan_cmd_run,
	&tlbsan_cmd_coverage,
};

#define N_COMMANDS (sizeof(commands) / sizeof(commands[0]))

int tlbsan_usage(const struct tlbsan_command *cmd)
{
	fprintf(stderr, "usage: tlbsan %s %s\n", cmd->name, cmd->args);
	return EXIT_USAGE;
}

static void help(FILE *f)
{
	size_t i;

	fprintf(f, "usage: tlbsan COMMAND [ARGS]\n\ncommands:\n");
	for (i = 0; i < N_COMMANDS; i++)
		fprintf(f, "  %-9s %s\n            %s\n", commands[i]->name, commands[i]->help,
			commands[i]->args);
}

int main(int argc, char **argv)
{
	struct tlbsan_nl nl;
	size_t i;
	int ret;

	if (argc < 2) {
		help(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "help") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		help(stdout);
		return EXIT_OK;
	}
	for (i = 0; i < N_COMMANDS; i++)
		if (!strcmp(argv[1], commands[i]->name))
			break;
	if (i == N_COMMANDS) {
		fprintf(stderr, "tlbsan: unknown command '%s' (try 'tlbsan help')\n", argv[1]);
		return EXIT_USAGE;
	}
	/* Handlers validate their arguments with nl == NULL first. */
	ret = commands[i]->handler(NULL, argc - 1, argv + 1);
	if (ret != EXIT_OK)
		return ret;
	ret = tlbsan_nl_open(&nl);
	if (ret != EXIT_OK)
		return ret;
	ret = commands[i]->handler(&nl, argc - 1, argv + 1);
	tlbsan_nl_close(&nl);
	return ret;
}
