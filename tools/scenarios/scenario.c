// SPDX-License-Identifier: GPL-2.0
/*
 * tlbsan-scenario NAME [--seed N] [--iterations N]: small, bounded
 * programs that drive a notifier path while the tlbsan device accesses the
 * memory involved, through the ACCESS command on the program's own pid.
 * Run them under 'tlbsan run --pattern buffers'; they need an attached
 * context (exit 2 otherwise).
 *
 * Each scenario lives with its family and states there, in its SCENARIO()
 * descriptor (scenario.h), what it must produce under each model
 * ('tlbsan-scenario --list' prints it; the guest suite holds every kernel
 * line to it):
 *   scen-cow.c      litmus, cowstorm, cowkeep
 *   scen-unmap.c    reuse, bigzap
 *   scen-vma.c      madvise, mprotect
 *   scen-replace.c  ksm, migrate, uprobe
 *   scen-huge.c     thp, hugetlb
 *   scen-misc.c     misc
 *   scen-reclaim.c  swap, oom
 * common.c holds what they share.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "scenario.h"

extern const struct scenario __start_tlbsan_scen[], __stop_tlbsan_scen[];

#define NR_SCENARIOS ((size_t)(__stop_tlbsan_scen - __start_tlbsan_scen))

_Static_assert(sizeof(struct scenario) % sizeof(void *) == 0,
	       "descriptors must pack without padding in tlbsan_scen");

static int by_order(const void *a, const void *b)
{
	const struct scenario *x = *(const struct scenario *const *)a;
	const struct scenario *y = *(const struct scenario *const *)b;

	return (x->order > y->order) - (x->order < y->order);
}

/*
 * The scenarios in the section, by their order keys (the section holds
 * them in link order).  Two with one key would leave their order to
 * qsort(), so that is refused.
 */
static void sort_scenarios(const struct scenario **sorted)
{
	size_t i;

	for (i = 0; i < NR_SCENARIOS; i++)
		sorted[i] = &__start_tlbsan_scen[i];
	qsort(sorted, NR_SCENARIOS, sizeof(sorted[0]), by_order);
	for (i = 1; i < NR_SCENARIOS; i++)
		if (sorted[i - 1]->order == sorted[i]->order) {
			fprintf(stderr, "tlbsan-scenario: %s and %s share order %d\n",
				sorted[i - 1]->name, sorted[i]->name, sorted[i]->order);
			exit(2);
		}
}

static void print_classes(unsigned int mask)
{
	const char *sep = "";

	if (!mask)
		printf(" -");
	for (int c = 1; c < 32; c++)
		if (mask & (1u << c)) {
			printf("%s%d", *sep ? sep : " ", c);
			sep = ",";
		}
}

static void print_expect(const struct scenario *sc, const char *model, const struct expect *e)
{
	static const char *const names[] = { "silent", "caught", "any" };

	if (sc->unmet && sc->unmet()) {
		printf("%s %s skip - -\n", sc->name, model);
		return;
	}
	printf("%s %s %s", sc->name, model, names[e->verdict]);
	print_classes(e->may);
	print_classes(e->must);
	printf("%s%s\n", *sc->opts ? " " : "", sc->opts);
}

/* One line per scenario and model: NAME MODEL VERDICT MAY MUST [OPTS]. */
static void list(const struct scenario *const *scenarios)
{
	static const struct expect silent = NOTHING;
	struct expect lazy;
	char drop[32];

	for (size_t i = 0; i < NR_SCENARIOS; i++) {
		const struct scenario *sc = scenarios[i];

		snprintf(drop, sizeof(drop), "drop:%s", sc->drop);
		print_expect(sc, "hw", &silent);
		print_expect(sc, "sw", &silent);
		print_expect(sc, "end-only", &sc->end_only);
		lazy = sc->lazy;
		lazy.may |= C(PROTOCOL);
		print_expect(sc, "lazy:100000", &lazy);
		print_expect(sc, drop, &sc->drop_ev);
		print_expect(sc, "none", &sc->none);
	}
}

static void usage(const struct scenario *const *scenarios)
{
	fprintf(stderr, "usage: tlbsan-scenario [--seed N] [--iterations N] NAME | --list\n"
		"  NAME:");
	for (size_t i = 0; i < NR_SCENARIOS; i++)
		fprintf(stderr, " %s", scenarios[i]->name);
	fprintf(stderr, "\n");
}

int main(int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "seed", required_argument, NULL, 's' },
		{ "iterations", required_argument, NULL, 'i' },
		{ "list", no_argument, NULL, 'l' },
		{ NULL, 0, NULL, 0 },
	};
	const struct scenario *scenarios[NR_SCENARIOS];
	unsigned long long v;
	const char *why;
	size_t i;
	int c;

	sort_scenarios(scenarios);
	setvbuf(stdout, NULL, _IOLBF, 0);
	while ((c = getopt_long(argc, argv, "", lopts, NULL)) != -1) {
		if (c == 'l') {
			if (optind != argc)
				break;
			list(scenarios);
			return 0;
		}
		if (c == '?' || tlbsan_parse_u64(optarg, 1, 1000000, &v)) {
			usage(scenarios);
			return 2;
		}
		if (c == 's')
			seed = (unsigned int)v;
		else
			iterations = (int)v;
	}
	ps = sysconf(_SC_PAGESIZE);
	for (i = 0; optind == argc - 1 && i < NR_SCENARIOS; i++) {
		if (strcmp(argv[optind], scenarios[i]->name))
			continue;
		why = scenarios[i]->unmet ? scenarios[i]->unmet() : NULL;
		if (why) {
			printf("%s: skipped: %s\n", scenarios[i]->name, why);
			return 4;
		}
		if (dev_open() != EXIT_OK)
			return 2;
		return scenarios[i]->fn();
	}
	usage(scenarios);
	return 2;
}
