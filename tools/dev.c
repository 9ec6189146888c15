// SPDX-License-Identifier: GPL-2.0
/* access, buf-add, buf-clear, tlb: driving and inspecting the device. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cmd.h"
#include "names.h"

/* What access and buf-add parsed: --thread N, --size S, --value V; operands. */
static struct {
	int op;
	unsigned long long va, value, expect, len, thread, size;
} ac = { .size = 8 };

static int parse_option(int opt, const char *arg)
{
	if (opt == 't' && tlbsan_parse_u64(arg, 0, 15, &ac.thread)) {
		fprintf(stderr, "tlbsan: invalid --thread '%s' (0..15)\n", arg);
		return EXIT_USAGE;
	}
	if (opt == 's' && (tlbsan_parse_u64(arg, 1, 8, &ac.size) || (ac.size & (ac.size - 1)))) {
		fprintf(stderr, "tlbsan: invalid --size '%s' (1, 2, 4 or 8)\n", arg);
		return EXIT_USAGE;
	}
	if (opt == 'v' && tlbsan_parse_u64(arg, 0, ~0ULL, &ac.value)) {
		fprintf(stderr, "tlbsan: invalid --value '%s'\n", arg);
		return EXIT_USAGE;
	}
	return EXIT_OK;
}

static int parse_op(const char *s)
{
	int op = tlbsan_name_index(tlbsan_op_names, __TLBSAN_OP_MAX, s);

	if (!op)
		fprintf(stderr, "tlbsan: invalid operation '%s' (read, write or cas)\n", s);
	return op;
}

static int parse_addr(const char *s, unsigned long long *v, const char *what)
{
	if (tlbsan_parse_u64(s, 0, ~0ULL, v)) {
		fprintf(stderr, "tlbsan: invalid %s '%s'\n", what, s);
		return -1;
	}
	return 0;
}

/* access [opts] PID read VA | PID write VA VALUE | PID cas VA EXPECT VALUE */
static int access_parse(struct tlbsan_call *c, int opt, const char *arg)
{
	char **argv = c->argv;

	if (opt)
		return parse_option(opt, arg);
	if (c->argc < 2)
		return tlbsan_usage(c->cmd);
	ac.op = parse_op(argv[0]);
	if (!ac.op || parse_addr(argv[1], &ac.va, "VA"))
		return EXIT_USAGE;
	if (c->argc != (ac.op == TLBSAN_OP_READ ? 2 : ac.op == TLBSAN_OP_WRITE ? 3 : 4))
		return tlbsan_usage(c->cmd);
	if (ac.op == TLBSAN_OP_WRITE && parse_addr(argv[2], &ac.value, "VALUE"))
		return EXIT_USAGE;
	if (ac.op == TLBSAN_OP_CAS &&
	    (parse_addr(argv[2], &ac.expect, "EXPECT") || parse_addr(argv[3], &ac.value, "VALUE")))
		return EXIT_USAGE;
	return EXIT_OK;
}

static int access_reply(struct nl_msg *msg, void *arg)
{
	struct nlattr *tb[TLBSAN_ATTR_MAX + 1];
	unsigned int *status = arg;

	if (tlbsan_nl_parse(msg, tb) || !tb[TLBSAN_ATTR_STATUS] || !tb[TLBSAN_ATTR_VALUE]) {
		fprintf(stderr, "tlbsan: access: malformed reply\n");
		return NL_STOP;
	}
	*status = nla_get_u32(tb[TLBSAN_ATTR_STATUS]);
	printf("status=%s value=0x%llx",
	       tlbsan_name(tlbsan_status_names, __TLBSAN_ACCESS_MAX, *status),
	       (unsigned long long)nla_get_u64(tb[TLBSAN_ATTR_VALUE]));
	if (tb[TLBSAN_ATTR_PFN])
		printf(" pfn=0x%llx page=%s perm=%s",
		       (unsigned long long)nla_get_u64(tb[TLBSAN_ATTR_PFN]),
		       tb[TLBSAN_ATTR_PAGE_SHIFT] && nla_get_u32(tb[TLBSAN_ATTR_PAGE_SHIFT]) == 30 ?
		       "1G" : tb[TLBSAN_ATTR_PAGE_SHIFT] &&
		       nla_get_u32(tb[TLBSAN_ATTR_PAGE_SHIFT]) == 21 ? "2M" : "4K",
		       tb[TLBSAN_ATTR_PERM] && (nla_get_u32(tb[TLBSAN_ATTR_PERM]) &
						TLBSAN_PERM_WRITE) ? "rw" : "r");
	if (tb[TLBSAN_ATTR_WALK] && nla_get_u32(tb[TLBSAN_ATTR_WALK]))
		printf(" walk=%s", tlbsan_name(tlbsan_walk_names, __TLBSAN_WALK_MAX,
					       nla_get_u32(tb[TLBSAN_ATTR_WALK])));
	printf("\n");
	return NL_OK;
}

static int do_access(struct tlbsan_call *c)
{
	unsigned int status = 0;

	if (nla_put_u32(c->msg, TLBSAN_ATTR_OP, ac.op) ||
	    nla_put_u64(c->msg, TLBSAN_ATTR_VA, ac.va) ||
	    nla_put_u32(c->msg, TLBSAN_ATTR_SIZE, ac.size) ||
	    nla_put_u32(c->msg, TLBSAN_ATTR_THREAD, ac.thread) ||
	    (ac.op != TLBSAN_OP_READ && nla_put_u64(c->msg, TLBSAN_ATTR_VALUE, ac.value)) ||
	    (ac.op == TLBSAN_OP_CAS && nla_put_u64(c->msg, TLBSAN_ATTR_EXPECT, ac.expect)))
		return EXIT_FAIL;
	if (tlbsan_send(c, access_reply, &status))
		return EXIT_FAIL;
	return status == TLBSAN_ACCESS_OK ? EXIT_OK : EXIT_FAIL;
}

/* buf-add [--thread N] [--value V] PID read|write VA LEN */
static int buf_add_parse(struct tlbsan_call *c, int opt, const char *arg)
{
	if (opt)
		return parse_option(opt, arg);
	if (c->argc != 3)
		return tlbsan_usage(c->cmd);
	ac.op = parse_op(c->argv[0]);
	if (!ac.op || parse_addr(c->argv[1], &ac.va, "VA") ||
	    tlbsan_parse_u64(c->argv[2], 1, ~0ULL, &ac.len))
		return EXIT_USAGE;
	if (ac.op == TLBSAN_OP_CAS) {
		fprintf(stderr, "tlbsan: access streams read or write\n");
		return EXIT_USAGE;
	}
	return EXIT_OK;
}

static int do_buf_add(struct tlbsan_call *c)
{
	if (nla_put_u32(c->msg, TLBSAN_ATTR_OP, ac.op) ||
	    nla_put_u64(c->msg, TLBSAN_ATTR_VA, ac.va) ||
	    nla_put_u64(c->msg, TLBSAN_ATTR_LEN, ac.len) ||
	    nla_put_u32(c->msg, TLBSAN_ATTR_THREAD, ac.thread) ||
	    (ac.op == TLBSAN_OP_WRITE && nla_put_u64(c->msg, TLBSAN_ATTR_VALUE, ac.value)))
		return EXIT_FAIL;
	return tlbsan_send(c, NULL, NULL);
}

static int do_buf_clear(struct tlbsan_call *c)
{
	return tlbsan_send(c, NULL, NULL);
}

static const char *page_name(unsigned int shift)
{
	return shift == 30 ? "1G" : shift == 21 ? "2M" : "4K";
}

/* One line per cached translation ("tlbe ...") or PDE entry ("pde ..."). */
static int tlb_reply(struct nl_msg *msg, void *arg)
{
	struct nlattr *tb[TLBSAN_ATTR_MAX + 1], *e[TLBSAN_ATTR_MAX + 1];

	(void)arg;
	if (tlbsan_nl_parse(msg, tb))
		return NL_SKIP;
	if (tb[TLBSAN_ATTR_TLBE] &&
	    !nla_parse_nested(e, TLBSAN_ATTR_MAX, tb[TLBSAN_ATTR_TLBE], NULL) &&
	    e[TLBSAN_ATTR_VA] && e[TLBSAN_ATTR_PFN] && e[TLBSAN_ATTR_PAGE_SHIFT] &&
	    e[TLBSAN_ATTR_PERM] && e[TLBSAN_ATTR_THREAD] && e[TLBSAN_ATTR_FILL_SEQ])
		printf("tlbe va=0x%llx pfn=0x%llx page=%s perm=%s thread=%u fill_seq=%llu\n",
		       (unsigned long long)nla_get_u64(e[TLBSAN_ATTR_VA]),
		       (unsigned long long)nla_get_u64(e[TLBSAN_ATTR_PFN]),
		       page_name(nla_get_u32(e[TLBSAN_ATTR_PAGE_SHIFT])),
		       nla_get_u32(e[TLBSAN_ATTR_PERM]) & TLBSAN_PERM_WRITE ? "rw" : "r",
		       nla_get_u32(e[TLBSAN_ATTR_THREAD]),
		       (unsigned long long)nla_get_u64(e[TLBSAN_ATTR_FILL_SEQ]));
	if (tb[TLBSAN_ATTR_PDE] &&
	    !nla_parse_nested(e, TLBSAN_ATTR_MAX, tb[TLBSAN_ATTR_PDE], NULL) &&
	    e[TLBSAN_ATTR_VA] && e[TLBSAN_ATTR_TABLE_PFN])
		printf("pde va=0x%llx table_pfn=0x%llx\n",
		       (unsigned long long)nla_get_u64(e[TLBSAN_ATTR_VA]),
		       (unsigned long long)nla_get_u64(e[TLBSAN_ATTR_TABLE_PFN]));
	return NL_OK;
}

static int do_tlb(struct tlbsan_call *c)
{
	return tlbsan_send(c, tlb_reply, NULL);
}

static const struct option access_options[] = {
	{ "thread", required_argument, NULL, 't' },
	{ "size", required_argument, NULL, 's' },
	{ NULL, 0, NULL, 0 },
};

static const struct option buf_add_options[] = {
	{ "thread", required_argument, NULL, 't' },
	{ "value", required_argument, NULL, 'v' },
	{ NULL, 0, NULL, 0 },
};

TLBSAN_COMMAND("access",
	"[--thread N] [--size 1|2|4|8] PID read VA | PID write VA VALUE | PID cas VA EXPECT VALUE",
	"make the device access a VA of PID (exit 1 unless status=ok)",
	CMD_NL | CMD_PID | CMD_ARGS, do_access, .request = TLBSAN_CMD_ACCESS,
	.options = access_options, .parse = access_parse);
TLBSAN_COMMAND("buf-add", "[--thread N] [--value V] PID read|write VA LEN",
	"add a repeated device access stream over [VA, VA+LEN)",
	CMD_NL | CMD_PID | CMD_ARGS, do_buf_add, .request = TLBSAN_CMD_BUF_ADD,
	.options = buf_add_options, .parse = buf_add_parse);
TLBSAN_COMMAND("buf-clear", "PID", "drop every access stream of PID's context",
	CMD_NL | CMD_PID, do_buf_clear, .request = TLBSAN_CMD_BUF_CLEAR);
TLBSAN_COMMAND("tlb", "PID", "dump the device TLB and PDE cache of PID's context",
	CMD_NL | CMD_PID | CMD_DUMP, do_tlb, .request = TLBSAN_CMD_TLB_DUMP);
