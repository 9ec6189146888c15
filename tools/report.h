/* SPDX-License-Identifier: GPL-2.0 */
/* The report printer shared by monitor, report and run. */
#ifndef TLBSAN_TOOLS_REPORT_H
#define TLBSAN_TOOLS_REPORT_H

#include "nl.h"

#define MAX_KEYS 64

/* Summary counts by key (class, event or call site). */
struct tally {
	char *key[MAX_KEYS];
	unsigned long long n[MAX_KEYS];
	int nr;
};

struct report_opts {
	bool json;
	unsigned int fail_mask;		/* bit per class that fails the run */
	long count;			/* monitor: stop after this many reports */
};

#define MAX_SEEN 1024

struct report_state {
	const struct report_opts *o;
	/* Folded reports are re-sent as their count grows: count deltas, print once. */
	struct { unsigned int pasid, cls, fault; char site[96]; unsigned long long count; } seen[MAX_SEEN];
	int nr_seen;
	unsigned long long violations;	/* in fail_mask */
	unsigned long long reports;
	/* monitor: times the socket's receive buffer overran (reports lost) */
	unsigned long long overruns;
	struct tally by_class, by_event, by_site;
};

/* libnl callback: print one REPORT message, count it; skips others. */
int report_msg(struct nl_msg *msg, void *arg);
/* Print the summary; EXIT_FAIL if a violation in fail_mask was seen. */
int report_summary(struct report_state *st);
int report_parse_fail_on(const char *arg, unsigned int *mask);

#endif
