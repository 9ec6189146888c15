// SPDX-License-Identifier: GPL-2.0
/* libnl-genl-3 plumbing for the tlbsan CLI: one request routine for all. */
#include <errno.h>
#include <limits.h>
#include <linux/netlink.h>
#include <netlink/genl/ctrl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include "tlbsan.h"
#include "tlbsan_policy.h"
#include "nl.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

int tlbsan_nl_open(struct tlbsan_nl *nl)
{
	int one = 1;

	nl->sk = nl_socket_alloc();
	if (!nl->sk) {
		fprintf(stderr, "tlbsan: cannot allocate a netlink socket\n");
		return EXIT_USAGE;
	}
	if (genl_connect(nl->sk)) {
		fprintf(stderr, "tlbsan: cannot connect to generic netlink\n");
		goto fail;
	}
	/* Ask for the kernel's extended-ack messages, without the echoed request. */
	setsockopt(nl_socket_get_fd(nl->sk), SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	setsockopt(nl_socket_get_fd(nl->sk), SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
	nl->family = genl_ctrl_resolve(nl->sk, TLBSAN_FAMILY_NAME);
	if (nl->family < 0) {
		fprintf(stderr, "tlbsan: the tlbsan module is not loaded (no generic netlink family '%s')\n",
			TLBSAN_FAMILY_NAME);
		goto fail;
	}
	return EXIT_OK;
fail:
	nl_socket_free(nl->sk);
	nl->sk = NULL;
	return EXIT_USAGE;
}

void tlbsan_nl_close(struct tlbsan_nl *nl)
{
	nl_socket_free(nl->sk);
	nl->sk = NULL;
}

struct nl_msg *tlbsan_nl_msg(struct tlbsan_nl *nl, int cmd, bool dump)
{
	struct nl_msg *msg = nlmsg_alloc();

	if (!msg)
		return NULL;
	if (!genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, nl->family, 0,
			 dump ? NLM_F_DUMP : 0, cmd, TLBSAN_FAMILY_VERSION)) {
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
}

struct request {
	tlbsan_reply_fn fn;
	void *arg;
	const char *what;
	int err;
	bool done;
	bool quiet;
};

/* Print the kernel's error and its extended-ack message, if it sent one. */
static int on_error(struct sockaddr_nl *nla, struct nlmsgerr *e, void *arg)
{
	struct nlmsghdr *nlh = (struct nlmsghdr *)e - 1;
	struct request *req = arg;
	const char *text = NULL;
	size_t off;

	(void)nla;
	req->err = e->error;
	req->done = true;
	if (nlh->nlmsg_flags & NLM_F_ACK_TLVS) {
		/* TLVs follow the error and, unless capped, the echoed request. */
		off = NLMSG_HDRLEN + sizeof(*e);
		if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
			off += e->msg.nlmsg_len - NLMSG_HDRLEN;
		if (nlh->nlmsg_len > off) {
			struct nlattr *tb[NLMSGERR_ATTR_MAX + 1];

			if (!nla_parse(tb, NLMSGERR_ATTR_MAX,
				       (struct nlattr *)((char *)nlh + off),
				       nlh->nlmsg_len - off, NULL) &&
			    tb[NLMSGERR_ATTR_MSG])
				text = nla_get_string(tb[NLMSGERR_ATTR_MSG]);
		}
	}
	if (e->error && !req->quiet)
		fprintf(stderr, "tlbsan: %s: %s%s%s\n", req->what, strerror(-e->error),
			text ? ": " : "", text ? text : "");
	return NL_STOP;
}

static int on_finish(struct nl_msg *msg, void *arg)
{
	struct request *req = arg;

	(void)msg;
	req->done = true;
	return NL_STOP;
}

static int on_valid(struct nl_msg *msg, void *arg)
{
	struct request *req = arg;

	return req->fn ? req->fn(msg, req->arg) : NL_OK;
}

int tlbsan_nl_request(struct tlbsan_nl *nl, struct nl_msg *msg,
		      tlbsan_reply_fn fn, void *arg, const char *what)
{
	return tlbsan_nl_request_quiet(nl, msg, fn, arg, what, false);
}

int tlbsan_nl_request_quiet(struct tlbsan_nl *nl, struct nl_msg *msg,
			    tlbsan_reply_fn fn, void *arg, const char *what, bool quiet)
{
	struct request req = { .fn = fn, .arg = arg, .what = what, .quiet = quiet };
	struct nl_cb *cb = nl_cb_alloc(NL_CB_DEFAULT);
	int ret;

	if (!cb) {
		nlmsg_free(msg);
		return -ENOMEM;
	}
	nlmsg_hdr(msg)->nlmsg_flags |= NLM_F_ACK;
	nl_cb_err(cb, NL_CB_CUSTOM, on_error, &req);
	nl_cb_set(cb, NL_CB_FINISH, NL_CB_CUSTOM, on_finish, &req);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, on_finish, &req);
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, on_valid, &req);

	ret = nl_send_auto(nl->sk, msg);
	nlmsg_free(msg);
	if (ret < 0) {
		fprintf(stderr, "tlbsan: %s: cannot send: %s\n", what, nl_geterror(ret));
		nl_cb_put(cb);
		return -EIO;
	}
	while (!req.done) {
		ret = nl_recvmsgs(nl->sk, cb);
		if (ret < 0 && !req.done) {
			fprintf(stderr, "tlbsan: %s: %s\n", what, nl_geterror(ret));
			req.err = -EIO;
			break;
		}
	}
	nl_cb_put(cb);
	return req.err;
}

/* Replies are parsed by type alone: the module decides what it accepts. */
#define TLBSAN_POL(t, c, lo, hi)	{ .type = NLA_##t }

static struct nla_policy tlbsan_policy[TLBSAN_ATTR_MAX + 1] = TLBSAN_POLICY;

int tlbsan_nl_parse(struct nl_msg *msg, struct nlattr **tb)
{
	return genlmsg_parse(nlmsg_hdr(msg), 0, tb, TLBSAN_ATTR_MAX, tlbsan_policy);
}

struct nl_msg *tlbsan_nl_pid_msg(struct tlbsan_nl *nl, int cmd, bool dump, int pid)
{
	struct nl_msg *msg = tlbsan_nl_msg(nl, cmd, dump);

	if (msg && pid && nla_put_u32(msg, TLBSAN_ATTR_PID, pid)) {
		nlmsg_free(msg);
		msg = NULL;
	}
	return msg;
}

int tlbsan_nl_join_reports(struct tlbsan_nl *nl, tlbsan_reply_fn fn, void *arg,
			   const char *what)
{
	int grp = genl_ctrl_resolve_grp(nl->sk, TLBSAN_FAMILY_NAME, TLBSAN_MCGRP_REPORTS);
	int err = grp < 0 ? grp : nl_socket_add_membership(nl->sk, grp);

	if (err) {
		fprintf(stderr, "tlbsan: %s: cannot join the '%s' group: %s (needs CAP_NET_ADMIN and CAP_SYS_ADMIN)\n",
			what, TLBSAN_MCGRP_REPORTS, nl_geterror(err));
		return -1;
	}
	nl_socket_disable_seq_check(nl->sk);
	nl_socket_modify_cb(nl->sk, NL_CB_VALID, NL_CB_CUSTOM, fn, arg);
	return 0;
}

int tlbsan_parse_u64(const char *s, unsigned long long min, unsigned long long max,
		     unsigned long long *v)
{
	char *end;

	if (!*s || *s == '-' || *s == '+')
		return -1;
	errno = 0;
	*v = strtoull(s, &end, 0);
	return errno || *end || *v < min || *v > max ? -1 : 0;
}

int tlbsan_parse_pid(const char *s)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < 1 || v > INT_MAX) {
		fprintf(stderr, "tlbsan: invalid pid '%s' (expected a positive decimal number)\n", s);
		return -1;
	}
	return (int)v;
}
