/* SPDX-License-Identifier: GPL-2.0 */
#ifndef TLBSAN_TOOLS_CMD_H
#define TLBSAN_TOOLS_CMD_H

#include <getopt.h>
#include "nl.h"

/*
 * Commands register themselves: each file that implements a command places
 * its descriptor with TLBSAN_COMMAND() in the tlbsan_cmds section, and the
 * core (tlbsan.c) finds them there.  Adding a command touches nothing else.
 *
 * Before the handler runs, the core does, in this order:
 *  1. options: getopt_long() over .options and --help/-h, stopping at the
 *     first operand or "--".  --help prints the usage on stdout and exits
 *     0; an unknown option or a missing argument is one line on stderr and
 *     exit 2.  Each option found goes to .parse(c, its code, its argument).
 *  2. PID: with CMD_PID the first operand must be a pid, with CMD_PID_OPT
 *     it may be one; it lands in c->pid (0 if none).  The operands after it
 *     are c->argc/c->argv; without CMD_ARGS there must be none.  Then
 *     .parse(c, 0, NULL) is called: options done, operands to check.
 *  3. with CMD_NL, the netlink socket c->nl is opened (exit 2 when the
 *     module is not loaded), and with .request, c->msg is a request for
 *     that TLBSAN_CMD_* carrying c->pid when there is one (a dump with
 *     CMD_DUMP, or with CMD_DUMP_ALL when there is no pid).
 * So usage errors never need the module, and a handler runs exactly once.
 *
 * .parse returns EXIT_OK, or EXIT_USAGE having printed why; what it parsed
 * it keeps in its file's own state for the handler.  Option code 'h' is the
 * core's.
 *
 * .handler sends c->msg with tlbsan_send() (the core frees it otherwise),
 * prints its own output and errors, and returns tlbsan's exit status:
 *   EXIT_OK    (0) done;
 *   EXIT_FAIL  (1) the kernel refused the request (its extended-ack message
 *                  printed), or an access did not end with status=ok, or
 *                  for monitor, report and run: a violation was seen;
 *   EXIT_USAGE (2) a usage or setup error.
 * run alone returns its command's status instead of EXIT_OK.
 */
struct tlbsan_call;

struct tlbsan_command {
	const char *name;
	const char *args;		/* usage after the name */
	const char *help;		/* one line */
	unsigned int flags;		/* CMD_* below */
	int (*handler)(struct tlbsan_call *c);
	int request;			/* TLBSAN_CMD_* the core builds; 0: none */
	const struct option *options;	/* long options, { NULL } ended; NULL: none */
	int (*parse)(struct tlbsan_call *c, int opt, const char *arg);
};

enum {
	CMD_NL		= 1 << 0,	/* needs the netlink socket */
	CMD_PID		= 1 << 1,	/* a PID operand */
	CMD_PID_OPT	= 1 << 2,	/* an optional PID operand */
	CMD_ARGS	= 1 << 3,	/* more operands, checked by .parse */
	CMD_DUMP	= 1 << 4,	/* .request is a dump */
	CMD_DUMP_ALL	= 1 << 5,	/* .request is a dump of all when no PID */
};

/* One call of a command, as the core hands it to .parse and .handler. */
struct tlbsan_call {
	const struct tlbsan_command *cmd;
	int argc;			/* operands after the options and the PID */
	char **argv;
	int pid;			/* CMD_PID, CMD_PID_OPT: the pid, or 0 */
	struct tlbsan_nl *nl;		/* CMD_NL: open */
	struct nl_msg *msg;		/* .request: the request, not sent yet */
};

/*
 * TLBSAN_COMMAND(name, args, help, flags, handler[, .request = ...,
 * .options = ..., .parse = ...]): register a command.
 */
#define TLBSAN_COMMAND(_name, _args, _help, _flags, _handler, ...)		\
	static const struct tlbsan_command tlbsan_command_##_handler		\
	__attribute__((used, section("tlbsan_cmds"), aligned(sizeof(void *)))) = { \
		.name = _name, .args = _args, .help = _help, .flags = _flags,	\
		.handler = _handler, __VA_ARGS__				\
	}

/* Print "usage: tlbsan NAME ARGS" on stderr; returns EXIT_USAGE. */
int tlbsan_usage(const struct tlbsan_command *cmd);

/* Send c->msg, feed each reply to @fn; EXIT_OK, or EXIT_FAIL (printed). */
int tlbsan_send(struct tlbsan_call *c, tlbsan_reply_fn fn, void *arg);

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

#define ATTACH_OPTS_INIT						\
	{ .model_arg = -1, .entries = -1, .ways = -1, .threads = -1,	\
	  .pde = -1, .pri = -1 }

#define ATTACH_LONG_OPTIONS						\
	{ "model", required_argument, NULL, 'm' },			\
	{ "entries", required_argument, NULL, 'e' },			\
	{ "ways", required_argument, NULL, 'w' },			\
	{ "threads", required_argument, NULL, 't' },			\
	{ "pattern", required_argument, NULL, 'p' },			\
	{ "pri", required_argument, NULL, 'r' },			\
	{ "pde", required_argument, NULL, 'd' }

/* ctx.c */
int attach_opt(int c, const char *optarg, struct attach_opts *o);
int attach_request(struct tlbsan_nl *nl, const struct attach_opts *o, int *pasid, bool quiet);

/* run.c */
struct report_opts;
int follow_run(struct tlbsan_nl *nl, const struct attach_opts *o, const struct report_opts *ro);

#endif
