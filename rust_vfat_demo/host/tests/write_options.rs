// SPDX-License-Identifier: GPL-2.0

//! The write-side mount options' logic on hand-made images: what
//! `/proc/mounts` shows, the DOS 1.x floppy defaults, the clusters
//! `discard` and FITRIM discard.

mod common;

use core::cell::RefCell;

use fat_logic::fat_disk::alloc::FatState;
use fat_logic::fat_disk::format::*;
use fat_logic::fat_disk::namespace::NewName;
use fat_logic::fat_disk::options::*;
use fat_logic::fat_disk::volume::{
    BlockDevice,
    BlockDeviceMut,
    Volume, //
};
use fat_logic::msdos::*;
use fat_logic::vfat::*;

use common::tiny_fat12;

/// An image in memory that records what it is asked to discard.
struct Disk {
    img: RefCell<Vec<u8>>,
    discard_freed: bool,
    discards: RefCell<Vec<(u64, u64)>>,
}

impl BlockDevice for Disk {
    fn read_at(&self, pos: u64, buf: &mut [u8]) -> Result<(), FatError> {
        self.img.borrow().as_slice().read_at(pos, buf)
    }
}

impl BlockDeviceMut for Disk {
    fn write_at(&self, pos: u64, buf: &[u8]) -> Result<(), FatError> {
        let p = pos as usize;
        self.img.borrow_mut()[p..p + buf.len()].copy_from_slice(buf);
        Ok(())
    }

    fn discard_freed(&self) -> bool {
        self.discard_freed
    }

    fn discard(&self, pos: u64, len: u64) -> Result<bool, FatError> {
        self.discards.borrow_mut().push((pos, len));
        Ok(true)
    }
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

/// The tiny FAT12 volume (61 clusters of 512 bytes, data from byte 1,536)
/// with the chain 2 → 3 → 4 → 7 → 8 and cluster 20 used.
fn volume(discard_freed: bool) -> Volume<Disk> {
    let mut img = tiny_fat12();
    for (c, next) in [(2, 3), (3, 4), (4, 7), (7, 8), (8, 0xfff), (20, 0xfff)] {
        set_fat12(&mut img, c, next);
    }
    let len = img.len() as u64;
    Volume::open(
        Disk {
            img: RefCell::new(img),
            discard_freed,
            discards: RefCell::new(Vec::new()),
        },
        len,
    )
    .unwrap()
}

fn state() -> FatState {
    FatState {
        free_count: None,
        free_valid: false,
        prev_free: 2,
        fsinfo_dirty: false,
        was_dirty: false,
    }
}

const DATA: u64 = 3 * 512;

#[test]
fn discard_frees_each_contiguous_run() {
    let v = volume(true);
    assert_eq!(v.free_chain(&mut state(), 2), Ok(5));
    // As fat_free_clusters: 2..=4, then 7..=8.
    assert_eq!(
        *v.device().discards.borrow(),
        [(DATA, 3 * 512), (DATA + 5 * 512, 2 * 512)]
    );
    let v = volume(false);
    assert_eq!(v.free_chain(&mut state(), 2), Ok(5));
    assert!(v.device().discards.borrow().is_empty());
}

#[test]
fn fitrim_discards_the_free_runs_as_fat_trim_fs() {
    let v = volume(false);
    let r = v.trim_range(0, u64::MAX, 0).unwrap();
    assert_eq!((r.first, r.last, r.min_run), (2, 62, 0));
    // Free: 5..=6, 9..=19, 21..=62.
    assert_eq!(v.trim(&mut state(), &r, || false), Ok(2 + 11 + 42));
    assert_eq!(
        *v.device().discards.borrow(),
        [
            (DATA + 3 * 512, 2 * 512),
            (DATA + 7 * 512, 11 * 512),
            (DATA + 19 * 512, 42 * 512)
        ]
    );
    // Runs shorter than minlen are skipped; the range cuts the last one.
    let v = volume(false);
    let r = v.trim_range(6 * 512, 20 * 512, 3 * 512).unwrap();
    assert_eq!((r.first, r.last, r.min_run), (6, 25, 3));
    assert_eq!(v.trim(&mut state(), &r, || false), Ok(11 + 5));
    // Shorter than a cluster, or past the last cluster: EINVAL in C.
    assert_eq!(v.trim_range(0, 511, 0), None);
    assert_eq!(v.trim_range(63 * 512, 4096, 0), None);
}

/// A DOS 1.x floppy: a jump, then zeros where the BPB would be.
fn dos1x_boot() -> Vec<u8> {
    let mut b = vec![0u8; 512];
    b[..3].copy_from_slice(&[0xeb, 0xfe, 0x90]);
    b[38] = 0x29;
    b
}

#[test]
fn dos1x_floppies_get_the_defaults_of_their_size() {
    let b = dos1x_boot();
    let bpb = Bpb::parse_dos1x(&b, 320 * 512).unwrap();
    assert!(bpb.dos1x);
    assert_eq!(
        (bpb.sectors_per_cluster, bpb.root_entries, bpb.fat_sectors),
        (1, 64, 1)
    );
    assert_eq!(
        (bpb.cluster_count, bpb.fat_type, bpb.serial),
        (313, FatType::Fat12, 0)
    );
    let bpb = Bpb::parse_dos1x(&b, 720 * 512).unwrap();
    assert_eq!(
        (bpb.sectors_per_cluster, bpb.root_entries, bpb.fat_sectors),
        (2, 112, 2)
    );
    assert_eq!(
        Bpb::parse_dos1x(&b, 300 * 512).map(|_| ()),
        Err(Dos1xRefusal::UnknownSize(300))
    );
    let mut nojump = b.clone();
    nojump[0] = 0;
    assert_eq!(
        Bpb::parse_dos1x(&nojump, 320 * 512).map(|_| ()),
        Err(Dos1xRefusal::NoBootstrap)
    );
    let mut bpb2 = b.clone();
    bpb2[21] = 0xf8;
    assert_eq!(
        Bpb::parse_dos1x(&bpb2, 320 * 512).map(|_| ()),
        Err(Dos1xRefusal::BpbNotZero)
    );
    // Only with the option, and only when the BPB itself is refused.
    assert!(Volume::open_dos1x(&b[..], 320 * 512, false).is_err());
    let mut img = b.clone();
    img.resize(320 * 512, 0);
    assert!(
        Volume::open_dos1x(&img[..], 320 * 512, true)
            .unwrap()
            .bpb
            .dos1x
    );
    let tiny = tiny_fat12();
    assert!(
        !Volume::open_dos1x(&tiny[..], tiny.len() as u64, true)
            .unwrap()
            .bpb
            .dos1x
    );
}

fn shown(o: &MountOptions, vfat: bool, uid: u32, gid: u32) -> String {
    let mut s = String::new();
    show(&mut s, o, vfat, uid, gid).unwrap();
    s
}

#[test]
fn options_show_as_fat_show_options() {
    let mut o = MountOptions::new(0o022);
    assert_eq!(
        shown(&o, true, 0, 0),
        ",fmask=0022,dmask=0022,codepage=437,iocharset=iso8859-1,shortname=mixed,errors=remount-ro"
    );
    for (k, v) in [
        (&b"flush"[..], None),
        (b"discard", None),
        (b"dos1xfloppy", None),
        (b"errors", Some(&b"panic"[..])),
        (b"umask", Some(b"0")),
        (b"usefree", None),
        (b"tz", Some(b"UTC")),
    ] {
        apply(&mut o, &Vfat, k, v).unwrap();
    }
    assert_eq!(
        shown(&o, true, 1, 2),
        ",uid=1,gid=2,fmask=0000,dmask=0000,allow_utime=0022,codepage=437,iocharset=iso8859-1,\
         shortname=mixed,usefree,flush,tz=UTC,errors=panic,discard,dos1xfloppy"
    );
    let mut m = MountOptions::new(0o022);
    for (k, v) in [
        (&b"dots"[..], None),
        (b"nocase", None),
        (b"check", Some(&b"s"[..])),
    ] {
        apply(&mut m, &Msdos, k, v).unwrap();
    }
    assert_eq!(
        shown(&m, false, 0, 0),
        ",fmask=0022,dmask=0022,codepage=437,check=s,dotsOK=yes,nocase,errors=remount-ro"
    );
}

#[test]
fn ids_and_masks_parse_and_show_as_fs_fat() {
    let mut o = MountOptions::new(0o022);
    // `fsparam_uid`/`fsparam_gid`: base 0, as kstrtouint.
    apply(&mut o, &Vfat, b"uid", Some(b"0100")).unwrap();
    apply(&mut o, &Vfat, b"gid", Some(b"0x3e8")).unwrap();
    assert_eq!((o.uid, o.gid), (Some(64), Some(1000)));
    assert_eq!(
        apply(&mut o, &Vfat, b"uid", Some(b"0x")),
        Err(OptionError::BadValue)
    );
    // A mask keeps its low 16 bits, shown as given; only the permission
    // bits are applied.
    apply(&mut o, &Vfat, b"umask", Some(b"070000")).unwrap();
    assert_eq!((o.fmask, o.dmask), (0o70000, 0o70000));
    apply(&mut o, &Vfat, b"fmask", Some(b"0177777")).unwrap();
    apply(&mut o, &Vfat, b"dmask", Some(b"1010022")).unwrap();
    assert_eq!((o.fmask, o.dmask), (0o177777, 0o10022));
    assert!(shown(&o, true, 0, 0).starts_with(",fmask=177777,dmask=10022,"));
    // rodir (vfat): shown, and directories then keep the read-only bit.
    let mut r = MountOptions::new(0o022);
    assert!(!r.rodir(false));
    apply(&mut r, &Vfat, b"rodir", None).unwrap();
    assert!(r.rodir(false) && r.rodir(true));
    assert!(shown(&r, true, 0, 0).ends_with(",shortname=mixed,rodir,errors=remount-ro"));
}

#[test]
fn obsolete_options_are_accepted_as_fs_fat_accepts_them() {
    for (k, v) in [
        (&b"conv"[..], Some(&b"binary"[..])),
        (b"conv", Some(b"a")),
        (b"fat", Some(b"12")),
        (b"blocksize", Some(b"0x200")),
        (b"cvf_format", Some(b"none")),
        (b"cvf_options", Some(b"x")),
        (b"posix", None),
    ] {
        assert_eq!(
            obsolete(k, v),
            Some(Ok(())),
            "{}",
            String::from_utf8_lossy(k)
        );
    }
    for (k, v) in [
        (&b"conv"[..], Some(&b"mixed"[..])),
        (b"conv", None),
        (b"fat", Some(b"x")),
        (b"blocksize", None),
        (b"cvf_format", None),
        (b"posix", Some(b"1")),
    ] {
        assert_eq!(obsolete(k, v), Some(Err(OptionError::BadValue)));
    }
    assert_eq!(obsolete(b"uid", Some(b"1")), None);
}

#[test]
fn msdos_names_past_name_max_are_too_long() {
    let opts = MountOptions::new(0o022);
    let mut out = NewName::new();
    let mut free = |_: &[u8; 11]| Ok(false);
    let long = [b'a'; 256];
    assert_eq!(
        msdos_new_name(&long, &opts, &mut free, &mut out),
        Err(FatError::NameTooLong)
    );
    assert_eq!(
        msdos_new_name(&long[..255], &opts, &mut free, &mut out),
        Ok(())
    );
    assert_eq!(
        msdos_new_name(b"a*b", &opts, &mut free, &mut out),
        Err(FatError::InvalidName)
    );
}
