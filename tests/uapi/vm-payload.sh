#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# vm-payload.sh KVER PAYLOAD_DIR - build the conformance programs and add them
# to a VM payload: PAYLOAD_DIR/bin/uapi-<prog> and one suite per program,
# PAYLOAD_DIR/suites/2N-uapi-<prog>.sh, each a copy of tests/uapi/suite.sh
# (its name says which program it runs).  The programs are static and
# talk only to the uAPI, so one build serves every kernel (KVER is unused).
#
# Each suite runs in the guest's busybox sh with MDPY_KO and RESULTS set: it
# loads mdpy.ko if needed, writes TAP to $RESULTS/2N-uapi-<prog>.tap, and
# leaves no instance and no module behind for the next suite.
set -eu
# shellcheck source=tests/vm/payload-head.sh
. "$(dirname "$0")/../vm/payload-head.sh"

make -s -C "$HERE" O="$TOP/build/uapi"

n=20
for prog in sysfs config bar ioctl migrate types mode scanout; do
	bin=$TOP/build/uapi/$prog
	name=$n-uapi-$prog
	n=$((n + 1))
	[ -x "$bin" ] || continue
	install -m 0755 "$bin" "$PAYLOAD/bin/uapi-$prog"
	install -m 0755 "$HERE/suite.sh" "$PAYLOAD/suites/$name.sh"
done
