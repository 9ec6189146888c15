// SPDX-License-Identifier: GPL-2.0
/* attach, detach, stats: the device-context commands. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cmd.h"
#include "names.h"
#include "report.h"


/* Parse "hw", "sw", "end-only", "lazy:US", "drop:EVENT", "none". */
static int parse_model(const char *s, struct attach_opts *o)
{
	const char *colon = strchr(s, ':');
	size_t len = colon ? (size_t)(colon - s) : strlen(s);
	char name[16];

	if (len >= sizeof(name))
		goto bad;
	memcpy(name, s, len);
	name[len] = 0;
	o->model = tlbsan_name_index(tlbsan_model_names, __TLBSAN_MODEL_MAX, name);
	if (!o->model)
		goto bad;
	if (o->model == TLBSAN_MODEL_LAZY) {
		if (!colon || tlbsan_parse_u64(colon + 1, 1, 1000000, (unsigned long long *)&o->model_arg))
			goto bad;
	} else if (o->model == TLBSAN_MODEL_DROP) {
		o->model_arg = colon ? tlbsan_name_index(tlbsan_event_names, __TLBSAN_EVENT_MAX,
							 colon + 1) : 0;
		if (!o->model_arg)
			goto bad;
	} else if (colon) {
		goto bad;
	}
	return 0;
bad:
	fprintf(stderr, "tlbsan: invalid model '%s' (hw, sw, end-only, lazy:US, drop:EVENT, none;"
		" EVENT is unmap, clear, protection_vma, protection_page, soft_dirty,"
		" release, migrate, exclusive or other)\n", s);
	return -1;
}

/* One device option (getopt code @c, see ATTACH_LONG_OPTIONS); 0, -1 bad, 1 not ours. */
int attach_opt(int c, const char *optarg, struct attach_opts *o)
{
	unsigned long long v;

	switch (c) {
	case 'm':
		return parse_model(optarg, o);
	case 'e':
	case 'w':
	case 't':
	case 'd':
		if (tlbsan_parse_u64(optarg, c == 'd' ? 0 : 1, 65536, &v)) {
			fprintf(stderr, "tlbsan: invalid number '%s' for --%s\n", optarg,
				c == 'e' ? "entries" : c == 'w' ? "ways" :
				c == 't' ? "threads" : "pde");
			return -1;
		}
		*(c == 'e' ? &o->entries : c == 'w' ? &o->ways :
		  c == 't' ? &o->threads : &o->pde) = (long)v;
		return 0;
	case 'p':
		o->pattern = tlbsan_name_index(tlbsan_pattern_names, __TLBSAN_PATTERN_MAX, optarg);
		if (!o->pattern) {
			fprintf(stderr, "tlbsan: invalid pattern '%s' (buffers or sample)\n", optarg);
			return -1;
		}
		return 0;
	case 'r':
		if (strcmp(optarg, "on") && strcmp(optarg, "off")) {
			fprintf(stderr, "tlbsan: invalid --pri '%s' (on or off)\n", optarg);
			return -1;
		}
		o->pri = !strcmp(optarg, "on");
		return 0;
	}
	return 1;
}

/* attach's options; then --json and --fail-on only with --follow. */
static struct {
	struct attach_opts o;
	struct report_opts ro;
	bool follow;
} at = { .o = ATTACH_OPTS_INIT, .ro = { .fail_mask = TLBSAN_CLASS_VIOLATIONS } };

static int attach_parse(struct tlbsan_call *c, int opt, const char *arg)
{
	int ret;

	if (!opt) {
		if (!at.follow && (at.ro.json || at.ro.fail_mask != TLBSAN_CLASS_VIOLATIONS)) {
			fprintf(stderr, "tlbsan: --json and --fail-on go with --follow\n");
			return EXIT_USAGE;
		}
		at.o.pid = c->pid;
		return EXIT_OK;
	}
	ret = attach_opt(opt, arg, &at.o);
	if (ret <= 0)
		return ret ? EXIT_USAGE : EXIT_OK;
	if (opt == 'F')
		at.follow = true;
	else if (opt == 'j')
		at.ro.json = true;
	else if (report_parse_fail_on(arg, &at.ro.fail_mask))
		return EXIT_USAGE;
	return EXIT_OK;
}

static int attach_reply(struct nl_msg *msg, void *arg)
{
	struct nlattr *tb[TLBSAN_ATTR_MAX + 1];
	struct attach_opts *q = arg;

	if (tlbsan_nl_parse(msg, tb) || !tb[TLBSAN_ATTR_PID] || !tb[TLBSAN_ATTR_PASID]) {
		fprintf(stderr, "tlbsan: attach: malformed reply\n");
		return NL_STOP;
	}
	q->pasid = nla_get_u32(tb[TLBSAN_ATTR_PASID]);
	if (!q->quiet)
		printf("attached pid %u pasid %u\n", nla_get_u32(tb[TLBSAN_ATTR_PID]), q->pasid);
	return NL_OK;
}

static int pasid_reply(struct nl_msg *msg, void *arg)
{
	struct nlattr *tb[TLBSAN_ATTR_MAX + 1];

	if (!tlbsan_nl_parse(msg, tb) && tb[TLBSAN_ATTR_PASID])
		*(int *)arg = nla_get_u32(tb[TLBSAN_ATTR_PASID]);
	return NL_OK;
}

/* After EEXIST: name the context that already holds PID's mm. */
static void print_existing(struct tlbsan_nl *nl, int pid)
{
	struct nl_msg *msg = tlbsan_nl_pid_msg(nl, TLBSAN_CMD_STATS, false, pid);
	int pasid = 0;

	if (!msg)
		return;
	if (!tlbsan_nl_request(nl, msg, pasid_reply, &pasid, "stats") && pasid)
		fprintf(stderr, "tlbsan: attach: pid %d's mm is already attached as pasid %d\n",
			pid, pasid);
}

/* Send ATTACH for @o; 0 or -errno; *pasid set on success (if non-NULL). */
int attach_request(struct tlbsan_nl *nl, const struct attach_opts *o, int *pasid, bool quiet)
{
	struct attach_opts q = *o;
	struct nl_msg *msg;
	int bad = 0, err;

	msg = tlbsan_nl_pid_msg(nl, TLBSAN_CMD_ATTACH, false, q.pid);
	if (!msg)
		return -ENOMEM;
	if (q.model)
		bad |= nla_put_u32(msg, TLBSAN_ATTR_MODEL, q.model);
	if (q.model_arg >= 0)
		bad |= nla_put_u32(msg, TLBSAN_ATTR_MODEL_ARG, q.model_arg);
	if (q.entries >= 0)
		bad |= nla_put_u32(msg, TLBSAN_ATTR_TLB_ENTRIES, q.entries);
	if (q.ways >= 0)
		bad |= nla_put_u32(msg, TLBSAN_ATTR_TLB_WAYS, q.ways);
	if (q.threads >= 0)
		bad |= nla_put_u32(msg, TLBSAN_ATTR_THREADS, q.threads);
	if (q.pde >= 0)
		bad |= nla_put_u32(msg, TLBSAN_ATTR_PDE_ENTRIES, q.pde);
	if (q.pattern)
		bad |= nla_put_u32(msg, TLBSAN_ATTR_PATTERN, q.pattern);
	if (q.pri >= 0)
		bad |= nla_put_u8(msg, TLBSAN_ATTR_PRI, q.pri);
	if (bad) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	q.quiet = quiet;
	q.pasid = 0;
	err = tlbsan_nl_request_quiet(nl, msg, attach_reply, &q, "attach", quiet);
	if (pasid)
		*pasid = q.pasid;
	return err;
}

static int do_attach(struct tlbsan_call *c)
{
	int err;

	if (at.follow)
		return follow_run(c->nl, &at.o, &at.ro);
	err = attach_request(c->nl, &at.o, NULL, false);
	if (err == -EEXIST)
		print_existing(c->nl, at.o.pid);
	return err ? EXIT_FAIL : EXIT_OK;
}

static int do_detach(struct tlbsan_call *c)
{
	if (tlbsan_send(c, NULL, NULL))
		return EXIT_FAIL;
	printf("detached pid %d\n", c->pid);
	return EXIT_OK;
}

static void print_counter(const char *prefix, const char *name, unsigned long long v)
{
	char full[80];

	snprintf(full, sizeof(full), "%s%s", prefix, name);
	printf("  %-34s %llu\n", full, v);
}

/* A nest of u64 counters indexed by @names; @all: print zeroes too. */
static void print_nest(const char *prefix, struct nlattr *nest,
		       const char *const *names, int n, bool all)
{
	struct nlattr *a;
	int rem;

	if (!nest)
		return;
	nla_for_each_nested(a, nest, rem) {
		int t = nla_type(a);

		if (t < 1 || t >= n || !names[t] || nla_len(a) != sizeof(uint64_t))
			continue;
		if (all || nla_get_u64(a))
			print_counter(prefix, names[t], nla_get_u64(a));
	}
}

/* Range-size histogram: "<prefix><pages>" for non-empty buckets. */
static void print_hist(const char *prefix, struct nlattr *nest)
{
	struct nlattr *a;
	char name[32];
	int rem;

	if (!nest)
		return;
	nla_for_each_nested(a, nest, rem) {
		int b = nla_type(a) - 1;

		if (nla_len(a) != sizeof(uint64_t) || !nla_get_u64(a))
			continue;
		if (b == 0)
			snprintf(name, sizeof(name), "<=1p");
		else
			snprintf(name, sizeof(name), "<=%lup", 1UL << b);
		print_counter(prefix, name, nla_get_u64(a));
	}
}

static void print_config(struct nlattr **tb)
{
	unsigned int model = tb[TLBSAN_ATTR_MODEL] ? nla_get_u32(tb[TLBSAN_ATTR_MODEL]) : 0;
	unsigned int arg = tb[TLBSAN_ATTR_MODEL_ARG] ? nla_get_u32(tb[TLBSAN_ATTR_MODEL_ARG]) : 0;

	if (!model)
		return;
	printf("  %-34s %s", "model", tlbsan_name(tlbsan_model_names, __TLBSAN_MODEL_MAX, model));
	if (model == TLBSAN_MODEL_LAZY)
		printf(":%u", arg);
	if (model == TLBSAN_MODEL_DROP)
		printf(":%s", tlbsan_name(tlbsan_event_names, __TLBSAN_EVENT_MAX, arg));
	printf("\n");
	if (tb[TLBSAN_ATTR_TLB_ENTRIES] && tb[TLBSAN_ATTR_TLB_WAYS])
		printf("  %-34s %u entries, %u ways\n", "tlb",
		       nla_get_u32(tb[TLBSAN_ATTR_TLB_ENTRIES]), nla_get_u32(tb[TLBSAN_ATTR_TLB_WAYS]));
	if (tb[TLBSAN_ATTR_THREADS])
		printf("  %-34s %u\n", "threads", nla_get_u32(tb[TLBSAN_ATTR_THREADS]));
	if (tb[TLBSAN_ATTR_PATTERN])
		printf("  %-34s %s\n", "pattern", tlbsan_name(tlbsan_pattern_names,
			__TLBSAN_PATTERN_MAX, nla_get_u32(tb[TLBSAN_ATTR_PATTERN])));
	if (tb[TLBSAN_ATTR_PRI])
		printf("  %-34s %s\n", "pri", nla_get_u8(tb[TLBSAN_ATTR_PRI]) ? "on" : "off");
	if (tb[TLBSAN_ATTR_PDE_ENTRIES])
		printf("  %-34s %u\n", "pde_entries", nla_get_u32(tb[TLBSAN_ATTR_PDE_ENTRIES]));
}

/*
 * Output: a header line per context, then one "name value" line per item:
 * configuration, every callback the running kernel offers, the start/end
 * counts per event, device counters, walk failures by reason (non-zero
 * ones), and the range-size histograms (non-empty buckets).
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
	print_config(tb);
	print_nest("", tb[TLBSAN_ATTR_CALLBACKS], tlbsan_cb_names, __TLBSAN_CB_MAX, true);
	print_nest("start.", tb[TLBSAN_ATTR_STARTS], tlbsan_event_names, __TLBSAN_EVENT_MAX, true);
	print_nest("end.", tb[TLBSAN_ATTR_ENDS], tlbsan_event_names, __TLBSAN_EVENT_MAX, true);
	print_nest("dev.", tb[TLBSAN_ATTR_DEV], tlbsan_dev_stat_names, __TLBSAN_DEV_MAX, true);
	print_nest("walk.", tb[TLBSAN_ATTR_WALK_FAILS], tlbsan_walk_names, __TLBSAN_WALK_MAX,
		   false);
	print_nest("class.", tb[TLBSAN_ATTR_CLASSES], tlbsan_class_names, __TLBSAN_CLASS_MAX, true);
	print_hist("range.start.", tb[TLBSAN_ATTR_HIST_START]);
	print_hist("range.secondary.", tb[TLBSAN_ATTR_HIST_SECONDARY]);
	(*n)++;
	return NL_OK;
}

static int do_stats(struct tlbsan_call *c)
{
	int n = 0;

	if (tlbsan_send(c, stats_reply, &n))
		return EXIT_FAIL;
	if (!c->pid && !n)
		printf("no attached contexts\n");
	return EXIT_OK;
}

static const struct option attach_options[] = {
	ATTACH_LONG_OPTIONS,
	{ "follow", no_argument, NULL, 'F' },
	{ "json", no_argument, NULL, 'j' },
	{ "fail-on", required_argument, NULL, 'f' },
	{ NULL, 0, NULL, 0 },
};

TLBSAN_COMMAND("attach",
	"[--model hw|sw|end-only|lazy:US|drop:EVENT|none] [--entries N] [--ways N]\n"
	"            [--threads N] [--pattern buffers|sample] [--pri on|off] [--pde N]\n"
	"            [--follow [--json] [--fail-on CLASS,...]] PID",
	"attach a device context to PID's mm; --follow: to its whole running tree, as run does",
	CMD_NL | CMD_PID, do_attach, .options = attach_options, .parse = attach_parse);
TLBSAN_COMMAND("detach", "PID", "detach the device context from PID's mm",
	CMD_NL | CMD_PID, do_detach, .request = TLBSAN_CMD_DETACH);
TLBSAN_COMMAND("stats", "[PID]", "show the counters of one context, or of all",
	CMD_NL | CMD_PID_OPT | CMD_DUMP_ALL, do_stats, .request = TLBSAN_CMD_STATS);
