#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Drive a nested QEMU that has an mdpy instance attached as its display.

The nested machine never runs guest code: it is started stopped (-S) with a
qtest socket, and this program plays the guest.  It programs the device
through PCI configuration cycles on ports 0xcf8/0xcfc, writes pixels into
BAR0 through guest physical memory, and asks QEMU over QMP for a screendump
of what it displays.  Then it compares the dump pixel by pixel with what it
wrote.  The QEMU control, the pictures, the image files and the TAP writer
are tests/pylib's; this runs inside the test VM, chrooted into the host's
root, with the host's python3 and python3-pil.

Modes:
  nested.py display --types vga,xga,hd     TAP test of the display path
  nested.py demo --type hd --png OUT.png   draw the test card, keep the dump
  nested.py card --type hd --png OUT.png   write the expected card as PNG
  nested.py compare --type hd A.png        check a dump against the card
  nested.py unplug --tap OUT               host removes an instance QEMU
                                           holds: QEMU asks the guest to eject
                                           it, remove returns
  nested.py migrate --types vga --tap OUT  the display moves to a second
                                           QEMU and instance (live, file),
                                           not into another type; with a
                                           QEMU without VFIO migration v2:
                                           migrate is refused
  nested.py modes --type 2560x1440 --tap OUT  the guest changes mode through
                                           the mode capability; QEMU's
                                           screendumps follow each size
  nested.py selftest                       prove the harness with QEMU's
                                           bochs-display (no mdpy needed)
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time

# tests/pylib in the tree, /payload/pylib in the test VM
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                '..', 'pylib'))
import image  # noqa: E402
import mdev  # noqa: E402
from vnc import Vnc  # noqa: E402
from card import initial_picture, test_card  # noqa: E402
from mdev import (MDPY_CAP, MDPY_CLASS, MDPY_DEVICE, MDPY_REVISION,  # noqa: E402
                  MDPY_SUBDEVICE, MDPY_SUBVENDOR, MDPY_VENDOR, MDPY_XRGB8888,
                  TYPES)
from qemu import Qemu, QemuError  # noqa: E402
from tap import Tap, log  # noqa: E402

BAR0_GPA = 0xe0000000            # where the "guest" places BAR0
TIMEOUT = float(os.environ.get('NESTED_TIMEOUT', '300'))


def dump_and_read(q, path, png=None):
    """Screendump and decode: (w, h, RGB)."""
    return image.read(q.screendump(path, png))


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


def run_nested(tap, what, q_factory, device_args, session):
    """Start a nested QEMU and run session(q) on it.  A session that breaks
    (QEMU does not start or dies, a socket fails, a reply makes no sense)
    is one failed TAP line naming @what, with QEMU's stderr; QEMU is closed
    in any case, and what it said is logged."""
    q = None
    try:
        q = q_factory(device_args)
        session(q)
    except (QemuError, OSError, ValueError) as e:
        tap.ok(False, '%s: nested QEMU session' % what,
               '%s\n%s' % (e, q.stderr() if q else ''))
    finally:
        if q:
            err = q.stderr()
            q.close()
            if err:
                log('%s: QEMU said: %s' % (what, err.replace('\n', ' | ')))


def check_display(tap, q, tname, u, dumpdir, png_check, faildir,
                  vnc_path=None, vnc_seconds=5):
    """The display path of one instance, as a guest and its user see it."""
    w, h = TYPES[tname]
    log('%s: instance %s, QEMU %d.%d.%d' % ((tname, u) + q.version()))
    bdf = q.find(MDPY_VENDOR, MDPY_DEVICE)
    if not tap.ok(bdf is not None, 'pci %s: nested guest finds 1b36:000f'
                  % tname, 'bus 0: ' + ', '.join(
                      '%04x:%04x' % (v, d) for _, v, d in q.pci_scan())):
        return
    check_config(tap, q, bdf, tname, w, h)
    init = initial_picture(w, h)
    ext = 'png' if png_check else 'ppm'

    # 1. before the guest uses the display its plane is empty, so QEMU
    # (no ramfb here) shows its own placeholder
    dump = os.path.join(dumpdir, '%s-unused.%s' % (tname, ext))
    diff = image.placeholder(dump_and_read(q, dump))
    tap.ok(diff is None, 'display %s: first dump is QEMU\'s placeholder '
           '(no plane before the guest uses the display)' % tname,
           keep_failed(diff, dump, faildir))

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
    # firmware's setup (BAR, decoding) and reads do not count as use
    dump = os.path.join(dumpdir, '%s-read.%s' % (tname, ext))
    diff = image.placeholder(dump_and_read(q, dump))
    tap.ok(diff is None, 'display %s: still the placeholder after BAR setup '
           'and reads' % tname, keep_failed(diff, dump, faildir))
    # one pixel written back as it was: the guest uses the display, and
    # QEMU shows the whole power-on picture
    q.mem_write(addr + mid, init[mid:mid + 4])
    dump = os.path.join(dumpdir, '%s-initial.%s' % (tname, ext))
    diff = image.compare(w, h, dump_and_read(q, dump), init)
    tap.ok(diff is None, 'display %s: after the first BAR0 write the dump '
           'shows the initial picture' % tname,
           keep_failed(diff, dump, faildir))
    # QEMU read the whole frame to show it; from v6.10 the instance holds
    # only the page the guest wrote (the rest is the type's shared
    # picture), before that a page for every page shown
    page = 4096
    frame = -(-w * h * 4 // page) * page
    want = page if mdev.shares_picture() else frame
    got = mdev.resident(u)
    tap.ok(got == want, 'memory %s: shown after a one-page write, the '
           'instance holds %d KiB' % (tname, want // 1024),
           'resident_bytes %d, want %d' % (got, want))
    if vnc_path:
        # a viewer makes QEMU read the frame on every refresh: the same
        secs = vnc_seconds
        v = Vnc(vnc_path)
        v.start()
        updates = v.watch(secs)
        got = mdev.resident(u)
        err = v.error
        v.close()
        log('%s: %d VNC updates in %g s' % (tname, updates, secs))
        tap.ok(updates > 0 and err is None and got == want,
               'memory %s: %g s with a VNC viewer leave it at %d KiB'
               % (tname, secs, want // 1024),
               'resident_bytes %d, want %d; %d updates; VNC error %s'
               % (got, want, updates, err))

    # 2. draw the card through guest physical memory
    card = test_card(w, h)
    t0 = time.time()
    q.mem_write(addr, card)
    log('%s: wrote %d bytes in %.1f s' % (tname, len(card), time.time() - t0))
    back = q.mem_read(addr + len(card) - 4096, 4096)
    tap.ok(back == card[-4096:], 'bar0 %s: last page reads back' % tname)
    dump = os.path.join(dumpdir, '%s-card.%s' % (tname, ext))
    diff = image.compare(w, h, dump_and_read(q, dump), card)
    tap.ok(diff is None, 'display %s: dump equals the test card pixel for '
           'pixel' % tname, keep_failed(diff, dump, faildir))

    # 3. device reset from the nested machine
    q.cmd('system_reset')
    q.wait_event('RESET')
    dump = os.path.join(dumpdir, '%s-reset.%s' % (tname, ext))
    diff = image.compare(w, h, dump_and_read(q, dump), init)
    tap.ok(diff is None, 'display %s: after system_reset the initial '
           'picture is back' % tname, keep_failed(diff, dump, faildir))
    fmt = q.cfg_read32(bdf, MDPY_CAP + 4)
    cw = q.cfg_read32(bdf, MDPY_CAP + 8)
    tap.ok(fmt == MDPY_XRGB8888 and cw == w,
           'cfg %s: vendor capability intact after reset' % tname)


def display_test(tap, tname, q_factory, dumpdir, png_check, faildir=None,
                 vnc_seconds=5):
    u = mdev.create(tname)
    vnc_dir = tempfile.mkdtemp(prefix='mdpy-vnc-')
    vnc_path = os.path.join(vnc_dir, 'vnc.sock')
    try:
        run_nested(tap, 'display %s' % tname, q_factory,
                   mdev.vfio_args(u) + ['-vnc', 'unix:' + vnc_path],
                   lambda q: check_display(tap, q, tname, u, dumpdir,
                                           png_check, faildir, vnc_path,
                                           vnc_seconds))
    finally:
        shutil.rmtree(vnc_dir, ignore_errors=True)
        try:
            mdev.remove(u)
        except OSError as e:
            tap.ok(False, 'mdev %s: remove after QEMU exit' % tname, e)


# ---------------------------------------------------------------------------
# Boot display: QEMU's ramfb until the guest uses the mdpy display

FW_CFG_SEL, FW_CFG_DATA, FW_CFG_DMA_HI, FW_CFG_DMA_LO = 0x510, 0x511, 0x514, 0x518
FW_CFG_FILE_DIR = 0x19
FW_CFG_DMA_SELECT, FW_CFG_DMA_WRITE = 0x08, 0x10
RAMFB_FB_GPA = 0x01000000     # guest RAM the "firmware" draws into
RAMFB_DMA_GPA = 0x00f00000    # its fw_cfg DMA request and config


def bswap32(v):
    return int.from_bytes(v.to_bytes(4, 'little'), 'big')


def firmware_ramfb(q, w, h, pic):
    """What SeaBIOS's and OVMF's ramfb drivers do, through qtest: find
    the fw_cfg file etc/ramfb, give it a framebuffer in guest RAM by fw_cfg
    DMA, and draw pic there."""
    q.qtest('outw 0x%x 0x%x' % (FW_CFG_SEL, FW_CFG_FILE_DIR))
    count = int.from_bytes(bytes(q.inb(FW_CFG_DATA) for _ in range(4)), 'big')
    select = None
    for _ in range(count):
        ent = bytes(q.inb(FW_CFG_DATA) for _ in range(64))
        if ent[8:].split(b'\0')[0] == b'etc/ramfb':
            select = int.from_bytes(ent[4:6], 'big')
    if select is None:
        raise QemuError('fw_cfg has no etc/ramfb')
    q.mem_write(RAMFB_FB_GPA, pic)
    cfg = (RAMFB_FB_GPA.to_bytes(8, 'big') + MDPY_XRGB8888.to_bytes(4, 'big') +
           (0).to_bytes(4, 'big') + w.to_bytes(4, 'big') + h.to_bytes(4, 'big') +
           (w * 4).to_bytes(4, 'big'))
    req = ((select << 16 | FW_CFG_DMA_SELECT | FW_CFG_DMA_WRITE).to_bytes(4, 'big') +
           len(cfg).to_bytes(4, 'big') + (RAMFB_DMA_GPA + 16).to_bytes(8, 'big'))
    q.mem_write(RAMFB_DMA_GPA, req + cfg)
    # the big-endian 64-bit address; writing its low half starts the DMA
    q.outl(FW_CFG_DMA_HI, 0)
    q.outl(FW_CFG_DMA_LO, bswap32(RAMFB_DMA_GPA))
    ctl = int.from_bytes(bytes(q.mem_read(RAMFB_DMA_GPA, 4)), 'big')
    if ctl:
        raise QemuError('fw_cfg DMA to etc/ramfb: control 0x%x' % ctl)


def ramfb_session(tap, q, tname, dumpdir, faildir):
    """ramfb=on: the firmware's picture until the guest writes BAR0, the
    mdpy plane from then on, and the firmware's again after a reboot."""
    w, h = TYPES[tname]
    tag = 'boot display %s' % tname
    g = Guest(tap, q, tname, dumpdir, faildir, tag)
    fw = flipped(test_card(w, h), w, h)
    firmware_ramfb(q, w, h, fw)
    g.setup()
    g.shows(fw, 'before the guest uses the display QEMU shows the '
            'firmware\'s ramfb', 'firmware')
    card = test_card(w, h)
    g.draw(card)
    g.shows(card, 'after the guest draws into BAR0 QEMU shows the mdpy '
            'plane', 'card')
    q.cmd('system_reset')
    q.wait_event('RESET')
    # a reboot: the firmware sets up its ramfb again and draws
    fw2 = bytes(b ^ 0xff for b in card)
    firmware_ramfb(q, w, h, fw2)
    g.setup()
    g.shows(fw2, 'after system_reset QEMU shows the firmware\'s ramfb '
            'again', 'firmware-again')
    g.touch()
    g.shows(initial_picture(w, h), 'the guest\'s first BAR0 write brings '
            'back the mdpy plane, with the power-on picture', 'initial')


def ramfb_test(tap, tname, q_factory, dumpdir, faildir=None):
    u = mdev.create(tname)
    try:
        run_nested(tap, 'boot display %s' % tname, q_factory,
                   mdev.vfio_args(u, 'ramfb=on', 'vfio-pci-nohotplug'),
                   lambda q: ramfb_session(tap, q, tname, dumpdir, faildir))
    finally:
        try:
            mdev.remove(u)
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
    u = mdev.create('vga')
    done = threading.Event()
    result = {}

    def remove():
        try:
            with open('%s/%s/remove' % (mdev.DEV_DIR, u), 'w') as f:
                f.write('1')
            result['ok'] = True
        except OSError as e:
            result['error'] = e
        done.set()

    try:
        run_nested(tap, tag, q_factory,
                   ['-device', 'vfio-pci,sysfsdev=%s/%s,display=%s'
                    % (mdev.DEV_DIR, u, display)],
                   lambda q: unplug_session(tap, q, tag, u, done, result,
                                            remove))
    finally:
        done.wait(30)
        if mdev.exists(u):
            mdev.remove(u)


def unplug_session(tap, q, tag, u, done, result, remove):
    """QEMU holds @u; the host removes it (the thread @remove)."""
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
                              % (mdev.PARENT_DIR, u)),
           '%s: the instance is gone' % tag)


# ---------------------------------------------------------------------------
# Migration: the display moves with its VM (VFIO migration v2)

# What vfio-pci needs to migrate an mdpy instance with QEMU >= 8: without
# enable-migration=on QEMU quietly adds a blocker instead of failing, and the
# kernels under test have no IOMMUFD, so the device's own dirty page log
# cannot be read and QEMU must use the container's instead.
MIG_PROPS = ('enable-migration', 'x-device-dirty-page-tracking')
MIG_SETTINGS = mdev.MIGRATE_PROPS
MIG_TIMEOUT = 120


def vfio_props(binary):
    """The property names this QEMU's vfio-pci has."""
    out = subprocess.run([binary, '-device', 'vfio-pci,help'],
                         stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT, timeout=120).stdout
    return {ln.split('=')[0].strip()
            for ln in out.decode(errors='replace').splitlines() if '=' in ln}


def mig_device(u, settings=MIG_SETTINGS):
    return mdev.vfio_args(u, settings)


def return_path(q, on):
    """The return path lets the target tell the source that loading failed,
    so the source counts the migration failed and keeps the VM; a file
    has no way back, so it is off for saves."""
    q.cmd('migrate-set-capabilities',
          capabilities=[{'capability': 'return-path', 'state': on}])


def switchover_hint(q):
    """Kernels before 6.2 have no VFIO_DEVICE_FEATURE_MIG_DATA_SIZE, and
    QEMU 10.0 then assumes 100 GiB of device state left for the stop: no
    link moves that within the downtime limit, so the migration never ends
    (RAM all sent, query-migrate 'active' forever).  What a user does
    there (QEMU 8.2+): tell QEMU the switch-over bandwidth it may count on,
    high enough that 100 GiB fits 300 ms; the real stream is a few KiB.
    README says so."""
    major, minor = (int(x) for x in os.uname().release.split('.')[:2])
    if (major, minor) < (6, 2) and q.version() >= (8, 2, 0):
        q.cmd('migrate-set-parameters', **{'avail-switchover-bandwidth': 1 << 40})


def mig_wait(q, timeout=MIG_TIMEOUT):
    """Poll query-migrate until the migration settles.  Returns (status,
    text for a diagnostic); status 'exited' when QEMU went away."""
    deadline = time.time() + timeout
    while True:
        try:
            info = q.cmd('query-migrate')
        except (QemuError, OSError) as e:
            try:
                q.proc.wait(30)
            except subprocess.TimeoutExpired:
                pass
            return 'exited', 'QEMU exited (%s): %s' % (e.__class__.__name__,
                                                       q.stderr())
        st = info.get('status', 'none')
        if st in ('completed', 'failed', 'cancelled') or time.time() > deadline:
            # bytes moved so far tell a stuck migration from a slow one
            moved = ', '.join('%s %s bytes' % (k, info[k].get('transferred'))
                              for k in ('ram', 'vfio') if k in info)
            return st, 'query-migrate: %s%s%s' % (
                st, ', ' + info['error-desc'] if 'error-desc' in info else '',
                ' (%s)' % moved if moved else '')
        time.sleep(0.2)


def file_uri(q, path):
    """file: URIs came with QEMU 8.2; before that a shell writes it."""
    if q.version() >= (8, 2, 0):
        return 'file:' + path
    return 'exec:cat > ' + path


def flipped(pic, w, h):
    """The picture upside down: a second picture that differs from the card
    in every band."""
    s = w * 4
    return b''.join(pic[y * s:(y + 1) * s] for y in range(h - 1, -1, -1))


class Guest:
    """The nested guest of one QEMU: finds the device, maps BAR0, draws and
    compares pictures."""

    def __init__(self, tap, q, tname, dumpdir, faildir, tag):
        self.tap, self.q, self.tname = tap, q, tname
        self.w, self.h = TYPES[tname]
        self.dumpdir, self.faildir, self.tag = dumpdir, faildir, tag
        self.ext = 'png' if tname == 'vga' else 'ppm'
        self.bdf = q.find(MDPY_VENDOR, MDPY_DEVICE)
        if self.bdf is None:
            raise QemuError('the nested guest sees no 1b36:000f')

    def setup(self):
        """What a guest's firmware would do: BAR0, memory decoding and an
        interrupt line.  Returns the config registers it programmed."""
        q, bdf = self.q, self.bdf
        q.map_bar(bdf, 0, BAR0_GPA)
        irq = q.cfg_read32(bdf, 0x3c)
        q.cfg_write32(bdf, 0x3c, (irq & ~0xff) | 0x0b)
        return self.config()

    def config(self):
        q, bdf = self.q, self.bdf
        return {'bar0': q.cfg_read32(bdf, 0x10), 'command': q.cfg_read16(bdf, 0x04),
                'irq line': q.cfg_read8(bdf, 0x3c)}

    def draw(self, pic):
        self.q.mem_write(BAR0_GPA, pic)

    def touch(self):
        touch(self.q)

    def shows(self, pic, what, name):
        """One TAP line: the screendump equals pic."""
        dump = os.path.join(self.dumpdir, '%s-%s.%s' % (
            self.tag.replace(' ', '-'), name, self.ext))
        diff = image.compare(self.w, self.h, dump_and_read(self.q, dump), pic)
        return self.tap.ok(diff is None, '%s: %s' % (self.tag, what),
                           keep_failed(diff, dump, self.faildir))


def touch(q):
    """Use the display at BAR0_GPA without changing it: its first pixel
    written back as it is.  Until a guest does, the plane is empty."""
    q.mem_write(BAR0_GPA, q.mem_read(BAR0_GPA, 4))


class Session:
    """The QEMUs and instances of one test, closed and removed at the end
    whatever happened."""

    def __init__(self, make):
        self.make, self.qemus, self.uuids = make, [], []

    def instance(self, tname):
        u = mdev.create(tname)
        self.uuids.append(u)
        return u

    def qemu(self, args):
        q = self.make(args)
        self.qemus.append(q)
        return q

    def stop(self, q):
        err = q.stderr()
        q.close()
        if q in self.qemus:
            self.qemus.remove(q)
        if err:
            log('QEMU said: ' + err.replace('\n', ' | '))

    def close(self):
        for q in list(self.qemus):
            self.stop(q)
        for u in self.uuids:
            if mdev.exists(u):
                mdev.remove(u)


def start_qemu(tap, sess, tag, args):
    """A QEMU for the test, or a failed TAP line that says why not."""
    try:
        return sess.qemu(args)
    except QemuError as e:
        tap.ok(False, '%s: QEMU starts' % tag, '%s\n%s' % (' '.join(args), e))
        return None


def migrate_to(tap, sess, tag, src, device, dumpdir):
    """Start a target QEMU with device and -incoming defer, and migrate src
    to it over a unix socket with the return path on (so a target that
    refuses the stream fails the source too).  Returns the target (None if
    it did not start) and both sides' (status, diagnostics)."""
    dst = start_qemu(tap, sess, tag + ' target', device + ['-incoming', 'defer'])
    if not dst:
        return None, (None, ''), (None, '')
    sock = os.path.join(dumpdir, 'migrate.sock')
    for q in (src, dst):
        return_path(q, True)
    switchover_hint(src)
    dst.cmd('migrate-incoming', uri='unix:' + sock)
    src.cmd('migrate', uri='unix:' + sock)
    return dst, mig_wait(src), mig_wait(dst)


def migrate_live(tap, tname, make, dumpdir, faildir):
    """Instance 1 shows the card in the source, the VM moves over a unix
    socket to a target that holds instance 2; the target shows the card,
    keeps the config space and takes a new picture.  Then a fresh VM on
    instance 1 draws another picture, is saved to a file and restored into
    a fresh QEMU on instance 2."""
    tag = 'migrate %s' % tname
    w, h = TYPES[tname]
    card, other = test_card(w, h), flipped(test_card(w, h), w, h)
    sess = Session(make)
    try:
        u1, u2 = sess.instance(tname), sess.instance(tname)
        src = start_qemu(tap, sess, tag + ' source', mig_device(u1))
        if not src:
            return
        log('%s: QEMU %d.%d.%d, %s -> %s' % ((tag,) + src.version() + (u1, u2)))
        gs = Guest(tap, src, tname, dumpdir, faildir, tag + ' source')
        programmed = gs.setup()
        gs.draw(card)
        gs.shows(card, 'shows the test card', 'card')

        t0 = time.time()
        dst, (sst, sdiag), (dst_st, ddiag) = migrate_to(
            tap, sess, tag, src, mig_device(u2), dumpdir)
        if not dst:
            return
        log('%s: unix socket migration took %.1f s' % (tag, time.time() - t0))
        tap.ok(sst == 'completed', '%s: source query-migrate completed' % tag,
               '%s\nsource QEMU: %s' % (sdiag, src.stderr()))
        if not tap.ok(dst_st == 'completed', '%s: target query-migrate '
                      'completed' % tag, ddiag):
            return
        gt = Guest(tap, dst, tname, dumpdir, faildir, tag + ' target')
        gt.shows(card, 'screendump equals the test card pixel for pixel', 'card')
        got = gt.config()
        tap.ok(got == programmed, '%s: target config space has what the source '
               'guest programmed (BAR0, command, interrupt line)' % tag,
               'source %s, target %s' % (programmed, got))
        mid = (h // 2) * w * 4
        back = dst.mem_read(BAR0_GPA + mid, 256)
        tap.ok(back == card[mid:mid + 256], '%s: target guest reads the card '
               'through BAR0' % tag, 'got %s...' % back[:16].hex())
        gt.draw(other)
        gt.shows(other, 'a new picture drawn on the target shows (device live '
                 'there)', 'new')

        # save to a file and restore.  A fresh VM on instance 1 draws the
        # other picture and is saved; a fresh QEMU on instance 2 restores
        # it.  (Saving the migrated target itself does not work: QEMU
        # keeps a device it resumed in RESUMING until the VM first runs
        # and refuses to save it from there, "Invalid device state 4".)
        sess.stop(src)
        sess.stop(dst)
        sq = start_qemu(tap, sess, tag + ' save', mig_device(u1))
        if not sq:
            return
        gq = Guest(tap, sq, tname, dumpdir, faildir, tag + ' save')
        programmed = gq.setup()
        gq.draw(other)
        path = os.path.join(dumpdir, '%s.mig' % tname)
        uri = file_uri(sq, path)
        return_path(sq, False)
        switchover_hint(sq)
        t0 = time.time()
        sq.cmd('migrate', uri=uri)
        st, diag = mig_wait(sq)
        tap.ok(st == 'completed', '%s: save to %s completed' % (
            tag, uri.split(':')[0]), '%s\n%s' % (diag, sq.stderr()))
        log('%s: saved %d bytes in %.1f s' % (
            tag, os.path.getsize(path) if os.path.exists(path) else -1,
            time.time() - t0))
        sess.stop(sq)
        rq = start_qemu(tap, sess, tag + ' restore',
                        mig_device(u2) + ['-incoming', 'defer'])
        if not rq:
            return
        rq.cmd('migrate-incoming', uri=uri.replace('exec:cat >', 'exec:cat <'))
        st, diag = mig_wait(rq)
        if not tap.ok(st == 'completed', '%s: restore from the file completed'
                      % tag, diag):
            return
        gr = Guest(tap, rq, tname, dumpdir, faildir, tag + ' restore')
        gr.shows(other, 'restored screendump equals the picture that was saved',
                 'restored')
        got = gr.config()
        tap.ok(got == programmed, '%s: restored config space has what the '
               'source guest programmed' % tag,
               'source %s, restored %s' % (programmed, got))
    except (QemuError, OSError, ValueError) as e:
        tap.ok(False, '%s: nested QEMU session' % tag, e)
    finally:
        sess.close()


def migrate_wrong_type(tap, tname, other_type, make, dumpdir, faildir):
    """A stream for tname offered to an instance of other_type: the target
    fails to load it, the source keeps its VM, the target instance is
    usable afterwards."""
    tag = 'migrate %s into %s' % (tname, other_type)
    w, h = TYPES[tname]
    card = test_card(w, h)
    sess = Session(make)
    try:
        u1, u2 = sess.instance(tname), sess.instance(other_type)
        src = start_qemu(tap, sess, tag + ' source', mig_device(u1))
        if not src:
            return
        gs = Guest(tap, src, tname, dumpdir, faildir, tag + ' source')
        gs.setup()
        gs.draw(card)
        dst, (sst, sdiag), (dst_st, ddiag) = migrate_to(
            tap, sess, tag, src, mig_device(u2), dumpdir)
        if not dst:
            return
        tap.ok(dst_st in ('failed', 'exited'), '%s: target refuses the stream'
               % tag, ddiag)
        tap.line('#   target: ' + ddiag.replace('\n', ' | '))
        tap.ok(sst == 'failed', '%s: source query-migrate says failed' % tag,
               sdiag)
        tap.line('#   source: ' + sdiag.replace('\n', ' | '))
        status = src.cmd('query-status')
        tap.ok(status.get('status') in ('prelaunch', 'paused', 'running'),
               '%s: source VM keeps going (query-status %s)' % (
                   tag, status.get('status')), status)
        gs.shows(card, 'source screendump is still the test card', 'card')
        sess.stop(dst)

        # the target's instance is as good as new
        q = start_qemu(tap, sess, tag + ' reopen', mig_device(u2))
        if not q:
            return
        go = Guest(tap, q, other_type, dumpdir, faildir, tag + ' reopen')
        ow, oh = TYPES[other_type]
        go.setup()
        go.touch()
        go.shows(initial_picture(ow, oh), 'a new QEMU on the %s instance shows '
                 'the power-on picture' % other_type, 'initial')
    except (QemuError, OSError, ValueError) as e:
        tap.ok(False, '%s: nested QEMU session' % tag, e)
    finally:
        sess.close()


def migrate_blocked(tap, tname, make, dumpdir, faildir):
    """A QEMU without VFIO migration v2 (7.2): migrate is refused with
    QEMU's blocker message and the VM stays as it was."""
    tag = 'migrate %s' % tname
    w, h = TYPES[tname]
    card = test_card(w, h)
    sess = Session(make)
    try:
        u = sess.instance(tname)
        q = start_qemu(tap, sess, tag, mig_device(u, None))
        if not q:
            return
        log('%s: QEMU %d.%d.%d' % ((tag,) + q.version()))
        g = Guest(tap, q, tname, dumpdir, faildir, tag)
        g.setup()
        g.draw(card)
        refused = None
        try:
            q.cmd('migrate', uri='exec:cat > /dev/null')
        except QemuError as e:
            refused = str(e)
        tap.ok(refused is not None and 'migration' in refused,
               '%s: QEMU %d.%d refuses migrate with its blocker' % (
                   (tag,) + q.version()[:2]),
               'migrate was accepted: %s' % mig_wait(q)[1]
               if refused is None else 'not a blocker: ' + refused)
        tap.line('#   QEMU said: %s' % refused)
        info = q.cmd('query-migrate')
        tap.ok(info.get('status') in (None, 'none', 'setup', 'failed'),
               '%s: no migration ran' % tag, info)
        status = q.cmd('query-status')
        tap.ok(status.get('status') == 'prelaunch', '%s: VM keeps going '
               '(query-status %s)' % (tag, status.get('status')), status)
        g.shows(card, 'screendump is still the test card', 'card')
    except (QemuError, OSError, ValueError) as e:
        tap.ok(False, '%s: nested QEMU session' % tag, e)
    finally:
        sess.close()


def migrate_settings(tap, tname, make):
    """Record (not judge) what this QEMU does with fewer settings than
    MIG_SETTINGS: whether it starts, and what migrate then says."""
    for settings in ('', 'enable-migration=on'):
        sess = Session(make)
        what = 'display=on' + (',' + settings if settings else '')
        try:
            q = sess.qemu(mig_device(sess.instance(tname), settings))
            try:
                switchover_hint(q)
                q.cmd('migrate', uri='exec:cat > /dev/null')
                got = mig_wait(q)[1]
            except QemuError as e:
                got = 'migrate refused: %s' % e
            got += ' | ' + q.stderr()
        except (QemuError, OSError) as e:
            got = 'QEMU does not start: %s' % e
        finally:
            sess.close()
        tap.line('#   settings %s: %s' % (what, got.replace('\n', ' | ')))


def migrate_mode(args):
    tap = Tap(args.tap)
    dumpdir = args.dumpdir or tempfile.mkdtemp(prefix='mdpy-mig-')
    os.makedirs(dumpdir, exist_ok=True)
    make = factory(args)
    props = vfio_props(args.qemu)
    v2 = all(p in props for p in MIG_PROPS)
    log('vfio-pci of %s: %s' % (args.qemu, 'has ' + ', '.join(MIG_PROPS)
                                if v2 else 'no VFIO migration v2 properties'))
    for t in args.types.split(','):
        if v2:
            migrate_live(tap, t, make, dumpdir, args.faildir)
        else:
            migrate_blocked(tap, t, make, dumpdir, args.faildir)
    if v2:
        migrate_wrong_type(tap, args.types.split(',')[0], args.other, make,
                           dumpdir, args.faildir)
        migrate_settings(tap, args.types.split(',')[0], make)
    return tap.done()


# ---------------------------------------------------------------------------
# Self-test against QEMU's bochs-display (host only, no mdpy needed)

def selftest(args):
    tap = Tap()
    w, h = 800, 600
    q = factory(args)(['-device', 'bochs-display'])
    log('QEMU %d.%d.%d' % q.version())
    tmp = tempfile.mkdtemp(prefix='mdpy-selftest-')
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
            path = os.path.join(tmp, 'card.' + ext)
            t0 = time.time()
            got = dump_and_read(q, path)
            log('%s dump+decode %.2f s' % (ext, time.time() - t0))
            diff = image.compare(w, h, got, card)
            tap.ok(diff is None, '%s screendump equals the card' % ext, diff)
        if args.keep:
            shutil.copy(os.path.join(tmp, 'card.png'), args.keep)
        q.cmd('system_reset')
        q.wait_event('RESET')
        tap.ok(True, 'system_reset delivered')
    finally:
        q.close()
        shutil.rmtree(tmp, ignore_errors=True)
    return tap.done()


# ---------------------------------------------------------------------------

# ---------------------------------------------------------------------------
# Guest-driven mode changes (include/uapi/mdpy.h, "Mode capability")

MODECAP_MAGIC = 0x45444f4d
MODE_REQ_W, MODE_REQ_H, MODE_CTRL = 0x14, 0x18, 0x1c
MODE_WALK = ((640, 480), (1920, 1080), None, (800, 600))   # None: the default


def find_modecap(q, bdf):
    """Walk the capability list as a guest driver would; the offset of the
    vendor capability with the MODE magic, or None."""
    ptr, seen = q.cfg_read8(bdf, 0x34) & 0xfc, set()
    while ptr and ptr not in seen and len(seen) < 48:
        seen.add(ptr)
        if q.cfg_read8(bdf, ptr) == 0x09 and \
                q.cfg_read32(bdf, ptr + 4) == MODECAP_MAGIC:
            return ptr
        ptr = q.cfg_read8(bdf, ptr + 1) & 0xfc
    return None


def set_mode(q, bdf, cap, w, h):
    """Request w x h and apply it; the status the device reads back."""
    q.cfg_write32(bdf, cap + MODE_REQ_W, w)
    q.cfg_write32(bdf, cap + MODE_REQ_H, h)
    q.cfg_write32(bdf, cap + MODE_CTRL, 1)
    return q.cfg_read32(bdf, cap + MODE_CTRL)


def modes_session(tap, q, tname, dumpdir, faildir):
    dw, dh = (int(v) for v in tname.split('x')) if 'x' in tname \
        else TYPES[tname]
    log('modes %s: QEMU %d.%d.%d' % ((tname,) + q.version()))
    bdf = q.find(MDPY_VENDOR, MDPY_DEVICE)
    if not tap.ok(bdf is not None, 'modes %s: nested guest finds the device'
                  % tname):
        return
    cap = find_modecap(q, bdf)
    if not tap.ok(cap is not None, 'modes %s: guest finds the mode '
                  'capability by its magic' % tname):
        return
    q.map_bar(bdf, 0, BAR0_GPA)
    last = None
    for mode in MODE_WALK + ('refused',):
        if mode == 'refused':
            # a frame larger than BAR0: refused, the last mode stays
            st = set_mode(q, bdf, cap, 4096, 4096)
            tap.ok(st == 4, 'modes %s: 4096x4096 refused (status 4)'
                   % tname, 'status %d' % st)
            w, h = last
            pic = test_card(w, h)
        else:
            w, h = mode or (dw, dh)
            st = set_mode(q, bdf, cap, w, h)
            cw, ch = q.cfg_read32(bdf, MDPY_CAP + 8), q.cfg_read32(bdf, MDPY_CAP + 12)
            tap.ok(st == 0 and (cw, ch) == (w, h),
                   'modes %s: guest sets %dx%d' % (tname, w, h),
                   'status %d, capability at 0x40 says %dx%d' % (st, cw, ch))
            pic = test_card(w, h)
            q.mem_write(BAR0_GPA, pic)
            last = (w, h)
        dump = os.path.join(dumpdir, 'modes-%s-%dx%d%s.ppm' % (
            tname, w, h, '-refused' if mode == 'refused' else ''))
        diff = image.compare(w, h, dump_and_read(q, dump), pic)
        tap.ok(diff is None, 'modes %s: screendump is %dx%d and shows the '
               'card drawn at that size%s' % (tname, w, h,
                                              ' (after the refusal)'
                                              if mode == 'refused' else ''),
               keep_failed(diff, dump, faildir))
    # a reset (VM reboot) puts the instance's default mode back; the
    # plane is empty until the guest uses the display again
    q.cmd('system_reset')
    q.wait_event('RESET')
    q.map_bar(bdf, 0, BAR0_GPA)
    touch(q)
    cw, ch = q.cfg_read32(bdf, MDPY_CAP + 8), q.cfg_read32(bdf, MDPY_CAP + 12)
    dump = os.path.join(dumpdir, 'modes-%s-reset.ppm' % tname)
    diff = image.compare(dw, dh, dump_and_read(q, dump), initial_picture(dw, dh))
    tap.ok((cw, ch) == (dw, dh) and diff is None,
           'modes %s: after system_reset %dx%d and the initial picture'
           % (tname, dw, dh), 'capability %dx%d; %s' % (cw, ch, diff))


def modes_mode(args):
    tap = Tap(args.tap)
    dumpdir = args.dumpdir or tempfile.mkdtemp(prefix='mdpy-dumps-')
    os.makedirs(dumpdir, exist_ok=True)
    u = mdev.create(args.type)
    try:
        run_nested(tap, 'modes %s' % args.type, factory(args),
                   mdev.vfio_args(u),
                   lambda q: modes_session(tap, q, args.type, dumpdir,
                                           args.faildir))
    finally:
        mdev.remove(u)
    return tap.done()


def factory(args):
    """Qemu(device args) as the options say: a stopped pc machine with
    qtest as its CPU."""
    datadirs = [d for d in (args.datadir or '').split(':') if d]

    def make(device_args):
        return Qemu(['-m', '128M'] + device_args, binary=args.qemu,
                    datadirs=datadirs, qtest=True, timeout=TIMEOUT)
    return make


def main():
    image.need_pil()
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
    d.add_argument('--vnc-seconds', type=float, default=5,
                   help='how long a VNC viewer watches each shown display')
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
    g = sub.add_parser('migrate')
    g.add_argument('--types', default='vga',
                   help='types to migrate (each into a second instance)')
    g.add_argument('--other', default='xga',
                   help='type of the instance the wrong-type target holds')
    g.add_argument('--tap', help='also write the TAP to this file')
    g.add_argument('--dumpdir', help='screendumps, socket and saved state')
    g.add_argument('--faildir', help='copy dumps that do not match here')
    p = sub.add_parser('unplug')
    p.add_argument('--tap', help='also write the TAP to this file')
    o = sub.add_parser('modes')
    o.add_argument('--type', default='hd')
    o.add_argument('--tap', help='also write the TAP to this file')
    o.add_argument('--dumpdir', help='write screendumps here')
    o.add_argument('--faildir', help='copy dumps that do not match here')
    s = sub.add_parser('selftest')
    s.add_argument('--keep', help='copy the PNG dump here')
    args = ap.parse_args()

    if args.mode == 'selftest':
        return selftest(args)
    if args.mode == 'card':
        w, h = TYPES[args.type]
        image.write_png(args.png, w, h, image.xrgb_to_rgb(test_card(w, h)))
        return 0
    if args.mode == 'compare':
        w, h = TYPES[args.type]
        diff = image.compare(w, h, image.read(args.image), test_card(w, h))
        print(diff or '%s: equals the %dx%d test card' % (args.image, w, h))
        return 1 if diff else 0
    if args.mode == 'display':
        tap = Tap(args.tap)
        dumpdir = args.dumpdir or tempfile.mkdtemp(prefix='mdpy-dumps-')
        os.makedirs(dumpdir, exist_ok=True)
        pngs = args.png.split(',')
        make = factory(args)
        for t in args.types.split(','):
            display_test(tap, t, make, dumpdir, t in pngs, args.faildir,
                         args.vnc_seconds)
        ramfb_test(tap, args.types.split(',')[0], make, dumpdir,
                   args.faildir)
        return tap.done()
    if args.mode == 'demo':
        return demo(args)
    if args.mode == 'migrate':
        return migrate_mode(args)
    if args.mode == 'modes':
        return modes_mode(args)
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
    q = factory(args)(mdev.vfio_args(args.uuid))
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
        got = dump_and_read(q, args.png, png=True)
        diff = image.compare(w, h, got, test_card(w, h))
        print('QEMU %s screendump: %s' % (v, diff or 'matches the card'))
        print('QEMU_VERSION=%s' % v)
        return 1 if diff else 0
    finally:
        q.close()


if __name__ == '__main__':
    sys.exit(main())
