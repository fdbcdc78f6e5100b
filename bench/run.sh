#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# run.sh [KVER...] - `make bench`: for each kernel (default:
# tests/vm/kernels.sh bench) build
# the kernel's sample mdpy.ko (baseline only, from Debian's linux-source, in
# build/bench/sample-KVER) and the static mdpy-bench, and run one TCG VM
# with them and our mdpy.ko through the rig (tests/vm/run.sh with only the
# benchmark's suite), then print the table.  Results:
#   build/bench/KVER.txt    the table
#   build/bench/KVER.json   the same numbers
#   build/bench/KVER/       payload, console log, host and VM results
# Env: BENCH_ARGS (extra mdpy-bench arguments, e.g. "--reps 5 --cap 500";
#      "--only scale" runs the instance-limit suite alone, on ours),
#      VM_TIMEOUT (default 600 s per boot).
# Exit status is non-zero only if a kernel could not be measured; missed
# targets are reported in the table, not as failures.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOP=$(cd "$HERE/.." && pwd)
OUT=$TOP/build/bench
# shellcheck disable=SC2046 # a list of kernel series
[ $# -gt 0 ] || set -- $("$TOP/tests/vm/kernels.sh" bench)

log() { echo "[bench $kver] $*" >&2; }
mkdir -p "$OUT"

kver=all
log "build mdpy-bench"
make -s -C "$HERE" O="$OUT"

# The sample, built out of tree as it is: copies live only under build/.
build_sample() {
	local src sd
	src=$("$TOP/scripts/linux-source.sh" "$kver" | tail -n 1)
	sd=$OUT/sample-$kver
	rm -rf "$sd"
	mkdir -p "$sd"
	cp "$src/samples/vfio-mdev/mdpy.c" "$src/samples/vfio-mdev/mdpy-defs.h" "$sd/"
	echo 'obj-m := mdpy.o' >"$sd/Kbuild"
	make -C "$KDIR" M="$sd" CONFIG_DEBUG_INFO_BTF_MODULES= modules >"$sd/build.log" 2>&1 || {
		tail -n 20 "$sd/build.log" >&2
		return 1
	}
	[ "$(modinfo -F vermagic "$sd/mdpy.ko" | cut -d' ' -f1)" = "$KREL" ] || {
		log "sample vermagic does not match $KREL"
		return 1
	}
	echo "$sd/mdpy.ko"
}

rc=0
for kver in "$@"; do
	if ! kenv=$("$TOP/tests/vm/fetch.sh" "$kver"); then
		log "no kernel to measure (see above)"
		rc=1
		continue
	fi
	eval "$kenv"
	log "build the kernel's sample mdpy.ko (baseline)"
	if ! sample=$(build_sample); then
		log "sample build failed"
		rc=1
		continue
	fi
	dir=$OUT/$kver
	extra=$OUT/$kver-payload
	rm -rf "$extra"
	mkdir -p "$extra/bin" "$extra/suites"
	cp "$sample" "$extra/mdpy-sample.ko"
	cp "$OUT/mdpy-bench" "$extra/bin/"
	install -m 0755 "$HERE/suite.sh" "$extra/suites/50-bench.sh"
	echo "${BENCH_ARGS:-}" >"$extra/bench.args"

	log "build our mdpy.ko and boot (one VM; waits for /tmp/mdpy-vm.lock if another runs)"
	if ! MDPY_KO_OUT=$OUT/ours-$kver VM_TIMEOUT=${VM_TIMEOUT:-600} \
		VM_SUITE_TIMEOUT=${VM_SUITE_TIMEOUT:-540} \
		"$TOP/tests/vm/run.sh" --no-parts --add "$extra" "$kver" "$dir" >"$dir.summary"; then
		log "the VM run had problems: see $dir.summary, $dir/console.log and $dir/results/00-rig.tap"
		rc=1
	fi
	if [ -s "$dir/results/bench.json" ]; then
		cp "$dir/results/bench.json" "$OUT/$kver.json"
		cp "$dir/results/bench.txt" "$OUT/$kver.txt"
		echo
		cat "$OUT/$kver.txt"
		echo
		log "wrote $OUT/$kver.json and $OUT/$kver.txt"
	else
		log "no results"
		rc=1
	fi
done
exit $rc
