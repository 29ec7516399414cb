#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Builds the test data under target/test-data, each piece only when what
# makes it changed (a stamp per piece): FAT images (mkfs.fat + mtools) and
# malformed ones, the static guest tools, and with --variants KDIR the
# stale/foreign modules of the version-check scenario. Prints the directory.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$REPO_ROOT"
data="$REPO_ROOT/target/test-data"
mkdir -p "$data"

fresh() { # name inputs...: true if the stamp of `name` matches its inputs
	local name=$1
	shift
	local want
	want=$(cat "$@" | sha256sum | cut -c1-16)
	[ "$(cat "$data/.$name.stamp" 2>/dev/null)" = "$want" ] && return 0
	echo "$want" >"$data/.$name.stamp.new"
	return 1
}
done_stamp() { mv "$data/.$1.stamp.new" "$data/.$1.stamp"; }

if ! fresh images scripts/make-fat-images.sh scripts/make-bad-images.py scripts/fat_slots.py; then
	rm -rf "$data/images" "$data/bad" "$data/blank"
	scripts/make-fat-images.sh "$data/images" >/dev/null
	# An empty FAT32 volume the guest fills with the kernel's C vfat.
	mkdir -p "$data/blank"
	mkfs.fat -C "$data/blank/fat32-48m.img" 49152 -F 32 -s 1 -n WRITTEN >/dev/null
	python3 scripts/make-bad-images.py "$data/images/fat12-basic.img" "$data/bad" >/dev/null
	done_stamp images
fi
if ! fresh scsi scripts/test-data.sh scripts/make-fat-images.sh; then
	# Disks for the NCR 53C810 scenarios: one of random bytes (whose
	# SHA-256 the guest checks), two empty ones, and a FAT16 volume the host
	# made (mkfs.fat + mtools, a tree of files).
	rm -rf "$data/scsi"
	mkdir -p "$data/scsi"
	head -c 16M /dev/urandom >"$data/scsi/random-16m.img"
	truncate -s 64M "$data/scsi/blank-64m.img"
	truncate -s 16M "$data/scsi/blank-16m.img"
	cp "$data/images/fat16-small.img" "$data/scsi/fat16.img"
	done_stamp scsi
fi
if ! fresh rw scripts/test-data.sh; then
	# Volumes the write scenarios change, the same way through the C
	# driver and the Rust one (each on its own copy): FAT12, FAT16 and
	# FAT32, each with a few files and a directory the workload starts
	# from (written by mtools; fixed times, so the copies are the same).
	rm -rf "$data/rw"
	mkdir -p "$data/rw"
	seed=$data/rw/seed
	mkdir -p "$seed"
	head -c 5000 /dev/zero | tr '\0' 'a' >"$seed/SMALL.TXT"
	head -c 70000 /dev/zero | tr '\0' 'b' >"$seed/big.bin"
	printf 'one line\n' >"$seed/Long existing name.txt"
	# name:FAT bits:KiB:sectors per cluster:bytes per sector
	for kind in fat12:12:4096:4:512 fat16:16:32768:4:512 fat32:32:69632:1:512 \
		fat12-4k-sectors:12:8192:1:4096 fat12-64k-clusters:12:16384:128:512; do
		IFS=: read -r name bits kib spc bps <<<"$kind"
		img=$data/rw/$name.img
		mkfs.fat -C "$img" "$kib" -F "$bits" -s "$spc" -S "$bps" -n "RW$bits" -i 12345678 >/dev/null
		MTOOLS_SKIP_CHECK=1 mcopy -m -i "$img" "$seed/SMALL.TXT" "$seed/big.bin" "$seed/Long existing name.txt" ::
		MTOOLS_SKIP_CHECK=1 mmd -i "$img" ::OLD ::"Old long dir"
		MTOOLS_SKIP_CHECK=1 mcopy -m -i "$img" "$seed/SMALL.TXT" ::OLD/INNER.TXT
		# A file without the archive attribute: a write sets it.
		MTOOLS_SKIP_CHECK=1 mcopy -m -i "$img" "$seed/SMALL.TXT" ::NOARCH.TXT
		MTOOLS_SKIP_CHECK=1 mattrib -a -i "$img" ::NOARCH.TXT
	done
	rm -rf "$seed"
	# Bytes the workloads write.
	head -c 65536 /dev/urandom >"$data/rw/pattern"
	done_stamp rw
fi
for tool in fatstress rvbench rcuwalk dirseek sgio rwtool slabsites samebytes powercut fsexer failnth; do
	if ! fresh "$tool" "tests/guest/$tool.c"; then
		gcc -static -O2 -Wall -o "$data/$tool" "tests/guest/$tool.c"
		done_stamp "$tool"
	fi
done
# A 32-bit program for the compat ioctls, freestanding: the host has no
# 32-bit C library (gcc -m32 finds no crt1.o), and needs none.
if ! fresh readdir32 tests/guest/readdir32.c; then
	gcc -m32 -static -nostdlib -ffreestanding -fno-pic -fno-stack-protector -O2 -Wall \
		-o "$data/readdir32" tests/guest/readdir32.c
	done_stamp readdir32
fi
if [ "${1:-}" = --variants ]; then
	kdir=$2
	# The variants patch the main build's rust_fat.ko: they follow its sources and tree.
	echo "$kdir" >"$data/.variants.kdir"
	# Every source of rust_fat: the crates in their directories too (an
	# ABI change in fat_disk or vfs must rebuild the ABI variant).
	if ! fresh variants "$data/.variants.kdir" rust_vfat_demo/*.rs rust_vfat_demo/*.[ch] \
		rust_vfat_demo/fat_disk/*.rs rust_vfat_demo/vfs/*.rs rust_vfat_demo/ns/*.rs rust_vfat_demo/Kbuild \
		scripts/build-variants.sh scripts/rust-exports.sh; then
		scripts/build-variants.sh "$kdir" "$data/variants"
		done_stamp variants
	fi
fi
echo "$data"
