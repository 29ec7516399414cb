#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Generates FAT test images with mkfs.fat and mtools (tools this project did
# not write): FAT12, FAT16, FAT32; long names up to 255 characters; Unicode
# outside the BMP (written in the guest by the kernel's vfat: mtools 4.0.32
# truncates such characters); 8.3 names that need the NT lower-case flags; names that
# differ from their 8.3 form only in case; deep directories; a directory of
# many entries; fragmented files; deleted entries; labels; empty files and
# directories; 512- to 4096-byte sectors and 512-byte to 64 KiB clusters; a
# FAT32 boot sector with lying FSInfo counts and no backup.
# Usage: make-fat-images.sh OUTDIR
set -euo pipefail
out=${1:?usage: $0 OUTDIR}
mkdir -p "$out"
out=$(cd "$out" && pwd)
export MTOOLS_SKIP_CHECK=1 MTOOLS_NO_VFAT=0 LC_ALL=C.UTF-8
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# mcopy a file of N bytes to a path in the image.
put() { # img size path
	head -c "$2" /dev/urandom >"$tmp/f"
	mcopy -o -i "$1" "$tmp/f" "::$3"
}

mk() { # name size-KiB label mkfs-args...
	local img="$out/$1.img" kib=$2 label=$3
	shift 3
	rm -f "$img"
	mkfs.fat -C "$img" "$kib" -n "$label" "$@" >/dev/null
	echo "$img"
}

# FAT12: the basics.
i=$(mk fat12-basic 1440 BASIC12 -F 12)
put "$i" 100 README.TXT
put "$i" 0 EMPTY.DAT
put "$i" 5000 "Long file name with spaces.txt"
mmd -i "$i" ::docs ::docs/sub ::docs/sub/deeper ::emptydir
put "$i" 1234 "docs/sub/deeper/note.md"
put "$i" 1 lower.txt
put "$i" 2 MiXeD.TxT
mattrib -i "$i" +r ::README.TXT
mattrib -i "$i" +h +s ::EMPTY.DAT

# FAT16: Unicode, case, deleted entries, fragmentation.
i=$(mk fat16-unicode 16384 UNICODE16 -F 16)
put "$i" 20 "Ünïcödé naïve café.md"
put "$i" 30 "日本語のファイル名.txt"
put "$i" 50 readme.txt
put "$i" 60 "ReadMe.Txt.bak"
put "$i" 70 lowerbase.TXT
put "$i" 70 UPPERBASE.txt
for n in 1 2 3 4 5 6; do put "$i" 3000 "frag$n.bin"; done
mdel -i "$i" ::frag2.bin ::frag4.bin
put "$i" 20000 fragmented.bin
put "$i" 10 "to be deleted with a long name.txt"
mdel -i "$i" "::to be deleted with a long name.txt"
name255=$(printf 'n%.0s' $(seq 1 251)).txt
put "$i" 5 "$name255"

# A small FAT16 (just over the 4085-cluster minimum), for the mutation stress.
i=$(mk fat16-small 2600 SMALL16 -F 16 -s 1)
put "$i" 3000 "a fairly long name for a small file.txt"
mmd -i "$i" ::sub
put "$i" 700 "sub/Ünïcödé.txt"
put "$i" 0 sub/EMPTY

# FAT32: many entries (chained directory clusters), deep tree.
i=$(mk fat32-many 40960 MANY32 -F 32 -s 1)
mmd -i "$i" ::many
for n in $(seq 1 300); do : >"$tmp/e$n"; done
(cd "$tmp" && mcopy -i "$i" $(seq -f 'e%g' 1 300) ::many/) 
for n in $(seq 1 40); do put "$i" $((n * 100)) "many/long name number $n of the many.txt"; done
p=""
for d in $(seq 1 24); do p="$p/level$d"; mmd -i "$i" "::$p"; done
put "$i" 4096 "$p/bottom.bin"
put "$i" 200000 big.bin
mmd -i "$i" "::Empty Directory"

# FAT32 without a label, at the 64 MiB bound.
i=$(mk fat32-nolabel 65536 "NO NAME" -F 32 -s 1)
put "$i" 70000 data.bin
mmd -i "$i" ::a ::a/b
put "$i" 3 "a/b/c.txt"

# Geometries beyond mkfs.fat's defaults: 2048- and 4096-byte logical
# sectors, clusters from 512 bytes to 64 KiB.
i=$(mk fat12-2k-sectors 4096 SECT2K -F 12 -S 2048 -s 1)
put "$i" 5000 "two-kilobyte sectors.bin"
mmd -i "$i" ::d
put "$i" 2049 "d/just over one cluster.bin"
i=$(mk fat12-64k-clusters 8192 CLUS64K -F 12 -S 4096 -s 16)
put "$i" 65536 "exactly one cluster.bin"
put "$i" 65537 "one cluster and a byte.bin"
put "$i" 0 empty.bin
i=$(mk fat16-4k-clusters 20480 CLUS4K -F 16 -s 8)
for n in 1 2 3; do put "$i" $((n * 4096 + n)) "file $n.bin"; done

# A FAT32 boot sector unlike what mkfs.fat writes: FSInfo counts that lie
# (free clusters and next free) and no backup boot sector.
i=$(mk fat32-odd-boot 34816 ODDBOOT -F 32 -s 1)
put "$i" 12345 "after the odd boot sector.txt"
python3 - "$i" <<'PY'
import struct, sys
path = sys.argv[1]
with open(path, 'r+b') as f:
    boot = bytearray(f.read(512))
    bps, = struct.unpack_from('<H', boot, 11)
    info, backup = struct.unpack_from('<HH', boot, 48)
    f.seek(info * bps + 488)
    f.write(struct.pack('<II', 12345, 777))
    f.seek(backup * bps)
    f.write(bytes(512))
PY

# 8.3-only names with code page 437 letters outside ISO 8859-1 (sigma,
# stored as 0x05 for its 0xE5; alpha; a shade block) beside one inside it
# (e acute): under uni_xlate vfat shows them as :xxxx escapes. mtools
# writes such names only with a long name beside them, so the entries are
# written into the root's free slots after mtools' own.
i=$(mk fat16-cp437-short 8192 CP437 -F 16 -s 2)
put "$i" 10 PLAIN.TXT
python3 - "$i" <<'PY'
import struct, sys
path = sys.argv[1]
with open(path, 'r+b') as f:
    boot = f.read(512)
    bps, spc, res, nfats, nroot = struct.unpack_from('<HBHBH', boot, 11)
    fatsz, = struct.unpack_from('<H', boot, 22)
    root = (res + nfats * fatsz) * bps
    f.seek(root)
    used = 0
    while f.read(32)[0] != 0:
        used += 1
    f.seek(root + 32 * used)
    for name in (b'\x05BC     TXT', b'\xe0LPHA   TXT', b'X\xb0Y     TXT', b'CAF\x82    TXT'):
        f.write(struct.pack('<11sBBBHHHHHHHI', name, 0x20, 0, 0, 0, 0x5021, 0x5021, 0, 0,
                            0x5021, 0, 0))
PY

# The label as mtools reads it, for the in-guest comparison (the C driver
# has no label ioctl and busybox no blkid).
for img in "$out"/*.img; do
	mlabel -s -i "$img" :: | sed -n 's/^ *Volume label is \(.*\)$/\1/p' | sed 's/ *$//' >"${img%.img}.label"
done
ls "$out"/*.img
