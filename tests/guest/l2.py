#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Boot a real nested (L2) guest on an mdpy display and check what it shows.

Runs in the test VM (L1), chrooted into the host root.  Starts QEMU with the
mdpy instance as the only display and tests/guest/l2-init.sh as the L2 init,
follows the L2 serial line, and at each picture marker takes a QMP
screendump and has mdpy-drm-test check it; then lets L2 go on.  Every result
line from L2 and every check becomes a TAP test.  QEMU, its serial line and
the TAP writer are tests/pylib's.

  l2.py --uuid UUID --kernel VMLINUX --initrd CPIO --checker BIN
        --tap OUT.tap --dumpdir DIR [--timeout S] [--append ARGS]
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
import mdev  # noqa: E402
from qemu import Qemu, QemuError  # noqa: E402
from tap import Tap  # noqa: E402


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
    args = ap.parse_args()
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
    return tap.done()


def boot(args, tap):
    """One L2 boot; whether the L2 kernel died before any result."""
    serial_log = os.path.join(args.dumpdir, 'l2-serial.log')
    append = ('console=ttyS0 rdinit=/init quiet loglevel=3 panic=-1 '
              'mitigations=off cryptomgr.notests consoleblank=0 ' + args.append).strip()
    machine = ['-cpu', 'max', '-smp', '1', '-m', '256M', '-vga', 'none',
               '-no-reboot', '-kernel', args.kernel, '-initrd', args.initrd,
               '-append', append] + mdev.vfio_args(args.uuid)
    done = results = False
    shots = 0
    q = None
    try:
        q = Qemu(machine, binary=args.qemu,
                 datadirs=[d for d in (args.datadir or '').split(':') if d],
                 serial=True, timeout=30, serial_log=serial_log,
                 log=os.path.join(args.dumpdir, 'l2-qemu.log'))
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
            # L2's own kernel messages stay in l2-serial.log (L2 judges
            # them itself): echoed here they would reach L1's console and
            # be read as L1 kernel reports
            if not re.match(r'^\[ *\d+\.\d+\]', line):
                print('L2 %6.1fs| %s' % (q.elapsed(), line),
                      file=sys.stderr, flush=True)
            m = re.match(r'^(ok|not ok) - (.*)$', line)
            if m:
                results = True
                tap.ok(m.group(1) == 'ok', 'L2: ' + m.group(2))
                continue
            m = re.match(r'^console fbhash (\d+)x(\d+) ([0-9a-f]+) lit (\d+)', line)
            if m:
                shots += 1
                check(q, args, tap, 'console%d' % shots, m.group(3))
                q.serial_send('next\n')
                continue
            m = re.match(r'^(pattern|partial|blank) drawn (\d+)x(\d+)', line)
            if m:
                shots += 1
                what = {'pattern': 'full', 'blank': 'black'}.get(
                    m.group(1), m.group(1))
                check(q, args, tap, '%s%d' % (what, shots), what)
                q.serial_send('next\n')
                continue
            if line.startswith('L2: done'):
                tap.ok(True, 'L2 ran to the end in %.0fs' % q.elapsed())
                done = True
    except Exception as e:  # any harness failure is a test failure
        tap.ok(False, 'L2 harness: %r' % e, tail(serial_log))
    finally:
        if q:
            # L2 powers off when done (-no-reboot): give QEMU time to exit
            q.close(grace=30 if done else 1)
    return (not done and not results and
            re.search(r'Oops|Kernel panic|double fault', tail(serial_log, 400))
            is not None)


def check(q, args, tap, name, what, tries=4):
    """Screendump now; the checker prints ok/not ok lines.

    A picture drawn through an fbdev mmap reaches the BAR from a worker in
    L2 some time after the program says it is drawn, so a mismatch is
    looked at again a few times, a second apart, before it counts.
    """
    ppm = os.path.join(args.dumpdir, name + '.ppm')
    for attempt in range(tries):
        if attempt:
            time.sleep(1)
        q.screendump(ppm, png=False)
        r = subprocess.run([args.checker, 'check', what, ppm], stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True)
        if r.returncode == 0:
            break
    # a PNG as well, to keep and look at (QEMU >= 7.1)
    if q.version() >= (7, 1, 0):
        q.screendump(os.path.join(args.dumpdir, name + '.png'))
    found = False
    for line in r.stdout.splitlines():
        m = re.match(r'^(ok|not ok) - (.*)$', line)
        if m:
            found = True
            tap.ok(m.group(1) == 'ok', '%s: %s' % (name, m.group(2)))
    if not found:
        tap.ok(False, '%s: checker ran' % name, r.stdout)
    if r.returncode == 0:
        os.unlink(ppm)              # the PNG stays; failures keep both


def tail(path, n=25):
    try:
        with open(path) as f:
            return ''.join(f.readlines()[-n:])
    except OSError:
        return ''


if __name__ == '__main__':
    sys.exit(main())
