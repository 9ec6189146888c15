// SPDX-License-Identifier: GPL-2.0
/*
 * Reports, call sites and coverage: the REPORT, SITES and COVERAGE dumps,
 * and the multicasts of new reports and of contexts gone.
 */
#include <linux/kallsyms.h>
#include "compat.h"
#include "nl.h"
#include "sites.h"

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
int tlbsan_dump_pasid_start(struct netlink_callback *cb)
{
	struct nlattr **attrs = tlbsan_dump_attrs(cb);
	struct tlbsan_ctx *ctx;

	cb->args[0] = 0;
	cb->args[1] = 0;
	cb->args[2] = 0;
	if (!attrs[TLBSAN_ATTR_PID])
		return 0;
	ctx = tlbsan_lock_ctx(attrs, cb->extack);
	if (IS_ERR(ctx))
		return PTR_ERR(ctx);
	cb->args[0] = ctx->id.pasid;
	mutex_unlock(&tlbsan_ctx_lock);
	return 0;
}

/* REPORT dumps carry pfns and addresses: CAP_SYS_ADMIN as well. */
int tlbsan_dump_reports_start(struct netlink_callback *cb)
{
	int ret = tlbsan_nl_may(cb->skb, TLBSAN_NL_MEMORY, cb->extack);

	return ret ?: tlbsan_dump_pasid_start(cb);
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
			raw_spin_lock_irqsave(&ctx->dev.lock, flags);
			if (cb->args[2] >= (sites ? ctx->dev.check.nr_sites :
					    ctx->dev.check.reports.nr)) {
				raw_spin_unlock_irqrestore(&ctx->dev.lock, flags);
				break;
			}
			if (sites)
				s = ctx->dev.check.sites[cb->args[2]];
			else
				r = ctx->dev.check.reports.reports[cb->args[2]];
			r.dropped = atomic64_read(&ctx->dev.stat[TLBSAN_DEV_REPORTS_DROPPED]);
			raw_spin_unlock_irqrestore(&ctx->dev.lock, flags);
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

int tlbsan_dump_reports(struct sk_buff *skb, struct netlink_callback *cb)
{
	return tlbsan_dump_items(skb, cb, false);
}

int tlbsan_dump_sites(struct sk_buff *skb, struct netlink_callback *cb)
{
	return tlbsan_dump_items(skb, cb, true);
}

/* COVERAGE dump: cb->args[0] is the next entry. */
int tlbsan_dump_coverage(struct sk_buff *skb, struct netlink_callback *cb)
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

const struct tlbsan_events tlbsan_nl_events = {
	.report	= tlbsan_genl_report,
	.gone	= tlbsan_genl_gone,
};
