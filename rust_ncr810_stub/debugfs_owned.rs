// SPDX-License-Identifier: GPL-2.0

//! A read-only debugfs file whose open files hold this module (issue 12).
//!
//! Why not [`kernel::debugfs`]: in Linux 7.3 the `file_operations` the
//! kernel crate builds for a debugfs file (`rust/kernel/debugfs/file_ops.rs`)
//! leave `owner` NULL. debugfs hands every open file to its full proxy
//! (`fs/debugfs/file.c`), which pins the module behind a file only through
//! `fops_get(real_fops)`, that is `try_module_get(real_fops->owner)`; with no
//! owner nothing is pinned. `rmmod` then succeeds while the file is open, and
//! on the last close `full_proxy_release` reads `real_fops->release` from the
//! table, which is a constant in the unloaded module's memory: an oops.
//!
//! The rule: a debugfs file's `file_operations` must outlive every open file
//! of it. Removing the file (`debugfs_remove`, on unbind) waits for reads in
//! progress and makes later reads through files still open fail with `EIO`,
//! but it cannot close those files: only a module reference keeps the table
//! mapped until their last close. [`OwnedFile`] therefore builds its own table
//! with `owner` set to this module's `THIS_MODULE`, with the kernel's stock
//! `seq_file` functions (`single_open`, `seq_read`, `seq_lseek`,
//! `single_release`), and shows its data through [`Writer`] exactly as
//! [`kernel::debugfs::Dir::read_only_file`] does.

use core::{
    marker::PhantomData,
    ptr, //
};
use kernel::{
    bindings,
    debugfs::Writer,
    fmt,
    prelude::*,
    seq_file::SeqFile,
    seq_print,
    ModuleMetadata, //
};

/// Formats a [`Writer`] with `{}`.
struct WriterAdapter<'a, T>(&'a T);

impl<T: Writer> fmt::Display for WriterAdapter<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.write(f)
    }
}

/// `<dir>/<name>` in debugfs, mode 0400, showing a `T`; an open file of it
/// holds this module (see the module documentation).
///
/// Dropping it removes the directory with the file, which waits for reads in
/// progress; reads through files still open afterwards fail with `EIO`, and
/// their close only runs the kernel's `single_release` and drops the module
/// reference. The `T` is freed after the removal.
///
/// # Invariants
///
/// - `dir` is NULL, an error pointer, or a debugfs directory owned by this
///   value; the file, if it was created, is its only child.
/// - `data` comes from [`KBox::into_raw`] and is owned by this value; the
///   file's inode has it as private data, and it is only read through shared
///   references.
pub(crate) struct OwnedFile<T: Writer + Send + Sync + 'static> {
    dir: *mut bindings::dentry,
    data: *mut T,
    _owns: PhantomData<T>,
}

// SAFETY: The value owns a `T` (which is `Send`) and a debugfs directory, which
// may be removed from any thread.
unsafe impl<T: Writer + Send + Sync + 'static> Send for OwnedFile<T> {}

// SAFETY: A shared `OwnedFile` gives no access to anything; readers of the
// file, on any thread, see the `T` only through shared references (`T: Sync`).
unsafe impl<T: Writer + Send + Sync + 'static> Sync for OwnedFile<T> {}

impl<T: Writer + Send + Sync + 'static> OwnedFile<T> {
    /// The file's operations. `owner` is what makes an open file hold the
    /// module (`fops_get` in debugfs's proxy open, `fops_put` in its release);
    /// everything else is the kernel's `seq_file` code but `open`.
    const FOPS: bindings::file_operations = bindings::file_operations {
        owner: <crate::LocalModule as ModuleMetadata>::THIS_MODULE.as_ptr(),
        open: Some(open::<T>),
        read: Some(bindings::seq_read),
        llseek: Some(bindings::seq_lseek),
        release: Some(bindings::single_release),
        ..pin_init::zeroed()
    };

    /// Creates `<dir>/<name>` at the debugfs root, showing `data`.
    ///
    /// Fails only if `data` cannot be allocated. Like the kernel crate's
    /// debugfs abstraction (and as debugfs asks of its users), a directory or
    /// file debugfs refuses to create is not an error: nothing is shown.
    pub(crate) fn new(dir: &CStr, name: &CStr, data: T) -> Result<Self> {
        // A `'static` reference: the constant is promoted to a table in this
        // module's image (as `miscdevice` does with its `VTABLE`).
        let fops: &'static bindings::file_operations = &Self::FOPS;
        let data = KBox::into_raw(KBox::new(data, GFP_KERNEL)?);
        // SAFETY: `dir` is a NUL-terminated string; a NULL parent is the debugfs root.
        let dir = unsafe { bindings::debugfs_create_dir(dir.as_char_ptr(), ptr::null_mut()) };
        // SAFETY:
        // - `name` is a NUL-terminated string; `dir` is a directory or an error
        //   pointer, which `debugfs_create_file_full` returns without creating
        //   anything.
        // - `data` is a valid `T` until `drop`, which removes the file (and waits
        //   for its reads in progress) before freeing it; `open::<T>` expects
        //   exactly such a pointer as the inode's private data.
        // - `fops` lives in this module's image, and its `owner` keeps the module
        //   (so the table) loaded while any file opened through it is open.
        unsafe {
            bindings::debugfs_create_file_full(
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

impl<T: Writer + Send + Sync + 'static> Drop for OwnedFile<T> {
    fn drop(&mut self) {
        // SAFETY: By the type invariant `dir` is NULL, an error pointer (both
        // ignored) or our directory. Removal waits until no read, seek or open of
        // the file is in progress; later ones fail before reaching `data`.
        unsafe { bindings::debugfs_remove(self.dir) };
        // SAFETY: `data` came from `KBox::into_raw` (type invariant) and, with the
        // file removed above, nothing can reach it any more.
        drop(unsafe { KBox::from_raw(self.data) });
    }
}

/// `open` of the file: a `seq_file` showing the inode's `T` in one piece.
///
/// # Safety
///
/// `inode` must be the inode of a file made by [`OwnedFile::new`] for this
/// `T`, whose `OwnedFile` is not dropped before this call returns (debugfs's
/// proxy open holds the file's active reference around this call, which
/// removal waits for), and `file` a file being opened on it.
unsafe extern "C" fn open<T: Writer + Sync>(
    inode: *mut bindings::inode,
    file: *mut bindings::file,
) -> c_int {
    // SAFETY: `inode` is a valid inode (caller precondition).
    let data = unsafe { (*inode).i_private };
    // SAFETY: `file` is being opened (caller precondition). `show::<T>` is
    // called by `seq_read` with `data` as the seq_file's private data, a valid
    // `T` for as long as reads can reach it (see `show`).
    unsafe { bindings::single_open(file, Some(show::<T>), data) }
}

/// `show` of the `seq_file`: prints the `T` through [`Writer`].
///
/// # Safety
///
/// `seq` must be a `seq_file` made by [`open`] for this `T`, used by this
/// thread only for the call, whose private data is still valid: debugfs calls
/// `seq_read` (and so this) only under the file's active reference, which
/// [`OwnedFile`]'s drop waits for before freeing the `T`.
unsafe extern "C" fn show<T: Writer + Sync>(seq: *mut bindings::seq_file, _: *mut c_void) -> c_int {
    // SAFETY: The private data is a valid `T`, only shared (caller precondition).
    let data = unsafe { &*(*seq).private.cast::<T>() };
    // SAFETY: `seq` is a live `seq_file` only this thread uses during the call.
    let seq_file = unsafe { SeqFile::from_raw(seq) };
    seq_print!(seq_file, "{}", WriterAdapter(data));
    0
}
