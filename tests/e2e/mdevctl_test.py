#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Debian's mdevctl against mdpy, unchanged: TAP on stdout.

Runs as root with mdpy.ko NOT loaded (it loads, reloads and unloads it) and
/etc/mdevctl.d writable and empty (in the test VM a tmpfs).  There is no udev
in the test VM, so after a module reload the auto-start path is driven the
way mdevctl's own udev rule drives it: `mdevctl start-parent-mdevs mdpy`.
"""

import argparse
import json
import os
import subprocess
import sys
import uuid

# tests/pylib in the tree, /payload/pylib in the test VM
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                '..', 'pylib'))
import mdev  # noqa: E402
from mdev import DEV_DIR, MDPY_CAP, MDPY_DEVICE, MDPY_VENDOR  # noqa: E402
from qemu import Qemu, QemuError  # noqa: E402
from tap import Tap, log  # noqa: E402

PARENT = 'mdpy'
CLASS_DIR = mdev.PARENT_DIR
TYPES_DIR = CLASS_DIR + '/mdev_supported_types'


def run(*argv, timeout=120):
    p = subprocess.run(list(argv), stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, timeout=timeout)
    return p.returncode, p.stdout.decode(errors='replace')


def mdevctl(*args):
    return run('mdevctl', *args)


def sysfs(path):
    with open(path) as f:
        return f.read().strip()


def available(tname):
    return int(sysfs('%s/%s-%s/available_instances' % (TYPES_DIR, PARENT, tname)))


def active(u):
    return os.path.isdir(os.path.join(DEV_DIR, u))


def active_type(u):
    link = os.path.join(DEV_DIR, u, 'mdev_type')
    return os.path.basename(os.readlink(link)) if os.path.islink(link) else None


def show(rc, out):
    return 'exit %d\n%s' % (rc, out.strip())


def parse_types_text(out):
    """`mdevctl types` → {parent: {type: {field: value}}}."""
    res, parent, typ = {}, None, None
    for line in out.splitlines():
        if not line.strip():
            continue
        indent = len(line) - len(line.lstrip(' '))
        text = line.strip()
        if indent == 0:
            parent = text
            res[parent] = {}
        elif indent == 2 and parent is not None:
            typ = text
            res[parent][typ] = {}
        elif typ is not None and ':' in text:
            k, v = text.split(':', 1)
            res[parent][typ][k.strip()] = v.strip()
    return res


def parse_types_json(out):
    """--dumpjson: [{parent: [{type: {...}}, ...]}, ...] → same shape."""
    res = {}
    for entry in json.loads(out):
        for parent, tlist in entry.items():
            res.setdefault(parent, {})
            for t in tlist:
                res[parent].update(t)
    return res


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--ko', default=os.environ.get('MDPY_KO', 'mdpy.ko'))
    ap.add_argument('--tap', help='also write the TAP to this file')
    ap.add_argument('--no-qemu', action='store_true',
                    help='skip attaching the mdevctl-made instance to QEMU')
    args = ap.parse_args()
    tap = Tap(args.tap)

    rc, out = run('insmod', args.ko)
    if not tap.ok(rc == 0 and os.path.isdir(TYPES_DIR), 'insmod mdpy.ko',
                  show(rc, out)):
        return tap.done()

    rc, out = mdevctl('--version')
    log(out.strip())

    # -- types ---------------------------------------------------------------
    rc, out = mdevctl('types')
    tap.ok(rc == 0, 'mdevctl types exits 0', show(rc, out))
    text = parse_types_text(out)
    rc, jout = mdevctl('types', '--dumpjson')
    try:
        js = parse_types_json(jout) if rc == 0 else {}
    except ValueError as e:
        js = {}
        jout += '\n%s' % e
    tap.ok(rc == 0 and PARENT in js, 'mdevctl types --dumpjson lists parent mdpy',
           show(rc, jout))
    tap.ok(PARENT in text, 'mdevctl types lists parent mdpy', out)
    for tname, (w, h) in mdev.TYPES.items():
        full = '%s-%s' % (PARENT, tname)
        base = '%s/%s' % (TYPES_DIR, full)
        want_desc = sysfs(base + '/description')
        want_avail = sysfs(base + '/available_instances')
        t = text.get(PARENT, {}).get(full, {})
        tap.ok(t.get('Available instances') == want_avail and
               t.get('Device API') == 'vfio-pci' and
               t.get('Name') == sysfs(base + '/name') and
               t.get('Description') == want_desc,
               'mdevctl types: %s with name, description, count, device API'
               % full, 'mdevctl: %r\nsysfs: description %r available %s'
               % (t, want_desc, want_avail))
        tap.ok('%dx%d' % (w, h) in want_desc,
               'description of %s names its resolution' % full,
               'description %r' % want_desc)
        j = js.get(PARENT, {}).get(full, {})
        tap.ok(str(j.get('available_instances')) == want_avail and
               j.get('device_api') == 'vfio-pci' and
               j.get('description') == want_desc,
               'mdevctl types --dumpjson: %s' % full, 'json: %r' % j)

    # -- start / list / stop -------------------------------------------------
    u = str(uuid.uuid4())
    before = available('hd')
    rc, out = mdevctl('start', '-p', PARENT, '-t', PARENT + '-hd', '-u', u)
    tap.ok(rc == 0 and active(u) and active_type(u) == PARENT + '-hd',
           'mdevctl start -p mdpy -t mdpy-hd creates the instance',
           show(rc, out) + '\nsysfs type: %s' % active_type(u))
    tap.ok(available('hd') == before - 1,
           'available_instances drops by one', '%d -> %d'
           % (before, available('hd')))
    res = sysfs(os.path.join(DEV_DIR, u, 'vendor/resolution')) \
        if os.path.exists(os.path.join(DEV_DIR, u, 'vendor/resolution')) else None
    tap.ok(res == '1920x1080', 'instance reports vendor/resolution 1920x1080',
           'read %r' % res)
    rc, out = mdevctl('list')
    line = next((ln for ln in out.splitlines() if u in ln), '')
    tap.ok(rc == 0 and PARENT in line.split() and PARENT + '-hd' in line.split(),
           'mdevctl list shows uuid, parent and type', show(rc, out))
    rc, out = mdevctl('list', '--dumpjson')
    try:
        listed = json.dumps(json.loads(out)) if rc == 0 else ''
    except ValueError:
        listed = ''
    tap.ok(u in listed and PARENT + '-hd' in listed,
           'mdevctl list --dumpjson shows the instance', show(rc, out))

    if args.no_qemu:
        tap.skip('QEMU attaches the mdevctl-started instance', '--no-qemu')
    else:
        q = None
        try:
            q = Qemu(mdev.vfio_args(u), qtest=True)
            bdf = q.find(MDPY_VENDOR, MDPY_DEVICE)
            wh = (q.cfg_read32(bdf, MDPY_CAP + 8),
                  q.cfg_read32(bdf, MDPY_CAP + 12)) if bdf else None
            tap.ok(wh == (1920, 1080),
                   'QEMU attaches the mdevctl-started instance (1920x1080)',
                   'nested guest saw %r' % (wh,))
        except (QemuError, OSError) as e:
            tap.ok(False, 'QEMU attaches the mdevctl-started instance',
                   '%s\n%s' % (e, q.stderr() if q else ''))
        finally:
            if q:
                q.close()

    rc, out = mdevctl('stop', '-u', u)
    tap.ok(rc == 0 and not active(u), 'mdevctl stop removes the instance',
           show(rc, out))
    tap.ok(available('hd') == before, 'available_instances restored',
           '%d, was %d' % (available('hd'), before))
    rc, out = mdevctl('list')
    tap.ok(rc == 0 and u not in out, 'mdevctl list no longer shows it',
           show(rc, out))

    bad = str(uuid.uuid4())
    rc, out = mdevctl('start', '-p', PARENT, '-t', PARENT + '-nosuch', '-u', bad)
    tap.ok(rc != 0 and not active(bad),
           'mdevctl start of an unknown type fails', show(rc, out))

    # -- define --auto, reload, start-parent-mdevs, undefine ----------------
    d = str(uuid.uuid4())
    rc, out = mdevctl('define', '--auto', '-p', PARENT, '-t', PARENT + '-xga',
                      '-u', d)
    tap.ok(rc == 0 and not active(d), 'mdevctl define --auto (not started)',
           show(rc, out))
    rc, out = mdevctl('list', '--defined')
    line = next((ln for ln in out.splitlines() if d in ln), '')
    tap.ok(rc == 0 and 'auto' in line.split() and PARENT + '-xga' in line.split(),
           'mdevctl list --defined shows it as auto', show(rc, out))

    rc, out = run('rmmod', 'mdpy')
    tap.ok(rc == 0 and not os.path.exists(CLASS_DIR), 'rmmod mdpy',
           show(rc, out))
    rc, out = run('insmod', args.ko)
    tap.ok(rc == 0 and os.path.isdir(TYPES_DIR), 'insmod mdpy.ko again',
           show(rc, out))
    tap.ok(not active(d), 'after reload the defined instance is not yet there')
    rc, out = mdevctl('start-parent-mdevs', PARENT)
    tap.ok(rc == 0 and active(d) and active_type(d) == PARENT + '-xga',
           'mdevctl start-parent-mdevs mdpy brings it back as mdpy-xga',
           show(rc, out) + '\nsysfs type: %s' % active_type(d))
    rc, out = mdevctl('list')
    tap.ok(rc == 0 and d in out, 'mdevctl list shows the auto-started instance',
           show(rc, out))
    rc, out = mdevctl('stop', '-u', d)
    tap.ok(rc == 0 and not active(d), 'mdevctl stop of the defined instance',
           show(rc, out))
    rc, out = mdevctl('start', '-u', d)
    tap.ok(rc == 0 and active(d) and active_type(d) == PARENT + '-xga',
           'mdevctl start -u starts it from its definition', show(rc, out))
    rc, out = mdevctl('stop', '-u', d)
    rc2, out2 = mdevctl('undefine', '-u', d)
    rc3, out3 = mdevctl('list', '--defined')
    tap.ok(rc == 0 and rc2 == 0 and rc3 == 0 and d not in out3,
           'mdevctl undefine removes the definition',
           '\n'.join((show(rc, out), show(rc2, out2), show(rc3, out3))))
    # -- an attribute from mdevctl's saved config: vendor/resolution -------
    r = str(uuid.uuid4())
    res_path = os.path.join(DEV_DIR, r, 'vendor/resolution')
    rc, out = mdevctl('define', '-p', PARENT, '-t', PARENT + '-hd', '-u', r)
    rc2, out2 = mdevctl('modify', '-u', r, '--addattr=vendor/resolution',
                        '--value=1280x800')
    rc3, out3 = mdevctl('list', '--defined', '-u', r, '--dumpjson')
    try:
        attrs = json.loads(out3)[PARENT][0][r]['attrs'] if rc3 == 0 else []
    except (ValueError, KeyError, IndexError, TypeError):
        attrs = []
    tap.ok(rc == 0 and rc2 == 0 and
           attrs == [{'vendor/resolution': '1280x800'}],
           'mdevctl define + modify --addattr=vendor/resolution=1280x800',
           '\n'.join((show(rc, out), show(rc2, out2), show(rc3, out3))))
    rc, out = mdevctl('start', '-u', r)
    res = sysfs(res_path) if os.path.exists(res_path) else None
    tap.ok(rc == 0 and res == '1280x800',
           'mdevctl start applies it: vendor/resolution reads 1280x800',
           show(rc, out) + '\nread %r' % res)
    if args.no_qemu:
        tap.skip('the guest sees the mdevctl-set resolution', '--no-qemu')
    else:
        q = None
        try:
            q = Qemu(mdev.vfio_args(r), qtest=True)
            bdf = q.find(MDPY_VENDOR, MDPY_DEVICE)
            wh = (q.cfg_read32(bdf, MDPY_CAP + 8),
                  q.cfg_read32(bdf, MDPY_CAP + 12)) if bdf else None
            tap.ok(wh == (1280, 800),
                   'the guest sees the mdevctl-set resolution (1280x800)',
                   'nested guest saw %r' % (wh,))
        except (QemuError, OSError) as e:
            tap.ok(False, 'the guest sees the mdevctl-set resolution',
                   '%s\n%s' % (e, q.stderr() if q else ''))
        finally:
            if q:
                q.close()
    rc, out = mdevctl('stop', '-u', r)
    rc2, out2 = mdevctl('undefine', '-u', r)
    rc3, out3 = mdevctl('list', '--defined')
    tap.ok(rc == 0 and rc2 == 0 and not active(r) and r not in out3,
           'mdevctl stop and undefine of the configured instance',
           '\n'.join((show(rc, out), show(rc2, out2), show(rc3, out3))))
    # a value the type cannot show: start fails, nothing stays behind
    b2 = str(uuid.uuid4())
    mdevctl('define', '-p', PARENT, '-t', PARENT + '-vga', '-u', b2)
    mdevctl('modify', '-u', b2, '--addattr=vendor/resolution',
            '--value=1920x1080')
    rc, out = mdevctl('start', '-u', b2)
    tap.ok(rc != 0 and not active(b2),
           'mdevctl start with a resolution over the type\'s BAR fails '
           'and removes the instance', show(rc, out))
    mdevctl('stop', '-u', b2)
    mdevctl('undefine', '-u', b2)

    rc, out = run('rmmod', 'mdpy')
    tap.ok(rc == 0, 'rmmod mdpy at the end', show(rc, out))
    return tap.done()


if __name__ == '__main__':
    sys.exit(main())
