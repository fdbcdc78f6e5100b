#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Rig smoke test (runs in the VM): the module loads, registers the "mdpy"
# mdev parent, one instance can be created and removed via sysfs, and the
# module unloads again. Writes TAP to $RESULTS/05-smoke.tap.
# shellcheck source=tests/vm/tap.sh
. "$PAYLOAD/lib/tap.sh"
tap_open "$RESULTS/05-smoke.tap"

PARENT=/sys/class/mdev_bus/mdpy
UUID=5e6d0b1c-05a0-4d3e-9c2b-6d70790000a5

if ! tap_check "insmod mdpy.ko" insmod "$MDPY_KO"; then
	tap_done
	exit 1
fi

if [ -d "$PARENT" ]; then
	tap_ok "mdev parent $PARENT exists"
else
	tap_fail "mdev parent $PARENT exists"
fi

# Prefer the vga type; fall back to whatever type comes first.
T=$PARENT/mdev_supported_types/mdpy-vga
if [ ! -d "$T" ]; then
	T=
	for t in "$PARENT"/mdev_supported_types/*; do
		[ -d "$t" ] && T=$t && break
	done
fi
if [ -n "$T" ] && [ -d "$T" ]; then
	tap_ok "a supported type exists ($(basename "$T"))"
	api=$(cat "$T/device_api" 2>/dev/null)
	if [ "$api" = vfio-pci ]; then
		tap_ok "device_api is vfio-pci"
	else
		tap_fail "device_api is vfio-pci" "got '$api'"
	fi
	avail=$(cat "$T/available_instances" 2>/dev/null)
	case $avail in
	'' | *[!0-9]*) tap_fail "available_instances is a number" "got '$avail'" ;;
	*) tap_ok "available_instances is a number ($avail)" ;;
	esac

	if tap_check "create instance" sh -c "echo $UUID > $T/create"; then
		D=/sys/bus/mdev/devices/$UUID
		if [ -d "$D" ]; then
			tap_ok "instance appears on the mdev bus"
		else
			tap_fail "instance appears on the mdev bus"
		fi
		g=$(basename "$(readlink "$D/iommu_group" 2>/dev/null)")
		if [ -n "$g" ] && [ -c "/dev/vfio/$g" ]; then
			tap_ok "instance has /dev/vfio/$g"
		else
			tap_fail "instance has a /dev/vfio group node" "group '$g'"
		fi
		tap_check "remove instance" sh -c "echo 1 > $D/remove"
		if [ ! -e "$D" ]; then
			tap_ok "instance is gone"
		else
			tap_fail "instance is gone"
		fi
	fi
else
	tap_fail "a supported type exists"
fi

tap_check "rmmod mdpy" rmmod mdpy
if [ ! -e "$PARENT" ]; then
	tap_ok "parent is gone after rmmod"
else
	tap_fail "parent is gone after rmmod"
fi
tap_done
