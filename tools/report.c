// SPDX-License-Identifier: GPL-2.0
/*
 * monitor, report, sites: the checker's findings for humans (a timeline per
 * report, in the style of the 2017 thread) or as JSON (one object per
 * report, then a summary object; field names in the README).
 *
 * Exit status: 0 when no violation was seen, 1 when at least one was (by
 * default classes 1-5; --fail-on CLASS,... chooses), 2 on usage or setup
 * errors.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cmd.h"
#include "names.h"
#include "report.h"

static void tally_add(struct tally *t, const char *key, unsigned long long n)
{
	int i;

	for (i = 0; i < t->nr; i++) {
		if (!strcmp(t->key[i], key)) {
			t->n[i] += n;
			return;
		}
	}
	if (t->nr < MAX_KEYS) {
		t->key[t->nr] = strdup(key);
		t->n[t->nr++] = n;
	}
}

static void json_str(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			printf("\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			printf("\\u%04x", *s);
		else
			putchar(*s);
	}
	putchar('"');
}

/* x86-64 PTE flag bits, for people. */
static void pte_flags(unsigned long long pte, char *buf, size_t len)
{
	static const struct { int bit; const char *name; } f[] = {
		{ 0, "P" }, { 1, "W" }, { 2, "U" }, { 5, "A" }, { 6, "D" }, { 7, "PSE" },
		{ 8, "G" }, { 63, "NX" },
	};
	size_t i, off = 0;

	buf[0] = 0;
	for (i = 0; i < sizeof(f) / sizeof(f[0]); i++)
		if (pte & (1ULL << f[i].bit))
			off += snprintf(buf + off, len - off, "%s%s", off ? " " : "", f[i].name);
	if (!off)
		snprintf(buf, len, "none");
}

static unsigned long long u64_or(struct nlattr *a, unsigned long long def)
{
	return a ? (unsigned long long)nla_get_u64(a) : def;
}

struct event {
	unsigned long long ns;
	char text[256];
};

static int event_cmp(const void *a, const void *b)
{
	const struct event *x = a, *y = b;

	return x->ns < y->ns ? -1 : x->ns > y->ns;
}

static void print_stack(const char *indent, struct nlattr *stack)
{
	struct nlattr *f;
	int rem;

	if (!stack)
		return;
	nla_for_each_nested(f, stack, rem)
		printf("%s%s\n", indent, nla_get_string(f));
}

static void json_stack(struct nlattr *stack)
{
	struct nlattr *f;
	int rem, first = 1;

	printf("[");
	if (stack) {
		nla_for_each_nested(f, stack, rem) {
			printf("%s", first ? "" : ",");
			json_str(nla_get_string(f));
			first = 0;
		}
	}
	printf("]");
}

static const char *op_verb(unsigned int op)
{
	return op == TLBSAN_OP_READ ? "reads" : op == TLBSAN_OP_WRITE ? "writes" :
	       op == TLBSAN_OP_CAS ? "compare-and-swaps" : "uses";
}

static void print_human(struct nlattr **tb, struct nlattr **inv, struct nlattr **last,
			unsigned int cls, const char *site)
{
	const char *noticed = tb[TLBSAN_ATTR_NOTICED] ? nla_get_string(tb[TLBSAN_ATTR_NOTICED]) : site;
	unsigned int fault = tb[TLBSAN_ATTR_FAULT] ? nla_get_u32(tb[TLBSAN_ATTR_FAULT]) : 0;
	struct event ev[4];
	int n = 0, i;
	unsigned long long t0, thread = u64_or(NULL, 0);
	char flags[64];

	if (tb[TLBSAN_ATTR_THREAD])
		thread = nla_get_u32(tb[TLBSAN_ATTR_THREAD]);
	printf("=== %s (class %u)%s x%llu: pid %u (%s) pasid %u va 0x%llx\n",
	       tlbsan_name(tlbsan_class_names, __TLBSAN_CLASS_MAX, cls),
	       cls,
	       cls < 32 && (TLBSAN_CLASS_VIOLATIONS & (1u << cls)) ? "" : " [not a violation]",
	       u64_or(tb[TLBSAN_ATTR_COUNT], 1), nla_get_u32(tb[TLBSAN_ATTR_PID]),
	       tb[TLBSAN_ATTR_COMM] ? nla_get_string(tb[TLBSAN_ATTR_COMM]) : "?",
	       nla_get_u32(tb[TLBSAN_ATTR_PASID]), u64_or(tb[TLBSAN_ATTR_VA], 0));
	if (tb[TLBSAN_ATTR_DETAIL])
		printf("    %s\n", nla_get_string(tb[TLBSAN_ATTR_DETAIL]));

	if (tb[TLBSAN_ATTR_FILL_NS]) {
		ev[n].ns = nla_get_u64(tb[TLBSAN_ATTR_FILL_NS]);
		snprintf(ev[n++].text, sizeof(ev[0].text), "DEV-thread-%llu fill va 0x%llx -> pfn 0x%llx",
			 thread, u64_or(tb[TLBSAN_ATTR_VA], 0), u64_or(tb[TLBSAN_ATTR_OLD_PFN], 0));
	}
	if (inv[TLBSAN_ATTR_START_NS]) {
		const char *cb = tlbsan_name(tlbsan_cb_names, __TLBSAN_CB_MAX,
					     inv[TLBSAN_ATTR_CB] ? nla_get_u32(inv[TLBSAN_ATTR_CB]) : 0);
		const char *evn = inv[TLBSAN_ATTR_EVENT] && nla_get_u32(inv[TLBSAN_ATTR_EVENT]) ?
				  tlbsan_name(tlbsan_event_names, __TLBSAN_EVENT_MAX,
					      nla_get_u32(inv[TLBSAN_ATTR_EVENT])) : "-";

		ev[n].ns = nla_get_u64(inv[TLBSAN_ATTR_START_NS]);
		snprintf(ev[n++].text, sizeof(ev[0].text), "CPU %s %s [%s 0x%llx-0x%llx]", site, cb,
			 evn, u64_or(inv[TLBSAN_ATTR_START], 0), u64_or(inv[TLBSAN_ATTR_END], 0));
		/* (a report made at the end itself shows it once, below) */
		if (inv[TLBSAN_ATTR_END_NS] &&
		    nla_get_u64(inv[TLBSAN_ATTR_END_NS]) != u64_or(tb[TLBSAN_ATTR_AT_NS], 0)) {
			ev[n].ns = nla_get_u64(inv[TLBSAN_ATTR_END_NS]);
			snprintf(ev[n++].text, sizeof(ev[0].text), "CPU %s invalidate_range_end", site);
		}
	}
	pte_flags(u64_or(tb[TLBSAN_ATTR_PTE], 0), flags, sizeof(flags));
	ev[n].ns = u64_or(tb[TLBSAN_ATTR_AT_NS], 0);
	if (cls == TLBSAN_CLASS_USE_AFTER_FREE)
		snprintf(ev[n++].text, sizeof(ev[0].text), "CPU %s frees pfn 0x%llx, still cached by DEV-thread-%llu",
			 noticed, u64_or(tb[TLBSAN_ATTR_OLD_PFN], 0), thread);
	else if (tb[TLBSAN_ATTR_OP])
		snprintf(ev[n++].text, sizeof(ev[0].text),
			 "DEV-thread-%llu %s old pfn 0x%llx while PTE -> %s0x%llx (%s)", thread,
			 op_verb(nla_get_u32(tb[TLBSAN_ATTR_OP])), u64_or(tb[TLBSAN_ATTR_OLD_PFN], 0),
			 tb[TLBSAN_ATTR_NEW_PFN] ? "pfn " : "none ",
			 u64_or(tb[TLBSAN_ATTR_NEW_PFN], 0), flags);
	else if (tb[TLBSAN_ATTR_NEW_PFN])
		snprintf(ev[n++].text, sizeof(ev[0].text),
			 "CPU %s invalidate_range_end: device still caches pfn 0x%llx, PTE -> pfn 0x%llx (%s)",
			 site, u64_or(tb[TLBSAN_ATTR_OLD_PFN], 0), u64_or(tb[TLBSAN_ATTR_NEW_PFN], 0), flags);
	else
		snprintf(ev[n++].text, sizeof(ev[0].text), "CPU %s", site);
	qsort(ev, n, sizeof(ev[0]), event_cmp);
	t0 = ev[0].ns;
	for (i = 0; i < n; i++)
		printf("    [T+%llu ns] %s\n", ev[i].ns - t0, ev[i].text);
	printf("    call site: %s\n", site);
	if (fault == TLBSAN_FAULT_KERNEL)
		printf("    fault: kernel: the call site above owed the secondary TLB a call it never made"
		       " (noticed at %s)\n", noticed);
	else if (fault == TLBSAN_FAULT_DEVICE)
		printf("    fault: device: it kept a translation it was told to drop (noticed at %s)\n",
		       noticed);
	if (tb[TLBSAN_ATTR_STACK]) {
		printf("    %s stack:\n", cls == TLBSAN_CLASS_USE_AFTER_FREE ? "free" : "access");
		print_stack("      ", tb[TLBSAN_ATTR_STACK]);
	}
	if (inv[TLBSAN_ATTR_STACK]) {
		printf("    %s stack:\n", fault == TLBSAN_FAULT_KERNEL ? "owing bracket" : "invalidation");
		print_stack("      ", inv[TLBSAN_ATTR_STACK]);
	}
	if (last[TLBSAN_ATTR_STACK]) {
		printf("    last call that covered it:\n");
		print_stack("      ", last[TLBSAN_ATTR_STACK]);
	}
	if (u64_or(tb[TLBSAN_ATTR_DROPPED], 0))
		printf("    (%llu reports of this context were dropped: buffer full)\n",
		       u64_or(tb[TLBSAN_ATTR_DROPPED], 0));
}

static void json_inv(struct nlattr **inv);

static const char *fault_name(unsigned int f)
{
	return f == TLBSAN_FAULT_KERNEL ? "kernel" : f == TLBSAN_FAULT_DEVICE ? "device" : "?";
}

static void print_json(struct nlattr **tb, struct nlattr **inv, struct nlattr **last,
		       unsigned int cls, const char *site)
{
	char flags[64];

	pte_flags(u64_or(tb[TLBSAN_ATTR_PTE], 0), flags, sizeof(flags));
	printf("{\"type\":\"report\",\"class\":%u,\"class_name\":\"%s\",\"violation\":%s,"
	       "\"count\":%llu,\"pid\":%u,\"comm\":", cls,
	       tlbsan_name(tlbsan_class_names, __TLBSAN_CLASS_MAX, cls),
	       cls < 32 && (TLBSAN_CLASS_VIOLATIONS & (1u << cls)) ? "true" : "false",
	       u64_or(tb[TLBSAN_ATTR_COUNT], 1), nla_get_u32(tb[TLBSAN_ATTR_PID]));
	json_str(tb[TLBSAN_ATTR_COMM] ? nla_get_string(tb[TLBSAN_ATTR_COMM]) : "");
	printf(",\"pasid\":%u,\"va\":\"0x%llx\"", nla_get_u32(tb[TLBSAN_ATTR_PASID]),
	       u64_or(tb[TLBSAN_ATTR_VA], 0));
	if (tb[TLBSAN_ATTR_OLD_PFN])
		printf(",\"old_pfn\":\"0x%llx\"", u64_or(tb[TLBSAN_ATTR_OLD_PFN], 0));
	else
		printf(",\"old_pfn\":null");
	if (tb[TLBSAN_ATTR_NEW_PFN])
		printf(",\"new_pfn\":\"0x%llx\",\"pte\":\"0x%llx\",\"pte_flags\":\"%s\"",
		       u64_or(tb[TLBSAN_ATTR_NEW_PFN], 0), u64_or(tb[TLBSAN_ATTR_PTE], 0), flags);
	else
		printf(",\"new_pfn\":null,\"pte\":null,\"pte_flags\":null");
	if (tb[TLBSAN_ATTR_THREAD])
		printf(",\"thread\":%u", nla_get_u32(tb[TLBSAN_ATTR_THREAD]));
	else
		printf(",\"thread\":null");
	printf(",\"op\":");
	if (tb[TLBSAN_ATTR_OP])
		json_str(tlbsan_name(tlbsan_op_names, __TLBSAN_OP_MAX, nla_get_u32(tb[TLBSAN_ATTR_OP])));
	else
		printf("null");
	if (tb[TLBSAN_ATTR_FILL_NS])
		printf(",\"fill_ns\":%llu", u64_or(tb[TLBSAN_ATTR_FILL_NS], 0));
	else
		printf(",\"fill_ns\":null");
	printf(",\"at_ns\":%llu,\"site\":", u64_or(tb[TLBSAN_ATTR_AT_NS], 0));
	json_str(site);
	printf(",\"detail\":");
	json_str(tb[TLBSAN_ATTR_DETAIL] ? nla_get_string(tb[TLBSAN_ATTR_DETAIL]) : "");
	printf(",\"fault\":");
	if (tb[TLBSAN_ATTR_FAULT] && nla_get_u32(tb[TLBSAN_ATTR_FAULT]))
		json_str(fault_name(nla_get_u32(tb[TLBSAN_ATTR_FAULT])));
	else
		printf("null");
	printf(",\"noticed\":");
	if (tb[TLBSAN_ATTR_NOTICED])
		json_str(nla_get_string(tb[TLBSAN_ATTR_NOTICED]));
	else
		printf("null");
	printf(",\"invalidation\":");
	json_inv(inv);
	printf(",\"last_invalidation\":");
	json_inv(last);
	printf(",\"stack\":");
	json_stack(tb[TLBSAN_ATTR_STACK]);
	printf(",\"dropped\":%llu}\n", u64_or(tb[TLBSAN_ATTR_DROPPED], 0));
}

static void json_inv(struct nlattr **inv)
{
	if (inv[TLBSAN_ATTR_START_NS]) {
		printf("{\"callback\":\"%s\",\"event\":",
		       tlbsan_name(tlbsan_cb_names, __TLBSAN_CB_MAX,
				   inv[TLBSAN_ATTR_CB] ? nla_get_u32(inv[TLBSAN_ATTR_CB]) : 0));
		if (inv[TLBSAN_ATTR_EVENT] && nla_get_u32(inv[TLBSAN_ATTR_EVENT]))
			json_str(tlbsan_name(tlbsan_event_names, __TLBSAN_EVENT_MAX,
					     nla_get_u32(inv[TLBSAN_ATTR_EVENT])));
		else
			printf("null");
		printf(",\"start\":\"0x%llx\",\"end\":\"0x%llx\",\"start_ns\":%llu,\"end_ns\":",
		       u64_or(inv[TLBSAN_ATTR_START], 0), u64_or(inv[TLBSAN_ATTR_END], 0),
		       u64_or(inv[TLBSAN_ATTR_START_NS], 0));
		if (inv[TLBSAN_ATTR_END_NS])
			printf("%llu", u64_or(inv[TLBSAN_ATTR_END_NS], 0));
		else
			printf("null");
		printf(",\"stack\":");
		json_stack(inv[TLBSAN_ATTR_STACK]);
		printf("}");
	} else {
		printf("null");
	}
}

int report_msg(struct nl_msg *msg, void *arg)
{
	struct nlattr *tb[TLBSAN_ATTR_MAX + 1], *inv[TLBSAN_ATTR_MAX + 1];
	struct nlattr *last[TLBSAN_ATTR_MAX + 1];
	struct report_state *st = arg;
	const char *site, *evn = "-";
	unsigned long long count, prev;
	unsigned int cls, pasid, fault;
	int i;

	if (genlmsg_hdr(nlmsg_hdr(msg))->cmd != TLBSAN_CMD_REPORT)
		return NL_SKIP;
	if (tlbsan_nl_parse(msg, tb) || !tb[TLBSAN_ATTR_CLASS] || !tb[TLBSAN_ATTR_PID] ||
	    !tb[TLBSAN_ATTR_PASID])
		return NL_SKIP;
	memset(inv, 0, sizeof(inv));
	memset(last, 0, sizeof(last));
	if (tb[TLBSAN_ATTR_INV])
		nla_parse_nested(inv, TLBSAN_ATTR_MAX, tb[TLBSAN_ATTR_INV], NULL);
	if (tb[TLBSAN_ATTR_LAST_INV])
		nla_parse_nested(last, TLBSAN_ATTR_MAX, tb[TLBSAN_ATTR_LAST_INV], NULL);
	cls = nla_get_u32(tb[TLBSAN_ATTR_CLASS]);
	fault = tb[TLBSAN_ATTR_FAULT] ? nla_get_u32(tb[TLBSAN_ATTR_FAULT]) : 0;
	site = tb[TLBSAN_ATTR_SITE] ? nla_get_string(tb[TLBSAN_ATTR_SITE]) : "?";
	count = u64_or(tb[TLBSAN_ATTR_COUNT], 1);
	pasid = nla_get_u32(tb[TLBSAN_ATTR_PASID]);
	for (i = 0; i < st->nr_seen; i++)
		if (st->seen[i].pasid == pasid && st->seen[i].cls == cls &&
		    st->seen[i].fault == fault &&
		    !strncmp(st->seen[i].site, site, sizeof(st->seen[i].site) - 1))
			break;
	if (i < st->nr_seen) {
		/* An update of a report already shown: only its count grew. */
		prev = st->seen[i].count;
		st->seen[i].count = count;
		count = count > prev ? count - prev : 0;
	} else {
		if (st->nr_seen < MAX_SEEN) {
			st->seen[i].pasid = pasid;
			st->seen[i].cls = cls;
			st->seen[i].fault = fault;
			snprintf(st->seen[i].site, sizeof(st->seen[i].site), "%s", site);
			st->seen[i].count = count;
			st->nr_seen++;
		}
		if (st->o->json)
			print_json(tb, inv, last, cls, site);
		else
			print_human(tb, inv, last, cls, site);
		fflush(stdout);
		st->reports++;
	}
	if (cls < 32 && (st->o->fail_mask & (1u << cls)))
		st->violations += count;
	if (inv[TLBSAN_ATTR_EVENT] && nla_get_u32(inv[TLBSAN_ATTR_EVENT]))
		evn = tlbsan_name(tlbsan_event_names, __TLBSAN_EVENT_MAX,
				  nla_get_u32(inv[TLBSAN_ATTR_EVENT]));
	tally_add(&st->by_class, tlbsan_name(tlbsan_class_names, __TLBSAN_CLASS_MAX, cls), count);
	tally_add(&st->by_event, evn, count);
	tally_add(&st->by_site, site, count);
	return NL_OK;
}

static void print_tally(const char *title, const struct tally *t, bool json)
{
	int i;

	if (json) {
		printf(",\"%s\":{", title);
		for (i = 0; i < t->nr; i++) {
			printf("%s", i ? "," : "");
			json_str(t->key[i]);
			printf(":%llu", t->n[i]);
		}
		printf("}");
		return;
	}
	printf("  by %s:\n", title);
	if (!t->nr)
		printf("    (none)\n");
	for (i = 0; i < t->nr; i++)
		printf("    %-50s %llu\n", t->key[i], t->n[i]);
}

int report_summary(struct report_state *st)
{
	if (st->o->json) {
		printf("{\"type\":\"summary\",\"reports\":%llu,\"violations\":%llu",
		       st->reports, st->violations);
		if (st->overruns)
			printf(",\"overruns\":%llu", st->overruns);
		print_tally("class", &st->by_class, true);
		print_tally("event", &st->by_event, true);
		print_tally("site", &st->by_site, true);
		printf("}\n");
	} else {
		printf("--- summary: %llu reports, %llu violations\n", st->reports, st->violations);
		if (st->overruns)
			printf("    (the receive buffer overran %llu times: reports were lost;"
			       " 'tlbsan report' has the stored ones)\n", st->overruns);
		print_tally("class", &st->by_class, false);
		print_tally("event", &st->by_event, false);
		print_tally("site", &st->by_site, false);
	}
	fflush(stdout);
	return st->violations ? EXIT_FAIL : EXIT_OK;
}

int report_parse_fail_on(const char *arg, unsigned int *mask)
{
	char *list = strdup(arg), *tok, *save;
	unsigned long long v;
	int k;

	*mask = 0;
	for (tok = strtok_r(list, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		k = tlbsan_name_index(tlbsan_class_names, __TLBSAN_CLASS_MAX, tok);
		if (!k && !tlbsan_parse_u64(tok, 1, TLBSAN_CLASS_MAX, &v))
			k = (int)v;
		if (!k) {
			fprintf(stderr, "tlbsan: invalid class '%s' for --fail-on (1-%d or a name such as %s)\n",
				tok, TLBSAN_CLASS_MAX, tlbsan_class_names[TLBSAN_CLASS_USE_AFTER_FREE]);
			free(list);
			return -1;
		}
		*mask |= 1u << k;
	}
	free(list);
	return 0;
}

/* What monitor and report parsed: --json, --fail-on CLASS,..., --count N. */
static struct report_opts ro = { .fail_mask = TLBSAN_CLASS_VIOLATIONS };

static int report_parse(struct tlbsan_call *c, int opt, const char *arg)
{
	unsigned long long v;

	(void)c;
	if (opt == 'j') {
		ro.json = true;
	} else if (opt == 'f') {
		if (report_parse_fail_on(arg, &ro.fail_mask))
			return EXIT_USAGE;
	} else if (opt == 'c') {
		if (tlbsan_parse_u64(arg, 1, 1000000000, &v)) {
			fprintf(stderr, "tlbsan: invalid --count '%s'\n", arg);
			return EXIT_USAGE;
		}
		ro.count = (long)v;
	}
	return EXIT_OK;
}

static int do_report(struct tlbsan_call *c)
{
	struct report_state st = { .o = &ro };

	if (tlbsan_send(c, report_msg, &st))
		return EXIT_USAGE;
	return report_summary(&st);
}

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static int do_monitor(struct tlbsan_call *c)
{
	struct report_state st = { .o = &ro };
	struct sigaction sa = { 0 };
	struct pollfd pfd = { .events = POLLIN };
	sigset_t block, unblocked;
	int ret;

	/* As for report: 1 means a violation, so a refusal is 2. */
	if (tlbsan_nl_join_reports(c->nl, report_msg, &st, "monitor"))
		return EXIT_USAGE;
	/*
	 * libnl's receive retries a recvmsg() a signal interrupted, so a
	 * blocking receive would never see SIGINT/SIGTERM while no report
	 * arrives.  Wait in ppoll() instead, with the two signals blocked
	 * everywhere else: one that arrives between the test of 'stop' and
	 * the wait interrupts the wait.
	 */
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigprocmask(SIG_BLOCK, &block, &unblocked);
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	nl_socket_set_nonblocking(c->nl->sk);
	pfd.fd = nl_socket_get_fd(c->nl->sk);
	/* A line others can wait for: from here on, no report is missed. */
	fprintf(stderr, "tlbsan: monitoring\n");
	while (!stop && (!ro.count || (long)st.reports < ro.count)) {
		if (ppoll(&pfd, 1, NULL, &unblocked) < 0) {
			if (errno == EINTR)
				continue;
			fprintf(stderr, "tlbsan: monitor: poll: %s\n", strerror(errno));
			break;
		}
		ret = nl_recvmsgs_default(c->nl->sk);
		if (ret == -NLE_AGAIN)
			continue;
		/*
		 * ENOBUFS (libnl: NLE_NOMEM): the kernel dropped multicasts
		 * while this reader was slow or stopped.  The module never
		 * waits for a reader; count the loss and go on.
		 */
		if (ret == -NLE_NOMEM) {
			st.overruns++;
			continue;
		}
		if (ret < 0) {
			fprintf(stderr, "tlbsan: monitor: %s\n", nl_geterror(ret));
			break;
		}
	}
	return report_summary(&st);
}

static int sites_msg(struct nl_msg *msg, void *arg)
{
	struct nlattr *tb[TLBSAN_ATTR_MAX + 1];
	unsigned int ev;

	(void)arg;
	if (tlbsan_nl_parse(msg, tb) || !tb[TLBSAN_ATTR_SITE] || !tb[TLBSAN_ATTR_CALLS])
		return NL_SKIP;
	ev = tb[TLBSAN_ATTR_EVENT] ? nla_get_u32(tb[TLBSAN_ATTR_EVENT]) : 0;
	printf("site %s event %s calls %llu redundant %llu\n",
	       nla_get_string(tb[TLBSAN_ATTR_SITE]),
	       ev ? tlbsan_name(tlbsan_event_names, __TLBSAN_EVENT_MAX, ev) : "-",
	       u64_or(tb[TLBSAN_ATTR_CALLS], 0), u64_or(tb[TLBSAN_ATTR_REDUNDANT], 0));
	return NL_OK;
}

static int do_sites(struct tlbsan_call *c)
{
	return tlbsan_send(c, sites_msg, NULL);
}

static int coverage_msg(struct nl_msg *msg, void *arg)
{
	struct nlattr *tb[TLBSAN_ATTR_MAX + 1];

	(void)arg;
	if (tlbsan_nl_parse(msg, tb) || !tb[TLBSAN_ATTR_SITE] || !tb[TLBSAN_ATTR_CB])
		return NL_SKIP;
	printf("%-32s %-60s %llu\n",
	       tlbsan_name(tlbsan_cb_names, __TLBSAN_CB_MAX, nla_get_u32(tb[TLBSAN_ATTR_CB])),
	       nla_get_string(tb[TLBSAN_ATTR_SITE]), u64_or(tb[TLBSAN_ATTR_COUNT], 0));
	return NL_OK;
}

static int do_coverage(struct tlbsan_call *c)
{
	return tlbsan_send(c, coverage_msg, NULL);
}

static const struct option monitor_options[] = {
	{ "json", no_argument, NULL, 'j' },
	{ "fail-on", required_argument, NULL, 'f' },
	{ "count", required_argument, NULL, 'c' },
	{ NULL, 0, NULL, 0 },
};

/* (report has no --count: it prints what is stored) */
static const struct option report_options[] = {
	{ "json", no_argument, NULL, 'j' },
	{ "fail-on", required_argument, NULL, 'f' },
	{ NULL, 0, NULL, 0 },
};

TLBSAN_COMMAND("monitor", "[--json] [--fail-on CLASS,...] [--count N]",
	"print reports as the checker finds them, until N or a signal; then a summary",
	CMD_NL, do_monitor, .options = monitor_options, .parse = report_parse);
TLBSAN_COMMAND("report", "[--json] [--fail-on CLASS,...] [PID]",
	"print the reports stored for one context, or all, and a summary",
	CMD_NL | CMD_PID_OPT | CMD_DUMP, do_report, .request = TLBSAN_CMD_REPORT,
	.options = report_options, .parse = report_parse);
/* Always a dump: a PID only filters it. */
TLBSAN_COMMAND("sites", "[PID]",
	"secondary TLB calls per call site and event, with the redundant ones",
	CMD_NL | CMD_PID_OPT | CMD_DUMP, do_sites, .request = TLBSAN_CMD_SITES);
TLBSAN_COMMAND("coverage", "",
	"notifier call sites seen machine-wide (module loaded with coverage=1)",
	CMD_NL | CMD_DUMP, do_coverage, .request = TLBSAN_CMD_COVERAGE);
