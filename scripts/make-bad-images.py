#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Makes malformed FAT images from a good FAT12 image made by mkfs.fat and
mtools, one defect each, and writes OUTDIR/expect: '<name> <expectation>',
where the expectation is what a rust_vfat mount must do with the image:
mount-EINVAL or mount-EIO (a broken or unreadable boot sector: the mount
fails as the C driver's does), read-EIO (structural
damage: reading what meets it fails with EIO), or same-as-C (what real
volumes carry: the tree, stat and contents equal the C vfat's).

Usage: make-bad-images.py GOOD.img OUTDIR
"""
import os
import struct
import sys

from fat_slots import long_name_slots

good_path, out = sys.argv[1], sys.argv[2]
os.makedirs(out, exist_ok=True)
good = open(good_path, 'rb').read()

bps, spc, rsvd, nfats, nroot = struct.unpack_from('<HBHBH', good, 11)
fatsz, = struct.unpack_from('<H', good, 22)
fat_off = rsvd * bps
root_off = fat_off + nfats * fatsz * bps
data_off = root_off + nroot * 32
csize = spc * bps


def fat12_get(img, c):
    v, = struct.unpack_from('<H', img, fat_off + c + c // 2)
    return v >> 4 if c & 1 else v & 0xfff


def fat12_set(img, c, val):
    for f in range(nfats):
        off = fat_off + f * fatsz * bps + c + c // 2
        v, = struct.unpack_from('<H', img, off)
        v = (v & 0x000f) | (val << 4) if c & 1 else (v & 0xf000) | (val & 0xfff)
        struct.pack_into('<H', img, off, v)


def entries(img, off, n):
    for i in range(n):
        yield off + 32 * i, img[off + 32 * i:off + 32 * i + 32]


def find(img, dir_off, n, short):
    """Offset of the short entry named `short` (11 bytes) in a directory."""
    for off, e in entries(img, dir_off, n):
        if e[:11] == short:
            return off
    raise SystemExit(f'{short!r} not found')


def cluster_of(img, entry_off):
    return struct.unpack_from('<H', img, entry_off + 26)[0]


def lfn_slots(img, short_off):
    """Offsets of the long-name slots before a short entry, first stored first."""
    slots = []
    off = short_off - 32
    while off >= root_off and img[off + 11] == 0x0f:
        slots.insert(0, off)
        off -= 32
    return slots


cases = {}


def case(name, expectation):
    def deco(fn):
        img = bytearray(good)
        img = fn(img) or img
        open(os.path.join(out, name + '.img'), 'wb').write(img)
        cases[name] = expectation
    return deco


@case('truncated-boot-sector', 'mount-EIO')
def _(img):
    return img[:300]


# C mounts it, and so does rust_vfat: what is cut off fails when read.
@case('truncated-data-area', 'same-as-C')
def _(img):
    return img[:len(img) // 2]


@case('zero-sectors-per-cluster', 'mount-EINVAL')
def _(img):
    img[13] = 0


@case('sector-size-not-power-of-two', 'mount-EINVAL')
def _(img):
    struct.pack_into('<H', img, 11, 768)


@case('fat-count-zero', 'mount-EINVAL')
def _(img):
    img[16] = 0


@case('sizes-past-the-end', 'same-as-C')
def _(img):
    total, = struct.unpack_from('<H', img, 19)
    struct.pack_into('<H', img, 19, min(0xffff, total * 2))


@case('bad-media-byte', 'mount-EINVAL')
def _(img):
    img[21] = 0x12


long_name = find(good, root_off, nroot, b'LONGFI~1TXT')
readme = find(good, root_off, nroot, b'README  TXT')
docs = find(good, root_off, nroot, b'DOCS       ')


# C follows a loop as far as the file's size asks, and so does rust_vfat.
@case('file-chain-loops', 'same-as-C')
def _(img):
    c = cluster_of(img, long_name)
    fat12_set(img, c + 1 if fat12_get(img, c) == c + 1 else c, c)


@case('file-chain-out-of-range', 'read-EIO')
def _(img):
    fat12_set(img, cluster_of(img, long_name), 0xff0)


@case('file-chain-hits-free-cluster', 'read-EIO')
def _(img):
    c = cluster_of(img, long_name)
    fat12_set(img, c, 0x500 if fat12_get(img, 0x500) == 0 else 0x501)


@case('file-first-cluster-out-of-range', 'read-EIO')
def _(img):
    struct.pack_into('<H', img, long_name + 26, 0xfff0)


@case('file-size-past-its-chain', 'read-EIO')
def _(img):
    struct.pack_into('<I', img, readme + 28, 10 * csize)


def chain(img, c):
    """The clusters of the chain at `c`, as far as it is sound."""
    out = []
    while 2 <= c < 0xff0 and c not in out:
        out.append(c)
        c = fat12_get(img, c)
    return out


def two_cluster_file(img, entry_off):
    """Makes the file of `entry_off` end 1000 bytes into its second cluster
    (so a read needs the one link between its two clusters and nothing
    after); returns its last cluster."""
    c = chain(img, cluster_of(img, entry_off))
    assert len(c) >= 2, 'the file needs two clusters'
    struct.pack_into('<I', img, entry_off + 28, csize + min(1000, csize) // 2)
    return c[1]


def nclusters():
    total, = struct.unpack_from('<H', good, 19)
    return (total * bps - data_off) // csize


# A chain broken only after the file's last cluster: C reads the whole
# file (fat_get_cluster follows only the links a read needs); so must we.
for what, value in [('free', 0), ('bad', 0xff7), ('out-of-range', nclusters() + 10), ('one', 1)]:
    @case(f'chain-broken-after-last-cluster-{what}', 'same-as-C')
    def _(img, value=value):
        fat12_set(img, two_cluster_file(img, long_name), value)


def free_root_slot(img, need):
    """The first of `need` free root slots in a row."""
    run = 0
    for i, (off, e) in enumerate(entries(img, root_off, nroot)):
        run = run + 1 if e[0] in (0, 0xe5) else 0
        if run == need:
            return off - 32 * (need - 1)
    raise SystemExit('no room in the root directory')


def put_long_name(img, at, units, short):
    """Long-name slots for `units` and then the empty file `short`."""
    slots = long_name_slots(units, short)
    img[at:at + len(slots)] = slots
    e = bytearray(32)
    e[:11] = short
    e[11] = 0x20
    img[at + len(slots):at + len(slots) + 32] = e


# A long name filling 20 slots with no terminator (260 units): C shows it
# and finds it by that name; every name readdir shows, lookup must find.
@case('lfn-20-slots-no-terminator', 'same-as-C')
def _(img):
    units = [ord('a') + i % 26 for i in range(260)]
    put_long_name(img, free_root_slot(img, 21), units, b'LONG260 TXT')


# 255 units, the longest a Windows name has, beside it.
@case('lfn-255-units', 'same-as-C')
def _(img):
    units = [ord('A') + i % 26 for i in range(255)]
    put_long_name(img, free_root_slot(img, 21), units, b'LONG255 TXT')


@case('directory-contains-its-parent', 'same-as-C')
def _(img):
    docs_c = cluster_of(img, docs)
    sub = find(img, data_off + (docs_c - 2) * csize, csize // 32, b'SUB        ')
    struct.pack_into('<H', img, sub + 26, docs_c)


@case('directory-chain-loops', 'read-EIO')
def _(img):
    c = cluster_of(img, docs)
    fat12_set(img, c, c)


@case('lfn-wrong-checksum', 'same-as-C')
def _(img):
    for s in lfn_slots(img, long_name):
        img[s + 13] ^= 0x5a


@case('lfn-wrong-sequence', 'same-as-C')
def _(img):
    s = lfn_slots(img, long_name)
    img[s[-1]] = 0x05  # the entry holding the first characters claims to be the fifth


@case('lfn-missing-last-entry', 'same-as-C')
def _(img):
    s = lfn_slots(img, long_name)
    img[s[0]] &= ~0x40 & 0xff


@case('deleted-marker-inside-lfn', 'same-as-C')
def _(img):
    s = lfn_slots(img, long_name)
    assert len(s) >= 2
    img[s[1]] = 0xe5


@case('lfn-lone-surrogate', 'same-as-C')
def _(img):
    s = lfn_slots(img, long_name)
    struct.pack_into('<H', img, s[-1] + 1, 0xd800)


@case('lfn-with-a-newline', 'same-as-C')
def _(img):
    s = lfn_slots(img, long_name)
    struct.pack_into('<H', img, s[-1] + 3, 0x0a)


@case('end-marker-hides-later-entries', 'same-as-C')
def _(img):
    img[readme] = 0


# A size with no chain: C reads zeros for it; an extension must fail
# (rw/18-writes-on-damaged-chains.sh).
@case('file-size-without-clusters', 'same-as-C')
def _(img):
    struct.pack_into('<H', img, readme + 26, 0)


# README's entry cross-linked to the start of the long-named file's chain,
# which is longer than README's size: an extension must not cut the other
# file's chain (rw/18-writes-on-damaged-chains.sh).
@case('file-cross-linked-past-its-size', 'same-as-C')
def _(img):
    assert len(chain(img, cluster_of(img, long_name))) >= 2
    struct.pack_into('<H', img, readme + 26, cluster_of(img, long_name))


# docs/sub's '..' entry deleted: a rename that moves it to another
# directory must fail whole, before anything changes
# (rw/20-renames-of-damaged-dirs.sh).
@case('dir-without-dotdot', 'same-as-C')
def _(img):
    sub = find(img, data_off + (cluster_of(img, docs) - 2) * csize, csize // 32, b'SUB        ')
    dotdot = find(img, data_off + (cluster_of(img, sub) - 2) * csize, csize // 32, b'..         ')
    img[dotdot] = 0xe5


with open(os.path.join(out, 'expect'), 'w') as f:
    for name, expectation in cases.items():
        f.write(f'{name} {expectation}\n')
print(f'{len(cases)} malformed images in {out}')
