/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A minimal TAP unit-test harness for the module's pure logic.
 * UNIT_TEST(name) { ... } registers a test; CHECK(cond) records a failure
 * and continues, so one run shows every broken expectation.
 */
#ifndef TLBSAN_UNIT_H
#define TLBSAN_UNIT_H

#include <stdio.h>

struct unit_test {
	const char *name;
	void (*fn)(int *failures);
};

#define UNIT_TEST(n)							\
	static void unit_##n(int *failures);				\
	static const struct unit_test unit_desc_##n			\
	__attribute__((used, section("unit_tests"), aligned(8))) = { #n, unit_##n }; \
	static void unit_##n(int *failures)

#define CHECK(cond)							\
	do {								\
		if (!(cond)) {						\
			printf("# %s:%d: CHECK(%s) failed\n",		\
			       __FILE__, __LINE__, #cond);		\
			(*failures)++;					\
		}							\
	} while (0)

#define CHECK_EQ(a, b)							\
	do {								\
		unsigned long long _a = (a), _b = (b);			\
		if (_a != _b) {						\
			printf("# %s:%d: %s == %llu, expected %s == %llu\n", \
			       __FILE__, __LINE__, #a, _a, #b, _b);	\
			(*failures)++;					\
		}							\
	} while (0)

#endif
