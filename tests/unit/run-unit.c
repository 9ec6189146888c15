// SPDX-License-Identifier: GPL-2.0
/* Runs every UNIT_TEST linked in, printing TAP; exits 1 on any failure. */
#include <stdio.h>
#include <string.h>
#include "unit.h"

extern const struct unit_test __start_unit_tests[], __stop_unit_tests[];

int main(int argc, char **argv)
{
	const struct unit_test *t;
	int n = 0, failed = 0;

	for (t = __start_unit_tests; t < __stop_unit_tests; t++)
		if (argc < 2 || strstr(t->name, argv[1]))
			n++;
	printf("TAP version 13\n1..%d\n", n);
	n = 0;
	for (t = __start_unit_tests; t < __stop_unit_tests; t++) {
		int failures = 0;

		if (argc >= 2 && !strstr(t->name, argv[1]))
			continue;
		t->fn(&failures);
		printf("%sok %d %s\n", failures ? "not " : "", ++n, t->name);
		failed += !!failures;
	}
	return failed ? 1 : 0;
}
