#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# check.sh KVER OUT_DIR [--shell] - the whole test run on one kernel:
#   fetch kernel -> build mdpy.ko -> assemble payload -> boot -> summarize.
#
# The payload (OUT_DIR/payload) is mdpy.ko plus whatever every
# tests/*/vm-payload.sh adds; each is called as `vm-payload.sh KVER PAYLOAD_DIR`
# and copies static programs to PAYLOAD_DIR/bin, suites to PAYLOAD_DIR/suites.
# Host-side steps are reported in OUT_DIR/host/00-host.tap, the VM's in
# OUT_DIR/results/*.tap. Exit status non-zero if anything failed.
# --shell boots an interactive shell with the same payload instead of suites.
# Env: VM_SUITES (glob list) runs only some suites; see below.
set -euo pipefail

usage() { echo "usage: check.sh KVER OUT_DIR [--shell]" >&2; exit 2; }
[ $# -ge 2 ] || usage
KVER=$1
mkdir -p "$2"
OUT=$(cd "$2" && pwd)
SHELL_MODE=${3:-}
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOP=$(cd "$HERE/../.." && pwd)

log() { echo "[vm $KVER] $*" >&2; }
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1fs", b - a }'; }
T0=$(now)

PAYLOAD=$OUT/payload
HOST=$OUT/host
rm -rf "$PAYLOAD" "$HOST"
mkdir -p "$PAYLOAD/bin" "$PAYLOAD/suites" "$HOST"
n=0
fails=0
tap() { # tap OK|FAIL name
	n=$((n + 1))
	if [ "$1" = OK ]; then echo "ok $n - $2"; else fails=$((fails + 1)); echo "not ok $n - $2"; fi >>"$HOST/00-host.tap"
}
finish_host_tap() { echo "1..$n" >>"$HOST/00-host.tap"; }

t=$(now)
log "download"
if ! "$TOP/tests/vm/fetch.sh" "$KVER" >"$HOST/fetch.env"; then
	tap FAIL "fetch kernel $KVER"
	finish_host_tap
	"$TOP/tests/tap-summary" "$OUT" || true
	exit 1
fi
tap OK "fetch kernel $KVER"
log "download done in $(since "$t")"

t=$(now)
log "build"
if ko=$("$TOP/tests/vm/build-ko.sh" "$KVER" 2>"$HOST/build-ko.log"); then
	cp "$ko" "$PAYLOAD/mdpy.ko"
	tap OK "build mdpy.ko for $KVER"
	log "build done in $(since "$t")"
else
	tap FAIL "build mdpy.ko for $KVER"
	log "build FAILED; last lines of $HOST/build-ko.log:"
	tail -n 25 "$HOST/build-ko.log" | sed 's/^/    /' >&2
	if [ "$SHELL_MODE" != --shell ]; then
		# Every suite needs the module: no point booting.
		finish_host_tap
		"$TOP/tests/tap-summary" "$OUT" || true
		exit 1
	fi
fi

t=$(now)
for p in "$TOP"/tests/*/vm-payload.sh; do
	[ -x "$p" ] || continue
	part=$(basename "$(dirname "$p")")
	log "payload $part"
	if "$p" "$KVER" "$PAYLOAD" >"$HOST/payload-$part.log" 2>&1; then
		tap OK "payload from tests/$part"
	else
		tap FAIL "payload from tests/$part"
		tail -n 15 "$HOST/payload-$part.log" | sed 's/^/    /' >&2
	fi
done
# VM_SUITES="21-* 40-*" keeps only matching suites (and the rig's own): a
# quick re-run of what a change touches.  make check never sets it.
if [ -n "${VM_SUITES:-}" ]; then
	set -f	# split the list into words, but let keep-suites.sh match the globs
	# shellcheck disable=SC2086
	"$TOP/tests/vm/keep-suites.sh" "$PAYLOAD" $VM_SUITES
	set +f
fi
log "payload done in $(since "$t"): $(cd "$PAYLOAD/suites" && ls | tr '\n' ' ')"

if [ "$SHELL_MODE" = --shell ]; then
	finish_host_tap
	exec "$TOP/tests/vm/boot.sh" "$KVER" "$PAYLOAD" "$OUT" --shell
fi

t=$(now)
boot_rc=0
"$TOP/tests/vm/boot.sh" "$KVER" "$PAYLOAD" "$OUT" || boot_rc=$?
log "boot+suites done in $(since "$t") (status $boot_rc)"
# boot.sh judges the VM in results/00-rig.tap; if it died before writing
# that (e.g. initramfs failed), the failure must still show in the counts.
if [ -s "$OUT/results/00-rig.tap" ]; then
	tap OK "boot.sh ran"
else
	tap FAIL "boot.sh ran (status $boot_rc, no results/00-rig.tap)"
fi
finish_host_tap

echo "== $KVER results ($OUT)"
sum_rc=0
"$TOP/tests/tap-summary" "$HOST" "$OUT/results" || sum_rc=$?
log "total $(since "$T0")"
[ "$boot_rc" -eq 0 ] && [ "$sum_rc" -eq 0 ] && [ "$fails" -eq 0 ]
