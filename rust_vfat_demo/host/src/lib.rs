// SPDX-License-Identifier: GPL-2.0

//! Host tools over [`fat_disk`], the crate `rust_fat` runs in the kernel:
//! the `fatlist` listing of a FAT image, which the host tests compare with
//! mtools and the fuzzer feeds with arbitrary bytes.
//!
//! The listing walks the volume with the same directory reader, long-name
//! assembly, name display and chain checks the mounted file system uses
//! (`rust_vfat` mounted with `utf8`), so what it shows for an image is the
//! tree a mount shows.
//!
//! Format, one line per entry, depth-first, entries in on-disk order,
//! tab-separated: absolute path, size (0 for directories), attribute letters
//! (`drhsa`, `-` for each absent), the 8.3 name as stored (`NAME.EXT`). The
//! first line is `label\t<volume label>`.

pub use fat_disk;

/// The VFAT namespace's rules: the very source `rust_vfat` compiles.
#[path = "../../ns/vfat.rs"]
pub mod vfat;

/// The MS-DOS namespace's rules: the very source `rust_msdos` compiles.
#[path = "../../ns/msdos.rs"]
pub mod msdos;

use fat_disk::dir::{
    DirLocation,
    DirReader,
    SlotReader, //
};
use fat_disk::format::{
    attr,
    cp437_to_char,
    FatError,
    Slot, //
};
use fat_disk::inode::first_cluster;
use fat_disk::names::{
    long_name,
    IoCharset,
    NameBuf, //
};
use fat_disk::options::ShortnameDisplay;
use fat_disk::volume::Volume;
use vfat::vfat_short_name;

/// A FAT image in memory that the write side can change: the host's
/// [`fat_disk::volume::BlockDeviceMut`].
#[derive(Debug, Default)]
pub struct MemDevice(pub std::cell::RefCell<Vec<u8>>);

impl MemDevice {
    /// An image held in memory.
    pub fn new(img: Vec<u8>) -> Self {
        MemDevice(std::cell::RefCell::new(img))
    }

    /// The image's bytes.
    pub fn into_inner(self) -> Vec<u8> {
        self.0.into_inner()
    }

    /// The image's length.
    pub fn len(&self) -> u64 {
        self.0.borrow().len() as u64
    }

    /// Whether the image is empty.
    pub fn is_empty(&self) -> bool {
        self.0.borrow().is_empty()
    }
}

impl fat_disk::volume::BlockDevice for MemDevice {
    fn read_at(&self, pos: u64, buf: &mut [u8]) -> Result<(), FatError> {
        fat_disk::volume::BlockDevice::read_at(self.0.borrow().as_slice(), pos, buf)
    }
}

impl fat_disk::volume::BlockDeviceMut for MemDevice {
    fn write_at(&self, pos: u64, buf: &[u8]) -> Result<(), FatError> {
        let start = usize::try_from(pos).map_err(|_| FatError::Truncated)?;
        let end = start.checked_add(buf.len()).ok_or(FatError::Truncated)?;
        self.0
            .borrow_mut()
            .get_mut(start..end)
            .ok_or(FatError::Truncated)?
            .copy_from_slice(buf);
        Ok(())
    }
}

/// Longest path the listing builds, as the kernel's `PATH_MAX`.
pub const MAX_PATH: usize = 4096;
/// Largest listing: bounds images whose directories share clusters, which
/// would otherwise list the same subtree again and again.
pub const MAX_LISTING: usize = 64 << 20;

/// Appends the attribute letters `drhsa`.
pub fn attr_letters(a: u8, out: &mut String) {
    for (bit, letter) in [
        (attr::DIRECTORY, 'd'),
        (attr::READ_ONLY, 'r'),
        (attr::HIDDEN, 'h'),
        (attr::SYSTEM, 's'),
        (attr::ARCHIVE, 'a'),
    ] {
        out.push(if a & bit != 0 { letter } else { '-' });
    }
}

/// The volume label: the root directory's label entry, else the boot
/// sector's (unless it is the `NO NAME` placeholder).
pub fn volume_label(vol: &Volume<&[u8]>) -> Result<String, FatError> {
    let mut slots = SlotReader::new(vol, DirLocation::root(vol));
    let mut label = None;
    while let Some(s) = slots.next_slot()? {
        match Slot::decode(&s.raw) {
            Slot::End => break,
            Slot::Label(l) => {
                label = Some(l);
                break;
            }
            _ => {}
        }
    }
    let label = match (label, vol.bpb.bpb_label) {
        (Some(l), _) => l,
        (None, Some(l)) if &l != b"NO NAME    " => l,
        _ => return Ok(String::new()),
    };
    let end = label
        .iter()
        .rposition(|&c| c != b' ' && c != 0)
        .map_or(0, |p| p + 1);
    // A control character would break the listing's format.
    if label[..end].iter().any(|&b| b < 0x20) {
        return Err(FatError::BadName);
    }
    Ok(label[..end].iter().map(|&b| cp437_to_char(b)).collect())
}

/// Lists a FAT image (see the crate documentation for the format).
pub fn listing(img: &[u8]) -> Result<String, FatError> {
    let vol = Volume::open(img, img.len() as u64)?;
    let mut out = format!("label\t{}\n", volume_label(&vol)?);
    // (directory, its path, its first cluster) still to walk: depth-first
    // in on-disk order, so each directory's entries are listed before the
    // next sibling's subtree... as a stack of readers.
    let mut stack: Vec<(DirReader<'_, &[u8]>, String, u32)> = Vec::new();
    let root = DirLocation::root(&vol);
    let root_start = match root {
        DirLocation::Chain(c) => {
            vol.chain_len(c)?;
            c
        }
        DirLocation::FixedRoot => 0,
    };
    stack.push((DirReader::new(&vol, root, true), String::new(), root_start));
    let mut name: NameBuf = NameBuf::new();
    while let Some((reader, dir_path, _)) = stack.last_mut() {
        let Some(rec) = reader.next_record()? else {
            stack.pop();
            continue;
        };
        let e = rec.entry;
        if e.is_dot() {
            continue;
        }
        name.clear();
        if rec.long_len > 0 {
            long_name(reader.long_name(&rec), IoCharset::Utf8, false, &mut name)?;
        }
        if name.as_bytes().is_empty() {
            vfat_short_name(
                &e,
                IoCharset::Utf8,
                false,
                ShortnameDisplay::WinNt,
                &mut name,
            )?;
        }
        let name = std::str::from_utf8(name.as_bytes()).map_err(|_| FatError::LfnEncoding)?;
        // A tab or newline would break the listing's format, a '/' its paths.
        if name.bytes().any(|b| b < 0x20 || b == b'/') {
            return Err(FatError::BadName);
        }
        let path = format!("{dir_path}/{name}");
        if path.len() > MAX_PATH {
            return Err(FatError::TooDeep);
        }
        if out.len() > MAX_LISTING {
            return Err(FatError::TooLarge);
        }
        let size = if e.is_dir() { 0 } else { e.size };
        out.push_str(&format!("{path}\t{size}\t"));
        attr_letters(e.attr, &mut out);
        out.push('\t');
        let (base, ext) = e.name_parts();
        out.extend(base.iter().map(|&b| cp437_to_char(b)));
        if !ext.is_empty() {
            out.push('.');
            out.extend(ext.iter().map(|&b| cp437_to_char(b)));
        }
        out.push('\n');

        // The cluster a mount uses (the high word only on FAT32).
        let c = first_cluster(&vol, &e);
        if e.is_dir() {
            if c < 2 || stack.iter().any(|(_, _, s)| *s == c) {
                return Err(FatError::DirLoop);
            }
            vol.chain_len(c)?;
            stack.push((DirReader::new(&vol, DirLocation::Chain(c), true), path, c));
        } else if c == 0 {
            if e.size != 0 {
                return Err(FatError::SizeMismatch);
            }
        } else if e.size != 0 {
            // Every byte reads, as a mount reads it: the links up to the
            // file's last cluster (and none after it) must be sound.
            vol.locate(c, u64::from(e.size) - 1, None, 1)?;
        }
    }
    Ok(out)
}

/// Runs on `img` the rest of what a mount does, beyond the listing: for
/// every record of every directory, inode attributes (as vfat and msdos),
/// the mapping of each of a file's clusters to the device (as the page
/// cache asks for it), both namespaces' display names and msdos's lookup
/// formatting of them; and mount options from the image's bytes. Returns
/// how many records it saw; an error only when the volume does not open.
/// For the fuzzer: the code must not panic or hang on any input.
pub fn exercise(img: &[u8]) -> Result<usize, FatError> {
    use fat_disk::inode::{
        entry_attrs,
        root_attrs, //
    };
    use fat_disk::names::NameCheck;
    use fat_disk::options::{
        apply,
        MountOptions, //
    };
    use msdos::{
        msdos_format_name,
        msdos_short_name,
        Msdos, //
    };
    use vfat::Vfat;

    let vol = Volume::open(img, img.len() as u64)?;
    let opts = MountOptions::new(0o022);
    let _ = root_attrs(&vol, &opts, &Vfat);
    let mut seen = 0usize;
    let mut dirs = vec![DirLocation::root(&vol)];
    let mut name: NameBuf = NameBuf::new();
    while let Some(loc) = dirs.pop() {
        let mut reader = DirReader::new(&vol, loc, true);
        while let Ok(Some(rec)) = reader.next_record() {
            seen += 1;
            if seen > 20_000 {
                return Ok(seen);
            }
            let e = rec.entry;
            let _ = entry_attrs(&vol, &opts, &Vfat, 0, &e);
            let _ = entry_attrs(&vol, &opts, &Msdos, 0, &e);
            name.clear();
            let _ = long_name(reader.long_name(&rec), IoCharset::Latin1, true, &mut name);
            name.clear();
            if msdos_short_name(&e, false, true, &mut name).is_ok() {
                for check in [NameCheck::Relaxed, NameCheck::Normal, NameCheck::Strict] {
                    let _ = msdos_format_name(name.as_bytes(), check, false, true);
                }
            }
            let start = first_cluster(&vol, &e);
            if e.is_dir() {
                if !e.is_dot() && start >= 2 && dirs.len() < 64 {
                    dirs.push(DirLocation::Chain(start));
                }
            } else if start != 0 {
                // As the kernel's reads do: forward, as the page cache
                // asks, then from the middle back to the start, through a
                // cache of runs, following only the links each read needs.
                let mut cache = fat_disk::volume::ExtentCache::default();
                let cs = u64::from(vol.bpb.cluster_size);
                let size = u64::from(e.size);
                let offsets = (0..size.div_ceil(cs)).map(|i| i * cs);
                let back = (0..size.div_ceil(cs) / 2).rev().map(|i| i * cs);
                for off in offsets.chain(back).take(100_000) {
                    let index = (off / cs) as u32;
                    match vol.locate(start, off, cache.near(index), 16) {
                        Ok(run) => cache.insert(run),
                        Err(_) => break,
                    }
                }
            }
        }
    }
    // Options spelled by the image's own bytes, key=value split at '='.
    let mut o = MountOptions::new(0o022);
    for word in img
        .get(..512)
        .unwrap_or(img)
        .split(|&b| b == b',' || b == 0)
    {
        let (k, v) = match word.iter().position(|&b| b == b'=') {
            Some(p) => (&word[..p], Some(&word[p + 1..])),
            None => (word, None),
        };
        let _ = apply(&mut o, &Vfat, k, v);
        let _ = apply(&mut o, &Msdos, k, v);
    }
    o.settle();
    Ok(seen)
}

/// A name readdir shows that lookup does not find (see
/// [`lookup_finds_every_shown_name`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LostName {
    /// The name as readdir showed it.
    pub shown: Vec<u8>,
    /// The character set it was shown in.
    pub charset: IoCharset,
    /// `uni_xlate` was on.
    pub uni_xlate: bool,
}

/// The invariant between readdir and lookup on vfat: every name readdir
/// shows is found by lookup, in every character set. Both sides are the
/// kernel's own code: the directory reader and the name display readdir
/// runs ([`fat_disk::namespace::display`]), and the key rule and the
/// search `rust_vfat`'s lookup runs ([`vfat::Vfat`]'s `lookup_key` and
/// `matches`, through [`fat_disk::namespace::find`]).
///
/// Names that no path can look up are left out, as they are in C: one
/// with a `/` or a NUL, and one ending in `.` (vfat strips trailing dots
/// from the name looked up, not from the names on disk, so C does not find
/// it either). Only the root directory is walked (the fuzzer's images
/// bring enough of them). Returns the first lost name.
pub fn lookup_finds_every_shown_name(img: &[u8]) -> Result<(), LostName> {
    use fat_disk::names::{
        KeyBuf,
        NAME_MAX_BYTES, //
    };
    use fat_disk::namespace::{
        display,
        find,
        Namespace, //
    };
    use fat_disk::options::MountOptions;

    let Ok(vol) = Volume::open(img, img.len() as u64) else {
        return Ok(());
    };
    let root = DirLocation::root(&vol);
    let ns = vfat::Vfat;
    let mut long: Box<NameBuf<NAME_MAX_BYTES>> = Box::new(NameBuf::new());
    let mut short: Box<NameBuf<NAME_MAX_BYTES>> = Box::new(NameBuf::new());
    let mut key: Box<KeyBuf> = Box::new(KeyBuf::new());
    let charsets = [
        (IoCharset::Utf8, false),
        (IoCharset::Latin1, false),
        (IoCharset::Latin1, true),
        (IoCharset::Ascii, true),
    ];
    for (cs, xlate) in charsets {
        let mut opts = MountOptions::new(0o022);
        opts.utf8 = cs == IoCharset::Utf8;
        opts.iocharset = cs;
        opts.uni_xlate = xlate;
        let mut listed = DirReader::new(&vol, root, true);
        let mut seen = 0;
        while let Ok(Some(rec)) = listed.next_record() {
            seen += 1;
            if seen > 2_000 {
                break;
            }
            if rec.entry.is_dot() {
                continue;
            }
            let Ok(n) = display(&ns, &listed, &rec, &opts, &mut long, &mut short) else {
                continue;
            };
            if n.is_empty() || n.ends_with(b".") || n.iter().any(|&b| b == b'/' || b == 0) {
                continue;
            }
            let lost = || LostName {
                shown: n.to_vec(),
                charset: cs,
                uni_xlate: xlate,
            };
            key.clear();
            ns.lookup_key(n, &opts, &mut key).map_err(|_| lost())?;
            let mut lookup = DirReader::new(&vol, root, true);
            match find(&mut lookup, &ns, &opts, key.as_bytes()) {
                Ok(Some(_)) => {}
                _ => return Err(lost()),
            }
        }
    }
    Ok(())
}

/// What the fuzzer runs of the write side: `img` mounted as the kernel
/// mounts it read-write (state loaded, dirty flag set), then a script of
/// creates, writes (allocation), truncates, mkdirs, renames and removes
/// through both namespaces, chosen by the image's last bytes, every error
/// taken as the kernel would take it (the operation fails, nothing else);
/// then FSInfo flushed and the dirty flag cleared. Returns the image after
/// it. Any panic or hang is a bug: on a damaged volume the write side
/// must fail, never crash.
pub fn exercise_writes(img: &[u8]) -> Vec<u8> {
    use fat_disk::dir_write::{
        add_record,
        blank_entry,
        dir_is_empty,
        dotdot_start,
        move_record,
        new_dir,
        remove_record,
        short_name_taken,
        update_entry,
        NewRecord,
        RecordPos, //
    };
    use fat_disk::namespace::{
        find_record_name,
        Namespace,
        NewName, //
    };
    use fat_disk::options::MountOptions;
    use std::cell::RefCell;

    let dev = MemDevice::new(img.to_vec());
    let Ok(vol) = Volume::open(dev, img.len() as u64) else {
        return img.to_vec();
    };
    let Ok((st, _)) = vol.load_state(false) else {
        return img.to_vec();
    };
    let _ = vol.set_state(&st, true);
    let fat = RefCell::new(st);
    let mut opts = MountOptions::new(0o022);
    opts.utf8 = true;
    // The script: from the image's last 32 bytes (what a fuzzer mutates).
    let tail = &img[img.len().saturating_sub(32)..];
    let mut seed = tail.iter().fold(0x9e37_79b9_7f4a_7c15u64, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
    });
    let mut next = move |n: u64| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed % n.max(1)
    };
    const NAMES: [&str; 8] = [
        "a",
        "README.TXT",
        "long file name.text",
        "x y",
        "émigré",
        ".hid",
        "dir",
        "B.C.D",
    ];
    let ns: [&dyn Namespace; 2] = [&vfat::Vfat, &msdos::Msdos];
    // Records are found through vfat: msdos does not read long names, so
    // removing through it orphans their slots (as C's msdos does).
    let finder: &dyn Namespace = &vfat::Vfat;
    // Directories found or made: (location, start for `..`).
    let mut dirs = vec![(DirLocation::root(&vol), 0u32)];
    let cs = vol.bpb.cluster_size;
    for step in 0..48u64 {
        let ns = ns[(step % 2) as usize];
        let (loc, start) = dirs[next(dirs.len() as u64) as usize];
        let name = NAMES[next(NAMES.len() as u64) as usize];
        match next(6) {
            0 | 1 => {
                let mut n = NewName::new();
                let made = ns.new_name(
                    name.as_bytes(),
                    &opts,
                    step,
                    &mut |s| short_name_taken(&vol, loc, s),
                    &mut n,
                );
                if made.is_err() {
                    continue;
                }
                let mut e = blank_entry(&n.short);
                e.attr = fat_disk::format::attr::ARCHIVE;
                let Ok(rec) = NewRecord::new(&n, &e) else {
                    continue;
                };
                if let Ok(added) = add_record(&vol, &fat, loc, &rec) {
                    // Write: allocate a few clusters, then the entry.
                    let k = next(4) as u32;
                    if k > 0 {
                        if let Ok(c) = vol.extend_chain(&mut fat.borrow_mut(), None, k) {
                            e.first_cluster = c;
                            e.size = k * cs - 1;
                        }
                    }
                    let _ = update_entry(&vol, added.pos.dev_pos, &e);
                }
            }
            2 => {
                let e = blank_entry(b"           ");
                let parent = dotdot_start(start, start == 0);
                let Ok(c) = new_dir(&vol, &fat, parent, &e) else {
                    continue;
                };
                let mut n = NewName::new();
                let made = ns.new_name(
                    name.as_bytes(),
                    &opts,
                    step,
                    &mut |s| short_name_taken(&vol, loc, s),
                    &mut n,
                );
                let mut d = blank_entry(&n.short);
                d.attr = fat_disk::format::attr::DIRECTORY;
                d.first_cluster = c;
                let added = made
                    .and_then(|()| NewRecord::new(&n, &d))
                    .and_then(|rec| add_record(&vol, &fat, loc, &rec));
                match added {
                    Ok(_) if dirs.len() < 16 => dirs.push((DirLocation::Chain(c), c)),
                    Ok(_) => {}
                    Err(_) => {
                        let _ = vol.free_chain(&mut fat.borrow_mut(), c);
                    }
                }
            }
            3 => {
                // Remove (rmdir only when empty), clusters freed.
                let Ok(Some(rec)) = find_record_name(&vol, loc, finder, &opts, name.as_bytes())
                else {
                    continue;
                };
                let c = fat_disk::inode::first_cluster(&vol, &rec.entry);
                if rec.entry.is_dir()
                    && !matches!(dir_is_empty(&vol, DirLocation::Chain(c)), Ok(true))
                {
                    continue;
                }
                if remove_record(&vol, loc, &RecordPos::from(&rec)).is_ok() && c != 0 {
                    let _ = vol.free_chain(&mut fat.borrow_mut(), c);
                    // A removed directory takes no more records (the
                    // VFS's dead directory).
                    dirs.retain(|&(_, s)| s != c);
                }
            }
            4 => {
                // Truncate to a random length in clusters, or extend.
                let Ok(Some(rec)) = find_record_name(&vol, loc, finder, &opts, name.as_bytes())
                else {
                    continue;
                };
                let c = fat_disk::inode::first_cluster(&vol, &rec.entry);
                if c == 0 || rec.entry.is_dir() {
                    continue;
                }
                let keep = next(3) as u32 + 1;
                let _ = vol.truncate_chain(&mut fat.borrow_mut(), c, keep);
                if let Ok((last, _)) = vol.chain_last(c) {
                    let _ = vol.extend_chain(&mut fat.borrow_mut(), Some(last), 1);
                }
                if let Ok(len) = vol.chain_len(c) {
                    let mut e = rec.entry;
                    e.size = (len * cs).saturating_sub(1);
                    let _ = update_entry(&vol, rec.dev_pos, &e);
                }
            }
            _ => {
                // Rename a file into another directory under another name
                // (a directory could be moved into itself: the VFS
                // prevents that, not this layer).
                let Ok(Some(rec)) = find_record_name(&vol, loc, finder, &opts, name.as_bytes())
                else {
                    continue;
                };
                if rec.entry.is_dir() {
                    continue;
                }
                let (tloc, _) = dirs[next(dirs.len() as u64) as usize];
                let to = NAMES[next(NAMES.len() as u64) as usize];
                if !matches!(
                    find_record_name(&vol, tloc, finder, &opts, to.as_bytes()),
                    Ok(None)
                ) {
                    continue;
                }
                let mut n = NewName::new();
                if ns
                    .new_name(
                        to.as_bytes(),
                        &opts,
                        step,
                        &mut |s| short_name_taken(&vol, tloc, s),
                        &mut n,
                    )
                    .is_err()
                {
                    continue;
                }
                let _ = move_record(&vol, &fat, loc, &rec, tloc, &n, None);
            }
        }
    }
    let mut st = fat.into_inner();
    let _ = vol.count_free(&mut st, || false);
    let _ = vol.flush_fsinfo(&mut st);
    let _ = vol.set_state(&st, false);
    let out = vol.device().0.borrow().clone();
    out
}
