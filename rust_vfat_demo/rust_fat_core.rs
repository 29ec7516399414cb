// SPDX-License-Identifier: GPL-2.0

//! `rust_fat`: FAT12/16/32 on-disk format services for other modules.
//!
//! The exporter of the stack, like the kernel's `fs/fat`. Its API is the
//! typed Rust API of [`format`] (`Volume`, `Bpb`, `Chain`, `Slot`,
//! `DirEntry`, `lfn_checksum`, ...). `rust_vfat` is compiled against this
//! crate's metadata and calls these functions directly; the module exports
//! their symbols (with modversions CRCs) through `rust_fat_exports.c`.

use kernel::prelude::*;

#[path = "fat_format.rs"]
pub mod format;

module! {
    type: RustFat,
    name: "rust_fat",
    authors: ["rust_vfat_demo authors"],
    description: "FAT on-disk format services, exported to rust_vfat",
    license: "GPL",
}

struct RustFat;

impl kernel::Module for RustFat {
    fn init(_module: &'static ThisModule) -> Result<Self> {
        pr_info!("loaded: FAT12/16/32 format services exported (Volume, Bpb, Chain, Slot, lfn_checksum)\n");
        Ok(RustFat)
    }
}

impl Drop for RustFat {
    fn drop(&mut self) {
        // The API is stateless: every image it reads belongs to the caller.
        pr_info!("unloading: no users left, no state held, exports withdrawn\n");
    }
}

#[kunit_tests(rust_fat_format)]
mod tests {
    use super::format::*;

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
    fn fat_type_follows_cluster_count() {
        assert_eq!(FatType::from_cluster_count(4084), FatType::Fat12);
        assert_eq!(FatType::from_cluster_count(4085), FatType::Fat16);
        assert_eq!(FatType::from_cluster_count(65524), FatType::Fat16);
        assert_eq!(FatType::from_cluster_count(65525), FatType::Fat32);
    }

    #[test]
    fn lfn_checksum_of_known_names() {
        // As mtools computes them (the host tests check this on real images).
        assert_eq!(lfn_checksum(b"README  TXT"), 0x73);
        assert_eq!(lfn_checksum(b"           "), 0xf7);
    }

    #[test]
    fn bpb_rejects_bad_geometry() {
        let b = fat16_boot_sector();
        // Only the boot sector is present: the data area is past the end.
        assert_eq!(Bpb::parse(&b), Err(FatError::Truncated));
        let mut z = b;
        z[13] = 0;
        assert_eq!(Bpb::parse(&z), Err(FatError::BadClusterSize));
        let mut s = b;
        s[11..13].copy_from_slice(&768u16.to_le_bytes());
        assert_eq!(Bpb::parse(&s), Err(FatError::BadSectorSize));
        let mut f = b;
        f[16] = 0;
        assert_eq!(Bpb::parse(&f), Err(FatError::NoFats));
        assert_eq!(Bpb::parse(&b[..100]), Err(FatError::Truncated));
    }

    #[test]
    fn slot_decodes_short_and_long_entries() {
        let mut raw = [0u8; 32];
        raw[..11].copy_from_slice(b"HELLO   TXT");
        raw[11] = attr::ARCHIVE;
        raw[12] = CASE_LOWER_BASE;
        raw[26] = 5;
        raw[28] = 42;
        match Slot::decode(&raw) {
            Slot::Short(e) => {
                assert_eq!(e.size, 42);
                assert_eq!(e.first_cluster, 5);
                assert_eq!(e.name_parts(), (&b"HELLO"[..], &b"TXT"[..]));
                assert_eq!(e.lcase, CASE_LOWER_BASE);
            }
            _ => assert!(false),
        }
        raw[0] = 0xe5;
        assert_eq!(Slot::decode(&raw), Slot::Deleted);
        raw[0] = 0;
        assert_eq!(Slot::decode(&raw), Slot::End);
        raw[0] = 0x41;
        raw[11] = attr::LONG_NAME;
        raw[1] = b'a';
        raw[2] = 0;
        match Slot::decode(&raw) {
            Slot::Long(l) => {
                assert_eq!(l.ordinal, 0x41);
                assert_eq!(l.units[0], u16::from(b'a'));
            }
            _ => assert!(false),
        }
    }
}
