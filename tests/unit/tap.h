/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The core unit tests' runner: each TEST() is one TAP line, written by
 * tests/lib's TAP writer; CHECK() records a failure with its location and
 * keeps going so one run shows every broken expectation.
 */
#ifndef MDPY_UNIT_TAP_H
#define MDPY_UNIT_TAP_H

#include <stdlib.h>
#include <string.h>

#include "../lib/tap.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

struct unit_test {
	const char *name;
	void (*fn)(void);
};

static int unit_failed;	/* CHECK failures in the running test */

#define CHECK(cond) do {						\
	if (!(cond)) {							\
		tap_diag("  %s:%d: CHECK(%s) failed",			\
			 __FILE__, __LINE__, #cond);			\
		unit_failed++;						\
	}								\
} while (0)

#define CHECK_EQ(a, b) do {						\
	unsigned long long _a = (a), _b = (b);				\
	if (_a != _b) {							\
		tap_diag("  %s:%d: %s == %s: got 0x%llx, want 0x%llx",	\
			 __FILE__, __LINE__, #a, #b, _a, _b);		\
		unit_failed++;						\
	}								\
} while (0)

#define CHECK_STR(a, b) do {						\
	const char *_a = (a), *_b = (b);				\
	if (!_a || !_b || strcmp(_a, _b)) {				\
		tap_diag("  %s:%d: %s: got \"%s\", want \"%s\"",	\
			 __FILE__, __LINE__, #a, _a ? _a : "(null)",	\
			 _b ? _b : "(null)");				\
		unit_failed++;						\
	}								\
} while (0)

static inline int unit_run(const struct unit_test *tests, int n)
{
	int i;

	tap_version();
	tap_plan(n);
	for (i = 0; i < n; i++) {
		unit_failed = 0;
		tests[i].fn();
		tap_result(!unit_failed, "%s", tests[i].name);
	}
	return tap_failed() ? EXIT_FAILURE : EXIT_SUCCESS;
}

#endif /* MDPY_UNIT_TAP_H */
