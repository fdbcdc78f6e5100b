// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: the migration stream reader (mdpy_mig_rx_*) on
 * arbitrary bytes, fed in pieces.
 *
 * Input: byte 0 picks the type (bits 0-1), asks for the END checksum to
 * be made right before feeding (bit 7; without it the fuzzer would seldom
 * get past the checksum) and for page_fn to refuse the second page (bit
 * 6); byte 1 seeds how the rest is split into feeds; the rest is the
 * stream.
 *
 * Invariants: no crash or sanitizer report; page_fn sees only indexes
 * inside BAR0; a refusal names itself and sticks; any split gives the
 * same verdict as one feed; after a good finish the config passes
 * mdpy_mig_config_check(), and the pages and config the reader accepted,
 * written again with the mdpy_mig_put_* writer, make a stream the reader
 * accepts with the same pages and config.
 */
#include "fuzz.h"
#include "../../core/mdpy_mig.h"

#define MAX_KEPT	64

struct kept {
	const struct mdpy_type *type;
	u32 nr;
	u32 calls;
	u32 refuse_at;		/* 1-based call that fails, or 0 */
	u32 n;
	bool overflow;		/* more distinct pages than MAX_KEPT */
	u32 idx[MAX_KEPT];
	u8 page[MAX_KEPT][MDPY_MIG_PAGE];
};

static struct kept first, second;

static void kept_init(struct kept *k, const struct mdpy_type *t, u32 refuse)
{
	k->type = t;
	k->nr = mdpy_mig_nr_pages(t);
	k->calls = 0;
	k->refuse_at = refuse;
	k->n = 0;
	k->overflow = false;
}

static int keep_page(void *ctx, u32 index, const void *page)
{
	struct kept *k = ctx;
	u32 i;

	FUZZ_ASSERT(index < k->nr, "page %u of %u", index, k->nr);
	k->calls++;
	if (k->refuse_at && k->calls == k->refuse_at)
		return -ENOSPC;
	/* the last copy wins */
	for (i = 0; i < k->n; i++)
		if (k->idx[i] == index)
			break;
	if (i == MAX_KEPT) {
		k->overflow = true;
		return 0;
	}
	if (i == k->n)
		k->n++;
	k->idx[i] = index;
	memcpy(k->page[i], page, MDPY_MIG_PAGE);
	return 0;
}

static struct mdpy_mig_rx rx, rx_whole;

/* Feed @len bytes in pieces chosen by @seed; the result of the last feed */
static long feed_split(struct mdpy_mig_rx *r, const u8 *p, size_t len,
		       u8 seed, struct kept *k)
{
	u32 state = seed * 2654435761u + 1;
	size_t off = 0;
	int pieces = seed ? 1 + seed % 5 : 0;
	long ret = 0;

	while (off < len || pieces > 0) {
		size_t n = len - off;

		if (pieces-- > 0) {
			state = state * 1103515245u + 12345u;
			/* short pieces, or pieces across page boundaries */
			n = state >> 16 & 1 ? (state >> 17) % 17 :
			    (state >> 17) % (MDPY_MIG_PAGE + 64);
			if (n > len - off)
				n = len - off;
		}
		ret = mdpy_mig_rx_feed(r, p + off, n, keep_page, k);
		if (ret < 0)
			return ret;
		FUZZ_ASSERT(ret == (long)n, "feed of %zu returned %ld", n, ret);
		off += n;
	}
	return ret;
}

/* Patch the END checksum when the stream ends in something like END */
static void fix_sum(u8 *p, size_t len)
{
	struct mdpy_mig_sum sum;

	if (len < MDPY_MIG_HDR_SIZE + MDPY_MIG_END_REC_SIZE ||
	    get_le(p + len - 16, 4) != MDPY_MIG_TAG_END)
		return;
	mdpy_mig_sum_init(&sum);
	mdpy_mig_sum_update(&sum, p, len - 8);
	put_le(p + len - 8, (u32)mdpy_mig_sum_final(&sum), 4);
	put_le(p + len - 4, (u32)(mdpy_mig_sum_final(&sum) >> 32), 4);
}

static void check_refused(struct mdpy_mig_rx *r, long ret)
{
	const char *why = r->error;

	FUZZ_ASSERT(ret < 0, "ret %ld", ret);
	FUZZ_ASSERT(why && *why, "refused without a reason");
	FUZZ_ASSERT(r->phase == MDPY_MIG_RX_FAILED, "phase %d", r->phase);
	FUZZ_ASSERT(mdpy_mig_rx_feed(r, "x", 1, keep_page, &first) == -EINVAL,
		    "a feed after a refusal");
	FUZZ_ASSERT(mdpy_mig_rx_finish(r) == -EINVAL, "finish after refusal");
	FUZZ_ASSERT(r->error == why, "the error changed");
}

/* Write what was accepted again, and read that back */
static void re_encode(const struct mdpy_type *t)
{
	static u8 out[MDPY_MIG_IDLE_SIZE + MAX_KEPT * MDPY_MIG_RUN_HDR_SIZE];
	struct mdpy_mig_tx tx;
	struct mdpy_core core;
	size_t len = 0;
	u32 i;
	long ret;

	if (first.overflow)
		return;
	mdpy_core_init(&core, t);
	memcpy(core.cfg, rx.cfg, MDPY_CFG_SIZE);
	mdpy_mig_tx_init(&tx);
	mdpy_mig_rx_init(&rx_whole, t, NULL);
	kept_init(&second, t, 0);

	/* header and each run header feed through; pages go by reference */
	len = mdpy_mig_put_header(&tx, t, out);
	for (i = 0; i < first.n; i++) {
		len += mdpy_mig_put_run(&tx, first.idx[i], 1, out + len);
		mdpy_mig_put_page(&tx, first.page[i]);
		ret = mdpy_mig_rx_feed(&rx_whole, out, len, keep_page, &second);
		FUZZ_ASSERT(ret == (long)len, "re-encoded run %u: %ld (%s)", i,
			    ret, rx_whole.error);
		ret = mdpy_mig_rx_feed(&rx_whole, first.page[i],
				       MDPY_MIG_PAGE, keep_page, &second);
		FUZZ_ASSERT(ret == MDPY_MIG_PAGE, "re-encoded page: %ld (%s)",
			    ret, rx_whole.error);
		len = 0;
	}
	len += mdpy_mig_put_config(&tx, &core, out + len);
	len += mdpy_mig_put_end(&tx, out + len);
	ret = mdpy_mig_rx_feed(&rx_whole, out, len, keep_page, &second);
	FUZZ_ASSERT(ret == (long)len, "re-encoded tail: %ld (%s)", ret,
		    rx_whole.error);
	FUZZ_ASSERT(mdpy_mig_rx_finish(&rx_whole) == 0,
		    "re-encoded stream refused: %s", rx_whole.error);
	FUZZ_ASSERT(!memcmp(rx_whole.cfg, rx.cfg, MDPY_CFG_SIZE),
		    "config changed on the way");
	FUZZ_ASSERT(second.n == first.n, "%u pages, then %u", first.n,
		    second.n);
	for (i = 0; i < first.n; i++)
		FUZZ_ASSERT(second.idx[i] == first.idx[i] &&
			    !memcmp(second.page[i], first.page[i],
				    MDPY_MIG_PAGE), "page %u differs", i);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct mdpy_type *t;
	u8 sel, seed, *p;
	size_t len;
	long ret, ret_whole;
	int fin, fin_whole;
	u32 refuse;

	if (size < 2)
		return 0;
	sel = data[0];
	seed = data[1];
	t = &mdpy_types[(sel & 3) % MDPY_NUM_BUILTIN_TYPES];
	refuse = sel & 0x40 ? 2 : 0;
	len = size - 2;
	p = malloc(len ? len : 1);
	FUZZ_ASSERT(p, "out of memory");
	memcpy(p, data + 2, len);
	if (sel & 0x80)
		fix_sum(p, len);

	/* split as the input says */
	kept_init(&first, t, refuse);
	mdpy_mig_rx_init(&rx, t, NULL);
	ret = feed_split(&rx, p, len, seed, &first);
	fin = ret < 0 ? (int)ret : mdpy_mig_rx_finish(&rx);

	/* the whole stream at once must come to the same verdict */
	kept_init(&second, t, refuse);
	mdpy_mig_rx_init(&rx_whole, t, NULL);
	ret_whole = mdpy_mig_rx_feed(&rx_whole, p, len, keep_page, &second);
	fin_whole = ret_whole < 0 ? (int)ret_whole :
		    mdpy_mig_rx_finish(&rx_whole);
	FUZZ_ASSERT(fin == fin_whole, "split: %d (%s), whole: %d (%s)", fin,
		    rx.error, fin_whole, rx_whole.error);
	FUZZ_ASSERT(first.calls == second.calls, "page calls %u and %u",
		    first.calls, second.calls);
	FUZZ_ASSERT(!rx.error == !rx_whole.error &&
		    (!rx.error || !strcmp(rx.error, rx_whole.error)),
		    "split: %s, whole: %s", rx.error, rx_whole.error);

	if (fin) {
		check_refused(&rx, fin);
		if (fin != -EINVAL)
			FUZZ_ASSERT(fin == -ENOSPC && refuse &&
				    !strcmp(rx.error, "device refused a page"),
				    "errno %d (%s)", fin, rx.error);
		goto out;
	}
	FUZZ_ASSERT(!rx.error && rx.phase == MDPY_MIG_RX_DONE, "%s",
		    rx.error);
	FUZZ_ASSERT(!refuse || first.calls < 2, "a refused page was ignored");
	FUZZ_ASSERT(mdpy_mig_config_check(t, NULL, rx.cfg) == 0,
		    "accepted config fails the check");
	re_encode(t);
out:
	free(p);
	return 0;
}
