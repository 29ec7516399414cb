// SPDX-License-Identifier: GPL-2.0

//! Writing directories, as `fs/fat/dir.c` does: records (long-name slots
//! and their 8.3 entry) added where `fat_add_entries` puts them, the
//! directory grown by a zeroed cluster when it is full, records removed
//! (`fat_remove_entries`), entries updated in place (`__fat_write_inode`),
//! new directories with their `.` and `..` (`fat_alloc_new_dir`), `..`
//! pointed at a new parent (rename), and the emptiness test of rmdir
//! (`fat_dir_empty`).
//!
//! # Locking
//!
//! Every function here reads or changes one directory's slots: the caller
//! holds that directory inode's lock (`i_rwsem`, as the VFS takes it for
//! create, unlink, mkdir, rmdir and rename; rename across directories
//! holds both and the super block's rename mutex). C adds a per-mount
//! mutex, `sbi->s_lock`, which vfat and msdos take around every namespace
//! operation (lookup included): holding the same kind of per-mount mutex
//! across each namespace operation is the simplest way to be as C, and
//! what these functions assume when two directories' operations could
//! meet (a name made by [`crate::namespace::Namespace::new_name`] stays
//! free until [`add_record`] writes it only if nothing else adds to that
//! directory in between).
//!
//! [`update_entry`] rewrites the entry of one inode (C's
//! `__fat_write_inode`): the caller serialises writers of that inode and
//! reads the entry's position (`i_pos`) under the lock that rename takes
//! to move it (C: `inode_hash_lock`, re-checked after `sb_bread`). Writes
//! of different entries of one block do not overlap and need no common
//! lock. The FAT lock is taken, through [`FatLock`], only around
//! allocations and frees, after the directory's: the lock order is
//! directory inode, then `s_lock`-like mutex, then FAT lock.

use crate::alloc::FatLock;
use crate::dir::{
    DirLocation,
    DirRecord,
    SlotReader,
    MAX_LFN_SLOTS, //
};
use crate::format::{
    attr,
    lfn_checksum,
    DirEntry,
    FatError,
    DIR_ENTRY_SIZE,
    LFN_LAST,
    LFN_UNIT_OFFSETS, //
};
use crate::namespace::NewName;
use crate::volume::{
    BlockDevice,
    BlockDeviceMut,
    Volume, //
};

/// The largest directory `fs/fat` fills (`FAT_MAX_DIR_SIZE`, 2 MiB): a
/// record is never added at or past it.
pub const FAT_MAX_DIR_SIZE: u64 = 1 << 21;

/// Most slots of one record: the long-name slots and the 8.3 entry.
pub const MAX_RECORD_SLOTS: usize = MAX_LFN_SLOTS + 1;

const SLOT: u64 = DIR_ENTRY_SIZE as u64;

/// The 32 bytes of a short entry `e` as stored (a leading 0xE5 of the
/// name as 0x05).
pub fn encode_entry(e: &DirEntry) -> [u8; DIR_ENTRY_SIZE] {
    let mut b = [0u8; DIR_ENTRY_SIZE];
    b[..11].copy_from_slice(&e.raw_name());
    b[11] = e.attr;
    b[12] = e.lcase;
    b[13] = e.ctime_cs;
    b[14..16].copy_from_slice(&e.ctime.to_le_bytes());
    b[16..18].copy_from_slice(&e.cdate.to_le_bytes());
    b[18..20].copy_from_slice(&e.adate.to_le_bytes());
    b[20..22].copy_from_slice(&((e.first_cluster >> 16) as u16).to_le_bytes());
    b[22..24].copy_from_slice(&e.time.to_le_bytes());
    b[24..26].copy_from_slice(&e.date.to_le_bytes());
    b[26..28].copy_from_slice(&(e.first_cluster as u16).to_le_bytes());
    b[28..32].copy_from_slice(&e.size.to_le_bytes());
    b
}

/// A short entry with every field 0 and the name `name` as stored (the
/// template the callers fill).
pub fn blank_entry(name: &[u8; 11]) -> DirEntry {
    let mut n = *name;
    if n[0] == 0x05 {
        n[0] = 0xe5;
    }
    DirEntry {
        name: n,
        attr: 0,
        lcase: 0,
        size: 0,
        first_cluster: 0,
        ctime_cs: 0,
        ctime: 0,
        cdate: 0,
        adate: 0,
        time: 0,
        date: 0,
        #[cfg(rust_fat_abi_variant)]
        abi_variant: 0,
    }
}

/// The slots of one record to write: its long-name slots (last part
/// first, as stored) and its 8.3 entry.
#[derive(Clone, Copy, Debug)]
pub struct NewRecord {
    slots: [[u8; DIR_ENTRY_SIZE]; MAX_RECORD_SLOTS],
    len: usize,
}

impl NewRecord {
    /// The record of `name` with the entry fields of `e` (attributes,
    /// times, start cluster, size; its name and case flags are replaced
    /// by `name`'s, and the attribute bits `name.attr_mask` by
    /// `name.attr`), as `vfat_build_slots` and
    /// `msdos_add_entry` build it: a long name of `n` units takes
    /// `ceil((n + 1) / 13)` slots unless `n` is a multiple of 13, the
    /// unit after the name 0x0000 and the rest 0xFFFF.
    pub fn new(name: &NewName, e: &DirEntry) -> Result<NewRecord, FatError> {
        let mut short = *e;
        short.name = name.short;
        if short.name[0] == 0x05 {
            short.name[0] = 0xe5;
        }
        short.lcase = name.lcase;
        short.attr = (short.attr & !name.attr_mask) | name.attr;
        let long = name.long_name();
        let mut rec = NewRecord {
            slots: [[0; DIR_ENTRY_SIZE]; MAX_RECORD_SLOTS],
            len: 0,
        };
        if !long.is_empty() {
            let nr = long.len().div_ceil(13);
            if nr > MAX_LFN_SLOTS {
                return Err(FatError::NameTooLong);
            }
            let sum = lfn_checksum(&name.short);
            for (k, slot) in rec.slots.iter_mut().take(nr).enumerate() {
                // Stored first: the last part.
                let id = nr - k;
                slot[0] = id as u8 | if k == 0 { LFN_LAST } else { 0 };
                slot[11] = attr::LONG_NAME;
                slot[13] = sum;
                for (j, off) in LFN_UNIT_OFFSETS.iter().enumerate() {
                    let i = (id - 1) * 13 + j;
                    let u = match i.cmp(&long.len()) {
                        core::cmp::Ordering::Less => long.get(i).copied().unwrap_or(0),
                        core::cmp::Ordering::Equal => 0,
                        core::cmp::Ordering::Greater => 0xffff,
                    };
                    slot[*off..*off + 2].copy_from_slice(&u.to_le_bytes());
                }
            }
            rec.len = nr;
        }
        let last = rec.slots.get_mut(rec.len).ok_or(FatError::NameTooLong)?;
        *last = encode_entry(&short);
        rec.len += 1;
        Ok(rec)
    }

    /// How many slots the record takes.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Never: a record has at least its 8.3 entry.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The slots, as stored.
    pub fn slots(&self) -> &[[u8; DIR_ENTRY_SIZE]] {
        self.slots.get(..self.len).unwrap_or(&[])
    }
}

/// Where a record's slots are in its directory.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RecordPos {
    /// Directory offset of the first slot (a long name's first slot,
    /// else the 8.3 entry).
    pub start: u64,
    /// Directory offset just past the 8.3 entry.
    pub end: u64,
    /// Device offset of the 8.3 entry (the `i_pos` that names the file).
    pub dev_pos: u64,
    /// Device offset of the first slot: when it is `end - start` less one
    /// slot before `dev_pos`, the slots lie one after the other on the
    /// device (else the record spans clusters that do not).
    pub start_dev: u64,
}

impl From<&DirRecord> for RecordPos {
    fn from(r: &DirRecord) -> Self {
        RecordPos {
            start: r.start,
            end: r.end,
            dev_pos: r.dev_pos,
            start_dev: r.start_dev,
        }
    }
}

/// What [`add_record`] did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Added {
    /// Where the record is.
    pub pos: RecordPos,
    /// How many clusters the directory grew by (its size grows by as many
    /// cluster sizes; the caller updates the inode's size).
    pub new_clusters: u32,
}

/// The device offset of directory offset `offset`.
pub fn dir_dev_pos<D: BlockDevice>(
    vol: &Volume<D>,
    loc: DirLocation,
    offset: u64,
) -> Result<u64, FatError> {
    match loc {
        DirLocation::FixedRoot => {
            if offset >= u64::from(vol.bpb.root_dir_len) {
                return Err(FatError::SizeMismatch);
            }
            Ok(vol.bpb.root_dir_offset + offset)
        }
        DirLocation::Chain(start) => {
            let ext = vol.locate(start, offset, None, 1)?;
            let index = (offset / vol.bpb.cluster_size_nz()) as u32;
            Ok(vol.bpb.cluster_offset(ext.cluster_at(index))? + offset % vol.bpb.cluster_size_nz())
        }
    }
}

/// Whether a record of the directory at `loc` has the 8.3 name `name`
/// (as stored: a leading 0xE5 as 0x05), as `fat_scan` looks (long-name
/// slots, deleted slots and the volume label do not count). The
/// namespaces' [`crate::namespace::Namespace::new_name`] asks this.
pub fn short_name_taken<D: BlockDevice>(
    vol: &Volume<D>,
    loc: DirLocation,
    name: &[u8; 11],
) -> Result<bool, FatError> {
    let mut slots = SlotReader::new(vol, loc);
    while slots.advance()? {
        let s = slots.current();
        if s[0] == 0xe5 || s[11] & attr::VOLUME_ID != 0 {
            continue;
        }
        if s[..11] == name[..] {
            return Ok(true);
        }
    }
    Ok(false)
}

/// Adds the record `rec` to the directory at `loc`, as
/// `fat_add_entries`: in the first run of enough free slots (deleted
/// 0xE5 ones or unused 0x00 ones, end marker included) ending before
/// [`FAT_MAX_DIR_SIZE`]; when there is none, a free run at the very end
/// is used and the directory grows by zeroed clusters for the rest. A
/// full FAT12/16 root, or a directory at its largest: [`FatError::NoSpace`];
/// no free cluster: [`FatError::NoSpace`] with nothing changed (C would
/// leave the slots it filled marked deleted). A used slot after an
/// end-of-directory slot (0x00) before a free run was found:
/// [`FatError::CorruptDir`] (C: "allocated dir entry found after
/// end-of-directory marker", `EIO`). The 8.3 entry is written
/// last, so a record is not seen before its long name is complete.
///
/// Caller holds the directory's lock; `fat` is locked only to allocate.
pub fn add_record<D: BlockDeviceMut, L: FatLock + ?Sized>(
    vol: &Volume<D>,
    fat: &L,
    loc: DirLocation,
    rec: &NewRecord,
) -> Result<Added, FatError> {
    let need = rec.len();
    if need == 0 {
        return Err(FatError::BadGeometry);
    }
    // The device offsets of the current run of free slots.
    let mut run = [0u64; MAX_RECORD_SLOTS];
    let mut run_len = 0usize;
    let mut run_start = 0u64;
    let mut end = 0u64;
    let mut saw_end = false;
    let mut slots = SlotReader::new_raw(vol, loc);
    while slots.advance()? {
        let off = slots.current_offset();
        end = off + SLOT;
        if end >= FAT_MAX_DIR_SIZE {
            return Err(FatError::NoSpace);
        }
        let first = slots.current()[0];
        if first == 0 || first == 0xe5 {
            saw_end |= first == 0;
            if run_len == 0 {
                run_start = off;
            }
            if let Some(r) = run.get_mut(run_len) {
                *r = slots.current_dev_pos();
            }
            run_len += 1;
            if run_len == need {
                write_slots(vol, rec.slots(), &run[..need])?;
                return Ok(Added {
                    pos: RecordPos {
                        start: run_start,
                        end,
                        dev_pos: run[need - 1],
                        start_dev: run[0],
                    },
                    new_clusters: 0,
                });
            }
        } else {
            if saw_end {
                // C: "allocated dir entry found after end-of-directory
                // marker", EIO: the directory is damaged.
                return Err(FatError::CorruptDir);
            }
            run_len = 0;
        }
    }
    let DirLocation::Chain(dir_start) = loc else {
        return Err(FatError::NoSpace);
    };
    if dir_start == 0 {
        return Err(FatError::CorruptDir);
    }
    if run_len == 0 {
        run_start = end;
    }
    // The rest goes into new clusters at the end.
    let rest = (need - run_len) as u64 * SLOT;
    let cs = vol.bpb.cluster_size_nz();
    let nr = crate::format::ceil_div(rest, cs) as u32;
    let (last, _) = vol.chain_last(dir_start)?;
    let first = fat.lock_fat(|st| vol.alloc_clusters(st, nr))?;
    let filled = (|| {
        let mut c = first;
        for i in 0..nr {
            vol.zero_cluster(c)?;
            if i + 1 < nr {
                c = vol.next_cluster(c)?.ok_or(FatError::BrokenChain)?;
            }
        }
        let mut devs = [0u64; MAX_RECORD_SLOTS];
        devs[..run_len].copy_from_slice(&run[..run_len]);
        let mut c = first;
        let mut off = 0u64;
        for d in devs.iter_mut().take(need).skip(run_len) {
            if off == cs.get() {
                c = vol.next_cluster(c)?.ok_or(FatError::BrokenChain)?;
                off = 0;
            }
            *d = vol.bpb.cluster_offset(c)? + off;
            off += SLOT;
        }
        // The new clusters' part first, then the old free slots (the 8.3
        // entry is in the new part, written last of its slots).
        write_slots(vol, &rec.slots()[run_len..], &devs[run_len..need])?;
        write_slots(vol, &rec.slots()[..run_len], &devs[..run_len])?;
        Ok((devs[0], devs[need - 1]))
    })();
    let (start_dev, dev_pos) = match filled {
        Ok(p) => p,
        Err(e) => {
            let _ = fat.lock_fat(|st| vol.free_chain(st, first));
            return Err(e);
        }
    };
    if let Err(e) = fat.lock_fat(|st| vol.set_entry(st, last, first)) {
        let _ = fat.lock_fat(|st| vol.free_chain(st, first));
        return Err(e);
    }
    let size = u64::from(vol.bpb.cluster_size);
    let dir_len = crate::format::ceil_div(end, cs) * size;
    Ok(Added {
        pos: RecordPos {
            start: run_start,
            end: dir_len + (need - run_len) as u64 * SLOT,
            dev_pos,
            start_dev,
        },
        new_clusters: nr,
    })
}

/// Writes `slots` at the device offsets `devs`, the last slot last.
fn write_slots<D: BlockDeviceMut>(
    vol: &Volume<D>,
    slots: &[[u8; DIR_ENTRY_SIZE]],
    devs: &[u64],
) -> Result<(), FatError> {
    for (slot, &dev) in slots.iter().zip(devs) {
        vol.device().write_at(dev, slot)?;
    }
    Ok(())
}

/// Moves a record (rename without a target): the entry of `old` (in the
/// directory at `from`) added as `name` to the directory at `to`, a
/// moved directory's `..` pointed at `dotdot` (C: only when the parent
/// changes, to the new parent's `i_logstart`, see [`dotdot_start`]), then
/// the old record removed: `vfat_rename`'s and `do_msdos_rename`'s order,
/// so that an interruption leaves the file under both names rather than
/// under none. Returns where the new record is (the inode's new `i_pos`:
/// the caller moves the inode there, as `fat_detach`/`fat_attach`).
///
/// Renaming over an existing target is the caller's composition, as in
/// C: the target's entry is reused (its `dev_pos` becomes the moved
/// inode's; [`write_inode`] writes the moved inode's fields there), a
/// directory target must be empty ([`dir_is_empty`]), `..` is updated as
/// here, then the old record is removed and the target's clusters freed
/// at its last close.
///
/// Caller holds both directories' locks (and the rename mutex).
pub fn move_record<D: BlockDeviceMut, L: FatLock + ?Sized>(
    vol: &Volume<D>,
    fat: &L,
    from: DirLocation,
    old: &DirRecord,
    to: DirLocation,
    name: &NewName,
    dotdot: Option<u32>,
) -> Result<Added, FatError> {
    let rec = NewRecord::new(name, &old.entry)?;
    // A moved directory's `..`, found before anything changes.
    let dotdot = match dotdot {
        Some(parent) if old.entry.is_dir() => {
            let start = if vol.bpb.fat_type == crate::format::FatType::Fat32 {
                old.entry.first_cluster
            } else {
                old.entry.first_cluster & 0xffff
            };
            Some((dotdot_pos(vol, start)?, parent))
        }
        _ => None,
    };
    let added = add_record(vol, fat, to, &rec)?;
    if let Some((pos, parent)) = dotdot {
        if let Err(e) = set_dotdot(vol, pos, parent) {
            // Undo the new record: the old one still names the file.
            let _ = remove_record(vol, to, &added.pos);
            return Err(e);
        }
    }
    remove_record(vol, from, &RecordPos::from(old))?;
    Ok(added)
}

/// Removes the record at `pos` from the directory at `loc`, as
/// `fat_remove_entries`: every slot marked deleted (0xE5), the 8.3 entry
/// first, so an interrupted removal leaves only orphaned long-name slots.
/// The record's clusters are the caller's (freed at the last close).
///
/// Caller holds the directory's lock.
pub fn remove_record<D: BlockDeviceMut>(
    vol: &Volume<D>,
    loc: DirLocation,
    pos: &RecordPos,
) -> Result<(), FatError> {
    if pos.end <= pos.start || (pos.end - pos.start) % SLOT != 0 {
        return Err(FatError::BadGeometry);
    }
    let n = ((pos.end - pos.start) / SLOT) as usize;
    if n > MAX_RECORD_SLOTS {
        return Err(FatError::BadGeometry);
    }
    let mut devs = [0u64; MAX_RECORD_SLOTS];
    let span = (n as u64 - 1) * SLOT;
    if pos.start_dev.checked_add(span) == Some(pos.dev_pos) {
        // The slots lie one after the other on the device (in one
        // cluster, or in clusters that follow each other): no walk of the
        // directory's chain to find them.
        for (i, d) in devs.iter_mut().take(n).enumerate() {
            *d = pos.start_dev + i as u64 * SLOT;
        }
    } else {
        let mut slots = SlotReader::new_raw(vol, loc);
        slots.seek(pos.start)?;
        for d in devs.iter_mut().take(n) {
            if !slots.advance()? {
                return Err(FatError::SizeMismatch);
            }
            *d = slots.current_dev_pos();
        }
        if devs[n - 1] != pos.dev_pos {
            return Err(FatError::SizeMismatch);
        }
    }
    // Last slot first; the slots that follow each other in one 512-byte
    // piece are marked in one change in place (one buffer, as
    // `fat_remove_entries` marks a buffer's slots before it dirties it).
    let mut i = n;
    while i > 0 {
        let last = devs.get(i - 1).copied().ok_or(FatError::BadGeometry)?;
        let mut j = i - 1;
        while j > 0
            && devs
                .get(j - 1)
                .zip(devs.get(j))
                .is_some_and(|(&a, &b)| a + SLOT == b && a / 512 == last / 512)
        {
            j -= 1;
        }
        let first = devs.get(j).copied().ok_or(FatError::BadGeometry)?;
        mark_deleted(vol, first, (last + SLOT - first) as usize)?;
        i = j;
    }
    Ok(())
}

/// Marks the slots in the `len` bytes at device offset `first` (whole
/// slots, in one 512-byte piece) deleted (0xE5) in one change in place.
fn mark_deleted<D: BlockDeviceMut>(
    vol: &Volume<D>,
    first: u64,
    len: usize,
) -> Result<(), FatError> {
    vol.device().update_at(first, len, &mut |b| {
        for s in b.iter_mut().step_by(DIR_ENTRY_SIZE) {
            *s = 0xe5;
        }
    })
}

/// How many slots the record whose 8.3 entry is at device offset
/// `dev_pos` has, found from the entry backwards over its long-name slots
/// in the entry's own 512-byte piece of the device (read in place): the
/// record a directory scan parses there (`fat_parse_long`: a run from a
/// slot marked last, its ordinals down to 1, one checksum, the 8.3 name's).
/// `None` when that cannot be told from the piece (the run begins in an
/// earlier piece, or a slot before it could carry a longer run on), or
/// `dev_pos` holds no live 8.3 entry: the caller scans the directory.
/// With `long_names` false (msdos) a record is its 8.3 entry alone.
pub fn record_slots_at<D: BlockDevice>(
    vol: &Volume<D>,
    dev_pos: u64,
    long_names: bool,
) -> Result<Option<usize>, FatError> {
    if dev_pos % SLOT != 0 {
        return Ok(None);
    }
    let piece = dev_pos - dev_pos % 512;
    let k = ((dev_pos - piece) / SLOT) as usize;
    let mut n = None;
    vol.device().view_at(piece, 512, &mut |b| {
        n = slots_in_piece(b, k, long_names);
    })?;
    Ok(n)
}

/// [`record_slots_at`] in the piece `b`, the 8.3 entry its slot `k`.
pub fn slots_in_piece(b: &[u8], k: usize, long_names: bool) -> Option<usize> {
    let slot = |i: usize| b.get(i * DIR_ENTRY_SIZE..(i + 1) * DIR_ENTRY_SIZE);
    let e = slot(k)?;
    let (first, a) = (*e.first()?, *e.get(11)?);
    if first == 0 || first == 0xe5 || a == attr::LONG_NAME || a & attr::VOLUME_ID != 0 {
        return None;
    }
    if !long_names {
        return Some(1);
    }
    let name = <&[u8; 11]>::try_from(e.get(..11)?).ok()?;
    let sum = lfn_checksum(name);
    let is_ext = |s: &[u8]| s.get(11) == Some(&attr::LONG_NAME) && s.first() != Some(&0xe5);
    // `o`: the ordinal the slot `o` before the entry must have.
    let mut o = 1usize;
    loop {
        let i = k.checked_sub(o)?;
        let s = slot(i)?;
        if !is_ext(s) {
            // No long name (a scan skips a deleted slot and parses the 8.3
            // entry alone after any other); `0` would have ended the
            // directory before it.
            return (o == 1 && s.first() != Some(&0)).then_some(1);
        }
        let id = *s.first()?;
        if usize::from(id & !LFN_LAST) != o || s.get(13) != Some(&sum) {
            // A run the scan would not finish at this entry: it parses
            // the entry alone only if the run broke off (unsure: scan).
            return None;
        }
        if id & LFN_LAST != 0 {
            // The run's first slot, unless the slot before it would carry
            // an earlier run on through it (then, or unseen: scan).
            let p = slot(i.checked_sub(1)?)?;
            if is_ext(p)
                && usize::from(p.first().copied().unwrap_or(0) & !LFN_LAST) == o + 1
                && p.get(13) == Some(&sum)
            {
                return None;
            }
            return Some(o + 1);
        }
        o += 1;
        if o > MAX_LFN_SLOTS {
            return None;
        }
    }
}

/// Marks the `n` slots ending with the 8.3 entry at device offset
/// `dev_pos`, all in its 512-byte piece ([`record_slots_at`]), deleted
/// (0xE5) in one change in place.
pub fn remove_slots_at<D: BlockDeviceMut>(
    vol: &Volume<D>,
    dev_pos: u64,
    n: usize,
) -> Result<(), FatError> {
    let span = (n as u64).checked_sub(1).ok_or(FatError::BadGeometry)? * SLOT;
    let first = dev_pos.checked_sub(span).ok_or(FatError::BadGeometry)?;
    if first / 512 != dev_pos / 512 {
        return Err(FatError::BadGeometry);
    }
    mark_deleted(vol, first, n * DIR_ENTRY_SIZE)
}

/// The 8.3 entry at device offset `dev_pos` (an `i_pos`), as
/// `__fat_write_inode` reads it before changing it.
pub fn read_entry<D: BlockDevice>(vol: &Volume<D>, dev_pos: u64) -> Result<DirEntry, FatError> {
    if dev_pos % SLOT != 0 {
        return Err(FatError::BadGeometry);
    }
    let mut b = [0u8; DIR_ENTRY_SIZE];
    vol.read_at(dev_pos, &mut b)?;
    match crate::format::Slot::decode(&b) {
        crate::format::Slot::Short(e) => Ok(e),
        _ => Err(FatError::CorruptDir),
    }
}

/// Rewrites the fields of the 8.3 entry at device offset `dev_pos` from
/// `e` (attributes, case flags, times, start cluster, size: everything
/// but the name), as `__fat_write_inode` does.
pub fn update_entry<D: BlockDeviceMut>(
    vol: &Volume<D>,
    dev_pos: u64,
    e: &DirEntry,
) -> Result<(), FatError> {
    if dev_pos % SLOT != 0 || dev_pos < vol.bpb.root_dir_offset.min(vol.bpb.data_offset) {
        return Err(FatError::BadGeometry);
    }
    let b = encode_entry(e);
    vol.device().write_at(dev_pos + 11, &b[11..])
}

/// What `__fat_write_inode` writes of an inode into its entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct InodeFields {
    /// The size (C writes 0 for a directory).
    pub size: u32,
    /// The attributes (`fat_make_attrs`).
    pub attr: u8,
    /// The start cluster (`i_logstart`).
    pub start: u32,
    /// The modification time and date.
    pub time: u16,
    /// The modification date.
    pub date: u16,
    /// vfat only: the access date and the creation time, date and
    /// centiseconds (`None`: msdos, left as they are).
    pub extra: Option<ExtraTimes>,
}

/// The times only vfat writes back.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ExtraTimes {
    /// Access date.
    pub adate: u16,
    /// Creation time.
    pub ctime: u16,
    /// Creation date.
    pub cdate: u16,
    /// Creation time's 10 ms units (0..=199).
    pub ctime_cs: u8,
}

/// Writes an inode's fields into its 8.3 entry at `dev_pos`, exactly the
/// fields `__fat_write_inode` writes (the name, the case flags and, on
/// msdos, the access and creation fields are kept).
pub fn write_inode<D: BlockDeviceMut>(
    vol: &Volume<D>,
    dev_pos: u64,
    f: &InodeFields,
) -> Result<(), FatError> {
    let mut e = read_entry(vol, dev_pos)?;
    e.size = f.size;
    e.attr = f.attr;
    e.first_cluster = f.start;
    e.time = f.time;
    e.date = f.date;
    if let Some(x) = f.extra {
        e.adate = x.adate;
        e.ctime = x.ctime;
        e.cdate = x.cdate;
        e.ctime_cs = x.ctime_cs;
    }
    update_entry(vol, dev_pos, &e)
}

/// The start cluster a new directory's `..` gets: its parent's, except
/// that a child of the root gets 0, also on FAT32 (the root's
/// `i_logstart` is 0 in C).
pub fn dotdot_start(parent_start: u32, parent_is_root: bool) -> u32 {
    if parent_is_root {
        0
    } else {
        parent_start
    }
}

/// Allocates and writes the first cluster of a new directory, as
/// `fat_alloc_new_dir`: `.` pointing at it, `..` at `parent` (see
/// [`dotdot_start`]), both with `times`' time fields (its modification
/// time and date, access date, and creation fields: msdos zeroes the
/// access date and the creation fields, as C) and the directory
/// attribute, the rest zero. Returns
/// the cluster, not yet linked to any record: the caller adds the record
/// with it as start cluster, and frees it if that fails.
///
/// Caller holds the parent's lock; `fat` is locked only to allocate.
pub fn new_dir<D: BlockDeviceMut, L: FatLock + ?Sized>(
    vol: &Volume<D>,
    fat: &L,
    parent: u32,
    times: &DirEntry,
) -> Result<u32, FatError> {
    let c = fat.lock_fat(|st| vol.alloc_clusters(st, 1))?;
    let written = (|| {
        vol.zero_cluster(c)?;
        let mut dot = *times;
        dot.name = *b".          ";
        dot.attr = attr::DIRECTORY;
        dot.lcase = 0;
        dot.size = 0;
        dot.first_cluster = c;
        let mut dotdot = dot;
        dotdot.name = *b"..         ";
        dotdot.first_cluster = parent;
        let mut b = [0u8; 2 * DIR_ENTRY_SIZE];
        b[..DIR_ENTRY_SIZE].copy_from_slice(&encode_entry(&dot));
        b[DIR_ENTRY_SIZE..].copy_from_slice(&encode_entry(&dotdot));
        vol.device().write_at(vol.bpb.cluster_offset(c)?, &b)
    })();
    if let Err(e) = written {
        let _ = fat.lock_fat(|st| vol.free_chain(st, c));
        return Err(e);
    }
    Ok(c)
}

/// The device position of the `..` entry of the directory starting at
/// `dir_start` (`fat_get_dotdot_entry`): rename finds it before it changes
/// anything, as C does, so that a directory without one is refused whole.
/// A directory without `..`: [`FatError::CorruptDir`].
pub fn dotdot_pos<D: BlockDevice>(vol: &Volume<D>, dir_start: u32) -> Result<u64, FatError> {
    dotdot_entry(vol, dir_start).map(|(pos, _)| pos)
}

/// The `..` entry of the directory starting at `dir_start` and its device
/// position, as [`dotdot_pos`] finds it: the entry's first cluster is the
/// parent's (0 for the root, see [`dotdot_start`]).
pub fn dotdot_entry<D: BlockDevice>(
    vol: &Volume<D>,
    dir_start: u32,
) -> Result<(u64, DirEntry), FatError> {
    let mut slots = SlotReader::new(vol, DirLocation::Chain(dir_start));
    while slots.advance()? {
        let s = slots.current();
        if s[0] == 0xe5 || s[11] & attr::VOLUME_ID != 0 {
            continue;
        }
        if &s[..11] == b"..         " {
            return match crate::format::Slot::decode(s) {
                crate::format::Slot::Short(e) => Ok((slots.current_dev_pos(), e)),
                _ => Err(FatError::CorruptDir),
            };
        }
    }
    Err(FatError::CorruptDir)
}

/// Points the `..` entry at device position `pos` (from [`dotdot_pos`]) at
/// `parent` (see [`dotdot_start`]), as rename does when it moves a
/// directory.
///
/// Caller holds the moved directory's lock (C: the rename locks).
pub fn set_dotdot<D: BlockDeviceMut>(
    vol: &Volume<D>,
    pos: u64,
    parent: u32,
) -> Result<(), FatError> {
    vol.device()
        .write_at(pos + 20, &((parent >> 16) as u16).to_le_bytes())?;
    vol.device()
        .write_at(pos + 26, &(parent as u16).to_le_bytes())
}

/// Whether the directory at `loc` has no records but `.` and `..`, as
/// `fat_dir_empty` (rmdir and rename over a directory: `ENOTEMPTY`).
///
/// A chained directory is read in place, 512 bytes at a time
/// ([`BlockDevice::view_at`]: no sector copied out of the buffer cache, as
/// C parses its `buffer_head`s); the fixed root, and an image that ends
/// inside a cluster, through a [`SlotReader`].
pub fn dir_is_empty<D: BlockDevice>(vol: &Volume<D>, loc: DirLocation) -> Result<bool, FatError> {
    let DirLocation::Chain(start) = loc else {
        return dir_is_empty_slots(vol, loc);
    };
    match dir_is_empty_in_place(vol, start) {
        Err(FatError::Truncated) => dir_is_empty_slots(vol, loc),
        r => r,
    }
}

/// What a scan of a piece of a directory found.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Scan {
    /// Only `.`, `..`, deleted and volume-label slots: go on.
    Empty,
    /// The end-of-directory slot.
    End,
    /// Another record.
    NotEmpty,
}

/// [`dir_is_empty`] of the directory whose chain starts at `start`, each
/// 512-byte piece of its clusters looked at where it is. Follows the
/// chain only as far as the scan needs, as a [`SlotReader`] does.
fn dir_is_empty_in_place<D: BlockDevice>(vol: &Volume<D>, start: u32) -> Result<bool, FatError> {
    let cs = vol.bpb.cluster_size_nz().get();
    let mut cluster = start;
    let mut steps = 0u32;
    loop {
        let at = vol.bpb.cluster_offset(cluster)?;
        let mut done = 0u64;
        while done < cs {
            let len = (cs - done).min(512) as usize;
            let mut found = Scan::Empty;
            vol.device().view_at(at + done, len, &mut |b| {
                for s in b.chunks_exact(32) {
                    match s {
                        [0, ..] => {
                            found = Scan::End;
                            return;
                        }
                        [0xe5, ..] => {}
                        _ if s.get(11).is_some_and(|&a| a & attr::VOLUME_ID != 0) => {}
                        _ if s
                            .get(..11)
                            .is_some_and(|n| n != b".          " && n != b"..         ") =>
                        {
                            found = Scan::NotEmpty;
                            return;
                        }
                        _ => {}
                    }
                }
            })?;
            match found {
                Scan::Empty => done += len as u64,
                Scan::End => return Ok(true),
                Scan::NotEmpty => return Ok(false),
            }
        }
        steps += 1;
        if steps >= vol.bpb.cluster_count {
            return Err(FatError::ChainLoop);
        }
        match vol.next_cluster(cluster)? {
            Some(n) => cluster = n,
            None => return Ok(true),
        }
    }
}

/// [`dir_is_empty`] slot by slot.
fn dir_is_empty_slots<D: BlockDevice>(vol: &Volume<D>, loc: DirLocation) -> Result<bool, FatError> {
    let mut slots = SlotReader::new(vol, loc);
    while slots.advance()? {
        let s = slots.current();
        if s[0] == 0xe5 || s[11] & attr::VOLUME_ID != 0 {
            continue;
        }
        if &s[..11] != b".          " && &s[..11] != b"..         " {
            return Ok(false);
        }
    }
    Ok(true)
}
