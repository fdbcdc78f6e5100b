// SPDX-License-Identifier: GPL-2.0
/*
 * mdpy migration stream: checksum, writer and streaming reader.  The
 * format is described in mdpy_mig.h.
 *
 * This runs in the kernel on a stream that arrives from user space, so the
 * reader trusts nothing in it: every length is checked in 64-bit arithmetic
 * before it is used, nothing is read past what was fed, and the stack
 * frames stay small (the one page buffer lives in struct mdpy_mig_rx).
 * Every integer goes through the byte helpers below, never through a cast
 * of a byte pointer, so the stream is little-endian on any host.
 */
#include "mdpy_mig.h"

static void put_le32(u8 *p, u32 v)
{
	p[0] = v & 0xff;
	p[1] = (v >> 8) & 0xff;
	p[2] = (v >> 16) & 0xff;
	p[3] = v >> 24;
}

static void put_le64(u8 *p, u64 v)
{
	put_le32(p, (u32)v);
	put_le32(p + 4, (u32)(v >> 32));
}

static u32 get_le32(const u8 *p)
{
	return (u32)p[0] | (u32)p[1] << 8 | (u32)p[2] << 16 | (u32)p[3] << 24;
}

static u64 get_le64(const u8 *p)
{
	return (u64)get_le32(p) | (u64)get_le32(p + 4) << 32;
}

/*
 * The checksum.  An integrity check against truncated, reordered or
 * corrupted streams, not a cryptographic hash: whoever can write the
 * stream can also write a matching sum, and what protects the device from
 * a forged stream is the checking of every field, not this value.
 *
 * Each 8-byte little-endian word w of the input is folded in as
 *	state = mix(state ^ w),  mix(x) = (x * K1) ^ ((x * K1) >> 29)
 * Both steps are bijections of 64-bit values (an odd multiplier, and an
 * xor with a right shift), so for fixed input after it a change in any
 * single word always changes the result.  The last, partial word is
 * zero-padded and the length folded in after it, so inputs that differ
 * only by trailing zero bytes differ too; a final avalanche spreads every
 * bit over the whole value.  Words are counted from the start of the
 * input, not of each update call, which is what makes any split of the
 * same bytes give the same sum.
 */
#define SUM_SEED	0x6d6470796d696731ULL	/* "mdpymig1" */
#define SUM_K1		0x9e3779b97f4a7c15ULL
#define SUM_K2		0xbf58476d1ce4e5b9ULL
#define SUM_K3		0x94d049bb133111ebULL

static u64 sum_mix(u64 state, u64 word)
{
	u64 x = (state ^ word) * SUM_K1;

	return x ^ (x >> 29);
}

void mdpy_mig_sum_init(struct mdpy_mig_sum *sum)
{
	memset(sum, 0, sizeof(*sum));
	sum->state = SUM_SEED;
}

void mdpy_mig_sum_update(struct mdpy_mig_sum *sum, const void *data,
			 size_t len)
{
	const u8 *p = data;
	u32 fill = sum->len & 7;
	u64 state = sum->state;

	sum->len += len;
	/* complete the word an earlier call left open */
	if (fill) {
		u32 n = 8 - fill;

		if (len < n) {
			memcpy(sum->tail + fill, p, len);
			return;
		}
		memcpy(sum->tail + fill, p, n);
		state = sum_mix(state, get_le64(sum->tail));
		p += n;
		len -= n;
	}
	while (len >= 8) {
		state = sum_mix(state, get_le64(p));
		p += 8;
		len -= 8;
	}
	memcpy(sum->tail, p, len);
	sum->state = state;
}

u64 mdpy_mig_sum_final(const struct mdpy_mig_sum *sum)
{
	u32 fill = sum->len & 7;
	u64 state = sum->state, x;
	u8 last[8] = { 0 };

	memcpy(last, sum->tail, fill);
	state = sum_mix(state, get_le64(last));
	state = sum_mix(state, sum->len);
	/* splitmix64's finaliser constants: every input bit reaches every
	 * output bit
	 */
	x = state;
	x = (x ^ (x >> 30)) * SUM_K2;
	x = (x ^ (x >> 27)) * SUM_K3;
	return x ^ (x >> 31);
}

u64 mdpy_mig_page_hash(const void *page)
{
	struct mdpy_mig_sum sum;

	mdpy_mig_sum_init(&sum);
	mdpy_mig_sum_update(&sum, page, MDPY_MIG_PAGE);
	return mdpy_mig_sum_final(&sum);
}

/* Rendered a piece at a time: a whole page would not fit a kernel stack */
#define INITIAL_CHUNK	128

u64 mdpy_mig_initial_hash(const struct mdpy_type *type, u32 index)
{
	u64 off = (u64)index * MDPY_MIG_PAGE;
	struct mdpy_mig_sum sum;
	u8 chunk[INITIAL_CHUNK];
	u32 done;

	mdpy_mig_sum_init(&sum);
	for (done = 0; done < MDPY_MIG_PAGE; done += INITIAL_CHUNK) {
		mdpy_fb_initial(type, off + done, chunk, INITIAL_CHUNK);
		mdpy_mig_sum_update(&sum, chunk, INITIAL_CHUNK);
	}
	return mdpy_mig_sum_final(&sum);
}

/* --- writer ------------------------------------------------------------ */

/* Header fields (offsets into the MDPY_MIG_HDR_SIZE bytes) */
#define HDR_MAGIC	0
#define HDR_VERSION	8
#define HDR_SIZE	12
#define HDR_TYPE	16
#define HDR_WIDTH	32
#define HDR_HEIGHT	36
#define HDR_BAR_SIZE	40
#define HDR_PAGE_SIZE	44

void mdpy_mig_tx_init(struct mdpy_mig_tx *tx)
{
	mdpy_mig_sum_init(&tx->sum);
}

size_t mdpy_mig_put_header(struct mdpy_mig_tx *tx,
			   const struct mdpy_type *type, u8 *out)
{
	size_t n = strlen(type->name);

	/* a type name always leaves room for its NUL; never overrun */
	if (n > MDPY_MIG_TYPE_SIZE - 1)
		n = MDPY_MIG_TYPE_SIZE - 1;
	memset(out, 0, MDPY_MIG_HDR_SIZE);
	memcpy(out + HDR_MAGIC, MDPY_MIG_MAGIC, MDPY_MIG_MAGIC_SIZE);
	put_le32(out + HDR_VERSION, MDPY_MIG_VERSION);
	put_le32(out + HDR_SIZE, MDPY_MIG_HDR_SIZE);
	memcpy(out + HDR_TYPE, type->name, n);
	put_le32(out + HDR_WIDTH, type->width);
	put_le32(out + HDR_HEIGHT, type->height);
	put_le32(out + HDR_BAR_SIZE, mdpy_bar_size(type));
	put_le32(out + HDR_PAGE_SIZE, MDPY_MIG_PAGE);
	mdpy_mig_sum_update(&tx->sum, out, MDPY_MIG_HDR_SIZE);
	return MDPY_MIG_HDR_SIZE;
}

static void put_rec(u8 *out, u32 tag, u32 len)
{
	put_le32(out, tag);
	put_le32(out + 4, len);
}

size_t mdpy_mig_put_run(struct mdpy_mig_tx *tx, u32 first, u32 count,
			u8 *out)
{
	/* count is at most mdpy_mig_nr_pages(), so the length fits */
	put_rec(out, MDPY_MIG_TAG_PAGES, 8 + count * MDPY_MIG_PAGE);
	put_le32(out + 8, first);
	put_le32(out + 12, count);
	mdpy_mig_sum_update(&tx->sum, out, MDPY_MIG_RUN_HDR_SIZE);
	return MDPY_MIG_RUN_HDR_SIZE;
}

void mdpy_mig_put_page(struct mdpy_mig_tx *tx, const void *page)
{
	mdpy_mig_sum_update(&tx->sum, page, MDPY_MIG_PAGE);
}

size_t mdpy_mig_put_config(struct mdpy_mig_tx *tx,
			   const struct mdpy_core *core, u8 *out)
{
	put_rec(out, MDPY_MIG_TAG_CONFIG, MDPY_CFG_SIZE);
	memcpy(out + MDPY_MIG_REC_HDR_SIZE, core->cfg, MDPY_CFG_SIZE);
	mdpy_mig_sum_update(&tx->sum, out, MDPY_MIG_CONFIG_REC_SIZE);
	return MDPY_MIG_CONFIG_REC_SIZE;
}

size_t mdpy_mig_put_end(struct mdpy_mig_tx *tx, u8 *out)
{
	/* the sum covers the END record's tag and len, not its payload */
	put_rec(out, MDPY_MIG_TAG_END, 8);
	mdpy_mig_sum_update(&tx->sum, out, MDPY_MIG_REC_HDR_SIZE);
	put_le64(out + MDPY_MIG_REC_HDR_SIZE, mdpy_mig_sum_final(&tx->sum));
	return MDPY_MIG_END_REC_SIZE;
}

/* --- reader ------------------------------------------------------------ */

static void rx_expect(struct mdpy_mig_rx *rx, enum mdpy_mig_rx_phase phase,
		      u32 need)
{
	rx->phase = phase;
	rx->have = 0;
	rx->need = need;
}

static int rx_fail(struct mdpy_mig_rx *rx, const char *why)
{
	if (rx->phase != MDPY_MIG_RX_FAILED) {
		rx->phase = MDPY_MIG_RX_FAILED;
		rx->error = why;
	}
	return -EINVAL;
}

void mdpy_mig_rx_init(struct mdpy_mig_rx *rx, const struct mdpy_type *type,
		      const struct mdpy_mode *def)
{
	memset(rx, 0, offsetof(struct mdpy_mig_rx, buf));
	rx->type = type;
	rx->def.width = def ? def->width : type->width;
	rx->def.height = def ? def->height : type->height;
	mdpy_mig_sum_init(&rx->sum);
	rx_expect(rx, MDPY_MIG_RX_HEADER, MDPY_MIG_HDR_SIZE);
}

/* The type name: exactly @name, then NULs to the end of the field */
static bool rx_type_ok(const u8 *field, const char *name)
{
	size_t n = strlen(name), i;

	if (n >= MDPY_MIG_TYPE_SIZE || memcmp(field, name, n))
		return false;
	for (i = n; i < MDPY_MIG_TYPE_SIZE; i++)
		if (field[i])
			return false;
	return true;
}

static int rx_header(struct mdpy_mig_rx *rx, const u8 *h)
{
	const struct mdpy_type *type = rx->type;
	u32 version = get_le32(h + HDR_VERSION);

	if (memcmp(h + HDR_MAGIC, MDPY_MIG_MAGIC, MDPY_MIG_MAGIC_SIZE))
		return rx_fail(rx, "bad magic");
	if (version < 1 || version > MDPY_MIG_VERSION)
		return rx_fail(rx, "unsupported version");
	/* every version so far has this header; a later one may grow it */
	if (get_le32(h + HDR_SIZE) != MDPY_MIG_HDR_SIZE)
		return rx_fail(rx, "bad header size");
	if (!rx_type_ok(h + HDR_TYPE, type->name))
		return rx_fail(rx, "stream is for another type");
	if (get_le32(h + HDR_WIDTH) != type->width ||
	    get_le32(h + HDR_HEIGHT) != type->height ||
	    get_le32(h + HDR_BAR_SIZE) != mdpy_bar_size(type))
		return rx_fail(rx, "width/height/BAR size mismatch");
	if (get_le32(h + HDR_PAGE_SIZE) != MDPY_MIG_PAGE)
		return rx_fail(rx, "page size mismatch");
	rx->version = version;
	rx_expect(rx, MDPY_MIG_RX_REC, MDPY_MIG_REC_HDR_SIZE);
	return 0;
}

static int rx_record(struct mdpy_mig_rx *rx, const u8 *r)
{
	rx->tag = get_le32(r);
	rx->rec_len = get_le32(r + 4);

	switch (rx->tag) {
	case MDPY_MIG_TAG_PAGES:
		if (rx->seen_config)
			return rx_fail(rx, "pages after config");
		if (rx->rec_len < 8)
			return rx_fail(rx,
				"record length does not match page count");
		rx_expect(rx, MDPY_MIG_RX_RUN, 8);
		return 0;
	case MDPY_MIG_TAG_CONFIG:
		if (rx->seen_config)
			return rx_fail(rx, "config after config");
		if (rx->rec_len != MDPY_CFG_SIZE)
			return rx_fail(rx, "bad config record length");
		rx_expect(rx, MDPY_MIG_RX_CONFIG, MDPY_CFG_SIZE);
		return 0;
	case MDPY_MIG_TAG_END:
		if (!rx->seen_config)
			return rx_fail(rx, "end before config");
		if (rx->rec_len != 8)
			return rx_fail(rx, "bad end record length");
		rx_expect(rx, MDPY_MIG_RX_SUM, 8);
		return 0;
	default:
		return rx_fail(rx, "unknown record tag");
	}
}

static int rx_run(struct mdpy_mig_rx *rx, const u8 *r)
{
	u32 first = get_le32(r), count = get_le32(r + 4);
	u32 nr = mdpy_mig_nr_pages(rx->type);

	if (!count)
		return rx_fail(rx, "empty page run");
	if (first >= nr || count > nr - first)
		return rx_fail(rx, "page index out of range");
	if (rx->rec_len != 8 + (u64)count * MDPY_MIG_PAGE)
		return rx_fail(rx, "record length does not match page count");
	rx->run_next = first;
	rx->run_left = count;
	rx_expect(rx, MDPY_MIG_RX_PAGE, MDPY_MIG_PAGE);
	return 0;
}

static int rx_page(struct mdpy_mig_rx *rx, const u8 *page,
		   mdpy_mig_page_fn page_fn, void *ctx)
{
	int ret = page_fn ? page_fn(ctx, rx->run_next, page) : 0;

	if (ret) {
		rx_fail(rx, "device refused a page");
		return ret < 0 ? ret : -EINVAL;
	}
	rx->run_next++;
	if (--rx->run_left)
		rx_expect(rx, MDPY_MIG_RX_PAGE, MDPY_MIG_PAGE);
	else
		rx_expect(rx, MDPY_MIG_RX_REC, MDPY_MIG_REC_HDR_SIZE);
	return 0;
}

/*
 * A version 1 config space into @rx->cfg with the mode capability it did
 * not have, as it is at power-on: the mode it was showing is the type's.
 */
static int rx_config_v1(struct mdpy_mig_rx *rx, const u8 *cfg)
{
	u32 i;

	if (rx->def.width != rx->type->width ||
	    rx->def.height != rx->type->height)
		return rx_fail(rx, "instance resolution differs");
	if (cfg[MDPY_VENDORCAP_OFFSET + 1])
		return rx_fail(rx, "config space rejected");
	for (i = MDPY_MODECAP_OFFSET;
	     i < MDPY_MODECAP_OFFSET + MDPY_MODECAP_SIZE; i++)
		if (cfg[i])
			return rx_fail(rx, "config space rejected");
	memcpy(rx->cfg, cfg, MDPY_CFG_SIZE);
	mdpy_cfg_put_modecap(rx->cfg, rx->type, &rx->def);
	/* the device it came from always showed its plane */
	rx->cfg[MDPY_MODECAP_FLAGS] = MDPY_MODE_FLAG_SCANOUT;
	return 0;
}

/*
 * A version 2 config space: the mode capability of version 1, without
 * FLAGS.  The device it came from always showed its plane.
 */
static void rx_config_v2(struct mdpy_mig_rx *rx)
{
	u8 *cap = rx->cfg + MDPY_MODECAP_OFFSET;

	if (cap[2] != MDPY_MODECAP_SIZE_V1 || cap[3] != 1)
		return;		/* the config check refuses it */
	cap[2] = MDPY_MODECAP_SIZE;
	cap[3] = MDPY_MODECAP_VERSION;
	rx->cfg[MDPY_MODECAP_FLAGS] = MDPY_MODE_FLAG_SCANOUT;
}

static int rx_config(struct mdpy_mig_rx *rx, const u8 *cfg)
{
	int ret;

	if (rx->version == 1) {
		ret = rx_config_v1(rx, cfg);
		if (ret)
			return ret;
	} else {
		if (get_le32(cfg + MDPY_MODECAP_DEFAULT_WIDTH) != rx->def.width ||
		    get_le32(cfg + MDPY_MODECAP_DEFAULT_HEIGHT) != rx->def.height)
			return rx_fail(rx, "instance resolution differs");
		memcpy(rx->cfg, cfg, MDPY_CFG_SIZE);
		if (rx->version == 2)
			rx_config_v2(rx);
	}
	/* refused here, before any page could be staged for longer */
	if (mdpy_mig_config_check(rx->type, &rx->def, rx->cfg))
		return rx_fail(rx, "config space rejected");
	rx->seen_config = true;
	rx_expect(rx, MDPY_MIG_RX_REC, MDPY_MIG_REC_HDR_SIZE);
	return 0;
}

static int rx_sum(struct mdpy_mig_rx *rx, const u8 *s)
{
	if (get_le64(s) != mdpy_mig_sum_final(&rx->sum))
		return rx_fail(rx, "checksum mismatch");
	rx_expect(rx, MDPY_MIG_RX_DONE, 0);
	return 0;
}

/*
 * One complete piece (@rx->need bytes at @p) of the current phase.  Every
 * byte but the END record's payload is part of the checksum.
 */
static int rx_piece(struct mdpy_mig_rx *rx, const u8 *p,
		    mdpy_mig_page_fn page_fn, void *ctx)
{
	if (rx->phase != MDPY_MIG_RX_SUM)
		mdpy_mig_sum_update(&rx->sum, p, rx->need);

	switch (rx->phase) {
	case MDPY_MIG_RX_HEADER:
		return rx_header(rx, p);
	case MDPY_MIG_RX_REC:
		return rx_record(rx, p);
	case MDPY_MIG_RX_RUN:
		return rx_run(rx, p);
	case MDPY_MIG_RX_PAGE:
		return rx_page(rx, p, page_fn, ctx);
	case MDPY_MIG_RX_CONFIG:
		return rx_config(rx, p);
	case MDPY_MIG_RX_SUM:
		return rx_sum(rx, p);
	default:
		return rx_fail(rx, "internal error");
	}
}

long mdpy_mig_rx_feed(struct mdpy_mig_rx *rx, const void *data, size_t len,
		      mdpy_mig_page_fn page_fn, void *ctx)
{
	const u8 *p = data;
	size_t left = len;
	int ret;

	if (rx->phase == MDPY_MIG_RX_FAILED)
		return -EINVAL;
	while (left) {
		const u8 *piece;
		size_t take;

		if (rx->phase == MDPY_MIG_RX_DONE)
			return rx_fail(rx, "data after end");
		if (rx->have == 0 && left >= rx->need) {
			/* all of it is here: no copy (a page goes straight
			 * from the caller's buffer to page_fn)
			 */
			piece = p;
			take = rx->need;
		} else {
			take = rx->need - rx->have;
			if (take > left)
				take = left;
			memcpy(rx->buf + rx->have, p, take);
			rx->have += take;
			if (rx->have < rx->need)
				return len;	/* all taken, piece still open */
			piece = rx->buf;
		}
		p += take;
		left -= take;
		ret = rx_piece(rx, piece, page_fn, ctx);
		if (ret)
			return ret;
	}
	return len;
}

int mdpy_mig_rx_finish(struct mdpy_mig_rx *rx)
{
	if (rx->phase == MDPY_MIG_RX_FAILED)
		return -EINVAL;
	if (rx->phase != MDPY_MIG_RX_DONE)
		return rx_fail(rx, "truncated");
	return 0;
}

int mdpy_mig_config_check(const struct mdpy_type *type,
			  const struct mdpy_mode *def,
			  const u8 cfg[MDPY_CFG_SIZE])
{
	struct mdpy_core power_on;
	struct mdpy_mode cur;
	u32 i;

	mdpy_core_init(&power_on, type);
	if (def && mdpy_core_set_default(&power_on, def))
		return -EINVAL;
	for (i = 0; i < MDPY_CFG_SIZE; i++) {
		u8 fixed = ~mdpy_cfg_wmask(&power_on, i);

		if (mdpy_cfg_device_set(i))
			continue;
		if ((cfg[i] ^ power_on.cfg[i]) & fixed)
			return -EINVAL;
	}
	cur.width = get_le32(cfg + MDPY_WIDTH_OFFSET);
	cur.height = get_le32(cfg + MDPY_HEIGHT_OFFSET);
	if (mdpy_mode_check(type, &power_on.def, &cur) != MDPY_MODE_OK)
		return -EINVAL;
	if (get_le32(cfg + MDPY_MODECAP_CTRL) > MDPY_MODE_ERR_FB)
		return -EINVAL;
	if (get_le32(cfg + MDPY_MODECAP_FLAGS) & ~(u32)MDPY_MODE_FLAG_SCANOUT)
		return -EINVAL;
	return 0;
}
