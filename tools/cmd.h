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
extern const struct tlbsan_command tlbsan_cmd_monitor, tlbsan_cmd_report, tlbsan_cmd_sites,
	tlbsan_cmd_coverage;

/* Device options shared by attach and run. */
struct attach_opts {
	int pid;
	int model;
	long model_arg;		/* -1: none */
	long entries, ways, threads, pde;
	int pattern;
	int pri;		/* -1: default */
	bool quiet;		/* attach_request: print nothing on success */
	int pasid;		/* attach_request: the reply */
};

#define ATTACH_LONG_OPTIONS						\
	{ "model", required_argument, NULL, 'm' },			\
	{ "entries", required_argument, NULL, 'e' },			\
	{ "ways", required_argument, NULL, 'w' },			\
	{ "threads", required_argument, NULL, 't' },			\
	{ "pattern", required_argument, NULL, 'p' },			\
	{ "pri", required_argument, NULL, 'r' },			\
	{ "pde", required_argument, NULL, 'd' }

void attach_opts_init(struct attach_opts *o);
int attach_opt(int c, const char *optarg, struct attach_opts *o);
int attach_request(struct tlbsan_nl *nl, const struct attach_opts *o, int *pasid, bool quiet);

/* run.c */
extern const struct tlbsan_command tlbsan_cmd_run;
struct report_opts;
int follow_run(struct tlbsan_nl *nl, const struct attach_opts *o, const struct report_opts *ro);

/* Print "usage: tlbsan NAME ARGS" for @cmd and return EXIT_USAGE. */
int tlbsan_usage(const struct tlbsan_command *cmd);

#endif
