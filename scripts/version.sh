#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Print mdpy's version: the release in VERSION, plus, in a git checkout with
# commits after the one that last changed VERSION, "+gitN.HASH" (N commits
# on top, HASH the current commit).  dpkg sorts such snapshots after the
# release and before the next one, and a tarball without .git gets the
# plain release.  Never contains "-": the packages are native.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
v=$(cat "$top/VERSION")
if git -C "$top" rev-parse --verify -q HEAD >/dev/null 2>&1; then
	base=$(git -C "$top" log -1 --format=%H -- VERSION)
	if [ -n "$base" ]; then
		n=$(git -C "$top" rev-list --count "$base..HEAD")
		[ "$n" -eq 0 ] || v="$v+git$n.$(git -C "$top" rev-parse --short=7 HEAD)"
	fi
fi
echo "$v"
