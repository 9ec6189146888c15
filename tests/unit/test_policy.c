// SPDX-License-Identifier: GPL-2.0
/*
 * uapi/tlbsan_policy.h: every attribute has a line, and each line says
 * something the module can enforce.
 */
#include "uapi/tlbsan_policy.h"
#include "unit.h"

enum { T_NONE, T_U8, T_U16, T_U32, T_U64, T_STRING, T_FLAG, T_NESTED };
enum { C_UNSET, C_NONE, C_MIN, C_MAX, C_RANGE, C_OUT };

struct pol {
	int type, check;
	long long lo, hi;
};

#define TLBSAN_POL(t, c, l, h)	{ .type = T_##t, .check = C_##c, .lo = (l), .hi = (h) }

static const struct pol policy[TLBSAN_ATTR_MAX + 1] = TLBSAN_POLICY;

UNIT_TEST(policy_covers_every_attribute)
{
	int a;

	for (a = TLBSAN_ATTR_PAD + 1; a <= TLBSAN_ATTR_MAX; a++) {
		if (policy[a].type == T_NONE || policy[a].check == C_UNSET)
			printf("# attribute %d has no line in uapi/tlbsan_policy.h\n", a);
		CHECK(policy[a].type != T_NONE && policy[a].check != C_UNSET);
	}
	CHECK(policy[TLBSAN_ATTR_UNSPEC].type == T_NONE);
	CHECK(policy[TLBSAN_ATTR_PAD].type == T_NONE);
}

UNIT_TEST(policy_bounds_are_meaningful)
{
	int a;

	for (a = TLBSAN_ATTR_PAD + 1; a <= TLBSAN_ATTR_MAX; a++) {
		const struct pol *p = &policy[a];
		int bounded = p->check == C_MIN || p->check == C_MAX || p->check == C_RANGE;

		/* Bounds only on integers, and only where the check reads them. */
		CHECK(!bounded || (p->type >= T_U8 && p->type <= T_U64));
		CHECK(p->check == C_MIN || p->check == C_RANGE || p->lo == 0);
		CHECK(p->check == C_MAX || p->check == C_RANGE || p->hi == 0);
		CHECK(p->check != C_RANGE || p->lo <= p->hi);
		/* nla_policy keeps bounds in s16. */
		CHECK(p->lo >= -32768 && p->hi <= 32767);
	}
}

UNIT_TEST(policy_thread_limit_is_one_number)
{
	CHECK_EQ(policy[TLBSAN_ATTR_THREADS].check, C_RANGE);
	CHECK_EQ(policy[TLBSAN_ATTR_THREADS].hi, TLBSAN_THREADS_MAX);
	CHECK_EQ(policy[TLBSAN_ATTR_THREAD].check, C_MAX);
	CHECK_EQ(policy[TLBSAN_ATTR_THREAD].hi, TLBSAN_THREADS_MAX - 1);
}
