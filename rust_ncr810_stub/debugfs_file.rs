// SPDX-License-Identifier: GPL-2.0

//! A read-only debugfs file that the kernel drains before the module's memory
//! goes.
//!
//! The rule: no call may reach a module's memory after the module is gone, so
//! a debugfs file's open files must either hold the module or never touch the
//! module once the file is removed.
//!
//! Why not [`kernel::debugfs`]: in Linux 7.3 the `file_operations` the kernel
//! crate builds for a debugfs file (`rust/kernel/debugfs/file_ops.rs`) leave
//! `owner` NULL, so an open file holds nothing. After `rmmod`, its close runs
//! debugfs's `full_proxy_release`, which reads `release` from that table, a
//! constant in the unloaded module's memory: an oops.
//!
//! Why not a `file_operations` with `owner` set (this file's first version):
//! debugfs's full proxy then pins the module at open with `fops_get`, that is
//! `try_module_get`. `delete_module` drops the use count to zero before it
//! marks the module `GOING`; an open in that window fails `try_module_get` on a
//! module still `LIVE`, and debugfs takes it for a module that did not clean
//! up: `WARNING: fs/debugfs/file.c:462 at full_proxy_open_regular` ("debugfs
//! file owner did not clean up at exit"). It is rare (a reader looping on the
//! file while `rmmod` runs, once in CI), but it is a kernel warning, and fatal
//! under `panic_on_warn`.
//!
//! What this file does instead is what debugfs offers for it: "short"
//! operations (`struct debugfs_short_fops`, `debugfs_create_file_short`). The
//! open is the kernel's `simple_open`, there is no `release`, and debugfs's
//! short proxy calls `read` and `llseek` only while it holds the file's active
//! reference, which removal (`debugfs_remove`, on unbind) waits for and refuses
//! afterwards with `EIO`. An open file therefore holds neither the module nor
//! the data: `rmmod` succeeds while one is open, reads through it then fail
//! with `EIO`, and its close runs only the kernel's code.

use core::{
    marker::PhantomData,
    ptr, //
};
use kernel::{
    bindings,
    debugfs::Writer,
    fmt,
    fs::file::Offset,
    prelude::*,
    str::CString,
    uaccess::{
        UserPtr,
        UserSlice, //
    },
};

/// Formats a [`Writer`] with `{}`.
struct WriterAdapter<'a, T>(&'a T);

impl<T: Writer> fmt::Display for WriterAdapter<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.write(f)
    }
}

/// `<dir>/<name>` in debugfs, mode 0400, showing a `T`; open files of it hold
/// nothing (see the module documentation).
///
/// Dropping it removes the directory with the file, which waits for reads in
/// progress; reads through files still open afterwards fail with `EIO`, and
/// their close runs only the kernel's code. The `T` is freed after the removal.
///
/// # Invariants
///
/// - `dir` is NULL, an error pointer, or a debugfs directory owned by this
///   value; the file, if it was created, is its only child.
/// - `data` comes from [`KBox::into_raw`] and is owned by this value; the
///   file's inode has it as private data, and it is only read through shared
///   references.
pub(crate) struct ReadOnlyFile<T: Writer + Send + Sync + 'static> {
    dir: *mut bindings::dentry,
    data: *mut T,
    _owns: PhantomData<T>,
}

// SAFETY: The value owns a `T` (which is `Send`) and a debugfs directory, which
// may be removed from any thread.
unsafe impl<T: Writer + Send + Sync + 'static> Send for ReadOnlyFile<T> {}

// SAFETY: A shared `ReadOnlyFile` gives no access to anything; readers of the
// file, on any thread, see the `T` only through shared references (`T: Sync`).
unsafe impl<T: Writer + Send + Sync + 'static> Sync for ReadOnlyFile<T> {}

impl<T: Writer + Send + Sync + 'static> ReadOnlyFile<T> {
    /// The file's operations: debugfs's short proxy calls them only under the
    /// file's active reference.
    const FOPS: bindings::debugfs_short_fops = bindings::debugfs_short_fops {
        read: Some(read::<T>),
        write: None,
        llseek: Some(bindings::default_llseek),
    };

    /// Creates `<dir>/<name>` at the debugfs root, showing `data`.
    ///
    /// Fails only if `data` cannot be allocated. Like the kernel crate's
    /// debugfs abstraction (and as debugfs asks of its users), a directory or
    /// file debugfs refuses to create is not an error: nothing is shown.
    pub(crate) fn new(dir: &CStr, name: &CStr, data: T) -> Result<Self> {
        // A `'static` reference: the constant is promoted to a table in this
        // module's image (as `miscdevice` does with its `VTABLE`).
        let fops: &'static bindings::debugfs_short_fops = &Self::FOPS;
        let data = KBox::into_raw(KBox::new(data, GFP_KERNEL)?);
        // SAFETY: `dir` is a NUL-terminated string; a NULL parent is the debugfs root.
        let dir = unsafe { bindings::debugfs_create_dir(dir.as_char_ptr(), ptr::null_mut()) };
        // SAFETY:
        // - `name` is a NUL-terminated string; `dir` is a directory or an error
        //   pointer, which `debugfs_create_file_short` returns without creating
        //   anything.
        // - `data` is a valid `T` until `drop`, which removes the file (and waits
        //   for its reads in progress) before freeing it; `read::<T>` expects
        //   exactly such a pointer as the file's private data, which
        //   `simple_open` copies from the inode.
        // - `fops` lives in this module's image; debugfs reads it only under the
        //   file's active reference, which the removal in `drop` drains before
        //   the module can go.
        unsafe {
            bindings::debugfs_create_file_short(
                name.as_char_ptr(),
                0o400,
                dir,
                data.cast(),
                ptr::null(),
                fops,
            )
        };
        Ok(Self {
            dir,
            data,
            _owns: PhantomData,
        })
    }

    /// The data the file shows (it may change it only through its own
    /// interior mutability, e.g. atomics).
    pub(crate) fn data(&self) -> &T {
        // SAFETY: `data` is a valid `T` owned by this value until its drop
        // (type invariant), and only ever shared.
        unsafe { &*self.data }
    }
}

impl<T: Writer + Send + Sync + 'static> Drop for ReadOnlyFile<T> {
    fn drop(&mut self) {
        // SAFETY: By the type invariant `dir` is NULL, an error pointer (both
        // ignored) or our directory. Removal waits until no read or seek of the
        // file is in progress; later ones fail with `EIO` before reaching
        // `data` or this module's code.
        unsafe { bindings::debugfs_remove(self.dir) };
        // SAFETY: `data` came from `KBox::into_raw` (type invariant) and, with the
        // file removed above, nothing can reach it any more.
        drop(unsafe { KBox::from_raw(self.data) });
    }
}

/// `read` of the file: the `T` as text, formatted afresh for each call, from
/// `*ppos` on.
///
/// A reader gets one consistent state per `read` call; `cat` reads the whole
/// file (a few hundred bytes) in one.
///
/// # Safety
///
/// `file` must be an open file of a file made by [`ReadOnlyFile::new`] for
/// this `T` (its private data, set by `simple_open`, the `T`), whose
/// `ReadOnlyFile` is not dropped before this call returns (debugfs's short
/// proxy holds the file's active reference around this call, which removal
/// waits for); `buf` a user pointer of `count` bytes; `ppos` valid for reads
/// and writes, used by this thread only for the call.
unsafe extern "C" fn read<T: Writer + Sync>(
    file: *mut bindings::file,
    buf: *mut c_char,
    count: usize,
    ppos: *mut Offset,
) -> isize {
    // SAFETY: `file` is an open file whose private data is a valid `T`, only
    // shared (caller precondition).
    let data = unsafe { &*(*file).private_data.cast::<T>() };
    let text = match CString::try_from_fmt(fmt!("{}", WriterAdapter(data))) {
        Ok(text) => text,
        Err(e) => return e.to_errno() as isize,
    };
    // SAFETY: `ppos` is valid and only this thread uses it (caller precondition).
    let pos = unsafe { &mut *ppos };
    let mut user = UserSlice::new(UserPtr::from_ptr(buf.cast()), count).writer();
    match user.write_slice_file(text.to_bytes(), pos) {
        // Never more than `count`, which `read(2)` caps at `MAX_RW_COUNT`.
        Ok(n) => n as isize,
        Err(e) => e.to_errno() as isize,
    }
}
