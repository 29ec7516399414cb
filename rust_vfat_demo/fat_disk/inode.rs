// SPDX-License-Identifier: GPL-2.0

//! What `stat` shows of a directory entry, computed as the kernel's C
//! driver does (`fat_fill_inode`, `fat_read_root` and `fat_make_mode` in
//! `fs/fat`): mode from the attributes and the masks, sizes, blocks, link
//! counts and times.

use crate::dir::{
    DirLocation,
    SlotReader, //
};
use crate::format::{
    attr,
    ceil_div,
    DirEntry,
    FatError,
    FatType,
    DIR_ENTRY_SIZE, //
};
use crate::namespace::Namespace;
use crate::options::MountOptions;
use crate::time::{
    fat_to_unix,
    Timestamp, //
};
use crate::volume::{
    BlockDevice,
    Volume, //
};
use core::num::NonZeroU64;

/// `S_IFDIR`.
pub const S_IFDIR: u32 = 0o040000;
/// `S_IFREG`.
pub const S_IFREG: u32 = 0o100000;

/// The attributes of one inode.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct InodeAttrs {
    /// File type and permission bits.
    pub mode: u32,
    /// Size in bytes.
    pub size: u64,
    /// 512-byte blocks.
    pub blocks: u64,
    /// Link count.
    pub nlink: u32,
    /// Modification time (also the change time).
    pub mtime: Timestamp,
    /// Access time.
    pub atime: Timestamp,
    /// Creation time.
    pub crtime: Timestamp,
    /// `ATTR_SYS` with `sys_immutable`.
    pub immutable: bool,
    /// Where the data is: the first cluster (0: none).
    pub start: u32,
}

/// The seconds the mount adds to on-disk times (`fat_tz_offset`).
pub fn tz_offset_secs(opts: &MountOptions, sys_tz_minuteswest: i32) -> i64 {
    let min = match opts.time_offset_min {
        Some(off) => -i64::from(off),
        None => i64::from(sys_tz_minuteswest),
    };
    min * 60
}

fn make_mode(opts: &MountOptions, rodir: bool, a: u8, mut mode: u32) -> u32 {
    let is_dir = a & attr::DIRECTORY != 0;
    // msdos always applies the read-only attribute to directories (rodir);
    // vfat by default does not: the namespace says.
    if a & attr::READ_ONLY != 0 && (rodir || !is_dir) {
        mode &= !0o222;
    }
    if is_dir {
        (mode & !u32::from(opts.dmask)) | S_IFDIR
    } else {
        (mode & !u32::from(opts.fmask)) | S_IFREG
    }
}

fn round_blocks(size: u64, cluster_size: NonZeroU64) -> u64 {
    (ceil_div(size, cluster_size) * cluster_size.get()) >> 9
}

/// Counts the entries of a directory with the directory attribute, `.`
/// and `..` included (`fat_subdirs`).
pub fn subdirs<D: BlockDevice>(vol: &Volume<D>, loc: DirLocation) -> Result<u32, FatError> {
    let mut slots = SlotReader::new(vol, loc);
    let mut n = 0u32;
    // A run of slots at a time, in place: this reads every slot of the
    // directory at each lookup that makes a directory's inode.
    while let Some(run) = slots.next_run()? {
        for raw in run.chunks_exact(DIR_ENTRY_SIZE) {
            let a = raw[11];
            if raw[0] == 0xe5 || a & attr::VOLUME_ID != 0 {
                continue;
            }
            if a & attr::DIRECTORY != 0 {
                n = n.saturating_add(1);
            }
        }
    }
    Ok(n)
}

/// The attributes of the root directory.
pub fn root_attrs<D: BlockDevice, N: Namespace + ?Sized>(
    vol: &Volume<D>,
    opts: &MountOptions,
    ns: &N,
) -> Result<InodeAttrs, FatError> {
    let loc = DirLocation::root(vol);
    let (size, start) = match loc {
        DirLocation::FixedRoot => (u64::from(vol.bpb.root_dir_len), 0),
        DirLocation::Chain(c) => {
            let len = if c == 0 { 0 } else { vol.chain_len(c)? };
            (u64::from(len) * u64::from(vol.bpb.cluster_size), c)
        }
    };
    Ok(InodeAttrs {
        mode: make_mode(opts, opts.rodir(ns.rodir()), attr::DIRECTORY, 0o777),
        size,
        blocks: round_blocks(size, vol.bpb.cluster_size_nz()),
        nlink: subdirs(vol, loc)?.saturating_add(2),
        mtime: Timestamp::default(),
        atime: Timestamp::default(),
        crtime: Timestamp::default(),
        immutable: false,
        start,
    })
}

/// The first cluster of an entry (the high word only counts on FAT32).
pub fn first_cluster<D: BlockDevice>(vol: &Volume<D>, e: &DirEntry) -> u32 {
    if vol.bpb.fat_type == FatType::Fat32 {
        e.first_cluster
    } else {
        e.first_cluster & 0xffff
    }
}

/// The attributes of the inode of directory entry `e`.
pub fn entry_attrs<D: BlockDevice, N: Namespace + ?Sized>(
    vol: &Volume<D>,
    opts: &MountOptions,
    ns: &N,
    tz_offset: i64,
    e: &DirEntry,
) -> Result<InodeAttrs, FatError> {
    let start = first_cluster(vol, e);
    let is_dir = e.attr & attr::DIRECTORY != 0;
    let (mode, size, nlink) = if is_dir {
        // A directory without clusters, or one claiming the root's, is
        // corrupt (`fat_validate_dir`).
        if start == 0 || (vol.bpb.fat_type == FatType::Fat32 && start == vol.bpb.root_cluster) {
            return Err(FatError::CorruptDir);
        }
        let size = u64::from(vol.chain_len(start)?) * u64::from(vol.bpb.cluster_size);
        let nlink = subdirs(vol, DirLocation::Chain(start))?;
        if nlink < 2 {
            return Err(FatError::CorruptDir);
        }
        (
            make_mode(opts, opts.rodir(ns.rodir()), e.attr, 0o777),
            size,
            nlink,
        )
    } else {
        let (_, ext) = e.name_parts();
        let exec = matches!(ext, b"EXE" | b"COM" | b"BAT");
        let perm = if opts.showexec && !exec { 0o666 } else { 0o777 };
        (
            make_mode(opts, opts.rodir(ns.rodir()), e.attr, perm),
            u64::from(e.size),
            1,
        )
    };
    let mtime = fat_to_unix(e.time, e.date, 0, tz_offset);
    let atime = if ns.keeps_times() {
        fat_to_unix(0, e.adate, 0, tz_offset)
    } else {
        // fat_truncate_atime: local midnight of the modification day.
        let local = mtime.sec - tz_offset;
        Timestamp {
            sec: mtime.sec - local % 86400,
            nsec: 0,
        }
    };
    Ok(InodeAttrs {
        mode,
        size,
        blocks: round_blocks(size, vol.bpb.cluster_size_nz()),
        nlink,
        mtime,
        atime,
        crtime: fat_to_unix(e.ctime, e.cdate, e.ctime_cs, tz_offset),
        immutable: e.attr & attr::SYSTEM != 0 && opts.sys_immutable,
        start,
    })
}
