/* SPDX-License-Identifier: GPL-2.0 */
/*
 * harness.h - a small TAP v13 test harness for the mdpy conformance programs.
 *
 * Written for this project.  Model:
 *   - TEST(name) { ... }                 a plain test, run once.
 *   - FIXTURE(fx) { fields };            per-test state ("self"), zeroed per test.
 *     FIXTURE_SETUP(fx) { ... }          runs before each test of the fixture.
 *     FIXTURE_TEARDOWN(fx) { ... }       runs after it, also after a failed ASSERT.
 *     FIXTURE_REGISTER(fx, variants)     variants: array ending in { NULL }; each
 *                                        TEST_F runs once per variant.  NULL: once.
 *   - TEST_F(fx, name) { ... }           sees `self` and `variant`.
 *
 * Each test runs in a forked child so a crash, a hang (timeout) or an abort
 * in one test is reported and the next test still runs.  The child writes its
 * verdict into a shared page; the parent prints the TAP line.  Every line
 * goes through tests/lib's TAP writer (tap.h; link tap.c).
 *
 * EXPECT_* records a failure and continues; ASSERT_* records it and leaves the
 * test body (teardown still runs).  SKIP(fmt, ...) ends the test as skipped.
 *
 * Command line: -l lists test names, -t SUBSTR runs only matching tests
 * (repeatable), -T SECONDS sets the per-test timeout.
 */
#ifndef MDPY_HARNESS_H
#define MDPY_HARNESS_H

#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../lib/tap.h"

#define HT_UNUSED __attribute__((unused))

struct ht_variant {
	const char *name;
	const void *data;
};

struct ht_fixture {
	const char *name;
	size_t self_size;
	void (*setup)(void *self, const struct ht_variant *v);
	void (*teardown)(void *self, const struct ht_variant *v);
	const struct ht_variant *variants;
};

struct ht_test {
	const char *name;
	const struct ht_fixture *fixture;
	void (*fn)(void *self, const struct ht_variant *v);
	const void *param;	/* per-test data of table-driven tests */
	struct ht_test *next;
};

/* Verdict of the running test, in a MAP_SHARED page the parent reads. */
struct ht_verdict {
	int failed;
	int skipped;
	char reason[200];
};

static struct ht_test *ht_head, **ht_tail = &ht_head;
static struct ht_verdict *ht_cur;
static const void *ht_param;	/* param of the running test */
static jmp_buf ht_jmp;
static int ht_in_body;
static unsigned int ht_timeout = 120;

static HT_UNUSED void ht_register(struct ht_test *t)
{
	t->next = NULL;
	*ht_tail = t;
	ht_tail = &t->next;
}

/*
 * Table-driven tests: one TAP line per row.  Call from a constructor; the
 * body reads its row from ht_param.
 */
static HT_UNUSED void ht_register_param(const char *name,
					const struct ht_fixture *fx,
					void (*fn)(void *, const struct ht_variant *),
					const void *param)
{
	struct ht_test *t = calloc(1, sizeof(*t));

	if (!t)
		abort();
	t->name = name;
	t->fixture = fx;
	t->fn = fn;
	t->param = param;
	ht_register(t);
}

/* Print a diagnostic line; TAP treats "# ..." as a comment. */
static HT_UNUSED __attribute__((format(printf, 1, 2)))
void ht_diag(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	tap_vdiag(fmt, ap);
	va_end(ap);
}

#define TH_LOG(...) ht_diag(__VA_ARGS__)

/* Symbolic errno names make failure lines readable in a TAP file. */
static HT_UNUSED const char *ht_errname(int e)
{
	static char other[16];

	switch (e) {
	case 0: return "0";
	case EPERM: return "EPERM";
	case ENOENT: return "ENOENT";
	case EIO: return "EIO";
	case ENXIO: return "ENXIO";
	case EBADF: return "EBADF";
	case EAGAIN: return "EAGAIN";
	case ENOMEM: return "ENOMEM";
	case EACCES: return "EACCES";
	case EFAULT: return "EFAULT";
	case EBUSY: return "EBUSY";
	case EEXIST: return "EEXIST";
	case ENODEV: return "ENODEV";
	case EINVAL: return "EINVAL";
	case ENOSPC: return "ENOSPC";
	case ENOTTY: return "ENOTTY";
	case ERANGE: return "ERANGE";
	case EOVERFLOW: return "EOVERFLOW";
	case EUSERS: return "EUSERS";
	case EOPNOTSUPP: return "EOPNOTSUPP";
	case ENOSYS: return "ENOSYS";
	case ESPIPE: return "ESPIPE";
	case EROFS: return "EROFS";
	case ETIMEDOUT: return "ETIMEDOUT";
	}
	snprintf(other, sizeof(other), "errno %d", e);
	return other;
}

/* Mark the test failed; leave the body when `abort` (ASSERT_*). */
static HT_UNUSED void ht_fail(int abort)
{
	ht_cur->failed = 1;
	if (abort && ht_in_body)
		longjmp(ht_jmp, 1);
}

static HT_UNUSED __attribute__((format(printf, 1, 2), noreturn))
void ht_skip(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(ht_cur->reason, sizeof(ht_cur->reason), fmt, ap);
	va_end(ap);
	ht_cur->skipped = 1;
	longjmp(ht_jmp, 1);
}

#define SKIP(...) ht_skip(__VA_ARGS__)

/*
 * Comparisons are done in __int128 so that signed and unsigned operands of
 * any width up to 64 bits compare by their mathematical value.
 */
static HT_UNUSED void ht_cmp_report(const char *file, int line, const char *what,
				    const char *ea, const char *eb,
				    __int128 a, __int128 b)
{
	ht_diag("%s:%d: %s(%s, %s): got %lld (0x%llx), want %lld (0x%llx)",
		file, line, what, ea, eb,
		(long long)a, (unsigned long long)a,
		(long long)b, (unsigned long long)b);
}

#define HT_CMP(what, abort, a, op, b) do {				\
	__int128 ht_a_ = (__int128)(a);					\
	__int128 ht_b_ = (__int128)(b);					\
	if (!(ht_a_ op ht_b_)) {					\
		ht_cmp_report(__FILE__, __LINE__, what, #a, #b,		\
			      ht_a_, ht_b_);				\
		ht_fail(abort);						\
	}								\
} while (0)

#define EXPECT_EQ(a, b) HT_CMP("EXPECT_EQ", 0, a, ==, b)
#define EXPECT_NE(a, b) HT_CMP("EXPECT_NE", 0, a, !=, b)
#define EXPECT_LT(a, b) HT_CMP("EXPECT_LT", 0, a, <, b)
#define EXPECT_LE(a, b) HT_CMP("EXPECT_LE", 0, a, <=, b)
#define EXPECT_GT(a, b) HT_CMP("EXPECT_GT", 0, a, >, b)
#define EXPECT_GE(a, b) HT_CMP("EXPECT_GE", 0, a, >=, b)
#define ASSERT_EQ(a, b) HT_CMP("ASSERT_EQ", 1, a, ==, b)
#define ASSERT_NE(a, b) HT_CMP("ASSERT_NE", 1, a, !=, b)
#define ASSERT_LT(a, b) HT_CMP("ASSERT_LT", 1, a, <, b)
#define ASSERT_LE(a, b) HT_CMP("ASSERT_LE", 1, a, <=, b)
#define ASSERT_GT(a, b) HT_CMP("ASSERT_GT", 1, a, >, b)
#define ASSERT_GE(a, b) HT_CMP("ASSERT_GE", 1, a, >=, b)

#define HT_TRUE(what, abort, c) do {					\
	if (!(c)) {							\
		ht_diag("%s:%d: %s(%s) is false", __FILE__, __LINE__,	\
			what, #c);					\
		ht_fail(abort);						\
	}								\
} while (0)

#define EXPECT_TRUE(c) HT_TRUE("EXPECT_TRUE", 0, c)
#define ASSERT_TRUE(c) HT_TRUE("ASSERT_TRUE", 1, c)
#define EXPECT_FALSE(c) HT_TRUE("EXPECT_FALSE", 0, !(c))
#define ASSERT_FALSE(c) HT_TRUE("ASSERT_FALSE", 1, !(c))

/* A call that must succeed (return >= 0); prints errno on failure. */
#define HT_OK(what, abort, expr) ({					\
	long ht_r_ = (long)(expr);					\
	if (ht_r_ < 0) {						\
		int ht_e_ = errno;					\
		ht_diag("%s:%d: %s(%s): returned %ld, errno %s",	\
			__FILE__, __LINE__, what, #expr, ht_r_,		\
			ht_errname(ht_e_));				\
		ht_fail(abort);						\
	}								\
	ht_r_;								\
})

#define EXPECT_OK(expr) HT_OK("EXPECT_OK", 0, expr)
#define ASSERT_OK(expr) HT_OK("ASSERT_OK", 1, expr)

/* A call that must fail with -1 and errno == err. */
#define HT_ERRNO(what, abort, expr, err) do {				\
	errno = 0;							\
	long ht_r_ = (long)(expr);					\
	int ht_e_ = errno;						\
	if (ht_r_ != -1 || ht_e_ != (err)) {				\
		ht_diag("%s:%d: %s(%s): got %ld errno %s, want -1 errno %s", \
			__FILE__, __LINE__, what, #expr, ht_r_,		\
			ht_errname(ht_e_), ht_errname(err));		\
		ht_fail(abort);						\
	}								\
} while (0)

#define EXPECT_ERRNO(expr, err) HT_ERRNO("EXPECT_ERRNO", 0, expr, err)
#define ASSERT_ERRNO(expr, err) HT_ERRNO("ASSERT_ERRNO", 1, expr, err)

/* Two strings that must be equal. */
#define EXPECT_STR(got, want) do {					\
	if (strcmp(got, want)) {					\
		ht_diag("%s:%d: got \"%s\", want \"%s\"", __FILE__,	\
			__LINE__, got, want);				\
		ht_fail(0);						\
	}								\
} while (0)

/* An mmap() result that must be a mapping. */
#define HT_MAPPED(what, abort, p) do {					\
	if ((void *)(p) == MAP_FAILED) {				\
		ht_diag("%s:%d: %s(%s): mmap failed, errno %s",		\
			__FILE__, __LINE__, what, #p, ht_errname(errno));\
		ht_fail(abort);						\
	}								\
} while (0)

#define EXPECT_MAPPED(p) HT_MAPPED("EXPECT_MAPPED", 0, p)
#define ASSERT_MAPPED(p) HT_MAPPED("ASSERT_MAPPED", 1, p)

/* Helpers returning 0 / -errno: compare the negative errno by name. */
#define HT_RET(what, abort, expr, want) do {				\
	long ht_r_ = (long)(expr);					\
	long ht_w_ = (long)(want);					\
	if (ht_r_ != ht_w_) {						\
		ht_diag("%s:%d: %s(%s): got %ld (%s), want %ld (%s)",	\
			__FILE__, __LINE__, what, #expr, ht_r_,		\
			ht_r_ < 0 ? ht_errname((int)-ht_r_) : "",	\
			ht_w_, ht_w_ < 0 ? ht_errname((int)-ht_w_) : "");\
		ht_fail(abort);						\
	}								\
} while (0)

#define EXPECT_RET(expr, want) HT_RET("EXPECT_RET", 0, expr, want)
#define ASSERT_RET(expr, want) HT_RET("ASSERT_RET", 1, expr, want)

/* Memory compare that names the first differing byte. */
static HT_UNUSED int ht_memdiff(const char *file, int line, const char *ea,
				const char *eb, const void *a, const void *b,
				size_t n)
{
	const unsigned char *pa = a, *pb = b;
	size_t i, ndiff = 0, first = 0;

	for (i = 0; i < n; i++) {
		if (pa[i] != pb[i]) {
			if (!ndiff)
				first = i;
			ndiff++;
		}
	}
	if (!ndiff)
		return 0;
	ht_diag("%s:%d: memory %s vs %s (%zu bytes): %zu differ, first at 0x%zx: 0x%02x != 0x%02x",
		file, line, ea, eb, n, ndiff, first, pa[first], pb[first]);
	return 1;
}

#define EXPECT_MEMEQ(a, b, n) do {					\
	if (ht_memdiff(__FILE__, __LINE__, #a, #b, a, b, n))		\
		ht_fail(0);						\
} while (0)
#define ASSERT_MEMEQ(a, b, n) do {					\
	if (ht_memdiff(__FILE__, __LINE__, #a, #b, a, b, n))		\
		ht_fail(1);						\
} while (0)

/* ---- registration ---- */

#define HT_CAT_(a, b) a##b
#define HT_CAT(a, b) HT_CAT_(a, b)

#define TEST(tname)							\
	static void ht_body_##tname(void);				\
	static void ht_run_##tname(void *s HT_UNUSED,			\
				   const struct ht_variant *v HT_UNUSED)\
	{								\
		ht_body_##tname();					\
	}								\
	static struct ht_test ht_test_##tname = {			\
		.name = #tname, .fn = ht_run_##tname,			\
	};								\
	__attribute__((constructor)) static void ht_reg_##tname(void)	\
	{								\
		ht_register(&ht_test_##tname);				\
	}								\
	static void ht_body_##tname(void)

#define FIXTURE(fx) struct ht_self_##fx

#define FIXTURE_SETUP(fx)						\
	static void ht_setup_##fx(struct ht_self_##fx *self,		\
				  const struct ht_variant *variant);	\
	static void ht_setup_w_##fx(void *s, const struct ht_variant *v)\
	{								\
		ht_setup_##fx(s, v);					\
	}								\
	static void ht_setup_##fx(struct ht_self_##fx *self HT_UNUSED,	\
				  const struct ht_variant *variant HT_UNUSED)

#define FIXTURE_TEARDOWN(fx)						\
	static void ht_teardown_##fx(struct ht_self_##fx *self,		\
				     const struct ht_variant *variant);	\
	static void ht_teardown_w_##fx(void *s, const struct ht_variant *v)\
	{								\
		ht_teardown_##fx(s, v);					\
	}								\
	static void ht_teardown_##fx(struct ht_self_##fx *self HT_UNUSED,\
				     const struct ht_variant *variant HT_UNUSED)

#define FIXTURE_REGISTER(fx, vars)					\
	static const struct ht_fixture ht_fixture_##fx = {		\
		.name = #fx,						\
		.self_size = sizeof(struct ht_self_##fx),		\
		.setup = ht_setup_w_##fx,				\
		.teardown = ht_teardown_w_##fx,				\
		.variants = vars,					\
	}

#define TEST_F(fx, tname)						\
	static void ht_body_##fx##_##tname(struct ht_self_##fx *self,	\
					   const struct ht_variant *variant);\
	static void ht_run_##fx##_##tname(void *s,			\
					  const struct ht_variant *v)	\
	{								\
		ht_body_##fx##_##tname(s, v);				\
	}								\
	static struct ht_test ht_test_##fx##_##tname = {		\
		.name = #tname, .fixture = &ht_fixture_##fx,		\
		.fn = ht_run_##fx##_##tname,				\
	};								\
	__attribute__((constructor))					\
	static void ht_reg_##fx##_##tname(void)				\
	{								\
		ht_register(&ht_test_##fx##_##tname);			\
	}								\
	static void ht_body_##fx##_##tname(struct ht_self_##fx *self HT_UNUSED,\
				const struct ht_variant *variant HT_UNUSED)

/* ---- runner ---- */

static void ht_full_name(char *buf, size_t size, const struct ht_test *t,
			 const struct ht_variant *v)
{
	if (t->fixture && v)
		snprintf(buf, size, "%s.%s.%s", t->fixture->name, v->name, t->name);
	else if (t->fixture)
		snprintf(buf, size, "%s.%s", t->fixture->name, t->name);
	else
		snprintf(buf, size, "%s", t->name);
}

static int ht_selected(const char *name, char **filters, int nfilters)
{
	int i;

	if (!nfilters)
		return 1;
	for (i = 0; i < nfilters; i++)
		if (strstr(name, filters[i]))
			return 1;
	return 0;
}

/* Runs in the child: setup, body, teardown; verdict goes to ht_cur. */
static void ht_child(const struct ht_test *t, const struct ht_variant *v)
{
	const struct ht_fixture *fx = t->fixture;
	void *self = NULL;

	setvbuf(stdout, NULL, _IOLBF, 0);
	ht_param = t->param;
	if (fx) {
		self = calloc(1, fx->self_size ? fx->self_size : 1);
		if (!self) {
			ht_diag("out of memory for fixture");
			_exit(3);
		}
	}
	ht_in_body = 1;
	if (!setjmp(ht_jmp)) {
		if (fx && fx->setup)
			fx->setup(self, v);
		if (!ht_cur->failed && !ht_cur->skipped)
			t->fn(self, v);
	}
	/* Teardown always runs; its own ASSERTs only end the teardown. */
	if (fx && fx->teardown && !setjmp(ht_jmp))
		fx->teardown(self, v);
	ht_in_body = 0;
	fflush(stdout);
	_exit(0);
}

static int ht_run_one(const struct ht_test *t, const struct ht_variant *v,
		      const char *name)
{
	struct timespec start, now;
	int status = 0, done = 0;
	pid_t pid, w;

	memset(ht_cur, 0, sizeof(*ht_cur));
	fflush(stdout);
	pid = fork();
	if (pid < 0) {
		tap_result_note(0, "fork failed", "%s", name);
		return 1;
	}
	if (!pid)
		ht_child(t, v);

	clock_gettime(CLOCK_MONOTONIC, &start);
	while (!done) {
		w = waitpid(pid, &status, WNOHANG);
		if (w == pid)
			break;
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec - start.tv_sec >= (time_t)ht_timeout) {
			ht_diag("%s: timeout after %u s, killing", name, ht_timeout);
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			ht_cur->failed = 1;
			done = 1;
		} else {
			usleep(5000);
		}
	}
	if (WIFSIGNALED(status)) {
		ht_diag("%s: killed by signal %d", name, WTERMSIG(status));
		ht_cur->failed = 1;
	} else if (WIFEXITED(status) && WEXITSTATUS(status)) {
		ht_diag("%s: exit status %d", name, WEXITSTATUS(status));
		ht_cur->failed = 1;
	}

	if (ht_cur->failed) {
		tap_result(0, "%s", name);
		return 1;
	}
	if (ht_cur->skipped)
		tap_skip(ht_cur->reason, "%s", name);
	else
		tap_result(1, "%s", name);
	return 0;
}

static HT_UNUSED int ht_main(int argc, char **argv)
{
	char *filters[32];
	int nfilters = 0, list = 0, opt, total = 0;
	const struct ht_variant *v;
	struct ht_test *t;
	char name[256];

	while ((opt = getopt(argc, argv, "lt:T:")) != -1) {
		switch (opt) {
		case 'l':
			list = 1;
			break;
		case 't':
			if (nfilters < 32)
				filters[nfilters++] = optarg;
			break;
		case 'T':
			ht_timeout = (unsigned int)atoi(optarg);
			break;
		default:
			fprintf(stderr, "usage: %s [-l] [-t substr]... [-T secs]\n", argv[0]);
			return 2;
		}
	}

	/* Count first: TAP wants the plan before the results. */
	for (t = ht_head; t; t = t->next) {
		v = t->fixture ? t->fixture->variants : NULL;
		do {
			ht_full_name(name, sizeof(name), t, v && v->name ? v : NULL);
			if (ht_selected(name, filters, nfilters)) {
				if (list)
					printf("%s\n", name);
				total++;
			}
		} while (v && v->name && (++v)->name);
	}
	if (list)
		return 0;

	ht_cur = mmap(NULL, sizeof(*ht_cur), PROT_READ | PROT_WRITE,
		      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (ht_cur == MAP_FAILED) {
		perror("mmap");
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	tap_version();
	tap_plan(total);
	for (t = ht_head; t; t = t->next) {
		v = t->fixture ? t->fixture->variants : NULL;
		do {
			const struct ht_variant *vv = v && v->name ? v : NULL;

			ht_full_name(name, sizeof(name), t, vv);
			if (!ht_selected(name, filters, nfilters))
				continue;
			ht_run_one(t, vv, name);
		} while (v && v->name && (++v)->name);
	}
	tap_totals();
	return tap_failed() ? 1 : 0;
}

#define HARNESS_MAIN							\
	int main(int argc, char **argv)					\
	{								\
		return ht_main(argc, argv);				\
	}

#endif /* MDPY_HARNESS_H */
