#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The whole test run behind `make check`: lint of every script, unit tests
# and a fuzz smoke of core/, warning-free builds for every kernel, then the
# VM suites on every kernel.  A failing
# stage does not stop the later ones; the last line counts every test.
# Env: KVERS picks the kernels (default: tests/vm/kernels.sh check).
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
kvers=${KVERS:-$(tests/vm/kernels.sh check)}
# shellcheck source=tests/vm/tap.sh
. tests/vm/tap.sh
results=build/results
start=$(date +%s)

scripts/deps.sh || exit 1
rm -rf "$results"
mkdir -p "$results/unit"

echo "[check] lint: shellcheck, pyflakes"
tests/lint/lint.sh "$results/lint/lint.tap" | head -n 40

echo "[check] unit tests"
for t in core mig types; do
	if make --no-print-directory "$top/build/unit/test_$t" \
		>>"$results/unit/build.log" 2>&1; then
		"build/unit/test_$t" > "$results/unit/$t.tap"
	else
		tap_one_fail "$results/unit/$t.tap" "unit tests build ($t)" >/dev/null
		tail -5 "$results/unit/build.log"
	fi
	grep '^not ok' "$results/unit/$t.tap" || true
done

echo "[check] fuzz smoke of core/"
make --no-print-directory fuzz-smoke >/dev/null 2>"$results/fuzz-smoke.log" ||
	tail -5 "$results/fuzz-smoke.log"

echo "[check] module builds (W=1, sparse): $kvers"
# shellcheck disable=SC2086 # list of kernel series
tests/build/check-build.sh "$results/build" $kvers >/dev/null

dirs=("$results")
for k in $kvers; do
	echo "[check] VM suites on $k"
	rm -rf "build/vm/$k"
	tests/vm/run.sh "$k" "build/vm/$k"
	dirs+=("build/vm/$k")
done

echo "[check] done in $(( $(date +%s) - start )) s"
tests/tap-summary "${dirs[@]}"
