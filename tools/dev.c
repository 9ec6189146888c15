// SPDX-License-Identifier: GPL-2.0
/* access, buf-add, buf-clear, tlb: driving and inspecting the device. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cmd.h"
#include "names.h"

struct access_opts {
	int pid;
	int op;
	unsigned long long va, value, expect, len, thread, size;
	bool has_value, has_thread;
};

/* Options shared by access and buf-add: --thread N, --size S, --value V. */
static int parse_common(const struct tlbsan_command *cmd, int argc, char **argv,
			struct access_opts *o)
{
	static const struct option lopts[] = {
		{ "thread", required_argument, NULL, 't' },
		{ "size", required_argument, NULL, 's' },
		{ "value", required_argument, NULL, 'v' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	memset(o, 0, sizeof(*o));
	o->size = 8;
	optind = 0;
	while ((c = getopt_long(argc, argv, "+", lopts, NULL)) != -1) {
		switch (c) {
		case 't':
			if (tlbsan_parse_u64(optarg, 0, 15, &o->thread)) {
				fprintf(stderr, "tlbsan: invalid --thread '%s' (0..15)\n", optarg);
				return -1;
			}
			o->has_thread = true;
			break;
		case 's':
			if (tlbsan_parse_u64(optarg, 1, 8, &o->size) ||
			    (o->size & (o->size - 1))) {
				fprintf(stderr, "tlbsan: invalid --size '%s' (1, 2, 4 or 8)\n", optarg);
				return -1;
			}
			break;
		case 'v':
			if (tlbsan_parse_u64(optarg, 0, ~0ULL, &o->value)) {
				fprintf(stderr, "tlbsan: invalid --value '%s'\n", optarg);
				return -1;
			}
			o->has_value = true;
			break;
		default:
			tlbsan_usage(cmd);
			return -1;
		}
	}
	return 0;
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
static int parse_access(int argc, char **argv, struct access_opts *o)
{
	const struct tlbsan_command *cmd = &tlbsan_cmd_access;
	int n;

	if (parse_common(cmd, argc, argv, o))
		return -1;
	argv += optind;
	n = argc - optind;
	if (n < 3)
		return tlbsan_usage(cmd), -1;
	o->pid = tlbsan_parse_pid(argv[0]);
	if (o->pid < 0)
		return -1;
	o->op = parse_op(argv[1]);
	if (!o->op || parse_addr(argv[2], &o->va, "VA"))
		return -1;
	if (n != (o->op == TLBSAN_OP_READ ? 3 : o->op == TLBSAN_OP_WRITE ? 4 : 5))
		return tlbsan_usage(cmd), -1;
	if (o->op == TLBSAN_OP_WRITE && parse_addr(argv[3], &o->value, "VALUE"))
		return -1;
	if (o->op == TLBSAN_OP_CAS &&
	    (parse_addr(argv[3], &o->expect, "EXPECT") || parse_addr(argv[4], &o->value, "VALUE")))
		return -1;
	return 0;
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

static int do_access(struct tlbsan_nl *nl, int argc, char **argv)
{
	unsigned int status = 0;
	struct access_opts o;
	struct nl_msg *msg;

	if (parse_access(argc, argv, &o))
		return EXIT_USAGE;
	if (!nl)
		return EXIT_OK;
	msg = tlbsan_nl_msg(nl, TLBSAN_CMD_ACCESS, false);
	if (!msg || nla_put_u32(msg, TLBSAN_ATTR_PID, o.pid) ||
	    nla_put_u32(msg, TLBSAN_ATTR_OP, o.op) ||
	    nla_put_u64(msg, TLBSAN_ATTR_VA, o.va) ||
	    nla_put_u32(msg, TLBSAN_ATTR_SIZE, o.size) ||
	    nla_put_u32(msg, TLBSAN_ATTR_THREAD, o.thread) ||
	    (o.op != TLBSAN_OP_READ && nla_put_u64(msg, TLBSAN_ATTR_VALUE, o.value)) ||
	    (o.op == TLBSAN_OP_CAS && nla_put_u64(msg, TLBSAN_ATTR_EXPECT, o.expect)))
		return EXIT_FAIL;
	if (tlbsan_nl_request(nl, msg, access_reply, &status, "access"))
		return EXIT_FAIL;
	return status == TLBSAN_ACCESS_OK ? EXIT_OK : EXIT_FAIL;
}

/* buf-add [--thread N] [--value V] PID read|write VA LEN */
static int do_buf_add(struct tlbsan_nl *nl, int argc, char **argv)
{
	const struct tlbsan_command *cmd = &tlbsan_cmd_buf_add;
	struct access_opts o;
	struct nl_msg *msg;

	if (parse_common(cmd, argc, argv, &o))
		return EXIT_USAGE;
	argv += optind;
	if (argc - optind != 4)
		return tlbsan_usage(cmd);
	o.pid = tlbsan_parse_pid(argv[0]);
	if (o.pid < 0)
		return EXIT_USAGE;
	o.op = parse_op(argv[1]);
	if (!o.op || parse_addr(argv[2], &o.va, "VA") ||
	    tlbsan_parse_u64(argv[3], 1, ~0ULL, &o.len))
		return EXIT_USAGE;
	if (o.op == TLBSAN_OP_CAS) {
		fprintf(stderr, "tlbsan: access streams read or write\n");
		return EXIT_USAGE;
	}
	if (!nl)
		return EXIT_OK;
	msg = tlbsan_nl_msg(nl, TLBSAN_CMD_BUF_ADD, false);
	if (!msg || nla_put_u32(msg, TLBSAN_ATTR_PID, o.pid) ||
	    nla_put_u32(msg, TLBSAN_ATTR_OP, o.op) ||
	    nla_put_u64(msg, TLBSAN_ATTR_VA, o.va) ||
	    nla_put_u64(msg, TLBSAN_ATTR_LEN, o.len) ||
	    nla_put_u32(msg, TLBSAN_ATTR_THREAD, o.thread) ||
	    (o.op == TLBSAN_OP_WRITE && nla_put_u64(msg, TLBSAN_ATTR_VALUE, o.value)))
		return EXIT_FAIL;
	return tlbsan_nl_request(nl, msg, NULL, NULL, "buf-add") ? EXIT_FAIL : EXIT_OK;
}

static int do_buf_clear(struct tlbsan_nl *nl, int argc, char **argv)
{
	struct nl_msg *msg;
	int pid;

	if (argc != 2)
		return tlbsan_usage(&tlbsan_cmd_buf_clear);
	pid = tlbsan_parse_pid(argv[1]);
	if (pid < 0)
		return EXIT_USAGE;
	if (!nl)
		return EXIT_OK;
	msg = tlbsan_nl_msg(nl, TLBSAN_CMD_BUF_CLEAR, false);
	if (!msg || nla_put_u32(msg, TLBSAN_ATTR_PID, pid))
		return EXIT_FAIL;
	return tlbsan_nl_request(nl, msg, NULL, NULL, "buf-clear") ? EXIT_FAIL : EXIT_OK;
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

static int do_tlb(struct tlbsan_nl *nl, int argc, char **argv)
{
	struct nl_msg *msg;
	int pid;

	if (argc != 2)
		return tlbsan_usage(&tlbsan_cmd_tlb);
	pid = tlbsan_parse_pid(argv[1]);
	if (pid < 0)
		return EXIT_USAGE;
	if (!nl)
		return EXIT_OK;
	msg = tlbsan_nl_msg(nl, TLBSAN_CMD_TLB_DUMP, true);
	if (!msg || nla_put_u32(msg, TLBSAN_ATTR_PID, pid))
		return EXIT_FAIL;
	return tlbsan_nl_request(nl, msg, tlb_reply, NULL, "tlb") ? EXIT_FAIL : EXIT_OK;
}

const struct tlbsan_command tlbsan_cmd_access = {
	"access",
	"[--thread N] [--size 1|2|4|8] PID read VA | PID write VA VALUE | PID cas VA EXPECT VALUE",
	"make the device access a VA of PID (exit 1 unless status=ok)",
	do_access,
};
const struct tlbsan_command tlbsan_cmd_buf_add = {
	"buf-add", "[--thread N] [--value V] PID read|write VA LEN",
	"add a repeated device access stream over [VA, VA+LEN)", do_buf_add,
};
const struct tlbsan_command tlbsan_cmd_buf_clear = {
	"buf-clear", "PID", "drop every access stream of PID's context", do_buf_clear,
};
const struct tlbsan_command tlbsan_cmd_tlb = {
	"tlb", "PID", "dump the device TLB and PDE cache of PID's context", do_tlb,
};
