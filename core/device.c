// SPDX-License-Identifier: GPL-2.0
/*
 * mdpy device model: types, VFIO region layout, access validation, the
 * display plane and the power-on picture.
 */
#include "mdpy_core.h"

const struct mdpy_type mdpy_types[MDPY_NUM_TYPES] = {
	{ .name = "vga", .label = "VGA", .width = 640,  .height = 480 },
	{ .name = "xga", .label = "XGA", .width = 1024, .height = 768 },
	{ .name = "hd",  .label = "HD",  .width = 1920, .height = 1080 },
};

int mdpy_plane_get(const struct mdpy_type *type, u32 drm_plane_type,
		   struct mdpy_plane *plane)
{
	if (!mdpy_plane_type_ok(drm_plane_type))
		return -EINVAL;

	memset(plane, 0, sizeof(*plane));
	plane->format = MDPY_FORMAT_XRGB8888;
	plane->width = type->width;
	plane->height = type->height;
	plane->stride = type->width * MDPY_BYTES_PER_PIXEL;
	plane->size = mdpy_fb_size(type);
	plane->region_index = MDPY_REGION_BAR0;
	return 0;
}

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
