#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Adds to an empty FAT32 image (made by mkfs.fat) one directory /big of N
empty files with long names, written directly (mtools and the kernel's
vfat both take hours under TCG for a directory this large: each create
scans the directory for its short-name tail).

The names are PATTERN % i for i in 0..N (default 'long-file-name-%05d.txt'),
each with a long-name set and a unique 8.3 alias, laid out as Windows and
the kernel write them: slots in reverse order, the checksum of the alias,
a terminator and 0xFFFF padding in the last slot when it has room.

Usage: make-big-dir-image.py IMG N [PATTERN]
"""
import struct
import sys

from fat_slots import long_name_slots

path, count = sys.argv[1], int(sys.argv[2])
pattern = sys.argv[3] if len(sys.argv) > 3 else 'long-file-name-%05d.txt'
img = bytearray(open(path, 'rb').read())

bps, spc, rsvd, nfats = struct.unpack_from('<HBHB', img, 11)
fatsz, root = struct.unpack_from('<I', img, 36)[0], struct.unpack_from('<I', img, 44)[0]
if struct.unpack_from('<H', img, 22)[0] != 0:
    raise SystemExit(f'{path}: not FAT32')
fat_off = rsvd * bps
data_off = fat_off + nfats * fatsz * bps
csize = spc * bps
nclusters = (len(img) - data_off) // csize


def fat_get(c):
    return struct.unpack_from('<I', img, fat_off + 4 * c)[0] & 0x0fffffff


def fat_set(c, v):
    for f in range(nfats):
        struct.pack_into('<I', img, fat_off + f * fatsz * bps + 4 * c, v)


def cluster_off(c):
    return data_off + (c - 2) * csize


def record(name, short):
    e = bytearray(32)
    e[:11] = short
    e[11] = 0x20
    return long_name_slots([ord(ch) for ch in name], short) + e


def short_entry(short, attr, cluster):
    e = bytearray(32)
    e[:11] = short
    e[11] = attr
    struct.pack_into('<H', e, 20, cluster >> 16)
    struct.pack_into('<H', e, 26, cluster & 0xffff)
    return e


body = bytearray()
for i in range(count):
    body += record(pattern % i, b'F%07dTXT' % i)
# The directory's clusters: the first free ones after the root's.
need = (len(body) + 64 + csize - 1) // csize
free = [c for c in range(3, nclusters + 2) if fat_get(c) == 0][:need]
if len(free) < need:
    raise SystemExit(f'{path}: no room for {need} clusters')
first = free[0]
body = short_entry(b'.          ', 0x10, first) + short_entry(b'..         ', 0x10, 0) + body
body += bytes(need * csize - len(body))
for k, c in enumerate(free):
    fat_set(c, free[k + 1] if k + 1 < len(free) else 0x0fffffff)
    img[cluster_off(c):cluster_off(c) + csize] = body[k * csize:(k + 1) * csize]
# Its entry in the root directory, at the first free slot.
ro = cluster_off(root)
for at in range(ro, ro + csize, 32):
    if img[at] in (0, 0xe5):
        img[at:at + 32] = short_entry(b'BIG        ', 0x10, first)
        break
else:
    raise SystemExit(f'{path}: root directory full')
# FSInfo's free count is now unknown (the kernel recounts).
fsinfo = struct.unpack_from('<H', img, 48)[0]
if 0 < fsinfo < rsvd:
    struct.pack_into('<I', img, fsinfo * bps + 488, 0xffffffff)
open(path, 'wb').write(img)
print(f'{path}: /big with {count} files, {need} clusters of {csize} bytes')
