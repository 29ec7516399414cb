// SPDX-License-Identifier: GPL-2.0

//! A FAT volume read through a [`BlockDevice`] (and written through a
//! [`BlockDeviceMut`]): the FAT, cluster chains and the mapping of a file's
//! bytes to device bytes.
//!
//! In the kernel the device is the mounted block device, read and written
//! through the buffer cache; on the host it is an image in memory. Both run
//! this code.

use crate::format::{
    Bpb,
    Dos1xRefusal,
    FatEntry,
    FatError,
    FatType,
    BOOT_SECTOR_SIZE, //
};

/// Random-access reads of the device a volume lives on.
pub trait BlockDevice {
    /// Fills `buf` with the device's bytes starting at byte offset `pos`.
    ///
    /// Fails with [`FatError::Io`] when the device cannot be read and with
    /// [`FatError::Truncated`] past its end.
    fn read_at(&self, pos: u64, buf: &mut [u8]) -> Result<(), FatError>;

    /// Calls `f` with the `len` device bytes at `pos` (at most 512, within
    /// one 512-byte piece of the device) where they are: in the kernel, in
    /// the buffer cache's block, with no copy (C's `fs/fat` parses its
    /// `buffer_head`s in place). By default, a copy read with
    /// [`BlockDevice::read_at`] ([`view_through_buffer`]).
    fn view_at(&self, pos: u64, len: usize, f: &mut dyn FnMut(&[u8])) -> Result<(), FatError> {
        view_through_buffer(self, pos, len, f)
    }
}

/// [`BlockDevice::view_at`] through a copy: the default, and what a device
/// with blocks in memory falls back to for bytes across two of its blocks.
pub fn view_through_buffer<D: BlockDevice + ?Sized>(
    dev: &D,
    pos: u64,
    len: usize,
    f: &mut dyn FnMut(&[u8]),
) -> Result<(), FatError> {
    let mut buf = [0u8; 512];
    let b = buf.get_mut(..len).ok_or(FatError::Truncated)?;
    dev.read_at(pos, b)?;
    f(b);
    Ok(())
}

/// Random-access writes of the device a volume lives on.
///
/// Takes `&self`: in the kernel a write goes through the buffer cache
/// (`sb_bread`, a copy into the buffer, `mark_buffer_dirty`), whose
/// buffers have their own locks; on the host the image sits in a cell.
/// A write may span blocks (a FAT12 entry can straddle two sectors); the
/// implementation splits it. Nothing here waits for the data to reach the
/// disk: syncing (`sync_dirty_buffer`, `dirsync`, `flush`) is the
/// caller's business.
pub trait BlockDeviceMut: BlockDevice {
    /// Writes `buf` to the device at byte offset `pos`.
    ///
    /// Fails with [`FatError::Io`] when the device cannot be written and
    /// with [`FatError::Truncated`] past its end.
    fn write_at(&self, pos: u64, buf: &[u8]) -> Result<(), FatError>;

    /// Whether clusters are discarded as they are freed (mount option
    /// `discard`).
    fn discard_freed(&self) -> bool {
        false
    }

    /// Discards `len` bytes at `pos` (both multiples of the sector size):
    /// `Ok(true)` done, `Ok(false)` the device does not discard (C's
    /// `EOPNOTSUPP`, which `fat_trim_fs` does not count), else
    /// [`FatError::Io`].
    fn discard(&self, _pos: u64, _len: u64) -> Result<bool, FatError> {
        Ok(false)
    }

    /// Copies `len` bytes of the device at byte offset `from` to byte
    /// offset `to` (ranges that do not overlap): here 512 bytes at a time
    /// through a buffer; a device with blocks in memory copies between
    /// them.
    fn copy_at(&self, from: u64, to: u64, len: u64) -> Result<(), FatError> {
        copy_through_buffer(self, from, to, len)
    }

    /// Calls `f` to change the `len` device bytes at `pos` (at most 512,
    /// within one 512-byte piece of the device) where they are: in the
    /// kernel, in the buffer cache's block under its lock, one look-up for
    /// reading and writing (as C changes a FAT entry in the `buffer_head`
    /// it read). By default, read, changed and written back
    /// ([`update_through_buffer`]).
    fn update_at(
        &self,
        pos: u64,
        len: usize,
        f: &mut dyn FnMut(&mut [u8]),
    ) -> Result<(), FatError> {
        update_through_buffer(self, pos, len, f)
    }
}

/// [`BlockDeviceMut::update_at`] through a copy, read, changed and written
/// back: the default, and what a device with blocks in memory falls back
/// to for bytes across two of its blocks (a FAT12 entry).
pub fn update_through_buffer<D: BlockDeviceMut + ?Sized>(
    dev: &D,
    pos: u64,
    len: usize,
    f: &mut dyn FnMut(&mut [u8]),
) -> Result<(), FatError> {
    let mut buf = [0u8; 512];
    let b = buf.get_mut(..len).ok_or(FatError::Truncated)?;
    dev.read_at(pos, b)?;
    f(b);
    dev.write_at(pos, b)
}

/// [`BlockDeviceMut::copy_at`] 512 bytes at a time through a buffer: the
/// default, and what a device with blocks in memory falls back to for
/// ranges that are not whole blocks.
pub fn copy_through_buffer<D: BlockDeviceMut + ?Sized>(
    dev: &D,
    from: u64,
    to: u64,
    len: u64,
) -> Result<(), FatError> {
    let mut buf = [0u8; 512];
    let mut done = 0u64;
    while done < len {
        let n = (len - done).min(buf.len() as u64) as usize;
        let b = buf.get_mut(..n).ok_or(FatError::Truncated)?;
        dev.read_at(from + done, b)?;
        dev.write_at(to + done, b)?;
        done += n as u64;
    }
    Ok(())
}

impl<T: BlockDeviceMut + ?Sized> BlockDeviceMut for &T {
    fn write_at(&self, pos: u64, buf: &[u8]) -> Result<(), FatError> {
        (**self).write_at(pos, buf)
    }

    fn discard_freed(&self) -> bool {
        (**self).discard_freed()
    }

    fn discard(&self, pos: u64, len: u64) -> Result<bool, FatError> {
        (**self).discard(pos, len)
    }

    fn copy_at(&self, from: u64, to: u64, len: u64) -> Result<(), FatError> {
        (**self).copy_at(from, to, len)
    }

    fn update_at(
        &self,
        pos: u64,
        len: usize,
        f: &mut dyn FnMut(&mut [u8]),
    ) -> Result<(), FatError> {
        (**self).update_at(pos, len, f)
    }
}

impl BlockDevice for [u8] {
    fn read_at(&self, pos: u64, buf: &mut [u8]) -> Result<(), FatError> {
        let start = usize::try_from(pos).map_err(|_| FatError::Truncated)?;
        let end = start.checked_add(buf.len()).ok_or(FatError::Truncated)?;
        buf.copy_from_slice(self.get(start..end).ok_or(FatError::Truncated)?);
        Ok(())
    }

    fn view_at(&self, pos: u64, len: usize, f: &mut dyn FnMut(&[u8])) -> Result<(), FatError> {
        let start = usize::try_from(pos).map_err(|_| FatError::Truncated)?;
        let end = start.checked_add(len).ok_or(FatError::Truncated)?;
        f(self.get(start..end).ok_or(FatError::Truncated)?);
        Ok(())
    }
}

impl<T: BlockDevice + ?Sized> BlockDevice for &T {
    fn read_at(&self, pos: u64, buf: &mut [u8]) -> Result<(), FatError> {
        (**self).read_at(pos, buf)
    }

    fn view_at(&self, pos: u64, len: usize, f: &mut dyn FnMut(&[u8])) -> Result<(), FatError> {
        (**self).view_at(pos, len, f)
    }
}

/// A FAT volume: its device and its validated boot parameters.
#[derive(Clone, Copy, Debug)]
pub struct Volume<D> {
    dev: D,
    /// The validated boot parameters.
    pub bpb: Bpb,
}

impl<D: BlockDevice> Volume<D> {
    /// Reads and validates the boot sector of a device of `device_len` bytes.
    pub fn open(dev: D, device_len: u64) -> Result<Volume<D>, FatError> {
        let mut boot = [0u8; BOOT_SECTOR_SIZE];
        dev.read_at(0, &mut boot)?;
        let bpb = Bpb::parse(&boot, device_len)?;
        Ok(Volume { dev, bpb })
    }

    /// As [`Volume::open`], and with `dos1xfloppy`, a boot sector whose
    /// BPB does not validate is tried as a DOS 1.x floppy's
    /// ([`Bpb::parse_dos1x`]), as `fat_fill_super` does. On failure the
    /// boot sector's own error, and why it is no DOS 1.x floppy either
    /// (when that was tried).
    pub fn open_dos1x(
        dev: D,
        device_len: u64,
        dos1xfloppy: bool,
    ) -> Result<Volume<D>, (FatError, Option<Dos1xRefusal>)> {
        let mut boot = [0u8; BOOT_SECTOR_SIZE];
        dev.read_at(0, &mut boot).map_err(|e| (e, None))?;
        match Bpb::parse(&boot, device_len) {
            Ok(bpb) => Ok(Volume { dev, bpb }),
            Err(e) if !dos1xfloppy || e == FatError::Io || e == FatError::Truncated => {
                Err((e, None))
            }
            Err(e) => match Bpb::parse_dos1x(&boot, device_len) {
                Ok(bpb) => Ok(Volume { dev, bpb }),
                Err(why) => Err((e, Some(why))),
            },
        }
    }

    /// The device.
    pub fn device(&self) -> &D {
        &self.dev
    }

    /// Reads device bytes (see [`BlockDevice::read_at`]).
    pub fn read_at(&self, pos: u64, buf: &mut [u8]) -> Result<(), FatError> {
        self.dev.read_at(pos, buf)
    }

    /// The volume id as `fat_fill_super` reads it: the extended boot
    /// record's field, whatever its signature says; 0 on a volume with DOS
    /// 1.x defaults (no boot record).
    pub fn volume_id(&self) -> Result<u32, FatError> {
        if self.bpb.dos1x {
            return Ok(0);
        }
        let at = if self.bpb.fat_type == FatType::Fat32 {
            67
        } else {
            39
        };
        let mut b = [0u8; 4];
        self.read_at(at, &mut b)?;
        Ok(u32::from_le_bytes(b))
    }

    /// The highest valid data cluster number.
    pub fn max_cluster(&self) -> u32 {
        self.bpb.max_cluster()
    }

    /// Reads the raw FAT entry of `cluster` from the first FAT, through
    /// `w` (a [`FatWindow`]: one device read per window of the FAT, not per
    /// entry; [`EntryRead`]: the entry's bytes alone).
    pub(crate) fn raw_fat_entry(
        &self,
        w: &mut impl FatRead,
        cluster: u32,
    ) -> Result<u32, FatError> {
        let c = u64::from(cluster);
        let fat = self.bpb.fat_offset;
        Ok(match self.bpb.fat_type {
            FatType::Fat12 => {
                let mut b = [0u8; 2];
                w.read(self, fat + c + c / 2, &mut b)?;
                let v = u32::from(u16::from_le_bytes(b));
                if c & 1 == 1 {
                    v >> 4
                } else {
                    v & 0xfff
                }
            }
            FatType::Fat16 => {
                let mut b = [0u8; 2];
                w.read(self, fat + c * 2, &mut b)?;
                u32::from(u16::from_le_bytes(b))
            }
            FatType::Fat32 => {
                let mut b = [0u8; 4];
                w.read(self, fat + c * 4, &mut b)?;
                u32::from_le_bytes(b) & 0x0fff_ffff
            }
        })
    }

    /// The entry of `cluster`, classified, read through the window `w`.
    fn fat_entry_in(&self, w: &mut impl FatRead, cluster: u32) -> Result<FatEntry, FatError> {
        if cluster < 2 || cluster > self.max_cluster() {
            return Err(FatError::ClusterOutOfRange);
        }
        let raw = self.raw_fat_entry(w, cluster)?;
        Ok(FatEntry::classify(
            self.bpb.fat_type,
            raw,
            self.max_cluster(),
        ))
    }

    /// The cluster after `cluster` in its chain, `None` at the chain's end.
    pub fn next_cluster(&self, cluster: u32) -> Result<Option<u32>, FatError> {
        // One entry: its bytes alone, not a window (a directory reader
        // asks once per cluster).
        self.next_cluster_in(&mut EntryRead, cluster)
    }

    /// [`Volume::next_cluster`] through the window `w`.
    fn next_cluster_in(&self, w: &mut impl FatRead, cluster: u32) -> Result<Option<u32>, FatError> {
        match self.fat_entry_in(w, cluster)? {
            FatEntry::Next(n) => Ok(Some(n)),
            FatEntry::End => Ok(None),
            FatEntry::Invalid(_) => Err(FatError::ClusterOutOfRange),
            FatEntry::Free | FatEntry::Bad => Err(FatError::BrokenChain),
        }
    }

    /// Walks the cluster chain starting at `start`.
    pub fn chain(&self, start: u32) -> Chain<'_, D> {
        Chain {
            vol: self,
            next: Some(start),
            steps: 0,
            window: FatWindow::<512>::new(),
        }
    }

    /// Counts the clusters of the chain at `start`, checking it fully.
    pub fn chain_len(&self, start: u32) -> Result<u32, FatError> {
        let mut n = 0u32;
        for c in self.chain(start) {
            c?;
            n += 1;
        }
        Ok(n)
    }

    /// Counts the free clusters by reading the whole FAT, a window at a
    /// time; `interrupted` is asked between windows (a FAT32 FAT can be
    /// tens of megabytes) and makes it stop with [`FatError::Interrupted`].
    pub fn free_clusters(&self, mut interrupted: impl FnMut() -> bool) -> Result<u32, FatError> {
        let mut w = FatWindow::<512>::new();
        let mut free = 0u32;
        for c in 2..=self.max_cluster() {
            let refills = w.refills;
            if self.raw_fat_entry(&mut w, c)? == 0 {
                free += 1;
            }
            if w.refills != refills && interrupted() {
                return Err(FatError::Interrupted);
            }
        }
        Ok(free)
    }

    /// Finds where byte `offset` of the chain starting at `start` lies.
    ///
    /// `near` is an extent of the same chain found before: when it holds
    /// the offset, no FAT entry is read at all; when it ends before the
    /// offset, the walk starts at its end. Returns the contiguous extent
    /// holding the offset, as far as the walk saw it: from where its
    /// contiguity began (or `near`'s start) to at most `max_run` clusters
    /// from the offset's cluster on, so a caller can map and cache a whole
    /// run.
    ///
    /// Only the links up to the offset's cluster must be valid, as in
    /// `fs/fat`'s `fat_get_cluster`: looking ahead for the run stops,
    /// without an error, at the first link that is not to the next
    /// cluster, so a chain that is damaged after the clusters a read needs
    /// (after a file's last cluster, say) does not fail that read. The
    /// walk is bounded by the volume's cluster count, so a looping chain
    /// cannot hang a reader: a read within a file's size follows the loop
    /// as the C driver does.
    pub fn locate(
        &self,
        start: u32,
        offset: u64,
        near: Option<Extent>,
        max_run: u32,
    ) -> Result<Extent, FatError> {
        let index = offset / self.bpb.cluster_size_nz();
        let index = u32::try_from(index).map_err(|_| FatError::SizeMismatch)?;
        if index >= self.bpb.cluster_count {
            return Err(FatError::SizeMismatch);
        }
        let mut ext = match near {
            Some(e) if e.contains(index) => return Ok(e),
            Some(e) if e.len > 0 && e.last_index() < index => e,
            _ => Extent {
                index: 0,
                cluster: start,
                len: 1,
            },
        };
        let (mut i, mut c) = (ext.last_index(), ext.last_cluster());
        if ext.cluster < 2 || c > self.max_cluster() {
            return Err(FatError::ClusterOutOfRange);
        }
        let mut w = FatWindow::<512>::new();
        // `index` is below the cluster count, which bounds the walk.
        while i < index {
            let n = self
                .next_cluster_in(&mut w, c)?
                .ok_or(FatError::SizeMismatch)?;
            i += 1;
            if n == c + 1 {
                ext.len += 1;
            } else {
                ext = Extent {
                    index: i,
                    cluster: n,
                    len: 1,
                };
            }
            c = n;
        }
        let mut run = 1u32;
        while run < max_run {
            match self.next_cluster_in(&mut w, c) {
                Ok(Some(n)) if n == c + 1 => {
                    run += 1;
                    ext.len += 1;
                    c = n;
                }
                _ => break,
            }
        }
        Ok(ext)
    }
}

/// A run of a chain whose clusters are contiguous on the device: chain
/// indexes `index..index + len` are clusters `cluster..cluster + len`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Extent {
    /// Index in the chain of the run's first cluster.
    pub index: u32,
    /// The run's first cluster.
    pub cluster: u32,
    /// How many clusters the run has (0: no run).
    pub len: u32,
}

impl Extent {
    /// Whether chain index `index` is in the run.
    pub fn contains(&self, index: u32) -> bool {
        index >= self.index && index - self.index < self.len
    }

    /// The cluster at chain index `index`, which the run must contain.
    pub fn cluster_at(&self, index: u32) -> u32 {
        self.cluster + (index - self.index)
    }

    fn last_index(&self) -> u32 {
        self.index + self.len.saturating_sub(1)
    }

    fn last_cluster(&self) -> u32 {
        self.cluster + self.len.saturating_sub(1)
    }
}

/// The runs of one file's chain found so far (as `fs/fat`'s per-inode
/// `fat_cache`): a few, replaced in turn.
#[derive(Clone, Copy, Debug, Default)]
pub struct ExtentCache {
    runs: [Extent; 4],
    next: usize,
}

impl ExtentCache {
    /// The run holding chain index `index`, else the one ending closest
    /// before it.
    pub fn near(&self, index: u32) -> Option<Extent> {
        let mut best: Option<Extent> = None;
        for r in self.runs.iter().filter(|r| r.len > 0) {
            if r.contains(index) {
                return Some(*r);
            }
            if r.last_index() < index && best.is_none_or(|b| b.last_index() < r.last_index()) {
                best = Some(*r);
            }
        }
        best
    }

    /// Remembers that chain indexes `index`.. are the `len` contiguous
    /// clusters from `cluster`, just added at the chain's end: the run
    /// ending at the index before grows by them when contiguous, else
    /// they are inserted as a run.
    pub fn append(&mut self, index: u32, cluster: u32, len: u32) {
        for r in self.runs.iter_mut() {
            if r.len > 0
                && r.index.checked_add(r.len) == Some(index)
                && r.cluster.checked_add(r.len) == Some(cluster)
            {
                r.len = r.len.saturating_add(len);
                return;
            }
        }
        self.insert(Extent {
            index,
            cluster,
            len,
        });
    }

    /// Remembers `run`, replacing one it overlaps, else the oldest.
    pub fn insert(&mut self, run: Extent) {
        let slot = self
            .runs
            .iter()
            .position(|r| r.len > 0 && r.index <= run.last_index() && run.index <= r.last_index())
            .unwrap_or_else(|| {
                let s = self.next;
                self.next = (self.next + 1) % self.runs.len();
                s
            });
        if let Some(r) = self.runs.get_mut(slot) {
            *r = run;
        }
    }
}

/// How FAT entries are read: through a [`FatWindow`] by walks over many
/// entries, by [`EntryRead`] for one.
pub(crate) trait FatRead {
    /// Fills `out` with FAT bytes at device offset `pos`.
    fn read<D: BlockDevice>(
        &mut self,
        vol: &Volume<D>,
        pos: u64,
        out: &mut [u8],
    ) -> Result<(), FatError>;
}

/// Reads a FAT entry's own bytes from the device: for a single entry, a
/// window's 512-byte fill (and zeroing) would cost more than the entry.
pub(crate) struct EntryRead;

impl FatRead for EntryRead {
    #[inline]
    fn read<D: BlockDevice>(
        &mut self,
        vol: &Volume<D>,
        pos: u64,
        out: &mut [u8],
    ) -> Result<(), FatError> {
        vol.read_at(pos, out)
    }
}

/// A window onto the FAT: the `N`-byte aligned piece (`N` a power of two
/// up to 512) a chain walk last read, so that consecutive entries cost one
/// device read per window. Walks over many entries take 512 bytes; the
/// allocation of a cluster, which reads a few neighbouring entries, a
/// smaller one that costs less to clear and to fill.
pub struct FatWindow<const N: usize = 512> {
    buf: [u8; N],
    /// Device offset of `buf[0]` (valid when `len` is not 0).
    start: u64,
    len: usize,
    /// How many times the window was read from the device.
    pub(crate) refills: u64,
}

impl<const N: usize> Default for FatWindow<N> {
    fn default() -> Self {
        Self::new()
    }
}

impl<const N: usize> FatWindow<N> {
    /// An empty window.
    pub const fn new() -> Self {
        FatWindow {
            buf: [0; N],
            start: 0,
            len: 0,
            refills: 0,
        }
    }

    /// Fills `out` with the bytes at device offset `pos` if the window
    /// holds them all.
    pub(crate) fn cached(&self, pos: u64, out: &mut [u8]) -> bool {
        if self.len == 0 || pos < self.start {
            return false;
        }
        let at = (pos - self.start) as usize;
        match self
            .buf
            .get(..self.len)
            .and_then(|b| b.get(at..at + out.len()))
        {
            Some(b) => {
                out.copy_from_slice(b);
                true
            }
            None => false,
        }
    }

    /// Puts bytes just written to the device at `pos` into the window
    /// where it holds them, so it does not go stale.
    pub(crate) fn patch(&mut self, pos: u64, data: &[u8]) {
        for (i, &b) in data.iter().enumerate() {
            let p = pos + i as u64;
            if self.len != 0 && p >= self.start && p - self.start < self.len as u64 {
                if let Some(x) = self.buf.get_mut((p - self.start) as usize) {
                    *x = b;
                }
            }
        }
    }
}

impl<const N: usize> FatRead for FatWindow<N> {
    #[inline]
    fn read<D: BlockDevice>(
        &mut self,
        vol: &Volume<D>,
        pos: u64,
        out: &mut [u8],
    ) -> Result<(), FatError> {
        let in_window = |w: &Self| {
            w.len != 0 && pos >= w.start && pos - w.start + out.len() as u64 <= w.len as u64
        };
        if !in_window(self) {
            // The FAT starts and ends on sector boundaries, and sectors are
            // multiples of 512 bytes: an aligned window lies inside it.
            let start = pos - pos % N as u64;
            vol.read_at(start, &mut self.buf)?;
            self.start = start;
            self.len = self.buf.len();
            self.refills += 1;
            if !in_window(self) {
                // A FAT12 entry across two windows.
                return vol.read_at(pos, out);
            }
        }
        let at = (pos - self.start) as usize;
        out.copy_from_slice(
            self.buf
                .get(at..at + out.len())
                .ok_or(FatError::Truncated)?,
        );
        Ok(())
    }
}

/// An iterator over a cluster chain, with loop and range checks.
///
/// Yields each cluster number; yields one error and stops if the chain
/// leaves the data area, runs into a free or bad cluster, or is longer than
/// the volume has clusters (which means it loops).
pub struct Chain<'a, D> {
    vol: &'a Volume<D>,
    next: Option<u32>,
    steps: u32,
    window: FatWindow,
}

impl<D: BlockDevice> Iterator for Chain<'_, D> {
    type Item = Result<u32, FatError>;

    fn next(&mut self) -> Option<Self::Item> {
        let cur = self.next.take()?;
        if self.steps >= self.vol.bpb.cluster_count {
            return Some(Err(FatError::ChainLoop));
        }
        self.steps += 1;
        match self.vol.next_cluster_in(&mut self.window, cur) {
            Err(e) => Some(Err(e)),
            Ok(n) => {
                self.next = n;
                Some(Ok(cur))
            }
        }
    }
}
