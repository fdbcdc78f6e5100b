#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# fetch-trixie.sh KVER - the fetch.sh step for kernels from trixie-backports
# (KVER=7.3): same contract and cache layout as fetch.sh, whose KVER case
# hands over to this script.
#
# The newest linux-image-KVER.*+deb13-amd64 is a meta package; its content
# is in linux-binary-, linux-modules- and linux-base- packages, all under
# usr/lib/modules/<release>/ (vmlinuz too), without modules.dep. Those and
# the headers (-amd64, -common) and linux-kbuild- debs are downloaded with the
# trixie chroot's apt (tests/vm/trixie-chroot.sh; the host's apt knows no
# trixie) and unpacked into build/cache/kver-KVER/root, never installed.
# The kernel's build tools only run in that chroot, so the stamp carries one
# more assignment: KMAKE=tests/vm/trixie-make.sh (make inside the chroot;
# paths are the same there). Consumers run "${KMAKE:-make}" -C "$KDIR" ...
#
# stdout: KREL= KDIR= VMLINUZ= MODROOT= KMAKE=   stderr: "[fetch KVER] ...".
set -euo pipefail

KVER=${1:?usage: fetch-trixie.sh KVER (7.3)}
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOP=$(cd "$HERE/../.." && pwd)
CH=$HERE/trixie-chroot.sh
KMAKE=$HERE/trixie-make.sh
# apt inside the chroot; its cwd must be inside this tree to be visible.
apt_run() { (cd "$DEBS" && "$CH" run "$@"); }
# shellcheck source=tests/vm/fetch-lib.sh
. "$HERE/fetch-lib.sh"

case $KVER in
7.3) ;;
*) die "fetch-trixie.sh knows 7.3 only, not '$KVER'" ;;
esac

fetch_cached
mkdir -p "$DEBS" "$DEST"
"$CH" root >/dev/null

# linux-image-7.3.* is a meta package: the kernel is in linux-binary-,
# linux-modules- and linux-base-.
fetch_newest "$KVER" deb13 linux-binary-@-amd64 linux-modules-@-amd64 \
	linux-base-@-amd64 linux-kbuild-@ || die "the trixie chroot's apt knows no $KVER kernel"

# C=1/C=2 first asks scripts/checker-valid.sh whether the checker is
# there and new enough; the kbuild package lacks the script, and the
# Makefile then runs a checker that may not parse these headers. Ours
# prints 1 only if the checker silently accepts a small file casting
# with __typeof_unqual__ (all over 7.x headers; Debian's sparse 0.6.4
# cannot), so an old sparse is reported by the Makefile and skipped.
cv=${KDIR%-amd64}-common/scripts/checker-valid.sh
if [ ! -e "$cv" ]; then
	cat >"$cv" <<'EOF'
#!/bin/sh
# Written by mdpy's tests/vm/fetch-trixie.sh (the package has none).
command -v "$1" >/dev/null 2>&1 || exit 0
# sparse exits 0 after errors: any message means it cannot check this.
out=$(printf 'int main(void)\n{\n\tconst int a = 0;\n\n\treturn (__typeof_unqual__(a))a;\n}\n' |
	"$@" - 2>&1) && [ -z "$out" ] && echo 1
exit 0
EOF
	chmod 0755 "$cv"
fi

fetch_done
