/* SPDX-License-Identifier: GPL-2.0 */
#ifndef TLBSAN_SCENARIO_H
#define TLBSAN_SCENARIO_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include "nl.h"
#include "tlbsan.h"

#ifndef MADV_COLD
#define MADV_COLD 20
#endif
#ifndef MADV_PAGEOUT
#define MADV_PAGEOUT 21
#endif

/*
 * Scenarios register themselves: each family file (scen-*.c) places a
 * descriptor with SCENARIO() in the tlbsan_scen section, beside the body
 * it describes, and main() (scenario.c) finds them there.
 *
 * What each scenario must produce under each model, checked by the guest
 * suite on every kernel line (tlbsan-scenario --list prints it).  Correct
 * models (hw, sw) are silent everywhere.  For a broken model:
 *   SILENT  no violation: the contract lets that model pass this path
 *           (e.g. munmap frees pages only after invalidate_range_end, so
 *           end-only is enough there);
 *   CAUGHT  at least one violation, all of classes @may, each of @must;
 *   ANY     violations, if any, are of classes @may (what is reached
 *           depends on a race the scenario cannot pin or on the kernel
 *           line, named beside the scenario).
 * drop:EVENT is run with the event the scenario drives most.  lazy may
 * also show PROTOCOL everywhere: a fill can commit after an invalidation
 * whose flush the model has deferred.
 */
enum verdict { SILENT, CAUGHT, ANY };

struct expect {
	enum verdict verdict;
	unsigned int may, must;		/* class bitmasks, C(CLASS) */
};

/* The bit of TLBSAN_CLASS_@cls (uapi/tlbsan.h) in a class mask: C(STALE). */
#define C(cls) (1u << TLBSAN_CLASS_##cls)
#define NOTHING { SILENT, 0, 0 }

struct scenario {
	const char *name;
	int (*fn)(void);
	const char *drop;		/* the event run with drop:EVENT */
	const char *opts;		/* extra attach options */
	struct expect end_only, lazy, drop_ev, none;
	/*
	 * NULL, or a check that returns why the running kernel cannot
	 * exercise the scenario (NULL when it can): --list then gives it
	 * verdict "skip" under every model, and running it prints the
	 * reason and exits 4, the kselftest skip status.
	 */
	const char *(*unmet)(void);
	/*
	 * The scenario's place in --list, in the usage and so in the guest
	 * suite's run order: the section holds the descriptors in link
	 * order, which is no order worth keeping, so main() sorts them by
	 * this key.  Each scenario has its own.
	 */
	int order;
};

/*
 * SCENARIO(order, name, fn, drop, opts, .end_only = ..., .lazy = ...,
 * .drop_ev = ..., .none = ...): register a scenario.  A model left out is
 * expected silent.
 */
#define SCENARIO(_order, _name, _fn, _drop, _opts, ...)				\
	static const struct scenario scenario_##_fn				\
	__attribute__((used, section("tlbsan_scen"), aligned(sizeof(void *)))) = { \
		.order = _order, .name = _name, .fn = _fn, .drop = _drop,	\
		.opts = _opts, __VA_ARGS__					\
	}

/* The run's parameters, set by main() before a scenario runs. */
extern long ps;
extern unsigned int seed;
extern int iterations;

#define HPAGE_2M (2UL << 20)

struct acc {
	unsigned int status;
	unsigned long long value;
	unsigned int page_shift;	/* of the translation used: 12, 21 or 30 */
};

/* Open the netlink socket dev() and dev_stream() use: EXIT_OK or EXIT_USAGE. */
int dev_open(void);
struct acc dev(int thread, int op, void *va, uint64_t value);
void dev_stream(int thread, void *va, size_t len);
uint64_t dev_read(int thread, void *va);
void dev_read_all(char *p, size_t len);

void *map(size_t len);
char *align_2m(char *p);
void touch(char *p, size_t len, uint64_t v);
void cpu_thread_write(volatile uint64_t *p, uint64_t v);
pid_t hold_child(int *fd);
void reap(pid_t pid, int fd);

/* unmet checks: NULL when the kernel has transparent huge pages. */
const char *no_thp(void);

/* Write @v to the sysfs or procfs file @path: 0, or -1 on failure. */
int write_file(const char *path, const char *v);
/* The number in @path, or -1. */
long read_long(const char *path);

#endif
