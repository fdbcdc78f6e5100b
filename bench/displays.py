#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""mdpy against QEMU's own displays: one L2 boot on one display.

Runs in the test VM (L1), chrooted into the host root, for
bench/displays-suite.sh.  Boots the nested L2 guest (bench/displays-init.sh
as its /init) with one display: an mdpy instance through vfio-pci
display=on, QEMU's bochs-display, or virtio-gpu-pci (2D).  QEMU serves the
display over VNC on a unix socket, and a VNC client here (Vnc, below)
keeps asking for incremental updates, as a viewer that stays open does,
so QEMU's display refresh and VNC encoder run all the time.

In L2, `mdpy-drm-test fps` sets 1920x1080 and goes through three phases
(idle, full frames, a moving 64x64 square), each between "fps begin" and
"fps end" lines on the serial line.  At those lines this program samples
QEMU's CPU time from /proc (per thread: the vCPU thread emulates the
guest, the rest is the display refresh, VNC and I/O) and what the VNC
client received.  One JSON object per phase is appended to --json.

  displays.py --display mdpy|bochs|virtio [--uuid UUID] --kernel VMLINUX
              --initrd CPIO --json OUT --logdir DIR [--secs S]
  displays.py table JSON       the table of README.md, on stdout
"""

import argparse
import json
import os
import re
import shutil
import sys
import tempfile
import time

# tests/pylib in the tree, /payload/pylib in the test VM
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [os.path.join(HERE, '..', 'tests', 'pylib'),
                os.path.join(HERE, '..', 'pylib')]
import mdev  # noqa: E402
from qemu import Qemu  # noqa: E402
from vnc import Vnc  # noqa: E402

DEVICES = {
    'mdpy': None,                   # vfio-pci on --uuid
    'bochs': ['-device', 'bochs-display'],
    'virtio': ['-device', 'virtio-gpu-pci'],
}
TICK = os.sysconf('SC_CLK_TCK')


def cpu(pid):
    """(total, vcpu) CPU seconds of process PID: all its threads, and the
    ones QEMU names "CPU N/TCG" (-name debug-threads=on)."""
    def times(path):
        with open(path) as f:
            s = f.read()
        comm = s[s.index('(') + 1:s.rindex(')')]
        fields = s[s.rindex(')') + 2:].split()
        # utime and stime, fields 14 and 15 of stat(5)
        return comm, (int(fields[11]) + int(fields[12])) / TICK
    total = times('/proc/%d/stat' % pid)[1]
    vcpu = 0.0
    for tid in os.listdir('/proc/%d/task' % pid):
        try:
            comm, t = times('/proc/%d/task/%s/stat' % (pid, tid))
        except OSError:
            continue                # the thread ended meanwhile
        if comm.startswith('CPU '):
            vcpu += t
    return total, vcpu


NAMES = {
    'mdpy': 'mdpy (vfio, region)',
    'bochs': 'bochs-display',
    'virtio': 'virtio-gpu-pci (2D)',
}


def table(path):
    """The JSON lines of one run as a table, a row per L2 boot in the
    order they ran (a display booted twice has two)."""
    got = {}
    with open(path) as f:
        for line in f:
            r = json.loads(line)
            got.setdefault(r.get('boot', r['display']), {})[r['phase']] = r
    print('1920x1080, one L2 boot each, a VNC client asking all the time')
    print('%-27s %7s %7s   %s' % ('', 'fps', 'fps', 'QEMU CPU s/s: all '
                                   '(display + VNC threads)'))
    print('%-27s %7s %7s   %-13s %-13s %s' % (
        'display', 'full', '64x64', 'idle', 'full', '64x64'))
    shown = set()
    for p in got.values():
        display = next(iter(p.values()))['display']
        name = NAMES.get(display, display)
        if display in shown:
            name += ', again'
        shown.add(display)

        def fps(ph):
            return '%.2f' % p[ph]['fps'] if ph in p else '-'

        def c(ph):
            if ph not in p:
                return '-'
            return '%.2f (%.2f)' % (p[ph]['cpu'], p[ph]['cpu_other'])
        print('%-27s %7s %7s   %-13s %-13s %s' % (
            name, fps('full'), fps('rect'), c('idle'), c('full'),
            c('rect')))
    print('VNC updates/s (MB/s), idle / full / 64x64:')
    for boot, p in got.items():
        print('  %-19s %s' % (boot, ' / '.join(
            '%.1f (%.1f)' % (p[ph]['vnc_updates_s'], p[ph]['vnc_mb_s'])
            for ph in ('idle', 'full', 'rect') if ph in p)))


def main():
    if sys.argv[1:2] == ['table'] and len(sys.argv) == 3:
        table(sys.argv[2])
        return 0
    ap = argparse.ArgumentParser()
    ap.add_argument('--display', required=True, choices=sorted(DEVICES))
    ap.add_argument('--boot', help='names this boot in --json (default: '
                    'the display)')
    ap.add_argument('--uuid', help='the mdpy instance (--display mdpy)')
    ap.add_argument('--kernel', required=True)
    ap.add_argument('--initrd', required=True)
    ap.add_argument('--json', required=True)
    ap.add_argument('--logdir', required=True)
    ap.add_argument('--qemu', default='qemu-system-x86_64')
    ap.add_argument('--secs', type=float, default=20)
    ap.add_argument('--settle', type=float, default=5,
                    help='seconds between phases, before L2 goes on')
    ap.add_argument('--timeout', type=float, default=780)
    args = ap.parse_args()
    if args.display == 'mdpy' and not args.uuid:
        ap.error('--display mdpy needs --uuid')
    os.makedirs(args.logdir, exist_ok=True)
    dev = (mdev.vfio_args(args.uuid) if args.display == 'mdpy'
           else DEVICES[args.display])
    # a tmpfs: the results dir of the test VM is 9p, no place for a socket
    sockdir = tempfile.mkdtemp(prefix='mdpy-vnc-')
    vnc_path = os.path.join(sockdir, 'vnc.sock')
    append = ('console=ttyS0 rdinit=/init quiet loglevel=3 panic=-1 '
              'mitigations=off cryptomgr.notests consoleblank=0 fbcon=map:9 '
              'mdpy_fps=%g' % args.secs)
    machine = ['-cpu', 'max', '-smp', '1', '-m', '256M', '-vga', 'none',
               '-no-reboot', '-name', 'l2,debug-threads=on',
               '-vnc', 'unix:' + vnc_path,
               '-kernel', args.kernel, '-initrd', args.initrd,
               '-append', append] + dev
    q = Qemu(machine, binary=args.qemu, serial=True, timeout=120,
             serial_log=os.path.join(args.logdir, 'l2-serial.log'),
             log=os.path.join(args.logdir, 'l2-qemu.log'))
    rc = 1
    try:
        vnc = Vnc(vnc_path)
        vnc.start()
        rc = follow(q, vnc, args)
    finally:
        q.close(grace=30 if rc == 0 else 1)
        shutil.rmtree(sockdir, ignore_errors=True)
    return rc


def follow(q, vnc, args):
    """L2's serial line until it is done: the phases' samples."""
    begin = None
    phases = 0
    while q.elapsed() < args.timeout:
        line = q.serial_line(5)
        if line is None:
            if q.exited():
                print('L2 QEMU exited early', file=sys.stderr)
                return 1
            continue
        if not re.match(r'^\[ *\d+\.\d+\]', line):
            print('L2 %6.1fs| %s' % (q.elapsed(), line), file=sys.stderr,
                  flush=True)
        if line.startswith('fps ready'):
            time.sleep(args.settle)
            q.serial_send('next\n')
        m = re.match(r'^fps begin (\w+)', line)
        if m:
            begin = (m.group(1), time.time(), cpu(q.proc.pid), vnc.counters())
            continue
        m = re.match(r'^fps end (\w+) frames (\d+) secs ([\d.]+) fps ([\d.]+)',
                     line)
        if m and begin and begin[0] == m.group(1):
            t1, c1, v1 = time.time(), cpu(q.proc.pid), vnc.counters()
            _, t0, c0, v0 = begin
            wall = t1 - t0
            rec = {
                'display': args.display, 'boot': args.boot or args.display,
                'phase': m.group(1),
                'frames': int(m.group(2)), 'guest_secs': float(m.group(3)),
                'fps': float(m.group(4)), 'wall': round(wall, 2),
                'cpu': round((c1[0] - c0[0]) / wall, 3),
                'cpu_vcpu': round((c1[1] - c0[1]) / wall, 3),
                'cpu_other': round((c1[0] - c1[1] - c0[0] + c0[1]) / wall, 3),
                'vnc_updates_s': round((v1[0] - v0[0]) / wall, 2),
                'vnc_mb_s': round((v1[2] - v0[2]) / wall / 1e6, 2),
                'vnc_error': str(vnc.error) if vnc.error else None,
            }
            with open(args.json, 'a') as f:
                f.write(json.dumps(rec) + '\n')
            print('# %s' % json.dumps(rec), flush=True)
            phases += 1
            begin = None
            continue
        if line.startswith('not ok'):
            print('# L2: %s' % line, flush=True)
        if line.startswith('L2: done'):
            return 0 if phases == 3 and not vnc.error else 1
    print('L2 did not finish within %ds' % args.timeout, file=sys.stderr)
    return 1


if __name__ == '__main__':
    sys.exit(main())
