// SPDX-License-Identifier: GPL-2.0
/*
 * mdpy-bench: results.  Each is the median, quartiles and extremes of the
 * repetitions of one metric on one target; repetitions gathered over
 * several rounds wait in an accumulator until the end.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double quantile(const double *sorted, int n, double q)
{
	double pos = q * (n - 1);
	int i = (int)pos;

	if (i + 1 >= n)
		return sorted[n - 1];
	return sorted[i] + (pos - i) * (sorted[i + 1] - sorted[i]);
}

struct result results[512];
int nresults;

static struct result *add_result(const char *metric, int tgt, const char *unit)
{
	struct result *r;

	if (nresults >= (int)(sizeof(results) / sizeof(results[0]))) {
		fprintf(stderr, "too many results\n");
		exit(1);
	}
	r = &results[nresults++];
	memset(r, 0, sizeof(*r));
	snprintf(r->metric, sizeof(r->metric), "%s", metric);
	r->tgt = tgt;
	snprintf(r->unit, sizeof(r->unit), "%s", unit);
	return r;
}

struct result *stats_result(const char *metric, int tgt,
				   const char *unit, double *v, int n)
{
	struct result *r = add_result(metric, tgt, unit);

	if (n <= 0) {
		snprintf(r->note, sizeof(r->note), "no data");
		return r;
	}
	qsort(v, n, sizeof(*v), cmp_double);
	r->n = n;
	r->med = quantile(v, n, 0.5);
	r->p25 = quantile(v, n, 0.25);
	r->p75 = quantile(v, n, 0.75);
	r->min = v[0];
	r->max = v[n - 1];
	return r;
}

struct result *value_result(const char *metric, int tgt,
				   const char *unit, double val)
{
	return stats_result(metric, tgt, unit, &val, 1);
}

void error_result(const char *metric, int tgt, const char *what,
			 int err)
{
	struct result *r = add_result(metric, tgt, "");

	snprintf(r->note, sizeof(r->note), "error: %s: %s", what,
		 strerror(err));
	tap_diag("%s %s: error: %s: %s", tname[tgt], metric, what, strerror(err));
}

/*
 * Repetitions of one metric gathered over several rounds (each module is
 * loaded once per round), turned into a result at the end.
 */
struct acc {
	char metric[48];
	int tgt;
	const char *unit;
	double v[MAX_REPS];
	int n;
};

static struct acc accs[128];
static int naccs;

void acc_add(const char *metric, int tgt, const char *unit,
		    const double *v, int n)
{
	struct acc *a = NULL;
	int i;

	for (i = 0; i < naccs; i++)
		if (accs[i].tgt == tgt && !strcmp(accs[i].metric, metric))
			a = &accs[i];
	if (!a) {
		if (naccs >= (int)(sizeof(accs) / sizeof(accs[0])))
			return;
		a = &accs[naccs++];
		snprintf(a->metric, sizeof(a->metric), "%s", metric);
		a->tgt = tgt;
		a->unit = unit;
	}
	for (i = 0; i < n && a->n < MAX_REPS; i++)
		a->v[a->n++] = v[i];
}

void acc_finish(void)
{
	int i;

	for (i = 0; i < naccs; i++)
		stats_result(accs[i].metric, accs[i].tgt, accs[i].unit,
			     accs[i].v, accs[i].n);
	naccs = 0;
}

const struct result *find(const char *metric, int tgt)
{
	int i;

	for (i = 0; i < nresults; i++)
		if (results[i].tgt == tgt && !strcmp(results[i].metric, metric))
			return &results[i];
	return NULL;
}

int have(const struct result *r)
{
	return r && r->n > 0;
}
