// SPDX-License-Identifier: GPL-2.0
/*
 * Exports the Rust symbols of rust_fat's crates (fat_disk, vfs,
 * rust_fat_core) that its consumers (rust_vfat, rust_msdos,
 * rust_fat_callbench) call.
 *
 * Kbuild has no native way yet to export Rust items to another module, so
 * (as Linux does for nova-core) this shim exports the mangled symbols that
 * the consumers' objects reference and the crates' objects define, listed
 * at build time by scripts/rust-exports.sh. Their modversions CRCs come
 * from the Rust objects' DWARF (see the Kbuild), not from these
 * placeholder declarations.
 */

#include <linux/export.h>

#define RUST_FAT_EXPORT(sym) extern int sym; EXPORT_SYMBOL_GPL(sym);

#include "rust_fat_exports_generated.h"
