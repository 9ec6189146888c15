// SPDX-License-Identifier: GPL-2.0
/*
 * Page replacement: the kernel puts another page behind a mapping the
 * device caches (KSM merging, migration, a uprobe's copy of the text).
 *
 *   ksm       identical MADV_MERGEABLE pages merged by ksmd (forced to run),
 *             then COW-broken by writes (benign reports at the merge).
 *   migrate   move_pages() and mbind() between NUMA nodes (when there are
 *             two), compaction, MADV_SOFT_OFFLINE, a THP split (debugfs).
 *   uprobe    a uprobe on the program's own text enabled and disabled.
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "scenario.h"

/* ---- ksm ---- */

static int ksm(void)
{
	size_t len = 16 * ps;
	char *p = map(len), path[64];
	long merged = 0;
	int i;

	if (write_file("/sys/kernel/mm/ksm/sleep_millisecs", "0") ||
	    write_file("/sys/kernel/mm/ksm/pages_to_scan", "10000")) {
		printf("ksm: no KSM; nothing to do\n");
		return 0;
	}
	for (i = 0; i < 16; i++)
		*(uint64_t *)(p + i * ps) = 0x4b534d;
	dev_read_all(p, len);
	madvise(p, len, MADV_MERGEABLE);
	write_file("/sys/kernel/mm/ksm/run", "1");
	snprintf(path, sizeof(path), "/proc/%d/ksm_merging_pages", getpid());
	/* Bounded wait for ksmd; the scenario is valid whatever it merged. */
	for (i = 0; i < 100000 && merged < 16; i++)
		merged = read_long(path);
	write_file("/sys/kernel/mm/ksm/run", "0");
	printf("ksm: %ld pages merged\n", merged);
	dev_read_all(p, len);
	touch(p, len, 1);		/* COW-break every merged page */
	dev_read_all(p, len);
	return 0;
}

SCENARIO(6, "ksm", ksm, "clear", "",
	 .end_only	= { CAUGHT, C(STALE), C(STALE) },
	 .lazy		= { CAUGHT, C(USE_AFTER_FREE) | C(STALE), 0 },
	 .drop_ev	= { CAUGHT, C(USE_AFTER_FREE) | C(MISSED), C(MISSED) },
	 .none		= { CAUGHT, C(USE_AFTER_FREE) | C(STALE), C(USE_AFTER_FREE) });

/* ---- migrate ---- */

#ifndef MADV_SOFT_OFFLINE
#define MADV_SOFT_OFFLINE 101
#endif

/* Splitting an anonymous THP goes through migration entries. */
static int migrate_thp_split(void)
{
	size_t huge = 2UL << 20;
	char *raw = map(2 * huge), *h, cmd[96];

	h = align_2m(raw);
	madvise(h, huge, MADV_HUGEPAGE);
	touch(h, huge, 3);
	dev_read(0, h);
	dev_read(1, h + 100 * ps);
	snprintf(cmd, sizeof(cmd), "%d,0x%lx,0x%lx", getpid(), (unsigned long)h,
		 (unsigned long)(h + huge));
	if (write_file("/sys/kernel/debug/split_huge_pages", cmd))
		printf("migrate: no split_huge_pages in debugfs\n");
	dev_read(0, h);
	dev_read(1, h + 100 * ps);
	munmap(raw, 2 * huge);
	return 0;
}

static int migrate(void)
{
	size_t len = 16 * ps;
	char *p = map(len);
	void *pages[16];
	int nodes[16], status[16], i, k, nr_nodes = 0;
	unsigned long mask;
	char path[64];

	for (i = 0; i < 64; i++) {
		snprintf(path, sizeof(path), "/sys/devices/system/node/node%d", i);
		if (access(path, F_OK) == 0)
			nr_nodes = i + 1;
	}
	printf("migrate: %d NUMA node(s)\n", nr_nodes);
	for (k = 0; k < iterations; k++) {
		touch(p, len, k);
		dev_read_all(p, len);
		if (nr_nodes >= 2) {
			for (i = 0; i < 16; i++) {
				pages[i] = p + i * ps;
				nodes[i] = (k + i) & 1;
			}
			if (syscall(SYS_move_pages, 0, 16, pages, nodes, status, 2 /* MPOL_MF_MOVE */))
				perror("migrate: move_pages");
			dev_read_all(p, len);
			/* mbind(MPOL_BIND, MPOL_MF_MOVE) moves them all to one node. */
			mask = 1UL << (k & 1);
			if (syscall(SYS_mbind, p, len, 2 /* MPOL_BIND */, &mask, 64,
				    2 /* MPOL_MF_MOVE */))
				perror("migrate: mbind");
			dev_read_all(p, len);
			syscall(SYS_mbind, p, len, 0 /* MPOL_DEFAULT */, NULL, 0, 0);
		}
		if (k == 0 && write_file("/proc/sys/vm/compact_memory", "1"))
			printf("migrate: no compaction here\n");
		dev_read_all(p, len);
		/* Soft offline migrates a page away from its frame. */
		if (madvise(p + (k % 16) * ps, ps, MADV_SOFT_OFFLINE))
			perror("migrate: MADV_SOFT_OFFLINE");
		dev_read_all(p, len);
	}
	return migrate_thp_split();
}

/* Migration frees the old page after the bracket's end. */
SCENARIO(8, "migrate", migrate, "clear", "",
	 .end_only	= NOTHING,
	 .lazy		= { CAUGHT, C(USE_AFTER_FREE) | C(STALE), 0 },
	 .drop_ev	= { CAUGHT, C(USE_AFTER_FREE) | C(STALE) | C(MISSED), 0 },
	 .none		= { CAUGHT, C(USE_AFTER_FREE) | C(STALE), C(USE_AFTER_FREE) });

/* ---- uprobe ---- */

__attribute__((noinline)) int uprobe_target(int x)
{
	__asm__ volatile("" : : : "memory");
	return x + 1;
}

static const char *tracefs(void)
{
	static const char *const dirs[] = { "/sys/kernel/tracing", "/sys/kernel/debug/tracing" };
	static char ev[64];

	for (int i = 0; i < 2; i++) {
		snprintf(ev, sizeof(ev), "%s/uprobe_events", dirs[i]);
		if (access(ev, W_OK) == 0)
			return dirs[i];
	}
	if (mount("tracefs", dirs[0], "tracefs", 0, NULL) == 0)
		return dirs[0];
	return NULL;
}

/* File offset of @addr in the mapping of /proc/self/exe that holds it. */
static long text_offset(uintptr_t addr, char path[256])
{
	FILE *f = fopen("/proc/self/maps", "r");
	unsigned long start, end, off;
	char line[512];
	long ret = -1;

	while (f && fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%lx-%lx %*s %lx %*s %*s %255s", &start, &end, &off, path) == 4 &&
		    addr >= start && addr < end) {
			ret = (long)(addr - start + off);
			break;
		}
	}
	if (f)
		fclose(f);
	return ret;
}

static const char *path_in(const char *dir, const char *file, char *buf, size_t size)
{
	snprintf(buf, size, "%s/%s", dir, file);
	return buf;
}

/* Append @text to the tracefs file @dir/@file. */
static int trace_write(const char *dir, const char *file, const char *text)
{
	char path[192];
	int fd, ok;

	fd = open(path_in(dir, file, path, sizeof(path)), O_WRONLY | O_APPEND);
	if (fd < 0)
		return -1;
	ok = write(fd, text, strlen(text)) == (ssize_t)strlen(text);
	close(fd);
	return ok ? 0 : -1;
}

/*
 * A uprobe on this program's own text, which the device caches: enabling
 * it replaces the file page by an anonymous copy holding the breakpoint
 * (uprobes' page replacement); disabling it restores the original
 * instruction and lets the copy go.
 */
static int uprobe(void)
{
	uintptr_t fn = (uintptr_t)uprobe_target;
	char exe[256], def[512], name[32], enable[64], opt[128];
	long record_cmd;
	const char *dir = tracefs();
	long off = text_offset(fn, exe);
	void *page = (void *)(fn & ~((uintptr_t)ps - 1));
	int i;

	if (!dir || off < 0) {
		printf("uprobe: no tracefs or no text mapping here\n");
		return 1;
	}
	/*
	 * Enabling a trace event normally starts comm recording, which hooks
	 * sched_switch by patching kernel text; that is beside the point
	 * here (and not reliable under emulation), so it is turned off.
	 */
	record_cmd = read_long(path_in(dir, "options/record-cmd", opt, sizeof(opt)));
	if (record_cmd > 0)
		write_file(opt, "0");
	snprintf(name, sizeof(name), "p%d", getpid());
	snprintf(def, sizeof(def), "p:tlbsan_scenario/%s %s:0x%lx\n", name, exe, off);
	snprintf(enable, sizeof(enable), "events/tlbsan_scenario/%s/enable", name);
	if (trace_write(dir, "uprobe_events", def)) {
		perror("uprobe: uprobe_events");
		return 1;
	}
	for (i = 0; i < iterations; i++) {
		uprobe_target(i);
		dev_read(0, page);
		if (trace_write(dir, enable, "1")) {
			perror("uprobe: enable");
			break;
		}
		dev_read(1, page);
		if (uprobe_target(i) != i + 1)		/* through the breakpoint */
			return 1;
		dev_read(0, page);
		if (trace_write(dir, enable, "0")) {
			perror("uprobe: disable");
			break;
		}
		dev_read(1, page);
	}
	snprintf(def, sizeof(def), "-:tlbsan_scenario/%s\n", name);
	trace_write(dir, "uprobe_events", def);
	if (record_cmd > 0)
		write_file(opt, "1");
	printf("uprobe: %d enable/disable rounds\n", i);
	return i == iterations ? 0 : 1;
}

/*
 * Enabling a uprobe repoints the text PTE to a copy (B).  Up to 6.x
 * the copy holds the breakpoint when it is mapped (end-only: STALE);
 * 7.x first maps an identical copy (benign), then writes the
 * breakpoint through its own mapping.
 */
SCENARIO(13, "uprobe", uprobe, "clear", "",
	 .end_only	= { ANY, C(STALE), 0 },
	 .lazy		= { ANY, C(USE_AFTER_FREE) | C(STALE), 0 },
	 .drop_ev	= { CAUGHT, C(USE_AFTER_FREE) | C(STALE) | C(MISSED), 0 },
	 .none		= { CAUGHT, C(USE_AFTER_FREE) | C(STALE), C(STALE) });
