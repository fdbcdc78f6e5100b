// SPDX-License-Identifier: GPL-2.0
/*
 * mdpy-stress: the random operations one worker thread runs against the
 * device fds of a round, each with the result the ABI requires.  Valid
 * operations must succeed completely; garbage must fail with one of the
 * errnos listed for it; nothing may fault in user space except where a
 * fault is the point.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <linux/vfio.h>

#include "ops.h"

uint8_t *ptr_none;	/* PROT_NONE page */
uint8_t *ptr_ro;	/* read-only page */
uint8_t *ptr_end;	/* read-write page, PROT_NONE page after it */

atomic_ulong bad_total;

void ptr_setup(void)
{
	uint8_t *p = mmap(NULL, 4 * PAGE, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED) {
		perror("mmap");
		exit(2);
	}
	memset(p, 0, 4 * PAGE);
	ptr_none = p;
	ptr_ro = p + PAGE;
	ptr_end = p + 2 * PAGE;
	mprotect(ptr_none, PAGE, PROT_NONE);
	/*
	 * The read-only page holds a valid request for every ioctl (argsz 64,
	 * index 0, plane flags REGION): only the copy back can fail.
	 */
	((uint32_t *)ptr_ro)[0] = 64;
	((uint32_t *)ptr_ro)[1] = VFIO_GFX_PLANE_TYPE_REGION;
	mprotect(ptr_ro, PAGE, PROT_READ);
	mprotect(ptr_end + PAGE, PAGE, PROT_NONE);
}

const char *const ptr_names[P_NKINDS] = {
	[P_NULL] = "NULL",
	[P_LOW] = "unmapped (low)",
	[P_KERNEL] = "kernel address",
	[P_NONCANON] = "non-canonical",
	[P_PROTNONE] = "unmapped (PROT_NONE)",
	[P_READONLY] = "read-only",
	[P_ENDMAP] = "end of a mapping",
};

/* A user pointer of @kind for an access of @len bytes */
void *bad_ptr(int kind, size_t len, struct rng *r)
{
	size_t k;

	switch (kind) {
	case P_NULL:
		return NULL;
	case P_LOW:
		return (void *)(uintptr_t)(0x1000 + rnd_below(r, 0x8) * 0x100);
	case P_KERNEL:
		return (void *)(uintptr_t)0xffffffff81000000ULL;
	case P_NONCANON:
		return (void *)(uintptr_t)0x8000000000000000ULL;
	case P_PROTNONE:
		return ptr_none + rnd_below(r, PAGE / 2);
	case P_READONLY:
		return ptr_ro;
	default:
		/* the access runs off the end of a mapping into a hole */
		k = len > 1 ? 1 + rnd_below(r, len - 1 < PAGE ? len - 1 : PAGE) : 0;
		return ptr_end + PAGE - k;
	}
}

void bad_result(struct worker *w, const char *fmt, ...)
{
	char line[512];
	va_list ap;
	unsigned long n = atomic_fetch_add(&bad_total, 1);

	w->bad++;
	if (n >= 40)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	tap_diag("UNEXPECTED [%s op %llu]: %s", w->name,
	     (unsigned long long)w->ops, line);
}

int errno_in(int e, const int *list)
{
	for (; *list; list++)
		if (*list == e)
			return 1;
	return 0;
}

static const int einval[] = { EINVAL, 0 };
static const int einval_efault[] = { EINVAL, EFAULT, EOVERFLOW, 0 };
static const int mmap_bad[] = { EINVAL, EOVERFLOW, ENOMEM, 0 };

/* Config bytes the guest cannot change, and the law for the rest */
void check_cfg_bytes(struct worker *w, const struct stype *t, uint64_t off,
		     const uint8_t *b, size_t len)
{
	uint8_t ref[CFG_SIZE];
	size_t i;

	power_on_cfg(t, ref);
	for (i = 0; i < len; i++) {
		uint64_t o = off + i;
		uint8_t ok;

		if (o == 0x04) {
			ok = !(b[i] & ~7);	/* I/O, memory, bus master */
		} else if (o >= 0x10 && o < 0x14) {
			/* address bits above the BAR size only, type 0x8 */
			uint32_t bits = ~(uint32_t)(t->bar_size - 1) & ~0xfu;
			uint8_t m = (bits >> (8 * (o - 0x10))) & 0xff;

			ok = (b[i] & ~m) == ref[o];
		} else if (o == 0x3c) {
			ok = 1;			/* interrupt line: scratch */
		} else if ((o >= 0x48 && o < 0x50) || (o >= 0x64 && o < 0x6c)) {
			/*
			 * current and requested mode: random writes may
			 * request and set one (checked in the plane query)
			 */
			ok = 1;
		} else if (o == 0x6c) {
			ok = b[i] <= 4;		/* the last command's status */
		} else if (o == 0x70) {
			ok = b[i] <= 1;		/* FLAGS: SCANOUT at most */
		} else {
			ok = b[i] == ref[o];
		}
		if (!ok) {
			bad_result(w, "%s config 0x%02llx reads 0x%02x (power-on 0x%02x)",
				   t->name, (unsigned long long)o, b[i], ref[o]);
			return;
		}
	}
}

/* Run @fn with faults in user mappings caught; returns the signal or 0 */
#define GUARDED(sig, code) do {						\
	sigjmp_buf _jb;							\
	(sig) = sigsetjmp(_jb, 1);					\
	if (!(sig)) {							\
		fault_jb = &_jb;					\
		code;							\
	}								\
	fault_jb = NULL;						\
} while (0)

int touch_map(uint8_t *p, size_t len, struct rng *r, int write)
{
	volatile uint8_t *v = p;
	volatile size_t at = rnd_below(r, len) & ~3UL;
	int sig;

	GUARDED(sig, {
		(void)v[0];
		(void)v[len - 1];
		if (write)
			*(volatile uint32_t *)(v + at) = (uint32_t)rnd(r);
		else
			(void)*(volatile uint32_t *)(v + at);
	});
	return sig;
}

/* --- read/write ---------------------------------------------------------- */

static size_t pick_bar_len(struct worker *w, uint64_t room)
{
	uint64_t len;

	switch (rnd_below(&w->r, 16)) {
	case 0:
		len = 1 + rnd_below(&w->r, BUF_SIZE);	/* large */
		break;
	case 1:
	case 2:
		len = 1 + rnd_below(&w->r, 64 * 1024);
		break;
	case 3:
		len = 4;
		break;
	default:
		len = 1 + rnd_below(&w->r, 4096);
		break;
	}
	return len < room ? len : room;
}

void op_rw_valid(struct worker *w, struct dev *d, int fd, int write)
{
	const struct stype *t = &stypes[d->type];
	uint64_t pos, off;
	size_t len;
	ssize_t n;

	if (rnd_below(&w->r, 10) < 3) {
		static const size_t widths[] = { 1, 2, 4, 4, 4 };

		off = rnd_below(&w->r, CFG_SIZE);
		len = rnd_below(&w->r, 4) ? widths[rnd_below(&w->r, 5)] :
			1 + rnd_below(&w->r, CFG_SIZE - off);
		if (off + len > CFG_SIZE)
			off = CFG_SIZE - len;
		pos = CFG_POS + off;
	} else {
		off = rnd_below(&w->r, 4) ? rnd_below(&w->r, d->bar_size) :
			(rnd_below(&w->r, d->bar_size / PAGE) * PAGE -
			 rnd_below(&w->r, 8)) % d->bar_size;
		len = pick_bar_len(w, d->bar_size - off);
		pos = BAR_POS + off;
	}
	if (write) {
		if (pos >= CFG_POS)
			w->buf[0] = rnd(&w->r);	/* anything goes */
		n = pwrite(fd, w->buf, len, pos);
	} else {
		n = pread(fd, w->buf, len, pos);
	}
	if (n != (ssize_t)len) {
		bad_result(w, "%s %s pos 0x%llx len %zu: %zd (%s), want %zu",
			   t->name, write ? "pwrite" : "pread",
			   (unsigned long long)pos, len, n,
			   n < 0 ? strerror(errno) : "short", len);
		return;
	}
	if (!write && pos >= CFG_POS)
		check_cfg_bytes(w, t, off, w->buf, len);
}

/* Positions and lengths that no region holds, or that overflow */
void bad_range(struct rng *r, uint64_t bar_size, uint64_t *pos, size_t *len)
{
	uint64_t k = rnd_below(r, 8);

	switch (rnd_below(r, 10)) {
	case 0:		/* runs past the end of config space */
		*pos = CFG_POS + CFG_SIZE - k;
		*len = k + 1 + rnd_below(r, 16);
		break;
	case 1:		/* runs past the end of BAR0 */
		*pos = BAR_POS + bar_size - k;
		*len = k + 1 + rnd_below(r, 4096);
		break;
	case 2:		/* an absent region (BAR1-5, ROM, VGA) */
		*pos = ((1 + rnd_below(r, 8)) << REGION_SHIFT) + k;
		if ((*pos >> REGION_SHIFT) == 7)
			*pos += CFG_SIZE;
		*len = 1 + rnd_below(r, 64);
		break;
	case 3:		/* no such region index */
		*pos = (9 + rnd_below(r, 0x7fffff)) << REGION_SHIFT;
		*len = 4;
		break;
	case 4:		/* just below 2^63: the largest positive offsets */
		*pos = (1ULL << 63) - 1 - k * 4096;
		*len = 1 + rnd_below(r, 4096);
		break;
	case 5:		/* near 2^64: negative as a loff_t */
		*pos = 0 - 1 - k * 4;
		*len = 4;
		break;
	case 6:		/* 2^63 itself and just above */
		*pos = (1ULL << 63) + k;
		*len = 1;
		break;
	case 7:		/* a valid start, a length that overflows pos + len */
		*pos = BAR_POS + rnd_below(r, bar_size);
		*len = SIZE_MAX - k;
		break;
	case 8:
		*pos = CFG_POS + rnd_below(r, CFG_SIZE);
		*len = (size_t)1 << 62;
		break;
	default:	/* region offset bits past the region size */
		*pos = CFG_POS + (1ULL << (8 + rnd_below(r, 32)));
		*len = 1;
		break;
	}
}

void op_rw_bad_range(struct worker *w, struct dev *d, int write)
{
	uint64_t pos;
	size_t len;
	ssize_t n;

	bad_range(&w->r, d->bar_size, &pos, &len);
	if (write)
		n = pwrite(d->v.fd, w->buf, len, (off_t)pos);
	else
		n = pread(d->v.fd, w->buf, len, (off_t)pos);
	if (n >= 0 || !errno_in(errno, einval_efault))
		bad_result(w, "%s %s pos 0x%llx len 0x%zx: %zd (%s), want EINVAL",
			   stypes[d->type].name, write ? "pwrite" : "pread",
			   (unsigned long long)pos, len, n,
			   n < 0 ? strerror(errno) : "accepted");
}

/* Result of a read or write of a valid range through a bad pointer */
int check_bad_ptr_rw(struct worker *w, int kind, int write, ssize_t n,
		     int e, size_t len, const char *what)
{
	if (write && kind == P_READONLY) {
		if (n == (ssize_t)len)
			return 0;
	} else if (n < 0 && e == EFAULT) {
		return 0;
	} else if (kind == P_ENDMAP && n > 0 && (size_t)n < len) {
		return 0;	/* a short transfer up to the hole is fine */
	}
	bad_result(w, "%s through a %s pointer (len %zu): %zd (%s), want %s",
		   what, ptr_names[kind], len, n, n < 0 ? strerror(e) : "ok",
		   write && kind == P_READONLY ? "success" : "EFAULT");
	return 1;
}

void op_rw_bad_ptr(struct worker *w, struct dev *d, int write)
{
	int kind = rnd_below(&w->r, P_NKINDS), e;
	uint64_t pos, room;
	size_t len;
	ssize_t n;
	void *p;
	char what[64];

	if (rnd_below(&w->r, 3) == 0) {
		pos = CFG_POS + rnd_below(&w->r, CFG_SIZE);
		room = CFG_POS + CFG_SIZE - pos;
	} else {
		pos = BAR_POS + rnd_below(&w->r, d->bar_size);
		room = d->bar_size - pos;
	}
	len = 1 + rnd_below(&w->r, room < 8192 ? room : 8192);
	if (kind == P_READONLY && len > PAGE)
		len = PAGE;
	p = bad_ptr(kind, len, &w->r);
	if (write)
		n = pwrite(d->v.fd, p, len, pos);
	else
		n = pread(d->v.fd, p, len, pos);
	e = errno;
	snprintf(what, sizeof(what), "%s %s 0x%llx", stypes[d->type].name,
		 write ? "pwrite" : "pread", (unsigned long long)pos);
	check_bad_ptr_rw(w, kind, write, n, e, len, what);
}

/* --- mmap ---------------------------------------------------------------- */

static void keep_or_unmap(struct worker *w, void *p, size_t len, int di)
{
	if (w->nmaps < MAX_MAPS && rnd_below(&w->r, 2)) {
		w->maps[w->nmaps].p = p;
		w->maps[w->nmaps].len = len;
		w->maps[w->nmaps].dev = di;
		w->nmaps++;
		return;
	}
	if (munmap(p, len))
		bad_result(w, "munmap: %s", strerror(errno));
}

void op_mmap_valid(struct worker *w, int di, int fd)
{
	struct dev *d = &w->devs[di];
	uint64_t pages = d->bar_size / PAGE;
	uint64_t pg = rnd_below(&w->r, pages);
	uint64_t np = 1 + rnd_below(&w->r, pages - pg < 512 ? pages - pg : 512);
	int prot = rnd_below(&w->r, 4) ? PROT_READ | PROT_WRITE : PROT_READ;
	void *p;
	int sig;

	if (!rnd_below(&w->r, 16)) {
		pg = 0;
		np = pages;	/* the whole BAR */
	}
	p = mmap(NULL, np * PAGE, prot, MAP_SHARED, fd, BAR_POS + pg * PAGE);
	if (p == MAP_FAILED) {
		bad_result(w, "%s mmap BAR0 page %llu x%llu: %s",
			   stypes[d->type].name, (unsigned long long)pg,
			   (unsigned long long)np, strerror(errno));
		return;
	}
	sig = touch_map(p, np * PAGE, &w->r, prot & PROT_WRITE);
	if (sig)
		bad_result(w, "%s signal %d touching a valid BAR0 mapping (page %llu x%llu)",
			   stypes[d->type].name, sig, (unsigned long long)pg,
			   (unsigned long long)np);
	keep_or_unmap(w, p, np * PAGE, di);
}

void op_mmap_bad(struct worker *w, struct dev *d)
{
	uint64_t k = 1 + rnd_below(&w->r, 16), off;
	size_t len = PAGE;
	int flags = MAP_SHARED;
	const char *what;
	void *p;

	switch (rnd_below(&w->r, 9)) {
	case 0:
		what = "private mapping";
		flags = MAP_PRIVATE;
		off = 0;
		break;
	case 1:
		what = "offset at the end of BAR0";
		off = d->bar_size;
		break;
	case 2:
		what = "length past the end of BAR0";
		off = d->bar_size - PAGE * (k % 4);
		len = PAGE * (k % 4 + 1);
		break;
	case 3:
		what = "config region";
		off = CFG_POS;
		break;
	case 4:
		what = "absent region";
		off = (1 + rnd_below(&w->r, 6)) << REGION_SHIFT;
		break;
	case 5:
		what = "offset near 2^63";
		off = (1ULL << 63) - k * PAGE;
		break;
	case 6:
		what = "offset near 2^64";
		off = 0 - k * PAGE;
		break;
	case 7:
		what = "unaligned offset";
		off = k;
		break;
	default:
		what = "length larger than BAR0";
		off = 0;
		len = d->bar_size + PAGE * k;
		break;
	}
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, flags, d->v.fd, (off_t)off);
	if (p != MAP_FAILED) {
		bad_result(w, "%s mmap %s (off 0x%llx len 0x%zx) succeeded",
			   stypes[d->type].name, what,
			   (unsigned long long)off, len);
		munmap(p, len);
	} else if (!errno_in(errno, mmap_bad)) {
		bad_result(w, "%s mmap %s: %s, want EINVAL", stypes[d->type].name,
			   what, strerror(errno));
	}
}

void op_munmap(struct worker *w)
{
	int i, sig;

	if (!w->nmaps)
		return;
	i = rnd_below(&w->r, w->nmaps);
	sig = touch_map(w->maps[i].p, w->maps[i].len, &w->r, 0);
	if (sig)
		bad_result(w, "signal %d touching a kept mapping", sig);
	if (munmap(w->maps[i].p, w->maps[i].len))
		bad_result(w, "munmap: %s", strerror(errno));
	w->maps[i] = w->maps[--w->nmaps];
}

void unmap_all(struct worker *w)
{
	while (w->nmaps)
		op_munmap(w);
}

/* --- ioctl --------------------------------------------------------------- */

static int ioctl_plane(int fd, struct plane_info *pi, uint32_t flags,
		       uint32_t ptype, uint32_t argsz)
{
	memset(pi, 0, sizeof(*pi));
	pi->argsz = argsz;
	pi->flags = flags;
	pi->drm_plane_type = ptype;
	return ioctl(fd, VFIO_DEVICE_QUERY_GFX_PLANE, pi);
}

void op_ioctl_valid(struct worker *w, struct dev *d, int fd)
{
	const struct stype *t = &stypes[d->type];
	struct vfio_device_info di = { .argsz = sizeof(di) };
	struct vfio_region_info ri = { .argsz = sizeof(ri) };
	struct vfio_irq_info ii = { .argsz = sizeof(ii) };
	struct plane_info pi;
	uint64_t want;

	switch (rnd_below(&w->r, 6)) {
	case 0:
		if (ioctl(fd, VFIO_DEVICE_GET_INFO, &di) ||
		    !(di.flags & VFIO_DEVICE_FLAGS_PCI) ||
		    !(di.flags & VFIO_DEVICE_FLAGS_RESET) ||
		    di.num_regions != 9 || di.num_irqs != 5)
			bad_result(w, "GET_INFO: %s flags 0x%x regions %u irqs %u",
				   strerror(errno), di.flags, di.num_regions,
				   di.num_irqs);
		break;
	case 1:
		ri.index = rnd_below(&w->r, 9);
		want = ri.index == 0 ? d->bar_size : ri.index == 7 ? CFG_SIZE : 0;
		if (ioctl(fd, VFIO_DEVICE_GET_REGION_INFO, &ri) ||
		    ri.size != want ||
		    ri.offset != (uint64_t)ri.index << REGION_SHIFT)
			bad_result(w, "GET_REGION_INFO %u: %s size 0x%llx offset 0x%llx",
				   ri.index, strerror(errno),
				   (unsigned long long)ri.size,
				   (unsigned long long)ri.offset);
		break;
	case 2:
		ii.index = rnd_below(&w->r, 5);
		/* one interrupt behind REQ (index 4), none elsewhere */
		if (ioctl(fd, VFIO_DEVICE_GET_IRQ_INFO, &ii) ||
		    ii.count != (ii.index == VFIO_PCI_REQ_IRQ_INDEX))
			bad_result(w, "GET_IRQ_INFO %u: %s count %u", ii.index,
				   strerror(errno), ii.count);
		break;
	case 3:
		if (ioctl_plane(fd, &pi, VFIO_GFX_PLANE_TYPE_REGION,
				rnd_below(&w->r, 2),
				rnd_below(&w->r, 2) ? PLANE_MINSZ : PLANE_FULLSZ)) {
			bad_result(w, "QUERY_GFX_PLANE: %s", strerror(errno));
			break;
		}
		/*
		 * Empty (all 0) until the guest uses the display since the
		 * last reset, which other workers do at random; else a mode.
		 */
		if (!pi.drm_format && !pi.width && !pi.height && !pi.stride &&
		    !pi.size && !pi.region_index)
			break;
		if (!pi.width || !pi.height || pi.width > 16384 ||
		    (uint64_t)pi.width * pi.height * 4 > t->bar_size ||
		    pi.stride != pi.width * 4 || pi.region_index != 0 ||
		    pi.drm_format != 0x34325258)
			bad_result(w, "QUERY_GFX_PLANE: %s %ux%u stride %u",
				   strerror(errno), pi.width, pi.height, pi.stride);
		break;
	case 4:
		if (ioctl_plane(fd, &pi, VFIO_GFX_PLANE_TYPE_PROBE |
				VFIO_GFX_PLANE_TYPE_REGION, 0, PLANE_MINSZ))
			bad_result(w, "QUERY_GFX_PLANE probe: %s", strerror(errno));
		break;
	default:
		if (ioctl(fd, VFIO_DEVICE_RESET))
			bad_result(w, "RESET: %s", strerror(errno));
		break;
	}
}

static const unsigned long ptr_ioctls[] = {
	VFIO_DEVICE_GET_INFO, VFIO_DEVICE_GET_REGION_INFO,
	VFIO_DEVICE_GET_IRQ_INFO, VFIO_DEVICE_SET_IRQS,
	VFIO_DEVICE_QUERY_GFX_PLANE,
};

static const char *const ptr_ioctl_names[] = {
	"GET_INFO", "GET_REGION_INFO", "GET_IRQ_INFO", "SET_IRQS",
	"QUERY_GFX_PLANE",
};

/*
 * An ioctl whose argument is a bad pointer.  Read-only memory can be read:
 * SET_IRQS then fails for what it says (EINVAL), and the others fail on
 * the copy back (EFAULT).  A struct that runs into a hole is EFAULT.
 */
int ioctl_bad_ptr(struct worker *w, int fd, int which, int kind)
{
	void *p = bad_ptr(kind, 64, &w->r);
	int ret, e;

	if (kind == P_ENDMAP) {
		/* less than any ioctl's fixed part (16 bytes) before the hole */
		p = ptr_end + PAGE - (1 + rnd_below(&w->r, 15));
		memset(p, 0, ptr_end + PAGE - (uint8_t *)p);
	}
	ret = ioctl(fd, ptr_ioctls[which], p);
	e = errno;
	if (ret == 0 || (e != EFAULT && !(which == 3 && e == EINVAL))) {
		bad_result(w, "%s with a %s argument: %d (%s), want %s",
			   ptr_ioctl_names[which], ptr_names[kind], ret,
			   ret ? strerror(e) : "ok",
			   which == 3 ? "EFAULT or EINVAL" : "EFAULT");
		return 1;
	}
	return 0;
}

void op_ioctl_bad(struct worker *w, struct dev *d)
{
	struct vfio_region_info ri = { .argsz = sizeof(ri) };
	struct vfio_irq_info ii = { .argsz = sizeof(ii) };
	struct vfio_irq_set is;
	struct plane_info pi;
	uint32_t x = (uint32_t)rnd(&w->r);
	int ret;

	switch (rnd_below(&w->r, 9)) {
	case 0:
		ioctl_bad_ptr(w, d->v.fd, rnd_below(&w->r, 5),
			      rnd_below(&w->r, P_NKINDS));
		return;
	case 1:		/* argsz too small */
		ri.argsz = rnd_below(&w->r, 16);
		ret = ioctl(d->v.fd, VFIO_DEVICE_GET_REGION_INFO, &ri);
		break;
	case 2:		/* no such region */
		ri.index = 9 + (x & 0xff ? x % 1000 : x);
		if (ri.index < 9)
			ri.index = 0xffffffff;
		ret = ioctl(d->v.fd, VFIO_DEVICE_GET_REGION_INFO, &ri);
		break;
	case 3:
		ii.index = 5 + (x % 2 ? x % 1000 : ~0u - 5);
		ret = ioctl(d->v.fd, VFIO_DEVICE_GET_IRQ_INFO, &ii);
		break;
	case 4:		/* nothing to set outside REQ (index 4) */
		memset(&is, 0, sizeof(is));
		is.argsz = sizeof(is) + (x % 64);
		is.flags = x;
		is.index = x % 7;
		if (is.index == VFIO_PCI_REQ_IRQ_INDEX)
			is.index = 5;
		is.count = x % 3;
		ret = ioctl(d->v.fd, VFIO_DEVICE_SET_IRQS, &is);
		break;
	case 5:		/* dma-buf, cursor, unknown flags, short argsz */
		switch (x % 4) {
		case 0:
			ret = ioctl_plane(d->v.fd, &pi, VFIO_GFX_PLANE_TYPE_DMABUF,
					  0, PLANE_FULLSZ);
			break;
		case 1:
			ret = ioctl_plane(d->v.fd, &pi, VFIO_GFX_PLANE_TYPE_REGION,
					  2 + (x >> 8) % 100, PLANE_FULLSZ);
			break;
		case 2:
			ret = ioctl_plane(d->v.fd, &pi, x | 8, 0, PLANE_FULLSZ);
			break;
		default:
			ret = ioctl_plane(d->v.fd, &pi, VFIO_GFX_PLANE_TYPE_REGION,
					  0, (x >> 8) % PLANE_MINSZ);
			break;
		}
		break;
	case 6:		/* an ioctl number mdpy does not implement */
		ret = ioctl(d->v.fd, _IO(VFIO_TYPE, VFIO_BASE + 19 + x % 40), w->buf);
		(void)ret;
		return;	/* vfio core handles some of these: any error */
	case 7:		/* a random command, random argument bytes */
		memcpy(w->buf, &x, sizeof(x));
		ret = ioctl(d->v.fd, x & ~0xff00u, w->buf);
		(void)ret;
		return;
	default:	/* argsz huge: only the known part is used */
		ri.argsz = 0xffffffff;
		ri.index = 7;
		if (ioctl(d->v.fd, VFIO_DEVICE_GET_REGION_INFO, &ri) ||
		    ri.size != CFG_SIZE)
			bad_result(w, "GET_REGION_INFO argsz 0xffffffff: %s size %llu",
				   strerror(errno), (unsigned long long)ri.size);
		return;
	}
	if (ret == 0 || !errno_in(errno, einval))
		bad_result(w, "garbage ioctl (%u): %d (%s), want EINVAL", x, ret,
			   ret ? strerror(errno) : "ok");
}

/* --- open / close -------------------------------------------------------- */

void op_reopen(struct worker *w, int di)
{
	struct dev *d = &w->devs[di];
	int fd = dev_fd(d), i, n;

	if (fd < 0) {
		bad_result(w, "%s: second device fd: %s", stypes[d->type].name,
			   strerror(-fd));
		return;
	}
	n = 1 + rnd_below(&w->r, 3);
	for (i = 0; i < n; i++) {
		switch (rnd_below(&w->r, 4)) {
		case 0:
			op_rw_valid(w, d, fd, 0);
			break;
		case 1:
			op_rw_valid(w, d, fd, 1);
			break;
		case 2:
			op_ioctl_valid(w, d, fd);
			break;
		default:
			/* the mapping may outlive this fd */
			op_mmap_valid(w, di, fd);
			break;
		}
	}
	if (close(fd))
		bad_result(w, "close: %s", strerror(errno));
}

/* A pointer into one of this thread's own live BAR mappings */
void op_rw_into_map(struct worker *w, struct dev *d)
{
	volatile uint64_t pos;
	volatile size_t len;
	volatile ssize_t n = -1;
	uint8_t *p;
	int i, sig = 0, write;

	if (!w->nmaps)
		return;
	i = rnd_below(&w->r, w->nmaps);
	p = w->maps[i].p;
	len = 1 + rnd_below(&w->r, w->maps[i].len < 65536 ? w->maps[i].len : 65536);
	if (len > d->bar_size)
		len = d->bar_size;
	pos = BAR_POS + rnd_below(&w->r, d->bar_size - len + 1);
	write = rnd_below(&w->r, 2);
	/* a read-only mapping makes pread EFAULT; only use it as a source */
	GUARDED(sig, {
		n = write ? pwrite(d->v.fd, p, len, pos) : pread(d->v.fd, p, len, pos);
	});
	if (sig) {
		bad_result(w, "signal %d in a read/write through a mapping", sig);
		return;
	}
	if (n != (ssize_t)len && !(n < 0 && errno == EFAULT && !write))
		bad_result(w, "%s %zu bytes through a BAR0 mapping: %zd (%s)",
			   write ? "pwrite" : "pread", len, n,
			   n < 0 ? strerror(errno) : "short");
}

/* --- one random operation ------------------------------------------------ */

void worker_step(struct worker *w)
{
	int di = rnd_below(&w->r, w->ndevs);
	struct dev *d = &w->devs[di];
	uint64_t c = rnd_below(&w->r, 100);

	if (c < 18)
		op_rw_valid(w, d, d->v.fd, 0), w->n_rw++;
	else if (c < 34)
		op_rw_valid(w, d, d->v.fd, 1), w->n_rw++;
	else if (c < 42)
		op_rw_bad_range(w, d, c & 1), w->n_garbage++;
	else if (c < 50)
		op_rw_bad_ptr(w, d, c & 1), w->n_garbage++;
	else if (c < 56)
		op_mmap_valid(w, di, d->v.fd), w->n_mmap++;
	else if (c < 60)
		op_mmap_bad(w, d), w->n_garbage++;
	else if (c < 65)
		op_munmap(w), w->n_mmap++;
	else if (c < 67)
		op_rw_into_map(w, d), w->n_rw++;
	else if (c < 79)
		op_ioctl_valid(w, d, d->v.fd), w->n_ioctl++;
	else if (c < 90)
		op_ioctl_bad(w, d), w->n_garbage++;
	else if (c < 95) {
		if (ioctl(d->v.fd, VFIO_DEVICE_RESET))
			bad_result(w, "RESET: %s", strerror(errno));
		w->n_reset++;
	} else {
		op_reopen(w, di), w->n_open++;
	}
	w->ops++;
}
