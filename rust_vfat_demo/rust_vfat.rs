// SPDX-License-Identifier: GPL-2.0

//! `rust_vfat`: the VFAT namespace over `rust_fat`, like the kernel's
//! `vfat.ko`.
//!
//! It registers the file system type `rust_vfat` (demand-loaded through
//! its `fs-rust_vfat` alias by `mount -t rust_vfat`) and gives the core its
//! name rules: long names are shown and looked up, and so are 8.3 aliases;
//! names compare without case the way vfat's `d_hash`/`d_compare` do
//! (ISO 8859-1 lower case, byte by byte, trailing dots ignored), or exactly
//! with `check=s`. Everything else (super block, inodes, readdir, reads)
//! is `rust_fat`'s, reached through its exported Rust API.

use kernel::prelude::*;
use rust_fat_core::fat_disk::{
    names::{
        latin1_lower,
        vfat_eq_nocase,
        vfat_strip_tail,
        KeyBuf,
        NameCheck, //
    },
    options::{
        Flavour,
        MountOptions, //
    },
};
use rust_fat_core::fat_fs::{
    FatRegistration,
    Namespace,
    RecordNames, //
};

module! {
    type: RustVfat,
    name: "rust_vfat",
    authors: ["rust_vfat_demo authors"],
    description: "VFAT file system (read-only): long names over rust_fat",
    license: "GPL",
    alias: ["fs-rust_vfat"],
}

fn case_sensitive(opts: &MountOptions) -> bool {
    opts.check == NameCheck::Strict
}

fn lookup_key(name: &[u8], _opts: &MountOptions, key: &mut KeyBuf) -> Result {
    let name = vfat_strip_tail(name);
    if name.is_empty() {
        return Err(ENOENT);
    }
    key.extend(name).map_err(|_| ENAMETOOLONG)
}

fn name_matches(key: &[u8], name: &[u8], opts: &MountOptions) -> bool {
    if case_sensitive(opts) {
        key == name
    } else {
        vfat_eq_nocase(key, name)
    }
}

fn matches(key: &[u8], names: &RecordNames<'_>, opts: &MountOptions) -> bool {
    name_matches(key, names.short, opts) || names.long.is_some_and(|l| name_matches(key, l, opts))
}

fn hash_key(name: &[u8], opts: &MountOptions, key: &mut KeyBuf) -> Result {
    for &b in vfat_strip_tail(name) {
        let b = if case_sensitive(opts) {
            b
        } else {
            latin1_lower(b)
        };
        key.push(b).map_err(|_| ENAMETOOLONG)?;
    }
    Ok(())
}

fn names_equal(a: &[u8], b: &[u8], opts: &MountOptions) -> bool {
    name_matches(vfat_strip_tail(a), vfat_strip_tail(b), opts)
}

static VFAT: Namespace = Namespace {
    name: c"rust_vfat",
    flavour: Flavour::Vfat,
    namelen: 255 * 6,
    lookup_key,
    matches,
    hash_key,
    names_equal,
};

struct RustVfat {
    _fs: FatRegistration,
}

impl kernel::Module for RustVfat {
    fn init(module: &'static ThisModule) -> Result<Self> {
        // The first call across the module boundary: resolved at load time
        // through rust_fat's exported symbol.
        let sum = rust_fat_core::fat_disk::format::lfn_checksum(b"README  TXT");
        let fs = FatRegistration::new(&VFAT, module)?;
        pr_info!(
            "loaded: file system rust_vfat registered over rust_fat (lfn_checksum(\"README  TXT\") = {:#04x})\n",
            sum
        );
        Ok(RustVfat { _fs: fs })
    }
}

impl Drop for RustVfat {
    fn drop(&mut self) {
        // No mount can exist here: each holds this module.
        pr_info!("unloading: file system rust_vfat unregistered\n");
    }
}

#[kunit_tests(rust_vfat_names)]
mod tests {
    use super::*;

    fn opts() -> MountOptions {
        MountOptions::new(0o022)
    }

    #[test]
    fn lookups_ignore_case_and_trailing_dots() {
        assert!(names_equal(b"README.TXT", b"readme.txt...", &opts()));
        assert!(!names_equal(b"README.TXT", b"readme.tx", &opts()));
        let mut strict = opts();
        strict.check = NameCheck::Strict;
        assert!(!names_equal(b"README.TXT", b"readme.txt", &strict));
    }

    #[test]
    fn hash_keys_agree_with_equality() {
        let (mut a, mut b) = (KeyBuf::new(), KeyBuf::new());
        assert!(hash_key("ÉTÉ.".as_bytes(), &opts(), &mut a).is_ok());
        assert!(hash_key("ÉTÉ".as_bytes(), &opts(), &mut b).is_ok());
        assert_eq!(a.as_bytes(), b.as_bytes());
    }

    #[test]
    fn empty_names_find_nothing() {
        let mut k = KeyBuf::new();
        assert!(lookup_key(b"...", &opts(), &mut k).is_err());
    }
}
