// SPDX-License-Identifier: GPL-2.0

//! The FAT12/16/32 on-disk structures: boot sector, FAT entries, directory
//! slots, long-name entries, code page 437.
//!
//! Every offset read from the volume is bounds-checked and every computation
//! on on-disk values is checked, so a malformed volume gives a [`FatError`],
//! never a panic.

use core::num::NonZeroU64;

/// Size of one directory entry.
pub const DIR_ENTRY_SIZE: usize = 32;

/// Attribute bits of a directory entry.
pub mod attr {
    /// Read-only.
    pub const READ_ONLY: u8 = 0x01;
    /// Hidden.
    pub const HIDDEN: u8 = 0x02;
    /// System.
    pub const SYSTEM: u8 = 0x04;
    /// Volume label.
    pub const VOLUME_ID: u8 = 0x08;
    /// Directory.
    pub const DIRECTORY: u8 = 0x10;
    /// Archive.
    pub const ARCHIVE: u8 = 0x20;
    /// The combination that marks a long-name entry.
    pub const LONG_NAME: u8 = READ_ONLY | HIDDEN | SYSTEM | VOLUME_ID;
}

/// The boot sector `state` bit `fs/fat` sets while a volume is mounted
/// read-write (`FAT_STATE_DIRTY`).
pub const FAT_STATE_DIRTY: u8 = 0x01;

/// NT reserved byte flags: the base name is lower case.
pub const CASE_LOWER_BASE: u8 = 0x08;
/// NT reserved byte flags: the extension is lower case.
pub const CASE_LOWER_EXT: u8 = 0x10;

/// Why an image or an entry was rejected.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FatError {
    /// The device could not be read.
    Io,
    /// The volume is shorter than its boot sector or than its BPB says.
    Truncated,
    /// Bytes per sector is not a power of two in 512..=4096.
    BadSectorSize,
    /// Sectors per cluster is not a power of two in 1..=128.
    BadClusterSize,
    /// No reserved sectors.
    BadReservedSectors,
    /// The number of FATs is zero.
    NoFats,
    /// The media descriptor is not one FAT allows.
    BadMedia,
    /// The FAT size or the total sector count is zero or inconsistent.
    BadGeometry,
    /// A FAT12/16 volume without root directory entries, or a FAT32 one with.
    BadRootDir,
    /// A cluster number outside the data area.
    ClusterOutOfRange,
    /// A chain runs into a free or bad cluster.
    BrokenChain,
    /// A chain is longer than the volume has clusters: it loops.
    ChainLoop,
    /// A directory contains one of its ancestors.
    DirLoop,
    /// A file's size does not fit its cluster chain.
    SizeMismatch,
    /// A long name that is not valid UTF-16.
    LfnEncoding,
    /// A name with a control character or a `/`, which no path can hold.
    BadName,
    /// The tree is deeper or a path longer than the walker supports.
    TooDeep,
    /// The listing would exceed its bound.
    TooLarge,
    /// A directory without clusters, claiming the root's, or without its
    /// `.` and `..` entries.
    CorruptDir,
    /// A name being compared differs from the key (see
    /// [`crate::names::KeyCompare`]): a comparison's early stop, not damage.
    NameDiffers,
    /// The caller asked to stop (a fatal signal).
    Interrupted,
    /// No free cluster, or no room left in a fixed root directory or in a
    /// directory at its largest size (`ENOSPC`).
    NoSpace,
    /// A name is taken (`EEXIST`).
    Exists,
    /// A name longer than the namespace allows (`ENAMETOOLONG`).
    NameTooLong,
    /// A name the namespace cannot store (`EINVAL`).
    InvalidName,
    /// A directory being removed or renamed over is not empty (`ENOTEMPTY`).
    NotEmpty,
    /// The operation needs what the volume does not have: a namespace that
    /// cannot create names, a FAT32 volume without a valid FSInfo sector
    /// being flushed (`EIO` in C), a directory without its `..` entry.
    Unsupported,
    /// A name that names nothing, such as only dots (`ENOENT`).
    NotFound,
}

impl FatError {
    /// A short description for the kernel log.
    #[inline]
    pub fn describe(self) -> &'static str {
        describe_error(self)
    }

    /// See [`user_errno`].
    #[inline]
    pub fn user_errno(self) -> Option<i32> {
        user_errno(self)
    }
}

/// The errno a system call returns for `e` when `e` is about the request
/// rather than the volume (`ENOSPC`, `EEXIST`, `ENAMETOOLONG`, `EINVAL`,
/// `ENOTEMPTY`, `ENOENT`, `EINTR`, positive as in `errno.h`); `None`
/// when it is damage or an I/O error, which C reports as `EIO` with an
/// error line (`fat_fs_error`).
#[inline(never)]
pub fn user_errno(e: FatError) -> Option<i32> {
    match e {
        FatError::NoSpace => Some(28),
        FatError::Exists => Some(17),
        FatError::NameTooLong => Some(36),
        FatError::InvalidName => Some(22),
        FatError::NotEmpty => Some(39),
        FatError::NotFound => Some(2),
        FatError::Interrupted => Some(4),
        _ => None,
    }
}

/// A short description of `e` for the kernel log.
///
/// A free function rather than the exported body of [`FatError::describe`]:
/// gendwarfksyms does not look inside DWARF enumeration types, so a method
/// of a C-like enum would be exported without a modversions CRC.
#[inline(never)]
pub fn describe_error(e: FatError) -> &'static str {
    {
        match e {
            FatError::Io => "device read error",
            FatError::Truncated => "volume extends past the end of the device",
            FatError::BadSectorSize => "bytes per sector not a power of two in 512..4096",
            FatError::BadClusterSize => "sectors per cluster not a power of two in 1..128",
            FatError::BadReservedSectors => "no reserved sectors",
            FatError::NoFats => "FAT count is 0",
            FatError::BadMedia => "invalid media descriptor",
            FatError::BadGeometry => "FAT size or sector count inconsistent",
            FatError::BadRootDir => "root directory size invalid for the FAT type",
            FatError::ClusterOutOfRange => "cluster number out of range",
            FatError::BrokenChain => "cluster chain runs into a free or bad cluster",
            FatError::ChainLoop => "cluster chain loops",
            FatError::DirLoop => "directory loop",
            FatError::SizeMismatch => "file size does not match its cluster chain",
            FatError::LfnEncoding => "long name is not valid UTF-16",
            FatError::BadName => "name contains a control character or '/'",
            FatError::TooDeep => "directory tree too deep",
            FatError::TooLarge => "listing too large",
            FatError::CorruptDir => "corrupted directory (invalid start cluster or entries)",
            FatError::NameDiffers => "names differ",
            FatError::Interrupted => "interrupted",
            FatError::NoSpace => "no space left on the volume or in the directory",
            FatError::Exists => "name exists",
            FatError::NameTooLong => "name too long",
            FatError::InvalidName => "invalid name",
            FatError::NotEmpty => "directory not empty",
            FatError::Unsupported => "not supported on this volume",
            FatError::NotFound => "no such name",
        }
    }
}

/// The FAT variant, decided by the count of data clusters.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FatType {
    /// Fewer than 4085 clusters.
    Fat12,
    /// Fewer than 65525 clusters.
    Fat16,
    /// 65525 clusters or more.
    Fat32,
}

/// `a / b` rounded up, without a division-by-zero path.
#[inline]
pub fn ceil_div(a: u64, b: NonZeroU64) -> u64 {
    a / b + u64::from(a % b != 0)
}

fn le16(b: &[u8], off: usize) -> Result<u16, FatError> {
    match b.get(off..off + 2) {
        Some(s) => Ok(u16::from_le_bytes([s[0], s[1]])),
        None => Err(FatError::Truncated),
    }
}

fn le32(b: &[u8], off: usize) -> Result<u32, FatError> {
    match b.get(off..off + 4) {
        Some(s) => Ok(u32::from_le_bytes([s[0], s[1], s[2], s[3]])),
        None => Err(FatError::Truncated),
    }
}

fn byte(b: &[u8], off: usize) -> Result<u8, FatError> {
    b.get(off).copied().ok_or(FatError::Truncated)
}

/// The BIOS parameter block, validated, with the derived geometry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Bpb {
    /// Bytes per logical sector.
    pub bytes_per_sector: u32,
    /// Sectors per cluster.
    pub sectors_per_cluster: u32,
    /// Reserved sectors before the first FAT.
    pub reserved_sectors: u32,
    /// Number of FAT copies.
    pub num_fats: u32,
    /// Root directory entries (FAT12/16 only).
    pub root_entries: u32,
    /// Total sectors of the volume.
    pub total_sectors: u32,
    /// Sectors per FAT.
    pub fat_sectors: u32,
    /// First cluster of the root directory (FAT32 only).
    pub root_cluster: u32,
    /// The media descriptor byte.
    pub media: u8,
    /// The FAT type decided by the cluster count.
    pub fat_type: FatType,
    /// Number of data clusters.
    pub cluster_count: u32,
    /// Byte offset of the first FAT.
    pub fat_offset: u64,
    /// Byte offset of the fixed root directory (FAT12/16).
    pub root_dir_offset: u64,
    /// Byte length of the fixed root directory (FAT12/16).
    pub root_dir_len: u32,
    /// Byte offset of cluster 2.
    pub data_offset: u64,
    /// Bytes per cluster.
    pub cluster_size: u32,
    /// The serial number of the extended boot record (0 without one).
    pub serial: u32,
    /// The label of the extended boot record, if it has one.
    pub bpb_label: Option<[u8; 11]>,
    /// The FSInfo sector (FAT32; 0 elsewhere).
    pub fsinfo_sector: u32,
    /// The parameters are DOS 1.x defaults ([`Bpb::parse_dos1x`]), not
    /// the boot sector's: no volume id and no dirty flag were read.
    pub dos1x: bool,
}

/// Why [`Bpb::parse_dos1x`] found no DOS 1.x floppy.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dos1xRefusal {
    /// The boot sector does not start with a jump (C: `This doesn't look
    /// like a DOS 1.x volume; no bootstrapping code`, `KERN_ERR`).
    NoBootstrap,
    /// The BPB's place holds something (`...; DOS 2.x BPB is non-zero`).
    BpbNotZero,
    /// The device has this many 512-byte sectors, no floppy size (C: `This
    /// looks like a DOS 1.x volume, but isn't a recognized floppy size
    /// (%llu sectors)`, `KERN_WARNING`).
    UnknownSize(u64),
}

/// How many bytes of the boot sector [`Bpb::parse`] reads.
pub const BOOT_SECTOR_SIZE: usize = 512;

impl Bpb {
    /// Parses and validates the boot sector `boot` of a device of
    /// `device_len` bytes.
    ///
    /// Checks what the kernel's C driver checks. As in C, the regions the
    /// BPB describes need not lie on the device: a cut image mounts, and
    /// reading what is missing fails then.
    #[inline(never)]
    pub fn parse(boot: &[u8], device_len: u64) -> Result<Bpb, FatError> {
        let img = boot;
        if img.len() < BOOT_SECTOR_SIZE {
            return Err(FatError::Truncated);
        }
        let bytes_per_sector = u32::from(le16(img, 11)?);
        if !bytes_per_sector.is_power_of_two() || !(512..=4096).contains(&bytes_per_sector) {
            return Err(FatError::BadSectorSize);
        }
        let sectors_per_cluster = u32::from(byte(img, 13)?);
        if !sectors_per_cluster.is_power_of_two() {
            return Err(FatError::BadClusterSize);
        }
        let reserved_sectors = u32::from(le16(img, 14)?);
        if reserved_sectors == 0 {
            return Err(FatError::BadReservedSectors);
        }
        let num_fats = u32::from(byte(img, 16)?);
        if num_fats == 0 {
            return Err(FatError::NoFats);
        }
        let root_entries = u32::from(le16(img, 17)?);
        let media = byte(img, 21)?;
        if media != 0xf0 && media < 0xf8 {
            return Err(FatError::BadMedia);
        }
        let total16 = u32::from(le16(img, 19)?);
        let total_sectors = if total16 != 0 {
            total16
        } else {
            le32(img, 32)?
        };
        let fat16_size = u32::from(le16(img, 22)?);
        let fat_sectors = if fat16_size != 0 {
            fat16_size
        } else {
            le32(img, 36)?
        };
        if fat_sectors == 0 {
            return Err(FatError::BadGeometry);
        }

        // As the C driver: FAT32 exactly when the 16-bit FAT size is 0.
        let is_fat32 = fat16_size == 0;
        // Both were checked to be powers of two, so neither is zero.
        let bps_nz = NonZeroU64::new(u64::from(bytes_per_sector)).ok_or(FatError::BadSectorSize)?;
        let spc_nz =
            NonZeroU64::new(u64::from(sectors_per_cluster)).ok_or(FatError::BadClusterSize)?;
        let bps = bps_nz.get();
        // `%`: `is_multiple_of` needs rustc 1.87 (see `Dir::seek`).
        if (u64::from(root_entries) * DIR_ENTRY_SIZE as u64) % bps != 0 {
            return Err(FatError::BadRootDir);
        }
        let root_dir_sectors = u64::from(root_entries) * DIR_ENTRY_SIZE as u64 / bps;
        let meta_sectors = u64::from(reserved_sectors)
            + u64::from(num_fats) * u64::from(fat_sectors)
            + root_dir_sectors;
        let data_sectors = u64::from(total_sectors)
            .checked_sub(meta_sectors)
            .ok_or(FatError::BadGeometry)?;
        let clusters = data_sectors / spc_nz;
        // The FAT must have an entry for every cluster: the C driver uses no
        // more clusters than it can describe.
        let fat_bits: u64 = if is_fat32 {
            32
        } else if clusters > 0xff4 {
            16
        } else {
            12
        };
        let fat_capacity = (u64::from(fat_sectors) * bps * 8 / fat_bits).saturating_sub(2);
        let clusters = clusters.min(fat_capacity);
        let max = match fat_bits {
            12 => 0xff4,
            16 => 0xfff4,
            _ => 0x0fff_fff6,
        };
        if clusters > max {
            return Err(FatError::BadGeometry);
        }
        // `max` fits a u32.
        let cluster_count = clusters as u32;
        if cluster_count == 0 {
            return Err(FatError::BadGeometry);
        }
        let fat_type = match fat_bits {
            12 => FatType::Fat12,
            16 => FatType::Fat16,
            _ => FatType::Fat32,
        };
        // All 32 bits, as `fat_fill_super` takes them: a root cluster with
        // any of the top four bits set is out of range, and the mount
        // fails reading the root directory, as in C.
        let root_cluster = if is_fat32 { le32(img, 44)? } else { 0 };

        let fat_offset = u64::from(reserved_sectors) * bps;
        let root_dir_offset = fat_offset + u64::from(num_fats) * u64::from(fat_sectors) * bps;
        let root_dir_len = root_entries * DIR_ENTRY_SIZE as u32;
        let data_offset = meta_sectors * bps;
        let cluster_size = sectors_per_cluster * bytes_per_sector;
        // A volume longer than its device is mounted, as the C driver
        // mounts it: what lies past the device's end fails as read errors
        // (EIO and a line) when something reads it, so the rest of a cut
        // image stays readable. `device_len` only bounds the boot sector.
        let _ = device_len;

        let (sig_off, label_off) = if fat_type == FatType::Fat32 {
            (66, 71)
        } else {
            (38, 43)
        };
        // As fat_fill_super: an FSInfo sector number of 0 means 1.
        let fsinfo_sector = if fat_type == FatType::Fat32 {
            u32::from(le16(img, 48)?).max(1)
        } else {
            0
        };
        let (serial, bpb_label) = if byte(img, sig_off)? == 0x29 {
            let mut l = [0u8; 11];
            l.copy_from_slice(
                img.get(label_off..label_off + 11)
                    .ok_or(FatError::Truncated)?,
            );
            (le32(img, sig_off + 1)?, Some(l))
        } else {
            (0, None)
        };

        Ok(Bpb {
            bytes_per_sector,
            sectors_per_cluster,
            reserved_sectors,
            num_fats,
            root_entries,
            total_sectors,
            fat_sectors,
            root_cluster,
            media,
            fat_type,
            cluster_count,
            fat_offset,
            root_dir_offset,
            root_dir_len,
            data_offset,
            cluster_size,
            serial,
            bpb_label,
            fsinfo_sector,
            dos1x: false,
        })
    }

    /// The parameters of a DOS 1.x floppy, which has no BPB, as
    /// `fat_read_static_bpb` (mount option `dos1xfloppy`) takes them: the
    /// boot sector starts with a jump (`EB xx 90` or `E9`), its BPB bytes
    /// (11 to 27) are all zero, and the device's size is one of the four
    /// DOS 1.x floppies (160, 180, 320 or 360 KiB), whose defaults apply
    /// (512-byte sectors, 1 reserved sector, 2 FATs). C then says `This
    /// looks like a DOS 1.x volume; assuming default BPB values`
    /// (`KERN_INFO`).
    pub fn parse_dos1x(boot: &[u8], device_len: u64) -> Result<Bpb, Dos1xRefusal> {
        let b = boot
            .get(..BOOT_SECTOR_SIZE)
            .ok_or(Dos1xRefusal::NoBootstrap)?;
        if !((b[0] == 0xeb && b[2] == 0x90) || b[0] == 0xe9) {
            return Err(Dos1xRefusal::NoBootstrap);
        }
        if b[11..28].iter().any(|&x| x != 0) {
            return Err(Dos1xRefusal::BpbNotZero);
        }
        let sectors = device_len / 512;
        // (sectors per cluster, root entries, media, sectors per FAT)
        let (spc, entries, media, fat_len): (u8, u16, u8, u16) = match sectors {
            320 => (1, 64, 0xfe, 1),
            360 => (1, 64, 0xfc, 2),
            640 => (2, 112, 0xff, 1),
            720 => (2, 112, 0xfd, 2),
            n => return Err(Dos1xRefusal::UnknownSize(n)),
        };
        let mut s = [0u8; BOOT_SECTOR_SIZE];
        s.copy_from_slice(b);
        s[11..13].copy_from_slice(&512u16.to_le_bytes());
        s[13] = spc;
        s[14..16].copy_from_slice(&1u16.to_le_bytes());
        s[16] = 2;
        s[17..19].copy_from_slice(&entries.to_le_bytes());
        // At most 720: fits.
        s[19..21].copy_from_slice(&(sectors as u16).to_le_bytes());
        s[21] = media;
        s[22..24].copy_from_slice(&fat_len.to_le_bytes());
        // No extended boot record: no serial number and no label (what
        // lies there is boot code).
        s[38] = 0;
        let mut bpb = Bpb::parse(&s, device_len).map_err(|_| Dos1xRefusal::UnknownSize(sectors))?;
        bpb.dos1x = true;
        Ok(bpb)
    }

    /// The highest valid data cluster number.
    pub fn max_cluster(&self) -> u32 {
        self.cluster_count + 1
    }

    /// Bytes per sector as a divisor (validated non-zero by `parse`).
    pub fn sector_size_nz(&self) -> NonZeroU64 {
        NonZeroU64::new(u64::from(self.bytes_per_sector)).unwrap_or(NonZeroU64::MIN)
    }

    /// Sectors per cluster as a divisor (validated non-zero by `parse`).
    pub fn sectors_per_cluster_nz(&self) -> NonZeroU64 {
        NonZeroU64::new(u64::from(self.sectors_per_cluster)).unwrap_or(NonZeroU64::MIN)
    }

    /// Bytes per cluster as a divisor (validated non-zero by `parse`).
    pub fn cluster_size_nz(&self) -> NonZeroU64 {
        NonZeroU64::new(u64::from(self.cluster_size)).unwrap_or(NonZeroU64::MIN)
    }

    /// The device byte offset of the boot sector's `state` byte, whose bit
    /// [`FAT_STATE_DIRTY`] `fs/fat` sets while mounted read-write.
    pub fn state_offset(&self) -> u64 {
        if self.fat_type == FatType::Fat32 {
            0x41
        } else {
            0x25
        }
    }

    /// The device byte offset of data cluster `cluster`.
    pub fn cluster_offset(&self, cluster: u32) -> Result<u64, FatError> {
        if cluster < 2 || cluster > self.max_cluster() {
            return Err(FatError::ClusterOutOfRange);
        }
        Ok(self.data_offset + u64::from(cluster - 2) * u64::from(self.cluster_size))
    }
}

/// What a FAT entry says about the cluster after this one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FatEntry {
    /// The cluster is free.
    Free,
    /// The chain continues at this cluster.
    Next(u32),
    /// The cluster is marked bad.
    Bad,
    /// The chain ends here.
    End,
    /// A reserved value, or a next cluster outside the data area.
    Invalid(u32),
}

impl FatEntry {
    /// Classifies the raw value of a FAT entry.
    pub fn classify(fat_type: FatType, raw: u32, max_cluster: u32) -> FatEntry {
        let (eoc_min, bad) = match fat_type {
            FatType::Fat12 => (0xff8, 0xff7),
            FatType::Fat16 => (0xfff8, 0xfff7),
            FatType::Fat32 => (0x0fff_fff8, 0x0fff_fff7),
        };
        if raw == 0 {
            FatEntry::Free
        } else if raw >= eoc_min {
            FatEntry::End
        } else if raw == bad {
            FatEntry::Bad
        } else if raw < 2 || raw > max_cluster {
            FatEntry::Invalid(raw)
        } else {
            FatEntry::Next(raw)
        }
    }
}

/// A decoded 32-byte short directory entry, its values as stored.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DirEntry {
    /// The 8.3 name as stored (0x05 in the first byte already turned into 0xE5).
    pub name: [u8; 11],
    /// Attribute bits, see [`attr`].
    pub attr: u8,
    /// NT case flags ([`CASE_LOWER_BASE`], [`CASE_LOWER_EXT`]).
    pub lcase: u8,
    /// File size in bytes.
    pub size: u32,
    /// First cluster (high and low words joined; the high word only counts on FAT32).
    pub first_cluster: u32,
    /// Creation time, 10 ms units past `ctime`'s two seconds (0..=199).
    pub ctime_cs: u8,
    /// Creation time.
    pub ctime: u16,
    /// Creation date.
    pub cdate: u16,
    /// Last access date.
    pub adate: u16,
    /// Last modification time.
    pub time: u16,
    /// Last modification date.
    pub date: u16,
    /// Present only in the ABI-variant build the modversions scenario uses:
    /// a different layout of a type the namespace layers' calls into the
    /// core carry (`DirEntry::name_parts`), hence different CRCs.
    #[cfg(rust_fat_abi_variant)]
    pub abi_variant: u32,
}

/// What one 32-byte directory slot holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Slot {
    /// 0x00: this slot and all after it are unused.
    End,
    /// 0xE5: a deleted entry.
    Deleted,
    /// A long-name entry.
    Long(LfnEntry),
    /// A volume label entry.
    Label([u8; 11]),
    /// A file or directory entry.
    Short(DirEntry),
}

/// One long-name entry: its ordinal byte, checksum and 13 UTF-16 units.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LfnEntry {
    /// The ordinal byte: sequence number, 0x40 on the last (first stored) one.
    pub ordinal: u8,
    /// Checksum of the short name this long name belongs to.
    pub checksum: u8,
    /// The 13 UTF-16 code units this entry carries.
    pub units: [u16; 13],
}

/// Where a long-name entry keeps its 13 UTF-16 units (little-endian).
pub const LFN_UNIT_OFFSETS: [usize; 13] = [1, 3, 5, 7, 9, 14, 16, 18, 20, 22, 24, 28, 30];

/// Copies the 13 UTF-16 units of the long-name entry `raw` to `out`.
///
/// Run by run (bytes 1..11, 14..26 and 28..32), which compiles to a few
/// moves; going unit by unit through [`LFN_UNIT_OFFSETS`] took about 60
/// instructions a slot, on the path of every readdir and lookup.
#[inline]
pub fn lfn_units(raw: &[u8; DIR_ENTRY_SIZE], out: &mut [u16; 13]) {
    let (a, rest) = out.split_at_mut(5);
    let (b, c) = rest.split_at_mut(6);
    for (run, start) in [(a, 1), (b, 14), (c, 28)] {
        for (i, u) in run.iter_mut().enumerate() {
            let at = start + 2 * i;
            *u = u16::from_le_bytes([raw[at], raw[at + 1]]);
        }
    }
}

/// The flag marking the last long-name entry of a name.
pub const LFN_LAST: u8 = 0x40;

impl Slot {
    /// Decodes a 32-byte directory slot.
    #[inline(never)]
    pub fn decode(raw: &[u8; DIR_ENTRY_SIZE]) -> Slot {
        let first = raw[0];
        if first == 0 {
            return Slot::End;
        }
        if first == 0xe5 {
            return Slot::Deleted;
        }
        let a = raw[11];
        if a & 0x3f == attr::LONG_NAME {
            let mut units = [0u16; 13];
            lfn_units(raw, &mut units);
            return Slot::Long(LfnEntry {
                ordinal: first,
                checksum: raw[13],
                units,
            });
        }
        let mut name = [0u8; 11];
        name.copy_from_slice(&raw[0..11]);
        if a & attr::VOLUME_ID != 0 && a & attr::DIRECTORY == 0 {
            return Slot::Label(name);
        }
        if name[0] == 0x05 {
            name[0] = 0xe5;
        }
        let w = |o: usize| u16::from_le_bytes([raw[o], raw[o + 1]]);
        Slot::Short(DirEntry {
            name,
            attr: a,
            lcase: raw[12],
            size: u32::from_le_bytes([raw[28], raw[29], raw[30], raw[31]]),
            first_cluster: (u32::from(w(20)) << 16) | u32::from(w(26)),
            ctime_cs: raw[13],
            ctime: w(14),
            cdate: w(16),
            adate: w(18),
            time: w(22),
            date: w(24),
            #[cfg(rust_fat_abi_variant)]
            abi_variant: 0,
        })
    }
}

/// The checksum of an 8.3 name that long-name entries carry.
///
/// `name` is the name exactly as stored on disk (a leading 0x05 stays 0x05).
#[inline(never)]
pub fn lfn_checksum(name: &[u8; 11]) -> u8 {
    name.iter().fold(0u8, |sum, &c| {
        ((sum & 1) << 7).wrapping_add(sum >> 1).wrapping_add(c)
    })
}

impl DirEntry {
    /// The stored name bytes for the checksum (0xE5 back to 0x05).
    pub fn raw_name(&self) -> [u8; 11] {
        let mut n = self.name;
        if n[0] == 0xe5 {
            n[0] = 0x05;
        }
        n
    }

    /// Whether this entry is a directory.
    pub fn is_dir(&self) -> bool {
        self.attr & attr::DIRECTORY != 0
    }

    /// Whether this is the `.` or `..` entry of a directory.
    pub fn is_dot(&self) -> bool {
        &self.name == b".          " || &self.name == b"..         "
    }

    /// Base and extension with trailing spaces (and anything after a NUL) removed.
    #[inline(never)]
    pub fn name_parts(&self) -> (&[u8], &[u8]) {
        fn trim(s: &[u8]) -> &[u8] {
            let s = match s.iter().position(|&c| c == 0) {
                Some(p) => &s[..p],
                None => s,
            };
            let end = s.iter().rposition(|&c| c != b' ').map_or(0, |p| p + 1);
            &s[..end]
        }
        (trim(&self.name[..8]), trim(&self.name[8..]))
    }
}

/// Code page 437's upper half, for 8.3 names and labels (the kernel's default
/// `codepage=437`).
const CP437_HIGH: [u16; 128] = [
    0x00c7, 0x00fc, 0x00e9, 0x00e2, 0x00e4, 0x00e0, 0x00e5, 0x00e7, 0x00ea, 0x00eb, 0x00e8, 0x00ef,
    0x00ee, 0x00ec, 0x00c4, 0x00c5, 0x00c9, 0x00e6, 0x00c6, 0x00f4, 0x00f6, 0x00f2, 0x00fb, 0x00f9,
    0x00ff, 0x00d6, 0x00dc, 0x00a2, 0x00a3, 0x00a5, 0x20a7, 0x0192, 0x00e1, 0x00ed, 0x00f3, 0x00fa,
    0x00f1, 0x00d1, 0x00aa, 0x00ba, 0x00bf, 0x2310, 0x00ac, 0x00bd, 0x00bc, 0x00a1, 0x00ab, 0x00bb,
    0x2591, 0x2592, 0x2593, 0x2502, 0x2524, 0x2561, 0x2562, 0x2556, 0x2555, 0x2563, 0x2551, 0x2557,
    0x255d, 0x255c, 0x255b, 0x2510, 0x2514, 0x2534, 0x252c, 0x251c, 0x2500, 0x253c, 0x255e, 0x255f,
    0x255a, 0x2554, 0x2569, 0x2566, 0x2560, 0x2550, 0x256c, 0x2567, 0x2568, 0x2564, 0x2565, 0x2559,
    0x2558, 0x2552, 0x2553, 0x256b, 0x256a, 0x2518, 0x250c, 0x2588, 0x2584, 0x258c, 0x2590, 0x2580,
    0x03b1, 0x00df, 0x0393, 0x03c0, 0x03a3, 0x03c3, 0x00b5, 0x03c4, 0x03a6, 0x0398, 0x03a9, 0x03b4,
    0x221e, 0x03c6, 0x03b5, 0x2229, 0x2261, 0x00b1, 0x2265, 0x2264, 0x2320, 0x2321, 0x00f7, 0x2248,
    0x00b0, 0x2219, 0x00b7, 0x221a, 0x207f, 0x00b2, 0x25a0, 0x00a0,
];

/// Maps one code page 437 byte to its Unicode scalar value.
#[inline(never)]
pub fn cp437_to_char(b: u8) -> char {
    if b < 0x80 {
        char::from(b)
    } else {
        char::from_u32(u32::from(CP437_HIGH[usize::from(b - 0x80)])).unwrap_or('?')
    }
}

/// Maps one UTF-16 unit to its code page 437 byte (`uni2char` of the
/// kernel's `nls_cp437`, the disk code page 8.3 names are made in);
/// `None` when code page 437 has no such character.
pub fn char_to_cp437(u: u16) -> Option<u8> {
    if u < 0x80 {
        return Some(u as u8);
    }
    CP437_HIGH
        .iter()
        .position(|&c| c == u)
        .map(|i| 0x80 + i as u8)
}
