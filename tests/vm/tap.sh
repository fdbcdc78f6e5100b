# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
#
# Tiny TAP helpers for suite scripts in the test VM (busybox sh):
#   . /payload/lib/tap.sh; tap_open "$RESULTS/05-smoke.tap"
#   tap_check "module loads" insmod "$MDPY_KO"
#   tap_ok "thing"; tap_fail "thing" "why"; tap_skip "thing" "why"
#   tap_done        # writes the plan; exit status 1 if anything failed
# Output goes to the TAP file and to stdout (the console).

tap_open() {
	TAP_FILE=$1
	TAP_N=0
	TAP_FAILED=0
	: >"$TAP_FILE"
}

tap_line() {
	echo "$*" >>"$TAP_FILE"
	echo "$*"
}

tap_ok() {
	TAP_N=$((TAP_N + 1))
	tap_line "ok $TAP_N - $1"
}

tap_fail() {
	TAP_N=$((TAP_N + 1))
	TAP_FAILED=$((TAP_FAILED + 1))
	tap_line "not ok $TAP_N - $1${2:+ # $2}"
}

tap_skip() {
	TAP_N=$((TAP_N + 1))
	tap_line "ok $TAP_N - $1 # SKIP ${2:-}"
}

# tap_check NAME CMD...: ok if CMD succeeds; its output is kept in the log.
tap_check() {
	_name=$1
	shift
	if _out=$("$@" 2>&1); then
		tap_ok "$_name"
	else
		_rc=$?
		[ -n "$_out" ] && echo "$_out" | sed 's/^/# /' | tee -a "$TAP_FILE"
		tap_fail "$_name" "exit $_rc"
		return 1
	fi
}

tap_done() {
	tap_line "1..$TAP_N"
	[ "$TAP_FAILED" -eq 0 ]
}
