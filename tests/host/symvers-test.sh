#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The modversions gate (scripts/check-symvers.sh, run by every `make`) on
# symbol tables made to fail it: an export with a zero CRC on a kernel with
# CONFIG_MODVERSIONS must stop the build and be named; a table whose CRCs
# are all there passes and says so; a kernel without MODVERSIONS has no
# CRCs to check. Then the same with one CRC of the project's own
# Module.symvers (the last build's) zeroed: a real export planted.
set -uo pipefail
REPORT_PREFIX=host::symvers::
. "$(dirname "$0")/lib.sh"
gate="$root/scripts/check-symvers.sh"

mkdir -p "$tmp/kdir" "$tmp/nomv"
echo CONFIG_MODVERSIONS=y >"$tmp/kdir/.config"
echo '# CONFIG_MODVERSIONS is not set' >"$tmp/nomv/.config"
row() { printf '%s\t%s\t%s\tEXPORT_SYMBOL_GPL\t\n' "$@"; }
{
	row 0x1a2b3c4d rust_fat_lookup target/kbuild/rust_fat
	row 0x00c0ffee rust_fat_lfn_checksum target/kbuild/rust_fat
} >"$tmp/good.symvers"
{
	row 0x1a2b3c4d rust_fat_lookup target/kbuild/rust_fat
	row 0x00000000 rust_fat_no_dwarf target/kbuild/rust_fat
	row 0x00c0ffee rust_fat_lfn_checksum target/kbuild/rust_fat
} >"$tmp/zero.symvers"

# Runs the gate; sets $rc and $out (stdout and stderr together).
run_gate() {
	out=$("$gate" "$@" 2>&1)
	rc=$?
}

run_gate "$tmp/zero.symvers" "$tmp/kdir"
if [ $rc != 0 ] && grep -q '^  rust_fat_no_dwarf (target/kbuild/rust_fat)$' <<<"$out" &&
	! grep -q 'rust_fat_lookup\|rust_fat_lfn_checksum' <<<"$out"; then
	report zero-crc-fails-by-name ok
else
	report zero-crc-fails-by-name FAILED "exit $rc; output:"$'\n'"$out"
fi

run_gate "$tmp/good.symvers" "$tmp/kdir"
if [ $rc = 0 ] && grep -q '2 export(s), each with a modversions CRC' <<<"$out"; then
	report all-crcs-pass ok
else
	report all-crcs-pass FAILED "exit $rc; output:"$'\n'"$out"
fi

run_gate "$tmp/zero.symvers" "$tmp/nomv"
if [ $rc = 0 ] && [ -z "$out" ]; then
	report no-modversions-no-check ok
else
	report no-modversions-no-check FAILED "exit $rc; output:"$'\n'"$out"
fi

# The project's own table, from the last `make` against the cached kernel.
kdir=$("$root/scripts/kdir.sh" 2>/dev/null || true)
mo=$(make -s -C "$root" modules-dir 2>/dev/null || true)
if [ -n "$kdir" ] && [ -s "$mo/Module.symvers" ] && grep -q '^CONFIG_MODVERSIONS=y' "$kdir/.config"; then
	sym=$(awk -F'\t' 'NR == 1 { print $2 }' "$mo/Module.symvers")
	awk -F'\t' -v OFS='\t' 'NR == 1 { $1 = "0x00000000" } { print }' "$mo/Module.symvers" >"$tmp/real.symvers"
	run_gate "$tmp/real.symvers" "$kdir"
	if [ $rc != 0 ] && grep -q "^  $sym " <<<"$out"; then
		report real-export-zeroed-fails ok
	else
		report real-export-zeroed-fails FAILED "zeroed $sym; exit $rc; output:"$'\n'"$out"
	fi
else
	echo "test ${REPORT_PREFIX}real-export-zeroed-fails ... ok # SKIP no built Module.symvers of a MODVERSIONS kernel (run make first)"
fi
exit $failed
