# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
#
# The TAP writer of every shell script (busybox sh in the test VM, bash on
# the host); tests/tap-summary counts what it writes.
#   . /payload/lib/tap.sh                  in a VM suite
#   . "$TOP/tests/vm/tap.sh"               on the host
#   tap_open "$RESULTS/05-smoke.tap"       ("quiet": not echoed on stdout)
#   tap_check "module loads" insmod "$MDPY_KO"
#   tap_ok "thing"; tap_fail "thing" "why"; tap_skip "thing" "why"
#   tap_diag "$text"        every line of text as a comment (after a failure)
#   tap_done                writes the plan; exit status 1 if anything failed
#   tap_bail FILE WHY       ends another writer's FILE with "Bail out!"
# A file that was opened but never got its plan counts as failed, so a
# script that dies half way cannot pass.

tap_open() {
	TAP_FILE=$1
	TAP_N=0
	TAP_FAILED=0
	TAP_ECHO=1
	[ "${2:-}" != quiet ] || TAP_ECHO=
	: >"$TAP_FILE"
}

tap_line() {
	echo "$*" >>"$TAP_FILE"
	[ -z "$TAP_ECHO" ] || echo "$*"
}

tap_ok() {
	TAP_N=$((TAP_N + 1))
	tap_line "ok $TAP_N - $1"
}

# tap_fail NAME [WHY]: WHY is one line, shown after the name.
tap_fail() {
	TAP_N=$((TAP_N + 1))
	TAP_FAILED=$((TAP_FAILED + 1))
	tap_line "not ok $TAP_N - $1${2:+ # $2}"
}

tap_skip() {
	TAP_N=$((TAP_N + 1))
	tap_line "ok $TAP_N - $1 # SKIP ${2:-}"
}

tap_diag() {
	[ -n "${1:-}" ] || return 0
	if [ -n "$TAP_ECHO" ]; then
		printf '%s\n' "$1" | sed 's/^/#   /' | tee -a "$TAP_FILE"
	else
		printf '%s\n' "$1" | sed 's/^/#   /' >>"$TAP_FILE"
	fi
}

# tap_check NAME CMD...: ok if CMD succeeds; its output is kept in the log.
tap_check() {
	_name=$1
	shift
	if _out=$("$@" 2>&1); then
		tap_ok "$_name"
	else
		_rc=$?
		tap_diag "$_out"
		tap_fail "$_name" "exit $_rc"
		return 1
	fi
}

# tap_one_fail FILE NAME [WHY]: a file with a single failed test, for a script
# that cannot go on (e.g. the module does not load).
tap_one_fail() {
	tap_open "$1"
	tap_fail "$2" "${3:-}"
	tap_done
}

# tap_bail FILE WHY: end FILE, written by another TAP writer (a program that
# died mid-way, its plan short or missing), with a line every TAP reader
# counts as a failure.
tap_bail() {
	echo "Bail out! $2" >>"$1"
}

tap_done() {
	tap_line "1..$TAP_N"
	[ "$TAP_FAILED" -eq 0 ]
}
