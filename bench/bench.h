/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mdpy-bench: what its parts share.  mdpy-bench.c runs the rounds and the
 * modules, stats.c gathers repetitions into results, io.c opens BARs and
 * times I/O on them, mem.c measures instances and memory, mig.c live
 * migration, scale.c the instance limit, report.c judges
 * the targets and writes the table and the JSON.  Sysfs, instances, the
 * VFIO open sequence, /proc counters and "# " comments are tests/lib's.
 */
#ifndef MDPY_BENCH_H
#define MDPY_BENCH_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "../tests/lib/tap.h"
#include "../tests/lib/testlib.h"

#define MODULE_ARGS	"count=4096 budget_mb=65536"
#define MAX_REPS	64
#define MEM_FLOOR_KIB	(128 * 1024)	/* stop creating below this MemFree */

enum { T_OURS, T_SAMPLE, T_MEMFD, NT };
extern const char *const tname[NT];

struct vtype {
	const char *name;	/* mdev type directory */
	const char *key;	/* short name in metric keys */
	unsigned int width, height;
};

#define NTYPES 3
extern const struct vtype vtypes[NTYPES];
#define IO_TYPE 2	/* throughput and latency are measured on mdpy-hd */

extern unsigned int opt_reps, opt_rounds, opt_create_n, opt_mem_k, opt_cap;
extern int opt_only_scale;
extern double min_rep_ns;
extern char *buf;		/* user buffer, as large as the largest BAR */

/* stats.c: results, each the statistics of its repetitions */
struct result {
	char metric[48];
	int tgt;
	char unit[12];
	double med, min, max, p25, p75;
	int n;
	char note[96];
};

extern struct result results[512];
extern int nresults;

struct result *stats_result(const char *metric, int tgt, const char *unit,
			    double *v, int n);
struct result *value_result(const char *metric, int tgt, const char *unit,
			    double val);
void error_result(const char *metric, int tgt, const char *what, int err);
void acc_add(const char *metric, int tgt, const char *unit, const double *v,
	     int n);
void acc_finish(void);
const struct result *find(const char *metric, int tgt);
int have(const struct result *r);

/* io.c: a BAR0 to measure, an mdev instance opened through VFIO or a memfd */
struct dev {
	struct vdev v;		/* for a memfd: only v.fd */
	uint64_t bar_off, bar_size, cfg_off;
	uint64_t frame;		/* visible bytes: width * height * 4 */
	void *map;		/* BAR0 mapping, bar_size long */
	uint64_t pos;		/* next offset of the pread/pwrite walk */
	int is_mdev;
	char uuid[40];
};

/* What one I/O run measures: a target and its opened BAR */
struct subject {
	int tgt;
	struct dev *d;
};

#define NIO 5
extern const char *const io_names[NIO];

void make_uuid(char out[37], unsigned int tag, unsigned int i);
void dev_close(struct dev *d);
int dev_open_mdev(struct dev *d, const char *uuid, uint64_t frame);
int dev_open_memfd(struct dev *d, uint64_t bar_size, uint64_t frame);
uint64_t bar_size_for(const struct vtype *t);
int op_mmap_read(struct dev *d);
int op_mmap_write(struct dev *d);
void io_suite(struct subject *sub, int ns);

/* mem.c */
void type_suite(int tgt, const struct vtype *t, unsigned int tag);
void memfd_type_suite(const struct vtype *t);
void max_suite(int tgt, unsigned int tag);

/* mig.c: migration of an hd instance, mdpy only */
void mig_suite(unsigned int tag);

/* scale.c: `count` vga instances created and removed, mdpy only */
void scale_suite(void);

/* report.c */
void judge(void);
void print_table(FILE *f, const char *kver);
void write_json(FILE *f, const char *kver);

#endif /* MDPY_BENCH_H */
