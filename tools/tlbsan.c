// SPDX-License-Identifier: GPL-2.0
/*
 * tlbsan: command-line client of the tlbsan kernel module.  The commands
 * register themselves (TLBSAN_COMMAND, cmd.h); this is what they share:
 * options, --help, the PID, the socket and the request.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cmd.h"

#define MAX_OPTIONS 24
#define HELP_SHOWN (-1)		/* parse_args(): --help answered */

extern const struct tlbsan_command __start_tlbsan_cmds[], __stop_tlbsan_cmds[];

#define for_each_command(cmd) \
	for (cmd = __start_tlbsan_cmds; cmd < __stop_tlbsan_cmds; cmd++)

_Static_assert(sizeof(struct tlbsan_command) % sizeof(void *) == 0,
	       "descriptors must pack without padding in tlbsan_cmds");

int tlbsan_usage(const struct tlbsan_command *cmd)
{
	fprintf(stderr, "usage: tlbsan %s%s%s\n", cmd->name, *cmd->args ? " " : "", cmd->args);
	return EXIT_USAGE;
}

int tlbsan_send(struct tlbsan_call *c, tlbsan_reply_fn fn, void *arg)
{
	struct nl_msg *msg = c->msg;

	c->msg = NULL;
	return tlbsan_nl_request(c->nl, msg, fn, arg, c->cmd->name) ? EXIT_FAIL : EXIT_OK;
}

static int by_name(const void *a, const void *b)
{
	return strcmp((*(const struct tlbsan_command *const *)a)->name,
		      (*(const struct tlbsan_command *const *)b)->name);
}

/* The commands in the section, by name (the section holds them in build order). */
static void list_commands(FILE *f)
{
	const struct tlbsan_command *sorted[__stop_tlbsan_cmds - __start_tlbsan_cmds];
	const struct tlbsan_command *cmd;
	size_t i, n = 0;

	for_each_command(cmd)
		sorted[n++] = cmd;
	qsort(sorted, n, sizeof(sorted[0]), by_name);
	fprintf(f, "usage: tlbsan COMMAND [ARGS]   (tlbsan COMMAND --help: its usage)\n\n"
		"commands:\n");
	for (i = 0; i < n; i++) {
		fprintf(f, "  %-9s %s\n", sorted[i]->name, sorted[i]->help);
		if (*sorted[i]->args)
			fprintf(f, "            %s\n", sorted[i]->args);
	}
}

static int do_help(struct tlbsan_call *c)
{
	(void)c;
	list_commands(stdout);
	return EXIT_OK;
}

TLBSAN_COMMAND("help", "", "list the commands", 0, do_help);

/* Options, then the PID and the operands: EXIT_OK to go on, HELP_SHOWN, or EXIT_USAGE. */
static int parse_args(struct tlbsan_call *c, int argc, char **argv)
{
	const struct tlbsan_command *cmd = c->cmd;
	struct option lopts[MAX_OPTIONS + 2] = { { NULL, 0, NULL, 0 } };
	const struct option *o;
	int n = 0, opt, ret;

	for (o = cmd->options; o && o->name; o++) {
		if (n == MAX_OPTIONS) {
			fprintf(stderr, "tlbsan %s: more than %d options\n", cmd->name, MAX_OPTIONS);
			return EXIT_USAGE;
		}
		lopts[n++] = *o;
	}
	lopts[n] = (struct option){ "help", no_argument, NULL, 'h' };

	optind = 0;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "+:h", lopts, NULL)) != -1) {
		if (opt == 'h') {
			printf("usage: tlbsan %s%s%s\n%s\n", cmd->name, *cmd->args ? " " : "",
			       cmd->args, cmd->help);
			return HELP_SHOWN;
		}
		if (opt == '?' || opt == ':') {
			fprintf(stderr, "tlbsan %s: %s '%s' (see tlbsan %s --help)\n", cmd->name,
				opt == ':' ? "missing argument for" : "unrecognized option",
				argv[optind - 1], cmd->name);
			return EXIT_USAGE;
		}
		ret = cmd->parse(c, opt, optarg);
		if (ret != EXIT_OK)
			return ret;
	}
	argc -= optind;
	argv += optind;
	if ((cmd->flags & (CMD_PID | CMD_PID_OPT)) && argc) {
		c->pid = tlbsan_parse_pid(argv[0]);
		if (c->pid < 0)
			return EXIT_USAGE;
		argc--;
		argv++;
	} else if (cmd->flags & CMD_PID) {
		return tlbsan_usage(cmd);
	}
	if (argc && !(cmd->flags & CMD_ARGS))
		return tlbsan_usage(cmd);
	c->argc = argc;
	c->argv = argv;
	return cmd->parse ? cmd->parse(c, 0, NULL) : EXIT_OK;
}

static int call(const struct tlbsan_command *cmd, int argc, char **argv)
{
	struct tlbsan_call c = { .cmd = cmd };
	struct tlbsan_nl nl;
	bool dump;
	int ret;

	ret = parse_args(&c, argc, argv);
	if (ret != EXIT_OK)
		return ret == HELP_SHOWN ? EXIT_OK : ret;
	if (cmd->flags & CMD_NL) {
		ret = tlbsan_nl_open(&nl);
		if (ret != EXIT_OK)
			return ret;
		c.nl = &nl;
	}
	if (c.nl && cmd->request) {
		dump = (cmd->flags & CMD_DUMP) || ((cmd->flags & CMD_DUMP_ALL) && !c.pid);
		c.msg = tlbsan_nl_pid_msg(&nl, cmd->request, dump, c.pid);
		if (!c.msg) {
			fprintf(stderr, "tlbsan: %s: cannot build the request\n", cmd->name);
			ret = EXIT_FAIL;
		}
	}
	if (ret == EXIT_OK)
		ret = cmd->handler(&c);
	if (c.msg)
		nlmsg_free(c.msg);
	if (c.nl)
		tlbsan_nl_close(&nl);
	return ret;
}

int main(int argc, char **argv)
{
	const struct tlbsan_command *cmd;

	if (argc < 2) {
		list_commands(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		list_commands(stdout);
		return EXIT_OK;
	}
	for_each_command(cmd)
		if (!strcmp(argv[1], cmd->name))
			return call(cmd, argc - 1, argv + 1);
	fprintf(stderr, "tlbsan: unknown command '%s' (try 'tlbsan help')\n", argv[1]);
	return EXIT_USAGE;
}
