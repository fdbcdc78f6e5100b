#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Drive a nested QEMU that has an mdpy instance attached as its display.

The nested machine never runs guest code: it is started stopped (-S) with a
qtest socket, and this program plays the guest.  It programs the device
through PCI configuration cycles on ports 0xcf8/0xcfc, writes pixels into
BAR0 through guest physical memory, and asks QEMU over QMP for a screendump
of what it displays.  Then it compares the dump pixel by pixel with what it
wrote.  Python standard library only: this runs inside the test VM, chrooted
into the host's root.

Modes:
  nested.py display --types vga,xga,hd     TAP test of the display path
  nested.py demo --type hd --png OUT.png   draw the test card, keep the dump
  nested.py card --type hd --png OUT.png   write the expected card as PNG
  nested.py compare --type hd A.png        check a dump against the card
  nested.py unplug --tap OUT               host removes an instance QEMU
                                           holds: QEMU asks the guest to eject
                                           it, remove returns
  nested.py selftest                       prove the harness with QEMU's
                                           bochs-display (no mdpy needed)
"""

import argparse
import base64
import json
import os
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
import uuid
import zlib

# ---------------------------------------------------------------------------
# Device ABI (mirrors include/uapi/mdpy.h; kept here so a wrong value in the
# driver is caught rather than copied).
MDPY_VENDOR, MDPY_DEVICE = 0x1b36, 0x000f
MDPY_SUBVENDOR, MDPY_SUBDEVICE = 0x1af4, 0x1100
MDPY_CLASS = 0x038000            # class 03, subclass 80, prog-if 00
MDPY_REVISION = 0x01
MDPY_CAP = 0x40
MDPY_XRGB8888 = 0x34325258       # 'XR24'

TYPES = {
    'vga': (640, 480),
    'xga': (1024, 768),
    'hd': (1920, 1080),
}

BAR0_GPA = 0xe0000000            # where the "guest" places BAR0
CHUNK = 256 * 1024               # bytes per qtest memory write
TIMEOUT = float(os.environ.get('NESTED_TIMEOUT', '300'))


def log(msg):
    # diagnostics go to stderr so a TAP file written from stdout stays clean
    print('# ' + msg, file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------
# Pictures.  A picture is a bytearray of width*height XRGB8888 pixels, stored
# little-endian exactly as in the framebuffer (B, G, R, X per pixel).

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


def xrgb_to_rgb(fb):
    """XRGB8888 little-endian -> packed RGB (what PPM/PNG dumps hold)."""
    n = len(fb) // 4
    out = bytearray(n * 3)
    out[0::3] = fb[2::4]
    out[1::3] = fb[1::4]
    out[2::3] = fb[0::4]
    return out


# ---------------------------------------------------------------------------
# Image files: PPM (P6) and a small PNG reader/writer.

def read_ppm(path):
    with open(path, 'rb') as f:
        data = f.read()
    fields, pos = [], 0
    while len(fields) < 4:
        while data[pos:pos + 1].isspace():
            pos += 1
        if data[pos:pos + 1] == b'#':
            pos = data.index(b'\n', pos) + 1
            continue
        end = pos
        while not data[end:end + 1].isspace():
            end += 1
        fields.append(data[pos:end])
        pos = end
    if fields[0] != b'P6' or int(fields[3]) != 255:
        raise ValueError('%s: not an 8-bit P6 PPM' % path)
    w, h = int(fields[1]), int(fields[2])
    pixels = data[pos + 1:pos + 1 + w * h * 3]
    if len(pixels) != w * h * 3:
        raise ValueError('%s: truncated PPM' % path)
    return w, h, pixels


def _add_rows(a, b):
    """Bytewise (a + b) mod 256 of two equal-length byte strings, in one
    big-integer operation (no per-byte Python loop)."""
    n = len(a)
    lo = int.from_bytes(b'\x7f' * n, 'little')
    hi = int.from_bytes(b'\x80' * n, 'little')
    x = int.from_bytes(a, 'little')
    y = int.from_bytes(b, 'little')
    r = ((x & lo) + (y & lo)) ^ ((x ^ y) & hi)
    return r.to_bytes(n, 'little')


def read_png(path):
    """Decode an 8-bit RGB or RGBA non-interlaced PNG to packed RGB."""
    with open(path, 'rb') as f:
        data = f.read()
    if data[:8] != b'\x89PNG\r\n\x1a\n':
        raise ValueError('%s: not a PNG' % path)
    pos, idat, hdr = 8, [], None
    while pos < len(data):
        (n,) = struct.unpack('>I', data[pos:pos + 4])
        kind = data[pos + 4:pos + 8]
        body = data[pos + 8:pos + 8 + n]
        if zlib.crc32(kind + body) != struct.unpack(
                '>I', data[pos + 8 + n:pos + 12 + n])[0]:
            raise ValueError('%s: bad CRC in %r' % (path, kind))
        if kind == b'IHDR':
            hdr = struct.unpack('>IIBBBBB', body)
        elif kind == b'IDAT':
            idat.append(body)
        elif kind == b'IEND':
            break
        pos += 12 + n
    w, h, depth, ctype, _, _, interlace = hdr
    if depth != 8 or ctype not in (2, 6) or interlace:
        raise ValueError('%s: unsupported PNG (depth %d type %d)'
                         % (path, depth, ctype))
    bpp = 3 if ctype == 2 else 4
    raw = zlib.decompress(b''.join(idat))
    rowlen = w * bpp
    prev = bytes(rowlen)
    rows = []
    for y in range(h):
        o = y * (rowlen + 1)
        ft = raw[o]
        cur = raw[o + 1:o + 1 + rowlen]
        if ft == 0:
            row = cur
        elif ft == 2:
            row = _add_rows(cur, prev)
        else:
            r = bytearray(cur)
            if ft == 1:
                for i in range(bpp, rowlen):
                    r[i] = (r[i] + r[i - bpp]) & 0xff
            elif ft == 3:
                for i in range(rowlen):
                    left = r[i - bpp] if i >= bpp else 0
                    r[i] = (r[i] + ((left + prev[i]) >> 1)) & 0xff
            elif ft == 4:
                for i in range(rowlen):
                    a = r[i - bpp] if i >= bpp else 0
                    b = prev[i]
                    c = prev[i - bpp] if i >= bpp else 0
                    p = a + b - c
                    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                    if pa <= pb and pa <= pc:
                        pr = a
                    elif pb <= pc:
                        pr = b
                    else:
                        pr = c
                    r[i] = (r[i] + pr) & 0xff
            else:
                raise ValueError('%s: bad filter %d' % (path, ft))
            row = bytes(r)
        rows.append(row)
        prev = row
    pixels = b''.join(rows)
    if bpp == 4:
        rgba = pixels
        pixels = bytearray(w * h * 3)
        pixels[0::3] = rgba[0::4]
        pixels[1::3] = rgba[1::4]
        pixels[2::3] = rgba[2::4]
    return w, h, bytes(pixels)


def write_png(path, w, h, rgb):
    def chunk(kind, body):
        return (struct.pack('>I', len(body)) + kind + body +
                struct.pack('>I', zlib.crc32(kind + body)))
    stride = w * 3
    raw = b''.join(b'\0' + rgb[y * stride:(y + 1) * stride] for y in range(h))
    with open(path, 'wb') as f:
        f.write(b'\x89PNG\r\n\x1a\n')
        f.write(chunk(b'IHDR', struct.pack('>IIBBBBB', w, h, 8, 2, 0, 0, 0)))
        f.write(chunk(b'IDAT', zlib.compress(raw, 6)))
        f.write(chunk(b'IEND', b''))


def read_image(path):
    with open(path, 'rb') as f:
        magic = f.read(8)
    return read_png(path) if magic.startswith(b'\x89PNG') else read_ppm(path)


def compare(w, h, got, want_fb):
    """Return None if the dump (w, h, RGB bytes) equals the XRGB picture,
    else a one-line description of the first difference."""
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


# ---------------------------------------------------------------------------
# QEMU with qtest and QMP.

class QemuError(Exception):
    pass


class Nested:
    """A stopped nested QEMU: qtest is the guest's CPU, QMP is the user."""

    def __init__(self, device_args, qemu='qemu-system-x86_64', extra=(),
                 workdir=None):
        self.dir = workdir or tempfile.mkdtemp(prefix='mdpy-nested-')
        self.qtest_path = os.path.join(self.dir, 'qtest.sock')
        self.qmp_path = os.path.join(self.dir, 'qmp.sock')
        self.stderr_path = os.path.join(self.dir, 'qemu.stderr')
        # QEMU connects to the qtest socket as a client: listen first.
        lsock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        lsock.bind(self.qtest_path)
        lsock.listen(1)
        lsock.settimeout(TIMEOUT)
        cmd = [qemu, '-machine', 'pc', '-accel', 'tcg', '-S',
               '-qtest', 'unix:' + self.qtest_path,
               '-qtest-log', '/dev/null',     # the default logs to stderr
               '-nodefaults', '-display', 'none', '-m', '128M',
               '-qmp', 'unix:%s,server=on,wait=off' % self.qmp_path]
        cmd += list(extra)
        cmd += device_args
        self.cmdline = cmd
        self.errf = open(self.stderr_path, 'wb')
        self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL,
                                     stdout=self.errf, stderr=self.errf)
        try:
            self.qt, _ = lsock.accept()
        except socket.timeout:
            self.close()
            raise QemuError('QEMU did not connect to qtest: ' + self.stderr())
        finally:
            lsock.close()
        self.qt.settimeout(TIMEOUT)
        self.qtbuf = b''
        self.qmp = None
        deadline = time.time() + TIMEOUT
        while True:
            try:
                s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                s.settimeout(TIMEOUT)
                s.connect(self.qmp_path)
                break
            except OSError:
                s.close()
                if self.proc.poll() is not None or time.time() > deadline:
                    raise QemuError('no QMP socket: ' + self.stderr())
                time.sleep(0.1)
        self.qmp = s
        self.qmpbuf = b''
        self.events = []
        greeting = self._qmp_read()
        self.qemu_version = greeting['QMP']['version']['qemu']
        self.cmd('qmp_capabilities')

    def stderr(self):
        try:
            with open(self.stderr_path, 'rb') as f:
                return f.read().decode(errors='replace').strip()
        except OSError:
            return ''

    def close(self):
        for s in (getattr(self, 'qmp', None), getattr(self, 'qt', None)):
            if s:
                try:
                    s.close()
                except OSError:
                    pass
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.errf.close()

    # -- qtest ---------------------------------------------------------------
    def qtest(self, line):
        self.qt.sendall(line.encode() + b'\n')
        while True:
            while b'\n' not in self.qtbuf:
                d = self.qt.recv(65536)
                if not d:
                    raise QemuError('qtest closed: ' + self.stderr())
                self.qtbuf += d
            resp, self.qtbuf = self.qtbuf.split(b'\n', 1)
            resp = resp.decode()
            if resp.startswith('IRQ'):
                continue
            if not resp.startswith('OK'):
                raise QemuError('qtest %r -> %r' % (line[:60], resp))
            return resp[3:]

    def outl(self, port, v):
        self.qtest('outl 0x%x 0x%x' % (port, v))

    def inl(self, port):
        return int(self.qtest('inl 0x%x' % port), 16)

    def inb(self, port):
        return int(self.qtest('inb 0x%x' % port), 16)

    def readl(self, addr):
        return int(self.qtest('readl 0x%x' % addr), 16)

    def writel(self, addr, v):
        self.qtest('writel 0x%x 0x%x' % (addr, v))

    def writew(self, addr, v):
        self.qtest('writew 0x%x 0x%x' % (addr, v))

    def mem_write(self, addr, data):
        """Write bytes to guest physical memory in chunks."""
        for o in range(0, len(data), CHUNK):
            part = bytes(data[o:o + CHUNK])
            self.qtest('b64write 0x%x 0x%x %s' % (
                addr + o, len(part), base64.b64encode(part).decode()))

    def mem_read(self, addr, size):
        out = bytearray()
        for o in range(0, size, CHUNK):
            n = min(CHUNK, size - o)
            out += base64.b64decode(self.qtest('b64read 0x%x 0x%x' % (addr + o, n)))
        return out

    # -- QMP -----------------------------------------------------------------
    def _qmp_read(self):
        while b'\n' not in self.qmpbuf:
            d = self.qmp.recv(65536)
            if not d:
                raise QemuError('QMP closed: ' + self.stderr())
            self.qmpbuf += d
        line, self.qmpbuf = self.qmpbuf.split(b'\n', 1)
        return json.loads(line)

    def cmd(self, name, **args):
        msg = {'execute': name}
        if args:
            msg['arguments'] = args
        self.qmp.sendall(json.dumps(msg).encode() + b'\n')
        while True:
            r = self._qmp_read()
            if 'event' in r:
                self.events.append(r)
            elif 'error' in r:
                raise QemuError('QMP %s: %s' % (name, r['error'].get('desc')))
            elif 'return' in r:
                return r['return']

    def wait_event(self, name, timeout=60):
        deadline = time.time() + timeout
        while True:
            for i, e in enumerate(self.events):
                if e['event'] == name:
                    return self.events.pop(i)
            if time.time() > deadline:
                raise QemuError('no %s event' % name)
            self.events.append(self._qmp_read())

    def version(self):
        v = self.qemu_version
        return (v['major'], v['minor'], v['micro'])

    def screendump(self, path, png=None):
        """Dump the display; PNG when asked and QEMU >= 7.1, else PPM."""
        if png is None:
            png = path.endswith('.png')
        if png and self.version() >= (7, 1, 0):
            self.cmd('screendump', filename=path, format='png')
        else:
            self.cmd('screendump', filename=path)
        return read_image(path)

    # -- PCI configuration cycles (mechanism #1) -----------------------------
    @staticmethod
    def _cfg_addr(bdf, off):
        bus, dev, fn = bdf
        return 0x80000000 | bus << 16 | dev << 11 | fn << 8 | (off & 0xfc)

    def cfg_read32(self, bdf, off):
        self.outl(0xcf8, self._cfg_addr(bdf, off))
        return self.inl(0xcfc)

    def cfg_read8(self, bdf, off):
        self.outl(0xcf8, self._cfg_addr(bdf, off))
        return self.inb(0xcfc + (off & 3))

    def cfg_read16(self, bdf, off):
        self.outl(0xcf8, self._cfg_addr(bdf, off))
        return int(self.qtest('inw 0x%x' % (0xcfc + (off & 2))), 16)

    def cfg_write32(self, bdf, off, v):
        self.outl(0xcf8, self._cfg_addr(bdf, off))
        self.outl(0xcfc, v)

    def cfg_write16(self, bdf, off, v):
        self.outl(0xcf8, self._cfg_addr(bdf, off))
        self.qtest('outw 0x%x 0x%x' % (0xcfc + (off & 2), v))

    def pci_scan(self):
        """All functions on bus 0: list of (bdf, vendor, device)."""
        found = []
        for dev in range(32):
            for fn in range(8):
                bdf = (0, dev, fn)
                idv = self.cfg_read32(bdf, 0)
                if idv & 0xffff == 0xffff:
                    if fn == 0:
                        break
                    continue
                found.append((bdf, idv & 0xffff, idv >> 16))
                if fn == 0 and not self.cfg_read8(bdf, 0x0e) & 0x80:
                    break
        return found

    def find(self, vendor, device):
        for bdf, v, d in self.pci_scan():
            if (v, d) == (vendor, device):
                return bdf
        return None

    def size_bar(self, bdf, bar):
        """Size a 32-bit memory BAR the way firmware does.
        Returns (raw mask read back, type bits, size)."""
        off = 0x10 + 4 * bar
        old = self.cfg_read32(bdf, off)
        self.cfg_write32(bdf, off, 0xffffffff)
        mask = self.cfg_read32(bdf, off)
        self.cfg_write32(bdf, off, old)
        size = (~(mask & ~0xf) & 0xffffffff) + 1 if mask & ~0xf else 0
        return mask, mask & 0xf, size

    def map_bar(self, bdf, bar, addr):
        self.cfg_write32(bdf, 0x10 + 4 * bar, addr)
        cmdreg = self.cfg_read16(bdf, 0x04)
        self.cfg_write16(bdf, 0x04, cmdreg | 0x2)   # memory space enable
        return self.cfg_read32(bdf, 0x10 + 4 * bar) & ~0xf


# ---------------------------------------------------------------------------
# TAP

class Tap:
    """TAP to stdout and, if given a path, to that file as well."""

    def __init__(self, path=None):
        self.n = 0
        self.failed = 0
        self.file = open(path, 'w') if path else None

    def line(self, text):
        print(text, flush=True)
        if self.file:
            self.file.write(text + '\n')
            self.file.flush()

    def ok(self, cond, name, diag=None):
        self.n += 1
        if not cond:
            self.failed += 1
        self.line('%s %d - %s' % ('ok' if cond else 'not ok', self.n, name))
        if not cond and diag:
            for text in str(diag).splitlines():
                self.line('#   ' + text)
        return cond

    def skip(self, name, why):
        self.n += 1
        self.line('ok %d - %s # SKIP %s' % (self.n, name, why))

    def done(self):
        self.line('1..%d' % self.n)
        if self.file:
            self.file.close()
        return 1 if self.failed else 0


# ---------------------------------------------------------------------------
# mdev instances through sysfs

MDEV_PARENT = '/sys/class/mdev_bus/mdpy'


def mdev_create(tname):
    u = str(uuid.uuid4())
    with open('%s/mdev_supported_types/mdpy-%s/create' % (MDEV_PARENT, tname),
              'w') as f:
        f.write(u)
    return u


def mdev_remove(u):
    path = '/sys/bus/mdev/devices/%s/remove' % u
    for _ in range(50):
        try:
            with open(path, 'w') as f:
                f.write('1')
            return
        except OSError:
            time.sleep(0.2)      # QEMU may still be closing the device
    raise OSError('cannot remove mdev ' + u)


def vfio_args(u):
    return ['-device',
            'vfio-pci,sysfsdev=/sys/bus/mdev/devices/%s,display=on' % u]


# ---------------------------------------------------------------------------
# The display test for one type

def check_config(tap, q, bdf, tname, w, h):
    """IDs, class, capability chain and the vendor capability."""
    p = 'cfg %s: ' % tname
    idv = q.cfg_read32(bdf, 0x00)
    tap.ok(idv == MDPY_DEVICE << 16 | MDPY_VENDOR, p + 'vendor:device 1b36:000f',
           'read %04x:%04x' % (idv & 0xffff, idv >> 16))
    sub = q.cfg_read32(bdf, 0x2c)
    tap.ok(sub == MDPY_SUBDEVICE << 16 | MDPY_SUBVENDOR,
           p + 'subsystem 1af4:1100',
           'read %04x:%04x' % (sub & 0xffff, sub >> 16))
    cr = q.cfg_read32(bdf, 0x08)
    tap.ok(cr >> 8 == MDPY_CLASS and cr & 0xff == MDPY_REVISION,
           p + 'class 0x038000 revision 1', 'read 0x%08x' % cr)
    status = q.cfg_read16(bdf, 0x06)
    tap.ok(status & 0x10, p + 'status has capability list',
           'status 0x%04x' % status)
    # walk the chain, guarding against loops
    ptr, seen, vendor_at = q.cfg_read8(bdf, 0x34) & 0xfc, set(), None
    chain = []
    while ptr and ptr not in seen and len(seen) < 48:
        seen.add(ptr)
        cid = q.cfg_read8(bdf, ptr)
        chain.append('%02x@%02x' % (cid, ptr))
        if cid == 0x09 and vendor_at is None:
            vendor_at = ptr
        ptr = q.cfg_read8(bdf, ptr + 1) & 0xfc
    tap.ok(vendor_at == MDPY_CAP, p + 'vendor capability at 0x40',
           'capability chain: ' + (' '.join(chain) or 'empty'))
    at = vendor_at if vendor_at is not None else MDPY_CAP
    fmt = q.cfg_read32(bdf, at + 4)
    cw = q.cfg_read32(bdf, at + 8)
    ch = q.cfg_read32(bdf, at + 12)
    tap.ok(q.cfg_read8(bdf, at + 2) >= 0x10, p + 'vendor capability length')
    tap.ok(fmt == MDPY_XRGB8888, p + 'format XRGB8888', 'read 0x%08x' % fmt)
    tap.ok((cw, ch) == (w, h), p + 'width x height %dx%d' % (w, h),
           'read %dx%d' % (cw, ch))


def check_bar0(tap, q, bdf, tname, w, h):
    """Size BAR0, map it, enable decoding.  Returns the address or None."""
    p = 'bar0 %s: ' % tname
    mask, typ, size = q.size_bar(bdf, 0)
    tap.ok(typ & 0x1 == 0 and typ & 0x6 == 0, p + '32-bit memory BAR',
           'type bits 0x%x' % typ)
    tap.ok(typ & 0x8, p + 'prefetchable', 'type bits 0x%x' % typ)
    pow2 = size and size & (size - 1) == 0
    tap.ok(pow2 and size >= w * h * 4,
           p + 'size is a power of two >= framebuffer',
           'mask 0x%08x -> size 0x%x, framebuffer 0x%x' % (mask, size, w * h * 4))
    if not pow2:
        return None
    got = q.map_bar(bdf, 0, BAR0_GPA)
    cmdreg = q.cfg_read16(bdf, 0x04)
    tap.ok(got == BAR0_GPA and cmdreg & 2,
           p + 'mapped at 0x%x, memory decoding on' % BAR0_GPA,
           'BAR0 0x%08x command 0x%04x' % (got, cmdreg))
    return BAR0_GPA


def keep_failed(diff, dump, faildir):
    """On a mismatch, keep the dump for a human and say where it went."""
    if diff is None or not faildir or not os.path.exists(dump):
        return diff
    os.makedirs(faildir, exist_ok=True)
    dst = os.path.join(faildir, os.path.basename(dump))
    shutil.copy(dump, dst)
    return '%s\ndump kept as %s' % (diff, dst)


def display_test(tap, tname, q_factory, dumpdir, png_check, faildir=None):
    w, h = TYPES[tname]
    u = mdev_create(tname)
    q = None
    try:
        q = q_factory(vfio_args(u))
        log('%s: instance %s, QEMU %d.%d.%d' % ((tname, u) + q.version()))
        bdf = q.find(MDPY_VENDOR, MDPY_DEVICE)
        if not tap.ok(bdf is not None, 'pci %s: nested guest finds 1b36:000f'
                      % tname, 'bus 0: ' + ', '.join(
                          '%04x:%04x' % (v, d) for _, v, d in q.pci_scan())):
            return
        check_config(tap, q, bdf, tname, w, h)
        init = initial_picture(w, h)
        ext = 'png' if png_check else 'ppm'

        # 1. before the guest touches anything: the initial picture
        dump = os.path.join(dumpdir, '%s-initial.%s' % (tname, ext))
        diff = compare(w, h, q.screendump(dump), init)
        tap.ok(diff is None, 'display %s: first dump shows the initial picture'
               % tname, keep_failed(diff, dump, faildir))

        addr = check_bar0(tap, q, bdf, tname, w, h)
        if addr is None:
            return
        # the guest reads the initial picture through its BAR: a row in the
        # middle and the frame's last bytes (offsets matter, not just data)
        mid = (h // 2) * w * 4
        got = q.mem_read(addr + mid, 64) + q.mem_read(addr + len(init) - 64, 64)
        want = init[mid:mid + 64] + init[-64:]
        tap.ok(got == want, 'bar0 %s: guest reads the initial picture' % tname,
               'got %s... want %s...' % (got[:8].hex(), want[:8].hex()))

        # 2. draw the card through guest physical memory
        card = test_card(w, h)
        t0 = time.time()
        q.mem_write(addr, card)
        log('%s: wrote %d bytes in %.1f s' % (tname, len(card), time.time() - t0))
        back = q.mem_read(addr + len(card) - 4096, 4096)
        tap.ok(back == card[-4096:], 'bar0 %s: last page reads back' % tname)
        dump = os.path.join(dumpdir, '%s-card.%s' % (tname, ext))
        diff = compare(w, h, q.screendump(dump), card)
        tap.ok(diff is None, 'display %s: dump equals the test card pixel for '
               'pixel' % tname, keep_failed(diff, dump, faildir))

        # 3. device reset from the nested machine
        q.cmd('system_reset')
        q.wait_event('RESET')
        dump = os.path.join(dumpdir, '%s-reset.%s' % (tname, ext))
        diff = compare(w, h, q.screendump(dump), init)
        tap.ok(diff is None, 'display %s: after system_reset the initial '
               'picture is back' % tname, keep_failed(diff, dump, faildir))
        fmt = q.cfg_read32(bdf, MDPY_CAP + 4)
        cw = q.cfg_read32(bdf, MDPY_CAP + 8)
        tap.ok(fmt == MDPY_XRGB8888 and cw == w,
               'cfg %s: vendor capability intact after reset' % tname)
    except (QemuError, OSError, ValueError) as e:
        tap.ok(False, 'display %s: nested QEMU session' % tname,
               '%s\n%s' % (e, q.stderr() if q else ''))
    finally:
        if q:
            err = q.stderr()
            q.close()
            if err:
                log('%s: QEMU said: %s' % (tname, err.replace('\n', ' | ')))
        try:
            mdev_remove(u)
        except OSError as e:
            tap.ok(False, 'mdev %s: remove after QEMU exit' % tname, e)


# ---------------------------------------------------------------------------
# Removal of an instance QEMU holds

# The pc machine's ACPI PCI hotplug registers (PIIX4 PM), as the guest's
# ACPI code uses them: select a bus, read which slots QEMU wants gone, eject.
PCIHP_DOWN, PCIHP_EJECT, PCIHP_SEL = 0xae04, 0xae08, 0xae10


def unplug_test(tap, q_factory, display):
    """The admin writes `remove` while QEMU holds the instance: the device
    request (REQ eventfd) reaches QEMU, which asks the guest to eject the
    slot; the guest (qtest here) ejects it and runs on without it, and the
    remove returns once QEMU has let go of the device."""
    tag = 'unplug display=%s' % display
    u = mdev_create('vga')
    q = None
    done = threading.Event()
    result = {}

    def remove():
        try:
            with open('/sys/bus/mdev/devices/%s/remove' % u, 'w') as f:
                f.write('1')
            result['ok'] = True
        except OSError as e:
            result['error'] = e
        done.set()

    try:
        q = q_factory(['-device', 'vfio-pci,sysfsdev=/sys/bus/mdev/devices/'
                       '%s,display=%s' % (u, display)])
        bdf = q.find(MDPY_VENDOR, MDPY_DEVICE)
        if not tap.ok(bdf is not None, '%s: nested guest finds the device' % tag):
            return
        slot = bdf[1]
        t = threading.Thread(target=remove, daemon=True)
        t.start()
        down = 0
        deadline = time.time() + 30
        while time.time() < deadline and not down & (1 << slot):
            q.outl(PCIHP_SEL, 0)
            down = q.inl(PCIHP_DOWN)
            time.sleep(0.2)
        tap.ok(down & (1 << slot), '%s: QEMU asks the guest to eject slot %d '
               'once the host removes the instance' % (tag, slot),
               'hotplug down register 0x%x; QEMU said: %s' % (down, q.stderr()))
        tap.ok(not done.is_set(), '%s: remove waits while QEMU holds the '
               'device' % tag, str(result))
        # the guest's ACPI eject, then the guest runs on (as a real one does)
        q.outl(PCIHP_SEL, 0)
        q.outl(PCIHP_EJECT, 1 << slot)
        q.cmd('cont')
        ids = [(d['id']['vendor'], d['id']['device'])
               for b in q.cmd('query-pci') for d in b['devices']]
        tap.ok((MDPY_VENDOR, MDPY_DEVICE) not in ids,
               '%s: after the eject the guest runs on without the device'
               % tag, str(ids))
        # Seen with QEMU 7.2: with display=on QEMU keeps the device file
        # open until it exits; what this QEMU does is recorded, not judged.
        log('%s: remove %s within 15 s of the eject, QEMU still running'
            % (tag, 'returned' if done.wait(15) else 'had not returned'))
        q.cmd('quit')
        tap.ok(done.wait(30) and result.get('ok'), '%s: remove returns once '
               'QEMU has let go of the device' % tag, str(result))
        tap.ok(not os.path.exists('%s/mdev_supported_types/mdpy-vga/devices/%s'
                                  % (MDEV_PARENT, u)),
               '%s: the instance is gone' % tag)
    except (QemuError, OSError, ValueError) as e:
        tap.ok(False, '%s: nested QEMU session' % tag,
               '%s\n%s' % (e, q.stderr() if q else ''))
    finally:
        if q:
            q.close()
        done.wait(30)
        if os.path.exists('/sys/bus/mdev/devices/' + u):
            mdev_remove(u)


# ---------------------------------------------------------------------------
# Self-test against QEMU's bochs-display (host only, no mdpy needed)

def selftest(args):
    tap = Tap()
    w, h = 800, 600
    q = factory(args)(['-device', 'bochs-display'])
    log('QEMU %d.%d.%d' % q.version())
    try:
        bdf = q.find(0x1234, 0x1111)
        tap.ok(bdf is not None, 'bochs-display found on bus 0')
        mask, typ, size = q.size_bar(bdf, 0)
        tap.ok(size >= w * h * 4, 'BAR0 sized 0x%x (type %x)' % (size, typ))
        q.map_bar(bdf, 0, BAR0_GPA)
        mmio = 0xe8000000
        q.map_bar(bdf, 2, mmio)
        regs = mmio + 0x500          # DISPI registers, 16-bit each
        for idx, val in ((4, 0), (1, w), (2, h), (3, 32), (4, 0x41)):
            q.writew(regs + idx * 2, val)
        card = test_card(w, h)
        t0 = time.time()
        q.mem_write(BAR0_GPA, card)
        log('wrote %d bytes in %.2f s' % (len(card), time.time() - t0))
        tap.ok(q.mem_read(BAR0_GPA, 4096) == card[:4096], 'BAR0 reads back')
        for ext in ('ppm', 'png'):
            path = os.path.join(q.dir, 'card.' + ext)
            t0 = time.time()
            got = q.screendump(path)
            log('%s dump+decode %.2f s' % (ext, time.time() - t0))
            diff = compare(w, h, got, card)
            tap.ok(diff is None, '%s screendump equals the card' % ext, diff)
        if args.keep:
            shutil.copy(os.path.join(q.dir, 'card.png'), args.keep)
        q.cmd('system_reset')
        q.wait_event('RESET')
        tap.ok(True, 'system_reset delivered')
    finally:
        q.close()
        shutil.rmtree(q.dir, ignore_errors=True)
    return tap.done()


# ---------------------------------------------------------------------------

def factory(args):
    extra = []
    if args.datadir:
        for d in args.datadir.split(':'):
            extra += ['-L', d]

    def make(device_args):
        return Nested(device_args, qemu=args.qemu, extra=extra)
    return make


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--qemu', default='qemu-system-x86_64')
    ap.add_argument('--datadir', help='-L directories for QEMU, colon-separated')
    sub = ap.add_subparsers(dest='mode', required=True)
    d = sub.add_parser('display')
    d.add_argument('--types', default='vga,xga,hd')
    d.add_argument('--tap', help='also write the TAP to this file')
    d.add_argument('--dumpdir', help='write screendumps here')
    d.add_argument('--faildir', help='copy dumps that do not match here')
    d.add_argument('--png', default='vga',
                   help='types whose dumps are taken and decoded as PNG')
    m = sub.add_parser('demo')
    m.add_argument('--type', default='hd')
    m.add_argument('--uuid', help='use this existing instance')
    m.add_argument('--png', required=True)
    c = sub.add_parser('card')
    c.add_argument('--type', default='hd')
    c.add_argument('--png', required=True)
    k = sub.add_parser('compare')
    k.add_argument('--type', default='hd')
    k.add_argument('image')
    p = sub.add_parser('unplug')
    p.add_argument('--tap', help='also write the TAP to this file')
    s = sub.add_parser('selftest')
    s.add_argument('--keep', help='copy the PNG dump here')
    args = ap.parse_args()

    if args.mode == 'selftest':
        return selftest(args)
    if args.mode == 'card':
        w, h = TYPES[args.type]
        write_png(args.png, w, h, xrgb_to_rgb(test_card(w, h)))
        return 0
    if args.mode == 'compare':
        w, h = TYPES[args.type]
        diff = compare(w, h, read_image(args.image), test_card(w, h))
        print(diff or '%s: equals the %dx%d test card' % (args.image, w, h))
        return 1 if diff else 0
    if args.mode == 'display':
        tap = Tap(args.tap)
        dumpdir = args.dumpdir or tempfile.mkdtemp(prefix='mdpy-dumps-')
        os.makedirs(dumpdir, exist_ok=True)
        pngs = args.png.split(',')
        make = factory(args)
        for t in args.types.split(','):
            display_test(tap, t, make, dumpdir, t in pngs, args.faildir)
        return tap.done()
    if args.mode == 'demo':
        return demo(args)
    if args.mode == 'unplug':
        tap = Tap(args.tap)
        for display in ('on', 'off'):
            unplug_test(tap, factory(args), display)
        return tap.done()
    return 2


def demo(args):
    """Attach an instance exactly as a user would, draw the card as a guest
    would, and keep QEMU's own screendump."""
    w, h = TYPES[args.type]
    q = factory(args)(vfio_args(args.uuid))
    try:
        v = '%d.%d.%d' % q.version()
        print(' '.join(q.cmdline))
        bdf = q.find(MDPY_VENDOR, MDPY_DEVICE)
        if bdf is None:
            raise QemuError('nested guest sees no 1b36:000f')
        cw = q.cfg_read32(bdf, MDPY_CAP + 8)
        ch = q.cfg_read32(bdf, MDPY_CAP + 12)
        print('nested guest: 1b36:000f at 00:%02x.%d, %dx%d' % (bdf[1], bdf[2], cw, ch))
        _, _, size = q.size_bar(bdf, 0)
        q.map_bar(bdf, 0, BAR0_GPA)
        t0 = time.time()
        q.mem_write(BAR0_GPA, test_card(cw, ch))
        print('drew the test card through BAR0 at 0x%x in %.1f s'
              % (BAR0_GPA, time.time() - t0))
        got = q.screendump(args.png, png=True)
        diff = compare(w, h, got, test_card(w, h))
        print('QEMU %s screendump: %s' % (v, diff or 'matches the card'))
        print('QEMU_VERSION=%s' % v)
        return 1 if diff else 0
    finally:
        q.close()


if __name__ == '__main__':
    sys.exit(main())
