/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The pictures mdpy-drm-test draws in the guest and checks on the host side.
 * One definition for both, so "what was drawn" and "what is expected" can
 * never drift apart.  Pixels are XRGB8888 values (0x00RRGGBB).
 */
#ifndef MDPY_TESTCARD_H
#define MDPY_TESTCARD_H

#include <stdint.h>

/*
 * Full card: a white frame, eight colour bars in the top half, a grey ramp,
 * and a bottom quarter where every pixel encodes its own x and y, so a wrong
 * stride, offset or byte order shows up as a mismatch, not as a nice picture.
 */
static inline uint32_t card_pixel(unsigned int x, unsigned int y,
				  unsigned int w, unsigned int h)
{
	static const uint32_t bars[8] = {
		0xffffff, 0xffff00, 0x00ffff, 0x00ff00,
		0xff00ff, 0xff0000, 0x0000ff, 0x000000,
	};

	if (x == 0 || y == 0 || x == w - 1 || y == h - 1)
		return 0xffffff;
	if (y < h / 2)
		return bars[x * 8 / w];
	if (y < h * 3 / 4) {
		uint32_t g = x * 256 / w;

		return g << 16 | g << 8 | g;
	}
	return (x & 0xff) << 16 | (y & 0xff) << 8 | ((x ^ y) >> 2 & 0xff);
}

/* The rectangle the partial update changes (odd sizes on purpose) */
struct card_rect {
	unsigned int x1, y1, x2, y2;	/* x2, y2 exclusive */
};

static inline struct card_rect card_damage(unsigned int w, unsigned int h)
{
	struct card_rect r = { w / 4 + 1, h / 4 + 3, w / 4 + 1 + w / 3,
			       h / 4 + 3 + h / 3 };
	return r;
}

/*
 * What the screen must show after the partial update: the card with the
 * damage rectangle replaced by diagonal orange/blue stripes.  The client
 * also scribbles outside that rectangle without reporting it; if any of the
 * scribble reaches the screen, the driver copied more than the damage.
 */
static inline uint32_t partial_pixel(unsigned int x, unsigned int y,
				     unsigned int w, unsigned int h)
{
	struct card_rect r = card_damage(w, h);

	if (x >= r.x1 && x < r.x2 && y >= r.y1 && y < r.y2)
		return ((x + y) / 6) & 1 ? 0xff8000 : 0x0040ff;
	return card_pixel(x, y, w, h);
}

/* The scribble: drawn in the buffer, never reported as damage */
#define CARD_SCRIBBLE	0xff00ff

#endif /* MDPY_TESTCARD_H */
