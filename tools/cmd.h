/* SPDX-License-Identifier: GPL-2.0 */
#ifndef TLBSAN_TOOLS_CMD_H
#define TLBSAN_TOOLS_CMD_H

#include "nl.h"

/*
 * A CLI command.  Handlers get the arguments after the command name and
 * return an exit status (enum in nl.h); they print their own errors.
 * Usage errors are detected before anything is sent to the kernel.
 */
struct tlbsan_command {
	const char *name;
	const char *args;
	const char *help;
	int (*handler)(struct tlbsan_nl *nl, int argc, char **argv);
};

/* ctx.c */
extern const struct tlbsan_command tlbsan_cmd_attach, tlbsan_cmd_detach, tlbsan_cmd_stats;

/* Print "usage: tlbsan NAME ARGS" for @cmd and return EXIT_USAGE. */
int tlbsan_usage(const struct tlbsan_command *cmd);

#endif
