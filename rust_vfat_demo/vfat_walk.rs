// SPDX-License-Identifier: GPL-2.0

//! VFAT long names and the directory walk that builds a listing.
//!
//! Kernel-independent and panic-free. It uses only the FAT format services
//! of `fat_format` (exported by `rust_fat` in the kernel) and grows its
//! buffers through [`GrowVec`], which the kernel implements with `KVec` and
//! the host tests with `Vec`.
//!
//! Listing format, one line per entry, depth-first, entries in on-disk order,
//! tab-separated: absolute path, size (0 for directories), attribute letters
//! (`drhsa`, `-` for each absent), the 8.3 name as stored (`NAME.EXT`). The
//! first line is `label\t<volume label>`.

use super::fat_api::{
    attr,
    ceil_div,
    cp437_to_char,
    lfn_checksum,
    Chain,
    DirEntry,
    FatError,
    FatType,
    LfnEntry,
    Slot,
    Volume,
    CASE_LOWER_BASE,
    CASE_LOWER_EXT,
    DIR_ENTRY_SIZE,
    LFN_LAST, //
};
use core::num::NonZeroU64;

/// Longest path the walker builds, as the kernel's `PATH_MAX`.
pub const MAX_PATH: usize = 4096;
/// Largest listing the walker writes: bounds images whose directories share
/// clusters, which would otherwise list the same subtree again and again.
pub const MAX_LISTING: usize = 64 << 20;
/// Most UTF-16 units of a long name.
pub const MAX_LFN_UNITS: usize = 255;
/// Most long-name entries of one name (20 * 13 >= 255).
const MAX_LFN_ENTRIES: u8 = 20;

/// A growable buffer the caller provides; fails instead of aborting on OOM.
pub trait GrowVec<T> {
    /// Appends one item.
    fn try_push(&mut self, v: T) -> Result<(), FatError>;
    /// Removes and returns the last item.
    fn pop_last(&mut self) -> Option<T>;
    /// The last item.
    fn last_item_mut(&mut self) -> Option<&mut T>;
    /// All items.
    fn items(&self) -> &[T];
    /// Shortens to `len` items.
    fn cut(&mut self, len: usize);
    /// Appends every item of `s`.
    fn try_extend(&mut self, s: &[T]) -> Result<(), FatError>
    where
        T: Copy,
    {
        for &v in s {
            self.try_push(v)?;
        }
        Ok(())
    }
}

/// Accumulates the long-name entries preceding a short entry.
#[derive(Clone, Copy)]
pub struct LfnBuilder {
    units: [u16; MAX_LFN_ENTRIES as usize * 13],
    checksum: u8,
    /// Number of entries the name has (0: not collecting).
    count: u8,
    /// The sequence number expected next (counts down to 1).
    expect: u8,
}

impl Default for LfnBuilder {
    fn default() -> Self {
        Self::new()
    }
}

impl LfnBuilder {
    /// An empty builder.
    pub const fn new() -> Self {
        LfnBuilder {
            units: [0; MAX_LFN_ENTRIES as usize * 13],
            checksum: 0,
            count: 0,
            expect: 0,
        }
    }

    /// Whether a name is being collected.
    pub fn active(&self) -> bool {
        self.count != 0
    }

    /// Forgets the name being collected.
    pub fn reset(&mut self) {
        self.count = 0;
        self.expect = 0;
    }

    /// Takes one long-name entry, in on-disk order.
    pub fn push(&mut self, e: &LfnEntry) -> Result<(), FatError> {
        let seq = e.ordinal & 0x1f;
        if e.ordinal & LFN_LAST != 0 {
            // A new name starts; one already open was never finished.
            if self.active() {
                return Err(FatError::LfnSequence);
            }
            if seq == 0 || seq > MAX_LFN_ENTRIES || e.ordinal & 0xa0 != 0 {
                return Err(FatError::LfnSequence);
            }
            self.count = seq;
            self.expect = seq;
            self.checksum = e.checksum;
        } else {
            if !self.active() || seq == 0 || seq != self.expect || e.ordinal & 0xe0 != 0 {
                return Err(FatError::LfnSequence);
            }
            if e.checksum != self.checksum {
                return Err(FatError::LfnChecksum);
            }
        }
        let base = usize::from(seq - 1) * 13;
        self.units[base..base + 13].copy_from_slice(&e.units);
        self.expect = seq - 1;
        Ok(())
    }

    /// Finishes the name for `entry`: checks sequence and checksum, and
    /// returns the UTF-16 units up to the terminator.
    pub fn finish(&mut self, entry: &DirEntry) -> Result<Option<&[u16]>, FatError> {
        if !self.active() {
            return Ok(None);
        }
        let (count, missing) = (self.count, self.expect);
        self.reset();
        if missing != 0 {
            return Err(FatError::LfnSequence);
        }
        if lfn_checksum(&entry.raw_name()) != self.checksum {
            return Err(FatError::LfnChecksum);
        }
        let all = &self.units[..usize::from(count) * 13];
        let len = all.iter().position(|&u| u == 0).unwrap_or(all.len());
        if len == 0 || len > MAX_LFN_UNITS {
            return Err(FatError::LfnSequence);
        }
        Ok(Some(&all[..len]))
    }
}

/// Appends the UTF-8 form of `c` to `out`.
fn push_char<O: GrowVec<u8>>(out: &mut O, c: char) -> Result<(), FatError> {
    let mut b = [0u8; 4];
    out.try_extend(c.encode_utf8(&mut b).as_bytes())
}

/// Appends UTF-16 `units` to `out` as UTF-8, joining surrogate pairs.
pub fn utf16_to_utf8<O: GrowVec<u8>>(units: &[u16], out: &mut O) -> Result<(), FatError> {
    for c in char::decode_utf16(units.iter().copied()) {
        push_char(out, c.map_err(|_| FatError::LfnEncoding)?)?;
    }
    Ok(())
}

/// Appends the 8.3 name as the C vfat driver displays it when there is no
/// long name (default `shortname=mixed`: the NT lower-case flags apply).
pub fn short_display_name<O: GrowVec<u8>>(e: &DirEntry, out: &mut O) -> Result<(), FatError> {
    let (base, ext) = e.name_parts();
    let put = |out: &mut O, s: &[u8], lower: bool| -> Result<(), FatError> {
        for &b in s {
            let b = if lower { b.to_ascii_lowercase() } else { b };
            push_char(out, cp437_to_char(b))?;
        }
        Ok(())
    };
    put(out, base, e.lcase & CASE_LOWER_BASE != 0)?;
    if !ext.is_empty() {
        out.try_push(b'.')?;
        put(out, ext, e.lcase & CASE_LOWER_EXT != 0)?;
    }
    Ok(())
}

/// Appends the 8.3 name as stored, `NAME.EXT`.
pub fn short_stored_name<O: GrowVec<u8>>(e: &DirEntry, out: &mut O) -> Result<(), FatError> {
    let (base, ext) = e.name_parts();
    for &b in base {
        push_char(out, cp437_to_char(b))?;
    }
    if !ext.is_empty() {
        out.try_push(b'.')?;
        for &b in ext {
            push_char(out, cp437_to_char(b))?;
        }
    }
    Ok(())
}

/// Appends the attribute letters `drhsa`.
pub fn attr_letters<O: GrowVec<u8>>(a: u8, out: &mut O) -> Result<(), FatError> {
    let bits = [
        (attr::DIRECTORY, b'd'),
        (attr::READ_ONLY, b'r'),
        (attr::HIDDEN, b'h'),
        (attr::SYSTEM, b's'),
        (attr::ARCHIVE, b'a'),
    ];
    for (bit, letter) in bits {
        out.try_push(if a & bit != 0 { letter } else { b'-' })?;
    }
    Ok(())
}

/// Appends `v` in decimal.
pub fn push_decimal<O: GrowVec<u8>>(mut v: u64, out: &mut O) -> Result<(), FatError> {
    let mut digits = [0u8; 20];
    let mut i = digits.len();
    loop {
        i -= 1;
        digits[i] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    out.try_extend(&digits[i..])
}

/// Where a directory's entries come from.
#[derive(Clone, Copy)]
enum Source<'a> {
    /// The fixed root directory of FAT12/16.
    Fixed,
    /// A cluster chain: the chain's remaining clusters.
    Chain(Chain<'a>),
}

/// One directory being walked.
#[derive(Clone, Copy)]
pub struct Frame<'a> {
    source: Source<'a>,
    /// The slots not yet read of the current cluster (or the fixed root).
    rest: &'a [u8],
    /// First cluster of this directory (0 for the root).
    start: u32,
    /// Length of the path prefix of this directory.
    path_len: usize,
}

impl<'a> Frame<'a> {
    fn root(vol: &Volume<'a>) -> Result<Frame<'a>, FatError> {
        if vol.bpb.fat_type == FatType::Fat32 {
            vol.chain_len(vol.bpb.root_cluster)?;
            Ok(Frame {
                source: Source::Chain(vol.chain(vol.bpb.root_cluster)),
                rest: &[],
                start: vol.bpb.root_cluster,
                path_len: 0,
            })
        } else {
            Ok(Frame {
                source: Source::Fixed,
                rest: vol.fixed_root()?,
                start: 0,
                path_len: 0,
            })
        }
    }

    /// The next 32-byte slot, following the chain; `None` at the end.
    fn next_slot(
        &mut self,
        vol: &Volume<'a>,
    ) -> Result<Option<&'a [u8; DIR_ENTRY_SIZE]>, FatError> {
        loop {
            if let Some((slot, rest)) = self.rest.split_first_chunk::<DIR_ENTRY_SIZE>() {
                self.rest = rest;
                return Ok(Some(slot));
            }
            match &mut self.source {
                Source::Fixed => return Ok(None),
                Source::Chain(chain) => match chain.next() {
                    None => return Ok(None),
                    Some(c) => self.rest = vol.cluster(c?)?,
                },
            }
        }
    }
}

/// What a walk found.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct WalkStats {
    /// Files listed.
    pub files: u32,
    /// Directories listed.
    pub dirs: u32,
}

/// Finds the volume label: the root directory's label entry, else the boot
/// sector's (unless it is the `NO NAME` placeholder).
pub fn volume_label<'a, O: GrowVec<u8>>(vol: &Volume<'a>, out: &mut O) -> Result<(), FatError> {
    let mut root = Frame::root(vol)?;
    let mut label = None;
    while let Some(raw) = root.next_slot(vol)? {
        match Slot::decode(raw) {
            Slot::End => break,
            Slot::Label(l) => {
                label = Some(l);
                break;
            }
            _ => {}
        }
    }
    let label = match (label, vol.bpb.bpb_label) {
        (Some(l), _) => l,
        (None, Some(l)) if &l != b"NO NAME    " => l,
        _ => return Ok(()),
    };
    let end = label
        .iter()
        .rposition(|&c| c != b' ' && c != 0)
        .map_or(0, |p| p + 1);
    // As for names: a control character would break the listing's format.
    if label[..end].iter().any(|&b| b < 0x20) {
        return Err(FatError::BadName);
    }
    for &b in &label[..end] {
        push_char(out, cp437_to_char(b))?;
    }
    Ok(())
}

/// Checks that a file's cluster chain is sound and long enough for its size.
fn check_file_chain(vol: &Volume<'_>, e: &DirEntry) -> Result<(), FatError> {
    if e.first_cluster == 0 {
        return if e.size == 0 {
            Ok(())
        } else {
            Err(FatError::SizeMismatch)
        };
    }
    let have = u64::from(vol.chain_len(e.first_cluster)?);
    let cluster = NonZeroU64::new(vol.bpb.cluster_size as u64).ok_or(FatError::BadGeometry)?;
    let need = ceil_div(u64::from(e.size), cluster);
    if have < need {
        return Err(FatError::SizeMismatch);
    }
    Ok(())
}

/// Writes the listing of the whole volume to `out`.
///
/// `path` and `stack` are scratch space the caller provides (empty); they
/// let the walk go deep without recursion on the kernel stack.
pub fn write_listing<'a, O, P, S>(
    vol: &Volume<'a>,
    out: &mut O,
    path: &mut P,
    stack: &mut S,
) -> Result<WalkStats, FatError>
where
    O: GrowVec<u8>,
    P: GrowVec<u8>,
    S: GrowVec<Frame<'a>>,
{
    let mut stats = WalkStats::default();
    out.try_extend(b"label\t")?;
    volume_label(vol, out)?;
    out.try_push(b'\n')?;

    let mut lfn = LfnBuilder::new();
    stack.try_push(Frame::root(vol)?)?;
    while let Some(frame) = stack.last_item_mut() {
        let path_len = frame.path_len;
        let Some(raw) = frame.next_slot(vol)? else {
            if lfn.active() {
                return Err(FatError::LfnSequence);
            }
            stack.pop_last();
            continue;
        };
        let e = match Slot::decode(raw) {
            Slot::End => {
                if lfn.active() {
                    return Err(FatError::LfnSequence);
                }
                // Nothing after the end marker counts: finish this directory.
                frame.rest = &[];
                frame.source = Source::Fixed;
                continue;
            }
            Slot::Deleted | Slot::Label(_) => {
                if lfn.active() {
                    return Err(FatError::LfnSequence);
                }
                continue;
            }
            Slot::Long(l) => {
                lfn.push(&l)?;
                continue;
            }
            Slot::Short(e) => e,
        };
        if e.is_dot() {
            lfn.reset();
            continue;
        }

        path.cut(path_len);
        path.try_push(b'/')?;
        match lfn.finish(&e)? {
            Some(units) => utf16_to_utf8(units, path)?,
            None => short_display_name(&e, path)?,
        }
        // A tab or newline would break the listing's format, a '/' its paths.
        let name = path.items().get(path_len + 1..).unwrap_or(&[]);
        if name.iter().any(|&b| b < 0x20 || b == b'/') {
            return Err(FatError::BadName);
        }
        if path.items().len() > MAX_PATH {
            return Err(FatError::TooDeep);
        }

        if out.items().len() > MAX_LISTING {
            return Err(FatError::TooLarge);
        }
        out.try_extend(path.items())?;
        out.try_push(b'\t')?;
        push_decimal(if e.is_dir() { 0 } else { u64::from(e.size) }, out)?;
        out.try_push(b'\t')?;
        attr_letters(e.attr, out)?;
        out.try_push(b'\t')?;
        short_stored_name(&e, out)?;
        out.try_push(b'\n')?;

        if e.is_dir() {
            stats.dirs += 1;
            let c = e.first_cluster;
            if c < 2 || stack.items().iter().any(|f| f.start == c) {
                return Err(FatError::DirLoop);
            }
            // Check the whole chain now: the walk stops at the end marker
            // and would never reach a loop behind it.
            vol.chain_len(c)?;
            let new_len = path.items().len();
            let chain = vol.chain(c);
            stack.try_push(Frame {
                source: Source::Chain(chain),
                rest: &[],
                start: c,
                path_len: new_len,
            })?;
        } else {
            stats.files += 1;
            check_file_chain(vol, &e)?;
        }
    }
    Ok(stats)
}
