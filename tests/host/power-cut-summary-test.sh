#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The power-cut ranking (scripts/power-cut-summary.py) on made-up runs:
# two drivers even up to chance pass however the totals fall; a Rust side
# consistently worse fails, by name; fewer runs than --rank-from are not
# ranked (cross-links are printed: a run's host-check judges them).
set -uo pipefail
REPORT_PREFIX=host::power-cut-summary::
. "$(dirname "$0")/lib.sh"
summary="$root/scripts/power-cut-summary.py"

# runs DIR N RUST_LOST_EXPR [RUST_CROSS]: N run files; run i has C lose
# 1000 + (i * 37 % 400) clusters and the Rust side RUST_LOST_EXPR (an
# arithmetic expression of i and c, C's count).
runs() {
	local dir=$1 n=$2 expr=$3 cross=${4:-0} i c r
	mkdir -p "$dir"
	for i in $(seq "$n"); do
		c=$((1000 + i * 37 % 400))
		r=$(($expr))
		{
			echo "POWER-CUT rust_vfat journal=100 synced=10 busy=10 lost_clusters=$r" \
				"crosslinks=$cross damaged_files=5 other_repairs=0 synced_bad=0 gone_back=0" \
				"untouched_bad=0 unrepaired=0"
			echo "POWER-CUT vfat journal=100 synced=10 busy=10 lost_clusters=$c crosslinks=1" \
				"damaged_files=5 other_repairs=0 synced_bad=0 gone_back=0 untouched_bad=0 unrepaired=0"
		} >"$dir/run$i"
	done
}

# expect NAME RC PATTERN... DIR: the summary of DIR's runs must exit RC
# and print a line matching each PATTERN (grep).
expect() {
	local name=$1 want=$2 dir=${*: -1} out rc p ok=1
	out=$(python3 "$summary" rust_vfat:vfat "$dir"/run* 2>&1)
	rc=$?
	[ $rc = "$want" ] || ok=0
	for p in "${@:3:$#-3}"; do
		grep -q -- "$p" <<<"$out" || ok=0
	done
	if [ $ok = 1 ]; then
		report "$name" ok
	else
		report "$name" FAILED "exit $rc; output:"$'\n'"$out"
	fi
}

# Even, but the Rust total a little over C's: the totals alone would fail.
runs "$tmp/even" 50 'c + (i % 2 ? 150 : -140)'
expect even-drivers-pass 0 '^ok: rust_vfat no worse than vfat' "$tmp/even"

runs "$tmp/worse" 50 'c + 80 + (i % 2 ? 150 : -140)'
expect worse-driver-fails 1 '^FAIL: lost_clusters: rust_vfat .* worse beyond chance' "$tmp/worse"

runs "$tmp/few" 3 'c + 500' 1
expect few-runs-not-ranked 0 'too few to rank' '^crosslinks  *3  *3$' "$tmp/few"

exit $failed
