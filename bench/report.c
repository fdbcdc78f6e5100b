// SPDX-License-Identifier: GPL-2.0
/*
 * mdpy-bench: the report.  Targets judged on medians, the table and the
 * same numbers as JSON.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>

#include "bench.h"

static void fmt_val(char *out, size_t len, const struct result *r, int spread)
{
	const char *f;
	char a[24], b[24], c[24];

	if (!r || !r->n) {
		snprintf(out, len, "%s", r && r->note[0] ? "error" : "-");
		return;
	}
	f = r->med >= 100 ? "%.0f" : r->med >= 10 ? "%.1f" : "%.2f";
	snprintf(a, sizeof(a), f, r->med);
	if (!spread || r->n < 2 || r->min == r->max) {
		snprintf(out, len, "%s", a);
		return;
	}
	f = r->max >= 100 ? "%.0f" : r->max >= 10 ? "%.1f" : "%.2f";
	snprintf(b, sizeof(b), f, r->min);
	snprintf(c, sizeof(c), f, r->max);
	snprintf(out, len, "%s [%s-%s]", a, b, c);
}

static void fmt_ratio(char *out, size_t len, const struct result *a,
		      const struct result *b)
{
	if (have(a) && have(b) && b->med != 0)
		snprintf(out, len, "%.2fx", a->med / b->med);
	else
		snprintf(out, len, "-");
}

static void table_row(FILE *f, const char *label, const char *metric)
{
	const struct result *o = find(metric, T_OURS), *s = find(metric, T_SAMPLE),
			    *m = find(metric, T_MEMFD);
	char vo[80], vs[80], vm[80], rs[16], rm[16];

	if (!o && !s && !m)
		return;
	fmt_val(vo, sizeof(vo), o, 1);
	fmt_val(vs, sizeof(vs), s, 1);
	fmt_val(vm, sizeof(vm), m, 1);
	fmt_ratio(rs, sizeof(rs), o, s);
	fmt_ratio(rm, sizeof(rm), o, m);
	fprintf(f, "%-28s %-22s %-22s %-22s %8s %8s\n", label, vo, vs, vm, rs, rm);
}

/* Goals of issue 8, judged on medians */
struct goal {
	char what[80];
	double ours, ref;
	const char *rule;
	int met;		/* 1 met, 0 missed, -1 no data */
};

static struct goal goals[64];
static int ngoals;

static void goal(const char *what, const char *metric, int ref_tgt,
		 double factor, int higher_better, const char *rule)
{
	const struct result *o = find(metric, T_OURS), *r = find(metric, ref_tgt);
	struct goal *g = &goals[ngoals++];

	snprintf(g->what, sizeof(g->what), "%s", what);
	g->rule = rule;
	if (!have(o) || !have(r)) {
		g->met = -1;
		return;
	}
	g->ours = o->med;
	g->ref = r->med;
	g->met = higher_better ? o->med >= factor * r->med :
				 o->med <= factor * r->med;
}

static void goal_abs(const char *what, const char *metric, double limit,
		     const char *rule, int equal)
{
	const struct result *o = find(metric, T_OURS);
	struct goal *g = &goals[ngoals++];

	snprintf(g->what, sizeof(g->what), "%s", what);
	g->rule = rule;
	if (!have(o)) {
		g->met = -1;
		return;
	}
	g->ours = o->med;
	g->ref = limit;
	g->met = equal ? o->med > limit - 0.5 && o->med < limit + 0.5 :
			 o->med <= limit;
}

void judge(void)
{
	static const char *const big[] = { "4k", "64k", "frame" };
	char w[80], m[48];
	unsigned int i;

	for (i = 0; i < 3; i++) {
		snprintf(w, sizeof(w), "pread %s >= 0.8x memfd", big[i]);
		snprintf(m, sizeof(m), "pread_%s", big[i]);
		goal(w, m, T_MEMFD, 0.8, 1, "ours >= 0.8 x memfd (MB/s)");
		snprintf(w, sizeof(w), "pwrite %s >= 0.8x memfd", big[i]);
		snprintf(m, sizeof(m), "pwrite_%s", big[i]);
		goal(w, m, T_MEMFD, 0.8, 1, "ours >= 0.8 x memfd (MB/s)");
	}
	goal("mmap read >= 0.9x memfd", "mmap_read", T_MEMFD, 0.9, 1,
	     "ours >= 0.9 x memfd (MB/s)");
	goal("mmap write >= 0.9x memfd", "mmap_write", T_MEMFD, 0.9, 1,
	     "ours >= 0.9 x memfd (MB/s)");
	goal("config pread <= sample", "cfg_pread4_rel", T_SAMPLE, 1.0, 0,
	     "ours <= sample, in getppid units");
	goal("plane query <= sample", "plane_query_rel", T_SAMPLE, 1.0, 0,
	     "ours <= sample, in getppid units");
	for (i = 0; i < NTYPES; i++) {
		snprintf(w, sizeof(w), "create %s <= sample", vtypes[i].key);
		snprintf(m, sizeof(m), "create_%s", vtypes[i].key);
		goal(w, m, T_SAMPLE, 1.0, 0, "ours <= sample (us)");
		snprintf(w, sizeof(w), "remove %s <= sample", vtypes[i].key);
		snprintf(m, sizeof(m), "remove_%s", vtypes[i].key);
		goal(w, m, T_SAMPLE, 1.0, 0, "ours <= sample (us)");
	}
	for (i = 0; i < NTYPES; i++) {
		double fb_kib = (double)vtypes[i].width * vtypes[i].height * 4 / 1024;

		snprintf(w, sizeof(w), "idle %s fb <= 64 KiB", vtypes[i].key);
		snprintf(m, sizeof(m), "mem_%s_idle_fb", vtypes[i].key);
		goal_abs(w, m, 64, "resident_bytes <= 64 KiB", 0);
		/* frames here are whole pages, so exactly the frame's pages */
		snprintf(w, sizeof(w), "drawn %s fb = frame pages (%.0f KiB)",
			 vtypes[i].key, fb_kib);
		snprintf(m, sizeof(m), "mem_%s_write_fb", vtypes[i].key);
		goal_abs(w, m, fb_kib, "resident == frame, no BAR padding", 1);
	}
	/* issue 13's stream targets, in bytes */
	goal_abs("migration: idle hd stream <= 4 KiB", "mig_hd_idle_bytes",
		 4096, "stream bytes <= 4096", 0);
	goal_abs("migration: full hd stream <= frame + 4 KiB",
		 "mig_hd_full_bytes", 1920.0 * 1080 * 4 + 4096,
		 "stream bytes <= frame + 4096", 0);
	goal_abs("migration: stop-copy after pre-copy <= 3 pages + 4 KiB",
		 "mig_hd_stopcopy_bytes", 3 * 4096 + 4096,
		 "bytes after 3 written pages <= 3 x 4096 + 4096", 0);
	/* issue 18: the instance limit */
	goal_abs("scale: create, last/first 100 <= 1.5x",
		 "scale_create_ratio", 1.5, "median of the last 100 / first 100", 0);
	goal_abs("scale: remove, last/first 100 <= 1.5x",
		 "scale_remove_ratio", 1.5, "median of the last 100 / first 100", 0);
	goal_abs("scale: available_instances exact", "scale_avail_errors", 0,
		 "mismatches after each create and remove = 0", 1);
	goal_abs("scale: sysfs lists exactly the instances",
		 "scale_list_errors", 0, "mismatches at full count and at 0 = 0", 1);
	goal_abs("scale: create past count refused, EUSERS",
		 "scale_over_refused", 1, "refused with EUSERS = 1", 1);
	goal_abs("scale: nothing held after removing all",
		 "scale_held_after", 0, "held_bytes growth = 0", 1);
}

/* Our result "mem_TYPE_PHASE_WHAT" */
static const struct result *mem_find(const char *type, const char *phase,
				     const char *what)
{
	char m[48];

	snprintf(m, sizeof(m), "mem_%s_%s_%s", type, phase, what);
	return find(m, T_OURS);
}

/*
 * Total-memory deltas must agree with held_bytes, all the driver says it
 * holds: the instances' own pages (resident_bytes) and, from v6.10, the
 * type's shared picture pages that a read through a mapping brings in.
 */
static void cross_check(FILE *f)
{
	static const char *const phases[] = { "read", "write" };
	unsigned int i, p;

	fprintf(f, "\nCross-check, ours (per instance, KiB): growth of kernel memory"
		   " (MemFree+pcp) since open vs growth of held_bytes (own pages:"
		   " resident_bytes)\n");
	for (i = 0; i < NTYPES; i++) {
		for (p = 0; p < 2; p++) {
			const struct result *a0, *a1, *h0, *h1, *r0, *r1;
			double da, dh;

			a0 = mem_find(vtypes[i].key, "open", "all");
			a1 = mem_find(vtypes[i].key, phases[p], "all");
			h0 = mem_find(vtypes[i].key, "open", "held");
			h1 = mem_find(vtypes[i].key, phases[p], "held");
			r0 = mem_find(vtypes[i].key, "open", "resident");
			r1 = mem_find(vtypes[i].key, phases[p], "resident");
			if (!have(a0) || !have(a1) || !have(h0) || !have(h1) ||
			    !have(r0) || !have(r1))
				continue;
			da = a1->med - a0->med;
			dh = h1->med - h0->med;
			fprintf(f, "  %-4s after %-5s  meminfo %+8.0f  held %+8.0f (own %+8.0f)  %s\n",
				vtypes[i].key, phases[p], da, dh,
				r1->med - r0->med,
				(da - dh < 0.1 * dh + 256 && dh - da < 0.1 * dh + 256) ?
				"agree (within 10% + 256 KiB)" : "DISAGREE");
		}
	}
}

static double med_or(const char *metric, double none)
{
	const struct result *r = find(metric, T_OURS);

	return have(r) ? r->med : none;
}

/* issue 18: `count` vga instances, ours only */
static void scale_table(FILE *f)
{
	const struct result *n = find("scale_n", T_OURS),
			    *over = find("scale_over_refused", T_OURS);
	char a[80], b[80];

	if (!n)
		return;
	fprintf(f, "\nscale: %.0f %s instances (the count parameter), created then removed in order; ours only\n",
		have(n) ? n->med : 0, vtypes[0].name);
	fmt_val(a, sizeof(a), find("scale_create_first", T_OURS), 1);
	fmt_val(b, sizeof(b), find("scale_create_last", T_OURS), 1);
	fprintf(f, "  create us, first 100 %-22s last 100 %-22s ratio %.2fx  (all: %.1f s)\n",
		a, b, med_or("scale_create_ratio", 0), med_or("scale_create_s", 0));
	fmt_val(a, sizeof(a), find("scale_remove_first", T_OURS), 1);
	fmt_val(b, sizeof(b), find("scale_remove_last", T_OURS), 1);
	fprintf(f, "  remove us, first 100 %-22s last 100 %-22s ratio %.2fx  (all: %.1f s)\n",
		a, b, med_or("scale_remove_ratio", 0), med_or("scale_remove_s", 0));
	fprintf(f, "  idle at full count, per instance: held_bytes %.1f KiB, MemFree+pcp %.1f KiB"
		   " (all: %.1f / %.1f MiB)\n",
		med_or("scale_held_kib_each", -1), med_or("scale_mem_kib_each", -1),
		med_or("scale_held_kib_each", -1) * med_or("scale_n", 0) / 1024,
		med_or("scale_mem_kib_each", -1) * med_or("scale_n", 0) / 1024);
	fprintf(f, "  create past the limit: %s; available_instances mismatches %.0f, listing mismatches %.0f\n",
		over ? over->note : "-", med_or("scale_avail_errors", -1),
		med_or("scale_list_errors", -1));
}

void print_table(FILE *f, const char *kver)
{
	static const char *const states[] = { "idle", "open", "read", "write", "reset" };
	static const char *const state_label[] = {
		"idle (after create)", "opened + mapped", "after mmap frame read",
		"after mmap frame write", "after VFIO reset" };
	struct utsname u;
	char label[64], m[64];
	unsigned int i, s;
	int g;

	uname(&u);
	fprintf(f, "mdpy bench, kernel %s (%s), TCG VM 1 GiB, 1 CPU; medians [min-max] of %u runs\n"
		   "(%u rounds of %u, modules loaded in turn, first one swapped each round), instance times: %u per type\n",
		u.release, kver, opt_rounds * opt_reps, opt_rounds, opt_reps, opt_create_n);
	fprintf(f, "I/O on an %s instance (%ux%u, frame %u KiB in a %llu KiB BAR); "
		   "memfd of the BAR's size. Ratio columns: ours / other.\n\n",
		vtypes[IO_TYPE].name, vtypes[IO_TYPE].width, vtypes[IO_TYPE].height,
		vtypes[IO_TYPE].width * vtypes[IO_TYPE].height * 4 / 1024,
		(unsigned long long)bar_size_for(&vtypes[IO_TYPE]) / 1024);
	fprintf(f, "%-28s %-22s %-22s %-22s %8s %8s\n", "throughput MB/s (higher=better)",
		"ours", "sample", "memfd", "/sample", "/memfd");
	for (i = 0; i < NIO; i++) {
		snprintf(label, sizeof(label), "BAR0 pread %s", io_names[i]);
		snprintf(m, sizeof(m), "pread_%s", io_names[i]);
		table_row(f, label, m);
	}
	table_row(f, "BAR0 pread frame, untouched", "pread_frame_untouched");
	for (i = 0; i < NIO; i++) {
		snprintf(label, sizeof(label), "BAR0 pwrite %s", io_names[i]);
		snprintf(m, sizeof(m), "pwrite_%s", io_names[i]);
		table_row(f, label, m);
	}
	table_row(f, "mmap memcpy read frame", "mmap_read");
	table_row(f, "mmap memcpy write frame", "mmap_write");
	table_row(f, "new mmap + frame read", "mmap_fresh_read");

	fprintf(f, "\n%-28s %-22s %-22s %-22s %8s %8s\n", "latency us (lower=better)",
		"ours", "sample", "memfd", "/sample", "/memfd");
	table_row(f, "config pread 4 B", "cfg_pread4");
	table_row(f, "  in getppid units", "cfg_pread4_rel");
	table_row(f, "QUERY_GFX_PLANE", "plane_query");
	table_row(f, "  in getppid units", "plane_query_rel");
	table_row(f, "getppid (scale)", "getppid");
	for (i = 0; i < NTYPES; i++) {
		snprintf(label, sizeof(label), "create %s", vtypes[i].name);
		snprintf(m, sizeof(m), "create_%s", vtypes[i].key);
		table_row(f, label, m);
	}
	for (i = 0; i < NTYPES; i++) {
		snprintf(label, sizeof(label), "remove %s", vtypes[i].name);
		snprintf(m, sizeof(m), "remove_%s", vtypes[i].key);
		table_row(f, label, m);
	}

	fprintf(f, "\nmemory per instance, KiB: framebuffer (ours: resident_bytes, sample: vmalloc,\n"
		   "memfd: Shmem) / all kernel memory (MemFree + per-cpu free pages delta)\n");
	fprintf(f, "%-4s %-24s %-20s %-20s %-12s %8s\n", "type", "state", "ours",
		"sample", "memfd", "/sample");
	for (i = 0; i < NTYPES; i++) {
		for (s = 0; s < 5; s++) {
			const struct result *fo, *ao, *fs, *as, *fm;
			char vo[40], vs[40], vm[24], rs[16];

			snprintf(m, sizeof(m), "mem_%s_%s_fb", vtypes[i].key, states[s]);
			fo = find(m, T_OURS);
			fs = find(m, T_SAMPLE);
			fm = find(m, T_MEMFD);
			snprintf(m, sizeof(m), "mem_%s_%s_all", vtypes[i].key, states[s]);
			ao = find(m, T_OURS);
			as = find(m, T_SAMPLE);
			if (!fo && !fs && !fm)
				continue;
			snprintf(vo, sizeof(vo), have(fo) ? "%.0f / %.0f" : "-",
				 fo ? fo->med : 0, ao ? ao->med : 0);
			snprintf(vs, sizeof(vs), have(fs) ? "%.0f / %.0f" : "-",
				 fs ? fs->med : 0, as ? as->med : 0);
			snprintf(vm, sizeof(vm), have(fm) ? "%.0f" : "-",
				 fm ? fm->med : 0);
			fmt_ratio(rs, sizeof(rs), fo, fs);
			fprintf(f, "%-4s %-24s %-20s %-20s %-12s %8s\n",
				vtypes[i].key, state_label[s], vo, vs, vm, rs);
		}
	}

	fprintf(f, "\nmax mdpy-hd instances at once (count=4096, 1 GiB VM)\n");
	for (g = 0; g < NT; g++) {
		const struct result *r = find("max_hd", g), *e = find("max_hd_kib_each", g);

		if (!r)
			continue;
		fprintf(f, "  %-7s %5.0f  (%s; %.0f KiB each; create %.1f s, remove %.1f s)\n",
			tname[g], r->med, r->note, have(e) ? e->med : 0,
			have(find("max_hd_create_s", g)) ? find("max_hd_create_s", g)->med : 0,
			have(find("max_hd_remove_s", g)) ? find("max_hd_remove_s", g)->med : 0);
	}

	fprintf(f, "\nlive migration of an hd instance (ours only; stream read and written in 1 MiB calls)\n");
	table_row(f, "idle stream, bytes", "mig_hd_idle_bytes");
	table_row(f, "idle save, ms", "mig_hd_idle_save");
	table_row(f, "idle restore, ms", "mig_hd_idle_load");
	table_row(f, "full frame stream, bytes", "mig_hd_full_bytes");
	table_row(f, "full save, ms", "mig_hd_full_save");
	table_row(f, "full restore, ms", "mig_hd_full_load");
	table_row(f, "stop-copy after pre-copy, 3 pages", "mig_hd_stopcopy_bytes");

	scale_table(f);
	cross_check(f);

	fprintf(f, "\ntargets (issues 8, 13 and 18), on medians\n");
	for (g = 0; g < ngoals; g++) {
		const struct goal *x = &goals[g];

		if (x->met < 0)
			fprintf(f, "  [ n/a ] %-40s no data\n", x->what);
		else
			fprintf(f, "  [%s] %-40s ours %.2f, reference %.2f (%s)\n",
				x->met ? " met " : "MISS ", x->what, x->ours, x->ref,
				x->rule);
	}
	for (i = 0; i < (unsigned int)nresults; i++)
		if (results[i].note[0] && !results[i].n)
			fprintf(f, "  error: %s %s: %s\n", tname[results[i].tgt],
				results[i].metric, results[i].note);
}

void write_json(FILE *f, const char *kver)
{
	struct utsname u;
	int i;

	uname(&u);
	fprintf(f, "{\n  \"kver\": \"%s\",\n  \"krel\": \"%s\",\n", kver, u.release);
	fprintf(f, "  \"io_type\": \"%s\",\n  \"rounds\": %u,\n  \"reps\": %u,\n  \"create_n\": %u,\n"
		   "  \"mem_k\": %u,\n  \"max_cap\": %u,\n",
		vtypes[IO_TYPE].name, opt_rounds, opt_reps, opt_create_n, opt_mem_k, opt_cap);
	fprintf(f, "  \"results\": [\n");
	for (i = 0; i < nresults; i++) {
		const struct result *r = &results[i];

		fprintf(f, "    {\"metric\": \"%s\", \"target\": \"%s\", \"unit\": \"%s\", "
			   "\"n\": %d, \"median\": %.4g, \"min\": %.4g, \"max\": %.4g, "
			   "\"p25\": %.4g, \"p75\": %.4g, \"note\": \"%s\"}%s\n",
			r->metric, tname[r->tgt], r->unit, r->n, r->med, r->min,
			r->max, r->p25, r->p75, r->note, i + 1 < nresults ? "," : "");
	}
	fprintf(f, "  ],\n  \"targets\": [\n");
	for (i = 0; i < ngoals; i++) {
		const struct goal *g = &goals[i];

		fprintf(f, "    {\"target\": \"%s\", \"rule\": \"%s\", \"ours\": %.4g, "
			   "\"reference\": %.4g, \"met\": %s}%s\n",
			g->what, g->rule, g->ours, g->ref,
			g->met < 0 ? "null" : g->met ? "true" : "false",
			i + 1 < ngoals ? "," : "");
	}
	fprintf(f, "  ]\n}\n");
}
