# SPDX-License-Identifier: GPL-2.0
"""The mdpy device as a test sees it: its ABI and its instances in sysfs.

The ABI values mirror include/uapi/mdpy.h; they are written again here on
purpose, so a wrong value in the driver is caught rather than copied.
"""

import os
import time
import uuid

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

PARENT_DIR = '/sys/class/mdev_bus/mdpy'
DEV_DIR = '/sys/bus/mdev/devices'


def create(tname):
    """A new instance of mdpy-TNAME through sysfs; returns its UUID."""
    u = str(uuid.uuid4())
    with open('%s/mdev_supported_types/mdpy-%s/create' % (PARENT_DIR, tname),
              'w') as f:
        f.write(u)
    return u


def remove(u):
    path = '%s/%s/remove' % (DEV_DIR, u)
    for _ in range(50):
        try:
            with open(path, 'w') as f:
                f.write('1')
            return
        except OSError:
            time.sleep(0.2)      # QEMU may still be closing the device
    raise OSError('cannot remove mdev ' + u)


def exists(u):
    return os.path.exists(os.path.join(DEV_DIR, u))


def resident(u):
    """Bytes of BAR0 the instance holds pages for (its resident_bytes)."""
    with open('%s/%s/vendor/resident_bytes' % (DEV_DIR, u)) as f:
        return int(f.read())


def shares_picture():
    """From v6.10 a page the guest never wrote is mapped from the picture
    that all instances of a type share; before, showing it allocates."""
    release = os.uname().release.split('.')
    return (int(release[0]), int(release[1].split('-')[0])) >= (6, 10)


def vfio_args(u, props='', driver='vfio-pci'):
    """QEMU's arguments for the instance as a vfio-pci display; props are
    more vfio-pci properties (e.g. MIGRATE_PROPS).  ramfb=on needs the
    driver vfio-pci-nohotplug."""
    return ['-device', '%s,sysfsdev=%s/%s,display=on%s' % (
        driver, DEV_DIR, u, ',' + props if props else '')]


# What QEMU >= 8.1 needs to migrate an instance: without enable-migration=on
# it quietly puts a migration blocker on the device, and the kernels under
# test have no IOMMUFD, so the device's own dirty page log cannot be read
# and QEMU must use the VFIO container's instead.
MIGRATE_PROPS = 'enable-migration=on,x-device-dirty-page-tracking=off'
