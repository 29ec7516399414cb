// SPDX-License-Identifier: GPL-2.0

//! The VFS edge of `rust_fat`: every raw call into the kernel's file system
//! API is here, each with its `// SAFETY:` reasoning.
//!
//! Linux 7.3's kernel crate has no file system abstraction, so this layer
//! owns the `file_system_type`, the operation tables and the callbacks the
//! VFS makes, and turns them into calls of safe Rust over [`fat_disk`]
//! (whose on-disk logic the host tests and the fuzzer run too). What
//! bindgen cannot reach (the `fs_context` API, buffer heads, mpage, static
//! inline helpers) is in `rust_fat_helpers.c`.
//!
//! The namespace layers (`rust_vfat`, `rust_msdos`) each own a [`FsType`]
//! static and a [`Namespace`] of name rules, and register them with
//! [`Registration::register`]. A mount holds the namespace module (the
//! `file_system_type`'s owner), which holds `rust_fat` through its symbol
//! references; open files hold the mount. Nothing here can be called after
//! its module is gone.

use core::ptr;
use core::sync::atomic::{
    AtomicBool,
    AtomicPtr,
    AtomicU32,
    Ordering, //
};
use fat_disk::dir::{
    DirLocation,
    DirReader,
    DirRecord, //
};
use fat_disk::format::{
    ceil_div,
    DirEntry,
    FatError, //
};
use fat_disk::inode::InodeAttrs;
use fat_disk::names::{
    long_name,
    msdos_short_name,
    vfat_short_name,
    IoCharset,
    KeyBuf,
    NameBuf,
    NameHash,
    RecordNames, //
};
use fat_disk::options::{
    apply,
    Flavour,
    MountOptions,
    OptionError, //
};
use fat_disk::volume::{
    BlockDevice,
    ExtentCache,
    Volume, //
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
    str::BStr,
    types::Opaque, //
};

/// `MSDOS_SUPER_MAGIC`.
const FAT_SUPER_MAGIC: c_ulong = 0x4d44;
/// `SB_NOATIME` and `SB_NODIRATIME` (`BIT()` macros bindgen does not see).
const SB_NOATIME: c_ulong = 1 << 10;
/// See [`SB_NOATIME`].
const SB_NODIRATIME: c_ulong = 1 << 11;
/// The root directory's inode number, as `MSDOS_ROOT_INO`.
const ROOT_INO: u64 = 1;

// What rust_fat_helpers.c provides. The kernel's structures are passed by
// pointer only, which is FFI-safe whatever bindgen made of their contents.
#[allow(improper_ctypes)]
extern "C" {
    fn rust_fat_init_fs_context(fc: *mut bindings::fs_context) -> c_int;
    fn rust_fat_current_uid() -> c_uint;
    fn rust_fat_current_gid() -> c_uint;
    fn rust_fat_make_kuid(uid: c_uint) -> c_uint;
    fn rust_fat_make_kgid(gid: c_uint) -> c_uint;
    fn rust_fat_device_bytes(sb: *mut bindings::super_block) -> u64;
    fn rust_fat_device_id(sb: *mut bindings::super_block) -> c_uint;
    fn rust_fat_read_block(
        sb: *mut bindings::super_block,
        block: u64,
        dst: *mut c_void,
        offset: c_uint,
        len: c_uint,
    ) -> c_int;
    static rust_fat_aops: bindings::address_space_operations;
    fn rust_fat_inode_is_new(inode: *mut bindings::inode) -> bool;
    fn rust_fat_inode_cache_create(name: *const c_char, size: c_uint) -> *mut bindings::kmem_cache;
    fn rust_fat_inode_cache_alloc(
        sb: *mut bindings::super_block,
        cache: *mut bindings::kmem_cache,
    ) -> *mut c_void;
    fn rust_fat_dir_emit(
        ctx: *mut bindings::dir_context,
        name: *const c_char,
        len: c_int,
        ino: u64,
        is_dir: bool,
    ) -> bool;
    fn rust_fat_dir_emit_dots(file: *mut bindings::file, ctx: *mut bindings::dir_context) -> bool;
    fn rust_fat_dir_emit_dot(file: *mut bindings::file, ctx: *mut bindings::dir_context) -> bool;
    fn rust_fat_dir_emit_dotdot(file: *mut bindings::file, ctx: *mut bindings::dir_context)
        -> bool;
    fn rust_fat_fill_statfs(
        buf: *mut bindings::kstatfs,
        magic: c_ulong,
        bsize: c_ulong,
        blocks: u64,
        bfree: u64,
        namelen: c_ulong,
        fsid: u64,
    );
    fn rust_fat_ratelimit_new() -> *mut bindings::ratelimit_state;
    fn rust_fat_fatal_signal_pending() -> bool;
    fn rust_fat_ratelimit(rs: *mut bindings::ratelimit_state, who: *const c_char) -> bool;
}

/// The name rules a namespace layer gives the core, like the `setup`
/// callback and dentry operations of `fs/fat`'s vfat and msdos.
pub struct Namespace {
    /// The file system type's name (`mount -t`), also the prefix of its
    /// log lines.
    pub name: &'static CStr,
    /// Which options this namespace accepts and how it shows names.
    pub flavour: Flavour,
    /// `statfs`' `f_namelen`.
    pub namelen: u32,
    /// Turns a name being looked up into the key records are matched
    /// against; an error means no record can match (`ENOENT`).
    pub lookup_key: fn(name: &[u8], opts: &MountOptions, key: &mut KeyBuf) -> Result,
    /// Whether a record matches a key made by `lookup_key`.
    pub matches: fn(key: &[u8], names: &RecordNames<'_>, opts: &MountOptions) -> bool,
    /// Feeds `hash` the bytes the dentry cache hashes for `name`
    /// (`d_hash`), without a buffer, so names of any length hash the way
    /// `names_equal` compares them; an error keeps the VFS's own hash.
    pub hash_name: fn(name: &[u8], opts: &MountOptions, hash: &mut NameHash) -> Result,
    /// Whether two names are the same name (`d_compare`).
    pub names_equal: fn(a: &[u8], b: &[u8], opts: &MountOptions) -> bool,
}

/// A file system type a namespace module registers: a module-lifetime
/// static, since the kernel writes its lock class keys into it.
///
/// # Invariants
///
/// `raw` is only written by [`Registration::register`] before
/// `register_filesystem` and otherwise only by the VFS.
#[repr(C)]
pub struct FsType {
    raw: Opaque<bindings::file_system_type>,
    ns: &'static Namespace,
}

// SAFETY: The VFS serialises its own accesses to a `file_system_type`; this
// crate writes `raw` only before registering it (see the invariants).
unsafe impl Sync for FsType {}

impl FsType {
    /// A file system type with the name rules `ns`, not yet registered.
    pub const fn new(ns: &'static Namespace) -> Self {
        FsType {
            raw: Opaque::zeroed(),
            ns,
        }
    }

    /// # Safety
    ///
    /// `raw` must be the `file_system_type` of an [`FsType`].
    unsafe fn from_raw<'a>(raw: *const bindings::file_system_type) -> &'a FsType {
        // SAFETY: `FsType` is `repr(C)` with `raw` first, and `Opaque<T>`
        // has `T`'s layout; the caller guarantees the containing `FsType`.
        unsafe { &*raw.cast::<FsType>() }
    }
}

/// A registered file system type; unregistered when dropped.
pub struct Registration {
    ty: &'static FsType,
}

impl Registration {
    /// Registers `ty` as a block-device file system named after its
    /// namespace, owned by `module` (so that a mount holds that module).
    pub fn register(ty: &'static FsType, module: &'static ThisModule) -> Result<Self> {
        let name = ty.ns.name;
        let raw = ty.raw.get();
        // SAFETY: `raw` is valid for writes (a static); it is not
        // registered yet, so the VFS does not look at it.
        unsafe {
            (*raw).name = name.as_char_ptr();
            (*raw).owner = module.as_ptr();
            (*raw).fs_flags = bindings::FS_REQUIRES_DEV as c_int;
            (*raw).init_fs_context = Some(rust_fat_init_fs_context);
            (*raw).kill_sb = Some(kill_sb);
        }
        // SAFETY: `raw` is a fully set up `file_system_type` that lives as
        // long as the module that owns `ty`, which unregisters it (in
        // `drop`) before it goes.
        kernel::error::to_result(unsafe { bindings::register_filesystem(raw) })?;
        Ok(Registration { ty })
    }
}

impl Drop for Registration {
    fn drop(&mut self) {
        // SAFETY: Registered in `register`. Unregistering fails only for a
        // type that is not registered.
        unsafe { bindings::unregister_filesystem(self.ty.raw.get()) };
    }
}

/// A mount being set up: its options and name rules.
struct MountCtx {
    opts: MountOptions,
    ns: &'static Namespace,
    uid: c_uint,
    gid: c_uint,
}

/// Called by the C helper from `init_fs_context`.
///
/// # Safety
///
/// `ty` must be a registered [`FsType`]'s type and `fs_private` valid for a write.
#[no_mangle]
unsafe extern "C" fn rust_fat_fc_init(
    ty: *mut bindings::file_system_type,
    fs_private: *mut *mut c_void,
    umask: c_ushort,
) -> c_int {
    // SAFETY: The VFS calls `init_fs_context` with the type it was
    // registered with, which is an `FsType` (see `Registration`).
    let ty = unsafe { FsType::from_raw(ty) };
    // SAFETY: Plain reads of the current task's credentials.
    let (uid, gid) = unsafe { (rust_fat_current_uid(), rust_fat_current_gid()) };
    let mut opts = MountOptions::new(umask);
    // The kernel's defaults, as fs/fat takes them from its configuration
    // (Debian's kernel: UTF-8 on for vfat, iocharset ascii), so without
    // options, and with options that leave them, both drivers show the
    // same names.
    opts.set_charset_defaults(
        cfg!(CONFIG_FAT_DEFAULT_UTF8) && ty.ns.flavour == Flavour::Vfat,
        if cfg!(CONFIG_FAT_DEFAULT_IOCHARSET = "ascii") {
            IoCharset::Ascii
        } else {
            IoCharset::Latin1
        },
    );
    let ctx = MountCtx {
        opts,
        ns: ty.ns,
        uid,
        gid,
    };
    match KBox::new(ctx, GFP_KERNEL) {
        Ok(b) => {
            // SAFETY: `fs_private` points to the context's private pointer.
            unsafe { *fs_private = KBox::into_raw(b).cast() };
            0
        }
        Err(_) => ENOMEM.to_errno(),
    }
}

/// Called by the C helper when the VFS frees a mount context.
///
/// # Safety
///
/// `fs_private` must be NULL or made by `rust_fat_fc_init`, and not used after.
#[no_mangle]
unsafe extern "C" fn rust_fat_fc_free(fs_private: *mut c_void) {
    if !fs_private.is_null() {
        // SAFETY: Made by `rust_fat_fc_init` with `KBox::into_raw`; the VFS
        // frees a context once.
        drop(unsafe { KBox::from_raw(fs_private.cast::<MountCtx>()) });
    }
}

/// # Safety
///
/// `s` must be NULL or a NUL-terminated string valid for the call.
unsafe fn c_bytes<'a>(s: *const c_char) -> Option<&'a [u8]> {
    // SAFETY: As the caller guarantees.
    (!s.is_null()).then(|| unsafe { CStr::from_char_ptr(s) }.to_bytes())
}

/// Called by the C helper for each mount option.
///
/// # Safety
///
/// `fs_private` must be made by `rust_fat_fc_init`; `ty` a registered [`FsType`]'s type;
/// `key` a NUL-terminated string and `value` one or NULL, valid for the call.
#[no_mangle]
unsafe extern "C" fn rust_fat_fc_param(
    fs_private: *mut c_void,
    ty: *mut bindings::file_system_type,
    key: *const c_char,
    value: *const c_char,
) -> c_int {
    // SAFETY: Made by `rust_fat_fc_init`; the VFS parses one option at a
    // time.
    let ctx = unsafe { &mut *fs_private.cast::<MountCtx>() };
    // SAFETY: The VFS passes NUL-terminated key and value (or NULL for a
    // flag), valid for this call; the type's name is a static string.
    let (key, value, fs) = unsafe {
        (
            c_bytes(key),
            c_bytes(value),
            CStr::from_char_ptr((*ty).name),
        )
    };
    let Some(key) = key else {
        return EINVAL.to_errno();
    };
    match apply(&mut ctx.opts, ctx.ns.flavour, key, value) {
        Ok(()) => 0,
        // The VFS then tries "source", else says "Unknown parameter".
        Err(OptionError::Unknown) => -(bindings::ENOPARAM as c_int),
        Err(OptionError::BadValue) => {
            pr_err!("{}: bad value for '{}'\n", fs, BStr::from_bytes(key));
            EINVAL.to_errno()
        }
        Err(OptionError::Unsupported) => {
            pr_err!(
                "{}: '{}={}' is not supported here\n",
                fs,
                BStr::from_bytes(key),
                BStr::from_bytes(value.unwrap_or(b""))
            );
            EINVAL.to_errno()
        }
    }
}

/// The mounted device, read through the buffer cache.
pub struct SbDevice {
    sb: *mut bindings::super_block,
}

// SAFETY: `sb` is only dereferenced while the super block is active (the
// `SbDevice` lives in the super block's info, whose deferred free after
// `kill_sb` does not touch the device), and reading through the buffer
// cache is thread-safe.
unsafe impl Send for SbDevice {}
// SAFETY: See above.
unsafe impl Sync for SbDevice {}

impl BlockDevice for SbDevice {
    fn read_at(&self, mut pos: u64, buf: &mut [u8]) -> Result<(), FatError> {
        // SAFETY: `sb` is live (see `Sync`); the block size only changes in
        // `fill_super`, before any other reader exists.
        let (bits, size) = unsafe { ((*self.sb).s_blocksize_bits, (*self.sb).s_blocksize as u64) };
        let mut done = 0;
        while done < buf.len() {
            let off = pos & (size - 1);
            let len = ((size - off) as usize).min(buf.len() - done);
            let dst = &mut buf[done..done + len];
            // SAFETY: `dst` is valid for `len` bytes; `off + len` is within
            // the block, which the helper checks again.
            let r = unsafe {
                rust_fat_read_block(
                    self.sb,
                    pos >> bits,
                    dst.as_mut_ptr().cast(),
                    off as c_uint,
                    len as c_uint,
                )
            };
            if r != 0 {
                return Err(FatError::Io);
            }
            done += len;
            pos += len as u64;
        }
        Ok(())
    }
}

/// What a mounted super block holds (its `s_fs_info`).
pub struct FatSb {
    vol: Volume<SbDevice>,
    opts: MountOptions,
    ns: &'static Namespace,
    uid: c_uint,
    gid: c_uint,
    tz_offset: i64,
    /// Free clusters, counted on the first `statfs` (`u32::MAX`: not yet).
    free: AtomicU32,
    /// Per-mount limit on error messages, as `fs/fat`'s.
    ratelimit: *mut bindings::ratelimit_state,
    /// For freeing this after a grace period (see [`kill_sb`]).
    rcu: Opaque<bindings::callback_head>,
}

// SAFETY: The ratelimit state is only used through `___ratelimit`, which
// locks it; everything else is read-only after `fill_super` or atomic.
unsafe impl Send for FatSb {}
// SAFETY: See above.
unsafe impl Sync for FatSb {}

impl Drop for FatSb {
    fn drop(&mut self) {
        // SAFETY: Allocated with kzalloc by the helper, freed once here.
        unsafe { bindings::kfree(self.ratelimit.cast()) };
    }
}

impl FatSb {
    /// Logs an error about the volume, at most 10 in 5 s per mount.
    fn error(&self, what: core::fmt::Arguments<'_>) {
        let allowed = self.ratelimit.is_null() || {
            // SAFETY: `ratelimit` was initialised by the helper and lives as
            // long as `self`; the name is a static string.
            unsafe { rust_fat_ratelimit(self.ratelimit, self.ns.name.as_char_ptr()) }
        };
        if allowed {
            // SAFETY: `s_id` is the device name, NUL-terminated, set before
            // `fill_super` and never changed.
            let dev = unsafe { CStr::from_char_ptr((*self.vol.device().sb).s_id.as_ptr()) };
            pr_err!("{} ({}): {}\n", self.ns.name, dev, what);
        }
    }

    /// The name of `rec` as this mount shows it.
    fn display_name<D: BlockDevice>(
        &self,
        reader: &DirReader<'_, D>,
        rec: &DirRecord,
        out: &mut NameBuf,
    ) -> Result<(), FatError> {
        out.clear();
        match self.ns.flavour {
            Flavour::Vfat => {
                if rec.long_len > 0 {
                    long_name(
                        reader.long_name(rec),
                        self.opts.charset(),
                        self.opts.uni_xlate,
                        out,
                    )?;
                    if !out.as_bytes().is_empty() {
                        return Ok(());
                    }
                }
                vfat_short_name(&rec.entry, self.opts.charset(), self.opts.shortname, out)
            }
            Flavour::Msdos => msdos_short_name(&rec.entry, self.opts.nocase, self.opts.dots, out),
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
}

/// # Safety
///
/// `sb` must be a super block of this file system after `fill_super` set
/// its info (or NULL info), and stay alive for `'a`.
unsafe fn fat_sb<'a>(sb: *const bindings::super_block) -> Option<&'a FatSb> {
    // SAFETY: As the caller guarantees: `s_fs_info` is NULL or a `FatSb`.
    unsafe { (*sb).s_fs_info.cast::<FatSb>().as_ref() }
}

/// The per-inode part of this file system's inodes.
#[repr(C)]
struct InodeInfo {
    /// Where the inode's data starts (0: none; the fixed root: 0).
    start: u32,
    /// The inode is the root directory.
    is_root: u32,
    /// The runs of the data's chain found so far.
    runs: RunCache,
    /// The creation time (`statx` birth time on vfat).
    crtime: bindings::timespec64,
}

/// An inode's [`ExtentCache`] behind a try-lock: a reader or writer that
/// finds it taken does without it (walks the FAT itself, keeps its run to
/// itself) instead of waiting, so it never blocks in the I/O path.
///
/// # Invariants
///
/// `cache` is only accessed by the holder of `busy`.
struct RunCache {
    busy: AtomicBool,
    cache: core::cell::UnsafeCell<ExtentCache>,
}

impl RunCache {
    fn new() -> Self {
        RunCache {
            busy: AtomicBool::new(false),
            cache: core::cell::UnsafeCell::new(ExtentCache::default()),
        }
    }

    /// Runs `f` on the cache if nobody else is using it.
    fn try_with<R>(&self, f: impl FnOnce(&mut ExtentCache) -> R) -> Option<R> {
        if self
            .busy
            .compare_exchange(false, true, Ordering::Acquire, Ordering::Relaxed)
            .is_err()
        {
            return None;
        }
        // SAFETY: `busy` is ours until released below (type invariant).
        let r = f(unsafe { &mut *self.cache.get() });
        self.busy.store(false, Ordering::Release);
        Some(r)
    }
}

// SAFETY: Readers of one inode on several CPUs share its `RunCache`; the
// cell is only reached in `try_with`, by the one holder of `busy` (taken
// with Acquire, given back with Release), so no two threads touch it at once.
unsafe impl Sync for RunCache {}

/// An inode of this file system: the VFS inode with [`InodeInfo`].
#[repr(C)]
struct FatInode {
    info: InodeInfo,
    vfs: bindings::inode,
}

/// The inode cache, `rust_fat_inode_cache` in `/proc/slabinfo`.
static INODE_CACHE: AtomicPtr<bindings::kmem_cache> = AtomicPtr::new(ptr::null_mut());

/// The inode cache's lifetime: created at module load, destroyed at unload.
pub struct InodeCache;

impl InodeCache {
    /// Creates the cache.
    pub fn new() -> Result<Self> {
        // SAFETY: The name is a static string; the size is the object's.
        let cache = unsafe {
            rust_fat_inode_cache_create(
                c"rust_fat_inode_cache".as_char_ptr(),
                core::mem::size_of::<FatInode>() as c_uint,
            )
        };
        if cache.is_null() {
            return Err(ENOMEM);
        }
        INODE_CACHE.store(cache, Ordering::Release);
        Ok(InodeCache)
    }
}

impl Drop for InodeCache {
    fn drop(&mut self) {
        // Inodes are freed after an RCU grace period: wait for those
        // callbacks before the cache (and this module's code) goes.
        // SAFETY: No file system of ours is registered any more (the
        // namespace modules that use us are gone), so no new inode comes.
        unsafe {
            bindings::rcu_barrier();
            bindings::kmem_cache_destroy(INODE_CACHE.swap(ptr::null_mut(), Ordering::AcqRel));
        }
    }
}

/// The inode cache's slab constructor.
///
/// # Safety
///
/// `obj` must be an unused object of the inode cache.
#[no_mangle]
unsafe extern "C" fn rust_fat_inode_init_once(obj: *mut c_void) {
    let fi = obj.cast::<FatInode>();
    // SAFETY: The slab constructor gets a whole, unused object.
    unsafe { bindings::inode_init_once(ptr::addr_of_mut!((*fi).vfs)) };
}

/// `super_operations::alloc_inode`.
///
/// # Safety
///
/// `sb` must be a live super block of this file system.
unsafe extern "C" fn alloc_inode(sb: *mut bindings::super_block) -> *mut bindings::inode {
    let cache = INODE_CACHE.load(Ordering::Acquire);
    // SAFETY: The cache exists while any of our super blocks does.
    let fi = unsafe { rust_fat_inode_cache_alloc(sb, cache) }.cast::<FatInode>();
    if fi.is_null() {
        return ptr::null_mut();
    }
    // SAFETY: A fresh object; `info` is plain data.
    unsafe {
        ptr::addr_of_mut!((*fi).info).write(InodeInfo {
            start: 0,
            is_root: 0,
            runs: RunCache::new(),
            crtime: bindings::timespec64 {
                tv_sec: 0,
                tv_nsec: 0,
            },
        });
        ptr::addr_of_mut!((*fi).vfs)
    }
}

/// `super_operations::free_inode`.
///
/// # Safety
///
/// `inode` must come from [`alloc_inode`] and be unused.
unsafe extern "C" fn free_inode(inode: *mut bindings::inode) {
    // SAFETY: Every inode of ours is the `vfs` field of a `FatInode` from
    // the cache (see `alloc_inode`).
    unsafe {
        let fi = kernel::container_of!(inode, FatInode, vfs);
        bindings::kmem_cache_free(INODE_CACHE.load(Ordering::Acquire), fi.cast());
    }
}

/// # Safety
///
/// `inode` must be an inode of this file system, alive for `'a`.
unsafe fn inode_info<'a>(inode: *const bindings::inode) -> &'a InodeInfo {
    // SAFETY: As the caller guarantees (see `free_inode`).
    unsafe { &(*kernel::container_of!(inode, FatInode, vfs)).info }
}

/// `super_operations::statfs`.
///
/// # Safety
///
/// `dentry` must be a live dentry of a mounted super block of ours, `buf` the VFS's `kstatfs`.
unsafe extern "C" fn statfs(dentry: *mut bindings::dentry, buf: *mut bindings::kstatfs) -> c_int {
    // SAFETY: The VFS passes a live dentry of a mounted super block.
    let (sb, sbi) = unsafe {
        let sb = (*dentry).d_sb;
        (sb, fat_sb(sb))
    };
    let Some(sbi) = sbi else {
        return EIO.to_errno();
    };
    let mut free = sbi.free.load(Ordering::Relaxed);
    if free == u32::MAX {
        let interrupted = || {
            // SAFETY: A plain test of the current task's signals.
            unsafe { rust_fat_fatal_signal_pending() }
        };
        match sbi.vol.free_clusters(interrupted) {
            Ok(n) => {
                free = n;
                sbi.free.store(n, Ordering::Relaxed);
            }
            Err(e) => return sbi.errno(e, "counting free clusters", 0).to_errno(),
        }
    }
    // SAFETY: `sb` is live; its device is open while it is mounted.
    let dev = unsafe { rust_fat_device_id(sb) };
    // SAFETY: `buf` is the VFS's zeroed `kstatfs`.
    unsafe {
        rust_fat_fill_statfs(
            buf,
            FAT_SUPER_MAGIC,
            sbi.vol.bpb.cluster_size as c_ulong,
            u64::from(sbi.vol.bpb.cluster_count),
            u64::from(free),
            sbi.ns.namelen as c_ulong,
            u64::from(dev),
        )
    };
    0
}

const SUPER_OPS: bindings::super_operations = bindings::super_operations {
    alloc_inode: Some(alloc_inode),
    free_inode: Some(free_inode),
    statfs: Some(statfs),
    ..pin_init::zeroed()
};

const DIR_INODE_OPS: bindings::inode_operations = bindings::inode_operations {
    lookup: Some(lookup),
    getattr: Some(getattr),
    ..pin_init::zeroed()
};

const DIR_FILE_OPS: bindings::file_operations = bindings::file_operations {
    llseek: Some(bindings::generic_file_llseek),
    read: Some(bindings::generic_read_dir),
    iterate_shared: Some(iterate_shared),
    ..pin_init::zeroed()
};

const FILE_INODE_OPS: bindings::inode_operations = bindings::inode_operations {
    getattr: Some(getattr),
    ..pin_init::zeroed()
};

/// `inode_operations::getattr`, as `fat_getattr`: the VFS's attributes,
/// the cluster size as the I/O block size and, on vfat, the birth time.
///
/// # Safety
///
/// `path` must name a live dentry of ours and `stat` be the VFS's `kstat`.
unsafe extern "C" fn getattr(
    idmap: *mut bindings::mnt_idmap,
    path: *const bindings::path,
    stat: *mut bindings::kstat,
    request_mask: u32,
    _flags: c_uint,
) -> c_int {
    // SAFETY: As the caller guarantees: the dentry is positive (getattr
    // is only called on one) and its inode of ours.
    unsafe {
        let inode = (*(*path).dentry).d_inode;
        bindings::generic_fillattr(idmap, request_mask, inode, stat);
        let Some(sbi) = fat_sb((*inode).i_sb) else {
            return 0;
        };
        (*stat).blksize = sbi.vol.bpb.cluster_size;
        if sbi.ns.flavour == Flavour::Vfat && request_mask & bindings::STATX_BTIME != 0 {
            (*stat).result_mask |= bindings::STATX_BTIME;
            (*stat).btime = inode_info(inode).crtime;
        }
    }
    0
}

const FILE_OPS: bindings::file_operations = bindings::file_operations {
    llseek: Some(bindings::generic_file_llseek),
    read_iter: Some(bindings::generic_file_read_iter),
    mmap: Some(bindings::generic_file_readonly_mmap),
    splice_read: Some(bindings::filemap_splice_read),
    ..pin_init::zeroed()
};

const DENTRY_OPS: bindings::dentry_operations = bindings::dentry_operations {
    d_hash: Some(d_hash),
    d_compare: Some(d_compare),
    ..pin_init::zeroed()
};

/// Sets up a new inode from `attrs`.
///
/// # Safety
///
/// `inode` must be a new (locked, `I_NEW`) inode of this file system.
unsafe fn fill_inode(inode: *mut bindings::inode, sbi: &FatSb, attrs: &InodeAttrs, is_root: bool) {
    let is_dir = attrs.mode & fat_disk::inode::S_IFDIR != 0;
    // SAFETY: Nobody else sees the inode until `unlock_new_inode`.
    unsafe {
        let info = kernel::container_of!(inode, FatInode, vfs);
        (*info).info.start = attrs.start;
        (*info).info.is_root = u32::from(is_root);
        ptr::addr_of_mut!((*info).info.runs).write(RunCache::new());
        (*info).info.crtime = bindings::timespec64 {
            tv_sec: attrs.crtime.sec,
            tv_nsec: attrs.crtime.nsec as isize,
        };
        let i = &mut *inode;
        i.i_mode = attrs.mode as u16;
        i.i_uid.val = sbi.uid;
        i.i_gid.val = sbi.gid;
        i.i_size = attrs.size as i64;
        i.i_blocks = attrs.blocks;
        i.i_mtime_sec = attrs.mtime.sec;
        i.i_mtime_nsec = attrs.mtime.nsec;
        i.i_ctime_sec = attrs.mtime.sec;
        i.i_ctime_nsec = attrs.mtime.nsec;
        i.i_atime_sec = attrs.atime.sec;
        i.i_atime_nsec = attrs.atime.nsec;
        i.i_generation = 0;
        if attrs.immutable {
            i.i_flags |= bindings::S_IMMUTABLE;
        }
        bindings::set_nlink(inode, attrs.nlink);
        if is_dir {
            i.i_op = &DIR_INODE_OPS;
            i.__bindgen_anon_3.i_fop = &DIR_FILE_OPS;
        } else {
            i.i_op = &FILE_INODE_OPS;
            i.__bindgen_anon_3.i_fop = &FILE_OPS;
            (*i.i_mapping).a_ops = &rust_fat_aops;
        }
    }
}

/// The inode of the entry `e` at device offset `dev_pos`: from the inode
/// cache, else read and set up.
fn entry_inode(
    sb: *mut bindings::super_block,
    sbi: &FatSb,
    e: &DirEntry,
    dev_pos: u64,
) -> Result<*mut bindings::inode> {
    // Entries are 32 bytes apart: their index on the device identifies
    // them, and is never 1 (the root) since the boot sector comes first.
    let ino = dev_pos / 32;
    // SAFETY: `sb` is a live super block of ours.
    let inode = unsafe { bindings::iget_locked(sb, ino) };
    if inode.is_null() {
        return Err(ENOMEM);
    }
    // SAFETY: `inode` is a referenced inode of `sb`.
    if !unsafe { rust_fat_inode_is_new(inode) } {
        return Ok(inode);
    }
    let attrs = fat_disk::inode::entry_attrs(&sbi.vol, &sbi.opts, sbi.ns.flavour, sbi.tz_offset, e);
    match attrs {
        Ok(a) => {
            // SAFETY: A new inode of ours, locked until unlocked here.
            unsafe {
                fill_inode(inode, sbi, &a, false);
                bindings::unlock_new_inode(inode);
            }
            Ok(inode)
        }
        Err(err) => {
            // SAFETY: A new inode that could not be set up.
            unsafe { bindings::iget_failed(inode) };
            Err(sbi.errno(err, "reading an inode", ino))
        }
    }
}

/// # Safety
///
/// `sb` must be a super block being set up by `get_tree_bdev`, and
/// `fs_private` the mount context made by `rust_fat_fc_init`.
#[no_mangle]
unsafe extern "C" fn rust_fat_fill_super(
    sb: *mut bindings::super_block,
    fs_private: *mut c_void,
) -> c_int {
    // SAFETY: As the caller guarantees.
    let ctx = unsafe { &*fs_private.cast::<MountCtx>() };
    // SAFETY: As the caller guarantees.
    match unsafe { fill_super(sb, ctx) } {
        Ok(()) => 0,
        Err(e) => e.to_errno(),
    }
}

/// # Safety
///
/// As [`rust_fat_fill_super`].
unsafe fn fill_super(sb: *mut bindings::super_block, ctx: &MountCtx) -> Result {
    let fs = ctx.ns.name;
    // SAFETY: `s_id` is set before `fill_super`.
    let dev = unsafe { CStr::from_char_ptr((*sb).s_id.as_ptr()) };
    // SAFETY: `sb` is being set up; its device is open.
    if unsafe { bindings::sb_min_blocksize(sb, 512) } == 0 {
        pr_err!("{} ({}): unable to set blocksize\n", fs, dev);
        return Err(EINVAL);
    }
    // SAFETY: As above.
    let len = unsafe { rust_fat_device_bytes(sb) };
    let vol = match Volume::open(SbDevice { sb }, len) {
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
    // SAFETY: `sb` is being set up.
    let blocksize = unsafe { (*sb).s_blocksize } as u32;
    if bps < blocksize {
        pr_err!(
            "{} ({}): logical sector size too small for device (logical sector size = {})\n",
            fs,
            dev,
            bps
        );
        return Err(EIO);
    }
    // SAFETY: As above; `bps` is a power of two in 512..=4096.
    if bps > blocksize && unsafe { bindings::sb_set_blocksize(sb, bps as c_int) } == 0 {
        pr_err!("{} ({}): unable to set blocksize {}\n", fs, dev, bps);
        return Err(EIO);
    }
    let map = |v: Option<u32>, current: c_uint, f: unsafe extern "C" fn(c_uint) -> c_uint| {
        // SAFETY: Plain conversions in the mounter's user namespace.
        v.map_or(current, |v| unsafe { f(v) })
    };
    let uid = map(ctx.opts.uid, ctx.uid, rust_fat_make_kuid);
    let gid = map(ctx.opts.gid, ctx.gid, rust_fat_make_kgid);
    if uid == u32::MAX || gid == u32::MAX {
        pr_err!(
            "{} ({}): uid or gid has no mapping in this user namespace\n",
            fs,
            dev
        );
        return Err(EINVAL);
    }
    // SAFETY: `sys_tz` is the kernel's time zone, a plain global.
    let tz_west = unsafe { (*ptr::addr_of!(bindings::sys_tz)).tz_minuteswest };
    let mut opts = ctx.opts;
    opts.settle();
    let sbi = KBox::new(
        FatSb {
            vol,
            opts,
            ns: ctx.ns,
            uid,
            gid,
            tz_offset: fat_disk::inode::tz_offset_secs(&opts, tz_west),
            free: AtomicU32::new(u32::MAX),
            // SAFETY: Allocates and initialises a ratelimit state (NULL on
            // failure, which `FatSb::error` tolerates).
            ratelimit: unsafe { rust_fat_ratelimit_new() },
            rcu: Opaque::uninit(),
        },
        GFP_KERNEL,
    )?;
    let time_min = fat_disk::time::fat_to_unix(0, 0x21, 0, sbi.tz_offset).sec;
    let time_max = fat_disk::time::fat_to_unix(
        23 << 11 | 59 << 5 | 29,
        127 << 9 | 12 << 5 | 31,
        0,
        sbi.tz_offset,
    )
    .sec;
    let flavour = sbi.ns.flavour;
    // SAFETY: `sb` is being set up and exclusively ours; `kill_sb` frees
    // `s_fs_info` whether or not `fill_super` succeeds.
    let sbi: &FatSb = unsafe {
        let s = &mut *sb;
        s.s_fs_info = KBox::into_raw(sbi).cast();
        s.s_magic = FAT_SUPER_MAGIC;
        s.s_op = &SUPER_OPS;
        s.s_maxbytes = 0xffff_ffff;
        s.s_time_gran = 1;
        s.s_time_min = time_min;
        s.s_time_max = time_max;
        s.s_flags |= SB_NODIRATIME
            | if flavour == Flavour::Msdos {
                SB_NOATIME
            } else {
                0
            };
        bindings::set_default_d_op(sb, &DENTRY_OPS);
        &*(*sb).s_fs_info.cast::<FatSb>()
    };

    let attrs = fat_disk::inode::root_attrs(&sbi.vol, &sbi.opts, flavour)
        .map_err(|e| sbi.errno(e, "reading the root directory", ROOT_INO))?;
    // SAFETY: `sb` is live.
    let root = unsafe { bindings::iget_locked(sb, ROOT_INO) };
    if root.is_null() {
        return Err(ENOMEM);
    }
    // SAFETY: The first inode of a new super block is new.
    unsafe {
        fill_inode(root, sbi, &attrs, true);
        bindings::unlock_new_inode(root);
    }
    // SAFETY: `root` is a referenced inode; `d_make_root` consumes it (and
    // drops it on failure).
    let dentry = unsafe { bindings::d_make_root(root) };
    if dentry.is_null() {
        return Err(ENOMEM);
    }
    // SAFETY: `sb` is being set up.
    unsafe { (*sb).s_root = dentry };
    Ok(())
}

/// `file_system_type::kill_sb`.
///
/// # Safety
///
/// `sb` must be a super block of this file system being killed.
unsafe extern "C" fn kill_sb(sb: *mut bindings::super_block) {
    // SAFETY: The VFS calls `kill_sb` once per super block, after which it
    // is gone; `s_fs_info` is NULL or ours.
    unsafe {
        let info = (*sb).s_fs_info.cast::<FatSb>();
        bindings::kill_block_super(sb);
        if !info.is_null() {
            // A path walk in RCU mode may still be in `d_hash`/`d_compare`
            // with one of this super block's dentries (from a directory fd
            // whose last close got us here): free the info only after a
            // grace period, as fs/fat does. The module's exit waits for
            // these callbacks (`rcu_barrier` in `InodeCache::drop`).
            bindings::call_rcu((*info).rcu.get(), Some(free_sb_rcu));
        }
    }
}

/// Frees a super block's [`FatSb`] once no RCU reader can see it.
///
/// # Safety
///
/// `head` must be the `rcu` field of a `FatSb` made by `fill_super` and
/// queued once by [`kill_sb`].
unsafe extern "C" fn free_sb_rcu(head: *mut bindings::callback_head) {
    // SAFETY: As the caller guarantees; `Opaque<T>` has `T`'s layout, so the
    // field's address is the `callback_head`'s.
    unsafe {
        let rcu = head.cast::<Opaque<bindings::callback_head>>();
        let info = kernel::container_of!(rcu, FatSb, rcu);
        drop(KBox::from_raw(info));
    }
}

/// The directory `inode` is, on its volume.
fn dir_location(sbi: &FatSb, info: &InodeInfo) -> DirLocation {
    if info.is_root != 0 {
        DirLocation::root(&sbi.vol)
    } else {
        DirLocation::Chain(info.start)
    }
}

/// `inode_operations::lookup`.
///
/// # Safety
///
/// `dir` must be a live directory inode of ours and `dentry` a live dentry in it.
unsafe extern "C" fn lookup(
    dir: *mut bindings::inode,
    dentry: *mut bindings::dentry,
    _flags: c_uint,
) -> *mut bindings::dentry {
    // SAFETY: The VFS calls `lookup` on a live directory inode of ours with
    // a live dentry whose name is stable during the call.
    let (sb, sbi, info, name) = unsafe {
        let sb = (*dir).i_sb;
        let q = &(*dentry).__bindgen_anon_1.d_name;
        let len = q.__bindgen_anon_1.__bindgen_anon_1.len as usize;
        (
            sb,
            fat_sb(sb),
            inode_info(dir),
            core::slice::from_raw_parts(q.name, len),
        )
    };
    let Some(sbi) = sbi else {
        return EIO.to_ptr();
    };
    let found = match find(sbi, info, name) {
        Ok(f) => f,
        Err(e) => return e.to_ptr(),
    };
    let inode = match found {
        None => ptr::null_mut(),
        Some((e, dev_pos)) => match entry_inode(sb, sbi, &e, dev_pos) {
            Ok(i) => i,
            Err(e) => return e.to_ptr(),
        },
    };
    if !inode.is_null() && sbi.ns.flavour == Flavour::Vfat {
        // The long name and the 8.3 alias name one inode. As vfat_lookup:
        // when it already has a dentry in this directory (looked up by the
        // other name), use that one; a directory's keeps its name (cwd and
        // mount points stay as they are), a file's moves to the new name.
        // SAFETY: `inode` is referenced; `d_find_alias` returns a
        // referenced dentry or NULL; `dentry` is the unhashed dentry being
        // looked up, so `d_move` may give its name to `alias`.
        unsafe {
            let alias = bindings::d_find_alias(inode);
            if !alias.is_null() {
                if (*alias).d_parent == (*dentry).d_parent {
                    if u32::from((*inode).i_mode) & fat_disk::inode::S_IFDIR == 0 {
                        bindings::d_move(alias, dentry);
                    }
                    bindings::iput(inode);
                    return alias;
                }
                bindings::dput(alias);
            }
        }
    }
    // SAFETY: `inode` is NULL (a negative dentry) or a referenced inode,
    // which `d_splice_alias` consumes.
    unsafe { bindings::d_splice_alias(inode, dentry) }
}

/// Finds the record `name` names in the directory `info`.
fn find(sbi: &FatSb, info: &InodeInfo, name: &[u8]) -> Result<Option<(DirEntry, u64)>> {
    // On the heap: a key holds any name a record can show (`KEY_MAX_BYTES`).
    let mut key = KBox::new(KeyBuf::new(), GFP_KERNEL)?;
    if (sbi.ns.lookup_key)(name, &sbi.opts, &mut key).is_err() {
        return Ok(None);
    }
    let long_names = sbi.ns.flavour == Flavour::Vfat;
    // On the heap, as the key: the reader holds a long name and a sector's
    // slots, and lookup runs under the path walks of stacked file systems.
    let mut reader = KBox::new(
        DirReader::new(&sbi.vol, dir_location(sbi, info), long_names),
        GFP_KERNEL,
    )?;
    let fail = |e| sbi.errno(e, "looking up a name", u64::from(info.start));
    while let Some(rec) = reader.next_record().map_err(fail)? {
        if rec.entry.is_dot() {
            continue;
        }
        // Names are converted only as far as they agree with the key; a
        // record is looked up by every name readdir can show for it (also
        // a long name over an 8.3 name that shows empty, a record C's
        // `fat_search_long` skips though its readdir shows it).
        let names = RecordNames {
            entry: &rec.entry,
            long: (rec.long_len > 0).then(|| reader.long_name(&rec)),
            charset: sbi.opts.charset(),
            uni_xlate: sbi.opts.uni_xlate,
            shortname: sbi.opts.shortname,
        };
        if (sbi.ns.matches)(key.as_bytes(), &names, &sbi.opts) {
            return Ok(Some((rec.entry, rec.dev_pos)));
        }
    }
    Ok(None)
}

/// `file_operations::iterate_shared`.
///
/// # Safety
///
/// `file` must be an open directory of ours and `ctx` a live context.
unsafe extern "C" fn iterate_shared(
    file: *mut bindings::file,
    ctx: *mut bindings::dir_context,
) -> c_int {
    // SAFETY: The VFS calls `iterate_shared` with an open directory of ours
    // and a live context.
    let (inode, sbi) = unsafe {
        let inode = (*file).f_inode;
        (inode, fat_sb((*inode).i_sb))
    };
    let Some(sbi) = sbi else {
        return EIO.to_errno();
    };
    // SAFETY: As above.
    let info = unsafe { inode_info(inode) };
    // SAFETY: As above.
    match unsafe { readdir(file, ctx, inode, sbi, info) } {
        Ok(()) => 0,
        Err(e) => e.to_errno(),
    }
}

/// `readdir`, as the C driver's `__fat_readdir` positions it: the root
/// gets synthesised `.` and `..` at 0 and 1 and its first record at 2;
/// other positions are byte offsets of records in the directory.
///
/// # Safety
///
/// As `iterate_shared`'s arguments.
unsafe fn readdir(
    file: *mut bindings::file,
    ctx: *mut bindings::dir_context,
    inode: *mut bindings::inode,
    sbi: &FatSb,
    info: &InodeInfo,
) -> Result {
    let is_root = info.is_root != 0;
    let mut fake_offset = false;
    // SAFETY: `ctx` is live for the call.
    let mut cpos = unsafe { (*ctx).pos } as u64;
    if is_root {
        // SAFETY: As above.
        if !unsafe { rust_fat_dir_emit_dots(file, ctx) } {
            return Ok(());
        }
        // SAFETY: As above.
        if unsafe { (*ctx).pos } == 2 {
            fake_offset = true;
            cpos = 0;
        }
    }
    if cpos % 32 != 0 {
        return Err(ENOENT);
    }
    let long_names = sbi.ns.flavour == Flavour::Vfat;
    let mut reader = DirReader::new(&sbi.vol, dir_location(sbi, info), long_names);
    let fail = |e| sbi.errno(e, "reading a directory", u64::from(info.start));
    reader.seek(cpos).map_err(fail)?;
    // On the heap: see `find`.
    let mut name = KBox::new(
        NameBuf::<{ fat_disk::names::NAME_MAX_BYTES }>::new(),
        GFP_KERNEL,
    )?;
    while let Some(rec) = reader.next_record().map_err(fail)? {
        let mut pos = rec.start as i64;
        if fake_offset && pos < 2 {
            pos = 2;
        }
        // SAFETY: As above.
        unsafe { (*ctx).pos = pos };
        let e = &rec.entry;
        let emitted = if &e.name == b".          " {
            // SAFETY: As above.
            unsafe { rust_fat_dir_emit_dot(file, ctx) }
        } else if &e.name == b"..         " {
            // SAFETY: As above.
            unsafe { rust_fat_dir_emit_dotdot(file, ctx) }
        } else {
            sbi.display_name(&reader, &rec, &mut name).map_err(fail)?;
            if name.as_bytes().is_empty() {
                true
            } else {
                let n = name.as_bytes();
                // SAFETY: `n` is valid for its length during the call.
                unsafe {
                    rust_fat_dir_emit(
                        ctx,
                        n.as_ptr().cast(),
                        n.len() as c_int,
                        rec.dev_pos / 32,
                        e.is_dir(),
                    )
                }
            }
        };
        if !emitted {
            return Ok(());
        }
        fake_offset = false;
        // SAFETY: As above.
        unsafe { (*ctx).pos = rec.end as i64 };
    }
    // At the end: the directory's size, never before where the caller
    // asked to start (a position past the end stays as it is, as in C).
    // SAFETY: `inode` is live; its size does not change (read-only).
    unsafe {
        (*ctx).pos = (*inode)
            .i_size
            .max(cpos as i64)
            .max(if fake_offset { 2 } else { 0 })
    };
    Ok(())
}

/// Maps `*count` blocks of `inode` from `iblock` on to device blocks: sets
/// `*phys` and `*count` (0: a hole, read as zeros).
///
/// # Safety
///
/// `inode` must be a live regular file of ours (the page cache's), and
/// `phys`, `count` valid for writes.
#[no_mangle]
unsafe extern "C" fn rust_fat_map_blocks(
    inode: *mut bindings::inode,
    iblock: u64,
    phys: *mut u64,
    count: *mut c_ulong,
) -> c_int {
    // SAFETY: As the caller guarantees.
    let (sbi, info, size, want) = unsafe {
        (
            fat_sb((*inode).i_sb),
            inode_info(inode),
            (*inode).i_size as u64,
            *count as u64,
        )
    };
    let Some(sbi) = sbi else {
        return EIO.to_errno();
    };
    let bpb = &sbi.vol.bpb;
    let bs = bpb.sector_size_nz();
    let per_cluster = bpb.sectors_per_cluster_nz();
    let last_block = ceil_div(size, bs);
    if iblock >= last_block || info.start == 0 {
        // SAFETY: As the caller guarantees.
        unsafe { *count = 0 };
        return 0;
    }
    // Only the links this read needs are followed (`locate`), as
    // `fs/fat` does: damage after the file's last cluster, or after the
    // part being read, fails no read; a looping chain is followed as C
    // follows it, the walk bounded by the file's size in clusters.
    // SAFETY: `inode` is live.
    let ino = unsafe { (*inode).i_ino };
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
                return EIO.to_errno();
            };
            let left = run.len - (index - run.index);
            let n = (u64::from(left) * per_cluster.get() - within)
                .min(last_block - iblock)
                .min(want.max(1));
            // SAFETY: As the caller guarantees.
            unsafe {
                *phys = first / bs + within;
                *count = n as c_ulong;
            }
            0
        }
        Err(e) => sbi.errno(e, "reading file data", ino).to_errno(),
    }
}

/// The dentry's name, as a slice valid while the dentry is.
///
/// # Safety
///
/// `len` and `name` must describe valid memory for `'a`.
unsafe fn bytes<'a>(name: *const c_char, len: c_uint) -> &'a [u8] {
    // SAFETY: As the caller guarantees.
    unsafe { core::slice::from_raw_parts(name.cast(), len as usize) }
}

/// `dentry_operations::d_hash`.
///
/// # Safety
///
/// `dentry` must be a live dentry of ours and `q` a live name.
unsafe extern "C" fn d_hash(dentry: *const bindings::dentry, q: *mut bindings::qstr) -> c_int {
    // SAFETY: The VFS passes the parent dentry of a live super block of
    // ours and the name being hashed.
    let (sbi, name) = unsafe {
        let len = (*q).__bindgen_anon_1.__bindgen_anon_1.len;
        (fat_sb((*dentry).d_sb), bytes((*q).name.cast(), len))
    };
    let Some(sbi) = sbi else {
        return 0;
    };
    // Salted with the parent, as `full_name_hash` is.
    let mut hash = NameHash::new(dentry as u64);
    if (sbi.ns.hash_name)(name, &sbi.opts, &mut hash).is_ok() {
        // SAFETY: `q` is the live name being hashed, ours to update.
        unsafe { (*q).__bindgen_anon_1.__bindgen_anon_1.hash = hash.finish() };
    }
    0
}

/// `dentry_operations::d_compare`.
///
/// # Safety
///
/// `dentry` must be a live dentry of ours, `s` valid for `len` bytes and `q` a live name.
unsafe extern "C" fn d_compare(
    dentry: *const bindings::dentry,
    len: c_uint,
    s: *const c_char,
    q: *const bindings::qstr,
) -> c_int {
    // SAFETY: The VFS passes a dentry (whose `d_sb` is stable), its name
    // (`len`, `s`) and the name looked up, all valid for the call.
    let (sbi, a, b) = unsafe {
        let qlen = (*q).__bindgen_anon_1.__bindgen_anon_1.len;
        (
            fat_sb((*dentry).d_sb),
            bytes(s, len),
            bytes((*q).name.cast(), qlen),
        )
    };
    let equal = match sbi {
        Some(sbi) => (sbi.ns.names_equal)(a, b, &sbi.opts),
        None => a == b,
    };
    c_int::from(!equal)
}
