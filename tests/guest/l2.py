#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Boot a real nested (L2) guest on an mdpy display and check what it shows.

Runs in the test VM (L1), chrooted into the host root.  Starts QEMU with the
mdpy instance as the only display and tests/guest/l2-init.sh as the L2 init,
follows the L2 serial line, and at each picture marker takes a QMP
screendump and has mdpy-drm-test check it; then lets L2 go on.  Every result
line from L2 and every check becomes a TAP test.  Standard library only.

  l2.py --uuid UUID --kernel VMLINUX --initrd CPIO --checker BIN
        --tap OUT.tap --dumpdir DIR [--timeout S] [--append ARGS]
"""

import argparse
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time


class Tap:
    def __init__(self, path):
        self.path = path
        self.lines = []
        self.n = 0

    def add(self, ok, desc, diag=''):
        self.n += 1
        self.lines.append('%s %d - %s' % ('ok' if ok else 'not ok', self.n, desc))
        for d in diag.splitlines():
            self.lines.append('# ' + d)
        print(self.lines[-1 - len(diag.splitlines())], flush=True)

    def write(self):
        with open(self.path, 'w') as f:
            f.write('TAP version 13\n1..%d\n' % self.n)
            f.write('\n'.join(self.lines) + '\n')


class Qmp:
    def __init__(self, path, deadline):
        self.sock = connect(path, deadline)
        self.buf = b''
        self.read()                                  # greeting
        self.cmd('qmp_capabilities')

    def read(self):
        while b'\n' not in self.buf:
            data = self.sock.recv(65536)
            if not data:
                raise EOFError('QMP closed')
            self.buf += data
        line, self.buf = self.buf.split(b'\n', 1)
        return json.loads(line)

    def cmd(self, name, **args):
        self.sock.sendall(json.dumps({'execute': name, 'arguments': args}).encode() + b'\n')
        while True:
            msg = self.read()
            if 'return' in msg:
                return msg['return']
            if 'error' in msg:
                raise RuntimeError('%s: %s' % (name, msg['error']))


def connect(path, deadline):
    while True:
        try:
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            s.connect(path)
            return s
        except OSError:
            s.close()
            if time.time() > deadline:
                raise
            time.sleep(0.2)


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

    tap, early_crash = boot(args)
    if early_crash:
        # TCG emulating TCG occasionally faults the L2 kernel before any
        # driver of ours ran (seen: a #GP in do_sync_core's IRET during
        # boot).  That says nothing about mdpy, so boot once more; a second
        # crash fails the suite.
        first = os.path.join(args.dumpdir, 'l2-serial-try1.log')
        os.replace(os.path.join(args.dumpdir, 'l2-serial.log'), first)
        print('L2 kernel crashed before the guest driver loaded; one more boot',
              file=sys.stderr, flush=True)
        tap, _ = boot(args, note='retry after an early L2 crash (%s)' % first)
    tap.write()
    return 0 if all(not l.startswith('not ok') for l in tap.lines) else 1


def boot(args, note=None):
    """One L2 boot; returns its TAP and whether the L2 kernel died early."""
    tap = Tap(args.tap)
    tmp = tempfile.mkdtemp(prefix='l2-')
    qmp_path, ser_path = os.path.join(tmp, 'qmp'), os.path.join(tmp, 'serial')
    serial_log = os.path.join(args.dumpdir, 'l2-serial.log')
    append = ('console=ttyS0 rdinit=/init quiet loglevel=3 panic=-1 '
              'mitigations=off cryptomgr.notests consoleblank=0 ' + args.append).strip()
    cmd = [args.qemu, '-machine', 'pc', '-accel', 'tcg', '-cpu', 'max',
           '-smp', '1', '-m', '256M', '-nodefaults', '-vga', 'none',
           '-display', 'none', '-no-reboot',
           '-kernel', args.kernel, '-initrd', args.initrd, '-append', append,
           '-chardev', 'socket,id=ser,path=%s,server=on,wait=off' % ser_path,
           '-serial', 'chardev:ser',
           '-qmp', 'unix:%s,server=on,wait=off' % qmp_path,
           '-device', 'vfio-pci,sysfsdev=/sys/bus/mdev/devices/%s,display=on'
           % args.uuid]
    for d in (args.datadir or '').split(':'):
        if d:
            cmd += ['-L', d]
    t0 = time.time()
    deadline = t0 + args.timeout
    qlog = open(os.path.join(args.dumpdir, 'l2-qemu.log'), 'w')
    qemu = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=qlog,
                            stderr=subprocess.STDOUT)
    log = open(serial_log, 'w')
    done = False
    shots = 0
    try:
        qmp = Qmp(qmp_path, time.time() + 30)
        ser = connect(ser_path, time.time() + 30)
        ser.settimeout(5)
        buf = b''
        while not done:
            if time.time() > deadline:
                tap.add(False, 'L2 finished within %ds' % args.timeout,
                        tail(serial_log))
                break
            try:
                data = ser.recv(65536)
            except socket.timeout:
                if qemu.poll() is not None:
                    tap.add(False, 'L2 finished before QEMU exited (status %s)'
                            % qemu.returncode, tail(serial_log))
                    break
                continue
            if not data:
                tap.add(False, 'L2 serial line stayed open', tail(serial_log))
                break
            buf += data
            while b'\n' in buf:
                raw, buf = buf.split(b'\n', 1)
                line = raw.decode('utf-8', 'replace').rstrip('\r')
                log.write('%7.1f %s\n' % (time.time() - t0, line))
                log.flush()
                # L2's own kernel messages stay in l2-serial.log (L2 judges
                # them itself): echoed here they would reach L1's console and
                # be read as L1 kernel reports
                if not re.match(r'^\[ *\d+\.\d+\]', line):
                    print('L2 %6.1fs| %s' % (time.time() - t0, line),
                          file=sys.stderr, flush=True)
                m = re.match(r'^(ok|not ok) - (.*)$', line)
                if m:
                    tap.add(m.group(1) == 'ok', 'L2: ' + m.group(2))
                    continue
                m = re.match(r'^console fbhash (\d+)x(\d+) ([0-9a-f]+) lit (\d+)', line)
                if m:
                    shots += 1
                    check(qmp, args, tap, 'console%d' % shots, m.group(3))
                    ser.sendall(b'next\n')
                    continue
                m = re.match(r'^(pattern|partial|blank) drawn (\d+)x(\d+)', line)
                if m:
                    shots += 1
                    what = {'pattern': 'full', 'blank': 'black'}.get(
                        m.group(1), m.group(1))
                    check(qmp, args, tap, '%s%d' % (what, shots), what)
                    ser.sendall(b'next\n')
                    continue
                if line.startswith('L2: done'):
                    tap.add(True, 'L2 ran to the end in %.0fs' % (time.time() - t0))
                    done = True
    except Exception as e:  # any harness failure is a test failure
        tap.add(False, 'L2 harness: %r' % e, tail(serial_log))
    finally:
        try:
            qemu.wait(timeout=30 if done else 1)
        except subprocess.TimeoutExpired:
            qemu.kill()
            qemu.wait()
        log.close()
    if note:
        tap.add(True, 'L2 booted on the second try: ' + note)
    early = (not done and not any('L2:' in l for l in tap.lines) and
             re.search(r'Oops|Kernel panic|double fault', tail(serial_log, 400))
             is not None)
    return tap, early


def check(qmp, args, tap, name, what, tries=4):
    """Screendump now; the checker prints ok/not ok lines.

    A picture drawn through an fbdev mmap reaches the BAR from a worker in
    L2 some time after the program says it is drawn, so a mismatch is
    looked at again a few times, a second apart, before it counts.
    """
    ppm = os.path.join(args.dumpdir, name + '.ppm')
    for attempt in range(tries):
        if attempt:
            time.sleep(1)
        qmp.cmd('screendump', filename=ppm)
        r = subprocess.run([args.checker, 'check', what, ppm], stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True)
        if r.returncode == 0:
            break
    # a PNG as well, to keep and look at (QEMU >= 7.1)
    try:
        qmp.cmd('screendump', filename=os.path.join(args.dumpdir, name + '.png'),
                format='png')
    except RuntimeError:
        pass
    found = False
    for line in r.stdout.splitlines():
        m = re.match(r'^(ok|not ok) - (.*)$', line)
        if m:
            found = True
            tap.add(m.group(1) == 'ok', '%s: %s' % (name, m.group(2)))
    if not found:
        tap.add(False, '%s: checker ran' % name, r.stdout)
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
