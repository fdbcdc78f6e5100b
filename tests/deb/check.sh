#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# check.sh [OUT_DIR] - prove the Debian packages (`make check-deb`): build
# them with `make deb`, lint them, then install mdpy-dkms with apt in a
# Debian 12 chroot (tests/deb/chroot.sh) that has the headers of the test
# kernels 6.1 and 6.12 and of the 6.1 cloud flavour (no CONFIG_VFIO_MDEV):
#   - DKMS builds and installs mdpy for 6.1 and 6.12 and skips the cloud
#     kernel, saying why, without failing the install;
#   - each installed mdpy.ko boots in the test VM (tests/vm/run.sh --ko)
#     and passes the smoke and conformance suites (05-smoke, 2*-uapi-*);
#   - apt-get purge removes it from every kernel;
#   - mdpy-drm-dkms builds for 6.1 and 6.12 and is purged the same way.
# TAP in OUT_DIR/deb.tap (default build/results/deb), the VM runs in
# OUT_DIR/vm-KVER; last line "N passed, N failed, N skipped".  Needs root.
# Env: DEB_KVERS (default "6.1 6.12"), DEB_VM=0 skips the VM runs (a
# quick check of the packaging alone), MDPY_CACHE.
set -uo pipefail

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$TOP" || exit 1
OUT=${1:-build/results/deb}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
kvers=${DEB_KVERS:-6.1 6.12}
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

if ! command -v lintian >/dev/null; then
	tap_skip "lintian: no errors or warnings" "lintian is not installed"
elif lintian --fail-on error,warning "${debs[@]}" >"$OUT/lintian.log" 2>&1; then
	tap_ok "lintian: no errors or warnings"
else
	tap_fail "lintian: no errors or warnings"
	tap_diag "$(grep -v 'root privileges' "$OUT/lintian.log")"
fi

# The headers packages of the very kernels the VM boots, and the cloud
# flavour of the 6.1 ABI.
krels=()
for k in $kvers; do
	krel=$(tests/vm/fetch.sh "$k" 2>>"$OUT/fetch.log" | sed -n 's/^KREL=//p')
	[ -n "$krel" ] || { tap_fail "fetch kernel $k"; finish; }
	krels+=("$krel")
done
cloud=${krels[0]%-amd64}-cloud-amd64
hdrs=()
for krel in "${krels[@]}" "$cloud"; do
	hdrs+=("linux-headers-$krel")
done
if R=$($CH prepare "${hdrs[@]}"); then
	tap_ok "Debian 12 chroot with ${hdrs[*]}"
else
	tap_fail "Debian 12 chroot with ${hdrs[*]}"
	finish
fi
inroot() { $CH run "$@"; }

# Left over from an interrupted run
inroot apt-get purge -y -q mdpy-dkms mdpy-drm-dkms >/dev/null 2>&1

# dkms status line of MODULE for KREL, e.g. "mdpy/0.1.0, 6.1.0-57-amd64, x86_64: installed"
status() { inroot dkms status -m "$1" -k "$2" 2>/dev/null; }

cp "${debs[@]}" "$R/tmp/"
log "apt-get install ./mdpy-dkms_${ver}_all.deb"
if inroot apt-get install -y -q --no-install-recommends "/tmp/mdpy-dkms_${ver}_all.deb" \
	>"$OUT/install.log" 2>&1; then
	tap_ok "apt-get install mdpy-dkms"
else
	tap_fail "apt-get install mdpy-dkms"
	tap_diag "$(tail -n 30 "$OUT/install.log")"
fi
for krel in "${krels[@]}"; do
	s=$(status mdpy "$krel")
	if [[ $s == "mdpy/$ver, $krel, x86_64: installed"* ]]; then
		tap_ok "dkms status: mdpy installed for $krel"
	else
		tap_fail "dkms status: mdpy installed for $krel" "status: '$s'"
	fi
done

# The cloud kernel has no CONFIG_VFIO_MDEV: skipped, and the log says so.
cfg=$R/usr/src/linux-headers-$cloud/.config
if [ ! -f "$cfg" ] || grep -q '^CONFIG_VFIO_MDEV=' "$cfg"; then
	tap_skip "cloud kernel skipped" "$cloud headers missing or with CONFIG_VFIO_MDEV"
else
	s=$(status mdpy "$cloud")
	if ls "$R/lib/modules/$cloud/updates/dkms/"mdpy.ko* >/dev/null 2>&1 ||
		[[ $s == *installed* ]]; then
		tap_fail "cloud kernel ($cloud, no CONFIG_VFIO_MDEV) skipped" "status '$s'"
	elif grep -q "$cloud.*CONFIG_VFIO_MDEV" "$OUT/install.log"; then
		tap_ok "cloud kernel ($cloud, no CONFIG_VFIO_MDEV) skipped, and the install says why"
	else
		tap_fail "cloud kernel skipped, and the install says why" \
			"no line naming $cloud and CONFIG_VFIO_MDEV in install.log"
	fi
fi

# The installed modules, in the test VM
i=0
for k in $kvers; do
	krel=${krels[$i]}
	i=$((i + 1))
	ko=$(find "$R/lib/modules/$krel/updates/dkms" -name "mdpy.ko*" -print -quit 2>/dev/null)
	if [ -z "$ko" ]; then
		tap_fail "installed mdpy.ko passes smoke and conformance on $k" "no mdpy.ko for $krel"
		continue
	fi
	mkdir -p "$OUT/ko-$k"
	case $ko in
	*.xz) xz -dc "$ko" >"$OUT/ko-$k/mdpy.ko" ;;
	*.zst) zstd -qdc "$ko" >"$OUT/ko-$k/mdpy.ko" ;;
	*) cp "$ko" "$OUT/ko-$k/mdpy.ko" ;;
	esac
	if [ "${DEB_VM:-1}" = 0 ]; then
		tap_skip "installed mdpy.ko passes smoke and conformance on $k" "DEB_VM=0"
		continue
	fi
	log "boot $k with $ko"
	if tests/vm/run.sh --ko "$OUT/ko-$k/mdpy.ko" --part vm --part uapi "$k" "$OUT/vm-$k" \
		'05-*' '2*' >"$OUT/vm-$k.log" 2>&1; then
		tap_ok "installed mdpy.ko passes smoke and conformance on $k"
	else
		tap_fail "installed mdpy.ko passes smoke and conformance on $k" "see $OUT/vm-$k.log"
	fi
done

log "apt-get purge mdpy-dkms"
if inroot apt-get purge -y -q mdpy-dkms >"$OUT/purge.log" 2>&1; then
	tap_ok "apt-get purge mdpy-dkms"
else
	tap_fail "apt-get purge mdpy-dkms"
	tap_diag "$(tail -n 20 "$OUT/purge.log")"
fi
left=$(cd "$R" && ls -d lib/modules/*/updates/dkms/mdpy.ko* usr/src/mdpy-[0-9]* var/lib/dkms/mdpy 2>/dev/null)
if [ -z "$left" ] && [ -z "$(inroot dkms status -m mdpy 2>/dev/null)" ]; then
	tap_ok "purge removes mdpy from every kernel"
else
	tap_fail "purge removes mdpy from every kernel"
	tap_diag "$left"
fi

# The guest driver: built for the same kernels, purged the same way.
log "apt-get install ./mdpy-drm-dkms_${ver}_all.deb"
if inroot apt-get install -y -q --no-install-recommends "/tmp/mdpy-drm-dkms_${ver}_all.deb" \
	>"$OUT/install-drm.log" 2>&1; then
	tap_ok "apt-get install mdpy-drm-dkms"
else
	tap_fail "apt-get install mdpy-drm-dkms"
	tap_diag "$(tail -n 30 "$OUT/install-drm.log")"
fi
for krel in "${krels[@]}"; do
	s=$(status mdpy-drm "$krel")
	if [[ $s == "mdpy-drm/$ver, $krel, x86_64: installed"* ]]; then
		tap_ok "dkms status: mdpy-drm installed for $krel"
	else
		tap_fail "dkms status: mdpy-drm installed for $krel" "status: '$s'"
	fi
done
inroot apt-get purge -y -q mdpy-drm-dkms >"$OUT/purge-drm.log" 2>&1
left=$(cd "$R" && ls -d lib/modules/*/updates/dkms/mdpy-drm.ko* usr/src/mdpy-drm-* var/lib/dkms/mdpy-drm 2>/dev/null)
if [ -z "$left" ]; then
	tap_ok "purge removes mdpy-drm from every kernel"
else
	tap_fail "purge removes mdpy-drm from every kernel"
	tap_diag "$left"
fi
rm -f "$R/tmp/"mdpy-*.deb
finish
