#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# /init of the test VM (busybox ash). Loads the rig's modules, mounts the host
# root read-only at /host and the results export at /results, runs every
# /payload/suites/*.sh in order, then powers off. Lines starting with
# "MDPY-RIG:" are markers that tests/vm/boot.sh reads from the console.
export PATH=/payload/bin:/bin:/sbin:/usr/bin:/usr/sbin
export HOME=/root

mkdir -p /proc /sys /dev /tmp /run /host /results /root
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mkdir -p /dev/pts /dev/shm
mount -t devpts devpts /dev/pts
mount -t tmpfs tmpfs /dev/shm
mount -t tmpfs tmpfs /tmp
mount -t tmpfs tmpfs /run
# Debugfs/tracefs are cheap and let suites look at driver state if they want.
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null

# shellcheck source=/dev/null
. /etc/rig.env
export KVER
echo "MDPY-RIG: init kver=$KVER krel=$(uname -r) uptime=$(cut -d' ' -f1 /proc/uptime)"

# From here on every kernel message reaches the console (driver pr_info too),
# so the host sees warnings even if the VM dies before dmesg is saved.
echo 8 >/proc/sys/kernel/printk

ready=1
# Modules in dependency order, as computed on the host by initramfs.sh.
while read -r ko; do
	[ -n "$ko" ] || continue
	if ! insmod "/lib/rig-modules/$ko"; then
		echo "MDPY-RIG: insmod-failed $ko"
		ready=0
	fi
done </lib/rig-modules/order

mount9p() {
	# $1 tag, $2 mount point, $3 extra options
	if ! mount -t 9p -o "trans=virtio,version=9p2000.L,msize=512000$3" "$1" "$2"; then
		echo "MDPY-RIG: mount-failed $1"
		ready=0
	fi
}
mount9p hostroot /host ",ro"
mount9p results /results ""

# Mount points so `chroot /host CMD` works (see /payload/lib/hostchroot.sh).
/payload/lib/hostchroot.sh --setup || ready=0

export MDPY_KO=/payload/mdpy.ko RESULTS=/results PAYLOAD=/payload HOSTROOT=/host

if [ "$ready" = 1 ]; then
	echo "MDPY-RIG: ready"
else
	echo "MDPY-RIG: not-ready"
fi

finish() {
	dmesg >/results/dmesg.txt 2>/dev/null
	sync
	umount /results 2>/dev/null
	echo "MDPY-RIG: done uptime=$(cut -d' ' -f1 /proc/uptime)"
	poweroff -f
	sleep 5
}

if [ "$RIG_MODE" = shell ]; then
	cat <<EOF

mdpy VM shell ($KVER, $(uname -r)). Modules loaded, host root at /host (ro),
results at /results. Env: MDPY_KO=$MDPY_KO RESULTS=$RESULTS PAYLOAD=$PAYLOAD
Host binaries: /payload/lib/hostchroot.sh qemu-system-x86_64 --version
Suites: ls /payload/suites. Exit the shell to power off.

EOF
	# cttyhack gives the shell a controlling tty so ^C works.
	setsid cttyhack sh -l
	finish
fi

# shellcheck source=tests/vm/tap.sh
. /payload/lib/tap.sh

# One suite: its own session (so a timeout kills all it started), output to
# the console and /results/NN-name.log, a rig TAP file with the outcome.
run_suite() {
	s=$1
	name=$(basename "$s" .sh)
	# A suite may ask for more (or less) time: "# vm-timeout: SECONDS".
	limit=$(sed -n 's/^# *vm-timeout: *\([0-9][0-9]*\).*/\1/p' "$s" | head -n1)
	[ -n "$limit" ] || limit=$SUITE_TIMEOUT
	echo "MDPY-RIG: suite-start $name timeout=${limit}s"
	rm -f "/tmp/timeout.$name"
	start=$(cut -d' ' -f1 /proc/uptime)
	# shellcheck disable=SC2016 # $0/$1 belong to the inner sh
	setsid sh -c 'set -o pipefail; sh "$0" 2>&1 | tee "$1"' "$s" "/results/$name.log" </dev/null &
	pid=$!
	(
		# Killed when the suite ends in time: take the sleep along.
		trap 'kill "$sl" 2>/dev/null; exit 0' TERM
		sleep "$limit" &
		sl=$!
		wait "$sl"
		touch "/tmp/timeout.$name"
		kill -KILL -- "-$pid" 2>/dev/null
	) &
	wd=$!
	wait "$pid"
	rc=$?
	kill "$wd" 2>/dev/null
	wait "$wd" 2>/dev/null
	# Leftovers (e.g. a background QEMU) must not hold the device for the next suite.
	kill -KILL -- "-$pid" 2>/dev/null
	end=$(cut -d' ' -f1 /proc/uptime)
	secs=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.1f", b - a }')
	tap_open "/results/$name.rig.tap" quiet
	if [ -e "/tmp/timeout.$name" ]; then
		tap_fail "suite $name finished" "timed out after ${limit}s"
	elif [ "$rc" -eq 0 ]; then
		tap_ok "suite $name finished (${secs}s)"
	else
		tap_fail "suite $name finished" "exit status $rc"
	fi
	if [ -s "/results/$name.tap" ]; then
		tap_ok "suite $name wrote $name.tap"
	else
		tap_fail "suite $name wrote $name.tap"
	fi
	tap_done
	echo "MDPY-RIG: suite-end $name rc=$rc secs=$secs"
}

for s in /payload/suites/*.sh; do
	[ -e "$s" ] || continue
	run_suite "$s"
done
finish
