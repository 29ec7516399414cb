// SPDX-License-Identifier: GPL-2.0

//! Reading directories: their 32-byte slots in order, and the records
//! (a short entry with the long name before it) that readdir and lookup see.
//!
//! Long names are assembled the way the kernel's C driver does it
//! (`fat_parse_long` in `fs/fat/dir.c`), including what it does with the
//! inconsistencies real volumes carry: a long name whose checksum does not
//! match its short entry is dropped and the 8.3 name is shown; a broken
//! sequence restarts at the entry that broke it; stray long-name entries are
//! skipped; deleted slots (0xE5) are skipped; a slot whose first byte is
//! 0x00 ends the directory (as `fat_get_entry_eod` in Linux 7.3).

use crate::format::{
    attr,
    lfn_checksum,
    lfn_units,
    DirEntry,
    FatError,
    Slot,
    DIR_ENTRY_SIZE,
    LFN_LAST, //
};
use crate::names::units_before_nul;
use crate::volume::{
    BlockDevice,
    Volume, //
};

/// Most long-name entries of one name (20 * 13 >= 255 units).
pub const MAX_LFN_SLOTS: usize = 20;
/// Most UTF-16 units a long name can hold.
pub const MAX_LFN_UNITS: usize = MAX_LFN_SLOTS * 13;

/// Where a directory's slots are.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DirLocation {
    /// The fixed root directory of FAT12/16.
    FixedRoot,
    /// A cluster chain starting at this cluster.
    Chain(u32),
}

impl DirLocation {
    /// The root directory of `vol`.
    pub fn root<D: BlockDevice>(vol: &Volume<D>) -> DirLocation {
        if vol.bpb.fat_type == crate::format::FatType::Fat32 {
            DirLocation::Chain(vol.bpb.root_cluster)
        } else {
            DirLocation::FixedRoot
        }
    }
}

/// One 32-byte slot and where it is.
#[derive(Clone, Copy, Debug)]
pub struct RawSlot {
    /// Byte offset of the slot in its directory.
    pub offset: u64,
    /// Byte offset of the slot on the device.
    pub dev_pos: u64,
    /// The slot's bytes.
    pub raw: [u8; DIR_ENTRY_SIZE],
}

/// How many slots a [`SlotReader`] reads from the device at once: a
/// 512-byte sector's worth, so that on the common 512-byte-sector volume
/// each block is read once per pass, as `fs/fat` reads it (a batch never
/// crosses a sector, so never a cluster).
const BATCH: usize = 16;

/// Reads a directory's slots in order, following its cluster chain.
pub struct SlotReader<'v, D> {
    vol: &'v Volume<D>,
    loc: DirLocation,
    /// Directory offset of the next slot.
    offset: u64,
    /// Cluster holding `offset` (chained directories), 0 before the first.
    cluster: u32,
    /// Index of `cluster` in the chain.
    cluster_index: u32,
    /// Clusters visited: a chain longer than the volume loops.
    steps: u32,
    buf: [u8; BATCH * DIR_ENTRY_SIZE],
    /// Directory offset of `buf[0]`, its device offset, and how many
    /// bytes of `buf` are valid (contiguous on the device).
    buf_offset: u64,
    buf_dev: u64,
    buf_len: usize,
    /// The end-of-directory slot was met.
    ended: bool,
    /// Slots whose first byte is 0x00 do not end the directory (the
    /// free-slot search of `fat_add_entries` looks past them).
    raw: bool,
    /// Where in `buf` the current slot (the one [`SlotReader::advance`]
    /// moved to) is, and its directory offset.
    cur: usize,
    cur_offset: u64,
}

/// What [`SlotReader::current`] shows before any slot was read.
const NO_SLOT: [u8; DIR_ENTRY_SIZE] = [0; DIR_ENTRY_SIZE];

impl<'v, D: BlockDevice> SlotReader<'v, D> {
    /// A reader positioned at the directory's first slot.
    pub fn new(vol: &'v Volume<D>, loc: DirLocation) -> Self {
        SlotReader {
            vol,
            loc,
            offset: 0,
            cluster: 0,
            cluster_index: 0,
            steps: 0,
            buf: [0; BATCH * DIR_ENTRY_SIZE],
            buf_offset: 0,
            buf_dev: 0,
            buf_len: 0,
            ended: false,
            raw: false,
            cur: 0,
            cur_offset: 0,
        }
    }

    /// A reader that does not stop at a slot whose first byte is 0x00:
    /// it reads every slot of the directory's clusters.
    pub fn new_raw(vol: &'v Volume<D>, loc: DirLocation) -> Self {
        let mut r = Self::new(vol, loc);
        r.raw = true;
        r
    }

    /// Moves to directory offset `offset` (a multiple of 32).
    pub fn seek(&mut self, offset: u64) -> Result<(), FatError> {
        // `%`, not `is_multiple_of`: that is rustc 1.87, and the kernel's
        // minimum (and Debian's kernel's rustc) is 1.85.
        if offset % DIR_ENTRY_SIZE as u64 != 0 {
            return Err(FatError::BadGeometry);
        }
        if offset < self.offset {
            // Chains only go forward: start again.
            self.cluster = 0;
            self.cluster_index = 0;
            self.steps = 0;
        }
        self.offset = offset;
        self.buf_len = 0;
        self.ended = false;
        Ok(())
    }

    /// The device offset of directory offset `self.offset`, or `None` past
    /// the directory's end.
    fn device_offset(&mut self) -> Result<Option<u64>, FatError> {
        let vol = self.vol;
        match self.loc {
            DirLocation::FixedRoot => Ok((self.offset < u64::from(vol.bpb.root_dir_len))
                .then_some(vol.bpb.root_dir_offset + self.offset)),
            DirLocation::Chain(start) => {
                let cs = vol.bpb.cluster_size_nz();
                let want = self.offset / cs;
                if self.cluster == 0 {
                    self.cluster = start;
                    self.cluster_index = 0;
                    self.steps = 0;
                    // Validates `start`.
                    vol.bpb.cluster_offset(start)?;
                }
                while u64::from(self.cluster_index) < want {
                    self.steps += 1;
                    if self.steps >= vol.bpb.cluster_count {
                        return Err(FatError::ChainLoop);
                    }
                    match vol.next_cluster(self.cluster)? {
                        Some(n) => {
                            self.cluster = n;
                            self.cluster_index += 1;
                        }
                        None => return Ok(None),
                    }
                }
                Ok(Some(
                    vol.bpb.cluster_offset(self.cluster)? + self.offset % cs,
                ))
            }
        }
    }

    /// Moves to the next slot, which [`SlotReader::current`] then shows in
    /// place (no copy: this runs for every slot of every lookup); `false`
    /// at the end of the directory: past its last slot, or at a slot whose
    /// first byte is 0x00.
    pub fn advance(&mut self) -> Result<bool, FatError> {
        if self.ended {
            return Ok(false);
        }
        let in_buf = self.offset.wrapping_sub(self.buf_offset);
        if self.buf_len == 0 || self.offset < self.buf_offset || in_buf >= self.buf_len as u64 {
            let Some(dev) = self.device_offset()? else {
                return Ok(false);
            };
            // Read up to the end of the sector (batches never cross one, so
            // they never cross a cluster either) or of the fixed root.
            let sector = self.vol.bpb.sector_size_nz();
            let mut len = (sector.get() - dev % sector).min(self.buf.len() as u64);
            if self.loc == DirLocation::FixedRoot {
                len = len.min(u64::from(self.vol.bpb.root_dir_len) - self.offset);
            }
            // `len` is at most the buffer's length.
            let mut len = len as usize;
            if let Err(e) = self.vol.read_at(dev, &mut self.buf[..len]) {
                // Only an image file can end inside a sector (a block
                // device ends on one): read what is left slot by slot.
                if e != FatError::Truncated || len == DIR_ENTRY_SIZE {
                    return Err(e);
                }
                len = DIR_ENTRY_SIZE;
                self.vol.read_at(dev, &mut self.buf[..len])?;
            }
            self.buf_offset = self.offset;
            self.buf_dev = dev;
            self.buf_len = len;
        }
        let at = (self.offset - self.buf_offset) as usize;
        let first = *self.buf.get(at).ok_or(FatError::Truncated)?;
        if at + DIR_ENTRY_SIZE > self.buf_len {
            return Err(FatError::Truncated);
        }
        if first == 0 && !self.raw {
            self.ended = true;
            return Ok(false);
        }
        self.cur = at;
        self.cur_offset = self.offset;
        self.offset += DIR_ENTRY_SIZE as u64;
        Ok(true)
    }

    /// Moves past the next slots up to the end of what was read from the
    /// device with them (at most a sector) or the end of the directory,
    /// and returns them, 32 bytes each; `None` at the end. For scans that
    /// look at every slot alike (`fat_subdirs`), without a call per slot.
    pub fn next_run(&mut self) -> Result<Option<&[u8]>, FatError> {
        if !self.advance()? {
            return Ok(None);
        }
        let start = self.cur;
        let mut end = start + DIR_ENTRY_SIZE;
        while end + DIR_ENTRY_SIZE <= self.buf_len {
            if self.buf.get(end).is_none_or(|&b| b == 0) {
                self.ended = true;
                break;
            }
            end += DIR_ENTRY_SIZE;
        }
        self.offset += (end - start - DIR_ENTRY_SIZE) as u64;
        Ok(self.buf.get(start..end))
    }

    /// The bytes of the slot [`SlotReader::advance`] last moved to.
    pub fn current(&self) -> &[u8; DIR_ENTRY_SIZE] {
        self.buf
            .get(self.cur..self.cur + DIR_ENTRY_SIZE)
            .and_then(|s| <&[u8; DIR_ENTRY_SIZE]>::try_from(s).ok())
            .unwrap_or(&NO_SLOT)
    }

    /// The directory offset of the current slot.
    pub fn current_offset(&self) -> u64 {
        self.cur_offset
    }

    /// The device offset of the current slot.
    pub fn current_dev_pos(&self) -> u64 {
        self.buf_dev + self.cur as u64
    }

    /// Makes the next [`SlotReader::advance`] move to the current slot
    /// again (it is still in the buffer: nothing is read twice).
    fn again(&mut self) {
        self.offset = self.cur_offset;
    }

    /// The next slot, copied, `None` at the end of the directory (see
    /// [`SlotReader::advance`]).
    pub fn next_slot(&mut self) -> Result<Option<RawSlot>, FatError> {
        if !self.advance()? {
            return Ok(None);
        }
        Ok(Some(RawSlot {
            offset: self.cur_offset,
            dev_pos: self.current_dev_pos(),
            raw: *self.current(),
        }))
    }
}

/// A directory record: a short entry and, before it, maybe a long name.
#[derive(Clone, Copy, Debug)]
pub struct DirRecord {
    /// The short entry.
    pub entry: DirEntry,
    /// Directory offset of the record's first slot (its long name's first
    /// entry, else the short entry).
    pub start: u64,
    /// Directory offset just past the short entry.
    pub end: u64,
    /// Device offset of the short entry: identifies the file.
    pub dev_pos: u64,
    /// Device offset of the record's first slot (`dev_pos` without a long
    /// name). The slots lie one after the other on the device exactly when
    /// the last one, `dev_pos`, is as far from it as `end - start` says.
    pub start_dev: u64,
    /// UTF-16 units of the long name in [`DirReader::long_name`] (0: none).
    pub long_len: usize,
}

/// What parsing a run of long-name entries gave; the reader's current slot
/// is where it stopped.
enum LongParse {
    /// The current slot is the short entry after the run: the run's entry
    /// count (0 when the checksum does not match) and the name's length in
    /// units.
    Done(usize, usize),
    /// Nothing to show: skip what was consumed.
    Invalid,
    /// The run was interrupted by the current slot, a record of its own.
    NotLongName,
    /// The directory ended inside the run.
    Eof,
}

/// Reads a directory record by record.
pub struct DirReader<'v, D> {
    slots: SlotReader<'v, D>,
    long_names: bool,
    /// The long name being assembled (with room for the terminator the C
    /// driver writes after the last entry).
    units: [u16; MAX_LFN_UNITS + 1],
    /// Device offset of the first slot of the long name being assembled.
    first_dev: u64,
}

impl<'v, D: BlockDevice> DirReader<'v, D> {
    /// A reader of the directory at `loc`; with `long_names` false (msdos)
    /// long-name entries are skipped like the C msdos driver does.
    pub fn new(vol: &'v Volume<D>, loc: DirLocation, long_names: bool) -> Self {
        DirReader {
            slots: SlotReader::new(vol, loc),
            long_names,
            units: [0; MAX_LFN_UNITS + 1],
            first_dev: 0,
        }
    }

    /// Moves to directory offset `offset`.
    pub fn seek(&mut self, offset: u64) -> Result<(), FatError> {
        self.slots.seek(offset)
    }

    /// The long name of the record last returned (`record.long_len` units).
    pub fn long_name(&self, record: &DirRecord) -> &[u16] {
        self.units.get(..record.long_len).unwrap_or(&[])
    }

    /// The next record, `None` at the end of the directory. `.` and `..`
    /// entries are returned like any other (see [`DirEntry::is_dot`]).
    pub fn next_record(&mut self) -> Result<Option<DirRecord>, FatError> {
        loop {
            if !self.slots.advance()? {
                return Ok(None);
            }
            let raw = self.slots.current();
            let (first, a) = (raw[0], raw[11]);
            let is_ext = a == attr::LONG_NAME;
            let free = first == 0 || first == 0xe5;
            if self.long_names {
                if first == 0xe5 || (!is_ext && (a & attr::VOLUME_ID != 0 || free)) {
                    continue;
                }
            } else if a & attr::VOLUME_ID != 0 || free {
                continue;
            }
            let (nr_slots, long_len) = if self.long_names && is_ext {
                match self.parse_long()? {
                    LongParse::Done(n, len) => (n, len),
                    LongParse::Invalid => continue,
                    LongParse::NotLongName => {
                        // The slot that broke the run is read again as a
                        // record of its own.
                        self.slots.again();
                        continue;
                    }
                    LongParse::Eof => return Ok(None),
                }
            } else {
                (0, 0)
            };
            let Slot::Short(entry) = Slot::decode(self.slots.current()) else {
                continue;
            };
            let offset = self.slots.current_offset();
            // The run is right before the short entry, in this directory.
            let start = offset.saturating_sub(DIR_ENTRY_SIZE as u64 * nr_slots as u64);
            let dev_pos = self.slots.current_dev_pos();
            return Ok(Some(DirRecord {
                entry,
                start,
                end: offset + DIR_ENTRY_SIZE as u64,
                dev_pos,
                start_dev: if nr_slots > 0 {
                    self.first_dev
                } else {
                    dev_pos
                },
                long_len,
            }));
        }
    }

    /// Assembles the run of long-name entries starting at the current
    /// slot, as the C driver's `fat_parse_long`.
    fn parse_long(&mut self) -> Result<LongParse, FatError> {
        'parse_long: loop {
            self.first_dev = self.slots.current_dev_pos();
            let ds = self.slots.current();
            let id = ds[0];
            if id & LFN_LAST == 0 {
                return Ok(LongParse::Invalid);
            }
            let slots = usize::from(id & !LFN_LAST);
            if slots > MAX_LFN_SLOTS || slots == 0 {
                return Ok(LongParse::Invalid);
            }
            let checksum = ds[13];
            let mut slot = slots;
            loop {
                slot -= 1;
                let base = slot * 13;
                let ds = self.slots.current();
                // The units straight from the slot, in place.
                let Some(units) = self
                    .units
                    .get_mut(base..base + 13)
                    .and_then(|u| <&mut [u16; 13]>::try_from(u).ok())
                else {
                    return Ok(LongParse::Invalid);
                };
                lfn_units(ds, units);
                if ds[0] & LFN_LAST != 0 {
                    if let Some(t) = self.units.get_mut(base + 13) {
                        *t = 0;
                    }
                }
                if !self.slots.advance()? {
                    return Ok(LongParse::Eof);
                }
                if slot == 0 {
                    break;
                }
                let next = self.slots.current();
                if next[11] != attr::LONG_NAME {
                    return Ok(LongParse::NotLongName);
                }
                if usize::from(next[0] & !LFN_LAST) != slot || next[13] != checksum {
                    continue 'parse_long;
                }
            }
            let next = self.slots.current();
            let (first, a) = (next[0], next[11]);
            if first == 0xe5 {
                return Ok(LongParse::Invalid);
            }
            if a == attr::LONG_NAME {
                continue 'parse_long;
            }
            if first == 0 || a & attr::VOLUME_ID != 0 {
                return Ok(LongParse::Invalid);
            }
            let mut name = [0u8; 11];
            name.copy_from_slice(&next[..11]);
            if lfn_checksum(&name) != checksum {
                return Ok(LongParse::Done(0, 0));
            }
            let all = self.units.get(..slots * 13).unwrap_or(&[]);
            let len = units_before_nul(all);
            return Ok(LongParse::Done(slots, len));
        }
    }
}
