// SPDX-License-Identifier: GPL-2.0
/*
 * The tlbsan generic netlink family.  Attributes are declared once in
 * uapi/tlbsan.h and validated here by the family's policy; mutating
 * commands need CAP_NET_ADMIN (GENL_ADMIN_PERM).  Every error a request can
 * provoke carries an extack message.
 */
#include <linux/pid.h>
#include <linux/sched/mm.h>
#include <linux/sched/task.h>
#include <net/genetlink.h>
#include "compat.h"
#include "tlbsan.h"

static const struct nla_policy tlbsan_policy[TLBSAN_ATTR_MAX + 1] = {
	[TLBSAN_ATTR_PID]	= NLA_POLICY_MIN(NLA_U32, 1),
	/* The rest are replies only. */
	[TLBSAN_ATTR_PASID]	= { .type = NLA_REJECT },
	[TLBSAN_ATTR_COMM]	= { .type = NLA_REJECT },
	[TLBSAN_ATTR_CALLBACKS]	= { .type = NLA_REJECT },
	[TLBSAN_ATTR_STARTS]	= { .type = NLA_REJECT },
	[TLBSAN_ATTR_ENDS]	= { .type = NLA_REJECT },
	[TLBSAN_ATTR_RELEASED]	= { .type = NLA_REJECT },
};

static struct genl_family tlbsan_family;

/*
 * Resolve the PID attribute to an mm (held with mmget()) and its task
 * (held with get_task_struct()).  Returns 0 or -errno with extack set.
 */
static int tlbsan_get_target(struct genl_info *info, struct task_struct **taskp,
			     struct mm_struct **mmp)
{
	struct task_struct *task;
	struct mm_struct *mm;
	u32 nr;

	if (!info->attrs[TLBSAN_ATTR_PID]) {
		GENL_SET_ERR_MSG(info, "missing PID attribute");
		return -EINVAL;
	}
	nr = nla_get_u32(info->attrs[TLBSAN_ATTR_PID]);
	task = get_pid_task(find_vpid(nr), PIDTYPE_PID);
	if (!task) {
		NL_SET_BAD_ATTR(info->extack, info->attrs[TLBSAN_ATTR_PID]);
		GENL_SET_ERR_MSG(info, "no such process");
		return -ESRCH;
	}
	if (task->flags & PF_KTHREAD) {
		put_task_struct(task);
		NL_SET_BAD_ATTR(info->extack, info->attrs[TLBSAN_ATTR_PID]);
		GENL_SET_ERR_MSG(info, "process is a kernel thread and has no mm");
		return -EINVAL;
	}
	mm = get_task_mm(task);
	if (!mm) {
		put_task_struct(task);
		NL_SET_BAD_ATTR(info->extack, info->attrs[TLBSAN_ATTR_PID]);
		GENL_SET_ERR_MSG(info, "process is exiting and has no mm");
		return -ESRCH;
	}
	*taskp = task;
	*mmp = mm;
	return 0;
}

static int tlbsan_nest_counters(struct sk_buff *skb, int attr, atomic64_t *c,
				int n, bool (*offered)(int))
{
	struct nlattr *nest = nla_nest_start(skb, attr);
	int i;

	if (!nest)
		return -EMSGSIZE;
	for (i = 1; i < n; i++) {
		if (offered && !offered(i))
			continue;
		if (nla_put_u64_64bit(skb, i, atomic64_read(&c[i]), TLBSAN_ATTR_PAD))
			goto cancel;
	}
	nla_nest_end(skb, nest);
	return 0;
cancel:
	nla_nest_cancel(skb, nest);
	return -EMSGSIZE;
}

static bool tlbsan_cb_offered_int(int cb)
{
	return tlbsan_cb_offered(cb);
}

/* One fill function for STATS replies and dumps.  Caller holds tlbsan_ctx_lock. */
static int tlbsan_fill_ctx(struct sk_buff *skb, struct tlbsan_ctx *ctx,
			   u32 portid, u32 seq, int flags)
{
	void *hdr;

	hdr = genlmsg_put(skb, portid, seq, &tlbsan_family, flags, TLBSAN_CMD_STATS);
	if (!hdr)
		return -EMSGSIZE;
	if (nla_put_u32(skb, TLBSAN_ATTR_PID, ctx->pid) ||
	    nla_put_u32(skb, TLBSAN_ATTR_PASID, ctx->pasid) ||
	    nla_put_string(skb, TLBSAN_ATTR_COMM, ctx->comm) ||
	    (READ_ONCE(ctx->released) && nla_put_flag(skb, TLBSAN_ATTR_RELEASED)) ||
	    tlbsan_nest_counters(skb, TLBSAN_ATTR_CALLBACKS, ctx->cb,
				 __TLBSAN_CB_MAX, tlbsan_cb_offered_int) ||
	    tlbsan_nest_counters(skb, TLBSAN_ATTR_STARTS, ctx->starts,
				 __TLBSAN_EVENT_MAX, NULL) ||
	    tlbsan_nest_counters(skb, TLBSAN_ATTR_ENDS, ctx->ends,
				 __TLBSAN_EVENT_MAX, NULL)) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(skb, hdr);
	return 0;
}

static int tlbsan_cmd_attach(struct sk_buff *skb, struct genl_info *info)
{
	struct tlbsan_ctx *ctx, *old;
	struct task_struct *task;
	struct mm_struct *mm;
	struct sk_buff *msg;
	void *hdr;
	int ret;

	ret = tlbsan_get_target(info, &task, &mm);
	if (ret)
		return ret;
	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg) {
		ret = -ENOMEM;
		goto out_put;
	}

	mutex_lock(&tlbsan_ctx_lock);
	old = tlbsan_ctx_find(mm);
	if (old) {
		tlbsan_extack_fmt(info, "the process's mm is already attached",
				  "mm already attached (pasid %u, pid %d)",
				  old->pasid, old->pid);
		ret = -EEXIST;
		goto out_unlock;
	}
	ctx = tlbsan_ctx_attach(task, mm);
	if (IS_ERR(ctx)) {
		ret = PTR_ERR(ctx);
		GENL_SET_ERR_MSG(info, "cannot register an mmu_notifier on the mm");
		goto out_unlock;
	}
	hdr = genlmsg_put_reply(msg, info, &tlbsan_family, 0, TLBSAN_CMD_ATTACH);
	if (!hdr || nla_put_u32(msg, TLBSAN_ATTR_PID, ctx->pid) ||
	    nla_put_u32(msg, TLBSAN_ATTR_PASID, ctx->pasid)) {
		/* The attach stands; only the reply is lost. */
		ret = -EMSGSIZE;
		goto out_unlock;
	}
	genlmsg_end(msg, hdr);
	mutex_unlock(&tlbsan_ctx_lock);
	mmput(mm);
	put_task_struct(task);
	return genlmsg_reply(msg, info);

out_unlock:
	mutex_unlock(&tlbsan_ctx_lock);
	nlmsg_free(msg);
out_put:
	mmput(mm);
	put_task_struct(task);
	return ret;
}

static int tlbsan_cmd_detach(struct sk_buff *skb, struct genl_info *info)
{
	struct task_struct *task;
	struct mm_struct *mm;
	int ret;

	ret = tlbsan_get_target(info, &task, &mm);
	if (ret)
		return ret;
	ret = tlbsan_ctx_detach_mm(mm);
	mmput(mm);
	put_task_struct(task);
	if (ret == -ENOENT) {
		GENL_SET_ERR_MSG(info, "process's mm is not attached");
		return ret;
	}
	return 0;
}

static int tlbsan_cmd_stats(struct sk_buff *skb, struct genl_info *info)
{
	struct task_struct *task;
	struct tlbsan_ctx *ctx;
	struct mm_struct *mm;
	struct sk_buff *msg;
	int ret;

	ret = tlbsan_get_target(info, &task, &mm);
	if (ret)
		return ret;
	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg) {
		ret = -ENOMEM;
		goto out_put;
	}
	mutex_lock(&tlbsan_ctx_lock);
	ctx = tlbsan_ctx_find(mm);
	if (!ctx) {
		GENL_SET_ERR_MSG(info, "process's mm is not attached");
		ret = -ENOENT;
	} else {
		ret = tlbsan_fill_ctx(msg, ctx, info->snd_portid, info->snd_seq, 0);
	}
	mutex_unlock(&tlbsan_ctx_lock);
	if (ret) {
		nlmsg_free(msg);
		goto out_put;
	}
	ret = genlmsg_reply(msg, info);
out_put:
	mmput(mm);
	put_task_struct(task);
	return ret;
}

/* Dump every context; cb->args[0] counts the contexts already sent. */
static int tlbsan_dump_stats(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct tlbsan_ctx *ctx;
	long idx = 0;

	mutex_lock(&tlbsan_ctx_lock);
	list_for_each_entry(ctx, &tlbsan_ctxs, node) {
		if (idx++ < cb->args[0])
			continue;
		if (tlbsan_fill_ctx(skb, ctx, NETLINK_CB(cb->skb).portid,
				    cb->nlh->nlmsg_seq, NLM_F_MULTI))
			break;
		cb->args[0] = idx;
	}
	mutex_unlock(&tlbsan_ctx_lock);
	return skb->len;
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
	},
};

static struct genl_family tlbsan_family __ro_after_init = {
	.name		= TLBSAN_FAMILY_NAME,
	.version	= TLBSAN_FAMILY_VERSION,
	.maxattr	= TLBSAN_ATTR_MAX,
	.policy		= tlbsan_policy,
	.netnsok	= false,
	.module		= THIS_MODULE,
	.ops		= tlbsan_ops,
	.n_ops		= ARRAY_SIZE(tlbsan_ops),
};

int __init tlbsan_genl_init(void)
{
	return genl_register_family(&tlbsan_family);
}

void tlbsan_genl_exit(void)
{
	genl_unregister_family(&tlbsan_family);
}
