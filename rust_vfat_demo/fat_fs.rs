// SPDX-License-Identifier: GPL-2.0

//! The FAT file system over the [`vfs`] layer: mounting (`fill_super`),
//! inodes, lookup, readdir, the namespace operations (create, mkdir,
//! unlink, rmdir, rename), the block mapping of file reads and writes, and
//! the write-back of inodes and of the FAT's state, all in safe Rust over
//! the on-disk logic of [`fat_disk`].
//!
//! The namespace layers (`rust_vfat`, `rust_msdos`) each register a file
//! system type with their name rules ([`Namespace`]) through
//! [`FatRegistration::new`]. A mount holds the namespace module (the type's
//! owner), which holds `rust_fat` through its symbol references.

use core::sync::atomic::{
    AtomicBool,
    AtomicU32,
    AtomicU64,
    AtomicU8,
    AtomicUsize,
    Ordering, //
};
use fat_disk::alloc::{
    FatLock,
    FatState,
    FsinfoCheck,
    StateChange, //
};
use fat_disk::dir::{
    DirLocation,
    DirReader,
    DirRecord, //
};
use fat_disk::dir_write::{
    self,
    ExtraTimes,
    InodeFields,
    NewRecord,
    RecordPos, //
};
use fat_disk::format::{
    attr,
    ceil_div,
    DirEntry,
    Dos1xRefusal,
    FatError, //
};
use fat_disk::inode::InodeAttrs;
use fat_disk::names::{
    IoCharset,
    KeyBuf,
    NameBuf,
    NameCheck,
    NameHash,
    NAME_MAX_BYTES, //
};
use fat_disk::namespace::{
    self,
    Namespace,
    NewName, //
};
use fat_disk::options::{
    self,
    apply,
    obsolete,
    Errors,
    MountOptions,
    OptionError, //
};
use fat_disk::time::{
    truncate_atime,
    truncate_mtime,
    unix_to_fat,
    Timestamp, //
};
use fat_disk::volume::{
    BlockDevice,
    BlockDeviceMut,
    ExtentCache,
    Volume, //
};
use kernel::{
    new_mutex,
    prelude::*,
    rbtree::RBTree,
    seq_file::SeqFile,
    str::BStr,
    sync::{
        aref::ARef,
        Mutex, //
    },
};
use vfs::{
    misc::{
        self,
        Ratelimit,
        TryCell, //
    },
    mode::S_IFDIR,
    AttrChange,
    DirEmitter,
    DirEntryType,
    ExtraAttrs,
    FileSystem,
    INode,
    INodeParams,
    Lookup,
    Mapping,
    Mounter,
    NameCase,
    NameChoice,
    NameHasher,
    NewSuperBlock,
    ParamError,
    Registration,
    Stat,
    SuperBlock,
    SuperParams,
    Time, //
};

/// `FAT_IOCTL_GET_ATTRIBUTES` (`_IOR('r', 0x10, __u32)`).
const FAT_IOCTL_GET_ATTRIBUTES: u32 = 0x8004_7210;
/// `FAT_IOCTL_SET_ATTRIBUTES` (`_IOW('r', 0x11, __u32)`).
const FAT_IOCTL_SET_ATTRIBUTES: u32 = 0x4004_7211;
/// `FAT_IOCTL_GET_VOLUME_ID` (`_IOR('r', 0x13, __u32)`).
const FAT_IOCTL_GET_VOLUME_ID: u32 = 0x8004_7213;

/// `MSDOS_SUPER_MAGIC`.
const FAT_SUPER_MAGIC: u64 = 0x4d44;
/// The root directory's inode number, as `MSDOS_ROOT_INO`.
const ROOT_INO: u64 = 1;

/// `/proc/mounts` text through `core::fmt`.
struct SeqWriter<'a>(&'a SeqFile);

impl core::fmt::Write for SeqWriter<'_> {
    fn write_str(&mut self, s: &str) -> core::fmt::Result {
        self.0.call_printf(format_args!("{}", s));
        Ok(())
    }
}

/// With `flush`, msdos' namespace operations start writing both inodes
/// back (`fat_flush_inodes` in `namei_msdos.c`; vfat's do not).
fn flush_msdos(sbi: &FatSb<'_>, a: &INode<FatFs>, b: &INode<FatFs>) {
    if sbi.opts.flush && !sbi.ns.long_names() {
        a.flush_early(false);
        b.flush_early(false);
    }
}

/// What a namespace module registers: its file system type's name and its
/// name rules.
pub struct FsTypeData {
    /// The file system type's name (`mount -t`), also the prefix of its
    /// log lines.
    pub name: &'static CStr,
    /// The namespace's rules.
    pub ns: &'static dyn Namespace,
}

/// A namespace's file system type, registered while this lives.
pub struct FatRegistration {
    _reg: Pin<KBox<Registration<FatFs>>>,
}

impl FatRegistration {
    /// Registers a block-device file system named `name` with the name
    /// rules `ns`, owned by `module` (so that a mount holds that module):
    /// what `fat_fill_super`'s callers in `namei_vfat.c` and
    /// `namei_msdos.c` get from `fat.ko`.
    pub fn new(
        name: &'static CStr,
        ns: &'static dyn Namespace,
        module: &'static ThisModule,
    ) -> Result<Self> {
        Ok(FatRegistration {
            _reg: KBox::pin_init(
                Registration::new(name, FsTypeData { name, ns }, module),
                GFP_KERNEL,
            )?,
        })
    }
}

/// The FAT file system, for [`vfs`].
pub struct FatFs;

/// A mount being set up.
pub struct MountCtx {
    opts: MountOptions,
    name: &'static CStr,
    ns: &'static dyn Namespace,
    uid: u32,
    gid: u32,
}

/// The mounted device, read and written through the buffer cache;
/// `discard`: freed clusters are discarded.
pub struct SbDevice<'sb>(vfs::Device<'sb>, bool);

impl BlockDevice for SbDevice<'_> {
    fn read_at(&self, mut pos: u64, buf: &mut [u8]) -> Result<(), FatError> {
        let (bits, size) = self.0.block_size();
        let mut done = 0;
        while done < buf.len() {
            let off = pos & (size - 1);
            let len = ((size - off) as usize).min(buf.len() - done);
            self.0
                .read_block(pos >> bits, off as u32, &mut buf[done..done + len])
                .map_err(|_| FatError::Io)?;
            done += len;
            pos += len as u64;
        }
        Ok(())
    }

    fn view_at(&self, pos: u64, len: usize, f: &mut dyn FnMut(&[u8])) -> Result<(), FatError> {
        let (bits, size) = self.0.block_size();
        let off = (pos & (size - 1)) as usize;
        if off + len > size as usize {
            return fat_disk::volume::view_through_buffer(self, pos, len, f);
        }
        let b = self.0.bread(pos >> bits).map_err(|_| FatError::Io)?;
        b.read(|d| d.get(off..off + len).map(f))
            .ok_or(FatError::Truncated)
    }
}

impl BlockDeviceMut for SbDevice<'_> {
    fn write_at(&self, mut pos: u64, buf: &[u8]) -> Result<(), FatError> {
        let (bits, size) = self.0.block_size();
        let mut done = 0;
        while done < buf.len() {
            let off = pos & (size - 1);
            let len = ((size - off) as usize).min(buf.len() - done);
            self.0
                .write_block(pos >> bits, off as u32, &buf[done..done + len], false)
                .map_err(|_| FatError::Io)?;
            done += len;
            pos += len as u64;
        }
        Ok(())
    }

    fn update_at(
        &self,
        pos: u64,
        len: usize,
        f: &mut dyn FnMut(&mut [u8]),
    ) -> Result<(), FatError> {
        let (bits, size) = self.0.block_size();
        let off = (pos & (size - 1)) as usize;
        if off + len > size as usize {
            return fat_disk::volume::update_through_buffer(self, pos, len, f);
        }
        let mut b = self.0.bread(pos >> bits).map_err(|_| FatError::Io)?;
        b.update(|d| d.get_mut(off..off + len).map(f))
            .ok_or(FatError::Truncated)
    }

    fn discard_freed(&self) -> bool {
        self.1
    }

    fn discard(&self, pos: u64, len: u64) -> Result<bool, FatError> {
        let (bits, _) = self.0.block_size();
        self.0
            .discard(pos >> bits, len >> bits)
            .map_err(|_| FatError::Io)
    }

    fn copy_at(&self, from: u64, to: u64, len: u64) -> Result<(), FatError> {
        let (bits, size) = self.0.block_size();
        if (from | to | len) & (size - 1) != 0 {
            return fat_disk::volume::copy_through_buffer(self, from, to, len);
        }
        for b in 0..len >> bits {
            self.0
                .copy_block((from >> bits) + b, (to >> bits) + b)
                .map_err(|_| FatError::Io)?;
        }
        Ok(())
    }
}

/// The volume's FAT lock (C's `sbi->fat_lock`): the FAT, the free count
/// and the FSInfo values change only under it.
pub struct FatMutex(Pin<KBox<Mutex<FatState>>>);

impl FatLock for FatMutex {
    fn lock_fat<R>(&self, f: impl FnOnce(&mut FatState) -> R) -> R {
        let mut g = self.0.lock();
        f(&mut g)
    }
}

/// What a mounted super block holds.
pub struct FatSb<'sb> {
    vol: Volume<SbDevice<'sb>>,
    /// The FAT lock and what it protects.
    fat: FatMutex,
    /// Serialises updates of directory entries in place (`write_inode`)
    /// with moves of an inode's entry (C's `inode_hash_lock`).
    entry_lock: Pin<KBox<Mutex<()>>>,
    /// Serialises the namespace operations of the volume (C's
    /// `sbi->s_lock`): create, mkdir, unlink, rmdir, rename.
    s_lock: Pin<KBox<Mutex<()>>>,
    /// The numbers of the in-core inodes that have left the entry their
    /// number names (renamed, or unlinked while in use): a new inode there
    /// must not take the number while they live.
    moved: Pin<KBox<Mutex<RBTree<u64, ()>>>>,
    /// The next number for such a new inode: past every entry's index on
    /// the device, so it names no place, and never given twice.
    fresh_ino: AtomicU64,
    /// How many inodes in memory are filed under an entry whose index is
    /// not their number (renamed, or given a fresh number): while none
    /// is, readdir shows each entry's index without asking the inode
    /// cache.
    renumbered: AtomicUsize,
    opts: MountOptions,
    name: &'static CStr,
    ns: &'static dyn Namespace,
    uid: u32,
    gid: u32,
    tz_offset: i64,
    /// Per-mount limit on error messages, as `fs/fat`'s.
    ratelimit: Ratelimit,
    /// The device's name, for messages.
    dev: [u8; 32],
}

/// What the dentry operations use: the name rules and the options.
pub struct NameRules {
    ns: &'static dyn Namespace,
    opts: MountOptions,
}

/// The per-inode part of this file system's inodes.
pub struct InodeInfo {
    /// Where the inode's data starts (0: none; the fixed root: 0).
    start: AtomicU32,
    /// The device offset of the inode's directory entry (0: none, the
    /// root, or an unlinked inode), C's `i_pos`.
    i_pos: AtomicU64,
    /// The attribute bits kept from the entry (C's `i_attrs`: archive,
    /// system, hidden, volume; read-only where the mode cannot hold it).
    attrs: AtomicU8,
    /// The inode is the root directory.
    is_root: bool,
    /// The runs of the data's chain found so far.
    runs: TryCell<ExtentCache>,
    /// Bumped when the chain is cut: a run found before is not cached.
    runs_gen: AtomicU32,
    /// The creation time (`statx` birth time on vfat).
    crtime: Time,
    /// The inode's number is in the super block's `moved` set.
    moved: AtomicBool,
    /// The inode is counted in the super block's `renumbered`.
    renumbered: AtomicBool,
    /// The device offset of the 8.3 entry a rename moved the inode from
    /// (0: none), until that entry's deletion is known to be on the disk:
    /// [`write_inode`] first waits for it, and only then gives the new
    /// entry the first cluster. Two entries with one chain on the disk
    /// would be a cross-link after a power cut. Under the entry lock.
    moved_from: AtomicU64,
}

impl FatSb<'_> {
    /// Logs an error about the volume, at most 10 in 5 s per mount.
    fn error(&self, what: core::fmt::Arguments<'_>) {
        if self.ratelimit.allow(self.name) {
            pr_err!("{} ({}): {}\n", self.name, self.dev_name(), what);
        }
    }

    /// The device's name, as the kernel log shows it.
    fn dev_name(&self) -> &BStr {
        let len = self
            .dev
            .iter()
            .position(|&b| b == 0)
            .unwrap_or(self.dev.len());
        BStr::from_bytes(&self.dev[..len])
    }

    /// Reports damage as `fat_fs_error` does: the line, then the volume's
    /// error policy ([`FatSb::structural_error`]).
    fn fs_error(&self, what: core::fmt::Arguments<'_>) {
        self.error(what);
        self.structural_error();
    }

    /// The errno of a namespace operation's failure: as [`FatSb::errno`],
    /// and `EPERM` for what the namespace cannot do.
    fn fs_errno(&self, e: FatError, what: &str, i_pos: u64) -> Error {
        match e {
            FatError::Unsupported => EPERM,
            e => self.errno(e, what, i_pos),
        }
    }

    /// The errno of `e`: the request's own as it is
    /// ([`FatError::user_errno`]); an I/O error `EIO` with a line; damage
    /// `EIO` with a line, and the volume's error policy
    /// ([`FatSb::structural_error`]).
    fn errno(&self, e: FatError, what: &str, i_pos: u64) -> Error {
        if e.user_errno().is_none() {
            self.error(format_args!("{} (i_pos {}): {}", what, i_pos, e.describe()));
            if e != FatError::Io {
                self.structural_error();
            }
        }
        quiet_errno(e)
    }

    /// The volume is damaged (`fat_fs_error`): with `errors=remount-ro`,
    /// a read-write mount becomes read-only, said once (the report before
    /// it is rate-limited, this is not); with `errors=panic` the kernel
    /// panics, read-only mount or not.
    fn structural_error(&self) {
        if self.opts.errors == Errors::Panic {
            self.vol.device().0.panic(self.name);
        }
        if self.opts.errors == Errors::RemountRo && self.vol.device().0.force_read_only() {
            pr_err!(
                "{} ({}): Filesystem has been set read-only\n",
                self.name,
                self.dev_name()
            );
        }
    }

    /// Whether the mode of a directory (`dir`) or file can show the
    /// read-only attribute (`fat_mode_can_hold_ro`).
    fn can_hold_ro(&self, dir: bool) -> bool {
        let mask = if dir {
            if !self.opts.rodir(self.ns.rodir()) {
                return false;
            }
            !self.opts.dmask
        } else {
            !self.opts.fmask
        };
        mask & 0o222 != 0
    }

    /// The attribute bits an inode keeps from its entry's (`fat_save_attrs`).
    fn saved_attrs(&self, dir: bool, a: u8) -> u8 {
        const UNUSED: u8 = attr::VOLUME_ID | attr::ARCHIVE | attr::SYSTEM | attr::HIDDEN;
        if self.can_hold_ro(dir) {
            a & UNUSED
        } else {
            a & (UNUSED | attr::READ_ONLY)
        }
    }

    /// What a new inode with `attrs` is made of.
    fn inode_params(&self, ino: u64, attrs: &InodeAttrs, is_root: bool) -> INodeParams<InodeInfo> {
        INodeParams {
            ino,
            mode: attrs.mode,
            nlink: attrs.nlink,
            uid: self.uid,
            gid: self.gid,
            size: attrs.size,
            blocks: attrs.blocks,
            mtime: Time {
                sec: attrs.mtime.sec,
                nsec: attrs.mtime.nsec,
            },
            atime: Time {
                sec: attrs.atime.sec,
                nsec: attrs.atime.nsec,
            },
            immutable: attrs.immutable,
            data: InodeInfo {
                start: AtomicU32::new(attrs.start),
                i_pos: AtomicU64::new(0),
                attrs: AtomicU8::new(0),
                is_root,
                runs: TryCell::new(ExtentCache::default()),
                runs_gen: AtomicU32::new(0),
                crtime: Time {
                    sec: attrs.crtime.sec,
                    nsec: attrs.crtime.nsec,
                },
                moved: AtomicBool::new(false),
                renumbered: AtomicBool::new(false),
                moved_from: AtomicU64::new(0),
            },
        }
    }

    /// The number of a new in-core inode for the entry at `dev_pos`: the
    /// entry's index on the device (stable across mounts, and what
    /// readdir shows), unless an inode that has left that entry still
    /// holds it; then a number no other inode has had on this mount.
    fn new_ino(&self, dev_pos: u64) -> u64 {
        let index = dev_pos / 32;
        if self.moved.lock().get(&index).is_some() {
            self.fresh_ino.fetch_add(1, Ordering::Relaxed)
        } else {
            index
        }
    }

    /// Records that `inode` leaves the entry its number names (a rename,
    /// an unlink), before it does: while it lives, a new inode there takes
    /// another number. (POSIX: a file keeps its serial number across a
    /// rename, and no two live files share one.)
    fn leaves_entry(&self, inode: &INode<FatFs>) -> Result {
        let info = inode.data();
        if info.is_root || info.moved.load(Ordering::Relaxed) {
            return Ok(());
        }
        self.moved
            .lock()
            .try_create_and_insert(inode.ino(), (), GFP_KERNEL)?;
        info.moved.store(true, Ordering::Relaxed);
        Ok(())
    }

    /// Records that `inode` is now filed under the entry at `key` (`None`:
    /// out of the inode hash, unlinked or evicted), for `renumbered`.
    fn filed(&self, inode: &INode<FatFs>, key: Option<u64>) {
        let info = inode.data();
        let off = !info.is_root && key.is_some_and(|k| inode.ino() != k / 32);
        self.count_renumbered(info, off);
    }

    /// Marks `info` as renumbered or not, keeping `renumbered` the count of
    /// the marked.
    fn count_renumbered(&self, info: &InodeInfo, off: bool) {
        match (info.renumbered.swap(off, Ordering::AcqRel), off) {
            (false, true) => {
                self.renumbered.fetch_add(1, Ordering::AcqRel);
            }
            (true, false) => {
                self.renumbered.fetch_sub(1, Ordering::AcqRel);
            }
            _ => {}
        }
    }

    /// The directory `info` is, on its volume.
    fn dir_location(&self, info: &InodeInfo) -> DirLocation {
        if info.is_root {
            DirLocation::root(&self.vol)
        } else {
            DirLocation::Chain(info.start.load(Ordering::Relaxed))
        }
    }
}

/// The inode of the entry `e` at device offset `dev_pos`: from the inode
/// cache, else read and set up.
fn entry_inode(
    sb: &SuperBlock<FatFs>,
    sbi: &FatSb<'_>,
    e: &DirEntry,
    dev_pos: u64,
) -> Result<ARef<INode<FatFs>>> {
    // Entries are 32 bytes apart: their place on the device identifies
    // them (the key of the inode cache), and their index is never 1 (the
    // root) since the boot sector comes first.
    sb.get_or_create_inode(dev_pos, || {
        let ino = sbi.new_ino(dev_pos);
        fat_disk::inode::entry_attrs(&sbi.vol, &sbi.opts, sbi.ns, sbi.tz_offset, e)
            .map(|a| {
                let p = sbi.inode_params(ino, &a, false);
                p.data.i_pos.store(dev_pos, Ordering::Relaxed);
                // A fresh number (see `FatSb::filed`): the inode is
                // filled in, so it is counted until its eviction.
                sbi.count_renumbered(&p.data, ino != dev_pos / 32);
                p.data
                    .attrs
                    .store(sbi.saved_attrs(e.is_dir(), e.attr), Ordering::Relaxed);
                p
            })
            .map_err(|err| sbi.errno(err, "reading an inode", ino))
    })
}

impl FileSystem for FatFs {
    type TypeData = FsTypeData;
    type Context = MountCtx;
    type Data<'sb> = FatSb<'sb>;
    type Names = NameRules;
    type INodeData = InodeInfo;

    const INODE_CACHE_NAME: &'static CStr = c"rust_fat_inode_cache";

    fn init_context(ty: &'static FsTypeData, m: &Mounter) -> Result<MountCtx> {
        let ns = ty.ns;
        let mut opts = MountOptions::new(m.umask);
        // The kernel's defaults, as fs/fat takes them from its configuration
        // (Debian's kernel: UTF-8 on for vfat, iocharset ascii), so without
        // options, and with options that leave them, both drivers show the
        // same names.
        opts.set_charset_defaults(
            cfg!(CONFIG_FAT_DEFAULT_UTF8) && ns.default_utf8(),
            if cfg!(CONFIG_FAT_DEFAULT_IOCHARSET = "ascii") {
                IoCharset::Ascii
            } else {
                IoCharset::Latin1
            },
        );
        Ok(MountCtx {
            opts,
            name: ty.name,
            ns,
            uid: m.uid,
            gid: m.gid,
        })
    }

    fn parse_param(
        ty: &'static FsTypeData,
        ctx: &mut MountCtx,
        key: &[u8],
        value: Option<&[u8]>,
    ) -> Result<(), ParamError> {
        let fs = ty.name;
        if let Some(r) = obsolete(key, value) {
            return match r {
                Ok(()) => {
                    // As `fs_parse` then `fat_parse_param` word them.
                    pr_warn!("{}: Deprecated parameter '{}'\n", fs, BStr::from_bytes(key));
                    pr_info!(
                        "FAT-fs: \"{}\" option is obsolete, not supported now\n",
                        BStr::from_bytes(key)
                    );
                    Ok(())
                }
                Err(_) => {
                    pr_err!("{}: bad value for '{}'\n", fs, BStr::from_bytes(key));
                    Err(ParamError::Invalid(EINVAL))
                }
            };
        }
        match apply(&mut ctx.opts, ctx.ns, key, value) {
            Ok(()) => Ok(()),
            Err(OptionError::Unknown) => Err(ParamError::Unknown),
            Err(OptionError::BadValue) => {
                pr_err!("{}: bad value for '{}'\n", fs, BStr::from_bytes(key));
                Err(ParamError::Invalid(EINVAL))
            }
            Err(OptionError::Unsupported) => {
                pr_err!(
                    "{}: '{}={}' is not supported here\n",
                    fs,
                    BStr::from_bytes(key),
                    BStr::from_bytes(value.unwrap_or(b""))
                );
                Err(ParamError::Invalid(EINVAL))
            }
        }
    }

    fn fill_super<'sb>(
        ctx: &MountCtx,
        sb: &'sb NewSuperBlock<FatFs>,
    ) -> Result<(FatSb<'sb>, NameRules)> {
        let fs = ctx.name;
        let dev = sb.id();
        if sb.min_blocksize(512).is_err() {
            pr_err!("{} ({}): unable to set blocksize\n", fs, dev);
            return Err(EINVAL);
        }
        let device = sb.device();
        let dos1x = ctx.opts.dos1xfloppy;
        let vol = match Volume::open_dos1x(SbDevice(device, ctx.opts.discard), device.len(), dos1x)
        {
            Ok(v) => {
                if v.bpb.dos1x {
                    pr_info!(
                        "{} ({}): This looks like a DOS 1.x volume; assuming default BPB values\n",
                        fs,
                        dev
                    );
                }
                v
            }
            Err((FatError::Io, _)) => {
                pr_err!("{} ({}): unable to read boot sector\n", fs, dev);
                return Err(EIO);
            }
            Err((e, why)) => {
                const NOT: &str = "This doesn't look like a DOS 1.x volume";
                match why {
                    None => {}
                    Some(Dos1xRefusal::NoBootstrap) => {
                        pr_err!("{} ({}): {}; no bootstrapping code\n", fs, dev, NOT)
                    }
                    Some(Dos1xRefusal::BpbNotZero) => {
                        pr_err!("{} ({}): {}; DOS 2.x BPB is non-zero\n", fs, dev, NOT)
                    }
                    Some(Dos1xRefusal::UnknownSize(n)) => pr_warn!(
                        "{} ({}): This looks like a DOS 1.x volume, but isn't a recognized floppy size ({} sectors)\n",
                        fs,
                        dev,
                        n
                    ),
                }
                // Logged even for a silent mount (busybox mounts with MS_SILENT):
                // a refused volume always leaves its reason in the log.
                pr_err!(
                    "{} ({}): {}; can't find a valid FAT file system\n",
                    fs,
                    dev,
                    e.describe()
                );
                return Err(EINVAL);
            }
        };
        let bps = vol.bpb.bytes_per_sector;
        let blocksize = sb.blocksize();
        if bps < blocksize {
            pr_err!(
                "{} ({}): logical sector size too small for device (logical sector size = {})\n",
                fs,
                dev,
                bps
            );
            return Err(EIO);
        }
        if bps > blocksize && sb.set_blocksize(bps).is_err() {
            pr_err!("{} ({}): unable to set blocksize {}\n", fs, dev, bps);
            return Err(EIO);
        }
        let uid = match ctx.opts.uid {
            None => Some(ctx.uid),
            Some(v) => misc::make_kuid(v),
        };
        let gid = match ctx.opts.gid {
            None => Some(ctx.gid),
            Some(v) => misc::make_kgid(v),
        };
        let (Some(uid), Some(gid)) = (uid, gid) else {
            pr_err!(
                "{} ({}): uid or gid has no mapping in this user namespace\n",
                fs,
                dev
            );
            return Err(EINVAL);
        };
        // As fat_fill_super: UTF-8's NLS table folds no case.
        if ctx.opts.iocharset == IoCharset::Utf8 {
            pr_warn!(
                "{} ({}): utf8 is not a recommended IO charset for FAT filesystems, filesystem will be case sensitive!\n",
                fs,
                dev
            );
        }
        let mut opts = ctx.opts;
        opts.settle();
        let tz_offset = fat_disk::inode::tz_offset_secs(&opts, misc::sys_tz_minuteswest());
        let mut dev_name = [0u8; 32];
        let id = dev.to_bytes();
        let n = id.len().min(dev_name.len() - 1);
        dev_name[..n].copy_from_slice(&id[..n]);
        let time_min = fat_disk::time::fat_to_unix(0, 0x21, 0, tz_offset).sec;
        let time_max = fat_disk::time::fat_to_unix(
            23 << 11 | 59 << 5 | 29,
            127 << 9 | 12 << 5 | 31,
            0,
            tz_offset,
        )
        .sec;
        // The FAT's state, as `fat_fill_super` reads it (a read-write
        // mount marks the volume dirty once its root is read: `root_made`).
        let (state, fsinfo) = match vol.load_state(opts.usefree) {
            Ok(s) => s,
            Err(e) => {
                pr_err!(
                    "{} ({}): unable to read the FAT state: {}\n",
                    fs,
                    dev,
                    e.describe()
                );
                return Err(EIO);
            }
        };
        if let FsinfoCheck::BadSignature { sig1, sig2, sector } = fsinfo {
            pr_warn!(
                "{} ({}): Invalid FSINFO signature: 0x{:08x}, 0x{:08x} (sector = {})\n",
                fs,
                dev,
                sig1,
                sig2,
                sector
            );
        }
        if opts.discard && !device.discard_supported() {
            pr_warn!(
                "{} ({}): mounting with \"discard\" option, but the device does not support discard\n",
                fs,
                dev
            );
        }
        let fat = FatMutex(KBox::pin_init(new_mutex!(state), GFP_KERNEL)?);
        let entry_lock = KBox::pin_init(new_mutex!(()), GFP_KERNEL)?;
        let s_lock = KBox::pin_init(new_mutex!(()), GFP_KERNEL)?;
        let moved = KBox::pin_init(new_mutex!(RBTree::new()), GFP_KERNEL)?;
        // Past the index of the last 32 bytes of the volume.
        let fresh_ino =
            u64::from(vol.bpb.total_sectors) * u64::from(vol.bpb.bytes_per_sector) / 32 + 1;
        let noatime = !ctx.ns.keeps_times();
        // The volume id as the super block's UUID (FS_IOC_GETFSUUID), as
        // fat_fill_super sets it.
        sb.set_uuid(&vol.volume_id().map_err(|_| EIO)?.to_le_bytes());
        sb.set_params(&SuperParams {
            magic: FAT_SUPER_MAGIC,
            maxbytes: 0xffff_ffff,
            time_gran: 1,
            time_min,
            time_max,
            noatime,
            nodiratime: true,
        });
        Ok((
            FatSb {
                vol,
                fat,
                entry_lock,
                s_lock,
                moved,
                fresh_ino: AtomicU64::new(fresh_ino),
                renumbered: AtomicUsize::new(0),
                opts,
                name: ctx.name,
                ns: ctx.ns,
                uid,
                gid,
                tz_offset,
                ratelimit: Ratelimit::new(),
                dev: dev_name,
            },
            NameRules { ns: ctx.ns, opts },
        ))
    }

    fn init_root(sb: &SuperBlock<FatFs>) -> Result<ARef<INode<FatFs>>> {
        let sbi = sb.data();
        let attrs = fat_disk::inode::root_attrs(&sbi.vol, &sbi.opts, sbi.ns)
            .map_err(|e| sbi.errno(e, "reading the root directory", ROOT_INO))?;
        sb.get_or_create_inode(ROOT_INO, || Ok(sbi.inode_params(ROOT_INO, &attrs, true)))
    }

    fn root_made(sb: &SuperBlock<FatFs>) {
        // A read-write mount marks the volume dirty until a clean unmount
        // (`fat_set_state(sb, 1, 0)`), once nothing can refuse the volume
        // any more, as `fat_fill_super` does last: a volume refused for
        // its root directory, or a mount that failed for memory after
        // it, is left as it was.
        if !sb.read_only() {
            Self::set_state(sb, true);
        }
    }

    fn lookup(dir: &INode<FatFs>, name: &[u8]) -> Result<Lookup<FatFs>> {
        let sb = dir.super_block();
        let sbi = sb.data();
        let Some((e, dev_pos)) = find(sbi, dir.data(), name)? else {
            return Ok(Lookup::Negative);
        };
        let inode = entry_inode(sb, sbi, &e, dev_pos)?;
        // The long name and the 8.3 alias name one inode: as vfat_lookup,
        // one dentry per directory.
        Ok(if sbi.ns.one_alias() {
            Lookup::FoundOneAlias(inode)
        } else {
            Lookup::Found(inode)
        })
    }

    fn read_dir(dir: &INode<FatFs>, emitter: &mut DirEmitter<'_>) -> Result {
        readdir(dir, emitter)
    }

    fn map_blocks(
        inode: &INode<FatFs>,
        iblock: u64,
        want: u64,
        create: bool,
    ) -> Result<Option<Mapping>> {
        if !create {
            return map_blocks(inode, iblock, want, inode.size());
        }
        get_block_create(inode, iblock, want)
    }

    fn truncate_blocks(inode: &INode<FatFs>, size: u64) {
        let sbi = inode.super_block().data();
        if let Err(e) = truncate_blocks(inode, size) {
            // As `errno`: damage (not a read error) applies the policy. (The
            // arguments are not kept in a `let`: the kernel's rustc may be
            // older than 1.89, which drops their temporaries at its end.)
            let report = |what: core::fmt::Arguments<'_>| {
                if e == FatError::Io {
                    sbi.error(what)
                } else {
                    sbi.fs_error(what)
                }
            };
            report(format_args!(
                "freeing clusters (i_pos {}): {}",
                inode.data().i_pos.load(Ordering::Relaxed),
                e.describe()
            ));
        }
        // As `fat_truncate_blocks`.
        if sbi.opts.flush {
            inode.flush_early(false);
        }
    }

    /// As `fat_get_block_bmap`: within the clusters the file accounts for
    /// (`i_blocks`), so also those a `FALLOC_FL_KEEP_SIZE` fallocate added
    /// past its size; damage met on the way is reported and maps nothing.
    fn bmap(inode: &INode<FatFs>, block: u64) -> Option<u64> {
        map_blocks(inode, block, 1, inode.blocks() * 512)
            .ok()
            .flatten()
            .map(|m| m.phys)
    }

    /// As `fat_rebuild_parent` (which `fs/fat` runs only under
    /// `nfs=nostale_ro`; otherwise it finds a parent only in memory): the
    /// parent's first cluster from `dir`'s `..`, the grandparent's from
    /// the parent's `..`, and the grandparent searched for the directory
    /// entry starting there. A parent that moved meanwhile is not found
    /// (`ESTALE`); the caller checks what it gets by a lookup.
    fn parent_dir(dir: &INode<FatFs>) -> Result<ARef<INode<FatFs>>> {
        let sb = dir.super_block();
        let sbi = sb.data();
        let info = dir.data();
        // As `fat_get_parent`: a `..` that cannot be read or followed
        // makes the handle stale, quietly (rename refuses such a directory
        // with EIO; neither reports the volume damaged).
        let fail = |_| ESTALE;
        let first_of_dotdot = |dir_start: u32| {
            dir_write::dotdot_entry(&sbi.vol, dir_start)
                .map(|(_, e)| e.first_cluster)
                .map_err(fail)
        };
        let is_root = |start: u32| start == 0 || start == sbi.vol.bpb.root_cluster;
        if info.is_root {
            return Err(ESTALE);
        }
        let parent = first_of_dotdot(info.start.load(Ordering::Relaxed))?;
        if is_root(parent) {
            return sb.find_inode(ROOT_INO).ok_or(ESTALE);
        }
        let grand = first_of_dotdot(parent)?;
        let loc = if is_root(grand) {
            DirLocation::root(&sbi.vol)
        } else {
            DirLocation::Chain(grand)
        };
        let mut reader = DirReader::new(&sbi.vol, loc, false);
        while let Some(rec) = reader.next_record().map_err(fail)? {
            let e = &rec.entry;
            if e.is_dir() && e.first_cluster == parent && e.name[0] != b'.' {
                return entry_inode(sb, sbi, e, rec.dev_pos);
            }
        }
        Err(ESTALE)
    }

    /// As `fat_fallocate` with `FALLOC_FL_KEEP_SIZE`: clusters are added
    /// until the allocation reaches `end` (not zeroed; writes use them,
    /// eviction frees what is left past the size).
    fn preallocate(inode: &INode<FatFs>, end: u64) -> Result {
        allocate_ahead(inode, end, Report::Yes)
    }

    /// A buffered write's clusters in one FAT update, where
    /// `fat_get_block` takes one per block; quiet: damage is met again,
    /// and reported once, by [`FatFs::map_blocks`].
    fn reserve(inode: &INode<FatFs>, end: u64) {
        let _ = allocate_ahead(inode, end, Report::Quiet);
    }

    /// As `fat_write_end`: a file written to gets the archive attribute
    /// (and its times), if it had lost it.
    fn written(inode: &INode<FatFs>) {
        let info = inode.data();
        if info.attrs.load(Ordering::Relaxed) & attr::ARCHIVE == 0 {
            info.attrs.fetch_or(attr::ARCHIVE, Ordering::Relaxed);
            inode.set_mtime(inode.now());
            inode.mark_dirty();
        }
    }

    fn touch(inode: &INode<FatFs>) {
        inode.set_mtime(inode.now());
    }

    /// `fat_truncate_time`'s `FAT_UPDATE_CMTIME`: 2-second granularity;
    /// the root keeps its times.
    fn change_time(inode: &INode<FatFs>, t: vfs::Time) -> Option<vfs::Time> {
        if inode.data().is_root {
            return None;
        }
        let t = truncate_mtime(Timestamp {
            sec: t.sec,
            nsec: t.nsec,
        });
        Some(vfs::Time {
            sec: t.sec,
            nsec: t.nsec,
        })
    }

    /// `fat_truncate_time`'s `FAT_UPDATE_ATIME`: the local day's
    /// midnight; the root keeps its times.
    fn access_time(inode: &INode<FatFs>, t: vfs::Time) -> Option<vfs::Time> {
        if inode.data().is_root {
            return None;
        }
        let t = truncate_atime(
            Timestamp {
                sec: t.sec,
                nsec: t.nsec,
            },
            inode.super_block().data().tz_offset,
        );
        Some(vfs::Time {
            sec: t.sec,
            nsec: t.nsec,
        })
    }

    fn write_inode(inode: &INode<FatFs>, sync: bool) -> Result {
        write_inode(inode, sync)
    }

    fn evict_inode(inode: &INode<FatFs>) {
        let info = inode.data();
        let sbi = inode.super_block().data();
        if info.moved.load(Ordering::Relaxed) {
            sbi.moved.lock().remove(&inode.ino());
        }
        sbi.filed(inode, None);
        // As `fat_evict_inode`, also on a mount made read-only by an error
        // (errors=remount-ro): an unlinked file's clusters go, or they are
        // lost to the volume until fsck.fat. (A mount read-only from the
        // start has no unlinked inode and no clusters past a size.)
        if info.is_root {
            return;
        }
        if inode.nlink() == 0 {
            // Unlinked, and the last user is gone: its clusters go now
            // (`fat_evict_inode`).
            Self::truncate_blocks(inode, 0);
        } else if inode.mode() & vfs::mode::S_IFMT != S_IFDIR {
            // Clusters allocated past the allocation mark (fallocate with
            // KEEP_SIZE) go back (`fat_free_eofblocks`). A directory's
            // clusters are all its size.
            let sbi = inode.super_block().data();
            let cs = sbi.vol.bpb.cluster_size_nz();
            let mark = inode.allocated();
            if inode.blocks() > (ceil_div(mark, cs) * cs.get()) >> 9 {
                Self::truncate_blocks(inode, mark);
                let _ = write_inode(inode, false);
            }
        }
    }

    fn sync_fs(sb: &SuperBlock<FatFs>, _wait: bool) -> Result {
        // The FSInfo sector's free count and next-free hint
        // (`fat_sync_fs`: `fat_clusters_flush`).
        let sbi = sb.data();
        if sb.read_only() {
            return Ok(());
        }
        let written = sbi.fat.lock_fat(|st| {
            if st.fsinfo_dirty {
                sbi.vol.flush_fsinfo(st)
            } else {
                Ok(FsinfoCheck::Valid)
            }
        });
        match written {
            // Not damage (`fat_clusters_flush` logs and succeeds): the
            // mount stays read-write, and a clean unmount clears the
            // dirty flag.
            Ok(FsinfoCheck::BadSignature { sig1, sig2, sector }) => {
                sbi.error(format_args!(
                    "Invalid FSINFO signature: 0x{:08x}, 0x{:08x} (sector = {})",
                    sig1, sig2, sector
                ));
                Ok(())
            }
            Ok(_) => Ok(()),
            Err(e) => Err(sbi.errno(e, "writing FSInfo", 0)),
        }
    }

    /// Sets or clears the boot sector's dirty flag, as `fat_set_state`: at
    /// a read-write mount, a remount read-write (`dirty`), a remount
    /// read-only and a clean unmount. A volume that was dirty at mount
    /// keeps its flag, and is warned about each time it is marked.
    fn set_state(sb: &SuperBlock<FatFs>, dirty: bool) {
        let sbi = sb.data();
        if !dirty {
            // Going read-only: the FSInfo first, as at unmount.
            let _ = Self::sync_fs(sb, true);
        }
        let dev = sbi.dev_name();
        match sbi.fat.lock_fat(|st| sbi.vol.set_state(st, dirty)) {
            Ok(StateChange::WasDirty) => {
                if dirty {
                    pr_warn!(
                        "{} ({}): Volume was not properly unmounted. Some data may be corrupt. Please run fsck.\n",
                        sbi.name,
                        dev
                    );
                }
            }
            Ok(StateChange::Written) => {
                if sbi.vol.device().0.sync().is_err() && dirty {
                    pr_err!("{} ({}): unable to mark the volume dirty\n", sbi.name, dev);
                }
            }
            Err(_) => pr_err!(
                "{} ({}): unable to read boot sector to mark fs as dirty\n",
                sbi.name,
                dev
            ),
        }
    }

    fn put_super(sb: &SuperBlock<FatFs>) {
        // A clean unmount of a read-write mount clears the dirty flag
        // (`fat_put_super`: `fat_set_state(sb, 0, 0)`).
        if !sb.read_only() {
            Self::set_state(sb, false);
        }
    }

    fn ioctl_get(inode: &INode<FatFs>, cmd: u32) -> Result<u32> {
        let sbi = inode.super_block().data();
        match cmd {
            FAT_IOCTL_GET_ATTRIBUTES => Ok(u32::from(make_attrs(sbi, inode))),
            FAT_IOCTL_GET_VOLUME_ID => sbi
                .vol
                .volume_id()
                .map_err(|e| sbi.errno(e, "reading the volume id", 0)),
            _ => Err(ENOTTY),
        }
    }

    /// `fat_ioctl_set_attributes`: the directory and volume bits are kept,
    /// the rest is the new attribute byte, the mode follows it as a chmod.
    fn ioctl_set_prepare(inode: &INode<FatFs>, cmd: u32, val: u32) -> Result<(u32, Option<u32>)> {
        if cmd != FAT_IOCTL_SET_ATTRIBUTES {
            return Err(ENOTTY);
        }
        let sbi = inode.super_block().data();
        let dir = inode.mode() & vfs::mode::S_IFMT == S_IFDIR;
        let mut a = (val & 0xff) as u8 & !(attr::VOLUME_ID | attr::DIRECTORY);
        a |= inode.data().attrs.load(Ordering::Relaxed) & attr::VOLUME_ID;
        if dir {
            a |= attr::DIRECTORY;
        }
        let old = make_attrs(sbi, inode);
        let perm = if dir {
            0o777
        } else {
            0o666 | (inode.mode() & 0o111)
        };
        let mode = make_mode(sbi, a, perm);
        if inode.is_root() && a != attr::DIRECTORY {
            return Err(EINVAL);
        }
        if sbi.opts.sys_immutable
            && (a | old) & attr::SYSTEM != 0
            && !misc::capable(misc::CAP_LINUX_IMMUTABLE)
        {
            return Err(EPERM);
        }
        Ok((u32::from(a), Some(mode)))
    }

    fn ioctl_set_commit(inode: &INode<FatFs>, _cmd: u32, val: u32) {
        let sbi = inode.super_block().data();
        let a = val as u8;
        if sbi.opts.sys_immutable {
            inode.set_immutable(a & attr::SYSTEM != 0);
        }
        let dir = a & attr::DIRECTORY != 0;
        inode
            .data()
            .attrs
            .store(sbi.saved_attrs(dir, a), Ordering::Relaxed);
        inode.mark_dirty();
    }

    fn show_options(sb: &SuperBlock<FatFs>, m: &SeqFile) {
        let sbi = sb.data();
        let mut w = SeqWriter(m);
        let _ = options::show(
            &mut w,
            &sbi.opts,
            sbi.ns.long_names(),
            // Kernel ids are the initial namespace's.
            sbi.uid,
            sbi.gid,
        );
    }

    /// As `fat_file_release`: with `flush`, a file closed after writing
    /// starts its way to the device now.
    fn release(inode: &INode<FatFs>, writable: bool) {
        if writable && inode.super_block().data().opts.flush {
            inode.flush_early(true);
        }
    }

    /// FITRIM (`fat_trim_fs`).
    fn trim(sb: &SuperBlock<FatFs>, start: u64, len: u64, minlen: u64) -> Result<u64> {
        let sbi = sb.data();
        let r = sbi.vol.trim_range(start, len, minlen).ok_or(EINVAL)?;
        let n = sbi
            .fat
            .lock_fat(|st| sbi.vol.trim(st, &r, misc::fatal_signal_pending))
            .map_err(|e| match e {
                FatError::Interrupted => ERESTARTSYS,
                e => sbi.errno(e, "trimming free clusters", 0),
            })?;
        Ok(n << sbi.vol.bpb.cluster_size.trailing_zeros())
    }

    fn quiet(sb: &SuperBlock<FatFs>) -> bool {
        sb.data().opts.quiet
    }

    fn allow_utime(sb: &SuperBlock<FatFs>) -> u16 {
        sb.data().opts.allow_utime()
    }

    fn check_setattr(inode: &INode<FatFs>, change: &AttrChange) -> Result<Option<u32>> {
        check_setattr(inode, change)
    }

    fn create(dir: &INode<FatFs>, name: &[u8], _mode: u32) -> Result<ARef<INode<FatFs>>> {
        let sb = dir.super_block();
        let sbi = sb.data();
        let _g = sbi.s_lock.lock();
        let now = dir.now();
        let (e, pos) = add_entry(dir, name, attr::ARCHIVE, 0, now)?;
        let inode = entry_inode(sb, sbi, &e, pos)?;
        dirsync(&[dir])?;
        flush_msdos(sbi, dir, &inode);
        Ok(inode)
    }

    fn mkdir(dir: &INode<FatFs>, name: &[u8], _mode: u32) -> Result<ARef<INode<FatFs>>> {
        let sb = dir.super_block();
        let sbi = sb.data();
        let _g = sbi.s_lock.lock();
        let now = dir.now();
        let info = dir.data();
        let parent = dir_write::dotdot_start(info.start.load(Ordering::Relaxed), info.is_root);
        let times = entry_times(sbi, &fat_disk::dir_write::blank_entry(b"           "), now);
        // msdos_mkdir judges the name before it takes a cluster (a refused
        // name is EINVAL on a full volume too); vfat_mkdir takes the
        // cluster first.
        let named_first = if sbi.ns.long_names() {
            None
        } else {
            Some(entry_name(dir, name)?)
        };
        let cluster = dir_write::new_dir(&sbi.vol, &sbi.fat, parent, &times)
            .map_err(|e| sbi.fs_errno(e, "making a directory", 0))?;
        let named = named_first.map_or_else(|| entry_name(dir, name), Ok);
        match named.and_then(|nn| add_named_entry(dir, &nn, attr::DIRECTORY, cluster, now)) {
            Ok((e, pos)) => {
                let inode = entry_inode(sb, sbi, &e, pos)?;
                inode.set_nlink(2);
                dirsync(&[dir])?;
                flush_msdos(sbi, dir, &inode);
                Ok(inode)
            }
            Err(err) => {
                let _ = sbi.fat.lock_fat(|st| sbi.vol.free_chain(st, cluster));
                Err(err)
            }
        }
    }

    fn unlink(dir: &INode<FatFs>, name: &[u8], inode: &INode<FatFs>) -> Result {
        let sbi = dir.super_block().data();
        let _g = sbi.s_lock.lock();
        remove_entry(dir, name, inode)?;
        dirsync(&[dir])?;
        flush_msdos(sbi, dir, inode);
        Ok(())
    }

    fn rmdir(dir: &INode<FatFs>, name: &[u8], inode: &INode<FatFs>) -> Result {
        let sbi = dir.super_block().data();
        let _g = sbi.s_lock.lock();
        let loc = sbi.dir_location(inode.data());
        if !dir_write::dir_is_empty(&sbi.vol, loc)
            .map_err(|e| sbi.fs_errno(e, "reading a directory", 0))?
        {
            return Err(ENOTEMPTY);
        }
        remove_entry(dir, name, inode)?;
        dirsync(&[dir])?;
        flush_msdos(sbi, dir, inode);
        Ok(())
    }

    fn rename(
        old_dir: &INode<FatFs>,
        old_name: &[u8],
        inode: &INode<FatFs>,
        new_dir: &INode<FatFs>,
        new_name: &[u8],
        target: Option<&INode<FatFs>>,
    ) -> Result {
        let sbi = old_dir.super_block().data();
        let _g = sbi.s_lock.lock();
        rename(old_dir, old_name, inode, new_dir, new_name, target)?;
        dirsync(&[old_dir, new_dir, inode])?;
        flush_msdos(sbi, old_dir, new_dir);
        Ok(())
    }

    fn rename_exchange(
        a_dir: &INode<FatFs>,
        a: &INode<FatFs>,
        b_dir: &INode<FatFs>,
        b: &INode<FatFs>,
    ) -> Result {
        let sbi = a_dir.super_block().data();
        // vfat exchanges (`vfat_rename_exchange`); msdos refuses any flag
        // but RENAME_NOREPLACE (`msdos_rename`): the namespace that reads
        // long names is vfat's.
        if !sbi.ns.long_names() {
            return Err(EINVAL);
        }
        let _g = sbi.s_lock.lock();
        rename_exchange(a_dir, a, b_dir, b)?;
        dirsync(&[a_dir, b_dir, a, b])
    }

    fn statfs(sb: &SuperBlock<FatFs>) -> Result<Stat> {
        let sbi = sb.data();
        let free = sbi
            .fat
            .lock_fat(|st| sbi.vol.count_free(st, misc::fatal_signal_pending))
            .map_err(|e| sbi.errno(e, "counting free clusters", 0))?;
        Ok(Stat {
            magic: FAT_SUPER_MAGIC,
            block_size: u64::from(sbi.vol.bpb.cluster_size),
            blocks: u64::from(sbi.vol.bpb.cluster_count),
            free: u64::from(free),
            namelen: u64::from(sbi.ns.namelen()),
        })
    }

    /// As `fat_getattr`: the cluster size as the I/O block size and, on
    /// vfat, the birth time.
    fn getattr(inode: &INode<FatFs>) -> ExtraAttrs {
        let sbi = inode.super_block().data();
        ExtraAttrs {
            blksize: sbi.vol.bpb.cluster_size,
            btime: sbi.ns.keeps_times().then_some(inode.data().crtime),
        }
    }

    fn name_case(sb: &SuperBlock<FatFs>) -> NameCase {
        // As `fat_fileattr_get`: vfat compares with case only under
        // `check=strict` and keeps the case of its long names; msdos
        // compares with case, and keeps it, only under `nocase`. (With
        // `iocharset=utf8` vfat's lookups are case sensitive too, but C
        // reports folding there, and the report is C's.)
        let sbi = sb.data();
        let vfat = sbi.ns.long_names();
        let sensitive = if vfat {
            sbi.opts.check == NameCheck::Strict
        } else {
            sbi.opts.nocase
        };
        match (sensitive, vfat) {
            (true, _) => NameCase::Sensitive,
            (false, true) => NameCase::Folded,
            (false, false) => NameCase::FoldedNotPreserved,
        }
    }

    fn d_hash(names: &NameRules, name: &[u8], hasher: &NameHasher) -> Option<u32> {
        // Salted with the parent, as `full_name_hash` is; fed byte by byte,
        // so that a name of any length hashes as it compares.
        let mut hash = NameHash::new(hasher.salt());
        names
            .ns
            .hash_name(name, &names.opts, &mut hash)
            .ok()
            .map(|()| hash.finish())
    }

    fn d_compare(names: &NameRules, a: &[u8], b: &[u8]) -> bool {
        names.ns.names_equal(a, b, &names.opts)
    }
}

/// Finds the record `name` names in the directory `info`.
fn find(sbi: &FatSb<'_>, info: &InodeInfo, name: &[u8]) -> Result<Option<(DirEntry, u64)>> {
    // On the heap: a key holds any name a record can show (1,300 bytes),
    // and the reader a sector and a long name; lookup runs under the path
    // walks of stacked file systems.
    let mut key = KBox::new(KeyBuf::new(), GFP_KERNEL)?;
    if sbi.ns.lookup_key(name, &sbi.opts, &mut key).is_err() {
        return Ok(None);
    }
    let mut reader = KBox::new(
        DirReader::new(&sbi.vol, sbi.dir_location(info), sbi.ns.long_names()),
        GFP_KERNEL,
    )?;
    namespace::find(&mut reader, sbi.ns, &sbi.opts, key.as_bytes()).map_err(|e| {
        sbi.errno(
            e,
            "looking up a name",
            u64::from(info.start.load(Ordering::Relaxed)),
        )
    })
}

/// The number readdir shows for the entry at `dev_pos` of `dir`: the
/// inode's if it is in memory (renamed, it kept the number of its first
/// place; or it took a fresh one), else the entry's index, the number its
/// inode gets unless an inode that left the entry still holds it (C's
/// `__fat_readdir` asks `fat_iget` too, and shows an `iunique` of the
/// moment for an inode not in memory).
fn entry_ino(dir: &INode<FatFs>, dev_pos: u64) -> u64 {
    let sb = dir.super_block();
    // Every inode in memory bears its entry's index: no need to ask.
    if sb.data().renumbered.load(Ordering::Acquire) == 0 {
        return dev_pos / 32;
    }
    sb.find_inode(dev_pos)
        .map_or(dev_pos / 32, |inode| inode.ino())
}

/// `readdir`, as the C driver's `__fat_readdir` positions it: the root
/// gets synthesised `.` and `..` at 0 and 1 and its first record at 2;
/// other positions are byte offsets of records in the directory.
fn readdir(dir: &INode<FatFs>, ctx: &mut DirEmitter<'_>) -> Result {
    let sbi = dir.super_block().data();
    let info = dir.data();
    let is_root = info.is_root;
    let mut fake_offset = false;
    let mut cpos = ctx.pos() as u64;
    if is_root {
        if !ctx.emit_dots() {
            return Ok(());
        }
        if ctx.pos() == 2 {
            fake_offset = true;
            cpos = 0;
        }
    }
    if cpos % 32 != 0 {
        return Err(ENOENT);
    }
    // Each getdents call starts a reader at `cpos`; from the directory's
    // first cluster it would walk the chain up to there, one FAT read per
    // cluster, which made a whole listing quadratic in the directory's
    // length. Start it at the cluster holding `cpos` instead, found through
    // the inode's run cache (as `fs/fat`'s cluster cache does for
    // `fat_get_cluster`); positions are then relative to that cluster.
    let (loc, base) = dir_start(sbi, info, cpos);
    // VFAT_IOCTL_READDIR_SHORT walks the 8.3 entries alone (the long-name
    // slots are skipped, positions are the entries'), as `__fat_readdir`
    // with `short_only`.
    let choice = ctx.names();
    let long_names = sbi.ns.long_names() && choice != NameChoice::ShortOnly;
    let mut reader = DirReader::new(&sbi.vol, loc, long_names);
    let fail = |e| {
        sbi.errno(
            e,
            "reading a directory",
            u64::from(info.start.load(Ordering::Relaxed)),
        )
    };
    reader.seek(cpos - base).map_err(fail)?;
    // On the heap: see `find`.
    let mut bufs = KBox::new(
        [
            NameBuf::<NAME_MAX_BYTES>::new(),
            NameBuf::<NAME_MAX_BYTES>::new(),
        ],
        GFP_KERNEL,
    )?;
    let [long, name] = &mut *bufs;
    while let Some(rec) = reader.next_record().map_err(fail)? {
        let mut pos = (base + rec.start) as i64;
        if fake_offset && pos < 2 {
            pos = 2;
        }
        ctx.set_pos(pos);
        let e = &rec.entry;
        let emitted = if &e.name == b".          " {
            ctx.emit_dot()
        } else if &e.name == b"..         " {
            ctx.emit_dotdot()
        } else {
            let ty = if e.is_dir() {
                DirEntryType::Dir
            } else {
                DirEntryType::Reg
            };
            if choice == NameChoice::Both && rec.long_len > 0 {
                // Both names (VFAT_IOCTL_READDIR_BOTH).
                namespace::record_long_name(sbi.ns, &reader, &rec, &sbi.opts, long)
                    .map_err(fail)?;
                name.clear();
                sbi.ns.display_name(e, &sbi.opts, name).map_err(fail)?;
                if long.as_bytes().is_empty() || name.as_bytes().is_empty() {
                    true
                } else {
                    ctx.emit_both(
                        long.as_bytes(),
                        name.as_bytes(),
                        entry_ino(dir, rec.dev_pos),
                        ty,
                    )
                }
            } else {
                let shown = namespace::display(sbi.ns, &reader, &rec, &sbi.opts, long, name)
                    .map_err(fail)?;
                if shown.is_empty() {
                    true
                } else {
                    ctx.emit(shown, entry_ino(dir, rec.dev_pos), ty)
                }
            }
        };
        if !emitted {
            return Ok(());
        }
        fake_offset = false;
        ctx.set_pos((base + rec.end) as i64);
    }
    // At the end: the directory's size, never before where the caller
    // asked to start (a position past the end stays as it is, as in C).
    ctx.set_pos(
        (dir.size() as i64)
            .max(cpos as i64)
            .max(if fake_offset { 2 } else { 0 }),
    );
    Ok(())
}

/// Where a reader of the directory `info` that is to start at directory
/// offset `cpos` begins: the cluster holding `cpos` and that cluster's
/// directory offset, or the directory's start (offset 0) when `cpos` is in
/// its first cluster, the directory is the fixed FAT12/16 root, or the
/// chain cannot be followed that far (the reader then reports why).
fn dir_start(sbi: &FatSb<'_>, info: &InodeInfo, cpos: u64) -> (DirLocation, u64) {
    let loc = sbi.dir_location(info);
    let DirLocation::Chain(start) = loc else {
        return (loc, 0);
    };
    let cs = sbi.vol.bpb.cluster_size_nz();
    let Ok(index) = u32::try_from(cpos / cs) else {
        return (loc, 0);
    };
    if index == 0 {
        return (loc, 0);
    }
    let near = info.runs.try_with(|c| c.near(index)).flatten();
    match sbi.vol.locate(start, cpos, near, 1) {
        Ok(run) => {
            info.runs.try_with(|c| c.insert(run));
            (
                DirLocation::Chain(run.cluster_at(index)),
                u64::from(index) * cs.get(),
            )
        }
        Err(_) => (loc, 0),
    }
}

/// Maps `want` blocks of `inode` from `iblock` on to device blocks, up to
/// `size` bytes (`None`: past them, read as zeros).
fn map_blocks(inode: &INode<FatFs>, iblock: u64, want: u64, size: u64) -> Result<Option<Mapping>> {
    let sbi = inode.super_block().data();
    let info = inode.data();
    let start = info.start.load(Ordering::Relaxed);
    let bpb = &sbi.vol.bpb;
    let bs = bpb.sector_size_nz();
    let per_cluster = bpb.sectors_per_cluster_nz();
    let last_block = ceil_div(size, bs);
    if iblock >= last_block || start == 0 {
        return Ok(None);
    }
    // Only the links this read needs are followed (`locate`), as
    // `fs/fat` does: damage after the file's last cluster, or after the
    // part being read, fails no read; a looping chain is followed as C
    // follows it, the walk bounded by the file's size in clusters.
    let ino = inode.ino();
    let within = iblock % per_cluster;
    let clusters_wanted = ceil_div(within + want, per_cluster).min(u64::from(u32::MAX)) as u32;
    let offset = iblock * bs.get();
    let index = (offset / bpb.cluster_size_nz()).min(u64::from(u32::MAX)) as u32;
    let gen = info.runs_gen.load(Ordering::Acquire);
    let near = info.runs.try_with(|c| c.near(index)).flatten();
    match sbi.vol.locate(start, offset, near, clusters_wanted.max(1)) {
        Ok(run) => {
            info.runs.try_with(|c| {
                if info.runs_gen.load(Ordering::Acquire) == gen {
                    c.insert(run)
                }
            });
            // `locate` returns a run holding `index`.
            let Ok(first) = bpb.cluster_offset(run.cluster_at(index)) else {
                return Err(EIO);
            };
            let left = run.len - (index - run.index);
            let n = (u64::from(left) * per_cluster.get() - within)
                .min(last_block - iblock)
                .min(want.max(1));
            Ok(Some(Mapping {
                phys: first / bs + within,
                count: n,
                new: false,
            }))
        }
        Err(e) => Err(sbi.errno(e, "reading file data", ino)),
    }
}

/// Forgets the runs of `info`'s chain (after the chain was cut or its
/// start changed): a run found before is neither used nor cached.
fn forget_runs(info: &InodeInfo) {
    info.runs_gen.fetch_add(1, Ordering::AcqRel);
    // The cell is held only for a lookup or an insertion, never across
    // device reads: wait for it.
    while info
        .runs
        .try_with(|c| *c = ExtentCache::default())
        .is_none()
    {
        core::hint::spin_loop();
    }
}

/// The block mapping of a write, as `__fat_get_block` with `create`: a
/// block within the allocation is mapped; the block at its end is made
/// part of it (a new cluster when it starts one), and is new.
fn get_block_create(inode: &INode<FatFs>, iblock: u64, want: u64) -> Result<Option<Mapping>> {
    let sbi = inode.super_block().data();
    let info = inode.data();
    let allocated = inode.allocated();
    if let Some(m) = map_blocks(inode, iblock, want, inode.size().max(allocated))? {
        return Ok(Some(m));
    }
    let bpb = &sbi.vol.bpb;
    let bs = bpb.sector_size_nz();
    let spc = bpb.sectors_per_cluster_nz().get();
    if iblock != allocated / bs {
        sbi.fs_error(format_args!(
            "corrupted file size (i_pos {}, {})",
            info.i_pos.load(Ordering::Relaxed),
            allocated
        ));
        return Err(EIO);
    }
    let offset = iblock % spc;
    let last_block = inode.blocks() * 512 / bs.get();
    if offset == 0 && iblock >= last_block {
        add_clusters(inode, 1, Report::Yes)?;
    }
    let n = (spc - offset).min(want.max(1));
    inode.set_allocated(allocated + n * bs.get());
    match map_blocks(inode, iblock, n, inode.allocated())? {
        Some(m) => Ok(Some(Mapping { new: true, ..m })),
        None => {
            sbi.fs_error(format_args!(
                "invalid FAT chain (i_pos {}, last_block {})",
                info.i_pos.load(Ordering::Relaxed),
                last_block
            ));
            Err(EIO)
        }
    }
}

/// The most clusters [`allocate_ahead`] takes in one FAT update.
const PREALLOC_BATCH: u32 = 4096;

/// Adds clusters to `inode` until its allocation reaches `end` bytes
/// (clusters past the size, not zeroed), in batches of one FAT update
/// each: the FAT lock is held for at most `PREALLOC_BATCH` clusters,
/// however far past the end a fallocate reaches. A batch that does not
/// fit is taken one cluster at a time, as `fat_fallocate` takes them, so
/// that a full volume ends where C's does.
fn allocate_ahead(inode: &INode<FatFs>, end: u64, report: Report) -> Result {
    let cs = inode.super_block().data().vol.bpb.cluster_size_nz();
    let on_disk = inode.blocks() << 9;
    if end <= on_disk {
        return Ok(());
    }
    let mut need = ceil_div(end - on_disk, cs);
    let mut batch = PREALLOC_BATCH;
    while need > 0 {
        let n = need.min(u64::from(batch)) as u32;
        match add_clusters(inode, n, report) {
            Ok(()) => need -= u64::from(n),
            // No room for the whole batch: one at a time from here on.
            Err(e) if e == ENOSPC && n > 1 => batch = 1,
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// The errno of `e` as [`FatSb::errno`] gives it, without the report:
/// the request's own ([`FatError::user_errno`]), else `EIO`.
fn quiet_errno(e: FatError) -> Error {
    e.user_errno().map_or(EIO, |n| Error::from_errno(-n))
}

/// Whether an allocation reports damage it meets (a line and the
/// volume's error policy) or leaves that to the caller that meets it
/// again ([`FatFs::reserve`]).
#[derive(Clone, Copy, PartialEq)]
enum Report {
    Yes,
    Quiet,
}

/// Adds `n` clusters at the end of `inode`'s chain (`fat_add_cluster`,
/// `fat_chain_add`, for `n` clusters at once), under the FAT lock; the
/// inode is dirtied. Without room for all `n`, none is added (`ENOSPC`).
/// Damage is reported as `report` says; `EIO` either way.
fn add_clusters(inode: &INode<FatFs>, n: u32, report: Report) -> Result {
    let sbi = inode.super_block().data();
    let info = inode.data();
    let errno = |e: FatError, what: &str| {
        if report == Report::Yes {
            sbi.errno(e, what, info.i_pos.load(Ordering::Relaxed))
        } else {
            quiet_errno(e)
        }
    };
    let cs = sbi.vol.bpb.cluster_size_nz();
    let start = info.start.load(Ordering::Relaxed);
    let have = inode.blocks() * 512 / cs.get();
    if start == 0 && have > 0 {
        // The size says the file has clusters, the entry names none (C's
        // "corrupted file size"): a new chain would leave the size past it.
        return Err(errno(FatError::SizeMismatch, "allocating a cluster"));
    }
    let last = if start == 0 || have == 0 {
        None
    } else {
        // The last cluster, through the run cache.
        let index = (have - 1) as u32;
        let near = info.runs.try_with(|c| c.near(index)).flatten();
        let run = sbi
            .vol
            .locate(start, (have - 1) * cs.get(), near, 1)
            .map_err(|e| errno(e, "finding the last cluster"))?;
        Some(run.cluster_at(index))
    };
    let (new, run) = sbi
        .fat
        .lock_fat(|st| sbi.vol.extend_chain_run(st, last, n))
        .map_err(|e| match e {
            FatError::NoSpace => ENOSPC,
            e => errno(e, "allocating a cluster"),
        })?;
    if last.is_none() {
        info.start.store(new, Ordering::Relaxed);
        forget_runs(info);
    }
    // The run cache learns the new clusters: the mapping of the blocks
    // being written finds them there, with no FAT read.
    if let Ok(index) = u32::try_from(have) {
        info.runs.try_with(|c| c.append(index, new, run));
    }
    inode.set_blocks(inode.blocks() + u64::from(n) * (cs.get() >> 9));
    inode.mark_dirty();
    Ok(())
}

/// Frees the clusters of `inode` past `size` bytes (`fat_truncate_blocks`,
/// `fat_free`); the allocation mark becomes `size`.
fn truncate_blocks(inode: &INode<FatFs>, size: u64) -> Result<(), FatError> {
    let sbi = inode.super_block().data();
    let info = inode.data();
    let cs = sbi.vol.bpb.cluster_size_nz();
    let keep = ceil_div(size, cs);
    inode.set_allocated(size);
    let start = info.start.load(Ordering::Relaxed);
    if start == 0 || info.is_root {
        return Ok(());
    }
    // As `fat_free`: a file with clusters is changed by a truncation even
    // if none of them goes (a size kept, or cut within the last cluster):
    // it gets the archive attribute and its change times. Without a
    // cluster nothing changes: `truncate` of an empty file keeps its times.
    info.attrs.fetch_or(attr::ARCHIVE, Ordering::Relaxed);
    inode.set_mtime(inode.now());
    inode.mark_dirty();
    // Only clusters the file accounts for are freed: a chain longer than
    // that (damage; another file's clusters, if the two are cross-linked)
    // is left as it is, where C cuts it at the size and frees the rest.
    // The chain is still walked as far as C walks it, so damage on the way
    // is reported as C reports it.
    if keep > 0 && keep >= inode.blocks() * 512 / cs.get() {
        let keep = u32::try_from(keep).map_err(|_| FatError::SizeMismatch)?;
        sbi.vol.past_kept(start, keep)?;
        return Ok(());
    }
    if keep == 0 {
        // The entry lets go of the chain first, then the chain is freed.
        info.start.store(0, Ordering::Relaxed);
        forget_runs(info);
        inode.set_blocks(0);
        let _ = write_inode(inode, false);
        inode.mark_dirty();
        sbi.fat.lock_fat(|st| sbi.vol.free_chain(st, start))?;
    } else {
        let keep = u32::try_from(keep).map_err(|_| FatError::SizeMismatch)?;
        forget_runs(info);
        sbi.fat
            .lock_fat(|st| sbi.vol.truncate_chain(st, start, keep))?;
        inode.set_blocks((u64::from(keep) * cs.get()) >> 9);
        inode.mark_dirty();
    }
    Ok(())
}

/// Writes `inode`'s attributes into its directory entry
/// (`__fat_write_inode`): size, attributes, first cluster, times.
fn write_inode(inode: &INode<FatFs>, sync: bool) -> Result {
    let sb = inode.super_block();
    let sbi = sb.data();
    let info = inode.data();
    // Also on a read-only super block, as `__fat_write_inode`: a mount made
    // read-only by an error (errors=remount-ro) still writes back what was
    // written before it, or those files keep their old sizes on the disk.
    // (Nothing is dirty on a mount read-only from the start.)
    if info.is_root {
        return Ok(());
    }
    let dir = inode.mode() & vfs::mode::S_IFMT == S_IFDIR;
    let _g = sbi.entry_lock.lock();
    let pos = info.i_pos.load(Ordering::Relaxed);
    if pos == 0 {
        return Ok(());
    }
    let fail = |e: FatError| sbi.errno(e, "updating an inode", pos);
    let from = info.moved_from.load(Ordering::Relaxed);
    if from != 0 {
        // The entry the inode was renamed from must be gone on the disk
        // before this one names the inode's chain.
        let (bits, _) = sbi.vol.device().0.block_size();
        sbi.vol
            .device()
            .0
            .sync_block(from >> bits)
            .map_err(|_| fail(FatError::Io))?;
        info.moved_from.store(0, Ordering::Relaxed);
    }
    let a = make_attrs(sbi, inode);
    let ts = |t: vfs::Time| Timestamp {
        sec: t.sec,
        nsec: t.nsec,
    };
    let (time, date, _) = unix_to_fat(ts(inode.mtime()), sbi.tz_offset);
    let extra = sbi.ns.keeps_times().then(|| {
        let (_, adate, _) = unix_to_fat(ts(inode.atime()), sbi.tz_offset);
        let (ctime, cdate, ctime_cs) = unix_to_fat(ts(info.crtime), sbi.tz_offset);
        ExtraTimes {
            adate,
            ctime,
            cdate,
            ctime_cs,
        }
    });
    let fields = InodeFields {
        size: if dir { 0 } else { inode.size() as u32 },
        attr: a,
        start: info.start.load(Ordering::Relaxed),
        time,
        date,
        extra,
    };
    // Every field but the name and the case flags, which a rename or an
    // unlink may change meanwhile.
    dir_write::write_inode(&sbi.vol, pos, &fields).map_err(fail)?;
    if sync {
        sbi.vol.device().0.sync()?;
    }
    Ok(())
}

/// `fat_setattr`'s rules for owner and mode: the mount's owner only
/// (`EPERM`), the permission bits FAT can store (`fat_sanitize_mode`: a
/// change it cannot store is dropped, not refused).
fn check_setattr(inode: &INode<FatFs>, change: &AttrChange) -> Result<Option<u32>> {
    let sbi = inode.super_block().data();
    if change.uid.is_some_and(|u| u != sbi.uid) || change.gid.is_some_and(|g| g != sbi.gid) {
        return Err(EPERM);
    }
    let Some(mode) = change.mode else {
        return Ok(None);
    };
    const S_IFMT: u32 = vfs::mode::S_IFMT;
    if mode & !(vfs::mode::S_IFREG | S_IFDIR | 0o777) != 0 {
        return Err(EPERM);
    }
    let cur = inode.mode();
    let dir = cur & S_IFMT == S_IFDIR;
    let mask = u32::from(if dir { sbi.opts.dmask } else { sbi.opts.fmask });
    let perm = mode & !(S_IFMT | mask);
    if perm & 0o555 != cur & 0o555 {
        return Ok(None);
    }
    let w = perm & 0o222;
    if sbi.can_hold_ro(dir) {
        if w != 0 && w != 0o222 & !mask {
            return Ok(None);
        }
    } else if w != 0o222 & !mask {
        return Ok(None);
    }
    Ok(Some(mode & (S_IFMT | perm)))
}

/// The time fields of a new entry made at `now` (`vfat_build_slots`;
/// msdos keeps no creation or access dates), over `e`.
fn entry_times(sbi: &FatSb<'_>, e: &DirEntry, now: vfs::Time) -> DirEntry {
    let mut e = *e;
    let (time, date, cs) = unix_to_fat(
        Timestamp {
            sec: now.sec,
            nsec: now.nsec,
        },
        sbi.tz_offset,
    );
    e.time = time;
    e.date = date;
    if sbi.ns.keeps_times() {
        e.ctime = time;
        e.cdate = date;
        e.adate = date;
        e.ctime_cs = cs;
    }
    e
}

/// Marks the directory `dir` changed at `now` (`fat_truncate_time` with
/// `CMTIME` and `mark_inode_dirty`).
fn dir_changed(dir: &INode<FatFs>, now: vfs::Time) {
    dir.set_mtime(now);
    dir.mark_dirty();
}

/// Marks the directory `dir` changed and accessed at `now`: a record of
/// it was removed (`fat_remove_entries` takes `ATIME` with `CMTIME`, so a
/// vfat directory's access date on the disk moves too).
fn dir_lost_record(dir: &INode<FatFs>, now: vfs::Time) {
    dir.set_atime(now);
    dir_changed(dir, now);
}

/// Adds a record named `name` to `dir` with attributes `a` and first
/// cluster `start`, made at `now` (`vfat_add_entry`, `msdos_add_entry`);
/// returns its entry and device offset.
fn add_entry(
    dir: &INode<FatFs>,
    name: &[u8],
    a: u8,
    start: u32,
    now: vfs::Time,
) -> Result<(DirEntry, u64)> {
    let nn = entry_name(dir, name)?;
    add_named_entry(dir, &nn, a, start, now)
}

/// The on-disk name(s) the namespace gives `name` in `dir`: `EINVAL` for a
/// name it refuses, `EEXIST` where its 8.3 form is taken and it makes no
/// other.
fn entry_name(dir: &INode<FatFs>, name: &[u8]) -> Result<KBox<NewName>> {
    let sbi = dir.super_block().data();
    let info = dir.data();
    let loc = sbi.dir_location(info);
    let mut nn = KBox::new(NewName::new(), GFP_KERNEL)?;
    let mut taken = |n: &[u8; 11]| dir_write::short_name_taken(&sbi.vol, loc, n);
    sbi.ns
        .new_name(name, &sbi.opts, misc::jiffies(), &mut taken, &mut nn)
        .map_err(|e| sbi.fs_errno(e, "making a name", info.i_pos.load(Ordering::Relaxed)))?;
    Ok(nn)
}

/// Adds the record of the names `nn` to `dir`, for an entry with the
/// attributes `a` starting at cluster `start`.
fn add_named_entry(
    dir: &INode<FatFs>,
    nn: &NewName,
    a: u8,
    start: u32,
    now: vfs::Time,
) -> Result<(DirEntry, u64)> {
    let sbi = dir.super_block().data();
    let info = dir.data();
    let loc = sbi.dir_location(info);
    let dir_pos = info.i_pos.load(Ordering::Relaxed);
    let mut e = entry_times(sbi, &dir_write::blank_entry(&nn.short), now);
    e.attr = a;
    e.first_cluster = start;
    let rec = KBox::new(
        NewRecord::new(nn, &e).map_err(|err| sbi.fs_errno(err, "making a record", dir_pos))?,
        GFP_KERNEL,
    )?;
    let added = dir_write::add_record(&sbi.vol, &sbi.fat, loc, &rec)
        .map_err(|err| sbi.fs_errno(err, "adding a directory record", dir_pos))?;
    if added.new_clusters > 0 {
        let grown = u64::from(added.new_clusters) * u64::from(sbi.vol.bpb.cluster_size);
        dir.set_size(dir.size() + grown);
        dir.set_blocks(dir.blocks() + (grown >> 9));
    }
    dir_changed(dir, now);
    e.name = nn.short;
    if e.name[0] == 0x05 {
        e.name[0] = 0xe5;
    }
    e.lcase = nn.lcase;
    e.attr = (e.attr & !nn.attr_mask) | nn.attr;
    Ok((e, added.pos.dev_pos))
}

/// Finds the whole record `name` names in `dir` (key and reader on the
/// heap, as in `find`).
fn find_record(sbi: &FatSb<'_>, dir: &InodeInfo, name: &[u8]) -> Result<Option<DirRecord>> {
    let mut key = KBox::new(KeyBuf::new(), GFP_KERNEL)?;
    if sbi.ns.lookup_key(name, &sbi.opts, &mut key).is_err() {
        return Ok(None);
    }
    let mut reader = KBox::new(
        DirReader::new(&sbi.vol, sbi.dir_location(dir), sbi.ns.long_names()),
        GFP_KERNEL,
    )?;
    namespace::find_record(&mut reader, sbi.ns, &sbi.opts, key.as_bytes())
        .map_err(|e| sbi.errno(e, "looking up a name", dir.i_pos.load(Ordering::Relaxed)))
}

/// The inode lost its entry (`fat_detach`): it writes nowhere any more,
/// and a new entry in its place gets a new inode.
fn detach(sbi: &FatSb<'_>, inode: &INode<FatFs>) {
    let _g = sbi.entry_lock.lock();
    inode.data().i_pos.store(0, Ordering::Relaxed);
    inode.unhash();
    sbi.filed(inode, None);
}

/// Removes the record `name` of `inode` from `dir` (`vfat_unlink`,
/// `vfat_rmdir` after the emptiness check).
fn remove_entry(dir: &INode<FatFs>, name: &[u8], inode: &INode<FatFs>) -> Result {
    let sbi = dir.super_block().data();
    // An open file lives on without its entry, under its number.
    sbi.leaves_entry(inode)?;
    let now = dir.now();
    if !remove_in_place(sbi, inode)? {
        remove_by_scan(sbi, dir.data(), name, inode)?;
    }
    inode.unhash();
    sbi.filed(inode, None);
    dir_lost_record(dir, now);
    // `vfat_unlink` and `vfat_rmdir` give the inode (alive while open)
    // its access and change times; `msdos_unlink` and `msdos_rmdir` leave
    // its times as they were.
    if sbi.ns.long_names() {
        inode.set_atime(now);
        inode.set_mtime(now);
    }
    Ok(())
}

/// Removes `inode`'s record from its own 8.3 entry (`i_pos`: the name the
/// VFS resolved to it) and the long-name slots right before it, read in
/// place where they share its 512-byte piece of the device: no scan of
/// the directory from its start, which `vfat_unlink` does (`vfat_find`).
/// `false` when the piece cannot tell the record (the caller scans).
///
/// The record goes and the inode lets go of it in one step under the
/// entry lock: a `write_inode` meanwhile (writeback, another task's sync)
/// would otherwise find a deleted slot at its `i_pos` and take it for a
/// corrupted directory.
fn remove_in_place(sbi: &FatSb<'_>, inode: &INode<FatFs>) -> Result<bool> {
    let _g = sbi.entry_lock.lock();
    let pos = inode.data().i_pos.load(Ordering::Relaxed);
    if pos == 0 {
        return Ok(false);
    }
    let Some(n) = dir_write::record_slots_at(&sbi.vol, pos, sbi.ns.long_names())
        .map_err(|e| sbi.fs_errno(e, "reading a directory record", pos))?
    else {
        return Ok(false);
    };
    dir_write::remove_slots_at(&sbi.vol, pos, n)
        .map_err(|e| sbi.fs_errno(e, "removing a directory record", pos))?;
    inode.data().i_pos.store(0, Ordering::Relaxed);
    Ok(true)
}

/// Removes the record `name` of `inode`, found by a scan of the directory
/// `info`, under the entry lock as [`remove_in_place`] does.
fn remove_by_scan(sbi: &FatSb<'_>, info: &InodeInfo, name: &[u8], inode: &INode<FatFs>) -> Result {
    let Some(rec) = find_record(sbi, info, name)? else {
        return Err(ENOENT);
    };
    if rec.dev_pos != inode.data().i_pos.load(Ordering::Relaxed) {
        sbi.fs_error(format_args!(
            "a directory record is not its inode's (i_pos {})",
            rec.dev_pos
        ));
        return Err(EIO);
    }
    let _g = sbi.entry_lock.lock();
    dir_write::remove_record(&sbi.vol, sbi.dir_location(info), &RecordPos::from(&rec))
        .map_err(|e| sbi.fs_errno(e, "removing a directory record", rec.dev_pos))?;
    inode.data().i_pos.store(0, Ordering::Relaxed);
    Ok(())
}

/// `vfat_rename`: the record moves to `new_name` in `new_dir` (taking
/// over the target's record if there is one), the inode follows it, a
/// moved directory's `..` is updated, then the old record goes.
fn rename(
    old_dir: &INode<FatFs>,
    old_name: &[u8],
    inode: &INode<FatFs>,
    new_dir: &INode<FatFs>,
    new_name: &[u8],
    target: Option<&INode<FatFs>>,
) -> Result {
    let sbi = old_dir.super_block().data();
    let info = inode.data();
    let is_dir = inode.mode() & vfs::mode::S_IFMT == S_IFDIR;
    // The inode moves to another entry under its number; a replaced
    // target lives on (if open) without one.
    sbi.leaves_entry(inode)?;
    if let Some(t) = target {
        sbi.leaves_entry(t)?;
    }
    let Some(old_rec) = find_record(sbi, old_dir.data(), old_name)? else {
        return Err(ENOENT);
    };
    if old_rec.dev_pos != info.i_pos.load(Ordering::Relaxed) {
        return Err(EIO);
    }
    // A directory that changes parent needs its `..`: found before
    // anything changes (`vfat_get_dotdot_de`: EIO, nothing reported).
    let dotdot = if is_dir && !core::ptr::eq(old_dir, new_dir) {
        Some(dir_write::dotdot_pos(&sbi.vol, info.start.load(Ordering::Relaxed)).map_err(|_| EIO)?)
    } else {
        None
    };
    let now = old_dir.now();
    let new_pos = match target {
        Some(t) => {
            if is_dir
                && !dir_write::dir_is_empty(&sbi.vol, sbi.dir_location(t.data()))
                    .map_err(|e| sbi.fs_errno(e, "reading a directory", 0))?
            {
                return Err(ENOTEMPTY);
            }
            let Some(rec) = find_record(sbi, new_dir.data(), new_name)? else {
                return Err(EIO);
            };
            // The target's record keeps its name; the attribute bits that
            // name decides (msdos' hidden with `dots`) go to the moved
            // inode, as `do_msdos_rename` sets them.
            let mut nn = KBox::new(NewName::new(), GFP_KERNEL)?;
            let mut free = |_: &[u8; 11]| Ok(false);
            if sbi
                .ns
                .new_name(new_name, &sbi.opts, 0, &mut free, &mut nn)
                .is_ok()
            {
                let m = nn.attr_mask;
                let a = info.attrs.load(Ordering::Relaxed);
                info.attrs
                    .store((a & !m) | (nn.attr & m), Ordering::Relaxed);
            }
            // The replaced inode (alive while open) keeps its times, as
            // in `vfat_rename` and `do_msdos_rename`.
            detach(sbi, t);
            rec.dev_pos
        }
        None => {
            let a = old_rec.entry.attr;
            // The new entry names no cluster yet (`vfat_add_entry` with
            // cluster 0, as C): `write_inode` gives it the chain.
            let (e, pos) = add_entry(new_dir, new_name, a, 0, now)?;
            // The attribute bits the new name decides (msdos' hidden with
            // `dots`), as `do_msdos_rename` sets them in `i_attrs`.
            let decided = (a ^ e.attr) & (attr::HIDDEN | attr::SYSTEM);
            info.attrs.fetch_xor(decided, Ordering::Relaxed);
            pos
        }
    };
    if let Some(pos) = dotdot {
        let nd = new_dir.data();
        let parent = dir_write::dotdot_start(nd.start.load(Ordering::Relaxed), nd.is_root);
        dir_write::set_dotdot(&sbi.vol, pos, parent)
            .map_err(|e| sbi.fs_errno(e, "updating '..'", new_pos))?;
    }
    {
        // The old record goes and the inode moves to the new one in one
        // step under the entry lock: a `write_inode` meanwhile writes the
        // old entry while it is there, and the new one only once the old
        // one's deletion is on the disk (`moved_from`). Both naming the
        // chain at once would be a cross-link after a power cut. C defers
        // the new entry's fields to write-back too (`mark_inode_dirty`),
        // but does not wait for the old entry's block.
        let _g = sbi.entry_lock.lock();
        dir_write::remove_record(
            &sbi.vol,
            sbi.dir_location(old_dir.data()),
            &RecordPos::from(&old_rec),
        )
        .map_err(|e| sbi.fs_errno(e, "removing a directory record", old_rec.dev_pos))?;
        // An earlier rename's entry not yet known gone still named the
        // chain; the one removed here did not (its write-back waits).
        if info.moved_from.load(Ordering::Relaxed) == 0 {
            info.moved_from.store(old_rec.dev_pos, Ordering::Relaxed);
        }
        info.i_pos.store(new_pos, Ordering::Relaxed);
    }
    inode.rehash(new_pos);
    sbi.filed(inode, Some(new_pos));
    inode.mark_dirty();
    dir_lost_record(old_dir, now);
    Ok(())
}

/// `vfat_rename_exchange`: the two inodes swap entries (names stay where
/// they are, each inode's fields are written into the other's entry), a
/// directory that changes parent gets its `..` updated, both directories
/// are marked changed.
fn rename_exchange(
    a_dir: &INode<FatFs>,
    a: &INode<FatFs>,
    b_dir: &INode<FatFs>,
    b: &INode<FatFs>,
) -> Result {
    let sbi = a_dir.super_block().data();
    // Each moves to the other's entry under its own number.
    sbi.leaves_entry(a)?;
    sbi.leaves_entry(b)?;
    let (ai, bi) = (a.data(), b.data());
    // Each directory that changes parent needs its `..`: both found before
    // anything changes (`vfat_get_dotdot_de`: EIO, nothing reported).
    let is_dir = |i: &INode<FatFs>| i.mode() & vfs::mode::S_IFMT == S_IFDIR;
    let dotdot = |i: &INode<FatFs>| -> Result<Option<u64>> {
        if is_dir(i) && !core::ptr::eq(a_dir, b_dir) {
            let start = i.data().start.load(Ordering::Relaxed);
            Ok(Some(
                dir_write::dotdot_pos(&sbi.vol, start).map_err(|_| EIO)?,
            ))
        } else {
            Ok(None)
        }
    };
    let (a_dotdot, b_dotdot) = (dotdot(a)?, dotdot(b)?);
    let now = a_dir.now();
    let (pa, pb) = {
        let _g = sbi.entry_lock.lock();
        let pa = ai.i_pos.load(Ordering::Relaxed);
        let pb = bi.i_pos.load(Ordering::Relaxed);
        ai.i_pos.store(pb, Ordering::Relaxed);
        bi.i_pos.store(pa, Ordering::Relaxed);
        (pa, pb)
    };
    b.unhash();
    a.rehash(pb);
    b.rehash(pa);
    sbi.filed(a, Some(pb));
    sbi.filed(b, Some(pa));
    write_inode(b, false)?;
    write_inode(a, false)?;
    if !core::ptr::eq(a_dir, b_dir) {
        for (moved, to, dotdot) in [(a, b_dir, a_dotdot), (b, a_dir, b_dotdot)] {
            if let Some(pos) = dotdot {
                let td = to.data();
                let parent = dir_write::dotdot_start(td.start.load(Ordering::Relaxed), td.is_root);
                dir_write::set_dotdot(&sbi.vol, pos, parent).map_err(|e| {
                    sbi.fs_errno(
                        e,
                        "updating '..'",
                        moved.data().i_pos.load(Ordering::Relaxed),
                    )
                })?;
            }
        }
        dir_changed(b_dir, now);
    }
    dir_changed(a_dir, now);
    Ok(())
}

/// The attribute byte of `inode` (`fat_make_attrs`): the kept bits, the
/// directory bit, read-only from the write bits where the mode can show it.
fn make_attrs(sbi: &FatSb<'_>, inode: &INode<FatFs>) -> u8 {
    let dir = inode.mode() & vfs::mode::S_IFMT == S_IFDIR;
    let mut a = inode.data().attrs.load(Ordering::Relaxed);
    if dir {
        a |= attr::DIRECTORY;
    }
    if sbi.can_hold_ro(dir) && inode.mode() & 0o222 == 0 {
        a |= attr::READ_ONLY;
    }
    a
}

/// The mode attribute byte `a` gives permissions `perm` (`fat_make_mode`).
fn make_mode(sbi: &FatSb<'_>, a: u8, mut perm: u32) -> u32 {
    let dir = a & attr::DIRECTORY != 0;
    if a & attr::READ_ONLY != 0 && (!dir || sbi.opts.rodir(sbi.ns.rodir())) {
        perm &= !0o222;
    }
    if dir {
        (perm & !u32::from(sbi.opts.dmask)) | S_IFDIR
    } else {
        (perm & !u32::from(sbi.opts.fmask)) | vfs::mode::S_IFREG
    }
}

/// With `dirsync` (`IS_DIRSYNC` of the first, the directory changed), the
/// change is on the disk before the call returns: the inodes' entries are
/// written and the device's dirty blocks with them, as `fs/fat` syncs the
/// directory's buffers and `fat_sync_inode`s.
fn dirsync(inodes: &[&INode<FatFs>]) -> Result {
    let Some(first) = inodes.first() else {
        return Ok(());
    };
    if !first.is_dirsync() {
        return Ok(());
    }
    for i in inodes {
        write_inode(i, false)?;
    }
    first.super_block().data().vol.device().0.sync()
}
