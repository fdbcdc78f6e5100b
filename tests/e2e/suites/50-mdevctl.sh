#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# VM suite: Debian's mdevctl against mdpy (tests/e2e/mdevctl_test.py; see
# tests/e2e/README.md).
# shellcheck source=tests/e2e/suites/lib.sh
. "$PAYLOAD/e2e/lib.sh"

# mdevctl_test.py loads, reloads and unloads the module itself.
/payload/lib/hostchroot.sh python3 /tmp/payload/e2e/mdevctl_test.py \
	--ko /tmp/payload/mdpy.ko --tap "$rdir/$name.tap"
rc=$?
if grep -q '^mdpy ' /proc/modules; then
	echo "$name: mdpy still loaded after the suite" >&2
	rmmod mdpy
	rc=1
fi
exit $rc
