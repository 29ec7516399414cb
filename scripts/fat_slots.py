# SPDX-License-Identifier: GPL-2.0
"""Directory slots as Windows and the kernel's vfat write them, for the
repository's FAT image generators (make-bad-images.py,
make-big-dir-image.py)."""

# Where a long-name slot keeps its 13 UTF-16 units.
LFN_UNIT_OFFSETS = [1, 3, 5, 7, 9, 14, 16, 18, 20, 22, 24, 28, 30]


def lfn_checksum(short):
    """The checksum of an 11-byte 8.3 name that its long-name slots carry."""
    s = 0
    for b in short:
        s = (((s & 1) << 7) + (s >> 1) + b) & 0xff
    return s


def long_name_slots(units, short):
    """The long-name slots of `units` (UTF-16 code units) for the 8.3 name
    `short`, in the order they are stored: the last part first, flagged
    0x40; a terminator and 0xFFFF padding when the last slot has room, none
    when the name fills it."""
    n = (len(units) + 12) // 13
    out = bytearray()
    for i in range(n):
        ordinal = n - i
        slot = bytearray(32)
        slot[0] = ordinal | (0x40 if i == 0 else 0)
        slot[11] = 0x0f
        slot[13] = lfn_checksum(short)
        part = units[(ordinal - 1) * 13:ordinal * 13]
        for k, o in enumerate(LFN_UNIT_OFFSETS):
            u = part[k] if k < len(part) else (0 if k == len(part) else 0xffff)
            slot[o:o + 2] = u.to_bytes(2, 'little')
        out += slot
    return bytes(out)
