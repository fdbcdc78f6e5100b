# SPDX-License-Identifier: GPL-2.0
"""The pictures the tests draw and expect.

A picture is a bytearray of width*height XRGB8888 pixels, stored
little-endian exactly as in the framebuffer (B, G, R, X per pixel).
"""

import struct


def px(rgb):
    return struct.pack('<I', rgb)


# 5x7 glyphs for the resolution label, one string of 5 bits per row.
GLYPHS = {
    '0': ('01110', '10001', '10011', '10101', '11001', '10001', '01110'),
    '1': ('00100', '01100', '00100', '00100', '00100', '00100', '01110'),
    '2': ('01110', '10001', '00001', '00010', '00100', '01000', '11111'),
    '3': ('11110', '00001', '00001', '01110', '00001', '00001', '11110'),
    '4': ('00010', '00110', '01010', '10010', '11111', '00010', '00010'),
    '5': ('11111', '10000', '11110', '00001', '00001', '10001', '01110'),
    '6': ('00110', '01000', '10000', '11110', '10001', '10001', '01110'),
    '7': ('11111', '00001', '00010', '00100', '01000', '01000', '01000'),
    '8': ('01110', '10001', '10001', '01110', '10001', '10001', '01110'),
    '9': ('01110', '10001', '10001', '01111', '00001', '00010', '01100'),
    'x': ('00000', '00000', '10001', '01010', '00100', '01010', '10001'),
}

BARS = (0xffffff, 0xffff00, 0x00ffff, 0x00ff00,
        0xff00ff, 0xff0000, 0x0000ff, 0x000000)
BORDER = 0xff8000


def test_card(w, h):
    """The mdpy test card: colour bars, grey and RGB ramps, an orange
    border and the resolution in blocky digits.  Asymmetric on both axes so
    a flipped, shifted or sheared picture cannot match."""
    fb = bytearray(w * h * 4)
    stride = w * 4
    bars_h = h * 2 // 3
    grey_h = h * 5 // 6

    bar_row = bytearray()
    for i, c in enumerate(BARS):
        x0, x1 = w * i // 8, w * (i + 1) // 8
        bar_row += px(c) * (x1 - x0)
    ramp = [x * 255 // (w - 1) for x in range(w)]
    grey_row = b''.join(px(v * 0x010101) for v in ramp)
    rgb_rows = [b''.join(px(v << s) for v in ramp) for s in (16, 8, 0)]

    for y in range(h):
        if y < bars_h:
            row = bar_row
        elif y < grey_h:
            row = grey_row
        else:
            band = (y - grey_h) * 3 // (h - grey_h)
            row = rgb_rows[band]
        fb[y * stride:(y + 1) * stride] = row

    # resolution label on a black box, centred in the bars
    text = '%dx%d' % (w, h)
    s = max(1, w // 80)
    tw, th = (len(text) * 6 - 1) * s, 7 * s
    x0, y0 = (w - tw) // 2, (bars_h - th) // 2
    box = px(0) * (tw + 4 * s)
    for y in range(y0 - 2 * s, y0 + th + 2 * s):
        o = y * stride + (x0 - 2 * s) * 4
        fb[o:o + len(box)] = box
    white = px(0xffffff) * s
    for ci, ch in enumerate(text):
        for gy, bits in enumerate(GLYPHS[ch]):
            for gx, b in enumerate(bits):
                if b != '1':
                    continue
                for yy in range(s):
                    y = y0 + gy * s + yy
                    x = x0 + (ci * 6 + gx) * s
                    o = y * stride + x * 4
                    fb[o:o + 4 * s] = white

    # border
    t = max(2, w // 160)
    line = px(BORDER) * w
    edge = px(BORDER) * t
    for y in range(h):
        o = y * stride
        if y < t or y >= h - t:
            fb[o:o + stride] = line
        else:
            fb[o:o + 4 * t] = edge
            fb[o + stride - 4 * t:o + stride] = edge
    return fb


def initial_picture(w, h):
    """The picture a fresh or reset mdpy instance shows.  Mirrors
    mdpy_initial_pixel() in core/device.c (keep the two in step): a grey
    ramp, one level per row, level = y * 256 / height, X byte zero."""
    stride = w * 4
    fb = bytearray(stride * h)
    for y in range(h):
        level = y * 256 // h
        fb[y * stride:(y + 1) * stride] = px(level * 0x010101) * w
    return fb
