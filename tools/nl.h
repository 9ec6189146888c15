/* SPDX-License-Identifier: GPL-2.0 */
#ifndef TLBSAN_TOOLS_NL_H
#define TLBSAN_TOOLS_NL_H

#include <netlink/genl/genl.h>
#include <netlink/msg.h>
#include <stdbool.h>

/* Exit statuses shared by every command. */
enum {
	EXIT_OK = 0,
	EXIT_FAIL = 1,		/* the kernel refused or the request failed */
	EXIT_USAGE = 2,		/* bad usage, or the module is not loaded */
};

struct tlbsan_nl {
	struct nl_sock *sk;
	int family;
};

/* Called for each reply message; return NL_OK or NL_STOP. */
typedef int (*tlbsan_reply_fn)(struct nl_msg *msg, void *arg);

/* Returns EXIT_OK, or prints a one-line reason and returns EXIT_USAGE. */
int tlbsan_nl_open(struct tlbsan_nl *nl);
void tlbsan_nl_close(struct tlbsan_nl *nl);

/* Allocate a request for @cmd (NLM_F_DUMP when @dump). */
struct nl_msg *tlbsan_nl_msg(struct tlbsan_nl *nl, int cmd, bool dump);

/*
 * Send @msg (consumed), feed each reply to @fn, wait for the ack or the end
 * of the dump.  Returns 0 or a negative errno; on a kernel error, the
 * extended-ack message, if any, is printed after @what.
 */
int tlbsan_nl_request(struct tlbsan_nl *nl, struct nl_msg *msg,
		      tlbsan_reply_fn fn, void *arg, const char *what);

/* As tlbsan_nl_request(), printing nothing when @quiet. */
int tlbsan_nl_request_quiet(struct tlbsan_nl *nl, struct nl_msg *msg,
			    tlbsan_reply_fn fn, void *arg, const char *what, bool quiet);

/* Parse a reply's top-level attributes against the family's policy. */
int tlbsan_nl_parse(struct nl_msg *msg, struct nlattr **tb);

/* Parse a decimal or 0x-hex number in [min, max]; 0 or -1. */
int tlbsan_parse_u64(const char *s, unsigned long long min, unsigned long long max,
		     unsigned long long *v);

/*
 * A request for @cmd about an optional PID argument (argv[1]); a dump when
 * none is given and @dump_all.  *pid is 0 without one.  Returns NULL with
 * *ret set to EXIT_USAGE on a bad argument (usage printed by the caller
 * when *ret is EXIT_USAGE and nothing was printed), or when @nl is NULL
 * (argument check only) with *ret EXIT_OK.
 */
struct nl_msg *tlbsan_nl_pid_msg(struct tlbsan_nl *nl, int cmd, bool dump_all, int argc,
				 char **argv, int *pid, int *ret);

/* Parse a decimal pid (1..INT_MAX); prints the error and returns -1 if bad. */
int tlbsan_parse_pid(const char *s);

#endif
