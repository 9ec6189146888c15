// SPDX-License-Identifier: GPL-2.0
/*
 * workload: a process whose memory operations the guest tests watch.
 *
 * Protocol on stdin/stdout, so that the test controls when work happens:
 *   prints "ready PID", waits for a line; runs the operations; prints
 *   "done", waits for a line; exits 0.  Any failed operation exits 1.
 *
 * Operations: mmap anonymous memory and touch it; fork, and write every
 * page in the parent while the child still shares it (COW copies), then
 * in the child; mprotect read-only and back; MADV_DONTNEED; munmap.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#define NPAGES 64

static void die(const char *what)
{
	perror(what);
	exit(1);
}

static void wait_line(void)
{
	char buf[64];

	if (!fgets(buf, sizeof(buf), stdin))
		exit(1);
}

static void touch(char *p, size_t len, char v)
{
	long ps = sysconf(_SC_PAGESIZE);

	for (size_t i = 0; i < len; i += ps)
		p[i] = v;
}

static void fork_and_cow(char *p, size_t len)
{
	int go[2], status;
	pid_t child;
	char c;

	if (pipe(go))
		die("pipe");
	child = fork();
	if (child < 0)
		die("fork");
	if (child == 0) {
		/* Child: write after the parent did, then leave. */
		if (read(go[0], &c, 1) != 1)
			_exit(1);
		touch(p, len, 3);
		_exit(0);
	}
	touch(p, len, 2);	/* parent writes while the child shares: COW copies */
	if (write(go[1], "x", 1) != 1)
		die("write");
	if (waitpid(child, &status, 0) != child || !WIFEXITED(status) || WEXITSTATUS(status))
		die("child");
	close(go[0]);
	close(go[1]);
}

int main(void)
{
	long ps = sysconf(_SC_PAGESIZE);
	size_t len = NPAGES * ps;
	char *p;

	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("ready %d\n", (int)getpid());
	wait_line();

	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		die("mmap");
	touch(p, len, 1);
	fork_and_cow(p, len);
	if (mprotect(p, len, PROT_READ))
		die("mprotect ro");
	if (mprotect(p, len, PROT_READ | PROT_WRITE))
		die("mprotect rw");
	touch(p, len, 4);
	if (madvise(p, len / 2, MADV_DONTNEED))
		die("madvise");
	touch(p, len, 5);
	if (munmap(p, len))
		die("munmap");

	printf("done\n");
	wait_line();
	return 0;
}
