// SPDX-License-Identifier: GPL-2.0

//! `rust_msdos`: the MS-DOS namespace over `rust_fat`, like the kernel's
//! `msdos.ko`.
//!
//! It registers the file system type `rust_msdos` (alias `fs-rust_msdos`)
//! with the name rules of [`rules::Msdos`] (`ns/msdos.rs`, compiled into
//! this module as `namei_msdos.c` is into `msdos.ko`): 8.3 names only,
//! shown lower-cased, looked up by formatting the name the way
//! `msdos_format_name` does, long-name entries ignored.

use kernel::prelude::*;
use rust_fat_core::fat_fs::FatRegistration;

#[path = "ns/msdos.rs"]
pub mod rules;

module! {
    type: RustMsdos,
    name: "rust_msdos",
    authors: ["rust_vfat_demo authors"],
    description: "MS-DOS file system: 8.3 names over rust_fat",
    license: "GPL",
    alias: ["fs-rust_msdos"],
}

static MSDOS: rules::Msdos = rules::Msdos;

struct RustMsdos {
    _fs: FatRegistration,
}

impl kernel::Module for RustMsdos {
    fn init(module: &'static ThisModule) -> Result<Self> {
        let fs = FatRegistration::new(c"rust_msdos", &MSDOS, module)?;
        pr_info!("loaded: file system rust_msdos registered over rust_fat\n");
        Ok(RustMsdos { _fs: fs })
    }
}

impl Drop for RustMsdos {
    fn drop(&mut self) {
        pr_info!("unloading: file system rust_msdos unregistered\n");
    }
}

#[kunit_tests(rust_msdos_names)]
mod tests {
    use super::rules::{
        stored_form,
        Msdos, //
    };
    use rust_fat_core::fat_disk::{
        namespace::Namespace,
        options::MountOptions, //
    };

    #[test]
    fn names_format_as_msdos() {
        let o = MountOptions::new(0o022);
        assert_eq!(stored_form(b"readme.txt", &o).ok(), Some(*b"README  TXT"));
        assert_eq!(
            stored_form(b"readme12345.txt", &o).ok(),
            Some(*b"README12TXT")
        );
        assert!(stored_form(b"a*b", &o).is_err());
        assert!(Msdos.names_equal(b"ReadMe.Txt", b"README.TXT", &o));
    }
}
