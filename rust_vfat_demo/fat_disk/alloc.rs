// SPDX-License-Identifier: GPL-2.0

//! Writing the FAT: entries of every FAT copy, cluster allocation and
//! freeing, chains extended and cut, the FSInfo sector's free count and
//! next-free hint, and the boot sector's dirty flag, as `fs/fat` does them
//! (`fatent.c`: `fat_ent_write`, `fat_alloc_clusters`,
//! `fat_free_clusters`, `fat_count_free_clusters`; `misc.c`:
//! `fat_clusters_flush`, `fat_chain_add`; `inode.c`: `fat_set_state`, the
//! FSInfo checks of `fat_fill_super`; `file.c`: `fat_free`).
//!
//! # Locking
//!
//! Everything that changes the FAT or the FSInfo values takes
//! `&mut FatState`: the caller holds the volume's FAT lock (C's
//! `sbi->fat_lock`, a mutex: these functions read and write the device and
//! may sleep) for the whole call. The directory functions of
//! [`crate::dir_write`] take a [`FatLock`] instead and lock it only while
//! they allocate, so the lock order is the directory inode's lock, then
//! the FAT lock, as in C.

use crate::format::{
    FatEntry,
    FatError,
    FatType,
    FAT_STATE_DIRTY, //
};
use crate::volume::{
    BlockDevice,
    BlockDeviceMut,
    EntryRead,
    FatWindow,
    Volume, //
};

/// The FAT window of an allocation or a freeing (see [`FatWindow`]): 64
/// bytes, 16 FAT32 entries.
const ALLOC_WINDOW: usize = 64;

/// The end-of-chain value `fs/fat` writes (all ones, masked to the FAT's
/// width when stored).
pub const FAT_EOC: u32 = 0x0fff_ffff;

/// The FSInfo sector's lead signature (offset 0).
pub const FSINFO_SIG1: u32 = 0x4161_5252;
/// The FSInfo sector's structure signature (offset 484).
pub const FSINFO_SIG2: u32 = 0x6141_7272;
/// Offset of the free cluster count in the FSInfo sector.
const FSINFO_FREE: u64 = 488;
/// Offset of the next-free hint in the FSInfo sector.
const FSINFO_NEXT: u64 = 492;

/// What the FAT lock protects besides the FAT itself: C's
/// `sbi->free_clusters`, `free_clus_valid`, `prev_free`, the FSInfo
/// inode's dirtiness and `sbi->dirty`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FatState {
    /// Free clusters as far as known (`None`: unknown, C's -1).
    pub free_count: Option<u32>,
    /// Whether `free_count` was counted (or trusted with `usefree`), so
    /// `statfs` need not count (`free_clus_valid`).
    pub free_valid: bool,
    /// The last cluster allocated: allocation looks from the one after it
    /// (`prev_free`, FSInfo's next-free hint).
    pub prev_free: u32,
    /// The FSInfo values changed since [`Volume::flush_fsinfo`] last wrote
    /// them (`mark_fsinfo_dirty`).
    pub fsinfo_dirty: bool,
    /// The boot sector's dirty flag was already set at mount
    /// (`sbi->dirty`): it is then neither set nor cleared.
    pub was_dirty: bool,
}

impl FatState {
    /// One cluster taken: the count goes down by one as C's `unsigned int
    /// free_clusters` does, where one below zero is -1, unknown. A count
    /// that runs out so (a lying FSInfo count taken without `usefree`) is
    /// then left as stored at unmount, and `statfs` counts the FAT.
    fn took_one(&mut self) {
        self.free_count = self.free_count.and_then(|f| f.checked_sub(1));
    }
}

/// How a FAT32 volume's FSInfo sector looked at mount.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FsinfoCheck {
    /// Not FAT32: no FSInfo.
    NotFat32,
    /// Valid signatures: its values were taken (and checked).
    Valid,
    /// Signatures that are not FSInfo's: C warns `Invalid FSINFO
    /// signature: 0x%08x, 0x%08x (sector = %lu)` and keeps the defaults.
    BadSignature {
        /// The lead signature found.
        sig1: u32,
        /// The structure signature found.
        sig2: u32,
        /// The FSInfo sector number.
        sector: u32,
    },
}

/// What [`Volume::set_state`] did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StateChange {
    /// The flag was written.
    Written,
    /// The volume was dirty at mount: nothing written. When setting, C
    /// warns `Volume was not properly unmounted. Some data may be corrupt.
    /// Please run fsck.`
    WasDirty,
}

/// The clusters a FITRIM covers ([`Volume::trim_range`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TrimRange {
    /// The first cluster looked at.
    pub first: u32,
    /// The last cluster looked at.
    pub last: u32,
    /// The shortest run of free clusters discarded.
    pub min_run: u64,
}

/// Access to the [`FatState`] behind the volume's FAT lock, for functions
/// that need it only for part of their work (a directory growing by a
/// cluster).
pub trait FatLock {
    /// Runs `f` with the FAT lock held.
    fn lock_fat<R>(&self, f: impl FnOnce(&mut FatState) -> R) -> R;
}

/// A single-threaded FAT lock (host tools and tests). Calling
/// [`FatLock::lock_fat`] from inside `f` is a bug of the caller (the cell
/// is already borrowed) and panics.
impl FatLock for core::cell::RefCell<FatState> {
    fn lock_fat<R>(&self, f: impl FnOnce(&mut FatState) -> R) -> R {
        f(&mut self.borrow_mut())
    }
}

fn le32_at(b: &[u8], off: u64) -> u32 {
    let o = off as usize;
    match b.get(o..o + 4) {
        Some(s) => u32::from_le_bytes([s[0], s[1], s[2], s[3]]),
        None => 0,
    }
}

impl<D: BlockDevice> Volume<D> {
    /// The state a mount starts with, as `fat_fill_super` sets it up: the
    /// boot sector's dirty flag; on FAT32 the FSInfo free count and
    /// next-free hint if its signatures are valid (`usefree`: trust the
    /// count for `statfs`); a count above the cluster count is unknown; a
    /// hint out of range wraps into `2..=max_cluster`.
    pub fn load_state(&self, usefree: bool) -> Result<(FatState, FsinfoCheck), FatError> {
        let mut b = [0u8; 1];
        self.read_at(self.bpb.state_offset(), &mut b)?;
        let mut st = FatState {
            free_count: None,
            free_valid: false,
            prev_free: 2,
            fsinfo_dirty: false,
            // DOS 1.x defaults: C took no state from the boot sector.
            was_dirty: !self.bpb.dos1x && b[0] & FAT_STATE_DIRTY != 0,
        };
        let mut check = FsinfoCheck::NotFat32;
        if self.bpb.fat_type == FatType::Fat32 {
            let mut s = [0u8; 512];
            self.read_at(self.fsinfo_pos(), &mut s)?;
            let (sig1, sig2) = (le32_at(&s, 0), le32_at(&s, 484));
            if sig1 == FSINFO_SIG1 && sig2 == FSINFO_SIG2 {
                st.free_valid = usefree;
                st.free_count = Some(le32_at(&s, FSINFO_FREE));
                st.prev_free = le32_at(&s, FSINFO_NEXT);
                check = FsinfoCheck::Valid;
            } else {
                check = FsinfoCheck::BadSignature {
                    sig1,
                    sig2,
                    sector: self.bpb.fsinfo_sector,
                };
            }
        }
        if st.free_count.is_some_and(|f| f > self.bpb.cluster_count) {
            st.free_count = None;
        }
        // C's max_cluster is one past the highest cluster. Checked: a
        // plain `%` keeps a divide-by-zero panic in the code (objtool then
        // sees fill_super fall through into the next function).
        st.prev_free = st
            .prev_free
            .checked_rem(self.max_cluster().saturating_add(1))
            .unwrap_or(0);
        if st.prev_free < 2 {
            st.prev_free = 2;
        }
        Ok((st, check))
    }

    fn fsinfo_pos(&self) -> u64 {
        u64::from(self.bpb.fsinfo_sector) * u64::from(self.bpb.bytes_per_sector)
    }

    /// The free cluster count for `statfs`, as `fat_count_free_clusters`:
    /// the known count when valid, else the FAT counted (then known and
    /// valid, and the FSInfo dirty). `interrupted` as in
    /// [`Volume::free_clusters`]. Caller holds the FAT lock.
    pub fn count_free(
        &self,
        st: &mut FatState,
        interrupted: impl FnMut() -> bool,
    ) -> Result<u32, FatError> {
        if let (Some(n), true) = (st.free_count, st.free_valid) {
            return Ok(n);
        }
        let n = self.free_clusters(interrupted)?;
        st.free_count = Some(n);
        st.free_valid = true;
        st.fsinfo_dirty = true;
        Ok(n)
    }

    /// The FAT entry of `cluster` as stored (12, 16 or 28 bits).
    pub fn raw_entry(&self, cluster: u32) -> Result<u32, FatError> {
        if cluster < 2 || cluster > self.max_cluster() {
            return Err(FatError::ClusterOutOfRange);
        }
        self.raw_fat_entry(&mut EntryRead, cluster)
    }
}

impl<D: BlockDeviceMut> Volume<D> {
    /// Writes FAT entry `cluster` := `value` (0: free, [`FAT_EOC`], or the
    /// next cluster) as `fat_ent_write` does: into the first FAT (a FAT12
    /// entry's neighbour nibble and a FAT32 entry's top four bits kept),
    /// then the sectors it changed copied to the other FATs
    /// (`fat_mirror_bhs`, which copies whole blocks and so also mends a
    /// backup FAT that differed there). Caller holds the FAT lock.
    pub fn set_entry(&self, st: &mut FatState, cluster: u32, value: u32) -> Result<(), FatError> {
        let _ = st;
        self.write_entry(cluster, value)
    }

    fn write_entry(&self, cluster: u32, value: u32) -> Result<(), FatError> {
        let mut m = Mirror::new();
        self.put_entry(cluster, value, None, &mut m)?;
        m.flush(self)
    }

    /// Writes FAT entry `cluster` into the first FAT only, noting the
    /// sectors for `m`; `w`, a window onto the FAT, gives the entry's old
    /// bytes if it holds them and is kept current.
    fn put_entry(
        &self,
        cluster: u32,
        value: u32,
        w: Option<&mut FatWindow<ALLOC_WINDOW>>,
        m: &mut Mirror,
    ) -> Result<(), FatError> {
        if cluster < 2 || cluster > self.max_cluster() {
            return Err(FatError::ClusterOutOfRange);
        }
        let c = u64::from(cluster);
        let base = self.bpb.fat_offset;
        let (pos, len) = match self.bpb.fat_type {
            FatType::Fat12 => {
                let pos = base + c + c / 2;
                let mut b = [0u8; 2];
                if !w.as_deref().is_some_and(|w| w.cached(pos, &mut b)) {
                    self.read_at(pos, &mut b)?;
                }
                let old = u16::from_le_bytes(b);
                let v = (value & 0xfff) as u16;
                let new = if c & 1 == 1 {
                    (old & 0x000f) | (v << 4)
                } else {
                    (old & 0xf000) | v
                };
                let b = new.to_le_bytes();
                self.device().write_at(pos, &b)?;
                if let Some(w) = w {
                    w.patch(pos, &b);
                }
                (pos, 2)
            }
            FatType::Fat16 => {
                let pos = base + c * 2;
                let b = ((value & 0xffff) as u16).to_le_bytes();
                self.device().write_at(pos, &b)?;
                if let Some(w) = w {
                    w.patch(pos, &b);
                }
                (pos, 2)
            }
            FatType::Fat32 => {
                let pos = base + c * 4;
                let mut b = [0u8; 4];
                if !w.as_deref().is_some_and(|w| w.cached(pos, &mut b)) {
                    self.read_at(pos, &mut b)?;
                }
                let old = u32::from_le_bytes(b);
                let b = ((old & 0xf000_0000) | (value & 0x0fff_ffff)).to_le_bytes();
                self.device().write_at(pos, &b)?;
                if let Some(w) = w {
                    w.patch(pos, &b);
                }
                (pos, 4)
            }
        };
        let bps = self.bpb.sector_size_nz();
        let (first, last) = ((pos - base) / bps, (pos + len - 1 - base) / bps);
        m.note(self, first)?;
        // Only a FAT12 entry can straddle two sectors.
        if last != first {
            m.note(self, last)?;
        }
        Ok(())
    }

    /// Allocates a chain of `n` free clusters (each linked to the next,
    /// the last marked end-of-chain) and returns its first cluster, as
    /// `fat_alloc_clusters`: the search starts after the hint
    /// (`prev_free`), wraps at the end of the FAT, and the hint becomes
    /// the last cluster taken. Without `n` free clusters: [`FatError::NoSpace`]
    /// with the FAT unchanged and the free count set to what was found.
    /// The new chain is not linked to anything (see
    /// [`Volume::extend_chain`]). Caller holds the FAT lock.
    pub fn alloc_clusters(&self, st: &mut FatState, n: u32) -> Result<u32, FatError> {
        let mut w = FatWindow::<ALLOC_WINDOW>::new();
        let mut m = Mirror::new();
        let (first, _) = self.alloc_in(st, n, &mut w, &mut m)?;
        if let Err(e) = m.flush(self) {
            let _ = self.free_chain(st, first);
            return Err(e);
        }
        Ok(first)
    }

    /// [`Volume::alloc_clusters`] through the window `w`, the sectors it
    /// changed noted in `m` (the caller copies them to the other FATs).
    /// Returns the chain's first and last cluster. On an error, what it
    /// took is given back (and mirrored).
    fn alloc_in(
        &self,
        st: &mut FatState,
        n: u32,
        w: &mut FatWindow<ALLOC_WINDOW>,
        m: &mut Mirror,
    ) -> Result<(u32, u32), FatError> {
        if n == 0 {
            return Err(FatError::BadGeometry);
        }
        if let (Some(free), true) = (st.free_count, st.free_valid) {
            if free < n {
                return Err(FatError::NoSpace);
            }
        }
        // First pass: are there `n` free clusters, looking as C looks?
        let start = self.next_after(st.prev_free);
        let mut found = 0u32;
        let mut last = 0u32;
        let mut c = start;
        for _ in 0..self.bpb.cluster_count {
            if self.raw_fat_entry(w, c)? == 0 {
                found += 1;
                last = c;
                if found == n {
                    break;
                }
            }
            c = self.next_after(c);
        }
        if found < n {
            // As C after its search failed: the count is what it found
            // (and released again), the hint the last one it took.
            st.free_count = Some(found);
            st.free_valid = true;
            if found > 0 {
                st.prev_free = last;
            }
            st.fsinfo_dirty = true;
            return Err(FatError::NoSpace);
        }
        // Second pass: the same clusters, each marked end-of-chain, then
        // linked from the one before (the chain is complete before the
        // caller links it to a file). One cluster was found last: it is
        // taken at once. The window of the first pass is kept: it holds
        // the FAT sector the search ended in.
        if n == 1 {
            self.put_entry(last, FAT_EOC, Some(w), m)?;
            st.prev_free = last;
            st.took_one();
            st.fsinfo_dirty = true;
            return Ok((last, last));
        }
        let mut prev: Option<u32> = None;
        let mut first = 0u32;
        let mut c = start;
        let mut taken = 0u32;
        let mut result = Ok(());
        for _ in 0..self.bpb.cluster_count {
            if taken == n {
                break;
            }
            let free = match self.raw_fat_entry(w, c) {
                Ok(v) => v == 0,
                Err(e) => {
                    result = Err(e);
                    break;
                }
            };
            if free {
                if let Err(e) = self.put_entry(c, FAT_EOC, Some(&mut *w), m) {
                    result = Err(e);
                    break;
                }
                if let Some(p) = prev {
                    if let Err(e) = self.put_entry(p, c, Some(&mut *w), m) {
                        result = Err(e);
                        break;
                    }
                } else {
                    first = c;
                }
                prev = Some(c);
                taken += 1;
                st.prev_free = c;
                st.took_one();
            }
            c = self.next_after(c);
        }
        st.fsinfo_dirty = true;
        if let Err(e) = result {
            // A device error half way: give back what was taken.
            let _ = m.flush(self);
            if prev.is_some() {
                let _ = self.free_chain(st, first);
            }
            return Err(e);
        }
        if taken < n {
            let _ = m.flush(self);
            return Err(FatError::NoSpace);
        }
        Ok((first, prev.unwrap_or(first)))
    }

    /// The cluster after `c` in allocation order (wrapping to 2).
    fn next_after(&self, c: u32) -> u32 {
        if c >= self.max_cluster() || c < 2 {
            2
        } else {
            c + 1
        }
    }

    /// Allocates `n` clusters ([`Volume::alloc_clusters`]) and links them
    /// after `last`, the last cluster of an existing chain (`None`: the
    /// chain is new; the caller stores the returned first cluster in the
    /// directory entry), as `fat_chain_add`. Returns the first new
    /// cluster. Caller holds the FAT lock.
    pub fn extend_chain(
        &self,
        st: &mut FatState,
        last: Option<u32>,
        n: u32,
    ) -> Result<u32, FatError> {
        self.extend_chain_run(st, last, n).map(|(first, _)| first)
    }

    /// [`Volume::extend_chain`], returning the first new cluster and how
    /// many of the new clusters follow on from it on the disk: `n` when
    /// they are contiguous (as on a volume filled in order), else 1.
    pub fn extend_chain_run(
        &self,
        st: &mut FatState,
        last: Option<u32>,
        n: u32,
    ) -> Result<(u32, u32), FatError> {
        // One window and one mirror for the whole operation: `last`'s
        // entry, the search that usually ends in the same FAT sector, and
        // the link; the sectors changed are copied to the other FATs once.
        let mut w = FatWindow::<ALLOC_WINDOW>::new();
        let mut m = Mirror::new();
        if let Some(l) = last {
            // Validates `last` before anything is allocated.
            if l < 2 || l > self.max_cluster() {
                return Err(FatError::ClusterOutOfRange);
            }
            match FatEntry::classify(
                self.bpb.fat_type,
                self.raw_fat_entry(&mut w, l)?,
                self.max_cluster(),
            ) {
                FatEntry::End => {}
                // The chain goes on past what the file's size accounts
                // for (another file's clusters, if the two are
                // cross-linked): linking here would cut it.
                FatEntry::Next(_) => return Err(FatError::SizeMismatch),
                _ => return Err(FatError::BrokenChain),
            }
        }
        let (first, end) = self.alloc_in(st, n, &mut w, &mut m)?;
        if let Some(l) = last {
            if let Err(e) = self.put_entry(l, first, Some(&mut w), &mut m) {
                let _ = m.flush(self);
                let _ = self.free_chain(st, first);
                return Err(e);
            }
        }
        if let Err(e) = m.flush(self) {
            // The other FATs could not be written: the new chain is
            // unlinked and given back.
            if let Some(l) = last {
                let _ = self.write_entry(l, FAT_EOC);
            }
            let _ = self.free_chain(st, first);
            return Err(e);
        }
        // Taken in rising order: `n` clusters from `first` to `end` with
        // no wrap between are exactly those in between.
        let run = if end.checked_sub(first) == Some(n - 1) {
            n
        } else {
            1
        };
        Ok((first, run))
    }

    /// Frees the chain starting at `start`, as `fat_free_clusters`: each
    /// entry freed in turn until the end-of-chain (or bad) mark; an entry
    /// already free, or a link out of range, stops it with
    /// [`FatError::BrokenChain`] / [`FatError::ClusterOutOfRange`] after
    /// the clusters before it were freed (C's `fat_fs_error` then). Returns
    /// how many were freed. Caller holds the FAT lock.
    pub fn free_chain(&self, st: &mut FatState, start: u32) -> Result<u32, FatError> {
        let mut m = Mirror::new();
        let r = self.free_chain_in(st, start, &mut m);
        // What was freed is mirrored also when the chain broke off.
        let f = m.flush(self);
        let n = r?;
        f?;
        Ok(n)
    }

    fn free_chain_in(
        &self,
        st: &mut FatState,
        start: u32,
        m: &mut Mirror,
    ) -> Result<u32, FatError> {
        let mut c = start;
        let mut freed = 0u32;
        let discard = self.device().discard_freed();
        let mut run = start;
        let fat_type = self.bpb.fat_type;
        let base = self.bpb.fat_offset;
        let bps = self.bpb.sector_size_nz();
        loop {
            if c < 2 || c > self.max_cluster() {
                return Err(FatError::ClusterOutOfRange);
            }
            // The entry read and freed in one step, in place (C's
            // `fat_ent_read` then `fat_ent_write` on the one buffer).
            let (pos, len) = entry_span(fat_type, base, c);
            let mut raw = 0u32;
            self.device().update_at(pos, len, &mut |b| {
                raw = free_entry_bytes(fat_type, c, b);
            })?;
            if raw == 0 {
                return Err(FatError::BrokenChain);
            }
            let (first, last) = ((pos - base) / bps, (pos + len as u64 - 1 - base) / bps);
            m.note(self, first)?;
            // Only a FAT12 entry can straddle two sectors.
            if last != first {
                m.note(self, last)?;
            }
            if discard && raw != c + 1 {
                // `discard`: each contiguous run of the chain once its end
                // is seen, errors ignored (`fat_free_clusters`; here once
                // the run's last entry is freed, still under the FAT lock).
                let _ = self.discard_clusters(run, c - run + 1);
                run = raw;
            }
            freed += 1;
            if let Some(f) = st.free_count.as_mut() {
                *f = f.saturating_add(1);
                st.fsinfo_dirty = true;
            }
            if ends_chain(fat_type, raw, self.max_cluster()) {
                return Ok(freed);
            }
            c = raw;
            if freed > self.bpb.cluster_count {
                return Err(FatError::ChainLoop);
            }
        }
    }

    /// Discards `n` clusters from `first` on the device.
    fn discard_clusters(&self, first: u32, n: u32) -> Result<bool, FatError> {
        let pos = self.bpb.cluster_offset(first)?;
        self.device()
            .discard(pos, u64::from(n) * u64::from(self.bpb.cluster_size))
    }

    /// The clusters FITRIM's byte range (`start`, `len`, `minlen`) covers,
    /// as `fat_trim_fs` reads it: bytes over cluster numbers (from cluster
    /// 2, the data area's offset not counted), `len` cut at the last
    /// cluster, `minlen` in whole clusters. `None` (C: `EINVAL`) when the
    /// range starts past the last cluster or is shorter than a cluster.
    pub fn trim_range(&self, start: u64, len: u64, minlen: u64) -> Option<TrimRange> {
        let bits = self.bpb.cluster_size.trailing_zeros();
        let first = (start >> bits).max(2);
        // C's max_cluster: one past the last cluster.
        let end = u64::from(self.max_cluster()) + 1;
        if first >= end || len < u64::from(self.bpb.cluster_size) {
            return None;
        }
        let last = first
            .saturating_add(len >> bits)
            .saturating_sub(1)
            .min(end - 1);
        Some(TrimRange {
            // Both below `end`, a u32.
            first: first as u32,
            last: last as u32,
            min_run: minlen >> bits,
        })
    }

    /// FITRIM (`fat_trim_fs`): discards every run of free clusters in
    /// `r` at least `r.min_run` long (a run that reaches past `r.last` is
    /// cut there), and returns how many clusters were discarded; runs the
    /// device would not discard are not counted. `interrupted` is asked
    /// between FAT windows ([`FatError::Interrupted`]). Caller holds the
    /// FAT lock.
    pub fn trim(
        &self,
        _st: &mut FatState,
        r: &TrimRange,
        mut interrupted: impl FnMut() -> bool,
    ) -> Result<u64, FatError> {
        // A walk over many entries: the 512-byte window.
        let mut w: FatWindow = FatWindow::new();
        let mut free = 0u32;
        let mut trimmed = 0u64;
        let flush = |at: u32, free: u32| -> Result<u64, FatError> {
            if free == 0 || u64::from(free) < r.min_run {
                return Ok(0);
            }
            Ok(if self.discard_clusters(at - free, free)? {
                u64::from(free)
            } else {
                0
            })
        };
        for c in r.first..=r.last {
            let refills = w.refills;
            if self.raw_fat_entry(&mut w, c)? == 0 {
                free += 1;
            } else {
                trimmed += flush(c, free)?;
                free = 0;
            }
            if w.refills != refills && interrupted() {
                return Err(FatError::Interrupted);
            }
        }
        trimmed += flush(r.last + 1, free)?;
        Ok(trimmed)
    }

    /// Keeps the first `keep` (at least 1) clusters of the chain at
    /// `start` and frees the rest, as `fat_free` with `skip`: the kept
    /// chain's last entry becomes end-of-chain first. A chain not longer
    /// than `keep` is left alone. Returns how many were freed. (To free
    /// a whole chain, the caller first sets the entry's start cluster to 0,
    /// then calls [`Volume::free_chain`], as C does.) Caller holds the FAT
    /// lock.
    pub fn truncate_chain(
        &self,
        st: &mut FatState,
        start: u32,
        keep: u32,
    ) -> Result<u32, FatError> {
        match self.past_kept(start, keep)? {
            Some((last, next)) => {
                self.write_entry(last, FAT_EOC)?;
                self.free_chain(st, next)
            }
            None => Ok(0),
        }
    }

    /// Walks the first `keep` (at least 1) clusters of the chain at
    /// `start` as [`Volume::truncate_chain`] does, with the same errors
    /// for a chain broken on the way or after them, and returns the last
    /// of them and the cluster after it, `None` if the chain ends there.
    pub fn past_kept(&self, start: u32, keep: u32) -> Result<Option<(u32, u32)>, FatError> {
        if keep == 0 {
            return Err(FatError::BadGeometry);
        }
        let mut last = start;
        let mut chain = self.chain(start);
        for _ in 0..keep {
            match chain.next() {
                Some(c) => last = c?,
                // Shorter than `keep`: nothing past it.
                None => return Ok(None),
            }
        }
        let raw = self.raw_entry(last)?;
        match FatEntry::classify(self.bpb.fat_type, raw, self.max_cluster()) {
            FatEntry::End | FatEntry::Bad => Ok(None),
            FatEntry::Free => Err(FatError::BrokenChain),
            FatEntry::Invalid(_) => Err(FatError::ClusterOutOfRange),
            FatEntry::Next(next) => Ok(Some((last, next))),
        }
    }

    /// The last cluster of the chain at `start` and the chain's length.
    pub fn chain_last(&self, start: u32) -> Result<(u32, u32), FatError> {
        let mut last = start;
        let mut n = 0u32;
        for c in self.chain(start) {
            last = c?;
            n += 1;
        }
        Ok((last, n))
    }

    /// Writes the free count and the next-free hint into the FSInfo sector
    /// (FAT32; nothing elsewhere), as `fat_clusters_flush` at sync and
    /// unmount: an unknown count is left as stored. FSInfo signatures that
    /// are not valid are returned as [`FsinfoCheck::BadSignature`] and
    /// nothing is written: C then logs `Invalid FSINFO signature: 0x%08x,
    /// 0x%08x (sector = %lu)` at `KERN_ERR` and goes on, the volume
    /// undamaged as far as its error policy is concerned, and the FSInfo
    /// no longer dirty until the next allocation. Caller holds the FAT
    /// lock.
    pub fn flush_fsinfo(&self, st: &mut FatState) -> Result<FsinfoCheck, FatError> {
        if self.bpb.fat_type != FatType::Fat32 {
            st.fsinfo_dirty = false;
            return Ok(FsinfoCheck::NotFat32);
        }
        let pos = self.fsinfo_pos();
        let mut s = [0u8; 512];
        self.read_at(pos, &mut s)?;
        let (sig1, sig2) = (le32_at(&s, 0), le32_at(&s, 484));
        if sig1 != FSINFO_SIG1 || sig2 != FSINFO_SIG2 {
            st.fsinfo_dirty = false;
            return Ok(FsinfoCheck::BadSignature {
                sig1,
                sig2,
                sector: self.bpb.fsinfo_sector,
            });
        }
        if let Some(n) = st.free_count {
            self.device()
                .write_at(pos + FSINFO_FREE, &n.to_le_bytes())?;
        }
        self.device()
            .write_at(pos + FSINFO_NEXT, &st.prev_free.to_le_bytes())?;
        st.fsinfo_dirty = false;
        Ok(FsinfoCheck::Valid)
    }

    /// Sets (`dirty`) or clears the boot sector's dirty flag, as
    /// `fat_set_state`: not at all when the volume was dirty at mount.
    /// The caller decides when (set on a read-write mount and on remount
    /// read-write, cleared on a clean unmount and remount read-only) and
    /// syncs the write.
    pub fn set_state(&self, st: &FatState, dirty: bool) -> Result<StateChange, FatError> {
        if st.was_dirty {
            return Ok(StateChange::WasDirty);
        }
        let pos = self.bpb.state_offset();
        let mut b = [0u8; 1];
        self.read_at(pos, &mut b)?;
        if dirty {
            b[0] |= FAT_STATE_DIRTY;
        } else {
            b[0] &= !FAT_STATE_DIRTY;
        }
        self.device().write_at(pos, &b)?;
        Ok(StateChange::Written)
    }

    /// Fills cluster `cluster` with zeros.
    pub fn zero_cluster(&self, cluster: u32) -> Result<(), FatError> {
        let pos = self.bpb.cluster_offset(cluster)?;
        let zeros = [0u8; 512];
        let mut done = 0u64;
        let size = u64::from(self.bpb.cluster_size);
        while done < size {
            self.device().write_at(pos + done, &zeros)?;
            done += zeros.len() as u64;
        }
        Ok(())
    }
}

/// The sectors of the first FAT changed since the last copy to the
/// others (as C collects the buffer heads it mirrors), by number within
/// the FAT: copied when full and when the operation ends.
struct Mirror {
    sectors: [u64; 8],
    n: usize,
}

impl Mirror {
    const fn new() -> Self {
        Mirror {
            sectors: [0; 8],
            n: 0,
        }
    }

    fn note<D: BlockDeviceMut>(&mut self, vol: &Volume<D>, sector: u64) -> Result<(), FatError> {
        if self.sectors.get(..self.n).unwrap_or(&[]).contains(&sector) {
            return Ok(());
        }
        if self.n == self.sectors.len() {
            self.flush(vol)?;
        }
        if let Some(s) = self.sectors.get_mut(self.n) {
            *s = sector;
            self.n += 1;
        }
        Ok(())
    }

    /// Copies the noted sectors of the first FAT to every other FAT
    /// ([`BlockDeviceMut::copy_at`]: in the kernel, from buffer to
    /// buffer).
    fn flush<D: BlockDeviceMut>(&mut self, vol: &Volume<D>) -> Result<(), FatError> {
        let bps = u64::from(vol.bpb.bytes_per_sector);
        let fat_len = u64::from(vol.bpb.fat_sectors) * bps;
        let noted = self.n;
        self.n = 0;
        if vol.bpb.num_fats < 2 {
            return Ok(());
        }
        for &s in self.sectors.iter().take(noted) {
            let from = vol.bpb.fat_offset + s * bps;
            for copy in 1..u64::from(vol.bpb.num_fats) {
                vol.device().copy_at(from, from + copy * fat_len, bps)?;
            }
        }
        Ok(())
    }
}

/// Where FAT entry `cluster` lies: its device offset and length (the FAT
/// at device offset `base`).
fn entry_span(fat_type: FatType, base: u64, cluster: u32) -> (u64, usize) {
    let c = u64::from(cluster);
    match fat_type {
        FatType::Fat12 => (base + c + c / 2, 2),
        FatType::Fat16 => (base + c * 2, 2),
        FatType::Fat32 => (base + c * 4, 4),
    }
}

/// Reads the raw FAT entry of `cluster` from its bytes `b` (as
/// [`entry_span`] gives them) and, unless it is already free, frees it
/// there (a FAT12 entry's neighbour nibble and a FAT32 entry's top four
/// bits kept). Returns the entry as it was.
fn free_entry_bytes(fat_type: FatType, cluster: u32, b: &mut [u8]) -> u32 {
    match (fat_type, b) {
        (FatType::Fat12, [lo, hi]) => {
            let v = u16::from_le_bytes([*lo, *hi]);
            let (raw, kept) = if cluster & 1 == 1 {
                (v >> 4, v & 0x000f)
            } else {
                (v & 0xfff, v & 0xf000)
            };
            if raw != 0 {
                [*lo, *hi] = kept.to_le_bytes();
            }
            u32::from(raw)
        }
        (FatType::Fat16, [lo, hi]) => {
            let raw = u16::from_le_bytes([*lo, *hi]);
            if raw != 0 {
                [*lo, *hi] = [0, 0];
            }
            u32::from(raw)
        }
        (FatType::Fat32, [a, b2, c, d]) => {
            let v = u32::from_le_bytes([*a, *b2, *c, *d]);
            let raw = v & 0x0fff_ffff;
            if raw != 0 {
                [*a, *b2, *c, *d] = (v & 0xf000_0000).to_le_bytes();
            }
            raw
        }
        // `entry_span` gives each type its length.
        _ => 0,
    }
}

/// Whether a raw FAT entry ends a chain for freeing (end-of-chain or bad,
/// as `fat_ent_read` turns both into `FAT_ENT_EOF`).
pub fn ends_chain(fat_type: FatType, raw: u32, max_cluster: u32) -> bool {
    matches!(
        FatEntry::classify(fat_type, raw, max_cluster),
        FatEntry::End | FatEntry::Bad
    )
}
