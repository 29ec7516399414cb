#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The host half of rw/06 (harness: host-check=): the guest fsynced files
# whose contents are prefixes of a known pattern, then its disk went away
# before anything else reached it (a cut). On a copy of the image,
# fsck.fat -a must repair the volume (a second fsck.fat -n then finds
# nothing), and every fsynced file must read back exactly.
# Usage: check-fsynced-image.sh PATTERN NAME:LEN[,NAME:LEN...] IMAGE
set -euo pipefail
export MTOOLS_SKIP_CHECK=1
[ $# = 3 ] || { echo "usage: $0 PATTERN NAME:LEN[,NAME:LEN...] IMAGE" >&2; exit 2; }
pattern=$1 files=$2 img=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cp "$img" "$tmp/img"
status=0
echo "fsck.fat -a after the cut:"
fsck.fat -a "$tmp/img" 2>&1 | sed 's/^/  /' || true
if ! out=$(fsck.fat -n "$tmp/img" 2>&1); then
	echo "fsck.fat -a did not repair the volume:"
	echo "$out" | sed 's/^/  /'
	status=1
fi
IFS=, read -ra list <<<"$files"
for f in "${list[@]}"; do
	name=${f%:*} len=${f#*:}
	if ! mcopy -n -i "$tmp/img" "::$name" "$tmp/got" 2>"$tmp/err"; then
		echo "$name: not on the disk after the cut ($(cat "$tmp/err"))"
		status=1
	elif head -c "$len" "$pattern" | cmp -s - "$tmp/got"; then
		echo "$name: the $len bytes fsynced before the cut read back"
	else
		echo "$name: differs from the $len bytes fsynced before the cut ($(stat -c %s "$tmp/got") bytes)"
		status=1
	fi
	rm -f "$tmp/got"
done
exit $status
