// SPDX-License-Identifier: GPL-2.0

//! `rust_msdos`: the MS-DOS namespace over `rust_fat`, like the kernel's
//! `msdos.ko`.
//!
//! It registers the file system type `rust_msdos` (alias `fs-rust_msdos`):
//! 8.3 names only, shown lower-cased, looked up by formatting the name the
//! way `msdos_format_name` does (so `readme.txt`, `README.TXT` and
//! `ReadMe.TxtXYZ` all name `README  TXT`), long-name entries ignored.

use kernel::prelude::*;
use rust_fat_core::fat_disk::{
    format::attr,
    names::{
        msdos_format_name,
        KeyBuf, //
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
    type: RustMsdos,
    name: "rust_msdos",
    authors: ["rust_vfat_demo authors"],
    description: "MS-DOS file system (read-only): 8.3 names over rust_fat",
    license: "GPL",
    alias: ["fs-rust_msdos"],
}

/// The stored form of `name`, as the directory entry holds it (a leading
/// 0x05 read back as 0xE5).
fn stored_form(name: &[u8], opts: &MountOptions) -> Result<[u8; 11]> {
    let mut n = msdos_format_name(name, opts.check, opts.nocase, opts.dots).map_err(|_| ENOENT)?;
    if n[0] == 0x05 {
        n[0] = 0xe5;
    }
    Ok(n)
}

/// The key: the stored form, then whether the name was dotted (`dots`).
fn lookup_key(name: &[u8], opts: &MountOptions, key: &mut KeyBuf) -> Result {
    key.extend(&stored_form(name, opts)?).map_err(|_| ENOENT)?;
    key.push(u8::from(name.first() == Some(&b'.')))
        .map_err(|_| ENOENT)
}

fn matches(key: &[u8], names: &RecordNames<'_>, opts: &MountOptions) -> bool {
    let Some((&dotted, stored)) = key.split_last() else {
        return false;
    };
    if stored != names.stored {
        return false;
    }
    // With `dots`, hidden files are named with a leading dot and only so.
    !opts.dots || (dotted == 1) == (names.attr & attr::HIDDEN != 0)
}

fn hash_key(name: &[u8], opts: &MountOptions, key: &mut KeyBuf) -> Result {
    key.extend(&stored_form(name, opts)?).map_err(|_| ENOENT)
}

fn names_equal(a: &[u8], b: &[u8], opts: &MountOptions) -> bool {
    match (stored_form(a, opts), stored_form(b, opts)) {
        (Ok(x), Ok(y)) => x == y,
        _ => a == b,
    }
}

static MSDOS: Namespace = Namespace {
    name: c"rust_msdos",
    flavour: Flavour::Msdos,
    namelen: 12 * 6,
    lookup_key,
    matches,
    hash_key,
    names_equal,
};

struct RustMsdos {
    _fs: FatRegistration,
}

impl kernel::Module for RustMsdos {
    fn init(module: &'static ThisModule) -> Result<Self> {
        let fs = FatRegistration::new(&MSDOS, module)?;
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
    use super::*;

    #[test]
    fn names_format_as_msdos() {
        let o = MountOptions::new(0o022);
        assert_eq!(stored_form(b"readme.txt", &o).ok(), Some(*b"README  TXT"));
        assert_eq!(
            stored_form(b"readme12345.txt", &o).ok(),
            Some(*b"README12TXT")
        );
        assert!(stored_form(b"a*b", &o).is_err());
        assert!(names_equal(b"ReadMe.Txt", b"README.TXT", &o));
    }
}
