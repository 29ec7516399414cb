// SPDX-License-Identifier: GPL-2.0

//! The line between the FAT core and its namespaces, where `fs/fat` draws
//! it: the core reads directories, long names, inodes and data; a
//! namespace (`namei_vfat.c`, `namei_msdos.c` in C; `ns/vfat.rs`,
//! `ns/msdos.rs` here, compiled into `rust_vfat` and `rust_msdos`) decides
//! how names are shown, compared, hashed and looked up, which mount options
//! it adds and the few per-namespace choices the core asks about.
//!
//! A new namespace implements [`Namespace`] and needs no change in the
//! core: the host test `host/tests/namespace.rs` shows one.

use crate::dir::{
    DirLocation,
    DirReader,
    DirRecord, //
};
use crate::format::{
    DirEntry,
    FatError, //
};
use crate::names::{
    long_name,
    KeyBuf,
    NameBuf,
    NAME_MAX_BYTES, //
};
use crate::options::{
    MountOptions,
    OptionError, //
};
use crate::volume::{
    BlockDevice,
    Volume, //
};

/// A name that no record can match (lookup) or that keeps the VFS's own
/// hash (`d_hash`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NoKey;

/// The names a directory record has, for a namespace's lookup rules.
pub struct RecordNames<'a> {
    /// The 8.3 name as stored (0xE5 for a stored 0x05).
    pub stored: &'a [u8; 11],
    /// The attribute byte.
    pub attr: u8,
    /// The 8.3 name as this namespace matches it ([`Namespace::short_key`]).
    pub short: &'a [u8],
    /// The long name in the mount's character set, if the record has one.
    pub long: Option<&'a [u8]>,
}

/// The name rules and per-namespace choices of one FAT namespace.
pub trait Namespace: Sync {
    /// Whether long-name records are read (vfat) or skipped (msdos).
    fn long_names(&self) -> bool;

    /// `statfs`' `f_namelen`.
    fn namelen(&self) -> u32;

    /// Whether `CONFIG_FAT_DEFAULT_UTF8` applies to this namespace's mounts
    /// (as `fs/fat`: vfat only).
    fn default_utf8(&self) -> bool {
        false
    }

    /// Applies one of this namespace's own mount options; the core has
    /// handled the common ones (`fat_param_spec`) and asks only about the
    /// rest.
    fn parse_option(
        &self,
        _opts: &mut MountOptions,
        _key: &[u8],
        _value: Option<&[u8]>,
    ) -> Result<(), OptionError> {
        Err(OptionError::Unknown)
    }

    /// Whether the read-only attribute also takes the write bits off
    /// directories (msdos always; vfat only with `rodir`).
    fn rodir(&self) -> bool;

    /// Whether the access date and the creation time are kept (vfat); else
    /// the access time is the modification day's midnight, there is no
    /// birth time and the mount is `noatime` (msdos).
    fn keeps_times(&self) -> bool;

    /// Whether an inode has at most one dentry per directory (vfat: a long
    /// name and its 8.3 alias name one inode).
    fn one_alias(&self) -> bool {
        false
    }

    /// The 8.3 name `readdir` shows for a record that has no long name
    /// (or whose namespace reads none), into `out`. Empty: not shown.
    fn display_name(
        &self,
        e: &DirEntry,
        opts: &MountOptions,
        out: &mut NameBuf,
    ) -> Result<(), FatError>;

    /// The 8.3 name lookups match a record by. Empty: the record is skipped.
    fn short_key(
        &self,
        e: &DirEntry,
        opts: &MountOptions,
        out: &mut KeyBuf,
    ) -> Result<(), FatError>;

    /// Turns a name being looked up into the key records are matched
    /// against.
    fn lookup_key(&self, name: &[u8], opts: &MountOptions, key: &mut KeyBuf) -> Result<(), NoKey>;

    /// Whether a record matches a key made by [`Namespace::lookup_key`].
    fn matches(&self, key: &[u8], names: &RecordNames<'_>, opts: &MountOptions) -> bool;

    /// The bytes the dentry cache hashes for `name` (`d_hash`).
    fn hash_key(&self, name: &[u8], opts: &MountOptions, key: &mut KeyBuf) -> Result<(), NoKey>;

    /// Whether two names are the same name (`d_compare`).
    fn names_equal(&self, a: &[u8], b: &[u8], opts: &MountOptions) -> bool;
}

/// The long name of `rec` in the mount's character set, into `out`
/// (cleared first; left empty when the record has none or the namespace
/// reads none).
pub fn record_long_name<D: BlockDevice, N: Namespace + ?Sized>(
    ns: &N,
    reader: &DirReader<'_, D>,
    rec: &DirRecord,
    opts: &MountOptions,
    out: &mut NameBuf<NAME_MAX_BYTES>,
) -> Result<(), FatError> {
    out.clear();
    if ns.long_names() && rec.long_len > 0 {
        long_name(reader.long_name(rec), opts.charset(), opts.uni_xlate, out)?;
    }
    Ok(())
}

/// The name `readdir` shows for `rec` under `ns` (empty: not shown): as
/// `fs/fat`'s `__fat_readdir`, the long name when the namespace reads long
/// names and the record has one, else the namespace's 8.3 display. `long`
/// and `out` are scratch room; the name is in one of them.
pub fn display<'a, D: BlockDevice, N: Namespace + ?Sized>(
    ns: &N,
    reader: &DirReader<'_, D>,
    rec: &DirRecord,
    opts: &MountOptions,
    long: &'a mut NameBuf<NAME_MAX_BYTES>,
    out: &'a mut NameBuf<NAME_MAX_BYTES>,
) -> Result<&'a [u8], FatError> {
    record_long_name(ns, reader, rec, opts, long)?;
    if !long.as_bytes().is_empty() {
        return Ok(long.as_bytes());
    }
    out.clear();
    ns.display_name(&rec.entry, opts, out)?;
    Ok(out.as_bytes())
}

/// Finds the record `name` names in the directory at `loc`, as `fs/fat`'s
/// `fat_search_long` with the namespace's matching: the entry and its
/// device offset. `long` is scratch room for long names (on the heap in
/// the kernel, to keep lookup's stack frame small).
pub fn find<D: BlockDevice, N: Namespace + ?Sized>(
    vol: &Volume<D>,
    loc: DirLocation,
    ns: &N,
    opts: &MountOptions,
    name: &[u8],
    long: &mut NameBuf<NAME_MAX_BYTES>,
) -> Result<Option<(DirEntry, u64)>, FatError> {
    let mut key = KeyBuf::new();
    if ns.lookup_key(name, opts, &mut key).is_err() {
        return Ok(None);
    }
    let mut reader = DirReader::new(vol, loc, ns.long_names());
    let mut short = KeyBuf::new();
    while let Some(rec) = reader.next_record()? {
        short.clear();
        ns.short_key(&rec.entry, opts, &mut short)?;
        record_long_name(ns, &reader, &rec, opts, long)?;
        // A record without an 8.3 name to match is skipped, as in C.
        if short.as_bytes().is_empty() || rec.entry.is_dot() {
            continue;
        }
        let names = RecordNames {
            stored: &rec.entry.name,
            attr: rec.entry.attr,
            short: short.as_bytes(),
            long: (rec.long_len > 0 && ns.long_names()).then(|| long.as_bytes()),
        };
        if ns.matches(key.as_bytes(), &names, opts) {
            return Ok(Some((rec.entry, rec.dev_pos)));
        }
    }
    Ok(None)
}
