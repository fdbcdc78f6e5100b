#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# /init of the nested (L2) guest that runs mdpy-drm on an mdpy display, or,
# when its initramfs holds /mdpy-fb.ko instead (tests/guest/l2-build.sh with
# a GUEST_KO), the kernel's sample fbdev driver: console, then the test card
# drawn through the fbdev mmap.
# It talks to tests/guest/l2.py in L1 over the serial line: results are
# "ok - ..." / "not ok - ..." lines; after each picture it prints a marker
# ("console fbhash ...", "pattern drawn ...", "partial drawn ...",
# "blank drawn ...") and waits for a line back, so L1 can take a screendump
# of exactly that picture.
# Booted with fbcon=map:9 (l2.py --append, as suite 70 does on 6.1), fbcon
# leaves the display alone until console() maps it: the fbdev mmap check
# runs on a display nothing but the driver itself has set up.
# With more than one mdpy display (l2.py --second), the first on the PCI bus
# is card0 and fb0, the one the main flow below loads, unbinds and removes;
# the others stay bound meanwhile.
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev

ok() { echo "ok - $*"; }
nok() { echo "not ok - $*"; }
check() { # check DESCRIPTION CMD... : one result line for a command
	d=$1
	shift
	if "$@"; then ok "$d"; else nok "$d"; fi
}
wait_for() { # wait_for PATH [present|absent]: up to 60 s
	for _ in $(seq 120); do
		if [ "${2:-present}" = present ]; then
			[ -e "$1" ] && return 0
		else
			[ -e "$1" ] || return 0
		fi
		sleep 0.5
	done
	return 1
}
next() { read -r _ </dev/console; }

echo "L2: init $(cat /proc/uptime)"
while read -r ko; do
	insmod "/lib/modules/$ko" || nok "insmod $ko"
done </lib/modules/order

dev=$(grep -l 0x1b36 /sys/bus/pci/devices/*/vendor | head -n 1)
dev=${dev%/vendor}
echo "L2: mdpy device ${dev##*/}"

fbcon_off=
grep -q 'fbcon=map:9' /proc/cmdline && fbcon_off=1

# Booted with mdpy_l2=migrate (l2.py --migrate-to), L2 is moved to another
# QEMU while it shows its console: see the end of this file.
migrate=
grep -q 'mdpy_l2=migrate' /proc/cmdline && migrate=1

# Booted with mdpy_l2=draw (the libvirt suite, tests/libvirt), L2 only draws
# the pictures of mdpy-drm-test draw and then holds on until the host says
# go, so the host can end it with virsh destroy rather than watch it power
# off by itself.
drawonly=
grep -q 'mdpy_l2=draw' /proc/cmdline && drawonly=1
# Booted with mdpy_l2=modes (suite 70, l2.py --second hd --second
# 2560x1440), L2 has two more displays and switches modes on them: see
# modes() below.
modes=
grep -q 'mdpy_l2=modes' /proc/cmdline && modes=1

# Waiting for the host to go on, counting: one numbered line a second on the
# serial line (shell builtins only: a process start costs L2 up to half a
# second).  While L2 is migrated the count goes on from one QEMU's serial
# line to the other's: a line lost or sent twice shows as a gap or a repeat.
# busybox's read -t fails alike on a timeout and at end of file, so the
# count is capped rather than left to spin on a console that went away.
ticking() {
	_n=1
	# shellcheck disable=SC3045 # busybox ash has read -t
	while ! read -r -t 1 _ </dev/console; do
		if [ $_n -gt 1200 ]; then
			nok "the host said go within 1200 ticks"
			return
		fi
		echo "L2: tick $_n"
		_n=$((_n + 1))
	done
}

# Text on the display console, then the fbdev contents it drew: the screen
# in L1 must be exactly that.  The cursor is hidden so it cannot blink.
# With a second argument (tick) L2 counts while it waits.  The console is
# on fb$confb; on any but fb0 the marker names the screen (console_on).
confb=0
console() { # console ROUND [tick]
	[ -z "$fbcon_off" ] || [ "$confb" != 0 ] ||
		check "fbcon mapped to fb0 ($1)" mdpy-drm-test con2fb /dev/fb0
	printf '\033[2J\033[H\033[?25l' >/dev/tty1
	for i in 1 2 3 4 5 6; do
		echo "$drv fbdev console, round $1, line $i: THE QUICK BROWN FOX 0123456789" >/dev/tty1
	done
	sleep 3
	_screen=
	[ "$confb" = 0 ] || _screen=" screen $confb"
	echo "console $(mdpy-drm-test fbhash "/dev/fb$confb")$_screen"
	if [ -n "${2:-}" ]; then ticking; else next; fi
}

# Move the text console (tty1) to fbN, the fbdev of cardN
console_on() { # console_on N
	check "text console moved to fb$1" mdpy-drm-test con2fb "/dev/fb$1"
	confb=$1
}

# The L2 kernel runs quiet, so its log is judged here
finish() {
	dmesg | grep -i 'mdpy' | sed 's/^/L2 dmesg: /'
	bad=$(dmesg | grep -E 'WARNING:|BUG:|Oops|Call Trace:|refcount_t:|UBSAN:|list_(add|del) corruption|general protection')
	if [ -z "$bad" ]; then
		ok "L2 kernel log clean"
	else
		nok "L2 kernel log clean"
		echo "$bad" | head -n 30 | sed 's/^/L2 dmesg: /'
	fi
	echo "L2: done $(cat /proc/uptime)"
	[ -z "$drawonly" ] || next
	# mdpy_l2=reboot (l2.py --boot-display): when the host says go, L2
	# reboots and the firmware comes back
	if grep -q 'mdpy_l2=reboot' /proc/cmdline; then
		next
		reboot -f
	fi
	poweroff -f
}

# The kernel's sample mdpy-fb: fbdev only, one round
if [ -e /mdpy-fb.ko ]; then
	drv=mdpy-fb
	check "insmod mdpy-fb.ko" insmod /mdpy-fb.ko
	check "/dev/fb0 appears" wait_for /dev/fb0
	[ -e /sys/class/graphics/fbcon/cursor_blink ] &&
		echo 0 >/sys/class/graphics/fbcon/cursor_blink
	check "driver bound to the mdpy device" \
		test "$(basename "$(readlink "$dev/driver")")" = mdpy-fb
	check "fb0 is mdpy-fb" grep -qx mdpy-fb /sys/class/graphics/fb0/name
	console 1
	mdpy-drm-test fbdraw --wait </dev/console || nok "mdpy-drm-test fbdraw"
	# a second display (l2.py --second, suite 72: a user-defined type):
	# mdpy-fb made fb1 for it at the same insmod
	if [ -e /sys/class/graphics/fb1 ]; then
		check "/dev/fb1 appears" wait_for /dev/fb1
		check "fb1 is mdpy-fb" grep -qx mdpy-fb /sys/class/graphics/fb1/name
		mdpy-drm-test fbdraw --wait /dev/fb1 </dev/console ||
			nok "mdpy-drm-test fbdraw /dev/fb1"
	fi
	finish
fi
drv=mdpy-drm

load() { # load ROUND
	check "insmod mdpy-drm.ko ($1)" insmod /mdpy-drm.ko
	check "/dev/dri/card0 appears ($1)" wait_for /dev/dri/card0
	check "/dev/fb0 appears ($1)" wait_for /dev/fb0
	[ -e /sys/class/graphics/fbcon/cursor_blink ] &&
		echo 0 >/sys/class/graphics/fbcon/cursor_blink
	check "driver bound to the mdpy device ($1)" \
		test "$(basename "$(readlink "$dev/driver")")" = mdpy-drm
}

load 1
if [ -n "$drawonly" ]; then
	mdpy-drm-test draw --wait </dev/console || nok "mdpy-drm-test draw"
	finish
fi

# Mode changes from userspace (mdpy_l2=modes): card1 is an mdpy-hd
# instance (default 1920x1080, 8 MiB BAR), card2 one of the user-defined
# type 2560x1440 (16 MiB).  The client sets each mode with the test card at
# that size, and the host's screendump must have that size and those
# pixels; modes that do not fit (width not a multiple of 8, a frame over
# the BAR) must be refused with the last picture still shown.  The console
# is moved to card1's fbdev first: after the client closes card1 it must be
# back there, at the default mode.  Then it goes back to fb0 for the rest.
same_dev() { # same_dev A B: two sysfs nodes of one PCI device
	_a=$(readlink -f "$1/device")
	echo "L2: $1 and $2 are on ${_a##*/}"
	[ -n "$_a" ] && [ "$_a" = "$(readlink -f "$2/device")" ]
}
modes() {
	check "/dev/dri/card1 appears" wait_for /dev/dri/card1
	check "/dev/dri/card2 appears" wait_for /dev/dri/card2
	for n in 1 2; do
		check "fb$n is card$n's fbdev" \
			same_dev "/sys/class/graphics/fb$n" "/sys/class/drm/card$n"
	done
	console_on 1
	console m1
	mdpy-drm-test mode --wait --dev /dev/dri/card1 --preferred 1920x1080 \
		--refuse 1284x600 --refuse 1920x1200 640x480 1920x1080 800x600 \
		</dev/console || nok "mdpy-drm-test mode on card1"
	console m2
	mdpy-drm-test mode --wait --dev /dev/dri/card2 --preferred 2560x1440 \
		--refuse 2560x1664 1920x1080 2560x1440 </dev/console ||
		nok "mdpy-drm-test mode on card2"
	console_on 0
}
# Migration: the host moves L2 to the target QEMU while its console is on the
# display and L2 counts; there the host checks the console and says go, and
# L2 draws its next pictures on the target's instance, then unloads the
# driver.
if [ -n "$migrate" ]; then
	console 1 tick
	mdpy-drm-test draw --wait </dev/console || nok "mdpy-drm-test draw after the migration"
	check "rmmod mdpy-drm after the migration" rmmod mdpy-drm
	finish
fi
# A program that only mmaps /dev/fb0, on a display no console and no DRM
# client has touched: with mdpy-fb that reaches the screen; with mdpy-drm
# the fbdev emulation has set no mode yet, so the program sets it once
# (FBIOPUT_VSCREENINFO with the mode it read, the fix guest/README.md
# gives).  From 6.12 the emulation's deferred I/O misses some mmap writes:
# there the program also pans after drawing, the other documented fix.
if [ -n "$fbcon_off" ]; then
	pan=--pan
	case $(cat /proc/sys/kernel/osrelease) in 6.1.*) pan= ;; esac
	mdpy-drm-test fbdraw --wait --setvar $pan </dev/console ||
		nok "mdpy-drm-test fbdraw --setvar $pan before any modeset"
fi
console 1
mdpy-drm-test draw --wait </dev/console || nok "mdpy-drm-test draw (1)"
[ -z "$modes" ] || modes

# The driver goes away and comes back: rmmod with fbcon on it, then a
# fresh probe that must draw just the same.
check "rmmod mdpy-drm" rmmod mdpy-drm
check "/dev/dri/card0 is gone after rmmod" wait_for /dev/dri/card0 absent
load 2
console 2
mdpy-drm-test draw --wait </dev/console || nok "mdpy-drm-test draw (2)"

# Unbind/bind through sysfs, then PCI remove and rescan
echo "${dev##*/}" >/sys/bus/pci/drivers/mdpy-drm/unbind
check "unbind through sysfs" wait_for /dev/dri/card0 absent
echo "${dev##*/}" >/sys/bus/pci/drivers/mdpy-drm/bind
check "bind through sysfs" wait_for /dev/dri/card0
echo 1 >"$dev/remove"
check "PCI remove" wait_for /dev/dri/card0 absent
echo 1 >/sys/bus/pci/rescan
check "PCI rescan probes again" wait_for /dev/dri/card0
check "rmmod mdpy-drm at the end" rmmod mdpy-drm
finish
