# SPDX-License-Identifier: GPL-2.0
"""Image files and the pixel-for-pixel comparison with a picture.

Files are read and written with Debian's python3-pil (scripts/deps.sh);
QEMU's screendumps are PPM (P6) or, asked for and on QEMU >= 7.1, PNG.
Pictures are XRGB8888 framebuffers (see card.py); files hold packed RGB.
In the test VM this runs chrooted into the host root, so the host's
/usr/bin/python3 with the host's python3-pil is what it gets.
"""

import os
import sys
import time

try:
    from PIL import Image, ImageChops
except ImportError:
    Image = ImageChops = None

DEBIAN_PYTHON = '/usr/bin/python3'


def need_pil():
    """Make sure PIL can be imported, or stop with the package to install.

    python3-pil is installed for Debian's /usr/bin/python3; a python3 that
    comes first in PATH (a pyenv, a venv) may not see it, so a program
    started with another interpreter is started again with Debian's.
    """
    if Image is not None:
        return
    if (os.path.realpath(sys.executable) != os.path.realpath(DEBIAN_PYTHON)
            and os.access(DEBIAN_PYTHON, os.X_OK)):
        os.execv(DEBIAN_PYTHON, [DEBIAN_PYTHON] + sys.argv)
    sys.exit('%s: no PIL; apt-get install python3-pil (scripts/deps.sh)'
             % sys.argv[0])


def xrgb_to_rgb(fb):
    """XRGB8888 little-endian -> packed RGB (what PPM/PNG dumps hold)."""
    n = len(fb) // 4
    out = bytearray(n * 3)
    out[0::3] = fb[2::4]
    out[1::3] = fb[1::4]
    out[2::3] = fb[0::4]
    return out


def read(path):
    """Any image file PIL knows (PPM, PNG, ...) -> (w, h, packed RGB)."""
    with Image.open(path) as im:
        if im.mode != 'RGB':
            im = im.convert('RGB')
        return im.width, im.height, im.tobytes()


def write_png(path, w, h, rgb):
    Image.frombytes('RGB', (w, h), bytes(rgb)).save(path, 'PNG')


def compare(w, h, got, want_fb):
    """None if the image (w, h, RGB bytes) equals the XRGB picture, else
    a one-line description of the first difference."""
    gw, gh, rgb = got
    if (gw, gh) != (w, h):
        return 'dump is %dx%d, expected %dx%d' % (gw, gh, w, h)
    want = xrgb_to_rgb(want_fb)
    if rgb == want:
        return None
    stride = w * 3
    bad_rows, first = 0, None
    for y in range(h):
        a, b = rgb[y * stride:(y + 1) * stride], want[y * stride:(y + 1) * stride]
        if a != b:
            bad_rows += 1
            if first is None:
                x = next(i for i in range(stride) if a[i] != b[i]) // 3
                first = (x, y, a[x * 3:x * 3 + 3].hex(), b[x * 3:x * 3 + 3].hex())
    return ('%d of %d rows differ; first at (%d,%d): got #%s want #%s'
            % ((bad_rows, h) + first))


def placeholder(got):
    """None if the image (w, h, RGB bytes) is what QEMU shows for a display
    that has given it no picture yet: its own 640x480 placeholder, black
    with one line of grey text across the middle.  Else what differs.  An
    mdpy instance shows it until the guest uses the display (its plane is
    empty then, and without ramfb QEMU has nothing else to show)."""
    w, h, rgb = got
    if (w, h) != (640, 480):
        return 'dump is %dx%d, not the 640x480 placeholder' % (w, h)
    stride = w * 3
    top = rgb[:200 * stride]
    if top.count(0) != len(top):
        return 'rows 0-199 are not all black (the power-on ramp is grey there)'
    text = rgb[200 * stride:280 * stride]
    lit = sum(1 for i in range(0, len(text), 3) if text[i])
    if lit < 100:
        return 'no text across the middle (%d lit pixels)' % lit
    return None


def firmware_text(got, lines=2):
    """None if the image (w, h, RGB bytes) looks like a PC firmware's text
    screen drawn into QEMU's ramfb (SeaBIOS's banner and boot prompt): at
    least 640x400, nearly all black, with text on at least `lines` of the
    first 25 text lines (8x16 cells), the first among them.  Else what
    differs.  QEMU's placeholder has its only text in the middle, mdpy's
    power-on picture is a grey ramp and a guest's test card is colour, so
    none of them passes; a guest's text console would, so a caller must
    know that none can be on the screen."""
    w, h, rgb = got
    if w < 640 or h < 400:
        return 'dump is %dx%d, smaller than a text screen' % (w, h)
    brightest = brightest_channel(w, h, rgb)
    lit = w * h - brightest.histogram()[0]
    if lit * 10 > w * h:
        return '%d of %d pixels are lit: not a text screen' % (lit, w * h)
    text = [n for n in range(25)
            if w * 16 - brightest.crop(
                (0, n * 16, w, (n + 1) * 16)).histogram()[0] >= 20]
    if 0 not in text or len(text) < lines:
        return 'text on lines %s of 25, want line 0 and %d in all' % (
            text, lines)
    return None


def poll_firmware_text(dump, timeout, pause):
    """Call dump(), which writes an image and returns its path (None when
    it could not), until an image shows firmware_text() or timeout seconds
    have passed.  Returns (images read, why the last one did not pass or
    None, the last image as (w, h, RGB bytes))."""
    deadline = time.time() + timeout
    n, why, got = 0, 'no image', (0, 0, b'')
    while time.time() < deadline:
        path = dump()
        if path:
            n += 1
            got = read(path)
            why = firmware_text(got)
            if why is None:
                break
        time.sleep(pause)
    return n, why, got


def brightest_channel(w, h, rgb):
    """Packed RGB as a one-channel image of each pixel's brightest
    channel: 0 exactly where the pixel is black."""
    r, g, b = Image.frombytes('RGB', (w, h), bytes(rgb)).split()
    return ImageChops.lighter(ImageChops.lighter(r, g), b)
