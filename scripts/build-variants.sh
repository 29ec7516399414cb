#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Builds the stale and foreign modules the version-check scenario loads:
#   abi/rust_fat.ko       rust_fat built with a different exported ABI
#                         (RUST_FAT_ABI_VARIANT: a field added to DirEntry)
#   vermagic/rust_fat.ko  rust_fat whose vermagic says it was built for a
#                         kernel without MODULE_UNLOAD
#   badcrc/rust_fat.ko    rust_fat whose recorded CRC for one of the
#                         kernel's symbols (badcrc/symbol names it: memcpy,
#                         unless the kernel's config, KASAN say, makes the
#                         code call others) differs from the kernel's (only for a
#                         kernel with CONFIG_MODVERSIONS: without, modules
#                         record no CRCs)
# Usage: build-variants.sh KDIR OUTDIR
set -euo pipefail
. "$(dirname "$0")/lib.sh"
kdir=$1 out=$2
rm -rf "$out"/{abi,vermagic,badcrc}
mkdir -p "$out"/{abi,vermagic,badcrc}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Only rust_vfat_demo, into a private output directory (Kbuild's MO=), so
# the variant never touches the main build.
# scripts/kbuild.sh: a distribution's tree builds in its chroot.
"$REPO_ROOT/scripts/kbuild.sh" "$kdir" -s M="$REPO_ROOT/rust_vfat_demo" MO="$tmp/abi" LLVM="$LLVM_SUFFIX" \
	RUST_LIB_SRC="$(rust_lib_src)" RUST_FAT_ABI_VARIANT=1 modules >"$tmp/abi.log" 2>&1 ||
	{ cat "$tmp/abi.log" >&2; die "building the ABI variant failed" "see the Kbuild output above"; }
cp "$tmp/abi/rust_fat.ko" "$out/abi/rust_fat.ko"

main_ko="$(make -s -C "$REPO_ROOT" KDIR="$kdir" modules-dir)/rust_vfat_demo/rust_fat.ko"
[ -f "$main_ko" ] || die "no $main_ko" "run make KDIR=$kdir first"

# Both patches rewrite bytes in place, keeping the ELF layout as the linker
# made it (kmod's forced-load path rejects files objcopy rewrote).
python3 - "$main_ko" "$out" <<'PY'
import struct, sys

src, out = sys.argv[1], sys.argv[2]
elf = open(src, 'rb').read()

def section(data, want):
    """Offset and size of the named section of an ELF64 little-endian file."""
    shoff, = struct.unpack_from('<Q', data, 0x28)
    shentsize, shnum, shstrndx = struct.unpack_from('<HHH', data, 0x3a)
    def hdr(i):
        return struct.unpack_from('<IIQQQQIIQQ', data, shoff + i * shentsize)
    stroff = hdr(shstrndx)[4]
    for i in range(shnum):
        h = hdr(i)
        name = data[stroff + h[0]:data.index(b'\0', stroff + h[0])]
        if name == want:
            return h[4], h[5]
    return None

# vermagic: as if built for a kernel without MODULE_UNLOAD. The string gets
# shorter; NUL padding keeps the size (the kernel skips it in .modinfo).
b = bytearray(elf)
off, size = section(b, b'.modinfo') or sys.exit('rust_fat.ko has no .modinfo')
start = b.index(b'vermagic=', off, off + size)
end = b.index(b'\0', start)
magic = bytes(b[start:end])
assert b'mod_unload ' in magic, magic
new = magic.replace(b'mod_unload ', b'')
b[start:end] = new + b'\0' * (len(magic) - len(new))
open(f'{out}/vermagic/rust_fat.ko', 'wb').write(b)

# badcrc: the CRC recorded for a kernel symbol in the extended table, which the
# kernel checks when a module has one.
b = bytearray(elf)
if section(b, b'__version_ext_names') is None:
    sys.exit(0)
noff, nsize = section(b, b'__version_ext_names')
coff, _ = section(b, b'__version_ext_crcs')
names = bytes(b[noff:noff + nsize]).split(b'\0')
names = [n for n in names if n]
symbol = next((n for n in (b'memcpy', b'_printk') if n in names), names[0])
i = names.index(symbol)
open(f'{out}/badcrc/symbol', 'w').write(symbol.decode() + '\n')
v, = struct.unpack_from('<I', b, coff + 4 * i)
struct.pack_into('<I', b, coff + 4 * i, v ^ 0xdeadbeef)
open(f'{out}/badcrc/rust_fat.ko', 'wb').write(b)
PY
log "variants: $(ls "$out"/*/rust_fat.ko | tr '\n' ' ')"
