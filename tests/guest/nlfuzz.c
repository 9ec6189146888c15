// SPDX-License-Identifier: GPL-2.0
/*
 * nlfuzz: random and mutated requests to the tlbsan generic netlink family.
 *
 *   nlfuzz [--seed N] [--count N] [--target PID]...
 *
 * Half the messages are well-formed (a valid command and version, a
 * target's PID, attributes of the right types, random flags); the others
 * are a random command (valid ones mostly, some past the end) with random
 * flags (request, ack, dump) and up to eight attributes: most well-formed
 * for their policy type with values biased to the interesting
 * (the target PIDs, a PID that just exited, 0, all ones, boundaries), the
 * rest random bytes of a random length, nests of either, and mutations of
 * the attribute headers (lengths past the message, zero, odd).  PIDs are
 * only ever the targets, the exited child, or numbers no process has: the
 * fuzzer must not make the device write into the guest's own processes.
 *
 * Replies are drained without blocking; a dump is abandoned half-read now
 * and then by closing the socket.  Prints "sent N in S s (R/s), errors E,
 * reopened D".  Exit 0, or 2 on a usage or setup error: whether the module
 * survived is for the caller to check.
 */
#include <errno.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "tlbsan.h"
#include "tlbsan_policy.h"

#define MSG_MAX		2048
#define TARGETS_MAX	8

enum { T_NONE, T_U8, T_U16, T_U32, T_U64, T_STRING, T_FLAG, T_NESTED };
#define TLBSAN_POL(t, c, lo, hi)	T_##t
static const int attr_type[TLBSAN_ATTR_MAX + 1] = TLBSAN_POLICY;

static uint64_t rng;
static int targets[TARGETS_MAX], nr_targets;
static int gone_pid;
/* This message is well-formed: valid types, no mutation, a target's PID. */
static bool sane;

static uint64_t rnd(void)
{
	/* xorshift64* */
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 2685821657736338717ULL;
}

static unsigned int below(unsigned int n)
{
	return n ? rnd() % n : 0;
}

static uint64_t interesting(void)
{
	static const uint64_t v[] = {
		0, 1, 2, 3, 4, 7, 8, 15, 16, 17, 255, 256, 4095, 4096, 0x7fffffff,
		0x80000000, 0xffffffff, 0x100000000ULL, 0x7ffffffff000ULL,
		0x800000000000ULL, ~0ULL, ~0ULL - 4095,
	};

	switch (below(4)) {
	case 0:
		return v[below(sizeof(v) / sizeof(v[0]))];
	case 1:
		return rnd();
	case 2:
		return below(TLBSAN_MODEL_MAX + 3);
	default:
		return 0x7f0000000000ULL + (rnd() & 0xffffffffff000ULL);
	}
}

/* A PID no process of the guest has, the targets, or one that exited. */
static uint32_t pid_value(void)
{
	if (sane && nr_targets)
		return targets[below(nr_targets)];
	switch (below(5)) {
	case 0:
	case 1:
		return nr_targets ? targets[below(nr_targets)] : 0;
	case 2:
		return gone_pid;
	case 3:
		return 4000000 + below(1000000);
	default:
		return below(2) ? 0 : 0xffffffff;
	}
}

struct buf {
	unsigned char b[MSG_MAX];
	size_t len;
};

static int put(struct buf *m, const void *p, size_t n)
{
	if (m->len + NLMSG_ALIGN(n) > sizeof(m->b))
		return -1;
	memcpy(m->b + m->len, p, n);
	memset(m->b + m->len + n, 0, NLMSG_ALIGN(n) - n);
	m->len += NLMSG_ALIGN(n);
	return 0;
}

static void put_attr(struct buf *m, int depth);

/* One attribute: header, then a payload for its type or random bytes. */
static void put_one(struct buf *m, int type, int depth)
{
	unsigned char payload[96];
	size_t start = m->len, n = 0;
	struct nlattr h = { .nla_type = type };
	uint64_t v = type == TLBSAN_ATTR_PID ? pid_value() : interesting();
	int kind = type <= TLBSAN_ATTR_MAX ? attr_type[type] : T_NONE;

	if (!sane && below(8) == 0)
		kind = T_NONE;
	if (put(m, &h, sizeof(h)))
		return;
	switch (kind) {
	case T_U8:
		payload[0] = v;
		n = 1;
		break;
	case T_U16:
	case T_U32:
		memcpy(payload, &v, 4);
		n = kind == T_U16 ? 2 : 4;
		break;
	case T_U64:
		memcpy(payload, &v, 8);
		n = 8;
		break;
	case T_STRING:
		n = below(20);
		for (size_t i = 0; i < n; i++)
			payload[i] = 'a' + below(26);
		payload[n++] = below(4) ? 0 : 'x';
		break;
	case T_FLAG:
		break;
	case T_NESTED:
		if (depth < 2) {
			for (int i = below(4); i > 0; i--)
				put_attr(m, depth + 1);
		}
		break;
	default:
		n = below(sizeof(payload));
		for (size_t i = 0; i < n; i++)
			payload[i] = rnd();
		break;
	}
	if (n && put(m, payload, n)) {
		m->len = start;
		return;
	}
	h.nla_len = m->len - start - (NLMSG_ALIGN(n) - n);
	if (kind == T_NESTED && below(2))
		h.nla_type |= NLA_F_NESTED;
	switch (sane ? -1 : (int)below(40)) {
	case 0:
		h.nla_len = 0;
		break;
	case 1:
		h.nla_len += 1 + below(64);	/* past its end, maybe past the message */
		break;
	case 2:
		h.nla_len = 3;
		break;
	case 3:
		h.nla_type = rnd();
		break;
	}
	memcpy(m->b + start, &h, sizeof(h));
}

static void put_attr(struct buf *m, int depth)
{
	int type = below(10) || sane ? 2 + below(TLBSAN_ATTR_MAX - 1) : below(0xffff);

	put_one(m, type, depth);
}

static int open_sock(void)
{
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	int one = 1;
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };

	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		perror("nlfuzz: netlink socket");
		exit(2);
	}
	setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	return fd;
}

/* The family id, from the generic netlink controller. */
static int family_id(int fd)
{
	struct {
		struct nlmsghdr n;
		struct genlmsghdr g;
		unsigned char a[64];
	} req = {
		.n.nlmsg_type = GENL_ID_CTRL,
		.n.nlmsg_flags = NLM_F_REQUEST,
		.g.cmd = CTRL_CMD_GETFAMILY,
		.g.version = 1,
	};
	struct nlattr *na = (struct nlattr *)req.a;
	unsigned char reply[4096];
	struct nlmsghdr *nh = (struct nlmsghdr *)reply;
	ssize_t len;

	na->nla_type = CTRL_ATTR_FAMILY_NAME;
	na->nla_len = NLA_HDRLEN + sizeof(TLBSAN_FAMILY_NAME);
	memcpy(req.a + NLA_HDRLEN, TLBSAN_FAMILY_NAME, sizeof(TLBSAN_FAMILY_NAME));
	req.n.nlmsg_len = NLMSG_LENGTH(GENL_HDRLEN) + NLA_ALIGN(na->nla_len);
	if (send(fd, &req, req.n.nlmsg_len, 0) < 0)
		return -1;
	len = recv(fd, reply, sizeof(reply), 0);
	if (len < (ssize_t)NLMSG_HDRLEN || nh->nlmsg_type == NLMSG_ERROR)
		return -1;
	for (size_t off = NLMSG_LENGTH(GENL_HDRLEN); off + NLA_HDRLEN <= nh->nlmsg_len;) {
		na = (struct nlattr *)(reply + off);
		if (na->nla_len < NLA_HDRLEN)
			break;
		if ((na->nla_type & NLA_TYPE_MASK) == CTRL_ATTR_FAMILY_ID)
			return *(uint16_t *)((unsigned char *)na + NLA_HDRLEN);
		off += NLA_ALIGN(na->nla_len);
	}
	return -1;
}

/* Read whatever has arrived; returns the error acks seen. */
static unsigned long drain(int fd)
{
	unsigned char b[16384];
	unsigned long errors = 0;
	ssize_t len;

	while ((len = recv(fd, b, sizeof(b), MSG_DONTWAIT)) > 0) {
		for (struct nlmsghdr *nh = (struct nlmsghdr *)b; NLMSG_OK(nh, len);
		     nh = NLMSG_NEXT(nh, len))
			if (nh->nlmsg_type == NLMSG_ERROR &&
			    ((struct nlmsgerr *)NLMSG_DATA(nh))->error)
				errors++;
	}
	return errors;
}

/* A child that exits at once: its PID is one that has just gone. */
static void refresh_gone_pid(void)
{
	pid_t p = fork();

	if (p == 0)
		_exit(0);
	if (p > 0) {
		waitpid(p, NULL, 0);
		gone_pid = p;
	}
}

int main(int argc, char **argv)
{
	unsigned long count = 100000, sent = 0, errors = 0, reopened = 0;
	unsigned long long seed = 1;
	struct timespec t0, t1;
	int fd, fam, i;
	double secs;

	for (i = 1; i < argc; i++) {
		char *end;

		if (i + 1 < argc && !strcmp(argv[i], "--seed")) {
			seed = strtoull(argv[++i], &end, 0);
		} else if (i + 1 < argc && !strcmp(argv[i], "--count")) {
			count = strtoul(argv[++i], &end, 0);
		} else if (i + 1 < argc && !strcmp(argv[i], "--target") && nr_targets < TARGETS_MAX) {
			targets[nr_targets++] = strtol(argv[++i], &end, 0);
		} else {
			fprintf(stderr, "usage: nlfuzz [--seed N] [--count N] [--target PID]...\n");
			return 2;
		}
		if (*end) {
			fprintf(stderr, "nlfuzz: bad number '%s'\n", argv[i]);
			return 2;
		}
	}
	rng = seed * 0x9e3779b97f4a7c15ULL + 1;
	fd = open_sock();
	fam = family_id(fd);
	if (fam < 0) {
		fprintf(stderr, "nlfuzz: no '%s' family (module not loaded?)\n", TLBSAN_FAMILY_NAME);
		return 2;
	}
	refresh_gone_pid();
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (sent = 0; sent < count; sent++) {
		struct buf m = { .len = NLMSG_HDRLEN };
		struct nlmsghdr *nh = (struct nlmsghdr *)m.b;
		struct genlmsghdr g = {
			.cmd = below(8) ? 1 + below(TLBSAN_CMD_MAX) : below(256),
			.version = below(16) ? TLBSAN_FAMILY_VERSION : below(256),
		};

		sane = below(2);
		if (sane) {
			g.cmd = 1 + below(TLBSAN_CMD_MAX);
			g.version = TLBSAN_FAMILY_VERSION;
		}
		put(&m, &g, sizeof(g));
		if (sane)
			put_one(&m, TLBSAN_ATTR_PID, 0);
		for (int k = below(sane ? 4 : 9); k > 0; k--)
			put_attr(&m, 0);
		nh->nlmsg_len = m.len;
		/* Other families are not ours to fuzz: only netlink's own types. */
		nh->nlmsg_type = below(64) ? (unsigned int)fam : below(NLMSG_MIN_TYPE);
		nh->nlmsg_flags = NLM_F_REQUEST | (below(2) ? NLM_F_ACK : 0) |
				  (below(3) ? 0 : NLM_F_DUMP);
		nh->nlmsg_seq = sent;
		if (!sane && below(50) == 0)
			nh->nlmsg_len = NLMSG_HDRLEN + below(m.len);	/* truncated */
		if (send(fd, m.b, m.len, 0) < 0 && errno != ENOBUFS && errno != EAGAIN) {
			perror("nlfuzz: send");
			return 2;
		}
		errors += drain(fd);
		if (below(500) == 0) {
			/* Leave whatever dump is in progress unread. */
			close(fd);
			fd = open_sock();
			reopened++;
		}
		if (below(2000) == 0)
			refresh_gone_pid();
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	errors += drain(fd);
	close(fd);
	secs = (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
	printf("sent %lu in %.1f s (%.0f/s), errors %lu, reopened %lu\n",
	       sent, secs, secs > 0 ? sent / secs : 0.0, errors, reopened);
	return 0;
}
