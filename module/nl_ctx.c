// SPDX-License-Identifier: GPL-2.0
/* ATTACH, DETACH and STATS: contexts and their counters. */
#include <linux/sched/mm.h>
#include <linux/sched/task.h>
#include "compat.h"
#include "nl.h"

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
	    (READ_ONCE(ctx->dev.released) && nla_put_flag(skb, TLBSAN_ATTR_RELEASED)) ||
	    tlbsan_nest_counters(skb, TLBSAN_ATTR_CALLBACKS, ctx->mn.cb,
				 __TLBSAN_CB_MAX, tlbsan_cb_offered_int) ||
	    tlbsan_nest_counters(skb, TLBSAN_ATTR_STARTS, ctx->mn.starts,
				 __TLBSAN_EVENT_MAX, NULL) ||
	    tlbsan_nest_counters(skb, TLBSAN_ATTR_ENDS, ctx->mn.ends,
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

int tlbsan_cmd_attach(struct sk_buff *skb, struct genl_info *info)
{
	struct tlbsan_dev_config cfg;
	struct tlbsan_ctx *ctx, *old;
	struct task_struct *task;
	struct mm_struct *mm;
	struct sk_buff *msg;
	void *hdr;
	int ret;

	ret = tlbsan_nl_may(skb, TLBSAN_NL_ATTACH, info->extack);
	if (ret)
		return ret;
	ret = tlbsan_get_config(info, &cfg);
	if (ret)
		return ret;
	ret = tlbsan_get_target(info->attrs, info->extack, &task, &mm);
	if (ret)
		return ret;
	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg) {
		ret = -ENOMEM;
		goto out_put;
	}

	mutex_lock(&tlbsan_ctx_lock);
	ctx = tlbsan_ctx_attach(task, mm, &cfg);
	if (IS_ERR(ctx)) {
		ret = PTR_ERR(ctx);
		old = ret == -EEXIST ? tlbsan_ctx_find(mm) : NULL;
		if (old)
			tlbsan_extack_fmt(info, "the process's mm is already attached",
					  "mm already attached (pasid %u, pid %d)",
					  old->id.pasid, old->id.pid);
		else
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

int tlbsan_cmd_detach(struct sk_buff *skb, struct genl_info *info)
{
	struct task_struct *task;
	struct mm_struct *mm;
	int ret;

	ret = tlbsan_nl_may(skb, TLBSAN_NL_MEMORY, info->extack);
	if (ret)
		return ret;
	ret = tlbsan_get_target(info->attrs, info->extack, &task, &mm);
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

int tlbsan_cmd_stats(struct sk_buff *skb, struct genl_info *info)
{
	struct task_struct *task;
	struct tlbsan_ctx *ctx;
	struct mm_struct *mm;
	struct sk_buff *msg;
	int ret;

	ret = tlbsan_get_target(info->attrs, info->extack, &task, &mm);
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
int tlbsan_dump_stats(struct sk_buff *skb, struct netlink_callback *cb)
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
