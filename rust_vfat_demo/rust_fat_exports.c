// SPDX-License-Identifier: GPL-2.0
/*
 * Exports the Rust symbols of rust_fat's crate that rust_vfat calls.
 *
 * Kbuild has no native way yet to export Rust items to another module, so
 * (as Linux does for nova-core) this shim exports the mangled symbols that
 * rust_vfat.o references, listed at build time from both objects by
 * scripts/rust-exports.sh. Their modversions CRCs come from the Rust
 * object's DWARF (see the Kbuild), not from these placeholder declarations.
 */

#include <linux/export.h>

#define RUST_FAT_EXPORT(sym) extern int sym; EXPORT_SYMBOL_GPL(sym);

#include "rust_fat_exports_generated.h"
