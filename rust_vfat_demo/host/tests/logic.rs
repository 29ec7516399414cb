// SPDX-License-Identifier: GPL-2.0

//! Unit tests of the shared logic on hand-made images and entries.

use fat_logic::fat_format::*;
use fat_logic::vfat_walk::*;

/// A minimal FAT12 image: 512-byte sectors, 1 sector per cluster, one FAT
/// of 1 sector, 16 root entries, 64 sectors in all.
fn tiny_fat12() -> Vec<u8> {
    let mut b = vec![0u8; 64 * 512];
    b[11..13].copy_from_slice(&512u16.to_le_bytes());
    b[13] = 1;
    b[14..16].copy_from_slice(&1u16.to_le_bytes());
    b[16] = 1;
    b[17..19].copy_from_slice(&16u16.to_le_bytes());
    b[19..21].copy_from_slice(&64u16.to_le_bytes());
    b[21] = 0xf8;
    b[22..24].copy_from_slice(&1u16.to_le_bytes());
    // FAT: media byte and end-of-chain for clusters 0 and 1.
    b[512..515].copy_from_slice(&[0xf8, 0xff, 0xff]);
    b
}

fn root_entry(img: &mut [u8], slot: usize, raw: &[u8; 32]) {
    let off = 2 * 512 + slot * 32;
    img[off..off + 32].copy_from_slice(raw);
}

fn short(name: &[u8; 11], attr: u8, cluster: u16, size: u32) -> [u8; 32] {
    let mut r = [0u8; 32];
    r[..11].copy_from_slice(name);
    r[11] = attr;
    r[26..28].copy_from_slice(&cluster.to_le_bytes());
    r[28..32].copy_from_slice(&size.to_le_bytes());
    r
}

fn set_fat12(img: &mut [u8], cluster: usize, value: u16) {
    let off = 512 + cluster + cluster / 2;
    let cur = u16::from_le_bytes([img[off], img[off + 1]]);
    let v = if cluster & 1 == 1 {
        (cur & 0x000f) | (value << 4)
    } else {
        (cur & 0xf000) | (value & 0xfff)
    };
    img[off..off + 2].copy_from_slice(&v.to_le_bytes());
}

#[test]
fn tiny_image_lists() {
    let mut img = tiny_fat12();
    root_entry(&mut img, 0, &short(b"HELLO   TXT", attr::ARCHIVE, 2, 5));
    set_fat12(&mut img, 2, 0xfff);
    let l = fat_logic::listing(&img).unwrap();
    assert_eq!(l, "label\t\n/HELLO.TXT\t5\t----a\tHELLO.TXT\n");
}

#[test]
fn looping_file_chain_is_reported() {
    let mut img = tiny_fat12();
    root_entry(&mut img, 0, &short(b"LOOP    BIN", attr::ARCHIVE, 2, 2000));
    set_fat12(&mut img, 2, 3);
    set_fat12(&mut img, 3, 2);
    assert_eq!(fat_logic::listing(&img), Err(FatError::ChainLoop));
}

#[test]
fn chain_out_of_range_and_free_are_reported() {
    let mut img = tiny_fat12();
    root_entry(&mut img, 0, &short(b"FAR     BIN", attr::ARCHIVE, 2, 1000));
    set_fat12(&mut img, 2, 0xf00);
    assert_eq!(fat_logic::listing(&img), Err(FatError::ClusterOutOfRange));
    set_fat12(&mut img, 2, 0);
    assert_eq!(fat_logic::listing(&img), Err(FatError::BrokenChain));
}

#[test]
fn directory_loop_is_reported() {
    let mut img = tiny_fat12();
    root_entry(&mut img, 0, &short(b"DIR        ", attr::DIRECTORY, 2, 0));
    set_fat12(&mut img, 2, 0xfff);
    // The subdirectory contains itself.
    let off = 3 * 512; // cluster 2: after 1 reserved, 1 FAT and 1 root sector
    img[off..off + 32].copy_from_slice(&short(b"SELF       ", attr::DIRECTORY, 2, 0));
    assert_eq!(fat_logic::listing(&img), Err(FatError::DirLoop));
}

#[test]
fn bpb_errors() {
    let img = tiny_fat12();
    let mut z = img.clone();
    z[13] = 0;
    assert_eq!(Volume::open(&z).err(), Some(FatError::BadClusterSize));
    let mut s = img.clone();
    s[11..13].copy_from_slice(&1000u16.to_le_bytes());
    assert_eq!(Volume::open(&s).err(), Some(FatError::BadSectorSize));
    let mut f = img.clone();
    f[16] = 0;
    assert_eq!(Volume::open(&f).err(), Some(FatError::NoFats));
    assert_eq!(
        Volume::open(&img[..40 * 512]).err(),
        Some(FatError::Truncated)
    );
    assert_eq!(Volume::open(&[]).err(), Some(FatError::Truncated));
}

#[test]
fn orphan_and_broken_long_names_are_reported() {
    let mut img = tiny_fat12();
    let mut lfn = [0xffu8; 32];
    lfn[0] = 0x41;
    lfn[11] = attr::LONG_NAME;
    lfn[12] = 0;
    lfn[13] = lfn_checksum(b"HELLO   TXT").wrapping_add(1);
    lfn[26] = 0;
    lfn[27] = 0;
    lfn[1..3].copy_from_slice(&u16::to_le_bytes(0x61));
    lfn[3..5].copy_from_slice(&[0, 0]);
    root_entry(&mut img, 0, &lfn);
    root_entry(&mut img, 1, &short(b"HELLO   TXT", attr::ARCHIVE, 0, 0));
    assert_eq!(fat_logic::listing(&img), Err(FatError::LfnChecksum));
    // Followed by the end marker instead of its short entry.
    root_entry(&mut img, 1, &[0u8; 32]);
    assert_eq!(fat_logic::listing(&img), Err(FatError::LfnSequence));
}

#[test]
fn decimal_and_attributes() {
    let mut v = Vec::new();
    push_decimal(0, &mut v).unwrap();
    v.push(b' ');
    push_decimal(4294967295, &mut v).unwrap();
    v.push(b' ');
    attr_letters(attr::DIRECTORY | attr::HIDDEN, &mut v).unwrap();
    assert_eq!(v, b"0 4294967295 d-h--");
}

#[test]
fn cp437_upper_half() {
    assert_eq!(cp437_to_char(0x80), 'Ç');
    assert_eq!(cp437_to_char(0x9a), 'Ü');
    assert_eq!(cp437_to_char(0xff), '\u{a0}');
    assert_eq!(cp437_to_char(b'A'), 'A');
}

/// Inputs the fuzzer found (scripts/fuzz.sh), kept as regression tests:
/// each must give a listing of the documented shape or an error, never a
/// panic.
#[test]
fn fuzzer_regressions() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/regressions");
    let mut n = 0;
    for f in std::fs::read_dir(dir).unwrap().flatten() {
        let data = std::fs::read(f.path()).unwrap();
        if let Ok(l) = fat_logic::listing(&data) {
            for line in l.lines().skip(1) {
                assert_eq!(
                    line.split('\t').count(),
                    4,
                    "{}: {line:?}",
                    f.path().display()
                );
            }
        }
        n += 1;
    }
    assert!(n > 0);
}
