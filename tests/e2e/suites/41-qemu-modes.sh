#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# VM suite: the nested guest changes mode through the mode capability on
# an instance of a user-defined 2560x1440 type (640x480, 1920x1080, the
# type's full size, 800x600, a refusal, reset); each screendump must have
# the new size and the card drawn at it.  See tests/e2e/README.md.
# shellcheck source=tests/e2e/suites/lib.sh
. "$PAYLOAD/e2e/lib.sh"

insmod "$MDPY_KO" types=2560x1440 || fail "insmod mdpy.ko types=2560x1440"
nested modes --type 2560x1440 --tap "$rdir/$name.tap" \
	--dumpdir /tmp/e2e-dumps --faildir "$rdir/$name-failed"
rc=$?
if ! rmmod mdpy; then
	echo "$name: rmmod mdpy failed" >&2
	rc=1
fi
exit $rc
