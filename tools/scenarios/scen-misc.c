// SPDX-License-Identifier: GPL-2.0
/*
 * Short paths on a few pages each, run one after the other by one scenario:
 *
 *   misc      a time namespace joined (vvar zapped), soft-dirty, writeback
 *             of a shared block-device mapping (page_mkclean), userfaultfd
 *             missing and write-protect modes, process_madvise, and an
 *             exit while the device is mid-access.
 */
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/userfaultfd.h>
#include "scenario.h"

/* ---- misc ---- */

static int soft_dirty(char *p, size_t len)
{
	touch(p, len, 5);
	dev_read_all(p, len);
	if (write_file("/proc/self/clear_refs", "4"))	/* soft-dirty: write-protects */
		return 0;
	dev(0, TLBSAN_OP_WRITE, p, 6);
	touch(p, len, 7);
	dev_read_all(p, len);
	return 0;
}

/*
 * A userfaultfd and the thread serving it.  The thread is stopped and
 * joined before the descriptor is closed: a handler still looping could
 * otherwise read whatever file the next userfaultfd() gets at that number.
 */
struct uffd_server {
	int uffd, stop[2];
	pthread_t thread;
	void (*serve)(int uffd, const struct uffd_msg *msg);
};

static void *uffd_serve(void *arg)
{
	struct uffd_server *u = arg;
	struct pollfd pfd[2] = { { u->uffd, POLLIN, 0 }, { u->stop[0], POLLIN, 0 } };
	struct uffd_msg msg;

	while (poll(pfd, 2, -1) > 0 && !pfd[1].revents) {
		if (read(u->uffd, &msg, sizeof(msg)) == sizeof(msg) &&
		    msg.event == UFFD_EVENT_PAGEFAULT)
			u->serve(u->uffd, &msg);
	}
	return NULL;
}

/* A userfaultfd registered on [p, p + len) in @mode, served by @serve. */
static int uffd_start(struct uffd_server *u, void *p, size_t len, uint64_t mode,
		      void (*serve)(int uffd, const struct uffd_msg *msg))
{
	struct uffdio_api api = { .api = UFFD_API };
	struct uffdio_register reg = {
		.range = { .start = (uintptr_t)p, .len = len },
		.mode = mode,
	};

	u->serve = serve;
	u->uffd = syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK);
	if (u->uffd < 0)
		return -1;
	if (ioctl(u->uffd, UFFDIO_API, &api) || ioctl(u->uffd, UFFDIO_REGISTER, &reg) ||
	    pipe(u->stop)) {
		close(u->uffd);
		return -1;
	}
	pthread_create(&u->thread, NULL, uffd_serve, u);
	return 0;
}

static void uffd_stop(struct uffd_server *u)
{
	if (write(u->stop[1], "s", 1) != 1)
		exit(1);
	pthread_join(u->thread, NULL);
	close(u->stop[0]);
	close(u->stop[1]);
	close(u->uffd);
}

/* Missing-page faults are filled with a page of 0x5a. */
static void serve_missing(int uffd, const struct uffd_msg *msg)
{
	static char page[65536] __attribute__((aligned(65536)));
	struct uffdio_copy copy = {
		.dst = msg->arg.pagefault.address & ~((uint64_t)ps - 1),
		.src = (uintptr_t)page,
		.len = ps,
	};

	memset(page, 0x5a, sizeof(page));
	ioctl(uffd, UFFDIO_COPY, &copy);
}

static int userfault(void)
{
	size_t len = 4 * ps;
	char *p = map(len);
	struct uffd_server u;

	if (uffd_start(&u, p, len, UFFDIO_REGISTER_MODE_MISSING, serve_missing)) {
		printf("misc: no userfaultfd here\n");
		return 0;
	}
	/* Device page requests fault through the userfaultfd handler. */
	dev_read_all(p, len);
	madvise(p, len, MADV_DONTNEED);
	dev_read_all(p, len);
	uffd_stop(&u);
	munmap(p, len);
	return 0;
}

/* Write-protect faults (CPU or device page requests) lift the protection. */
static void serve_wp(int uffd, const struct uffd_msg *msg)
{
	struct uffdio_writeprotect wp = {
		.range = {
			.start = msg->arg.pagefault.address & ~((uint64_t)ps - 1),
			.len = ps,
		},
		.mode = 0,
	};

	if (msg->arg.pagefault.flags & UFFD_PAGEFAULT_FLAG_WP)
		ioctl(uffd, UFFDIO_WRITEPROTECT, &wp);
}

/*
 * userfaultfd write-protect mode: the device holds writable translations
 * when UFFDIO_WRITEPROTECT takes write access away; then the device and a
 * CPU thread write, and the handler lifts the protection page by page.
 */
static int userfault_wp(void)
{
	size_t len = 4 * ps;
	char *p = map(len);
	struct uffdio_writeprotect wp = {
		.range = { .start = (uintptr_t)p, .len = len },
		.mode = UFFDIO_WRITEPROTECT_MODE_WP,
	};
	struct uffd_server u;

	touch(p, len, 11);
	if (uffd_start(&u, p, len, UFFDIO_REGISTER_MODE_WP, serve_wp)) {
		printf("misc: no userfaultfd write-protect mode here\n");
		return 0;
	}
	for (size_t i = 0; i < len; i += ps)
		dev(i / ps & 1, TLBSAN_OP_WRITE, p + i, 12);
	if (ioctl(u.uffd, UFFDIO_WRITEPROTECT, &wp))
		perror("misc: UFFDIO_WRITEPROTECT");
	dev(0, TLBSAN_OP_WRITE, p, 13);
	cpu_thread_write((uint64_t *)(p + ps), 14);
	dev_read_all(p, len);
	uffd_stop(&u);
	munmap(p, len);
	return 0;
}

/*
 * Writeback of a dirty MAP_SHARED page of a block device (the second zram
 * device): page_mkclean write-protects every mapping of it.
 */
static int mkclean(void)
{
	size_t len = 4 * ps;
	char *p;
	int fd;

	if (read_long("/sys/block/zram1/disksize") == 0)
		write_file("/sys/block/zram1/disksize", "4M");
	fd = open("/dev/zram1", O_RDWR);
	if (fd < 0) {
		printf("misc: no /dev/zram1 for writeback\n");
		return 0;
	}
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	if (p == MAP_FAILED)
		return 1;
	touch(p, len, 21);
	for (size_t i = 0; i < len; i += ps)
		dev(i / ps & 1, TLBSAN_OP_WRITE, p + i, 22);
	if (msync(p, len, MS_SYNC))		/* write-protected for writeback */
		perror("misc: msync");
	dev(0, TLBSAN_OP_WRITE, p, 23);
	dev_read_all(p, len);
	munmap(p, len);
	return 0;
}

/*
 * Joining a time namespace remaps the vvar page (zapped).  Must run while
 * the process is still single-threaded.
 */
static void timens(void)
{
	int fd;

	if (unshare(CLONE_NEWTIME)) {
		printf("misc: no time namespaces here\n");
		return;
	}
	fd = open("/proc/self/ns/time_for_children", O_RDONLY);
	if (fd < 0 || setns(fd, CLONE_NEWTIME))
		perror("misc: setns(CLONE_NEWTIME)");
	if (fd >= 0)
		close(fd);
}

static int misc(void)
{
	size_t len = 8 * ps;
	char *p = map(len);
	struct iovec iov = { p, len };
	int pidfd, i;
	pid_t child;

	timens();
	soft_dirty(p, len);
	mkclean();
	userfault();
	userfault_wp();
	/* process_madvise(MADV_COLD) on ourselves through a pidfd */
	pidfd = syscall(SYS_pidfd_open, getpid(), 0);
	touch(p, len, 9);
	dev_read_all(p, len);
	if (pidfd >= 0)
		syscall(SYS_process_madvise, pidfd, &iov, 1, MADV_COLD, 0);
	dev_read_all(p, len);
	/* A child exits while its device context is mid-access. */
	for (i = 0; i < iterations; i++) {
		child = fork();
		if (child == 0) {
			char *c = map(len);

			touch(c, len, i);
			dev_read_all(c, len);
			dev_stream(i & 1, c, len);	/* the device keeps reading ... */
			_exit(0);			/* ... while the mm goes away */
		}
		waitpid(child, NULL, 0);
	}
	return 0;
}

/* Write-protection (soft-dirty, uffd-wp) may wait for the end. */
SCENARIO(9, "misc", misc, "soft_dirty", "",
	 .end_only	= NOTHING,
	 .lazy		= { CAUGHT, C(USE_AFTER_FREE) | C(WP_WRITE), C(WP_WRITE) },
	 .drop_ev	= { CAUGHT, C(MISSED) | C(WP_WRITE), 0 },
	 .none		= { CAUGHT, C(USE_AFTER_FREE) | C(WP_WRITE), C(WP_WRITE) });
