// SPDX-License-Identifier: GPL-2.0

//! The FAT file system over the [`vfs`] layer: mounting (`fill_super`),
//! inodes, lookup, readdir and the block mapping of file reads, all in safe
//! Rust over the on-disk logic of [`fat_disk`].
//!
//! The namespace layers (`rust_vfat`, `rust_msdos`) each register a file
//! system type with their name rules ([`Namespace`]) through
//! [`FatRegistration::new`]. A mount holds the namespace module (the type's
//! owner), which holds `rust_fat` through its symbol references.

use core::sync::atomic::{
    AtomicU32,
    Ordering, //
};
use fat_disk::dir::{
    DirLocation,
    DirReader, //
};
use fat_disk::format::{
    ceil_div,
    DirEntry,
    FatError, //
};
use fat_disk::inode::InodeAttrs;
use fat_disk::names::{
    IoCharset,
    KeyBuf,
    NameBuf,
    NameHash,
    NAME_MAX_BYTES, //
};
use fat_disk::namespace::{
    self,
    Namespace, //
};
use fat_disk::options::{
    apply,
    MountOptions,
    OptionError, //
};
use fat_disk::volume::{
    BlockDevice,
    ExtentCache,
    Volume, //
};
use kernel::{
    prelude::*,
    str::BStr,
    sync::aref::ARef, //
};
use vfs::{
    misc::{
        self,
        Ratelimit,
        TryCell, //
    },
    DirEmitter,
    DirEntryType,
    ExtraAttrs,
    FileSystem,
    INode,
    INodeParams,
    Lookup,
    Mapping,
    Mounter,
    NameHasher,
    NewSuperBlock,
    ParamError,
    Registration,
    Stat,
    SuperBlock,
    SuperParams,
    Time, //
};

/// `MSDOS_SUPER_MAGIC`.
const FAT_SUPER_MAGIC: u64 = 0x4d44;
/// The root directory's inode number, as `MSDOS_ROOT_INO`.
const ROOT_INO: u64 = 1;

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

/// The mounted device, read through the buffer cache.
pub struct SbDevice<'sb>(vfs::Device<'sb>);

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
}

/// What a mounted super block holds.
pub struct FatSb<'sb> {
    vol: Volume<SbDevice<'sb>>,
    opts: MountOptions,
    name: &'static CStr,
    ns: &'static dyn Namespace,
    uid: u32,
    gid: u32,
    tz_offset: i64,
    /// Free clusters, counted on the first `statfs` (`u32::MAX`: not yet).
    free: AtomicU32,
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
    start: u32,
    /// The inode is the root directory.
    is_root: bool,
    /// The runs of the data's chain found so far.
    runs: TryCell<ExtentCache>,
    /// The creation time (`statx` birth time on vfat).
    crtime: Time,
}

impl FatSb<'_> {
    /// Logs an error about the volume, at most 10 in 5 s per mount.
    fn error(&self, what: core::fmt::Arguments<'_>) {
        if self.ratelimit.allow(self.name) {
            let len = self
                .dev
                .iter()
                .position(|&b| b == 0)
                .unwrap_or(self.dev.len());
            pr_err!(
                "{} ({}): {}\n",
                self.name,
                BStr::from_bytes(&self.dev[..len]),
                what
            );
        }
    }

    fn errno(&self, e: FatError, what: &str, i_pos: u64) -> Error {
        match e {
            FatError::Interrupted => EINTR,
            _ => {
                self.error(format_args!("{} (i_pos {}): {}", what, i_pos, e.describe()));
                EIO
            }
        }
    }

    /// What a new inode with `attrs` is made of.
    fn inode_params(&self, attrs: &InodeAttrs, is_root: bool) -> INodeParams<InodeInfo> {
        INodeParams {
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
                start: attrs.start,
                is_root,
                runs: TryCell::new(ExtentCache::default()),
                crtime: Time {
                    sec: attrs.crtime.sec,
                    nsec: attrs.crtime.nsec,
                },
            },
        }
    }

    /// The directory `info` is, on its volume.
    fn dir_location(&self, info: &InodeInfo) -> DirLocation {
        if info.is_root {
            DirLocation::root(&self.vol)
        } else {
            DirLocation::Chain(info.start)
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
    // Entries are 32 bytes apart: their index on the device identifies
    // them, and is never 1 (the root) since the boot sector comes first.
    let ino = dev_pos / 32;
    sb.get_or_create_inode(ino, || {
        fat_disk::inode::entry_attrs(&sbi.vol, &sbi.opts, sbi.ns, sbi.tz_offset, e)
            .map(|a| sbi.inode_params(&a, false))
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
        let vol = match Volume::open(SbDevice(device), device.len()) {
            Ok(v) => v,
            Err(FatError::Io) => {
                pr_err!("{} ({}): unable to read boot sector\n", fs, dev);
                return Err(EIO);
            }
            Err(e) => {
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
        let noatime = !ctx.ns.keeps_times();
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
                opts,
                name: ctx.name,
                ns: ctx.ns,
                uid,
                gid,
                tz_offset,
                free: AtomicU32::new(u32::MAX),
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
        sb.get_or_create_inode(ROOT_INO, || Ok(sbi.inode_params(&attrs, true)))
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

    fn map_blocks(inode: &INode<FatFs>, iblock: u64, want: u64) -> Result<Option<Mapping>> {
        map_blocks(inode, iblock, want)
    }

    fn statfs(sb: &SuperBlock<FatFs>) -> Result<Stat> {
        let sbi = sb.data();
        let mut free = sbi.free.load(Ordering::Relaxed);
        if free == u32::MAX {
            match sbi.vol.free_clusters(misc::fatal_signal_pending) {
                Ok(n) => {
                    free = n;
                    sbi.free.store(n, Ordering::Relaxed);
                }
                Err(e) => return Err(sbi.errno(e, "counting free clusters", 0)),
            }
        }
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
    namespace::find(&mut reader, sbi.ns, &sbi.opts, key.as_bytes())
        .map_err(|e| sbi.errno(e, "looking up a name", u64::from(info.start)))
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
    let mut reader = DirReader::new(&sbi.vol, loc, sbi.ns.long_names());
    let fail = |e| sbi.errno(e, "reading a directory", u64::from(info.start));
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
            let shown =
                namespace::display(sbi.ns, &reader, &rec, &sbi.opts, long, name).map_err(fail)?;
            if shown.is_empty() {
                true
            } else {
                let ty = if e.is_dir() {
                    DirEntryType::Dir
                } else {
                    DirEntryType::Reg
                };
                ctx.emit(shown, rec.dev_pos / 32, ty)
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

/// Maps `want` blocks of `inode` from `iblock` on to device blocks (`None`:
/// a hole, read as zeros).
fn map_blocks(inode: &INode<FatFs>, iblock: u64, want: u64) -> Result<Option<Mapping>> {
    let sbi = inode.super_block().data();
    let info = inode.data();
    let size = inode.size();
    let bpb = &sbi.vol.bpb;
    let bs = bpb.sector_size_nz();
    let per_cluster = bpb.sectors_per_cluster_nz();
    let last_block = ceil_div(size, bs);
    if iblock >= last_block || info.start == 0 {
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
    let near = info.runs.try_with(|c| c.near(index)).flatten();
    match sbi
        .vol
        .locate(info.start, offset, near, clusters_wanted.max(1))
    {
        Ok(run) => {
            info.runs.try_with(|c| c.insert(run));
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
            }))
        }
        Err(e) => Err(sbi.errno(e, "reading file data", ino)),
    }
}
