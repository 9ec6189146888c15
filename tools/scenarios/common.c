// SPDX-License-Identifier: GPL-2.0
/*
 * What the scenarios share: the device's accesses, through the ACCESS and
 * BUF_ADD commands on the program's own pid, and the memory they set up.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>
#include "scenario.h"

static struct tlbsan_nl nl;
long ps;
unsigned int seed = 1;
int iterations = 8;

int dev_open(void)
{
	return tlbsan_nl_open(&nl);
}

static int acc_reply(struct nl_msg *msg, void *arg)
{
	struct nlattr *tb[TLBSAN_ATTR_MAX + 1];
	struct acc *a = arg;

	if (!tlbsan_nl_parse(msg, tb) && tb[TLBSAN_ATTR_STATUS] && tb[TLBSAN_ATTR_VALUE]) {
		a->status = nla_get_u32(tb[TLBSAN_ATTR_STATUS]);
		a->value = nla_get_u64(tb[TLBSAN_ATTR_VALUE]);
		if (tb[TLBSAN_ATTR_PAGE_SHIFT])
			a->page_shift = nla_get_u32(tb[TLBSAN_ATTR_PAGE_SHIFT]);
	}
	return NL_OK;
}

/* DEV-thread-@thread performs @op on @va; exits 2 if not attached. */
struct acc dev(int thread, int op, void *va, uint64_t value)
{
	struct acc a = { 0 };
	struct nl_msg *msg = tlbsan_nl_msg(&nl, TLBSAN_CMD_ACCESS, false);
	int err;

	if (!msg || nla_put_u32(msg, TLBSAN_ATTR_PID, getpid()) ||
	    nla_put_u32(msg, TLBSAN_ATTR_OP, op) ||
	    nla_put_u64(msg, TLBSAN_ATTR_VA, (uintptr_t)va) ||
	    nla_put_u32(msg, TLBSAN_ATTR_THREAD, thread) ||
	    (op != TLBSAN_OP_READ && nla_put_u64(msg, TLBSAN_ATTR_VALUE, value)))
		exit(2);
	err = tlbsan_nl_request(&nl, msg, acc_reply, &a, "access");
	if (err == -ENOENT || err == -ESRCH) {
		fprintf(stderr, "scenario: not attached (run me under 'tlbsan run')\n");
		exit(2);
	}
	return a;
}

/* A repeated device read stream over [va, va + len) on DEV-thread-@thread. */
void dev_stream(int thread, void *va, size_t len)
{
	struct nl_msg *msg = tlbsan_nl_msg(&nl, TLBSAN_CMD_BUF_ADD, false);

	if (!msg || nla_put_u32(msg, TLBSAN_ATTR_PID, getpid()) ||
	    nla_put_u32(msg, TLBSAN_ATTR_OP, TLBSAN_OP_READ) ||
	    nla_put_u64(msg, TLBSAN_ATTR_VA, (uintptr_t)va) ||
	    nla_put_u64(msg, TLBSAN_ATTR_LEN, len) ||
	    nla_put_u32(msg, TLBSAN_ATTR_THREAD, thread))
		exit(2);
	if (tlbsan_nl_request(&nl, msg, NULL, NULL, "buf-add"))
		exit(2);
}

uint64_t dev_read(int thread, void *va)
{
	return dev(thread, TLBSAN_OP_READ, va, 0).value;
}

void *map(size_t len)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED) {
		perror("scenario: mmap");
		exit(1);
	}
	return p;
}

char *align_2m(char *p)
{
	return (char *)(((uintptr_t)p + HPAGE_2M - 1) & ~(HPAGE_2M - 1));
}

void touch(char *p, size_t len, uint64_t v)
{
	for (size_t i = 0; i < len; i += ps)
		*(volatile uint64_t *)(p + i) = v + i / ps;
}

void dev_read_all(char *p, size_t len)
{
	for (size_t i = 0; i < len; i += ps)
		dev_read((i / ps) & 1, p + i);
}

/* A child that shares the parent's memory COW until it is reaped. */
pid_t hold_child(int *fd)
{
	int pfd[2];
	char c;
	pid_t pid;

	if (pipe(pfd))
		exit(1);
	pid = fork();
	if (pid == 0) {
		close(pfd[1]);
		while (read(pfd[0], &c, 1) > 0)
			;
		_exit(0);
	}
	close(pfd[0]);
	*fd = pfd[1];
	return pid;
}

void reap(pid_t pid, int fd)
{
	close(fd);
	waitpid(pid, NULL, 0);
}

struct write_arg {
	volatile uint64_t *p;
	uint64_t v;
};

static void *cpu_write(void *arg)
{
	struct write_arg *w = arg;

	*w->p = w->v;
	return NULL;
}

/* One CPU thread writes, and the write is complete when it returns. */
void cpu_thread_write(volatile uint64_t *p, uint64_t v)
{
	struct write_arg w = { p, v };
	pthread_t t;

	pthread_create(&t, NULL, cpu_write, &w);
	pthread_join(t, NULL);
}

const char *no_thp(void)
{
	/* (not built on PREEMPT_RT, for one) */
	if (access("/sys/kernel/mm/transparent_hugepage", F_OK))
		return "the kernel has no transparent huge pages";
	return NULL;
}

int write_file(const char *path, const char *v)
{
	FILE *f = fopen(path, "w");
	int ok;

	if (!f)
		return -1;
	ok = fputs(v, f) >= 0;
	return fclose(f) || !ok ? -1 : 0;
}

long read_long(const char *path)
{
	FILE *f = fopen(path, "r");
	long v = -1;

	if (f) {
		if (fscanf(f, "%ld", &v) != 1)
			v = -1;
		fclose(f);
	}
	return v;
}
