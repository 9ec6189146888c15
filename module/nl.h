/* SPDX-License-Identifier: GPL-2.0 */
#ifndef TLBSAN_NL_H
#define TLBSAN_NL_H

/*
 * The tlbsan generic netlink family, one file per command family:
 *   netlink.c    the family, its policy (uapi/tlbsan_policy.h), the ops
 *                table, PID resolution; init and exit
 *   nl_ctx.c     ATTACH, DETACH, STATS
 *   nl_dev.c     ACCESS, BUF_ADD, BUF_CLEAR, TLB_DUMP
 *   nl_report.c  REPORT, SITES, COVERAGE dumps; the report and gone
 *                multicasts (the events the checker's report worker raises)
 * Handlers take tlbsan_ctx_lock to find a context and hold it while they
 * use the context; none holds it across waiting for a device thread.
 */
#include <net/genetlink.h>
#include "ctx.h"
#include "report.h"

extern struct genl_family tlbsan_family;

/* netlink.c */
enum tlbsan_nl_priv {
	TLBSAN_NL_MEMORY,	/* reads or writes process memory, reveals pfns */
	TLBSAN_NL_ATTACH,	/* gives the device another process's memory */
};

int tlbsan_nl_may(const struct sk_buff *skb, enum tlbsan_nl_priv need,
		  struct netlink_ext_ack *extack);
int tlbsan_get_target(struct nlattr **attrs, struct netlink_ext_ack *extack,
		      struct task_struct **taskp, struct mm_struct **mmp);
struct tlbsan_ctx *tlbsan_lock_ctx(struct nlattr **attrs, struct netlink_ext_ack *extack);
int tlbsan_genl_init(void);
void tlbsan_genl_exit(void);

/* nl_ctx.c */
int tlbsan_cmd_attach(struct sk_buff *skb, struct genl_info *info);
int tlbsan_cmd_detach(struct sk_buff *skb, struct genl_info *info);
int tlbsan_cmd_stats(struct sk_buff *skb, struct genl_info *info);
int tlbsan_dump_stats(struct sk_buff *skb, struct netlink_callback *cb);

/* nl_dev.c */
int tlbsan_cmd_access(struct sk_buff *skb, struct genl_info *info);
int tlbsan_cmd_buf_add(struct sk_buff *skb, struct genl_info *info);
int tlbsan_cmd_buf_clear(struct sk_buff *skb, struct genl_info *info);
int tlbsan_dump_tlb_start(struct netlink_callback *cb);
int tlbsan_dump_tlb(struct sk_buff *skb, struct netlink_callback *cb);

/* nl_report.c */
extern const struct tlbsan_events tlbsan_nl_events;
int tlbsan_dump_pasid_start(struct netlink_callback *cb);
int tlbsan_dump_reports_start(struct netlink_callback *cb);
int tlbsan_dump_reports(struct sk_buff *skb, struct netlink_callback *cb);
int tlbsan_dump_sites(struct sk_buff *skb, struct netlink_callback *cb);
int tlbsan_dump_coverage(struct sk_buff *skb, struct netlink_callback *cb);

#endif /* TLBSAN_NL_H */
