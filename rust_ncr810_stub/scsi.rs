// SPDX-License-Identifier: GPL-2.0

//! The SCSI midlayer, as `rust_ncr810` sees it.
//!
//! The kernel crate has no SCSI abstraction and its bindings include no
//! SCSI header, so the host template and the accessors are C
//! (`rust_ncr810_scsi.c`); this file owns every call across that edge and
//! gives the driver two safe types: [`Host`], a registered SCSI host, and
//! [`Command`], a command the driver owns until it completes it.

use core::ffi::c_void;
use core::ptr::NonNull;

use kernel::{
    device::{
        Bound,
        Device, //
    },
    error::to_result,
    prelude::*,
};

use ncr810::program::{
    Direction,
    Failure,
    Segment, //
};

/// The midlayer's `struct scsi_cmnd`, opaque here.
#[repr(C)]
pub(crate) struct RawCommand {
    _opaque: [u8; 0],
}

/// The midlayer's `struct Scsi_Host`, opaque here.
#[repr(C)]
struct RawHost {
    _opaque: [u8; 0],
}

/// `struct rust_ncr810_cmd_info`.
#[repr(C)]
struct RawInfo {
    cdb: *const u8,
    cdb_len: u32,
    target: u32,
    channel: u32,
    lun: u64,
    direction: u32,
    length: u32,
}

extern "C" {
    fn rust_ncr810_host_alloc(
        chip: *const c_void,
        sg_tablesize: u16,
        max_sectors: u32,
        max_cmd_len: u8,
        this_id: c_int,
    ) -> *mut RawHost;
    fn rust_ncr810_host_add(shost: *mut RawHost, dev: *mut c_void) -> c_int;
    fn rust_ncr810_host_remove(shost: *mut RawHost);
    fn rust_ncr810_host_put(shost: *mut RawHost);
    fn rust_ncr810_host_no(shost: *const RawHost) -> u32;
    fn rust_ncr810_cmd_info(cmd: *mut RawCommand, info: *mut RawInfo);
    fn rust_ncr810_cmd_map(cmd: *mut RawCommand, segs: *mut Segment, max: u32) -> c_int;
    fn rust_ncr810_cmd_unmap(cmd: *mut RawCommand);
    fn rust_ncr810_cmd_done(
        cmd: *mut RawCommand,
        outcome: u32,
        status: u8,
        residual: u32,
        sense: *const u8,
        sense_len: u32,
    );
}

/// What the midlayer calls: implemented by the driver's chip state, whose
/// address the host keeps.
pub(crate) trait HostOps: Sync {
    /// Starts `cmd`, or hands it back if the chip is busy (the midlayer
    /// retries it later).
    fn queue(&self, cmd: Command) -> Result<(), Command>;
    /// Takes `cmd` back from the chip if it is running it (error handler).
    fn abort(&self, cmd: *const RawCommand) -> bool;
    /// Resets the SCSI bus, and with `whole_chip` the chip too. A running
    /// command is given up when the error handler asks (it owns every
    /// outstanding command), and failed with `DID_RESET` when
    /// `from_ioctl` (SG_SCSI_RESET: normal I/O goes on around it, and
    /// nobody else would complete it).
    fn reset(&self, whole_chip: bool, from_ioctl: bool) -> bool;
}

/// How a command ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// The target returned a status.
    Status,
    /// No status: the chip, the bus or the target failed.
    Failed(Failure),
}

impl Outcome {
    /// The C side's `enum rust_ncr810_outcome`, which it turns into the
    /// midlayer's host byte.
    fn code(self) -> u32 {
        match self {
            Outcome::Status => 0,
            Outcome::Failed(Failure::NoConnect) => 1,
            Outcome::Failed(Failure::BusReset) => 2,
            Outcome::Failed(Failure::Parity) => 3,
            Outcome::Failed(Failure::Overrun | Failure::Error) => 4,
        }
    }
}

/// A SCSI command the midlayer handed to the driver.
///
/// # Invariants
///
/// `ptr` is a command the midlayer passed to `queuecommand` and has not
/// been completed; `mapped` says whether its data is DMA-mapped. Exactly
/// one of [`Command::complete`], [`Command::give_up`] or the drop (which
/// fails it with `DID_ERROR`) ends it.
pub(crate) struct Command {
    ptr: NonNull<RawCommand>,
    mapped: bool,
}

// SAFETY: A command may be completed from any context (`scsi_done`); the
// type only moves its ownership between queuecommand and the interrupt.
unsafe impl Send for Command {}

/// What the SCRIPTS program needs of a command.
pub(crate) struct CommandInfo<'a> {
    /// The CDB.
    pub(crate) cdb: &'a [u8],
    /// Target ID.
    pub(crate) target: u32,
    /// Channel (always 0: one bus).
    pub(crate) channel: u32,
    /// Logical unit.
    pub(crate) lun: u64,
    /// Data direction, or `None` for bidirectional (not supported).
    pub(crate) direction: Option<Direction>,
    /// Bytes of data.
    pub(crate) length: u32,
}

impl Command {
    /// What the command asks for.
    pub(crate) fn info(&self) -> CommandInfo<'_> {
        let mut raw = RawInfo {
            cdb: core::ptr::null(),
            cdb_len: 0,
            target: 0,
            channel: 0,
            lun: 0,
            direction: 0,
            length: 0,
        };
        // SAFETY: `self.ptr` is a live command (type invariant); `raw` is
        // writable.
        unsafe { rust_ncr810_cmd_info(self.ptr.as_ptr(), &mut raw) };
        let cdb = if raw.cdb.is_null() {
            &[][..]
        } else {
            // SAFETY: The midlayer's CDB holds `cmd_len` bytes and lives as
            // long as the command, which `self` borrows.
            unsafe { core::slice::from_raw_parts(raw.cdb, raw.cdb_len as usize) }
        };
        CommandInfo {
            cdb,
            target: raw.target,
            channel: raw.channel,
            lun: raw.lun,
            direction: match raw.direction {
                0 => Some(Direction::None),
                1 => Some(Direction::ToDevice),
                2 => Some(Direction::FromDevice),
                _ => None,
            },
            length: raw.length,
        }
    }

    /// DMA-maps the command's data into `segs` and returns how many
    /// segments it took (0 for no data).
    pub(crate) fn map(&mut self, segs: &mut [Segment]) -> Result<usize> {
        let max = u32::try_from(segs.len()).unwrap_or(u32::MAX);
        // SAFETY: `self.ptr` is a live command not yet mapped (type
        // invariant); `segs` has room for `max` segments.
        let n = unsafe { rust_ncr810_cmd_map(self.ptr.as_ptr(), segs.as_mut_ptr(), max) };
        to_result(n.min(0))?;
        self.mapped = n > 0;
        Ok(n as usize)
    }

    fn unmap(&mut self) {
        if self.mapped {
            // SAFETY: The command is live and mapped (type invariant).
            unsafe { rust_ncr810_cmd_unmap(self.ptr.as_ptr()) };
            self.mapped = false;
        }
    }

    /// Whether this is the midlayer's command `raw`.
    pub(crate) fn is(&self, raw: *const RawCommand) -> bool {
        core::ptr::eq(self.ptr.as_ptr(), raw)
    }

    /// Completes the command: unmaps it, sets its result and sense data,
    /// and gives it back to the midlayer.
    pub(crate) fn complete(mut self, outcome: Outcome, status: u8, residual: u32, sense: &[u8]) {
        self.unmap();
        let code = outcome.code();
        let ptr = self.ptr.as_ptr();
        core::mem::forget(self);
        // SAFETY: `ptr` is a live command the driver owns (type invariant),
        // unmapped above; `sense` is readable for its length. The command
        // is not used again: `self` is forgotten.
        unsafe {
            rust_ncr810_cmd_done(
                ptr,
                code,
                status,
                residual,
                sense.as_ptr(),
                sense.len() as u32,
            )
        };
    }

    /// Gives the command up to the error handler, which owns it already:
    /// unmaps it and forgets it without completing it.
    pub(crate) fn give_up(mut self) {
        self.unmap();
        core::mem::forget(self);
    }
}

impl Drop for Command {
    fn drop(&mut self) {
        self.unmap();
        // SAFETY: A command dropped without an outcome is live (type
        // invariant); failing it keeps the midlayer from waiting for it.
        unsafe {
            rust_ncr810_cmd_done(
                self.ptr.as_ptr(),
                Outcome::Failed(Failure::Error).code(),
                0,
                0,
                core::ptr::null(),
                0,
            )
        };
    }
}

/// A SCSI host registered with the midlayer.
///
/// # Invariants
///
/// `shost` came from `scsi_host_alloc` and was added with `scsi_add_host`;
/// its private data points to the [`HostOps`] given to [`Host::register`],
/// valid until the host is removed.
pub(crate) struct Host {
    shost: NonNull<RawHost>,
    removed: core::sync::atomic::AtomicBool,
}

// SAFETY: The midlayer's host may be removed and released from any
// process context.
unsafe impl Send for Host {}
// SAFETY: Through `&Host` only `number` (a read of a field fixed at
// allocation) and `remove` (once, guarded by `removed`) run; both may run
// on any thread.
unsafe impl Sync for Host {}

impl Host {
    /// Allocates a host for `ops`, adds it under `dev` and scans its bus.
    /// The midlayer sends at most `sg_tablesize` segments, `max_sectors`
    /// sectors and CDBs of `max_cmd_len` bytes (it fails longer ones
    /// itself: without the limit, 12).
    ///
    /// # Safety
    ///
    /// `ops` must stay valid, and able to take commands, until the host is
    /// removed ([`Host::remove`] or its drop).
    pub(crate) unsafe fn register(
        dev: &Device<Bound>,
        ops: &crate::Chip<'_>,
        sg_tablesize: u16,
        max_sectors: u32,
        max_cmd_len: u8,
        this_id: u8,
    ) -> Result<Host> {
        // The entry points below turn it back into the driver's `Chip`.
        let chip: *const c_void = core::ptr::from_ref(ops).cast();
        // SAFETY: The template is static; `chip` outlives the host (the
        // caller's guarantee).
        let shost = unsafe {
            rust_ncr810_host_alloc(chip, sg_tablesize, max_sectors, max_cmd_len, this_id.into())
        };
        let shost = NonNull::new(shost).ok_or(ENOMEM)?;
        // `Device` is a `#[repr(transparent)]` wrapper of `struct device`.
        let raw_dev = core::ptr::from_ref(dev).cast_mut().cast::<c_void>();
        // SAFETY: `shost` is a fresh host; `raw_dev` is a bound device that
        // outlives it (the driver removes the host before unbinding).
        let ret = unsafe { rust_ncr810_host_add(shost.as_ptr(), raw_dev) };
        if let Err(e) = to_result(ret) {
            // SAFETY: `shost` was never added; this drops the only reference.
            unsafe { rust_ncr810_host_put(shost.as_ptr()) };
            return Err(e);
        }
        // INVARIANT: allocated, added, its private data points to `ops`.
        Ok(Host {
            shost,
            removed: core::sync::atomic::AtomicBool::new(false),
        })
    }

    /// The midlayer's host number (`scsi<N>` in the log, `host<N>` in sysfs).
    pub(crate) fn number(&self) -> u32 {
        // SAFETY: The host is allocated until the drop (type invariant).
        unsafe { rust_ncr810_host_no(self.shost.as_ptr()) }
    }

    /// Removes the host: its devices go away, commands in flight complete
    /// or fail, and the midlayer calls no entry point after it returns.
    /// Later calls do nothing.
    pub(crate) fn remove(&self) {
        if !self
            .removed
            .swap(true, core::sync::atomic::Ordering::AcqRel)
        {
            // SAFETY: The host was added (type invariant) and not removed yet.
            unsafe { rust_ncr810_host_remove(self.shost.as_ptr()) };
        }
    }
}

impl Drop for Host {
    fn drop(&mut self) {
        self.remove();
        // SAFETY: Removed above; this drops the driver's reference.
        unsafe { rust_ncr810_host_put(self.shost.as_ptr()) };
    }
}

/// The driver's [`HostOps`] behind the host's private data pointer. The
/// `'static` is not true: the chip lives until its host is removed, and the
/// entry points below use the reference only for the call they serve.
type Ops = crate::Chip<'static>;

/// # Safety
///
/// Called by the midlayer through the template: `chip` is the pointer given
/// to [`Host::register`], still valid (the host is not removed), and `cmd`
/// a command it hands over.
#[no_mangle]
unsafe extern "C" fn rust_ncr810_queue(chip: *const c_void, cmd: *mut RawCommand) -> c_int {
    // SAFETY: See the function's safety section.
    let ops = unsafe { &*chip.cast::<Ops>() };
    let Some(ptr) = NonNull::new(cmd) else {
        return 0;
    };
    // INVARIANT: a command just handed over, not mapped.
    let cmd = Command { ptr, mapped: false };
    match ops.queue(cmd) {
        Ok(()) => 0,
        Err(cmd) => {
            // The midlayer keeps it and retries: not completed here.
            cmd.give_up();
            1
        }
    }
}

/// # Safety
///
/// As [`rust_ncr810_queue`]; `cmd` is a command the error handler owns.
#[no_mangle]
unsafe extern "C" fn rust_ncr810_eh_abort(chip: *const c_void, cmd: *mut RawCommand) -> bool {
    // SAFETY: See the function's safety section.
    let ops = unsafe { &*chip.cast::<Ops>() };
    ops.abort(cmd)
}

/// # Safety
///
/// As [`rust_ncr810_queue`].
#[no_mangle]
unsafe extern "C" fn rust_ncr810_eh_reset(
    chip: *const c_void,
    whole_chip: bool,
    from_ioctl: bool,
) -> bool {
    // SAFETY: See the function's safety section.
    let ops = unsafe { &*chip.cast::<Ops>() };
    ops.reset(whole_chip, from_ioctl)
}
