#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""libvirt drives an mdpy display, only through virsh.

Runs in the test VM (L1), chrooted into the host root, where Debian's
libvirt is installed (scripts/deps.sh).  Starts virtlogd and libvirtd as
plain daemons on a writable config and state (no systemd, no udevd), then:

  - the instance the suite created through sysfs is a libvirt node device
    (nodedev-list --cap mdev, nodedev-dumpxml shows its type); nodedev-create
    and nodedev-define of an mdpy type are tried and their answer recorded;
  - a domain made from tests/libvirt/domain.xml (the file README shows)
    first shows QEMU's placeholder (no plane before a guest uses the
    display); then (unless --no-guest)
    a real L2 guest boots and its driver draws the test card, a blank and
    a partial update; at each picture `virsh screenshot` must equal it
    pixel for pixel;
  - virsh save (and managedsave): with --save refused, libvirt must refuse
    with QEMU's migration blocker and the domain go on; with --save works
    the domain is saved and restored and keeps its picture, and the guest
    draws its next pictures after the restore;
  - bad use: a second domain on the same instance and a domain on an
    instance that is gone must both fail to start with libvirt's error,
    the first domain unharmed;
  - virsh destroy, undefine: the instance is free again.

  virsh_test.py --uuid UUID --type TYPE --xml DOMAIN.xml --kernel VMLINUX
      --initrd CPIO --checker BIN --tap OUT.tap --dumpdir DIR
      [--emulator QEMU] [--save refused|works] [--timeout S] [--no-guest]
      [--chroot CMD] [--save-format FMT]

--chroot CMD runs the daemons and virsh through CMD (tests/libvirt/
lvchroot.sh: trixie's libvirt and QEMU on 7.3); this program stays in the
host root, which shares /tmp, /run and /var with that chroot.
"""

import argparse
import os
import re
import socket
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                '..', 'pylib'))
import image  # noqa: E402
import mdev  # noqa: E402
from tap import Tap, log  # noqa: E402

image.need_pil()

QEMU_CONF = '''\
user = "root"
group = "root"
dynamic_ownership = 0
remember_owner = 0
security_driver = "none"
cgroup_controllers = [ ]
namespaces = [ ]
'''
LIBVIRTD_CONF = '''\
auth_unix_ro = "none"
auth_unix_rw = "none"
'''
URI = 'qemu:///system'
# README's boot display: ramfb on the hostdev, and SeaBIOS's boot menu
# prompt, so its text stays a few seconds (as a person picking a boot
# entry sees it)
BOOT_DISPLAY = (("model='vfio-pci' display='on'>",
                 "model='vfio-pci' display='on' ramfb='on'>"),
                ("</os>", "  <bootmenu enable='yes' timeout='5000'/>\n  </os>"))
DOM = 'mdpy-l2'
QEMU_NS = 'http://libvirt.org/schemas/domain/qemu/1.0'
# what virtlogd, libvirtd and virsh run through (--chroot)
PREFIX = []


def sh(*cmd, timeout=120):
    """Run a command; (status, stdout+stderr)."""
    try:
        r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return 124, '%s: timed out after %ds' % (cmd[0], timeout)
    return r.returncode, r.stdout.strip()


def virsh(*args, timeout=300):
    rc, out = sh(*PREFIX, 'virsh', '-c', URI, *args, timeout=timeout)
    log('virsh %s -> %d %s' % (' '.join(args), rc, out[:400]))
    return rc, out


class Daemons:
    """virtlogd and libvirtd on tmpfs state, as the test VM's host root is
    read-only: /etc/libvirt gets a config of our own, /var a tmpfs with the
    dirs libvirt keeps its state, logs and caches in."""

    def __init__(self, logdir, emulator=None, save_format=None):
        self.emulator = emulator
        self.save_format = save_format
        self.mounts = []
        self.procs = []
        self.logdir = logdir

    def mount_tmpfs(self, path):
        rc, out = sh('mount', '-t', 'tmpfs', 'tmpfs', path)
        if rc:
            raise RuntimeError('mount tmpfs on %s: %s' % (path, out))
        self.mounts.append(path)

    def bind(self, src, path):
        rc, out = sh('mount', '--bind', src, path)
        if rc:
            raise RuntimeError('bind %s on %s: %s' % (src, path, out))
        self.mounts.append(path)

    def start(self):
        # libvirtd looks up its built-in QEMU user (libvirt-qemu, group
        # kvm) before it reads qemu.conf, which makes it root: without
        # the user Debian's libvirt-daemon-system would add, the QEMU
        # driver does not start.
        for name, line in (('passwd', 'libvirt-qemu:x:64055:64055::'
                            '/var/lib/libvirt:/usr/sbin/nologin'),
                           ('group', 'kvm:x:64055:'),
                           ('group', 'libvirt-qemu:x:64056:')):
            with open('/etc/' + name) as f:
                text = f.read()
            if line.split(':')[0] + ':' in text:
                continue
            copy = '/run/mdpy-libvirt.' + name
            if not os.path.exists(copy):
                with open(copy, 'w') as f:
                    f.write(text)
            with open(copy, 'a') as f:
                f.write(line + '\n')
        for name in ('passwd', 'group'):
            if os.path.exists('/run/mdpy-libvirt.' + name):
                self.bind('/run/mdpy-libvirt.' + name, '/etc/' + name)
        self.mount_tmpfs('/etc/libvirt')
        # QEMU 10.0 unpacked beside bookworm's 7.2 still looks for its
        # loadable modules in the system's module dir, finds 7.2's and
        # aborts ("Only modules from the same build can be loaded") as
        # soon as libvirt's probe lists the QOM types: hide them (the
        # domain needs none of them).
        if self.emulator:
            self.mount_tmpfs('/usr/lib/x86_64-linux-gnu/qemu')
        conf = QEMU_CONF
        if self.save_format:
            conf += 'save_image_format = "%s"\n' % self.save_format
        for name, text in (('qemu.conf', conf),
                           ('libvirtd.conf', LIBVIRTD_CONF)):
            with open('/etc/libvirt/' + name, 'w') as f:
                f.write(text)
        self.mount_tmpfs('/var')
        for d in ('lib/libvirt', 'log/libvirt', 'cache/libvirt', 'tmp'):
            os.makedirs('/var/' + d)
        os.symlink('/run', '/var/run')
        os.symlink('/run/lock', '/var/lock')
        os.makedirs('/run/lock', exist_ok=True)
        for cmd in (['virtlogd'], ['libvirtd']):
            with open(os.path.join(self.logdir, cmd[0] + '.log'), 'w') as out:
                self.procs.append(subprocess.Popen(
                    PREFIX + cmd, stdout=out, stderr=subprocess.STDOUT,
                    env=dict(os.environ, LIBVIRT_LOG_OUTPUTS=os.environ.get('LVLOG', '3:stderr'), LIBVIRT_LOG_FILTERS=os.environ.get('LVFILT', ''))))
            sock = {'virtlogd': '/run/libvirt/virtlogd-sock',
                    'libvirtd': '/run/libvirt/libvirt-sock'}[cmd[0]]
            deadline = time.time() + 60
            while not os.path.exists(sock):
                if time.time() > deadline or self.procs[-1].poll() is not None:
                    raise RuntimeError('%s did not come up' % cmd[0])
                time.sleep(0.2)

    def stop(self):
        for p in reversed(self.procs):
            p.terminate()
            try:
                p.wait(30)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
        for m in reversed(self.mounts):
            sh('umount', '-l', m)


def domain_xml(args, name, uuid, serial, emulator=None, migratable=False,
               boot_display=False):
    """tests/libvirt/domain.xml with its @PLACEHOLDERS@ filled in; for a
    QEMU that can migrate the device, its <emulator> and the device
    properties migration needs (README's migration section); for a boot
    display, the two changes README's boot display section names."""
    with open(args.xml) as f:
        x = f.read()
    if boot_display:
        for old, new in BOOT_DISPLAY:
            if old not in x:
                raise RuntimeError('%s has no %s' % (args.xml, old))
            x = x.replace(old, new)
    for k, v in (('@KERNEL@', args.kernel), ('@INITRD@', args.initrd),
                 ('@UUID@', uuid), ('@SERIAL@', serial)):
        x = x.replace(k, v)
    x = x.replace('<name>mdpy-l2</name>', '<name>%s</name>' % name)
    if emulator:
        x = x.replace('<devices>', '<devices>\n    <emulator>%s</emulator>'
                      % emulator)
    if migratable:
        x = x.replace("<domain type='qemu'>",
                      "<domain type='qemu' xmlns:qemu='%s'>" % QEMU_NS)
        props = ''.join(
            "        <qemu:property name='%s' type='string' value='%s'/>\n"
            % kv for kv in (('enable-migration', 'on'),
                            ('x-device-dirty-page-tracking', 'off')))
        x = x.replace('</domain>', '''  <qemu:override>
    <qemu:device alias='hostdev0'>
      <qemu:frontend>
%s      </qemu:frontend>
    </qemu:device>
  </qemu:override>
</domain>''' % props)
    path = '/tmp/%s.xml' % name
    with open(path, 'w') as f:
        f.write(x)
    return path


class Serial:
    """L2's serial line: libvirt's QEMU listens on a unix socket."""

    def __init__(self, path, logpath, timeout=60):
        self.t0 = time.time()
        self.buf = b''
        self.log = open(logpath, 'a')
        deadline = time.time() + timeout
        while True:
            try:
                self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                self.sock.connect(path)
                break
            except OSError:
                self.sock.close()
                if time.time() > deadline:
                    raise
                time.sleep(0.2)

    def line(self, timeout):
        """The next line, or None if none came in time; EOFError when the
        line closed."""
        self.sock.settimeout(timeout)
        while b'\n' not in self.buf:
            try:
                d = self.sock.recv(65536)
            except socket.timeout:
                return None
            if not d:
                raise EOFError('serial line closed')
            self.buf += d
        raw, self.buf = self.buf.split(b'\n', 1)
        line = raw.decode('utf-8', 'replace').rstrip('\r')
        self.log.write('%7.1f %s\n' % (time.time() - self.t0, line))
        self.log.flush()
        return line

    def send(self, text):
        self.sock.sendall(text.encode())

    def close(self):
        self.sock.close()
        self.log.close()


class Test:
    def __init__(self, args, tap):
        self.args, self.tap = args, tap
        self.shots = 0
        self.ser = None             # L2's serial line

    def screenshot(self, name, what, tries=4, dom=DOM):
        """virsh screenshot must show `what` (full, partial, black);
        a mismatch is looked at again a few times, a second apart (the
        guest's last writes may still be on their way)."""
        got = os.path.join(self.args.dumpdir, name + '.png')
        ppm = os.path.join(self.args.dumpdir, name + '.ppm')
        out = ''
        for attempt in range(tries):
            if attempt:
                time.sleep(1)
            rc, out = virsh('screenshot', dom, got)
            if rc:
                continue
            w, h, rgb = image.read(got)
            if what == 'poweron':
                # before the guest's driver uses the device its plane is
                # empty: QEMU (no ramfb in this domain) shows its own
                # placeholder, whatever the instance's size
                diff = image.placeholder((w, h, rgb))
                out = 'ok - the screen is QEMU\'s placeholder: no plane ' \
                    'before the guest uses the display' if diff is None \
                    else 'not ok - placeholder: %s' % diff
                if diff is None:
                    break
                continue
            with open(ppm, 'wb') as f:
                f.write(b'P6\n%d %d\n255\n' % (w, h) + bytes(rgb))
            r = subprocess.run([self.args.checker, 'check', what, ppm],
                               stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True)
            out = r.stdout
            if r.returncode == 0:
                break
        lines = [m for m in (re.match(r'^(ok|not ok) - (.*)$', x)
                             for x in out.splitlines()) if m]
        for m in lines:
            self.tap.ok(m.group(1) == 'ok', 'virsh screenshot %s: %s'
                        % (name, m.group(2)))
        if not lines:
            self.tap.ok(False, 'virsh screenshot %s' % name, out)
            return False
        ok = all(m.group(1) == 'ok' for m in lines)
        if ok and os.path.exists(ppm):
            os.unlink(ppm)
        return ok

    def state(self, dom=DOM):
        return virsh('domstate', dom)[1]


def nodedev(args, tap):
    """The sysfs-made instance as a libvirt node device; creating one
    through libvirt."""
    rc, out = virsh('nodedev-list', '--cap', 'mdev')
    want = 'mdev_' + args.uuid.replace('-', '_')
    names = out.split()
    dev = next((n for n in names if n.startswith(want)), None)
    tap.ok(rc == 0 and dev is not None, 'virsh nodedev-list --cap mdev lists '
           'the instance made through sysfs (%s)' % (dev or want), out)
    if dev:
        rc, out = virsh('nodedev-dumpxml', dev)
        tap.ok(rc == 0 and "<type id='mdpy-%s'/>" % args.type in out,
               "virsh nodedev-dumpxml %s shows <type id='mdpy-%s'/>"
               % (dev, args.type), out)
        m = re.search(r'<iommuGroup number=.(\d+).', out)
        tap.ok(m is not None and os.path.exists(
            '/sys/bus/mdev/devices/%s/iommu_group' % args.uuid) and
            os.path.basename(os.readlink('/sys/bus/mdev/devices/%s/iommu_group'
                                         % args.uuid)) == m.group(1),
            'nodedev-dumpxml names the instance\'s IOMMU group', out)
    # libvirt's mdevctl backend creates an mdev only under a PCI, CSS or
    # AP parent; mdpy's parent is a virtual device, which libvirt shows
    # as 'computer'.  Whatever libvirt answers, no instance may appear
    # behind its back.
    before = set(os.listdir(mdev.DEV_DIR))
    xml = '/tmp/nodedev-mdpy.xml'
    with open(xml, 'w') as f:
        f.write("<device>\n  <parent>computer</parent>\n"
                "  <capability type='mdev'>\n    <type id='mdpy-hd'/>\n"
                "  </capability>\n</device>\n")
    for verb in ('nodedev-create', 'nodedev-define'):
        rc, out = virsh(verb, xml)
        if rc == 0:
            tap.ok(False, 'virsh %s of an mdpy-hd device under computer: '
                   'libvirt now creates mdpy instances, test it' % verb, out)
            continue
        msg = out.replace('\n', ' ')
        tap.ok('parent' in msg, 'virsh %s of an mdpy-hd device is refused: %s'
               % (verb, msg), out)
    after = set(os.listdir(mdev.DEV_DIR))
    tap.ok(after == before, 'no instance appeared through nodedev-create or '
           'nodedev-define', sorted(after - before))


def gone_instance(args, tap):
    """A domain on an instance that was removed must not start."""
    u = mdev.create(args.type)
    mdev.remove(u)
    xml = domain_xml(args, 'mdpy-gone', u, '/run/mdpy-gone.serial',
                     args.emulator)
    rc, out = virsh('define', xml)
    tap.ok(rc == 0, 'virsh define of a domain on an instance that is gone', out)
    rc, out = virsh('start', 'mdpy-gone')
    msg = out.replace('\n', ' ')
    tap.ok(rc != 0 and u in out, 'virsh start of a domain on a removed '
           'instance fails: %s' % msg, out)
    tap.ok('shut off' in virsh('domstate', 'mdpy-gone')[1],
           'that domain stays shut off')
    virsh('undefine', 'mdpy-gone')


def second_domain(args, tap, t):
    """A second domain on the instance the first one runs on."""
    xml = domain_xml(args, 'mdpy-second', args.uuid, '/run/mdpy-second.serial',
                     args.emulator)
    virsh('define', xml)
    rc, out = virsh('start', 'mdpy-second')
    msg = out.replace('\n', ' ')
    tap.ok(rc != 0 and ('in use' in out or 'busy' in out.lower()),
           'a second domain on the same instance fails to start: %s' % msg, out)
    tap.ok('shut off' in t.state('mdpy-second'), 'the second domain stays '
           'shut off')
    virsh('undefine', 'mdpy-second')
    tap.ok(t.state() == 'running', 'the first domain still runs',
           t.state())


def save_refused(t, tap, name, what):
    """QEMU 7.2 has no VFIO migration v2: its blocker makes libvirt refuse."""
    for verb, extra in (('save', ['/tmp/mdpy-l2.save']), ('managedsave', [])):
        rc, out = virsh(verb, DOM, *extra)
        msg = out.replace('\n', ' ')
        tap.ok(rc != 0 and 'cannot migrate domain' in out and
               'migration' in out.split('cannot migrate domain', 1)[1],
               'virsh %s is refused by QEMU\'s migration blocker: %s'
               % (verb, msg), out)
        tap.ok(t.state() == 'running', 'the domain runs on after the refused '
               '%s' % verb, t.state())
    rc, out = virsh('dominfo', DOM)
    tap.ok('Managed save:   no' in out, 'no managed save image was left', out)
    t.screenshot(name + '-after-refused-save', what)


def save_works(args, t, tap, ser, name, what, verb):
    """verb 'save': save to a file, restore; 'managedsave': managedsave,
    start.  The picture must come back; the serial line comes back with a
    new QEMU, so it is reconnected (ser None: no guest is followed, none
    to reconnect)."""
    if verb == 'save':
        f = '/tmp/mdpy-l2.save'
        rc, out = virsh('save', DOM, f, timeout=600)
        tap.ok(rc == 0, 'virsh save of a domain showing the %s picture' % what,
               out)
        if rc:
            return ser
        tap.ok('shut off' in t.state(), 'the saved domain is shut off',
               t.state())
        if ser:
            ser.close()
        log('save file: %d bytes' % os.path.getsize(f))
        rc, out = virsh('restore', f, timeout=600)
        tap.ok(rc == 0, 'virsh restore', out)
        os.unlink(f)
    else:
        rc, out = virsh('managedsave', DOM, timeout=600)
        tap.ok(rc == 0, 'virsh managedsave of a domain showing the %s '
               'picture' % what, out)
        if rc:
            return ser
        rc, out = virsh('dominfo', DOM)
        tap.ok('Managed save:   yes' in out, 'a managed save image exists',
               out)
        if ser:
            ser.close()
        rc, out = virsh('start', DOM, timeout=600)
        tap.ok(rc == 0, 'virsh start resumes from the managed save image', out)
    if rc:
        return None
    tap.ok(t.state() == 'running', 'the domain runs after %s' % verb,
           t.state())
    if ser:
        ser = Serial(args.serial, os.path.join(args.dumpdir, 'l2-serial.log'))
    t.screenshot('%s-after-%s' % (name, verb), what)
    return ser


def qemu_cmdline(dom):
    """libvirt's log of the domain's QEMU, and its vfio-pci -device lines
    (QEMU's key=value or, libvirt >= 8 with QEMU >= 6.2, JSON)."""
    cmdline = ''
    try:
        with open('/var/log/libvirt/qemu/%s.log' % dom) as f:
            cmdline = f.read()
    except OSError:
        pass
    return cmdline, [x.strip().rstrip(' \\') for x in cmdline.splitlines()
                     if 'vfio-pci' in x]


BOOT_DISPLAY_TIMEOUT = 120


def boot_display(args, tap):
    """README's boot display: until a guest driver uses the instance,
    virsh screenshot shows the firmware's text that QEMU's ramfb holds.
    The domain is destroyed in the firmware: the L2 suites (70, 72)
    follow a boot display on through the guest driver and a reboot."""
    name = 'mdpy-ramfb'
    xml = domain_xml(args, name, args.uuid, '/run/mdpy-ramfb.serial',
                     args.emulator, boot_display=True)
    rc, out = virsh('define', xml)
    if not tap.ok(rc == 0, "virsh define %s: domain.xml with ramfb='on' and "
                  "a boot menu" % name, out):
        return
    t0 = time.time()
    rc, out = virsh('start', name, timeout=300)
    if tap.ok(rc == 0, 'virsh start %s' % name, out):
        cmdline, dev = qemu_cmdline(name)
        tap.ok(any('vfio-pci-nohotplug' in x and 'ramfb' in x and
                   args.uuid in x for x in dev),
               'libvirt gave QEMU the instance as a boot display: %s'
               % (dev[0] if dev else '-'), cmdline[-2000:])
        png = os.path.join(args.dumpdir, 'boot-display-firmware.png')
        shots, why, got = image.poll_firmware_text(
            lambda: png if virsh('screenshot', name, png)[0] == 0 else None,
            BOOT_DISPLAY_TIMEOUT, 0.5)
        log('boot display: %d screenshots, %.1f s after virsh start'
            % (shots, time.time() - t0))
        tap.ok(why is None, 'virsh screenshot before any guest driver: the '
               'firmware\'s text on the ramfb (%dx%d)' % got[:2],
               '%d screenshots in %ds, the last: %s' % (
                   shots, BOOT_DISPLAY_TIMEOUT, why))
        rc, out = virsh('destroy', name)
        tap.ok(rc == 0, 'virsh destroy %s' % name, out)
    virsh('undefine', name)


def run(args, tap):
    t = Test(args, tap)
    nodedev(args, tap)
    gone_instance(args, tap)
    boot_display(args, tap)

    xml = domain_xml(args, DOM, args.uuid, args.serial, args.emulator,
                     migratable=args.save == 'works')
    rc, out = virsh('define', xml)
    if not tap.ok(rc == 0, 'virsh define %s (tests/libvirt/domain.xml)' % DOM,
                  out):
        return
    t0 = time.time()
    rc, out = virsh('start', DOM, timeout=300)
    if not tap.ok(rc == 0, 'virsh start %s' % DOM, out):
        virsh('undefine', DOM)
        return
    rc, out = virsh('dumpxml', DOM)
    with open(os.path.join(args.dumpdir, 'domain-live.xml'), 'w') as f:
        f.write(out)
    cmdline, dev = qemu_cmdline(DOM)
    want = ('/sys/bus/mdev/devices/%s' % args.uuid, ('"display":"on"',
                                                    'display=on'))
    tap.ok(any(want[0] in x and any(d in x for d in want[1]) for x in dev),
           'libvirt gave QEMU the instance as a vfio-pci display: %s'
           % (dev[0] if dev else '-'), cmdline[-2000:])
    try:
        # The L2 kernel takes minutes under TCG-in-TCG before its driver
        # uses the display: until then QEMU shows its placeholder.
        t.screenshot('poweron', 'poweron')
        if not args.guest:
            if args.save == 'refused':
                save_refused(t, tap, 'poweron', 'poweron')
            else:
                # the device's state before any guest driver: libvirt
                # saves and restores it through QEMU's VFIO migration
                for verb in ('save', 'managedsave'):
                    save_works(args, t, tap, None, 'poweron', 'poweron',
                               verb)
            second_domain(args, tap, t)
            t.screenshot('poweron-after-second-domain', 'poweron')
            return
        t.ser = Serial(args.serial, os.path.join(args.dumpdir,
                                                 'l2-serial.log'))
        guest(args, tap, t, t0)
    except Exception as e:  # any harness failure is a test failure
        tap.ok(False, 'harness: %r' % e)
    finally:
        if t.ser:
            t.ser.close()
        rc, out = virsh('destroy', DOM)
        tap.ok(rc == 0, 'virsh destroy %s' % DOM, out)
        rc, out = virsh('undefine', DOM, '--managed-save')
        tap.ok(rc == 0, 'virsh undefine %s' % DOM, out)
        rc, out = virsh('list', '--all', '--name')
        tap.ok(out.strip() == '', 'no domain left', out)


def guest(args, tap, t, t0):
    """Follow L2 through its pictures; each is checked with virsh
    screenshot before L2 is told to go on.  A save and restore brings a
    new QEMU and so a new serial line: t.ser is always the current one."""
    shots = 0
    done = False
    while not done:
        if time.time() - t0 > args.timeout:
            tap.ok(False, 'L2 finished within %ds' % args.timeout)
            break
        line = t.ser.line(5)
        if line is None:
            continue
        if not re.match(r'^\[ *\d+\.\d+\]', line):
            print('L2 %6.1fs| %s' % (time.time() - t0, line),
                  file=sys.stderr, flush=True)
        m = re.match(r'^(ok|not ok) - (.*)$', line)
        if m:
            tap.ok(m.group(1) == 'ok', 'L2: ' + m.group(2))
            continue
        m = re.match(r'^(pattern|partial|blank) drawn', line)
        if m:
            shots += 1
            what = {'pattern': 'full', 'blank': 'black'}.get(
                m.group(1), m.group(1))
            name = '%s%d' % (what, shots)
            t.screenshot(name, what)
            if shots == 1:
                if args.save == 'refused':
                    save_refused(t, tap, name, what)
                elif args.save == 'works':
                    t.ser = save_works(args, t, tap, t.ser, name, what,
                                       'save')
            elif shots == 3 and args.save == 'works':
                t.ser = save_works(args, t, tap, t.ser, name, what,
                                   'managedsave')
            elif shots == 4:
                second_domain(args, tap, t)
                t.screenshot(name + '-after-second-domain', what)
            if t.ser is None:
                break
            t.ser.send('next\n')
            continue
        if line.startswith('L2: done'):
            tap.ok(shots == 4, 'L2 drew its four pictures in %.0fs '
                   '(L2 boot through virsh)' % (time.time() - t0),
                   '%d pictures' % shots)
            done = True


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--uuid', required=True)
    ap.add_argument('--type', required=True)
    ap.add_argument('--xml', required=True)
    ap.add_argument('--kernel', required=True)
    ap.add_argument('--initrd', required=True)
    ap.add_argument('--checker', required=True)
    ap.add_argument('--tap', required=True)
    ap.add_argument('--dumpdir', required=True)
    ap.add_argument('--emulator')
    ap.add_argument('--save', choices=('refused', 'works'), default='refused')
    ap.add_argument('--timeout', type=float, default=700)
    ap.add_argument('--no-guest', dest='guest', action='store_false',
                    help='check the screen before any guest driver only; '
                    'no L2 boot')
    ap.add_argument('--chroot', help='run the daemons and virsh through '
                    'this command')
    ap.add_argument('--save-format', help="qemu.conf's save_image_format")
    args = ap.parse_args()
    if args.chroot:
        PREFIX.append(args.chroot)
    args.serial = '/run/mdpy-l2.serial'
    os.makedirs(args.dumpdir, exist_ok=True)
    tap = Tap(args.tap)
    d = Daemons(args.dumpdir, args.emulator, args.save_format)
    try:
        d.start()
        tap.ok(True, 'virtlogd and libvirtd started')
        # with QEMU 7.2 hidden (above) libvirt has no default emulator
        # to name: only the library's version then
        rc, out = virsh('version')
        tap.ok('Using library: libvirt' in out, 'virsh version: %s' % ' / '.join(
            x.strip() for x in out.splitlines()
            if x.strip() and not x.startswith('error')), out)
        run(args, tap)
    except Exception as e:  # any harness failure is a test failure
        tap.ok(False, 'harness: %r' % e)
    finally:
        d.stop()
    return tap.done()


if __name__ == '__main__':
    sys.exit(main())
