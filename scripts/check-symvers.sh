#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Fails when a symbol the project exports has no modversions CRC although
# the kernel has CONFIG_MODVERSIONS: a zero CRC would let a consumer built
# against another ABI load silently.
# Usage: check-symvers.sh MODULE.SYMVERS KDIR
set -euo pipefail
symvers=$1 kdir=$2
grep -q '^CONFIG_MODVERSIONS=y' "$kdir/.config" || exit 0
[ -f "$symvers" ] || exit 0
bad=$(awk -F'\t' '$1 == "0x00000000" { print "  " $2 " (" $3 ")" }' "$symvers")
if [ -n "$bad" ]; then
	echo "error: these exports have no modversions CRC (gendwarfksyms found no DWARF for them):" >&2
	echo "$bad" >&2
	echo "  next step: export functions or methods of structs, not methods of C-like enums; see docs/rust_fat-api.md, 'How the CRCs are made'" >&2
	exit 1
fi
n=$(wc -l <"$symvers")
echo "  SYMVERS $n export(s), each with a modversions CRC"
