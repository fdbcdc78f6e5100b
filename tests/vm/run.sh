#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# run.sh [OPTIONS] KVER OUT_DIR [SUITE...] - the one VM test run on one
# kernel, used by every target that boots a VM (make check, vm-check, stress,
# guest, run, check-qemu10, bench, the e2e mutants):
#   fetch kernel -> build mdpy.ko -> assemble payload -> boot -> summary.
#
# The payload (OUT_DIR/payload) is mdpy.ko plus what each part's
# tests/PART/vm-payload.sh adds (called as `vm-payload.sh KVER PAYLOAD_DIR`:
# static programs to PAYLOAD_DIR/bin, suites to PAYLOAD_DIR/suites), plus the
# contents of every --add DIR.  Host-side steps are reported in
# OUT_DIR/host/00-host.tap, the VM's in OUT_DIR/results/*.tap; the last line
# is tests/tap-summary's "N passed, N failed, N skipped" and the exit status
# is non-zero if anything failed.
#
# Options:
#   --part PART   only this part's payload (repeatable; default: every
#                 tests/*/vm-payload.sh)
#   --no-parts    no part's payload at all (only --add)
#   --add DIR     copy DIR's files into the payload after the parts
#                 (repeatable; e.g. DIR/suites/50-bench.sh, DIR/bin/prog)
#   --qemu10      the nested QEMU of the e2e suites is QEMU 10.0 from
#                 bookworm-backports (tests/vm/fetch-qemu10.sh); their
#                 results are named *-qemu10
#   --shell       boot to an interactive shell with the same payload instead
#                 of running the suites (needs a terminal)
#   --ko PATH     test this prebuilt mdpy.ko (e.g. one DKMS installed)
#                 instead of building the tree's; its vermagic must be the
#                 kernel's
#   SUITE...      names or globs (e.g. "21-*" 72-guest-mdpyfb): keep only
#                 these suites (and the rig's own 01-rig); VM_SUITES="..."
#                 does the same from the environment.
# Every other knob is the environment of the step that reads it: VM_* for
# boot.sh, KO_MAKE_ARGS / MDPY_KO_OUT / MDPY_SRCTOP for build-ko.sh, and each
# part's own (E2E_*, GUEST_*, MDPY_STRESS*) for its vm-payload.sh.
set -euo pipefail

usage() {
	echo "usage: run.sh [--part PART]... [--no-parts] [--add DIR]... [--qemu10] [--shell] [--ko PATH] KVER OUT_DIR [SUITE...]" >&2
	exit 2
}
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOP=$(cd "$HERE/../.." && pwd)

parts=()
all_parts=1
adds=()
qemu10=
SHELL_MODE=
prebuilt=
while [ $# -gt 0 ]; do
	case $1 in
	--part)
		[ $# -ge 2 ] || usage
		[ -x "$TOP/tests/$2/vm-payload.sh" ] || { echo "run.sh: no tests/$2/vm-payload.sh" >&2; exit 2; }
		parts+=("$2")
		all_parts=
		shift 2 ;;
	--no-parts) all_parts=; shift ;;
	--add)
		if [ $# -lt 2 ] || [ ! -d "$2" ]; then usage; fi
		adds+=("$(cd "$2" && pwd)")
		shift 2 ;;
	--qemu10) qemu10=1; shift ;;
	--shell) SHELL_MODE=1; shift ;;
	--ko)
		if [ $# -lt 2 ] || [ ! -f "$2" ]; then usage; fi
		prebuilt=$(cd "$(dirname "$2")" && pwd)/$(basename "$2")
		shift 2 ;;
	--) shift; break ;;
	-*) usage ;;
	*) break ;;
	esac
done
[ $# -ge 2 ] || usage
KVER=$1
mkdir -p "$2"
OUT=$(cd "$2" && pwd)
shift 2
suites=("$@")
if [ ${#suites[@]} -eq 0 ] && [ -n "${VM_SUITES:-}" ]; then
	# make check never sets VM_SUITES: it is for a quick re-run of what a
	# change touches.  Split into words, but leave the globs to keep-suites.sh.
	set -f
	# shellcheck disable=SC2206 # a list of globs, matched later
	suites=($VM_SUITES)
	set +f
fi
if [ -n "$all_parts" ]; then
	for p in "$TOP"/tests/*/vm-payload.sh; do
		[ -x "$p" ] && parts+=("$(basename "$(dirname "$p")")")
	done
fi

log() { echo "[vm $KVER] $*" >&2; }
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1fs", b - a }'; }
T0=$(now)

PAYLOAD=$OUT/payload
HOST=$OUT/host
rm -rf "$PAYLOAD" "$HOST"
mkdir -p "$PAYLOAD/bin" "$PAYLOAD/suites" "$HOST"
# shellcheck source=tests/vm/tap.sh
. "$HERE/tap.sh"
tap_open "$HOST/00-host.tap" quiet
# give_up: the run cannot go on; the host TAP says why.
give_up() {
	tap_done || true
	"$TOP/tests/tap-summary" "$OUT" || true
	exit 1
}

t=$(now)
log "download"
if ! "$HERE/fetch.sh" "$KVER" >"$HOST/fetch.env"; then
	tap_fail "fetch kernel $KVER"
	give_up
fi
tap_ok "fetch kernel $KVER"
log "download done in $(since "$t")"

if [ -n "$qemu10" ]; then
	if ! q10=$("$HERE/fetch-qemu10.sh"); then
		tap_fail "fetch QEMU 10.0"
		give_up
	fi
	eval "$q10"
	# shellcheck disable=SC2153 # QEMU10 and QEMU10_L come from the eval
	export E2E_QEMU=$QEMU10 E2E_QEMU_L=$QEMU10_L E2E_SUFFIX=-qemu10
	log "nested QEMU: $("$QEMU10" --version | head -n 1)"
fi

t=$(now)
if [ -n "$prebuilt" ]; then
	krel=$(sed -n 's/^KREL=//p' "$HOST/fetch.env")
	vm=$(modinfo -F vermagic "$prebuilt" 2>/dev/null | cut -d' ' -f1)
	if [ "$vm" = "$krel" ]; then
		cp "$prebuilt" "$PAYLOAD/mdpy.ko"
		tap_ok "prebuilt mdpy.ko for $KVER ($prebuilt)"
	else
		tap_fail "prebuilt mdpy.ko for $KVER" "vermagic '$vm' of $prebuilt is not $krel"
		give_up
	fi
elif log "build" && ko=$("$HERE/build-ko.sh" "$KVER" 2>"$HOST/build-ko.log"); then
	cp "$ko" "$PAYLOAD/mdpy.ko"
	tap_ok "build mdpy.ko for $KVER"
	log "build done in $(since "$t")"
else
	tap_fail "build mdpy.ko for $KVER"
	log "build FAILED; last lines of $HOST/build-ko.log:"
	tail -n 25 "$HOST/build-ko.log" | sed 's/^/    /' >&2
	# Every suite needs the module: no point booting (a shell still helps).
	[ -n "$SHELL_MODE" ] || give_up
fi

t=$(now)
for part in "${parts[@]}"; do
	log "payload $part"
	if "$TOP/tests/$part/vm-payload.sh" "$KVER" "$PAYLOAD" >"$HOST/payload-$part.log" 2>&1; then
		tap_ok "payload from tests/$part"
	else
		tap_fail "payload from tests/$part"
		tail -n 15 "$HOST/payload-$part.log" | sed 's/^/    /' >&2
	fi
done
for d in "${adds[@]}"; do
	cp -a "$d/." "$PAYLOAD/"
done
if [ ${#suites[@]} -gt 0 ] && ! "$HERE/keep-suites.sh" "$PAYLOAD" "${suites[@]}"; then
	tap_fail "suites to run: ${suites[*]}"
	give_up
fi
names=
for s in "$PAYLOAD"/suites/*.sh; do
	[ -e "$s" ] && names="$names $(basename "$s")"
done
log "payload done in $(since "$t"):$names"

if [ -n "$SHELL_MODE" ]; then
	tap_done || true
	exec "$HERE/boot.sh" "$KVER" "$PAYLOAD" "$OUT" --shell
fi

t=$(now)
boot_rc=0
"$HERE/boot.sh" "$KVER" "$PAYLOAD" "$OUT" || boot_rc=$?
log "boot+suites done in $(since "$t") (status $boot_rc)"
# boot.sh judges the VM in results/00-rig.tap; if it died before writing
# that (e.g. initramfs failed), the failure must still show in the counts.
if [ -s "$OUT/results/00-rig.tap" ]; then
	tap_ok "boot.sh ran"
else
	tap_fail "boot.sh ran (status $boot_rc, no results/00-rig.tap)"
fi
host_rc=0
tap_done || host_rc=1

echo "== $KVER results ($OUT)"
sum_rc=0
"$TOP/tests/tap-summary" "$HOST" "$OUT/results" || sum_rc=$?
log "total $(since "$T0")"
[ "$boot_rc" -eq 0 ] && [ "$sum_rc" -eq 0 ] && [ "$host_rc" -eq 0 ]
