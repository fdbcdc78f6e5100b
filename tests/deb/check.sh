#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# check.sh [OUT_DIR] - prove the Debian packages (`make check-deb`): build
# them with `make deb`, lint them, then install them with apt the way a user
# does, in two chroots (tests/deb/chroot.sh):
#   Debian 12 (bookworm) with the headers of the test kernels 6.1 and 6.12
#   and of the 6.1 cloud flavour (no CONFIG_VFIO_MDEV), and Debian 13
#   (trixie) with the headers of the test kernel 7.3 (trixie-backports):
#   - DKMS builds and installs mdpy for each test kernel, and skips the
#     cloud kernel, saying why, without failing the install;
#   - each installed mdpy.ko boots in the test VM (tests/vm/run.sh --ko)
#     and passes the smoke and conformance suites (05-smoke, 2*-uapi-*);
#   - apt-get purge removes it from every kernel;
#   - mdpy-drm-dkms (the guest package) builds for each kernel, and the
#     installed mdpy-drm.ko is the guest driver of the L2 guest test
#     (70-guest-drm, GUEST_DRM_KO; the L2 guest runs the same Debian
#     kernel, so the chroot with its headers is the guest's side), on the
#     installed mdpy.ko; then it is purged the same way.
# TAP in OUT_DIR/deb.tap (default build/results/deb), the VM runs in
# OUT_DIR/vm-KVER and OUT_DIR/guest-KVER; last line "N passed, N failed,
# N skipped".  Needs root.
# Env: DEB_KVERS (Debian 12 kernels, default: tests/vm/kernels.sh deb12),
# DEB_TRIXIE_KVERS (Debian 13 kernels, default: kernels.sh deb13),
# DEB_GUEST_KVERS (kernels of the L2 guest test, default: the Debian 12
# ones; a kernel of neither list is ignored); an
# empty list skips its part.  DEB_VM=0 skips every VM run (a quick check of
# the packaging alone).  MDPY_CACHE.
set -uo pipefail

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$TOP" || exit 1
OUT=${1:-build/results/deb}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
bw_kvers=${DEB_KVERS-$(tests/vm/kernels.sh deb12)}
tx_kvers=${DEB_TRIXIE_KVERS-$(tests/vm/kernels.sh deb13)}
guest_kvers=${DEB_GUEST_KVERS-$bw_kvers}
# shellcheck source=tests/vm/tap.sh
. tests/vm/tap.sh
tap_open "$OUT/deb.tap"
log() { echo "[deb] $*" >&2; }
CH=tests/deb/chroot.sh
t0=$SECONDS

# ends the run: plan, then the summary of everything that ran
finish() {
	tap_done
	log "done in $((SECONDS - t0)) s"
	tests/tap-summary "$OUT"
	exit
}

ver=$(scripts/version.sh)
if make --no-print-directory deb >"$OUT/make-deb.log" 2>&1; then
	tap_ok "make deb builds mdpy $ver"
else
	tap_fail "make deb builds mdpy $ver"
	tap_diag "$(tail -n 20 "$OUT/make-deb.log")"
	finish
fi
debs=("build/deb/mdpy-dkms_${ver}_all.deb" "build/deb/mdpy-drm-dkms_${ver}_all.deb")

# lintian is only this target's: scripts/deps.sh installs it (as root) or
# prints the apt-get line
if ! scripts/deps.sh lintian >&2 || ! command -v lintian >/dev/null; then
	tap_fail "lintian: no errors or warnings" "lintian is not installed"
elif lintian --fail-on error,warning "${debs[@]}" >"$OUT/lintian.log" 2>&1; then
	tap_ok "lintian: no errors or warnings"
else
	tap_fail "lintian: no errors or warnings"
	tap_diag "$(grep -v 'root privileges' "$OUT/lintian.log")"
fi

# round DIST NAME KVER...: the whole proof in the DIST chroot (NAME: how
# the TAP lines call it) for the test kernels KVER...
round() {
	local dist=$1 name=$2 k krel krels=() hdrs=() cloud='' R i ko s cfg left
	shift 2
	# The headers packages of the very kernels the VM boots, and on
	# bookworm the cloud flavour of the 6.1 ABI.
	for k in "$@"; do
		krel=$(tests/vm/fetch.sh "$k" 2>>"$OUT/fetch.log" | sed -n 's/^KREL=//p')
		[ -n "$krel" ] || { tap_fail "$name: fetch kernel $k"; return; }
		krels+=("$krel")
		hdrs+=("linux-headers-$krel")
		if [ "$dist" = bookworm ] && [ "$k" = 6.1 ]; then
			cloud=${krel%-amd64}-cloud-amd64
			hdrs+=("linux-headers-$cloud")
		fi
	done
	if R=$(DEB_DIST=$dist $CH prepare "${hdrs[@]}" 2>>"$OUT/chroot-$dist.log"); then
		tap_ok "$name chroot with ${hdrs[*]}"
	else
		tap_fail "$name chroot with ${hdrs[*]}"
		tap_diag "$(tail -n 5 "$OUT/chroot-$dist.log")"
		return
	fi
	inroot() { DEB_DIST=$dist $CH run "$@"; }
	# apt_install PKG LOG: apt installs the package's .deb (copied to the
	# chroot's /tmp) in the chroot; one TAP line, the log in OUT/LOG
	apt_install() {
		log "$name: apt-get install ./$1_${ver}_all.deb"
		if inroot apt-get install -y -q --no-install-recommends "/tmp/$1_${ver}_all.deb" \
			>"$OUT/$2" 2>&1; then
			tap_ok "$name: apt-get install $1"
		else
			tap_fail "$name: apt-get install $1"
			tap_diag "$(tail -n 30 "$OUT/$2")"
		fi
	}
	# dkms status line of MODULE for KREL, e.g.
	# "mdpy/0.1.0, 6.1.0-57-amd64, x86_64: installed"
	status() { inroot dkms status -m "$1" -k "$2" 2>/dev/null; }

	# Left over from an interrupted run
	inroot apt-get purge -y -q mdpy-dkms mdpy-drm-dkms >/dev/null 2>&1

	cp "${debs[@]}" "$R/tmp/"
	apt_install mdpy-dkms "install-$dist.log"
	for krel in "${krels[@]}"; do
		s=$(status mdpy "$krel")
		if [[ $s == "mdpy/$ver, $krel, x86_64: installed"* ]]; then
			tap_ok "$name: dkms status: mdpy installed for $krel"
		else
			tap_fail "$name: dkms status: mdpy installed for $krel" "status: '$s'"
		fi
	done

	# The cloud kernel has no CONFIG_VFIO_MDEV: skipped, and the log says so.
	if [ -n "$cloud" ]; then
		cfg=$R/usr/src/linux-headers-$cloud/.config
		if [ ! -f "$cfg" ] || grep -q '^CONFIG_VFIO_MDEV=' "$cfg"; then
			tap_skip "cloud kernel skipped" "$cloud headers missing or with CONFIG_VFIO_MDEV"
		else
			s=$(status mdpy "$cloud")
			if ls "$R/lib/modules/$cloud/updates/dkms/"mdpy.ko* >/dev/null 2>&1 ||
				[[ $s == *installed* ]]; then
				tap_fail "cloud kernel ($cloud, no CONFIG_VFIO_MDEV) skipped" "status '$s'"
			elif grep -q "$cloud.*CONFIG_VFIO_MDEV" "$OUT/install-$dist.log"; then
				tap_ok "cloud kernel ($cloud, no CONFIG_VFIO_MDEV) skipped, and the install says why"
			else
				tap_fail "cloud kernel skipped, and the install says why" \
					"no line naming $cloud and CONFIG_VFIO_MDEV in install-$dist.log"
			fi
		fi
	fi

	# The installed modules, in the test VM
	i=0
	for k in "$@"; do
		krel=${krels[$i]}
		i=$((i + 1))
		if ! ko=$(installed_ko "$R" "$krel" mdpy "$k"); then
			tap_fail "installed mdpy.ko passes smoke and conformance on $k" "no mdpy.ko for $krel"
			continue
		fi
		if [ "${DEB_VM:-1}" = 0 ]; then
			tap_skip "installed mdpy.ko passes smoke and conformance on $k" "DEB_VM=0"
			continue
		fi
		log "boot $k with $ko"
		if tests/vm/run.sh --ko "$ko" --part vm --part uapi "$k" "$OUT/vm-$k" \
			'05-*' '2*' >"$OUT/vm-$k.log" 2>&1; then
			tap_ok "installed mdpy.ko passes smoke and conformance on $k"
		else
			tap_fail "installed mdpy.ko passes smoke and conformance on $k" "see $OUT/vm-$k.log"
		fi
	done

	log "$name: apt-get purge mdpy-dkms"
	if inroot apt-get purge -y -q mdpy-dkms >"$OUT/purge-$dist.log" 2>&1; then
		tap_ok "$name: apt-get purge mdpy-dkms"
	else
		tap_fail "$name: apt-get purge mdpy-dkms"
		tap_diag "$(tail -n 20 "$OUT/purge-$dist.log")"
	fi
	left=$(cd "$R" && ls -d lib/modules/*/updates/dkms/mdpy.ko* usr/src/mdpy-[0-9]* var/lib/dkms/mdpy 2>/dev/null)
	if [ -z "$left" ] && [ -z "$(inroot dkms status -m mdpy 2>/dev/null)" ]; then
		tap_ok "$name: purge removes mdpy from every kernel"
	else
		tap_fail "$name: purge removes mdpy from every kernel"
		tap_diag "$left"
	fi

	# The guest driver: built for the same kernels, the L2 guest's driver
	# in the guest test, purged the same way.
	apt_install mdpy-drm-dkms "install-drm-$dist.log"
	i=0
	for k in "$@"; do
		krel=${krels[$i]}
		i=$((i + 1))
		s=$(status mdpy-drm "$krel")
		if [[ $s == "mdpy-drm/$ver, $krel, x86_64: installed"* ]]; then
			tap_ok "$name: dkms status: mdpy-drm installed for $krel"
		else
			tap_fail "$name: dkms status: mdpy-drm installed for $krel" "status: '$s'"
		fi
		[[ " $guest_kvers " == *" $k "* ]] && guest "$R" "$k" "$krel"
	done
	inroot apt-get purge -y -q mdpy-drm-dkms >"$OUT/purge-drm-$dist.log" 2>&1
	left=$(cd "$R" && ls -d lib/modules/*/updates/dkms/mdpy-drm.ko* usr/src/mdpy-drm-* var/lib/dkms/mdpy-drm 2>/dev/null)
	if [ -z "$left" ]; then
		tap_ok "$name: purge removes mdpy-drm from every kernel"
	else
		tap_fail "$name: purge removes mdpy-drm from every kernel"
		tap_diag "$left"
	fi
	rm -f "$R/tmp/"mdpy-*.deb
}

# installed_ko ROOT KREL MODULE KVER: copy MODULE.ko that DKMS installed in
# ROOT for KREL to OUT/ko-KVER/MODULE.ko, uncompressed (the rig inserts
# plain modules), and print that path.
installed_ko() {
	local ko
	ko=$(find "$1/lib/modules/$2/updates/dkms" -name "$3.ko*" -print -quit 2>/dev/null)
	[ -n "$ko" ] || return 1
	mkdir -p "$OUT/ko-$4"
	case $ko in
	*.xz) xz -dc "$ko" ;;
	*.zst) zstd -qdc "$ko" ;;
	*) cat "$ko" ;;
	esac >"$OUT/ko-$4/$3.ko" || return 1
	echo "$OUT/ko-$4/$3.ko"
}

# guest ROOT KVER KREL: the L2 guest test (70-guest-drm) with the mdpy-drm.ko
# the package installed in ROOT as the L2 guest's driver, on the mdpy.ko the
# host package installed (kept from the smoke run).
guest() {
	local gko hko="$OUT/ko-$2/mdpy.ko" what="installed mdpy-drm.ko drives the L2 guest display on $2"
	local initrd="$TOP/build/guest-l2/$2-prebuilt/initrd.cpio"
	if ! gko=$(installed_ko "$1" "$3" mdpy-drm "$2"); then
		tap_fail "$what" "no mdpy-drm.ko for $3"
		return
	fi
	if [ "${DEB_VM:-1}" = 0 ]; then
		tap_skip "$what" "DEB_VM=0"
		return
	fi
	[ -s "$hko" ] || { tap_fail "$what" "no installed mdpy.ko for $3"; return; }
	log "L2 guest on $2 with $gko"
	rm -f "$initrd"
	if GUEST_DRM_KO=$gko GUEST_SUITES=1 GUEST_INTEROP=0 GUEST_MIGRATE=0 \
		tests/vm/run.sh --ko "$hko" --part guest "$2" "$OUT/guest-$2" \
		70-guest-drm >"$OUT/guest-$2.log" 2>&1; then
		tap_ok "$what"
	else
		tap_fail "$what" "see $OUT/guest-$2.log"
	fi
	# What L2 booted: the initramfs must hold exactly the package's module.
	if [ -s "$initrd" ] && (cd "$OUT" && cpio -i --quiet --to-stdout mdpy-drm.ko <"$initrd") |
		cmp -s - "$gko"; then
		tap_ok "the L2 initramfs on $2 holds the installed mdpy-drm.ko"
	else
		tap_fail "the L2 initramfs on $2 holds the installed mdpy-drm.ko" "$initrd"
	fi
}

# shellcheck disable=SC2086 # lists of kernels
[ -z "$bw_kvers" ] || round bookworm "Debian 12" $bw_kvers
# shellcheck disable=SC2086
[ -z "$tx_kvers" ] || round trixie "Debian 13" $tx_kvers
finish
