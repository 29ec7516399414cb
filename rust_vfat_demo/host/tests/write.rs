// SPDX-License-Identifier: GPL-2.0

//! The write side of `fat_disk` on images `mkfs.fat` made: sequences of
//! operations through the API the kernel calls (names from the
//! namespaces' create rules, records added and removed, clusters
//! allocated and freed, FSInfo and the dirty flag kept), after which
//! `fsck.fat -n` finds nothing to fix and `mdir` (mtools) shows the
//! expected long names, 8.3 names (with their case flags) and sizes.

mod common;

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::path::{
    Path,
    PathBuf, //
};
use std::process::Command;

use fat_logic::fat_disk::alloc::{
    FatState,
    FsinfoCheck,
    StateChange, //
};
use fat_logic::fat_disk::dir::{
    DirLocation,
    DirReader,
    DirRecord, //
};
use fat_logic::fat_disk::dir_write::{
    add_record,
    blank_entry,
    dir_is_empty,
    dotdot_start,
    move_record,
    new_dir,
    read_entry,
    record_slots_at,
    remove_record,
    remove_slots_at,
    short_name_taken,
    update_entry,
    write_inode,
    ExtraTimes,
    InodeFields,
    NewRecord,
    RecordPos, //
};
use fat_logic::fat_disk::format::{
    attr,
    DirEntry,
    FatError,
    FatType, //
};
use fat_logic::fat_disk::inode::first_cluster;
use fat_logic::fat_disk::namespace::{
    find_record_name,
    Namespace,
    NewName, //
};
use fat_logic::fat_disk::options::{
    MountOptions,
    ShortnameCreate,
    ShortnameDisplay, //
};
use fat_logic::fat_disk::time::{
    unix_to_fat,
    Timestamp, //
};
use fat_logic::fat_disk::volume::Volume;
use fat_logic::msdos::Msdos;
use fat_logic::vfat::Vfat;
use fat_logic::MemDevice;

use common::{
    parse_mdir,
    MdirEntry, //
};

/// A scratch directory removed on drop.
struct Scratch(PathBuf);

impl Scratch {
    fn new(tag: &str) -> Scratch {
        let d = std::env::temp_dir().join(format!("fat-write-{}-{tag}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        Scratch(d)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// An image made by `mkfs.fat -C`: `kib` KiB, FAT `bits`, `sector`-byte
/// sectors, `spc` sectors per cluster, and extra arguments.
fn mkfs(dir: &Path, kib: u64, bits: u32, sector: u32, spc: u32, extra: &[&str]) -> Vec<u8> {
    let img = dir.join("mkfs.img");
    let _ = std::fs::remove_file(&img);
    let out = Command::new("mkfs.fat")
        .arg("-C")
        .arg("-F")
        .arg(bits.to_string())
        .arg("-S")
        .arg(sector.to_string())
        .arg("-s")
        .arg(spc.to_string())
        .args(extra)
        .arg(&img)
        .arg(kib.to_string())
        .output()
        .expect("mkfs.fat (dosfstools)");
    assert!(
        out.status.success(),
        "mkfs.fat -F {bits} -S {sector} -s {spc} {kib}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    std::fs::read(&img).unwrap()
}

/// `fsck.fat -n` of the image: passes only without any complaint.
fn fsck_clean(dir: &Path, img: &[u8]) {
    let path = dir.join("check.img");
    std::fs::write(&path, img).unwrap();
    let out = Command::new("fsck.fat")
        .arg("-n")
        .arg(&path)
        .output()
        .unwrap();
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    let complaints: Vec<&str> = text
        .lines()
        .filter(|l| !l.starts_with("fsck.fat ") && !l.contains(" files, "))
        .collect();
    assert!(
        out.status.success() && complaints.is_empty(),
        "fsck.fat -n: {text}"
    );
}

/// `mdir -/ -a` of the image, by path (the long name, else the 8.3 name
/// as shown; `.` and `..` left out).
fn mdir(dir: &Path, img: &[u8]) -> BTreeMap<String, MdirEntry> {
    let path = dir.join("mdir.img");
    std::fs::write(&path, img).unwrap();
    let out = Command::new("mdir")
        .args(["-/", "-a", "-i"])
        .arg(&path)
        .arg("::/")
        .env("MTOOLS_SKIP_CHECK", "1")
        .env("LC_ALL", "C.UTF-8")
        .output()
        .expect("mdir (mtools)");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "mdir: {text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    parse_mdir(&text)
}

/// A mounted image: the volume, its FAT state behind a single-threaded
/// lock, the options and the namespace.
struct Fs {
    vol: Volume<MemDevice>,
    fat: RefCell<FatState>,
    opts: MountOptions,
    ns: &'static dyn Namespace,
    /// `jiffies` for the hashed alias tail: moves on by `tick_step` per
    /// name made (0: it stays put).
    tick: std::cell::Cell<u64>,
    tick_step: u64,
    now: Timestamp,
}

/// Where a directory is, and what its `..` entries' children get.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Dir {
    loc: DirLocation,
    /// The start cluster `..` of a child names (0: the root).
    start: u32,
}

impl Fs {
    fn mount(img: Vec<u8>, ns: &'static dyn Namespace, opts: MountOptions) -> Fs {
        let len = img.len() as u64;
        let vol = Volume::open(MemDevice::new(img), len).unwrap();
        let (st, check) = vol.load_state(false).unwrap();
        if vol.bpb.fat_type == FatType::Fat32 {
            assert_eq!(check, FsinfoCheck::Valid);
        }
        assert!(!st.was_dirty);
        assert_eq!(vol.set_state(&st, true).unwrap(), StateChange::Written);
        Fs {
            vol,
            fat: RefCell::new(st),
            opts,
            ns,
            tick: std::cell::Cell::new(0x1234_5678),
            tick_step: 7,
            now: Timestamp {
                sec: 1_700_000_000,
                nsec: 0,
            },
        }
    }

    fn vfat(img: Vec<u8>) -> Fs {
        let mut o = MountOptions::new(0o022);
        o.utf8 = true;
        Fs::mount(img, &Vfat, o)
    }

    fn root(&self) -> Dir {
        Dir {
            loc: DirLocation::root(&self.vol),
            start: 0,
        }
    }

    /// Unmounts: FSInfo written, dirty flag cleared; the image.
    fn unmount(self) -> Vec<u8> {
        let mut st = self.fat.into_inner();
        self.vol.flush_fsinfo(&mut st).unwrap();
        assert_eq!(
            self.vol.set_state(&st, false).unwrap(),
            StateChange::Written
        );
        let dev = self.vol.device();
        dev.0.borrow().clone()
    }

    fn lookup(&self, dir: Dir, name: &str) -> Option<DirRecord> {
        find_record_name(&self.vol, dir.loc, self.ns, &self.opts, name.as_bytes()).unwrap()
    }

    fn entry_template(&self, is_dir: bool) -> DirEntry {
        let (time, date, cs) = unix_to_fat(self.now, 0);
        let mut e = blank_entry(b"           ");
        e.attr = if is_dir {
            attr::DIRECTORY
        } else {
            attr::ARCHIVE
        };
        e.time = time;
        e.date = date;
        if self.ns.keeps_times() {
            e.adate = date;
            e.ctime = time;
            e.cdate = date;
            e.ctime_cs = cs;
        }
        e
    }

    fn new_name(&self, dir: Dir, name: &str) -> Result<NewName, FatError> {
        let mut n = NewName::new();
        let vol = &self.vol;
        self.ns.new_name(
            name.as_bytes(),
            &self.opts,
            self.tick.get(),
            &mut |s| short_name_taken(vol, dir.loc, s),
            &mut n,
        )?;
        self.tick.set(self.tick.get() + self.tick_step);
        Ok(n)
    }

    /// Adds a record called `name` with the fields of `e`.
    fn add(&self, dir: Dir, name: &str, e: &DirEntry) -> Result<RecordPos, FatError> {
        let n = self.new_name(dir, name)?;
        let rec = NewRecord::new(&n, e)?;
        Ok(add_record(&self.vol, &self.fat, dir.loc, &rec)?.pos)
    }

    /// Creates a file of `size` bytes (a pattern from `seed`), as create
    /// then write: the record first, then the clusters, then the entry.
    fn create(&self, dir: Dir, name: &str, size: u32, seed: u8) -> Result<RecordPos, FatError> {
        assert!(self.lookup(dir, name).is_none(), "{name} exists");
        let e = self.entry_template(false);
        let pos = self.add(dir, name, &e)?;
        if size > 0 {
            self.resize(pos.dev_pos, size, seed)?;
        }
        Ok(pos)
    }

    fn entry_at(&self, dev_pos: u64) -> DirEntry {
        let mut b = [0u8; 32];
        self.vol.read_at(dev_pos, &mut b).unwrap();
        match fat_logic::fat_disk::format::Slot::decode(&b) {
            fat_logic::fat_disk::format::Slot::Short(e) => e,
            s => panic!("no entry at {dev_pos}: {s:?}"),
        }
    }

    /// Sets the size of the file whose entry is at `dev_pos`, allocating
    /// or freeing clusters, writing the pattern of `seed` into new bytes.
    fn resize(&self, dev_pos: u64, size: u32, seed: u8) -> Result<(), FatError> {
        let mut e = self.entry_at(dev_pos);
        let cs = self.vol.bpb.cluster_size;
        let want = size.div_ceil(cs);
        let start = first_cluster(&self.vol, &e);
        let (last, have) = if start == 0 {
            (None, 0)
        } else {
            let (l, n) = self.vol.chain_last(start)?;
            (Some(l), n)
        };
        let mut st = self.fat.borrow_mut();
        if want > have {
            let first_new = self.vol.extend_chain(&mut st, last, want - have)?;
            if start == 0 {
                e.first_cluster = first_new;
            }
        } else if want < have {
            if want == 0 {
                e.first_cluster = 0;
                e.size = 0;
                update_entry(&self.vol, dev_pos, &e)?;
                self.vol.free_chain(&mut st, start)?;
            } else {
                self.vol.truncate_chain(&mut st, start, want)?;
            }
        }
        drop(st);
        // The data: the whole file rewritten with the pattern.
        let start = first_cluster(&self.vol, &e);
        if start != 0 {
            let mut left = u64::from(size);
            for c in self.vol.chain(start) {
                let c = c?;
                let n = left.min(u64::from(cs));
                let data: Vec<u8> = (0..n).map(|i| seed.wrapping_add(i as u8)).collect();
                self.vol.device().0.borrow_mut().splice(
                    self.vol.bpb.cluster_offset(c)? as usize
                        ..(self.vol.bpb.cluster_offset(c)? + n) as usize,
                    data,
                );
                left -= n;
            }
        }
        // As write_inode: the fields __fat_write_inode writes.
        let extra = self.ns.keeps_times().then_some(ExtraTimes {
            adate: e.adate,
            ctime: e.ctime,
            cdate: e.cdate,
            ctime_cs: e.ctime_cs,
        });
        write_inode(
            &self.vol,
            dev_pos,
            &InodeFields {
                size,
                attr: e.attr,
                start: e.first_cluster,
                time: e.time,
                date: e.date,
                extra,
            },
        )?;
        assert_eq!(read_entry(&self.vol, dev_pos)?.size, size);
        Ok(())
    }

    fn mkdir(&self, parent: Dir, name: &str) -> Result<Dir, FatError> {
        assert!(self.lookup(parent, name).is_none(), "{name} exists");
        let t = self.entry_template(true);
        let dots = t;
        let c = new_dir(
            &self.vol,
            &self.fat,
            dotdot_start(parent.start, parent.start == 0),
            &dots,
        )?;
        let mut e = t;
        e.first_cluster = c;
        match self.add(parent, name, &e) {
            Ok(_) => Ok(Dir {
                loc: DirLocation::Chain(c),
                start: c,
            }),
            Err(err) => {
                self.vol.free_chain(&mut self.fat.borrow_mut(), c).unwrap();
                Err(err)
            }
        }
    }

    /// Unlinks a file or removes an empty directory.
    fn remove(&self, dir: Dir, name: &str) -> Result<(), FatError> {
        let rec = self.lookup(dir, name).ok_or(FatError::NotFound)?;
        let start = first_cluster(&self.vol, &rec.entry);
        if rec.entry.is_dir() && !dir_is_empty(&self.vol, DirLocation::Chain(start))? {
            return Err(FatError::NotEmpty);
        }
        // As the kernel's unlink: the record's slots read in place before
        // its 8.3 entry where they share its 512-byte piece, else as the
        // scan found them.
        match record_slots_at(&self.vol, rec.dev_pos, self.ns.long_names())? {
            Some(n) => {
                assert_eq!(
                    n as u64,
                    (rec.end - rec.start) / 32,
                    "slots in place differ from the scan's"
                );
                remove_slots_at(&self.vol, rec.dev_pos, n)?
            }
            None => remove_record(&self.vol, dir.loc, &RecordPos::from(&rec))?,
        }
        if start != 0 {
            self.vol.free_chain(&mut self.fat.borrow_mut(), start)?;
        }
        Ok(())
    }

    /// Renames `from` in `odir` to `to` in `ndir` (which must not exist),
    /// as vfat_rename: a new record with the old entry's fields, `..`
    /// of a moved directory updated, the old record removed.
    fn rename(&self, odir: Dir, from: &str, ndir: Dir, to: &str) -> Result<(), FatError> {
        let rec = self.lookup(odir, from).ok_or(FatError::NotFound)?;
        assert!(self.lookup(ndir, to).is_none(), "{to} exists");
        let name = self.new_name(ndir, to)?;
        let dotdot = (odir != ndir).then(|| dotdot_start(ndir.start, ndir.start == 0));
        move_record(
            &self.vol, &self.fat, odir.loc, &rec, ndir.loc, &name, dotdot,
        )?;
        Ok(())
    }
}

/// The geometries the tests run on: (KiB, FAT bits, sector, sectors per
/// cluster).
const GEOMETRIES: &[(u64, u32, u32, u32)] = &[
    (1440, 12, 512, 1),
    (4096, 12, 2048, 1),
    (8192, 12, 4096, 2),
    (16384, 16, 512, 4),
    (32768, 16, 1024, 1),
    (65536, 16, 4096, 1),
    (32768, 12, 512, 128),
    (34 * 1024, 32, 512, 1),
    (140 * 1024, 32, 2048, 1),
    (300 * 1024, 32, 4096, 1),
];

fn geometry_tag(g: &(u64, u32, u32, u32)) -> String {
    format!("fat{}-{}k-s{}-c{}", g.1, g.0, g.2, g.2 * g.3)
}

#[test]
fn create_write_remove_on_every_geometry() {
    let dir = Scratch::new("geom");
    for g in GEOMETRIES {
        let tag = geometry_tag(g);
        let img = mkfs(&dir.0, g.0, g.1, g.2, g.3, &[]);
        let fs = Fs::vfat(img);
        let root = fs.root();
        let cs = fs.vol.bpb.cluster_size;
        fs.create(root, "A long file name.txt", 3 * cs + 17, 1)
            .unwrap();
        fs.create(root, "README.TXT", 100, 2).unwrap();
        fs.create(root, "readme2.txt", 0, 3).unwrap();
        fs.create(root, "MixedCase.Txt", 1, 4).unwrap();
        let sub = fs.mkdir(root, "Sub directory").unwrap();
        fs.create(sub, "inner file with a long name.bin", 2 * cs, 5)
            .unwrap();
        let deep = fs.mkdir(sub, "deep").unwrap();
        fs.create(deep, "x", 5, 6).unwrap();
        fs.create(root, "gone.txt", cs + 1, 7).unwrap();
        fs.remove(root, "gone.txt").unwrap();
        // Truncate down and up.
        let r = fs.lookup(root, "a long file name.TXT").unwrap();
        fs.resize(r.dev_pos, cs + 3, 8).unwrap();
        let r = fs.lookup(sub, "inner file with a long name.bin").unwrap();
        fs.resize(r.dev_pos, 5 * cs + 1, 9).unwrap();
        fs.rename(root, "README.TXT", sub, "moved readme.txt")
            .unwrap();
        fs.rename(sub, "deep", root, "deep moved").unwrap();
        let img = fs.unmount();
        fsck_clean(&dir.0, &img);
        let m = mdir(&dir.0, &img);
        let want: BTreeMap<String, MdirEntry> = [
            (
                "/A long file name.txt",
                "ALONGF~1.TXT",
                "A long file name.txt",
                Some(u64::from(cs + 3)),
            ),
            ("/readme2.txt", "README2.TXT", "readme2.txt", Some(0)),
            ("/MixedCase.Txt", "MIXEDC~1.TXT", "MixedCase.Txt", Some(1)),
            ("/Sub directory", "SUBDIR~1", "Sub directory", None),
            (
                "/Sub directory/inner file with a long name.bin",
                "INNERF~1.BIN",
                "inner file with a long name.bin",
                Some(u64::from(5 * cs + 1)),
            ),
            (
                "/Sub directory/moved readme.txt",
                "MOVEDR~1.TXT",
                "moved readme.txt",
                Some(100),
            ),
            ("/deep moved", "DEEPMO~1", "deep moved", None),
            ("/deep moved/x", "X", "x", Some(5)),
        ]
        .into_iter()
        .map(|(p, s, l, z)| {
            (
                p.to_string(),
                MdirEntry {
                    short: s.to_string(),
                    long: l.to_string(),
                    size: z,
                },
            )
        })
        .collect();
        // mdir shows a short-only name with its case flags applied, and
        // a name whose 8.3 alias differs only in case as its long name.
        let got: BTreeMap<String, MdirEntry> = m
            .into_iter()
            .map(|(p, mut e)| {
                e.short = e.short.to_uppercase();
                (p, e)
            })
            .collect();
        assert_eq!(got, want, "{tag}");
        // The dirty flag is clear again, the FSInfo count right (fsck
        // checked it), the boot sector otherwise as mkfs wrote it.
        let vol = Volume::open(&img[..], img.len() as u64).unwrap();
        assert!(!vol.load_state(false).unwrap().0.was_dirty, "{tag}");
    }
}

#[test]
fn dirty_flag_set_while_mounted() {
    let dir = Scratch::new("dirty");
    for (bits, off) in [(12, 0x25), (16, 0x25), (32, 0x41)] {
        let kib = if bits == 32 { 34 * 1024 } else { 16384 };
        let img = mkfs(&dir.0, kib, bits, 512, if bits == 12 { 16 } else { 1 }, &[]);
        assert_eq!(img[off] & 1, 0);
        let fs = Fs::vfat(img);
        let mut b = [0u8; 1];
        fs.vol.read_at(off as u64, &mut b).unwrap();
        assert_eq!(b[0] & 1, 1, "FAT{bits}: set while mounted");
        // A volume dirty at mount stays dirty (C's sbi->dirty).
        let img = fs.vol.device().0.borrow().clone();
        let vol = Volume::open(MemDevice::new(img), 0).unwrap();
        let (st, _) = vol.load_state(false).unwrap();
        assert!(st.was_dirty);
        assert_eq!(vol.set_state(&st, false).unwrap(), StateChange::WasDirty);
        let mut b = [0u8; 1];
        vol.read_at(off as u64, &mut b).unwrap();
        assert_eq!(b[0] & 1, 1, "FAT{bits}: left dirty");
        let img = fs.unmount();
        assert_eq!(img[off] & 1, 0, "FAT{bits}: cleared at unmount");
    }
}

#[test]
fn full_volume_gives_enospc_and_stays_clean() {
    let dir = Scratch::new("full");
    for g in [
        (1440u64, 12u32, 512u32, 1u32),
        (16384, 16, 512, 4),
        (34 * 1024, 32, 512, 1),
    ] {
        let tag = geometry_tag(&g);
        let img = mkfs(&dir.0, g.0, g.1, g.2, g.3, &[]);
        let fs = Fs::vfat(img);
        let root = fs.root();
        let sub = fs.mkdir(root, "d").unwrap();
        let cs = fs.vol.bpb.cluster_size;
        let free = fs.vol.free_clusters(|| false).unwrap();
        // One file takes all but 3 clusters, then files of 2 clusters.
        fs.create(sub, "big", (free - 3) * cs, 1).unwrap();
        fs.create(sub, "two", 2 * cs, 2).unwrap();
        let before = fs.vol.device().0.borrow().clone();
        let st_before = *fs.fat.borrow();
        // 2 clusters wanted, 1 free: nothing changes but the count.
        let r = fs.create(sub, "three", 0, 3).unwrap();
        let after_create = fs.vol.device().0.borrow().clone();
        assert_eq!(
            fs.resize(r.dev_pos, 2 * cs, 3),
            Err(FatError::NoSpace),
            "{tag}"
        );
        assert_eq!(
            *fs.vol.device().0.borrow(),
            after_create,
            "{tag}: FAT changed"
        );
        assert_eq!(fs.fat.borrow().free_count, Some(1), "{tag}");
        let _ = (before, st_before);
        fs.resize(r.dev_pos, cs, 3).unwrap();
        assert_eq!(fs.vol.free_clusters(|| false).unwrap(), 0);
        assert_eq!(
            fs.vol.extend_chain(&mut fs.fat.borrow_mut(), None, 1),
            Err(FatError::NoSpace)
        );
        // The directory cannot grow either: fill its cluster, then fail.
        let mut i = 0;
        let err = loop {
            match fs.create(sub, &format!("filler number {i} with a long name"), 0, 0) {
                Ok(_) => i += 1,
                Err(e) => break e,
            }
        };
        assert_eq!(err, FatError::NoSpace, "{tag}");
        let img = fs.unmount();
        fsck_clean(&dir.0, &img);
        let m = mdir(&dir.0, &img);
        assert_eq!(m["/d/big"].size, Some(u64::from((free - 3) * cs)), "{tag}");
        assert_eq!(m["/d/three"].size, Some(u64::from(cs)), "{tag}");
        assert_eq!(m.len(), 4 + i, "{tag}");
    }
}

#[test]
fn directory_grows_past_one_cluster() {
    let dir = Scratch::new("grow");
    for g in [
        (1440u64, 12u32, 512u32, 1u32),
        (16384, 16, 512, 4),
        (34 * 1024, 32, 512, 1),
        (32768, 12, 512, 128),
    ] {
        let tag = geometry_tag(&g);
        let img = mkfs(&dir.0, g.0, g.1, g.2, g.3, &[]);
        let fs = Fs::vfat(img);
        let root = fs.root();
        let sub = fs.mkdir(root, "many").unwrap();
        let cs = fs.vol.bpb.cluster_size;
        // Enough records for two and a half clusters. A record takes 3
        // slots (a 24-character name) in small clusters; in 64 KiB ones
        // 20 slots (a 247-character name), so the directory still spans
        // several clusters with a few hundred records, not thousands
        // (mdir's listing of thousands takes seconds).
        let pad = if cs > 4096 { 223 } else { 0 };
        let name = |i: u32| format!("file number {i:08}{}.dat", "x".repeat(pad));
        let slots = (name(0).len() as u32).div_ceil(13) + 1;
        let n = (cs / 32 / slots) * 5 / 2 + 1;
        for i in 0..n {
            fs.create(sub, &name(i), 0, 0)
                .unwrap_or_else(|e| panic!("{tag}: {i}/{n}: {e:?}"));
        }
        let DirLocation::Chain(start) = sub.loc else {
            panic!()
        };
        assert!(fs.vol.chain_len(start).unwrap() >= 3, "{tag}");
        // Remove every other one, add names that reuse the holes.
        for i in (0..n).step_by(2) {
            fs.remove(sub, &name(i)).unwrap();
        }
        let len_before = fs.vol.chain_len(start).unwrap();
        for i in (0..n).step_by(2) {
            fs.create(sub, &format!("FILE{i:04}.DAT"), 0, 0).unwrap();
        }
        assert_eq!(
            fs.vol.chain_len(start).unwrap(),
            len_before,
            "{tag}: holes reused"
        );
        let img = fs.unmount();
        fsck_clean(&dir.0, &img);
        let m = mdir(&dir.0, &img);
        assert_eq!(m.len() as u32, 1 + n, "{tag}");
        for i in 0..n {
            let p = if i % 2 == 0 {
                format!("/many/FILE{i:04}.DAT")
            } else {
                format!("/many/{}", name(i))
            };
            assert!(m.contains_key(&p), "{tag}: {p}");
        }
    }
}

#[test]
fn fixed_root_full_gives_enospc() {
    let dir = Scratch::new("root");
    for (bits, kib, spc) in [(16u32, 16384u64, 4u32), (12, 1440, 1)] {
        let img = mkfs(&dir.0, kib, bits, 512, spc, &["-r", "32"]);
        let fs = Fs::vfat(img);
        let root = fs.root();
        // mkfs.fat rounds the root up to whole clusters.
        let slots = fs.vol.bpb.root_entries;
        let mut made = 0;
        let err = loop {
            // Two slots each: "nameNN.txt" in lower case needs a long name.
            match fs.create(root, &format!("name{made:02}.txt"), 0, 0) {
                Ok(_) => made += 1,
                Err(e) => break e,
            }
        };
        assert_eq!(err, FatError::NoSpace);
        assert_eq!(made, slots / 2, "FAT{bits}");
        // A short-only name still fits nowhere; deleting frees two slots.
        assert_eq!(fs.create(root, "X", 0, 0).err(), Some(FatError::NoSpace));
        fs.remove(root, "name03.txt").unwrap();
        fs.create(root, "Y", 0, 0).unwrap();
        fs.create(root, "Z", 0, 0).unwrap();
        assert_eq!(fs.create(root, "W", 0, 0).err(), Some(FatError::NoSpace));
        let img = fs.unmount();
        fsck_clean(&dir.0, &img);
        let m = mdir(&dir.0, &img);
        assert_eq!(m.len() as u32, slots / 2 + 1, "FAT{bits}");
    }
}

/// The 8.3 names C's vfat gives, in order of creation in one directory.
#[test]
fn vfat_aliases_as_namei_vfat() {
    let dir = Scratch::new("alias");
    let img = mkfs(&dir.0, 16384, 16, 512, 4, &[]);
    let mut fs = Fs::vfat(img);
    fs.tick_step = 0;
    let root = fs.root();
    let cases: &[(&str, &str, u8, bool)] = &[
        // name, 8.3 as stored, case flags, long name written
        ("README.TXT", "README  TXT", 0, false),
        ("readme.txt2", "README~1TXT", 0, true),
        ("readme.md", "README  MD ", 0, true),
        ("a.b.c", "AB~1    C  ", 0, true),
        (".profile", "PROFIL~1   ", 0, true),
        ("...dots", "DOTS~1     ", 0, true),
        ("x y", "XY~1       ", 0, true),
        ("[brackets]", "_BRACK~1   ", 0, true),
        ("longername.text", "LONGER~1TEX", 0, true),
        ("longername.texts", "LONGER~2TEX", 0, true),
        ("UPPER", "UPPER      ", 0, false),
        ("lower", "LOWER      ", 0, true),
        ("é.txt", "\u{90}       TXT", 0, true),
        ("数据.txt", "__~1    TXT", 0, true),
        ("ABCDEFGH.XYZ", "ABCDEFGHXYZ", 0, false),
        ("ABCDEFGHI.XYZ", "ABCDEF~1XYZ", 0, true),
    ];
    for (name, short, lcase, long) in cases {
        fs.create(root, name, 0, 0).unwrap();
        let r = fs.lookup(root, name).unwrap();
        let want: Vec<u8> = short.chars().map(|c| u32::from(c) as u8).collect();
        assert_eq!(
            String::from_utf8_lossy(&r.entry.raw_name()),
            String::from_utf8_lossy(&want),
            "{name}"
        );
        assert_eq!(r.entry.lcase, *lcase, "{name}");
        assert_eq!(r.long_len > 0, *long, "{name}");
    }
    // Ten names with one alias base: ~1 to ~9, then the hashed form.
    for i in 0..11 {
        fs.create(root, &format!("collision name {i}.txt"), 0, 0)
            .unwrap();
    }
    let mut shorts: Vec<String> = (0..11)
        .map(|i| {
            let r = fs.lookup(root, &format!("collision name {i}.txt")).unwrap();
            String::from_utf8_lossy(&r.entry.raw_name()).into_owned()
        })
        .collect();
    let hashed = shorts.split_off(9);
    let want: Vec<String> = (1..10).map(|i| format!("COLLIS~{i}TXT")).collect();
    assert_eq!(shorts, want);
    // tick 0x12345678: "CO" + %04X of 0x5678, then of 0x5678 - 11; ~ and
    // '1' + (tick >> 16 & 7) = '5'.
    assert_eq!(hashed, ["CO5678~5TXT", "CO566D~5TXT"]);
    // An exact 8.3 name taken: EEXIST; only dots: ENOENT; bad characters.
    assert_eq!(
        fs.new_name(root, "README.TXT").err(),
        Some(FatError::Exists)
    );
    assert_eq!(fs.new_name(root, "...").err(), Some(FatError::NotFound));
    assert_eq!(fs.new_name(root, "a:b").err(), Some(FatError::InvalidName));
    assert_eq!(fs.new_name(root, "a ").err(), Some(FatError::InvalidName));
    assert_eq!(
        fs.new_name(root, &"x".repeat(256)).err(),
        Some(FatError::NameTooLong)
    );
    fs.create(root, &"y".repeat(255), 0, 0).unwrap();
    let img = fs.unmount();
    fsck_clean(&dir.0, &img);
    let m = mdir(&dir.0, &img);
    assert_eq!(m["/a.b.c"].short, "AB~1.C");
    assert_eq!(m[&format!("/{}", "y".repeat(255))].short, "YYYYYY~1");
    assert!(m.contains_key("/数据.txt"));
}

#[test]
fn vfat_shortname_modes() {
    let dir = Scratch::new("modes");
    let img = mkfs(&dir.0, 16384, 16, 512, 4, &[]);
    // (mode display, create, name) -> (stored, lcase, long name written)
    let modes = [
        ("mixed", ShortnameDisplay::WinNt, ShortnameCreate::Win95),
        ("winnt", ShortnameDisplay::WinNt, ShortnameCreate::WinNt),
        ("win95", ShortnameDisplay::Win95, ShortnameCreate::Win95),
        ("lower", ShortnameDisplay::Lower, ShortnameCreate::Win95),
    ];
    let names: &[(&str, [(u8, bool); 4])] = &[
        (
            "readme.txt",
            [(0, true), (0x18, false), (0, true), (0, true)],
        ),
        (
            "README.txt",
            [(0, true), (0x10, false), (0, true), (0, true)],
        ),
        (
            "readme.TXT",
            [(0, true), (0x08, false), (0, true), (0, true)],
        ),
        (
            "README.TXT",
            [(0, false), (0, false), (0, false), (0, false)],
        ),
        ("ReadMe.txt", [(0, true), (0, true), (0, true), (0, true)]),
        ("noext", [(0, true), (0x08, false), (0, true), (0, true)]),
        ("1234.txt", [(0, true), (0x10, false), (0, true), (0, true)]),
    ];
    for (k, (mode, disp, create)) in modes.iter().enumerate() {
        let mut o = MountOptions::new(0o022);
        o.utf8 = true;
        // As the option parser sets them.
        fat_logic::fat_disk::options::apply(&mut o, &Vfat, b"shortname", Some(mode.as_bytes()))
            .unwrap();
        assert_eq!((o.shortname, o.shortname_create), (*disp, *create));
        let fs = Fs::mount(img.clone(), &Vfat, o);
        let root = fs.root();
        for (name, want) in names {
            // Each alone (these names are one name without case).
            let n = fs.new_name(root, name).unwrap();
            assert_eq!((n.lcase, n.long_len > 0), want[k], "{mode} {name}");
        }
        let img = fs.unmount();
        fsck_clean(&dir.0, &img);
    }
    // nonumtail: the plain alias when it is free.
    let mut o = MountOptions::new(0o022);
    fat_logic::fat_disk::options::apply(&mut o, &Vfat, b"nonumtail", None).unwrap();
    assert!(!o.numtail);
    let fs = Fs::mount(img.clone(), &Vfat, o);
    let root = fs.root();
    assert_eq!(
        &fs.new_name(root, "long name.txt").unwrap().short,
        b"LONGNAMETXT"
    );
    fs.create(root, "long name.txt", 0, 0).unwrap();
    assert_eq!(
        &fs.new_name(root, "long-name.txt").unwrap().short,
        b"LONG-NAMTXT"
    );
    fs.create(root, "long-name.txt", 0, 0).unwrap();
    assert_eq!(
        &fs.new_name(root, "long_name.txt").unwrap().short,
        b"LONG_NAMTXT"
    );
    assert_eq!(
        &fs.new_name(root, "long-name.txt2").unwrap().short,
        b"LONG-N~1TXT"
    );
}

#[test]
fn msdos_names() {
    let dir = Scratch::new("msdos");
    let img = mkfs(&dir.0, 1440, 12, 512, 1, &[]);
    let mut o = MountOptions::new(0o022);
    o.dots = true;
    let fs = Fs::mount(img, &Msdos, o);
    let root = fs.root();
    fs.create(root, "readme.txt", 10, 1).unwrap();
    fs.create(root, "LongerName.Text", 11, 2).unwrap();
    fs.create(root, ".hidden", 0, 0).unwrap();
    let d = fs.mkdir(root, "subdir").unwrap();
    fs.create(d, "x", 1, 0).unwrap();
    assert_eq!(
        fs.new_name(root, "hidden").err(),
        Some(FatError::InvalidName)
    );
    assert_eq!(fs.new_name(root, "a*b").err(), Some(FatError::InvalidName));
    let r = fs.lookup(root, ".hidden").unwrap();
    assert_eq!(r.entry.attr & attr::HIDDEN, attr::HIDDEN);
    assert_eq!(r.long_len, 0);
    let r = fs.lookup(root, "LONGERNA.TEX").unwrap();
    assert_eq!(&r.entry.name, b"LONGERNATEX");
    // msdos keeps no creation time.
    assert_eq!((r.entry.ctime, r.entry.cdate), (0, 0));
    // A rename sets or clears hidden with the leading dot, as
    // do_msdos_rename; the other attributes stay.
    fs.rename(root, ".hidden", d, "shown").unwrap();
    let r = fs.lookup(d, "shown").unwrap();
    assert_eq!(r.entry.attr, attr::ARCHIVE);
    fs.rename(d, "x", root, ".x").unwrap();
    let r = fs.lookup(root, ".x").unwrap();
    assert_eq!(r.entry.attr, attr::ARCHIVE | attr::HIDDEN);
    let img = fs.unmount();
    fsck_clean(&dir.0, &img);
    let m = mdir(&dir.0, &img);
    let names: Vec<&str> = m.keys().map(String::as_str).collect();
    assert_eq!(
        names,
        [
            "/LONGERNA.TEX",
            "/README.TXT",
            "/SUBDIR",
            "/SUBDIR/SHOWN",
            "/X"
        ]
    );
}

#[test]
fn fat12_entries_straddle_sectors() {
    // FAT12 entry 341 spans bytes 511 and 512 of the FAT: both halves of
    // both FATs written, its neighbours kept.
    let dir = Scratch::new("fat12");
    let img = mkfs(&dir.0, 1440, 12, 512, 1, &[]);
    let fs = Fs::vfat(img);
    let mut st = *fs.fat.borrow();
    st.prev_free = 338;
    let first = fs.vol.alloc_clusters(&mut st, 6).unwrap();
    assert_eq!(first, 339);
    let chain: Vec<u32> = fs.vol.chain(first).map(Result::unwrap).collect();
    assert_eq!(chain, [339, 340, 341, 342, 343, 344]);
    let fat = fs.vol.bpb.fat_offset as usize;
    let fat_len = (fs.vol.bpb.fat_sectors * fs.vol.bpb.bytes_per_sector) as usize;
    {
        let img = fs.vol.device().0.borrow();
        assert_eq!(
            img[fat..fat + fat_len],
            img[fat + fat_len..fat + 2 * fat_len]
        );
    }
    assert_eq!(fs.vol.raw_entry(341).unwrap(), 342);
    assert_eq!(fs.vol.raw_entry(344).unwrap(), 0xfff);
    assert_eq!(fs.vol.truncate_chain(&mut st, first, 2).unwrap(), 4);
    assert_eq!(fs.vol.raw_entry(340).unwrap(), 0xfff);
    assert_eq!(fs.vol.raw_entry(341).unwrap(), 0);
    assert_eq!(fs.vol.free_chain(&mut st, first).unwrap(), 2);
    assert_eq!(st.prev_free, 344);
    *fs.fat.borrow_mut() = st;
    let img = fs.unmount();
    fsck_clean(&dir.0, &img);
}

#[test]
fn clusters_taken_at_once_are_those_taken_one_by_one() {
    // A write reserves its clusters in one FAT update
    // (`extend_chain_run`); the volume must come out as `fat_add_cluster`
    // leaves it, one cluster a call: same clusters, same links, same
    // hint and free count, on a FAT with holes and across the wrap.
    let dir = Scratch::new("batch");
    for (bits, kib) in [(12u32, 1440u64), (16, 16384), (32, 34 * 1024)] {
        let img = mkfs(&dir.0, kib, bits, 512, 1, &[]);
        let one = Fs::vfat(img.clone());
        let all = Fs::vfat(img);
        let max = one.vol.max_cluster();
        // Used clusters: every third of the first 30, and the last ten.
        let used: Vec<u32> = (2..32).step_by(3).chain(max - 9..=max).collect();
        for fs in [&one, &all] {
            let mut st = *fs.fat.borrow();
            for &c in &used {
                fs.vol.set_entry(&mut st, c, 0x0fff_ffff).unwrap();
            }
            *fs.fat.borrow_mut() = st;
        }
        // A file's first clusters: contiguous, so a run of all of them.
        let mut st = *all.fat.borrow();
        st.prev_free = max - 40;
        let (first, run) = all.vol.extend_chain_run(&mut st, None, 5).unwrap();
        assert_eq!((first, run), (max - 39, 5), "FAT{bits}");
        // Then through the used ones and the wrap: a run of one.
        let (next, run) = all
            .vol
            .extend_chain_run(&mut st, Some(first + 4), 40)
            .unwrap();
        assert_eq!((next, run), (max - 34, 1), "FAT{bits}");
        *all.fat.borrow_mut() = st;
        let mut st = *one.fat.borrow();
        st.prev_free = max - 40;
        let mut last = None;
        for _ in 0..45 {
            last = Some(one.vol.extend_chain(&mut st, last, 1).unwrap());
        }
        *one.fat.borrow_mut() = st;
        assert_eq!(*one.fat.borrow(), *all.fat.borrow(), "FAT{bits}");
        let a: Vec<u32> = one.vol.chain(first).map(Result::unwrap).collect();
        let b: Vec<u32> = all.vol.chain(first).map(Result::unwrap).collect();
        assert_eq!(a.len(), 45, "FAT{bits}");
        assert_eq!(a, b, "FAT{bits}");
        assert_eq!(one.unmount(), all.unmount(), "FAT{bits}");
    }
}

#[test]
fn backup_fats_get_the_first_fats_sectors() {
    // As fat_mirror_bhs: the sectors a change touched are copied whole,
    // so a backup FAT that differed there is mended; others stay.
    let dir = Scratch::new("mirror");
    for (bits, kib, spc) in [(12u32, 1440u64, 1u32), (16, 16384, 4), (32, 34 * 1024, 1)] {
        let mut img = mkfs(&dir.0, kib, bits, 512, spc, &[]);
        let (fat, fat_len) = {
            let v = Volume::open(&img[..], img.len() as u64).unwrap();
            (
                v.bpb.fat_offset as usize,
                (v.bpb.fat_sectors * 512) as usize,
            )
        };
        // Damage the backup FAT in sectors 0 and 3 (entries not in use).
        img[fat + fat_len + 400] ^= 0x5a;
        img[fat + fat_len + 3 * 512 + 100] ^= 0x5a;
        let fs = Fs::vfat(img);
        // A cluster whose entry is in sector 0.
        let mut st = *fs.fat.borrow();
        st.prev_free = 10;
        assert_eq!(fs.vol.alloc_clusters(&mut st, 1).unwrap(), 11);
        let img = fs.vol.device().0.borrow().clone();
        assert_eq!(
            img[fat..fat + 512],
            img[fat + fat_len..fat + fat_len + 512],
            "FAT{bits}"
        );
        assert_ne!(
            img[fat + 3 * 512..fat + 4 * 512],
            img[fat + fat_len + 3 * 512..fat + fat_len + 4 * 512],
            "FAT{bits}"
        );
        let v = Volume::open(&img[..], img.len() as u64).unwrap();
        let eoc = (1u32 << bits.min(28)) - 1;
        assert_eq!(v.raw_entry(11).unwrap(), eoc, "FAT{bits}");
    }
}

#[test]
fn fsinfo_kept_as_c_keeps_it() {
    let dir = Scratch::new("fsinfo");
    let mut img = mkfs(&dir.0, 34 * 1024, 32, 512, 1, &[]);
    let vol = Volume::open(&img[..], img.len() as u64).unwrap();
    let fsinfo = vol.bpb.fsinfo_sector as usize * 512;
    let free = vol.free_clusters(|| false).unwrap();
    let (st, _) = vol.load_state(false).unwrap();
    let count = vol.bpb.cluster_count;
    assert_eq!(st.free_count, Some(free));
    assert!(!st.free_valid);
    assert!(vol.load_state(true).unwrap().0.free_valid);
    // A count above the cluster count is unknown; a hint out of range
    // wraps.
    img[fsinfo + 488..fsinfo + 492].copy_from_slice(&u32::MAX.to_le_bytes());
    img[fsinfo + 492..fsinfo + 496].copy_from_slice(&(count + 5).to_le_bytes());
    let vol = Volume::open(&img[..], img.len() as u64).unwrap();
    let (st, _) = vol.load_state(false).unwrap();
    assert_eq!(st.free_count, None);
    assert_eq!(st.prev_free, 3);
    // Allocation with an unknown count leaves it unknown and the stored
    // count alone; counting (statfs) makes it known.
    let fs = Fs::vfat(img.clone());
    fs.create(fs.root(), "f", 10_000, 1).unwrap();
    assert_eq!(fs.fat.borrow().free_count, None);
    let n = fs
        .vol
        .count_free(&mut fs.fat.borrow_mut(), || false)
        .unwrap();
    assert_eq!(n, free - 20);
    fs.create(fs.root(), "g", 512, 1).unwrap();
    assert_eq!(fs.fat.borrow().free_count, Some(free - 21));
    let next = fs.fat.borrow().prev_free;
    let out = fs.unmount();
    assert_eq!(out[fsinfo + 488..fsinfo + 492], (free - 21).to_le_bytes());
    assert_eq!(out[fsinfo + 492..fsinfo + 496], next.to_le_bytes());
    fsck_clean(&dir.0, &out);
    // A stored count lower than what is taken runs out as C's unsigned
    // count does, into unknown: the stored count stays (C's -1 is not
    // written), where counting down to 0 would write a wrong number.
    let mut low = img.clone();
    low[fsinfo + 488..fsinfo + 492].copy_from_slice(&3u32.to_le_bytes());
    let fs = Fs::vfat(low);
    fs.create(fs.root(), "f", 10_000, 1).unwrap();
    assert_eq!(fs.fat.borrow().free_count, None);
    fs.remove(fs.root(), "f").unwrap();
    assert_eq!(fs.fat.borrow().free_count, None);
    let out = fs.unmount();
    assert_eq!(out[fsinfo + 488..fsinfo + 492], 3u32.to_le_bytes());
    // A bad signature: warned at mount, left alone at flush, which is
    // no error (fat_clusters_flush logs it and succeeds).
    img[fsinfo] = 0;
    let vol = Volume::open(MemDevice::new(img), 0).unwrap();
    let (mut st, check) = vol.load_state(false).unwrap();
    assert!(matches!(check, FsinfoCheck::BadSignature { sector: 1, .. }));
    assert_eq!(st.free_count, None);
    st.fsinfo_dirty = true;
    assert!(matches!(
        vol.flush_fsinfo(&mut st),
        Ok(FsinfoCheck::BadSignature { sector: 1, .. })
    ));
    assert!(!st.fsinfo_dirty);
}

#[test]
fn rmdir_refuses_a_directory_with_entries() {
    let dir = Scratch::new("rmdir");
    let img = mkfs(&dir.0, 34 * 1024, 32, 512, 1, &[]);
    let fs = Fs::vfat(img);
    let root = fs.root();
    let d = fs.mkdir(root, "d").unwrap();
    fs.create(d, "f", 1, 1).unwrap();
    assert_eq!(fs.remove(root, "d"), Err(FatError::NotEmpty));
    fs.remove(d, "f").unwrap();
    fs.remove(root, "d").unwrap();
    // `..` of a child of the root is 0 on FAT32 too.
    let d = fs.mkdir(root, "e").unwrap();
    let e = fs.mkdir(d, "f").unwrap();
    let dotdot = |at: Dir| {
        let DirLocation::Chain(c) = at.loc else {
            panic!()
        };
        let mut b = [0u8; 32];
        fs.vol
            .read_at(fs.vol.bpb.cluster_offset(c).unwrap() + 32, &mut b)
            .unwrap();
        (u32::from(u16::from_le_bytes([b[20], b[21]])) << 16)
            | u32::from(u16::from_le_bytes([b[26], b[27]]))
    };
    assert_eq!(dotdot(d), 0);
    assert_eq!(dotdot(e), d.start);
    let img = fs.unmount();
    fsck_clean(&dir.0, &img);
}

/// A small deterministic generator (xorshift).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// Random operations against an in-memory model of the tree, checked
/// after every step by lookups and at the end by fsck.fat and mdir.
#[test]
fn random_operations_against_a_model() {
    let dir = Scratch::new("random");
    for (seed, g) in [
        (1u64, (1440u64, 12u32, 512u32, 1u32)),
        (2, (16384, 16, 512, 4)),
        (3, (34 * 1024, 32, 512, 1)),
        (4, (8192, 12, 4096, 2)),
    ] {
        let tag = format!("seed {seed} {}", geometry_tag(&g));
        let img = mkfs(&dir.0, g.0, g.1, g.2, g.3, &[]);
        let fs = Fs::vfat(img);
        let cs = fs.vol.bpb.cluster_size;
        let mut rng = Rng(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15));
        // The model: directory path -> (its Dir, name -> size or None for
        // a directory). Names are compared without case by vfat: the
        // pool below has no two names equal without case.
        let mut dirs: BTreeMap<String, (Dir, BTreeMap<String, Option<u32>>)> = BTreeMap::new();
        dirs.insert(String::new(), (fs.root(), BTreeMap::new()));
        let pool = [
            "a",
            "B",
            "c.txt",
            "Data File.bin",
            "notes.md",
            "UPPER.TXT",
            "x y z",
            "very long name number one.text",
            "very long name number two.text",
            "émigré.txt",
            "ÅÄÖ",
            "d",
            "e.e.e",
            "f~1",
            "GG",
            "h.tar.gz",
        ];
        for step in 0..400 {
            let dpath = dirs
                .keys()
                .nth(rng.below(dirs.len() as u64) as usize)
                .unwrap()
                .clone();
            let (d, entries) = dirs[&dpath].clone();
            let name = pool[rng.below(pool.len() as u64) as usize];
            let exists = entries.contains_key(name);
            assert_eq!(
                fs.lookup(d, name).is_some(),
                exists,
                "{tag} step {step}: {dpath}/{name}"
            );
            let op = rng.below(10);
            let res: Result<(), FatError> = match (op, exists) {
                (0..=3, false) => {
                    let size = rng.below(u64::from(cs) * 3) as u32;
                    let r = fs.create(d, name, size, step as u8).map(|_| ());
                    if r.is_ok() {
                        dirs.get_mut(&dpath)
                            .unwrap()
                            .1
                            .insert(name.to_string(), Some(size));
                    }
                    r
                }
                (4, false) if dirs.len() < 12 => {
                    let r = fs.mkdir(d, name);
                    if let Ok(nd) = r {
                        dirs.get_mut(&dpath)
                            .unwrap()
                            .1
                            .insert(name.to_string(), None);
                        dirs.insert(format!("{dpath}/{name}"), (nd, BTreeMap::new()));
                    }
                    r.map(|_| ())
                }
                (5..=6, true) => {
                    let sub = format!("{dpath}/{name}");
                    let r = fs.remove(d, name);
                    match entries[name] {
                        Some(_) => {
                            r.unwrap();
                            dirs.get_mut(&dpath).unwrap().1.remove(name);
                        }
                        None => {
                            let empty = dirs[&sub].1.is_empty();
                            if empty {
                                r.unwrap();
                                dirs.get_mut(&dpath).unwrap().1.remove(name);
                                dirs.remove(&sub);
                            } else {
                                assert_eq!(r, Err(FatError::NotEmpty), "{tag}");
                            }
                        }
                    }
                    Ok(())
                }
                (7, true) if entries[name].is_some() => {
                    let size = rng.below(u64::from(cs) * 4) as u32;
                    let rec = fs.lookup(d, name).unwrap();
                    let r = fs.resize(rec.dev_pos, size, step as u8);
                    if r.is_ok() {
                        dirs.get_mut(&dpath)
                            .unwrap()
                            .1
                            .insert(name.to_string(), Some(size));
                    }
                    r
                }
                (8..=9, true) if entries[name].is_some() => {
                    // Rename a file to a free name of any directory.
                    let tpath = dirs
                        .keys()
                        .nth(rng.below(dirs.len() as u64) as usize)
                        .unwrap()
                        .clone();
                    let to = pool[rng.below(pool.len() as u64) as usize];
                    if dirs[&tpath].1.contains_key(to) {
                        Ok(())
                    } else {
                        let td = dirs[&tpath].0;
                        let r = fs.rename(d, name, td, to);
                        if r.is_ok() {
                            let size = dirs.get_mut(&dpath).unwrap().1.remove(name).unwrap();
                            dirs.get_mut(&tpath).unwrap().1.insert(to.to_string(), size);
                        }
                        r
                    }
                }
                _ => Ok(()),
            };
            res.unwrap_or_else(|e| panic!("{tag} step {step}: op {op} {dpath}/{name}: {e:?}"));
        }
        let img = fs.unmount();
        fsck_clean(&dir.0, &img);
        let m = mdir(&dir.0, &img);
        let mut want = BTreeMap::new();
        for (p, (_, entries)) in &dirs {
            for (n, size) in entries {
                want.insert(format!("{p}/{n}"), size.map(u64::from));
            }
        }
        let got: BTreeMap<String, Option<u64>> =
            m.iter().map(|(p, e)| (p.clone(), e.size)).collect();
        assert_eq!(got, want, "{tag}");
    }
}

/// What the fuzzer runs of the write side, on clean volumes: many
/// scripts of operations through both namespaces, each volume
/// fsck-clean afterwards.
#[test]
fn exercise_writes_keeps_clean_volumes_clean() {
    let dir = Scratch::new("exercise");
    for g in [
        (1440u64, 12u32, 512u32, 1u32),
        (4096, 16, 512, 1),
        (34 * 1024, 32, 512, 1),
    ] {
        let img = mkfs(&dir.0, g.0, g.1, g.2, g.3, &[]);
        for seed in 0..12u8 {
            let mut img = img.clone();
            let n = img.len();
            // The script comes from the last bytes: free space here.
            img[n - 32..].fill(seed.wrapping_mul(37));
            img[n - 1] = seed;
            let out = fat_logic::exercise_writes(&img);
            assert_ne!(
                out,
                img,
                "{} seed {seed}: nothing written",
                geometry_tag(&g)
            );
            fsck_clean(&dir.0, &out);
            // And the listing of the result reads back.
            fat_logic::listing(&out).unwrap();
        }
    }
}

/// The write side on damaged volumes: bytes of the FAT, the root and the
/// boot sector overwritten at random; every operation may fail, none may
/// panic, and the listing of the result still reads or fails cleanly.
#[test]
fn exercise_writes_survives_damaged_volumes() {
    let dir = Scratch::new("damaged");
    let mut rng = Rng(0x5eed);
    for g in [
        (1440u64, 12u32, 512u32, 1u32),
        (4096, 16, 512, 1),
        (2048, 12, 2048, 1),
    ] {
        let img = mkfs(&dir.0, g.0, g.1, g.2, g.3, &[]);
        let meta = {
            let vol = Volume::open(&img[..], img.len() as u64).unwrap();
            vol.bpb.data_offset as usize + 4 * vol.bpb.cluster_size as usize
        };
        for round in 0..150u32 {
            let mut img = img.clone();
            let n = img.len();
            for _ in 0..1 + rng.below(24) {
                // Mostly the FAT and directories; sometimes the BPB.
                let at = if rng.below(8) == 0 {
                    rng.below(64) as usize
                } else {
                    rng.below(meta as u64) as usize
                };
                img[at] = rng.next() as u8;
            }
            img[n - 1] = round as u8;
            let out = fat_logic::exercise_writes(&img);
            assert_eq!(out.len(), n);
            let _ = fat_logic::listing(&out);
            let _ = fat_logic::exercise(&out);
        }
    }
}

#[test]
fn times_round_trip_as_fat_time_unix2fat() {
    use fat_logic::fat_disk::time::{
        fat_to_unix,
        truncate_atime,
        truncate_mtime, //
    };
    let mut rng = Rng(77);
    for tz in [0i64, 3600, -7200, 330 * 60] {
        for _ in 0..2000 {
            // 1980-01-02 .. 2107-12-30, any nanoseconds.
            let sec = 315_619_200 + rng.below(4_354_819_200 - 315_619_200 - 2 * 86400) as i64 + tz;
            let ts = Timestamp {
                sec,
                nsec: (rng.next() % 1_000_000_000) as u32,
            };
            let (time, date, cs) = unix_to_fat(ts, tz);
            assert_eq!(
                fat_to_unix(time, date, 0, tz),
                truncate_mtime(ts),
                "{ts:?} tz {tz}"
            );
            // The creation time keeps 10 ms.
            let c = fat_to_unix(time, date, cs, tz);
            assert_eq!(c.sec, ts.sec, "{ts:?}");
            assert_eq!(c.nsec, ts.nsec / 10_000_000 * 10_000_000);
            assert_eq!(
                fat_to_unix(0, date, 0, tz),
                truncate_atime(ts, tz),
                "{ts:?} tz {tz}"
            );
        }
    }
    // Out of FAT's range: clamped as C clamps.
    let old = Timestamp { sec: 0, nsec: 0 };
    assert_eq!(unix_to_fat(old, 0), (0, (1 << 5) | 1, 0));
    let late = Timestamp {
        sec: 5_000_000_000,
        nsec: 0,
    };
    assert_eq!(
        unix_to_fat(late, 0),
        (
            (23 << 11) | (59 << 5) | 29,
            (127 << 9) | (12 << 5) | 31,
            199
        )
    );
    // 2024-02-29 12:34:56 UTC.
    let t = Timestamp {
        sec: 1_709_210_096,
        nsec: 0,
    };
    assert_eq!(
        unix_to_fat(t, 0),
        ((12 << 11) | (34 << 5) | 28, (44 << 9) | (2 << 5) | 29, 0)
    );
}

#[test]
fn directory_limits_as_fat_add_entries() {
    let dir = Scratch::new("limits");
    let img = mkfs(&dir.0, 16384, 16, 512, 1, &[]);
    let fs = Fs::vfat(img);
    let root = fs.root();
    let d = fs.mkdir(root, "d").unwrap();
    let DirLocation::Chain(start) = d.loc else {
        panic!()
    };
    // A used slot after the end marker: EIO in Linux 7.3, nothing written.
    let base = fs.vol.bpb.cluster_offset(start).unwrap();
    let mut used = blank_entry(b"USED    TXT");
    used.attr = attr::ARCHIVE;
    let raw = fat_logic::fat_disk::dir_write::encode_entry(&used);
    fs.vol.device().0.borrow_mut()[base as usize + 96..base as usize + 128].copy_from_slice(&raw);
    let before = fs.vol.device().0.borrow().clone();
    assert_eq!(fs.create(d, "a long name", 0, 0), Err(FatError::CorruptDir));
    assert_eq!(*fs.vol.device().0.borrow(), before);
    // A one-slot record fits before it (the run ends at the first free slot).
    fs.create(d, "A", 0, 0).unwrap();
    fs.vol.device().0.borrow_mut()[base as usize + 96..base as usize + 128].fill(0);
    // A directory of 2 MiB of used slots takes no more (FAT_MAX_DIR_SIZE).
    let (last, n) = fs.vol.chain_last(start).unwrap();
    let want = (2 << 20) / 512;
    fs.vol
        .extend_chain(&mut fs.fat.borrow_mut(), Some(last), want - n)
        .unwrap();
    for (i, c) in fs.vol.chain(start).enumerate() {
        let off = fs.vol.bpb.cluster_offset(c.unwrap()).unwrap() as usize;
        let mut img = fs.vol.device().0.borrow_mut();
        for k in 0..16 {
            if i == 0 && k < 3 {
                continue;
            }
            let mut e = used;
            e.name = *format!("F{:07}TXT", i * 16 + k)
                .as_bytes()
                .first_chunk()
                .unwrap();
            let raw = fat_logic::fat_disk::dir_write::encode_entry(&e);
            img[off + k * 32..off + k * 32 + 32].copy_from_slice(&raw);
        }
    }
    // The last slot freed: still refused, it is at 2 MiB - 32.
    let (last, _) = fs.vol.chain_last(start).unwrap();
    let end = fs.vol.bpb.cluster_offset(last).unwrap() as usize + 15 * 32;
    fs.vol.device().0.borrow_mut()[end] = 0xe5;
    assert_eq!(fs.create(d, "B", 0, 0), Err(FatError::NoSpace));
    // One slot freed before it: taken.
    fs.vol.device().0.borrow_mut()[end - 32] = 0xe5;
    fs.create(d, "C", 0, 0).unwrap();
    assert_eq!(fs.vol.chain_len(start).unwrap(), want);
}

#[test]
fn user_errnos() {
    assert_eq!(FatError::NoSpace.user_errno(), Some(28));
    assert_eq!(FatError::Exists.user_errno(), Some(17));
    assert_eq!(FatError::NameTooLong.user_errno(), Some(36));
    assert_eq!(FatError::InvalidName.user_errno(), Some(22));
    assert_eq!(FatError::NotEmpty.user_errno(), Some(39));
    assert_eq!(FatError::NotFound.user_errno(), Some(2));
    assert_eq!(FatError::BrokenChain.user_errno(), None);
    assert_eq!(FatError::CorruptDir.user_errno(), None);
}

/// The record a scan parses and the one read back from its 8.3 entry in
/// place (`record_slots_at`, the kernel's unlink) are the same: names of
/// 1 to 40 characters (one to four long-name slots) in a directory with
/// holes, some runs across 512-byte pieces, and hand-made slot runs the
/// scan parses in other ways (a stray run before the record, an ordinal
/// marked last in the middle, a checksum that does not match).
#[test]
fn record_slots_in_place_as_the_scan() {
    let dir = Scratch::new("inplace");
    for g in GEOMETRIES {
        let tag = geometry_tag(g);
        let img = mkfs(&dir.0, g.0, g.1, g.2, g.3, &[]);
        let fs = Fs::vfat(img);
        let root = fs.root();
        let sub = fs.mkdir(root, "many names").unwrap();
        let name = |i: usize| format!("{}{i}", "n".repeat(i * 7 % 40 + 1));
        for i in 0..60 {
            fs.create(sub, &name(i), 0, i as u8).unwrap();
        }
        for i in (0..60).step_by(7) {
            fs.remove(sub, &name(i)).unwrap();
        }
        let (mut told, mut all) = (0, 0);
        let mut r = DirReader::new(&fs.vol, sub.loc, true);
        while let Some(rec) = r.next_record().unwrap() {
            if rec.entry.is_dot() {
                continue;
            }
            all += 1;
            let want = ((rec.end - rec.start) / 32) as usize;
            if let Some(n) = record_slots_at(&fs.vol, rec.dev_pos, true).unwrap() {
                assert_eq!(n, want, "{tag}: record at {}", rec.dev_pos);
                told += 1;
            }
        }
        assert_eq!(all, 51, "{tag}");
        assert!(told >= 35, "{tag}: only {told} of {all} told in place");
    }
    // Hand-made runs in one 512-byte piece: slot 0 .. 15.
    let sfn = *b"ABCDEFGHTXT";
    let sum = fat_logic::fat_disk::format::lfn_checksum(&sfn);
    let lfn = |id: u8, sum: u8| {
        let mut s = [0u8; 32];
        s[0] = id;
        s[11] = 0x0f;
        s[13] = sum;
        s
    };
    let piece = |slots: &[[u8; 32]]| {
        let mut img = vec![0u8; 512];
        for (i, s) in slots.iter().enumerate() {
            img[i * 32..i * 32 + 32].copy_from_slice(s);
        }
        img
    };
    let mut short = [0u8; 32];
    short[..11].copy_from_slice(&sfn);
    short[11] = 0x20;
    let mut other = short;
    other[0] = b'Z';
    let deleted = {
        let mut d = lfn(0x41, sum);
        d[0] = 0xe5;
        d
    };
    let cases: &[(&[[u8; 32]], Option<usize>)] = &[
        // A run of two before the entry, a record before it.
        (&[other, lfn(0x42, sum), lfn(1, sum), short], Some(3)),
        // No long name: a record or a deleted slot before the entry.
        (&[other, short], Some(1)),
        (&[other, deleted, short], Some(1)),
        // The run's first slot is the piece's first: the slot before it
        // is unseen.
        (&[lfn(0x42, sum), lfn(1, sum), short], None),
        // The entry is the piece's first slot.
        (&[short], None),
        // A slot marked last in the middle of a longer run.
        (
            &[other, lfn(0x43, sum), lfn(0x42, sum), lfn(1, sum), short],
            None,
        ),
        // Another checksum: the scan parses the entry alone, unsure here.
        (&[other, lfn(0x41, sum ^ 1), short], None),
        // A run with no slot marked last.
        (&[other, lfn(2, sum), lfn(1, sum), short], None),
    ];
    for (i, (slots, want)) in cases.iter().enumerate() {
        let img = piece(slots);
        let vol_dev = img.as_slice();
        let k = slots.len() - 1;
        let mut got = None;
        fat_logic::fat_disk::volume::BlockDevice::view_at(&vol_dev, 0, 512, &mut |b| {
            got = fat_logic::fat_disk::dir_write::slots_in_piece(b, k, true);
        })
        .unwrap();
        assert_eq!(got, *want, "case {i}");
    }
}
