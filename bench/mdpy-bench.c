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
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <linux/vfio.h>

#define PARENT_TYPES	"/sys/class/mdev_bus/mdpy/mdev_supported_types"
#define MDEV_DEVICES	"/sys/bus/mdev/devices"
#define MODULE_NAME	"mdpy"
#define MODULE_ARGS	"count=4096 budget_mb=65536"
#define MAX_REPS	64
#define MEM_FLOOR_KIB	(128 * 1024)	/* stop creating below this MemFree */

enum { T_OURS, T_SAMPLE, T_MEMFD, NT };
static const char *const tname[NT] = { "ours", "sample", "memfd" };

struct vtype {
	const char *name;	/* mdev type directory */
	const char *key;	/* short name in metric keys */
	unsigned int width, height;
};

static const struct vtype vtypes[] = {
	{ "mdpy-vga", "vga", 640, 480 },
	{ "mdpy-xga", "xga", 1024, 768 },
	{ "mdpy-hd", "hd", 1920, 1080 },
};
#define NTYPES (sizeof(vtypes) / sizeof(vtypes[0]))
#define IO_TYPE 2	/* throughput and latency are measured on mdpy-hd */

static unsigned int opt_reps = 3;	/* per round */
static unsigned int opt_rounds = 3;
static unsigned int opt_create_n = 64;	/* instances per type, create/remove */
static unsigned int opt_mem_k = 4;	/* instances per type, touched memory */
static unsigned int opt_cap = 1000;	/* max-instances probe stops here */
static double min_rep_ns = 30e6;

/* ---------------------------------------------------------------- utils */

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static void say(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	printf("# ");
	vprintf(fmt, ap);
	printf("\n");
	fflush(stdout);
	va_end(ap);
}

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

static long read_long(const char *path)
{
	char buf[64];
	ssize_t n;
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = 0;
	return strtol(buf, NULL, 10);
}

/* ------------------------------------------------------------- results */

struct result {
	char metric[48];
	int tgt;
	char unit[12];
	double med, min, max, p25, p75;
	int n;
	char note[96];
};

static struct result results[512];
static int nresults;

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

static struct result *stats_result(const char *metric, int tgt,
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

static struct result *value_result(const char *metric, int tgt,
				   const char *unit, double val)
{
	return stats_result(metric, tgt, unit, &val, 1);
}

static void error_result(const char *metric, int tgt, const char *what,
			 int err)
{
	struct result *r = add_result(metric, tgt, "");

	snprintf(r->note, sizeof(r->note), "error: %s: %s", what,
		 strerror(err));
	say("%s %s: error: %s: %s", tname[tgt], metric, what, strerror(err));
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

static void acc_add(const char *metric, int tgt, const char *unit,
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

static void acc_finish(void)
{
	int i;

	for (i = 0; i < naccs; i++)
		stats_result(accs[i].metric, accs[i].tgt, accs[i].unit,
			     accs[i].v, accs[i].n);
	naccs = 0;
}

static const struct result *find(const char *metric, int tgt)
{
	int i;

	for (i = 0; i < nresults; i++)
		if (results[i].tgt == tgt && !strcmp(results[i].metric, metric))
			return &results[i];
	return NULL;
}

static int have(const struct result *r)
{
	return r && r->n > 0;
}

/* -------------------------------------------------------------- devices */

/* A BAR0 to measure: an mdev instance opened through VFIO, or a memfd */
struct dev {
	int container, group, fd;
	uint64_t bar_off, bar_size, cfg_off;
	uint64_t frame;		/* visible bytes: width * height * 4 */
	void *map;		/* BAR0 mapping, bar_size long */
	uint64_t pos;		/* next offset of the pread/pwrite walk */
	int is_mdev;
	char uuid[40];
};

static void make_uuid(char *buf, size_t len, unsigned int tag, unsigned int i)
{
	snprintf(buf, len, "%08x-0b0b-4b0b-8b0b-%012x", tag, i);
}

static int mdev_create(const struct vtype *t, const char *uuid, double *ns)
{
	char path[256];
	int fd, err = 0;
	double t0;

	snprintf(path, sizeof(path), PARENT_TYPES "/%s/create", t->name);
	fd = open(path, O_WRONLY);
	if (fd < 0)
		return -errno;
	t0 = now_ns();
	if (write(fd, uuid, strlen(uuid)) < 0)
		err = -errno;
	if (ns)
		*ns = now_ns() - t0;
	close(fd);
	return err;
}

static int mdev_remove(const char *uuid, double *ns)
{
	char path[256];
	int fd, err = 0;
	double t0;

	snprintf(path, sizeof(path), MDEV_DEVICES "/%s/remove", uuid);
	fd = open(path, O_WRONLY);
	if (fd < 0)
		return -errno;
	t0 = now_ns();
	if (write(fd, "1", 1) < 0)
		err = -errno;
	if (ns)
		*ns = now_ns() - t0;
	close(fd);
	return err;
}

static long mdev_resident(const char *uuid)
{
	char path[256];

	snprintf(path, sizeof(path), MDEV_DEVICES "/%s/vendor/resident_bytes",
		 uuid);
	return read_long(path);
}

static int region(int fd, unsigned int index, struct vfio_region_info *ri)
{
	memset(ri, 0, sizeof(*ri));
	ri->argsz = sizeof(*ri);
	ri->index = index;
	return ioctl(fd, VFIO_DEVICE_GET_REGION_INFO, ri) ? -errno : 0;
}

static void dev_close(struct dev *d)
{
	if (d->map && d->map != MAP_FAILED)
		munmap(d->map, d->bar_size);
	d->map = NULL;
	if (d->fd >= 0)
		close(d->fd);
	if (d->group >= 0)
		close(d->group);
	if (d->container >= 0)
		close(d->container);
	d->fd = d->group = d->container = -1;
}

/* Open an instance the way QEMU does: container, group, device fd, map */
static int dev_open_mdev(struct dev *d, const char *uuid, uint64_t frame)
{
	struct vfio_group_status gs = { .argsz = sizeof(gs) };
	struct vfio_region_info ri;
	char path[300], link[256], *slash;
	ssize_t n;
	int err;

	memset(d, 0, sizeof(*d));
	d->container = d->group = d->fd = -1;
	d->is_mdev = 1;
	d->frame = frame;
	snprintf(d->uuid, sizeof(d->uuid), "%s", uuid);

	snprintf(path, sizeof(path), MDEV_DEVICES "/%s/iommu_group", uuid);
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0)
		return -errno;
	link[n] = 0;
	slash = strrchr(link, '/');
	snprintf(path, sizeof(path), "/dev/vfio/%s", slash ? slash + 1 : link);

	d->container = open("/dev/vfio/vfio", O_RDWR);
	d->group = open(path, O_RDWR);
	if (d->container < 0 || d->group < 0)
		goto fail;
	if (ioctl(d->group, VFIO_GROUP_GET_STATUS, &gs) ||
	    !(gs.flags & VFIO_GROUP_FLAGS_VIABLE))
		goto fail;
	if (ioctl(d->group, VFIO_GROUP_SET_CONTAINER, &d->container))
		goto fail;
	if (ioctl(d->container, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU))
		goto fail;
	d->fd = ioctl(d->group, VFIO_GROUP_GET_DEVICE_FD, uuid);
	if (d->fd < 0)
		goto fail;
	err = region(d->fd, VFIO_PCI_BAR0_REGION_INDEX, &ri);
	if (err)
		goto fail_err;
	d->bar_off = ri.offset;
	d->bar_size = ri.size;
	err = region(d->fd, VFIO_PCI_CONFIG_REGION_INDEX, &ri);
	if (err)
		goto fail_err;
	d->cfg_off = ri.offset;
	d->map = mmap(NULL, d->bar_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		      d->fd, d->bar_off);
	if (d->map == MAP_FAILED)
		goto fail;
	return 0;
fail:
	err = -errno;
fail_err:
	dev_close(d);
	return err ? err : -EIO;
}

static int dev_open_memfd(struct dev *d, uint64_t bar_size, uint64_t frame)
{
	memset(d, 0, sizeof(*d));
	d->container = d->group = -1;
	d->frame = frame;
	d->bar_size = bar_size;
	d->fd = memfd_create("mdpy-bench", 0);
	if (d->fd < 0)
		return -errno;
	if (ftruncate(d->fd, bar_size))
		goto fail;
	d->map = mmap(NULL, bar_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		      d->fd, 0);
	if (d->map == MAP_FAILED)
		goto fail;
	return 0;
fail:
	{
		int err = -errno;

		dev_close(d);
		return err;
	}
}

static uint64_t bar_size_for(const struct vtype *t)
{
	uint64_t need = (uint64_t)t->width * t->height * 4, size = 4096;

	while (size < need)
		size <<= 1;
	return size;
}

/* ------------------------------------------------------------ operations */

static char *buf;		/* user buffer, as large as the largest BAR */
static size_t io_size;
static int plane_ok;

typedef int (*op_fn)(struct dev *d);

static int op_pread(struct dev *d)
{
	ssize_t n;

	if (d->pos + io_size > d->frame)
		d->pos = 0;
	n = pread(d->fd, buf, io_size, d->bar_off + d->pos);
	if (n != (ssize_t)io_size)
		return n < 0 ? -errno : -EIO;
	d->pos += io_size;
	return 0;
}

static int op_pwrite(struct dev *d)
{
	ssize_t n;

	if (d->pos + io_size > d->frame)
		d->pos = 0;
	n = pwrite(d->fd, buf, io_size, d->bar_off + d->pos);
	if (n != (ssize_t)io_size)
		return n < 0 ? -errno : -EIO;
	d->pos += io_size;
	return 0;
}

static int op_mmap_read(struct dev *d)
{
	memcpy(buf, d->map, d->frame);
	__asm__ __volatile__("" ::: "memory");
	return 0;
}

static int op_mmap_write(struct dev *d)
{
	memcpy(d->map, buf, d->frame);
	__asm__ __volatile__("" ::: "memory");
	return 0;
}

/* A fresh mapping read once: page-fault cost included */
static int op_mmap_fresh(struct dev *d)
{
	void *m = mmap(NULL, d->bar_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		       d->fd, d->bar_off);

	if (m == MAP_FAILED)
		return -errno;
	memcpy(buf, m, d->frame);
	__asm__ __volatile__("" ::: "memory");
	munmap(m, d->bar_size);
	return 0;
}

static int op_cfg_pread(struct dev *d)
{
	uint32_t v;

	ssize_t n = pread(d->fd, &v, 4, d->cfg_off);

	if (n != 4)
		return n < 0 ? -errno : -EIO;
	return 0;
}

static int op_plane(struct dev *d)
{
	struct vfio_device_gfx_plane_info p;

	/* what QEMU's region display asks on every refresh */
	memset(&p, 0, sizeof(p));
	p.argsz = sizeof(p);
	p.flags = VFIO_GFX_PLANE_TYPE_REGION;
	if (ioctl(d->fd, VFIO_DEVICE_QUERY_GFX_PLANE, &p))
		return -errno;
	plane_ok = p.width == vtypes[IO_TYPE].width &&
		   p.height == vtypes[IO_TYPE].height;
	return 0;
}

static int op_getppid(struct dev *d)
{
	(void)d;
	syscall(SYS_getppid);
	return 0;
}

/* What one I/O run measures: a target and its opened BAR */
struct subject {
	int tgt;
	struct dev *d;
};

/* Run @fn in chunks until at least @min_ns passed; returns ns, sets *ops */
static double run_for(op_fn fn, struct dev *d, unsigned long chunk,
		      double min_ns, unsigned long *ops, int *err)
{
	double t0 = now_ns(), t;
	unsigned long i, n = 0;

	do {
		for (i = 0; i < chunk; i++) {
			*err = fn(d);
			if (*err)
				return 0;
		}
		n += chunk;
		t = now_ns() - t0;
	} while (t < min_ns);
	*ops = n;
	return t;
}

static unsigned long chunk_for(double one_ns)
{
	unsigned long chunk = one_ns > 0 ? (unsigned long)(2e6 / one_ns) : 1000;

	return chunk < 1 ? 1 : chunk > 100000 ? 100000 : chunk;
}

/*
 * One metric on one or more subjects: warm up, pick a chunk of operations
 * worth ~2 ms, then time opt_reps repetitions of at least min_rep_ns each,
 * alternating between the subjects so a change in the host's load hits
 * them alike.  @bytes per operation gives MB/s (1e6 bytes/s); 0 gives
 * microseconds per operation.  With @rel, each repetition also times an
 * empty syscall right after the operation and records the ratio as
 * METRIC_rel: latencies compared across module loads are judged on that,
 * which cancels the load other work puts on the host meanwhile.
 */
static void measure_x(const char *metric, struct subject *sub, int ns,
		      op_fn fn, size_t bytes, int rel)
{
	double vals[4][MAX_REPS], rels[4][MAX_REPS], t0, t, one, tr;
	unsigned long chunk[4], rchunk = 1, n, nr;
	int failed[4] = { 0 };
	char relname[64];
	unsigned int r;
	int j, err = 0;

	if (rel) {
		t0 = now_ns();
		op_getppid(NULL);
		rchunk = chunk_for(now_ns() - t0);
	}
	for (j = 0; j < ns && j < 4; j++) {
		sub[j].d->pos = 0;
		t0 = now_ns();
		err = fn(sub[j].d);
		one = now_ns() - t0;
		if (err) {
			error_result(metric, sub[j].tgt, "operation failed", -err);
			failed[j] = 1;
		}
		chunk[j] = chunk_for(one);
	}
	for (r = 0; r < opt_reps; r++) {
		for (j = 0; j < ns && j < 4; j++) {
			if (failed[j])
				continue;
			t = run_for(fn, sub[j].d, chunk[j], min_rep_ns, &n, &err);
			if (err) {
				error_result(metric, sub[j].tgt, "operation failed", -err);
				failed[j] = 1;
				continue;
			}
			vals[j][r] = bytes ? (double)bytes * n / t * 1e3 : t / n / 1e3;
			if (rel) {
				tr = run_for(op_getppid, NULL, rchunk, min_rep_ns / 2,
					     &nr, &err);
				rels[j][r] = (t / n) / (tr / nr);
			}
		}
	}
	snprintf(relname, sizeof(relname), "%s_rel", metric);
	for (j = 0; j < ns && j < 4; j++) {
		if (failed[j])
			continue;
		acc_add(metric, sub[j].tgt, bytes ? "MB/s" : "us", vals[j], opt_reps);
		if (rel)
			acc_add(relname, sub[j].tgt, "x getppid", rels[j], opt_reps);
	}
}

static void measure(const char *metric, struct subject *sub, int ns,
		    op_fn fn, size_t bytes)
{
	measure_x(metric, sub, ns, fn, bytes, 0);
}

static const size_t io_sizes[] = { 4, 64, 4096, 65536, 0 /* frame */ };
static const char *const io_names[] = { "4", "64", "4k", "64k", "frame" };
#define NIO (sizeof(io_sizes) / sizeof(io_sizes[0]))

/*
 * Throughput and latency on opened BARs of mdpy-hd geometry; several
 * subjects (ours and the memfd) are measured interleaved.
 */
static void io_suite(struct subject *sub, int ns)
{
	struct subject mdevs[4];
	int j, nm = 0;
	uint64_t frame = sub[0].d->frame;
	char m[48];
	unsigned int i;

	for (j = 0; j < ns; j++) {
		say("%s: pread/pwrite/mmap/config/plane", tname[sub[j].tgt]);
		if (sub[j].d->is_mdev)
			mdevs[nm++] = sub[j];
	}
	/* before anything touched the BAR: reads of the power-on picture */
	io_size = frame;
	measure("pread_frame_untouched", sub, ns, op_pread, frame);

	/* now every page of the frame exists, as in a running guest */
	memset(buf, 0x5a, sub[0].d->bar_size);
	for (j = 0; j < ns; j++) {
		sub[j].d->pos = 0;
		if (op_pwrite(sub[j].d))
			say("%s: warm-up write failed", tname[sub[j].tgt]);
		op_mmap_write(sub[j].d);
	}

	for (i = 0; i < NIO; i++) {
		io_size = io_sizes[i] ? io_sizes[i] : frame;
		snprintf(m, sizeof(m), "pread_%s", io_names[i]);
		measure(m, sub, ns, op_pread, io_size);
		snprintf(m, sizeof(m), "pwrite_%s", io_names[i]);
		measure(m, sub, ns, op_pwrite, io_size);
	}
	measure("mmap_read", sub, ns, op_mmap_read, frame);
	measure("mmap_write", sub, ns, op_mmap_write, frame);
	measure("mmap_fresh_read", sub, ns, op_mmap_fresh, frame);
	/* on a memfd: the limit for a 4-byte trapped read is a 4-byte file read */
	measure_x("cfg_pread4", sub, ns, op_cfg_pread, 0, 1);
	if (nm) {
		plane_ok = 0;
		measure_x("plane_query", mdevs, nm, op_plane, 0, 1);
		if (!plane_ok)
			say("plane query did not report %ux%u",
			    vtypes[IO_TYPE].width, vtypes[IO_TYPE].height);
	}
	measure("getppid", sub, ns, op_getppid, 0);
}

/* --------------------------------------------------------------- memory */

struct memsnap {
	long free_kib;		/* MemFree + pages on per-cpu lists */
	long shmem_kib;
	long vmalloc_kib;	/* pages backing vmalloc areas */
};

static void snap(struct memsnap *s)
{
	char line[512];
	FILE *f;
	long v;

	memset(s, 0, sizeof(*s));
	f = fopen("/proc/meminfo", "r");
	if (f) {
		while (fgets(line, sizeof(line), f)) {
			if (sscanf(line, "MemFree: %ld", &v) == 1)
				s->free_kib += v;
			else if (sscanf(line, "Shmem: %ld", &v) == 1)
				s->shmem_kib = v;
		}
		fclose(f);
	}
	/* free pages parked on per-cpu lists are not in MemFree */
	f = fopen("/proc/zoneinfo", "r");
	if (f) {
		while (fgets(line, sizeof(line), f))
			if (sscanf(line, " count: %ld", &v) == 1)
				s->free_kib += v * 4;
		fclose(f);
	}
	f = fopen("/proc/vmallocinfo", "r");
	if (f) {
		while (fgets(line, sizeof(line), f)) {
			char *p = strstr(line, " pages=");

			if (p && sscanf(p, " pages=%ld", &v) == 1)
				s->vmalloc_kib += v * 4;
		}
		fclose(f);
	}
}

/* MemFree + per-cpu free pages, without the cost of walking vmallocinfo */
static long mem_free_kib(void)
{
	char line[256];
	long v, kib = 0;
	FILE *f = fopen("/proc/meminfo", "r");

	if (f) {
		while (fgets(line, sizeof(line), f))
			if (sscanf(line, "MemFree: %ld", &v) == 1)
				kib += v;
		fclose(f);
	}
	f = fopen("/proc/zoneinfo", "r");
	if (f) {
		while (fgets(line, sizeof(line), f))
			if (sscanf(line, " count: %ld", &v) == 1)
				kib += v * 4;
		fclose(f);
	}
	return kib;
}

/* Per-instance deltas between two snapshots, in KiB */
static void mem_results(const char *key, int tgt, const struct memsnap *a,
			const struct memsnap *b, unsigned int k, long resident)
{
	char m[48];
	double all = (double)(a->free_kib - b->free_kib) / k;
	double vm = (double)(b->vmalloc_kib - a->vmalloc_kib) / k;
	double sh = (double)(b->shmem_kib - a->shmem_kib) / k;
	double fb;

	/* the framebuffer as each target holds it */
	if (tgt == T_OURS)
		fb = resident >= 0 ? resident / 1024.0 / k : -1;
	else if (tgt == T_SAMPLE)
		fb = vm;
	else
		fb = sh;
	snprintf(m, sizeof(m), "mem_%s_fb", key);
	value_result(m, tgt, "KiB", fb);
	snprintf(m, sizeof(m), "mem_%s_all", key);
	value_result(m, tgt, "KiB", all);
	snprintf(m, sizeof(m), "mem_%s_vmalloc", key);
	value_result(m, tgt, "KiB", vm);
	snprintf(m, sizeof(m), "mem_%s_shmem", key);
	value_result(m, tgt, "KiB", sh);
	if (tgt == T_OURS) {
		snprintf(m, sizeof(m), "mem_%s_resident", key);
		value_result(m, tgt, "KiB", resident / 1024.0 / k);
	}
}

static long sum_resident(struct dev *d, unsigned int k)
{
	long sum = 0, v;
	unsigned int i;

	for (i = 0; i < k; i++) {
		v = mdev_resident(d[i].uuid);
		if (v < 0)
			return -1;
		sum += v;
	}
	return sum;
}

/*
 * Per type: create/remove latency and idle memory over opt_create_n
 * instances, then opt_mem_k instances opened, read and drawn through mmap.
 */
static void type_suite(int tgt, const struct vtype *t, unsigned int tag)
{
	unsigned int n = opt_create_n, k = opt_mem_k, i, made = 0;
	double *cr = calloc(n, sizeof(double)), *rm = calloc(n, sizeof(double));
	struct dev d[16];
	struct memsnap s0, s1;
	char uuid[40], m[64];
	long res = 0;
	int err;

	say("%s: %s create/remove x%u, memory x%u", tname[tgt], t->name, n, k);
	snap(&s0);
	for (i = 0; i < n; i++) {
		make_uuid(uuid, sizeof(uuid), tag, i);
		err = mdev_create(t, uuid, &cr[i]);
		if (err) {
			snprintf(m, sizeof(m), "create_%s", t->key);
			error_result(m, tgt, "create", -err);
			break;
		}
		cr[i] /= 1e3;
		made++;
	}
	snap(&s1);
	for (i = 0; i < made && res >= 0; i++) {
		long v;

		make_uuid(uuid, sizeof(uuid), tag, i);
		v = mdev_resident(uuid);
		res = v < 0 ? -1 : res + v;
	}
	if (made == n) {
		snprintf(m, sizeof(m), "%s_idle", t->key);
		mem_results(m, tgt, &s0, &s1, n, res);
	}
	for (i = 0; i < made; i++) {
		make_uuid(uuid, sizeof(uuid), tag, i);
		err = mdev_remove(uuid, &rm[i]);
		if (err) {
			snprintf(m, sizeof(m), "remove_%s", t->key);
			error_result(m, tgt, "remove", -err);
			made = 0;
			break;
		}
		rm[i] /= 1e3;
	}
	if (made == n) {
		snprintf(m, sizeof(m), "create_%s", t->key);
		stats_result(m, tgt, "us", cr, n);
		snprintf(m, sizeof(m), "remove_%s", t->key);
		stats_result(m, tgt, "us", rm, n);
	}
	free(cr);
	free(rm);

	/* touched memory: K instances, opened and mapped like QEMU does */
	if (k > 16)
		k = 16;
	snap(&s0);
	for (i = 0; i < k; i++) {
		make_uuid(uuid, sizeof(uuid), tag + 1, i);
		err = mdev_create(t, uuid, NULL);
		if (err) {
			snprintf(m, sizeof(m), "mem_%s_read_fb", t->key);
			error_result(m, tgt, "create", -err);
			k = i;
			goto out;
		}
		err = dev_open_mdev(&d[i], uuid,
				    (uint64_t)t->width * t->height * 4);
		if (err) {
			snprintf(m, sizeof(m), "mem_%s_read_fb", t->key);
			error_result(m, tgt, "open", -err);
			mdev_remove(uuid, NULL);
			k = i;
			goto out;
		}
	}
	snap(&s1);
	snprintf(m, sizeof(m), "%s_open", t->key);
	mem_results(m, tgt, &s0, &s1, k, tgt == T_OURS ? sum_resident(d, k) : -1);
	for (i = 0; i < k; i++)
		op_mmap_read(&d[i]);
	snap(&s1);
	snprintf(m, sizeof(m), "%s_read", t->key);
	mem_results(m, tgt, &s0, &s1, k, tgt == T_OURS ? sum_resident(d, k) : -1);
	memset(buf, 0xa5, d[0].bar_size);
	for (i = 0; i < k; i++)
		op_mmap_write(&d[i]);
	snap(&s1);
	snprintf(m, sizeof(m), "%s_write", t->key);
	mem_results(m, tgt, &s0, &s1, k, tgt == T_OURS ? sum_resident(d, k) : -1);
	for (i = 0; i < k; i++)
		ioctl(d[i].fd, VFIO_DEVICE_RESET);
	snap(&s1);
	snprintf(m, sizeof(m), "%s_reset", t->key);
	mem_results(m, tgt, &s0, &s1, k, tgt == T_OURS ? sum_resident(d, k) : -1);
out:
	for (i = 0; i < k; i++) {
		dev_close(&d[i]);
		mdev_remove(d[i].uuid, NULL);
	}
	snap(&s1);
	snprintf(m, sizeof(m), "mem_%s_left_after_remove", t->key);
	value_result(m, tgt, "KiB", (double)(s0.free_kib - s1.free_kib));
}

/* The same memory phases on memfds of each type's BAR size */
static void memfd_type_suite(const struct vtype *t)
{
	unsigned int k = opt_mem_k > 16 ? 16 : opt_mem_k, i;
	uint64_t frame = (uint64_t)t->width * t->height * 4;
	struct dev d[16];
	struct memsnap s0, s1;
	char m[48];
	int err;

	say("memfd: %s-sized memory x%u", t->name, k);
	snap(&s0);
	for (i = 0; i < k; i++) {
		err = dev_open_memfd(&d[i], bar_size_for(t), frame);
		if (err) {
			snprintf(m, sizeof(m), "mem_%s_read_fb", t->key);
			error_result(m, T_MEMFD, "memfd", -err);
			k = i;
			goto out;
		}
	}
	snap(&s1);
	snprintf(m, sizeof(m), "%s_idle", t->key);
	mem_results(m, T_MEMFD, &s0, &s1, k, -1);
	for (i = 0; i < k; i++)
		op_mmap_read(&d[i]);
	snap(&s1);
	snprintf(m, sizeof(m), "%s_read", t->key);
	mem_results(m, T_MEMFD, &s0, &s1, k, -1);
	memset(buf, 0xa5, d[0].bar_size);
	for (i = 0; i < k; i++)
		op_mmap_write(&d[i]);
	snap(&s1);
	snprintf(m, sizeof(m), "%s_write", t->key);
	mem_results(m, T_MEMFD, &s0, &s1, k, -1);
out:
	for (i = 0; i < k; i++)
		dev_close(&d[i]);
}

/* How many idle mdpy-hd instances exist at once (until failure/cap/floor) */
static void max_suite(int tgt, unsigned int tag)
{
	const struct vtype *t = &vtypes[IO_TYPE];
	unsigned int i, made = 0;
	char uuid[40], why[96] = "";
	struct result *r;
	struct memsnap s0, s1;
	double t0, secs;
	int err;

	say("%s: max %s instances (cap %u)", tname[tgt], t->name, opt_cap);
	snap(&s0);
	t0 = now_ns();
	for (i = 0; i < opt_cap; i++) {
		/* never into the OOM killer: room for one more whole BAR */
		if (mem_free_kib() - (long)(bar_size_for(t) / 1024) < MEM_FLOOR_KIB) {
			snprintf(why, sizeof(why),
				 "stopped: MemFree below %d MiB",
				 MEM_FLOOR_KIB / 1024);
			break;
		}
		make_uuid(uuid, sizeof(uuid), tag, i);
		err = mdev_create(t, uuid, NULL);
		if (err) {
			snprintf(why, sizeof(why), "create %u failed: %s",
				 i + 1, strerror(-err));
			break;
		}
		made++;
	}
	if (!why[0])
		snprintf(why, sizeof(why), "stopped at the cap of %u", opt_cap);
	secs = (now_ns() - t0) / 1e9;
	snap(&s1);
	r = value_result("max_hd", tgt, "instances", made);
	snprintf(r->note, sizeof(r->note), "%s", why);
	value_result("max_hd_kib_each", tgt, "KiB",
		     made ? (double)(s0.free_kib - s1.free_kib) / made : 0);
	value_result("max_hd_create_s", tgt, "s", secs);
	say("%s: %u instances (%s) in %.1f s", tname[tgt], made, why, secs);
	t0 = now_ns();
	for (i = 0; i < made; i++) {
		make_uuid(uuid, sizeof(uuid), tag, i);
		err = mdev_remove(uuid, NULL);
		if (err)
			say("%s: remove %s: %s", tname[tgt], uuid, strerror(-err));
	}
	value_result("max_hd_remove_s", tgt, "s", (now_ns() - t0) / 1e9);
}

/* -------------------------------------------------------------- modules */

static int load_module(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), err = 0;

	if (fd < 0)
		return -errno;
	if (syscall(SYS_finit_module, fd, MODULE_ARGS, 0))
		err = -errno;
	close(fd);
	return err;
}

static int unload_module(void)
{
	int tries;

	for (tries = 0; tries < 50; tries++) {
		if (!syscall(SYS_delete_module, MODULE_NAME, O_NONBLOCK))
			return 0;
		if (errno != EAGAIN && errno != EBUSY)
			break;
		usleep(100000);
	}
	return -errno;
}

/* Everything for one module, loaded here and unloaded at the end */
static int memfd_io_done;

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

	say("%s: load %s %s", tname[tgt], ko, MODULE_ARGS);
	err = load_module(ko);
	if (err) {
		error_result("load", tgt, ko, -err);
		return 1;
	}
	if (part == PART_IO) {
		make_uuid(uuid, sizeof(uuid), 0x10 + tgt, 0);
		err = mdev_create(t, uuid, NULL);
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
		mdev_remove(uuid, NULL);
	}
	if (part == PART_REST) {
		for (i = 0; i < NTYPES; i++)
			type_suite(tgt, &vtypes[i], 0x100 * (tgt + 1) + 0x10 * i);
		max_suite(tgt, 0x1000 * (tgt + 1));
	}

	err = unload_module();
	if (err) {
		error_result("unload", tgt, MODULE_NAME, -err);
		return -1;
	}
	say("%s: unloaded after %.1f s", tname[tgt], (now_ns() - t0) / 1e9);
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

/* ---------------------------------------------------------------- report */

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

static void judge(void)
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
}

/* Total-memory deltas must agree with resident_bytes where pages were added */
static void cross_check(FILE *f)
{
	static const char *const phases[] = { "read", "write" };
	unsigned int i, p;

	fprintf(f, "\nCross-check, ours (per instance, KiB): growth of kernel memory"
		   " (MemFree+pcp) since open vs growth of resident_bytes\n");
	for (i = 0; i < NTYPES; i++) {
		for (p = 0; p < 2; p++) {
			char m[48];
			const struct result *a0, *a1, *r0, *r1;
			double da, dr;

			snprintf(m, sizeof(m), "mem_%s_open_all", vtypes[i].key);
			a0 = find(m, T_OURS);
			snprintf(m, sizeof(m), "mem_%s_%s_all", vtypes[i].key,
				 phases[p]);
			a1 = find(m, T_OURS);
			snprintf(m, sizeof(m), "mem_%s_open_resident", vtypes[i].key);
			r0 = find(m, T_OURS);
			snprintf(m, sizeof(m), "mem_%s_%s_resident",
				 vtypes[i].key, phases[p]);
			r1 = find(m, T_OURS);
			if (!have(a0) || !have(a1) || !have(r0) || !have(r1))
				continue;
			da = a1->med - a0->med;
			dr = r1->med - r0->med;
			fprintf(f, "  %-4s after %-5s  meminfo %+8.0f  resident %+8.0f  %s\n",
				vtypes[i].key, phases[p], da, dr,
				(da - dr < 0.1 * dr + 256 && dr - da < 0.1 * dr + 256) ?
				"agree (within 10% + 256 KiB)" : "DISAGREE");
		}
	}
}

static void print_table(FILE *f, const char *kver)
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

	cross_check(f);

	fprintf(f, "\ntargets (issue 8), on medians\n");
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

static void write_json(FILE *f, const char *kver)
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

/* ------------------------------------------------------------------ main */

static void usage(void)
{
	fprintf(stderr,
		"usage: mdpy-bench [--ours KO] [--sample KO] [--no-memfd] [--kver K]\n"
		"                  [--json FILE] [--table FILE] [--rounds N] [--reps N]\n"
		"                  [--create N] [--mem-k N] [--cap N] [--min-ms MS]\n");
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
	for (r = 0; r < opt_rounds + 1; r++) {
		int part = r < opt_rounds ? PART_IO : PART_REST;
		int k;

		say("round %u of %u (%s)", r + 1, opt_rounds + 1,
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
