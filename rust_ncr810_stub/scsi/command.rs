// SPDX-License-Identifier: GPL-2.0

//! A SCSI command, owned by the driver from `queuecommand` to its end.

use core::ptr::NonNull;

use kernel::{
    error::to_result,
    prelude::*,
    sync::atomic::{
        atomic_load,
        Relaxed, //
    },
};

use super::bindings;

/// Which way a command's data goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum DataDirection {
    /// No data phase.
    None,
    /// To the device (a write).
    ToDevice,
    /// From the device (a read).
    FromDevice,
    /// Both ways.
    Bidirectional,
}

/// Why a command ended without a status: the midlayer's host byte.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum HostByte {
    /// No device answered (`DID_NO_CONNECT`).
    NoConnect,
    /// The bus was reset under the command (`DID_RESET`; normal I/O retries it).
    BusReset,
    /// A parity error (`DID_PARITY`).
    Parity,
    /// Anything else (`DID_ERROR`).
    Error,
}

impl HostByte {
    fn value(self) -> u32 {
        match self {
            HostByte::NoConnect => bindings::scsi_host_status_DID_NO_CONNECT,
            HostByte::BusReset => bindings::scsi_host_status_DID_RESET,
            HostByte::Parity => bindings::scsi_host_status_DID_PARITY,
            HostByte::Error => bindings::scsi_host_status_DID_ERROR,
        }
    }
}

/// How a command ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// The target returned this status byte (`DID_OK`).
    Status(u8),
    /// No status: the host, the bus or the target failed.
    Failed(HostByte),
}

impl Outcome {
    /// `scsi_cmnd.result`: the host byte, then the status byte.
    fn result(self) -> i32 {
        let (host, status) = match self {
            Outcome::Status(s) => (bindings::scsi_host_status_DID_OK, u32::from(s)),
            Outcome::Failed(h) => (h.value(), 0),
        };
        ((host << 16) | status) as i32
    }
}

/// Identifies a command the midlayer has handed over, for the error
/// handler's calls about it; it gives no access to the command.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct CommandId(*const bindings::scsi_cmnd);

// SAFETY: A `CommandId` is only compared, never dereferenced: the address
// it holds may move between threads with the error handler's request.
unsafe impl Send for CommandId {}
// SAFETY: Shared, a `CommandId` gives nothing but its value to compare.
unsafe impl Sync for CommandId {}

impl CommandId {
    pub(super) fn new(cmd: *const bindings::scsi_cmnd) -> Self {
        CommandId(cmd)
    }
}

/// What a command asks for.
pub(crate) struct CommandInfo<'a> {
    /// The CDB.
    pub(crate) cdb: &'a [u8],
    /// Target ID.
    pub(crate) target: u32,
    /// Channel.
    pub(crate) channel: u32,
    /// Logical unit.
    pub(crate) lun: u64,
    /// Data direction.
    pub(crate) direction: DataDirection,
    /// Bytes of data.
    pub(crate) length: u32,
    /// The midlayer wants the command tagged (the device takes simple
    /// queue tags).
    pub(crate) tagged: bool,
}

/// A SCSI command the midlayer handed to the driver.
///
/// # Invariants
///
/// `ptr` is a command the midlayer passed to `queuecommand` and that has not
/// ended; `mapped` says whether its data is DMA-mapped. Exactly one of
/// [`Command::complete`], [`Command::hand_back`], [`Command::give_up`] or
/// the drop (which fails it with `DID_ERROR`) ends it.
pub(crate) struct Command {
    ptr: NonNull<bindings::scsi_cmnd>,
    mapped: bool,
}

// SAFETY: A command may be completed from any context (`scsi_done`); the
// type only moves its ownership between `queuecommand` and the interrupt.
unsafe impl Send for Command {}

impl Command {
    /// # Safety
    ///
    /// `ptr` is a command the midlayer just passed to `queuecommand`, not
    /// mapped, and from now on owned by the returned value.
    pub(super) unsafe fn from_queued(ptr: NonNull<bindings::scsi_cmnd>) -> Self {
        // INVARIANT: as the caller guarantees.
        Command { ptr, mapped: false }
    }

    /// Which command this is, to compare with what the error handler names.
    pub(crate) fn id(&self) -> CommandId {
        CommandId(self.ptr.as_ptr())
    }

    /// Whether the midlayer's timer expired for the command: the error
    /// handler owns it (its abort is pending or failed), and a completion
    /// would be ignored (`scsi_done` of a command marked complete).
    pub(crate) fn timed_out(&self) -> bool {
        let cmd = self.ptr.as_ptr();
        // SAFETY: `cmd` is a live command (type invariant), so `state` is
        // valid and aligned; its concurrent stores are atomic bit
        // operations (`scsi_timeout`, `scsi_done`), and this load is the
        // `READ_ONCE` that `test_bit` is.
        let state = unsafe { atomic_load(&raw mut (*cmd).state, Relaxed) };
        state & (1 << bindings::SCMD_STATE_COMPLETE) != 0
    }

    /// What the command asks for.
    pub(crate) fn info(&self) -> CommandInfo<'_> {
        let cmd = self.ptr.as_ptr();
        // SAFETY: `cmd` is a live command (type invariant): the midlayer
        // set its CDB, length, device and direction before queueing it and
        // changes none of them while the driver owns it; its CDB array and
        // its device live as long as the command, which `self` borrows.
        let (cdb, cdb_len, dev, dir) = unsafe {
            (
                &(*cmd).cmnd,
                (*cmd).cmd_len,
                (*cmd).device,
                (*cmd).sc_data_direction,
            )
        };
        let cdb = cdb.get(..usize::from(cdb_len)).unwrap_or(&[]);
        // SAFETY: `dev` is the live `scsi_device` the command was queued
        // for (type invariant).
        let (target, channel, lun, tagged) = unsafe {
            (
                (*dev).id,
                (*dev).channel,
                (*dev).lun,
                (*dev).simple_tags() != 0,
            )
        };
        // SAFETY: `cmd` is a live command (type invariant).
        let length = unsafe { bindings::rust_ncr810_scsi_bufflen(cmd) };
        CommandInfo {
            cdb,
            target,
            channel,
            lun,
            direction: match dir {
                bindings::dma_data_direction_DMA_TO_DEVICE => DataDirection::ToDevice,
                bindings::dma_data_direction_DMA_FROM_DEVICE => DataDirection::FromDevice,
                bindings::dma_data_direction_DMA_BIDIRECTIONAL => DataDirection::Bidirectional,
                _ => DataDirection::None,
            },
            length,
            tagged,
        }
    }

    /// DMA-maps the command's data and returns its segments, bus address
    /// and length each (none for a command without data). The mapping
    /// lasts until the command ends.
    pub(crate) fn map(&mut self) -> Result<Segments<'_>> {
        if self.mapped {
            return Err(EINVAL);
        }
        let cmd = self.ptr.as_ptr();
        // SAFETY: `cmd` is a live command, not mapped (type invariant).
        let n = unsafe { bindings::scsi_dma_map(cmd) };
        to_result(n.min(0))?;
        self.mapped = n > 0;
        // SAFETY: `cmd` is a live command (type invariant).
        let next = unsafe { bindings::rust_ncr810_scsi_sglist(cmd) };
        Ok(Segments {
            next,
            left: n.max(0) as u32,
            _cmd: core::marker::PhantomData,
        })
    }

    fn unmap(&mut self) {
        if self.mapped {
            // SAFETY: The command is live and mapped (type invariant).
            unsafe { bindings::scsi_dma_unmap(self.ptr.as_ptr()) };
            self.mapped = false;
        }
    }

    /// Ends the command: unmaps its data, sets its result, residual and
    /// sense data, and gives it back to the midlayer (`scsi_done`).
    pub(crate) fn complete(mut self, outcome: Outcome, residual: u32, sense: &[u8]) {
        self.unmap();
        let cmd = self.ptr.as_ptr();
        core::mem::forget(self);
        let sense_len = sense.len().min(bindings::SCSI_SENSE_BUFFERSIZE as usize);
        // SAFETY: `cmd` is a live command the driver owns (type invariant),
        // unmapped above, whose sense buffer holds SCSI_SENSE_BUFFERSIZE
        // bytes; `sense` is readable for `sense_len` bytes. The command is
        // not used again: `self` is forgotten.
        unsafe {
            (*cmd).result = outcome.result();
            let length = bindings::rust_ncr810_scsi_bufflen(cmd);
            bindings::rust_ncr810_scsi_set_resid(cmd, residual.min(length));
            if sense_len > 0 && !(*cmd).sense_buffer.is_null() {
                core::ptr::copy_nonoverlapping(sense.as_ptr(), (*cmd).sense_buffer, sense_len);
            }
            bindings::scsi_done(cmd);
        }
    }

    /// Hands the command back unstarted: `queuecommand` returns "busy"
    /// and the midlayer requeues it. Its data is unmapped.
    pub(super) fn hand_back(mut self) {
        self.unmap();
        core::mem::forget(self);
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
        let cmd = self.ptr.as_ptr();
        // SAFETY: A command dropped without an outcome is live (type
        // invariant); failing it keeps the midlayer from waiting for it.
        unsafe {
            (*cmd).result = Outcome::Failed(HostByte::Error).result();
            bindings::rust_ncr810_scsi_set_resid(cmd, 0);
            bindings::scsi_done(cmd);
        }
    }
}

/// The mapped segments of a command's data, in order.
///
/// # Invariants
///
/// `next` is the next of the `left` remaining mapped scatterlist entries of
/// a command that stays mapped while `'a` lasts.
pub(crate) struct Segments<'a> {
    next: *mut bindings::scatterlist,
    left: u32,
    _cmd: core::marker::PhantomData<&'a mut Command>,
}

impl Iterator for Segments<'_> {
    /// Bus address and length.
    type Item = (u64, u32);

    fn next(&mut self) -> Option<(u64, u32)> {
        if self.left == 0 || self.next.is_null() {
            return None;
        }
        let sg = self.next;
        // SAFETY: `sg` is a mapped entry of the command's list (type
        // invariant); the helpers read its DMA fields and its successor.
        let (addr, len, next) = unsafe {
            (
                bindings::rust_ncr810_sg_dma_address(sg),
                bindings::rust_ncr810_sg_dma_len(sg),
                bindings::rust_ncr810_sg_next(sg),
            )
        };
        self.left -= 1;
        // INVARIANT: `next` follows `sg` in the mapped list.
        self.next = next;
        Some((addr, len))
    }
}
