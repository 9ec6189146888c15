// SPDX-License-Identifier: GPL-2.0
/*
 * run: start a command with a device context attached to its mm before it
 * executes its first instruction, and follow its whole process tree.
 *
 * The command runs under ptrace.  It stops at its exec (PTRACE_EVENT_EXEC:
 * the new mm exists, no instruction of it has run) and is attached there.
 * Every fork, vfork and clone stops the new task before its first
 * instruction (it starts with a SIGSTOP); a task with its own mm is
 * attached before it is let go, one sharing its parent's mm (threads,
 * vfork children before their exec) is already covered.  Contexts go away
 * with their mm (->release); the kernel then says GONE after the last
 * report, which is how run knows it has seen every report.
 *
 * Exit status: the command's (128 + signal if it was killed) when no
 * violation was seen; 1 when one was; 2 on setup errors or --timeout.
 */
#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "cmd.h"
#include "report.h"
#include "tlbsan.h"

#define MAX_TASKS	4096
#define MAX_CTX		4096

struct run {
	struct attach_opts ao;
	struct report_opts ro;
	long timeout;
	char **argv;

	struct tlbsan_nl mon;		/* the monitor thread's socket */
	pthread_mutex_t lock;		/* protects everything below */
	pthread_cond_t cond;
	struct report_state rs;
	int pasid[MAX_CTX];		/* attached contexts ... */
	bool gone[MAX_CTX];		/* ... and whether the kernel said GONE */
	int nr_ctx;
	bool stop;
};

static volatile sig_atomic_t run_timed_out, run_interrupted;

static void on_interrupt(int sig)
{
	(void)sig;
	run_interrupted = 1;
}

static void on_alarm(int sig)
{
	(void)sig;
	run_timed_out = 1;
}

static int run_msg(struct nl_msg *msg, void *arg)
{
	struct nlattr *tb[TLBSAN_ATTR_MAX + 1];
	struct run *r = arg;
	int i, pasid;

	pthread_mutex_lock(&r->lock);
	if (genlmsg_hdr(nlmsg_hdr(msg))->cmd == TLBSAN_CMD_GONE) {
		if (!tlbsan_nl_parse(msg, tb) && tb[TLBSAN_ATTR_PASID]) {
			pasid = nla_get_u32(tb[TLBSAN_ATTR_PASID]);
			for (i = 0; i < r->nr_ctx; i++)
				if (r->pasid[i] == pasid)
					r->gone[i] = true;
			pthread_cond_broadcast(&r->cond);
		}
	} else {
		report_msg(msg, &r->rs);
	}
	pthread_mutex_unlock(&r->lock);
	return NL_OK;
}

static void *monitor_thread(void *arg)
{
	struct run *r = arg;
	bool stop = false;

	while (!stop) {
		/* Wakes at least every 100 ms; NLE_NOMEM: ENOBUFS, reports lost. */
		if (nl_recvmsgs_default(r->mon.sk) == -NLE_NOMEM)
			r->rs.overruns++;	/* this thread's until joined */
		pthread_mutex_lock(&r->lock);
		stop = r->stop;
		pthread_mutex_unlock(&r->lock);
	}
	return NULL;
}

static int open_monitor(struct run *r)
{
	struct timeval tv = { .tv_usec = 100000 };

	if (tlbsan_nl_open(&r->mon) != EXIT_OK ||
	    tlbsan_nl_join_reports(&r->mon, run_msg, r, "run"))
		return -1;
	setsockopt(nl_socket_get_fd(r->mon.sk), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	return 0;
}

/* Attach @pid's mm; a shared mm (EEXIST) is already covered. */
static int attach_task(struct tlbsan_nl *nl, struct run *r, pid_t pid)
{
	struct attach_opts o = r->ao;
	int err, pasid = 0;

	o.pid = pid;
	err = attach_request(nl, &o, &pasid, true);
	if (err == -EEXIST || err == -ESRCH)
		return 0;
	if (err) {
		fprintf(stderr, "tlbsan: run: cannot attach pid %d: %s\n", pid, strerror(-err));
		return err;
	}
	pthread_mutex_lock(&r->lock);
	if (r->nr_ctx < MAX_CTX) {
		r->pasid[r->nr_ctx] = pasid;
		r->gone[r->nr_ctx++] = false;
	}
	pthread_mutex_unlock(&r->lock);
	return 0;
}

struct tasks {
	pid_t pid[MAX_TASKS];
	bool started[MAX_TASKS];	/* its first stop has been handled */
	int nr;
};

static int task_find(struct tasks *t, pid_t pid)
{
	int i;

	for (i = 0; i < t->nr; i++)
		if (t->pid[i] == pid)
			return i;
	return -1;
}

static int task_add(struct tasks *t, pid_t pid)
{
	int i = task_find(t, pid);

	if (i >= 0 || t->nr == MAX_TASKS)
		return i;
	t->pid[t->nr] = pid;
	t->started[t->nr] = false;
	return t->nr++;
}

static void task_del(struct tasks *t, pid_t pid)
{
	int i = task_find(t, pid);

	if (i < 0)
		return;
	t->pid[i] = t->pid[--t->nr];
	t->started[i] = t->started[t->nr];
}

static struct tasks t;

/*
 * Trace the tasks in @t (the command @child, or with @child 0 a tree seized
 * by follow_tree()) until every one is gone.
 */
static int trace_tree(struct tlbsan_nl *nl, struct run *r, pid_t child, int *status)
{
	unsigned long msg;
	int st, sig, ev, i;
	pid_t pid;

	while (t.nr && !run_interrupted) {
		if (run_timed_out) {
			for (i = 0; i < t.nr; i++)
				kill(t.pid[i], SIGKILL);
			run_timed_out = 0;
			r->timeout = -1;
		}
		pid = waitpid(-1, &st, __WALL);
		if (pid < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (WIFEXITED(st) || WIFSIGNALED(st)) {
			if (pid == child && status)
				*status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
			task_del(&t, pid);
			continue;
		}
		if (!WIFSTOPPED(st))
			continue;
		sig = WSTOPSIG(st);
		ev = st >> 16;
		i = task_add(&t, pid);
		if (ev == PTRACE_EVENT_EXEC) {
			/* The new mm, before its first instruction. */
			if (attach_task(nl, r, pid))
				return -1;
			ptrace(PTRACE_CONT, pid, 0, 0);
		} else if (ev == PTRACE_EVENT_FORK || ev == PTRACE_EVENT_VFORK ||
			   ev == PTRACE_EVENT_CLONE) {
			if (!ptrace(PTRACE_GETEVENTMSG, pid, 0, &msg))
				task_add(&t, (pid_t)msg);
			ptrace(PTRACE_CONT, pid, 0, 0);
		} else if (i >= 0 && !t.started[i] && pid != child &&
			   (sig == SIGSTOP || ev == PTRACE_EVENT_STOP)) {
			/*
			 * A new task's first stop (SIGSTOP; PTRACE_EVENT_STOP
			 * under PTRACE_SEIZE): attach its mm before it runs.
			 */
			t.started[i] = true;
			if (attach_task(nl, r, pid))
				return -1;
			ptrace(PTRACE_CONT, pid, 0, 0);
		} else if (ev == PTRACE_EVENT_STOP) {
			/* A group-stop of a seized task: leave it stopped. */
			ptrace(PTRACE_LISTEN, pid, 0, 0);
		} else {
			if (i >= 0)
				t.started[i] = true;
			/* Deliver the signal that stopped it. */
			ptrace(PTRACE_CONT, pid, 0, sig == SIGTRAP ? 0 : sig);
		}
	}
	return 0;
}

/* Add @pid's threads and, recursively, their children to @t; new ones count. */
static int enumerate_tree(pid_t pid)
{
	char path[64], buf[4096], *tok, *save;
	int added = 0, n;
	FILE *f;
	DIR *d;
	struct dirent *de;

	snprintf(path, sizeof(path), "/proc/%d/task", pid);
	d = opendir(path);
	if (!d)
		return 0;
	while ((de = readdir(d))) {
		pid_t tid = atoi(de->d_name);

		if (tid <= 0)
			continue;
		if (task_find(&t, tid) < 0 && task_add(&t, tid) >= 0) {
			t.started[task_find(&t, tid)] = true;
			added++;
		}
		snprintf(path, sizeof(path), "/proc/%d/task/%d/children", pid, tid);
		f = fopen(path, "r");
		if (!f)
			continue;
		n = fread(buf, 1, sizeof(buf) - 1, f);
		fclose(f);
		buf[n > 0 ? n : 0] = 0;
		for (tok = strtok_r(buf, " \n", &save); tok; tok = strtok_r(NULL, " \n", &save))
			added += enumerate_tree(atoi(tok));
	}
	closedir(d);
	return added;
}

/*
 * Seize every task of the running tree at @pid and attach every mm in it.
 * Enumerating again until nothing new appears closes the window in which a
 * task forked before its parent was seized; after that, seized parents
 * report their forks.
 */
static int follow_tree(struct tlbsan_nl *nl, struct run *r, pid_t pid)
{
	int round, i, seized = 0;

	t.nr = 0;
	for (round = 0; round < 16 && enumerate_tree(pid); round++) {
		for (i = seized; i < t.nr; i++) {
			if (ptrace(PTRACE_SEIZE, t.pid[i], 0,
				   PTRACE_O_TRACEFORK | PTRACE_O_TRACEVFORK |
				   PTRACE_O_TRACECLONE | PTRACE_O_TRACEEXEC)) {
				fprintf(stderr, "tlbsan: attach --follow: cannot trace %d: %s\n",
					t.pid[i], strerror(errno));
				return -1;
			}
			if (attach_task(nl, r, t.pid[i]))
				return -1;
		}
		seized = t.nr;
	}
	if (!t.nr) {
		fprintf(stderr, "tlbsan: attach --follow: no such process %d\n", pid);
		return -1;
	}
	return 0;
}

static struct run r;
static pthread_t monitor;

/* What run's options and operands say; do_run() copies them into r. */
static struct {
	struct attach_opts ao;
	struct report_opts ro;
	long timeout;
	char **argv;
} args = { .ao = ATTACH_OPTS_INIT, .ro = { .fail_mask = TLBSAN_CLASS_VIOLATIONS } };

static int run_parse(struct tlbsan_call *c, int opt, const char *arg)
{
	unsigned long long v;
	int ret;

	if (!opt) {
		if (!c->argc)
			return tlbsan_usage(c->cmd);
		args.argv = c->argv;
		return EXIT_OK;
	}
	ret = attach_opt(opt, arg, &args.ao);
	if (ret <= 0)
		return ret ? EXIT_USAGE : EXIT_OK;
	if (opt == 'j') {
		args.ro.json = true;
	} else if (opt == 'f') {
		if (report_parse_fail_on(arg, &args.ro.fail_mask))
			return EXIT_USAGE;
	} else if (opt == 'T') {
		if (tlbsan_parse_u64(arg, 1, 86400, &v)) {
			fprintf(stderr, "tlbsan: invalid --timeout '%s' (seconds)\n", arg);
			return EXIT_USAGE;
		}
		args.timeout = (long)v;
	}
	return EXIT_OK;
}

/* Wait until every attached context said GONE, or ~30 s. */
static void wait_gone(struct run *r)
{
	struct timespec until;
	bool all;
	int i;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += 30;
	pthread_mutex_lock(&r->lock);
	for (;;) {
		all = true;
		for (i = 0; i < r->nr_ctx; i++)
			all &= r->gone[i];
		if (all || pthread_cond_timedwait(&r->cond, &r->lock, &until) == ETIMEDOUT)
			break;
	}
	r->stop = true;
	pthread_mutex_unlock(&r->lock);
	if (!all)
		fprintf(stderr, "tlbsan: run: some contexts did not finish; reports may be missing\n");
}

/* Listening before the first attach: no report can be missed. */
static int run_start(void)
{
	r.rs.o = &r.ro;
	pthread_mutex_init(&r.lock, NULL);
	pthread_cond_init(&r.cond, NULL);
	return open_monitor(&r) || pthread_create(&monitor, NULL, monitor_thread, &r) ? -1 : 0;
}

/* After the tree is gone: the last reports, the summary; EXIT_* of it. */
static int run_finish(void)
{
	wait_gone(&r);
	pthread_join(monitor, NULL);
	tlbsan_nl_close(&r.mon);
	return report_summary(&r.rs);
}

/* attach --follow: the running tree at o->pid, until it is gone or a signal. */
int follow_run(struct tlbsan_nl *nl, const struct attach_opts *o, const struct report_opts *ro)
{
	struct sigaction sa = { .sa_handler = on_interrupt };

	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	r.ao = *o;
	r.ro = *ro;
	if (run_start())
		return EXIT_USAGE;
	if (follow_tree(nl, &r, o->pid)) {
		/* Tasks seized so far are released when this process exits. */
		run_finish();
		return EXIT_USAGE;
	}
	fprintf(stderr, "tlbsan: following %d tasks; contexts stay when interrupted\n", t.nr);
	trace_tree(nl, &r, 0, NULL);
	if (run_interrupted) {
		/* The tasks go on (released as this process exits), attached. */
		pthread_mutex_lock(&r.lock);
		r.stop = true;
		pthread_mutex_unlock(&r.lock);
		pthread_join(monitor, NULL);
		return report_summary(&r.rs);
	}
	return run_finish();
}

static int do_run(struct tlbsan_call *c)
{
	struct tlbsan_nl *nl = c->nl;
	struct sigaction sa = { 0 };
	int st, status = 0, ret;
	pid_t child;

	r.ao = args.ao;
	r.ro = args.ro;
	r.timeout = args.timeout;
	r.argv = args.argv;
	if (run_start())
		return EXIT_USAGE;

	child = fork();
	if (child < 0) {
		perror("tlbsan: run: fork");
		return EXIT_USAGE;
	}
	if (child == 0) {
		ptrace(PTRACE_TRACEME, 0, 0, 0);
		raise(SIGSTOP);
		execvp(r.argv[0], r.argv);
		fprintf(stderr, "tlbsan: run: cannot execute %s: %s\n", r.argv[0], strerror(errno));
		_exit(127);
	}
	if (waitpid(child, &st, 0) != child || !WIFSTOPPED(st) ||
	    ptrace(PTRACE_SETOPTIONS, child, 0,
		   PTRACE_O_TRACEFORK | PTRACE_O_TRACEVFORK | PTRACE_O_TRACECLONE |
		   PTRACE_O_TRACEEXEC | PTRACE_O_EXITKILL)) {
		fprintf(stderr, "tlbsan: run: cannot trace the command\n");
		kill(child, SIGKILL);
		return EXIT_USAGE;
	}
	if (r.timeout > 0) {
		sa.sa_handler = on_alarm;
		sigaction(SIGALRM, &sa, NULL);
		alarm(r.timeout);
	}
	ptrace(PTRACE_CONT, child, 0, 0);
	t.nr = 0;
	task_add(&t, child);
	ret = trace_tree(nl, &r, child, &status);
	alarm(0);
	if (ret) {
		kill(child, SIGKILL);
		run_finish();
		return EXIT_USAGE;
	}
	ret = run_finish();
	if (r.timeout < 0) {
		fprintf(stderr, "tlbsan: run: timed out; the command was killed\n");
		return EXIT_USAGE;
	}
	if (ret != EXIT_OK)
		return EXIT_FAIL;
	return status;
}

static const struct option run_options[] = {
	ATTACH_LONG_OPTIONS,
	{ "json", no_argument, NULL, 'j' },
	{ "fail-on", required_argument, NULL, 'f' },
	{ "timeout", required_argument, NULL, 'T' },
	{ NULL, 0, NULL, 0 },
};

TLBSAN_COMMAND("run",
	"[attach options] [--json] [--fail-on CLASS,...] [--timeout SEC] [--] CMD [ARGS...]",
	"run CMD with every mm of its process tree attached; reports, then a summary",
	CMD_NL | CMD_ARGS, do_run, .options = run_options, .parse = run_parse);
