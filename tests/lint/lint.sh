#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# lint.sh [TAP_FILE] - shellcheck every shell script and pyflakes every
# Python file of the tree, and check that README's libvirt domain is the
# one the libvirt suite uses; one TAP test per file (default TAP_FILE:
# build/results/lint/lint.tap), findings as comments under the failing test.
#
# Files are found by name and by first line, so suites and helpers without
# an extension count too: shell is *.sh or a #! line naming sh, bash, dash or
# ash; Python is *.py or a #! line naming python.  The tree is git's list of
# tracked and new, not ignored, files (or every file outside build/ when
# this is not a git checkout).  Exit status 1 if any file has a finding.
set -euo pipefail

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$TOP"
tap=${1:-build/results/lint/lint.tap}
mkdir -p "$(dirname "$tap")"

files() {
	if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
		git ls-files -z --cached --others --exclude-standard
	else
		find . -path ./build -prune -o -path ./.git -prune -o -type f -printf '%P\0'
	fi
}

# kind FILE: "sh", "py" or nothing
kind() {
	local first
	case $1 in
	*.sh) echo sh; return ;;
	*.py) echo py; return ;;
	esac
	first=$(head -c 128 "$1" 2>/dev/null | head -n 1 | tr -d '\0') || true
	case $first in
	'#!'*python*) echo py ;;
	'#!'*/sh | '#!'*/sh\ * | '#!'*bash* | '#!'*/dash* | '#!'*/ash* | '#!'*env\ sh*) echo sh ;;
	esac
}

sh_files=()
py_files=()
while IFS= read -r -d '' f; do
	if [ ! -f "$f" ] || [ -L "$f" ]; then continue; fi
	case $(kind "$f") in
	sh) sh_files+=("$f") ;;
	py) py_files+=("$f") ;;
	esac
done < <(files)

# shellcheck source=tests/vm/tap.sh
. tests/vm/tap.sh
tap_open "$tap" quiet
# check TOOL FILE CMD...: one TAP test; the command's output is the finding.
check() {
	local tool=$1 f=$2 out
	shift 2
	if out=$("$@" 2>&1) && [ -z "$out" ]; then
		tap_ok "$tool $f"
	else
		tap_fail "$tool $f"
		tap_diag "$out"
	fi
}

if ! command -v shellcheck >/dev/null; then
	tap_fail "shellcheck installed" "apt-get install shellcheck (scripts/deps.sh)"
else
	# -x follows the "# shellcheck source=" paths, which are
	# relative to the top of the tree.
	for f in "${sh_files[@]}"; do
		check shellcheck "$f" shellcheck -x -f gcc "$f"
	done
fi
# Debian's python3-pyflakes installs pyflakes3, for /usr/bin/python3
# (which need not be the python3 first in PATH).
pyflakes=$(command -v pyflakes3 || command -v pyflakes || true)
if [ -z "$pyflakes" ]; then
	tap_fail "pyflakes installed" "apt-get install python3-pyflakes (scripts/deps.sh)"
else
	for f in "${py_files[@]}"; do
		check pyflakes "$f" "$pyflakes" "$f"
	done
fi
# README shows the libvirt domain the libvirt suite defines: the block
# after its marker line must be tests/libvirt/domain.xml, byte for byte.
readme_xml=$(awk '/^<!-- domain.xml: tests\/libvirt\/domain.xml -->$/ { m = 1; next }
	m == 1 && /^```xml$/ { m = 2; next }
	m == 2 && /^```$/ { exit }
	m == 2 { print }' README.md)
if [ "$readme_xml" = "$(cat tests/libvirt/domain.xml)" ]; then
	tap_ok "README's libvirt domain is tests/libvirt/domain.xml"
else
	tap_fail "README's libvirt domain is tests/libvirt/domain.xml"
	tap_diag "$(diff <(printf '%s\n' "$readme_xml") tests/libvirt/domain.xml)"
fi
tap_done || true

bad=$TAP_FAILED
echo "lint: ${#sh_files[@]} shell scripts, ${#py_files[@]} Python files, $bad with findings ($tap)"
if [ "$bad" -gt 0 ]; then
	awk '/^not ok/ { p = 1; print; next } /^#/ { if (p) print; next } { p = 0 }' "$tap" | head -n 60
	exit 1
fi
