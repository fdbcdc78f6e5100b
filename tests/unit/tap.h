/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A tiny TAP producer for the core unit tests: each TEST() is one TAP
 * line; CHECK() records a failure with its location and keeps going so one
 * run shows every broken expectation.
 */
#ifndef MDPY_UNIT_TAP_H
#define MDPY_UNIT_TAP_H

#include <stdio.h>
#include <stdlib.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

struct unit_test {
	const char *name;
	void (*fn)(void);
};

static int unit_failed;	/* CHECK failures in the running test */

#define CHECK(cond) do {						\
	if (!(cond)) {							\
		printf("#   %s:%d: CHECK(%s) failed\n",			\
		       __FILE__, __LINE__, #cond);			\
		unit_failed++;						\
	}								\
} while (0)

#define CHECK_EQ(a, b) do {						\
	unsigned long long _a = (a), _b = (b);				\
	if (_a != _b) {							\
		printf("#   %s:%d: %s == %s: got 0x%llx, want 0x%llx\n", \
		       __FILE__, __LINE__, #a, #b, _a, _b);		\
		unit_failed++;						\
	}								\
} while (0)

static inline int unit_run(const struct unit_test *tests, int n)
{
	int i, bad = 0;

	printf("TAP version 13\n1..%d\n", n);
	for (i = 0; i < n; i++) {
		unit_failed = 0;
		tests[i].fn();
		printf("%sok %d %s\n", unit_failed ? "not " : "", i + 1,
		       tests[i].name);
		bad += !!unit_failed;
	}
	return bad ? EXIT_FAILURE : EXIT_SUCCESS;
}

#endif /* MDPY_UNIT_TAP_H */
