// SPDX-License-Identifier: GPL-2.0
/*
 * tap.c - the TAP writer (tap.h).
 */
#include <pthread.h>
#include <stdio.h>

#include "tap.h"

static pthread_mutex_t tap_lock = PTHREAD_MUTEX_INITIALIZER;
static const char *tap_sep = " ";
static const char *tap_echo;
static int tap_n, tap_bad, tap_skips;

void tap_style(const char *sep, const char *echo)
{
	tap_sep = sep ? sep : " ";
	tap_echo = echo;
}

void tap_version(void)
{
	pthread_mutex_lock(&tap_lock);
	printf("TAP version 13\n");
	fflush(stdout);
	pthread_mutex_unlock(&tap_lock);
}

void tap_plan(int n)
{
	pthread_mutex_lock(&tap_lock);
	printf("1..%d\n", n);
	fflush(stdout);
	pthread_mutex_unlock(&tap_lock);
}

void tap_plan_done(void)
{
	tap_plan(tap_count());
}

/* One result line; the number is taken under the lock that prints it. */
static void tap_vline(int ok, int skip, const char *note, const char *fmt,
		      va_list ap)
{
	char desc[1024];

	vsnprintf(desc, sizeof(desc), fmt, ap);
	pthread_mutex_lock(&tap_lock);
	tap_n++;
	if (!ok)
		tap_bad++;
	if (skip)
		tap_skips++;
	printf("%sok %d%s%s%s%s%s\n", ok ? "" : "not ", tap_n, tap_sep, desc,
	       note ? " # " : "", skip ? "SKIP " : "", note ? note : "");
	fflush(stdout);
	pthread_mutex_unlock(&tap_lock);
}

int tap_result(int ok, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	tap_vline(ok, 0, NULL, fmt, ap);
	va_end(ap);
	return ok;
}

int tap_result_note(int ok, const char *note, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	tap_vline(ok, 0, note, fmt, ap);
	va_end(ap);
	return ok;
}

void tap_skip(const char *reason, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	tap_vline(1, 1, reason ? reason : "", fmt, ap);
	va_end(ap);
}

void tap_vdiag(const char *fmt, va_list ap)
{
	char line[4096];

	vsnprintf(line, sizeof(line), fmt, ap);
	pthread_mutex_lock(&tap_lock);
	printf("# %s\n", line);
	fflush(stdout);
	if (tap_echo)
		fprintf(stderr, "%s: %s\n", tap_echo, line);
	pthread_mutex_unlock(&tap_lock);
}

void tap_diag(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	tap_vdiag(fmt, ap);
	va_end(ap);
}

void tap_totals(void)
{
	tap_diag("totals: pass:%d fail:%d skip:%d", tap_n - tap_bad - tap_skips,
		 tap_bad, tap_skips);
}

int tap_count(void)
{
	return tap_n;
}

int tap_failed(void)
{
	return tap_bad;
}

int tap_skipped(void)
{
	return tap_skips;
}
