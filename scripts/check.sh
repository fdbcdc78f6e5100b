#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The whole test run behind `make check`: lint of every script, unit tests
# and a fuzz smoke of core/, warning-free builds for every kernel, and,
# beside them, the VM suites on every kernel.  A failing stage does not stop
# the others; the last line counts every test.
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

# Everything both lanes below read, fetched once up front so that no two
# processes unpack into the cache at the same time: each kernel (7.3 brings
# the trixie chroot) and the kernel source (checkpatch, the kernel's sample).
# A failure here is reported again, as a test, by the stage that needs it.
echo "[check] fetch: kernels $kvers, linux-source 6.1"
for k in $kvers; do
	tests/vm/fetch.sh "$k" >/dev/null || echo "[check] fetch $k failed"
done
scripts/linux-source.sh 6.1 >/dev/null || echo "[check] linux-source 6.1 failed"

# The host-only stages: lint, unit tests, fuzz smoke, W=1/sparse builds.
host_stages() {
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
}

# A TCG VM keeps one core busy and the machine has two: the host stages
# run beside the VMs (in their own build directories) instead of before
# them.  Their output comes after the VMs', whole.
echo "[check] lint, unit tests, fuzz smoke and W=1/sparse builds run beside the VMs"
host_start=$(date +%s)
(
	host_stages
	echo "[check] host stages done in $(( $(date +%s) - host_start )) s"
) >"$results/host-stages.log" 2>&1 &
host_pid=$!

dirs=("$results")
for k in $kvers; do
	echo "[check] VM suites on $k"
	rm -rf "build/vm/$k"
	tests/vm/run.sh "$k" "build/vm/$k"
	dirs+=("build/vm/$k")
done

wait "$host_pid"
cat "$results/host-stages.log"

echo "[check] done in $(( $(date +%s) - start )) s"
tests/tap-summary "${dirs[@]}"
