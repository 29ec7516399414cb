// SPDX-License-Identifier: GPL-2.0

//! A SCSI host layer: what a `kernel::scsi` would give a low-level driver.
//!
//! The kernel crate of Linux 7.3 has no SCSI abstraction, and its bindings
//! include no SCSI header. This layer owns every call into the midlayer and
//! every raw pointer it hands out; the driver above it implements one trait
//! and sees two safe types:
//!
//! - [`HostOps`]: what the midlayer calls (queue a command, abort it, reset
//!   a device, a target, the bus or the host), with the host's fixed
//!   properties as constants.
//!   The host template (`struct scsi_host_template`) is built from them in
//!   Rust, one constant per implementing type ([`host`]);
//! - [`PciHost`]: a PCI driver whose driver data is a SCSI host. The
//!   driver's data is probed, then the host is added for it; on unbind the
//!   host is removed before the driver's data is unbound and dropped. The
//!   host thus borrows the driver's data for exactly the data's lifetime,
//!   and no driver code holds a host it could forget;
//! - [`Command`]: a command the driver owns until it completes it (or hands
//!   it back, or gives it up to the error handler): exactly one of these
//!   ends it, which the type enforces by consuming itself.
//!
//! The C declarations come from bindgen at build time ([`bindings`]); the
//! C helpers (`rust_ncr810_scsi.c`) cover only static inline functions and
//! macros.

mod bindings;
mod command;
mod host;

pub(crate) use command::{
    Command,
    CommandId,
    DataDirection,
    HostByte,
    Outcome, //
};
pub(crate) use host::{
    HostLimits,
    HostOps,
    PciHost,
    PciHostDriver,
    ResetScope, //
};
