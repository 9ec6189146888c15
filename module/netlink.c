// SPDX-License-Identifier: GPL-2.0
/*
 * The tlbsan generic netlink family (the command families' files are
 * listed in nl.h).  Attributes are declared once in uapi/tlbsan.h, and
 * their policy once in uapi/tlbsan_policy.h.  Every error a request can
 * provoke carries an extack message.
 *
 * Privileges, all in the initial user namespace (the family is not netns
 * aware): every command needs CAP_NET_ADMIN (GENL_ADMIN_PERM), since even
 * STATS names other users' processes; what reads or writes a process's
 * memory or hands out pfns (ATTACH, DETACH, ACCESS, BUF_ADD, BUF_CLEAR,
 * TLB_DUMP, REPORT and the report multicast) also CAP_SYS_ADMIN; ATTACH,
 * which gives the device another process's memory, also CAP_SYS_PTRACE,
 * the capability that lets ptrace_may_access() pass whatever the target's
 * credentials (the function itself is not exported to modules, so LSM
 * ptrace hooks are not consulted).
 */
#include <linux/pid.h>
#include <linux/rcupdate.h>
#include <linux/sched/mm.h>
#include <linux/sched/task.h>
#include <uapi/tlbsan_policy.h>
#include "compat.h"
#include "nl.h"

/* uapi/tlbsan_policy.h's CHECK column, as nla_policy validation. */
#define TLBSAN_CHECK_NONE	NLA_VALIDATE_NONE
#define TLBSAN_CHECK_MIN	NLA_VALIDATE_MIN
#define TLBSAN_CHECK_MAX	NLA_VALIDATE_MAX
#define TLBSAN_CHECK_RANGE	NLA_VALIDATE_RANGE
#define TLBSAN_CHECK_OUT	NLA_VALIDATE_NONE
#define TLBSAN_IS_OUT_NONE	0
#define TLBSAN_IS_OUT_MIN	0
#define TLBSAN_IS_OUT_MAX	0
#define TLBSAN_IS_OUT_RANGE	0
#define TLBSAN_IS_OUT_OUT	1

#define TLBSAN_POL(t, c, lo, hi) {					\
	.type = TLBSAN_IS_OUT_##c ? NLA_REJECT : NLA_##t,		\
	.validation_type = TLBSAN_CHECK_##c,				\
	.min = (lo),							\
	.max = (hi),							\
}

static const struct nla_policy tlbsan_policy[TLBSAN_ATTR_MAX + 1] = TLBSAN_POLICY;

static const struct genl_multicast_group tlbsan_mcgrps[] = {
	{ .name = TLBSAN_MCGRP_REPORTS, TLBSAN_MCGRP_ADMIN },
};

/* Whether the sender of @skb may run a command needing @need; extack if not. */
int tlbsan_nl_may(const struct sk_buff *skb, enum tlbsan_nl_priv need,
		  struct netlink_ext_ack *extack)
{
	if (!netlink_capable(skb, CAP_SYS_ADMIN)) {
		NL_SET_ERR_MSG(extack, "needs CAP_SYS_ADMIN in the initial user namespace");
		return -EPERM;
	}
	if (need == TLBSAN_NL_ATTACH && !netlink_capable(skb, CAP_SYS_PTRACE)) {
		NL_SET_ERR_MSG(extack, "needs CAP_SYS_PTRACE in the initial user namespace");
		return -EPERM;
	}
	return 0;
}

/*
 * Resolve the PID attribute to an mm (held with mmget()) and its task
 * (held with get_task_struct()).  Returns 0 or -errno with extack set.
 */
int tlbsan_get_target(struct nlattr **attrs, struct netlink_ext_ack *extack,
		      struct task_struct **taskp, struct mm_struct **mmp)
{
	struct task_struct *task;
	struct mm_struct *mm;
	u32 nr;

	if (!attrs[TLBSAN_ATTR_PID]) {
		NL_SET_ERR_MSG(extack, "missing PID attribute");
		return -EINVAL;
	}
	nr = nla_get_u32(attrs[TLBSAN_ATTR_PID]);
	/* find_vpid() walks the pid namespace's IDR: RCU, or the pid may go. */
	rcu_read_lock();
	task = get_pid_task(find_vpid(nr), PIDTYPE_PID);
	rcu_read_unlock();
	if (!task) {
		NL_SET_BAD_ATTR(extack, attrs[TLBSAN_ATTR_PID]);
		NL_SET_ERR_MSG(extack, "no such process");
		return -ESRCH;
	}
	if (task->flags & PF_KTHREAD) {
		put_task_struct(task);
		NL_SET_BAD_ATTR(extack, attrs[TLBSAN_ATTR_PID]);
		NL_SET_ERR_MSG(extack, "process is a kernel thread and has no mm");
		return -EINVAL;
	}
	mm = get_task_mm(task);
	if (!mm) {
		put_task_struct(task);
		NL_SET_BAD_ATTR(extack, attrs[TLBSAN_ATTR_PID]);
		NL_SET_ERR_MSG(extack, "process is exiting and has no mm");
		return -ESRCH;
	}
	*taskp = task;
	*mmp = mm;
	return 0;
}

/*
 * The context of the PID attribute's mm, returned with tlbsan_ctx_lock
 * held; or an ERR_PTR, extack set, lock not held.  The mm is pinned only
 * with mmgrab() while the lock is taken: dropping a last mm_users
 * reference under the lock would run ->release, which takes it.
 */
struct tlbsan_ctx *tlbsan_lock_ctx(struct nlattr **attrs, struct netlink_ext_ack *extack)
{
	struct task_struct *task;
	struct tlbsan_ctx *ctx;
	struct mm_struct *mm;
	int ret;

	ret = tlbsan_get_target(attrs, extack, &task, &mm);
	if (ret)
		return ERR_PTR(ret);
	mmgrab(mm);
	mmput(mm);
	put_task_struct(task);
	mutex_lock(&tlbsan_ctx_lock);
	ctx = tlbsan_ctx_find(mm);
	mmdrop(mm);
	if (!ctx) {
		mutex_unlock(&tlbsan_ctx_lock);
		NL_SET_ERR_MSG(extack, "process's mm is not attached");
		return ERR_PTR(-ENOENT);
	}
	return ctx;
}

static const struct genl_ops tlbsan_ops[] = {
	{
		.cmd	= TLBSAN_CMD_ATTACH,
		.doit	= tlbsan_cmd_attach,
		.flags	= GENL_ADMIN_PERM,
	},
	{
		.cmd	= TLBSAN_CMD_DETACH,
		.doit	= tlbsan_cmd_detach,
		.flags	= GENL_ADMIN_PERM,
	},
	{
		.cmd	= TLBSAN_CMD_STATS,
		.doit	= tlbsan_cmd_stats,
		.dumpit	= tlbsan_dump_stats,
		.flags	= GENL_ADMIN_PERM,
	},
	{
		.cmd	= TLBSAN_CMD_ACCESS,
		.doit	= tlbsan_cmd_access,
		.flags	= GENL_ADMIN_PERM,
	},
	{
		.cmd	= TLBSAN_CMD_BUF_ADD,
		.doit	= tlbsan_cmd_buf_add,
		.flags	= GENL_ADMIN_PERM,
	},
	{
		.cmd	= TLBSAN_CMD_BUF_CLEAR,
		.doit	= tlbsan_cmd_buf_clear,
		.flags	= GENL_ADMIN_PERM,
	},
	{
		.cmd	= TLBSAN_CMD_TLB_DUMP,
		.start	= tlbsan_dump_tlb_start,
		.dumpit	= tlbsan_dump_tlb,
		.flags	= GENL_ADMIN_PERM,
	},
	{
		.cmd	= TLBSAN_CMD_REPORT,
		.start	= tlbsan_dump_reports_start,
		.dumpit	= tlbsan_dump_reports,
		.flags	= GENL_ADMIN_PERM,
	},
	{
		.cmd	= TLBSAN_CMD_SITES,
		.start	= tlbsan_dump_pasid_start,
		.dumpit	= tlbsan_dump_sites,
		.flags	= GENL_ADMIN_PERM,
	},
	{
		.cmd	= TLBSAN_CMD_COVERAGE,
		.dumpit	= tlbsan_dump_coverage,
		.flags	= GENL_ADMIN_PERM,
	},
};

struct genl_family tlbsan_family __ro_after_init = {
	.name		= TLBSAN_FAMILY_NAME,
	.version	= TLBSAN_FAMILY_VERSION,
	.maxattr	= TLBSAN_ATTR_MAX,
	.policy		= tlbsan_policy,
	.netnsok	= false,
	/* ACCESS waits for a device thread; requests take tlbsan_ctx_lock. */
	.parallel_ops	= true,
	.module		= THIS_MODULE,
	.ops		= tlbsan_ops,
	.n_ops		= ARRAY_SIZE(tlbsan_ops),
	.mcgrps		= tlbsan_mcgrps,
	.n_mcgrps	= ARRAY_SIZE(tlbsan_mcgrps),
};

int __init tlbsan_genl_init(void)
{
	int ret = genl_register_family(&tlbsan_family);

	if (!ret)
		tlbsan_events_set(&tlbsan_nl_events);
	return ret;
}

/* After the last context is gone: no report or gone event is delivered any more. */
void tlbsan_genl_exit(void)
{
	tlbsan_events_set(NULL);
	genl_unregister_family(&tlbsan_family);
}
