// SPDX-License-Identifier: GPL-2.0
/* attach, detach, stats: the device-context commands. */
#include <stdio.h>
#include <string.h>
#include "tlbsan.h"
#include "cmd.h"

static const char *const cb_names[__TLBSAN_CB_MAX] = {
	[TLBSAN_CB_RELEASE]			= "release",
	[TLBSAN_CB_CLEAR_FLUSH_YOUNG]		= "clear_flush_young",
	[TLBSAN_CB_CLEAR_YOUNG]			= "clear_young",
	[TLBSAN_CB_TEST_YOUNG]			= "test_young",
	[TLBSAN_CB_CHANGE_PTE]			= "change_pte",
	[TLBSAN_CB_INVALIDATE_RANGE_START]	= "invalidate_range_start",
	[TLBSAN_CB_INVALIDATE_RANGE_END]	= "invalidate_range_end",
	[TLBSAN_CB_INVALIDATE_RANGE]		= "invalidate_range",
	[TLBSAN_CB_ARCH_INVALIDATE_SECONDARY_TLBS] = "arch_invalidate_secondary_tlbs",
	[TLBSAN_CB_INVALIDATE_RANGE_START_NONBLOCK] = "invalidate_range_start_nonblock",
};

static const char *const event_names[__TLBSAN_EVENT_MAX] = {
	[TLBSAN_EVENT_UNMAP]		= "unmap",
	[TLBSAN_EVENT_CLEAR]		= "clear",
	[TLBSAN_EVENT_PROTECTION_VMA]	= "protection_vma",
	[TLBSAN_EVENT_PROTECTION_PAGE]	= "protection_page",
	[TLBSAN_EVENT_SOFT_DIRTY]	= "soft_dirty",
	[TLBSAN_EVENT_RELEASE]		= "release",
	[TLBSAN_EVENT_MIGRATE]		= "migrate",
	[TLBSAN_EVENT_EXCLUSIVE]	= "exclusive",
	[TLBSAN_EVENT_OTHER]		= "other",
};

/* Parse the single PID argument of attach/detach/stats. */
static int one_pid(const struct tlbsan_command *cmd, int argc, char **argv)
{
	if (argc != 1)
		return tlbsan_usage(cmd), -1;
	return tlbsan_parse_pid(argv[0]);
}

static int attach_reply(struct nl_msg *msg, void *arg)
{
	struct nlattr *tb[TLBSAN_ATTR_MAX + 1];

	(void)arg;
	if (tlbsan_nl_parse(msg, tb) || !tb[TLBSAN_ATTR_PID] || !tb[TLBSAN_ATTR_PASID]) {
		fprintf(stderr, "tlbsan: attach: malformed reply\n");
		return NL_STOP;
	}
	printf("attached pid %u pasid %u\n", nla_get_u32(tb[TLBSAN_ATTR_PID]),
	       nla_get_u32(tb[TLBSAN_ATTR_PASID]));
	return NL_OK;
}

static int do_attach(struct tlbsan_nl *nl, int argc, char **argv)
{
	int pid = one_pid(&tlbsan_cmd_attach, argc, argv);
	struct nl_msg *msg;

	if (pid < 0)
		return EXIT_USAGE;
	if (!nl)
		return EXIT_OK;
	msg = tlbsan_nl_msg(nl, TLBSAN_CMD_ATTACH, false);
	if (!msg || nla_put_u32(msg, TLBSAN_ATTR_PID, pid))
		return EXIT_FAIL;
	return tlbsan_nl_request(nl, msg, attach_reply, NULL, "attach") ? EXIT_FAIL : EXIT_OK;
}

static int do_detach(struct tlbsan_nl *nl, int argc, char **argv)
{
	int pid = one_pid(&tlbsan_cmd_detach, argc, argv);
	struct nl_msg *msg;

	if (pid < 0)
		return EXIT_USAGE;
	if (!nl)
		return EXIT_OK;
	msg = tlbsan_nl_msg(nl, TLBSAN_CMD_DETACH, false);
	if (!msg || nla_put_u32(msg, TLBSAN_ATTR_PID, pid))
		return EXIT_FAIL;
	if (tlbsan_nl_request(nl, msg, NULL, NULL, "detach"))
		return EXIT_FAIL;
	printf("detached pid %d\n", pid);
	return EXIT_OK;
}

static void print_nest(const char *prefix, struct nlattr *nest,
		       const char *const *names, int max)
{
	struct nlattr *a;
	int rem;

	if (!nest)
		return;
	nla_for_each_nested(a, nest, rem) {
		int t = nla_type(a);

		if (t < 1 || t > max || !names[t] || nla_len(a) != sizeof(uint64_t))
			continue;
		char name[64];

		snprintf(name, sizeof(name), "%s%s", prefix, names[t]);
		printf("  %-34s %llu\n", name, (unsigned long long)nla_get_u64(a));
	}
}

/*
 * Output: a header line per context, then one "name value" line per
 * counter.  Callbacks the running kernel does not offer are not listed.
 */
static int stats_reply(struct nl_msg *msg, void *arg)
{
	struct nlattr *tb[TLBSAN_ATTR_MAX + 1];
	int *n = arg;

	if (tlbsan_nl_parse(msg, tb) || !tb[TLBSAN_ATTR_PID] || !tb[TLBSAN_ATTR_PASID]) {
		fprintf(stderr, "tlbsan: stats: malformed reply\n");
		return NL_STOP;
	}
	printf("pid %u pasid %u comm %s%s\n", nla_get_u32(tb[TLBSAN_ATTR_PID]),
	       nla_get_u32(tb[TLBSAN_ATTR_PASID]),
	       tb[TLBSAN_ATTR_COMM] ? nla_get_string(tb[TLBSAN_ATTR_COMM]) : "?",
	       tb[TLBSAN_ATTR_RELEASED] ? " released" : "");
	print_nest("", tb[TLBSAN_ATTR_CALLBACKS], cb_names, TLBSAN_CB_MAX);
	print_nest("start.", tb[TLBSAN_ATTR_STARTS], event_names, TLBSAN_EVENT_MAX);
	print_nest("end.", tb[TLBSAN_ATTR_ENDS], event_names, TLBSAN_EVENT_MAX);
	(*n)++;
	return NL_OK;
}

static int do_stats(struct tlbsan_nl *nl, int argc, char **argv)
{
	struct nl_msg *msg;
	int pid = 0, n = 0;

	if (argc > 1)
		return tlbsan_usage(&tlbsan_cmd_stats);
	if (argc == 1) {
		pid = tlbsan_parse_pid(argv[0]);
		if (pid < 0)
			return EXIT_USAGE;
	}
	if (!nl)
		return EXIT_OK;
	msg = tlbsan_nl_msg(nl, TLBSAN_CMD_STATS, pid == 0);
	if (!msg || (pid && nla_put_u32(msg, TLBSAN_ATTR_PID, pid)))
		return EXIT_FAIL;
	if (tlbsan_nl_request(nl, msg, stats_reply, &n, "stats"))
		return EXIT_FAIL;
	if (!pid && !n)
		printf("no attached contexts\n");
	return EXIT_OK;
}

const struct tlbsan_command tlbsan_cmd_attach = {
	"attach", "PID", "attach a device context to PID's mm", do_attach,
};
const struct tlbsan_command tlbsan_cmd_detach = {
	"detach", "PID", "detach the device context from PID's mm", do_detach,
};
const struct tlbsan_command tlbsan_cmd_stats = {
	"stats", "[PID]", "show the counters of one context, or of all", do_stats,
};
