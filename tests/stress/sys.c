// SPDX-License-Identifier: GPL-2.0
/*
 * mdpy-stress: the stress program's views of tests/lib (module with its
 * count, seeded UUIDs, the kernel log's bad words, memory snapshots, a
 * device opened with its BAR checked), the fault handler and the expected
 * device contents (from the documented ABI).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <linux/vfio.h>

#include "stress.h"

const struct stype stypes[NTYPES] = {
	{ "mdpy-vga", 640, 480, 2UL << 20 },
	{ "mdpy-xga", 1024, 768, 4UL << 20 },
	{ "mdpy-hd", 1920, 1080, 8UL << 20 },
};

/* --- module, instances ------------------------------------------------- */

int mod_loaded(void)
{
	return module_loaded(MDPY_MODULE);
}

int mod_load(const char *ko, unsigned int count)
{
	char params[32];

	snprintf(params, sizeof(params), "count=%u", count);
	return module_load(ko, params);
}

/* As rmmod does: refuse at once (EWOULDBLOCK/EBUSY) if the module is in use */
int mod_unload(void)
{
	return module_unload(MDPY_MODULE);
}

/* The same seed gives the same UUIDs: a replayed run names the same devices */
void uuid_from(struct rng *r, char out[37])
{
	uint64_t a = rnd(r), b = rnd(r);
	uint8_t bytes[16];
	int i;

	for (i = 0; i < 8; i++) {
		bytes[i] = (uint8_t)(a >> (56 - 8 * i));
		bytes[8 + i] = (uint8_t)(b >> (56 - 8 * i));
	}
	uuid_format(out, bytes);
}

/* What the driver holds for all its devices together; -1 if unreadable */
long driver_held_bytes(void)
{
	long v;

	return sysfs_read_long(HELD_BYTES, &v) ? -1 : v;
}

int unload_clean(void)
{
	if (!mod_loaded())
		return 0;
	mdev_remove_all();
	return mod_unload();
}

/* --- kernel log ---------------------------------------------------------- */

static const char *const bad_words[] = {
	"WARNING:", "BUG:", "Oops", "general protection", "kernel BUG",
	"Call Trace", "Kernel panic", "possible circular locking",
	"inconsistent lock state", "possible recursive locking", "lockdep",
	"blocked for more than", "hung_task", "UBSAN:", "KASAN:",
	"refcount_t:", "list_add corruption", "list_del corruption",
	"Bad page", "bad_page", "sleeping function called",
	"scheduling while atomic", "suspicious RCU usage", "soft lockup",
	"hard LOCKUP", "unreferenced object", "page dumped because",
	"Memory leak", "use-after-free",
};

/* Scan records since the last mark; print the bad ones */
int kmsg_check(const char *when)
{
	char msg[8192];
	int bad = 0, got;
	size_t i;

	while ((got = kmsg_next(msg, sizeof(msg))) > 0) {
		for (i = 0; i < sizeof(bad_words) / sizeof(bad_words[0]); i++) {
			if (strstr(msg, bad_words[i])) {
				if (bad++ < 20)
					tap_diag("kernel log (%s): %.*s", when,
						 (int)strcspn(msg, "\n"), msg);
				break;
			}
		}
	}
	if (got < 0)
		tap_diag("kernel log: /dev/kmsg not readable, %s unchecked", when);
	return bad;
}

/* --- memory -------------------------------------------------------------- */

/*
 * Slab pages of kmemleak's object cache (a sanitizer kernel's, 0 elsewhere).
 * kmemleak keeps one such object per tracked allocation and frees it late
 * (RCU), so after a stress round it still holds megabytes that are the
 * sanitizer's, not the driver's; kmemleak itself judges the driver's leaks.
 * slabinfo: "NAME active num objsize perslab pagesperslab : tunables ... :
 * slabdata active_slabs num_slabs sharedavail".
 */
static long kmemleak_slab_kb(const char *slabinfo)
{
	const char *line = strstr(slabinfo, "\nkmemleak_object ");
	const char *sd;
	long pages_per_slab = 0, num_slabs = 0;

	if (!line)
		return 0;
	sd = strstr(line, "slabdata");
	if (sscanf(line + 1, "kmemleak_object %*d %*d %*d %*d %ld",
		   &pages_per_slab) != 1 || !sd ||
	    sscanf(sd, "slabdata %*d %ld", &num_slabs) != 1)
		return 0;
	return num_slabs * pages_per_slab * (long)(PAGE / 1024);
}

/* After dropping caches, so page cache churn does not look like a leak */
void mem_snap(struct memsnap *m)
{
	char status[8192];

	sync();
	sysfs_write("/proc/sys/vm/drop_caches", "3");
	sysfs_write("/proc/sys/vm/compact_memory", "1");
	usleep(200000);
	memset(m, 0, sizeof(*m));
	if (file_read("/proc/meminfo", m->meminfo, sizeof(m->meminfo)) <= 0)
		return;
	file_read("/proc/vmstat", m->vmstat, sizeof(m->vmstat));
	file_read("/proc/slabinfo", m->slabinfo, sizeof(m->slabinfo));
	m->kmemleak_kb = kmemleak_slab_kb(m->slabinfo);
	text_value(m->meminfo, "MemFree", &m->free_kb);
	m->pcp_kb = pcp_free_pages() * (long)(PAGE / 1024);
	text_value(m->meminfo, "Slab", &m->slab_kb);
	text_value(m->meminfo, "SUnreclaim", &m->sunreclaim_kb);
	text_value(m->meminfo, "VmallocUsed", &m->vmalloc_kb);
	if (file_read("/proc/self/status", status, sizeof(status)) <= 0)
		return;
	text_value(status, "VmRSS", &m->rss_kb);
	text_value(status, "VmPTE", &m->pt_kb);
}

void mem_diff(const struct memsnap *a, const struct memsnap *b)
{
	text_diff(a->meminfo, b->meminfo, 512, "meminfo kB");
	text_diff(a->vmstat, b->vmstat, 128, "vmstat");
	text_diff(a->slabinfo, b->slabinfo, 64, "slab objects");
}

/* --- VFIO ---------------------------------------------------------------- */

/* Opened as QEMU does, with BAR0 where and as large as the ABI says */
int dev_open(struct dev *d)
{
	int ret = vdev_open(&d->v, d->uuid);

	if (ret)
		return ret;
	d->bar_size = d->v.bar.size;
	if (d->v.bar.offset != BAR_POS || d->v.bar.size != stypes[d->type].bar_size) {
		tap_diag("%s: BAR0 region at 0x%llx size 0x%llx, expected 0x%llx",
			 d->uuid, (unsigned long long)d->v.bar.offset,
			 (unsigned long long)d->v.bar.size,
			 (unsigned long long)stypes[d->type].bar_size);
		vdev_close(&d->v);
		return -EPROTO;
	}
	return 0;
}

int dev_fd(struct dev *d)
{
	int fd = ioctl(d->v.group, VFIO_GROUP_GET_DEVICE_FD, d->uuid);

	return fd < 0 ? -errno : fd;
}

/* --- faults -------------------------------------------------------------- */

__thread sigjmp_buf *fault_jb;

static void on_fault(int sig, siginfo_t *si, void *uc)
{
	char msg[128];
	int n;

	(void)uc;
	if (fault_jb)
		siglongjmp(*fault_jb, sig);
	n = snprintf(msg, sizeof(msg),
		     "Bail out! unexpected signal %d at address %p\n", sig,
		     si->si_addr);
	if (write(1, msg, n) < 0 || write(2, msg, n) < 0)
		_exit(3);
	_exit(3);
}

void fault_setup(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_fault;
	sa.sa_flags = SA_SIGINFO | SA_NODEFER;
	sigaction(SIGBUS, &sa, NULL);
	sigaction(SIGSEGV, &sa, NULL);
}

/* --- expected device contents, from the ABI ------------------------------ */

uint8_t picture_byte(const struct stype *t, uint64_t off)
{
	uint64_t stride = (uint64_t)t->width * 4;

	if (off >= stride * t->height || (off & 3) == 3)
		return 0;
	return (uint8_t)(off / stride * 256 / t->height);
}

static void le(uint8_t *p, uint32_t v, int n)
{
	while (n--) {
		*p++ = v & 0xff;
		v >>= 8;
	}
}

void power_on_cfg(const struct stype *t, uint8_t *c)
{
	memset(c, 0, CFG_SIZE);
	le(c + 0x00, 0x1b36, 2);
	le(c + 0x02, 0x000f, 2);
	le(c + 0x06, 0x0010, 2);
	c[0x08] = 0x01;
	le(c + 0x0a, 0x0380, 2);
	c[0x10] = 0x08;
	le(c + 0x2c, 0x1af4, 2);
	le(c + 0x2e, 0x1100, 2);
	c[0x34] = 0x40;
	c[0x40] = 0x09;
	c[0x41] = 0x50;		/* the mode capability follows */
	c[0x42] = 0x10;
	le(c + 0x44, 0x34325258, 4);
	le(c + 0x48, t->width, 4);
	le(c + 0x4c, t->height, 4);
	c[0x50] = 0x09;
	c[0x52] = 0x24;		/* with FLAGS at 0x70 */
	c[0x53] = 0x02;
	le(c + 0x54, 0x45444f4d, 4);
	le(c + 0x58, t->bar_size, 4);
	le(c + 0x5c, t->width, 4);
	le(c + 0x60, t->height, 4);
	le(c + 0x64, t->width, 4);
	le(c + 0x68, t->height, 4);
}
