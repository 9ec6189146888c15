// SPDX-License-Identifier: GPL-2.0
/* ACCESS, BUF_ADD, BUF_CLEAR and TLB_DUMP: what the device does and holds. */
#include <linux/slab.h>
#include <linux/stringify.h>
#include "compat.h"
#include "nl.h"

static u64 tlbsan_get_u64(struct genl_info *info, int attr, u64 def)
{
	return info->attrs[attr] ? nla_get_u64(info->attrs[attr]) : def;
}

/* Whether the u64 attribute @attr (if present) fits in @size bytes. */
static bool tlbsan_fits(const struct nlattr *attr, u32 size)
{
	return !attr || size == 8 || !(nla_get_u64(attr) >> (size * 8));
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
	if (!tlbsan_fits(a[TLBSAN_ATTR_VALUE], size) || !tlbsan_fits(a[TLBSAN_ATTR_EXPECT], size)) {
		NL_SET_BAD_ATTR(info->extack, tlbsan_fits(a[TLBSAN_ATTR_VALUE], size) ?
				a[TLBSAN_ATTR_EXPECT] : a[TLBSAN_ATTR_VALUE]);
		GENL_SET_ERR_MSG(info, "VALUE and EXPECT must fit in the access size");
		return -EINVAL;
	}
	if (op == TLBSAN_OP_CAS && (!a[TLBSAN_ATTR_EXPECT] || size < 4)) {
		GENL_SET_ERR_MSG(info, "compare-and-swap needs EXPECT and a size of 4 or 8");
		return -EINVAL;
	}
	return 0;
}

/* ACCESS's reply, into @msg (which it sends or frees). */
static int tlbsan_access_reply(struct sk_buff *msg, struct genl_info *info,
			       const struct tlbsan_job *job, u32 thread)
{
	void *hdr;

	hdr = genlmsg_put_reply(msg, info, &tlbsan_family, 0, TLBSAN_CMD_ACCESS);
	if (!hdr ||
	    nla_put_u64_64bit(msg, TLBSAN_ATTR_VA, job->va, TLBSAN_ATTR_PAD) ||
	    nla_put_u32(msg, TLBSAN_ATTR_STATUS, job->status) ||
	    nla_put_u32(msg, TLBSAN_ATTR_THREAD, thread) ||
	    nla_put_u32(msg, TLBSAN_ATTR_WALK, job->walk) ||
	    nla_put_u64_64bit(msg, TLBSAN_ATTR_VALUE, job->result, TLBSAN_ATTR_PAD) ||
	    (job->pfn &&
	     (nla_put_u64_64bit(msg, TLBSAN_ATTR_PFN, job->pfn, TLBSAN_ATTR_PAD) ||
	      nla_put_u32(msg, TLBSAN_ATTR_PAGE_SHIFT, tlbsan_size_shift(job->size_class)) ||
	      nla_put_u32(msg, TLBSAN_ATTR_PERM, job->perm)))) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
}

int tlbsan_cmd_access(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr **a = info->attrs;
	struct tlbsan_job job = {};
	struct tlbsan_ctx *ctx;
	struct sk_buff *msg;
	u32 thread;
	int ret;

	ret = tlbsan_nl_may(skb, TLBSAN_NL_MEMORY, info->extack);
	if (ret)
		return ret;
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

	ctx = tlbsan_lock_ctx(info->attrs, info->extack);
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
	return tlbsan_access_reply(msg, info, &job, thread);
}

int tlbsan_cmd_buf_add(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr **a = info->attrs;
	struct tlbsan_stream *stream;
	struct tlbsan_ctx *ctx;
	u32 thread;
	int ret;

	ret = tlbsan_nl_may(skb, TLBSAN_NL_MEMORY, info->extack);
	if (ret)
		return ret;
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

	ctx = tlbsan_lock_ctx(info->attrs, info->extack);
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
	if (ret == -ENOSPC)
		GENL_SET_ERR_MSG(info, "the device thread has "
				 __stringify(TLBSAN_STREAMS_MAX) " access streams already");
	else
		GENL_SET_ERR_MSG(info, "the device is shutting down");
out_free:
	kfree(stream);
	return ret;
}

int tlbsan_cmd_buf_clear(struct sk_buff *skb, struct genl_info *info)
{
	struct tlbsan_ctx *ctx;
	int ret;

	ret = tlbsan_nl_may(skb, TLBSAN_NL_MEMORY, info->extack);
	if (ret)
		return ret;
	ctx = tlbsan_lock_ctx(info->attrs, info->extack);
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
int tlbsan_dump_tlb_start(struct netlink_callback *cb)
{
	struct tlbsan_ctx *ctx;
	int ret;

	ret = tlbsan_nl_may(cb->skb, TLBSAN_NL_MEMORY, cb->extack);
	if (ret)
		return ret;
	ctx = tlbsan_lock_ctx(tlbsan_dump_attrs(cb), cb->extack);
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

int tlbsan_dump_tlb(struct sk_buff *skb, struct netlink_callback *cb)
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
	raw_spin_lock_irqsave(&dev->lock, flags);
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
	raw_spin_unlock_irqrestore(&dev->lock, flags);
	mutex_unlock(&tlbsan_ctx_lock);
	return skb->len;
}
