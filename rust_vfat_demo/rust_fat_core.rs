// SPDX-License-Identifier: GPL-2.0

//! `rust_fat`: the FAT file system core, like the kernel's `fat.ko`.
//!
//! It holds what `fs/fat` keeps in `fat.ko`: the super block read from the
//! boot sector, the FAT and cluster chains, inodes, readdir with long
//! names, directory entries added and removed, reads and writes through
//! the page cache, `statfs` and the mount options
//! ([`fat_fs`], in safe Rust over the on-disk logic of the [`fat_disk`]
//! crate and the file system layer of the [`vfs`] crate, both linked into
//! this module). The namespace layers `rust_vfat` and `rust_msdos` each
//! register a file system type through [`fat_fs::FatRegistration`] with
//! their name rules ([`fat_fs::Namespace`]); they are compiled against this
//! crate's metadata and call its Rust API directly, through symbols this
//! module exports with modversions CRCs (`rust_fat_exports.c`).

use kernel::prelude::*;

pub use fat_disk;
pub use vfs;

#[path = "fat_fs.rs"]
pub mod fat_fs;

module! {
    type: RustFat,
    name: "rust_fat",
    authors: ["rust_vfat_demo authors"],
    description: "FAT file system core, exported to rust_vfat and rust_msdos",
    license: "GPL",
}

struct RustFat;

impl kernel::Module for RustFat {
    fn init(_module: &'static ThisModule) -> Result<Self> {
        pr_info!("loaded: FAT12/16/32 core (super block, inodes, directories, reads and writes) exported to the namespace layers\n");
        Ok(RustFat)
    }
}

impl Drop for RustFat {
    fn drop(&mut self) {
        // Each namespace layer's registration owned an inode cache and
        // destroyed it, after its pending RCU frees, when it went.
        pr_info!("unloading: no namespace layer left, inode cache destroyed\n");
    }
}

#[kunit_tests(rust_fat_format)]
mod tests {
    use fat_disk::format::*;
    use fat_disk::time::fat_to_unix;

    /// A FAT16 boot sector: 512-byte sectors, 4 per cluster, 1 reserved,
    /// 2 FATs of 32 sectors, 512 root entries, 32768 sectors in all.
    fn fat16_boot_sector() -> [u8; 512] {
        let mut b = [0u8; 512];
        b[11..13].copy_from_slice(&512u16.to_le_bytes());
        b[13] = 4;
        b[14..16].copy_from_slice(&1u16.to_le_bytes());
        b[16] = 2;
        b[17..19].copy_from_slice(&512u16.to_le_bytes());
        b[19..21].copy_from_slice(&32768u16.to_le_bytes());
        b[21] = 0xf8;
        b[22..24].copy_from_slice(&32u16.to_le_bytes());
        b[510] = 0x55;
        b[511] = 0xaa;
        b
    }

    #[test]
    fn lfn_checksum_of_known_names() {
        // As mtools computes them (the host tests check this on real images).
        assert_eq!(lfn_checksum(b"README  TXT"), 0x73);
        assert_eq!(lfn_checksum(b"           "), 0xf7);
    }

    #[test]
    fn bpb_checks_geometry() {
        let b = fat16_boot_sector();
        assert!(Bpb::parse(&b, 32768 * 512).is_ok());
        // A device shorter than the volume: mounted, as C mounts it.
        assert!(Bpb::parse(&b, 512).is_ok());
        let mut z = b;
        z[13] = 0;
        assert_eq!(Bpb::parse(&z, 1 << 24), Err(FatError::BadClusterSize));
        let mut s = b;
        s[11..13].copy_from_slice(&768u16.to_le_bytes());
        assert_eq!(Bpb::parse(&s, 1 << 24), Err(FatError::BadSectorSize));
        let mut f = b;
        f[16] = 0;
        assert_eq!(Bpb::parse(&f, 1 << 24), Err(FatError::NoFats));
        assert_eq!(Bpb::parse(&b[..100], 1 << 24), Err(FatError::Truncated));
    }

    #[test]
    fn times_convert_as_fs_fat() {
        // 2024-02-29 13:37:42 and 1980-01-01 00:00, UTC.
        let t = fat_to_unix(13 << 11 | 37 << 5 | 21, 44 << 9 | 2 << 5 | 29, 0, 0);
        assert_eq!(t.sec, 1_709_213_862);
        assert_eq!(fat_to_unix(0, 0x21, 0, 0).sec, 315_532_800);
        // Creation time hundredths.
        assert_eq!(fat_to_unix(0, 0x21, 150, 0).nsec, 500_000_000);
    }
}
