#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Boot a real nested (L2) guest on an mdpy display and check what it shows.

Runs in the test VM (L1), chrooted into the host root.  Starts QEMU with the
mdpy instance as the only display and tests/guest/l2-init.sh as the L2 init,
follows the L2 serial line, and at each picture marker takes a QMP
screendump and has mdpy-drm-test check it; then lets L2 go on.  Every result
line from L2 and every check becomes a TAP test.  QEMU, its serial line and
the TAP writer are tests/pylib's.

With --second TYPE, L2 gets one more display, a new instance of
mdpy-TYPE; given again, one more each time (suite 70 has three).  The
devices are mdpy0, mdpy1, ... in that order on L2's PCI bus (L2's card0,
card1, ...), and a marker that ends in "screen N" (a picture or the
console's) is checked on mdpyN.  Every picture marker names its size
("pattern drawn WxH"), and the screendump must have it: a mode change must
reach the host's display.

With --migrate-to TYPE, L2 is live-migrated while it shows its console:
a second QEMU (same machine, a new instance of mdpy-TYPE, -incoming defer)
takes it over a unix socket; the target's screendump must show the same
console, L2's count on the serial line must go on there without a gap or a
repeat, and L2 draws its next pictures on the target (class Migration).

With --boot-display, the first display is the boot display of README
(vfio-pci-nohotplug with ramfb=on) and L2 starts in SeaBIOS with its boot
menu prompt: until L2's guest driver uses the display, the screendumps
must show the firmware's text that QEMU's ramfb holds, not the mdpy plane;
from then on the guest's pictures, checked as always; and once L2 is done
it reboots, and the firmware's text must come back (the reset empties the
plane again).  QEMU is then stopped in the firmware.

  l2.py --uuid UUID --kernel VMLINUX --initrd CPIO --checker BIN
        --tap OUT.tap --dumpdir DIR [--timeout S] [--append ARGS]
        [--migrate-to TYPE | --second TYPE... | --boot-display]
"""

import argparse
import os
import re
import subprocess
import sys
import time

# tests/pylib in the tree, /payload/pylib in the test VM
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                '..', 'pylib'))
import image  # noqa: E402
import mdev  # noqa: E402
from qemu import Qemu, QemuError  # noqa: E402
from tap import Tap, log  # noqa: E402

# How long QEMU may take to answer on QMP, at start too: in a CI run an
# L2's QEMU with three vfio-pci devices had not greeted after 30 s (host
# 7.3, its L1 under TCG on a busy machine).
QMP_TIMEOUT = 120

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--uuid', required=True)
    ap.add_argument('--kernel', required=True)
    ap.add_argument('--initrd', required=True)
    ap.add_argument('--checker', required=True)
    ap.add_argument('--tap', required=True)
    ap.add_argument('--dumpdir', required=True)
    ap.add_argument('--qemu', default='qemu-system-x86_64')
    ap.add_argument('--datadir', help='-L directories for QEMU, colon-separated')
    ap.add_argument('--timeout', type=float, default=560)
    ap.add_argument('--append', default='',
                    help='more L2 kernel arguments (e.g. fbcon=map:9)')
    ap.add_argument('--second', metavar='TYPE', action='append', default=[],
                    help='one more display for L2, a new instance of '
                    'mdpy-TYPE (repeatable: mdpy1, mdpy2, ...)')
    ap.add_argument('--migrate-to', metavar='TYPE',
                    help='live-migrate L2 at its first console picture to '
                    'a new instance of mdpy-TYPE')
    ap.add_argument('--boot-display', action='store_true',
                    help='the first display with ramfb=on, L2 through '
                    'SeaBIOS: the firmware shows until the guest driver '
                    'takes over, and again after L2 reboots')
    args = ap.parse_args()
    if args.boot_display and args.migrate_to:
        ap.error('--boot-display and --migrate-to are separate boots')
    image.need_pil()
    os.makedirs(args.dumpdir, exist_ok=True)

    tap = Tap(args.tap)
    if boot(args, tap):
        # TCG emulating TCG occasionally faults the L2 kernel before any
        # driver of ours ran (seen: a #GP in do_sync_core's IRET during
        # boot).  That says nothing about mdpy, so boot once more (the
        # first try's TAP is dropped); a second crash fails the suite.
        first = os.path.join(args.dumpdir, 'l2-serial-try1.log')
        os.replace(os.path.join(args.dumpdir, 'l2-serial.log'), first)
        print('L2 kernel crashed before the guest driver loaded; one more boot',
              file=sys.stderr, flush=True)
        tap.drop()
        tap = Tap(args.tap)
        boot(args, tap)
        tap.ok(True, 'L2 booted on the second try: retry after an early L2 '
               'crash (%s)' % first)
    if args.boot_display:
        tap.skip('boot display under OVMF (UEFI firmware)',
                 'SeaBIOS only: no OVMF in the host root (Debian\'s ovmf is '
                 'not installed)' if not os.path.exists(OVMF) else
                 'SeaBIOS only: OVMF is not part of this suite')
    return tap.done()


def boot(args, tap):
    """One L2 boot; whether the L2 kernel died before any result."""
    serial_log = os.path.join(args.dumpdir, 'l2-serial.log')
    append = ('console=ttyS0 rdinit=/init quiet loglevel=3 panic=-1 '
              'mitigations=off cryptomgr.notests consoleblank=0 ' + args.append).strip()
    props = ''
    if args.migrate_to:
        append += ' mdpy_l2=migrate'
        props = mdev.MIGRATE_PROPS
    first_props = ''
    driver = 'vfio-pci'
    bootmenu = []
    if args.boot_display:
        # SeaBIOS waits at its boot menu prompt, as a person picking an
        # entry would see it; L2 reboots when told at the end
        append += ' mdpy_l2=reboot'
        bootmenu = ['-boot', 'menu=on,splash-time=%d' % SPLASH_MS]
        first_props, driver = 'ramfb=on', 'vfio-pci-nohotplug'
    # -no-reboot: an L2 kernel that panics (panic=-1) ends QEMU
    machine = ['-cpu', 'max', '-smp', '1', '-m', '256M', '-vga', 'none',
               '-no-reboot', '-kernel', args.kernel, '-initrd', args.initrd,
               '-append', append] + bootmenu
    done = results = False
    shots = 0
    q = None
    mig = None
    more = []                       # the instances of --second
    seen = set()                    # the displays a picture was checked on
    devices = mdev.vfio_args(args.uuid, join(props, first_props), driver)
    try:
        if args.migrate_to:
            mig = Migration(args, tap, machine, props)
        if args.second:
            # ids, so a screendump can name its display; the order on
            # the command line is the order on L2's PCI bus
            devices = mdev.vfio_args(args.uuid, join('id=mdpy0', first_props),
                                     driver)
            for n, typ in enumerate(args.second, 1):
                more.append(mdev.create(typ))
                devices += mdev.vfio_args(more[-1], 'id=mdpy%d' % n)
        q = Qemu(machine + devices, binary=args.qemu,
                 datadirs=datadirs(args),
                 serial=True, timeout=QMP_TIMEOUT, serial_log=serial_log,
                 log=os.path.join(args.dumpdir, 'l2-qemu.log'))
        if args.boot_display:
            firmware(q, args, tap, 'boot', 'before L2\'s guest driver runs')
        while not done:
            if q.elapsed() > args.timeout:
                tap.ok(False, 'L2 finished within %ds' % args.timeout,
                       tail(serial_log))
                break
            try:
                line = q.serial_line(5)
            except QemuError:
                tap.ok(False, 'L2 serial line stayed open', tail(serial_log))
                break
            if line is None:
                if q.exited():
                    tap.ok(False, 'L2 finished before QEMU exited (status %s)'
                           % q.proc.returncode, tail(serial_log))
                    break
                continue
            if l2_line(tap, q, line):
                results = True
                continue
            m = re.match(r'^console fbhash (\d+)x(\d+) ([0-9a-f]+) lit (\d+)'
                         r'(?: screen (\d+))?', line)
            if m:
                shots += 1
                name, device = 'console%d' % shots, None
                if more:
                    device = 'mdpy%s' % (m.group(5) or '0')
                    name += '-' + device
                check(q, args, tap, name, m.group(3),
                      size=(int(m.group(1)), int(m.group(2))), device=device)
                seen.add(device)
                if mig and not mig.target:
                    dst = mig.run(q, 'console%d' % shots, m.group(3))
                    if not dst:
                        break       # q, the source, is closed below
                    # from here on L2 is the target's
                    q = dst
                    serial_log = mig.serial_log
                q.serial_send('next\n')
                continue
            m = re.match(r'^(pattern|partial|blank) drawn (\d+)x(\d+)'
                         r'(?: screen (\d+))?', line)
            if m:
                shots += 1
                what = {'pattern': 'full', 'blank': 'black'}.get(
                    m.group(1), m.group(1))
                size = (int(m.group(2)), int(m.group(3)))
                name = '%s%d-%dx%d' % (what, shots, size[0], size[1])
                device = None
                if more:
                    device = 'mdpy%s' % (m.group(4) or '0')
                    name += '-' + device
                check(q, args, tap, name, what, size=size, device=device)
                seen.add(device)
                q.serial_send('next\n')
                continue
            if line.startswith('L2: done'):
                tap.ok(True, 'L2 ran to the end in %.0fs' % q.elapsed())
                done = True
                if args.boot_display:
                    # L2's reboot resets the machine rather than end QEMU
                    q.cmd('set-action', reboot='reset')
                    q.serial_send('next\n')
                    firmware(q, args, tap, 'reboot', 'after L2 rebooted',
                             reset=True)
                if more:
                    # a display L2 never drew on would pass unnoticed
                    want = {'mdpy%d' % n for n in range(len(more) + 1)}
                    tap.ok(want <= seen, 'L2 showed pictures on all %d '
                           'displays' % len(want), 'checked on: %s' %
                           ', '.join(sorted(seen)))
    except Exception as e:  # any harness failure is a test failure
        tap.ok(False, 'L2 harness: %r' % e, tail(serial_log))
    finally:
        if q:
            # L2 powers off when done (-no-reboot): give QEMU time to
            # exit; a boot display's L2 rebooted and stays in SeaBIOS
            q.close(grace=30 if done and not args.boot_display else 1)
        if mig:
            mig.close()
        for u in more:
            if mdev.exists(u):
                mdev.remove(u)
    return (not done and not results and
            re.search(r'Oops|Kernel panic|double fault', tail(serial_log, 400))
            is not None)


# How long SeaBIOS shows its boot menu prompt (ms), and how long the
# firmware's screen may take to come (s): SeaBIOS under TCG in TCG.
SPLASH_MS = 5000
FIRMWARE_TIMEOUT = 120
OVMF = '/usr/share/OVMF/OVMF_CODE_4M.fd'


def join(*props):
    return ','.join(p for p in props if p)


def firmware(q, args, tap, name, when, reset=False):
    """Screendumps of the boot display, a few a second, until one shows
    the firmware's text (image.firmware_text); one test, and the first
    such dump kept as NAME.png.  With reset, from L2's reset on: before
    it, the screen is still L2's, and its text console would pass."""
    ppm = os.path.join(args.dumpdir, 'firmware-%s.ppm' % name)
    if reset:
        try:
            q.wait_event('RESET', timeout=60)
        except (QemuError, OSError) as e:
            tap.ok(False, 'boot display %s: QEMU reports the reset' % when, e)
            return
    dumps, why, got = image.poll_firmware_text(
        lambda: q.screendump(ppm, png=False), FIRMWARE_TIMEOUT, 0.3)
    # seen: kept as PNG; not seen: the last dump stays as PPM
    if why is None:
        image.write_png(ppm[:-4] + '.png', *got)
        os.unlink(ppm)
    tap.ok(why is None, 'boot display %s: QEMU shows the firmware\'s text '
           'on the ramfb (%dx%d), not the mdpy plane' % (when, got[0], got[1]),
           '%d screendumps in %.0fs, the last: %s' % (
               dumps, FIRMWARE_TIMEOUT, why))


def datadirs(args):
    return [d for d in (args.datadir or '').split(':') if d]


def l2_line(tap, q, line):
    """Echo a line of L2's; a result line of L2's becomes a TAP test.
    Whether it was one."""
    # L2's own kernel messages stay in the serial log (L2 judges them
    # itself): echoed here they would reach L1's console and be read as L1
    # kernel reports
    if not re.match(r'^\[ *\d+\.\d+\]', line):
        print('L2 %6.1fs| %s' % (q.elapsed(), line), file=sys.stderr, flush=True)
    m = re.match(r'^(ok|not ok) - (.*)$', line)
    if m:
        tap.ok(m.group(1) == 'ok', 'L2: ' + m.group(2))
    return m is not None


MIGRATE_TIMEOUT = 300


class Migration:
    """L2 moves from the QEMU it booted in to a second QEMU on a new
    instance, while it runs.  Meanwhile L2 counts on its serial line
    ("L2: tick N", once a second, l2-init.sh): the count must start at 1 and
    go on from the source's line to the target's without a gap or a repeat."""

    def __init__(self, args, tap, machine, props):
        self.args, self.tap, self.machine, self.props = args, tap, machine, props
        self.target = None
        self.uuid = mdev.create(args.migrate_to)
        self.serial_log = os.path.join(args.dumpdir, 'l2-serial-target.log')
        self.ticks = []             # (which QEMU, number)

    def close(self):
        if self.target:
            self.target.close(1)
        if mdev.exists(self.uuid):
            mdev.remove(self.uuid)

    def read(self, q, where, timeout):
        """One line from q's serial line: a tick is counted, anything else
        handled as usual.  Whether a line came."""
        line = q.serial_line(timeout)
        if line is None:
            return False
        m = re.match(r'^L2: tick (\d+)$', line)
        if m:
            self.ticks.append((where, int(m.group(1))))
        else:
            l2_line(self.tap, q, line)
        return True

    def ticks_at(self, where):
        return [n for w, n in self.ticks if w == where]

    def wait_tick(self, q, where, n, timeout=120):
        """Until n ticks came from q."""
        deadline = time.time() + timeout
        while len(self.ticks_at(where)) < n and time.time() < deadline:
            self.read(q, where, 2)
        return len(self.ticks_at(where)) >= n

    def run(self, src, name, fbhash):
        """Migrate L2 from src, whose display shows the console with that
        fbhash; the target (its console checked) or None on failure."""
        tap, tag = self.tap, 'migrate'
        if not tap.ok(self.wait_tick(src, 'source', 2), '%s: L2 counts on '
                      'the source while it waits' % tag, self.ticks):
            return None
        try:
            dst = Qemu(self.machine + mdev.vfio_args(self.uuid, self.props) +
                       ['-incoming', 'defer'], binary=self.args.qemu,
                       datadirs=datadirs(self.args), serial=True,
                       timeout=QMP_TIMEOUT, serial_log=self.serial_log,
                       log=os.path.join(self.args.dumpdir, 'l2-qemu-target.log'))
        except QemuError as e:
            tap.ok(False, '%s: target QEMU starts on an mdpy-%s instance with '
                   '-incoming defer' % (tag, self.args.migrate_to), e)
            return None
        self.target = dst
        tap.ok(True, '%s: target QEMU starts on an mdpy-%s instance with '
               '-incoming defer' % (tag, self.args.migrate_to))
        # the return path carries a failed load back to the source
        for q in (src, dst):
            q.cmd('migrate-set-capabilities', capabilities=[
                {'capability': 'return-path', 'state': True}])
        sock = os.path.join(dst.dir, 'migrate.sock')
        dst.cmd('migrate-incoming', uri='unix:' + sock)
        st = src.cmd('query-status')['status']
        tap.ok(st == 'running', '%s: L2 runs when the migration starts' % tag,
               'source status %s' % st)
        t0 = time.time()
        src.cmd('migrate', uri='unix:' + sock)
        # L2 goes on counting on the source while its RAM is copied
        before = len(self.ticks_at('source'))
        deadline = t0 + MIGRATE_TIMEOUT
        while True:
            info = src.cmd('query-migrate')
            sst = info.get('status')
            if sst in ('completed', 'failed', 'cancelled') or time.time() > deadline:
                break
            self.read(src, 'source', 0.2)
        took = time.time() - t0
        log('%s: %s in %.1f s, %d ticks on the source meanwhile, RAM %s' % (
            tag, sst, took, len(self.ticks_at('source')) - before,
            {k: info.get('ram', {}).get(k) for k in
             ('transferred', 'duplicate', 'normal', 'dirty-sync-count')}))
        tap.ok(sst == 'completed', '%s: source query-migrate completed '
               '(live, %.1f s)' % (tag, took), '%s: %s\nsource QEMU: %s' % (
                   sst, info.get('error-desc', ''), src.stderr()))
        dst_st, diag = settle(dst, deadline)
        tap.ok(dst_st == 'completed', '%s: target query-migrate completed'
               % tag, '%s\ntarget QEMU: %s' % (diag, dst.stderr()))
        if sst != 'completed':
            # the return path told the source: it must have kept L2
            st = src.cmd('query-status')['status']
            tap.ok(st == 'running', '%s: L2 still runs on the source after '
                   'the failed migration' % tag, 'source status %s' % st)
        if sst != 'completed' or dst_st != 'completed':
            return None
        st = dst.cmd('query-status')['status']
        tap.ok(st == 'running', '%s: L2 runs on the target' % tag,
               'target status %s' % st)

        # What the source's serial line still holds, a part line included,
        # was sent before the switch: the target's line continues it.
        while self.read(src, 'source', 0.5):
            pass
        dst.ser.buf = src.ser.buf + dst.ser.buf
        st = src.cmd('query-status')['status']
        tap.ok(st == 'postmigrate', '%s: source QEMU is in postmigrate' % tag,
               'source status %s' % st)
        try:
            src.cmd('quit')
        except (QemuError, OSError):
            pass                # QEMU may close QMP before it answers
        try:
            src.proc.wait(30)
        except subprocess.TimeoutExpired:
            pass
        tap.ok(src.exited(), '%s: source QEMU quits' % tag, src.stderr())
        src.close()

        check(dst, self.args, self.tap, 'target-' + name, fbhash)
        got = self.wait_tick(dst, 'target', 1)
        n = [t for _, t in self.ticks]
        where = [w for w, _ in self.ticks]
        ns = len(self.ticks_at('source'))
        tap.ok(got and n == list(range(1, len(n) + 1)) and
               where == ['source'] * ns + ['target'] * (len(n) - ns),
               '%s: the serial line goes on on the target: ticks 1-%d on the '
               'source, %d on the target, none lost or repeated' % (
                   tag, ns, ns + 1), self.ticks)
        return dst


def settle(q, deadline):
    """Poll query-migrate until the migration ends: (status, diagnostic);
    status 'exited' if QEMU went away."""
    while True:
        try:
            info = q.cmd('query-migrate')
        except (QemuError, OSError) as e:
            try:
                q.proc.wait(30)
            except subprocess.TimeoutExpired:
                pass
            return 'exited', 'QEMU exited (%s)' % e
        st = info.get('status', 'none')
        if st in ('completed', 'failed', 'cancelled') or time.time() > deadline:
            return st, '%s %s' % (st, info.get('error-desc', ''))
        time.sleep(0.2)


def ppm_size(path):
    """(width, height) from a P6 PPM's header."""
    with open(path, 'rb') as f:
        head = f.read(64).split()
    return int(head[1]), int(head[2])


def check(q, args, tap, name, what, tries=4, size=None, device=None):
    """Screendump now (of display device, default the first); the checker
    prints ok/not ok lines.  With size, the screen must be that big.

    A picture drawn through an fbdev mmap reaches the BAR from a worker in
    L2 some time after the program says it is drawn, so a mismatch is
    looked at again a few times, a second apart, before it counts.
    """
    ppm = os.path.join(args.dumpdir, name + '.ppm')
    for attempt in range(tries):
        if attempt:
            time.sleep(1)
        q.screendump(ppm, png=False, device=device)
        got = ppm_size(ppm)
        r = subprocess.run([args.checker, 'check', what, ppm], stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True)
        if r.returncode == 0 and (size is None or got == size):
            break
    if size is not None:
        tap.ok(got == size, '%s: the screen is %dx%d' % (name, size[0], size[1]),
               'screendump is %dx%d' % got)
    # a PNG as well, to keep and look at (QEMU >= 7.1)
    if q.version() >= (7, 1, 0):
        q.screendump(os.path.join(args.dumpdir, name + '.png'), device=device)
    found = False
    for line in r.stdout.splitlines():
        m = re.match(r'^(ok|not ok) - (.*)$', line)
        if m:
            found = True
            tap.ok(m.group(1) == 'ok', '%s: %s' % (name, m.group(2)))
    if not found:
        tap.ok(False, '%s: checker ran' % name, r.stdout)
    if r.returncode == 0 and (size is None or got == size):
        os.unlink(ppm)              # the PNG stays; failures keep both


def tail(path, n=25):
    try:
        with open(path) as f:
            return ''.join(f.readlines()[-n:])
    except OSError:
        return ''


if __name__ == '__main__':
    sys.exit(main())
