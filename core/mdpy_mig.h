/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mdpy migration stream: the bytes one instance's state travels in, from
 * the saving device to the resuming one (VFIO migration v2).  Built and
 * parsed here so that unit tests and a fuzzer reach every check; the
 * kernel glue only moves bytes and pages.
 *
 * Format, version 3, all integers little-endian:
 *
 *   header (MDPY_MIG_HDR_SIZE bytes)
 *     0  magic "MDPYMIG1" (8 bytes)
 *     8  u32 version        format version of the writer (3)
 *    12  u32 header_size    MDPY_MIG_HDR_SIZE (all versions so far)
 *    16  char type[16]      type name ("hd"), NUL padded
 *    32  u32 width, 36 u32 height, 40 u32 bar_size
 *    44  u32 page_size      MDPY_MIG_PAGE (the stream's page, not the host's)
 *   records, each  u32 tag, u32 len, then len bytes:
 *     MDPY_MIG_TAG_PAGES   u32 first, u32 count, then count pages of BAR0
 *                          (stream pages first .. first + count - 1, all
 *                          inside BAR0, count > 0, so len is exactly
 *                          8 + count * MDPY_MIG_PAGE); a page may come
 *                          again later: the last copy wins
 *     MDPY_MIG_TAG_CONFIG  the 256 bytes of config space; exactly once,
 *                          after every PAGES record
 *     MDPY_MIG_TAG_END     u64 checksum of every byte before this record's
 *                          payload (header and all records, this record's
 *                          tag and len included); the last bytes
 *
 * Pages not in the stream hold the power-on picture.  A reader accepts
 * every version up to MDPY_MIG_VERSION, so later state comes as new tags
 * or fields under a new version and old streams still load:
 *   1  config space without the mode capability (0x41 is 0, 0x50..0x6f
 *      are 0); it loads only into an instance whose default mode is the
 *      type's size, and reads as that mode with the capability added.
 *   2  config space with the mode capability: the current mode, the
 *      requested one and the last command's status travel with it, and
 *      the instance's default mode must be the same on both sides.
 *   3  the mode capability is version 2 (0x24 bytes, with FLAGS): whether
 *      the guest uses the display travels too.  A version 1 or 2 stream
 *      loads with MDPY_MODE_FLAG_SCANOUT set, as its device always showed
 *      the plane.
 */
#ifndef MDPY_MIG_H
#define MDPY_MIG_H

#include "mdpy_core.h"

#define MDPY_MIG_VERSION	3
#define MDPY_MIG_MAGIC		"MDPYMIG1"
#define MDPY_MIG_MAGIC_SIZE	8
#define MDPY_MIG_TYPE_SIZE	16
#define MDPY_MIG_HDR_SIZE	48
#define MDPY_MIG_PAGE		4096u
#define MDPY_MIG_REC_HDR_SIZE	8	/* tag, len */
#define MDPY_MIG_RUN_HDR_SIZE	16	/* tag, len, first, count */
#define MDPY_MIG_CONFIG_REC_SIZE (MDPY_MIG_REC_HDR_SIZE + MDPY_CFG_SIZE)
#define MDPY_MIG_END_REC_SIZE	(MDPY_MIG_REC_HDR_SIZE + 8)

#define MDPY_MIG_TAG_PAGES	1
#define MDPY_MIG_TAG_CONFIG	2
#define MDPY_MIG_TAG_END	3

/* Stream pages in BAR0 of @type */
static inline u32 mdpy_mig_nr_pages(const struct mdpy_type *type)
{
	return mdpy_bar_size(type) / MDPY_MIG_PAGE;
}

/* The stream of an instance showing only the power-on picture */
#define MDPY_MIG_IDLE_SIZE	(MDPY_MIG_HDR_SIZE + MDPY_MIG_CONFIG_REC_SIZE + \
				 MDPY_MIG_END_REC_SIZE)

/*
 * The checksum of the stream and the content hash of a page: 64-bit,
 * computed incrementally; any split of the same bytes into update calls
 * gives the same value.  It catches damaged, cut or reordered streams; it
 * is not cryptographic, so it proves nothing about who wrote a stream.
 */
struct mdpy_mig_sum {
	u64 state;
	u64 len;	/* bytes so far */
	u8 tail[8];	/* bytes not yet folded in: len % 8 of them */
};

void mdpy_mig_sum_init(struct mdpy_mig_sum *sum);
void mdpy_mig_sum_update(struct mdpy_mig_sum *sum, const void *data,
			 size_t len);
u64 mdpy_mig_sum_final(const struct mdpy_mig_sum *sum);

/* Content hash of one stream page (MDPY_MIG_PAGE bytes) */
u64 mdpy_mig_page_hash(const void *page);
/* ... of stream page @index (< mdpy_mig_nr_pages()) as it is at power-on */
u64 mdpy_mig_initial_hash(const struct mdpy_type *type, u32 index);

/*
 * Writing.  Each put_* writes one piece into @out and folds it into the
 * running checksum; pages of a run go straight from the device to the
 * reader, so the caller folds each in with mdpy_mig_put_page().
 */
struct mdpy_mig_tx {
	struct mdpy_mig_sum sum;
};

void mdpy_mig_tx_init(struct mdpy_mig_tx *tx);
/* MDPY_MIG_HDR_SIZE bytes */
size_t mdpy_mig_put_header(struct mdpy_mig_tx *tx,
			   const struct mdpy_type *type, u8 *out);
/*
 * MDPY_MIG_RUN_HDR_SIZE bytes: a PAGES record of @count pages follows
 * (1 <= @count, @first + @count <= mdpy_mig_nr_pages())
 */
size_t mdpy_mig_put_run(struct mdpy_mig_tx *tx, u32 first, u32 count,
			u8 *out);
/* one page of the current run: MDPY_MIG_PAGE bytes the caller sends */
void mdpy_mig_put_page(struct mdpy_mig_tx *tx, const void *page);
/* MDPY_MIG_CONFIG_REC_SIZE bytes */
size_t mdpy_mig_put_config(struct mdpy_mig_tx *tx,
			   const struct mdpy_core *core, u8 *out);
/* MDPY_MIG_END_REC_SIZE bytes */
size_t mdpy_mig_put_end(struct mdpy_mig_tx *tx, u8 *out);

/*
 * Reading.  Feed the stream in pieces of any size; complete pages are
 * handed to @page_fn as they arrive (the caller stages them: nothing may
 * reach the device before mdpy_mig_rx_finish() says the whole stream is
 * good).  @page points into the caller's buffer or into @buf, is not
 * aligned, and is valid only during the call; @page_fn may be NULL.  The
 * first error sticks: every later call fails too (with -EINVAL), and
 * @error names it in words for the one log line.
 */
typedef int (*mdpy_mig_page_fn)(void *ctx, u32 index, const void *page);

enum mdpy_mig_rx_phase {
	MDPY_MIG_RX_HEADER,	/* collecting the header */
	MDPY_MIG_RX_REC,	/* collecting a record's tag and len */
	MDPY_MIG_RX_RUN,	/* collecting a PAGES record's first, count */
	MDPY_MIG_RX_PAGE,	/* collecting one page of a run */
	MDPY_MIG_RX_CONFIG,	/* collecting config space */
	MDPY_MIG_RX_SUM,	/* collecting the END checksum */
	MDPY_MIG_RX_DONE,	/* END seen and good: no more bytes */
	MDPY_MIG_RX_FAILED,
};

struct mdpy_mig_rx {
	const struct mdpy_type *type;	/* the device being resumed */
	struct mdpy_mode def;		/* and its default mode */
	enum mdpy_mig_rx_phase phase;
	struct mdpy_mig_sum sum;
	u32 version;		/* from the header */
	u32 tag;		/* record being read */
	u32 rec_len;
	u32 run_next;		/* next page index of the run */
	u32 run_left;		/* pages of the run still to come */
	u32 have;		/* bytes collected in @buf */
	u32 need;		/* bytes the current piece takes */
	bool seen_config;
	const char *error;	/* why the stream was refused, or NULL */
	u8 cfg[MDPY_CFG_SIZE];	/* from the CONFIG record */
	u8 buf[MDPY_MIG_PAGE];	/* the piece being collected */
};

/* @def: the resuming instance's default mode; NULL for the type's size */
void mdpy_mig_rx_init(struct mdpy_mig_rx *rx, const struct mdpy_type *type,
		      const struct mdpy_mode *def);
/*
 * Returns @len when all was taken, or a negative errno: -EINVAL for a bad
 * stream, or what @page_fn returned (then @error says so as well).
 */
long mdpy_mig_rx_feed(struct mdpy_mig_rx *rx, const void *data, size_t len,
		      mdpy_mig_page_fn page_fn, void *ctx);
/*
 * The stream is over: 0 if it was complete and good, else -EINVAL with
 * @error set ("truncated", ...).  On 0, @cfg holds config space that
 * mdpy_mig_config_check() accepted (a version 1 stream's config space
 * already given its mode capability).
 */
int mdpy_mig_rx_finish(struct mdpy_mig_rx *rx);

/*
 * A config space from a stream is acceptable for an instance of @type with
 * default mode @def (NULL: the type's size) only if every bit the guest
 * cannot write equals the power-on value, except the bytes the device sets
 * itself (mdpy_cfg_device_set()), which must hold a mode the instance can
 * show and a known status: the device's identity, capabilities and the
 * BAR's type bits cannot be forged by a stream.
 */
int mdpy_mig_config_check(const struct mdpy_type *type,
			  const struct mdpy_mode *def,
			  const u8 cfg[MDPY_CFG_SIZE]);

#endif /* MDPY_MIG_H */
