#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The host half of rw/21 (harness: host-check=): the guest renamed
# MOVEOVER.DAT over far/TARGET.DAT and MOVEAWAY.DAT to far/NEWNAME.DAT,
# wrote back all but the blocks of the old entries, and cut the power.
# For each image (tagged, in the order of the tags): fsck.fat -n must
# find no cross-link ("share clusters"); MOVEAWAY.DAT must still be in
# the root and far/NEWNAME.DAT in far (else the write-back did not go as
# the scenario meant, and proves nothing).
# Usage: check-rename-cut.sh TAG[,TAG...] IMAGE...
set -euo pipefail
export MTOOLS_SKIP_CHECK=1
[ $# -ge 2 ] || { echo "usage: $0 TAG[,TAG...] IMAGE..." >&2; exit 2; }
IFS=, read -ra tags <<<"$1"
shift
[ ${#tags[@]} = $# ] || { echo "$0: ${#tags[@]} tags for $# images" >&2; exit 2; }
status=0
for tag in "${tags[@]}"; do
	img=$1 bad=0
	shift
	out=$(fsck.fat -n "$img" 2>&1) || true
	echo "$tag: fsck.fat -n after the cut:"
	echo "$out" | sed 's/^/  /'
	if grep -q "share clusters" <<<"$out"; then
		echo "$tag: FAIL: two entries name one chain (a cross-link)"
		bad=1
	fi
	root=$(mdir -b -i "$img" ::/ 2>&1) || true
	far=$(mdir -b -i "$img" ::/far 2>&1) || true
	if ! grep -qi '^::/moveaway\.dat$' <<<"$root"; then
		echo "$tag: FAIL: MOVEAWAY.DAT's entry was written back, which the scenario held back"
		bad=1
	fi
	if ! grep -qi '^::/far/newname\.dat$' <<<"$far"; then
		echo "$tag: FAIL: far/NEWNAME.DAT was not written back: the write-back did not run"
		bad=1
	fi
	if [ $bad = 0 ]; then
		echo "$tag: ok: no cross-link; the old names held back, the new one written"
	else
		status=1
	fi
done
exit $status
