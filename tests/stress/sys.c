// SPDX-License-Identifier: GPL-2.0
/*
 * mdpy-stress: TAP output, module and instance control, the kernel log
 * watcher, memory snapshots, VFIO device opening and the expected device
 * contents (from the documented ABI).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/vfio.h>

#include "stress.h"

const struct stype stypes[NTYPES] = {
	{ "mdpy-vga", 640, 480, 2UL << 20 },
	{ "mdpy-xga", 1024, 768, 4UL << 20 },
	{ "mdpy-hd", 1920, 1080, 8UL << 20 },
};

/* --- TAP ----------------------------------------------------------------- */

static pthread_mutex_t out_lock = PTHREAD_MUTEX_INITIALIZER;
static int tap_n, tap_bad;

void tap_result(int ok, const char *fmt, ...)
{
	va_list ap;

	pthread_mutex_lock(&out_lock);
	tap_n++;
	if (!ok)
		tap_bad++;
	printf("%sok %d - ", ok ? "" : "not ", tap_n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	pthread_mutex_unlock(&out_lock);
}

/* Comment lines go to the TAP stream and to stderr (the console log) */
void diag(const char *fmt, ...)
{
	char line[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	pthread_mutex_lock(&out_lock);
	printf("# %s\n", line);
	fflush(stdout);
	fprintf(stderr, "stress: %s\n", line);
	pthread_mutex_unlock(&out_lock);
}

int tap_failed(void)
{
	return tap_bad;
}

void tap_plan(void)
{
	printf("1..%d\n", tap_n);
	fflush(stdout);
}

/* --- sysfs, module, instances -------------------------------------------- */

int write_file(const char *path, const char *s)
{
	size_t len = strlen(s);
	ssize_t n;
	int fd, e;

	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = write(fd, s, len);
	e = errno;
	close(fd);
	if (n < 0)
		return -e;
	return (size_t)n == len ? 0 : -EIO;
}

int read_long(const char *path, long *v)
{
	char buf[64];
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -EIO;
	buf[n] = 0;
	*v = strtol(buf, NULL, 10);
	return 0;
}

int mod_loaded(void)
{
	return access("/sys/module/" MDPY_MOD, F_OK) == 0;
}

int mod_load(const char *ko, unsigned int count)
{
	char params[32];
	int fd, ret = 0;

	fd = open(ko, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	snprintf(params, sizeof(params), "count=%u", count);
	if (syscall(SYS_finit_module, fd, params, 0))
		ret = -errno;
	close(fd);
	return ret;
}

/* As rmmod does: refuse at once (EWOULDBLOCK/EBUSY) if the module is in use */
int mod_unload(void)
{
	return syscall(SYS_delete_module, MDPY_MOD, O_NONBLOCK) ? -errno : 0;
}

void uuid_from(struct rng *r, char out[37])
{
	uint64_t a = rnd(r), b = rnd(r);

	a = (a & ~0xf000ULL) | 0x4000ULL;			/* version 4 */
	b = (b & ~(3ULL << 62)) | (2ULL << 62);			/* variant */
	snprintf(out, 37, "%08x-%04x-%04x-%04x-%012llx",
		 (unsigned int)(a >> 32), (unsigned int)(a >> 16) & 0xffff,
		 (unsigned int)a & 0xffff, (unsigned int)(b >> 48),
		 (unsigned long long)(b & 0xffffffffffffULL));
}

int inst_create(int type, const char *uuid)
{
	char path[512];

	snprintf(path, sizeof(path), TYPES_DIR "/%s/create", stypes[type].name);
	return write_file(path, uuid);
}

int inst_remove(const char *uuid)
{
	char path[512];

	snprintf(path, sizeof(path), MDEV_DIR "/%s/remove", uuid);
	return write_file(path, "1");
}

int inst_exists(const char *uuid)
{
	char path[512];

	snprintf(path, sizeof(path), MDEV_DIR "/%s", uuid);
	return access(path, F_OK) == 0;
}

long inst_resident(const char *uuid)
{
	char path[512];
	long v;

	snprintf(path, sizeof(path), MDEV_DIR "/%s/vendor/resident_bytes", uuid);
	return read_long(path, &v) ? -1 : v;
}

/* What the driver holds for all its devices together; -1 if unreadable */
long driver_held_bytes(void)
{
	long v;

	return read_long(HELD_BYTES, &v) ? -1 : v;
}

void remove_all(void)
{
	char path[512];
	struct dirent *de;
	DIR *dir;
	int i;

	for (i = 0; i < NTYPES; i++) {
		snprintf(path, sizeof(path), TYPES_DIR "/%s/devices", stypes[i].name);
		dir = opendir(path);
		if (!dir)
			continue;
		while ((de = readdir(dir)))
			if (de->d_name[0] != '.')
				inst_remove(de->d_name);
		closedir(dir);
	}
}

int unload_clean(void)
{
	if (!mod_loaded())
		return 0;
	remove_all();
	return mod_unload();
}

/* --- kernel log ---------------------------------------------------------- */

static int kmsg_fd = -1;

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

void kmsg_mark(void)
{
	if (kmsg_fd < 0)
		kmsg_fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (kmsg_fd >= 0)
		lseek(kmsg_fd, 0, SEEK_END);
}

/* Scan records since the last mark; print the bad ones; re-mark */
int kmsg_check(const char *when)
{
	char rec[8192];
	int bad = 0;
	size_t i;

	if (kmsg_fd < 0) {
		diag("kernel log: /dev/kmsg not readable, %s unchecked", when);
		return 0;
	}
	for (;;) {
		ssize_t n = read(kmsg_fd, rec, sizeof(rec) - 1);
		char *msg;

		if (n < 0 && errno == EPIPE)
			continue;	/* overwritten records: keep reading */
		if (n <= 0)
			break;
		rec[n] = 0;
		msg = strchr(rec, ';');
		msg = msg ? msg + 1 : rec;
		for (i = 0; i < sizeof(bad_words) / sizeof(bad_words[0]); i++) {
			if (strstr(msg, bad_words[i])) {
				if (bad++ < 20)
					diag("kernel log (%s): %.*s", when,
					     (int)strcspn(msg, "\n"), msg);
				break;
			}
		}
	}
	return bad;
}

/* --- memory -------------------------------------------------------------- */

static long meminfo(const char *buf, const char *key)
{
	const char *p = strstr(buf, key);

	return p ? strtol(p + strlen(key), NULL, 10) : -1;
}

/*
 * Pages on the per-cpu free lists are free but not in MemFree; a round
 * that frees many framebuffer pages leaves some there.  Sum the "count:"
 * of every pageset in /proc/zoneinfo.
 */
static long pcp_pages(void)
{
	static char zi[65536];
	long total = 0, v;
	ssize_t n;
	char *p;
	int fd;

	fd = open("/proc/zoneinfo", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read(fd, zi, sizeof(zi) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	zi[n] = 0;
	for (p = zi; (p = strstr(p, "\n              count:")); p++)
		if (sscanf(p + 21, "%ld", &v) == 1)
			total += v;
	return total;
}

/* After dropping caches, so page cache churn does not look like a leak */
void mem_snap(struct memsnap *m)
{
	char buf[8192];
	ssize_t n;
	int fd;

	sync();
	write_file("/proc/sys/vm/drop_caches", "3");
	write_file("/proc/sys/vm/compact_memory", "1");
	usleep(200000);
	memset(m, 0, sizeof(*m));
	fd = open("/proc/meminfo", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return;
	buf[n] = 0;
	snprintf(m->meminfo, sizeof(m->meminfo), "%s", buf);
	fd = open("/proc/vmstat", O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		ssize_t k = read(fd, m->vmstat, sizeof(m->vmstat) - 1);

		m->vmstat[k > 0 ? k : 0] = 0;
		close(fd);
	}
	fd = open("/proc/slabinfo", O_RDONLY | O_CLOEXEC);
	m->slabinfo[0] = 0;
	if (fd >= 0) {
		size_t got = 0;
		ssize_t k;

		while (got < sizeof(m->slabinfo) - 1 &&
		       (k = read(fd, m->slabinfo + got,
				 sizeof(m->slabinfo) - 1 - got)) > 0)
			got += k;
		m->slabinfo[got] = 0;
		close(fd);
	}
	m->free_kb = meminfo(buf, "\nMemFree:");
	m->pcp_kb = pcp_pages() * (long)(PAGE / 1024);
	m->slab_kb = meminfo(buf, "\nSlab:");
	m->sunreclaim_kb = meminfo(buf, "\nSUnreclaim:");
	m->vmalloc_kb = meminfo(buf, "\nVmallocUsed:");
	fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return;
	buf[n] = 0;
	m->rss_kb = meminfo(buf, "\nVmRSS:");
	m->pt_kb = meminfo(buf, "\nVmPTE:");
}

/* --- VFIO ---------------------------------------------------------------- */

static int group_of(const char *uuid)
{
	char path[256], link[256], *base;
	ssize_t n;

	snprintf(path, sizeof(path), MDEV_DIR "/%s/iommu_group", uuid);
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0)
		return -errno;
	link[n] = 0;
	base = strrchr(link, '/');
	return atoi(base ? base + 1 : link);
}

int dev_open(struct dev *d)
{
	struct vfio_group_status st = { .argsz = sizeof(st) };
	struct vfio_region_info ri = { .argsz = sizeof(ri) };
	char path[64];
	int g, ret;

	d->container = d->group = d->fd = -1;
	g = group_of(d->uuid);
	if (g < 0)
		return g;
	d->container = open("/dev/vfio/vfio", O_RDWR | O_CLOEXEC);
	if (d->container < 0)
		goto fail;
	snprintf(path, sizeof(path), "/dev/vfio/%d", g);
	d->group = open(path, O_RDWR | O_CLOEXEC);
	if (d->group < 0)
		goto fail;
	if (ioctl(d->group, VFIO_GROUP_GET_STATUS, &st))
		goto fail;
	if (ioctl(d->group, VFIO_GROUP_SET_CONTAINER, &d->container))
		goto fail;
	if (ioctl(d->container, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU) &&
	    ioctl(d->container, VFIO_SET_IOMMU, VFIO_TYPE1_IOMMU))
		goto fail;
	d->fd = ioctl(d->group, VFIO_GROUP_GET_DEVICE_FD, d->uuid);
	if (d->fd < 0)
		goto fail;
	ri.index = VFIO_PCI_BAR0_REGION_INDEX;
	if (ioctl(d->fd, VFIO_DEVICE_GET_REGION_INFO, &ri))
		goto fail;
	d->bar_size = ri.size;
	if (ri.offset != BAR_POS || ri.size != stypes[d->type].bar_size) {
		diag("%s: BAR0 region at 0x%llx size 0x%llx, expected 0x%llx",
		     d->uuid, (unsigned long long)ri.offset,
		     (unsigned long long)ri.size,
		     (unsigned long long)stypes[d->type].bar_size);
		errno = EPROTO;
		goto fail;
	}
	return 0;
fail:
	ret = -errno;
	dev_close(d);
	return ret;
}

int dev_fd(struct dev *d)
{
	int fd = ioctl(d->group, VFIO_GROUP_GET_DEVICE_FD, d->uuid);

	return fd < 0 ? -errno : fd;
}

void dev_close(struct dev *d)
{
	if (d->fd >= 0)
		close(d->fd);
	if (d->group >= 0)
		close(d->group);
	if (d->container >= 0)
		close(d->container);
	d->fd = d->group = d->container = -1;
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
	c[0x42] = 0x10;
	le(c + 0x44, 0x34325258, 4);
	le(c + 0x48, t->width, 4);
	le(c + 0x4c, t->height, 4);
}

/*
 * The number after @key (then ':' or blanks) at the start of a line of
 * @text, as /proc/meminfo, vmstat and slabinfo lines go; 0 when found.
 */
static int text_value(const char *text, const char *key, long *val)
{
	size_t klen = strlen(key);
	const char *p;

	for (p = text; p; p = strchr(p, '\n')) {
		if (*p == '\n')
			p++;
		if (!strncmp(p, key, klen) && (p[klen] == ':' || p[klen] == ' '))
			return sscanf(p + klen, "%*[: ]%ld", val) == 1 ? 0 : -1;
	}
	return -1;
}

/* Print every counter that moved noticeably between two snapshots */
static void diff_text(const char *a, const char *b, long min, const char *what)
{
	const char *line = b;

	while (line && *line) {
		char key[64];
		long vb, va;

		if (sscanf(line, "%63[^: ]%*[: ]%ld", key, &vb) == 2 &&
		    !text_value(a, key, &va) &&
		    (vb - va >= min || va - vb >= min))
			diag("  %s %s: %ld -> %ld (%+ld)", what, key, va, vb,
			     vb - va);
		line = strchr(line, '\n');
		if (line)
			line++;
	}
}

/*
 * The slab cache whose active object count grew most from @a to @b: its
 * name in @name and its growth in objects as the result (0 if none grew
 * or /proc/slabinfo was unreadable).  A leak of one object per create/remove
 * cycle or per operation would show here as thousands.
 */
long slab_max_growth(const struct memsnap *a, const struct memsnap *b,
		     char *name, size_t size)
{
	const char *line = b->slabinfo;
	long best = 0;

	snprintf(name, size, "-");
	while (line && *line) {
		char key[64];
		long vb, va;

		if (sscanf(line, "%63s %ld", key, &vb) == 2 && key[0] != '#' &&
		    !text_value(a->slabinfo, key, &va) && vb - va > best) {
			best = vb - va;
			snprintf(name, size, "%s", key);
		}
		line = strchr(line, '\n');
		if (line)
			line++;
	}
	return best;
}

void mem_diff(const struct memsnap *a, const struct memsnap *b)
{
	diff_text(a->meminfo, b->meminfo, 512, "meminfo kB");
	diff_text(a->vmstat, b->vmstat, 128, "vmstat");
	diff_text(a->slabinfo, b->slabinfo, 64, "slab objects");
}
