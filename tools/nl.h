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

/* A request for @cmd (NLM_F_DUMP when @dump) about @pid (none when 0). */
struct nl_msg *tlbsan_nl_pid_msg(struct tlbsan_nl *nl, int cmd, bool dump, int pid);

/*
 * Join the reports multicast group and hand every message the kernel sends
 * on @nl from then on to @fn (unsolicited: no sequence check).  0, or -1
 * with the reason printed after @what.
 */
int tlbsan_nl_join_reports(struct tlbsan_nl *nl, tlbsan_reply_fn fn, void *arg,
			   const char *what);

/* Parse a decimal pid (1..INT_MAX); prints the error and returns -1 if bad. */
int tlbsan_parse_pid(const char *s);

#endif
