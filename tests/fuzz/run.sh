#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# run.sh smoke|long SECONDS TAP_FILE TARGET... - run each libFuzzer target of
# core/ for SECONDS, starting from the committed seeds (tests/fuzz/corpus/T)
# plus what earlier runs found (FUZZ_OUT/corpus/T), and write one TAP test
# per target: it fails on any crash, sanitizer report, timeout, leak or
# broken invariant.  In smoke mode one more test checks that a build with
# an injected config-space bug is caught (the invariants can fail).
# Logs: FUZZ_OUT/logs/T.log, crashes: FUZZ_OUT/artifacts/T-*.
set -uo pipefail

MODE=${1:?usage: run.sh smoke|long SECONDS TAP_FILE TARGET...}
SECS=${2:?seconds}
TAP=${3:?tap file}
shift 3
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
OUT=${FUZZ_OUT:-$HERE/../../build/fuzz}
mkdir -p "$OUT/logs" "$OUT/artifacts" "$(dirname "$TAP")"
[ "$SECS" -ge 1 ] || SECS=1

export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=0:detect_leaks=1:halt_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
BAD='INVARIANT BROKEN|ERROR: AddressSanitizer|ERROR: LeakSanitizer|runtime error:|ERROR: libFuzzer|SUMMARY: (Address|Undefined|Leak)'
FLAGS=(-timeout=10 -rss_limit_mb=2048 -print_final_stats=1)
# Longest input: a migration stream needs room for a header, two pages
# and the config; everything else is small.
max_len() {
	case $1 in
	mig) echo 12288 ;;
	*) echo 4096 ;;
	esac
}

# shellcheck source=tests/vm/tap.sh
. "$HERE/../vm/tap.sh"
tap_open "$TAP"
stat_of() { sed -n "s/^stat::$1: *//p" "$2" | tail -n 1; }

total_execs=0
for t in "$@"; do
	bin=$OUT/fuzz_$t
	log=$OUT/logs/$t.log
	work=$OUT/corpus/$t
	seeds=$HERE/corpus/$t
	mkdir -p "$work" "$seeds"
	echo "fuzz: $t for ${SECS}s ($MODE)" >&2
	"$bin" "${FLAGS[@]}" -max_len="$(max_len "$t")" -max_total_time="$SECS" \
		-artifact_prefix="$OUT/artifacts/$t-" "$work" "$seeds" >"$log" 2>&1
	rc=$?
	execs=$(stat_of number_of_executed_units "$log")
	secs=$(stat_of slowest_unit_time_sec "$log")
	cov=$(grep -o 'cov: [0-9]*' "$log" | tail -n 1 | cut -d' ' -f2)
	units=$(find "$work" -type f | wc -l)
	total_execs=$((total_execs + ${execs:-0}))
	desc="fuzz $t: ${execs:-0} execs in ${SECS}s, cov ${cov:-?}, corpus $units (slowest ${secs:-?}s)"
	if [ "$rc" -eq 0 ] && ! grep -qE "$BAD" "$log" && [ "${execs:-0}" -gt 0 ]; then
		tap_ok "$desc"
	else
		arts=$(find "$OUT/artifacts" -maxdepth 1 -name "$t-*" 2>/dev/null | sort | tr '\n' ' ')
		tap_fail "$desc (exit $rc)"
		tap_diag "$(grep -E -A12 "$BAD|deadly signal" "$log" | head -n 40)
log: $log; artifacts: $arts"
	fi
done

if [ "$MODE" = smoke ] && [ -x "$OUT/selftest_device" ]; then
	tmp=$(mktemp -d)
	log=$OUT/logs/selftest.log
	"$OUT/selftest_device" "${FLAGS[@]}" -max_len=4096 -max_total_time=5 \
		-artifact_prefix="$tmp/" "$tmp" >"$log" 2>&1
	rc=$?
	if [ "$rc" -ne 0 ] && grep -q 'INVARIANT BROKEN' "$log"; then
		tap_ok "fuzz invariants catch an injected read-only-bit bug ($(grep -m1 -o 'INVARIANT BROKEN.*' "$log" | cut -c1-90))"
	else
		tap_fail "fuzz invariants catch an injected read-only-bit bug (exit $rc)"
		tap_diag "$(tail -n 5 "$log")"
	fi
	rm -rf "$tmp"
fi

tap_done >/dev/null
echo "fuzz: $((TAP_N - TAP_FAILED)) passed, $TAP_FAILED failed, $total_execs executions; TAP in $TAP" >&2
[ "$TAP_FAILED" -eq 0 ]
