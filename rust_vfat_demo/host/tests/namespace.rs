// SPDX-License-Identifier: GPL-2.0

//! A third FAT namespace, written here and nowhere else: the core
//! (`fat_disk`'s directory reader, lookup, inode attributes and option
//! parsing, the code `rust_fat` runs) serves it without a change, the way
//! `rust_vfat` and `rust_msdos` plug their rules into `rust_fat`.
//!
//! "dos83": 8.3 names only, shown exactly as stored (`README.TXT`), looked
//! up case-sensitively by that form, long names ignored; its one option,
//! `lower`, shows and looks names up in lower case.

mod common;

use fat_logic::fat_disk::dir::{
    DirLocation,
    DirReader, //
};
use fat_logic::fat_disk::format::*;
use fat_logic::fat_disk::inode::entry_attrs;
use fat_logic::fat_disk::names::{
    KeyBuf,
    NameBuf,
    NameHash, //
};
use fat_logic::fat_disk::namespace::{
    display,
    find_name,
    Namespace,
    NoKey,
    RecordNames, //
};
use fat_logic::fat_disk::options::{
    apply,
    flag,
    MountOptions,
    OptionError, //
};
use fat_logic::fat_disk::volume::Volume;

/// The minimal namespace.
struct Dos83;

/// `shortname=lower` is a vfat option; this namespace reuses the
/// `MountOptions` field that `lower` sets.
fn lower(opts: &MountOptions) -> bool {
    opts.shortname == fat_logic::fat_disk::options::ShortnameDisplay::Lower
}

impl Namespace for Dos83 {
    fn long_names(&self) -> bool {
        false
    }

    fn namelen(&self) -> u32 {
        12
    }

    fn parse_option(
        &self,
        opts: &mut MountOptions,
        key: &[u8],
        val: Option<&[u8]>,
    ) -> Result<(), OptionError> {
        match key {
            b"lower" => {
                flag(val)?;
                opts.shortname = fat_logic::fat_disk::options::ShortnameDisplay::Lower;
                Ok(())
            }
            _ => Err(OptionError::Unknown),
        }
    }

    fn rodir(&self) -> bool {
        true
    }

    fn keeps_times(&self) -> bool {
        false
    }

    fn display_name(
        &self,
        e: &DirEntry,
        opts: &MountOptions,
        out: &mut NameBuf,
    ) -> Result<(), FatError> {
        let (base, ext) = e.name_parts();
        let conv = |b: &u8| {
            if lower(opts) {
                b.to_ascii_lowercase()
            } else {
                *b
            }
        };
        for b in base {
            out.push(conv(b))?;
        }
        if !ext.is_empty() {
            out.push(b'.')?;
            for b in ext {
                out.push(conv(b))?;
            }
        }
        Ok(())
    }

    fn lookup_key(&self, name: &[u8], _opts: &MountOptions, key: &mut KeyBuf) -> Result<(), NoKey> {
        key.extend(name).map_err(|_| NoKey)
    }

    fn matches(&self, key: &[u8], names: &RecordNames<'_>, opts: &MountOptions) -> bool {
        let mut n = NameBuf::new();
        self.display_name(names.entry, opts, &mut n).is_ok() && key == n.as_bytes()
    }

    fn hash_name(
        &self,
        name: &[u8],
        _opts: &MountOptions,
        hash: &mut NameHash,
    ) -> Result<(), NoKey> {
        name.iter().for_each(|&b| hash.push(b));
        Ok(())
    }

    fn names_equal(&self, a: &[u8], b: &[u8], _opts: &MountOptions) -> bool {
        a == b
    }
}

/// A FAT12 image with `Readme.txt` (long name over `README  TXT`), a
/// read-only directory `DOCS` and a file `NOTES` without extension.
fn image() -> Vec<u8> {
    let mut b = common::tiny_fat12();
    // FAT: end of chain for 2 (DOCS) and 3 too.
    b[515..518].copy_from_slice(&[0xff, 0xff, 0xff]);
    let slot = |b: &mut Vec<u8>, i: usize, raw: [u8; 32]| {
        b[2 * 512 + i * 32..2 * 512 + i * 32 + 32].copy_from_slice(&raw);
    };
    let short = |name: &[u8; 11], a: u8, cluster: u16, size: u32| {
        let mut r = [0u8; 32];
        r[..11].copy_from_slice(name);
        r[11] = a;
        r[26..28].copy_from_slice(&cluster.to_le_bytes());
        r[28..32].copy_from_slice(&size.to_le_bytes());
        r
    };
    let mut lfn = [0xffu8; 32];
    lfn[0] = 0x41;
    lfn[11] = attr::LONG_NAME;
    lfn[12] = 0;
    lfn[13] = lfn_checksum(b"README  TXT");
    lfn[26] = 0;
    lfn[27] = 0;
    let units: Vec<u16> = "Readme.txt".encode_utf16().chain([0]).collect();
    for (u, off) in units.iter().zip([1, 3, 5, 7, 9, 14, 16, 18, 20, 22, 24]) {
        lfn[off..off + 2].copy_from_slice(&u.to_le_bytes());
    }
    slot(&mut b, 0, lfn);
    slot(&mut b, 1, short(b"README  TXT", attr::ARCHIVE, 3, 5));
    slot(
        &mut b,
        2,
        short(b"DOCS       ", attr::DIRECTORY | attr::READ_ONLY, 2, 0),
    );
    slot(&mut b, 3, short(b"NOTES      ", attr::ARCHIVE, 0, 0));
    // DOCS (cluster 2, sector 3 + 2 - 2 + 1 = data starts after the root's
    // one sector): `.` and `..`.
    let data = (1 + 1 + 1) * 512;
    b[data..data + 32].copy_from_slice(&short(b".          ", attr::DIRECTORY, 2, 0));
    b[data + 32..data + 64].copy_from_slice(&short(b"..         ", attr::DIRECTORY, 0, 0));
    b
}

fn names(vol: &Volume<&[u8]>, opts: &MountOptions) -> Vec<String> {
    let mut reader = DirReader::new(vol, DirLocation::root(vol), Dos83.long_names());
    let (mut long, mut out) = (NameBuf::new(), NameBuf::new());
    let mut v = Vec::new();
    while let Some(rec) = reader.next_record().unwrap() {
        let n = display(&Dos83, &reader, &rec, opts, &mut long, &mut out).unwrap();
        v.push(String::from_utf8(n.to_vec()).unwrap());
    }
    v
}

#[test]
fn a_third_namespace_lists_looks_up_and_parses_through_the_core() {
    let img = image();
    let vol = Volume::open(&img[..], img.len() as u64).unwrap();
    let mut opts = MountOptions::new(0o022);

    // readdir: the stored 8.3 names, the long name ignored.
    assert_eq!(names(&vol, &opts), ["README.TXT", "DOCS", "NOTES"]);

    // lookup: by the shown form only, case-sensitively.
    let root = DirLocation::root(&vol);
    let hit = find_name(&vol, root, &Dos83, &opts, b"README.TXT").unwrap();
    assert_eq!(hit.map(|(e, _)| e.name), Some(*b"README  TXT"));
    assert!(find_name(&vol, root, &Dos83, &opts, b"Readme.txt")
        .unwrap()
        .is_none());
    assert!(find_name(&vol, root, &Dos83, &opts, b"readme.txt")
        .unwrap()
        .is_none());

    // inode attributes: the namespace's rodir applies to the directory.
    let (docs, _) = find_name(&vol, root, &Dos83, &opts, b"DOCS")
        .unwrap()
        .unwrap();
    let a = entry_attrs(&vol, &opts, &Dos83, 0, &docs).unwrap();
    assert_eq!(a.mode & 0o777, 0o555);

    // options: the core's own, the namespace's own, and others refused.
    apply(&mut opts, &Dos83, b"uid", Some(b"1000")).unwrap();
    assert_eq!(opts.uid, Some(1000));
    assert_eq!(
        apply(&mut opts, &Dos83, b"utf8", None),
        Err(OptionError::Unknown)
    );
    apply(&mut opts, &Dos83, b"lower", None).unwrap();
    assert_eq!(names(&vol, &opts), ["readme.txt", "docs", "notes"]);
    let hit = find_name(&vol, root, &Dos83, &opts, b"readme.txt").unwrap();
    assert_eq!(hit.map(|(e, _)| e.name), Some(*b"README  TXT"));
}
