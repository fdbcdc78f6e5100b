// SPDX-License-Identifier: GPL-2.0
/*
 * migrate.c - VFIO migration v2 conformance: the feature flags, every arc
 * of the state machine (valid and invalid), the data round trip between
 * two instances, PRE_COPY estimates, stream sizes, and resume refusing
 * bad streams while the target stays usable.
 *
 * Expected values come from the VFIO uAPI documentation (linux/vfio.h)
 * and the size targets, not from the driver.  Debian 12's libc
 * headers predate PRE_COPY, so its numbers are spelled out here.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "harness.h"
#include "mdpy_test.h"

#define ST_ERROR	MIG_ST_ERROR
#define ST_STOP		MIG_ST_STOP
#define ST_RUNNING	MIG_ST_RUNNING
#define ST_STOP_COPY	MIG_ST_STOP_COPY
#define ST_RESUMING	MIG_ST_RESUMING
#define ST_RUNNING_P2P	MIG_ST_RUNNING_P2P
#define ST_PRE_COPY	MIG_ST_PRE_COPY
#define ST_PRE_COPY_P2P	MIG_ST_PRE_COPY_P2P
#define NR_STATES	MIG_NR_STATES

/* The size targets */
#define IDLE_MAX	4096u
#define SLACK		4096u

static const char *const state_names[NR_STATES] = {
	"error", "stop", "running", "stop_copy", "resuming", "running_p2p",
	"pre_copy", "pre_copy_p2p",
};

/* PRE_COPY and the data-size feature came with v6.2 */
static int kernel_has_precopy(void)
{
	return kernel_at_least(6, 2);
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

static long held(void)
{
	long v;

	return sysfs_read_long(MDPY_PARENT "/held_bytes", &v) ? -1 : v;
}

MDPY_TYPE_VARIANTS(pair_variants);

/* Two fresh instances of the variant's type, both open */
FIXTURE(pair) {
	const struct mdpy_ttype *t;
	char src_uuid[37], dst_uuid[37];
	int created;
	struct vdev src, dst;
	uint8_t cfg0[CFG_SIZE];
};

FIXTURE_SETUP(pair)
{
	vdev_init(&self->src);
	vdev_init(&self->dst);
	self->t = variant->data;
	uuid_gen(self->src_uuid);
	uuid_gen(self->dst_uuid);
	if (mdev_count() + 2 > mdpy_count())
		mdev_remove_all();
	ASSERT_RET(mdev_create(self->t->dir, self->src_uuid), 0);
	self->created = 1;
	ASSERT_RET(mdev_create(self->t->dir, self->dst_uuid), 0);
	self->created = 2;
	ASSERT_RET(vdev_open(&self->src, self->src_uuid), 0);
	ASSERT_RET(vdev_open(&self->dst, self->dst_uuid), 0);
	ASSERT_RET(cfg_dump(&self->dst, self->cfg0), 0);
}

FIXTURE_TEARDOWN(pair)
{
	vdev_close(&self->src);
	vdev_close(&self->dst);
	if (self->created > 0)
		EXPECT_RET(mdev_remove(self->src_uuid), 0);
	if (self->created > 1)
		EXPECT_RET(mdev_remove(self->dst_uuid), 0);
}

FIXTURE_REGISTER(pair, pair_variants);

/* Draw something the power-on picture is not, through pwrite and mmap */
static void draw(struct vdev *d, uint64_t off, size_t len, int via_mmap)
{
	uint8_t *buf = malloc(len);

	ASSERT_TRUE(buf);
	rand_fill(buf, len);
	if (via_mmap) {
		uint64_t start = off & ~(PAGE_SZ - 1);
		size_t mlen = ((off + len + PAGE_SZ - 1) & ~(PAGE_SZ - 1)) - start;
		uint8_t *map = mmap(NULL, mlen, PROT_READ | PROT_WRITE,
				    MAP_SHARED, d->fd,
				    (off_t)(d->bar.offset + start));

		ASSERT_MAPPED(map);
		memcpy(map + (off - start), buf, len);
		munmap(map, mlen);
	} else {
		ASSERT_RET(bar_write(d, off, buf, len), 0);
	}
	free(buf);
}

/* What a guest programs: BAR address, decoding, interrupt line */
static void program_config(struct vdev *d)
{
	ASSERT_RET(cfg_put(d, 0x10, 4, 0xe0000000), 0);
	ASSERT_RET(cfg_put(d, 0x04, 2, 0x0006), 0);
	ASSERT_RET(cfg_put(d, 0x3c, 1, 0x0b), 0);
}

static void expect_same_device(struct vdev *a, struct vdev *b)
{
	uint8_t ca[CFG_SIZE], cb[CFG_SIZE];
	uint8_t *ba = bar_read_all(a), *bb = bar_read_all(b);

	ASSERT_TRUE(ba && bb);
	EXPECT_MEMEQ(bb, ba, a->bar.size);
	ASSERT_RET(cfg_dump(a, ca), 0);
	ASSERT_RET(cfg_dump(b, cb), 0);
	EXPECT_MEMEQ(cb, ca, CFG_SIZE);
	free(ba);
	free(bb);
}

TEST_F(pair, feature_flags)
{
	uint64_t flags = 0, want = MIG_FLAG_STOP_COPY | MIG_FLAG_P2P;
	uint32_t state = 99;

	if (kernel_has_precopy())
		want |= MIG_FLAG_PRE_COPY;
	ASSERT_RET(vfio_feature(self->src.fd, VFIO_DEVICE_FEATURE_GET |
				MIG_FEATURE_MIGRATION, &flags, 8), 0);
	EXPECT_EQ(flags, want);
	EXPECT_RET(vfio_feature(self->src.fd, VFIO_DEVICE_FEATURE_PROBE |
			   VFIO_DEVICE_FEATURE_GET | MIG_FEATURE_MIGRATION, NULL, 0), 0);
	/* migration is read-only */
	EXPECT_RET(vfio_feature(self->src.fd, VFIO_DEVICE_FEATURE_SET |
			   MIG_FEATURE_MIGRATION, &flags, 8), -EINVAL);
	/* a new user starts RUNNING */
	ASSERT_RET(mig_get_state(self->src.fd, &state), 0);
	EXPECT_EQ(state, ST_RUNNING);
}

TEST_F(pair, data_size)
{
	uint64_t idle = 0, drawn = 0;

	if (!kernel_has_precopy()) {
		/* the VFIO core does not know the feature (EINVAL there) */
		EXPECT_LT(vfio_feature(self->src.fd, VFIO_DEVICE_FEATURE_GET |
				  MIG_FEATURE_DATA_SIZE, &idle, 8), 0);
		SKIP("no VFIO_DEVICE_MIG_FEATURE_DATA_SIZE before v6.2");
	}
	ASSERT_RET(vfio_feature(self->src.fd, VFIO_DEVICE_FEATURE_GET |
			   MIG_FEATURE_DATA_SIZE, &idle, 8), 0);
	EXPECT_GE(idle, 64);
	EXPECT_LE(idle, IDLE_MAX);
	draw(&self->src, 0, 3 * PAGE_SZ, 0);
	ASSERT_RET(vfio_feature(self->src.fd, VFIO_DEVICE_FEATURE_GET |
			   MIG_FEATURE_DATA_SIZE, &drawn, 8), 0);
	EXPECT_GE(drawn, idle + 3 * PAGE_SZ);
}

/* Idle and fully drawn streams against the size targets */
TEST_F(pair, stream_sizes)
{
	struct mig_buf s = { 0 };
	uint64_t frame = fb_size(self->t);

	ASSERT_RET(mig_save(&self->src, &s, 1 << 20), 0);
	TH_LOG("%s idle stream: %zu bytes", self->t->name, s.len);
	EXPECT_LE(s.len, IDLE_MAX);
	EXPECT_GE(s.len, 16);
	s.len = 0;
	draw(&self->src, 0, frame, 1);
	ASSERT_RET(mig_save(&self->src, &s, 1 << 20), 0);
	TH_LOG("%s full stream: %zu bytes (frame %llu)", self->t->name, s.len,
	       (unsigned long long)frame);
	EXPECT_GE(s.len, frame);
	EXPECT_LE(s.len, frame + SLACK);
	free(s.data);
}

/* Everything the guest left, byte for byte, on another instance */
static void round_trip(struct ht_self_pair *self, size_t rchunk,
		       size_t wchunk)
{
	struct mig_buf s = { 0 };
	uint64_t size = self->src.bar.size;

	draw(&self->src, 0, 2 * PAGE_SZ, 0);
	draw(&self->src, size / 2 + 100, 3 * PAGE_SZ + 17, 1);
	draw(&self->src, size - PAGE_SZ, PAGE_SZ, 1);	/* BAR padding */
	program_config(&self->src);
	ASSERT_RET(mig_save(&self->src, &s, rchunk), 0);
	ASSERT_RET(mig_load(&self->dst, s.data, s.len, wchunk), 0);
	expect_same_device(&self->src, &self->dst);
	free(s.data);
}

TEST_F(pair, round_trip)
{
	round_trip(self, 1 << 20, 1 << 20);
}

TEST_F(pair, round_trip_odd_chunks)
{
	round_trip(self, 4099, 1021);
}

/* The target's device is live after resume: new writes show up */
TEST_F(pair, target_live_after_resume)
{
	struct mig_buf s = { 0 };
	uint8_t w[64], r[64];

	draw(&self->src, 0, PAGE_SZ, 0);
	ASSERT_RET(mig_save(&self->src, &s, 1 << 20), 0);
	ASSERT_RET(mig_load(&self->dst, s.data, s.len, 1 << 20), 0);
	rand_fill(w, sizeof(w));
	ASSERT_RET(bar_write(&self->dst, 8, w, sizeof(w)), 0);
	ASSERT_RET(bar_read(&self->dst, 8, r, sizeof(r)), 0);
	EXPECT_MEMEQ(r, w, sizeof(w));
	/* and it can be saved again: a second hop */
	s.len = 0;
	ASSERT_RET(mig_save(&self->dst, &s, 1 << 20), 0);
	ASSERT_RET(mig_load(&self->src, s.data, s.len, 1 << 20), 0);
	expect_same_device(&self->dst, &self->src);
	free(s.data);
}

/*
 * Every arc.  The uAPI allows any pair of states except: nothing leads to
 * ERROR, and STOP_COPY cannot go back to PRE_COPY(_P2P).  A data fd comes
 * back when the target state starts a transfer the source state did not
 * have: STOP_COPY (not from PRE_COPY*), RESUMING, PRE_COPY* (not from the
 * other PRE_COPY state).
 */
static int arc_valid(int from, int to, int precopy)
{
	if (to == ST_ERROR || to >= NR_STATES)
		return 0;
	if (!precopy && (to == ST_PRE_COPY || to == ST_PRE_COPY_P2P))
		return 0;
	if (from == ST_STOP_COPY &&
	    (to == ST_PRE_COPY || to == ST_PRE_COPY_P2P))
		return 0;
	return 1;
}

static int arc_gives_fd(int from, int to)
{
	int from_pre = from == ST_PRE_COPY || from == ST_PRE_COPY_P2P;

	if (from == to)
		return 0;
	switch (to) {
	case ST_STOP_COPY:
		return !from_pre;
	case ST_RESUMING:
		return 1;
	case ST_PRE_COPY:
	case ST_PRE_COPY_P2P:
		return !from_pre;
	default:
		return 0;
	}
}

struct arc {
	int from, to;
};

static struct arc arcs[NR_STATES * NR_STATES];

static void run_arc(void *vself, const struct ht_variant *variant)
{
	struct ht_self_pair *self = vself;
	const struct arc *a = ht_param;
	int precopy = kernel_has_precopy();
	struct mig_buf idle = { 0 };
	int fd = self->src.fd, dfd = -1, dfd2 = -1, ret;
	uint32_t state = 99;

	(void)variant;
	if (!precopy && (a->from == ST_PRE_COPY || a->from == ST_PRE_COPY_P2P))
		SKIP("no PRE_COPY states before v6.2");
	/* an idle stream of this type, to leave RESUMING with */
	ASSERT_RET(mig_save(&self->dst, &idle, 1 << 20), 0);

	ASSERT_RET(mig_set_state(fd, a->from, &dfd), 0);
	if (a->from == ST_RESUMING) {
		ASSERT_RET(mig_write(dfd, idle.data, idle.len, 1 << 20), 0);
		close_fd(&dfd);
	}
	ret = mig_set_state(fd, a->to, &dfd2);
	if (!arc_valid(a->from, a->to, precopy)) {
		EXPECT_EQ(ret, -EINVAL);
		ASSERT_RET(mig_get_state(fd, &state), 0);
		EXPECT_EQ(state, (uint32_t)a->from);
	} else {
		EXPECT_EQ(ret, 0);
		ASSERT_RET(mig_get_state(fd, &state), 0);
		EXPECT_EQ(state, (uint32_t)a->to);
		if (arc_gives_fd(a->from, a->to))
			EXPECT_GE(dfd2, 0);
		else
			EXPECT_EQ(dfd2, -1);
	}
	close_fd(&dfd);
	close_fd(&dfd2);
	/* RESET brings any state back to RUNNING */
	ASSERT_OK(ioctl(fd, VFIO_DEVICE_RESET));
	ASSERT_RET(mig_get_state(fd, &state), 0);
	EXPECT_EQ(state, ST_RUNNING);
	free(idle.data);
}

/* The arcs do not depend on the type: one type keeps the suite short */
static const struct ht_variant arc_variants[] = {
	{ "vga", &mdpy_ttypes[0] },
	{ NULL, NULL },
};

static struct ht_fixture arc_fixture;

__attribute__((constructor)) static void register_arcs(void)
{
	static char names[NR_STATES * NR_STATES][48];
	int from, to, n = 0;

	arc_fixture = ht_fixture_pair;
	arc_fixture.variants = arc_variants;

	for (from = ST_STOP; from < NR_STATES; from++) {
		for (to = 0; to < NR_STATES; to++) {
			arcs[n].from = from;
			arcs[n].to = to;
			snprintf(names[n], sizeof(names[n]), "arc.%s.%s",
				 state_names[from], state_names[to]);
			ht_register_param(names[n], &arc_fixture, run_arc,
					  &arcs[n]);
			n++;
		}
	}
}

TEST_F(pair, arc_out_of_range)
{
	uint32_t state;
	int dfd;

	EXPECT_RET(mig_set_state(self->src.fd, NR_STATES, &dfd), -EINVAL);
	EXPECT_RET(mig_set_state(self->src.fd, 0xffffffff, &dfd), -EINVAL);
	ASSERT_RET(mig_get_state(self->src.fd, &state), 0);
	EXPECT_EQ(state, ST_RUNNING);
}

static int precopy_info(int fd, struct mig_precopy_info *pi, uint32_t argsz)
{
	memset(pi, 0xa5, sizeof(*pi));
	pi->argsz = argsz;
	pi->flags = 0;
	return ioctl(fd, MIG_GET_PRECOPY_INFO, pi) ? -errno : 0;
}

/*
 * PRE_COPY: the first pass, then a pause; pages written while running
 * show up as dirty bytes and are sent; stop-copy sends only what changed
 * after the last pre-copy read.
 */
TEST_F(pair, precopy)
{
	struct mig_buf s = { 0 };
	struct mig_precopy_info pi;
	uint64_t dsize = 0;
	size_t before;
	int dfd = -1, dfd2 = -1;

	if (!kernel_has_precopy())
		SKIP("no PRE_COPY before v6.2");
	draw(&self->src, 0, 4 * PAGE_SZ, 1);
	ASSERT_RET(mig_set_state(self->src.fd, ST_PRE_COPY, &dfd), 0);
	ASSERT_GE(dfd, 0);
	ASSERT_RET(precopy_info(dfd, &pi, sizeof(pi)), 0);
	EXPECT_EQ(pi.flags, 0);
	EXPECT_GE(pi.initial_bytes, 4 * PAGE_SZ);
	EXPECT_EQ(pi.dirty_bytes, 0);
	/* too small an argsz */
	EXPECT_RET(precopy_info(dfd, &pi, 8), -EINVAL);

	/* the first pass, up to the pause */
	ASSERT_RET(mig_read(dfd, &s, 1 << 20), 1);
	EXPECT_GE(s.len, 4 * PAGE_SZ);
	ASSERT_RET(precopy_info(dfd, &pi, sizeof(pi)), 0);
	EXPECT_EQ(pi.initial_bytes, 0);
	EXPECT_EQ(pi.dirty_bytes, 0);
	/*
	 * Stop-copy would now send only the tail: QEMU stops the VM only
	 * when this plus the pre-copy estimate fits its downtime.
	 */
	ASSERT_RET(vfio_feature(self->src.fd, VFIO_DEVICE_FEATURE_GET |
				MIG_FEATURE_DATA_SIZE, &dsize, 8), 0);
	EXPECT_LE(dsize, SLACK);

	/* the guest changes three pages while running */
	draw(&self->src, 10 * PAGE_SZ, 2 * PAGE_SZ, 1);
	draw(&self->src, 1 * PAGE_SZ + 5, 8, 0);
	ASSERT_RET(precopy_info(dfd, &pi, sizeof(pi)), 0);
	EXPECT_EQ(pi.initial_bytes, 0);
	EXPECT_GE(pi.dirty_bytes, 3 * PAGE_SZ);
	EXPECT_LE(pi.dirty_bytes, 3 * PAGE_SZ + SLACK);
	before = s.len;
	ASSERT_RET(mig_read(dfd, &s, 1 << 20), 1);
	EXPECT_GE(s.len - before, 3 * PAGE_SZ);
	EXPECT_LE(s.len - before, 3 * PAGE_SZ + SLACK);

	/* two more pages, then stop: only they (and the tail) follow */
	draw(&self->src, 20 * PAGE_SZ, 2 * PAGE_SZ, 1);
	program_config(&self->src);
	ASSERT_RET(mig_set_state(self->src.fd, ST_STOP_COPY, &dfd2), 0);
	EXPECT_EQ(dfd2, -1);
	/* no estimates outside PRE_COPY */
	EXPECT_RET(precopy_info(dfd, &pi, sizeof(pi)), -EINVAL);
	before = s.len;
	ASSERT_RET(mig_read(dfd, &s, 1 << 20), 0);
	TH_LOG("%s stop-copy after pre-copy: %zu bytes for 2 pages",
	       self->t->name, s.len - before);
	EXPECT_GE(s.len - before, 2 * PAGE_SZ);
	EXPECT_LE(s.len - before, 2 * PAGE_SZ + SLACK);
	/* end of stream stays end of stream */
	EXPECT_RET(mig_read(dfd, &s, 1 << 20), 0);
	close_fd(&dfd);
	ASSERT_RET(mig_set_state(self->src.fd, ST_RUNNING, NULL), 0);

	ASSERT_RET(mig_load(&self->dst, s.data, s.len, 1 << 20), 0);
	expect_same_device(&self->src, &self->dst);
	free(s.data);
}

/* Leaving PRE_COPY for RUNNING ends the file; ioctls on the wrong fds */
TEST_F(pair, precopy_abort_and_wrong_fds)
{
	struct mig_precopy_info pi;
	uint8_t b;
	int dfd = -1, lfd = -1;

	if (!kernel_has_precopy())
		SKIP("no PRE_COPY before v6.2");
	ASSERT_RET(mig_set_state(self->src.fd, ST_PRE_COPY, &dfd), 0);
	ASSERT_RET(mig_set_state(self->src.fd, ST_RUNNING, NULL), 0);
	EXPECT_ERRNO(read(dfd, &b, 1), ENODEV);
	EXPECT_RET(precopy_info(dfd, &pi, sizeof(pi)), -EINVAL);
	close_fd(&dfd);
	/* the resuming file takes no PRECOPY_INFO and cannot be read */
	ASSERT_RET(mig_set_state(self->dst.fd, ST_RESUMING, &lfd), 0);
	EXPECT_RET(precopy_info(lfd, &pi, sizeof(pi)), -ENOTTY);
	EXPECT_ERRNO(read(lfd, &b, 1), EBADF);
	close_fd(&lfd);
}

/* A saving file outlives the device fd, and a reset, without harm */
TEST_F(pair, save_file_after_close_and_reset)
{
	uint8_t buf[256];
	int dfd = -1;

	draw(&self->src, 0, PAGE_SZ, 0);
	ASSERT_RET(mig_set_state(self->src.fd, ST_STOP, NULL), 0);
	ASSERT_RET(mig_set_state(self->src.fd, ST_STOP_COPY, &dfd), 0);
	EXPECT_EQ(read(dfd, buf, 16), 16);
	ASSERT_OK(ioctl(self->src.fd, VFIO_DEVICE_RESET));
	EXPECT_ERRNO(read(dfd, buf, sizeof(buf)), ENODEV);
	close_fd(&dfd);

	ASSERT_RET(mig_set_state(self->src.fd, ST_STOP, NULL), 0);
	ASSERT_RET(mig_set_state(self->src.fd, ST_STOP_COPY, &dfd), 0);
	vdev_close(&self->src);
	EXPECT_ERRNO(read(dfd, buf, sizeof(buf)), ENODEV);
	EXPECT_ERRNO(lseek(dfd, 0, SEEK_SET), ESPIPE);
	close_fd(&dfd);
	/* the instance is fine: open it again, RUNNING, power-on */
	ASSERT_RET(vdev_open(&self->src, self->src_uuid), 0);
}

/* ---- bad streams ------------------------------------------------------- */

enum bad_kind {
	BAD_EMPTY, BAD_GARBAGE, BAD_TRUNC_HALF, BAD_TRUNC_LAST, BAD_FLIP_PAGE,
	BAD_FLIP_HEADER, BAD_FLIP_SUM, BAD_TRAILING, BAD_REORDER,
	BAD_INDEX, BAD_VERSION, BAD_OTHER_TYPE, BAD_KINDS
};

static const char *const bad_names[BAD_KINDS] = {
	"empty", "garbage", "truncated_half", "truncated_last_byte",
	"flipped_page_bit", "flipped_header_bit", "flipped_checksum_bit",
	"data_after_end", "reordered", "page_index_out_of_range",
	"newer_version", "other_type",
};

static int bad_kinds[BAD_KINDS];

static void put32le(uint8_t *p, uint32_t v)
{
	p[0] = v;
	p[1] = v >> 8;
	p[2] = v >> 16;
	p[3] = v >> 24;
}

/*
 * Make the bad stream from a good one.  Offsets: the header is 48 bytes
 * (version at 8); a page run's record follows (tag, len, first, count);
 * config (tag 2, 256 bytes) and the 16-byte end record close the stream.
 */
static int make_bad(int kind, struct mig_buf *s, const struct mdpy_ttype *t,
		    struct vdev *other)
{
	uint32_t nr_pages = 0;
	size_t cfg_rec = 8 + CFG_SIZE, end_rec = 16;
	uint8_t *tmp;

	switch (kind) {
	case BAD_EMPTY:
		s->len = 0;
		break;
	case BAD_GARBAGE:
		rand_fill(s->data, s->len);
		break;
	case BAD_TRUNC_HALF:
		s->len /= 2;
		break;
	case BAD_TRUNC_LAST:
		s->len -= 1;
		break;
	case BAD_FLIP_PAGE:
		s->data[48 + 16 + 100] ^= 0x10;
		break;
	case BAD_FLIP_HEADER:
		s->data[36] ^= 0x01;	/* height */
		break;
	case BAD_FLIP_SUM:
		s->data[s->len - 1] ^= 0x80;
		break;
	case BAD_TRAILING:
		s->data[s->len++] = 0;
		break;
	case BAD_REORDER:
		/* config record before the pages */
		tmp = malloc(s->len);
		if (!tmp)
			return -ENOMEM;
		memcpy(tmp, s->data, 48);
		memcpy(tmp + 48, s->data + s->len - end_rec - cfg_rec, cfg_rec);
		memcpy(tmp + 48 + cfg_rec, s->data + 48,
		       s->len - 48 - cfg_rec - end_rec);
		memcpy(tmp + s->len - end_rec, s->data + s->len - end_rec,
		       end_rec);
		memcpy(s->data, tmp, s->len);
		free(tmp);
		break;
	case BAD_INDEX:
		nr_pages = (uint32_t)(other->bar.size / PAGE_SZ);
		put32le(s->data + 48 + 8, nr_pages);	/* first */
		break;
	case BAD_VERSION:
		put32le(s->data + 8, 99);
		break;
	case BAD_OTHER_TYPE:
		s->len = 0;
		if (mig_save(other, s, 1 << 20))
			return -EIO;
		break;
	}
	(void)t;
	return 0;
}

static const struct mdpy_ttype *other_type(const struct mdpy_ttype *t)
{
	return t == &mdpy_ttypes[0] ? &mdpy_ttypes[1] : &mdpy_ttypes[0];
}

static void run_bad(void *vself, const struct ht_variant *variant)
{
	struct ht_self_pair *self = vself;
	int kind = *(const int *)ht_param;
	struct mig_buf s = { 0 };
	struct vdev other;
	char other_uuid[37];
	long held0, held1;
	uint8_t cfg[CFG_SIZE], *bar, *want;
	uint32_t state = 99;
	int dfd = -1, wret, sret;

	(void)variant;
	vdev_init(&other);
	/* a good stream with pages, then broken one way */
	draw(&self->src, 0, 2 * PAGE_SZ, 0);
	program_config(&self->src);
	ASSERT_RET(mig_save(&self->src, &s, 1 << 20), 0);
	ASSERT_RET(mig_buf_add(&s, "", 1), 0);	/* room for one more */
	s.len--;
	if (kind == BAD_OTHER_TYPE) {
		uuid_gen(other_uuid);
		if (mdev_count() + 1 > mdpy_count())
			SKIP("no room for a third instance (%d of %ld exist)",
			     mdev_count(), mdpy_count());
		ASSERT_RET(mdev_create(other_type(self->t)->dir, other_uuid), 0);
		ASSERT_RET(vdev_open(&other, other_uuid), 0);
		draw(&other, 0, PAGE_SZ, 0);
	}
	ASSERT_RET(make_bad(kind, &s, self->t,
			    kind == BAD_OTHER_TYPE ? &other : &self->dst), 0);
	if (kind == BAD_OTHER_TYPE) {
		vdev_close(&other);
		EXPECT_RET(mdev_remove(other_uuid), 0);
	}

	/* the target had a picture of its own; nothing of it must matter */
	draw(&self->dst, 3 * PAGE_SZ, PAGE_SZ, 0);
	held0 = held();
	kmsg_mark();
	ASSERT_RET(mig_set_state(self->dst.fd, ST_RESUMING, &dfd), 0);
	wret = mig_write(dfd, s.data, s.len, 1 << 20);
	if (wret)
		EXPECT_EQ(wret, -EINVAL);
	sret = mig_set_state(self->dst.fd, ST_STOP, NULL);
	EXPECT_EQ(sret, -EINVAL);
	ASSERT_RET(mig_get_state(self->dst.fd, &state), 0);
	EXPECT_EQ(state, ST_RESUMING);
	/* trying again does not make it good */
	EXPECT_RET(mig_set_state(self->dst.fd, ST_RUNNING, NULL), -EINVAL);
	close_fd(&dfd);
	/* one log line says why */
	EXPECT_TRUE(klog_has("mdpy", "migration stream refused", NULL));

	/* usable, in its power-on state, with nothing staged left over */
	ASSERT_OK(ioctl(self->dst.fd, VFIO_DEVICE_RESET));
	ASSERT_RET(mig_get_state(self->dst.fd, &state), 0);
	EXPECT_EQ(state, ST_RUNNING);
	bar = bar_read_all(&self->dst);
	want = initial_picture(self->t, self->dst.bar.size);
	ASSERT_TRUE(bar && want);
	EXPECT_MEMEQ(bar, want, self->dst.bar.size);
	ASSERT_RET(cfg_dump(&self->dst, cfg), 0);
	EXPECT_MEMEQ(cfg, self->cfg0, CFG_SIZE);
	held1 = held();
	EXPECT_EQ(held1, held0);
	/* and a good stream still loads */
	s.len = 0;
	ASSERT_RET(mig_save(&self->src, &s, 1 << 20), 0);
	ASSERT_RET(mig_load(&self->dst, s.data, s.len, 1 << 20), 0);
	expect_same_device(&self->src, &self->dst);
	free(bar);
	free(want);
	free(s.data);
}

__attribute__((constructor)) static void register_bad(void)
{
	static char names[BAD_KINDS][48];
	int k;

	for (k = 0; k < BAD_KINDS; k++) {
		bad_kinds[k] = k;
		snprintf(names[k], sizeof(names[k]), "bad_stream.%s",
			 bad_names[k]);
		ht_register_param(names[k], &ht_fixture_pair, run_bad,
				  &bad_kinds[k]);
	}
}

/* A resume that is refused keeps held_bytes; one that loads holds pages */
TEST_F(pair, resume_accounting)
{
	struct mig_buf s = { 0 };
	long h0, h1;

	draw(&self->src, 0, 8 * PAGE_SZ, 0);
	ASSERT_RET(mig_save(&self->src, &s, 1 << 20), 0);
	h0 = held();
	ASSERT_RET(mig_load(&self->dst, s.data, s.len, 1 << 20), 0);
	h1 = held();
	/* eight pages now live in the target, the staging copies are gone */
	EXPECT_GE(h1 - h0, 8 * (long)PAGE_SZ);
	EXPECT_LE(h1 - h0, 8 * (long)PAGE_SZ + (long)SLACK);
	free(s.data);
}

HARNESS_MAIN
