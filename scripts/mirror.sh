#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Mirror source files into a build directory as symlinks, one per file, so
# Kbuild can build the same tree for several kernels at once: objects land
# beside the links, never in the source tree.  Usage: mirror.sh DIR FILE...
set -eu
dir=$1
shift
top=$(pwd)
mkdir -p "$dir"
for f in "$@"; do
	mkdir -p "$dir/$(dirname "$f")"
	ln -sfn "$top/$f" "$dir/$f"
done
