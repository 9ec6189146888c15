// SPDX-License-Identifier: GPL-2.0
/*
 * The tlbsan generic netlink family.  Attributes are declared once in
 * uapi/tlbsan.h and validated here by the family's policy; mutating
 * commands need CAP_NET_ADMIN (GENL_ADMIN_PERM).  Every error a request can
 * provoke carries an extack message.
 */
#include <linux/kallsyms.h>
#include <linux/pid.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/sched/mm.h>
#include <linux/sched/task.h>
#include <net/genetlink.h>
#include "compat.h"
#include "sites.h"
#include "tlbsan.h"

static const struct nla_policy tlbsan_policy[TLBSAN_ATTR_MAX + 1] = {
	[TLBSAN_ATTR_PID]		= NLA_POLICY_MIN(NLA_U32, 1),
	[TLBSAN_ATTR_MODEL]		= NLA_POLICY_RANGE(NLA_U32, 1, TLBSAN_MODEL_MAX),
	[TLBSAN_ATTR_MODEL_ARG]		= { .type = NLA_U32 },
	[TLBSAN_ATTR_TLB_ENTRIES]	= NLA_POLICY_MIN(NLA_U32, 1),
	[TLBSAN_ATTR_TLB_WAYS]		= NLA_POLICY_MIN(NLA_U32, 1),
	[TLBSAN_ATTR_THREADS]		= NLA_POLICY_RANGE(NLA_U32, 1, 16),
	[TLBSAN_ATTR_PATTERN]		= NLA_POLICY_RANGE(NLA_U32, 1, TLBSAN_PATTERN_MAX),
	[TLBSAN_ATTR_PRI]		= NLA_POLICY_MAX(NLA_U8, 1),
	[TLBSAN_ATTR_PDE_ENTRIES]	= { .type = NLA_U32 },
	[TLBSAN_ATTR_OP]		= NLA_POLICY_RANGE(NLA_U32, 1, TLBSAN_OP_MAX),
	[TLBSAN_ATTR_VA]		= { .type = NLA_U64 },
	[TLBSAN_ATTR_SIZE]		= { .type = NLA_U32 },
	[TLBSAN_ATTR_LEN]		= NLA_POLICY_MIN(NLA_U64, 1),
	[TLBSAN_ATTR_VALUE]		= { .type = NLA_U64 },
	[TLBSAN_ATTR_EXPECT]		= { .type = NLA_U64 },
	[TLBSAN_ATTR_THREAD]		= NLA_POLICY_MAX(NLA_U32, 15),
	/* The rest are replies only. */
	[TLBSAN_ATTR_PASID]		= { .type = NLA_REJECT },
	[TLBSAN_ATTR_COMM]		= { .type = NLA_REJECT },
	[TLBSAN_ATTR_CALLBACKS]		= { .type = NLA_REJECT },
	[TLBSAN_ATTR_STARTS]		= { .type = NLA_REJECT },
	[TLBSAN_ATTR_ENDS]		= { .type = NLA_REJECT },
	[TLBSAN_ATTR_RELEASED]		= { .type = NLA_REJECT },
	[TLBSAN_ATTR_STATUS]		= { .type = NLA_REJECT },
	[TLBSAN_ATTR_PFN]		= { .type = NLA_REJECT },
	[TLBSAN_ATTR_PAGE_SHIFT]	= { .type = NLA_REJECT },
	[TLBSAN_ATTR_PERM]		= { .type = NLA_REJECT },
	[TLBSAN_ATTR_WALK]		= { .type = NLA_REJECT },
	[TLBSAN_ATTR_DEV]		= { .type = NLA_REJECT },
	[TLBSAN_ATTR_WALK_FAILS]	= { .type = NLA_REJECT },
	[TLBSAN_ATTR_HIST_START]	= { .type = NLA_REJECT },
	[TLBSAN_ATTR_HIST_SECONDARY]	= { .type = NLA_REJECT },
	[TLBSAN_ATTR_TLBE]		= { .type = NLA_REJECT },
	[TLBSAN_ATTR_PDE]		= { .type = NLA_REJECT },
	[TLBSAN_ATTR_FILL_NS]		= { .type = NLA_REJECT },
	[TLBSAN_ATTR_FILL_SEQ]		= { .type = NLA_REJECT },
	[TLBSAN_ATTR_TABLE_PFN]		= { .type = NLA_REJECT },
	[TLBSAN_ATTR_CLASS ... TLBSAN_ATTR_LAST_INV] = { .type = NLA_REJECT },
};

static const struct genl_multicast_group tlbsan_mcgrps[] = {
	{ .name = TLBSAN_MCGRP_REPORTS, TLBSAN_MCGRP_ADMIN },
};

static struct genl_family tlbsan_family;

/*
 * Resolve the PID attribute to an mm (held with mmget()) and its task
 * (held with get_task_struct()).  Returns 0 or -errno with extack set.
 */
static int __tlbsan_get_target(struct nlattr **attrs, struct netlink_ext_ack *extack,
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
	task = get_pid_task(find_vpid(nr), PIDTYPE_PID);
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

static int tlbsan_get_target(struct genl_info *info, struct task_struct **taskp,
			     struct mm_struct **mmp)
{
	return __tlbsan_get_target(info->attrs, info->extack, taskp, mmp);
}

/*
 * The context of the PID attribute's mm, returned with tlbsan_ctx_lock
 * held; or an ERR_PTR, extack set, lock not held.  The mm is pinned only
 * with mmgrab() while the lock is taken: dropping a last mm_users
 * reference under the lock would run ->release, which takes it.
 */
static struct tlbsan_ctx *__tlbsan_lock_ctx(struct nlattr **attrs,
					    struct netlink_ext_ack *extack)
{
	struct task_struct *task;
	struct tlbsan_ctx *ctx;
	struct mm_struct *mm;
	int ret;

	ret = __tlbsan_get_target(attrs, extack, &task, &mm);
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

static struct tlbsan_ctx *tlbsan_lock_ctx(struct genl_info *info)
{
	return __tlbsan_lock_ctx(info->attrs, info->extack);
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

/* Histogram buckets as attributes 1..TLBSAN_RANGE_BUCKETS. */
static int tlbsan_nest_hist(struct sk_buff *skb, int attr, atomic64_t *h)
{
	struct nlattr *nest = nla_nest_start(skb, attr);
	int i;

	if (!nest)
		return -EMSGSIZE;
	for (i = 0; i < TLBSAN_RANGE_BUCKETS; i++) {
		if (nla_put_u64_64bit(skb, i + 1, atomic64_read(&h[i]), TLBSAN_ATTR_PAD)) {
			nla_nest_cancel(skb, nest);
			return -EMSGSIZE;
		}
	}
	nla_nest_end(skb, nest);
	return 0;
}

static int tlbsan_put_config(struct sk_buff *skb, const struct tlbsan_dev_config *cfg)
{
	return nla_put_u32(skb, TLBSAN_ATTR_MODEL, cfg->model) ||
	       nla_put_u32(skb, TLBSAN_ATTR_MODEL_ARG, cfg->model_arg) ||
	       nla_put_u32(skb, TLBSAN_ATTR_TLB_ENTRIES, cfg->entries) ||
	       nla_put_u32(skb, TLBSAN_ATTR_TLB_WAYS, cfg->ways) ||
	       nla_put_u32(skb, TLBSAN_ATTR_THREADS, cfg->threads) ||
	       nla_put_u32(skb, TLBSAN_ATTR_PATTERN, cfg->pattern) ||
	       nla_put_u8(skb, TLBSAN_ATTR_PRI, cfg->pri) ||
	       nla_put_u32(skb, TLBSAN_ATTR_PDE_ENTRIES, cfg->pde_entries) ? -EMSGSIZE : 0;
}

/* ATTACH options, with their defaults; validated, extack on error. */
static int tlbsan_get_config(struct genl_info *info, struct tlbsan_dev_config *cfg)
{
	struct nlattr **a = info->attrs;
	const char *why;

	cfg->model = a[TLBSAN_ATTR_MODEL] ? nla_get_u32(a[TLBSAN_ATTR_MODEL]) : TLBSAN_MODEL_HW;
	cfg->model_arg = a[TLBSAN_ATTR_MODEL_ARG] ? nla_get_u32(a[TLBSAN_ATTR_MODEL_ARG]) : 0;
	cfg->entries = a[TLBSAN_ATTR_TLB_ENTRIES] ? nla_get_u32(a[TLBSAN_ATTR_TLB_ENTRIES]) : 512;
	cfg->ways = a[TLBSAN_ATTR_TLB_WAYS] ? nla_get_u32(a[TLBSAN_ATTR_TLB_WAYS]) : 8;
	cfg->threads = a[TLBSAN_ATTR_THREADS] ? nla_get_u32(a[TLBSAN_ATTR_THREADS]) : 2;
	cfg->pattern = a[TLBSAN_ATTR_PATTERN] ? nla_get_u32(a[TLBSAN_ATTR_PATTERN]) :
						TLBSAN_PATTERN_SAMPLE;
	cfg->pri = a[TLBSAN_ATTR_PRI] ? nla_get_u8(a[TLBSAN_ATTR_PRI]) : true;
	cfg->pde_entries = a[TLBSAN_ATTR_PDE_ENTRIES] ? nla_get_u32(a[TLBSAN_ATTR_PDE_ENTRIES]) : 0;
	if (a[TLBSAN_ATTR_MODEL_ARG] && cfg->model != TLBSAN_MODEL_LAZY &&
	    cfg->model != TLBSAN_MODEL_DROP) {
		NL_SET_BAD_ATTR(info->extack, a[TLBSAN_ATTR_MODEL_ARG]);
		GENL_SET_ERR_MSG(info, "only the lazy and drop models take an argument");
		return -EINVAL;
	}
	why = tlbsan_dev_check_config(cfg);
	if (why) {
		tlbsan_extack_static(info->extack, why);
		return -EINVAL;
	}
	return 0;
}

/* One fill function for STATS replies and dumps.  Caller holds tlbsan_ctx_lock. */
static int tlbsan_fill_ctx(struct sk_buff *skb, struct tlbsan_ctx *ctx,
			   u32 portid, u32 seq, int flags)
{
	void *hdr;

	hdr = genlmsg_put(skb, portid, seq, &tlbsan_family, flags, TLBSAN_CMD_STATS);
	if (!hdr)
		return -EMSGSIZE;
	if (nla_put_u32(skb, TLBSAN_ATTR_PID, ctx->id.pid) ||
	    nla_put_u32(skb, TLBSAN_ATTR_PASID, ctx->id.pasid) ||
	    nla_put_string(skb, TLBSAN_ATTR_COMM, ctx->id.comm) ||
	    (READ_ONCE(ctx->released) && nla_put_flag(skb, TLBSAN_ATTR_RELEASED)) ||
	    tlbsan_nest_counters(skb, TLBSAN_ATTR_CALLBACKS, ctx->cb,
				 __TLBSAN_CB_MAX, tlbsan_cb_offered_int) ||
	    tlbsan_nest_counters(skb, TLBSAN_ATTR_STARTS, ctx->starts,
				 __TLBSAN_EVENT_MAX, NULL) ||
	    tlbsan_nest_counters(skb, TLBSAN_ATTR_ENDS, ctx->ends,
				 __TLBSAN_EVENT_MAX, NULL) ||
	    tlbsan_put_config(skb, &ctx->dev.cfg) ||
	    tlbsan_nest_counters(skb, TLBSAN_ATTR_DEV, ctx->dev.stat, __TLBSAN_DEV_MAX, NULL) ||
	    tlbsan_nest_counters(skb, TLBSAN_ATTR_WALK_FAILS, ctx->dev.walk_fail,
				 __TLBSAN_WALK_MAX, NULL) ||
	    tlbsan_nest_counters(skb, TLBSAN_ATTR_CLASSES, ctx->dev.check.reports.classes,
				 __TLBSAN_CLASS_MAX, NULL) ||
	    tlbsan_nest_hist(skb, TLBSAN_ATTR_HIST_START, ctx->dev.hist_start) ||
	    tlbsan_nest_hist(skb, TLBSAN_ATTR_HIST_SECONDARY, ctx->dev.hist_secondary)) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(skb, hdr);
	return 0;
}

static int tlbsan_cmd_attach(struct sk_buff *skb, struct genl_info *info)
{
	struct tlbsan_dev_config cfg;
	struct tlbsan_ctx *ctx, *old;
	struct task_struct *task;
	struct mm_struct *mm;
	struct sk_buff *msg;
	void *hdr;
	int ret;

	ret = tlbsan_get_config(info, &cfg);
	if (ret)
		return ret;
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
				  old->id.pasid, old->id.pid);
		ret = -EEXIST;
		goto out_unlock;
	}
	ctx = tlbsan_ctx_attach(task, mm, &cfg);
	if (IS_ERR(ctx)) {
		ret = PTR_ERR(ctx);
		GENL_SET_ERR_MSG(info, "cannot set up the device context");
		goto out_unlock;
	}
	hdr = genlmsg_put_reply(msg, info, &tlbsan_family, 0, TLBSAN_CMD_ATTACH);
	if (!hdr || nla_put_u32(msg, TLBSAN_ATTR_PID, ctx->id.pid) ||
	    nla_put_u32(msg, TLBSAN_ATTR_PASID, ctx->id.pasid)) {
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

static u64 tlbsan_get_u64(struct genl_info *info, int attr, u64 def)
{
	return info->attrs[attr] ? nla_get_u64(info->attrs[attr]) : def;
}

/* Check an access's operands; extack on error. */
static int tlbsan_check_access_args(struct genl_info *info, u32 op, unsigned long va, u32 size)
{
	struct nlattr **a = info->attrs;

	if (size != 1 && size != 2 && size != 4 && size != 8) {
		NL_SET_BAD_ATTR(info->extack, a[TLBSAN_ATTR_SIZE]);
		GENL_SET_ERR_MSG(info, "access size must be 1, 2, 4 or 8");
		return -EINVAL;
	}
	if (va & (size - 1) || va >= TASK_SIZE_MAX) {
		NL_SET_BAD_ATTR(info->extack, a[TLBSAN_ATTR_VA]);
		GENL_SET_ERR_MSG(info, "VA must be a user address aligned to the access size");
		return -EINVAL;
	}
	if (op != TLBSAN_OP_READ && !a[TLBSAN_ATTR_VALUE]) {
		GENL_SET_ERR_MSG(info, "write and compare-and-swap need a VALUE");
		return -EINVAL;
	}
	if (op == TLBSAN_OP_CAS && (!a[TLBSAN_ATTR_EXPECT] || size < 4)) {
		GENL_SET_ERR_MSG(info, "compare-and-swap needs EXPECT and a size of 4 or 8");
		return -EINVAL;
	}
	return 0;
}

static int tlbsan_cmd_access(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr **a = info->attrs;
	struct tlbsan_job job = {};
	struct tlbsan_ctx *ctx;
	struct sk_buff *msg;
	u32 thread;
	void *hdr;
	int ret;

	if (!a[TLBSAN_ATTR_OP] || !a[TLBSAN_ATTR_VA]) {
		GENL_SET_ERR_MSG(info, "ACCESS needs OP and VA");
		return -EINVAL;
	}
	job.op = nla_get_u32(a[TLBSAN_ATTR_OP]);
	job.va = nla_get_u64(a[TLBSAN_ATTR_VA]);
	job.size = a[TLBSAN_ATTR_SIZE] ? nla_get_u32(a[TLBSAN_ATTR_SIZE]) : 8;
	job.value = tlbsan_get_u64(info, TLBSAN_ATTR_VALUE, 0);
	job.expect = tlbsan_get_u64(info, TLBSAN_ATTR_EXPECT, 0);
	thread = a[TLBSAN_ATTR_THREAD] ? nla_get_u32(a[TLBSAN_ATTR_THREAD]) : 0;
	ret = tlbsan_check_access_args(info, job.op, job.va, job.size);
	if (ret)
		return ret;
	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;

	ctx = tlbsan_lock_ctx(info);
	if (IS_ERR(ctx)) {
		nlmsg_free(msg);
		return PTR_ERR(ctx);
	}
	if (thread >= ctx->dev.cfg.threads) {
		mutex_unlock(&tlbsan_ctx_lock);
		nlmsg_free(msg);
		NL_SET_BAD_ATTR(info->extack, a[TLBSAN_ATTR_THREAD]);
		GENL_SET_ERR_MSG(info, "the context has no such device thread");
		return -EINVAL;
	}
	/* Queued while the context is listed: its threads, or teardown, complete it. */
	ret = tlbsan_dev_submit(&ctx->dev, thread, &job);
	mutex_unlock(&tlbsan_ctx_lock);
	if (ret) {
		nlmsg_free(msg);
		GENL_SET_ERR_MSG(info, "the device is shutting down");
		return ret;
	}
	wait_for_completion(&job.done);

	hdr = genlmsg_put_reply(msg, info, &tlbsan_family, 0, TLBSAN_CMD_ACCESS);
	if (!hdr ||
	    nla_put_u64_64bit(msg, TLBSAN_ATTR_VA, job.va, TLBSAN_ATTR_PAD) ||
	    nla_put_u32(msg, TLBSAN_ATTR_STATUS, job.status) ||
	    nla_put_u32(msg, TLBSAN_ATTR_THREAD, thread) ||
	    nla_put_u32(msg, TLBSAN_ATTR_WALK, job.walk) ||
	    nla_put_u64_64bit(msg, TLBSAN_ATTR_VALUE, job.result, TLBSAN_ATTR_PAD) ||
	    (job.pfn &&
	     (nla_put_u64_64bit(msg, TLBSAN_ATTR_PFN, job.pfn, TLBSAN_ATTR_PAD) ||
	      nla_put_u32(msg, TLBSAN_ATTR_PAGE_SHIFT, tlbsan_size_shift(job.size_class)) ||
	      nla_put_u32(msg, TLBSAN_ATTR_PERM, job.perm)))) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
}

static int tlbsan_cmd_buf_add(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr **a = info->attrs;
	struct tlbsan_stream *stream;
	struct tlbsan_ctx *ctx;
	u32 thread;
	int ret;

	if (!a[TLBSAN_ATTR_OP] || !a[TLBSAN_ATTR_VA] || !a[TLBSAN_ATTR_LEN]) {
		GENL_SET_ERR_MSG(info, "BUF_ADD needs OP, VA and LEN");
		return -EINVAL;
	}
	stream = kzalloc_obj(*stream, GFP_KERNEL);
	if (!stream)
		return -ENOMEM;
	stream->op = nla_get_u32(a[TLBSAN_ATTR_OP]);
	stream->va = nla_get_u64(a[TLBSAN_ATTR_VA]);
	stream->len = nla_get_u64(a[TLBSAN_ATTR_LEN]);
	stream->value = tlbsan_get_u64(info, TLBSAN_ATTR_VALUE, 0);
	thread = a[TLBSAN_ATTR_THREAD] ? nla_get_u32(a[TLBSAN_ATTR_THREAD]) : 0;
	ret = tlbsan_check_access_args(info, stream->op, stream->va, 8);
	if (!ret && stream->op == TLBSAN_OP_CAS) {
		GENL_SET_ERR_MSG(info, "access streams only read or write");
		ret = -EINVAL;
	}
	if (!ret && (stream->len > TASK_SIZE_MAX - stream->va)) {
		NL_SET_BAD_ATTR(info->extack, a[TLBSAN_ATTR_LEN]);
		GENL_SET_ERR_MSG(info, "stream extends past the user address space");
		ret = -EINVAL;
	}
	if (ret)
		goto out_free;

	ctx = tlbsan_lock_ctx(info);
	if (IS_ERR(ctx)) {
		ret = PTR_ERR(ctx);
		goto out_free;
	}
	if (thread >= ctx->dev.cfg.threads) {
		mutex_unlock(&tlbsan_ctx_lock);
		NL_SET_BAD_ATTR(info->extack, a[TLBSAN_ATTR_THREAD]);
		GENL_SET_ERR_MSG(info, "the context has no such device thread");
		ret = -EINVAL;
		goto out_free;
	}
	ret = tlbsan_dev_add_stream(&ctx->dev, thread, stream);
	mutex_unlock(&tlbsan_ctx_lock);
	if (!ret)
		return 0;
	GENL_SET_ERR_MSG(info, "the device is shutting down");
out_free:
	kfree(stream);
	return ret;
}

static int tlbsan_cmd_buf_clear(struct sk_buff *skb, struct genl_info *info)
{
	struct tlbsan_ctx *ctx = tlbsan_lock_ctx(info);

	if (IS_ERR(ctx))
		return PTR_ERR(ctx);
	tlbsan_dev_clear_streams(&ctx->dev);
	mutex_unlock(&tlbsan_ctx_lock);
	return 0;
}

/*
 * TLB_DUMP: .start resolves the PID to a PASID (cb->args[0]), so that bad
 * requests get a proper error; each dumpit call then sends the valid TLB
 * entries from index cb->args[1] and the PDE entries from cb->args[2].
 */
static int tlbsan_dump_tlb_start(struct netlink_callback *cb)
{
	struct tlbsan_ctx *ctx = __tlbsan_lock_ctx(tlbsan_dump_attrs(cb), cb->extack);

	if (IS_ERR(ctx))
		return PTR_ERR(ctx);
	cb->args[0] = ctx->id.pasid;
	cb->args[1] = 0;
	cb->args[2] = 0;
	mutex_unlock(&tlbsan_ctx_lock);
	return 0;
}

/* Open one TLB_DUMP message holding nest @attr; NULL when @skb is full. */
static struct nlattr *tlbsan_dump_entry_start(struct sk_buff *skb, struct netlink_callback *cb,
					      int attr, void **hdr)
{
	struct nlattr *nest;

	*hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
			   &tlbsan_family, NLM_F_MULTI, TLBSAN_CMD_TLB_DUMP);
	if (!*hdr)
		return NULL;
	nest = nla_nest_start(skb, attr);
	if (!nest)
		genlmsg_cancel(skb, *hdr);
	return nest;
}

/* Close it; or, when filling failed (@err), take it back. */
static int tlbsan_dump_entry_end(struct sk_buff *skb, struct nlattr *nest, void *hdr, int err)
{
	if (err) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	genlmsg_end(skb, hdr);
	return 0;
}

static int tlbsan_put_tlbe(struct sk_buff *skb, struct netlink_callback *cb,
			   const struct tlbsan_tlbe *e)
{
	struct nlattr *nest;
	void *hdr;

	nest = tlbsan_dump_entry_start(skb, cb, TLBSAN_ATTR_TLBE, &hdr);
	if (!nest)
		return -EMSGSIZE;
	return tlbsan_dump_entry_end(skb, nest, hdr,
		nla_put_u64_64bit(skb, TLBSAN_ATTR_VA, e->va, TLBSAN_ATTR_PAD) ||
		nla_put_u64_64bit(skb, TLBSAN_ATTR_PFN, e->pfn, TLBSAN_ATTR_PAD) ||
		nla_put_u32(skb, TLBSAN_ATTR_PAGE_SHIFT, tlbsan_size_shift(e->size)) ||
		nla_put_u32(skb, TLBSAN_ATTR_PERM, e->perm) ||
		nla_put_u32(skb, TLBSAN_ATTR_THREAD, e->thread) ||
		nla_put_u64_64bit(skb, TLBSAN_ATTR_FILL_NS, e->fill_ns, TLBSAN_ATTR_PAD) ||
		nla_put_u64_64bit(skb, TLBSAN_ATTR_FILL_SEQ, e->fill_seq, TLBSAN_ATTR_PAD));
}

static int tlbsan_put_pdee(struct sk_buff *skb, struct netlink_callback *cb,
			   const struct tlbsan_pdee *p)
{
	struct nlattr *nest;
	void *hdr;

	nest = tlbsan_dump_entry_start(skb, cb, TLBSAN_ATTR_PDE, &hdr);
	if (!nest)
		return -EMSGSIZE;
	return tlbsan_dump_entry_end(skb, nest, hdr,
		nla_put_u64_64bit(skb, TLBSAN_ATTR_VA, p->va, TLBSAN_ATTR_PAD) ||
		nla_put_u64_64bit(skb, TLBSAN_ATTR_TABLE_PFN, p->table_pfn, TLBSAN_ATTR_PAD));
}

static int tlbsan_dump_tlb(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct tlbsan_ctx *ctx = NULL, *c;
	struct tlbsan_dev *dev;
	unsigned long flags;
	unsigned int i, n;

	mutex_lock(&tlbsan_ctx_lock);
	list_for_each_entry(c, &tlbsan_ctxs, node)
		if (c->id.pasid == cb->args[0])
			ctx = c;
	if (!ctx) {
		/* Detached meanwhile: the dump ends here. */
		mutex_unlock(&tlbsan_ctx_lock);
		return 0;
	}
	dev = &ctx->dev;
	spin_lock_irqsave(&dev->lock, flags);
	n = dev->tlb.sets * dev->tlb.ways;
	for (i = cb->args[1]; i < n; i++)
		if (dev->tlb.e[i].valid && tlbsan_put_tlbe(skb, cb, &dev->tlb.e[i]))
			break;
	cb->args[1] = i;
	if (i == n) {
		for (i = cb->args[2]; i < dev->pde.entries; i++)
			if (dev->pde.e[i].valid && tlbsan_put_pdee(skb, cb, &dev->pde.e[i]))
				break;
		cb->args[2] = i;
	}
	spin_unlock_irqrestore(&dev->lock, flags);
	mutex_unlock(&tlbsan_ctx_lock);
	return skb->len;
}

static int tlbsan_put_stack(struct sk_buff *skb, const unsigned long *stack, unsigned int nr)
{
	char buf[KSYM_SYMBOL_LEN];
	struct nlattr *nest;
	unsigned int i;

	nest = nla_nest_start(skb, TLBSAN_ATTR_STACK);
	if (!nest)
		return -EMSGSIZE;
	for (i = 0; i < nr; i++) {
		sprint_symbol(buf, stack[i]);
		if (nla_put_string(skb, TLBSAN_ATTR_FRAME, buf)) {
			nla_nest_cancel(skb, nest);
			return -EMSGSIZE;
		}
	}
	nla_nest_end(skb, nest);
	return 0;
}

static int tlbsan_put_inv(struct sk_buff *skb, int type, const struct tlbsan_inv_rec *inv)
{
	struct nlattr *nest = nla_nest_start(skb, type);

	if (!nest ||
	    nla_put_u32(skb, TLBSAN_ATTR_CB, inv->cb) ||
	    nla_put_u32(skb, TLBSAN_ATTR_EVENT, inv->event) ||
	    nla_put_u64_64bit(skb, TLBSAN_ATTR_START, inv->start, TLBSAN_ATTR_PAD) ||
	    nla_put_u64_64bit(skb, TLBSAN_ATTR_END, inv->end, TLBSAN_ATTR_PAD) ||
	    nla_put_u64_64bit(skb, TLBSAN_ATTR_START_NS, inv->start_ns, TLBSAN_ATTR_PAD) ||
	    (inv->end_ns &&
	     nla_put_u64_64bit(skb, TLBSAN_ATTR_END_NS, inv->end_ns, TLBSAN_ATTR_PAD)) ||
	    tlbsan_put_stack(skb, inv->stack, inv->nr_stack))
		return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

/* One fill function for report notifications and REPORT dumps. */
static int tlbsan_fill_report(struct sk_buff *skb, const struct tlbsan_ident *who,
			      const struct tlbsan_report *r, u32 portid, u32 seq, int flags)
{
	char site[KSYM_SYMBOL_LEN], noticed[KSYM_SYMBOL_LEN];
	void *hdr;

	hdr = genlmsg_put(skb, portid, seq, &tlbsan_family, flags, TLBSAN_CMD_REPORT);
	if (!hdr)
		return -EMSGSIZE;
	tlbsan_sprint_site(site, r->site, "?");
	tlbsan_sprint_site(noticed, r->noticed, r->noticed_what ?: "?");
	if (nla_put_u32(skb, TLBSAN_ATTR_CLASS, r->cls) ||
	    nla_put_u64_64bit(skb, TLBSAN_ATTR_COUNT, r->count, TLBSAN_ATTR_PAD) ||
	    nla_put_u32(skb, TLBSAN_ATTR_PID, who->pid) ||
	    nla_put_u32(skb, TLBSAN_ATTR_PASID, who->pasid) ||
	    nla_put_string(skb, TLBSAN_ATTR_COMM, who->comm) ||
	    nla_put_u64_64bit(skb, TLBSAN_ATTR_VA, r->va, TLBSAN_ATTR_PAD) ||
	    nla_put_u64_64bit(skb, TLBSAN_ATTR_AT_NS, r->at_ns, TLBSAN_ATTR_PAD) ||
	    nla_put_string(skb, TLBSAN_ATTR_SITE, site) ||
	    (r->detail && nla_put_string(skb, TLBSAN_ATTR_DETAIL, r->detail)) ||
	    (r->fault && nla_put_u32(skb, TLBSAN_ATTR_FAULT, r->fault)) ||
	    ((r->noticed || r->noticed_what) &&
	     nla_put_string(skb, TLBSAN_ATTR_NOTICED, noticed)) ||
	    (r->thread != U32_MAX &&
	     (nla_put_u32(skb, TLBSAN_ATTR_THREAD, r->thread) ||
	      nla_put_u64_64bit(skb, TLBSAN_ATTR_OLD_PFN, r->old_pfn, TLBSAN_ATTR_PAD) ||
	      nla_put_u64_64bit(skb, TLBSAN_ATTR_FILL_NS, r->fill_ns, TLBSAN_ATTR_PAD))) ||
	    (r->op && nla_put_u32(skb, TLBSAN_ATTR_OP, r->op)) ||
	    (r->has_new &&
	     (nla_put_u64_64bit(skb, TLBSAN_ATTR_NEW_PFN, r->new_pfn, TLBSAN_ATTR_PAD) ||
	      nla_put_u64_64bit(skb, TLBSAN_ATTR_PTE, r->pte, TLBSAN_ATTR_PAD))) ||
	    nla_put_u64_64bit(skb, TLBSAN_ATTR_DROPPED, r->dropped, TLBSAN_ATTR_PAD) ||
	    (r->inv.id && tlbsan_put_inv(skb, TLBSAN_ATTR_INV, &r->inv)) ||
	    (r->last.id && tlbsan_put_inv(skb, TLBSAN_ATTR_LAST_INV, &r->last)) ||
	    (r->nr_stack && tlbsan_put_stack(skb, r->stack, r->nr_stack))) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(skb, hdr);
	return 0;
}

/* From the report worker (process context); nothing waits for listeners. */
static void tlbsan_genl_report(const struct tlbsan_ident *who, const struct tlbsan_report *r)
{
	struct sk_buff *skb;

	if (!genl_has_listeners(&tlbsan_family, &init_net, 0))
		return;
	skb = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!skb)
		return;
	if (tlbsan_fill_report(skb, who, r, 0, 0, 0)) {
		nlmsg_free(skb);
		return;
	}
	genlmsg_multicast(&tlbsan_family, skb, 0, 0, GFP_KERNEL);
}

/* The context @who is gone and has sent its last report. */
static void tlbsan_genl_gone(const struct tlbsan_ident *who)
{
	struct sk_buff *skb;
	void *hdr;

	if (!genl_has_listeners(&tlbsan_family, &init_net, 0))
		return;
	skb = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!skb)
		return;
	hdr = genlmsg_put(skb, 0, 0, &tlbsan_family, 0, TLBSAN_CMD_GONE);
	if (!hdr || nla_put_u32(skb, TLBSAN_ATTR_PID, who->pid) ||
	    nla_put_u32(skb, TLBSAN_ATTR_PASID, who->pasid)) {
		nlmsg_free(skb);
		return;
	}
	genlmsg_end(skb, hdr);
	genlmsg_multicast(&tlbsan_family, skb, 0, 0, GFP_KERNEL);
}

/*
 * REPORT and SITES dumps: .start resolves an optional PID to a PASID in
 * cb->args[0] (0: every context); cb->args[1] counts contexts done,
 * cb->args[2] items done in the current one.
 */
static int tlbsan_dump_pasid_start(struct netlink_callback *cb)
{
	struct nlattr **attrs = tlbsan_dump_attrs(cb);
	struct tlbsan_ctx *ctx;

	cb->args[0] = 0;
	cb->args[1] = 0;
	cb->args[2] = 0;
	if (!attrs[TLBSAN_ATTR_PID])
		return 0;
	ctx = __tlbsan_lock_ctx(attrs, cb->extack);
	if (IS_ERR(ctx))
		return PTR_ERR(ctx);
	cb->args[0] = ctx->id.pasid;
	mutex_unlock(&tlbsan_ctx_lock);
	return 0;
}

static int tlbsan_put_site(struct sk_buff *skb, struct netlink_callback *cb,
			   struct tlbsan_ctx *ctx, const struct tlbsan_site *s)
{
	char site[KSYM_SYMBOL_LEN];
	void *hdr;

	hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
			  &tlbsan_family, NLM_F_MULTI, TLBSAN_CMD_SITES);
	if (!hdr)
		return -EMSGSIZE;
	tlbsan_sprint_site(site, s->ip, "?");
	if (nla_put_u32(skb, TLBSAN_ATTR_PID, ctx->id.pid) ||
	    nla_put_u32(skb, TLBSAN_ATTR_PASID, ctx->id.pasid) ||
	    nla_put_string(skb, TLBSAN_ATTR_SITE, site) ||
	    nla_put_u32(skb, TLBSAN_ATTR_CB, TLBSAN_CB_SECONDARY) ||
	    nla_put_u32(skb, TLBSAN_ATTR_EVENT, s->event) ||
	    nla_put_u64_64bit(skb, TLBSAN_ATTR_CALLS, s->calls, TLBSAN_ATTR_PAD) ||
	    nla_put_u64_64bit(skb, TLBSAN_ATTR_REDUNDANT, s->redundant, TLBSAN_ATTR_PAD)) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(skb, hdr);
	return 0;
}

/* Shared walk of the REPORT and SITES dumps. */
static int tlbsan_dump_items(struct sk_buff *skb, struct netlink_callback *cb, bool sites)
{
	struct tlbsan_report r;
	struct tlbsan_site s;
	struct tlbsan_ctx *ctx;
	unsigned long flags;
	long idx = 0;
	bool full = false;
	int err;

	mutex_lock(&tlbsan_ctx_lock);
	list_for_each_entry(ctx, &tlbsan_ctxs, node) {
		if (cb->args[0] && ctx->id.pasid != cb->args[0])
			continue;
		if (idx++ < cb->args[1])
			continue;
		for (;;) {
			spin_lock_irqsave(&ctx->dev.lock, flags);
			if (cb->args[2] >= (sites ? ctx->dev.check.nr_sites :
					    ctx->dev.check.reports.nr)) {
				spin_unlock_irqrestore(&ctx->dev.lock, flags);
				break;
			}
			if (sites)
				s = ctx->dev.check.sites[cb->args[2]];
			else
				r = ctx->dev.check.reports.reports[cb->args[2]];
			r.dropped = atomic64_read(&ctx->dev.stat[TLBSAN_DEV_REPORTS_DROPPED]);
			spin_unlock_irqrestore(&ctx->dev.lock, flags);
			err = sites ? tlbsan_put_site(skb, cb, ctx, &s) :
				      tlbsan_fill_report(skb, &ctx->id, &r,
							 NETLINK_CB(cb->skb).portid,
							 cb->nlh->nlmsg_seq, NLM_F_MULTI);
			if (err) {
				full = true;
				break;
			}
			cb->args[2]++;
		}
		if (full)
			break;
		cb->args[1] = idx;
		cb->args[2] = 0;
	}
	mutex_unlock(&tlbsan_ctx_lock);
	return skb->len;
}

static int tlbsan_dump_reports(struct sk_buff *skb, struct netlink_callback *cb)
{
	return tlbsan_dump_items(skb, cb, false);
}

static int tlbsan_dump_sites(struct sk_buff *skb, struct netlink_callback *cb)
{
	return tlbsan_dump_items(skb, cb, true);
}

/* COVERAGE dump: cb->args[0] is the next entry. */
static int tlbsan_dump_coverage(struct sk_buff *skb, struct netlink_callback *cb)
{
	char site[KSYM_SYMBOL_LEN];
	struct tlbsan_cov c;
	void *hdr;

	while (tlbsan_cov_get(cb->args[0], &c)) {
		hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
				  &tlbsan_family, NLM_F_MULTI, TLBSAN_CMD_COVERAGE);
		if (!hdr)
			break;
		tlbsan_sprint_site(site, c.ip, "?");
		if (nla_put_u32(skb, TLBSAN_ATTR_CB, c.cb) ||
		    nla_put_string(skb, TLBSAN_ATTR_SITE, site) ||
		    nla_put_u64_64bit(skb, TLBSAN_ATTR_COUNT, c.count, TLBSAN_ATTR_PAD)) {
			genlmsg_cancel(skb, hdr);
			break;
		}
		genlmsg_end(skb, hdr);
		cb->args[0]++;
	}
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
		.start	= tlbsan_dump_pasid_start,
		.dumpit	= tlbsan_dump_reports,
		.flags	= GENL_ADMIN_PERM,
	},
	{
		.cmd	= TLBSAN_CMD_SITES,
		.start	= tlbsan_dump_pasid_start,
		.dumpit	= tlbsan_dump_sites,
	},
	{
		.cmd	= TLBSAN_CMD_COVERAGE,
		.dumpit	= tlbsan_dump_coverage,
	},
};

static struct genl_family tlbsan_family __ro_after_init = {
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

static const struct tlbsan_events tlbsan_genl_events = {
	.report	= tlbsan_genl_report,
	.gone	= tlbsan_genl_gone,
};

int __init tlbsan_genl_init(void)
{
	int ret = genl_register_family(&tlbsan_family);

	if (!ret)
		tlbsan_events_set(&tlbsan_genl_events);
	return ret;
}

/* After the last context is gone: no report or gone event is delivered any more. */
void tlbsan_genl_exit(void)
{
	tlbsan_events_set(NULL);
	genl_unregister_family(&tlbsan_family);
}
