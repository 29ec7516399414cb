// SPDX-License-Identifier: GPL-2.0

//! Unit tests of the shared logic on hand-made images and entries.

mod common;

use fat_logic::fat_disk::format::*;
use fat_logic::fat_disk::names::*;
use fat_logic::fat_disk::namespace::{
    Namespace,
    RecordNames, //
};
use fat_logic::fat_disk::options::*;
use fat_logic::fat_disk::time::fat_to_unix;
use fat_logic::fat_disk::volume::Volume;
use fat_logic::msdos::*;
use fat_logic::vfat::*;

use common::tiny_fat12;

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

/// A file whose chain loops within its size reads as C reads it (the
/// loop's clusters again), so it lists; a directory's loop does not.
#[test]
fn looping_file_chain_lists_as_a_mount_reads_it() {
    let mut img = tiny_fat12();
    root_entry(&mut img, 0, &short(b"LOOP    BIN", attr::ARCHIVE, 2, 2000));
    set_fat12(&mut img, 2, 3);
    set_fat12(&mut img, 3, 2);
    assert_eq!(
        fat_logic::listing(&img),
        Ok("label\t\n/LOOP.BIN\t2000\t----a\tLOOP.BIN\n".to_string())
    );
    root_entry(&mut img, 0, &short(b"LOOP       ", attr::DIRECTORY, 2, 0));
    assert_eq!(fat_logic::listing(&img), Err(FatError::ChainLoop));
}

/// Every byte of a file of `clusters` clusters at `start`, cluster by
/// cluster, as the page cache asks for it: the clusters read, or the error.
fn read_clusters(img: &[u8], start: u32, clusters: u32) -> Result<Vec<u32>, FatError> {
    let vol = Volume::open(img, img.len() as u64).unwrap();
    let cs = u64::from(vol.bpb.cluster_size);
    let mut cache = fat_logic::fat_disk::volume::ExtentCache::default();
    (0..clusters)
        .map(|i| {
            let run = vol.locate(start, u64::from(i) * cs, cache.near(i), 4)?;
            cache.insert(run);
            Ok(run.cluster_at(i))
        })
        .collect()
}

/// Reads follow only the links they need, as `fs/fat`'s `fat_get_cluster`:
/// damage after a file's last cluster fails no read, a loop is followed
/// as C follows it, and a link the read needs that is broken fails it.
#[test]
fn reads_follow_only_the_links_they_need() {
    let mut img = tiny_fat12();
    set_fat12(&mut img, 2, 3);
    // After the last cluster (3): free, bad, out of range, 1 (issue seen
    // with a 1,000-byte file in two clusters, which C reads).
    for after_last in [0, 0xff7, 0xf00, 1, 0xfff] {
        set_fat12(&mut img, 3, after_last);
        assert_eq!(read_clusters(&img, 2, 2), Ok(vec![2, 3]), "{after_last:#x}");
    }
    // Broken where the read needs it: the second cluster cannot be found.
    for broken in [0, 0xff7, 0xf00, 1, 0xfff] {
        set_fat12(&mut img, 2, broken);
        assert!(read_clusters(&img, 2, 2).is_err(), "{broken:#x}");
        assert_eq!(read_clusters(&img, 2, 1), Ok(vec![2]), "{broken:#x}");
    }
    // 2 -> 3 -> 2: a file of 5 clusters reads 2, 3, 2, 3, 2 as C does, and
    // the walk ends with the file.
    set_fat12(&mut img, 2, 3);
    set_fat12(&mut img, 3, 2);
    assert_eq!(read_clusters(&img, 2, 5), Ok(vec![2, 3, 2, 3, 2]));
    // A self-loop.
    set_fat12(&mut img, 2, 2);
    assert_eq!(read_clusters(&img, 2, 3), Ok(vec![2, 2, 2]));
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
    let open = |b: &[u8]| Volume::open(b, b.len() as u64).err();
    let mut z = img.clone();
    z[13] = 0;
    assert_eq!(open(&z), Some(FatError::BadClusterSize));
    let mut s = img.clone();
    s[11..13].copy_from_slice(&1000u16.to_le_bytes());
    assert_eq!(open(&s), Some(FatError::BadSectorSize));
    let mut f = img.clone();
    f[16] = 0;
    assert_eq!(open(&f), Some(FatError::NoFats));
    // A cut image opens, as C mounts it; what is missing fails when read.
    let cut = &img[..40 * 512];
    assert_eq!(open(cut), None);
    let vol = Volume::open(cut, cut.len() as u64).unwrap();
    let mut b = [0u8; 512];
    assert_eq!(vol.read_at(50 * 512, &mut b), Err(FatError::Truncated));
    assert_eq!(open(&[]), Some(FatError::Truncated));
}

fn lfn_slot(ordinal: u8, checksum: u8, text: &str) -> [u8; 32] {
    let mut lfn = [0xffu8; 32];
    lfn[0] = ordinal;
    lfn[11] = attr::LONG_NAME;
    lfn[12] = 0;
    lfn[13] = checksum;
    lfn[26] = 0;
    lfn[27] = 0;
    let offs = [1, 3, 5, 7, 9, 14, 16, 18, 20, 22, 24, 28, 30];
    let units: Vec<u16> = text.encode_utf16().chain([0]).collect();
    for (u, off) in units.iter().zip(offs) {
        lfn[off..off + 2].copy_from_slice(&u.to_le_bytes());
    }
    lfn
}

/// As the C driver: a long name whose checksum does not match is dropped
/// and the 8.3 name shown; a run cut short by the end marker shows nothing.
#[test]
fn orphan_and_broken_long_names_fall_back_to_the_short_name() {
    let mut img = tiny_fat12();
    let sum = lfn_checksum(b"HELLO   TXT");
    root_entry(&mut img, 0, &lfn_slot(0x41, sum, "hello w.txt"));
    root_entry(&mut img, 1, &short(b"HELLO   TXT", attr::ARCHIVE, 0, 0));
    assert_eq!(
        fat_logic::listing(&img).unwrap(),
        "label\t\n/hello w.txt\t0\t----a\tHELLO.TXT\n"
    );
    root_entry(
        &mut img,
        0,
        &lfn_slot(0x41, sum.wrapping_add(1), "hello w.txt"),
    );
    assert_eq!(
        fat_logic::listing(&img).unwrap(),
        "label\t\n/HELLO.TXT\t0\t----a\tHELLO.TXT\n"
    );
    // A stray middle entry (no "last" flag) is skipped.
    root_entry(&mut img, 0, &lfn_slot(0x01, sum, "x"));
    assert_eq!(
        fat_logic::listing(&img).unwrap(),
        "label\t\n/HELLO.TXT\t0\t----a\tHELLO.TXT\n"
    );
    // Followed by the end marker instead of its short entry.
    root_entry(&mut img, 0, &lfn_slot(0x41, sum, "a"));
    root_entry(&mut img, 1, &[0u8; 32]);
    assert_eq!(fat_logic::listing(&img).unwrap(), "label\t\n");
}

#[test]
fn names_display_and_compare_as_c() {
    let mut out: NameBuf = NameBuf::new();
    // A lone surrogate is skipped in UTF-8; above 0xFF is '?' in Latin-1.
    long_name(&[0x61, 0xd800, 0x62], IoCharset::Utf8, false, &mut out).unwrap();
    assert_eq!(out.as_bytes(), b"ab");
    out.clear();
    long_name(&[0x61, 0x263a], IoCharset::Latin1, false, &mut out).unwrap();
    assert_eq!(out.as_bytes(), b"a?");
    out.clear();
    long_name(&[0x263a], IoCharset::Latin1, true, &mut out).unwrap();
    assert_eq!(out.as_bytes(), b":263a");
    // The longest long name a record holds, every unit escaped, fits.
    out.clear();
    let units = [0x4e2du16; fat_logic::fat_disk::dir::MAX_LFN_UNITS];
    long_name(&units, IoCharset::Latin1, true, &mut out).unwrap();
    assert_eq!(out.as_bytes().len(), units.len() * 5);
    assert!(vfat_eq_nocase("ÉTÉ".as_bytes(), "ÉTÉ".as_bytes()));
    assert!(vfat_eq_nocase(b"Readme.TXT", b"README.txt"));
    assert_eq!(vfat_strip_tail(b"a.b..."), b"a.b");
    let fmt = |n: &[u8], c| msdos_format_name(n, c, false, false).ok();
    assert_eq!(fmt(b"readme.txt", NameCheck::Normal), Some(*b"README  TXT"));
    assert_eq!(
        fmt(b"ReadMe.TxtXYZ", NameCheck::Normal),
        Some(*b"README  TXT")
    );
    assert_eq!(
        fmt(b"readme12345.txt", NameCheck::Normal),
        Some(*b"README12TXT")
    );
    assert_eq!(fmt(b"readme12345.txt", NameCheck::Strict), None);
    assert_eq!(fmt(b"a*b", NameCheck::Normal), None);
    assert_eq!(fmt(b"a*b", NameCheck::Relaxed), Some(*b"A*B        "));
    assert_eq!(fmt(b".hidden", NameCheck::Normal), None);
}

#[test]
fn charset_options_as_fs_fat_with_the_kernels_defaults() {
    // A kernel with CONFIG_FAT_DEFAULT_UTF8 and iocharset ascii (Debian's):
    // iocharset= does not turn utf8 off; uni_xlate does, and names then
    // show in iocharset, unmappable units escaped.
    let mut o = MountOptions::new(0o022);
    o.set_charset_defaults(true, IoCharset::Ascii);
    assert_eq!(o.charset(), IoCharset::Utf8);
    apply(&mut o, &Vfat, b"iocharset", Some(b"iso8859-1")).unwrap();
    o.settle();
    assert_eq!(o.charset(), IoCharset::Utf8);
    let mut o = MountOptions::new(0o022);
    o.set_charset_defaults(true, IoCharset::Ascii);
    apply(&mut o, &Vfat, b"uni_xlate", None).unwrap();
    o.settle();
    assert_eq!(o.charset(), IoCharset::Ascii);
    let mut out: NameBuf = NameBuf::new();
    long_name(&[0x61, 0xe9], o.charset(), o.uni_xlate, &mut out).unwrap();
    assert_eq!(out.as_bytes(), b"a:00e9");
    // The project's kernel: utf8 off, iso8859-1.
    let mut o = MountOptions::new(0o022);
    o.set_charset_defaults(false, IoCharset::Latin1);
    o.settle();
    assert_eq!(o.charset(), IoCharset::Latin1);
    apply(&mut o, &Vfat, b"utf8", Some(b"1")).unwrap();
    assert_eq!(o.charset(), IoCharset::Utf8);
}

#[test]
fn options_parse_as_fs_fat() {
    let mut o = MountOptions::new(0o022);
    apply(&mut o, &Vfat, b"umask", Some(b"077")).unwrap();
    assert_eq!((o.fmask, o.dmask), (0o077, 0o077));
    apply(&mut o, &Vfat, b"uid", Some(b"1000")).unwrap();
    assert_eq!(o.uid, Some(1000));
    apply(&mut o, &Vfat, b"utf8", None).unwrap();
    assert_eq!(o.charset(), IoCharset::Utf8);
    apply(&mut o, &Vfat, b"time_offset", Some(b"-60")).unwrap();
    assert_eq!(o.time_offset_min, Some(-60));
    assert_eq!(
        apply(&mut o, &Vfat, b"time_offset", Some(b"2000")),
        Err(OptionError::BadValue)
    );
    assert_eq!(
        apply(&mut o, &Vfat, b"quiet", Some(b"1")),
        Err(OptionError::BadValue)
    );
    assert_eq!(
        apply(&mut o, &Vfat, b"dots", None),
        Err(OptionError::Unknown)
    );
    assert_eq!(
        apply(&mut o, &Msdos, b"utf8", None),
        Err(OptionError::Unknown)
    );
    assert_eq!(
        apply(&mut o, &Vfat, b"bogus", None),
        Err(OptionError::Unknown)
    );
    assert_eq!(
        apply(&mut o, &Vfat, b"codepage", Some(b"850")),
        Err(OptionError::Unsupported)
    );
    assert_eq!(
        apply(&mut o, &Vfat, b"nfs", Some(b"nostale_ro")),
        Err(OptionError::Unsupported)
    );
    assert_eq!(
        apply(&mut o, &Vfat, b"nfs", Some(b"stale")),
        Err(OptionError::BadValue)
    );
    assert!(!o.nfs);
    assert_eq!(apply(&mut o, &Vfat, b"nfs", None), Ok(()));
    assert!(o.nfs);
    assert_eq!(apply(&mut o, &Msdos, b"nfs", Some(b"stale_rw")), Ok(()));
    assert_eq!(apply(&mut o, &Vfat, b"errors", Some(b"panic")), Ok(()));
    assert_eq!(o.errors, Errors::Panic);
    assert_eq!(
        apply(&mut o, &Vfat, b"errors", Some(b"reboot")),
        Err(OptionError::BadValue)
    );
    assert_eq!(apply(&mut o, &Vfat, b"errors", Some(b"remount-ro")), Ok(()));
    assert_eq!(o.errors, Errors::RemountRo);
    apply(&mut o, &Msdos, b"dots", None).unwrap();
    assert!(o.dots);
}

#[test]
fn times_convert_as_fs_fat() {
    // 2024-02-29 13:37:42 UTC, and an hour west of UTC.
    let (t, d) = (13 << 11 | 37 << 5 | 21, 44 << 9 | 2 << 5 | 29);
    assert_eq!(fat_to_unix(t, d, 0, 0).sec, 1_709_213_862);
    assert_eq!(fat_to_unix(t, d, 0, 3600).sec, 1_709_213_862 + 3600);
    // Month and day 0 count as 1; 2100 is no leap year.
    assert_eq!(fat_to_unix(0, 0, 0, 0).sec, 315_532_800);
    assert_eq!(
        fat_to_unix(0, 120 << 9 | 3 << 5 | 1, 0, 0).sec,
        4_107_542_400
    );
}

#[test]
fn attributes() {
    let mut v = String::new();
    fat_logic::attr_letters(attr::DIRECTORY | attr::HIDDEN, &mut v);
    assert_eq!(v, "d-h--");
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

/// `exercise` (what the fuzzer runs beyond the listing) walks a real image.
#[test]
fn exercise_walks_every_record() {
    let mut img = tiny_fat12();
    root_entry(&mut img, 0, &short(b"HELLO   TXT", attr::ARCHIVE, 2, 5));
    set_fat12(&mut img, 2, 0xfff);
    assert_eq!(fat_logic::exercise(&img), Ok(1));
    assert!(fat_logic::exercise(&img[..100]).is_err());
}

/// Runs found by `locate` map every cluster of a fragmented chain as a walk
/// does, through the cache in any order.
#[test]
fn locate_through_a_cache_of_runs() {
    let mut img = tiny_fat12();
    // Chain 2-3-4, 9-10, 6: three runs.
    for (c, n) in [(2, 3), (3, 4), (4, 9), (9, 10), (10, 6), (6, 0xfff)] {
        set_fat12(&mut img, c, n);
    }
    let vol = Volume::open(&img[..], img.len() as u64).unwrap();
    let want = [2u32, 3, 4, 9, 10, 6];
    let cs = u64::from(vol.bpb.cluster_size);
    let mut cache = fat_logic::fat_disk::volume::ExtentCache::default();
    for i in [5usize, 0, 3, 1, 4, 2, 5, 0] {
        let run = vol
            .locate(2, i as u64 * cs, cache.near(i as u32), 4)
            .unwrap();
        assert!(run.contains(i as u32), "{i}: {run:?}");
        assert_eq!(run.cluster_at(i as u32), want[i], "{i}: {run:?}");
        cache.insert(run);
    }
    // Past the chain's end.
    assert_eq!(vol.locate(2, 6 * cs, None, 1), Err(FatError::SizeMismatch));
    // The free cluster count, stopped at once when asked.
    assert_eq!(vol.free_clusters(|| true), Err(FatError::Interrupted));
    assert!(vol.free_clusters(|| false).unwrap() > 0);
}

/// A FAT12 image of 256 sectors of 512 bytes with `root` root entries.
fn fat12_with_root(root: u16) -> Vec<u8> {
    let mut b = tiny_fat12();
    b.resize(256 * 512, 0);
    b[17..19].copy_from_slice(&root.to_le_bytes());
    b[19..21].copy_from_slice(&256u16.to_le_bytes());
    b
}

/// Writes at root slot `at` a record named by `units` (long-name slots as
/// Windows writes them: a terminator and 0xFFFF padding when the last slot
/// has room, none when the name fills it) and its 8.3 entry `short`.
/// Returns the slot after it.
fn put_record(img: &mut [u8], at: usize, units: &[u16], short_name: &[u8; 11]) -> usize {
    let sum = lfn_checksum(short_name);
    let nslots = units.len().div_ceil(13);
    let offs = [1, 3, 5, 7, 9, 14, 16, 18, 20, 22, 24, 28, 30];
    for i in 0..nslots {
        let ordinal = (nslots - i) as u8;
        let mut lfn = [0u8; 32];
        lfn[0] = ordinal | if i == 0 { 0x40 } else { 0 };
        lfn[11] = attr::LONG_NAME;
        lfn[13] = sum;
        let from = (usize::from(ordinal) - 1) * 13;
        let part = &units[from..(from + 13).min(units.len())];
        for (k, off) in offs.iter().enumerate() {
            let u = match k.cmp(&part.len()) {
                core::cmp::Ordering::Less => part[k],
                core::cmp::Ordering::Equal => 0,
                core::cmp::Ordering::Greater => 0xffff,
            };
            lfn[*off..off + 2].copy_from_slice(&u.to_le_bytes());
        }
        root_entry(img, at + i, &lfn);
    }
    root_entry(img, at + nslots, &short(short_name, attr::ARCHIVE, 0, 0));
    at + nslots + 1
}

/// Long names at the edge of what a record holds: readdir shows them and
/// lookup finds them (260 units is a 20-slot name without terminator,
/// which C's vfat shows and finds); 261 units cannot be stored, and a
/// 21-slot run is not a long name (the 8.3 name shows, and is found).
#[test]
fn longest_names_are_shown_and_found() {
    for len in [255usize, 256, 259, 260] {
        let mut img = fat12_with_root(64);
        let units: Vec<u16> = (0..len)
            .map(|i| u16::from(b'a') + (i % 26) as u16)
            .collect();
        put_record(&mut img, 0, &units, b"LONG~1  TXT");
        let l = fat_logic::listing(&img).unwrap();
        let name = String::from_utf16(&units).unwrap();
        assert!(l.contains(&format!("/{name}\t")), "{len} units: {l}");
        assert_eq!(
            fat_logic::lookup_finds_every_shown_name(&img),
            Ok(()),
            "{len} units"
        );
        // The key rule takes every name a record can show, in any charset.
        let mut key = KeyBuf::new();
        assert!(Vfat.lookup_key(name.as_bytes(), &opts(), &mut key).is_ok());
        assert!(vfat_eq_nocase(
            key.as_bytes(),
            name.to_uppercase().as_bytes()
        ));
        let mut shown = NameBuf::<NAME_MAX_BYTES>::new();
        let wide: Vec<u16> = vec![0x4e2d; len];
        long_name(&wide, IoCharset::Latin1, true, &mut shown).unwrap();
        let mut key = KeyBuf::new();
        assert!(
            Vfat.lookup_key(shown.as_bytes(), &opts(), &mut key).is_ok(),
            "{len} xlated"
        );
    }
    // 261 units: 21 slots, not a long name: the 8.3 name shows.
    let mut img = fat12_with_root(64);
    let units = vec![u16::from(b'z'); 261];
    put_record(&mut img, 0, &units, b"LONG~1  TXT");
    assert_eq!(
        fat_logic::listing(&img).unwrap(),
        "label\t\n/LONG~1.TXT\t0\t----a\tLONG~1.TXT\n"
    );
    assert_eq!(fat_logic::lookup_finds_every_shown_name(&img), Ok(()));
    // A 261-byte name is a key (it names nothing, as in C: ENOENT), and
    // so is the longest name any record can show; one byte more is not.
    let mut key = KeyBuf::new();
    assert!(Vfat.lookup_key(&[b'z'; 261], &opts(), &mut key).is_ok());
    let mut key = KeyBuf::new();
    assert!(Vfat
        .lookup_key(&[b'z'; NAME_MAX_BYTES], &opts(), &mut key)
        .is_ok());
    let mut key = KeyBuf::new();
    assert!(Vfat
        .lookup_key(&[b'z'; NAME_MAX_BYTES + 1], &opts(), &mut key)
        .is_err());
}

/// A small deterministic generator (xorshift64*), so the property runs on
/// the same directories everywhere.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// Every name readdir shows is found by lookup, over generated
/// directories: long names of 1 to 260 units from ASCII, Latin-1, other
/// BMP characters, surrogate pairs, lone surrogates, dots and spaces, in
/// every character set a mount can use.
#[test]
fn every_name_shown_is_found() {
    let pool: Vec<u16> = "aZ09 ._-~éÉßÿЖж中文"
        .encode_utf16()
        .chain([0xd83d, 0xde00, 0xd800, 0x00c0, 0x00de])
        .collect();
    for seed in 1..=60u64 {
        let mut rng = Rng(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1);
        let mut img = fat12_with_root(512);
        let mut at = 0;
        let mut n = 0u32;
        while at < 512 - 22 {
            let len = match rng.below(4) {
                0 => 1 + rng.below(12),
                1 => 250 + rng.below(11),
                _ => 1 + rng.below(260),
            };
            let units: Vec<u16> = (0..len).map(|_| pool[rng.below(pool.len())]).collect();
            n += 1;
            let mut sn = *b"N       TXT";
            sn[1..8].copy_from_slice(format!("{n:07}").as_bytes());
            at = put_record(&mut img, at, &units, &sn);
        }
        assert_eq!(
            fat_logic::lookup_finds_every_shown_name(&img),
            Ok(()),
            "seed {seed}"
        );
    }
}

/// A long name over an 8.3 entry that shows empty: readdir shows the long
/// name (as C's `__fat_readdir`), so lookup finds it by that name (C's
/// `fat_search_long` skips the record: a difference kept on purpose).
#[test]
fn long_name_over_a_blank_short_name_is_found() {
    let mut img = fat12_with_root(64);
    let units: Vec<u16> = "blank alias.txt".encode_utf16().collect();
    put_record(&mut img, 0, &units, b"           ");
    let l = fat_logic::listing(&img).unwrap();
    assert!(l.contains("/blank alias.txt\t"), "{l}");
    assert_eq!(fat_logic::lookup_finds_every_shown_name(&img), Ok(()));
}

/// Matching a record by converting its names only as far as they agree
/// with the key gives what converting them whole and comparing gives, in
/// every character set, with and without case.
#[test]
fn lazy_name_matching_agrees_with_converting_whole() {
    let pool: Vec<u16> = "aA.zé É~ßЖж中"
        .encode_utf16()
        .chain([0xd83d, 0xde00, 0xdc00])
        .collect();
    let mut rng = Rng(7);
    for _ in 0..20_000 {
        let units: Vec<u16> = (0..1 + rng.below(8))
            .map(|_| pool[rng.below(pool.len())])
            .collect();
        let mut raw = short(b"AB      TXT", attr::ARCHIVE, 0, 0);
        raw[12] = if rng.below(2) == 0 {
            CASE_LOWER_BASE
        } else {
            0
        };
        let Slot::Short(entry) = Slot::decode(&raw) else {
            panic!()
        };
        for (cs, xlate) in [
            (IoCharset::Utf8, false),
            (IoCharset::Latin1, false),
            (IoCharset::Latin1, true),
            (IoCharset::Ascii, false),
        ] {
            // A key: the name as shown, maybe with another case, maybe cut
            // or lengthened by one byte.
            let mut shown = NameBuf::<NAME_MAX_BYTES>::new();
            long_name(&units, cs, xlate, &mut shown).unwrap();
            let mut key = shown.as_bytes().to_vec();
            match rng.below(4) {
                0 => key.iter_mut().for_each(|b| *b = b.to_ascii_uppercase()),
                1 => {
                    key.pop();
                }
                2 => key.push(b'x'),
                _ => {}
            }
            let mut short_shown = NameBuf::<NAME_MAX_BYTES>::new();
            vfat_short_name(&entry, cs, xlate, ShortnameDisplay::WinNt, &mut short_shown).unwrap();
            for case_sensitive in [false, true] {
                let mut o = opts();
                o.utf8 = cs == IoCharset::Utf8;
                o.iocharset = cs;
                o.uni_xlate = xlate;
                if case_sensitive {
                    o.check = NameCheck::Strict;
                }
                let names = RecordNames {
                    entry: &entry,
                    long: Some(&units),
                    opts: &o,
                };
                // check=s, and iocharset=utf8 (whose NLS table folds no
                // case), compare names with their case.
                let sensitive = case_sensitive || o.iocharset == IoCharset::Utf8;
                let eq = |a: &[u8], b: &[u8]| {
                    if sensitive {
                        a == b
                    } else {
                        vfat_eq_nocase(a, b)
                    }
                };
                let whole = eq(&key, short_shown.as_bytes()) || eq(&key, shown.as_bytes());
                assert_eq!(
                    Vfat.matches(&key, &names, &o),
                    whole,
                    "{units:x?} {cs:?} {key:x?}"
                );
            }
        }
    }
}

fn opts() -> MountOptions {
    MountOptions::new(0o022)
}

#[test]
fn lfn_units_reads_the_three_runs_in_order() {
    let mut raw = [0u8; DIR_ENTRY_SIZE];
    for (i, off) in LFN_UNIT_OFFSETS.iter().enumerate() {
        let u = 0x0101u16 * (i as u16 + 1) + 0x1000;
        raw[*off..*off + 2].copy_from_slice(&u.to_le_bytes());
    }
    let mut units = [0u16; 13];
    lfn_units(&raw, &mut units);
    let want: Vec<u16> = (0..13u16).map(|i| 0x0101 * (i + 1) + 0x1000).collect();
    assert_eq!(units.to_vec(), want);
}

#[test]
fn word_at_a_time_unit_scans_agree_with_unit_by_unit() {
    // Every length to 40 and every position of one interesting unit, over
    // backgrounds that are ASCII, high, and zero-free with 0x0001 and 0x8000.
    for len in 0..40usize {
        for bg in [0x61u16, 0x7f, 0x80, 0x1234, 0x0001, 0x8000, 0xffff] {
            for at in 0..=len {
                for odd in [0u16, 0x7f, 0x80, 0x100, 0xff80] {
                    let mut v = vec![bg; len];
                    if let Some(u) = v.get_mut(at) {
                        *u = odd;
                    }
                    let nul = v.iter().position(|&u| u == 0).unwrap_or(len);
                    let ascii = v.iter().position(|&u| u >= 0x80).unwrap_or(len);
                    assert_eq!(units_before_nul(&v), nul, "{v:x?}");
                    assert_eq!(ascii_units(&v), ascii, "{v:x?}");
                }
            }
        }
    }
}

#[test]
fn subdirs_counts_up_to_the_end_marker() {
    use fat_logic::fat_disk::dir::DirLocation;
    use fat_logic::fat_disk::inode::subdirs;
    let mut img = tiny_fat12();
    let dir = attr::DIRECTORY;
    root_entry(&mut img, 0, &short(b"A          ", dir, 3, 0));
    root_entry(&mut img, 1, &short(b"FILE    TXT", 0, 0, 0));
    let mut deleted = short(b"B          ", dir, 4, 0);
    deleted[0] = 0xe5;
    root_entry(&mut img, 2, &deleted);
    root_entry(
        &mut img,
        3,
        &short(b"LABEL      ", attr::VOLUME_ID | dir, 0, 0),
    );
    root_entry(&mut img, 4, &short(b"C          ", dir, 5, 0));
    // Slot 5 ends the directory: what follows is not counted.
    root_entry(&mut img, 6, &short(b"D          ", dir, 6, 0));
    let vol = Volume::open(&img[..], img.len() as u64).unwrap();
    assert_eq!(subdirs(&vol, DirLocation::FixedRoot).unwrap(), 2);
    // A full root (no end marker) counts through its last slot.
    for s in 5..16 {
        root_entry(&mut img, s, &short(b"E          ", dir, 7, 0));
    }
    let vol = Volume::open(&img[..], img.len() as u64).unwrap();
    assert_eq!(subdirs(&vol, DirLocation::FixedRoot).unwrap(), 13);
    // A chained directory of clusters 3 and 4: the end marker in the second.
    let mut img = tiny_fat12();
    set_fat12(&mut img, 3, 4);
    set_fat12(&mut img, 4, 0xfff);
    // The data area starts after the root's sector: cluster 3 at sector 4.
    let put = |img: &mut [u8], cluster: usize, slot: usize, raw: &[u8; 32]| {
        let off = (3 + cluster - 2) * 512 + slot * 32;
        img[off..off + 32].copy_from_slice(raw);
    };
    for s in 0..16 {
        put(&mut img, 3, s, &short(b"F          ", dir, 9, 0));
    }
    put(&mut img, 4, 0, &short(b"G          ", dir, 9, 0));
    put(&mut img, 4, 2, &short(b"H          ", dir, 9, 0));
    let vol = Volume::open(&img[..], img.len() as u64).unwrap();
    assert_eq!(subdirs(&vol, DirLocation::Chain(3)).unwrap(), 17);
}
