// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the migration stream (core/migrate.c), run in userspace
 * with ASan and UBSan: the byte layout the writer produces, round trips
 * for every type, any split of the input, and every refusal of the reader
 * with the exact phrase it names.  Streams with a fault are built by hand
 * from the layout in mdpy_mig.h and given a correct checksum, so each
 * test reaches the check it is about rather than the checksum.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../core/mdpy_mig.h"
#include "tap.h"

#define PAGE		MDPY_MIG_PAGE
#define MAX_PAGES	4096	/* 2560x1440: 16 MiB of BAR0 */

static void le32(u8 *p, u32 v)
{
	u32 i;

	for (i = 0; i < 4; i++)
		p[i] = (v >> (8 * i)) & 0xff;
}

static void le64(u8 *p, u64 v)
{
	le32(p, (u32)v);
	le32(p + 4, (u32)(v >> 32));
}

static u32 rd32(const u8 *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (u32)p[3] << 24;
}

static u64 rd64(const u8 *p)
{
	return rd32(p) | (u64)rd32(p + 4) << 32;
}

/* Deterministic pseudo-random numbers (xorshift64) */
static u64 rng_state = 0x1234567887654321ULL;

static u64 rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

/* --- what the reader hands over -------------------------------------- */

struct sink {
	u32 calls;
	u32 bad_index;		/* calls with an index past the BAR */
	int fail_at;		/* 1-based call that returns fail_ret, or 0 */
	int fail_ret;
	u32 nr;
	bool seen[MAX_PAGES];
	u64 hash[MAX_PAGES];	/* page hash of the last copy */
};

static struct sink sk;

static void sink_init(const struct mdpy_type *t)
{
	memset(&sk, 0, sizeof(sk));
	sk.nr = mdpy_mig_nr_pages(t);
}

static int sink_page(void *ctx, u32 index, const void *page)
{
	struct sink *s = ctx;

	s->calls++;
	if (index >= s->nr || index >= MAX_PAGES) {
		s->bad_index++;
		return -EIO;
	}
	if (s->fail_at && (int)s->calls == s->fail_at)
		return s->fail_ret;
	s->seen[index] = true;
	s->hash[index] = mdpy_mig_page_hash(page);
	return 0;
}

/* --- streams ----------------------------------------------------------- */

/* Page @index of picture @gen: distinct for every index and generation */
static void fill_page(u8 *page, u32 index, u32 gen)
{
	u32 i;

	for (i = 0; i < PAGE; i++)
		page[i] = (u8)(i * 7 + index * 13 + gen * 101 + (i >> 8));
}

struct run {
	u32 first, count, gen;
};

static u8 *stream;			/* the stream under test */
static size_t stream_len;

static void stream_reset(void)
{
	free(stream);
	stream = malloc(64u << 20);
	stream_len = 0;
}

static u8 *grow(size_t n)
{
	u8 *p = stream + stream_len;

	stream_len += n;
	return p;
}

/* A whole stream through the writer: header, @runs, config, end */
static void build(const struct mdpy_type *t, const struct run *runs,
		  int nruns, const struct mdpy_core *core)
{
	struct mdpy_mig_tx tx;
	int r;
	u32 i;

	stream_reset();
	mdpy_mig_tx_init(&tx);
	stream_len += mdpy_mig_put_header(&tx, t, stream + stream_len);
	for (r = 0; r < nruns; r++) {
		stream_len += mdpy_mig_put_run(&tx, runs[r].first,
					       runs[r].count,
					       stream + stream_len);
		for (i = 0; i < runs[r].count; i++) {
			u8 *page = grow(PAGE);

			fill_page(page, runs[r].first + i, runs[r].gen);
			mdpy_mig_put_page(&tx, page);
		}
	}
	stream_len += mdpy_mig_put_config(&tx, core, stream + stream_len);
	stream_len += mdpy_mig_put_end(&tx, stream + stream_len);
}

/* Raw pieces, for streams the writer would never make */
/* The version raw_header() writes: the current one unless a test says */
static u32 raw_version = MDPY_MIG_VERSION;

static void raw_header(const struct mdpy_type *t)
{
	u8 *h = grow(MDPY_MIG_HDR_SIZE);

	memset(h, 0, MDPY_MIG_HDR_SIZE);
	memcpy(h, "MDPYMIG1", 8);
	le32(h + 8, raw_version);
	le32(h + 12, 48);
	memcpy(h + 16, t->name, strlen(t->name));
	le32(h + 32, t->width);
	le32(h + 36, t->height);
	le32(h + 40, mdpy_bar_size(t));
	le32(h + 44, 4096);
}

static void raw_rec(u32 tag, u32 len)
{
	u8 *p = grow(8);

	le32(p, tag);
	le32(p + 4, len);
}

static void raw_run(u32 first, u32 count, u32 len, u32 pages)
{
	u8 *p;
	u32 i;

	raw_rec(MDPY_MIG_TAG_PAGES, len);
	p = grow(8);
	le32(p, first);
	le32(p + 4, count);
	for (i = 0; i < pages; i++)
		fill_page(grow(PAGE), first + i, 0);
}

static void raw_config(const u8 *cfg)
{
	raw_rec(MDPY_MIG_TAG_CONFIG, MDPY_CFG_SIZE);
	memcpy(grow(MDPY_CFG_SIZE), cfg, MDPY_CFG_SIZE);
}

/* END record with the right checksum of everything before its payload */
static void raw_end(void)
{
	struct mdpy_mig_sum sum;

	raw_rec(MDPY_MIG_TAG_END, 8);
	mdpy_mig_sum_init(&sum);
	mdpy_mig_sum_update(&sum, stream, stream_len);
	le64(grow(8), mdpy_mig_sum_final(&sum));
}

/* Put the right checksum back after an edit of a complete stream */
static void fix_sum(void)
{
	struct mdpy_mig_sum sum;

	mdpy_mig_sum_init(&sum);
	mdpy_mig_sum_update(&sum, stream, stream_len - 8);
	le64(stream + stream_len - 8, mdpy_mig_sum_final(&sum));
}

static struct mdpy_mig_rx rx;

/*
 * Feed @len bytes of @buf in pieces: 0 = all at once, 1 = a byte at a
 * time, 2 = random sizes with empty feeds between.  Returns the first
 * failing feed's value, else finish()'s.
 */
/* The resuming instance's default mode; NULL: the type's size */
static const struct mdpy_mode *feed_def;

static int feed_all(const struct mdpy_type *t, const u8 *buf, size_t len,
		    int how)
{
	size_t off = 0;
	long ret;

	mdpy_mig_rx_init(&rx, t, feed_def);
	while (off < len) {
		size_t n = len - off;

		if (how == 1)
			n = 1;
		else if (how == 2 && (rnd() & 3) == 0)
			n = 0;
		else if (how == 2)
			n = 1 + rnd() % (rnd() & 1 ? 9000 : 40);
		if (n > len - off)
			n = len - off;
		ret = mdpy_mig_rx_feed(&rx, buf + off, n, sink_page, &sk);
		if (ret < 0)
			return (int)ret;
		if (ret != (long)n) {
			tap_diag("  feed of %zu returned %ld", n, ret);
			unit_failed++;
			return -1000;
		}
		off += n;
	}
	return mdpy_mig_rx_finish(&rx);
}

/* The reader must refuse the current stream with @why */
static void expect_refusal(const struct mdpy_type *t, const char *why,
			   u32 calls, int line)
{
	int ret, how;

	for (how = 0; how < 3; how++) {
		sink_init(t);
		ret = feed_all(t, stream, stream_len, how);
		if (ret != -EINVAL || !rx.error || strcmp(rx.error, why) ||
		    sk.calls != calls || rx.phase != MDPY_MIG_RX_FAILED) {
			tap_diag("  line %d (feed %d): ret %d, error \"%s\", %u pages",
				 line, how, ret, rx.error ? rx.error : "(null)",
				 sk.calls);
			tap_diag("  want \"%s\", %u pages", why, calls);
			unit_failed++;
		}
		/* the error sticks */
		CHECK_EQ(mdpy_mig_rx_feed(&rx, stream, 1, sink_page, &sk),
			 -EINVAL);
		CHECK_EQ(mdpy_mig_rx_finish(&rx), -EINVAL);
		CHECK_STR(rx.error, why);
		CHECK_EQ(sk.calls, calls);
	}
}

#define REFUSED(t, why, calls) expect_refusal(t, why, calls, __LINE__)

static struct mdpy_core power_on;

/* --- tests ------------------------------------------------------------- */

static void test_sum_splits(void)
{
	static u8 data[3000];
	struct mdpy_mig_sum s;
	u64 whole, h;
	size_t i, j, n;

	for (i = 0; i < sizeof(data); i++)
		data[i] = (u8)rnd();
	mdpy_mig_sum_init(&s);
	mdpy_mig_sum_update(&s, data, sizeof(data));
	whole = mdpy_mig_sum_final(&s);

	/* every two-way split */
	for (i = 0; i <= sizeof(data); i++) {
		mdpy_mig_sum_init(&s);
		mdpy_mig_sum_update(&s, data, i);
		mdpy_mig_sum_update(&s, data + i, sizeof(data) - i);
		if (mdpy_mig_sum_final(&s) != whole) {
			CHECK_EQ(mdpy_mig_sum_final(&s), whole);
			break;
		}
	}
	/* a byte at a time, with final() peeking at every step */
	mdpy_mig_sum_init(&s);
	for (i = 0; i < sizeof(data); i++) {
		mdpy_mig_sum_update(&s, data + i, 1);
		mdpy_mig_sum_update(&s, data, 0);
		(void)mdpy_mig_sum_final(&s);
	}
	CHECK_EQ(mdpy_mig_sum_final(&s), whole);
	CHECK_EQ(s.len, sizeof(data));
	/* random splits */
	for (j = 0; j < 200; j++) {
		mdpy_mig_sum_init(&s);
		for (i = 0; i < sizeof(data); i += n) {
			n = rnd() % 20;
			if (n > sizeof(data) - i)
				n = sizeof(data) - i;
			mdpy_mig_sum_update(&s, data + i, n);
		}
		CHECK_EQ(mdpy_mig_sum_final(&s), whole);
	}
	/* any changed byte, and any length, changes it */
	for (i = 0; i < sizeof(data); i += 7) {
		data[i] ^= 1u << (i & 7);
		mdpy_mig_sum_init(&s);
		mdpy_mig_sum_update(&s, data, sizeof(data));
		CHECK(mdpy_mig_sum_final(&s) != whole);
		data[i] ^= 1u << (i & 7);
	}
	memset(data, 0, 16);
	mdpy_mig_sum_init(&s);
	h = mdpy_mig_sum_final(&s);
	for (i = 1; i <= 16; i++) {
		u64 prev = h;

		mdpy_mig_sum_init(&s);
		mdpy_mig_sum_update(&s, data, i);
		h = mdpy_mig_sum_final(&s);
		CHECK(h != prev);	/* trailing zeros count */
	}
}

static void test_page_hash(void)
{
	static u8 page[PAGE];
	struct mdpy_mig_sum s;
	u64 h;

	fill_page(page, 3, 4);
	mdpy_mig_sum_init(&s);
	mdpy_mig_sum_update(&s, page, 100);
	mdpy_mig_sum_update(&s, page + 100, PAGE - 100);
	h = mdpy_mig_page_hash(page);
	CHECK_EQ(h, mdpy_mig_sum_final(&s));
	page[PAGE - 1] ^= 0x80;
	CHECK(mdpy_mig_page_hash(page) != h);
}

static void test_initial_hash(void)
{
	static u8 page[PAGE];
	unsigned int k, i;

	for (k = 0; k < MDPY_NUM_BUILTIN_TYPES; k++) {
		const struct mdpy_type *t = &mdpy_types[k];
		u32 nr = mdpy_mig_nr_pages(t);
		u32 fb_last = (mdpy_fb_size(t) - 1) / PAGE;
		/* first, rows, the page the frame ends in, padding */
		u32 idx[] = { 0, 1, 2, nr / 3, fb_last - 1, fb_last,
			      fb_last + 1, nr - 2, nr - 1 };
		u64 zero;

		memset(page, 0, PAGE);
		zero = mdpy_mig_page_hash(page);
		CHECK(mdpy_fb_size(t) < mdpy_bar_size(t));	/* has padding */
		for (i = 0; i < ARRAY_SIZE(idx); i++) {
			memset(page, 0xee, PAGE);
			mdpy_fb_initial(t, (u64)idx[i] * PAGE, page, PAGE);
			CHECK_EQ(mdpy_mig_initial_hash(t, idx[i]),
				 mdpy_mig_page_hash(page));
			if (idx[i] > fb_last)
				CHECK_EQ(mdpy_mig_initial_hash(t, idx[i]), zero);
		}
		/* the picture changes down the frame */
		CHECK(mdpy_mig_initial_hash(t, 0) !=
		      mdpy_mig_initial_hash(t, fb_last));
	}
}

/* Every field where mdpy_mig.h says it is, little-endian */
static void test_writer_layout(void)
{
	const struct mdpy_type *t = &mdpy_types[2];
	struct run one = { 5, 2, 0 };
	u8 *h, *r, *c, *e;
	struct mdpy_mig_sum s;

	mdpy_core_init(&power_on, t);
	build(t, &one, 1, &power_on);
	CHECK_EQ(stream_len, MDPY_MIG_IDLE_SIZE + 16 + 2 * PAGE);
	h = stream;
	CHECK(!memcmp(h, "MDPYMIG1", 8));
	CHECK_EQ(rd32(h + 8), 3);
	CHECK_EQ(rd32(h + 12), 48);
	CHECK(!memcmp(h + 16, "hd\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 16));
	CHECK_EQ(rd32(h + 32), 1920);
	CHECK_EQ(rd32(h + 36), 1080);
	CHECK_EQ(rd32(h + 40), 8u << 20);
	CHECK_EQ(rd32(h + 44), 4096);
	r = h + 48;
	CHECK_EQ(rd32(r), 1);
	CHECK_EQ(rd32(r + 4), 8 + 2 * PAGE);
	CHECK_EQ(rd32(r + 8), 5);
	CHECK_EQ(rd32(r + 12), 2);
	c = r + 16 + 2 * PAGE;
	CHECK_EQ(rd32(c), 2);
	CHECK_EQ(rd32(c + 4), 256);
	CHECK(!memcmp(c + 8, power_on.cfg, 256));
	e = c + 264;
	CHECK_EQ(rd32(e), 3);
	CHECK_EQ(rd32(e + 4), 8);
	mdpy_mig_sum_init(&s);
	mdpy_mig_sum_update(&s, stream, e + 8 - stream);
	CHECK_EQ(rd64(e + 8), mdpy_mig_sum_final(&s));
	CHECK_EQ(e + 16 - stream, stream_len);
}

static void test_idle_round_trip(void)
{
	unsigned int k;
	int how;

	for (k = 0; k < MDPY_NUM_BUILTIN_TYPES; k++) {
		const struct mdpy_type *t = &mdpy_types[k];

		mdpy_core_init(&power_on, t);
		build(t, NULL, 0, &power_on);
		CHECK_EQ(stream_len, MDPY_MIG_IDLE_SIZE);
		for (how = 0; how < 3; how++) {
			sink_init(t);
			CHECK_EQ(feed_all(t, stream, stream_len, how), 0);
			CHECK(!rx.error);
			CHECK_EQ(rx.phase, MDPY_MIG_RX_DONE);
			CHECK_EQ(rx.version, 3);
			CHECK_EQ(sk.calls, 0);
			CHECK(!memcmp(rx.cfg, power_on.cfg, MDPY_CFG_SIZE));
			/* empty feeds after the end are fine */
			CHECK_EQ(mdpy_mig_rx_feed(&rx, stream, 0, sink_page,
						  &sk), 0);
			CHECK_EQ(mdpy_mig_rx_finish(&rx), 0);
		}
	}
}

/* Config a guest may have written: BAR address, command, interrupt line */
static void guest_config(const struct mdpy_type *t, struct mdpy_core *c)
{
	static const u8 bar[4] = { 0xff, 0xff, 0xff, 0xe0 };
	u8 v;

	mdpy_core_init(c, t);
	mdpy_cfg_write(c, 0x10, bar, 4);
	v = 0x06;
	mdpy_cfg_write(c, 0x04, &v, 1);
	v = 11;
	mdpy_cfg_write(c, 0x3c, &v, 1);
}

static void test_runs_round_trip(void)
{
	unsigned int k, i;
	int how;

	for (k = 0; k < MDPY_NUM_BUILTIN_TYPES; k++) {
		const struct mdpy_type *t = &mdpy_types[k];
		u32 nr = mdpy_mig_nr_pages(t);
		/* page 1 comes three times, nr - 1 twice: the last copy wins */
		struct run runs[] = {
			{ 0, 3, 1 }, { nr - 1, 1, 2 }, { 1, 1, 3 },
			{ nr - 3, 3, 4 }, { 1, 1, 5 },
		};
		struct mdpy_core core;
		static u8 page[PAGE];

		guest_config(t, &core);
		CHECK(memcmp(core.cfg, power_on.cfg, MDPY_CFG_SIZE));
		build(t, runs, ARRAY_SIZE(runs), &core);
		CHECK_EQ(stream_len, MDPY_MIG_IDLE_SIZE + 5 * 16 + 9 * PAGE);
		for (how = 0; how < 3; how++) {
			sink_init(t);
			CHECK_EQ(feed_all(t, stream, stream_len, how), 0);
			CHECK(!rx.error);
			CHECK_EQ(sk.calls, 9);
			CHECK_EQ(sk.bad_index, 0);
			CHECK(!memcmp(rx.cfg, core.cfg, MDPY_CFG_SIZE));
			for (i = 0; i < nr; i++) {
				u32 gen = i == 0 || i == 2 ? 1 :
					  i == 1 ? 5 :
					  i >= nr - 3 ? 4 : 0;

				CHECK_EQ(sk.seen[i], gen != 0);
				if (!gen)
					continue;
				fill_page(page, i, gen);
				CHECK_EQ(sk.hash[i], mdpy_mig_page_hash(page));
			}
		}
	}
}

/* Many random splits of one stream (with empty feeds) give one result */
static void test_random_splits(void)
{
	const struct mdpy_type *t = &mdpy_types[0];
	struct run runs[] = { { 7, 2, 1 }, { 8, 1, 2 } };
	struct mdpy_core core;
	u64 h7, h8;
	int n;

	guest_config(t, &core);
	build(t, runs, 2, &core);
	sink_init(t);
	CHECK_EQ(feed_all(t, stream, stream_len, 0), 0);
	h7 = sk.hash[7];
	h8 = sk.hash[8];
	for (n = 0; n < 300; n++) {
		sink_init(t);
		CHECK_EQ(feed_all(t, stream, stream_len, 2), 0);
		CHECK_EQ(sk.calls, 3);
		CHECK_EQ(sk.hash[7], h7);
		CHECK_EQ(sk.hash[8], h8);
		CHECK(!memcmp(rx.cfg, core.cfg, MDPY_CFG_SIZE));
	}
}

static void start(const struct mdpy_type *t)
{
	stream_reset();
	mdpy_core_init(&power_on, t);
	raw_header(t);
}

/* The hand-made pieces make a good stream when nothing is wrong */
static void test_raw_builder_sane(void)
{
	const struct mdpy_type *t = &mdpy_types[0];

	start(t);
	raw_run(3, 2, 8 + 2 * PAGE, 2);
	raw_config(power_on.cfg);
	raw_end();
	sink_init(t);
	CHECK_EQ(feed_all(t, stream, stream_len, 0), 0);
	CHECK_EQ(sk.calls, 2);
}

static void test_refuse_header(void)
{
	const struct mdpy_type *vga = &mdpy_types[0], *xga = &mdpy_types[1];
	static const struct {
		u32 off, val;
		const char *why;
	} edits[] = {
		{ 8, 0, "unsupported version" },
		{ 8, 4, "unsupported version" },
		{ 8, 7, "unsupported version" },
		{ 8, 0xffffffff, "unsupported version" },
		{ 12, 52, "bad header size" },
		{ 12, 0, "bad header size" },
		{ 32, 641, "width/height/BAR size mismatch" },
		{ 36, 479, "width/height/BAR size mismatch" },
		{ 40, 4u << 20, "width/height/BAR size mismatch" },
		{ 44, 8192, "page size mismatch" },
		{ 44, 0, "page size mismatch" },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(edits); i++) {
		start(vga);
		raw_config(power_on.cfg);
		raw_end();
		le32(stream + edits[i].off, edits[i].val);
		fix_sum();
		REFUSED(vga, edits[i].why, 0);
	}
	for (i = 0; i < 8; i++) {
		start(vga);
		raw_config(power_on.cfg);
		raw_end();
		stream[i] ^= 0x20;
		REFUSED(vga, "bad magic", 0);
	}
	/* a vga stream offered to an xga device */
	start(vga);
	raw_config(power_on.cfg);
	raw_end();
	REFUSED(xga, "stream is for another type", 0);
	/* a longer name, garbage after the NUL, no NUL at all */
	start(vga);
	stream[19] = 'a';
	REFUSED(vga, "stream is for another type", 0);
	start(vga);
	stream[31] = 'x';
	REFUSED(vga, "stream is for another type", 0);
	start(vga);
	memset(stream + 16, 'v', 16);
	REFUSED(vga, "stream is for another type", 0);
	start(vga);
	stream[16] = 'V';
	REFUSED(vga, "stream is for another type", 0);
}

/*
 * Types added by the `types` parameter migrate like the built-in ones: a
 * stream names its type, so it loads into the same added type on a target
 * (whatever order that target's list has) and nowhere else.
 */
static void test_added_types(void)
{
	static struct mdpy_type_set src, dst;
	const struct mdpy_type *s25, *d25, *d38, *hd;
	struct mdpy_core core;
	struct run runs[2];
	u32 nr;

	CHECK_EQ(mdpy_types_parse(&src, "2560x1440,3840x2160"), 0);
	CHECK_EQ(mdpy_types_parse(&dst, "3840x2160,1x1,2560x1440"), 0);
	s25 = &src.types[3];
	d38 = &dst.types[3];
	d25 = &dst.types[5];
	hd = &dst.types[2];
	CHECK_STR(s25->name, "2560x1440");
	CHECK_STR(d25->name, "2560x1440");
	CHECK_STR(d38->name, "3840x2160");

	nr = mdpy_mig_nr_pages(s25);
	CHECK_EQ(nr, 4096);
	runs[0] = (struct run){ 0, 2, 1 };
	runs[1] = (struct run){ nr - 1, 1, 2 };
	guest_config(s25, &core);
	build(s25, runs, 2, &core);
	CHECK(!memcmp(stream + 16, "2560x1440\0\0\0\0\0\0\0", 16));
	sink_init(d25);
	CHECK_EQ(feed_all(d25, stream, stream_len, 2), 0);
	CHECK(!rx.error);
	CHECK_EQ(sk.calls, 3);
	CHECK(sk.seen[0] && sk.seen[1] && sk.seen[nr - 1]);
	CHECK(!memcmp(rx.cfg, core.cfg, MDPY_CFG_SIZE));
	/* another added type, a built-in one */
	REFUSED(d38, "stream is for another type", 0);
	REFUSED(hd, "stream is for another type", 0);
	/* and a built-in type's stream into an added type */
	mdpy_core_init(&power_on, hd);
	build(hd, NULL, 0, &power_on);
	REFUSED(d25, "stream is for another type", 0);
	/* a stream that claims the name but not the geometry */
	start(s25);
	raw_config(power_on.cfg);
	raw_end();
	le32(stream + 36, 1441);
	fix_sum();
	REFUSED(d25, "width/height/BAR size mismatch", 0);
}

static void test_refuse_records(void)
{
	const struct mdpy_type *t = &mdpy_types[0];
	u32 nr = mdpy_mig_nr_pages(t);

	start(t);
	raw_rec(4, 0);
	REFUSED(t, "unknown record tag", 0);
	start(t);
	raw_rec(0, 8);
	REFUSED(t, "unknown record tag", 0);
	start(t);
	raw_run(0, 1, 8 + PAGE, 1);
	raw_rec(0x100 | MDPY_MIG_TAG_PAGES, 8);
	REFUSED(t, "unknown record tag", 1);

	/* page runs */
	start(t);
	raw_run(nr, 1, 8 + PAGE, 0);
	REFUSED(t, "page index out of range", 0);
	start(t);
	raw_run(nr - 1, 2, 8 + 2 * PAGE, 0);
	REFUSED(t, "page index out of range", 0);
	start(t);
	raw_run(0xffffffff, 2, 8 + 2 * PAGE, 0);
	REFUSED(t, "page index out of range", 0);
	start(t);
	raw_run(0, 0x100001, 8 + PAGE, 0);	/* 32-bit wrap of the length */
	REFUSED(t, "page index out of range", 0);
	start(t);
	raw_run(0, 0, 8, 0);
	REFUSED(t, "empty page run", 0);
	start(t);
	raw_run(0, 1, 8 + PAGE + 1, 0);
	REFUSED(t, "record length does not match page count", 0);
	start(t);
	raw_run(0, 2, 8 + PAGE, 0);
	REFUSED(t, "record length does not match page count", 0);
	start(t);
	raw_run(0, 1, 8 - 8, 0);
	REFUSED(t, "record length does not match page count", 0);
	start(t);
	raw_run(0, 1, 7, 0);
	REFUSED(t, "record length does not match page count", 0);

	/* order of records */
	start(t);
	raw_run(0, 1, 8 + PAGE, 1);
	raw_config(power_on.cfg);
	raw_config(power_on.cfg);
	REFUSED(t, "config after config", 1);
	start(t);
	raw_config(power_on.cfg);
	raw_run(0, 1, 8 + PAGE, 1);
	REFUSED(t, "pages after config", 0);
	start(t);
	raw_run(2, 1, 8 + PAGE, 1);
	raw_end();
	REFUSED(t, "end before config", 1);
	start(t);
	raw_end();
	REFUSED(t, "end before config", 0);
	start(t);
	raw_rec(MDPY_MIG_TAG_CONFIG, 255);
	REFUSED(t, "bad config record length", 0);
	start(t);
	raw_config(power_on.cfg);
	raw_rec(MDPY_MIG_TAG_END, 16);
	REFUSED(t, "bad end record length", 0);
}

static void test_refuse_sum_and_tail(void)
{
	const struct mdpy_type *t = &mdpy_types[0];
	u8 extra = 0;

	start(t);
	raw_run(4, 2, 8 + 2 * PAGE, 2);
	raw_config(power_on.cfg);
	raw_end();
	stream[stream_len - 1] ^= 0x80;
	REFUSED(t, "checksum mismatch", 2);	/* pages staged, not used */
	stream[stream_len - 1] ^= 0x80;
	stream[100] ^= 1;			/* inside the first page */
	REFUSED(t, "checksum mismatch", 2);
	stream[100] ^= 1;

	/* a byte more, in the same feed and in a later one */
	grow(1)[0] = 0;
	REFUSED(t, "data after end", 2);
	stream_len--;
	sink_init(t);
	CHECK_EQ(feed_all(t, stream, stream_len, 0), 0);
	CHECK_EQ(mdpy_mig_rx_feed(&rx, &extra, 1, sink_page, &sk), -EINVAL);
	CHECK_STR(rx.error, "data after end");
	CHECK_EQ(mdpy_mig_rx_finish(&rx), -EINVAL);
}

/*
 * The device's refusal of a page ends the stream with its errno, in one
 * feed or a byte at a time, and sticks.
 */
static void test_refuse_page_fn(void)
{
	static const struct {
		size_t split;	/* feed_all's split: 0 whole, 1 a byte each */
		int fail_at, err;
	} cases[] = {
		{ 0, 2, -ENOSPC },
		{ 1, 3, -ENOMEM },
	};
	const struct mdpy_type *t = &mdpy_types[1];
	size_t i;

	start(t);
	raw_run(0, 3, 8 + 3 * PAGE, 3);
	raw_config(power_on.cfg);
	raw_end();
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		sink_init(t);
		sk.fail_at = cases[i].fail_at;
		sk.fail_ret = cases[i].err;
		CHECK_EQ(feed_all(t, stream, stream_len, cases[i].split),
			 cases[i].err);
		CHECK_STR(rx.error, "device refused a page");
		CHECK_EQ(sk.calls, (unsigned int)cases[i].fail_at);
		/* sticks: no more pages, and finish says no */
		CHECK_EQ(mdpy_mig_rx_feed(&rx, stream, 1, sink_page, &sk),
			 -EINVAL);
		CHECK_EQ(sk.calls, (unsigned int)cases[i].fail_at);
		CHECK_EQ(mdpy_mig_rx_finish(&rx), -EINVAL);
	}
}

/* Every proper prefix is incomplete, never wrong */
static void test_truncation(void)
{
	const struct mdpy_type *t = &mdpy_types[0];
	struct run one = { 9, 1, 1 };
	size_t cut;
	long ret;

	mdpy_core_init(&power_on, t);
	build(t, &one, 1, &power_on);
	for (cut = 0; cut < stream_len; cut++) {
		sink_init(t);
		mdpy_mig_rx_init(&rx, t, NULL);
		ret = mdpy_mig_rx_feed(&rx, stream, cut, sink_page, &sk);
		if (ret != (long)cut || mdpy_mig_rx_finish(&rx) != -EINVAL ||
		    !rx.error || strcmp(rx.error, "truncated")) {
			tap_diag("  cut at %zu: feed %ld, error \"%s\"", cut,
				 ret, rx.error ? rx.error : "(null)");
			unit_failed++;
			break;
		}
	}
	CHECK_EQ(cut, stream_len);
}

/* Any flipped bit is refused, in feed or in finish */
static void test_bit_flips(void)
{
	const struct mdpy_type *t = &mdpy_types[0];
	struct run one = { 9, 1, 1 };
	size_t off, bad = 0;
	u32 bit;

	mdpy_core_init(&power_on, t);
	build(t, &one, 1, &power_on);
	for (off = 0; off < stream_len; off++) {
		/* every bit outside the page, one bit per page byte */
		for (bit = 0; bit < 8; bit++) {
			bool in_page = off >= 64 && off < 64 + PAGE;

			if (in_page && bit != (off & 7))
				continue;
			stream[off] ^= 1u << bit;
			sink_init(t);
			if (feed_all(t, stream, stream_len, 0) == 0) {
				if (!bad++)
					tap_diag("  flip of bit %u at %zu accepted",
						 bit, off);
			}
			CHECK(sk.bad_index == 0);
			stream[off] ^= 1u << bit;
		}
	}
	CHECK_EQ(bad, 0);
	sink_init(t);
	CHECK_EQ(feed_all(t, stream, stream_len, 0), 0);
}

static void test_config_check(void)
{
	static const struct {
		u32 off;
		u8 xor;
		bool ok;
	} edits[] = {
		{ 0x00, 0x01, false },	/* vendor ID */
		{ 0x01, 0x80, false },
		{ 0x02, 0x01, false },	/* device ID */
		{ 0x04, 0x01, false },	/* I/O decode: hard-wired off */
		{ 0x04, 0x02, true },	/* memory decode */
		{ 0x04, 0x04, true },	/* bus master */
		{ 0x06, 0x10, false },	/* status: capability list */
		{ 0x08, 0x01, false },	/* revision */
		{ 0x0b, 0x01, false },	/* class */
		{ 0x10, 0x08, false },	/* BAR type: prefetchable */
		{ 0x10, 0x04, false },	/* BAR type: 64-bit */
		{ 0x10, 0x01, false },	/* BAR type: I/O */
		{ 0x10, 0x10, false },	/* address bit below the size */
		{ 0x12, 0x10, false },	/* bit 20, inside a 2 MiB BAR */
		{ 0x12, 0x20, true },	/* bit 21: an address bit */
		{ 0x13, 0xff, true },
		{ 0x14, 0x01, false },	/* BAR1 */
		{ 0x2c, 0x01, false },	/* subsystem vendor */
		{ 0x30, 0x01, false },	/* expansion ROM */
		{ 0x34, 0x04, false },	/* capability pointer */
		{ 0x3c, 0xff, true },	/* interrupt line */
		{ 0x3d, 0x01, false },	/* interrupt pin */
		{ 0x40, 0x01, false },	/* capability ID */
		{ 0x42, 0x01, false },	/* capability length */
		{ 0x48, 0x01, false },	/* width in the capability */
		{ 0xff, 0x01, false },
	};
	const struct mdpy_type *t = &mdpy_types[0];
	u8 cfg[MDPY_CFG_SIZE];
	unsigned int i;

	mdpy_core_init(&power_on, t);
	CHECK_EQ(mdpy_mig_config_check(t, NULL, power_on.cfg), 0);
	/* every type's power-on config belongs to it alone */
	CHECK_EQ(mdpy_mig_config_check(&mdpy_types[1], NULL, power_on.cfg), -EINVAL);
	for (i = 0; i < ARRAY_SIZE(edits); i++) {
		memcpy(cfg, power_on.cfg, MDPY_CFG_SIZE);
		cfg[edits[i].off] ^= edits[i].xor;
		if ((mdpy_mig_config_check(t, NULL, cfg) == 0) != edits[i].ok) {
			tap_diag("  config 0x%02x ^ 0x%02x: want %s",
				 edits[i].off, edits[i].xor,
				 edits[i].ok ? "accepted" : "refused");
			unit_failed++;
		}
		/* and the same through a stream */
		start(t);
		raw_run(1, 1, 8 + PAGE, 1);
		raw_config(cfg);
		raw_end();
		if (edits[i].ok) {
			sink_init(t);
			CHECK_EQ(feed_all(t, stream, stream_len, 0), 0);
			CHECK(!memcmp(rx.cfg, cfg, MDPY_CFG_SIZE));
		} else {
			REFUSED(t, "config space rejected", 1);
		}
	}
}

/* A guest's mode travels in config space and must fit the resuming side */
static void test_mode_in_stream(void)
{
	const struct mdpy_type *t = &mdpy_types[2];
	struct mdpy_mode def = { 1280, 800 }, other = { 1280, 720 };
	struct mdpy_core core;
	u8 req[12];

	mdpy_core_init(&core, t);
	le32(req, 800);
	le32(req + 4, 600);
	le32(req + 8, MDPY_MODE_CMD_SET);
	CHECK_EQ(mdpy_cfg_write(&core, MDPY_MODECAP_REQ_WIDTH, req, 12), 0);
	CHECK_EQ(rd32(core.cfg + MDPY_WIDTH_OFFSET), 800);
	build(t, NULL, 0, &core);
	sink_init(t);
	CHECK_EQ(feed_all(t, stream, stream_len, 1), 0);
	CHECK(!memcmp(rx.cfg, core.cfg, MDPY_CFG_SIZE));
	CHECK_EQ(rd32(rx.cfg + MDPY_HEIGHT_OFFSET), 600);

	/* a refused request's status travels too */
	le32(req, 0);
	CHECK_EQ(mdpy_cfg_write(&core, MDPY_MODECAP_REQ_WIDTH, req, 12), 0);
	CHECK_EQ(rd32(core.cfg + MDPY_MODECAP_CTRL), MDPY_MODE_ERR_ZERO);
	build(t, NULL, 0, &core);
	sink_init(t);
	CHECK_EQ(feed_all(t, stream, stream_len, 0), 0);
	CHECK(!memcmp(rx.cfg, core.cfg, MDPY_CFG_SIZE));

	/* an admin's default: the same on both sides, or refused */
	CHECK_EQ(mdpy_core_set_default(&core, &def), 0);
	build(t, NULL, 0, &core);
	feed_def = &def;
	sink_init(t);
	CHECK_EQ(feed_all(t, stream, stream_len, 0), 0);
	CHECK(!memcmp(rx.cfg, core.cfg, MDPY_CFG_SIZE));
	feed_def = &other;
	REFUSED(t, "instance resolution differs", 0);
	feed_def = NULL;
	REFUSED(t, "instance resolution differs", 0);

	/* forged device-set bytes: a mode the instance cannot show, or an
	 * unknown status
	 */
	mdpy_core_init(&core, t);
	le32(core.cfg + MDPY_WIDTH_OFFSET, 2560);
	le32(core.cfg + MDPY_HEIGHT_OFFSET, 1440);
	build(t, NULL, 0, &core);
	REFUSED(t, "config space rejected", 0);
	mdpy_core_init(&core, t);
	le32(core.cfg + MDPY_WIDTH_OFFSET, 0);
	build(t, NULL, 0, &core);
	REFUSED(t, "config space rejected", 0);
	mdpy_core_init(&core, t);
	le32(core.cfg + MDPY_MODECAP_CTRL, MDPY_MODE_ERR_FB + 1);
	build(t, NULL, 0, &core);
	REFUSED(t, "config space rejected", 0);
	mdpy_core_init(&core, t);
	le32(core.cfg + MDPY_MODECAP_FB_BYTES, 16u << 20);
	build(t, NULL, 0, &core);
	REFUSED(t, "config space rejected", 0);
}

/* Streams of the first format (no mode capability) still load */
static void test_version1_stream(void)
{
	const struct mdpy_type *t = &mdpy_types[1];
	struct mdpy_mode def = { 800, 600 };
	u8 v1[MDPY_CFG_SIZE];

	mdpy_core_init(&power_on, t);
	memcpy(v1, power_on.cfg, MDPY_CFG_SIZE);
	v1[MDPY_VENDORCAP_OFFSET + 1] = 0;
	memset(v1 + MDPY_MODECAP_OFFSET, 0, MDPY_MODECAP_SIZE);
	v1[0x04] = 0x06;			/* what a guest had set */
	v1[0x3c] = 0x0b;
	raw_version = 1;
	stream_reset();
	raw_header(t);
	raw_run(1, 1, 8 + PAGE, 1);
	raw_config(v1);
	raw_end();
	sink_init(t);
	CHECK_EQ(feed_all(t, stream, stream_len, 2), 0);
	CHECK_EQ(rx.version, 1);
	CHECK_EQ(sk.calls, 1);
	/*
	 * read as the power-on state with the guest's bits, and as a
	 * display in use: its device always showed the plane
	 */
	power_on.cfg[0x04] = 0x06;
	power_on.cfg[0x3c] = 0x0b;
	power_on.cfg[MDPY_MODECAP_FLAGS] = MDPY_MODE_FLAG_SCANOUT;
	CHECK(!memcmp(rx.cfg, power_on.cfg, MDPY_CFG_SIZE));
	power_on.cfg[MDPY_MODECAP_FLAGS] = 0;
	/* only into an instance showing the type's own size */
	feed_def = &def;
	REFUSED(t, "instance resolution differs", 1);
	feed_def = NULL;
	/* a version 1 stream cannot bring the capability along */
	stream_reset();
	raw_header(t);
	raw_config(power_on.cfg);
	raw_end();
	REFUSED(t, "config space rejected", 0);
	raw_version = MDPY_MIG_VERSION;
}

/*
 * Streams of the second format (mode capability version 1, no FLAGS) load
 * as a display in use; a version 3 stream must carry the new capability.
 */
static void test_version2_stream(void)
{
	const struct mdpy_type *t = &mdpy_types[2];
	u8 v2[MDPY_CFG_SIZE];

	mdpy_core_init(&power_on, t);
	memcpy(v2, power_on.cfg, MDPY_CFG_SIZE);
	v2[MDPY_MODECAP_OFFSET + 2] = MDPY_MODECAP_SIZE_V1;
	v2[MDPY_MODECAP_VERSION_OFFSET] = 1;
	v2[0x04] = 0x02;
	raw_version = 2;
	stream_reset();
	raw_header(t);
	raw_config(v2);
	raw_end();
	sink_init(t);
	CHECK_EQ(feed_all(t, stream, stream_len, 1), 0);
	CHECK_EQ(rx.version, 2);
	power_on.cfg[0x04] = 0x02;
	power_on.cfg[MDPY_MODECAP_FLAGS] = MDPY_MODE_FLAG_SCANOUT;
	CHECK(!memcmp(rx.cfg, power_on.cfg, MDPY_CFG_SIZE));
	/* the old capability under the new version is refused */
	raw_version = MDPY_MIG_VERSION;
	stream_reset();
	raw_header(t);
	raw_config(v2);
	raw_end();
	REFUSED(t, "config space rejected", 0);
	/* so are flags the device does not have */
	mdpy_core_init(&power_on, t);
	power_on.cfg[MDPY_MODECAP_FLAGS] = 0x02;
	stream_reset();
	raw_header(t);
	raw_config(power_on.cfg);
	raw_end();
	REFUSED(t, "config space rejected", 0);
	/* and the flag itself travels */
	mdpy_core_init(&power_on, t);
	mdpy_core_set_scanout(&power_on);
	build(t, NULL, 0, &power_on);
	sink_init(t);
	CHECK_EQ(feed_all(t, stream, stream_len, 2), 0);
	CHECK_EQ(rx.cfg[MDPY_MODECAP_FLAGS], MDPY_MODE_FLAG_SCANOUT);
}

static const struct unit_test tests[] = {
	{ "mig_mode_in_stream", test_mode_in_stream },
	{ "mig_version2_stream_loads", test_version2_stream },
	{ "mig_version1_stream_loads", test_version1_stream },
	{ "mig_sum_any_split", test_sum_splits },
	{ "mig_page_hash", test_page_hash },
	{ "mig_initial_hash_every_type", test_initial_hash },
	{ "mig_writer_layout", test_writer_layout },
	{ "mig_idle_round_trip_every_type", test_idle_round_trip },
	{ "mig_runs_round_trip_last_copy_wins", test_runs_round_trip },
	{ "mig_random_splits", test_random_splits },
	{ "mig_raw_builder_sane", test_raw_builder_sane },
	{ "mig_refuse_header", test_refuse_header },
	{ "mig_added_types", test_added_types },
	{ "mig_refuse_records", test_refuse_records },
	{ "mig_refuse_checksum_and_trailing_data", test_refuse_sum_and_tail },
	{ "mig_refuse_page_fn_error", test_refuse_page_fn },
	{ "mig_truncation_every_offset", test_truncation },
	{ "mig_bit_flip_every_offset", test_bit_flips },
	{ "mig_config_check", test_config_check },
};

int main(void)
{
	int ret = unit_run(tests, ARRAY_SIZE(tests));

	free(stream);
	return ret;
}
