// SPDX-License-Identifier: GPL-2.0
/*
 * mdpy-bench: scale.  Creates as many mdpy-vga instances as the module's
 * `count` allows, then removes them all, timing every create and remove:
 * neither may grow slower as instances pile up (the last hundred against
 * the first).  On the way it checks what a management tool relies on at
 * that scale: available_instances counts down to 0 and back one by one, a
 * create past the limit is refused with EUSERS, and sysfs lists exactly
 * the instances that exist; and it weighs what the full set holds idle.
 *
 * The UUIDs are random, as mdevctl and libvirt make them: the mdev core
 * compares a new UUID with every existing one, and UUIDs that share a
 * long prefix (the other suites' make_uuid()) would make that walk look
 * dearer than it is in use.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"

#define SCALE_TYPE	0	/* mdpy-vga: the smallest, so count binds first */
#define SCALE_EDGE	100	/* instances in the "first" and "last" sets */

/* MemFree + per-cpu free pages, KiB */
static long free_kib(void)
{
	return meminfo_kb("MemFree") + pcp_free_pages() * 4;
}

static long read_long(const char *path)
{
	long v;

	return sysfs_read_long(path, &v) ? -1 : v;
}

/* The median of @n values from @v, judged as one metric */
static const struct result *edge_result(const char *metric, double *v,
					unsigned int n)
{
	double *copy = malloc(n * sizeof(*v));
	const struct result *r;

	if (!copy)
		return NULL;
	memcpy(copy, v, n * sizeof(*v));
	r = stats_result(metric, T_OURS, "us", copy, n);
	free(copy);
	return r;
}

static void ratio_result(const char *metric, const struct result *first,
			 const struct result *last)
{
	if (have(first) && have(last) && first->med > 0)
		value_result(metric, T_OURS, "x", last->med / first->med);
}

/*
 * Every instance 0..@n-1 is listed under /sys/bus/mdev/devices and the
 * type's devices/, and nothing else is: the number of mismatches.
 */
static unsigned int listing_errors(const char *devdir, char (*uuid)[37],
				   unsigned int n)
{
	unsigned int i, bad = 0;
	char path[512];
	int c;

	c = dir_count(MDEV_DEVICES);
	if (c != (int)n) {
		tap_diag("scale: %s lists %d, expected %u", MDEV_DEVICES, c, n);
		bad++;
	}
	c = dir_count(devdir);
	if (c != (int)n) {
		tap_diag("scale: %s lists %d, expected %u", devdir, c, n);
		bad++;
	}
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/%s", devdir, uuid[i]);
		if (!mdev_exists(uuid[i]) || !path_exists(path)) {
			if (!bad)
				tap_diag("scale: %s not listed", uuid[i]);
			bad++;
		}
	}
	return bad;
}

static void check_avail(const char *path, long want, unsigned int *bad,
			const char *when)
{
	long v = read_long(path);

	if (v == want)
		return;
	if (!*bad)
		tap_diag("scale: available_instances %ld %s, expected %ld",
			 v, when, want);
	(*bad)++;
}

void scale_suite(void)
{
	const struct vtype *t = &vtypes[SCALE_TYPE];
	char avail[256], devdir[256], over_uuid[37], (*uuid)[37] = NULL;
	unsigned int n, i, made = 0, avail_bad = 0, list_bad = 0;
	long count, held0, held1, held2, free0, free1;
	double *cr, *rm, t0;
	const struct result *a, *b;
	struct result *r;
	int err;

	count = read_long("/sys/module/" MDPY_MODULE "/parameters/count");
	if (count < 2 * SCALE_EDGE) {
		error_result("scale_n", T_OURS, "count parameter",
			     count < 0 ? EIO : ERANGE);
		return;
	}
	n = count;
	mdev_type_attr(avail, sizeof(avail), t->name, "available_instances");
	mdev_type_attr(devdir, sizeof(devdir), t->name, "devices");
	cr = calloc(n, sizeof(*cr));
	rm = calloc(n, sizeof(*rm));
	uuid = calloc(n, sizeof(*uuid));
	if (!cr || !rm || !uuid)
		goto out;
	for (i = 0; i < n; i++)
		uuid_gen(uuid[i]);

	tap_diag("ours: scale, %u %s instances", n, t->name);
	check_avail(avail, n, &avail_bad, "before the first create");
	held0 = read_long(MDPY_PARENT "/held_bytes");
	free0 = free_kib();
	t0 = now_ns();
	for (i = 0; i < n; i++) {
		err = mdev_create_ns(t->name, uuid[i], &cr[i]);
		if (err) {
			error_result("scale_create", T_OURS, "create", -err);
			break;
		}
		cr[i] /= 1e3;
		made++;
		check_avail(avail, n - made, &avail_bad, "after a create");
	}
	value_result("scale_create_s", T_OURS, "s", (now_ns() - t0) / 1e9);
	value_result("scale_n", T_OURS, "instances", made);

	if (made == n) {
		/* one past the limit: refused, and with the mdev core's errno */
		uuid_gen(over_uuid);
		err = mdev_create(t->name, over_uuid);
		r = value_result("scale_over_refused", T_OURS, "bool",
				 err == -EUSERS);
		snprintf(r->note, sizeof(r->note), "%s",
			 err ? strerror(-err) : "created");
		if (!err)
			mdev_remove(over_uuid);
		list_bad = listing_errors(devdir, uuid, n);
		held1 = read_long(MDPY_PARENT "/held_bytes");
		free1 = free_kib();
		if (held0 >= 0 && held1 >= 0)
			value_result("scale_held_kib_each", T_OURS, "KiB",
				     (held1 - held0) / 1024.0 / n);
		value_result("scale_mem_kib_each", T_OURS, "KiB",
			     (double)(free0 - free1) / n);
	}

	t0 = now_ns();
	for (i = 0; i < made; i++) {
		err = mdev_remove_ns(uuid[i], &rm[i]);
		if (err) {
			error_result("scale_remove", T_OURS, "remove", -err);
			mdev_remove_all();
			break;
		}
		rm[i] /= 1e3;
		check_avail(avail, n - made + i + 1, &avail_bad,
			    "after a remove");
	}
	value_result("scale_remove_s", T_OURS, "s", (now_ns() - t0) / 1e9);

	if (made == n && i == n) {
		a = edge_result("scale_create_first", cr, SCALE_EDGE);
		b = edge_result("scale_create_last", cr + n - SCALE_EDGE,
				SCALE_EDGE);
		ratio_result("scale_create_ratio", a, b);
		a = edge_result("scale_remove_first", rm, SCALE_EDGE);
		b = edge_result("scale_remove_last", rm + n - SCALE_EDGE,
				SCALE_EDGE);
		ratio_result("scale_remove_ratio", a, b);
		/* all gone: nothing listed, nothing held */
		list_bad += listing_errors(devdir, uuid, 0);
		value_result("scale_list_errors", T_OURS, "count", list_bad);
		value_result("scale_avail_errors", T_OURS, "count", avail_bad);
		held2 = read_long(MDPY_PARENT "/held_bytes");
		value_result("scale_held_after", T_OURS, "bytes",
			     held2 >= 0 && held0 >= 0 ? held2 - held0 : -1);
	}
	tap_diag("ours: scale done, %u made, %u available_instances and %u listing mismatches",
		 made, avail_bad, list_bad);
out:
	free(cr);
	free(rm);
	free(uuid);
}
