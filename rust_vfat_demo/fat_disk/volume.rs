// SPDX-License-Identifier: GPL-2.0

//! A FAT volume read through a [`BlockDevice`]: the FAT, cluster chains and
//! the mapping of a file's bytes to device bytes.
//!
//! In the kernel the device is the mounted block device read through the
//! buffer cache; on the host it is an image in memory. Both run this code.

use crate::format::{
    Bpb,
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
}

impl BlockDevice for [u8] {
    fn read_at(&self, pos: u64, buf: &mut [u8]) -> Result<(), FatError> {
        let start = usize::try_from(pos).map_err(|_| FatError::Truncated)?;
        let end = start.checked_add(buf.len()).ok_or(FatError::Truncated)?;
        buf.copy_from_slice(self.get(start..end).ok_or(FatError::Truncated)?);
        Ok(())
    }
}

impl<T: BlockDevice + ?Sized> BlockDevice for &T {
    fn read_at(&self, pos: u64, buf: &mut [u8]) -> Result<(), FatError> {
        (**self).read_at(pos, buf)
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

    /// The device.
    pub fn device(&self) -> &D {
        &self.dev
    }

    /// Reads device bytes (see [`BlockDevice::read_at`]).
    pub fn read_at(&self, pos: u64, buf: &mut [u8]) -> Result<(), FatError> {
        self.dev.read_at(pos, buf)
    }

    /// The highest valid data cluster number.
    pub fn max_cluster(&self) -> u32 {
        self.bpb.max_cluster()
    }

    /// Reads the raw FAT entry of `cluster` from the first FAT.
    fn raw_fat_entry(&self, cluster: u32) -> Result<u32, FatError> {
        let c = u64::from(cluster);
        let fat = self.bpb.fat_offset;
        Ok(match self.bpb.fat_type {
            FatType::Fat12 => {
                let mut b = [0u8; 2];
                self.read_at(fat + c + c / 2, &mut b)?;
                let v = u32::from(u16::from_le_bytes(b));
                if c & 1 == 1 {
                    v >> 4
                } else {
                    v & 0xfff
                }
            }
            FatType::Fat16 => {
                let mut b = [0u8; 2];
                self.read_at(fat + c * 2, &mut b)?;
                u32::from(u16::from_le_bytes(b))
            }
            FatType::Fat32 => {
                let mut b = [0u8; 4];
                self.read_at(fat + c * 4, &mut b)?;
                u32::from_le_bytes(b) & 0x0fff_ffff
            }
        })
    }

    /// Reads and classifies the FAT entry of data cluster `cluster`.
    pub fn fat_entry(&self, cluster: u32) -> Result<FatEntry, FatError> {
        if cluster < 2 || cluster > self.max_cluster() {
            return Err(FatError::ClusterOutOfRange);
        }
        let raw = self.raw_fat_entry(cluster)?;
        Ok(FatEntry::classify(
            self.bpb.fat_type,
            raw,
            self.max_cluster(),
        ))
    }

    /// The cluster after `cluster` in its chain, `None` at the chain's end.
    pub fn next_cluster(&self, cluster: u32) -> Result<Option<u32>, FatError> {
        match self.fat_entry(cluster)? {
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

    /// Counts the free clusters by reading the whole FAT.
    pub fn free_clusters(&self) -> Result<u32, FatError> {
        let mut free = 0u32;
        for c in 2..=self.max_cluster() {
            if self.raw_fat_entry(c)? == 0 {
                free += 1;
            }
        }
        Ok(free)
    }

    /// Finds where byte `offset` of the chain starting at `start` lies.
    ///
    /// `hint` is a position found before in the same chain; the walk starts
    /// there when it is not past the target. Returns the position of the
    /// cluster holding `offset` and how many clusters from there on are
    /// contiguous on the device (at most `max_run`, at least 1), so a caller
    /// can map a whole run at once.
    pub fn locate(
        &self,
        start: u32,
        offset: u64,
        hint: Option<ChainPos>,
        max_run: u32,
    ) -> Result<(ChainPos, u32), FatError> {
        let index = offset / self.bpb.cluster_size_nz();
        let index = u32::try_from(index).map_err(|_| FatError::SizeMismatch)?;
        if index >= self.bpb.cluster_count {
            return Err(FatError::SizeMismatch);
        }
        let mut pos = match hint {
            Some(h) if h.index <= index && h.cluster >= 2 => h,
            _ => ChainPos {
                index: 0,
                cluster: start,
            },
        };
        if pos.cluster < 2 || pos.cluster > self.max_cluster() {
            return Err(FatError::ClusterOutOfRange);
        }
        while pos.index < index {
            pos.cluster = self
                .next_cluster(pos.cluster)?
                .ok_or(FatError::SizeMismatch)?;
            pos.index += 1;
        }
        let mut run = 1u32;
        let mut c = pos.cluster;
        while run < max_run {
            match self.next_cluster(c)? {
                Some(n) if n == c + 1 => {
                    run += 1;
                    c = n;
                }
                _ => break,
            }
        }
        Ok((pos, run))
    }
}

/// A cluster of a chain: its index in the chain and its number.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ChainPos {
    /// Index of the cluster in its chain (0 for the first).
    pub index: u32,
    /// The cluster number.
    pub cluster: u32,
}

impl ChainPos {
    /// Packs into one word, for a lock-free cache of the last position.
    pub fn pack(self) -> u64 {
        (u64::from(self.index) << 32) | u64::from(self.cluster)
    }

    /// The inverse of [`ChainPos::pack`]; `None` for the empty value 0.
    pub fn unpack(v: u64) -> Option<ChainPos> {
        let cluster = v as u32;
        (cluster != 0).then_some(ChainPos {
            index: (v >> 32) as u32,
            cluster,
        })
    }
}

/// An iterator over a cluster chain, with loop and range checks.
///
/// Yields each cluster number; yields one error and stops if the chain
/// leaves the data area, runs into a free or bad cluster, or is longer than
/// the volume has clusters (which means it loops).
#[derive(Clone, Copy, Debug)]
pub struct Chain<'a, D> {
    vol: &'a Volume<D>,
    next: Option<u32>,
    steps: u32,
}

impl<D: BlockDevice> Iterator for Chain<'_, D> {
    type Item = Result<u32, FatError>;

    fn next(&mut self) -> Option<Self::Item> {
        let cur = self.next.take()?;
        if self.steps >= self.vol.bpb.cluster_count {
            return Some(Err(FatError::ChainLoop));
        }
        self.steps += 1;
        match self.vol.next_cluster(cur) {
            Err(e) => Some(Err(e)),
            Ok(n) => {
                self.next = n;
                Some(Ok(cur))
            }
        }
    }
}
