// SPDX-License-Identifier: GPL-2.0

//! The line between the FAT core and its namespaces, where `fs/fat` draws
//! it: the core reads and writes directories, long names, inodes and data;
//! a namespace (`namei_vfat.c`, `namei_msdos.c` in C; `ns/vfat.rs`,
//! `ns/msdos.rs` here, compiled into `rust_vfat` and `rust_msdos`) decides
//! how names are shown, compared, hashed, looked up and made, which mount
//! options it adds and the few per-namespace choices the core asks about.
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
    converts_to,
    long_name,
    KeyBuf,
    NameBuf,
    NameHash,
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

/// A directory record for a namespace's lookup rules: its entry and long
/// name as read, converted only as far as a comparison needs (see
/// [`crate::names::KeyCompare`]: a record that differs early from the key costs only the
/// bytes up to the difference).
#[derive(Clone, Copy)]
pub struct RecordNames<'a> {
    /// The short entry (the 8.3 name as stored, 0xE5 for a stored 0x05;
    /// the attributes; the case flags).
    pub entry: &'a DirEntry,
    /// The long name's UTF-16 units, if the record has one and the
    /// namespace reads long names.
    pub long: Option<&'a [u16]>,
    /// The mount's options (its character set).
    pub opts: &'a MountOptions,
}

impl RecordNames<'_> {
    /// Whether the long name, as readdir shows it, is `key` under `fold`.
    #[inline]
    pub fn long_is(&self, key: &[u8], fold: impl Fn(u8) -> u8) -> bool {
        self.long.is_some_and(|units| {
            converts_to(key, fold, |c| {
                long_name(units, self.opts.charset(), self.opts.uni_xlate, c)
            })
        })
    }
}

/// Most UTF-16 units of a long name a namespace creates (`FAT_LFN_LEN`).
pub const LFN_MAX_CREATE: usize = 255;

/// The on-disk name of a record being created, as a namespace's create
/// rules make it ([`Namespace::new_name`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NewName {
    /// The 8.3 name as stored (a leading 0xE5 stored as 0x05).
    pub short: [u8; 11],
    /// The NT case flags ([`crate::format::CASE_LOWER_BASE`],
    /// [`crate::format::CASE_LOWER_EXT`]).
    pub lcase: u8,
    /// Attribute bits the name implies (msdos with `dots`: a name with a
    /// leading dot is hidden).
    pub attr: u8,
    /// Which attribute bits the name decides (msdos: hidden, so that a
    /// rename sets or clears it as `do_msdos_rename`; vfat: none): a
    /// record made from an existing entry keeps the others.
    pub attr_mask: u8,
    /// The long name's UTF-16 units (`long_len` of them; none: the record
    /// has no long name).
    pub long: [u16; LFN_MAX_CREATE],
    /// How many units of `long` are the long name.
    pub long_len: usize,
}

impl Default for NewName {
    fn default() -> Self {
        Self::new()
    }
}

impl NewName {
    /// An empty name.
    pub const fn new() -> Self {
        NewName {
            short: [b' '; 11],
            lcase: 0,
            attr: 0,
            attr_mask: 0,
            long: [0; LFN_MAX_CREATE],
            long_len: 0,
        }
    }

    /// The long name's units (empty: none).
    pub fn long_name(&self) -> &[u16] {
        self.long.get(..self.long_len).unwrap_or(&[])
    }
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

    /// Turns a name being looked up into the key records are matched
    /// against. A key holds any name a record can show
    /// ([`crate::names::KEY_MAX_BYTES`]), so every name readdir shows can
    /// be a key.
    fn lookup_key(&self, name: &[u8], opts: &MountOptions, key: &mut KeyBuf) -> Result<(), NoKey>;

    /// Whether a record matches a key made by [`Namespace::lookup_key`]:
    /// by every name readdir can show for it.
    fn matches(&self, key: &[u8], names: &RecordNames<'_>, opts: &MountOptions) -> bool;

    /// Feeds `hash` the bytes the dentry cache hashes for `name`
    /// (`d_hash`), without a buffer, so names of any length hash as
    /// [`Namespace::names_equal`] compares them.
    fn hash_name(&self, name: &[u8], opts: &MountOptions, hash: &mut NameHash)
        -> Result<(), NoKey>;

    /// Whether two names are the same name (`d_compare`).
    fn names_equal(&self, a: &[u8], b: &[u8], opts: &MountOptions) -> bool;

    /// Makes the on-disk name of a new record called `name` (the bytes
    /// the VFS passes, in the mount's character set) in one directory, as
    /// the namespace's create path does (`vfat_build_slots` with
    /// `vfat_create_shortname`; `msdos_format_name`). `taken` says
    /// whether an 8.3 name (as stored) is used by a record of that
    /// directory (see [`crate::dir_write::short_name_taken`]); `tick` is
    /// the clock C's hashed alias tail uses (`jiffies`). Fails with
    /// [`FatError::InvalidName`], [`FatError::NameTooLong`], or
    /// [`FatError::Exists`] (vfat: the name's exact 8.3 form is taken;
    /// msdos gives [`FatError::InvalidName`] then, as C), or
    /// [`FatError::NotFound`] (vfat: only dots); a namespace that cannot create gives
    /// [`FatError::Unsupported`].
    ///
    /// Caller holds the directory's lock (its inode's `i_rwsem`), so that
    /// the name stays free until the record is added.
    fn new_name(
        &self,
        _name: &[u8],
        _opts: &MountOptions,
        _tick: u64,
        _taken: &mut dyn FnMut(&[u8; 11]) -> Result<bool, FatError>,
        _out: &mut NewName,
    ) -> Result<(), FatError> {
        Err(FatError::Unsupported)
    }
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

/// Finds the record whose names match `key` (made by
/// [`Namespace::lookup_key`]) in the directory `reader` reads, from where
/// it stands, as `fs/fat`'s `fat_search_long` with the namespace's
/// matching: the entry and its device offset. A record is looked up by
/// every name readdir can show for it, also a long name over an 8.3 name
/// that shows empty (a record C's `fat_search_long` skips, though its
/// readdir shows the long name). The caller owns the reader (on the heap
/// in the kernel: it holds a sector and a long name).
pub fn find<D: BlockDevice, N: Namespace + ?Sized>(
    reader: &mut DirReader<'_, D>,
    ns: &N,
    opts: &MountOptions,
    key: &[u8],
) -> Result<Option<(DirEntry, u64)>, FatError> {
    Ok(find_record(reader, ns, opts, key)?.map(|rec| (rec.entry, rec.dev_pos)))
}

/// [`find`], returning the whole record (where its slots start and end,
/// for [`crate::dir_write::remove_record`]).
pub fn find_record<D: BlockDevice, N: Namespace + ?Sized>(
    reader: &mut DirReader<'_, D>,
    ns: &N,
    opts: &MountOptions,
    key: &[u8],
) -> Result<Option<DirRecord>, FatError> {
    while let Some(rec) = reader.next_record()? {
        if rec.entry.is_dot() {
            continue;
        }
        let names = RecordNames {
            entry: &rec.entry,
            long: (rec.long_len > 0 && ns.long_names()).then(|| reader.long_name(&rec)),
            opts,
        };
        if ns.matches(key, &names, opts) {
            return Ok(Some(rec));
        }
    }
    Ok(None)
}

/// [`find_record`] of `name` in the directory at `loc`, from its start.
pub fn find_record_name<D: BlockDevice, N: Namespace + ?Sized>(
    vol: &Volume<D>,
    loc: DirLocation,
    ns: &N,
    opts: &MountOptions,
    name: &[u8],
) -> Result<Option<DirRecord>, FatError> {
    let mut key = KeyBuf::new();
    if ns.lookup_key(name, opts, &mut key).is_err() {
        return Ok(None);
    }
    find_record(
        &mut DirReader::new(vol, loc, ns.long_names()),
        ns,
        opts,
        key.as_bytes(),
    )
}

/// [`find`] of `name` in the directory at `loc`, from its start, with the
/// key and the reader on the stack: for host tools (the kernel keeps both
/// on the heap, see `fat_fs.rs`).
pub fn find_name<D: BlockDevice, N: Namespace + ?Sized>(
    vol: &Volume<D>,
    loc: DirLocation,
    ns: &N,
    opts: &MountOptions,
    name: &[u8],
) -> Result<Option<(DirEntry, u64)>, FatError> {
    let mut key = KeyBuf::new();
    if ns.lookup_key(name, opts, &mut key).is_err() {
        return Ok(None);
    }
    find(
        &mut DirReader::new(vol, loc, ns.long_names()),
        ns,
        opts,
        key.as_bytes(),
    )
}
