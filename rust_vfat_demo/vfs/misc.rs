// SPDX-License-Identifier: GPL-2.0

//! Small kernel services a file system needs beside the VFS proper: the
//! mounter's credentials, signals, the kernel's time zone and rate-limited
//! messages.

use core::ptr::{
    self,
    NonNull, //
};
use kernel::{bindings, prelude::*};

use crate::helpers::{
    rust_vfs_current_gid,
    rust_vfs_current_uid,
    rust_vfs_fatal_signal_pending,
    rust_vfs_make_kgid,
    rust_vfs_make_kuid,
    rust_vfs_ratelimit,
    rust_vfs_ratelimit_new, //
};

/// The current task's uid (kernel value).
pub fn current_uid() -> u32 {
    // SAFETY: Reads the current task's credentials; no preconditions.
    unsafe { rust_vfs_current_uid() }
}

/// The current task's gid (kernel value).
pub fn current_gid() -> u32 {
    // SAFETY: Reads the current task's credentials; no preconditions.
    unsafe { rust_vfs_current_gid() }
}

/// Maps `uid` in the current task's user namespace; `None` if it has no
/// mapping there.
pub fn make_kuid(uid: u32) -> Option<u32> {
    // SAFETY: A pure conversion in the current task's user namespace.
    let k = unsafe { rust_vfs_make_kuid(uid) };
    (k != u32::MAX).then_some(k)
}

/// Maps `gid` in the current task's user namespace; `None` if it has no
/// mapping there.
pub fn make_kgid(gid: u32) -> Option<u32> {
    // SAFETY: A pure conversion in the current task's user namespace.
    let k = unsafe { rust_vfs_make_kgid(gid) };
    (k != u32::MAX).then_some(k)
}

/// Whether the current task has a fatal signal pending (a long walk
/// should stop).
pub fn fatal_signal_pending() -> bool {
    // SAFETY: Tests the current task's pending signals; no preconditions.
    unsafe { rust_vfs_fatal_signal_pending() }
}

/// The kernel's time zone, in minutes west of UTC (`sys_tz`).
pub fn sys_tz_minuteswest() -> i32 {
    // SAFETY: `sys_tz` is a plain global the kernel updates with single
    // word stores (settimeofday); a racy read gets an old or new value.
    unsafe { ptr::read_volatile(ptr::addr_of!(bindings::sys_tz.tz_minuteswest)) }
}

/// A message rate limit, as `fs/fat`'s `fat_msg_ratelimit`: 10 in 5 s.
pub struct Ratelimit {
    rs: Option<NonNull<bindings::ratelimit_state>>,
}

// SAFETY: The state is only used through `___ratelimit`, which takes its
// lock, so it may be used from any thread at once.
unsafe impl Send for Ratelimit {}
// SAFETY: Shared use only calls `allow`, which goes through
// `___ratelimit` and its lock, so concurrent calls are fine.
unsafe impl Sync for Ratelimit {}

impl Ratelimit {
    /// A new limit; without memory for it every message is allowed.
    pub fn new() -> Self {
        // SAFETY: Allocates and initialises a state, or returns NULL.
        let rs = unsafe { rust_vfs_ratelimit_new() };
        Ratelimit {
            rs: NonNull::new(rs),
        }
    }

    /// Whether a message may go out now; `who` names the suppressed ones.
    pub fn allow(&self, who: &'static CStr) -> bool {
        match self.rs {
            None => true,
            // SAFETY: `rs` is initialised and lives as long as `self`;
            // `who` is a static string.
            Some(rs) => unsafe { rust_vfs_ratelimit(rs.as_ptr(), who.as_char_ptr()) },
        }
    }
}

impl Default for Ratelimit {
    fn default() -> Self {
        Self::new()
    }
}

impl Drop for Ratelimit {
    fn drop(&mut self) {
        if let Some(rs) = self.rs {
            // SAFETY: Allocated with `kzalloc` by the helper, freed once.
            unsafe { bindings::kfree(rs.as_ptr().cast()) };
        }
    }
}

/// A value behind a try-lock: who finds it taken does without it instead
/// of waiting, so it never blocks (e.g. a cache in the I/O path).
///
/// # Invariants
///
/// `value` is only accessed by the holder of `busy`.
pub struct TryCell<T> {
    busy: core::sync::atomic::AtomicBool,
    value: core::cell::UnsafeCell<T>,
}

// SAFETY: The value is only reached in `try_with`, by the one holder of
// `busy` (taken with Acquire, given back with Release), so no two threads
// touch it at once; it moves between threads, hence `T: Send`.
unsafe impl<T: Send> Sync for TryCell<T> {}

impl<T> TryCell<T> {
    /// A free cell holding `value`.
    pub const fn new(value: T) -> Self {
        TryCell {
            busy: core::sync::atomic::AtomicBool::new(false),
            value: core::cell::UnsafeCell::new(value),
        }
    }

    /// Runs `f` on the value if nobody else is using it.
    pub fn try_with<R>(&self, f: impl FnOnce(&mut T) -> R) -> Option<R> {
        use core::sync::atomic::Ordering;
        if self
            .busy
            .compare_exchange(false, true, Ordering::Acquire, Ordering::Relaxed)
            .is_err()
        {
            return None;
        }
        // Given back even if `f` unwinds (the kernel does not unwind, but
        // the guard costs nothing).
        struct Release<'a>(&'a core::sync::atomic::AtomicBool);
        impl Drop for Release<'_> {
            fn drop(&mut self) {
                self.0.store(false, core::sync::atomic::Ordering::Release);
            }
        }
        let _release = Release(&self.busy);
        // SAFETY: `busy` is ours until `_release` drops (type invariant),
        // so this is the only reference to the value meanwhile.
        Some(f(unsafe { &mut *self.value.get() }))
    }
}

/// The kernel's tick counter (`jiffies`), as the clock of vfat's hashed
/// 8.3 alias tails.
pub fn jiffies() -> u64 {
    // SAFETY: `jiffies` is a kernel global updated by the timer tick; one
    // aligned volatile read of it, as `READ_ONCE(jiffies)`.
    unsafe { ptr::read_volatile(ptr::addr_of!(bindings::jiffies)) as u64 }
}

/// Whether the current task has capability `cap` (`capable`), e.g.
/// `bindings::CAP_LINUX_IMMUTABLE`.
pub fn capable(cap: u32) -> bool {
    // SAFETY: Checks the current task's credentials; no preconditions.
    unsafe { bindings::capable(cap as kernel::ffi::c_int) }
}

/// `CAP_LINUX_IMMUTABLE`.
pub const CAP_LINUX_IMMUTABLE: u32 = bindings::CAP_LINUX_IMMUTABLE;
