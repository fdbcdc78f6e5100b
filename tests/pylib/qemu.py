# SPDX-License-Identifier: GPL-2.0
"""One nested QEMU under a test's control.

Every test that starts a QEMU inside the test VM goes through Qemu:

- QMP, always: commands, events, screendumps.
- qtest, for a machine that never runs guest code: it is started stopped
  (-S) and the test plays the guest's CPU, with PCI configuration cycles
  on ports 0xcf8/0xcfc and reads and writes of guest physical memory
  (tests/e2e/nested.py).  Debian's QEMU has no qtest accelerator, hence
  TCG plus -S.
- a serial line, for a real guest that reports through its console and
  waits for the test between steps (tests/guest/l2.py).

Standard library only, plus what the caller decodes dumps with.
"""

import base64
import json
import os
import shutil
import socket
import subprocess
import tempfile
import time

CHUNK = 256 * 1024               # bytes per qtest memory access


class QemuError(Exception):
    pass


class _Lines:
    """Lines from a socket QEMU writes to (QMP, qtest, serial)."""

    def __init__(self, sock, name, qemu):
        self.sock, self.name, self.qemu = sock, name, qemu
        self.buf = b''

    def read(self):
        while b'\n' not in self.buf:
            d = self.sock.recv(65536)
            if not d:
                raise QemuError('%s closed: %s' % (self.name, self.qemu.stderr()))
            self.buf += d
        line, self.buf = self.buf.split(b'\n', 1)
        return line


class Qemu:
    """A QEMU process: args are the machine's own (devices, memory, kernel);
    the control sockets, -L data dirs and a headless display are added."""

    def __init__(self, args, binary='qemu-system-x86_64', datadirs=(),
                 qtest=False, serial=False, log=None, serial_log=None,
                 timeout=300):
        self.timeout = timeout
        self.dir = tempfile.mkdtemp(prefix='mdpy-qemu-')
        self.log_path = log or os.path.join(self.dir, 'qemu.log')
        self.qt = self.qmp = self.ser = None
        self.events = []
        self.t0 = time.time()
        self.serial_log = open(serial_log, 'w') if serial_log else None
        qmp_path = os.path.join(self.dir, 'qmp.sock')
        cmd = [binary, '-machine', 'pc', '-accel', 'tcg', '-nodefaults',
               '-display', 'none',
               '-qmp', 'unix:%s,server=on,wait=off' % qmp_path]
        for d in datadirs:
            cmd += ['-L', d]
        lsock = None
        if qtest:
            # QEMU connects to the qtest socket as a client: listen first.
            qt_path = os.path.join(self.dir, 'qtest.sock')
            lsock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            lsock.bind(qt_path)
            lsock.listen(1)
            lsock.settimeout(timeout)
            # -S: without it SeaBIOS runs and moves the BARs under the test
            cmd += ['-S', '-qtest', 'unix:' + qt_path,
                    '-qtest-log', '/dev/null']    # the default is stderr
        if serial:
            ser_path = os.path.join(self.dir, 'serial.sock')
            cmd += ['-chardev',
                    'socket,id=ser,path=%s,server=on,wait=off' % ser_path,
                    '-serial', 'chardev:ser']
        cmd += list(args)
        self.cmdline = cmd
        self.logf = open(self.log_path, 'wb')
        self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL,
                                     stdout=self.logf, stderr=self.logf)
        try:
            if lsock:
                try:
                    s, _ = lsock.accept()
                except socket.timeout:
                    raise QemuError('QEMU did not connect to qtest: ' +
                                    self.stderr())
                s.settimeout(timeout)
                self.qt = _Lines(s, 'qtest', self)
            self.qmp = _Lines(self._connect(qmp_path), 'QMP', self)
            greeting = self._qmp_read()
            self.qemu_version = greeting['QMP']['version']['qemu']
            self.cmd('qmp_capabilities')
            if serial:
                self.ser = _Lines(self._connect(ser_path), 'serial line', self)
        except OSError as e:
            # QEMU that refuses its command line drops the sockets it
            # opened: what it printed says why, and close() deletes it.
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                pass
            err = QemuError('QEMU did not start (%s): %s' % (e, self.stderr()))
            self.close()
            raise err
        except BaseException:
            self.close()
            raise
        finally:
            if lsock:
                lsock.close()

    def _connect(self, path):
        """Connect to a socket QEMU serves, once it is there."""
        deadline = time.time() + self.timeout
        while True:
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            s.settimeout(self.timeout)
            try:
                s.connect(path)
                return s
            except OSError:
                s.close()
                if self.exited() or time.time() > deadline:
                    raise QemuError('no socket %s: %s' % (path, self.stderr()))
                time.sleep(0.1)

    def exited(self):
        return self.proc.poll() is not None

    def stderr(self):
        """What QEMU printed so far."""
        try:
            with open(self.log_path, 'rb') as f:
                return f.read().decode(errors='replace').strip()
        except OSError:
            return ''

    def close(self, grace=0):
        """Stop QEMU: a guest that powers off gets `grace` seconds to do it
        on its own."""
        for s in (self.qmp, self.qt, self.ser):
            if s:
                try:
                    s.sock.close()
                except OSError:
                    pass
        if grace:
            try:
                self.proc.wait(grace)
            except subprocess.TimeoutExpired:
                pass
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.logf.close()
        if self.serial_log:
            self.serial_log.close()
        shutil.rmtree(self.dir, ignore_errors=True)

    # -- QMP -----------------------------------------------------------------
    def _qmp_read(self):
        return json.loads(self.qmp.read())

    def cmd(self, name, **args):
        """One QMP command; its return value.  Events that arrive
        meanwhile are kept for wait_event()."""
        msg = {'execute': name}
        if args:
            msg['arguments'] = args
        self.qmp.sock.sendall(json.dumps(msg).encode() + b'\n')
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

    def screendump(self, path, png=None, device=None):
        """Dump the display to path: PNG when asked (default: when the
        name ends in .png) and QEMU >= 7.1 can, else PPM; device: the id
        of the display device (default: the first console).  Returns
        path."""
        if png is None:
            png = path.endswith('.png')
        args = {'filename': path}
        if device:
            args['device'] = device
        if png and self.version() >= (7, 1, 0):
            args['format'] = 'png'
        self.cmd('screendump', **args)
        return path

    # -- serial line (a real guest) --------------------------------------------
    def serial_line(self, timeout):
        """The guest's next line (without CR/LF), or None when none came
        within timeout seconds; QemuError once QEMU closed the line.
        Every line goes to serial_log with the seconds since the start."""
        self.ser.sock.settimeout(timeout)
        try:
            raw = self.ser.read()
        except socket.timeout:
            return None         # what came of a line waits in the buffer
        line = raw.decode('utf-8', 'replace').rstrip('\r')
        if self.serial_log:
            self.serial_log.write('%7.1f %s\n' % (self.elapsed(), line))
            self.serial_log.flush()
        return line

    def serial_send(self, text):
        self.ser.sock.sendall(text.encode())

    def elapsed(self):
        return time.time() - self.t0

    # -- qtest: the guest's CPU ----------------------------------------------
    def qtest(self, line):
        self.qt.sock.sendall(line.encode() + b'\n')
        while True:
            resp = self.qt.read().decode()
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
