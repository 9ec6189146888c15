/* SPDX-License-Identifier: GPL-2.0 */
#ifndef TLBSAN_TOOLS_CMD_H
#define TLBSAN_TOOLS_CMD_H

#include "nl.h"

/*
 * A CLI command.  Handlers get argv from the command name on (argv[0]) and
 * return an exit status (enum in nl.h); they print their own errors.  Each
 * is called first with nl == NULL to check its arguments, so usage errors
 * are found before the module is even looked up, then again to run.
 */
struct tlbsan_command {
	const char *name;
	const char *args;
	const char *help;
	int (*handler)(struct tlbsan_nl *nl, int argc, char **argv);
};

/* ctx.c */
extern const struct tlbsan_command tlbsan_cmd_attach, tlbsan_cmd_detach, tlbsan_cmd_stats;
/* dev.c */
extern const struct tlbsan_command tlbsan_cmd_access, tlbsan_cmd_buf_add, tlbsan_cmd_buf_clear,
	tlbsan_cmd_tlb;
/* report.c */
extern const struct tlbsan_command tlbsan_cmd_monitor, tlbsan_cmd_report, tlbsan_cmd_sites;

/* Print "usage: tlbsan NAME ARGS" for @cmd and return EXIT_USAGE. */
int tlbsan_usage(const struct tlbsan_command *cmd);

#endif
