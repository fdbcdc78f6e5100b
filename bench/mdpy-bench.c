// SPDX-License-Identifier: GPL-2.0
/*
 * mdpy-bench: measure an mdpy host module against the kernel's sample
 * module and against a memfd of the same size, in one VM boot.
 *
 *   mdpy-bench --ours mdpy.ko --sample mdpy-sample.ko \
 *              --json OUT.json --table OUT.txt [--rounds N] [--reps N] ...
 *
 * Runs as root inside the test VM.  Each module is loaded (MODULE_ARGS),
 * measured and unloaded before the next one is loaded: both register the
 * parent "mdpy".  The memfd is the limit reference: the same file operations
 * and mappings on plain shared memory of the BAR's size.
 *
 * Every number is the median of several repetitions with min/max (and the
 * quartiles in the JSON).  A repetition of a fast operation runs it in
 * chunks for at least MIN_REP_NS so clock reads cost nothing noticeable.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench.h"

const char *const tname[NT] = { "ours", "sample", "memfd" };

const struct vtype vtypes[NTYPES] = {
	{ "mdpy-vga", "vga", 640, 480 },
	{ "mdpy-xga", "xga", 1024, 768 },
	{ "mdpy-hd", "hd", 1920, 1080 },
};

unsigned int opt_reps = 3;	/* per round */
unsigned int opt_rounds = 3;
unsigned int opt_create_n = 64;	/* instances per type, create/remove */
unsigned int opt_mem_k = 4;	/* instances per type, touched memory */
unsigned int opt_cap = 1000;	/* max-instances probe stops here */
int opt_only_scale;		/* --only scale: the scale suite alone */
double min_rep_ns = 30e6;
char *buf;

/* -------------------------------------------------------------- modules */

/* Waits up to 5 s for releases still in flight */
static int unload_module(void)
{
	int tries, err = 0;

	for (tries = 0; tries < 50; tries++) {
		err = module_unload(MDPY_MODULE);
		if (err != -EAGAIN && err != -EBUSY)
			break;
		usleep(100000);
	}
	return err;
}

/* The memfd's I/O ran beside ours; memfd_suite() need not run it again */
static int memfd_io_done;

enum { PART_IO, PART_REST };

/*
 * One part of the work on one module, loaded here and unloaded at the end:
 * the I/O and latency part runs once per round, alternating modules, so a
 * change in the host's load spreads over both; the rest runs once.
 */
static int module_suite(int tgt, const char *ko, int part, int with_memfd)
{
	const struct vtype *t = &vtypes[IO_TYPE];
	double t0 = now_ns();
	struct dev d, mem;
	char uuid[40];
	unsigned int i;
	int err;

	tap_diag("%s: load %s %s", tname[tgt], ko, MODULE_ARGS);
	err = module_load(ko, MODULE_ARGS);
	if (err) {
		error_result("load", tgt, ko, -err);
		return 1;
	}
	if (part == PART_IO) {
		make_uuid(uuid, 0x10 + tgt, 0);
		err = mdev_create(t->name, uuid);
		if (err)
			error_result("create", tgt, t->name, -err);
	}
	if (part == PART_IO && !err) {
		err = dev_open_mdev(&d, uuid, (uint64_t)t->width * t->height * 4);
		if (err) {
			error_result("open", tgt, uuid, -err);
		} else {
			struct subject sub[2] = { { tgt, &d }, { T_MEMFD, &mem } };
			int ns = 1;

			/* the limit reference runs interleaved with ours */
			if (with_memfd && !dev_open_memfd(&mem, bar_size_for(t),
							  d.frame))
				ns = 2;
			io_suite(sub, ns);
			if (ns == 2) {
				memfd_io_done = 1;
				dev_close(&mem);
			}
			dev_close(&d);
		}
		mdev_remove(uuid);
	}
	if (part == PART_REST && !opt_only_scale) {
		for (i = 0; i < NTYPES; i++)
			type_suite(tgt, &vtypes[i], 0x100 * (tgt + 1) + 0x10 * i);
		max_suite(tgt, 0x1000 * (tgt + 1));
		if (tgt == T_OURS)
			mig_suite(0x2000);
	}
	if (part == PART_REST && tgt == T_OURS)
		scale_suite();

	err = unload_module();
	if (err) {
		error_result("unload", tgt, MDPY_MODULE, -err);
		return -1;
	}
	tap_diag("%s: unloaded after %.1f s", tname[tgt], (now_ns() - t0) / 1e9);
	return 0;
}

static void memfd_suite(void)
{
	const struct vtype *t = &vtypes[IO_TYPE];
	unsigned int i;
	struct dev d;
	int err;

	if (!memfd_io_done) {
		struct subject sub = { T_MEMFD, &d };

		err = dev_open_memfd(&d, bar_size_for(t),
				     (uint64_t)t->width * t->height * 4);
		if (err) {
			error_result("memfd", T_MEMFD, "memfd_create", -err);
			return;
		}
		io_suite(&sub, 1);
		dev_close(&d);
	}
	for (i = 0; i < NTYPES; i++)
		memfd_type_suite(&vtypes[i]);
}

/* ------------------------------------------------------------------ main */

static void usage(void)
{
	fprintf(stderr,
		"usage: mdpy-bench [--ours KO] [--sample KO] [--no-memfd] [--kver K]\n"
		"                  [--json FILE] [--table FILE] [--rounds N] [--reps N]\n"
		"                  [--create N] [--mem-k N] [--cap N] [--min-ms MS]\n"
		"                  [--only scale]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	const char *ours = NULL, *sample = NULL, *json = NULL, *table = NULL;
	const char *kver = "?";
	int memfd = 1, i, err = 0;
	unsigned int r;
	FILE *f;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(a, "--no-memfd")) {
			memfd = 0;
			continue;
		}
		if (!v)
			usage();
		i++;
		if (!strcmp(a, "--ours"))
			ours = v;
		else if (!strcmp(a, "--sample"))
			sample = v;
		else if (!strcmp(a, "--json"))
			json = v;
		else if (!strcmp(a, "--table"))
			table = v;
		else if (!strcmp(a, "--kver"))
			kver = v;
		else if (!strcmp(a, "--reps"))
			opt_reps = atoi(v);
		else if (!strcmp(a, "--rounds"))
			opt_rounds = atoi(v);
		else if (!strcmp(a, "--create"))
			opt_create_n = atoi(v);
		else if (!strcmp(a, "--mem-k"))
			opt_mem_k = atoi(v);
		else if (!strcmp(a, "--cap"))
			opt_cap = atoi(v);
		else if (!strcmp(a, "--min-ms"))
			min_rep_ns = atof(v) * 1e6;
		else if (!strcmp(a, "--only") && !strcmp(v, "scale"))
			opt_only_scale = 1;
		else
			usage();
	}
	if (opt_reps < 1 || opt_rounds < 1 || opt_reps * opt_rounds > MAX_REPS ||
	    opt_create_n < 1 ||
	    opt_mem_k < 1)
		usage();

	buf = malloc(bar_size_for(&vtypes[IO_TYPE]));
	if (!buf)
		return 1;
	memset(buf, 0x5a, bar_size_for(&vtypes[IO_TYPE]));

	/*
	 * Each module is alone in the kernel while it is measured.  A module
	 * that fails to load is dropped; one that fails to unload ends all
	 * module work (the other cannot load next to it).
	 */
	/*
	 * The order flips every round, so whatever the first module leaves
	 * behind (caches, the host's load) weighs on both alike.
	 */
	/* a narrow run: ours alone, no I/O rounds, no memfd */
	if (opt_only_scale) {
		sample = NULL;
		memfd = 0;
	}
	for (r = opt_only_scale ? opt_rounds : 0; r < opt_rounds + 1; r++) {
		int part = r < opt_rounds ? PART_IO : PART_REST;
		int k;

		tap_diag("round %u of %u (%s)", r + 1, opt_rounds + 1,
		    part == PART_IO ? "I/O and latency" : "instances and memory");
		for (k = 0; k < 2; k++) {
			int tgt = (k == 0) == (r % 2 == 0) ? T_SAMPLE : T_OURS;
			const char **ko = tgt == T_SAMPLE ? &sample : &ours;

			if (!*ko)
				continue;
			err = module_suite(tgt, *ko, part,
					   tgt == T_OURS ? memfd : 0);
			if (err > 0)
				*ko = NULL;
			if (err < 0)
				break;
		}
		if (err < 0)
			break;
	}
	if (memfd)
		memfd_suite();
	acc_finish();

	judge();
	print_table(stdout, kver);
	if (table) {
		f = fopen(table, "w");
		if (f) {
			print_table(f, kver);
			fclose(f);
		}
	}
	if (json) {
		f = fopen(json, "w");
		if (f) {
			write_json(f, kver);
			fclose(f);
		}
	}
	return 0;
}
