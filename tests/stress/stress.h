/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mdpy-stress: shared declarations of the in-VM stress program.
 */
#ifndef MDPY_STRESS_H
#define MDPY_STRESS_H

#include <setjmp.h>
#include <stdarg.h>
#include <stdint.h>
#include <sys/types.h>

#include "../lib/tap.h"
#include "../lib/testlib.h"

#define HELD_BYTES	MDPY_PARENT "/held_bytes"
#define NTYPES		3
#define CFG_SIZE	PCI_CFG_SIZE
#define PAGE		4096UL
#define REGION_SHIFT	40
#define CFG_POS		(7ULL << REGION_SHIFT)
#define BAR_POS		0ULL

struct stype {
	const char *name;	/* "mdpy-vga" */
	uint32_t width, height;
	uint64_t bar_size;
};

extern const struct stype stypes[NTYPES];

/* --- deterministic random numbers (splitmix64) ------------------------ */

struct rng {
	uint64_t s;
};

static inline uint64_t rnd(struct rng *r)
{
	uint64_t z = (r->s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static inline uint64_t rnd_below(struct rng *r, uint64_t n)
{
	return n ? rnd(r) % n : 0;
}

static inline void rng_init(struct rng *r, uint64_t seed, uint64_t a,
			    uint64_t b)
{
	r->s = seed ^ (a * 0x100000001b3ULL) ^ (b << 32);
	rnd(r);
}

/* --- system: module, instances, kernel log, memory (tests/lib underneath) -- */

int mod_loaded(void);
int mod_load(const char *ko, unsigned int count);
int mod_unload(void);		/* 0 or -errno; never blocks */
int unload_clean(void);		/* remove instances, unload; 0 or -errno */
void uuid_from(struct rng *r, char out[37]);
long driver_held_bytes(void);

int kmsg_check(const char *when);	/* number of bad lines since kmsg_mark() */

struct memsnap {
	long free_kb, slab_kb, sunreclaim_kb, vmalloc_kb;
	long rss_kb, pt_kb;	/* this process: VmRSS, VmPTE */
	long pcp_kb;		/* free pages parked on per-cpu lists */
	long kmemleak_kb;	/* kmemleak's own metadata, in SUnreclaim */
	char meminfo[8192];	/* the raw files, for mem_diff() */
	char vmstat[16384];
	char slabinfo[65536];	/* empty unless readable */
};
void mem_snap(struct memsnap *m);
void mem_diff(const struct memsnap *a, const struct memsnap *b);

/* --- VFIO device access -------------------------------------------------- */

struct dev {
	char uuid[37];
	int type;
	struct vdev v;
	uint64_t bar_size;
};

int dev_open(struct dev *d);		/* d->uuid, d->type set */
int dev_fd(struct dev *d);		/* another device fd; -errno */

static inline void dev_close(struct dev *d)
{
	vdev_close(&d->v);
}

/* --- faults in user mappings --------------------------------------------- */

extern __thread sigjmp_buf *fault_jb;
void fault_setup(void);

/* --- expected contents --------------------------------------------------- */

uint8_t picture_byte(const struct stype *t, uint64_t off);
void power_on_cfg(const struct stype *t, uint8_t *cfg);

#endif /* MDPY_STRESS_H */
