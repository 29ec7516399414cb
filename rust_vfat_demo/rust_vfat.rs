// SPDX-License-Identifier: GPL-2.0

//! `rust_vfat`: the VFAT namespace over `rust_fat`, like the kernel's
//! `vfat.ko`.
//!
//! It registers the file system type `rust_vfat` (demand-loaded through
//! its `fs-rust_vfat` alias by `mount -t rust_vfat`) with the name rules
//! of [`rules::Vfat`] (`ns/vfat.rs`, compiled into this module as
//! `namei_vfat.c` is into `vfat.ko`): long names are shown and looked up,
//! and so are 8.3 aliases; names compare without case the way vfat's
//! `d_hash`/`d_compare` do, or exactly with `check=s`. Everything else
//! (super block, inodes, readdir, reads and writes) is `rust_fat`'s,
//! reached through its exported Rust API.

use kernel::prelude::*;
use rust_fat_core::fat_fs::FatRegistration;

#[path = "ns/vfat.rs"]
pub mod rules;

module! {
    type: RustVfat,
    name: "rust_vfat",
    authors: ["rust_vfat_demo authors"],
    description: "VFAT file system: long names over rust_fat",
    license: "GPL",
    alias: ["fs-rust_vfat"],
}

static VFAT: rules::Vfat = rules::Vfat;

struct RustVfat {
    _fs: FatRegistration,
}

impl kernel::Module for RustVfat {
    fn init(module: &'static ThisModule) -> Result<Self> {
        // The first call across the module boundary: resolved at load time
        // through rust_fat's exported symbol.
        let sum = rust_fat_core::fat_disk::format::lfn_checksum(b"README  TXT");
        let fs = FatRegistration::new(c"rust_vfat", &VFAT, module)?;
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
    use super::rules::Vfat;
    use rust_fat_core::fat_disk::{
        names::{
            KeyBuf,
            NameCheck,
            NameHash, //
        },
        namespace::Namespace,
        options::MountOptions,
    };

    fn opts() -> MountOptions {
        MountOptions::new(0o022)
    }

    #[test]
    fn lookups_ignore_case_and_trailing_dots() {
        assert!(Vfat.names_equal(b"README.TXT", b"readme.txt...", &opts()));
        assert!(!Vfat.names_equal(b"README.TXT", b"readme.tx", &opts()));
        let mut strict = opts();
        strict.check = NameCheck::Strict;
        assert!(!Vfat.names_equal(b"README.TXT", b"readme.txt", &strict));
    }

    #[test]
    fn hash_keys_agree_with_equality() {
        let (mut a, mut b) = (NameHash::new(1), NameHash::new(1));
        assert!(Vfat.hash_name("ÉTÉ.".as_bytes(), &opts(), &mut a).is_ok());
        assert!(Vfat.hash_name("ÉtÉ".as_bytes(), &opts(), &mut b).is_ok());
        assert_eq!(a.finish(), b.finish());
    }

    #[test]
    fn a_260_unit_name_is_a_key() {
        let mut k = KeyBuf::new();
        assert!(Vfat.lookup_key(&[b'a'; 260], &opts(), &mut k).is_ok());
        assert_eq!(k.as_bytes().len(), 260);
    }

    #[test]
    fn empty_names_find_nothing() {
        let mut k = KeyBuf::new();
        assert!(Vfat.lookup_key(b"...", &opts(), &mut k).is_err());
    }
}
