/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tap.h - the one TAP writer of the userspace test programs (tests/unit,
 * tests/uapi's harness, tests/stress, bench): version line, plan, numbered
 * results, skips, "# " comments and a closing totals comment.  Every line
 * is written whole under a lock and flushed at once, so threads and forked
 * children never interleave half lines.
 */
#ifndef MDPY_TAP_H
#define MDPY_TAP_H

#include <stdarg.h>

#define TAP_PRINTF(f, a) __attribute__((format(printf, f, a)))

/*
 * How result lines look and where comments go: @sep stands between the
 * number and the description (" " gives "ok 3 name", " - " gives
 * "ok 3 - name"); a non-NULL @echo also copies every comment to stderr as
 * "ECHO: text", for a console that shows no TAP file.
 */
void tap_style(const char *sep, const char *echo);

void tap_version(void);			/* "TAP version 13" */
void tap_plan(int n);			/* "1..N", before the results */
void tap_plan_done(void);		/* "1..N" of the results so far, at the end */

/* "ok N desc" or "not ok N desc"; returns @ok */
int tap_result(int ok, const char *fmt, ...) TAP_PRINTF(2, 3);
/* the same with " # NOTE" after the description (not a directive) */
int tap_result_note(int ok, const char *note, const char *fmt, ...)
	TAP_PRINTF(3, 4);
/* "ok N desc # SKIP reason" */
void tap_skip(const char *reason, const char *fmt, ...) TAP_PRINTF(2, 3);

void tap_diag(const char *fmt, ...) TAP_PRINTF(1, 2);	/* "# text" */
void tap_vdiag(const char *fmt, va_list ap);

/* "# totals: pass:N fail:N skip:N", the closing summary comment */
void tap_totals(void);

int tap_count(void);			/* results written */
int tap_failed(void);			/* of which "not ok" */
int tap_skipped(void);			/* of which skipped */

#endif /* MDPY_TAP_H */
