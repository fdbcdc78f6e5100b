#!/bin/sh
# Add a bookworm-backports apt entry derived from the machine's own first
# debian.sources stanza, so no archive host is ever written by this project.
set -eu
src=/etc/apt/sources.list.d/debian.sources
dst=/etc/apt/sources.list.d/mdpy-backports.sources
[ -f "$dst" ] && exit 0
[ -f "$src" ] || { echo "apt-backports: $src not found" >&2; exit 1; }
awk 'BEGIN { RS = ""; ORS = "\n" }
     NR == 1 {
	n = split($0, line, "\n")
	for (i = 1; i <= n; i++) {
		if (line[i] ~ /^Suites:/)
			line[i] = "Suites: bookworm-backports"
		print line[i]
	}
     }' "$src" > "$dst.tmp"
mv "$dst.tmp" "$dst"
