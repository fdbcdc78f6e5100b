#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# boot.sh KVER PAYLOAD_DIR OUT_DIR [--shell]
#
# Boot the KVER kernel under TCG with PAYLOAD_DIR as /payload, run its suites,
# and collect results in OUT_DIR:
#   OUT_DIR/console.log        serial console (kernel log + suite output)
#   OUT_DIR/results/           the guest's /results (suite TAP, logs, dmesg.txt)
#   OUT_DIR/results/00-rig.tap booted / suites finished / kernel log clean
# Exit status 0 only if all 00-rig.tap tests pass (suite TAP is not judged
# here: tests/tap-summary does that).
# --shell: interactive busybox shell on the console instead of the suites.
#
# Env: VM_SUITE_TIMEOUT (s per suite, default 600; a suite may override it
#        with a "# vm-timeout: SECONDS" line),
#      VM_TIMEOUT (s, whole VM; default: the suites' limits + 300, at most
#        VM_TIMEOUT_MAX, default 2400),
#      VM_IDLE_TIMEOUT (s without console output before the VM counts as hung;
#        default: the largest suite limit + 120),
#      VM_QEMU (binary), VM_QEMU_ARGS, VM_MEM (1G), VM_APPEND (more kernel args),
#      VM_EXTRA_MODULES, VM_VERBOSE=1 (echo the console to stderr),
#      VM_LOG_IGNORE (ERE; matching kernel-log lines are not counted as bad).
# Only one VM runs at a time on a machine: the boot holds /tmp/mdpy-vm.lock.
set -euo pipefail

usage() { echo "usage: boot.sh KVER PAYLOAD_DIR OUT_DIR [--shell]" >&2; exit 2; }
[ $# -ge 3 ] || usage
KVER=$1
PAYLOAD=$(cd "$2" && pwd)
mkdir -p "$3"
OUT=$(cd "$3" && pwd)
SHELL_MODE=
[ "${4:-}" = --shell ] && SHELL_MODE=1
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

# The guest kills a suite at its limit, so the VM may take their sum; past
# that, or when the console stays silent longer than any suite may be quiet,
# it is hung.
sum=0
max=0
for s in "$PAYLOAD"/suites/*.sh; do
	[ -e "$s" ] || continue
	l=$(sed -n 's/^# *vm-timeout: *\([0-9][0-9]*\).*/\1/p' "$s" | head -n1)
	l=${l:-${VM_SUITE_TIMEOUT:-600}}
	sum=$((sum + l))
	[ "$l" -le "$max" ] || max=$l
done
TIMEOUT=$((sum + 300))
[ "$TIMEOUT" -le "${VM_TIMEOUT_MAX:-2400}" ] || TIMEOUT=${VM_TIMEOUT_MAX:-2400}
TIMEOUT=${VM_TIMEOUT:-$TIMEOUT}
IDLE=${VM_IDLE_TIMEOUT:-$((max + 120))}
QEMU=${VM_QEMU:-qemu-system-x86_64}

log() { echo "[vm $KVER] $*" >&2; }
die() { log "error: $*"; exit 1; }
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1fs", b - a }'; }

command -v "$QEMU" >/dev/null || die "$QEMU not found"
# Without a terminal nobody can type `exit` in --shell: the VM (and the lock
# that everyone shares) would be held until the timeout.
[ -z "$SHELL_MODE" ] || [ -t 0 ] || die "--shell needs a terminal on stdin"
eval "$("$HERE/fetch.sh" "$KVER")"

RES=$OUT/results
CONSOLE=$OUT/console.log
INITRD=$OUT/initrd.cpio
rm -rf "$RES"
mkdir -p "$RES"
rm -f "$CONSOLE"

t=$(now)
"$HERE/initramfs.sh" "$KVER" "$PAYLOAD" "$INITRD" ${SHELL_MODE:+--shell}
log "initramfs built in $(since "$t")"

# One VM at a time on this machine (other engineers boot VMs too).
# (VM_LOCK exists only for testing the rig itself with a fake QEMU.)
LOCK=${VM_LOCK:-/tmp/mdpy-vm.lock}
exec 9>"$LOCK"
if ! flock -n 9; then
	log "waiting for $LOCK (another VM is running)"
	t=$(now)
	flock 9
	log "got the VM lock after $(since "$t")"
fi

# loglevel=5 keeps the boot short but shows warnings; init raises it to 8.
# log_buf_len: dmesg.txt must hold the whole run (the default ring wraps).
APPEND="console=ttyS0 panic=-1 loglevel=5 log_buf_len=16M rdinit=/init cryptomgr.notests mitigations=off ${VM_APPEND:-}"
# shellcheck disable=SC2054 # the commas belong to QEMU options
QARGS=(-accel tcg -cpu max -smp 1 -m "${VM_MEM:-1G}" -nographic -nic none -no-reboot
	-kernel "$VMLINUZ" -initrd "$INITRD" -append "$APPEND"
	-virtfs local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap
	-virtfs "local,path=$RES,mount_tag=results,security_model=none,multidevs=remap")
# shellcheck disable=SC2206 # word splitting of extra args is intended
[ -n "${VM_QEMU_ARGS:-}" ] && QARGS+=(${VM_QEMU_ARGS})

if [ -n "$SHELL_MODE" ]; then
	# A forgotten shell must not hold the lock all day either.
	st=${VM_TIMEOUT:-1800}
	log "boot (interactive shell, ${st}s at most; Ctrl-A X quits QEMU)"
	timeout --foreground "$st" "$QEMU" "${QARGS[@]}" | tee "$CONSOLE"
	exit 0
fi

log "boot $KREL (timeout ${TIMEOUT}s, ${IDLE}s without output)"
t=$(now)
rm -f "$OUT/qemu.pid" "$OUT/idle"
QARGS+=(-pidfile "$OUT/qemu.pid")
# Idle watchdog: console.log's mtime moves with every line the guest prints.
(
	exec 9>&- # must not keep the VM lock
	trap 'kill "$sl" 2>/dev/null; exit 0' TERM
	while :; do
		sleep 10 &
		sl=$!
		wait "$sl"
		if [ ! -f "$CONSOLE" ] || [ ! -f "$OUT/qemu.pid" ]; then
			continue
		fi
		quiet=$(($(date +%s) - $(stat -c %Y "$CONSOLE")))
		if [ "$quiet" -ge "$IDLE" ]; then
			echo "$quiet" >"$OUT/idle"
			kill "$(cat "$OUT/qemu.pid")" 2>/dev/null
			exit 0
		fi
	done
) &
mon=$!
# mawk reads its input in big blocks unless told otherwise; the log must
# grow line by line (progress, idle watchdog).
AWK=(awk)
awk -W version 2>&1 | grep -q mawk && AWK=(awk -W interactive)
set +e
# The awk keeps the console log (CRs stripped) and turns the guest's
# MDPY-RIG markers into progress lines on stderr.
# shellcheck disable=SC2016 # $0 below is awk's
timeout -k 10 "$TIMEOUT" "$QEMU" "${QARGS[@]}" </dev/null 2>&1 |
	"${AWK[@]}" -v logf="$CONSOLE" -v pfx="[vm $KVER]" -v verbose="${VM_VERBOSE:-}" '
	{
		sub(/\r+$/, "")
		# SeaBIOS/terminal escape sequences only clutter the log.
		gsub(/\033(\[[0-9;?]*[A-Za-z]|c)/, "")
		print > logf
		fflush(logf)
		if (verbose != "") { print > "/dev/stderr"; fflush("/dev/stderr") }
		i = index($0, "MDPY-RIG: ")
		if (i == 0 || verbose != "")
			next
		m = substr($0, i + 10)
		split(m, w, " ")
		if (w[1] == "suite-start")
			msg = "suite " w[2]
		else if (w[1] == "suite-end")
			msg = "suite " w[2] " " w[3] " " w[4]
		else
			msg = m
		print pfx " " msg > "/dev/stderr"
		fflush("/dev/stderr")
	}'
rc=${PIPESTATUS[0]}
set -e
kill "$mon" 2>/dev/null || true # gone already if it killed QEMU
wait "$mon" 2>/dev/null || true
log "VM exited (status $rc) after $(since "$t")"

# --- judge the run --------------------------------------------------------
# The kernel under test speaks in lines that start with a [seconds] stamp:
# the guest's dmesg.txt (everything, if the VM lived to save it) and console
# lines starting with a stamp (what a dying VM printed). Suite output is never
# scanned, so a test that mentions "BUG:", or a nested guest's kernel log
# relayed by a suite, does not count against this kernel.
BAD='WARNING:|BUG:|Oops|general protection|possible circular locking|inconsistent lock state|possible recursive locking|INFO: task .* blocked|Call Trace:|Kernel panic|kernel BUG|UBSAN:|KASAN:|refcount_t:|list_(add|del) corruption|sleeping function called from invalid context|scheduling while atomic|suspicious RCU usage|rcu_sched self-detected stall|rcu: INFO:|soft lockup|hard LOCKUP|unreferenced object'
bad_lines=$({
	[ ! -f "$RES/dmesg.txt" ] || grep -aE "^\[ *[0-9]+\.[0-9]+\] .*($BAD)" "$RES/dmesg.txt"
	grep -aE "^\[ *[0-9]+\.[0-9]+\] .*($BAD)" "$CONSOLE"
} | LC_ALL=C sort -u || true)
if [ -n "${VM_LOG_IGNORE:-}" ] && [ -n "$bad_lines" ]; then
	bad_lines=$(grep -avE "$VM_LOG_IGNORE" <<<"$bad_lines" || true)
fi

tail_log() { tail -n 40 "$CONSOLE"; }
# shellcheck source=tests/vm/tap.sh
. "$HERE/tap.sh"
tap_open "$RES/00-rig.tap" quiet
if grep -aq 'MDPY-RIG: init ' "$CONSOLE"; then
	tap_ok "VM booted and reached init"
else
	tap_fail "VM booted and reached init"
	tap_diag "$(tail_log)"
fi
if grep -aq 'MDPY-RIG: ready' "$CONSOLE"; then
	tap_ok "rig modules loaded and 9p shares mounted"
else
	tap_fail "rig modules loaded and 9p shares mounted"
	tap_diag "$(grep -a 'MDPY-RIG: \(insmod\|mount\)-failed' "$CONSOLE")"
fi
if [ -f "$OUT/idle" ]; then
	tap_fail "suites finished and VM powered off" "VM silent for $(cat "$OUT/idle")s, killed"
	tap_diag "$(tail_log)"
elif [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
	tap_fail "suites finished and VM powered off" "VM killed after ${TIMEOUT}s"
	tap_diag "$(tail_log)"
elif grep -aq 'MDPY-RIG: done' "$CONSOLE"; then
	tap_ok "suites finished and VM powered off"
else
	tap_fail "suites finished and VM powered off" "no done marker, qemu status $rc"
	tap_diag "$(tail_log)"
fi
# A suite that started but never ended means the VM died under it.
# shellcheck disable=SC2013 # suite names are single words
for s in $(sed -n 's/.*MDPY-RIG: suite-start \([^ ]*\).*/\1/p' "$CONSOLE"); do
	grep -aq "MDPY-RIG: suite-end $s " "$CONSOLE" ||
		tap_fail "suite $s ended (VM died or hung during it)"
done
if [ -z "$bad_lines" ]; then
	tap_ok "kernel log clean"
else
	tap_fail "kernel log clean"
	tap_diag "$(head -n 60 <<<"$bad_lines")"
fi
tap_done || true

if [ -n "$bad_lines" ]; then
	log "kernel log has warnings/oopses:"
	head -n 60 <<<"$bad_lines" | sed 's/^/    /' >&2
fi
if [ "$TAP_FAILED" -gt 0 ]; then
	log "rig: $TAP_FAILED failure(s); console tail:"
	tail -n 30 "$CONSOLE" | sed 's/^/    /' >&2
	exit 1
fi
exit 0
