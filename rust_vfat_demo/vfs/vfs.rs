// SPDX-License-Identifier: GPL-2.0

//! `vfs`: a small, FAT-agnostic file system layer over the kernel's VFS.
//!
//! Linux 7.3's kernel crate has no file system abstraction, so this crate
//! provides the part of one a block-device file system needs (mounts,
//! reads, writes through the page cache, the namespace operations),
//! shaped after Wedson Almeida Filho's "rust: fs" series (tarfs, ext2): a
//! file system implements [`FileSystem`] in safe Rust and registers it with
//! a pinned [`Registration`] that owns its `file_system_type`; the VFS's
//! callbacks reach it as typed [`SuperBlock`], [`INode`] and
//! [`DirEmitter`] values, with typed per-super-block and per-inode data.
//! Every raw call into the kernel's file system API is in this crate (and
//! in the C helpers of `rust_fat_helpers.c` for what bindgen cannot reach);
//! each `unsafe` block below says why it is sound on its own.
//!
//! Lifetimes:
//! - a [`Registration`] unregisters its type and waits for the RCU
//!   callbacks of its inodes and super blocks (`rcu_barrier`) before its
//!   memory and inode cache go;
//! - a super block's [`FileSystem::Data`] is branded with a lifetime
//!   (`'sb`) the file system cannot name, so a [`Device`] handle it holds
//!   cannot outlive the mount; it is dropped in `kill_sb`, while the device
//!   is still open; the [`FileSystem::Names`] the dentry operations use are
//!   freed only after an RCU grace period (path walks in RCU mode may still
//!   be comparing names of a dying super block).

use core::{
    marker::PhantomData,
    mem::{
        ManuallyDrop,
        MaybeUninit, //
    },
    ptr::{
        self,
        NonNull, //
    },
    sync::atomic::{
        AtomicU64,
        Ordering, //
    },
};
use kernel::{
    bindings,
    ffi::{
        c_char,
        c_int,
        c_uint,
        c_ulong,
        c_ushort,
        c_void, //
    },
    prelude::*,
    seq_file::SeqFile,
    sync::aref::{
        ARef,
        AlwaysRefCounted, //
    },
    types::Opaque,
};

pub mod misc;

/// `LOOKUP_RCU` (a `BIT()` macro bindgen does not see).
const LOOKUP_RCU: c_uint = 1 << 8;
/// `FMODE_WRITE` (a `__force` cast bindgen does not see).
const FMODE_WRITE: c_uint = 1 << 1;

/// `SB_NOATIME` and `SB_NODIRATIME` (`BIT()` macros bindgen does not see).
const SB_NOATIME: c_ulong = 1 << 10;
/// See [`SB_NOATIME`].
const SB_NODIRATIME: c_ulong = 1 << 11;

/// `S_IFMT`, `S_IFDIR`, `S_IFREG`.
pub mod mode {
    /// The file type bits.
    pub const S_IFMT: u32 = 0o170000;
    /// A directory.
    pub const S_IFDIR: u32 = 0o040000;
    /// A regular file.
    pub const S_IFREG: u32 = 0o100000;
}

/// What `rust_fat_helpers.c` provides: bindgen's reading of
/// `rust_fat_helpers.h` at build time (see the Kbuild), with the kernel's
/// own C flags, so these declarations cannot drift from the C side. The
/// kernel's types they name come from `kernel::bindings`.
#[allow(
    dead_code,
    improper_ctypes,
    missing_docs,
    non_camel_case_types,
    non_upper_case_globals,
    unreachable_pub,
    clippy::all,
    clippy::undocumented_unsafe_blocks
)]
pub(crate) mod helpers {
    include!(env!("RUST_VFS_HELPERS"));
}

use helpers::{
    rust_vfs_aops,
    rust_vfs_device_bytes,
    rust_vfs_device_id,
    rust_vfs_dir_emit,
    rust_vfs_dir_emit_dot,
    rust_vfs_dir_emit_dotdot,
    rust_vfs_fill_statfs,
    rust_vfs_init_fs_context,
    rust_vfs_inode_cache_alloc,
    rust_vfs_inode_cache_create,
    rust_vfs_inode_is_new,
    rust_vfs_read_block,
    rust_vfs_type, //
};

/// The callbacks the C helpers make into a registered type, one table per
/// [`FileSystem`] (`struct rust_vfs_hooks`).
type Hooks = helpers::rust_vfs_hooks;

/// What mounting starts from: the mounter's identity and umask.
#[derive(Clone, Copy, Debug)]
pub struct Mounter {
    /// `current_umask()`.
    pub umask: u16,
    /// The mounter's uid (kernel value).
    pub uid: u32,
    /// The mounter's gid (kernel value).
    pub gid: u32,
}

/// Why a mount option was refused.
#[derive(Debug)]
pub enum ParamError {
    /// Not an option of this file system: the VFS then tries `source`, else
    /// fails the mount ("Unknown parameter").
    Unknown,
    /// The option is refused with this error (the file system logs why).
    Invalid(Error),
}

/// A time as the VFS keeps it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Time {
    /// Seconds since the epoch.
    pub sec: i64,
    /// Nanoseconds, below 1e9.
    pub nsec: u32,
}

impl Time {
    /// The kernel's `timespec64` `t` (its nanoseconds are below 1e9).
    fn from_timespec(t: bindings::timespec64) -> Time {
        Time {
            sec: t.tv_sec,
            nsec: t.tv_nsec.clamp(0, 999_999_999) as u32,
        }
    }
}

/// What a new inode is made of.
pub struct INodeParams<D> {
    /// The inode number (`st_ino`): it never changes while the inode is
    /// in memory, whatever key it is filed under.
    pub ino: u64,
    /// File type ([`mode::S_IFDIR`] or [`mode::S_IFREG`]) and permissions.
    pub mode: u32,
    /// Link count.
    pub nlink: u32,
    /// Owner (kernel uid).
    pub uid: u32,
    /// Group (kernel gid).
    pub gid: u32,
    /// Size in bytes.
    pub size: u64,
    /// 512-byte blocks.
    pub blocks: u64,
    /// Modification time, also the change time.
    pub mtime: Time,
    /// Access time.
    pub atime: Time,
    /// `S_IMMUTABLE`.
    pub immutable: bool,
    /// The file system's own data for the inode.
    pub data: D,
}

/// Super block parameters a file system sets in `fill_super`.
#[derive(Clone, Copy, Debug)]
pub struct SuperParams {
    /// `s_magic`.
    pub magic: u64,
    /// `s_maxbytes`.
    pub maxbytes: i64,
    /// `s_time_gran` in ns.
    pub time_gran: u32,
    /// `s_time_min`.
    pub time_min: i64,
    /// `s_time_max`.
    pub time_max: i64,
    /// `SB_NOATIME`.
    pub noatime: bool,
    /// `SB_NODIRATIME`.
    pub nodiratime: bool,
}

/// What `statfs` reports.
#[derive(Clone, Copy, Debug)]
pub struct Stat {
    /// `f_type`.
    pub magic: u64,
    /// `f_bsize`.
    pub block_size: u64,
    /// `f_blocks`.
    pub blocks: u64,
    /// `f_bfree` and `f_bavail`.
    pub free: u64,
    /// `f_namelen`.
    pub namelen: u64,
}

/// What `getattr` adds to the VFS's own attributes.
#[derive(Clone, Copy, Debug)]
pub struct ExtraAttrs {
    /// `blksize`, the preferred I/O size.
    pub blksize: u32,
    /// The birth time, if the file system keeps one.
    pub btime: Option<Time>,
}

/// How a file system's names treat case, as `FS_IOC_GETFLAGS` and
/// `FS_IOC_FSGETXATTR` report it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NameCase {
    /// Names match only in the same case.
    Sensitive,
    /// Names match in any case and keep the case they were made with
    /// (`FS_CASEFOLD_FL`).
    Folded,
    /// Names match in any case and are stored in one case
    /// (`FS_CASEFOLD_FL`, `FS_XFLAG_CASENONPRESERVING`).
    FoldedNotPreserved,
}

/// What `lookup` found.
pub enum Lookup<T: FileSystem> {
    /// No such name (a negative dentry).
    Negative,
    /// This inode; the VFS makes or finds its dentry.
    Found(ARef<INode<T>>),
    /// This inode, which has at most one dentry per directory: when it has
    /// one in this directory already (found by another name), that one is
    /// used (a non-directory's is renamed to the name looked up).
    FoundOneAlias(ARef<INode<T>>),
}

/// A block mapping: `count` blocks from device block `phys`.
#[derive(Clone, Copy, Debug)]
pub struct Mapping {
    /// The first device block.
    pub phys: u64,
    /// How many blocks are contiguous from there (at least 1).
    pub count: u64,
    /// The blocks were allocated just now (their contents are not
    /// initialised: the page cache zeroes what is not written).
    pub new: bool,
}

/// A change of owner or mode `setattr` was asked for.
#[derive(Clone, Copy, Debug)]
pub struct AttrChange {
    /// The new owner (kernel uid).
    pub uid: Option<u32>,
    /// The new group (kernel gid).
    pub gid: Option<u32>,
    /// The new mode.
    pub mode: Option<u32>,
}

/// A block-device file system, read-write unless mounted `ro`.
///
/// The VFS's callbacks arrive as the functions below; everything passed to
/// them is valid for the call.
pub trait FileSystem: Sized + Send + Sync + 'static {
    /// What each [`Registration`] of this file system carries (e.g. a set
    /// of name rules): one file system implementation can back several
    /// types.
    type TypeData: Send + Sync + 'static;
    /// A mount being set up: its parsed options.
    type Context: Send;
    /// A mounted super block's data. It may hold [`Device`]s of that super
    /// block: the `'sb` brand keeps them from leaving it.
    type Data<'sb>: Send + Sync;
    /// What the dentry operations see of a super block; freed only after
    /// an RCU grace period.
    type Names: Send + Sync;
    /// Each inode's data.
    type INodeData: Send + Sync;

    /// The name of the inode cache in `/proc/slabinfo`.
    const INODE_CACHE_NAME: &'static CStr;

    /// Starts setting up a mount.
    fn init_context(ty: &'static Self::TypeData, mounter: &Mounter) -> Result<Self::Context>;

    /// Applies one mount option (`value` is `None` for a flag).
    fn parse_param(
        ty: &'static Self::TypeData,
        ctx: &mut Self::Context,
        key: &[u8],
        value: Option<&[u8]>,
    ) -> Result<(), ParamError>;

    /// Reads the volume and returns the super block's data and names.
    fn fill_super<'sb>(
        ctx: &Self::Context,
        sb: &'sb NewSuperBlock<Self>,
    ) -> Result<(Self::Data<'sb>, Self::Names)>;

    /// The root directory's inode, once the data is in place.
    fn init_root(sb: &SuperBlock<Self>) -> Result<ARef<INode<Self>>>;

    /// The mount is made: its root dentry is in place and nothing in
    /// `fill_super` can fail any more; from here a teardown goes through
    /// [`FileSystem::put_super`]. What only a mount that succeeds may do
    /// goes here (a FAT volume is marked dirty, as `fat_fill_super` does
    /// last): a mount refused after it would leave it done.
    fn root_made(_sb: &SuperBlock<Self>) {}

    /// Looks `name` up in the directory `dir`.
    fn lookup(dir: &INode<Self>, name: &[u8]) -> Result<Lookup<Self>>;

    /// Emits the entries of the directory `dir` from the emitter's
    /// position on.
    fn read_dir(dir: &INode<Self>, emitter: &mut DirEmitter<'_>) -> Result;

    /// Maps up to `count` blocks of the regular file `inode` from block
    /// `block` on; `None`: a hole (read as zeros). With `create` (a write,
    /// under the inode's lock), a block at the end of the allocation
    /// ([`INode::allocated`]) is allocated, the mark moved past it, and
    /// the mapping says [`Mapping::new`].
    fn map_blocks(
        inode: &INode<Self>,
        block: u64,
        count: u64,
        create: bool,
    ) -> Result<Option<Mapping>>;

    /// Frees the blocks of the regular file `inode` past `size` bytes
    /// (truncation; a failed write), under the inode's lock and the
    /// mapping's invalidate lock; updates the inode's times if the file
    /// system's rules say a truncation changed it (`setattr` does not).
    fn truncate_blocks(_inode: &INode<Self>, _size: u64) {}

    /// The device block that holds block `block` of the regular file
    /// `inode`, for `FIBMAP`: any block allocated to the file, also past
    /// its size; `None` for none. No truncation runs meanwhile (the
    /// mapping's invalidate lock is held shared). By default none.
    fn bmap(_inode: &INode<Self>, _block: u64) -> Option<u64> {
        None
    }

    /// The directory whose entry the directory `dir` is (what its `..`
    /// names), for a file handle's dentry that is not connected to the
    /// root (NFS, `open_by_handle_at`); `dir`'s lock is held. By default
    /// none: such handles are stale.
    fn parent_dir(_dir: &INode<Self>) -> Result<ARef<INode<Self>>> {
        Err(ESTALE)
    }

    /// An ioctl `cmd` that reads one `u32` about `inode` (its shared lock
    /// held): the value, or the error (`ENOTTY`: not such an ioctl).
    fn ioctl_get(_inode: &INode<Self>, _cmd: u32) -> Result<u32> {
        Err(ENOTTY)
    }

    /// An ioctl `cmd` that writes one `u32`, `val`, to `inode` (its lock
    /// held, the mount writable): checks it and returns the value to
    /// commit and, if the change is also a chmod, the new mode, which the
    /// layer applies through `setattr` before
    /// [`FileSystem::ioctl_set_commit`].
    fn ioctl_set_prepare(_inode: &INode<Self>, _cmd: u32, _val: u32) -> Result<(u32, Option<u32>)> {
        Err(ENOTTY)
    }

    /// Commits what [`FileSystem::ioctl_set_prepare`] accepted.
    fn ioctl_set_commit(_inode: &INode<Self>, _cmd: u32, _val: u32) {}

    /// Allocates blocks of the regular file `inode` up to `end` bytes
    /// past its size, without changing the size or zeroing them
    /// (`fallocate` with `FALLOC_FL_KEEP_SIZE`), under the inode's lock.
    fn preallocate(_inode: &INode<Self>, _end: u64) -> Result {
        Err(EOPNOTSUPP)
    }

    /// A buffered write of the regular file `inode` is about to map its
    /// blocks up to `end` bytes (its lock held): the file system may
    /// allocate them now, in one go, as a hint. Nothing is returned or
    /// reported: what could not be allocated, [`FileSystem::map_blocks`]
    /// meets again. By default nothing (`map_blocks` allocates block by
    /// block).
    fn reserve(_inode: &INode<Self>, _end: u64) {}

    /// Data was written into the regular file `inode` through the page
    /// cache (`write_end`, the inode's lock held).
    fn written(_inode: &INode<Self>) {}

    /// Marks the inode's change and modification times as now, in the
    /// file system's granularity (after a size change).
    fn touch(_inode: &INode<Self>) {}

    /// The modification (and change) time `t` as `inode` keeps it, in the
    /// file system's granularity (`fat_truncate_time`): every such time
    /// the layer sets goes through it ([`INode::set_mtime`], `utimensat`,
    /// the VFS's own updates). `None`: the inode keeps its times as they
    /// are (FAT's root). By default `t`.
    fn change_time(_inode: &INode<Self>, t: Time) -> Option<Time> {
        Some(t)
    }

    /// The access time `t` as `inode` keeps it, as
    /// [`FileSystem::change_time`]. By default `t`.
    fn access_time(_inode: &INode<Self>, t: Time) -> Option<Time> {
        Some(t)
    }

    /// Writes the inode's attributes back to the volume (`write_inode`);
    /// `sync`: wait until they are on the device.
    fn write_inode(_inode: &INode<Self>, _sync: bool) -> Result {
        Ok(())
    }

    /// The inode's last reference is gone (`evict_inode`), its pages
    /// already dropped: an inode without links frees its blocks here.
    fn evict_inode(_inode: &INode<Self>) {}

    /// Writes the super block's own state back (`sync_fs`).
    fn sync_fs(_sb: &SuperBlock<Self>, _wait: bool) -> Result {
        Ok(())
    }

    /// Called on a remount that changes between read-only and read-write
    /// (`dirty`: the mount becomes read-write), after everything was
    /// written back.
    fn set_state(_sb: &SuperBlock<Self>, _dirty: bool) {}

    /// The last call before the data is dropped at unmount, after every
    /// inode was written back and evicted (`put_super`).
    fn put_super(_sb: &SuperBlock<Self>) {}

    /// Writes the mount's options for `/proc/mounts` (`show_options`),
    /// each as `,name[=value]`.
    fn show_options(_sb: &SuperBlock<Self>, _m: &SeqFile) {}

    /// A file of `inode` is closed for the last time (`release`);
    /// `writable`: it was open for writing.
    fn release(_inode: &INode<Self>, _writable: bool) {}

    /// FITRIM (the caller is checked for `CAP_SYS_ADMIN`, the device for
    /// discard support): discards free space in the byte range `start`,
    /// `len` in runs of at least `minlen` bytes; returns how many bytes.
    fn trim(_sb: &SuperBlock<Self>, _start: u64, _len: u64, _minlen: u64) -> Result<u64> {
        Err(ENOTTY)
    }

    /// Whether refused attribute changes fail silently (`quiet`).
    fn quiet(_sb: &SuperBlock<Self>) -> bool {
        false
    }

    /// Who besides the owner may set an inode's times to values of their
    /// choice (`allow_utime`): `0o020` the inode's group, `0o002` the
    /// others. By default nobody: the VFS's owner check stands.
    fn allow_utime(_sb: &SuperBlock<Self>) -> u16 {
        0
    }

    /// Creates a regular file `name` in the directory `dir` (its lock
    /// held) and returns its inode.
    fn create(_dir: &INode<Self>, _name: &[u8], _mode: u32) -> Result<ARef<INode<Self>>> {
        Err(EPERM)
    }

    /// Creates a directory `name` in `dir` (its lock held) and returns its
    /// inode.
    fn mkdir(_dir: &INode<Self>, _name: &[u8], _mode: u32) -> Result<ARef<INode<Self>>> {
        Err(EPERM)
    }

    /// Removes the entry `name` of the file `inode` from `dir` (both
    /// locked); the layer then clears the inode's links.
    fn unlink(_dir: &INode<Self>, _name: &[u8], _inode: &INode<Self>) -> Result {
        Err(EPERM)
    }

    /// Removes the directory `inode` named `name` from `dir` (both
    /// locked): `ENOTEMPTY` unless it is empty; the layer then fixes the
    /// link counts.
    fn rmdir(_dir: &INode<Self>, _name: &[u8], _inode: &INode<Self>) -> Result {
        Err(EPERM)
    }

    /// Moves `inode` from `old_name` in `old_dir` to `new_name` in
    /// `new_dir`, replacing `target` (which the VFS has checked is of the
    /// same kind) if there is one; the VFS holds the rename locks. The
    /// layer fixes the link counts afterwards.
    fn rename(
        _old_dir: &INode<Self>,
        _old_name: &[u8],
        _inode: &INode<Self>,
        _new_dir: &INode<Self>,
        _new_name: &[u8],
        _target: Option<&INode<Self>>,
    ) -> Result {
        Err(EPERM)
    }

    /// Exchanges the entries of `a` (in `a_dir`) and `b` (in `b_dir`)
    /// (`RENAME_EXCHANGE`); the VFS holds the rename locks. The layer
    /// fixes the link counts afterwards. `EINVAL` where the file system
    /// does not support it.
    fn rename_exchange(
        _a_dir: &INode<Self>,
        _a: &INode<Self>,
        _b_dir: &INode<Self>,
        _b: &INode<Self>,
    ) -> Result {
        Err(EINVAL)
    }

    /// The file system's rules for a change of owner or mode: the mode to
    /// store (`None`: keep the current one), or the error.
    fn check_setattr(_inode: &INode<Self>, change: &AttrChange) -> Result<Option<u32>> {
        if change.uid.is_some() || change.gid.is_some() {
            return Err(EPERM);
        }
        Ok(change.mode)
    }

    /// The file system's usage.
    fn statfs(sb: &SuperBlock<Self>) -> Result<Stat>;

    /// What `stat` shows beyond the inode's fields.
    fn getattr(inode: &INode<Self>) -> ExtraAttrs;

    /// How names compare on `sb`, for `FS_IOC_GETFLAGS` and
    /// `FS_IOC_FSGETXATTR` (which show the inode's immutable flag too).
    fn name_case(sb: &SuperBlock<Self>) -> NameCase;

    /// The bytes the dentry cache hashes for `name` (`d_hash`), written
    /// through `hasher`; `None` keeps the VFS's own hash.
    fn d_hash(names: &Self::Names, name: &[u8], hasher: &NameHasher) -> Option<u32>;

    /// Whether two names name the same entry (`d_compare`).
    fn d_compare(names: &Self::Names, a: &[u8], b: &[u8]) -> bool;
}

/// Hashes a dentry name the way the dentry cache does (`full_name_hash`,
/// salted with the parent).
pub struct NameHasher {
    salt: *const bindings::dentry,
}

impl NameHasher {
    /// The salt the dentry cache gives this name's hash (the parent
    /// dentry's address), for a file system that builds its hash itself.
    pub fn salt(&self) -> u64 {
        self.salt as u64
    }

    /// The hash of `key`.
    pub fn hash(&self, key: &[u8]) -> u32 {
        // SAFETY: `full_name_hash` reads `key.len()` bytes from a valid
        // slice and only uses `salt` as a number.
        unsafe {
            bindings::full_name_hash(self.salt.cast(), key.as_ptr().cast(), key.len() as c_uint)
        }
    }
}

/// The `file_system_type` together with the hooks the C helpers call
/// (`struct rust_vfs_type`; the `file_system_type` is its first field).
type RawType = Opaque<rust_vfs_type>;

/// The `file_system_type` of a [`RawType`].
fn fst_of(raw: &RawType) -> *mut bindings::file_system_type {
    // `type_` is the first field of the `repr(C)` `rust_vfs_type`, so the
    // pointer to the whole is one to it.
    raw.get().cast()
}

/// A registered file system type, owning its `file_system_type`.
///
/// Made registered by [`Registration::new`] and unregistered when dropped,
/// it can only be registered once: there is no other way to register it.
///
/// # Invariants
///
/// The `file_system_type` in `raw` is registered with the VFS from the end of
/// [`Registration::new`] until `drop` (or, if registering failed, in no
/// list at all); `cache` is a live inode cache for objects of
/// `INodeObj<T>`; `raw` is never moved (pinned).
#[pin_data(PinnedDrop)]
pub struct Registration<T: FileSystem> {
    #[pin]
    raw: RawType,
    cache: NonNull<bindings::kmem_cache>,
    ty: T::TypeData,
}

// SAFETY: After registration the type is only read here (by `drop`) and
// written by the VFS under its own locks; `T::TypeData` is `Send + Sync`.
unsafe impl<T: FileSystem> Send for Registration<T> {}
// SAFETY: Shared access only reads `ty` (`Sync`) and the cache pointer;
// the VFS serialises its own writes to the type.
unsafe impl<T: FileSystem> Sync for Registration<T> {}

impl<T: FileSystem> Registration<T> {
    /// Registers a block-device file system named `name` with data `ty`,
    /// owned by `module` (so that a mount holds that module).
    pub fn new(
        name: &'static CStr,
        ty: T::TypeData,
        module: &'static ThisModule,
    ) -> impl PinInit<Self, Error> {
        try_pin_init!(Self {
            raw <- raw_type_init(name, module, &Tables::<T>::HOOKS, Tables::<T>::kill_sb),
            cache: inode_cache_create(
                T::INODE_CACHE_NAME,
                core::mem::size_of::<INodeObj<T>>(),
                core::mem::align_of::<INodeObj<T>>(),
            )?,
            ty,
        }? Error)
        .pin_chain(|this| {
            // SAFETY: `this.raw`'s type is fully initialised and pinned: its
            // lockdep keys stay at this address until `drop`, which
            // unregisters them after the type (so does `drop` when
            // registering the type fails, as `pin_chain` then drops `this`).
            unsafe { helpers::rust_vfs_type_keys_register(fst_of(&this.raw)) };
            // SAFETY: `this.raw`'s type is fully initialised, pinned (it
            // lives at this address until `drop`, which unregisters it),
            // and registered nowhere yet since it was made just now.
            let r = unsafe { bindings::register_filesystem(fst_of(&this.raw)) };
            // On failure `pin_chain` drops `this`: `drop` then finds the
            // type in no list (`unregister_filesystem` only says EINVAL)
            // and destroys the cache.
            kernel::error::to_result(r)
        })
    }

    /// The data this registration was made with.
    pub fn data(&self) -> &T::TypeData {
        &self.ty
    }

    /// The registration a `file_system_type` of `T` belongs to.
    ///
    /// # Safety
    ///
    /// `fst` must be the `file_system_type` of a live `Registration<T>`.
    unsafe fn from_fst<'a>(fst: *const bindings::file_system_type) -> &'a Self {
        // SAFETY: Per the function's contract `fst` is the `file_system_type`
        // of a live `Registration<T>`'s `raw`, at offset 0 of it (see
        // `fst_of`; `Opaque` is transparent): stepping back to the
        // containing struct stays in that allocation.
        unsafe { &*kernel::container_of!(fst.cast::<RawType>(), Self, raw) }
    }
}

#[pinned_drop]
impl<T: FileSystem> PinnedDrop for Registration<T> {
    fn drop(self: Pin<&mut Self>) {
        unregister(&self.raw, self.cache);
    }
}

/// Makes the raw type: name, owner, flags and the hooks of one file system.
fn raw_type_init(
    name: &'static CStr,
    module: &'static ThisModule,
    hooks: &'static Hooks,
    kill_sb: unsafe extern "C" fn(*mut bindings::super_block),
) -> impl PinInit<RawType, Error> {
    // SAFETY: The closure writes the whole `rust_vfs_type` at `slot` (the
    // `file_system_type` zeroed, then its fields; the hooks) and never
    // fails, so the slot is initialised when it returns `Ok`; `slot` is
    // valid for writes per `pin_init_from_closure`'s contract, and
    // `Opaque<T>` has `T`'s layout.
    unsafe {
        pin_init::pin_init_from_closure(move |slot: *mut RawType| {
            let mut fst: bindings::file_system_type = pin_init::zeroed();
            fst.name = name.as_char_ptr();
            fst.owner = module.as_ptr();
            fst.fs_flags = bindings::FS_REQUIRES_DEV as c_int;
            fst.init_fs_context = Some(rust_vfs_init_fs_context);
            fst.kill_sb = Some(kill_sb);
            Opaque::cast_into(slot).write(rust_vfs_type { type_: fst, hooks });
            Ok(())
        })
    }
}

/// Unregisters a registered type and frees its inode cache once every
/// RCU callback of its inodes and super blocks has run.
fn unregister(raw: &RawType, cache: NonNull<bindings::kmem_cache>) {
    // SAFETY: The type was registered by `Registration::new` (or, if that
    // failed, is in no list, and this only returns EINVAL); it is
    // unregistered only here, once, from `drop`.
    unsafe { bindings::unregister_filesystem(fst_of(raw)) };
    inode_cache_destroy(cache);
    // SAFETY: The keys were registered in `Registration::new`'s chain, the
    // only way to a `Registration` that drops; no super block or inode of
    // the type is left (each mount held the owner module, and
    // `inode_cache_destroy` waited for the inodes' RCU frees), so no lock
    // of the type uses them any more.
    unsafe { helpers::rust_vfs_type_keys_unregister(fst_of(raw)) };
}

/// Makes the inode cache of a registration.
fn inode_cache_create(
    name: &'static CStr,
    size: usize,
    align: usize,
) -> Result<NonNull<bindings::kmem_cache>> {
    let size = c_uint::try_from(size).map_err(|_| EINVAL)?;
    let align = c_uint::try_from(align).map_err(|_| EINVAL)?;
    // SAFETY: `name` is a static NUL-terminated string; the helper makes a
    // cache of `size`-byte objects aligned to `align` whose constructor
    // initialises the `struct inode` each starts with.
    let cache = unsafe { rust_vfs_inode_cache_create(name.as_char_ptr(), size, align) };
    NonNull::new(cache).ok_or(ENOMEM)
}

/// Destroys an inode cache after the RCU callbacks that free its objects.
fn inode_cache_destroy(cache: NonNull<bindings::kmem_cache>) {
    // SAFETY: No super block of the type is left (the type is unregistered
    // or was never registered, and each mount held the owner module), so
    // no new inode comes; `rcu_barrier` waits for the pending RCU frees of
    // inodes and super block names; then nothing uses the cache.
    unsafe {
        bindings::rcu_barrier();
        bindings::kmem_cache_destroy(cache.as_ptr());
    }
}

/// The objects of a registration's inode cache.
///
/// `vfs` comes first: the cache's constructor (in C) initialises it at
/// offset 0.
#[repr(C)]
struct INodeObj<T: FileSystem> {
    /// The VFS's inode and the allocation mark (`struct rust_vfs_inode`).
    vfs: helpers::rust_vfs_inode,
    /// The key the inode is filed under in the inode cache's hash
    /// ([`SuperBlock::get_or_create_inode`]): written while the inode is
    /// out of the hash, read by `iget5_locked`'s test under its lock.
    key: AtomicU64,
    /// Set before the inode is unlocked; read only afterwards or when
    /// the inode is freed.
    has_data: bool,
    data: MaybeUninit<T::INodeData>,
}

/// The `INodeObj<T>` whose inode is `inode` (at offset 0 of it: the
/// inode is the first field of the first field of both `repr(C)` structs).
fn obj_of<T: FileSystem>(inode: *mut bindings::inode) -> *mut INodeObj<T> {
    inode.cast()
}

/// What `s_fs_info` points to.
struct SbInfo<T: FileSystem> {
    /// Dropped in `kill_sb` (its lifetime is really that of the mount).
    data: ManuallyDrop<T::Data<'static>>,
    /// `data` is not dropped yet (`put_super` or `kill_sb` drops it).
    data_live: bool,
    names: T::Names,
    rcu: Opaque<bindings::callback_head>,
}

/// A mount being set up (the context's `fs_private`).
struct MountCtx<T: FileSystem> {
    ctx: T::Context,
    ty: &'static T::TypeData,
}

/// Per-`T` operation tables and callbacks.
struct Tables<T: FileSystem>(PhantomData<T>);

impl<T: FileSystem> Tables<T> {
    const HOOKS: Hooks = Hooks {
        fc_init: Some(Self::fc_init),
        fc_param: Some(Self::fc_param),
        fc_free: Some(Self::fc_free),
        fill_super: Some(Self::fill_super),
        map_blocks: Some(Self::map_blocks),
        truncate_blocks: Some(Self::truncate_blocks),
        bmap: Some(Self::bmap),
        inode_key: Some(Self::inode_key),
        find_inode: Some(Self::find_inode),
        parent_dir: Some(Self::parent_dir),
        written: Some(Self::written),
        allocate: Some(Self::allocate),
        reserve: Some(Self::reserve),
        ioctl_get: Some(Self::ioctl_get),
        ioctl_set_prepare: Some(Self::ioctl_set_prepare),
        ioctl_set_commit: Some(Self::ioctl_set_commit),
        iterate_names: Some(Self::iterate_names),
        set_state: Some(Self::set_state),
        trim: Some(Self::trim),
    };

    const SUPER_OPS: bindings::super_operations = bindings::super_operations {
        alloc_inode: Some(Self::alloc_inode),
        free_inode: Some(Self::free_inode),
        statfs: Some(Self::statfs),
        write_inode: Some(Self::write_inode),
        evict_inode: Some(Self::evict_inode),
        sync_fs: Some(Self::sync_fs),
        put_super: Some(Self::put_super),
        show_options: Some(Self::show_options),
        ..pin_init::zeroed()
    };

    const DIR_INODE_OPS: bindings::inode_operations = bindings::inode_operations {
        lookup: Some(Self::lookup),
        create: Some(Self::create),
        mkdir: Some(Self::mkdir),
        unlink: Some(Self::unlink),
        rmdir: Some(Self::rmdir),
        rename: Some(Self::rename),
        getattr: Some(Self::getattr),
        setattr: Some(Self::setattr),
        update_time: Some(Self::update_time),
        fileattr_get: Some(Self::fileattr_get),
        ..pin_init::zeroed()
    };

    const DIR_FILE_OPS: bindings::file_operations = bindings::file_operations {
        llseek: Some(bindings::generic_file_llseek),
        unlocked_ioctl: Some(helpers::rust_vfs_ioctl),
        compat_ioctl: Some(helpers::rust_vfs_compat_dir_ioctl),
        read: Some(bindings::generic_read_dir),
        iterate_shared: Some(Self::iterate_shared),
        fsync: Some(helpers::rust_vfs_fsync),
        setlease: Some(helpers::rust_vfs_setlease),
        ..pin_init::zeroed()
    };

    const FILE_INODE_OPS: bindings::inode_operations = bindings::inode_operations {
        getattr: Some(Self::getattr),
        setattr: Some(Self::setattr),
        update_time: Some(Self::update_time),
        fileattr_get: Some(Self::fileattr_get),
        ..pin_init::zeroed()
    };

    const FILE_OPS: bindings::file_operations = bindings::file_operations {
        llseek: Some(bindings::generic_file_llseek),
        read_iter: Some(bindings::generic_file_read_iter),
        write_iter: Some(bindings::generic_file_write_iter),
        mmap_prepare: Some(bindings::generic_file_mmap_prepare),
        fsync: Some(helpers::rust_vfs_fsync),
        splice_read: Some(bindings::filemap_splice_read),
        splice_write: Some(bindings::iter_file_splice_write),
        fallocate: Some(helpers::rust_vfs_fallocate),
        unlocked_ioctl: Some(helpers::rust_vfs_ioctl),
        compat_ioctl: bindings::compat_ptr_ioctl,
        release: Some(Self::release),
        setlease: Some(helpers::rust_vfs_setlease),
        ..pin_init::zeroed()
    };

    const DENTRY_OPS: bindings::dentry_operations = bindings::dentry_operations {
        d_hash: Some(Self::d_hash),
        d_compare: Some(Self::d_compare),
        d_revalidate: Some(Self::d_revalidate),
        ..pin_init::zeroed()
    };

    /// `init_fs_context`, through the C helper.
    ///
    /// # Safety
    ///
    /// `fst` must be the type of a live `Registration<T>` and `fs_private`
    /// valid for a write.
    unsafe extern "C" fn fc_init(
        fst: *mut bindings::file_system_type,
        fs_private: *mut *mut c_void,
        umask: c_ushort,
    ) -> c_int {
        // SAFETY: Per the function's contract `fst` belongs to a live
        // `Registration<T>`; the VFS only calls into registered types.
        let reg = unsafe { Registration::<T>::from_fst(fst) };
        // SAFETY: The registration stays registered (and in place) while a
        // mount context of it exists: the context holds the owner module,
        // which drops the registration only at unload. Extending the
        // borrow to 'static is therefore never observed past its life.
        let ty: &'static T::TypeData = unsafe { &*ptr::addr_of!(reg.ty) };
        let mounter = Mounter {
            umask,
            uid: misc::current_uid(),
            gid: misc::current_gid(),
        };
        let made = T::init_context(ty, &mounter)
            .and_then(|ctx| KBox::new(MountCtx::<T> { ctx, ty }, GFP_KERNEL).map_err(Into::into));
        match made {
            Ok(b) => {
                // SAFETY: Per the function's contract `fs_private` is valid
                // for a write; the box is freed by `fc_free`.
                unsafe { *fs_private = KBox::into_raw(b).cast() };
                0
            }
            Err(e) => e.to_errno(),
        }
    }

    /// A mount context is freed.
    ///
    /// # Safety
    ///
    /// `fs_private` must be NULL or made by `fc_init`, and not used after.
    unsafe extern "C" fn fc_free(fs_private: *mut c_void) {
        if !fs_private.is_null() {
            // SAFETY: Per the function's contract it was made by `fc_init`
            // with `KBox::into_raw` and is freed once, here.
            drop(unsafe { KBox::from_raw(fs_private.cast::<MountCtx<T>>()) });
        }
    }

    /// One mount option.
    ///
    /// # Safety
    ///
    /// `fs_private` must be made by `fc_init` and not in use elsewhere;
    /// `key` a NUL-terminated string and `value` one or NULL, valid for the
    /// call.
    unsafe extern "C" fn fc_param(
        _fst: *mut bindings::file_system_type,
        fs_private: *mut c_void,
        key: *const c_char,
        value: *const c_char,
    ) -> c_int {
        // SAFETY: Per the function's contract `fs_private` is our
        // `MountCtx<T>`, which the VFS hands to one option parser at a time.
        let mc = unsafe { &mut *fs_private.cast::<MountCtx<T>>() };
        // SAFETY: Per the function's contract `key` is a NUL-terminated
        // string valid for the call.
        let key = unsafe { CStr::from_char_ptr(key) }.to_bytes();
        let value = if value.is_null() {
            None
        } else {
            // SAFETY: Per the function's contract a non-NULL `value` is a
            // NUL-terminated string valid for the call.
            Some(unsafe { CStr::from_char_ptr(value) }.to_bytes())
        };
        match T::parse_param(mc.ty, &mut mc.ctx, key, value) {
            Ok(()) => 0,
            Err(ParamError::Unknown) => -(bindings::ENOPARAM as c_int),
            Err(ParamError::Invalid(e)) => e.to_errno(),
        }
    }

    /// `fill_super`, from `get_tree_bdev`.
    ///
    /// # Safety
    ///
    /// `sb` must be a super block being set up by `get_tree_bdev` for a
    /// type of `T`, and `fs_private` the mount context made by `fc_init`.
    unsafe extern "C" fn fill_super(
        sb: *mut bindings::super_block,
        fs_private: *mut c_void,
    ) -> c_int {
        // SAFETY: Per the function's contract `fs_private` is our
        // `MountCtx<T>`, alive for the call.
        let mc = unsafe { &*fs_private.cast::<MountCtx<T>>() };
        let new = NewSuperBlock::<T> {
            sb,
            _p: PhantomData,
        };
        let (data, names) = match T::fill_super(&mc.ctx, &new) {
            Ok(d) => d,
            Err(e) => return e.to_errno(),
        };
        // On failure `data` and `names` are dropped here, device still open.
        let slot = match KBox::<SbInfo<T>>::new_uninit(GFP_KERNEL) {
            Ok(b) => b,
            Err(e) => return Error::from(e).to_errno(),
        };
        // The brand is dropped here: the data lives in the super block and
        // is dropped in `kill_sb`, while the device is still open, and
        // handed out again only through `SuperBlock::data`, branded with a
        // borrow of the live super block.
        let data = ManuallyDrop::new(data);
        // SAFETY: `T::Data<'sb>` and `T::Data<'static>` differ only in a
        // lifetime, so they have the same layout; the original is in a
        // `ManuallyDrop` and never used again, so the value is not
        // duplicated; see above for why the longer lifetime is never
        // observed.
        let data: T::Data<'static> = unsafe { core::mem::transmute_copy(&*data) };
        let info = KBox::write(
            slot,
            SbInfo::<T> {
                data: ManuallyDrop::new(data),
                data_live: true,
                names,
                rcu: Opaque::uninit(),
            },
        );
        // SAFETY: `sb` is being set up and exclusively ours; `kill_sb`
        // frees `s_fs_info` whether or not the rest of this succeeds.
        unsafe {
            (*sb).s_fs_info = KBox::into_raw(info).cast();
            (*sb).s_op = &Self::SUPER_OPS;
            bindings::set_default_d_op(sb, &Self::DENTRY_OPS);
        }
        // SAFETY: `sb` is a live super block of `T` with its data set.
        let sbr = unsafe { SuperBlock::<T>::from_raw(sb) };
        let root = match T::init_root(sbr) {
            // An inode of another super block (kept from an earlier mount)
            // cannot be this one's root.
            Ok(r) if ptr::eq(r.super_block(), sbr) => r,
            Ok(_) => return EINVAL.to_errno(),
            Err(e) => return e.to_errno(),
        };
        // SAFETY: `d_make_root` takes over the reference `root` holds (and
        // drops it on failure); `into_raw` gives that reference up.
        let dentry = unsafe { bindings::d_make_root(ARef::into_raw(root).as_ptr().cast()) };
        if dentry.is_null() {
            return ENOMEM.to_errno();
        }
        // SAFETY: `sb` is being set up and exclusively ours.
        unsafe { (*sb).s_root = dentry };
        T::root_made(sbr);
        0
    }

    /// `super_operations::alloc_inode`.
    ///
    /// # Safety
    ///
    /// `sb` must be a live super block of `T`.
    unsafe extern "C" fn alloc_inode(sb: *mut bindings::super_block) -> *mut bindings::inode {
        // SAFETY: Per the function's contract `sb` is a live super block of
        // a registered type of `T`, whose `s_type` is a `Registration<T>`'s.
        let reg = unsafe { Registration::<T>::from_fst((*sb).s_type) };
        // SAFETY: The cache is live while its registration is (type
        // invariant), and `sb` is live.
        let obj =
            unsafe { rust_vfs_inode_cache_alloc(sb, reg.cache.as_ptr()) }.cast::<INodeObj<T>>();
        if obj.is_null() {
            return ptr::null_mut();
        }
        // SAFETY: `obj` is a fresh object of the cache, ours alone; its
        // `vfs` field was initialised by the cache's constructor.
        unsafe {
            ptr::addr_of_mut!((*obj).has_data).write(false);
            ptr::addr_of_mut!((*obj).key).write(AtomicU64::new(0));
            ptr::addr_of_mut!((*obj).vfs.mmu_private).write(0);
            ptr::addr_of_mut!((*obj).vfs.vfs)
        }
    }

    /// `super_operations::free_inode`, after an RCU grace period.
    ///
    /// # Safety
    ///
    /// `inode` must come from `alloc_inode` and be unused.
    unsafe extern "C" fn free_inode(inode: *mut bindings::inode) {
        // SAFETY: Per the function's contract `inode` is the `vfs` field of
        // an `INodeObj<T>` from `alloc_inode`, no longer used by anyone.
        unsafe {
            let obj = obj_of::<T>(inode);
            if (*obj).has_data {
                (*obj).data.assume_init_drop();
            }
            // `kfree` frees objects of any slab cache.
            bindings::kfree(obj.cast());
        }
    }

    /// `super_operations::statfs`.
    ///
    /// # Safety
    ///
    /// `dentry` must be a live dentry of a mounted super block of `T`, and
    /// `buf` the VFS's `kstatfs`.
    unsafe extern "C" fn statfs(
        dentry: *mut bindings::dentry,
        buf: *mut bindings::kstatfs,
    ) -> c_int {
        // SAFETY: Per the function's contract the dentry is live and its
        // super block mounted, so `d_sb` is a live super block of `T`.
        let sb = unsafe { SuperBlock::<T>::from_raw((*dentry).d_sb) };
        match T::statfs(sb) {
            Ok(s) => {
                // SAFETY: `buf` is the VFS's `kstatfs`, valid for writes
                // (the function's contract); the helper only stores fields.
                unsafe {
                    rust_vfs_fill_statfs(
                        buf,
                        s.magic as c_ulong,
                        s.block_size as c_ulong,
                        s.blocks,
                        s.free,
                        s.namelen as c_ulong,
                        u64::from(sb.device_id()),
                    )
                };
                0
            }
            Err(e) => e.to_errno(),
        }
    }

    /// `inode_operations::update_time`: the VFS's own time updates (an
    /// access, a write) in the file system's granularity, as
    /// `fat_update_time`.
    ///
    /// # Safety
    ///
    /// `inode` must be a live inode of `T`.
    unsafe extern "C" fn update_time(
        inode: *mut bindings::inode,
        kind: bindings::fs_update_time,
        _flags: c_uint,
    ) -> c_int {
        // SAFETY: Per the function's contract `inode` is a live inode of `T`.
        let i = unsafe { INode::<T>::from_raw(inode) };
        let now = i.now();
        if kind == bindings::fs_update_time_FS_UPD_ATIME {
            i.set_atime(now);
        } else {
            i.set_mtime(now);
        }
        // SAFETY: `inode` is live.
        unsafe { helpers::rust_vfs_mark_inode_time_dirty(inode) };
        0
    }

    /// `inode_operations::getattr`.
    ///
    /// # Safety
    ///
    /// `path` must name a live positive dentry of `T`, and `stat` be the
    /// VFS's `kstat`.
    unsafe extern "C" fn getattr(
        idmap: *mut bindings::mnt_idmap,
        path: *const bindings::path,
        stat: *mut bindings::kstat,
        request_mask: u32,
        _flags: c_uint,
    ) -> c_int {
        // SAFETY: Per the function's contract the dentry is positive (the
        // VFS calls getattr only on those), so `d_inode` is a live inode of
        // `T`, and `stat` is valid for writes.
        unsafe {
            let inode = (*(*path).dentry).d_inode;
            bindings::generic_fillattr(idmap, request_mask, inode, stat);
            let extra = T::getattr(INode::<T>::from_raw(inode));
            (*stat).blksize = extra.blksize;
            if let Some(t) = extra.btime {
                if request_mask & bindings::STATX_BTIME != 0 {
                    (*stat).result_mask |= bindings::STATX_BTIME;
                    (*stat).btime = bindings::timespec64 {
                        tv_sec: t.sec,
                        tv_nsec: t.nsec as isize,
                    };
                }
            }
        }
        0
    }

    /// `inode_operations::fileattr_get`, as `fat_fileattr_get`: the names'
    /// case rules and the immutable flag.
    ///
    /// # Safety
    ///
    /// `dentry` must be a live positive dentry of `T`, and `fa` the VFS's
    /// `file_kattr` being filled.
    unsafe extern "C" fn fileattr_get(
        dentry: *mut bindings::dentry,
        fa: *mut bindings::file_kattr,
    ) -> c_int {
        // SAFETY: Per the function's contract the dentry is positive, so
        // `d_inode` is a live inode of `T`.
        let inode = unsafe { INode::<T>::from_raw((*dentry).d_inode) };
        let (mut flags, mut xflags) = match T::name_case(inode.super_block()) {
            NameCase::Sensitive => (0, 0),
            NameCase::Folded => (bindings::FS_CASEFOLD_FL, bindings::FS_XFLAG_CASEFOLD),
            NameCase::FoldedNotPreserved => (
                bindings::FS_CASEFOLD_FL,
                bindings::FS_XFLAG_CASEFOLD | bindings::FS_XFLAG_CASENONPRESERVING,
            ),
        };
        if inode.is_immutable() {
            flags |= bindings::FS_IMMUTABLE_FL;
            xflags |= bindings::FS_XFLAG_IMMUTABLE;
        }
        // SAFETY: Per the function's contract `fa` is the VFS's
        // `file_kattr`, valid for writes during the call.
        unsafe { helpers::rust_vfs_fileattr_add(fa.cast(), flags, xflags) };
        0
    }

    /// `inode_operations::lookup`.
    ///
    /// # Safety
    ///
    /// `dir` must be a live directory inode of `T` and `dentry` the live,
    /// unhashed dentry being looked up in it.
    unsafe extern "C" fn lookup(
        dir: *mut bindings::inode,
        dentry: *mut bindings::dentry,
        _flags: c_uint,
    ) -> *mut bindings::dentry {
        // SAFETY: Per the function's contract `dentry` is live and its name
        // stable during the call (the parent's lock is held).
        let name = unsafe { dentry_name(dentry) };
        // SAFETY: Per the function's contract `dir` is a live inode of `T`.
        let dir = unsafe { INode::<T>::from_raw(dir) };
        let found = match T::lookup(dir, name) {
            Ok(Lookup::Found(i) | Lookup::FoundOneAlias(i))
                if !ptr::eq(i.super_block(), dir.super_block()) =>
            {
                // Only an inode of this super block may get a dentry in it.
                Err(EIO)
            }
            r => r,
        };
        let (inode, one_alias) = match found {
            Ok(Lookup::Negative) => (ptr::null_mut(), false),
            Ok(Lookup::Found(i)) => (ARef::into_raw(i).as_ptr().cast::<bindings::inode>(), false),
            Ok(Lookup::FoundOneAlias(i)) => {
                (ARef::into_raw(i).as_ptr().cast::<bindings::inode>(), true)
            }
            Err(e) => return e.to_ptr(),
        };
        if one_alias {
            // SAFETY: `inode` is a referenced inode (given up by `into_raw`
            // above); `d_find_alias` returns a referenced dentry or NULL;
            // `dentry` is the unhashed dentry being looked up, so `d_move`
            // may give its name to `alias` (as vfat_lookup does); the
            // references are dropped or returned to the VFS.
            unsafe {
                let alias = bindings::d_find_alias(inode);
                if !alias.is_null() {
                    if (*alias).d_parent == (*dentry).d_parent {
                        if u32::from((*inode).i_mode) & mode::S_IFMT != mode::S_IFDIR {
                            bindings::d_move(alias, dentry);
                        }
                        bindings::iput(inode);
                        return alias;
                    }
                    bindings::dput(alias);
                }
            }
        }
        // SAFETY: `inode` is NULL (a negative dentry) or a referenced inode
        // whose reference `d_splice_alias` consumes; `dentry` is the live
        // dentry being looked up.
        unsafe { bindings::d_splice_alias(inode, dentry) }
    }

    /// `dentry_operations::d_revalidate`: a negative dentry is never
    /// trusted (a name created since, in another case or as an 8.3
    /// alias, would be hidden by it; and a creation must use the name
    /// asked for, as `vfat_revalidate_ci` ensures); positive ones stay.
    ///
    /// # Safety
    ///
    /// `dentry` must be a live dentry of `T`.
    unsafe extern "C" fn d_revalidate(
        _dir: *mut bindings::inode,
        _name: *const bindings::qstr,
        dentry: *mut bindings::dentry,
        flags: c_uint,
    ) -> c_int {
        // SAFETY: Per the function's contract the dentry is live; its
        // inode pointer is read once (a negative dentry may become
        // positive meanwhile: then it is dropped and looked up again).
        let positive = unsafe { !ptr::read_volatile(ptr::addr_of!((*dentry).d_inode)).is_null() };
        if positive {
            1
        } else if flags & LOOKUP_RCU != 0 {
            -(bindings::ECHILD as c_int)
        } else {
            0
        }
    }

    /// Turns a new inode into the dentry being created.
    ///
    /// # Safety
    ///
    /// `dentry` must be the live negative dentry being created in `dir`.
    unsafe fn instantiate(
        dir: &INode<T>,
        dentry: *mut bindings::dentry,
        made: Result<ARef<INode<T>>>,
    ) -> c_int {
        match made {
            Ok(i) if ptr::eq(i.super_block(), dir.super_block()) => {
                // SAFETY: Per the function's contract `dentry` is the
                // negative dentry being created; `d_instantiate` takes over
                // the reference `into_raw` gives up.
                unsafe { bindings::d_instantiate(dentry, ARef::into_raw(i).as_ptr().cast()) };
                0
            }
            Ok(_) => EIO.to_errno(),
            Err(e) => e.to_errno(),
        }
    }

    /// `inode_operations::create`.
    ///
    /// # Safety
    ///
    /// `dir` must be a live directory of `T`, locked, and `dentry` the
    /// negative dentry being created in it.
    unsafe extern "C" fn create(
        _idmap: *mut bindings::mnt_idmap,
        dir: *mut bindings::inode,
        dentry: *mut bindings::dentry,
        mode: bindings::umode_t,
    ) -> c_int {
        // SAFETY: Per the function's contract both are live and the name
        // is stable (the directory is locked).
        let (d, name) = unsafe { (INode::<T>::from_raw(dir), dentry_name(dentry)) };
        let made = T::create(d, name, u32::from(mode));
        // SAFETY: Per the function's contract `dentry` is being created.
        unsafe { Self::instantiate(d, dentry, made) }
    }

    /// `inode_operations::mkdir`.
    ///
    /// # Safety
    ///
    /// As for `create`: `dir` a live locked directory of `T`, `dentry` the
    /// negative dentry being created in it.
    unsafe extern "C" fn mkdir(
        _idmap: *mut bindings::mnt_idmap,
        dir: *mut bindings::inode,
        dentry: *mut bindings::dentry,
        mode: bindings::umode_t,
    ) -> *mut bindings::dentry {
        // SAFETY: Per the function's contract both are live and the name
        // is stable (the directory is locked).
        let (d, name) = unsafe { (INode::<T>::from_raw(dir), dentry_name(dentry)) };
        let made = T::mkdir(d, name, u32::from(mode));
        if made.is_ok() {
            // SAFETY: `dir` is live and locked: its link count changes
            // under that lock (the new directory's `..`).
            unsafe { bindings::inc_nlink(dir) };
        }
        // SAFETY: Per the function's contract `dentry` is being created.
        match unsafe { Self::instantiate(d, dentry, made) } {
            0 => ptr::null_mut(),
            e => Error::from_errno(e).to_ptr(),
        }
    }

    /// `inode_operations::unlink`.
    ///
    /// # Safety
    ///
    /// `dir` must be a live directory of `T` and `dentry` a positive
    /// dentry in it, both locked by the VFS.
    unsafe extern "C" fn unlink(dir: *mut bindings::inode, dentry: *mut bindings::dentry) -> c_int {
        // SAFETY: Per the function's contract all are live and locked; the
        // dentry is positive.
        unsafe {
            let inode = (*dentry).d_inode;
            let r = T::unlink(
                INode::<T>::from_raw(dir),
                dentry_name(dentry),
                INode::<T>::from_raw(inode),
            );
            match r {
                Ok(()) => {
                    bindings::clear_nlink(inode);
                    0
                }
                Err(e) => e.to_errno(),
            }
        }
    }

    /// `inode_operations::rmdir`.
    ///
    /// # Safety
    ///
    /// As for `unlink`, with `dentry` a directory's.
    unsafe extern "C" fn rmdir(dir: *mut bindings::inode, dentry: *mut bindings::dentry) -> c_int {
        // SAFETY: Per the function's contract all are live and locked; the
        // dentry is positive.
        unsafe {
            let inode = (*dentry).d_inode;
            let r = T::rmdir(
                INode::<T>::from_raw(dir),
                dentry_name(dentry),
                INode::<T>::from_raw(inode),
            );
            match r {
                Ok(()) => {
                    if (*dir).__bindgen_anon_1.i_nlink >= 3 {
                        bindings::drop_nlink(dir);
                    }
                    bindings::clear_nlink(inode);
                    0
                }
                Err(e) => e.to_errno(),
            }
        }
    }

    /// `inode_operations::rename`, with `RENAME_NOREPLACE` (the VFS checks
    /// it) and `RENAME_EXCHANGE` (the file system's
    /// [`FileSystem::rename_exchange`]); other flags are refused
    /// (`EINVAL`, as `vfat_rename2`).
    ///
    /// # Safety
    ///
    /// The arguments must be the VFS's, with its rename locks held.
    unsafe extern "C" fn rename(
        _idmap: *mut bindings::mnt_idmap,
        old_dir: *mut bindings::inode,
        old_dentry: *mut bindings::dentry,
        new_dir: *mut bindings::inode,
        new_dentry: *mut bindings::dentry,
        flags: c_uint,
    ) -> c_int {
        if flags & !(bindings::RENAME_NOREPLACE | bindings::RENAME_EXCHANGE) != 0 {
            return EINVAL.to_errno();
        }
        if flags & bindings::RENAME_EXCHANGE != 0 {
            // SAFETY: Per the function's contract everything is live and
            // locked; with RENAME_EXCHANGE both dentries are positive (the
            // VFS checks it).
            return unsafe { Self::exchange(old_dir, old_dentry, new_dir, new_dentry) };
        }
        // SAFETY: Per the function's contract everything is live and
        // locked; `old_dentry` is positive; `new_dentry`'s inode is the
        // target or NULL.
        unsafe {
            let inode = (*old_dentry).d_inode;
            let target = (*new_dentry).d_inode;
            let is_dir = u32::from((*inode).i_mode) & mode::S_IFMT == mode::S_IFDIR;
            let r = T::rename(
                INode::<T>::from_raw(old_dir),
                dentry_name(old_dentry),
                INode::<T>::from_raw(inode),
                INode::<T>::from_raw(new_dir),
                dentry_name(new_dentry),
                (!target.is_null()).then(|| INode::<T>::from_raw(target)),
            );
            if let Err(e) = r {
                return e.to_errno();
            }
            // The link counts, as `vfat_rename` keeps them.
            if is_dir {
                bindings::drop_nlink(old_dir);
                if target.is_null() {
                    bindings::inc_nlink(new_dir);
                }
            }
            if !target.is_null() {
                bindings::drop_nlink(target);
                if is_dir {
                    bindings::drop_nlink(target);
                }
            }
        }
        0
    }

    /// `RENAME_EXCHANGE`: the file system swaps the entries; the link
    /// counts follow a directory that changes parent (`vfat_move_nlink`).
    ///
    /// # Safety
    ///
    /// The VFS's rename arguments, both dentries positive, with its rename
    /// locks held.
    unsafe fn exchange(
        old_dir: *mut bindings::inode,
        old_dentry: *mut bindings::dentry,
        new_dir: *mut bindings::inode,
        new_dentry: *mut bindings::dentry,
    ) -> c_int {
        // SAFETY: Per the function's contract everything is live and locked
        // and both dentries are positive.
        unsafe {
            let a = (*old_dentry).d_inode;
            let b = (*new_dentry).d_inode;
            let r = T::rename_exchange(
                INode::<T>::from_raw(old_dir),
                INode::<T>::from_raw(a),
                INode::<T>::from_raw(new_dir),
                INode::<T>::from_raw(b),
            );
            if let Err(e) = r {
                return e.to_errno();
            }
            let is_dir =
                |i: *mut bindings::inode| u32::from((*i).i_mode) & mode::S_IFMT == mode::S_IFDIR;
            if old_dir != new_dir && is_dir(a) != is_dir(b) {
                let (from, to) = if is_dir(a) {
                    (old_dir, new_dir)
                } else {
                    (new_dir, old_dir)
                };
                bindings::drop_nlink(from);
                bindings::inc_nlink(to);
            }
        }
        0
    }

    /// `file_operations::iterate_shared`.
    ///
    /// # Safety
    ///
    /// `file` must be an open directory of `T` and `ctx` a live context.
    unsafe extern "C" fn iterate_shared(
        file: *mut bindings::file,
        ctx: *mut bindings::dir_context,
    ) -> c_int {
        // SAFETY: Per the function's contract `file` is open, so its inode
        // is a live directory inode of `T`.
        let dir = unsafe { INode::<T>::from_raw((*file).f_inode) };
        let mut emitter = DirEmitter {
            file,
            ctx,
            names: NameChoice::Shown,
            _p: PhantomData,
        };
        match T::read_dir(dir, &mut emitter) {
            Ok(()) => 0,
            Err(e) => e.to_errno(),
        }
    }

    /// Block mapping for page-cache and direct I/O, reads and writes (with
    /// `create`, a write may allocate), from the C `get_block`.
    ///
    /// # Safety
    ///
    /// `inode` must be a live regular file of `T`, and `phys`, `count`
    /// valid for reads and writes.
    unsafe extern "C" fn map_blocks(
        inode: *mut bindings::inode,
        block: u64,
        phys: *mut u64,
        count: *mut c_ulong,
        create: bool,
        new_block: *mut bool,
    ) -> c_int {
        // SAFETY: Per the function's contract `inode` is a live inode of `T`.
        let i = unsafe { INode::<T>::from_raw(inode) };
        // SAFETY: Per the function's contract `count` is valid for reads.
        let want = unsafe { *count } as u64;
        let (p, n, new) = match T::map_blocks(i, block, want, create) {
            Ok(Some(m)) => (m.phys, m.count.max(1), m.new),
            Ok(None) => (0, 0, false),
            Err(e) => return e.to_errno(),
        };
        // SAFETY: Per the function's contract all three are valid for
        // writes.
        unsafe {
            *phys = p;
            *count = n as c_ulong;
            *new_block = new;
        }
        0
    }

    /// Gives back the blocks of `inode` past `size` (a write that failed
    /// after allocating).
    ///
    /// # Safety
    ///
    /// `inode` must be a live regular file of `T`, with its lock held.
    unsafe extern "C" fn truncate_blocks(inode: *mut bindings::inode, size: i64) {
        // SAFETY: Per the function's contract `inode` is a live inode of `T`.
        let i = unsafe { INode::<T>::from_raw(inode) };
        T::truncate_blocks(i, size.max(0) as u64);
    }

    /// `FIBMAP`'s block mapping, from the C `bmap`.
    ///
    /// # Safety
    ///
    /// `inode` must be a live regular file of `T`.
    unsafe extern "C" fn bmap(inode: *mut bindings::inode, block: u64) -> u64 {
        // SAFETY: Per the function's contract `inode` is a live inode of `T`.
        T::bmap(unsafe { INode::<T>::from_raw(inode) }, block).unwrap_or(0)
    }

    /// The key a file handle names `inode` by.
    ///
    /// # Safety
    ///
    /// `inode` must be a live inode of `T`.
    unsafe extern "C" fn inode_key(inode: *mut bindings::inode) -> u64 {
        // SAFETY: Per the function's contract `inode` is the `vfs` field
        // of a live `INodeObj<T>`.
        unsafe { (*obj_of::<T>(inode)).key.load(Ordering::Relaxed) }
    }

    /// The inode filed under `key`, referenced, or null: a file handle's.
    ///
    /// # Safety
    ///
    /// `sb` must be a live super block of `T`.
    unsafe extern "C" fn find_inode(
        sb: *mut bindings::super_block,
        key: u64,
    ) -> *mut bindings::inode {
        // SAFETY: Per the function's contract `sb` is a live super block
        // of `T`; the VFS decodes handles only on a mounted one.
        let sb = unsafe { SuperBlock::<T>::from_raw(sb) };
        sb.find_inode(key)
            .map_or(ptr::null_mut(), |i| ARef::into_raw(i).as_ptr().cast())
    }

    /// The parent directory of a directory, referenced, or an `ERR_PTR`.
    ///
    /// # Safety
    ///
    /// `dir` must be a live directory inode of `T`, locked.
    unsafe extern "C" fn parent_dir(dir: *mut bindings::inode) -> *mut bindings::inode {
        // SAFETY: Per the function's contract `dir` is a live inode of `T`.
        match T::parent_dir(unsafe { INode::<T>::from_raw(dir) }) {
            Ok(i) => ARef::into_raw(i).as_ptr().cast(),
            Err(e) => {
                // SAFETY: `ERR_PTR` only encodes the error.
                unsafe { bindings::ERR_PTR(e.to_errno() as isize).cast() }
            }
        }
    }

    /// Data was written through the page cache.
    ///
    /// # Safety
    ///
    /// `inode` must be a live regular file of `T`, with its lock held.
    unsafe extern "C" fn written(inode: *mut bindings::inode) {
        // SAFETY: Per the function's contract `inode` is a live inode of `T`.
        T::written(unsafe { INode::<T>::from_raw(inode) });
    }

    /// The blocks of a buffered write ahead of its mapping, from the C
    /// `write_begin`.
    ///
    /// # Safety
    ///
    /// `inode` must be a live regular file of `T`, locked.
    unsafe extern "C" fn reserve(inode: *mut bindings::inode, end: i64) {
        // SAFETY: Per the function's contract `inode` is a live inode of `T`.
        let i = unsafe { INode::<T>::from_raw(inode) };
        T::reserve(i, end.max(0) as u64);
    }

    /// `fallocate`, from the C helper (mode checked, inode locked): a
    /// plain allocation grows the file through the page cache, as a
    /// truncate up; `keep_size` asks the file system.
    ///
    /// # Safety
    ///
    /// `inode` must be a live regular file of `T`, locked.
    unsafe extern "C" fn allocate(inode: *mut bindings::inode, keep_size: bool, end: i64) -> c_int {
        // SAFETY: Per the function's contract `inode` is a live inode of `T`.
        let i = unsafe { INode::<T>::from_raw(inode) };
        let end = end.max(0) as u64;
        if keep_size {
            return match T::preallocate(i, end) {
                Ok(()) => 0,
                Err(e) => e.to_errno(),
            };
        }
        if end <= i.size() {
            return 0;
        }
        // SAFETY: `inode` is live and locked (the function's contract), as
        // `generic_cont_expand_simple` requires.
        let err = unsafe { helpers::rust_vfs_cont_expand(inode, end as i64) };
        if err == 0 {
            T::touch(i);
            i.mark_dirty();
        }
        err
    }

    /// A listing for the readdir ioctls: `names` 1 is 8.3 names only, 2
    /// both names.
    ///
    /// # Safety
    ///
    /// `file` must be an open directory of `T` (its lock held shared) and
    /// `ctx` the helper's live context.
    unsafe extern "C" fn iterate_names(
        file: *mut bindings::file,
        ctx: *mut bindings::dir_context,
        names: c_int,
    ) -> c_int {
        // SAFETY: Per the function's contract `file` is open, so its inode
        // is a live directory inode of `T`.
        let dir = unsafe { INode::<T>::from_raw((*file).f_inode) };
        let mut emitter = DirEmitter {
            file,
            ctx,
            names: if names == 1 {
                NameChoice::ShortOnly
            } else {
                NameChoice::Both
            },
            _p: PhantomData,
        };
        match T::read_dir(dir, &mut emitter) {
            Ok(()) => 0,
            Err(e) => e.to_errno(),
        }
    }

    /// A `u32`-reading ioctl.
    ///
    /// # Safety
    ///
    /// `inode` must be a live inode of `T` and `val` valid for a write.
    unsafe extern "C" fn ioctl_get(
        inode: *mut bindings::inode,
        cmd: c_uint,
        val: *mut u32,
    ) -> c_int {
        // SAFETY: Per the function's contract `inode` is a live inode of `T`.
        match T::ioctl_get(unsafe { INode::<T>::from_raw(inode) }, cmd) {
            Ok(v) => {
                // SAFETY: Per the function's contract `val` is writable.
                unsafe { *val = v };
                0
            }
            Err(e) => e.to_errno(),
        }
    }

    /// A `u32`-writing ioctl, checked.
    ///
    /// # Safety
    ///
    /// `inode` must be a live inode of `T`, locked; the pointers valid for
    /// reads and writes.
    unsafe extern "C" fn ioctl_set_prepare(
        inode: *mut bindings::inode,
        cmd: c_uint,
        val: *mut u32,
        chmod: *mut bool,
        new_mode: *mut c_ushort,
    ) -> c_int {
        // SAFETY: Per the function's contract `inode` is live and `val`
        // readable.
        let (i, v) = unsafe { (INode::<T>::from_raw(inode), *val) };
        match T::ioctl_set_prepare(i, cmd, v) {
            Ok((v, m)) => {
                // SAFETY: Per the function's contract the three are
                // writable.
                unsafe {
                    *val = v;
                    *chmod = m.is_some();
                    *new_mode = m.unwrap_or(0) as c_ushort;
                }
                0
            }
            Err(e) => e.to_errno(),
        }
    }

    /// A `u32`-writing ioctl, committed.
    ///
    /// # Safety
    ///
    /// `inode` must be a live inode of `T`, locked.
    unsafe extern "C" fn ioctl_set_commit(inode: *mut bindings::inode, cmd: c_uint, val: u32) {
        // SAFETY: Per the function's contract `inode` is a live inode of `T`.
        T::ioctl_set_commit(unsafe { INode::<T>::from_raw(inode) }, cmd, val);
    }

    /// `super_operations::show_options`.
    ///
    /// # Safety
    ///
    /// `m` must be the VFS's live `seq_file` and `root` the root dentry of
    /// a mounted super block of `T`.
    unsafe extern "C" fn show_options(
        m: *mut bindings::seq_file,
        root: *mut bindings::dentry,
    ) -> c_int {
        // SAFETY: Per the function's contract the root dentry is live and
        // its super block mounted, with its data set.
        let sb = unsafe { SuperBlock::<T>::from_raw((*root).d_sb) };
        // SAFETY: Per the function's contract `m` is live for the call,
        // and nothing else uses it meanwhile.
        T::show_options(sb, unsafe { SeqFile::from_raw(m) });
        0
    }

    /// `file_operations::release` of regular files.
    ///
    /// # Safety
    ///
    /// `inode` must be a live inode of `T` and `file` an open file of it
    /// being released.
    unsafe extern "C" fn release(inode: *mut bindings::inode, file: *mut bindings::file) -> c_int {
        // SAFETY: Per the function's contract the file is live for the call.
        let writable = unsafe { (*file).f_mode } & FMODE_WRITE != 0;
        // SAFETY: Per the function's contract `inode` is live; an open
        // file's inode is set up.
        T::release(unsafe { INode::<T>::from_raw(inode) }, writable);
        0
    }

    /// FITRIM, after the helper's checks.
    ///
    /// # Safety
    ///
    /// `sb` must be a mounted super block of `T` and `trimmed` valid for a
    /// write.
    unsafe extern "C" fn trim(
        sb: *mut bindings::super_block,
        start: u64,
        len: u64,
        minlen: u64,
        trimmed: *mut u64,
    ) -> c_int {
        // SAFETY: Per the function's contract `sb` is mounted, its data set.
        match T::trim(unsafe { SuperBlock::<T>::from_raw(sb) }, start, len, minlen) {
            Ok(n) => {
                // SAFETY: Per the function's contract `trimmed` is valid
                // for a write.
                unsafe { *trimmed = n };
                0
            }
            Err(e) => e.to_errno(),
        }
    }

    /// The file system's state changes between read-only and read-write
    /// (remount).
    ///
    /// # Safety
    ///
    /// `sb` must be a mounted super block of `T`.
    unsafe extern "C" fn set_state(sb: *mut bindings::super_block, dirty: bool) {
        // SAFETY: Per the function's contract `sb` is mounted, its data set.
        T::set_state(unsafe { SuperBlock::<T>::from_raw(sb) }, dirty);
    }

    /// `super_operations::write_inode`.
    ///
    /// # Safety
    ///
    /// `inode` must be a live inode of `T` and `wbc` the VFS's.
    unsafe extern "C" fn write_inode(
        inode: *mut bindings::inode,
        wbc: *mut bindings::writeback_control,
    ) -> c_int {
        // SAFETY: Per the function's contract `inode` is live; only inodes
        // set up (with data) are ever dirtied.
        let (has_data, sync) = unsafe {
            (
                (*obj_of::<T>(inode)).has_data,
                (*wbc).sync_mode == bindings::writeback_sync_modes_WB_SYNC_ALL,
            )
        };
        if !has_data {
            return 0;
        }
        // SAFETY: As checked, the inode is set up and live.
        match T::write_inode(unsafe { INode::<T>::from_raw(inode) }, sync) {
            Ok(()) => 0,
            Err(e) => e.to_errno(),
        }
    }

    /// `super_operations::evict_inode`: the last reference is gone.
    ///
    /// # Safety
    ///
    /// `inode` must be an inode of `T` being evicted.
    unsafe extern "C" fn evict_inode(inode: *mut bindings::inode) {
        // SAFETY: Per the function's contract the inode is being evicted:
        // nobody else uses it; its pages go first, as in `fat_evict_inode`.
        unsafe {
            bindings::truncate_inode_pages_final(ptr::addr_of_mut!((*inode).i_data));
            if (*obj_of::<T>(inode)).has_data {
                T::evict_inode(INode::<T>::from_raw(inode));
            }
            bindings::clear_inode(inode);
        }
    }

    /// `super_operations::sync_fs`.
    ///
    /// # Safety
    ///
    /// `sb` must be a mounted super block of `T`.
    unsafe extern "C" fn sync_fs(sb: *mut bindings::super_block, wait: c_int) -> c_int {
        // SAFETY: Per the function's contract `sb` is mounted, its data set.
        match T::sync_fs(unsafe { SuperBlock::<T>::from_raw(sb) }, wait != 0) {
            Ok(()) => 0,
            Err(e) => e.to_errno(),
        }
    }

    /// `super_operations::put_super`: the last call with the data, after
    /// every inode is written back and evicted; the data is dropped here,
    /// while the device is still open.
    ///
    /// # Safety
    ///
    /// `sb` must be a super block of `T` being shut down whose
    /// `fill_super` succeeded.
    unsafe extern "C" fn put_super(sb: *mut bindings::super_block) {
        // SAFETY: Per the function's contract `fill_super` set the data,
        // and no other callback runs any more (the inodes are evicted).
        unsafe {
            let info = (*sb).s_fs_info.cast::<SbInfo<T>>();
            if !info.is_null() && (*info).data_live {
                T::put_super(SuperBlock::<T>::from_raw(sb));
                (*info).data_live = false;
                ManuallyDrop::drop(&mut (*info).data);
            }
        }
    }

    /// `inode_operations::setattr`, shaped as `fat_setattr`: the VFS's
    /// checks, growing through the page cache (FAT has no holes), the file
    /// system's rules for owner and mode, shrinking, then the copy.
    ///
    /// # Safety
    ///
    /// `dentry` must be a live positive dentry of `T` whose inode is
    /// locked, and `attr` the VFS's.
    unsafe extern "C" fn setattr(
        idmap: *mut bindings::mnt_idmap,
        dentry: *mut bindings::dentry,
        attr: *mut bindings::iattr,
    ) -> c_int {
        // SAFETY: Per the function's contract the dentry is positive, so
        // `d_inode` is a live inode of `T`, locked by the caller; `attr` is
        // valid for reads and writes.
        unsafe {
            let inode = (*dentry).d_inode;
            let i = INode::<T>::from_raw(inode);
            let quiet = T::quiet(i.super_block());
            // As `fat_setattr`: a caller that `allow_utime` lets set the
            // times skips the VFS's owner check for them (and only that
            // check: the flags are back for the rest).
            let times_set =
                bindings::ATTR_MTIME_SET | bindings::ATTR_ATIME_SET | bindings::ATTR_TIMES_SET;
            let ia_valid = (*attr).ia_valid;
            if ia_valid & times_set != 0
                && helpers::rust_vfs_allow_set_time(idmap, inode, T::allow_utime(i.super_block()))
            {
                (*attr).ia_valid &= !times_set;
            }
            let err = bindings::setattr_prepare(idmap, dentry, attr);
            (*attr).ia_valid = ia_valid;
            if err != 0 {
                return if quiet { 0 } else { err };
            }
            let a = &mut *attr;
            if a.ia_valid & bindings::ATTR_SIZE != 0 {
                bindings::inode_dio_wait(inode);
                if a.ia_size > (*inode).i_size {
                    let err = helpers::rust_vfs_cont_expand(inode, a.ia_size);
                    if err != 0 {
                        return err;
                    }
                    T::touch(i);
                    helpers::rust_vfs_mark_inode_dirty(inode);
                    if a.ia_valid == bindings::ATTR_SIZE {
                        return 0;
                    }
                    a.ia_valid &= !bindings::ATTR_SIZE;
                }
            }
            let change = AttrChange {
                uid: (a.ia_valid & bindings::ATTR_UID != 0)
                    .then_some(a.__bindgen_anon_1.ia_uid.val),
                gid: (a.ia_valid & bindings::ATTR_GID != 0)
                    .then_some(a.__bindgen_anon_2.ia_gid.val),
                mode: (a.ia_valid & bindings::ATTR_MODE != 0).then_some(u32::from(a.ia_mode)),
            };
            match T::check_setattr(i, &change) {
                Ok(Some(m)) => a.ia_mode = m as u16,
                Ok(None) => a.ia_valid &= !bindings::ATTR_MODE,
                Err(e) => return if quiet { 0 } else { e.to_errno() },
            }
            if a.ia_valid & bindings::ATTR_SIZE != 0 {
                let err = helpers::rust_vfs_block_truncate_page(inode, a.ia_size);
                if err != 0 {
                    return err;
                }
                // The file system's `truncate_blocks` decides whether the
                // times change (FAT: only for a file that had clusters).
                helpers::rust_vfs_truncate(inode, a.ia_size);
            }
            // Times in the file system's granularity (`setattr_copy`
            // would copy them as given); the change time is the
            // modification time (`INode::set_mtime`).
            if a.ia_valid & bindings::ATTR_ATIME != 0 {
                i.set_atime(Time::from_timespec(a.ia_atime));
            }
            if a.ia_valid & bindings::ATTR_MTIME != 0 {
                i.set_mtime(Time::from_timespec(a.ia_mtime));
            }
            // Owner and group are the mount's: never copied.
            a.ia_valid &= !(bindings::ATTR_UID
                | bindings::ATTR_GID
                | bindings::ATTR_ATIME
                | bindings::ATTR_MTIME
                | bindings::ATTR_CTIME);
            bindings::setattr_copy(idmap, inode, attr);
            helpers::rust_vfs_mark_inode_dirty(inode);
        }
        0
    }

    /// `dentry_operations::d_hash`.
    ///
    /// # Safety
    ///
    /// `dentry` must be a live dentry of a super block of `T` (possibly
    /// dying, in an RCU walk) and `q` a live name.
    unsafe extern "C" fn d_hash(dentry: *const bindings::dentry, q: *mut bindings::qstr) -> c_int {
        // SAFETY: Per the function's contract both are live for the call;
        // `d_sb` of a dentry never changes.
        let (names, name) = unsafe { (sb_names::<T>((*dentry).d_sb), qstr_name(q)) };
        let Some(names) = names else {
            return 0;
        };
        let hasher = NameHasher { salt: dentry };
        if let Some(h) = T::d_hash(names, name, &hasher) {
            // SAFETY: `q` is the VFS's name being hashed, ours to update.
            unsafe { (*q).__bindgen_anon_1.__bindgen_anon_1.hash = h };
        }
        0
    }

    /// `dentry_operations::d_compare`.
    ///
    /// # Safety
    ///
    /// `dentry` must be a live dentry of a super block of `T`, `s` valid
    /// for `len` bytes and `q` a live name.
    unsafe extern "C" fn d_compare(
        dentry: *const bindings::dentry,
        len: c_uint,
        s: *const c_char,
        q: *const bindings::qstr,
    ) -> c_int {
        // SAFETY: Per the function's contract all of them are valid for the
        // call; `s` points to `len` bytes.
        let (names, a, b) = unsafe {
            (
                sb_names::<T>((*dentry).d_sb),
                core::slice::from_raw_parts(s.cast::<u8>(), len as usize),
                qstr_name(q),
            )
        };
        let equal = match names {
            Some(n) => T::d_compare(n, a, b),
            None => a == b,
        };
        c_int::from(!equal)
    }
}

/// The names of a super block of `T`, if it has its info.
///
/// # Safety
///
/// `sb` must be a super block of `T` that is live or dying (in which case
/// the caller is in an RCU read-side section entered while it was live).
unsafe fn sb_names<'a, T: FileSystem>(sb: *const bindings::super_block) -> Option<&'a T::Names> {
    // SAFETY: Per the function's contract `sb` is readable; `s_fs_info` is
    // NULL or an `SbInfo<T>` that is freed only after an RCU grace period
    // (see `Tables::kill_sb`), whose `names` field is never dropped before.
    unsafe {
        (*sb)
            .s_fs_info
            .cast::<SbInfo<T>>()
            .as_ref()
            .map(|i| &i.names)
    }
}

/// The bytes of a `qstr`.
///
/// # Safety
///
/// `q` must be a live `qstr` whose name stays valid for `'a`.
unsafe fn qstr_name<'a>(q: *const bindings::qstr) -> &'a [u8] {
    // SAFETY: Per the function's contract `q.name` points to `q.len` bytes
    // that stay valid for `'a`.
    unsafe {
        let len = (*q).__bindgen_anon_1.__bindgen_anon_1.len as usize;
        core::slice::from_raw_parts((*q).name, len)
    }
}

/// The name of a dentry.
///
/// # Safety
///
/// `d` must be a live dentry whose name is stable for `'a`.
unsafe fn dentry_name<'a>(d: *const bindings::dentry) -> &'a [u8] {
    // SAFETY: Per the function's contract `d` is live with a stable name;
    // `d_name` is its `qstr`.
    unsafe { qstr_name(ptr::addr_of!((*d).__bindgen_anon_1.d_name)) }
}

// The per-type `kill_sb` and the RCU free of a super block's info.
impl<T: FileSystem> Tables<T> {
    /// `file_system_type::kill_sb`.
    ///
    /// # Safety
    ///
    /// `sb` must be a super block of a type of `T` being killed (called
    /// once per super block, by the VFS).
    unsafe extern "C" fn kill_sb(sb: *mut bindings::super_block) {
        // SAFETY: Per the function's contract `sb` is live; `s_fs_info` is
        // NULL or the `SbInfo<T>` `fill_super` put there.
        let info = unsafe { (*sb).s_fs_info.cast::<SbInfo<T>>() };
        // SAFETY: `info` is NULL or valid (see above). Without a root
        // (`fill_super` failed), `generic_shutdown_super` calls nothing of
        // ours and `put_super` never runs: no callback other than an
        // RCU-walk `d_hash`/`d_compare` (which only sees `names`) can use
        // the data, so it is dropped once, here, while the device is open.
        // With a root, `put_super` drops it, after the last write-back
        // (which needs it) inside `kill_block_super`.
        unsafe {
            if !info.is_null() && (*sb).s_root.is_null() && (*info).data_live {
                (*info).data_live = false;
                ManuallyDrop::drop(&mut (*info).data);
            }
        }
        // SAFETY: Per the function's contract `sb` is a block-device super
        // block being killed; this is the VFS's standard way to do it.
        unsafe { bindings::kill_block_super(sb) };
        if !info.is_null() {
            // A path walk in RCU mode may still be in `d_hash`/`d_compare`
            // with one of this super block's dentries: free the names only
            // after a grace period. `Registration::drop` waits for this
            // callback (`rcu_barrier`) before the code goes.
            // SAFETY: `info` is valid and queued once, here; `free_info`
            // frees it.
            unsafe { bindings::call_rcu((*info).rcu.get(), Some(Self::free_info)) };
        }
    }

    /// Frees a super block's info after a grace period.
    ///
    /// # Safety
    ///
    /// `head` must be the `rcu` field of an `SbInfo<T>` queued by
    /// `kill_sb`, whose `data` is already dropped.
    unsafe extern "C" fn free_info(head: *mut bindings::callback_head) {
        // SAFETY: Per the function's contract `head` is the `rcu` field of
        // a boxed `SbInfo<T>` (and `Opaque<T>` has `T`'s layout); the box
        // is freed once, here; `data` is `ManuallyDrop` and not dropped
        // again.
        unsafe {
            let info = kernel::container_of!(
                head.cast::<Opaque<bindings::callback_head>>(),
                SbInfo<T>,
                rcu
            );
            drop(KBox::from_raw(info));
        }
    }
}

/// A super block being set up by [`FileSystem::fill_super`].
pub struct NewSuperBlock<T: FileSystem> {
    sb: *mut bindings::super_block,
    _p: PhantomData<T>,
}

impl<T: FileSystem> NewSuperBlock<T> {
    /// The device's name (`s_id`).
    pub fn id(&self) -> &CStr {
        // SAFETY: `sb` is being set up (a `NewSuperBlock` exists only
        // during `fill_super`); `s_id` is set before and NUL-terminated.
        unsafe { CStr::from_char_ptr((*self.sb).s_id.as_ptr()) }
    }

    /// Sets the block size to at least `size` and the device's logical
    /// block size; returns it.
    pub fn min_blocksize(&self, size: u32) -> Result<u32> {
        // SAFETY: `sb` is being set up and its device is open.
        match unsafe { bindings::sb_min_blocksize(self.sb, size as c_int) } {
            0 => Err(EINVAL),
            n => Ok(n as u32),
        }
    }

    /// The current block size.
    pub fn blocksize(&self) -> u32 {
        // SAFETY: `sb` is being set up, exclusively by this thread.
        unsafe { (*self.sb).s_blocksize as u32 }
    }

    /// Whether the mount is read-only.
    pub fn read_only(&self) -> bool {
        // SAFETY: `sb` is being set up; its flags are set.
        unsafe { helpers::rust_vfs_sb_rdonly(self.sb) }
    }

    /// Sets the block size (a power of two the device supports).
    pub fn set_blocksize(&self, size: u32) -> Result {
        // SAFETY: `sb` is being set up and its device is open.
        match unsafe { bindings::sb_set_blocksize(self.sb, size as c_int) } {
            0 => Err(EINVAL),
            _ => Ok(()),
        }
    }

    /// Sets the super block's parameters.
    pub fn set_params(&self, p: &SuperParams) {
        // SAFETY: `sb` is being set up, exclusively by this thread.
        unsafe {
            let s = &mut *self.sb;
            s.s_magic = p.magic as c_ulong;
            s.s_maxbytes = p.maxbytes;
            s.s_time_gran = p.time_gran;
            s.s_time_min = p.time_min;
            s.s_time_max = p.time_max;
            if p.noatime {
                s.s_flags |= SB_NOATIME;
            }
            if p.nodiratime {
                s.s_flags |= SB_NODIRATIME;
            }
        }
    }

    /// Sets the super block's UUID (`super_set_uuid`; at most 16 bytes
    /// are kept).
    pub fn set_uuid(&self, uuid: &[u8]) {
        let len = uuid.len().min(16);
        // SAFETY: `sb` is being set up, exclusively by this thread.
        unsafe {
            let s = &mut *self.sb;
            s.s_uuid.b[..len].copy_from_slice(&uuid[..len]);
            s.s_uuid_len = len as u8;
        }
    }

    /// The device, for the super block's data to keep.
    pub fn device(&self) -> Device<'_> {
        Device {
            sb: self.sb,
            _p: PhantomData,
        }
    }
}

/// The device of a super block, read and written through the buffer cache.
///
/// Branded with the life of the super block it came from (see
/// [`FileSystem::Data`]).
#[derive(Clone, Copy)]
pub struct Device<'sb> {
    sb: *mut bindings::super_block,
    _p: PhantomData<&'sb ()>,
}

// SAFETY: A `Device<'sb>` only exists while its super block is set up or
// mounted (the brand), and reading and writing through the buffer cache is
// safe from any thread.
unsafe impl Send for Device<'_> {}
// SAFETY: `&Device` only reads through the buffer cache, which is safe
// from several threads at once, while the super block lives (the brand).
unsafe impl Sync for Device<'_> {}

impl Device<'_> {
    /// The device's size in bytes.
    pub fn len(&self) -> u64 {
        // SAFETY: The super block is live (the brand) and its device open.
        unsafe { rust_vfs_device_bytes(self.sb) }
    }

    /// Whether the device is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// `log2` of the block size and the block size.
    #[inline]
    pub fn block_size(&self) -> (u32, u64) {
        // SAFETY: The super block is live (the brand); the block size only
        // changes in `fill_super`, before other readers exist.
        unsafe {
            (
                u32::from((*self.sb).s_blocksize_bits),
                (*self.sb).s_blocksize as u64,
            )
        }
    }

    /// Copies `buf.len()` bytes at `offset` of block `block` into `buf`;
    /// they must lie within the block.
    pub fn read_block(&self, block: u64, offset: u32, buf: &mut [u8]) -> Result {
        let len = c_uint::try_from(buf.len()).map_err(|_| EINVAL)?;
        // SAFETY: The super block is live (the brand); `buf` is valid for
        // `len` bytes of writes; the helper checks that the range lies
        // within the block.
        kernel::error::to_result(unsafe {
            rust_vfs_read_block(self.sb, block, buf.as_mut_ptr().cast(), offset, len)
        })
    }

    /// Reads block `block` through the buffer cache (`sb_bread`) and holds
    /// it until the [`Block`] is dropped (`brelse`): its bytes are read and
    /// changed where they are, with no copy, as C's `fs/fat` parses a
    /// `buffer_head`.
    #[inline]
    pub fn bread(&self, block: u64) -> Result<Block<'_>> {
        let mut data: *mut c_void = ptr::null_mut();
        // SAFETY: The super block is live (the brand); `data` is valid for
        // a write of a pointer.
        let bh = unsafe { helpers::rust_vfs_bread(self.sb, block, &mut data) };
        let bh = NonNull::new(bh).ok_or(EIO)?;
        let (_, size) = self.block_size();
        Ok(Block {
            bh,
            data: data.cast(),
            len: size as usize,
            _p: PhantomData,
        })
    }

    /// Copies block `from` over block `to` through the buffer cache (the
    /// copy is written back later), as `fs/fat` copies a FAT block to the
    /// other FATs (`fat_mirror_bhs`).
    pub fn copy_block(&self, from: u64, to: u64) -> Result {
        // SAFETY: The super block is live (the brand); the helper reads and
        // writes whole blocks of its device only.
        kernel::error::to_result(unsafe { helpers::rust_vfs_copy_block(self.sb, from, to) })
    }

    /// Makes the super block read-only at once, as `fs/fat` does on a
    /// structural error with `errors=remount-ro`; `true` if it was
    /// read-write.
    pub fn force_read_only(&self) -> bool {
        // SAFETY: The super block is live (the brand); the helper sets the
        // flag as C's `__fat_fs_error` does.
        unsafe { helpers::rust_vfs_force_rdonly(self.sb) }
    }

    /// Whether the device can discard (`bdev_max_discard_sectors`).
    pub fn discard_supported(&self) -> bool {
        // SAFETY: The super block is live (the brand) and its device open.
        unsafe { helpers::rust_vfs_discard_supported(self.sb) }
    }

    /// Discards `count` blocks from block `block` (`sb_issue_discard`):
    /// `Ok(false)` when the device does not discard.
    pub fn discard(&self, block: u64, count: u64) -> Result<bool> {
        // SAFETY: The super block is live (the brand) and its device open;
        // the block layer checks the range against the device.
        let r = unsafe { helpers::rust_vfs_discard(self.sb, block, count) };
        if r == -(bindings::EOPNOTSUPP as c_int) {
            return Ok(false);
        }
        kernel::error::to_result(r).map(|()| true)
    }

    /// Panics the kernel, naming the file system `fs` and the device, as
    /// `fs/fat` does for `errors=panic` (`fs panic from previous error`).
    pub fn panic(&self, fs: &CStr) {
        // SAFETY: The super block is live (the brand); `fs` is a
        // NUL-terminated string; the helper does not return.
        unsafe { helpers::rust_vfs_fs_panic(self.sb, fs.as_char_ptr()) };
    }

    /// Waits until what was written to block `block` so far is on the
    /// device (`sync_dirty_buffer`): written now if dirty, waited for if
    /// under write-out; nothing to do for a block not in the buffer cache.
    pub fn sync_block(&self, block: u64) -> Result {
        // SAFETY: The super block is live (the brand), so its device is
        // open; the buffer cache checks the block number.
        kernel::error::to_result(unsafe { helpers::rust_vfs_sync_block(self.sb, block) })
    }

    /// Writes every dirty buffer of the device back and waits for them
    /// (`sync_blockdev`).
    pub fn sync(&self) -> Result {
        // SAFETY: The super block is live (the brand), so its device is
        // open.
        kernel::error::to_result(unsafe { bindings::sync_blockdev((*self.sb).s_bdev) })
    }

    /// Writes `buf` at `offset` of block `block` through the buffer cache
    /// (the block is written back later, or now with `sync`); the bytes
    /// must lie within the block. The file system does not write to a
    /// read-only mount but to change its own state (a remount).
    pub fn write_block(&self, block: u64, offset: u32, buf: &[u8], sync: bool) -> Result {
        let len = c_uint::try_from(buf.len()).map_err(|_| EINVAL)?;
        // SAFETY: The super block is live (the brand); `buf` is valid for
        // `len` bytes of reads; the helper checks that the range lies
        // within the block.
        kernel::error::to_result(unsafe {
            helpers::rust_vfs_write_block(self.sb, block, buf.as_ptr().cast(), offset, len, sync)
        })
    }
}

/// A block of a [`Device`] held in the buffer cache (a `buffer_head`
/// from `sb_bread`), released when dropped (`brelse`). Borrowed from the
/// device, so it cannot outlive the super block.
pub struct Block<'a> {
    bh: NonNull<c_void>,
    data: *mut u8,
    len: usize,
    _p: PhantomData<&'a ()>,
}

impl Block<'_> {
    /// Hands `f` the block's bytes in the buffer cache (no copy), under
    /// the buffer lock (`lock_buffer`): every writer through [`Block`]
    /// changes them under that lock too, so no `&mut` to the same bytes
    /// exists while `f` runs, from this task's other handles of the block
    /// or from another task's. `f` must not read or change the same block
    /// again: the lock is not recursive, and that would wait for ever.
    #[inline]
    pub fn read<R>(&self, f: impl FnOnce(&[u8]) -> R) -> R {
        // SAFETY: The buffer is held until `self` is dropped.
        unsafe { helpers::rust_vfs_bh_lock(self.bh.as_ptr()) };
        // SAFETY: The buffer is held (its count taken by `sb_bread`) until
        // `self` is dropped, so its `len` bytes at `data` stay mapped; it
        // is locked, and the writers of this layer (`update`) change the
        // bytes only under the lock, so they stay unchanged while `f`
        // borrows them.
        let r = f(unsafe { core::slice::from_raw_parts(self.data, self.len) });
        // SAFETY: The buffer is held and locked by this task.
        unsafe { helpers::rust_vfs_bh_unlock(self.bh.as_ptr()) };
        r
    }

    /// Changes the block's bytes in place under the buffer lock
    /// (`lock_buffer`), then marks the block dirty (written back later).
    #[inline]
    pub fn update<R>(&mut self, f: impl FnOnce(&mut [u8]) -> R) -> R {
        // SAFETY: The buffer is held until `self` is dropped.
        unsafe { helpers::rust_vfs_bh_lock(self.bh.as_ptr()) };
        // SAFETY: The buffer is held and locked: no other reader or writer
        // of this layer (`read`, `update`, on any handle of the block)
        // borrows its `len` bytes at `data` until it is unlocked below.
        let r = f(unsafe { core::slice::from_raw_parts_mut(self.data, self.len) });
        // SAFETY: The buffer is held and locked by this task.
        unsafe { helpers::rust_vfs_bh_unlock_dirty(self.bh.as_ptr()) };
        r
    }
}

impl Drop for Block<'_> {
    #[inline]
    fn drop(&mut self) {
        // SAFETY: The count `sb_bread` took is released once, here.
        unsafe { helpers::rust_vfs_brelse(self.bh.as_ptr()) };
    }
}

/// A mounted super block of `T`.
#[repr(transparent)]
pub struct SuperBlock<T: FileSystem>(Opaque<bindings::super_block>, PhantomData<T>);

impl<T: FileSystem> SuperBlock<T> {
    /// # Safety
    ///
    /// `sb` must be a live super block of `T` whose data `fill_super` has
    /// set, live for `'a`.
    unsafe fn from_raw<'a>(sb: *mut bindings::super_block) -> &'a Self {
        // SAFETY: Per the function's contract `sb` is live for `'a`;
        // `SuperBlock<T>` is a transparent wrapper of it.
        unsafe { &*sb.cast::<Self>() }
    }

    fn raw(&self) -> *mut bindings::super_block {
        self.0.get()
    }

    /// The super block's data.
    pub fn data(&self) -> &T::Data<'_> {
        // SAFETY: A `SuperBlock<T>` is only handed out once `fill_super`
        // has set `s_fs_info` to an `SbInfo<T>` (type invariant of
        // `from_raw`), whose `data` lives until `kill_sb`, after every
        // callback that hands out a `SuperBlock<T>`. The lifetime is
        // shortened to the borrow of `self`, so it does not outlive the
        // mount.
        unsafe {
            let info = (*self.raw()).s_fs_info.cast::<SbInfo<T>>();
            &*ptr::addr_of!((*info).data).cast::<T::Data<'_>>()
        }
    }

    /// The super block's names.
    pub fn names(&self) -> &T::Names {
        // SAFETY: As in `data`: `s_fs_info` is an `SbInfo<T>` whose
        // `names` outlive every callback.
        unsafe { &(*(*self.raw()).s_fs_info.cast::<SbInfo<T>>()).names }
    }

    /// The device's name (`s_id`).
    pub fn id(&self) -> &CStr {
        // SAFETY: The super block is live; `s_id` is NUL-terminated and
        // never changes after `fill_super`.
        unsafe { CStr::from_char_ptr((*self.raw()).s_id.as_ptr()) }
    }

    /// Whether the super block is mounted read-only now.
    pub fn read_only(&self) -> bool {
        // SAFETY: The super block is live.
        unsafe { helpers::rust_vfs_sb_rdonly(self.raw()) }
    }

    /// The device's number, encoded as `new_encode_dev`.
    pub fn device_id(&self) -> u32 {
        // SAFETY: The super block is mounted, so its device is open.
        unsafe { rust_vfs_device_id(self.raw()) }
    }

    /// The inode filed under `key` (a place on the device, say): from the
    /// inode cache, else made with `init`. The key is not the inode number
    /// (`init` gives that): an inode whose place changes is filed again
    /// ([`INode::rehash`]) and keeps its number.
    pub fn get_or_create_inode(
        &self,
        key: u64,
        init: impl FnOnce() -> Result<INodeParams<T::INodeData>>,
    ) -> Result<ARef<INode<T>>> {
        let mut k = key;
        // SAFETY: The super block is live; the callbacks read and write
        // only the key of inodes of this super block (`find_inode` skips
        // other super blocks' before the test), i.e. of `INodeObj<T>`s,
        // and `data` points to `k`, live during the call.
        let inode = unsafe {
            bindings::iget5_locked(
                self.raw(),
                key,
                Some(key_matches::<T>),
                Some(set_key::<T>),
                ptr::addr_of_mut!(k).cast(),
            )
        };
        let Some(nn) = NonNull::new(inode) else {
            return Err(ENOMEM);
        };
        // SAFETY: `iget_locked` returned a referenced inode of this super
        // block, i.e. an `INode<T>`; the `ARef` takes over that reference.
        let r = unsafe { ARef::from_raw(nn.cast::<INode<T>>()) };
        // SAFETY: `inode` is referenced (by `r`).
        if !unsafe { rust_vfs_inode_is_new(inode) } {
            // An inode whose setup failed elsewhere stays in the hash, bad
            // and without data, until its last reference goes.
            // SAFETY: `inode` is referenced (by `r`), of this super block,
            // and not new.
            return if unsafe { has_data::<T>(inode) } {
                Ok(r)
            } else {
                Err(EIO)
            };
        }
        match init() {
            Ok(p) => {
                // SAFETY: `inode` is new (locked, `I_NEW`): nobody else
                // sees it until `unlock_new_inode`, so it is ours to fill.
                unsafe {
                    fill_inode::<T>(inode, p);
                    bindings::unlock_new_inode(inode);
                }
                Ok(r)
            }
            Err(e) => {
                // SAFETY: A new inode that could not be set up: `iget_failed`
                // unlocks and drops it, consuming the reference `r` held.
                unsafe { bindings::iget_failed(ARef::into_raw(r).as_ptr().cast()) };
                Err(e)
            }
        }
    }

    /// The inode filed under `key`, if the inode cache holds it (C's
    /// `ilookup5`: one being set up is waited for, one being freed is not
    /// returned). Nothing is read from the device.
    pub fn find_inode(&self, key: u64) -> Option<ARef<INode<T>>> {
        let mut k = key;
        // SAFETY: The super block is live; the test reads only the key of
        // inodes of this super block (`find_inode` skips other super
        // blocks' before the test), i.e. of `INodeObj<T>`s, and `data`
        // points to `k`, live during the call.
        let inode = unsafe {
            bindings::ilookup5(
                self.raw(),
                key,
                Some(key_matches::<T>),
                ptr::addr_of_mut!(k).cast(),
            )
        };
        let nn = NonNull::new(inode)?;
        // SAFETY: `ilookup5` returned a referenced inode of this super
        // block, i.e. an `INode<T>`, no longer new (`I_NEW` waited for); the
        // `ARef` takes over that reference.
        let r = unsafe { ARef::from_raw(nn.cast::<INode<T>>()) };
        // One whose setup failed is on its way out.
        // SAFETY: `inode` is referenced (by `r`), of this super block, and
        // not new.
        unsafe { has_data::<T>(inode) }.then_some(r)
    }
}

/// Whether `inode` was set up (`fill_inode`): one whose setup failed has
/// no data.
///
/// # Safety
///
/// `inode` must be a referenced inode of a super block of `T` whose
/// `I_NEW` has cleared.
unsafe fn has_data<T: FileSystem>(inode: *mut bindings::inode) -> bool {
    // SAFETY: Per the function's contract `inode` is the `vfs` field of a
    // live `INodeObj<T>`; `has_data` was written before `unlock_new_inode`,
    // whose barrier orders it before the read of anyone who waited.
    unsafe { (*obj_of::<T>(inode)).has_data }
}

/// `iget5_locked`'s test: whether `inode` is filed under the key `*data`.
///
/// # Safety
///
/// `inode` must be an inode of a super block of `T`, and `data` must point
/// to a `u64`.
unsafe extern "C" fn key_matches<T: FileSystem>(
    inode: *mut bindings::inode,
    data: *mut c_void,
) -> c_int {
    // SAFETY: Per the function's contract `inode` is the `vfs` field of an
    // `INodeObj<T>` (from `alloc_inode`) and `data` points to a `u64`.
    let same = unsafe { (*obj_of::<T>(inode)).key.load(Ordering::Relaxed) == *data.cast::<u64>() };
    c_int::from(same)
}

/// `iget5_locked`'s set: files a new inode under the key `*data`.
///
/// # Safety
///
/// As [`key_matches`]; `inode` is new, not yet in the hash.
unsafe extern "C" fn set_key<T: FileSystem>(
    inode: *mut bindings::inode,
    data: *mut c_void,
) -> c_int {
    // SAFETY: Per the function's contract `inode` is the `vfs` field of an
    // `INodeObj<T>` and `data` points to a `u64`.
    unsafe {
        (*obj_of::<T>(inode))
            .key
            .store(*data.cast::<u64>(), Ordering::Relaxed)
    };
    0
}

/// Fills a new inode.
///
/// # Safety
///
/// `inode` must be a new (locked, `I_NEW`) inode of `T`.
unsafe fn fill_inode<T: FileSystem>(inode: *mut bindings::inode, p: INodeParams<T::INodeData>) {
    // SAFETY: Per the function's contract nobody else sees the inode yet;
    // it is the `vfs` field of an `INodeObj<T>` (`alloc_inode`), whose
    // data is not set yet (a new inode).
    unsafe {
        let obj = obj_of::<T>(inode);
        (*obj).data.write(p.data);
        (*obj).has_data = true;
        (*obj).vfs.mmu_private = p.size as i64;
        let i = &mut *inode;
        i.i_ino = p.ino;
        i.i_mode = p.mode as u16;
        i.i_uid.val = p.uid;
        i.i_gid.val = p.gid;
        i.i_size = p.size as i64;
        i.i_blocks = p.blocks;
        i.i_mtime_sec = p.mtime.sec;
        i.i_mtime_nsec = p.mtime.nsec;
        i.i_ctime_sec = p.mtime.sec;
        i.i_ctime_nsec = p.mtime.nsec;
        i.i_atime_sec = p.atime.sec;
        i.i_atime_nsec = p.atime.nsec;
        i.i_generation = 0;
        if p.immutable {
            i.i_flags |= bindings::S_IMMUTABLE;
        }
        bindings::set_nlink(inode, p.nlink);
        if p.mode & mode::S_IFMT == mode::S_IFDIR {
            i.i_op = &Tables::<T>::DIR_INODE_OPS;
            i.__bindgen_anon_3.i_fop = &Tables::<T>::DIR_FILE_OPS;
        } else {
            i.i_op = &Tables::<T>::FILE_INODE_OPS;
            i.__bindgen_anon_3.i_fop = &Tables::<T>::FILE_OPS;
            (*i.i_mapping).a_ops = &rust_vfs_aops;
        }
    }
}

/// An inode of `T`.
#[repr(transparent)]
pub struct INode<T: FileSystem>(Opaque<bindings::inode>, PhantomData<T>);

impl<T: FileSystem> INode<T> {
    /// # Safety
    ///
    /// `inode` must be a live, set-up inode of `T` (its data written),
    /// live for `'a`.
    unsafe fn from_raw<'a>(inode: *mut bindings::inode) -> &'a Self {
        // SAFETY: Per the function's contract `inode` is live for `'a`;
        // `INode<T>` is a transparent wrapper of it.
        unsafe { &*inode.cast::<Self>() }
    }

    fn raw(&self) -> *mut bindings::inode {
        self.0.get()
    }

    /// The file system's data for this inode.
    pub fn data(&self) -> &T::INodeData {
        // SAFETY: Every inode of `T` is the `vfs` field of an `INodeObj<T>`
        // (`alloc_inode`); an `INode<T>` is only handed out once it is set
        // up, so its data is initialised, and it lives as long as `self`.
        unsafe {
            let obj = obj_of::<T>(self.raw());
            (*obj).data.assume_init_ref()
        }
    }

    /// The super block the inode belongs to.
    pub fn super_block(&self) -> &SuperBlock<T> {
        // SAFETY: An inode keeps its super block alive, and a set-up inode
        // of `T` belongs to a super block whose data is set.
        unsafe { SuperBlock::from_raw((*self.raw()).i_sb) }
    }

    /// The inode number.
    pub fn ino(&self) -> u64 {
        // SAFETY: `i_ino` is set before the inode is unlocked and never
        // changes after ([`INode::rehash`] changes the key only).
        unsafe { (*self.raw()).i_ino }
    }

    /// The size in bytes.
    pub fn size(&self) -> u64 {
        // SAFETY: The inode is live; `i_size` is read once, as
        // `i_size_read` does on 64-bit machines (writers hold the inode's
        // lock).
        unsafe { ptr::read_volatile(ptr::addr_of!((*self.raw()).i_size)) as u64 }
    }

    /// Sets the size in bytes (a directory that grew; callers hold the
    /// inode's lock).
    pub fn set_size(&self, size: u64) {
        // SAFETY: The inode is live; writers hold its lock; one aligned
        // store, as `i_size_write` on 64-bit machines.
        unsafe { ptr::write_volatile(ptr::addr_of_mut!((*self.raw()).i_size), size as i64) }
    }

    /// Where the file's blocks are allocated and initialised up to, in
    /// bytes (`fs/fat`'s `mmu_private`).
    pub fn allocated(&self) -> u64 {
        // SAFETY: The inode is an `INodeObj<T>`'s; the field is written
        // only under the inode's lock, read once here.
        unsafe {
            ptr::read_volatile(ptr::addr_of!((*obj_of::<T>(self.raw())).vfs.mmu_private)) as u64
        }
    }

    /// Moves the allocation mark (see [`INode::allocated`]); callers hold
    /// the inode's lock (a write, a truncation).
    pub fn set_allocated(&self, bytes: u64) {
        // SAFETY: As in `allocated`; writers are serialised by the inode's
        // lock, a single aligned store.
        unsafe {
            ptr::write_volatile(
                ptr::addr_of_mut!((*obj_of::<T>(self.raw())).vfs.mmu_private),
                bytes as i64,
            )
        }
    }

    /// The 512-byte blocks the inode occupies.
    pub fn blocks(&self) -> u64 {
        // SAFETY: The inode is live; one aligned read.
        unsafe { ptr::read_volatile(ptr::addr_of!((*self.raw()).i_blocks)) }
    }

    /// Sets the 512-byte blocks the inode occupies (under its lock).
    pub fn set_blocks(&self, blocks: u64) {
        // SAFETY: The inode is live; writers hold its lock; one aligned
        // store, as C's plain assignment.
        unsafe { ptr::write_volatile(ptr::addr_of_mut!((*self.raw()).i_blocks), blocks) }
    }

    /// The file type and permissions.
    pub fn mode(&self) -> u32 {
        // SAFETY: The inode is live; one aligned read.
        u32::from(unsafe { ptr::read_volatile(ptr::addr_of!((*self.raw()).i_mode)) })
    }

    /// The link count.
    pub fn nlink(&self) -> u32 {
        // SAFETY: The inode is live; one aligned read of the count.
        unsafe { ptr::read_volatile(ptr::addr_of!((*self.raw()).__bindgen_anon_1.i_nlink)) }
    }

    /// The modification time.
    pub fn mtime(&self) -> Time {
        // SAFETY: The inode is live; the fields are read once each.
        unsafe {
            Time {
                sec: ptr::read_volatile(ptr::addr_of!((*self.raw()).i_mtime_sec)),
                nsec: ptr::read_volatile(ptr::addr_of!((*self.raw()).i_mtime_nsec)),
            }
        }
    }

    /// The access time.
    pub fn atime(&self) -> Time {
        // SAFETY: The inode is live; the fields are read once each.
        unsafe {
            Time {
                sec: ptr::read_volatile(ptr::addr_of!((*self.raw()).i_atime_sec)),
                nsec: ptr::read_volatile(ptr::addr_of!((*self.raw()).i_atime_nsec)),
            }
        }
    }

    /// Sets the modification and change times (under the inode's lock), as
    /// [`FileSystem::change_time`] keeps `t`.
    pub fn set_mtime(&self, t: Time) {
        let Some(t) = T::change_time(self, t) else {
            return;
        };
        // SAFETY: The inode is live; writers hold its lock.
        unsafe {
            let i = self.raw();
            ptr::write_volatile(ptr::addr_of_mut!((*i).i_mtime_sec), t.sec);
            ptr::write_volatile(ptr::addr_of_mut!((*i).i_mtime_nsec), t.nsec);
            ptr::write_volatile(ptr::addr_of_mut!((*i).i_ctime_sec), t.sec);
            ptr::write_volatile(ptr::addr_of_mut!((*i).i_ctime_nsec), t.nsec);
        }
    }

    /// Sets the access time, as [`FileSystem::access_time`] keeps `t`.
    pub fn set_atime(&self, t: Time) {
        let Some(t) = T::access_time(self, t) else {
            return;
        };
        // SAFETY: The inode is live; the fields are written once each (an
        // access time racing another is harmless, as in the VFS).
        unsafe {
            let i = self.raw();
            ptr::write_volatile(ptr::addr_of_mut!((*i).i_atime_sec), t.sec);
            ptr::write_volatile(ptr::addr_of_mut!((*i).i_atime_nsec), t.nsec);
        }
    }

    /// The current time as this inode's file system keeps it.
    pub fn now(&self) -> Time {
        // SAFETY: The inode is live.
        let t = unsafe { bindings::current_time(self.raw()) };
        Time {
            sec: t.tv_sec,
            nsec: t.tv_nsec as u32,
        }
    }

    /// Takes the inode out of the inode cache's hash (its entry is gone:
    /// a new entry at the same place must get a new inode).
    pub fn unhash(&self) {
        // SAFETY: The inode is live; `remove_inode_hash` takes the hash
        // lock itself.
        unsafe { helpers::rust_vfs_unhash_inode(self.raw()) };
    }

    /// Files the inode under `key` (its entry moved: lookups of the new
    /// place must find this inode). Its number stays.
    pub fn rehash(&self, key: u64) {
        let i = self.raw();
        // SAFETY: The inode is live; `remove_inode_hash` takes the hash
        // lock itself.
        unsafe { helpers::rust_vfs_unhash_inode(i) };
        // SAFETY: The inode is live and of `T`, the `vfs` field of an
        // `INodeObj<T>`; out of the hash, no test reads its key.
        unsafe { (*obj_of::<T>(i)).key.store(key, Ordering::Relaxed) };
        // SAFETY: The inode is live and out of the hash; the hash lock
        // `__insert_inode_hash` takes orders the key's store before any
        // test that finds the inode.
        unsafe { bindings::__insert_inode_hash(i, key) };
    }

    /// Sets or clears `S_IMMUTABLE` (under the inode's lock).
    pub fn set_immutable(&self, on: bool) {
        // SAFETY: The inode is live; writers of `i_flags` hold its lock.
        unsafe {
            let f = ptr::addr_of_mut!((*self.raw()).i_flags);
            let v = ptr::read_volatile(f);
            let v = if on {
                v | bindings::S_IMMUTABLE
            } else {
                v & !bindings::S_IMMUTABLE
            };
            ptr::write_volatile(f, v);
        }
    }

    /// Whether the inode is immutable (`S_IMMUTABLE`).
    pub fn is_immutable(&self) -> bool {
        // SAFETY: The inode is live; `i_flags` changes under its lock, and a
        // read that races one sees the flag before or after.
        let f = unsafe { ptr::read_volatile(ptr::addr_of!((*self.raw()).i_flags)) };
        f & bindings::S_IMMUTABLE != 0
    }

    /// Whether this is the root directory of its super block.
    pub fn is_root(&self) -> bool {
        // SAFETY: The inode and its super block are live; `s_root` is set
        // for as long as inodes of a mounted super block are handed out.
        unsafe {
            let root = (*(*self.raw()).i_sb).s_root;
            !root.is_null() && (*root).d_inode == self.raw()
        }
    }

    /// Sets the link count (under the inode's lock).
    pub fn set_nlink(&self, n: u32) {
        // SAFETY: The inode is live; `set_nlink` is the VFS's own setter.
        unsafe { bindings::set_nlink(self.raw(), n) };
    }

    /// Whether changes of this directory must be on the disk when the
    /// call returns (`IS_DIRSYNC`: a `dirsync` or `sync` mount, or the
    /// inode's own flags).
    pub fn is_dirsync(&self) -> bool {
        // SAFETY: The inode and its super block are live.
        unsafe { helpers::rust_vfs_is_dirsync(self.raw()) }
    }

    /// Starts writing the inode, its data and the device's buffers back
    /// without waiting (`fat_flush_inodes`, mount option `flush`); with
    /// `pause`, then sleeps a tenth of a second as `fat_file_release`.
    pub fn flush_early(&self, pause: bool) {
        // SAFETY: The inode is live and set up; the helper may sleep, and
        // every caller (release, the namespace operations) may.
        unsafe { helpers::rust_vfs_flush_inode(self.raw(), pause) };
    }

    /// Marks the inode dirty: `write_inode` will write it back.
    pub fn mark_dirty(&self) {
        // SAFETY: The inode is live and set up.
        unsafe { helpers::rust_vfs_mark_inode_dirty(self.raw()) };
    }
}

// SAFETY: Inodes are reference counted by `ihold`/`iput`: `inc_ref` and
// `dec_ref` below keep the object alive while an `ARef` exists.
unsafe impl<T: FileSystem> AlwaysRefCounted for INode<T> {
    fn inc_ref(&self) {
        // SAFETY: `self` is a live inode with a reference held by the
        // caller, so taking another is allowed.
        unsafe { bindings::ihold(self.raw()) };
    }

    unsafe fn dec_ref(obj: NonNull<Self>) {
        // SAFETY: Per the trait's contract the caller owns a reference to
        // a live inode, given up here.
        unsafe { bindings::iput(obj.cast::<bindings::inode>().as_ptr()) };
    }
}

// SAFETY: Inodes are shared across threads by the VFS; `INode<T>` exposes
// only `Sync` data (`T::INodeData: Sync`) and immutable fields.
unsafe impl<T: FileSystem> Send for INode<T> {}
// SAFETY: Shared access only reads fields that do not change once the
// inode is set up, and `T::INodeData`, which is `Sync`.
unsafe impl<T: FileSystem> Sync for INode<T> {}

/// The type of a directory entry as `readdir` reports it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DirEntryType {
    /// `DT_DIR`.
    Dir,
    /// `DT_REG`.
    Reg,
}

/// Which names a directory listing wants.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NameChoice {
    /// The name `readdir` shows (the long name where there is one).
    Shown,
    /// Only 8.3 names (`VFAT_IOCTL_READDIR_SHORT`).
    ShortOnly,
    /// Both, through [`DirEmitter::emit_both`] (`VFAT_IOCTL_READDIR_BOTH`).
    Both,
}

/// Emits directory entries to `readdir` (`struct dir_context`).
pub struct DirEmitter<'a> {
    file: *mut bindings::file,
    ctx: *mut bindings::dir_context,
    names: NameChoice,
    _p: PhantomData<&'a mut bindings::dir_context>,
}

impl DirEmitter<'_> {
    /// Which names the listing wants.
    pub fn names(&self) -> NameChoice {
        self.names
    }

    /// Emits an entry with a long name `long` and an 8.3 name `short`
    /// (for [`NameChoice::Both`]; otherwise the long name is emitted);
    /// `false`: stop.
    pub fn emit_both(&mut self, long: &[u8], short: &[u8], ino: u64, ty: DirEntryType) -> bool {
        let (Ok(ll), Ok(sl)) = (c_int::try_from(long.len()), c_int::try_from(short.len())) else {
            return true;
        };
        let dt = match ty {
            DirEntryType::Dir => bindings::DT_DIR,
            DirEntryType::Reg => bindings::DT_REG,
        };
        // SAFETY: `ctx` is live; both names are valid for their lengths
        // during the call (the helper's actor copies them out).
        unsafe {
            helpers::rust_vfs_dir_emit_both(
                self.ctx,
                long.as_ptr().cast(),
                ll,
                short.as_ptr().cast(),
                sl,
                ino,
                dt as c_uint,
            )
        }
    }

    /// The position the next entry is at.
    pub fn pos(&self) -> i64 {
        // SAFETY: `ctx` is the live context of this `readdir` call.
        unsafe { (*self.ctx).pos }
    }

    /// Sets the position.
    pub fn set_pos(&mut self, pos: i64) {
        // SAFETY: `ctx` is the live context of this `readdir` call, ours
        // to update.
        unsafe { (*self.ctx).pos = pos };
    }

    /// Emits `name` (inode `ino`) at the current position; `false`: the
    /// caller's buffer is full, stop.
    pub fn emit(&mut self, name: &[u8], ino: u64, ty: DirEntryType) -> bool {
        let Ok(len) = c_int::try_from(name.len()) else {
            return true;
        };
        let dt = match ty {
            DirEntryType::Dir => bindings::DT_DIR,
            DirEntryType::Reg => bindings::DT_REG,
        };
        // SAFETY: `ctx` is live; `name` is valid for `len` bytes during the
        // call.
        unsafe { rust_vfs_dir_emit(self.ctx, name.as_ptr().cast(), len, ino, dt as c_uint) }
    }

    /// Emits `.` (the directory itself).
    pub fn emit_dot(&mut self) -> bool {
        // SAFETY: `file` and `ctx` are the live arguments of this `readdir`.
        unsafe { rust_vfs_dir_emit_dot(self.file, self.ctx) }
    }

    /// Emits `..` (the parent).
    pub fn emit_dotdot(&mut self) -> bool {
        // SAFETY: `file` and `ctx` are the live arguments of this `readdir`.
        unsafe { rust_vfs_dir_emit_dotdot(self.file, self.ctx) }
    }

    /// Emits `.` and `..` at positions 0 and 1 if the position is before
    /// them, as `dir_emit_dots`.
    pub fn emit_dots(&mut self) -> bool {
        if self.pos() == 0 {
            if !self.emit_dot() {
                return false;
            }
            self.set_pos(1);
        }
        if self.pos() == 1 {
            if !self.emit_dotdot() {
                return false;
            }
            self.set_pos(2);
        }
        true
    }
}
