# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
#
# The common head of the VM suites (busybox sh in the test VM), installed as
# /payload/lib/suite.sh beside the TAP writer (tap.sh), which it sources:
#   . /payload/lib/suite.sh
# sets
#   name   the suite's file name without .sh (so one file can serve under
#          several names: 2N-uapi-PROG, 40-qemu-display-qemu10)
#   tap    $RESULTS/$name.tap, the TAP file the rig expects
#   rdir   the results dir as seen inside the host chroot (hostchroot.sh
#          binds /results at /tmp/results), for programs run there
# and defines fail, tap_prog and mdpy_clean below.
# shellcheck disable=SC2034 # name, tap and rdir are for the sourcing suite

name=$(basename "$0" .sh)
tap=$RESULTS/$name.tap
rdir=/tmp/results${RESULTS#/results}

# shellcheck source=tests/vm/tap.sh
. /payload/lib/tap.sh

# fail WHAT: the suite cannot go on; its TAP says what failed.
fail() {
	tap_one_fail "$tap" "$1"
	exit 1
}

# tap_prog CMD...: run a program that writes TAP on stdout into $tap.  Its
# status is 0 when all passed and 1 when some failed; anything else means it
# died mid-way with a short plan, so the file gets a "Bail out!" line that
# every TAP reader counts as a failure.  Returns the program's status.
tap_prog() {
	"$@" >"$tap"
	_rc=$?
	[ "$_rc" -le 1 ] || tap_bail "$tap" "${1##*/} exited with status $_rc"
	echo "$name: ${1##*/} exit status $_rc"
	return "$_rc"
}

# mdpy_clean: remove every mdev instance and unload mdpy, so the next suite
# starts from nothing; fails if the module will not go.
mdpy_clean() {
	for _d in /sys/bus/mdev/devices/*; do
		[ ! -e "$_d/remove" ] || echo 1 >"$_d/remove"
	done
	[ -d /sys/module/mdpy ] || return 0
	rmmod mdpy && return 0
	echo "$name: rmmod mdpy failed" >&2
	return 1
}
