// SPDX-License-Identifier: GPL-2.0
/*
 * ioctl.c - the VFIO device uAPI of an mdpy instance: every ioctl's success
 * path with canary-checked outputs, and the bad-input catalog: a table whose
 * rows each give an operation (ioctl, pread, pwrite, mmap), its arguments
 * and the errno the spec requires.  Every row is its own TAP test per type.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <termios.h>

#include "harness.h"
#include "mdpy_test.h"
#include "devfix.h"

#define CANARY		0xa5
#define NUM_IRQS	5	/* VFIO_PCI_NUM_IRQS: INTx, MSI, MSI-X, ERR, REQ */
#define REQ_INDEX	4	/* VFIO_PCI_REQ_IRQ_INDEX */

#define INFO_MINSZ	16	/* offsetofend(vfio_device_info, num_irqs) */
#define REGION_MINSZ	32	/* offsetofend(vfio_region_info, offset) */
#define IRQ_MINSZ	16	/* offsetofend(vfio_irq_info, count) */
#define SETIRQ_MINSZ	20	/* offsetofend(vfio_irq_set, count) */

_Static_assert(VFIO_PCI_NUM_IRQS == NUM_IRQS, "irq count");
_Static_assert(sizeof(struct vfio_region_info) == REGION_MINSZ, "region info");
_Static_assert(sizeof(struct vfio_irq_info) == IRQ_MINSZ, "irq info");
_Static_assert(sizeof(struct vfio_irq_set) == SETIRQ_MINSZ, "irq set");

/* ---------------------------------------------------------------------
 * Canary buffers: three read-write pages followed by an unmapped guard page.
 */
struct cbuf {
	uint8_t *base;		/* page 0 */
	uint8_t *guard;		/* page 3, unmapped */
	uint8_t snap[3 * PAGE_SZ];
};

static int cbuf_init(struct cbuf *c)
{
	c->base = mmap(NULL, 4 * PAGE_SZ, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (c->base == MAP_FAILED)
		return -errno;
	c->guard = c->base + 3 * PAGE_SZ;
	munmap(c->guard, PAGE_SZ);
	memset(c->base, CANARY, 3 * PAGE_SZ);
	return 0;
}

static void cbuf_snap(struct cbuf *c)
{
	memcpy(c->snap, c->base, sizeof(c->snap));
}

/* First byte in [from, to) of page 0.. that changed since the snapshot. */
static long cbuf_changed(struct cbuf *c, size_t from, size_t to)
{
	size_t i;

	for (i = from; i < to && i < sizeof(c->snap); i++)
		if (c->base[i] != c->snap[i])
			return (long)i;
	return -1;
}

static void cbuf_free(struct cbuf *c)
{
	munmap(c->base, 3 * PAGE_SZ);
}

/* ---------------------------------------------------------------------
 * Success paths.
 */

TEST_F(dev, get_info)
{
	struct vfio_device_info *i = &self->d.info;

	EXPECT_TRUE(i->flags & VFIO_DEVICE_FLAGS_PCI);
	EXPECT_TRUE(i->flags & VFIO_DEVICE_FLAGS_RESET);
	/* no capability chain is offered, so the CAPS flag must not be set */
	EXPECT_FALSE(i->flags & VFIO_DEVICE_FLAGS_CAPS);
	EXPECT_EQ(i->flags & ~(uint32_t)(VFIO_DEVICE_FLAGS_PCI | VFIO_DEVICE_FLAGS_RESET), 0);
	EXPECT_EQ(i->num_regions, VFIO_PCI_NUM_REGIONS);
	EXPECT_EQ(i->num_irqs, NUM_IRQS);
}

/* GET_INFO output at argsz = minsz, full struct and a page: canary rules. */
TEST_F(dev, get_info_canary)
{
	static const uint32_t sizes[] = { INFO_MINSZ, sizeof(struct vfio_device_info), 64, 4096 };
	struct vfio_device_info out;
	struct cbuf c;
	unsigned int k;
	long pos;

	ASSERT_RET(cbuf_init(&c), 0);
	for (k = 0; k < 4; k++) {
		memset(c.base, CANARY, 3 * PAGE_SZ);
		memcpy(c.base, &sizes[k], 4);
		cbuf_snap(&c);
		ASSERT_OK(ioctl(self->d.fd, VFIO_DEVICE_GET_INFO, c.base));
		memcpy(&out, c.base, sizeof(out));
		EXPECT_EQ(out.argsz, sizes[k]);
		EXPECT_EQ(out.flags, VFIO_DEVICE_FLAGS_PCI | VFIO_DEVICE_FLAGS_RESET);
		EXPECT_EQ(out.num_regions, VFIO_PCI_NUM_REGIONS);
		EXPECT_EQ(out.num_irqs, NUM_IRQS);
		/* cap_offset: untouched, or 0 (there are no caps) */
		if (sizes[k] >= sizeof(out) && cbuf_changed(&c, INFO_MINSZ, sizeof(out)) >= 0)
			EXPECT_EQ(out.cap_offset, 0);
		pos = cbuf_changed(&c, sizes[k] < sizeof(out) ? sizes[k] : sizeof(out),
				   3 * PAGE_SZ);
		if (pos >= 0) {
			ht_diag("argsz %u: byte %ld beyond the struct/argsz changed",
				sizes[k], pos);
			ht_fail(0);
		}
	}
	cbuf_free(&c);
}

TEST_F(dev, region_info_every_index)
{
	struct vfio_region_info ri;
	uint32_t i;

	for (i = 0; i < self->d.info.num_regions; i++) {
		ASSERT_RET(region_info(self->d.fd, i, &ri), 0);
		EXPECT_EQ(ri.index, i);
		EXPECT_EQ(ri.cap_offset, 0);
		if (i == VFIO_PCI_BAR0_REGION_INDEX) {
			EXPECT_EQ(ri.flags, VFIO_REGION_INFO_FLAG_READ |
				  VFIO_REGION_INFO_FLAG_WRITE | VFIO_REGION_INFO_FLAG_MMAP);
			EXPECT_GE(ri.size, fb_size(self->t));
			EXPECT_EQ(ri.size & (ri.size - 1), 0);
		} else if (i == VFIO_PCI_CONFIG_REGION_INDEX) {
			EXPECT_EQ(ri.flags, VFIO_REGION_INFO_FLAG_READ |
				  VFIO_REGION_INFO_FLAG_WRITE);
			EXPECT_EQ(ri.size, CFG_SIZE);
		} else {
			EXPECT_EQ(ri.size, 0);
			EXPECT_EQ(ri.flags, 0);
		}
	}
}

TEST_F(dev, region_info_canary)
{
	static const uint32_t sizes[] = { REGION_MINSZ, 40, 4096 };
	struct vfio_region_info out;
	struct cbuf c;
	uint32_t i, k;
	long pos;

	ASSERT_RET(cbuf_init(&c), 0);
	for (i = 0; i < VFIO_PCI_NUM_REGIONS; i++) {
		for (k = 0; k < 3; k++) {
			struct vfio_region_info in = { .argsz = sizes[k], .index = i };

			memset(c.base, CANARY, 3 * PAGE_SZ);
			memcpy(c.base, &in, sizeof(in));
			/* flags/cap_offset/size/offset are outputs: canary them */
			memset(c.base + 4, CANARY, 4);
			memset(c.base + 12, CANARY, REGION_MINSZ - 12);
			cbuf_snap(&c);
			ASSERT_OK(ioctl(self->d.fd, VFIO_DEVICE_GET_REGION_INFO, c.base));
			memcpy(&out, c.base, sizeof(out));
			EXPECT_EQ(out.argsz, sizes[k]);
			EXPECT_EQ(out.index, i);
			EXPECT_EQ(out.cap_offset, 0);
			EXPECT_EQ(out.size, i == 0 ? self->d.bar.size :
					    i == VFIO_PCI_CONFIG_REGION_INDEX ? CFG_SIZE : 0);
			EXPECT_EQ(out.flags, i == 0 ? 7u : i == VFIO_PCI_CONFIG_REGION_INDEX ? 3u : 0u);
			if (i == 0)
				EXPECT_EQ(out.offset, self->d.bar.offset);
			if (i == VFIO_PCI_CONFIG_REGION_INDEX)
				EXPECT_EQ(out.offset, self->d.cfg.offset);
			/* offset of an absent region: any value but never the canary */
			EXPECT_NE(out.offset, 0xa5a5a5a5a5a5a5a5ULL);
			pos = cbuf_changed(&c, REGION_MINSZ, 3 * PAGE_SZ);
			if (pos >= 0) {
				ht_diag("index %u argsz %u: byte %ld past the struct changed",
					i, sizes[k], pos);
				ht_fail(0);
			}
		}
	}
	cbuf_free(&c);
}

static void check_irq_info(struct vdev *d, int *bad)
{
	struct cbuf c;
	uint32_t i;

	if (cbuf_init(&c)) {
		(*bad)++;
		return;
	}
	for (i = 0; i < NUM_IRQS; i++) {
		struct vfio_irq_info in = { .argsz = IRQ_MINSZ, .index = i };
		struct vfio_irq_info out;

		memset(c.base, CANARY, 3 * PAGE_SZ);
		memcpy(c.base, &in, 4);
		memcpy(c.base + 8, &in.index, 4);
		cbuf_snap(&c);
		if (ioctl(d->fd, VFIO_DEVICE_GET_IRQ_INFO, c.base)) {
			ht_diag("GET_IRQ_INFO index %u: %s", i, ht_errname(errno));
			(*bad)++;
			continue;
		}
		memcpy(&out, c.base, sizeof(out));
		/* one interrupt, an eventfd, behind REQ; nothing elsewhere */
		if (out.argsz != IRQ_MINSZ || out.index != i ||
		    out.flags != (i == REQ_INDEX ? VFIO_IRQ_INFO_EVENTFD : 0) ||
		    out.count != (i == REQ_INDEX)) {
			ht_diag("GET_IRQ_INFO index %u: argsz %u flags 0x%x index %u count %u",
				i, out.argsz, out.flags, out.index, out.count);
			(*bad)++;
		}
		if (cbuf_changed(&c, IRQ_MINSZ, 3 * PAGE_SZ) >= 0) {
			ht_diag("GET_IRQ_INFO index %u wrote past argsz", i);
			(*bad)++;
		}
	}
	cbuf_free(&c);
}

TEST_F(dev, irq_info_every_index)
{
	int bad = 0;

	check_irq_info(&self->d, &bad);
	EXPECT_EQ(bad, 0);
}

/* On a device nobody has asked GET_INFO yet, IRQ info is the same. */
TEST_F(dev, irq_info_before_get_info)
{
	struct vdev fresh;
	char uuid[37];
	int bad = 0;

	uuid_gen(uuid);
	ASSERT_RET(mdev_create(self->t->dir, uuid), 0);
	if (vdev_open_raw(&fresh, uuid)) {
		mdev_remove(uuid);
		ASSERT_TRUE(0);
	}
	check_irq_info(&fresh, &bad);
	EXPECT_EQ(bad, 0);
	fresh.info.argsz = sizeof(fresh.info);
	EXPECT_OK(ioctl(fresh.fd, VFIO_DEVICE_GET_INFO, &fresh.info));
	check_irq_info(&fresh, &bad);
	EXPECT_EQ(bad, 0);
	vdev_close(&fresh);
	EXPECT_RET(mdev_remove(uuid), 0);
}

static void check_plane(const struct mdpy_ttype *t, const struct vdev *d,
			const struct plane_info *p, int *bad)
{
	uint32_t stride = t->width * 4;

	if (p->drm_format != 0x34325258 || p->width != t->width ||
	    p->height != t->height || p->stride != stride ||
	    p->size != stride * t->height || p->drm_format_mod != 0 ||
	    p->x_pos || p->y_pos || p->x_hot || p->y_hot ||
	    p->region_index != VFIO_PCI_BAR0_REGION_INDEX ||
	    p->region_index >= d->info.num_regions) {
		ht_diag("plane: format 0x%x mod 0x%llx %ux%u stride %u size %u pos %u,%u hot %u,%u region %u",
			p->drm_format, (unsigned long long)p->drm_format_mod,
			p->width, p->height, p->stride, p->size, p->x_pos,
			p->y_pos, p->x_hot, p->y_hot, p->region_index);
		(*bad)++;
	}
}

/* Before the guest uses the display: format, size and the rest all 0 */
static void check_plane_empty(const struct plane_info *p, int *bad)
{
	if (p->drm_format || p->drm_format_mod || p->width || p->height ||
	    p->stride || p->size || p->x_pos || p->y_pos || p->x_hot ||
	    p->y_hot || p->region_index) {
		ht_diag("empty plane expected: format 0x%x %ux%u size %u region %u",
			p->drm_format, p->width, p->height, p->size,
			p->region_index);
		(*bad)++;
	}
}

/* Every argsz and plane type QEMU may send, on a display used or not */
static void query_every_way(const struct mdpy_ttype *t, struct vdev *d,
			    struct cbuf *c, int used, int *bad)
{
	static const uint32_t sizes[] = { PLANE_MINSZ, PLANE_FULLSZ, 72, 4096 };
	static const uint32_t types[] = { DRM_PLANE_TYPE_OVERLAY, DRM_PLANE_TYPE_PRIMARY };
	struct plane_info out;
	unsigned int k, ti;
	long pos;

	for (ti = 0; ti < 2; ti++) {
		for (k = 0; k < 4; k++) {
			struct plane_info in = {
				.argsz = sizes[k],
				.flags = VFIO_GFX_PLANE_TYPE_REGION,
				.drm_plane_type = types[ti],
			};

			memset(c->base, CANARY, 3 * PAGE_SZ);
			memcpy(c->base, &in, 12);
			cbuf_snap(c);
			ASSERT_OK(ioctl(d->fd, VFIO_DEVICE_QUERY_GFX_PLANE, c->base));
			memcpy(&out, c->base, sizeof(out));
			EXPECT_EQ(out.argsz, sizes[k]);
			EXPECT_EQ(out.flags, VFIO_GFX_PLANE_TYPE_REGION);
			/* the input type is echoed, or named as the primary */
			EXPECT_TRUE(out.drm_plane_type == types[ti] ||
				    out.drm_plane_type == DRM_PLANE_TYPE_PRIMARY);
			if (used)
				check_plane(t, d, &out, bad);
			else
				check_plane_empty(&out, bad);
			/* bytes 60..63 (reserved or padding): untouched or zero */
			if (sizes[k] >= PLANE_FULLSZ && cbuf_changed(c, PLANE_MINSZ, PLANE_FULLSZ) >= 0)
				EXPECT_EQ(out.reserved, 0);
			pos = cbuf_changed(c, sizes[k] < PLANE_FULLSZ ? sizes[k] : PLANE_FULLSZ,
					   3 * PAGE_SZ);
			if (pos >= 0) {
				ht_diag("argsz %u: byte %ld past argsz/struct changed", sizes[k], pos);
				(*bad)++;
			}
		}
	}
}

/*
 * QEMU's region query: argsz 60 (pre-6.7 struct) or 64, plane type 0 or 1;
 * an empty plane until the guest uses the display, then the mode.
 */
TEST_F(dev, plane_region_query)
{
	int bad = 0;
	struct cbuf c;

	ASSERT_RET(cbuf_init(&c), 0);
	query_every_way(self->t, &self->d, &c, 0, &bad);
	ASSERT_RET(display_use(&self->d), 0);
	query_every_way(self->t, &self->d, &c, 1, &bad);
	EXPECT_EQ(bad, 0);
	cbuf_free(&c);
}

TEST_F(dev, plane_probe_region_supported)
{
	struct plane_info p = {
		.argsz = PLANE_MINSZ,
		.flags = VFIO_GFX_PLANE_TYPE_PROBE | VFIO_GFX_PLANE_TYPE_REGION,
	};

	EXPECT_OK(ioctl(self->d.fd, VFIO_DEVICE_QUERY_GFX_PLANE, &p));
	p.argsz = PLANE_FULLSZ;
	p.drm_plane_type = DRM_PLANE_TYPE_PRIMARY;
	EXPECT_OK(ioctl(self->d.fd, VFIO_DEVICE_QUERY_GFX_PLANE, &p));
}

/* The plane names a region that can be mapped and is the BAR0 contents. */
TEST_F(dev, plane_region_is_mappable_framebuffer)
{
	struct plane_info p = { .argsz = PLANE_FULLSZ, .flags = VFIO_GFX_PLANE_TYPE_REGION };
	struct vfio_region_info ri;
	uint8_t *map, *want;

	ASSERT_RET(display_use(&self->d), 0);
	ASSERT_OK(ioctl(self->d.fd, VFIO_DEVICE_QUERY_GFX_PLANE, &p));
	ASSERT_LT(p.region_index, self->d.info.num_regions);
	ASSERT_RET(region_info(self->d.fd, p.region_index, &ri), 0);
	EXPECT_TRUE(ri.flags & VFIO_REGION_INFO_FLAG_MMAP);
	ASSERT_GE(ri.size, p.size);
	map = mmap(NULL, p.size, PROT_READ, MAP_SHARED, self->d.fd, (off_t)ri.offset);
	ASSERT_MAPPED(map);
	want = malloc(p.size);
	ASSERT_TRUE(want);
	initial_bytes(self->t, 0, want, p.size);
	EXPECT_MEMEQ(map, want, p.size);
	free(want);
	munmap(map, p.size);
}

TEST_F(dev, reset_succeeds_repeatedly)
{
	int i;

	for (i = 0; i < 3; i++)
		EXPECT_OK(ioctl(self->d.fd, VFIO_DEVICE_RESET));
	/* the argument is ignored */
	EXPECT_OK(ioctl(self->d.fd, VFIO_DEVICE_RESET, (void *)0x1));
}

/* The same queries on one fd from many threads give the same answers. */
TEST_F(dev, info_is_stable_across_calls)
{
	struct vfio_device_info a = { .argsz = sizeof(a) }, b = { .argsz = sizeof(b) };
	int i;

	for (i = 0; i < 100; i++) {
		ASSERT_OK(ioctl(self->d.fd, VFIO_DEVICE_GET_INFO, &a));
		ASSERT_OK(ioctl(self->d.fd, VFIO_DEVICE_GET_INFO, &b));
		ASSERT_MEMEQ(&a, &b, sizeof(a));
	}
}

/* ---------------------------------------------------------------------
 * The bad-input catalog.
 */
enum kind { K_IOCTL, K_READ, K_WRITE, K_MMAP };

/* Where a row's position is measured from */
enum base { B_ABS, B_CFG, B_CFG_END, B_BAR, B_BAR_END };

/* Where the user pointer points */
enum ptr {
	P_OK,		/* canary buffer, three mapped pages */
	P_NULL,		/* NULL */
	P_UNMAPPED,	/* an unmapped page */
	P_EDGE,		/* ioctl: 8 bytes before an unmapped page; rw: one page before */
	P_RO,		/* a read-only page */
	P_KERNEL,	/* a kernel address */
};

struct row {
	const char *name;
	enum kind kind;
	unsigned long cmd;
	uint32_t argsz, flags, index, a, b;	/* ioctl struct fields */
	enum base base;
	uint64_t off;				/* added to base (wraps: negative) */
	uint64_t len;
	int prot, mflags;
	enum ptr ptr;
	int err;				/* expected errno; 0: must succeed */
};

#define IOC(n, c, sz, fl, idx, aa, bb, p, e)				\
	{ .name = n, .kind = K_IOCTL, .cmd = c, .argsz = sz, .flags = fl, \
	  .index = idx, .a = aa, .b = bb, .ptr = p, .err = e }
#define RD(n, bs, o, l, p, e)						\
	{ .name = n, .kind = K_READ, .base = bs, .off = o, .len = l,	\
	  .ptr = p, .err = e }
#define WR(n, bs, o, l, p, e)						\
	{ .name = n, .kind = K_WRITE, .base = bs, .off = o, .len = l,	\
	  .ptr = p, .err = e }
#define MM(n, bs, o, l, pr, fl, e)					\
	{ .name = n, .kind = K_MMAP, .base = bs, .off = o, .len = l,	\
	  .prot = pr, .mflags = fl, .err = e }

#define GI VFIO_DEVICE_GET_INFO
#define GR VFIO_DEVICE_GET_REGION_INFO
#define GQ VFIO_DEVICE_GET_IRQ_INFO
#define SI VFIO_DEVICE_SET_IRQS
#define QP VFIO_DEVICE_QUERY_GFX_PLANE

#define PROBE VFIO_GFX_PLANE_TYPE_PROBE
#define DMABUF VFIO_GFX_PLANE_TYPE_DMABUF
#define REGION VFIO_GFX_PLANE_TYPE_REGION

#define TRIG VFIO_IRQ_SET_ACTION_TRIGGER
#define NONE VFIO_IRQ_SET_DATA_NONE
#define BOOL VFIO_IRQ_SET_DATA_BOOL
#define EVFD VFIO_IRQ_SET_DATA_EVENTFD

#define RW (PROT_READ | PROT_WRITE)
#define SH MAP_SHARED
#define PRIV MAP_PRIVATE
#define IDX(i) ((uint64_t)(i) << 40)	/* vfio-pci's usual region layout */
#define NEG(x) ((uint64_t)-(int64_t)(x))
#define GIB (1ULL << 30)

/*
 * Rows every ioctl gets: a NULL, unmapped or half-mapped argument faults.
 * An ioctl that writes its struct back must also fault on a read-only page
 * and on a kernel address.
 */
#define BAD_ARG(p, c, sz, fl)						\
	IOC(p ".null_arg", c, sz, fl, 0, 0, 0, P_NULL, EFAULT),		\
	IOC(p ".unmapped_arg", c, sz, fl, 0, 0, 0, P_UNMAPPED, EFAULT),	\
	IOC(p ".arg_straddles_unmapped", c, sz, fl, 0, 0, 0, P_EDGE, EFAULT)
#define BAD_OUT_ARG(p, c, sz, fl)					\
	BAD_ARG(p, c, sz, fl),						\
	IOC(p ".readonly_arg", c, sz, fl, 0, 0, 0, P_RO, EFAULT),	\
	IOC(p ".kernel_pointer", c, sz, fl, 0, 0, 0, P_KERNEL, EFAULT)

/*
 * SET_IRQS at IRQ index @idx: TRIGGER with each data type, and its disable
 * (count 0), get @trig (0 where the index has an interrupt); MASK and
 * UNMASK are refused at every index (the REQ interrupt cannot be masked).
 */
#define IRQ_ACTIONS(p, idx, trig)					\
	IOC(p "_trigger_eventfd", SI, 24, EVFD | TRIG, idx, 0, 1, P_OK, trig), \
	IOC(p "_trigger_none", SI, 20, NONE | TRIG, idx, 0, 1, P_OK, trig), \
	IOC(p "_trigger_bool", SI, 21, BOOL | TRIG, idx, 0, 1, P_OK, trig), \
	IOC(p "_disable", SI, 20, NONE | TRIG, idx, 0, 0, P_OK, trig),	\
	IOC(p "_mask", SI, 20, NONE | VFIO_IRQ_SET_ACTION_MASK, idx, 0, 1, P_OK, EINVAL), \
	IOC(p "_unmask", SI, 20, NONE | VFIO_IRQ_SET_ACTION_UNMASK, idx, 0, 1, P_OK, EINVAL)

/* A position or length no access may use: pread and pwrite both refuse it */
#define BAD_RW(p, n, bs, o, l)						\
	RD(p ".read_" n, bs, o, l, P_OK, EINVAL),			\
	WR(p ".write_" n, bs, o, l, P_OK, EINVAL)

/*
 * Buffers pread cannot copy into and pwrite cannot copy from; a read-only
 * page is a fault only for pread.
 */
#define BAD_READ_BUF(p, bs, o, l)					\
	RD(p ".read_null_buf", bs, o, l, P_NULL, EFAULT),		\
	RD(p ".read_unmapped_buf", bs, o, l, P_UNMAPPED, EFAULT),	\
	RD(p ".read_readonly_buf", bs, o, l, P_RO, EFAULT),		\
	RD(p ".read_kernel_buf", bs, o, l, P_KERNEL, EFAULT)
#define BAD_WRITE_BUF(p, bs, o, l)					\
	WR(p ".write_null_buf", bs, o, l, P_NULL, EFAULT),		\
	WR(p ".write_unmapped_buf", bs, o, l, P_UNMAPPED, EFAULT),	\
	WR(p ".write_kernel_buf", bs, o, l, P_KERNEL, EFAULT)

static const struct row catalog[] = {
	/* --- VFIO_DEVICE_GET_INFO --- */
	IOC("get_info.argsz_0", GI, 0, 0, 0, 0, 0, P_OK, EINVAL),
	IOC("get_info.argsz_4", GI, 4, 0, 0, 0, 0, P_OK, EINVAL),
	IOC("get_info.argsz_minsz_minus_1", GI, INFO_MINSZ - 1, 0, 0, 0, 0, P_OK, EINVAL),
	IOC("get_info.argsz_minsz_ok", GI, INFO_MINSZ, 0, 0, 0, 0, P_OK, 0),
	IOC("get_info.argsz_page_ok", GI, 4096, 0, 0, 0, 0, P_OK, 0),
	IOC("get_info.argsz_huge_ok", GI, 0xffffffffu, 0, 0, 0, 0, P_OK, 0),
	BAD_OUT_ARG("get_info", GI, 20, 0),

	/* --- VFIO_DEVICE_GET_REGION_INFO --- */
	IOC("region_info.argsz_0", GR, 0, 0, 0, 0, 0, P_OK, EINVAL),
	IOC("region_info.argsz_16", GR, 16, 0, 0, 0, 0, P_OK, EINVAL),
	IOC("region_info.argsz_minsz_minus_1", GR, REGION_MINSZ - 1, 0, 0, 0, 0, P_OK, EINVAL),
	IOC("region_info.argsz_short_config", GR, 24, 0, 7, 0, 0, P_OK, EINVAL),
	IOC("region_info.index_num_regions", GR, 32, 0, 9, 0, 0, P_OK, EINVAL),
	IOC("region_info.index_10", GR, 32, 0, 10, 0, 0, P_OK, EINVAL),
	IOC("region_info.index_256", GR, 32, 0, 256, 0, 0, P_OK, EINVAL),
	IOC("region_info.index_0x80000000", GR, 32, 0, 0x80000000u, 0, 0, P_OK, EINVAL),
	IOC("region_info.index_max", GR, 32, 0, 0xffffffffu, 0, 0, P_OK, EINVAL),
	IOC("region_info.index_last_ok", GR, 32, 0, 8, 0, 0, P_OK, 0),
	IOC("region_info.input_flags_ignored_ok", GR, 32, 0xffffffffu, 0, 0, 0, P_OK, 0),
	BAD_OUT_ARG("region_info", GR, 32, 0),

	/* --- VFIO_DEVICE_GET_IRQ_INFO --- */
	IOC("irq_info.argsz_0", GQ, 0, 0, 0, 0, 0, P_OK, EINVAL),
	IOC("irq_info.argsz_12", GQ, 12, 0, 0, 0, 0, P_OK, EINVAL),
	IOC("irq_info.argsz_minsz_minus_1", GQ, IRQ_MINSZ - 1, 0, 0, 0, 0, P_OK, EINVAL),
	IOC("irq_info.index_num_irqs", GQ, 16, 0, NUM_IRQS, 0, 0, P_OK, EINVAL),
	IOC("irq_info.index_6", GQ, 16, 0, 6, 0, 0, P_OK, EINVAL),
	IOC("irq_info.index_9", GQ, 16, 0, 9, 0, 0, P_OK, EINVAL),
	IOC("irq_info.index_0x80000000", GQ, 16, 0, 0x80000000u, 0, 0, P_OK, EINVAL),
	IOC("irq_info.index_max", GQ, 16, 0, 0xffffffffu, 0, 0, P_OK, EINVAL),
	IOC("irq_info.index_req_ok", GQ, 16, 0, NUM_IRQS - 1, 0, 0, P_OK, 0),
	BAD_OUT_ARG("irq_info", GQ, 16, 0),

	/* --- VFIO_DEVICE_SET_IRQS: only REQ has an interrupt (TRIGGER only) --- */
	IRQ_ACTIONS("set_irqs.intx", 0, EINVAL),
	IOC("set_irqs.msi_trigger_eventfd", SI, 24, EVFD | TRIG, 1, 0, 1, P_OK, EINVAL),
	IOC("set_irqs.msi_disable", SI, 20, NONE | TRIG, 1, 0, 0, P_OK, EINVAL),
	IOC("set_irqs.msix_trigger_eventfd", SI, 24, EVFD | TRIG, 2, 0, 1, P_OK, EINVAL),
	IOC("set_irqs.msix_disable", SI, 20, NONE | TRIG, 2, 0, 0, P_OK, EINVAL),
	IOC("set_irqs.err_trigger_eventfd", SI, 24, EVFD | TRIG, 3, 0, 1, P_OK, EINVAL),
	IRQ_ACTIONS("set_irqs.req", REQ_INDEX, 0),
	IOC("set_irqs.req_start_1", SI, 24, EVFD | TRIG, 4, 1, 1, P_OK, EINVAL),
	IOC("set_irqs.req_count_2", SI, 28, EVFD | TRIG, 4, 0, 2, P_OK, EINVAL),
	IOC("set_irqs.req_eventfd_count0", SI, 24, EVFD | TRIG, 4, 0, 0, P_OK, EINVAL),
	IOC("set_irqs.req_argsz_short_for_fd", SI, 23, EVFD | TRIG, 4, 0, 1, P_OK, EINVAL),
	IOC("set_irqs.req_argsz_short_for_bool", SI, 20, BOOL | TRIG, 4, 0, 1, P_OK, EINVAL),
	IOC("set_irqs.req_two_data_types", SI, 24, EVFD | BOOL | TRIG, 4, 0, 1, P_OK, EINVAL),
	IOC("set_irqs.req_no_action", SI, 24, EVFD, 4, 0, 1, P_OK, EINVAL),
	IOC("set_irqs.req_arg_straddles_unmapped", SI, 24, EVFD | TRIG, 4, 0, 1, P_EDGE, EFAULT),
	IOC("set_irqs.index_num_irqs", SI, 20, NONE | TRIG, NUM_IRQS, 0, 0, P_OK, EINVAL),
	IOC("set_irqs.index_max", SI, 20, NONE | TRIG, 0xffffffffu, 0, 0, P_OK, EINVAL),
	IOC("set_irqs.flags_0", SI, 20, 0, 0, 0, 0, P_OK, EINVAL),
	IOC("set_irqs.flags_unknown_bit", SI, 20, NONE | TRIG | (1u << 6), 0, 0, 0, P_OK, EINVAL),
	IOC("set_irqs.flags_all", SI, 20, 0xffffffffu, 0, 0, 0, P_OK, EINVAL),
	IOC("set_irqs.two_data_types", SI, 21, NONE | BOOL | TRIG, 0, 0, 1, P_OK, EINVAL),
	IOC("set_irqs.two_actions", SI, 20, NONE | TRIG | VFIO_IRQ_SET_ACTION_MASK, 0, 0, 1, P_OK, EINVAL),
	IOC("set_irqs.start_count_overflow", SI, 20, NONE | TRIG, 0, 1, 0xffffffffu, P_OK, EINVAL),
	IOC("set_irqs.argsz_0", SI, 0, NONE | TRIG, 0, 0, 0, P_OK, EINVAL),
	IOC("set_irqs.argsz_minsz_minus_1", SI, SETIRQ_MINSZ - 1, NONE | TRIG, 0, 0, 0, P_OK, EINVAL),
	IOC("set_irqs.argsz_short_for_data", SI, 20, EVFD | TRIG, 0, 0, 4, P_OK, EINVAL),
	BAD_ARG("set_irqs", SI, 20, NONE | TRIG),

	/* --- VFIO_DEVICE_QUERY_GFX_PLANE: .a is drm_plane_type --- */
	IOC("plane.argsz_0", QP, 0, REGION, 0, 0, 0, P_OK, EINVAL),
	IOC("plane.argsz_12", QP, 12, REGION, 0, 0, 0, P_OK, EINVAL),
	IOC("plane.argsz_56", QP, 56, REGION, 0, 0, 0, P_OK, EINVAL),
	IOC("plane.argsz_minsz_minus_1", QP, PLANE_MINSZ - 1, REGION, 0, 0, 0, P_OK, EINVAL),
	IOC("plane.probe_argsz_short", QP, PLANE_MINSZ - 1, PROBE | REGION, 0, 0, 0, P_OK, EINVAL),
	IOC("plane.argsz_60_ok", QP, PLANE_MINSZ, REGION, 0, 0, 0, P_OK, 0),
	IOC("plane.argsz_64_ok", QP, PLANE_FULLSZ, REGION, 0, 1, 0, P_OK, 0),
	IOC("plane.argsz_huge_ok", QP, 0xffffffffu, REGION, 0, 0, 0, P_OK, 0),
	IOC("plane.probe_argsz_60_ok", QP, PLANE_MINSZ, PROBE | REGION, 0, 1, 0, P_OK, 0),
	IOC("plane.flags_0", QP, 64, 0, 0, 0, 0, P_OK, EINVAL),
	IOC("plane.flags_probe_only", QP, 64, PROBE, 0, 0, 0, P_OK, EINVAL),
	IOC("plane.flags_dmabuf", QP, 64, DMABUF, 0, 0, 0, P_OK, EINVAL),
	IOC("plane.flags_probe_dmabuf", QP, 64, PROBE | DMABUF, 0, 0, 0, P_OK, EINVAL),
	IOC("plane.flags_region_dmabuf", QP, 64, REGION | DMABUF, 0, 0, 0, P_OK, EINVAL),
	IOC("plane.flags_probe_region_dmabuf", QP, 64, PROBE | REGION | DMABUF, 0, 0, 0, P_OK, EINVAL),
	IOC("plane.flags_probe_region_ok", QP, 64, PROBE | REGION, 0, 0, 0, P_OK, 0),
	IOC("plane.flags_bit3", QP, 64, 1u << 3, 0, 0, 0, P_OK, EINVAL),
	IOC("plane.flags_region_bit3", QP, 64, REGION | (1u << 3), 0, 0, 0, P_OK, EINVAL),
	IOC("plane.flags_probe_region_bit31", QP, 64, PROBE | REGION | (1u << 31), 0, 0, 0, P_OK, EINVAL),
	IOC("plane.flags_all", QP, 64, 0xffffffffu, 0, 0, 0, P_OK, EINVAL),
	IOC("plane.region_cursor", QP, 64, REGION, 0, DRM_PLANE_TYPE_CURSOR, 0, P_OK, EINVAL),
	IOC("plane.probe_region_cursor", QP, 64, PROBE | REGION, 0, DRM_PLANE_TYPE_CURSOR, 0, P_OK, EINVAL),
	IOC("plane.region_type_3", QP, 64, REGION, 0, 3, 0, P_OK, EINVAL),
	IOC("plane.region_type_max", QP, 64, REGION, 0, 0xffffffffu, 0, P_OK, EINVAL),
	IOC("plane.dmabuf_cursor", QP, 64, DMABUF, 0, DRM_PLANE_TYPE_CURSOR, 0, P_OK, EINVAL),
	BAD_OUT_ARG("plane", QP, 64, REGION),

	/* --- ioctl numbers the device does not implement --- */
	IOC("unknown.get_gfx_dmabuf", _IO(VFIO_TYPE, VFIO_BASE + 15), 16, 0, 0, 0, 0, P_OK, ENOTTY),
	IOC("unknown.hot_reset_info", _IO(VFIO_TYPE, VFIO_BASE + 12), 16, 0, 0, 0, 0, P_OK, ENOTTY),
	IOC("unknown.hot_reset", _IO(VFIO_TYPE, VFIO_BASE + 13), 16, 0, 0, 0, 0, P_OK, ENOTTY),
	IOC("unknown.ioeventfd", _IO(VFIO_TYPE, VFIO_BASE + 16), 32, 0, 0, 0, 0, P_OK, ENOTTY),
	IOC("unknown.api_version", _IO(VFIO_TYPE, VFIO_BASE + 0), 0, 0, 0, 0, 0, P_OK, ENOTTY),
	IOC("unknown.check_extension", _IO(VFIO_TYPE, VFIO_BASE + 1), 0, 0, 0, 0, 0, P_OK, ENOTTY),
	IOC("unknown.set_iommu", _IO(VFIO_TYPE, VFIO_BASE + 2), 0, 0, 0, 0, 0, P_OK, ENOTTY),
	IOC("unknown.group_status", _IO(VFIO_TYPE, VFIO_BASE + 3), 8, 0, 0, 0, 0, P_OK, ENOTTY),
	IOC("unknown.vfio_base_99", _IO(VFIO_TYPE, VFIO_BASE + 99), 16, 0, 0, 0, 0, P_OK, ENOTTY),
	IOC("unknown.get_info_with_size_bits", _IOR(VFIO_TYPE, VFIO_BASE + 7, struct vfio_device_info),
	    20, 0, 0, 0, 0, P_OK, ENOTTY),
	IOC("unknown.foreign_type", _IO('x', 7), 16, 0, 0, 0, 0, P_OK, ENOTTY),
	IOC("unknown.zero", 0, 16, 0, 0, 0, 0, P_OK, ENOTTY),
	IOC("unknown.all_ones", 0xffffffffu, 16, 0, 0, 0, 0, P_OK, ENOTTY),
	IOC("unknown.tcgets", TCGETS, 16, 0, 0, 0, 0, P_OK, ENOTTY),
	IOC("unknown.null_arg", _IO(VFIO_TYPE, VFIO_BASE + 99), 0, 0, 0, 0, 0, P_NULL, ENOTTY),

	/* --- config region pread/pwrite --- */
	RD("cfg.read_last_dword_ok", B_CFG, 0xfc, 4, P_OK, 0),
	RD("cfg.read_whole_ok", B_CFG, 0, 256, P_OK, 0),
	RD("cfg.read_zero_len_ok", B_CFG, 0x10, 0, P_OK, 0),
	BAD_RW("cfg", "at_end", B_CFG, 0x100, 1),
	BAD_RW("cfg", "word_crossing_end", B_CFG, 0xff, 2),
	BAD_RW("cfg", "dword_at_0xfd", B_CFG, 0xfd, 4),
	BAD_RW("cfg", "257", B_CFG, 0, 257),
	BAD_RW("cfg", "1gib", B_CFG, 0, GIB),
	RD("cfg.read_dword_at_0xfe", B_CFG, 0xfe, 4, P_OK, EINVAL),
	RD("cfg.read_dword_at_0xff", B_CFG, 0xff, 4, P_OK, EINVAL),
	RD("cfg.read_page", B_CFG, 0, 4096, P_OK, EINVAL),
	RD("cfg.read_past_end_page", B_CFG, 0x1000, 4, P_OK, EINVAL),
	RD("cfg.read_zero_len_at_end", B_CFG, 0x100, 0, P_OK, EINVAL),
	WR("cfg.write_from_0x3c_crossing_end", B_CFG, 0x3c, 0xc5, P_OK, EINVAL),
	BAD_READ_BUF("cfg", B_CFG, 0, 4),
	BAD_WRITE_BUF("cfg", B_CFG, 4, 2),

	/* --- BAR0 pread/pwrite --- */
	RD("bar.read_last_byte_ok", B_BAR_END, NEG(1), 1, P_OK, 0),
	RD("bar.read_last_2_pages_ok", B_BAR_END, NEG(8192), 8192, P_OK, 0),
	RD("bar.read_zero_len_ok", B_BAR, 0, 0, P_OK, 0),
	BAD_RW("bar", "at_end", B_BAR_END, 0, 1),
	BAD_RW("bar", "crossing_end_by_1", B_BAR_END, NEG(1), 2),
	BAD_RW("bar", "page_crossing_end", B_BAR_END, NEG(4096), 8192),
	BAD_RW("bar", "1gib", B_BAR, 0, GIB),
	RD("bar.read_past_end_gap", B_BAR_END, 4096, 4, P_OK, EINVAL),
	RD("bar.read_zero_len_at_end", B_BAR_END, 0, 0, P_OK, EINVAL),
	RD("bar.read_len_2_62", B_BAR, 0, 1ULL << 62, P_OK, EFAULT),
	RD("bar.read_len_max", B_BAR, 0, ~0ULL, P_OK, EFAULT),
	BAD_READ_BUF("bar", B_BAR, 0, 64),
	RD("bar.read_buf_half_unmapped", B_BAR, 0, 8192, P_EDGE, EFAULT),
	BAD_WRITE_BUF("bar", B_BAR, 0, 64),

	/* --- positions outside every region (skipped if one lies there) --- */
	BAD_RW("gap", "after_config", B_CFG_END, 0, 4),
	BAD_RW("gap", "index_1", B_ABS, IDX(1), 4),
	BAD_RW("gap", "index_9", B_ABS, IDX(9), 4),
	BAD_RW("gap", "pos_negative", B_ABS, ~0ULL, 4),
	RD("gap.read_config_plus_page", B_CFG_END, 4096, 4, P_OK, EINVAL),
	RD("gap.read_index_2", B_ABS, IDX(2), 4, P_OK, EINVAL),
	RD("gap.read_index_5", B_ABS, IDX(5), 4, P_OK, EINVAL),
	RD("gap.read_index_6_rom", B_ABS, IDX(6), 4, P_OK, EINVAL),
	RD("gap.read_index_8_vga", B_ABS, IDX(8), 4, P_OK, EINVAL),
	RD("gap.read_index_huge", B_ABS, IDX(0x7fffff), 4, P_OK, EINVAL),
	RD("gap.read_zero_len_index_1", B_ABS, IDX(1), 0, P_OK, EINVAL),
	RD("gap.read_pos_2_63_minus_1", B_ABS, (1ULL << 63) - 1, 1, P_OK, EINVAL),
	RD("gap.read_pos_2_63", B_ABS, 1ULL << 63, 4, P_OK, EINVAL),

	/* --- mmap --- */
	MM("mmap.bar_whole_ok", B_BAR, 0, 0, RW, SH, 0),
	MM("mmap.bar_last_page_ok", B_BAR_END, NEG(4096), 4096, RW, SH, 0),
	MM("mmap.bar_readonly_ok", B_BAR, 4096, 4096, PROT_READ, SH, 0),
	MM("mmap.bar_private", B_BAR, 0, 4096, RW, PRIV, EINVAL),
	MM("mmap.bar_private_readonly", B_BAR, 0, 4096, PROT_READ, PRIV, EINVAL),
	MM("mmap.bar_at_end", B_BAR_END, 0, 4096, RW, SH, EINVAL),
	MM("mmap.bar_oversized", B_BAR, 0, 1, RW, SH, EINVAL),	/* len: size + page */
	MM("mmap.bar_crossing_end", B_BAR_END, NEG(4096), 8192, RW, SH, EINVAL),
	MM("mmap.bar_double_size", B_BAR, 0, 2, RW, SH, EINVAL),	/* len: 2 * size */
	MM("mmap.bar_plus_1gib", B_BAR, GIB, 4096, RW, SH, EINVAL),
	MM("mmap.bar_misaligned_offset", B_BAR, 1, 4096, RW, SH, EINVAL),
	MM("mmap.bar_half_page_offset", B_BAR, 2048, 4096, RW, SH, EINVAL),
	MM("mmap.bar_zero_len", B_BAR, 0, 3, RW, SH, EINVAL),	/* len: 0 */
	MM("mmap.bar_huge_len", B_BAR, 0, 1ULL << 47, RW, SH, ENOMEM),
	MM("mmap.config", B_CFG, 0, 4096, RW, SH, EINVAL),
	MM("mmap.config_readonly", B_CFG, 0, 4096, PROT_READ, SH, EINVAL),
	MM("mmap.config_private", B_CFG, 0, 4096, RW, PRIV, EINVAL),
	MM("mmap.index_1", B_ABS, IDX(1), 4096, RW, SH, EINVAL),
	MM("mmap.index_8_vga", B_ABS, IDX(8), 4096, RW, SH, EINVAL),
	MM("mmap.index_9", B_ABS, IDX(9), 4096, RW, SH, EINVAL),
	MM("mmap.pgoff_huge", B_ABS, 0x7ffffffffff00000ULL, 4096, RW, SH, EINVAL),
};

#define NROWS (sizeof(catalog) / sizeof(catalog[0]))

static uint64_t row_pos(const struct row *r, const struct vdev *d)
{
	switch (r->base) {
	case B_CFG:
		return d->cfg.offset + r->off;
	case B_CFG_END:
		return d->cfg.offset + d->cfg.size + r->off;
	case B_BAR:
		return d->bar.offset + r->off;
	case B_BAR_END:
		return d->bar.offset + d->bar.size + r->off;
	default:
		return r->off;
	}
}

/* An ABS/gap row that lands in a real region tests nothing: skip it. */
static int overlaps_region(uint64_t pos, uint64_t len, const struct vdev *d)
{
	const struct vfio_region_info *rs[2] = { &d->cfg, &d->bar };
	int i;

	if (!len)
		len = 1;
	for (i = 0; i < 2; i++)
		if (pos < rs[i]->offset + rs[i]->size && rs[i]->offset < pos + len)
			return 1;
	return 0;
}

static void *row_ptr(const struct row *r, struct cbuf *c)
{
	switch (r->ptr) {
	case P_NULL:
		return NULL;
	case P_UNMAPPED:
		return c->guard;
	case P_EDGE:
		return r->kind == K_IOCTL ? c->guard - 8 : c->guard - PAGE_SZ;
	case P_KERNEL:
		return (void *)0xffffffff81000000UL;
	default:
		return c->base;
	}
}

/* Lay out the row's ioctl struct in @p (the rest stays canary). */
static void build_arg(const struct row *r, uint8_t *p, int evfd)
{
	uint32_t w[5] = { r->argsz, r->flags, r->index, r->a, r->b };
	uint32_t i;

	if (r->cmd == VFIO_DEVICE_QUERY_GFX_PLANE) {
		w[2] = r->a;	/* drm_plane_type */
		memcpy(p, w, 12);
		return;
	}
	if (r->cmd == VFIO_DEVICE_GET_INFO) {
		memcpy(p, w, 4);
		return;
	}
	memcpy(p, w, r->cmd == VFIO_DEVICE_SET_IRQS ? 20 : 12);
	if (r->cmd != VFIO_DEVICE_SET_IRQS)
		return;
	for (i = 0; i < r->b && i < 8; i++) {
		if (r->flags & VFIO_IRQ_SET_DATA_EVENTFD)
			memcpy(p + 20 + 4 * i, &evfd, 4);
		else if (r->flags & VFIO_IRQ_SET_DATA_BOOL)
			p[20 + i] = 1;
	}
}

struct dev_snapshot {
	uint8_t cfg[CFG_SIZE];
	uint8_t head[8192], tail[8192];
};

static int snapshot(struct vdev *d, struct dev_snapshot *s)
{
	int ret = cfg_dump(d, s->cfg);

	if (!ret)
		ret = bar_read(d, 0, s->head, sizeof(s->head));
	if (!ret)
		ret = bar_read(d, d->bar.size - sizeof(s->tail), s->tail, sizeof(s->tail));
	return ret;
}

static void run_row(void *vself, const struct ht_variant *variant)
{
	struct ht_self_dev *self = vself;
	const struct row *r = ht_param;
	struct dev_snapshot before, after;
	uint64_t pos = row_pos(r, &self->d), len = r->len;
	struct cbuf c;
	uint8_t tmp[64];
	long ret = 0, changed;
	int err = 0, evfd;
	void *ptr, *map;

	(void)variant;
	ASSERT_RET(cbuf_init(&c), 0);
	ptr = row_ptr(r, &c);
	if (r->kind != K_IOCTL && r->err &&
	    (r->base == B_ABS || r->base == B_CFG_END ||
	     (r->base == B_BAR_END && r->off < (1ULL << 62)))) {
		if (overlaps_region(pos, r->kind == K_MMAP ? 4096 : len, &self->d))
			SKIP("position 0x%llx lies in a region of this device",
			     (unsigned long long)pos);
	}

	switch (r->kind) {
	case K_IOCTL:
		evfd = eventfd(0, EFD_CLOEXEC);
		memset(tmp, CANARY, sizeof(tmp));
		build_arg(r, tmp, evfd);
		if (r->ptr == P_EDGE)
			memcpy(ptr, tmp, 8);
		else if (r->ptr == P_OK || r->ptr == P_RO)
			memcpy(ptr, tmp, sizeof(tmp));
		if (r->ptr == P_RO)
			ASSERT_OK(mprotect(c.base, PAGE_SZ, PROT_READ));
		cbuf_snap(&c);
		errno = 0;
		ret = ioctl(self->d.fd, r->cmd, ptr);
		err = errno;
		if (evfd >= 0)
			close(evfd);
		if (r->ptr == P_RO)
			mprotect(c.base, PAGE_SZ, PROT_READ | PROT_WRITE);
		/* a failing call writes nothing; a passing one nothing past argsz */
		changed = cbuf_changed(&c, ret ? 0 : (r->argsz < 64 ? r->argsz : 64),
				       3 * PAGE_SZ);
		if (changed >= 0) {
			ht_diag("ioctl changed user byte %ld (argsz %u, ret %ld)",
				changed, r->argsz, ret);
			ht_fail(0);
		}
		break;

	case K_READ:
		if (r->ptr == P_RO)
			ASSERT_OK(mprotect(c.base, PAGE_SZ, PROT_READ));
		cbuf_snap(&c);
		errno = 0;
		ret = pread(self->d.fd, ptr, len, (off_t)pos);
		err = errno;
		if (r->ptr == P_RO)
			mprotect(c.base, PAGE_SZ, PROT_READ | PROT_WRITE);
		/*
		 * A rejected read leaves the buffer alone.  EFAULT is the
		 * exception: bytes before the bad page may have been copied.
		 */
		if (ret < 0 && err != EFAULT &&
		    (changed = cbuf_changed(&c, 0, 3 * PAGE_SZ)) >= 0) {
			ht_diag("failed read changed buffer byte %ld", changed);
			ht_fail(0);
		}
		if (ret >= 0 && (uint64_t)ret != len) {
			ht_diag("short read: %ld of %llu", ret, (unsigned long long)len);
			ht_fail(0);
		}
		break;

	case K_WRITE:
		memset(c.base, 0xff, 3 * PAGE_SZ);
		ASSERT_RET(snapshot(&self->d, &before), 0);
		errno = 0;
		ret = pwrite(self->d.fd, ptr, len, (off_t)pos);
		err = errno;
		ASSERT_RET(snapshot(&self->d, &after), 0);
		if (ret < 0 && memcmp(&before, &after, sizeof(before))) {
			ht_diag("failed write changed the device (nothing partial allowed)");
			ht_fail(0);
		}
		break;

	case K_MMAP:
		/* len codes: 1 = size + page, 2 = 2 * size, 0 = whole, 3 = zero */
		if (len == 0)
			len = self->d.bar.size;
		else if (len == 1)
			len = self->d.bar.size + PAGE_SZ;
		else if (len == 2)
			len = 2 * self->d.bar.size;
		else if (len == 3)
			len = 0;
		errno = 0;
		map = mmap(NULL, len, r->prot, r->mflags, self->d.fd, (off_t)pos);
		err = errno;
		ret = map == MAP_FAILED ? -1 : 0;
		if (map != MAP_FAILED) {
			/* touch it: the first fault must work too */
			volatile uint8_t *p8 = map;

			(void)p8[0];
			munmap(map, len);
		}
		break;
	}

	if (r->err) {
		if (ret != -1 || err != r->err) {
			ht_diag("%s: got %ld errno %s, want -1 errno %s", r->name,
				ret, ht_errname(err), ht_errname(r->err));
			ht_fail(0);
		}
	} else if (ret < 0) {
		ht_diag("%s: got %ld errno %s, want success", r->name, ret,
			ht_errname(err));
		ht_fail(0);
	}
	cbuf_free(&c);
}

/* Row names as TAP test names: "catalog.<row>" under each type. */
__attribute__((constructor)) static void register_catalog(void)
{
	static char names[NROWS][80];
	size_t i;

	for (i = 0; i < NROWS; i++) {
		snprintf(names[i], sizeof(names[i]), "catalog.%s", catalog[i].name);
		ht_register_param(names[i], &ht_fixture_dev, run_row, &catalog[i]);
	}
}

/* Keeps the table honest: the spec asks for at least 80 failing cases. */
TEST(catalog_has_80_bad_inputs)
{
	size_t i, bad = 0;

	for (i = 0; i < NROWS; i++)
		if (catalog[i].err)
			bad++;
	ht_diag("catalog: %zu rows, %zu expect an error", NROWS, bad);
	EXPECT_GE(bad, 80);
}

/* ---- REQ: the host asks the user to release the device ---- */

static int set_req(int devfd, uint32_t data, uint32_t count, int32_t val)
{
	uint8_t buf[24] = { 0 };
	struct vfio_irq_set hdr = {
		.argsz = data == VFIO_IRQ_SET_DATA_EVENTFD ? 24 :
			 data == VFIO_IRQ_SET_DATA_BOOL ? 21 : 20,
		.flags = data | VFIO_IRQ_SET_ACTION_TRIGGER,
		.index = REQ_INDEX, .start = 0, .count = count,
	};

	memcpy(buf, &hdr, sizeof(hdr));
	if (data == VFIO_IRQ_SET_DATA_EVENTFD)
		memcpy(buf + 20, &val, 4);
	else
		buf[20] = (uint8_t)val;
	return ioctl(devfd, VFIO_DEVICE_SET_IRQS, buf) ? -errno : 0;
}

/* The eventfd's count after waiting up to @ms for it (0: never signalled) */
static uint64_t evfd_wait(int efd, int ms)
{
	struct pollfd p = { .fd = efd, .events = POLLIN };
	uint64_t n = 0;

	if (poll(&p, 1, ms) == 1 && read(efd, &n, sizeof(n)) != sizeof(n))
		n = 0;
	return n;
}

/* Every way SET_IRQS sets, signals and clears the REQ eventfd */
TEST_F(dev, req_eventfd_set_signal_clear)
{
	int efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	int devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);

	ASSERT_GE(efd, 0);
	ASSERT_RET(set_req(self->d.fd, VFIO_IRQ_SET_DATA_EVENTFD, 1, efd), 0);
	EXPECT_EQ(evfd_wait(efd, 0), 0);
	EXPECT_RET(set_req(self->d.fd, VFIO_IRQ_SET_DATA_NONE, 1, 0), 0);
	EXPECT_EQ(evfd_wait(efd, 1000), 1);
	EXPECT_RET(set_req(self->d.fd, VFIO_IRQ_SET_DATA_BOOL, 1, 0), 0);
	EXPECT_EQ(evfd_wait(efd, 100), 0);
	EXPECT_RET(set_req(self->d.fd, VFIO_IRQ_SET_DATA_BOOL, 1, 1), 0);
	EXPECT_EQ(evfd_wait(efd, 1000), 1);
	/* fd -1 clears it */
	EXPECT_RET(set_req(self->d.fd, VFIO_IRQ_SET_DATA_EVENTFD, 1, -1), 0);
	EXPECT_RET(set_req(self->d.fd, VFIO_IRQ_SET_DATA_NONE, 1, 0), 0);
	EXPECT_EQ(evfd_wait(efd, 100), 0);
	/* so does count 0 */
	ASSERT_RET(set_req(self->d.fd, VFIO_IRQ_SET_DATA_EVENTFD, 1, efd), 0);
	EXPECT_RET(set_req(self->d.fd, VFIO_IRQ_SET_DATA_NONE, 0, 0), 0);
	EXPECT_RET(set_req(self->d.fd, VFIO_IRQ_SET_DATA_NONE, 1, 0), 0);
	EXPECT_EQ(evfd_wait(efd, 100), 0);
	/* what is not an eventfd is refused, and the old setting stays */
	ASSERT_RET(set_req(self->d.fd, VFIO_IRQ_SET_DATA_EVENTFD, 1, efd), 0);
	EXPECT_RET(set_req(self->d.fd, VFIO_IRQ_SET_DATA_EVENTFD, 1, -2), -EINVAL);
	EXPECT_RET(set_req(self->d.fd, VFIO_IRQ_SET_DATA_EVENTFD, 1, devnull), -EINVAL);
	EXPECT_RET(set_req(self->d.fd, VFIO_IRQ_SET_DATA_EVENTFD, 1, 1000000), -EBADF);
	EXPECT_RET(set_req(self->d.fd, VFIO_IRQ_SET_DATA_NONE, 1, 0), 0);
	EXPECT_EQ(evfd_wait(efd, 1000), 1);
	close(devnull);
	close(efd);
}

/* The last close forgets the eventfd: a new user starts without one */
TEST_F(dev, req_eventfd_dropped_at_last_close)
{
	int efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);

	ASSERT_GE(efd, 0);
	ASSERT_RET(set_req(self->d.fd, VFIO_IRQ_SET_DATA_EVENTFD, 1, efd), 0);
	ASSERT_RET(vdev_reopen_fd(&self->d, self->uuid), 0);
	EXPECT_RET(set_req(self->d.fd, VFIO_IRQ_SET_DATA_NONE, 1, 0), 0);
	EXPECT_EQ(evfd_wait(efd, 200), 0);
	close(efd);
}

/*
 * Writing `remove` while a user holds the device signals its REQ eventfd
 * at once (that is how QEMU learns to unplug); when the user closes in
 * answer, the remove returns and the instance is gone.
 */
TEST_F(dev, req_fires_on_remove)
{
	int efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	struct remover r;
	pthread_t th;

	remover_init(&r, self->uuid);
	ASSERT_GE(efd, 0);
	ASSERT_RET(set_req(self->d.fd, VFIO_IRQ_SET_DATA_EVENTFD, 1, efd), 0);
	ASSERT_EQ(pthread_create(&th, NULL, remover_run, &r), 0);
	EXPECT_GE(evfd_wait(efd, 5000), 1);
	EXPECT_FALSE(r.done);
	vdev_close(&self->d);
	EXPECT_TRUE(remover_wait(&r, 10000));
	pthread_join(th, NULL);
	EXPECT_RET(r.ret, 0);
	EXPECT_FALSE(mdev_exists(self->uuid));
	self->created = 0;
	EXPECT_TRUE(klog_has(self->uuid, "removal requested", "asked the user"));
	close(efd);
}

/*
 * A holder that sets no eventfd (or ignores it) keeps the remover waiting,
 * with a kernel log line every 10 s, until it closes; then remove returns.
 */
TEST(req_ignored_remove_waits_and_logs)
{
	struct remover r;
	char uuid[37];
	struct vdev d;
	pthread_t th;

	uuid_gen(uuid);
	remover_init(&r, uuid);
	if (mdev_count() >= mdpy_count())
		mdev_remove_all();
	ASSERT_RET(mdev_create(mdpy_ttypes[0].dir, uuid), 0);
	ASSERT_RET(vdev_open(&d, uuid), 0);
	ASSERT_EQ(pthread_create(&th, NULL, remover_run, &r), 0);
	sleep(12);
	EXPECT_FALSE(r.done);
	EXPECT_TRUE(klog_has(uuid, "takes no requests", "(0 s so far)"));
	EXPECT_TRUE(klog_has(uuid, "takes no requests", "(10 s so far)"));
	vdev_close(&d);
	EXPECT_TRUE(remover_wait(&r, 15000));
	pthread_join(th, NULL);
	EXPECT_RET(r.ret, 0);
	EXPECT_FALSE(mdev_exists(uuid));
}

HARNESS_MAIN
