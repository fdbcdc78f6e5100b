// SPDX-License-Identifier: GPL-2.0
/*
 * mdpy device model: the power-on picture and the checks of interrupt
 * requests (region layout, access decoding and the plane are inline in
 * mdpy_core.h: they run on every access).
 */
#include "mdpy_core.h"

/*
 * The power-on picture: a grey ramp, black in the top row, brightening
 * towards the bottom; one colour per row so any byte can be computed from
 * its offset alone.  The X byte is zero.
 */
u32 mdpy_initial_pixel(const struct mdpy_type *type, u32 y)
{
	u32 level = (y * 256) / type->height;

	return (level << 16) | (level << 8) | level;
}

void mdpy_fb_initial(const struct mdpy_type *type, u64 off, void *buf,
		     u64 len)
{
	u64 fb_size = mdpy_fb_size(type);
	u64 stride = (u64)type->width * MDPY_BYTES_PER_PIXEL;
	u8 *dst = buf;

	while (len) {
		u64 row_end, n, i;
		u32 pixel;

		if (off >= fb_size) {
			/* BAR padding past the visible frame */
			memset(dst, 0, len);
			return;
		}
		row_end = (off / stride + 1) * stride;
		n = row_end - off < len ? row_end - off : len;
		pixel = mdpy_initial_pixel(type, (u32)(off / stride));
		/* one pixel's worth by hand, then grow by doubling copies */
		for (i = 0; i < n && i < MDPY_BYTES_PER_PIXEL; i++)
			dst[i] = (pixel >> (8 * ((off + i) & 3))) & 0xff;
		while (i < n) {
			u64 chunk = i < n - i ? i : n - i;

			memcpy(dst + i, dst, chunk);
			i += chunk;
		}
		dst += n;
		off += n;
		len -= n;
	}
}

/*
 * End (exclusive) of the run of the power-on picture that holds @off (an
 * offset inside BAR0): the end of its row, whose pixels are all one colour,
 * or of the BAR for the zero padding.  Inside a run the bytes repeat with a
 * period of one pixel, so a short pattern made for the start of a run
 * serves all of it.
 */
u64 mdpy_fb_run_end(const struct mdpy_type *type, u64 off)
{
	u64 stride = (u64)type->width * MDPY_BYTES_PER_PIXEL;

	if (off >= mdpy_fb_size(type))
		return mdpy_bar_size(type);
	return (off / stride + 1) * stride;
}

int mdpy_irq_set_check(const struct mdpy_irq_set *hdr, u32 *data_size)
{
	u32 data = hdr->flags & MDPY_IRQ_DATA_MASK;
	u32 action = hdr->flags & MDPY_IRQ_ACTIONS;
	u32 nirqs, each;

	if (hdr->argsz < MDPY_IRQ_SET_HDR_SIZE ||
	    (hdr->flags & ~(MDPY_IRQ_DATA_MASK | MDPY_IRQ_ACTIONS)) ||
	    hdr->index >= MDPY_NUM_IRQ_INDEXES)
		return -EINVAL;
	/* exactly one data type and one action; only TRIGGER means anything */
	if (action != MDPY_IRQ_ACTION_TRIGGER)
		return -EINVAL;
	switch (data) {
	case MDPY_IRQ_DATA_NONE:
		each = 0;
		break;
	case MDPY_IRQ_DATA_BOOL:
		each = 1;
		break;
	case MDPY_IRQ_DATA_EVENTFD:
		each = 4;
		break;
	default:
		return -EINVAL;
	}
	nirqs = mdpy_irq_count(hdr->index);
	if (!nirqs || hdr->start >= nirqs || hdr->count > nirqs - hdr->start)
		return -EINVAL;
	/* count 0 is "tear down", which carries no data */
	if (!hdr->count && data != MDPY_IRQ_DATA_NONE)
		return -EINVAL;
	if (hdr->argsz - MDPY_IRQ_SET_HDR_SIZE < hdr->count * each)
		return -EINVAL;
	*data_size = hdr->count * each;
	return 0;
}

int mdpy_irq_set_decode(const struct mdpy_irq_set *hdr, const void *data,
			s32 *fd)
{
	const u8 *bytes = data;
	s32 v;

	if (!hdr->count)
		return MDPY_IRQ_OP_CLEAR;
	switch (hdr->flags & MDPY_IRQ_DATA_MASK) {
	case MDPY_IRQ_DATA_NONE:
		return MDPY_IRQ_OP_SIGNAL;
	case MDPY_IRQ_DATA_BOOL:
		return bytes[0] ? MDPY_IRQ_OP_SIGNAL : MDPY_IRQ_OP_NONE;
	case MDPY_IRQ_DATA_EVENTFD:
		memcpy(&v, data, sizeof(v));
		if (v == -1)
			return MDPY_IRQ_OP_CLEAR;
		if (v < 0)
			return -EINVAL;
		*fd = v;
		return MDPY_IRQ_OP_SET_FD;
	default:
		return -EINVAL;
	}
}
